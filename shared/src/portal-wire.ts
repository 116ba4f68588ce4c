import { z } from "zod";
import { IsoDate } from "./calendar";
import {
  Applicant,
  type ApplicantType,
  AttachmentView,
  CHANNEL_CODES,
  Channel,
  DossierState,
  DossierSubmission,
  DossierView,
  OfficialRole,
  OnBehalfConsent,
  ResultDelivery,
} from "./dossier";
import { ApiError } from "./errors";
import { Procedure, ProcedureCode, type ProcedureLevel } from "./procedure";
import { cleaned } from "./text/safe-text";
import { fromVietnamWallClock, toVietnamWallClock } from "./vietnam-time";

/**
 * The provincial portal's wire format (docs/portal-api/openapi.json) and the pure mapping between it and the project's
 * own types. Field names and state codes follow the national sync format (DOMAIN.md §4–§5: MaHoSo, MaTTHC,
 * TrangThaiHoSo 1–10, KenhThucHien 1/2/3, dates as `yyyyMMddHHmmss` in Vietnam time); the numeric codes this contract
 * adds (LoaiDoiTuong, HinhThucTra, CapThucHien…) are documented in the OpenAPI file and in decision 0010.
 *
 * `to*` functions take the project's (already valid) objects and give wire objects; `from*` functions take whatever
 * came over the wire (`unknown`), check it against the wire schema, map it and check the result against the
 * project's schema, throwing a `PortalMappingError` that names every bad field.
 */

// ─── Dates: ISO instants ↔ yyyyMMddHHmmss in Vietnam time (UTC+7 all year) ───────────────────────────────────────

const PORTAL_DATE_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/i;

/** UTC milliseconds of a wall-clock time, or undefined when no such time exists (31 February, 24:00, second 60…). */
function wallClockMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number | undefined {
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  const same =
    back.getUTCFullYear() === y &&
    back.getUTCMonth() === mo - 1 &&
    back.getUTCDate() === d &&
    back.getUTCHours() === h &&
    back.getUTCMinutes() === mi &&
    back.getUTCSeconds() === s;
  // Date.UTC reads years 0–99 as 1900–1999, which the comparison above catches; the portal has no dossier before 1900.
  return same && y >= 1900 ? ms : undefined;
}

function portalDateTimeMs(value: string): number | undefined {
  const m = PORTAL_DATE_TIME.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const wall = wallClockMs(y, mo, d, h, mi, s);
  return wall === undefined ? undefined : fromVietnamWallClock(wall);
}

function isoInstantMs(value: string): number | undefined {
  const m = ISO_INSTANT.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi] = m.slice(1, 6).map(Number) as [number, number, number, number, number];
  const wall = wallClockMs(y, mo, d, h, mi, Number(m[6] ?? 0));
  if (wall === undefined) return undefined;
  const fraction = Number(`0.${m[7] ?? "0"}`) * 1000;
  const zone = m[8] ?? "Z";
  if (zone.toUpperCase() === "Z") return wall + fraction;
  const [zh, zm] = zone.slice(1).split(":").map(Number) as [number, number];
  if (zh > 14 || zm > 59) return undefined;
  const offset = (zh * 60 + zm) * 60_000 * (zone.startsWith("-") ? -1 : 1);
  return wall + fraction - offset;
}

/** `yyyyMMddHHmmss`, Vietnam time, a moment that exists. */
export const PortalDateTime = z
  .string()
  .regex(PORTAL_DATE_TIME, { message: "Ngày giờ phải có dạng yyyyMMddHHmmss", abort: true })
  .refine((v) => portalDateTimeMs(v) !== undefined, "Ngày giờ không tồn tại");

/**
 * An instant (ISO 8601 with `Z` or an offset, or a Date) as the portal writes it: Vietnam wall-clock time to the
 * second (milliseconds are dropped). Throws a RangeError for an impossible or zone-less date.
 */
export function toPortalDateTime(instant: string | Date): string {
  const ms = typeof instant === "string" ? isoInstantMs(instant) : instant.getTime();
  if (ms === undefined || !Number.isFinite(ms)) throw new RangeError(`Not an instant: ${String(instant)}`);
  const local = new Date(toVietnamWallClock(ms)).toISOString();
  if (!/^\d{4}-/.test(local) || Number(local.slice(0, 4)) < 1900) throw new RangeError(`Out of range: ${local}`);
  return local.slice(0, 19).replace(/\D/g, "");
}

/** `yyyyMMddHHmmss` (Vietnam time) → ISO instant in UTC (`…Z`). Throws a RangeError for an impossible date. */
export function fromPortalDateTime(value: string): string {
  const ms = portalDateTimeMs(value);
  if (ms === undefined) throw new RangeError(`Not a portal date-time: ${value}`);
  return new Date(ms).toISOString();
}

/**
 * A due date (ngày hẹn trả, a Vietnamese calendar date) as the portal writes it: the last second of that day, the
 * same moment `endOfVietnamDay` uses to call a dossier late.
 */
