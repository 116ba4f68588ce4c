import { createHash, timingSafeEqual } from "node:crypto";
import { fromPortalDateTime, toPortalDateTime } from "@qn/shared";
import { z } from "zod";
import type { PaymentLine, ProviderAttempt } from "../provider";

/**
 * The national online-payment platform's wire format (Nền tảng thanh toán trực tuyến quốc gia, DVCQG payment
 * platform) and the pure mapping between it and the project's payment types. No I/O here: the client
 * (national-payment.client.ts) sends what this builds and hands this what came back.
 *
 * ── EVERYTHING BELOW IS UNCERTAIN (LEVEL4.md §3) ─────────────────────────────────────────────────────────────────────
 * There is no public specification. Every field name, field order, constant and code here comes from one provincial
 * implementation: Thanh Hóa's open-source one-stop system (namespace `TD.DichVuCongApi`; its pages point citizens to
 * dichvucong.thanhhoa.gov.vn), read in the copy published at github.com/HuanVu201/DichVuCong_KhoaLuan_PASETO (commit
 * 07e3b72bedc8cf70a3f356316373c78e0473bfcd), files
 *   - DichVuCongApi/src/Infrastructure/DvcPayment/DvcPaymentService.cs (INIT, QUERY and GET_BILL messages, the order
 *     of the fields in each MaXacThuc, SHA-256 as lowercase hex over UTF-8, the `{error_code, message}` envelope of the
 *     INIT answer),
 *   - DichVuCongApi/src/Infrastructure/DvcPayment/InitDvcPaymentRequest.cs (the INIT fields and their defaults:
 *     PhienBan "1.0.6", LoaiHinhThanhToan "PAY", MaKenhThanhToan "1", MaThietBi "1", NgonNgu "vi-VN",
 *     MaNganHang "PAYMENT", MaTienTe "VND"; SoTien as a string; the ThongTinBienLai block; LoaiPhiLePhi "Phi"),
 *   - DichVuCongApi/src/Core/Application/Business/YeuCauThanhToanApp/Commands/ConfirmDvcPaymentCommand.cs and
 *     …/ConfirmDvcPaymentCommandHandler.cs (the confirm callback's fields and their order in MaXacThuc, MaLoi "00" =
 *     success, the answer's MaLoi/MoTaLoi, the QUERY message and its answer's TrangThaiGD).
 * Nothing was copied; only the facts above were taken, and each is marked where it is used. What we chose where that
 * source says nothing:
 *   - ThoiGianGD is written with a 24-hour clock in Vietnam time (that source formats `yyyyMMddhhmmss`, a 12-hour clock
 *     in the server's local zone — a bug there, we assume, not the platform's format);
 *   - LoaiPhiLePhi "LePhi" for a lệ phí (the source only ever sends "Phi"), MaPhiLePhi `<MaTTHC>.<nn>` per line;
 *   - the confirm's SoTien is read as an integer number or a string of digits (that source declares it `int`, which
 *     its JSON reader fills from either), and signed as its decimal digits;
 *   - a QUERY answer may come flat or in the INIT answer's `{error_code, message}` envelope; TrangThaiGD "1" is paid,
 *     "4" failed, anything else (or none) pending;
 *   - the receipt is asked for with a `GET_BILL` message signed like QUERY, dated with the attempt's INIT time.
 * Change a fact in this module (and its test) once the province's contract with the platform is known.
 */

// ─── Constants and the signed fields of each message ───────────────────────────────────────────────────────────────

/** The protocol version that source sends (uncertain). */
export const NATIONAL_PROTOCOL_VERSION = "1.0.6";

/** The defaults of the INIT fields that are not ours to compute (uncertain: that source's constructor). */
export const NATIONAL_DEFAULTS = {
  channelCode: "1", // MaKenhThanhToan
  deviceCode: "1", // MaThietBi
  bankCode: "PAYMENT", // MaNganHang: the platform shows its own choice of banks
} as const;

/** MaLoi of a successful confirm (and of a good answer). */
export const NATIONAL_SUCCESS = "00";

