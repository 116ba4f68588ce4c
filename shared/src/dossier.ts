import { z } from "zod";

export { Address, CommuneCode } from "./address";
export { DossierCode } from "./dossier-code";

import { Address, CommuneCode } from "./address";
import { IsoDate } from "./calendar";
import { IdentityNumber, PhoneNumber } from "./identity";
import { FeeChoice, PaymentLine } from "./payment";
import { PickupRequest } from "./postal";
import { OnlineLevel, ProcedureCode, ProcedureLevel } from "./procedure";
import { ACTION_NAMES, ACTIONS, DOSSIER_STATES } from "./states";
import { line, paragraph } from "./text/safe-text";
import { vietnamToday } from "./vietnam-time";

/**
 * A dossier (hồ sơ) and its life, with the ten states of the national portal sync (docs/domain.md §5) as canonical codes.
 */
export const DossierState = z.literal(DOSSIER_STATES);
export type DossierState = z.infer<typeof DossierState>;
export {
  ACTION_NAMES,
  ACTIONS,
  type ActionName,
  DOSSIER_STATES,
  FILING_STEP,
  FINAL_STATES,
  PORTAL_UPDATE_STEP,
  RUNNING_STATES,
  STATE,
  STATE_LABELS,
  STEP_LABELS,
} from "./states";

/** Submission channel (KenhThucHien): 1 at the counter, 2 online, 3 public postal service. */
export const Channel = z.enum(["counter", "online", "postal"]);
export type Channel = z.infer<typeof Channel>;
export const CHANNEL_CODES: Record<Channel, 1 | 2 | 3> = { counter: 1, online: 2, postal: 3 };
export const CHANNEL_LABELS: Record<Channel, string> = {
  counter: "Trực tiếp",
  online: "Trực tuyến",
  postal: "Qua bưu chính công ích",
};

export const ApplicantType = z.enum(["citizen", "business", "agency", "other"]);
export type ApplicantType = z.infer<typeof ApplicantType>;

const Text = (max: number, label: string) =>
  line().trim().min(1, `Cần nhập ${label}`).max(max, `${label} tối đa ${max} ký tự`);

export const Applicant = z.object({
  type: ApplicantType.default("citizen"),
  name: Text(120, "họ và tên"),
  identityNumber: IdentityNumber,
  /** From the căn cước card's QR code or typed; optional. */
  birthDate: z.iso
    .date("Ngày sinh không hợp lệ")
    .refine((d) => d <= vietnamToday(), "Ngày sinh không được sau hôm nay")
    .optional(),
  /** Filled by the server from the Zalo phone exchange for citizens; typed by the official filing on one's behalf. */
  phone: PhoneNumber.optional(),
  email: z.email("Địa chỉ email không hợp lệ").max(200).optional(),
  address: Address,
});
export type Applicant = z.infer<typeof Applicant>;

/** HinhThucTra: how the result reaches the citizen. */
export const ResultDelivery = z.discriminatedUnion("method", [
  z.object({ method: z.literal("counter") }),
  z.object({ method: z.literal("online") }),
  z.object({
    method: z.literal("post"),
    recipientName: Text(120, "tên người nhận"),
    phone: PhoneNumber,
    address: Address,
  }),
]);
export type ResultDelivery = z.infer<typeof ResultDelivery>;

/** How the citizen agreed that a volunteer or an HCC officer files for them (Chỉ thị 07, item 7). */
export const OnBehalfConsent = z.object({
  method: z.enum(["written", "in-person", "zalo-message"]),
  note: paragraph().trim().max(500).optional(),
});
export type OnBehalfConsent = z.infer<typeof OnBehalfConsent>;

const FormValue = z.union([paragraph().max(2000), z.number(), z.boolean()]);

/** What is filed: the JSON part of `POST /api/dossiers` (files come as multipart parts `document:<index>`). */
export const DossierSubmission = z.object({
  procedureCode: ProcedureCode,
  applicant: Applicant,
  resultDelivery: ResultDelivery,
  /** For commune-level procedures: the commune that receives it (default: the applicant's commune). */
  receivingCommuneCode: CommuneCode.optional(),
  formData: z
    .record(line().max(100), FormValue)
    .refine((r) => Object.keys(r).length <= 100, "Tối đa 100 mục trong tờ khai")
    .default({}),
  /** What the citizen chose about the fees: optional lines, quantities, an exemption claimed (issue 14). */
  fees: FeeChoice.optional(),
  /** The post to pick up the originals at the citizen's address (issue 15). */
  pickup: PickupRequest.optional(),
  /** Only for volunteers and HCC staff: the channel they received it on and the citizen's consent. */
  channel: Channel.optional(),
  onBehalf: OnBehalfConsent.optional(),
});
export type DossierSubmission = z.infer<typeof DossierSubmission>;