export function toPortalDueDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m || wallClockMs(Number(m[1]), Number(m[2]), Number(m[3]), 0, 0, 0) === undefined) {
    throw new RangeError(`Not a calendar date: ${date}`);
  }
  return `${m[1]}${m[2]}${m[3]}235959`;
}

/** The Vietnamese calendar date of a portal date-time (`yyyy-mm-dd`): the date part, the time is Vietnam's already. */
export function fromPortalDueDate(value: string): string {
  if (portalDateTimeMs(value) === undefined) throw new RangeError(`Not a portal date-time: ${value}`);
  return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
}

// ─── Codes ───────────────────────────────────────────────────────────────────────────────────────────────────────

/** KenhThucHien: 1 at the counter (trực tiếp), 2 online (trực tuyến), 3 public postal service (DOMAIN.md §5). */
export const PortalChannelCode = z.literal([1, 2, 3]);
export type PortalChannelCode = z.infer<typeof PortalChannelCode>;

export function channelToPortal(channel: Channel): PortalChannelCode {
  return CHANNEL_CODES[channel];
}

export function channelFromPortal(code: PortalChannelCode): Channel {
  return code === 1 ? "counter" : code === 2 ? "online" : "postal";
}

/** HinhThucTra: 1 at the one-stop counter, 2 online (electronic copy), 3 by public post — the order of KenhThucHien. */
export const PortalResultDeliveryCode = z.literal([1, 2, 3]);
export type PortalResultDeliveryCode = z.infer<typeof PortalResultDeliveryCode>;
const RESULT_DELIVERY_CODES = { counter: 1, online: 2, post: 3 } as const;

/** LoaiDoiTuong: 1 citizen (công dân), 2 business (doanh nghiệp), 3 agency or organisation, 4 other. */
export const PortalApplicantTypeCode = z.literal([1, 2, 3, 4]);
export type PortalApplicantTypeCode = z.infer<typeof PortalApplicantTypeCode>;
const APPLICANT_TYPE_CODES: Record<ApplicantType, PortalApplicantTypeCode> = {
  citizen: 1,
  business: 2,
  agency: 3,
  other: 4,
};

/** CapThucHien: 1 province, 2 district (history, before 1 July 2025), 3 commune. */
export const PortalLevelCode = z.literal([1, 2, 3]);
const LEVEL_CODES: Record<ProcedureLevel, 1 | 2 | 3> = { province: 1, district: 2, commune: 3 };

/** VaiTroNguoiNop (project extension): who filed on the citizen's behalf. */
const ROLE_CODES: Record<OfficialRole, 1 | 2 | 3 | 4> = { volunteer: 1, hcc: 2, official: 3, admin: 4 };
/** HinhThucDongY (project extension): how the citizen agreed (Chỉ thị 07, item 7). */
const CONSENT_CODES: Record<OnBehalfConsent["method"], 1 | 2 | 3> = { written: 1, "in-person": 2, "zalo-message": 3 };

function invert<K extends string, V extends number>(record: Record<K, V>): Map<V, K> {
  return new Map(Object.entries(record).map(([k, v]) => [v as V, k as K]));
}
const APPLICANT_TYPES = invert(APPLICANT_TYPE_CODES);
const LEVELS = invert(LEVEL_CODES);
const ROLES = invert(ROLE_CODES);
const CONSENTS = invert(CONSENT_CODES);

// ─── Wire schemas ────────────────────────────────────────────────────────────────────────────────────────────────

// What the portal sends is cleaned rather than refused (a sync must not stop on a stray zero-width space): NFC, and the
// hidden characters that a citizen's own schemas refuse removed (text/safe-text.ts).
const Text = (max: number) => cleaned().trim().min(1).max(max);
const Line = (max: number) => cleaned().max(max);
/** A portal unit code (MaDonVi), e.g. `000.00.20.H49` or a commune's `25xxx.H49`. */
export const PortalUnitCode = z.string().regex(/^[0-9A-Za-z.]{1,40}$/, "Mã đơn vị không hợp lệ");
const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "Mã băm SHA-256 không hợp lệ");
const FormValue = z.union([cleaned({ multiline: true }).max(2000), z.number(), z.boolean()]);
const FormFields = z.record(Line(100), FormValue);
const Mime = AttachmentView.shape.mime;

/** ChuHoSo…: the applicant, flat as in the national format. Phone normalised to 0xxxxxxxxx. */
export const PortalApplicant = z.object({
  ChuHoSo: Text(120),
  LoaiDoiTuong: PortalApplicantTypeCode,
  SoDinhDanhChuHoSo: z.string().regex(/^\d{12}$/, "Số định danh phải gồm 12 chữ số"),
  SoDienThoaiChuHoSo: Line(20).nullish(),
  EmailChuHoSo: Line(200).nullish(),
  MaXaChuHoSo: z.string().regex(/^\d{5}$/, "Mã xã, phường không hợp lệ"),
  DiaChiChuHoSo: Text(300),
});
export type PortalApplicant = z.infer<typeof PortalApplicant>;

