import { z } from "zod";
import { OfficialRole } from "./dossier";
import { NOTIFICATION_KIND_LABELS, NotificationKind } from "./notification";
import { line, paragraph } from "./text/safe-text";
import { AdministrativeUnit } from "./units";

/**
 * What the officials' web console sends and receives on its "Hỗ trợ trực tuyến" (conversations handed off by the
 * chatbot) and "Quản trị" (accounts, units, catalogue, ZNS templates) screens.
 */

// ---- Officials' accounts -------------------------------------------------------------------------------------------

/** The same rule for a new account and for a password reset. */
export const OfficialPassword = z.string().min(10, "Mật khẩu tối thiểu 10 ký tự").max(200, "Mật khẩu tối đa 200 ký tự");
const OfficialName = line().trim().min(2, "Cần nhập họ và tên").max(120);
const UnitCode = line().trim().min(2).max(10);

export const NewOfficial = z.object({
  username: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9._-]{3,40}$/, "Tên đăng nhập 3–40 ký tự: chữ thường không dấu, số, dấu chấm, gạch"),
  name: OfficialName,
  role: OfficialRole,
  unitCode: UnitCode,
  password: OfficialPassword,
});
export type NewOfficial = z.infer<typeof NewOfficial>;

/** PATCH of an account: any of these fields, at least one. The username never changes. */
export const OfficialUpdate = z
  .strictObject({
    name: OfficialName.optional(),
    role: OfficialRole.optional(),
    unitCode: UnitCode.optional(),
    active: z.boolean().optional(),
  })
  .refine((u) => Object.values(u).some((v) => v !== undefined), "Cần ít nhất một thay đổi");
export type OfficialUpdate = z.infer<typeof OfficialUpdate>;

export const PasswordReset = z.strictObject({ password: OfficialPassword });
export type PasswordReset = z.infer<typeof PasswordReset>;

export const OfficialAccount = z.object({
  id: z.number().int(),
  username: z.string(),
  name: z.string(),
  role: OfficialRole,
  unitCode: z.string(),
  active: z.boolean(),
  /** Wrong passwords since the last good sign-in (no account is locked by them: issue 13, finding 7). */
  failedLogins: z.number().int(),
});
export type OfficialAccount = z.infer<typeof OfficialAccount>;

/**
 * A warning for administrators: one account collecting wrong passwords (`login-failures`), whoever types them. Open
 * until an administrator acknowledges it; `signedInAt` says the account then signed in with the right password.
 */
export const SecurityAlert = z.object({
  id: z.number().int(),
  kind: z.enum(["login-failures"]),
  username: z.string(),
  failures: z.number().int(),
  /** The addresses the wrong passwords came from (the most recent few). */
  sources: z.array(z.string()),
  firstAt: z.string(),
  lastAt: z.string(),
  signedInAt: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  /** What happened and what to do, in Vietnamese. */
  message: z.string(),
});
export type SecurityAlert = z.infer<typeof SecurityAlert>;

// ---- Receiving units -----------------------------------------------------------------------------------------------

/** A unit that receives dossiers (table receiving_units) with its administrative unit (docs/domain.md §8). */
export const ReceivingUnitView = z.object({
  code: z.string(),
  name: z.string(),
  /** Prefix of the unit's dossier codes. */
  agencyCode: z.string(),
  level: z.enum(["province", "commune"]),
  administrativeUnit: AdministrativeUnit.nullable(),
  activeOfficials: z.number().int(),
});
export type ReceivingUnitView = z.infer<typeof ReceivingUnitView>;

// ---- Conversations handed off to officials -------------------------------------------------------------------------

/** Zalo's consultation messages carry at most 2000 characters (docs/zalo.md §1). */
export const MAX_REPLY_LENGTH = 2000;

export const ConversationReply = z.strictObject({
  text: paragraph()
    .trim()
    .min(1, "Cần nhập nội dung tin nhắn")
    .max(MAX_REPLY_LENGTH, `Tin nhắn tối đa ${MAX_REPLY_LENGTH} ký tự`),
});
export type ConversationReply = z.infer<typeof ConversationReply>;