/** The fields of INIT that MaXacThuc covers, in order; the secret follows the last one. */
export const INIT_SIGNED_FIELDS = [
  "LoaiBanTin",
  "PhienBan",
  "MaDoiTac",
  "MaThamChieu",
  "SoTien",
  "LoaiHinhThanhToan",
  "MaKenhThanhToan",
  "MaThietBi",
  "NgonNgu",
  "MaTienTe",
  "MaNganHang",
  "ThongTinGiaoDich",
  "ThoiGianGD",
  "Ip",
] as const;

/** The fields of the confirm callback that MaXacThuc covers, in order. */
export const CONFIRM_SIGNED_FIELDS = [
  "LoaiBanTin",
  "MaLoi",
  "MaDoiTac",
  "MaThamChieu",
  "SoTien",
  "MaTienTe",
  "MaGiaoDich",
  "MaNganHang",
  "ThoiGianGD",
  "ThongTinGiaoDich",
] as const;

/** The fields of QUERY that MaXacThuc covers, in order. */
export const QUERY_SIGNED_FIELDS = ["LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "ThoiGianGD"] as const;

/** The fields of GET_BILL (the receipt) that MaXacThuc covers, in order: the same as QUERY's. */
export const RECEIPT_SIGNED_FIELDS = QUERY_SIGNED_FIELDS;

/** LoaiPhiLePhi per kind of line. "Phi" is what that source sends; "LePhi" is our guess (uncertain). */
export const LOAI_PHI_LE_PHI: Record<PaymentLine["kind"], string> = { phi: "Phi", "le-phi": "LePhi" };

export type NationalSettings = {
  /** MaDoiTac, given by the platform. */
  partnerCode: string;
  /** The partner secret appended to every MaXacThuc. Never logged. */
  secret: string;
  channelCode?: string;
  bankCode?: string;
  deviceCode?: string;
  version: typeof NATIONAL_PROTOCOL_VERSION;
};

// ─── MaXacThuc ─────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * MaXacThuc: lowercase hex SHA-256 (a plain hash, not an HMAC) of the UTF-8 text `f1|f2|…|fn|<secret>`. A missing
 * value counts as empty text, as string interpolation of null does in that source.
 */
export function maXacThuc(fields: readonly (string | number | null | undefined)[], secret: string): string {
  const text = [...fields.map((f) => (f === null || f === undefined ? "" : String(f))), secret].join("|");
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** MaXacThuc of a message over its fields named in `order`. */
export function signFields(message: Record<string, unknown>, order: readonly string[], secret: string): string {
  return maXacThuc(
    order.map((name) => {
      const value = message[name];
      return typeof value === "string" || typeof value === "number" ? value : undefined;
    }),
    secret,
  );
}

/** Constant-time comparison of two MaXacThuc (hex, case ignored); false for anything that is not 64 hex digits. */
export function sameMaXacThuc(given: string, expected: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(given) || !/^[0-9a-f]{64}$/i.test(expected)) return false;
  return timingSafeEqual(Buffer.from(given.toLowerCase(), "hex"), Buffer.from(expected.toLowerCase(), "hex"));
}

// ─── Dates ─────────────────────────────────────────────────────────────────────────────────────────────────────────

/** ThoiGianGD: `yyyyMMddHHmmss`, 24-hour clock, Vietnam time (UTC+7). */
export function toThoiGianGD(at: Date): string {
  return toPortalDateTime(at);
}

/** The instant of a ThoiGianGD, or undefined when it is not one. */
export function fromThoiGianGD(value: string): Date | undefined {
  try {
    return new Date(fromPortalDateTime(value));
  } catch {
    return undefined;
  }
}

// ─── INIT ──────────────────────────────────────────────────────────────────────────────────────────────────────────

export type NationalFeeLine = { LoaiPhiLePhi: string; MaPhiLePhi: string; TenPhiLePhi: string; SoTien: string };

export type InitMessage = {
  LoaiBanTin: "INIT";
  PhienBan: string;
  MaDoiTac: string;
  MaThamChieu: string;
  /** VND, as a string of digits (that source's type). */
  SoTien: string;
  LoaiHinhThanhToan: "PAY";
  MaKenhThanhToan: string;
  MaThietBi: string;
  NgonNgu: "vi-VN";
  MaTienTe: "VND";
  MaNganHang: string;
  ThongTinGiaoDich: string;
  ThoiGianGD: string;
  Ip: string;
  MaXacThuc: string;
  /** What the platform prints on the e-receipt (biên lai). Not covered by MaXacThuc. */
  ThongTinBienLai: {
    MaTTHC: string;
    TenTTHC: string;
    MaDonVi: string;
    TenDonVi: string;
    MaHoSo: string;
    HoTenNguoiNop: string;
    SoCMNDNguoiNop: string;
    DiaChiNguoiNop: string;
    PhiLePhi: NationalFeeLine[];
  };
};

/** That source cuts TenTTHC beyond 250 characters. */
const MAX_PROCEDURE_NAME = 250;

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

/** A `|` inside a signed value would make the joined text ambiguous: none of ours carries one. */
function unpiped(text: string): string {
  return text.replace(/\|/g, "/").normalize("NFC");
}

/** The citizen's address as a plain IPv4 when it is an IPv4-mapped IPv6 one (`::ffff:1.2.3.4`). */
function plainIp(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip.trim());
  return mapped?.[1] ?? ip.trim();
}