/** HinhThucTra and, for the post, who receives the result and where. */
export const PortalResultDelivery = z.object({
  HinhThucTra: PortalResultDeliveryCode,
  NguoiNhanKetQua: Line(120).nullish(),
  SoDienThoaiNhanKetQua: Line(20).nullish(),
  MaXaNhanKetQua: z.string().max(5).nullish(),
  DiaChiNhanKetQua: Line(300).nullish(),
});
export type PortalResultDelivery = z.infer<typeof PortalResultDelivery>;

/** NguoiNopThay (project extension): the volunteer or officer who filed for the citizen, with their consent. */
export const PortalOnBehalf = z.object({
  HoTen: Text(120),
  VaiTroNguoiNop: z.literal([1, 2, 3, 4]),
  HinhThucDongY: z.literal([1, 2, 3]),
  GhiChuDongY: cleaned({ multiline: true }).max(500).nullish(),
});
export type PortalOnBehalf = z.infer<typeof PortalOnBehalf>;

/** `POST /v1/dossiers` body: a dossier accepted by the bot server, forwarded. */
export const PortalDossierCreate = z.object({
  /** The bot server's own code for the dossier (mã tham chiếu), echoed in every answer and callback. */
  MaThamChieu: Text(64),
  MaTTHC: ProcedureCode,
  MaDonVi: PortalUnitCode,
  KenhThucHien: PortalChannelCode,
  NgayNopHoSo: PortalDateTime,
  ...PortalApplicant.shape,
  ...PortalResultDelivery.shape,
  DuLieuToKhai: FormFields,
  NguoiNopThay: PortalOnBehalf.nullish(),
});
export type PortalDossierCreate = z.infer<typeof PortalDossierCreate>;

/** A dossier as the portal holds it (HoSo). */
export const PortalDossier = z.object({
  MaHoSo: Text(60),
  MaThamChieu: Line(64).nullish(),
  MaTTHC: ProcedureCode,
  TenTTHC: Text(2000),
  MaDonVi: PortalUnitCode,
  KenhThucHien: PortalChannelCode,
  TrangThaiHoSo: DossierState,
  NgayNopHoSo: PortalDateTime,
  NgayTiepNhan: PortalDateTime.nullish(),
  NgayHenTra: PortalDateTime.nullish(),
  NgayKetThucXuLy: PortalDateTime.nullish(),
  NgayTra: PortalDateTime.nullish(),
  ...PortalApplicant.shape,
  ...PortalResultDelivery.shape,
  DuLieuToKhai: FormFields.default({}),
  MaVanDon: Line(40).nullish(),
  SoTienPhaiNop: z.number().int().min(0).nullish(),
  GiayToCanBoSung: z.array(Line(300)).default([]),
  GhiChu: cleaned({ multiline: true }).max(2000).nullish(),
});
export type PortalDossier = z.infer<typeof PortalDossier>;

/** One state change (ThayDoiTrangThai): what the callback carries and what the change feed lists. */
export const PortalStateChange = z.object({
  /** Unique per change: the same change delivered twice (callback and feed, or a callback retried) has the same id. */
  MaSuKien: Text(100),
  MaHoSo: Text(60),
  MaThamChieu: Line(64).nullish(),
  TrangThaiCu: DossierState.nullish(),
  TrangThaiHoSo: DossierState,
  ThoiGian: PortalDateTime,
  HanhDong: Line(60).nullish(),
  NguoiXuLy: Line(120).nullish(),
  DonViXuLy: PortalUnitCode.nullish(),
  GhiChu: cleaned({ multiline: true }).max(2000).nullish(),
  NgayHenTra: PortalDateTime.nullish(),
  GiayToCanBoSung: z.array(Line(300)).default([]),
  SoTienPhaiNop: z.number().int().min(0).nullish(),
  MaVanDon: Line(40).nullish(),
});
export type PortalStateChange = z.infer<typeof PortalStateChange>;