/** The receipt's secret (mã bảo mật), printed beside the QR code: who shows it sees more in the public lookup. */
export const LookupSecret = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{6}$/, "Mã bảo mật gồm 6 chữ và số, in cạnh mã QR trên giấy hẹn");

export const ActorKind = z.enum(["citizen", "official", "system"]);
export type ActorKind = z.infer<typeof ActorKind>;

export const OfficialRole = z.enum(["official", "hcc", "volunteer", "admin"]);
export type OfficialRole = z.infer<typeof OfficialRole>;
export const OFFICIAL_ROLE_LABELS: Record<OfficialRole, string> = {
  official: "Cán bộ xử lý",
  hcc: "Cán bộ Trung tâm Phục vụ hành chính công",
  volunteer: "Tình nguyện viên hướng dẫn dịch vụ công",
  admin: "Quản trị hệ thống",
};

/** What officials and citizens do to a dossier: the names of the one action table (states.ts, ACTIONS). */
export const DossierAction = z.enum(ACTION_NAMES);
export type DossierAction = z.infer<typeof DossierAction>;

export const ACTION_LABELS = Object.fromEntries(ACTION_NAMES.map((a) => [a, ACTIONS[a].label])) as Record<
  DossierAction,
  string
>;

type Transition = { from: readonly DossierState[]; to: DossierState | "resume"; by: "official" | "citizen" };

/** The state machine, as the action table gives it. */
export const TRANSITIONS: Record<DossierAction, Transition> = ACTIONS;

export function canTransition(action: DossierAction, state: DossierState): boolean {
  return TRANSITIONS[action].from.includes(state);
}

/** The actions open to officials on a dossier in a state: what the console offers. */
export function officialActions(state: DossierState): DossierAction[] {
  return DossierAction.options.filter((a) => TRANSITIONS[a].by === "official" && canTransition(a, state));
}

/** `POST /api/officials/dossiers/:code/actions` body. */
export const OfficialActionRequest = z
  .object({
    action: DossierAction.exclude(["supplement", "withdraw"]),
    note: paragraph().trim().max(2000).optional(),
    /** For request-supplement: the documents missing (names). */
    missingDocuments: z.array(line().trim().min(1).max(300)).max(30).optional(),
    /** For request-payment: the amount due in VND (the sum of `lines` when they are given). */
    amount: z.number().int().min(0).max(1_000_000_000).optional(),
    /** For request-payment: the fee lines the amount is made of (shown to the citizen and on the receipt). */
    lines: z.array(PaymentLine).min(1).max(20).optional(),
    /** For deliver by post: the postal tracking number. */
    trackingNumber: line().trim().min(4).max(40).optional(),
  })
  .superRefine((body, ctx) => {
    if ((body.action === "reject" || body.action === "stop") && !body.note) {
      ctx.addIssue({ code: "custom", path: ["note"], message: "Cần ghi rõ lý do" });
    }
    if (body.action === "request-payment" && body.lines && body.amount !== undefined) {
      const sum = body.lines.reduce((s, l) => s + l.amount, 0);
      if (sum !== body.amount) {
        ctx.addIssue({ code: "custom", path: ["amount"], message: "Số tiền phải bằng tổng các khoản phí, lệ phí" });
      }
    }
    if (body.action === "request-payment" && body.amount === undefined && !body.lines) {
      ctx.addIssue({ code: "custom", path: ["amount"], message: "Cần ghi số tiền phải nộp" });
    }
    if (body.action === "request-supplement" && !(body.missingDocuments && body.missingDocuments.length > 0)) {
      ctx.addIssue({ code: "custom", path: ["missingDocuments"], message: "Cần liệt kê giấy tờ cần bổ sung" });
    }
  });
export type OfficialActionRequest = z.infer<typeof OfficialActionRequest>;

export const DossierStep = z.object({
  at: z.string(),
  actorKind: ActorKind,
  actorName: z.string(),
  role: z.string(),
  unitCode: z.string().nullable(),
  action: z.string(),
  note: z.string().nullable(),
  fromState: DossierState.nullable(),
  toState: DossierState,
});
export type DossierStep = z.infer<typeof DossierStep>;

export const AttachmentView = z.object({
  id: z.number().int(),
  documentIndex: z.number().int().nullable(),
  documentName: z.string(),
  mime: z.enum(["image/jpeg", "image/png", "application/pdf"]),
  size: z.number().int(),
  fileName: z.string(),
  kind: z.enum(["initial", "supplement"]),
  uploadedAt: z.string(),
});
export type AttachmentView = z.infer<typeof AttachmentView>;

