import { randomInt } from "node:crypto";
import { vietnamDate } from "@qn/shared";

/**
 * How a dossier's code and its receipt's secret are drawn (issue 13, finding 6). A sequential counter gave every
 * dossier of a unit's day to whoever counted, and a flood could use it up; the national form has random digits.
 */

/** Letters and digits that cannot be read for one another (no I, O, 0, 1): 32 signs, 30 bits in six. */
export const LOOKUP_SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

export function newLookupSecret(): string {
  return Array.from({ length: 6 }, () => LOOKUP_SECRET_ALPHABET[randomInt(LOOKUP_SECRET_ALPHABET.length)]).join("");
}

/**
 * Draws at each width before the next: five misses in a row happen only when most numbers of that width are taken
 * (at half full, one filing in 32), so a day stays at four digits until a flood, and a flood widens it instead of
 * exhausting it.
 */
const DRAWS_PER_WIDTH = 5;
const WIDTHS = [4, 5, 6, 7, 8] as const;

/**
 * `{agency code}-{yyMMdd}-{random digits}` (docs/domain.md §5), the day in Vietnam: the candidates in the order the
 * filing tries them, until one is not taken (the unique code column decides, inside the filing's transaction).
 */
export function* candidateCodes(agencyCode: string, at: Date): Generator<string> {
  const day = vietnamDate(at).replace(/-/g, "").slice(2);
  for (const digits of WIDTHS) {
    for (let i = 0; i < DRAWS_PER_WIDTH; i++) {
      yield `${agencyCode}-${day}-${String(randomInt(10 ** digits)).padStart(digits, "0")}`;
    }
  }
}