/** A procedure of a unit (ThuTucHanhChinh) in the catalogue feed. */
export const PortalProcedure = z.object({
  MaTTHC: ProcedureCode,
  TenTTHC: Text(2000),
  TenLinhVuc: Text(300),
  CapThucHien: PortalLevelCode,
  CoQuanThucHien: Text(1000),
  MucDo: z.literal([2, 3, 4]),
  ThoiHanGiaiQuyet: z.number().int().min(0).max(365).nullable(),
  GhiChuThoiHan: cleaned({ multiline: true }).max(2000).nullish(),
  PhiLePhi: z.array(
    z.object({
      TenPhiLePhi: Text(1000),
      MucPhi: z.number().int().min(0).nullable(),
      GhiChu: cleaned({ multiline: true }).max(1000).nullish(),
      /** Phí or lệ phí; the online amount; a unit to count; paid only when asked for (issue 14). */
      LoaiPhiLePhi: z.enum(["Phi", "LePhi"]).nullish(),
      MucPhiTrucTuyen: z.number().int().min(0).nullish(),
      DonViTinh: Line(20).nullish(),
      TuyChon: z.boolean().nullish(),
    }),
  ),
  /** The free cases (đối tượng miễn, giảm) and the kind of lines each waives. */
  DoiTuongMienGiam: z
    .array(
      z.object({
        Ten: Text(1000),
        GhiChu: cleaned({ multiline: true }).max(1000).nullish(),
        ApDung: z.enum(["TatCa", "Phi", "LePhi"]).nullish(),
      }),
    )
    .nullish(),
  BuuChinhCongIch: z.boolean(),
  ThanhPhanHoSo: z.array(
    z.object({
      TenGiayTo: Text(2000),
      SoBan: z.number().int().min(1),
      BatBuoc: z.boolean(),
      MauDon: Line(500).nullish(),
    }),
  ),
  KetQuaThucHien: cleaned({ multiline: true }).max(2000),
  TrinhTuThucHien: z.array(Text(4000)).nullish(),
  YeuCauDieuKien: z.array(Text(4000)).nullish(),
  DoiTuongThucHien: z.array(Text(1000)).nullish(),
  CanCuPhapLy: z.array(Text(1000)).nullish(),
  MaDonVi: PortalUnitCode,
  /** false: the unit no longer carries out this procedure (bãi bỏ, chuyển giao) and it leaves the catalogue. */
  HieuLuc: z.boolean(),
  NgayCapNhat: PortalDateTime,
});
export type PortalProcedure = z.infer<typeof PortalProcedure>;

/** An attachment the portal stored (TepDinhKem). */
export const PortalAttachment = z.object({
  MaTepDinhKem: Text(100),
  TenGiayTo: Text(300),
  ViTriGiayTo: z.number().int().min(0).nullable(),
  /** 1 filed with the dossier, 2 a supplement. */
  LoaiDinhKem: z.literal([1, 2]),
  TenTepDinhKem: Text(255),
  KieuTep: Mime,
  KichThuoc: z.number().int().min(1),
  MaBam: Sha256Hex,
  NgayTai: PortalDateTime,
});
export type PortalAttachment = z.infer<typeof PortalAttachment>;

/** The text parts of `POST /v1/dossiers/{MaHoSo}/attachments` (the file goes in the part `TepDinhKem`). */
export const PortalAttachmentUploadFields = z.object({
  TenGiayTo: Text(300),
  ViTriGiayTo: z
    .string()
    .regex(/^\d{1,3}$/)
    .optional(),
  LoaiDinhKem: z.enum(["1", "2"]),
  MaBam: Sha256Hex,
});
export type PortalAttachmentUploadFields = z.infer<typeof PortalAttachmentUploadFields>;

/** `POST /v1/dossiers/{MaHoSo}/supplement`: the supplement attachments already uploaded, and a note. */
export const PortalSupplementRequest = z.object({
  MaTepDinhKem: z.array(Text(100)).min(1).max(30),
  GhiChu: cleaned({ multiline: true }).max(1000).nullish(),
});
export type PortalSupplementRequest = z.infer<typeof PortalSupplementRequest>;

/** `POST /v1/dossiers/{MaHoSo}/withdraw`. */
export const PortalWithdrawRequest = z.object({ LyDo: Text(1000) });
export type PortalWithdrawRequest = z.infer<typeof PortalWithdrawRequest>;

/** A page of a feed read "since a cursor": keep `nextCursor` (even on the last page) to ask for what comes next. */
export function portalPage<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().min(1).max(500), hasMore: z.boolean() });
}
export const PortalPageEnvelope = portalPage(z.unknown());

/** The OAuth 2.0 token response (RFC 6749 §5.1). */
export const PortalTokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().refine((t) => t.toLowerCase() === "bearer", "Chỉ hỗ trợ token_type Bearer"),
  expires_in: z.number().int().positive(),
  scope: z.string().optional(),
});
export type PortalTokenResponse = z.infer<typeof PortalTokenResponse>;

/** The token endpoint's error (RFC 6749 §5.2). */
export const PortalOAuthError = z.object({ error: z.string(), error_description: z.string().optional() });

/** Every other error of the portal API: the same `{error:{code,message,details}}` shape as the project's own API. */
export const PortalErrorBody = ApiError;
export type PortalErrorBody = ApiError;

// ─── The project's side ──────────────────────────────────────────────────────────────────────────────────────────

/** What the bot server forwards: a dossier it has accepted locally under its own code (`reference`). */
export const DossierForwarding = DossierSubmission.pick({ applicant: true, resultDelivery: true }).extend({
  reference: Text(64),
  procedureCode: ProcedureCode,
  unitCode: PortalUnitCode,
  channel: Channel,
  submittedAt: z.iso.datetime({ offset: true }),
  formData: FormFields,
  filedBy: z.object({ name: Text(120), role: OfficialRole, consent: OnBehalfConsent }).nullable(),
});
export type DossierForwarding = z.infer<typeof DossierForwarding>;