/**
 * Where a dossier stands with the provincial portal when the bot server forwards to it (PORTAL_MODE=http, issue 7):
 * accepted here and on its way (`forwarding`), received there with the portal's code (`forwarded`), or refused by the
 * portal (`failed`; the one-stop office follows it up). Absent when the embedded portal is the system of record.
 */
export const PortalForwardingStatus = z.enum(["forwarding", "forwarded", "failed"]);
export type PortalForwardingStatus = z.infer<typeof PortalForwardingStatus>;
export const PORTAL_FORWARDING_LABELS: Record<PortalForwardingStatus, string> = {
  forwarding: "Đang chuyển đến cổng dịch vụ công",
  forwarded: "Đã chuyển đến cổng dịch vụ công",
  failed: "Chưa chuyển được đến cổng dịch vụ công, bộ phận một cửa sẽ liên hệ với bạn",
};
export const DossierPortalView = z.object({
  status: PortalForwardingStatus,
  label: z.string(),
  /** The portal's own code (MaHoSo) once it answered. */
  code: z.string().nullable(),
});
export type DossierPortalView = z.infer<typeof DossierPortalView>;

export const DossierView = z.object({
  code: z.string(),
  state: DossierState,
  stateLabel: z.string(),
  procedure: z.object({
    code: z.string(),
    name: z.string(),
    level: ProcedureLevel,
    onlineLevel: OnlineLevel,
    processingDays: z.number().int().nullable(),
  }),
  unitCode: z.string(),
  unitName: z.string(),
  channel: Channel,
  applicant: Applicant.extend({ phone: z.string().optional() }),
  resultDelivery: ResultDelivery,
  formData: z.record(z.string(), FormValue),
  filedBy: z.object({ name: z.string(), role: z.string(), consent: OnBehalfConsent }).nullable(),
  submittedAt: z.string(),
  acceptedAt: z.string().nullable(),
  dueDate: IsoDate.nullable(),
  overdue: z.boolean(),
  feesDue: z.number().int().nullable(),
  missingDocuments: z.array(z.string()),
  attachments: z.array(AttachmentView),
  history: z.array(DossierStep),
  rating: z.object({ score: z.number().int(), comment: z.string().nullable() }).nullable(),
  /** Only in PORTAL_MODE=http: the forwarding to the provincial portal. */
  portal: DossierPortalView.optional(),
  /** The receipt's secret (LookupSecret), shown to the owner, the filer and officials; absent on older dossiers. */
  lookupSecret: z.string().optional(),
  /**
   * Officials' view only: an official of the unit marked the dossier as spam (a flag, not a state: docs/domain.md §5).
   * It leaves the queue and the indicators and keeps counting against its citizen's quota; the citizen is not told.
   */
  spam: z.object({ at: z.string(), by: z.string(), note: z.string().nullable() }).nullable().optional(),
});
export type DossierView = z.infer<typeof DossierView>;

export const DossierSummary = DossierView.pick({
  code: true,
  state: true,
  stateLabel: true,
  unitCode: true,
  channel: true,
  submittedAt: true,
  dueDate: true,
  overdue: true,
}).extend({
  procedureCode: z.string(),
  procedureName: z.string(),
  applicantName: z.string(),
});
export type DossierSummary = z.infer<typeof DossierSummary>;

/**
 * `GET /api/lookup/:code[?secret=…]`: what anyone holding the code may see — state, procedure, due date — and, for
 * whoever also gives the receipt's secret or is the dossier's owner or filer, the details (the name masked).
 */
export const DossierLookup = z.object({
  code: z.string(),
  state: DossierState,
  stateLabel: z.string(),
  procedureName: z.string(),
  dueDate: IsoDate.nullable(),
  overdue: z.boolean(),
  details: z
    .object({
      unitName: z.string(),
      applicantName: z.string(),
      submittedAt: z.string(),
    })
    .nullable(),
});
export type DossierLookup = z.infer<typeof DossierLookup>;

export const RatingRequest = z.object({
  score: z.number().int().min(1, "Điểm từ 1 đến 5").max(5, "Điểm từ 1 đến 5"),
  comment: paragraph().trim().max(1000).optional(),
});
export type RatingRequest = z.infer<typeof RatingRequest>;

/** `POST /api/officials/dossiers/:code/spam`: mark the dossier as spam (with why), or clear the mark. */
export const SpamMarkRequest = z.object({
  spam: z.boolean(),
  note: paragraph().trim().max(500, "Ghi chú tối đa 500 ký tự").optional(),
});
export type SpamMarkRequest = z.infer<typeof SpamMarkRequest>;

export const WithdrawRequest = z.object({ reason: paragraph().trim().min(1, "Cần ghi lý do rút hồ sơ").max(1000) });
