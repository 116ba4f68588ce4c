import { foldText } from "@qn/shared";

/**
 * What a good photo of a paper looks like, by the kind of paper its name says: a short hint under each required
 * paper, so that officials do not have to ask for a clearer photo (the commonest reason to ask for more).
 */
const HINTS: { match: RegExp; hint: string }[] = [
  {
    match: /can cuoc|cmnd|chung minh nhan dan|ho chieu/,
    hint: "Chụp cả mặt trước và mặt sau, thấy rõ số và ảnh chân dung, không lóa đèn.",
  },
  {
    match: /to khai|don de nghi|\bdon\b|ban khai/,
    hint: "Ký tên trước khi chụp; chụp thẳng từng trang, đủ 4 góc.",
  },
  {
    match: /giay chung sinh|khai sinh/,
    hint: "Chụp thẳng cả tờ, đủ 4 góc; đọc rõ họ tên, ngày sinh và dấu đỏ.",
  },
  { match: /\banh\b.*(3x4|4x6|chan dung)|(3x4|4x6)/, hint: "Ảnh chân dung mới, nền sáng, nhìn thẳng, không đội mũ." },
  {
    match: /hop dong|giay chung nhan|so do|so hong|quyet dinh|van ban/,
    hint: "Chụp từng trang theo thứ tự, đủ 4 góc; đọc rõ chữ ký và dấu.",
  },
];

const DEFAULT_HINT = "Đặt giấy trên mặt phẳng, đủ sáng, chụp thẳng, đủ 4 góc và đọc rõ chữ.";

export function photoHint(documentName: string): string {
  const folded = foldText(documentName);
  return HINTS.find((h) => h.match.test(folded))?.hint ?? DEFAULT_HINT;
}