/** A dossier as the portal knows it, in the project's terms. */
export const DossierOnPortal = DossierView.pick({
  code: true,
  state: true,
  unitCode: true,
  channel: true,
  resultDelivery: true,
  formData: true,
  submittedAt: true,
  acceptedAt: true,
  dueDate: true,
  feesDue: true,
  missingDocuments: true,
}).extend({
  applicant: Applicant,
  reference: z.string().nullable(),
  procedureCode: ProcedureCode,
  procedureName: z.string(),
  completedAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  trackingNumber: z.string().nullable(),
  note: z.string().nullable(),
});
export type DossierOnPortal = z.infer<typeof DossierOnPortal>;

/** One state change of a dossier on the portal, in the project's terms. */
export const DossierStateChange = z.object({
  eventId: z.string(),
  code: z.string(),
  reference: z.string().nullable(),
  fromState: DossierState.nullable(),
  toState: DossierState,
  at: z.string(),
  action: z.string().nullable(),
  actorName: z.string().nullable(),
  unitCode: z.string().nullable(),
  note: z.string().nullable(),
  dueDate: IsoDate.nullable(),
  missingDocuments: z.array(z.string()),
  amount: z.number().int().nullable(),
  trackingNumber: z.string().nullable(),
});
export type DossierStateChange = z.infer<typeof DossierStateChange>;

/** A procedure of a unit from the catalogue feed. Aliases and sources are the project's own and never travel. */
export const CatalogueEntry = z.object({
  unitCode: z.string(),
  procedure: Procedure,
  inForce: z.boolean(),
  updatedAt: z.string(),
});
export type CatalogueEntry = z.infer<typeof CatalogueEntry>;

/** An attachment stored on the portal, in the project's terms. */
export const AttachmentOnPortal = AttachmentView.pick({
  documentIndex: true,
  documentName: true,
  mime: true,
  size: true,
  fileName: true,
  kind: true,
  uploadedAt: true,
}).extend({ id: z.string(), sha256: Sha256Hex });
export type AttachmentOnPortal = z.infer<typeof AttachmentOnPortal>;

/** What the bot server uploads with a file. */
export type AttachmentUploadMeta = {
  documentName: string;
  documentIndex: number | null;
  kind: "initial" | "supplement";
  sha256: string;
};

// ─── Mapping ─────────────────────────────────────────────────────────────────────────────────────────────────────

export type PortalMappingIssue = { path: string; message: string };

/** What came from (or goes to) the portal does not fit the contract. Lists each bad field, never its value. */
export class PortalMappingError extends Error {
  constructor(
    readonly what: string,
    readonly issues: PortalMappingIssue[],
  ) {
    super(`${what}: ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`);
    this.name = "PortalMappingError";
  }
}

function check<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new PortalMappingError(
      what,
      result.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
    );
  }
  return result.data;
}

/** Runs a mapping step, turning the RangeErrors of the date functions into a mapping error. */
function mapped<T>(what: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof RangeError) throw new PortalMappingError(what, [{ path: "", message: error.message }]);
    throw error;
  }
}

const orNull = <T>(value: T | null | undefined): T | null => value ?? null;
const orUndefined = <T>(value: T | null | undefined): T | undefined => value ?? undefined;
const optionalDateTime = (v: string | null | undefined) => (v ? fromPortalDateTime(v) : null);

export function applicantToPortal(applicant: Applicant): PortalApplicant {
  return {
    ChuHoSo: applicant.name,
    LoaiDoiTuong: APPLICANT_TYPE_CODES[applicant.type],
    SoDinhDanhChuHoSo: applicant.identityNumber,
    ...(applicant.phone ? { SoDienThoaiChuHoSo: applicant.phone } : {}),
    ...(applicant.email ? { EmailChuHoSo: applicant.email } : {}),
    MaXaChuHoSo: applicant.address.communeCode,
    DiaChiChuHoSo: applicant.address.street,
  };
}

/** The applicant's fields of a wire object (already checked against `PortalApplicant`), unchecked for the project. */
function applicantFields(wire: PortalApplicant) {
  return {
    type: APPLICANT_TYPES.get(wire.LoaiDoiTuong),
    name: wire.ChuHoSo,
    identityNumber: wire.SoDinhDanhChuHoSo,
    phone: orUndefined(wire.SoDienThoaiChuHoSo),
    email: orUndefined(wire.EmailChuHoSo),
    address: { communeCode: wire.MaXaChuHoSo, street: wire.DiaChiChuHoSo },
  };
}

export function applicantFromPortal(wire: unknown): Applicant {
  return check(Applicant, applicantFields(check(PortalApplicant, wire, "ChuHoSo")), "ChuHoSo");
}

export function resultDeliveryToPortal(delivery: ResultDelivery): PortalResultDelivery {
  if (delivery.method !== "post") return { HinhThucTra: RESULT_DELIVERY_CODES[delivery.method] };
  return {
    HinhThucTra: 3,
    NguoiNhanKetQua: delivery.recipientName,
    SoDienThoaiNhanKetQua: delivery.phone,
    MaXaNhanKetQua: delivery.address.communeCode,
    DiaChiNhanKetQua: delivery.address.street,
  };
}

