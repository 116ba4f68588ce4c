import { ADMINISTRATIVE_UNITS, foldSyllable, foldText } from "@qn/shared";
import type { FuzzyVocabulary } from "./fuzzy";
import { FILLERS, SYNONYMS } from "./lexicon";

/**
 * Turns what a citizen typed into weighted search terms.
 *
 * A query is a list of *concepts*: one per word the citizen typed, or one per everyday phrase found in the lexicon.
 * Each concept has alternatives (the word itself, its typo corrections, the catalogue wording of a phrase); a
 * procedure matches a concept through its best alternative. Adjacent words also give *bigrams*, which reward
 * procedures whose wording keeps the citizen's word order ("khai sinh" before "sinh khai").
 */

export type Alternative = {
  terms: string[];
  /** How much we trust this reading: 1 for the words as typed, less for corrections and expansions. */
  quality: number;
  /**
   * A guess from spelling alone (an edit or a spelling confusion), not confirmed by the neighbouring words. A query
   * matched only by guesses is probably about something else: guesses count less towards covering the query.
   */
  guess?: true;
};

export type Concept = {
  /** Importance of the concept in the query: 1 for a content word, less for question words and politeness. */
  weight: number;
  alternatives: Alternative[];
};

export type ParsedQuery = {
  /** National codes written in full (`1.001193`, also inside `1.001193.000.00.00.H49`). */
  codes: string[];
  /** Partial codes such as `1.0011`, matched as prefixes. */
  codePrefixes: string[];
  concepts: Concept[];
  /** Adjacent word pairs ("khai sinh") from the reading as typed and from each expansion. */
  bigrams: { term: string; weight: number }[];
  /** The query in the catalogue's words: everyday phrases replaced by their first expansion, typos corrected. */
  canonical: string[];
};

export interface Vocabulary {
  has(term: string): boolean;
  documentFrequency(term: string): number;
  fuzzy: FuzzyVocabulary;
}

type PhraseRule = { tokens: string[]; expansions: string[][] | null; weight: number; place?: true };

/** Lexicon phrases, folded, longest first so that "sang tên sổ đỏ" wins over "sổ đỏ". */
const PHRASE_RULES: PhraseRule[] = (() => {
  const rules = new Map<string, PhraseRule>();
  for (const [phrases, expansions] of SYNONYMS) {
    const folded = expansions.map((e) => foldText(e).split(" "));
    for (const phrase of phrases) {
      const key = foldText(phrase);
      const existing = rules.get(key);
      if (existing?.expansions) existing.expansions.push(...folded.filter((f) => f.join(" ") !== key));
      else rules.set(key, { tokens: key.split(" "), expansions: folded.filter((f) => f.join(" ") !== key), weight: 1 });
    }
  }
  for (const [phrase, weight] of FILLERS) {
    const key = foldText(phrase);
    if (!rules.has(key)) rules.set(key, { tokens: key.split(" "), expansions: null, weight });
  }
  // Place names say where the citizen lives, not which procedure: "khai tử … tại Hạ Long".
  for (const unit of ADMINISTRATIVE_UNITS) {
    for (const name of [unit.name, unit.fullName]) {
      const key = foldText(name);
      if (key.includes(" ") && !rules.has(key)) {
        rules.set(key, { tokens: key.split(" "), expansions: null, weight: 0.1, place: true });
      }
    }
  }
  return [...rules.values()].sort((a, b) => b.tokens.length - a.tokens.length);
})();

const MAX_PHRASE_LENGTH = Math.max(...PHRASE_RULES.map((r) => r.tokens.length));
/** Every word the lexicon knows: such a word is never "repaired" into a catalogue word before phrases are matched. */
const LEXICON_WORDS = new Set(PHRASE_RULES.flatMap((r) => r.tokens));
const RULES_BY_KEY = new Map(PHRASE_RULES.map((r) => [r.tokens.join(" "), r]));

const FULL_CODE = /(?<![\d.])(\d\.\d{6})(?:\.[0-9a-z.]*)?(?![\d])/gi;
const PARTIAL_CODE = /^\d\.\d{2,5}$/;

/** Initial consonants citizens confuse in writing (s/x, ch/tr, d/gi/r, l/n) and finals (c/t, n/ng). */
const INITIAL_CONFUSIONS: [string, string[]][] = [
  ["gi", ["d", "r"]],
  ["ch", ["tr"]],
  ["tr", ["ch"]],
  ["s", ["x"]],
  ["x", ["s"]],
  ["d", ["gi", "r"]],
  ["r", ["d", "gi"]],
  ["l", ["n"]],
  ["n", ["l"]],
];
const FINAL_CONFUSIONS: [string, string][] = [
  ["ng", "n"],
  ["n", "ng"],
  ["c", "t"],
  ["t", "c"],
];

