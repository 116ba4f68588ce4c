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

/**
 * Base letters of the precomposed Latin letters (Latin-1, Extended-A/B and Extended Additional, where Vietnamese
 * lives), computed once with NFD. A table look-up per character is several times faster than normalising whole
 * strings, which matters when a catalogue of 100k procedures is indexed.
 */
const BASE_LETTER: Map<number, string> = (() => {
  const table = new Map<number, string>();
  const ranges: [number, number][] = [
    [0x00c0, 0x024f],
    [0x1e00, 0x1eff],
  ];
  for (const [from, to] of ranges) {
    for (let code = from; code <= to; code++) {
      const base = String.fromCharCode(code)
        .normalize("NFD")
        .replace(/[\u0300-\u036f]/g, "");
      if (base.length === 1 && base.charCodeAt(0) < 128) table.set(code, base);
    }
  }
  table.set(0x0111, "d"); // đ does not decompose
  table.set(0x0110, "D"); // Đ
  return table;
})();

/** Removes tone and vowel marks (precomposed or combining) and maps đ/Đ to d/D. */
export function stripDiacritics(text: string): string {
  let out = "";
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x00c0) continue;
    let replacement: string | undefined;
    if (code >= 0x0300 && code <= 0x036f) replacement = "";
    else replacement = BASE_LETTER.get(code);
    if (replacement === undefined) continue;
    out += text.slice(start, i) + replacement;
    start = i + 1;
  }
  return start === 0 ? text : out + text.slice(start);
}

/**
 * Folding table for one UTF-16 code unit below U+2000: the lowercase ASCII code of its base letter or digit,
 * SKIP for combining marks (they vanish inside a word), 0 for separators.
 */
const SKIP = 255;
const DOT = 46;
const FOLD_CODE: Uint8Array = (() => {
  const table = new Uint8Array(0x2000);
  for (let c = 48; c <= 57; c++) table[c] = c; // 0-9
  for (let c = 97; c <= 122; c++) table[c] = c; // a-z
  for (let c = 65; c <= 90; c++) table[c] = c + 32; // A-Z
  table[DOT] = DOT; // kept only between digits, see foldTokens
  for (let c = 0x0300; c <= 0x036f; c++) table[c] = SKIP;
  for (const [code, base] of BASE_LETTER) table[code] = base.toLowerCase().charCodeAt(0);
  return table;
})();

/**
 * Folds a text and returns its tokens, in one pass over the characters (this runs for every text of a catalogue
 * of 100k procedures, so it avoids whole-string normalisation and regular expressions).
 * `foldTokens("Đăng kí khai sinh!")` → `["dang", "ki", "khai", "sinh"]`. Dots between digits stay inside a token.
 */
export function foldTokens(text: string): string[] {
  const tokens: string[] = [];
  const codes: number[] = [];
  const flush = () => {
    if (codes.length > 0) {
      tokens.push(foldSyllable(String.fromCharCode(...codes)));
      codes.length = 0;
    }
  };
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const folded = unit < 0x2000 ? (FOLD_CODE[unit] as number) : 0;
    if (folded === SKIP) continue;
    if (folded === DOT) {
      const prev = codes[codes.length - 1];
      const next = text.charCodeAt(i + 1);
      if (prev !== undefined && prev >= 48 && prev <= 57 && next >= 48 && next <= 57) codes.push(DOT);
      else flush();
      continue;
    }
    if (folded === 0) flush();
    else codes.push(folded);
  }
  flush();
  return tokens;
}

/**
 * Folds a text to lowercase ASCII tokens separated by single spaces.
 * `foldText("Đăng kí khai sinh!")` → `"dang ki khai sinh"`.
 */
export function foldText(text: string): string {
  return foldTokens(text).join(" ");
}

/** Folds one already-ASCII lowercase token: kí/ký → "ki", lí/lý → "li". */
export function foldSyllable(token: string): string {
  return Y_AS_I.has(token) ? `${token[0]}i` : token;
}

/** True when two texts are equal once folded ("Hạ Long" and "ha long"). */
export function foldedEquals(a: string, b: string): boolean {
  return foldText(a) === foldText(b);
}
