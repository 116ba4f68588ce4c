/**
 * Typo tolerance over the catalogue's vocabulary of (folded) syllables, SymSpell style: every word is indexed under
 * the strings obtained by deleting up to two of its letters, so a misspelt query word finds its neighbours with a
 * handful of map look-ups instead of a scan of the vocabulary. Candidates are confirmed with the optimal string
 * alignment distance (Damerau–Levenshtein with adjacent transpositions).
 */

const MAX_DISTANCE = 2;

export type FuzzyCandidate = { word: string; distance: number };

/** How far a word of this length may be from its correction: short syllables allow one edit, long ones two. */
export function allowedDistance(length: number): number {
  if (length < 3) return 0;
  if (length < 6) return 1;
  return 2;
}

export class FuzzyVocabulary {
  private readonly deletes = new Map<string, number[]>();
  private readonly words: string[] = [];

  constructor(words: Iterable<string>) {
    for (const word of words) {
      if (word.length < 3 || !/^[a-z]+$/.test(word)) continue;
      const id = this.words.push(word) - 1;
      for (const variant of deletionsOf(word, MAX_DISTANCE)) {
        const list = this.deletes.get(variant);
        if (list) list.push(id);
        else this.deletes.set(variant, [id]);
      }
    }
  }

  /**
   * Words of the vocabulary within the allowed distance of `input` (and within `limit`), nearest first, the input
   * itself excluded.
   */
  lookup(input: string, limit = MAX_DISTANCE): FuzzyCandidate[] {
    const max = Math.min(limit, allowedDistance(input.length));
    if (max === 0 || !/^[a-z]+$/.test(input)) return [];
    const seen = new Set<number>();
    const found: FuzzyCandidate[] = [];
    for (const variant of deletionsOf(input, max)) {
      const ids = this.deletes.get(variant);
      if (!ids) continue;
      for (const id of ids) {
        if (seen.has(id)) continue;
        seen.add(id);
        const word = this.words[id] as string;
        if (word === input || Math.abs(word.length - input.length) > max) continue;
        const distance = osaDistance(input, word, max);
        if (distance <= max && distance <= allowedDistance(word.length)) found.push({ word, distance });
      }
    }
    return found.sort((a, b) => a.distance - b.distance);
  }
}

/** The word itself and every string obtained by deleting 1..max letters. */
function deletionsOf(word: string, max: number): Set<string> {
  const out = new Set<string>([word]);
  let frontier = [word];
  for (let d = 0; d < max; d++) {
    const next: string[] = [];
    for (const w of frontier) {
      if (w.length <= 1) continue;
      for (let i = 0; i < w.length; i++) {
        const v = w.slice(0, i) + w.slice(i + 1);
        if (!out.has(v)) {
          out.add(v);
          next.push(v);
        }
      }
    }
    frontier = next;
  }
  return out;
}

/** Three rows of the distance table, reused by every call (words here are syllables: short). */
let rows = [new Int32Array(32), new Int32Array(32), new Int32Array(32)];

/** Optimal string alignment distance, giving up (returning max + 1) once it exceeds `max`. */
export function osaDistance(a: string, b: string, max: number): number {
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > max) return max + 1;
  if ((rows[0] as Int32Array).length <= m) rows = [new Int32Array(m + 1), new Int32Array(m + 1), new Int32Array(m + 1)];
  let [prevPrev, prev, cur] = rows as [Int32Array, Int32Array, Int32Array];
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= m; j++) {
      const bj = b.charCodeAt(j - 1);
      const cost = ai === bj ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) {
        v = Math.min(v, (prevPrev[j - 2] as number) + 1);
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prevPrev, prev, cur] = [prev, cur, prevPrev];
  }
  return prev[m] as number;
}