function assertVnd(amount: number, what: string): void {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new RangeError(`${what} is not a whole VND amount: ${amount}`);
}

/** MaPhiLePhi of a line: `<MaTTHC>.<nn>`, nn its catalogue position from 01, 00 for a line an official added. */
function feeCode(procedureCode: string, line: PaymentLine): string {
  const position = line.index === null ? 0 : line.index + 1;
  return `${procedureCode}.${String(position).padStart(2, "0")}`;
}

/**
 * The INIT message for an attempt, signed. ThoiGianGD is the attempt's creation time unless `at` says otherwise: the
 * receipt is later asked for with the same time (that source keeps the INIT time for it).
 */
export function initMessage(
  attempt: ProviderAttempt,
  settings: NationalSettings,
  at: Date = attempt.createdAt,
): InitMessage {
  assertVnd(attempt.amount, "The attempt's amount");
  if (attempt.amount === 0) throw new RangeError("Nothing to pay: the attempt's amount is 0");
  for (const line of attempt.lines) assertVnd(line.amount, `The line "${line.name}"`);
  const sum = attempt.lines.reduce((total, line) => total + line.amount, 0);
  if (attempt.lines.length > 0 && sum !== attempt.amount) {
    throw new RangeError(`The lines add up to ${sum}, not to the attempt's ${attempt.amount}`);
  }
  const unsigned: Omit<InitMessage, "MaXacThuc" | "ThongTinBienLai"> = {
    LoaiBanTin: "INIT",
    PhienBan: settings.version,
    MaDoiTac: settings.partnerCode,
    MaThamChieu: attempt.reference,
    SoTien: String(attempt.amount),
    LoaiHinhThanhToan: "PAY",
    MaKenhThanhToan: settings.channelCode ?? NATIONAL_DEFAULTS.channelCode,
    MaThietBi: settings.deviceCode ?? NATIONAL_DEFAULTS.deviceCode,
    NgonNgu: "vi-VN",
    MaTienTe: "VND",
    MaNganHang: settings.bankCode ?? NATIONAL_DEFAULTS.bankCode,
    ThongTinGiaoDich: unpiped(attempt.description),
    ThoiGianGD: toThoiGianGD(at),
    Ip: plainIp(attempt.clientIp),
  };
  return {
    ...unsigned,
    MaXacThuc: signFields(unsigned, INIT_SIGNED_FIELDS, settings.secret),
    ThongTinBienLai: {
      MaTTHC: attempt.procedure.code,
      TenTTHC: clip(attempt.procedure.name, MAX_PROCEDURE_NAME),
      MaDonVi: attempt.unit.code,
      TenDonVi: attempt.unit.name,
      MaHoSo: attempt.dossierCode,
      HoTenNguoiNop: attempt.payer.name,
      SoCMNDNguoiNop: attempt.payer.identityNumber ?? "",
      DiaChiNguoiNop: attempt.payer.address ?? "",
      PhiLePhi: attempt.lines.map((line) => ({
        LoaiPhiLePhi: LOAI_PHI_LE_PHI[line.kind],
        MaPhiLePhi: feeCode(attempt.procedure.code, line),
        TenPhiLePhi: line.name,
        SoTien: String(line.amount),
      })),
    },
  };
}