function resultDeliveryFields(wire: PortalResultDelivery) {
  if (wire.HinhThucTra === 1) return { method: "counter" };
  if (wire.HinhThucTra === 2) return { method: "online" };
  return {
    method: "post",
    recipientName: wire.NguoiNhanKetQua,
    phone: wire.SoDienThoaiNhanKetQua,
    address: { communeCode: wire.MaXaNhanKetQua, street: wire.DiaChiNhanKetQua },
  };
}

export function resultDeliveryFromPortal(wire: unknown): ResultDelivery {
  return check(ResultDelivery, resultDeliveryFields(check(PortalResultDelivery, wire, "HinhThucTra")), "HinhThucTra");
}

export function toPortalDossierCreate(forwarding: DossierForwarding): PortalDossierCreate {
  const { filedBy } = forwarding;
  return {
    MaThamChieu: forwarding.reference,
    MaTTHC: forwarding.procedureCode,
    MaDonVi: forwarding.unitCode,
    KenhThucHien: channelToPortal(forwarding.channel),
    NgayNopHoSo: toPortalDateTime(forwarding.submittedAt),
    ...applicantToPortal(forwarding.applicant),
    ...resultDeliveryToPortal(forwarding.resultDelivery),
    DuLieuToKhai: forwarding.formData,
    NguoiNopThay: filedBy
      ? {
          HoTen: filedBy.name,
          VaiTroNguoiNop: ROLE_CODES[filedBy.role],
          HinhThucDongY: CONSENT_CODES[filedBy.consent.method],
          ...(filedBy.consent.note ? { GhiChuDongY: filedBy.consent.note } : {}),
        }
      : null,
  };
}

export function fromPortalDossierCreate(input: unknown): DossierForwarding {
  const what = "Yêu cầu tạo hồ sơ";
  const wire = check(PortalDossierCreate, input, what);
  const onBehalf = wire.NguoiNopThay;
  return check(
    DossierForwarding,
    {
      reference: wire.MaThamChieu,
      procedureCode: wire.MaTTHC,
      unitCode: wire.MaDonVi,
      channel: channelFromPortal(wire.KenhThucHien),
      submittedAt: mapped(what, () => fromPortalDateTime(wire.NgayNopHoSo)),
      applicant: applicantFields(wire),
      resultDelivery: resultDeliveryFields(wire),
      formData: wire.DuLieuToKhai,
      filedBy: onBehalf
        ? {
            name: onBehalf.HoTen,
            role: ROLES.get(onBehalf.VaiTroNguoiNop),
            consent: {
              method: CONSENTS.get(onBehalf.HinhThucDongY),
              ...(onBehalf.GhiChuDongY ? { note: onBehalf.GhiChuDongY } : {}),
            },
          }
        : null,
    },
    what,
  );
}

export function toPortalDossier(dossier: DossierOnPortal): PortalDossier {
  return {
    MaHoSo: dossier.code,
    MaThamChieu: dossier.reference,
    MaTTHC: dossier.procedureCode,
    TenTTHC: dossier.procedureName,
    MaDonVi: dossier.unitCode,
    KenhThucHien: channelToPortal(dossier.channel),
    TrangThaiHoSo: dossier.state,
    NgayNopHoSo: toPortalDateTime(dossier.submittedAt),
    NgayTiepNhan: dossier.acceptedAt ? toPortalDateTime(dossier.acceptedAt) : null,
    NgayHenTra: dossier.dueDate ? toPortalDueDate(dossier.dueDate) : null,
    NgayKetThucXuLy: dossier.completedAt ? toPortalDateTime(dossier.completedAt) : null,
    NgayTra: dossier.deliveredAt ? toPortalDateTime(dossier.deliveredAt) : null,
    ...applicantToPortal(dossier.applicant),
    ...resultDeliveryToPortal(dossier.resultDelivery),
    DuLieuToKhai: dossier.formData,
    MaVanDon: dossier.trackingNumber,
    SoTienPhaiNop: dossier.feesDue,
    GiayToCanBoSung: dossier.missingDocuments,
    GhiChu: dossier.note,
  };
}

export function fromPortalDossier(input: unknown): DossierOnPortal {
  const what = "Hồ sơ";
  const wire = check(PortalDossier, input, what);
  return check(
    DossierOnPortal,
    mapped(what, () => ({
      code: wire.MaHoSo,
      reference: orNull(wire.MaThamChieu),
      procedureCode: wire.MaTTHC,
      procedureName: wire.TenTTHC,
      unitCode: wire.MaDonVi,
      channel: channelFromPortal(wire.KenhThucHien),
      state: wire.TrangThaiHoSo,
      submittedAt: fromPortalDateTime(wire.NgayNopHoSo),
      acceptedAt: optionalDateTime(wire.NgayTiepNhan),
      dueDate: wire.NgayHenTra ? fromPortalDueDate(wire.NgayHenTra) : null,
      completedAt: optionalDateTime(wire.NgayKetThucXuLy),
      deliveredAt: optionalDateTime(wire.NgayTra),
      applicant: applicantFields(wire),
      resultDelivery: resultDeliveryFields(wire),
      formData: wire.DuLieuToKhai,
      trackingNumber: orNull(wire.MaVanDon),
      feesDue: orNull(wire.SoTienPhaiNop),
      missingDocuments: wire.GiayToCanBoSung,
      note: orNull(wire.GhiChu),
    })),
    what,
  );
}

