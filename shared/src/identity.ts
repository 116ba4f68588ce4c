import { z } from "zod";

/**
 * The 12-digit personal identification number (số định danh cá nhân, printed on the căn cước card). Its first three
 * digits are the code of the province of birth registration, the fourth encodes sex and century, the next two the
 * year of birth (Thông tư 59/2021/TT-BCA, formerly 07/2016/TT-BCA). The province codes are those of the 63 provinces
 * that existed when numbers were assigned: numbers do not change when provinces merge.
 */
const PROVINCE_CODES = new Set([
  "001",
  "002",
  "004",
  "006",
  "008",
  "010",
  "011",
  "012",
  "014",
  "015",
  "017",
  "019",
  "020",
  "022",
  "024",
  "025",
  "026",
  "027",
  "030",
  "031",
  "033",
  "034",
  "035",
  "036",
  "037",
  "038",
  "040",
  "042",
  "044",
  "045",
  "046",
  "048",
  "049",
  "051",
  "052",
  "054",
  "056",
  "058",
  "060",
  "062",
  "064",
  "066",
  "067",
  "068",
  "070",
  "072",
  "074",
  "075",
  "077",
  "079",
  "080",
  "082",
  "083",
  "084",
  "086",
  "087",
  "089",
  "091",
  "092",
  "093",
  "094",
  "095",
  "096",
]);

export type IdentityNumberProblem = "format" | "province" | "year";

/** Why a number is not a valid identification number, or `undefined` when it is. */
export function identityNumberProblem(value: string, today: Date = new Date()): IdentityNumberProblem | undefined {
  if (!/^\d{12}$/.test(value)) return "format";
  if (!PROVINCE_CODES.has(value.slice(0, 3))) return "province";
  // Digit 4: 0/1 born 1900–1999, 2/3 born 2000–2099 (men/women); later centuries cannot exist yet.
  const centuryDigit = Number(value[3]);
  if (centuryDigit > 3) return "year";
  const year = (centuryDigit < 2 ? 1900 : 2000) + Number(value.slice(4, 6));
  if (year > today.getFullYear()) return "year";
  return undefined;
}

const PROBLEM_MESSAGES: Record<IdentityNumberProblem, string> = {
  format: "Số định danh cá nhân (số căn cước) phải gồm đúng 12 chữ số",
  province: "Số định danh cá nhân không đúng: 3 chữ số đầu không phải mã tỉnh, thành phố",
  year: "Số định danh cá nhân không đúng: phần năm sinh không hợp lệ",
};

export const IdentityNumber = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    const problem = identityNumberProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: PROBLEM_MESSAGES[problem] });
  });

/** "001099012345" → "001*******45": identity numbers are never shown or logged in full outside their owner's view. */
export function maskIdentityNumber(value: string): string {
  if (value.length < 6) return "*".repeat(value.length);
  return `${value.slice(0, 3)}${"*".repeat(value.length - 5)}${value.slice(-2)}`;
}

/** "Nguyễn Văn An" → "Nguyễn V** A*": enough to recognise one's own dossier, not to identify a stranger. */
export function maskName(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return words
    .map((word, i) => {
      if (i === 0) return word;
      const chars = [...word];
      return `${chars[0] ?? ""}${"*".repeat(Math.max(1, chars.length - 1))}`;
    })
    .join(" ");
}

/** Vietnamese mobile numbers as Zalo returns them ("84912345678") or as typed ("0912 345 678"), normalised to 0xxxxxxxxx. */
export function normalisePhone(value: string): string | undefined {
  const digits = value.replace(/[\s.+-]/g, "");
  const local = digits.startsWith("84") ? `0${digits.slice(2)}` : digits;
  return /^0[35789]\d{8}$/.test(local) ? local : undefined;
}

export const PhoneNumber = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const phone = normalisePhone(value);
    if (!phone) {
      ctx.addIssue({ code: "custom", message: "Số điện thoại di động không hợp lệ (ví dụ 0912345678)" });
      return z.NEVER;
    }
    return phone;
  });