/**
 * What became of an official's reply: `sent` (Zalo accepted it), `offline` (no Zalo configured: written to the
 * developer's outbox, it did not reach anyone), `failed` (Zalo refused or could not be reached; see `error`), or
 * `pending` (being sent right now).
 */
export const ReplyStatus = z.enum(["pending", "sent", "offline", "failed"]);
export type ReplyStatus = z.infer<typeof ReplyStatus>;

export const ConversationMessage = z.object({
  /** `in-<webhook event id>` for the citizen's messages, `out-<reply id>` for officials' replies. */
  id: z.string(),
  direction: z.enum(["in", "out"]),
  at: z.string(),
  /** Null for a photo, a file or a sticker the citizen sent (`event` says which). */
  text: z.string().nullable(),
  /** The Zalo webhook event of a citizen's message (`user_send_text`, `user_send_image`…); null for replies. */
  event: z.string().nullable(),
  official: z.object({ id: z.number().int(), name: z.string() }).nullable(),
  delivery: z
    .object({
      status: ReplyStatus,
      messageId: z.string().nullable(),
      /** Stable reason of a failure: `window-closed`, `zalo-unavailable`, `zalo-refused`, `zalo-token`, `internal`. */
      errorCode: z.string().nullable(),
      error: z.string().nullable(),
    })
    .nullable(),
});
export type ConversationMessage = z.infer<typeof ConversationMessage>;

export const ConversationThread = z.object({
  userId: z.string(),
  /** The bot is silent and officials answer (hand-off running). */
  handedOff: z.boolean(),
  requestedAt: z.string().nullable(),
  until: z.string().nullable(),
  sharedName: z.string().nullable(),
  lastInteractionAt: z.string().nullable(),
  /** The unit whose officials answer it (the citizen's commune, or where it was routed); null: the province's desk. */
  unit: z.object({ code: z.string(), name: z.string() }).nullable(),
  /** The official it is assigned to, who answers it whatever their unit. */
  assignee: z.object({ id: z.number().int(), name: z.string() }).nullable(),
  /** Oldest first: the most recent messages of both sides. */
  items: z.array(ConversationMessage),
});
export type ConversationThread = z.infer<typeof ConversationThread>;

/**
 * Routing a hand-off: to a unit (its officials answer it), or to one official (who answers it, and their unit). Who
 * may route it: whoever may answer it; a commune's officials send on what is not theirs (issue 13, finding 8).
 */
export const ConversationAssignment = z.union([
  z.strictObject({ unitCode: z.string().regex(/^\d{2,5}$/, "Mã đơn vị không hợp lệ") }),
  z.strictObject({ officialId: z.number().int().min(1) }),
]);
export type ConversationAssignment = z.infer<typeof ConversationAssignment>;

// ---- Catalogue import ----------------------------------------------------------------------------------------------

/**
 * A catalogue is larger than the API's usual 100 kB JSON limit. Sent with this media type, the import endpoint reads up
 * to MAX_CATALOGUE_BYTES; sent as `application/json`, the app-wide 100 kB limit applies.
 */
export const CATALOGUE_MEDIA_TYPE = "application/vnd.qn.catalogue+json";
export const MAX_CATALOGUE_BYTES = 10 * 1024 * 1024;
/** At most this many problems are listed in a report (`errorCount` has them all). */
export const MAX_REPORTED_PROBLEMS = 500;

export const CatalogueImportRequest = z.strictObject({
  /** The records are validated one by one by the import (`Procedure`), so that each problem is reported. */
  procedures: z.array(z.unknown()).min(1, "Danh mục không có thủ tục nào").max(20_000),
  dryRun: z.boolean().default(false),
});
export type CatalogueImportRequest = z.input<typeof CatalogueImportRequest>;

export const CatalogueProblem = z.object({
  /** Position of the record in `procedures`; null for a problem with the whole catalogue. */
  index: z.number().int().nullable(),
  code: z.string().nullable(),
  /** Field path inside the record, e.g. `documents.0.name`. */
  field: z.string(),
  message: z.string(),
});
export type CatalogueProblem = z.infer<typeof CatalogueProblem>;

