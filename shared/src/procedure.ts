import { z } from "zod";
import { cleaned, line, paragraph } from "./text/safe-text";

/**
 * A procedure (thủ tục hành chính, TTHC) as published in the national database of procedures.
 * See docs/domain.md §3–§4. Codes are national codes such as `1.001193` (Đăng ký khai sinh).
 */

/** National procedure code: digit, dot, six digits (`1.001193`, `2.000815`). */
export const ProcedureCode = z
  .string()
  .trim()
  .regex(/^\d\.\d{6}$/, "Mã thủ tục phải có dạng 1.001193");
export type ProcedureCode = z.infer<typeof ProcedureCode>;

/** Cấp thực hiện. District level (huyện) exists only for history: it was abolished on 1 July 2025. */
export const ProcedureLevel = z.enum(["province", "commune", "district"]);
export type ProcedureLevel = z.infer<typeof ProcedureLevel>;

export const PROCEDURE_LEVEL_LABELS: Record<ProcedureLevel, string> = {
  province: "Cấp tỉnh",
  commune: "Cấp xã",
  district: "Cấp huyện (trước 01/7/2025)",
};

/**
 * Online service level. 2, 3, 4 follow Nghị định 43/2011/NĐ-CP; Nghị định 42/2022/NĐ-CP renamed them:
 * level 4 ≈ toàn trình (everything online), level 3 ≈ một phần (partly online), level 2 = information and forms only.
 */
export const OnlineLevel = z.literal([2, 3, 4]);
export type OnlineLevel = z.infer<typeof OnlineLevel>;

export const ONLINE_LEVEL_LABELS: Record<OnlineLevel, { level: string; decree42: string }> = {
  2: { level: "Mức độ 2", decree42: "Cung cấp thông tin" },
  3: { level: "Mức độ 3", decree42: "Dịch vụ công trực tuyến một phần" },
  4: { level: "Mức độ 4", decree42: "Dịch vụ công trực tuyến toàn trình" },
};

/** "Mức độ 4 · Toàn trình" style label showing both the old and the Nghị định 42/2022 names. */
export function onlineLevelLabel(level: OnlineLevel): string {
  const labels = ONLINE_LEVEL_LABELS[level];
  return `${labels.level} · ${labels.decree42}`;
}

const NonEmptyText = line().trim().min(1, "Không được để trống");
const NonEmptyParagraph = paragraph().trim().min(1, "Không được để trống");

/**
 * One fee line (phí, lệ phí) in VND. `amount: 0` means free; `amount: null` means the fee exists but its figure
 * was not confirmed (the `note` says what sets it) — the catalogue never guesses a figure.
 */
export const ProcedureFee = z.object({
  name: NonEmptyText,
  amount: z.number().int("Số tiền phải là số nguyên (đồng)").min(0, "Số tiền không được âm").nullable(),
  note: paragraph().trim().optional(),
  /** Phí or lệ phí; absent: read from the name ("Phí …", "Lệ phí …"), lệ phí when the name says neither. */
  kind: z.enum(["phi", "le-phi"]).optional(),
  /** The amount when filed online, where the rules set a lower one (Thông tư 75/2022, 71/2025: 10.000đ vs 20.000đ). */
  onlineAmount: z.number().int("Số tiền phải là số nguyên (đồng)").min(0, "Số tiền không được âm").optional(),
  /** Paid only when the citizen asks for it (a copy of the extract "nếu có yêu cầu"). */
  optional: z.boolean().optional(),
  /** The amount is per unit of this (bản, trang, người): the citizen says how many. Absent: charged once. */
  unit: line().trim().min(1).max(20).optional(),
});
export type ProcedureFee = z.infer<typeof ProcedureFee>;

/** Text that starts like a URL (`scheme:` with no space after the colon): it is opened as a link, so it is one. */
const LOOKS_LIKE_LINK = /^[a-z][a-z0-9+.-]*:(?!\s)/i;