export function parseQuery(raw: string, vocab: Vocabulary): ParsedQuery {
  const codes: string[] = [];
  const text = raw.replace(FULL_CODE, (_m, code: string) => {
    codes.push(code);
    return " ";
  });
  const tokens = foldText(text).split(" ").filter(Boolean);
  const codePrefixes = tokens.filter((t) => PARTIAL_CODE.test(t));
  const typed = tokens.filter((t) => !PARTIAL_CODE.test(t)).flatMap((t) => repairJoined(t, vocab));
  // Everyday phrases are recognised on the repaired words too: "làm giấy khai sihn" is "làm giấy khai sinh".
  const words = typed.map((w) =>
    vocab.has(w) || LEXICON_WORDS.has(w) ? w : (wordAlternatives(w, vocab)[0]?.terms[0] ?? w),
  );

  const concepts: Concept[] = [];
  const bigrams = new Map<string, number>();
  const addBigrams = (seq: string[], weight: number) => {
    for (let i = 0; i + 1 < seq.length; i++) {
      const term = `${seq[i]} ${seq[i + 1]}`;
      if (vocab.has(term)) bigrams.set(term, Math.max(bigrams.get(term) ?? 0, weight));
    }
  };

  // The reading used for bigrams: each word replaced by its best correction.
  const reading: string[] = [];
  /** Concepts of single typed words, with their place in the reading, for the correction in context below. */
  const single: { concept: Concept; at: number }[] = [];
  const canonical: string[] = [];
  let i = 0;
  while (i < words.length) {
    const rule = matchPhrase(words, i, vocab);
    if (rule?.expansions) {
      const original = rule.tokens;
      const alternatives: Alternative[] = [{ terms: original, quality: 1 }];
      for (const expansion of rule.expansions) {
        alternatives.push({ terms: expansion, quality: 0.9 });
        addBigrams(expansion, 0.9);
      }
      concepts.push({ weight: 1 + 0.25 * (original.length - 1), alternatives });
      reading.push(...original);
      canonical.push(...(rule.expansions[0] ?? original));
      i += original.length;
      continue;
    }
    const weight = rule ? rule.weight : 1;
    const span = rule ? rule.tokens : [typed[i] as string];
    for (const word of span) {
      const alternatives = wordAlternatives(word, vocab);
      const concept = { weight, alternatives };
      concepts.push(concept);
      single.push({ concept, at: reading.length });
      reading.push(alternatives[0]?.terms[0] ?? word);
      canonical.push(alternatives[0]?.terms[0] ?? word);
    }
    i += span.length;
  }
  correctInContext(single, reading, vocab);
  addBigrams(reading, 1);
  return {
    codes,
    codePrefixes,
    concepts,
    bigrams: [...bigrams].map(([term, weight]) => ({ term, weight })),
    canonical,
  };
}

function matchPhrase(words: string[], start: number, vocab: Vocabulary): PhraseRule | undefined {
  for (let len = Math.min(MAX_PHRASE_LENGTH, words.length - start); len >= 1; len--) {
    const rule = RULES_BY_KEY.get(words.slice(start, start + len).join(" "));
    // A place name that is also a pair of words of the catalogue is read as words: "Kỳ Thượng" folds like the
    // "ký thường" of "đăng ký thường trú".
    if (rule?.place && rule.tokens.some((t, k) => k > 0 && vocab.has(`${rule.tokens[k - 1]} ${t}`))) continue;
    if (rule) return rule;
  }
  return undefined;
}

/**
 * The readings of one typed word, best first: itself when the catalogue knows it, then spellings fixed for telex
 * typed without a Vietnamese keyboard ("ddawng kys" → "dang ki"), common spelling confusions (s/x, ch/tr, d/gi/r)
 * and typos within one or two edits. A word nothing can explain keeps itself as its only (unmatched) reading.
 */
export function wordAlternatives(word: string, vocab: Vocabulary): Alternative[] {
  const out: Alternative[] = [];
  const seen = new Set<string>();
  const add = (term: string, quality: number, guess = false) => {
    if (seen.has(term) || !vocab.has(term)) return;
    seen.add(term);
    out.push(guess ? { terms: [term], quality, guess } : { terms: [term], quality });
  };
  add(word, 1);
  const known = out.length > 0;
  const df = vocab.documentFrequency(word);
  // Spelling confusions are tried even for known words when the confused spelling is far more common.
  for (const variant of confusions(word)) {
    if (!known || vocab.documentFrequency(variant) > 4 * (df + 1)) add(variant, known ? 0.5 : 0.8, true);
  }
  if (!known) {
    const telex = fromTelex(word);
    if (telex !== word) add(telex, 0.95);
    const stripped = word.replace(/\d+/g, "");
    if (stripped && stripped !== word) add(foldSyllable(stripped), 0.9);
    const candidates = vocab.fuzzy.lookup(telex !== word && !vocab.has(telex) ? telex : word);
    // Nearest first; among equals, the more common word first; at most three readings.
    candidates.sort(
      (a, b) => a.distance - b.distance || vocab.documentFrequency(b.word) - vocab.documentFrequency(a.word),
    );
    for (const c of candidates.slice(0, 3)) add(c.word, c.distance === 1 ? 0.7 : 0.45, true);
  }
  if (out.length === 0) out.push({ terms: [word], quality: 0 });
  return out;
}

