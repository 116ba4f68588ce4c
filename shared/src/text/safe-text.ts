import { z } from "zod";

/**
 * Text that people type, as every schema of this package accepts it: one normalisation form and no hidden
 * characters.
 *
 * - NFC: a name typed on a keyboard that sends "e" + U+0302 + U+0301 is the same name as the precomposed "ế" that
 *   Zalo and the căn cước card send, so that masking, matching and the portal see one spelling.
 * - Refused: control characters (C0, DEL, C1), format characters (Unicode category Cf: zero-width spaces and
 *   joiners, the byte-order mark, the bidirectional overrides and isolates such as U+202E that make
 *   "\u202Enoitartsinimda" display as "administration"), line and paragraph separators, lone surrogates, private-use
 *   characters, noncharacters, the blank letters (Hangul fillers such as U+3164, the blank braille U+2800, U+034F)
 *   that make a name look empty, and four combining marks in a row. None has a use in Vietnamese text; each can make
 *   what an official reads differ from what is stored.
 * - Removed, not refused: the zero-width space, the byte-order mark, the soft hyphen and the word joiner, which pasting
 *   brings along and which the citizen cannot see to delete.
 * - Kept: the zero-width joiner between two pictographs (the family emoji 👨‍👩‍👧 in a comment), variation selectors
 *   (U+FE0F) and combining marks (after NFC, only those with no precomposed form remain).
 * - `paragraph()` also keeps line feeds and tabs, for notes, comments and announcements; a CR LF or a lone CR becomes
 *   LF.
 */

// Controls other than tab and line feed (\r is turned into \n first), format characters, separators U+2028/2029,
// surrogates (a lone one: a valid pair is one code point to the `u` flag), private use, noncharacters, blank letters,
// four combining marks in a row.
const HIDDEN_IN_PARAGRAPH =
  /(?![\t\n])[\p{Cc}\p{Cf}\p{Cs}\p{Co}\u2028\u2029\uFDD0-\uFDEF\uFFFE\uFFFF\u115F\u1160\u2800\u3164\uFFA0]|\u034F|\u17B4|\u17B5|\u180B|\u180C|\u180D|\p{Mn}{4}/u;
// Invisible characters that copying from a web page or a document brings along (zero-width space, byte-order mark,
// soft hyphen, word joiner): removed before the check, because the citizen cannot see them to delete them.
const PASTED_INVISIBLES = /[\u200B\uFEFF\u00AD\u2060]/g;
const HIDDEN_IN_LINE = /[\t\n\r]/;
const HIDDEN_EVERYWHERE = new RegExp(HIDDEN_IN_PARAGRAPH.source, "gu");
// A zero-width joiner inside an emoji sequence (pictograph, optional variation selector or skin tone, ZWJ, pictograph).
const EMOJI_JOINER = /(?<=\p{Extended_Pictographic}[\uFE0F\u{1F3FB}-\u{1F3FF}]?)\u200D(?=\p{Extended_Pictographic})/gu;

export const HIDDEN_CHARACTER_MESSAGE = "Có ký tự ẩn hoặc ký tự điều khiển không được phép";

/** The first hidden character of `value` as "U+202E", or null: for messages and logs that must not show it. */
export function findHiddenCharacter(value: string, options: { multiline?: boolean } = {}): string | null {
  const text = value.replace(EMOJI_JOINER, "");
  const match = HIDDEN_IN_PARAGRAPH.exec(text) ?? (options.multiline ? null : HIDDEN_IN_LINE.exec(text));
  if (!match) return null;
  return `U+${(match[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** NFC without the pasted invisibles, and CR LF / CR as LF for paragraphs: what is stored for a text that passes. */
export function normalizeText(value: string, options: { multiline?: boolean } = {}): string {
  const nfc = value.normalize("NFC").replace(PASTED_INVISIBLES, "");
  return options.multiline ? nfc.replace(/\r\n?/g, "\n") : nfc;
}

function safe(multiline: boolean) {
  return z
    .string()
    .overwrite((value) => normalizeText(value, { multiline }))
    .check((ctx) => {
      const found = findHiddenCharacter(ctx.value, { multiline });
      if (found) {
        ctx.issues.push({
          code: "custom",
          input: ctx.value,
          message: `${HIDDEN_CHARACTER_MESSAGE} (${found})`,
          params: { hiddenCharacter: found },
        });
      }
    });
}

/** One line of typed text (a name, a street, a title): NFC, no hidden characters, no line breaks or tabs. */
export function line() {
  return safe(false);
}

/** Several lines of typed text (a note, a comment, an announcement's body): as `line()`, but line feeds and tabs kept. */
export function paragraph() {
  return safe(true);
}

/**
 * Text this system must take even when it holds hidden characters, because refusing it would lose it (what the
 * provincial portal sends, a search query): NFC, with the hidden characters removed rather than refused.
 */
export function cleaned(options: { multiline?: boolean } = {}) {
  return z.string().overwrite((value) => removeHiddenCharacters(value, options));
}

/** NFC, and every hidden character (as `line()` or `paragraph()` would refuse it) removed; in a line, breaks become spaces. */
export function removeHiddenCharacters(value: string, options: { multiline?: boolean } = {}): string {
  const text = normalizeText(value, options);
  const joiners = new Set([...text.matchAll(EMOJI_JOINER)].map((m) => m.index));
  const out = text.replace(HIDDEN_EVERYWHERE, (ch, offset: number) => (joiners.has(offset) ? ch : ""));
  return options.multiline ? out : out.replace(/[\t\n\r]+/g, " ");
}