// ─── Answers: errors and the envelope ──────────────────────────────────────────────────────────────────────────────

/** What came over the wire does not follow the format above. `issues` name the fields, never their values. */
export class NationalWireError extends Error {
  constructor(
    readonly what: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(`${what}: ${issues.map((i) => `${i.path || "(body)"} ${i.message}`).join("; ")}`);
    this.name = "NationalWireError";
  }
}

function zodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}

const Envelope = z.object({ error_code: z.union([z.string(), z.number()]), message: z.unknown() });

/**
 * An answer either flat, or in the envelope `{error_code, message}` that source unwraps (error_code "0" = good, then
 * `message` is the answer as JSON text). Gives the inner answer, or the envelope's refusal.
 */
function unwrap(body: unknown, what: string): { inner: unknown } | { refused: { code: string; message: string } } {
  const envelope = Envelope.safeParse(body);
  if (!envelope.success) return { inner: body };
  const code = String(envelope.data.error_code);
  const message = envelope.data.message;
  if (code !== "0") return { refused: { code, message: typeof message === "string" ? message.slice(0, 200) : "" } };
  if (typeof message !== "string") return { inner: message };
  try {
    return { inner: JSON.parse(message) as unknown };
  } catch {
    throw new NationalWireError(what, [{ path: "message", message: "is not JSON" }]);
  }
}

const Code = z.union([z.string(), z.number()]).transform(String);
const OptionalText = z
  .string()
  .nullish()
  .transform((v) => v ?? "");
const Vnd = z.union([
  z.number().int().min(0),
  z
    .string()
    .regex(/^(0|[1-9]\d{0,14})$/, "is not a whole VND amount")
    .transform(Number),
]);

const InitAnswer = z.object({
  MaLoi: Code.optional(),
  MoTaLoi: z.string().nullish(),
  UrlThanhToan: z.string().nullish(),
});

export type InitOutcome = { kind: "url"; url: string } | { kind: "refused"; code: string; message: string };

/** The INIT answer: the payment page's address (https only), or the platform's refusal with its code. */
export function readInitAnswer(body: unknown): InitOutcome {
  const unwrapped = unwrap(body, "INIT answer");
  if ("refused" in unwrapped) return { kind: "refused", ...unwrapped.refused };
  const parsed = InitAnswer.safeParse(unwrapped.inner);
  if (!parsed.success) throw new NationalWireError("INIT answer", zodIssues(parsed.error));
  const { MaLoi, MoTaLoi, UrlThanhToan } = parsed.data;
  if (MaLoi !== undefined && MaLoi !== NATIONAL_SUCCESS) {
    return { kind: "refused", code: MaLoi, message: (MoTaLoi ?? "").slice(0, 200) };
  }
  if (!UrlThanhToan) throw new NationalWireError("INIT answer", [{ path: "UrlThanhToan", message: "is missing" }]);
  let url: URL;
  try {
    url = new URL(UrlThanhToan);
  } catch {
    throw new NationalWireError("INIT answer", [{ path: "UrlThanhToan", message: "is not a URL" }]);
  }
  if (url.protocol !== "https:" || !url.hostname) {
    throw new NationalWireError("INIT answer", [{ path: "UrlThanhToan", message: "is not an https URL" }]);
  }
  return { kind: "url", url: url.href };
}

// ─── The confirm callback ──────────────────────────────────────────────────────────────────────────────────────────

