/**
 * Vietnamese text folding: the one place that decides when two spellings are "the same word".
 *
 * Citizens type with and without diacritics, with the wrong tone mark, with "đ" as "d" and with the
 * old "i/y" spelling (kí/ký, lí/lý). Folding removes tone marks and vowel marks, maps đ→d, lowercases,
 * and turns everything that is not a letter or digit into a single space. Dots inside codes such as
 * `1.001193` are kept so that procedure codes stay one token.
 */

/** Syllables whose final "y" is the same sound as "i" (kí/ký, lí/lý, mĩ/mỹ, tỉ/tỷ, sĩ/sỹ, hi/hy, vi/vy). */
const Y_AS_I = new Set(["ky", "ly", "my", "ty", "sy", "hy", "vy", "ny"]);

/** Removes every combining mark after canonical decomposition, and maps đ/Đ, which does not decompose. */
export function stripDiacritics(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D");
}

/**
 * Folds a text to lowercase ASCII tokens separated by single spaces.
 * `foldText("Đăng kí khai sinh!")` → `"dang ki khai sinh"`.
 */
export function foldText(text: string): string {
  const ascii = stripDiacritics(text).toLowerCase();
  // Dotted numbers stay one token (procedure codes); anything else that is not [a-z0-9] separates tokens.
  const tokens = ascii.match(/\d+(?:\.\d+)+|[a-z0-9]+/g) ?? [];
  return tokens.map(foldSyllable).join(" ");
}

/** Folds one already-ASCII lowercase token: kí/ký → "ki", lí/lý → "li". */
export function foldSyllable(token: string): string {
  return Y_AS_I.has(token) ? `${token[0]}i` : token;
}

/** Folds a text and returns its tokens. */
export function foldTokens(text: string): string[] {
  const folded = foldText(text);
  return folded.length === 0 ? [] : folded.split(" ");
}

/** True when two texts are equal once folded ("Hạ Long" and "ha long"). */
export function foldedEquals(a: string, b: string): boolean {
  return foldText(a) === foldText(b);
}