export function toPortalStateChange(change: DossierStateChange): PortalStateChange {
  return {
    MaSuKien: change.eventId,
    MaHoSo: change.code,
    MaThamChieu: change.reference,
    TrangThaiCu: change.fromState,
    TrangThaiHoSo: change.toState,
    ThoiGian: toPortalDateTime(change.at),
    HanhDong: change.action,
    NguoiXuLy: change.actorName,
    DonViXuLy: change.unitCode,
    GhiChu: change.note,
    NgayHenTra: change.dueDate ? toPortalDueDate(change.dueDate) : null,
    GiayToCanBoSung: change.missingDocuments,
    SoTienPhaiNop: change.amount,
    MaVanDon: change.trackingNumber,
  };
}

export function fromPortalStateChange(input: unknown): DossierStateChange {
  const what = "Thay đổi trạng thái";
  const wire = check(PortalStateChange, input, what);
  return check(
    DossierStateChange,
    mapped(what, () => ({
      eventId: wire.MaSuKien,
      code: wire.MaHoSo,
      reference: orNull(wire.MaThamChieu),
      fromState: orNull(wire.TrangThaiCu),
      toState: wire.TrangThaiHoSo,
      at: fromPortalDateTime(wire.ThoiGian),
      action: orNull(wire.HanhDong),
      actorName: orNull(wire.NguoiXuLy),
      unitCode: orNull(wire.DonViXuLy),
      note: orNull(wire.GhiChu),
      dueDate: wire.NgayHenTra ? fromPortalDueDate(wire.NgayHenTra) : null,
      missingDocuments: wire.GiayToCanBoSung,
      amount: orNull(wire.SoTienPhaiNop),
      trackingNumber: orNull(wire.MaVanDon),
    })),
    what,
  );
}

const EXEMPTION_SCOPES = { all: "TatCa", phi: "Phi", "le-phi": "LePhi" } as const;
const SCOPE_OF_EXEMPTION = { TatCa: "all", Phi: "phi", LePhi: "le-phi" } as const;

export function toPortalProcedure(entry: CatalogueEntry): PortalProcedure {
  const p = entry.procedure;
  return {
    MaTTHC: p.code,
    TenTTHC: p.name,
    TenLinhVuc: p.field,
    CapThucHien: LEVEL_CODES[p.level],
    CoQuanThucHien: p.agency,
    MucDo: p.onlineLevel,
    ThoiHanGiaiQuyet: p.processingDays,
    ...(p.processingNote ? { GhiChuThoiHan: p.processingNote } : {}),
    PhiLePhi: p.fees.map((f) => ({
      TenPhiLePhi: f.name,
      MucPhi: f.amount,
      ...(f.note ? { GhiChu: f.note } : {}),
      ...(f.kind ? { LoaiPhiLePhi: f.kind === "phi" ? ("Phi" as const) : ("LePhi" as const) } : {}),
      ...(f.onlineAmount !== undefined ? { MucPhiTrucTuyen: f.onlineAmount } : {}),
      ...(f.unit ? { DonViTinh: f.unit } : {}),
      ...(f.optional !== undefined ? { TuyChon: f.optional } : {}),
    })),
    ...(p.exemptions
      ? {
          DoiTuongMienGiam: p.exemptions.map((e) => ({
            Ten: e.name,
            ...(e.note ? { GhiChu: e.note } : {}),
            ...(e.appliesTo ? { ApDung: EXEMPTION_SCOPES[e.appliesTo] } : {}),
          })),
        }
      : {}),
    BuuChinhCongIch: p.postal,
    ThanhPhanHoSo: p.documents.map((d) => ({
      TenGiayTo: d.name,
      SoBan: d.copies,
      BatBuoc: d.required,
      ...(d.form ? { MauDon: d.form } : {}),
    })),
    KetQuaThucHien: p.result,
    ...(p.steps ? { TrinhTuThucHien: p.steps } : {}),
    ...(p.conditions ? { YeuCauDieuKien: p.conditions } : {}),
    ...(p.subjects ? { DoiTuongThucHien: p.subjects } : {}),
    ...(p.legalBasis ? { CanCuPhapLy: p.legalBasis } : {}),
    MaDonVi: entry.unitCode,
    HieuLuc: entry.inForce,
    NgayCapNhat: toPortalDateTime(entry.updatedAt),
  };
}