export const CatalogueImportReport = z.object({
  dryRun: z.boolean(),
  valid: z.boolean(),
  /** Records sent. */
  total: z.number().int(),
  /** What was written, or with `dryRun` what would be. All zero when the catalogue is invalid (nothing is written). */
  inserted: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  errorCount: z.number().int(),
  errors: z.array(CatalogueProblem),
});
export type CatalogueImportReport = z.infer<typeof CatalogueImportReport>;

// ---- ZNS templates -------------------------------------------------------------------------------------------------

/** The facts of a status notification a ZNS template parameter can carry. */
export const ZnsTemplateField = z.enum([
  "code",
  "procedureName",
  "stateLabel",
  "dueDate",
  "feesDue",
  "missingDocuments",
  /** Postal notifications (issue 15): the parcel's status in words, and its waybill. */
  "postalStatus",
  "waybill",
]);
export type ZnsTemplateField = z.infer<typeof ZnsTemplateField>;

/** Status notifications can go by ZNS; announcements go by OA promotion messages only. */
export const ZnsNotificationKind = NotificationKind.exclude(["announcement"]);
export type ZnsNotificationKind = z.infer<typeof ZnsNotificationKind>;
export const ZNS_NOTIFICATION_KINDS = ZnsNotificationKind.options;
export const ZNS_KIND_LABELS: Record<ZnsNotificationKind, string> = NOTIFICATION_KIND_LABELS;

/** Template ids are the numbers Zalo assigns when it approves a template. */
export const ZnsTemplateId = z
  .string()
  .trim()
  .regex(/^\d{1,20}$/, "Mã mẫu ZNS là dãy chữ số (tối đa 20), ví dụ 231456");

/** Template parameter name → the notification fact it carries, e.g. {"ma_ho_so": "code"}. */
export const ZnsTemplateParams = z
  .record(z.string().regex(/^[A-Za-z0-9_]{1,50}$/, "Tên tham số: chữ không dấu, số, gạch dưới"), ZnsTemplateField)
  .refine((p) => Object.keys(p).length > 0, "Cần ít nhất một tham số");

export const ZnsTemplate = z.object({ templateId: ZnsTemplateId, params: ZnsTemplateParams });
export type ZnsTemplate = z.infer<typeof ZnsTemplate>;

/**
 * PUT: the whole stored mapping. A kind left out uses the server's configured value (ZNS_TEMPLATES), if any. `params`
 * may be left out when the configured value of that kind has them.
 */
const ZnsTemplateEntry = z.strictObject({ templateId: ZnsTemplateId, params: ZnsTemplateParams.optional() });
export const ZnsTemplatesUpdate = z.strictObject({
  templates: z
    .record(z.string(), ZnsTemplateEntry)
    .superRefine((templates, ctx) => {
      for (const kind of Object.keys(templates)) {
        if (!(ZNS_NOTIFICATION_KINDS as readonly string[]).includes(kind)) {
          ctx.addIssue({
            code: "custom",
            path: [kind],
            message: `Không có loại thông báo “${kind}” gửi qua ZNS; các loại: ${ZNS_NOTIFICATION_KINDS.join(", ")}`,
          });
        }
      }
    })
    .transform((templates) => templates as Partial<Record<ZnsNotificationKind, z.infer<typeof ZnsTemplateEntry>>>),
});
export type ZnsTemplatesUpdate = z.infer<typeof ZnsTemplatesUpdate>;

export const ZnsTemplateSetting = z.object({
  kind: ZnsNotificationKind,
  label: z.string(),
  /** What delivery uses now; null: no ZNS for this kind (the in-app inbox only, outside the OA window). */
  templateId: z.string().nullable(),
  params: z.record(z.string(), ZnsTemplateField),
  source: z.enum(["database", "environment", "none"]),
  /** The server's configured value (ZNS_TEMPLATES), used when nothing is stored. */
  environment: ZnsTemplate.nullable(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
});
export type ZnsTemplateSetting = z.infer<typeof ZnsTemplateSetting>;
