import { identityNumberProblem } from "./identity";
import { foldText } from "./text/fold";
import { currentCommunes } from "./units";

/**
 * Reading the QR code printed on the front of Vietnam's chip-based căn cước (CCCD) card.
 *
 * There is no published standard for this QR code: the layout below is the one seen in the wild and decoded the same
 * way by several community parsers, so it is parsed defensively (extra fields, stray whitespace, line breaks,
 * decomposed diacritics and unexpected case are all tolerated):
 *
 *   `identity number|old id number|full name|ddmmyyyy birth|sex|address|ddmmyyyy issue date`
 *   `022095001234|100123456|Nguyễn Văn An|15031995|Nam|Số 12, đường Trần Hưng Đạo, Phường Hạ Long, Tỉnh Quảng Ninh|20042021`
 *
 * The old id number (9-digit CMND) is often empty. The result is meant to pre-fill a form the citizen still checks.
 */

export type CccdCard = {
  identityNumber: string;
  oldIdNumber?: string;
  name: string;
  /** ISO yyyy-mm-dd. */
  birthDate: string;
  sex: "male" | "female";
  /** Place of residence as printed, NFC and single-spaced. */
  address: string;
  /** ISO yyyy-mm-dd; omitted when missing or unreadable. */
  issueDate?: string;
  /** Code of the current Quảng Ninh commune the address names, when it names one. */
  communeCode?: string;
  /** The address parts before the commune ("Số 12, đường Trần Hưng Đạo"), when a commune was found. */
  street?: string;
};

export type CccdQrProblem = "not-cccd" | "identity-number" | "birth-date" | "name";

export type CccdQrResult = { ok: true; card: CccdCard } | { ok: false; problem: CccdQrProblem; message: string };

/** What the citizen reads when a scan cannot be used, with what to do next. */
const PROBLEM_MESSAGES: Record<CccdQrProblem, string> = {
  "not-cccd":
    "Mã QR này không phải mã trên thẻ căn cước. Hãy quét mã QR ở mặt trước thẻ căn cước gắn chip, hoặc nhập tay.",
  "identity-number":
    "Số định danh cá nhân đọc từ mã QR không hợp lệ. Hãy quét lại mã QR ở mặt trước thẻ căn cước, hoặc nhập tay số trên thẻ.",
  "birth-date":
    "Ngày sinh đọc từ mã QR không hợp lệ. Hãy quét lại mã QR ở mặt trước thẻ căn cước, hoặc nhập tay ngày sinh trên thẻ.",
  name: "Mã QR không có họ và tên. Hãy quét lại mã QR ở mặt trước thẻ căn cước, hoặc nhập tay họ và tên trên thẻ.",
};

/** Identity number, old id, name, birth date, sex, address; the issue date (7th field) may be missing. */
const MIN_FIELDS = 6;

/** Nobody alive was born more than this many years ago: an older birth date is a misread. */
const MAX_AGE_YEARS = 130;

/** Folded forms of the province part that ends a Quảng Ninh address. */
const QUANG_NINH = new Set(["quang ninh", "tinh quang ninh"]);

function fail(problem: CccdQrProblem): CccdQrResult {
  return { ok: false, problem, message: PROBLEM_MESSAGES[problem] };
}

/** Trimmed, every run of whitespace (line breaks included) turned into one space. */
function clean(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** The local calendar date of `date` as ISO yyyy-mm-dd (the same local clock `identityNumberProblem` uses). */
function localIsoDate(date: Date): string {
  const mm = String(date.getMonth() + 1).padStart(2, "0");
  const dd = String(date.getDate()).padStart(2, "0");
  return `${date.getFullYear()}-${mm}-${dd}`;
}

/** "15031995" → "1995-03-15"; `undefined` unless it is exactly 8 digits forming a real calendar date (no 31/02). */
function parseDdmmyyyy(text: string): string | undefined {
  const match = /^(\d{2})(\d{2})(\d{4})$/.exec(text);
  if (!match) return undefined;
  const [, dd = "", mm = "", yyyy = ""] = match;
  const day = Number(dd);
  const month = Number(mm);
  const year = Number(yyyy);
  // Date.UTC rolls 31/02 over to 2 or 3 March: a real date survives the round trip unchanged.
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    return undefined;
  }
  return `${yyyy}-${mm}-${dd}`;
}