const ConfirmBody = z.object({
  LoaiBanTin: z.string(),
  MaLoi: Code,
  MaDoiTac: z.string(),
  MaThamChieu: z.string().min(1),
  SoTien: Vnd,
  MaTienTe: OptionalText,
  MaGiaoDich: OptionalText,
  MaNganHang: OptionalText,
  ThoiGianGD: z.string(),
  ThongTinGiaoDich: OptionalText,
  // Missing or null: a confirm without a signature, refused as a bad signature rather than as a wrong shape.
  MaXacThuc: OptionalText,
});

export type ConfirmCheck =
  | {
      ok: true;
      reference: string;
      /** MaGiaoDich, null when empty (a failed payment may have none). */
      transactionId: string | null;
      /** VND. */
      amount: number;
      outcome: "paid" | "failed";
      at: Date;
      /** `MaLoi <code>` for a failure, null for a payment. */
      reason: string | null;
      /** The confirm's fields without MaXacThuc, for the ledger. */
      fields: Record<string, unknown>;
    }
  | { ok: false; reason: "malformed" | "signature" | "partner" };

/**
 * Verifies a confirm callback (already parsed from JSON): its shape, MaXacThuc over CONFIRM_SIGNED_FIELDS (constant
 * time; a missing one fails as "signature"), then MaDoiTac against ours. The signature is checked before anything else is believed; a payment without
 * MaGiaoDich, an impossible ThoiGianGD or another currency is malformed.
 */
export function verifyConfirm(body: unknown, secret: string, partnerCode: string): ConfirmCheck {
  const parsed = ConfirmBody.safeParse(body);
  if (!parsed.success) return { ok: false, reason: "malformed" };
  const raw = body as Record<string, unknown>;
  const confirm = parsed.data;
  const signed: Record<string, string> = {
    LoaiBanTin: confirm.LoaiBanTin,
    MaLoi: confirm.MaLoi,
    MaDoiTac: confirm.MaDoiTac,
    MaThamChieu: confirm.MaThamChieu,
    SoTien: String(raw.SoTien),
    MaTienTe: confirm.MaTienTe,
    MaGiaoDich: confirm.MaGiaoDich,
    MaNganHang: confirm.MaNganHang,
    ThoiGianGD: confirm.ThoiGianGD,
    ThongTinGiaoDich: confirm.ThongTinGiaoDich,
  };
  // A `|` inside a value could move a boundary between two fields under the same hash: never accepted.
  if (Object.values(signed).some((v) => v.includes("|"))) return { ok: false, reason: "malformed" };
  if (!sameMaXacThuc(confirm.MaXacThuc, signFields(signed, CONFIRM_SIGNED_FIELDS, secret))) {
    return { ok: false, reason: "signature" };
  }
  if (confirm.MaDoiTac !== partnerCode) return { ok: false, reason: "partner" };
  const at = fromThoiGianGD(confirm.ThoiGianGD);
  if (!at) return { ok: false, reason: "malformed" };
  if (confirm.MaTienTe !== "" && confirm.MaTienTe !== "VND") return { ok: false, reason: "malformed" };
  const paid = confirm.MaLoi === NATIONAL_SUCCESS;
  if (paid && confirm.MaGiaoDich === "") return { ok: false, reason: "malformed" };
  const { MaXacThuc: _signature, ...fields } = raw;
  return {
    ok: true,
    reference: confirm.MaThamChieu,
    transactionId: confirm.MaGiaoDich === "" ? null : confirm.MaGiaoDich,
    amount: confirm.SoTien,
    outcome: paid ? "paid" : "failed",
    at,
    reason: paid ? null : `MaLoi ${confirm.MaLoi}`,
    fields,
  };
}

// ─── QUERY and GET_BILL ────────────────────────────────────────────────────────────────────────────────────────────

type Settings = Pick<NationalSettings, "partnerCode" | "secret" | "version">;

export type QueryMessage = {
  LoaiBanTin: "QUERY";
  PhienBan: string;
  MaDoiTac: string;
  MaThamChieu: string;
  ThoiGianGD: string;
  MaXacThuc: string;
};

export type ReceiptMessage = Omit<QueryMessage, "LoaiBanTin"> & { LoaiBanTin: "GET_BILL" };