/** Whether a form's link may be opened: https with a host, nothing else (no javascript:, data:, http:). */
export function isSafeFormLink(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/**
 * A case in which the fees are not charged (đối tượng miễn, giảm): shown to the citizen, who may claim it with a
 * reason; an official of the unit checks the claim. `appliesTo`: which lines it waives (default all).
 */
export const FeeExemption = z.object({
  name: NonEmptyText,
  note: paragraph().trim().optional(),
  appliesTo: z.enum(["all", "phi", "le-phi"]).optional(),
});
export type FeeExemption = z.infer<typeof FeeExemption>;

/** A form (mẫu đơn, tờ khai): its name, or a link to it, which must be https. */
const FormReference = line()
  .trim()
  .refine((v) => !LOOKS_LIKE_LINK.test(v) || isSafeFormLink(v), "Liên kết mẫu đơn phải là địa chỉ https:// hợp lệ");

/** One required document (thành phần hồ sơ). */
export const ProcedureDocument = z.object({
  name: NonEmptyText,
  copies: z.number().int().min(1, "Số bản phải từ 1 trở lên"),
  required: z.boolean(),
  form: FormReference.optional(),
});
export type ProcedureDocument = z.infer<typeof ProcedureDocument>;

/**
 * The import format (`npm run catalogue:import`): the fields a catalogue file must carry, plus optional ones.
 * `processingDays: null` means the processing time was not confirmed.
 */
export const Procedure = z.object({
  code: ProcedureCode,
  name: NonEmptyText,
  field: NonEmptyText,
  level: ProcedureLevel,
  agency: NonEmptyText,
  onlineLevel: OnlineLevel,
  processingDays: z.number().int().min(0, "Thời hạn không được âm").max(365).nullable(),
  processingNote: paragraph().trim().optional(),
  fees: z.array(ProcedureFee),
  /** The cases in which the fees are waived. */
  exemptions: z.array(FeeExemption).optional(),
  postal: z.boolean(),
  documents: z.array(ProcedureDocument),
  result: paragraph().trim(),
  steps: z.array(NonEmptyParagraph).optional(),
  conditions: z.array(NonEmptyParagraph).optional(),
  subjects: z.array(NonEmptyParagraph).optional(),
  legalBasis: z.array(NonEmptyText).optional(),
  /** Everyday names citizens use ("sổ đỏ", "bằng lái"); they help search. */
  aliases: z.array(NonEmptyText).optional(),
  sources: z.array(NonEmptyText).optional(),
});
export type Procedure = z.infer<typeof Procedure>;

/** What a search result carries: enough for a result list, not the whole record. */
export const ProcedureSummary = Procedure.pick({
  code: true,
  name: true,
  field: true,
  level: true,
  agency: true,
  onlineLevel: true,
  processingDays: true,
  postal: true,
});
export type ProcedureSummary = z.infer<typeof ProcedureSummary>;

export const MAX_SEARCH_LIMIT = 100;
export const MAX_SEARCH_OFFSET = 10_000;
export const MAX_QUERY_LENGTH = 200;

/** `GET /api/procedures` query parameters. Each bad value is reported with its parameter name. */
export const ProcedureSearchQuery = z.object({
  q: cleaned().max(MAX_QUERY_LENGTH, `Từ khóa tối đa ${MAX_QUERY_LENGTH} ký tự`).optional(),
  level: ProcedureLevel.optional(),
  field: cleaned().trim().min(1).max(200).optional(),
  onlineLevel: z
    .enum(["2", "3", "4"])
    .transform((v) => Number(v) as OnlineLevel)
    .optional(),
  limit: z.coerce.number().int().min(1).max(MAX_SEARCH_LIMIT).default(20),
  offset: z.coerce.number().int().min(0).max(MAX_SEARCH_OFFSET).default(0),
});
export type ProcedureSearchQuery = z.infer<typeof ProcedureSearchQuery>;

export const ProcedureSearchResult = z.object({
  items: z.array(ProcedureSummary),
  total: z.number().int().min(0),
});
export type ProcedureSearchResult = z.infer<typeof ProcedureSearchResult>;

/** A field (lĩnh vực) with how many procedures it has, for the search filters. */
export const ProcedureField = z.object({ name: z.string(), count: z.number().int() });
export type ProcedureField = z.infer<typeof ProcedureField>;