/**
 * "Nam"/"Nữ" in any case or diacritics form; when the field is unreadable, the sex encoded in the identity number
 * (4th digit: even for men, odd for women, Thông tư 59/2021/TT-BCA) is used instead.
 */
function parseSex(text: string, identityNumber: string): "male" | "female" {
  const folded = foldText(text);
  if (folded === "nam") return "male";
  if (folded === "nu") return "female";
  return Number(identityNumber[3]) % 2 === 0 ? "male" : "female";
}

/**
 * Finds the current Quảng Ninh commune an address names. Card addresses run from the most to the least precise,
 * comma-separated, ending with the province: "Số 12, đường Trần Hưng Đạo, Phường Hạ Long, Tỉnh Quảng Ninh". Parts are
 * searched from the end because the commune sits just before the province (or before a former district, on cards
 * issued before July 2025). Only addresses ending in Quảng Ninh are searched: commune names such as "Thống Nhất"
 * also exist in other provinces.
 */
function locateCommune(address: string): { communeCode: string; street?: string } | undefined {
  const parts = address
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  if (!QUANG_NINH.has(foldText(parts[parts.length - 1] ?? ""))) return undefined;
  const communes = currentCommunes().map((unit) => ({ code: unit.code, folded: foldText(unit.fullName) }));
  for (let i = parts.length - 2; i >= 0; i--) {
    const folded = foldText(parts[i] ?? "");
    const commune = communes.find((c) => c.folded === folded);
    if (!commune) continue;
    const street = parts.slice(0, i).join(", ");
    return street ? { communeCode: commune.code, street } : { communeCode: commune.code };
  }
  return undefined;
}

/**
 * Parses the text of a căn cước QR code. `today` decides what counts as a future date (tests pass a fixed one).
 * Problems are reported in the order a citizen can act on them: wrong QR code, then unreadable fields.
 */
export function parseCccdQr(text: string, today: Date = new Date()): CccdQrResult {
  // NFC first: some scanners hand over decomposed Vietnamese (base letter + combining marks).
  const fields = text.normalize("NFC").split("|").map(clean);
  const [identityNumber = "", oldIdNumber = "", rawName = "", rawBirth = "", rawSex = "", address = "", rawIssue = ""] =
    fields;
  if (fields.length < MIN_FIELDS || !/^\d{12}$/.test(identityNumber)) return fail("not-cccd");
  if (identityNumberProblem(identityNumber, today)) return fail("identity-number");

  const todayIso = localIsoDate(today);
  const birthDate = parseDdmmyyyy(rawBirth);
  const oldestBirth = `${today.getFullYear() - MAX_AGE_YEARS}${todayIso.slice(4)}`;
  if (!birthDate || birthDate > todayIso || birthDate < oldestBirth) return fail("birth-date");

  // Names are kept as printed (often upper case), only trimmed and single-spaced by `clean`.
  if (!rawName) return fail("name");

  // The issue date is a convenience: a missing or impossible one is dropped rather than failing the scan.
  const issued = parseDdmmyyyy(rawIssue);
  const issueDate = issued && issued >= birthDate && issued <= todayIso ? issued : undefined;

  const card: CccdCard = {
    identityNumber,
    ...(oldIdNumber ? { oldIdNumber } : {}),
    name: rawName,
    birthDate,
    sex: parseSex(rawSex, identityNumber),
    address,
    ...(issueDate ? { issueDate } : {}),
    ...locateCommune(address),
  };
  return { ok: true, card };
}