/** QUERY: what became of the attempt with this reference, asked at `at`. */
export function queryMessage(reference: string, at: Date, settings: Settings): QueryMessage {
  const unsigned = {
    LoaiBanTin: "QUERY" as const,
    PhienBan: settings.version,
    MaDoiTac: settings.partnerCode,
    MaThamChieu: reference,
    ThoiGianGD: toThoiGianGD(at),
  };
  return { ...unsigned, MaXacThuc: signFields(unsigned, QUERY_SIGNED_FIELDS, settings.secret) };
}

/** GET_BILL: the receipt (PDF) of the attempt with this reference; `initAt` is the INIT's ThoiGianGD. */
export function receiptMessage(reference: string, initAt: Date, settings: Settings): ReceiptMessage {
  const unsigned = {
    LoaiBanTin: "GET_BILL" as const,
    PhienBan: settings.version,
    MaDoiTac: settings.partnerCode,
    MaThamChieu: reference,
    ThoiGianGD: toThoiGianGD(initAt),
  };
  return { ...unsigned, MaXacThuc: signFields(unsigned, RECEIPT_SIGNED_FIELDS, settings.secret) };
}

const QueryAnswer = z.object({
  MaLoi: Code.optional(),
  MoTaLoi: z.string().nullish(),
  MaThamChieu: z.string().nullish(),
  TrangThaiGD: Code.nullish(),
  SoTien: Vnd.nullish(),
  MaGiaoDich: z.string().nullish(),
  ThoiGianGD: z.string().nullish(),
});

export type QueryOutcome =
  | { state: "paid"; transactionId: string; amount: number; paidAt: Date }
  | { state: "failed"; reason: string }
  | { state: "pending" };

/** TrangThaiGD of a paid and of a failed transaction (uncertain: that source's reconciliation). */
export const TRANG_THAI_GD = { paid: "1", failed: "4" } as const;

/**
 * The QUERY answer for `reference`: TrangThaiGD "1" paid (with SoTien and MaGiaoDich, both required then), "4"
 * failed, anything else or nothing pending — including an error code, since the attempt may simply not have reached
 * the platform yet; the reconciliation asks again. paidAt is the answer's ThoiGianGD when it is a time, else `at`
 * (the platform may echo the query's own time there: uncertain). An answer about another reference is malformed.
 */
export function readQueryAnswer(body: unknown, asked: { reference: string; at: Date }): QueryOutcome {
  const unwrapped = unwrap(body, "QUERY answer");
  if ("refused" in unwrapped) return { state: "pending" };
  const parsed = QueryAnswer.safeParse(unwrapped.inner);
  if (!parsed.success) throw new NationalWireError("QUERY answer", zodIssues(parsed.error));
  const answer = parsed.data;
  if (answer.MaThamChieu && answer.MaThamChieu !== asked.reference) {
    throw new NationalWireError("QUERY answer", [{ path: "MaThamChieu", message: "is not the reference asked for" }]);
  }
  if (answer.TrangThaiGD === TRANG_THAI_GD.failed) {
    return { state: "failed", reason: `TrangThaiGD 4${answer.MaLoi ? `, MaLoi ${answer.MaLoi}` : ""}` };
  }
  if (answer.TrangThaiGD !== TRANG_THAI_GD.paid) return { state: "pending" };
  const amount = answer.SoTien ?? undefined;
  const transactionId = answer.MaGiaoDich || undefined;
  if (amount === undefined || transactionId === undefined) {
    throw new NationalWireError("QUERY answer", [
      ...(amount === undefined ? [{ path: "SoTien", message: "is missing for a paid transaction" }] : []),
      ...(transactionId === undefined ? [{ path: "MaGiaoDich", message: "is missing for a paid transaction" }] : []),
    ]);
  }
  return {
    state: "paid",
    transactionId,
    amount,
    paidAt: (answer.ThoiGianGD ? fromThoiGianGD(answer.ThoiGianGD) : undefined) ?? asked.at,
  };
}

/** The start of every PDF file. */
export function looksLikePdf(bytes: Buffer): boolean {
  return bytes.length >= 5 && bytes.subarray(0, 5).toString("latin1") === "%PDF-";
}