export function fromPortalProcedure(input: unknown): CatalogueEntry {
  const what = "Thủ tục hành chính";
  const w = check(PortalProcedure, input, what);
  return check(
    CatalogueEntry,
    mapped(what, () => ({
      unitCode: w.MaDonVi,
      inForce: w.HieuLuc,
      updatedAt: fromPortalDateTime(w.NgayCapNhat),
      procedure: {
        code: w.MaTTHC,
        name: w.TenTTHC,
        field: w.TenLinhVuc,
        level: LEVELS.get(w.CapThucHien),
        agency: w.CoQuanThucHien,
        onlineLevel: w.MucDo,
        processingDays: w.ThoiHanGiaiQuyet,
        ...(w.GhiChuThoiHan ? { processingNote: w.GhiChuThoiHan } : {}),
        fees: w.PhiLePhi.map((f) => ({
          name: f.TenPhiLePhi,
          amount: f.MucPhi,
          ...(f.GhiChu ? { note: f.GhiChu } : {}),
          ...(f.LoaiPhiLePhi ? { kind: f.LoaiPhiLePhi === "Phi" ? ("phi" as const) : ("le-phi" as const) } : {}),
          ...(typeof f.MucPhiTrucTuyen === "number" ? { onlineAmount: f.MucPhiTrucTuyen } : {}),
          ...(f.DonViTinh ? { unit: f.DonViTinh } : {}),
          ...(typeof f.TuyChon === "boolean" ? { optional: f.TuyChon } : {}),
        })),
        ...(w.DoiTuongMienGiam
          ? {
              exemptions: w.DoiTuongMienGiam.map((e) => ({
                name: e.Ten,
                ...(e.GhiChu ? { note: e.GhiChu } : {}),
                ...(e.ApDung ? { appliesTo: SCOPE_OF_EXEMPTION[e.ApDung] } : {}),
              })),
            }
          : {}),
        postal: w.BuuChinhCongIch,
        documents: w.ThanhPhanHoSo.map((d) => ({
          name: d.TenGiayTo,
          copies: d.SoBan,
          required: d.BatBuoc,
          ...(d.MauDon ? { form: d.MauDon } : {}),
        })),
        result: w.KetQuaThucHien,
        ...(w.TrinhTuThucHien ? { steps: w.TrinhTuThucHien } : {}),
        ...(w.YeuCauDieuKien ? { conditions: w.YeuCauDieuKien } : {}),
        ...(w.DoiTuongThucHien ? { subjects: w.DoiTuongThucHien } : {}),
        ...(w.CanCuPhapLy ? { legalBasis: w.CanCuPhapLy } : {}),
      },
    })),
    what,
  );
}

export function attachmentUploadFields(meta: AttachmentUploadMeta): PortalAttachmentUploadFields {
  return {
    TenGiayTo: meta.documentName,
    ...(meta.documentIndex === null ? {} : { ViTriGiayTo: String(meta.documentIndex) }),
    LoaiDinhKem: meta.kind === "initial" ? "1" : "2",
    MaBam: meta.sha256,
  };
}

export function attachmentUploadMetaFromFields(input: unknown): AttachmentUploadMeta {
  const wire = check(PortalAttachmentUploadFields, input, "Tệp đính kèm");
  return {
    documentName: wire.TenGiayTo,
    documentIndex: wire.ViTriGiayTo === undefined ? null : Number(wire.ViTriGiayTo),
    kind: wire.LoaiDinhKem === "1" ? "initial" : "supplement",
    sha256: wire.MaBam,
  };
}

export function toPortalAttachment(attachment: AttachmentOnPortal): PortalAttachment {
  return {
    MaTepDinhKem: attachment.id,
    TenGiayTo: attachment.documentName,
    ViTriGiayTo: attachment.documentIndex,
    LoaiDinhKem: attachment.kind === "initial" ? 1 : 2,
    TenTepDinhKem: attachment.fileName,
    KieuTep: attachment.mime,
    KichThuoc: attachment.size,
    MaBam: attachment.sha256,
    NgayTai: toPortalDateTime(attachment.uploadedAt),
  };
}

export function fromPortalAttachment(input: unknown): AttachmentOnPortal {
  const what = "Tệp đính kèm";
  const w = check(PortalAttachment, input, what);
  return check(
    AttachmentOnPortal,
    mapped(what, () => ({
      id: w.MaTepDinhKem,
      documentName: w.TenGiayTo,
      documentIndex: w.ViTriGiayTo,
      kind: w.LoaiDinhKem === 1 ? "initial" : "supplement",
      fileName: w.TenTepDinhKem,
      mime: w.KieuTep,
      size: w.KichThuoc,
      sha256: w.MaBam,
      uploadedAt: fromPortalDateTime(w.NgayTai),
    })),
    what,
  );
}

/** A page of a feed, each item mapped; a bad item is reported with its index (`items.3.NgayTiepNhan`). */
export function fromPortalPage<T>(
  input: unknown,
  item: (value: unknown) => T,
): { items: T[]; nextCursor: string; hasMore: boolean } {
  const page = check(PortalPageEnvelope, input, "Trang dữ liệu");
  const items = page.items.map((value, index) => {
    try {
      return item(value);
    } catch (error) {
      if (!(error instanceof PortalMappingError)) throw error;
      throw new PortalMappingError(
        error.what,
        error.issues.map((i) => ({ ...i, path: ["items", index, i.path].filter((p) => p !== "").join(".") })),
      );
    }
  });
  return { items, nextCursor: page.nextCursor, hasMore: page.hasMore };
}
