import { foldText } from "@qn/shared";
import { VARIANT_MARKERS } from "./lexicon";

/**
 * Finds the variant markers of VARIANT_MARKERS (lexicon.ts) in a sequence of tokens and returns them as a bit mask,
 * one bit per group. Tokens may be folded strings (a query) or interned term ids (a procedure name in the index).
 * At each position the longest phrase wins, and its words are consumed.
 */
export class VariantMarkers<K> {
  private readonly byFirst = new Map<K, { phrase: K[]; bit: number }[]>();
  /** Groups that lower a procedure only when the query asks for them, never when the name has them. */
  static readonly ONLY_WHEN_ASKED: number = VARIANT_MARKERS.reduce(
    (mask, [, , options], group) => (options?.onlyWhenAsked ? mask | (1 << group) : mask),
    0,
  );

  private constructor() {}

  /** Marker phrases as folded words. */
  static ofWords(): VariantMarkers<string> {
    return VariantMarkers.build((word) => word);
  }

  /** Marker phrases as term ids of an index; phrases with a word the index does not know cannot occur and are left out. */
  static ofIds(idOf: (word: string) => number | undefined): VariantMarkers<number> {
    return VariantMarkers.build(idOf);
  }

  private static build<K>(keyOf: (word: string) => K | undefined): VariantMarkers<K> {
    const markers = new VariantMarkers<K>();
    VARIANT_MARKERS.forEach(([, phrases], group) => {
      for (const phrase of phrases) {
        const keys = foldText(phrase).split(" ").map(keyOf);
        if (keys.some((k) => k === undefined)) continue;
        const first = keys[0] as K;
        const list = markers.byFirst.get(first) ?? [];
        list.push({ phrase: keys as K[], bit: 1 << group });
        list.sort((a, b) => b.phrase.length - a.phrase.length);
        markers.byFirst.set(first, list);
      }
    });
    return markers;
  }

  mask(tokens: ArrayLike<K>): number {
    let mask = 0;
    let i = 0;
    while (i < tokens.length) {
      const candidates = this.byFirst.get(tokens[i] as K);
      const hit = candidates?.find(({ phrase }) => phrase.every((key, k) => tokens[i + k] === key));
      if (hit) {
        mask |= hit.bit;
        i += hit.phrase.length;
      } else {
        i++;
      }
    }
    return mask;
  }
}

/** Number of set bits (groups) in a mask. */
export function countGroups(mask: number): number {
  let n = 0;
  for (let m = mask; m !== 0; m &= m - 1) n++;
  return n;
}