function* confusions(word: string): Generator<string> {
  for (const [from, tos] of INITIAL_CONFUSIONS) {
    if (word.startsWith(from) && word.length > from.length) {
      for (const to of tos) yield foldSyllable(to + word.slice(from.length));
      break;
    }
  }
  for (const [from, to] of FINAL_CONFUSIONS) {
    if (word.endsWith(from) && word.length > from.length + 1) {
      yield word.slice(0, -from.length) + to;
      break;
    }
  }
}

/**
 * Chooses between readings with the neighbouring words. A correction of an unknown word that makes a pair of the
 * catalogue with a neighbour is preferred ("bằg lái": "bằng", not "bản"). And a real word can still be the wrong one:
 * "thường chú" is "thường trú" misspelt (ch/tr) although "chú" is a word; when a word pairs with neither neighbour but
 * a spelling confusion or a one-letter neighbour of it does, that reading is added. Two passes let fixes settle.
 */
function correctInContext(single: { concept: Concept; at: number }[], reading: string[], vocab: Vocabulary): void {
  const readingsAt = new Map<number, Concept>(single.map(({ concept, at }) => [at, concept]));
  const options = (at: number): string[] => {
    const concept = readingsAt.get(at);
    if (!concept) return reading[at] === undefined ? [] : [reading[at] as string];
    return concept.alternatives.filter((a) => a.quality > 0).map((a) => a.terms[0] as string);
  };
  const pairs = (word: string, at: number) =>
    options(at - 1).some((prev) => vocab.has(`${prev} ${word}`)) ||
    options(at + 1).some((next) => vocab.has(`${word} ${next}`));
  if (reading.length < 2) return;
  const respellings = new Map<string, string[]>();
  const respell = (word: string): string[] => {
    let found = respellings.get(word);
    if (!found) {
      found = [...confusions(word), ...vocab.fuzzy.lookup(word, 1).map((c) => c.word)];
      respellings.set(word, found);
    }
    return found;
  };
  for (let pass = 0; pass < 2; pass++) {
    for (const { concept, at } of single) {
      const alternatives = concept.alternatives;
      const best = alternatives[0];
      // Question words and kinship words ("ông", "nội") are not worth correcting: they carry no subject.
      if (!best || best.quality === 0 || concept.weight < 0.5) continue;
      if (best.quality < 1) {
        // A corrected word: the correction that pairs with a neighbour goes first.
        const k = alternatives.findIndex((a) => pairs(a.terms[0] as string, at));
        if (k > 0) {
          const [chosen] = alternatives.splice(k, 1);
          // Confirmed by its neighbour: no longer a guess.
          if (chosen) alternatives.unshift({ terms: chosen.terms, quality: Math.max(chosen.quality, 0.8) });
        }
      } else if (!pairs(best.terms[0] as string, at)) {
        const word = best.terms[0] as string;
        const fix = respell(word).find(
          (c) => c !== word && vocab.has(c) && pairs(c, at) && !alternatives.some((a) => a.terms[0] === c),
        );
        if (fix) alternatives.push({ terms: [fix], quality: 0.85 });
      }
      const chosen = alternatives.find((a) => pairs(a.terms[0] as string, at)) ?? alternatives[0];
      reading[at] = (chosen?.terms[0] ?? reading[at]) as string;
    }
  }
}

/**
 * Reads Vietnamese typed in telex without conversion: tone keys (s f r x j) after the first letter are dropped,
 * doubled vowels and "w" lose their marks, "dd" is "đ". No Vietnamese syllable has f, j, w or z, nor s, x or r
 * after its first letter (except the initial "tr"), so these letters can only be telex keys.
 */
export function fromTelex(word: string): string {
  if (!/^[a-z]+$/.test(word)) return word;
  let w = word.replace(/^dd/, "d");
  const head = w.startsWith("tr") ? "tr" : (w[0] ?? "");
  let tail = w.slice(head.length).replace(/[sfrxjz]/g, "");
  tail = tail
    .replace(/uow/g, "uo")
    .replace(/aw|aa/g, "a")
    .replace(/ee/g, "e")
    .replace(/oo|ow/g, "o")
    .replace(/uw/g, "u");
  tail = tail.replace(/w/g, "u");
  w = head + tail;
  return foldSyllable(w);
}

/** "khaisinh" → ["khai", "sinh"] when the word is unknown and splits into two known syllables. */
function repairJoined(word: string, vocab: Vocabulary): string[] {
  if (word.length < 5 || vocab.has(word) || !/^[a-z]+$/.test(word)) return [word];
  for (let cut = 2; cut <= word.length - 2; cut++) {
    const left = foldSyllable(word.slice(0, cut));
    const right = foldSyllable(word.slice(cut));
    if (vocab.has(left) && vocab.has(right) && vocab.has(`${left} ${right}`)) return [left, right];
  }
  return [word];
}
