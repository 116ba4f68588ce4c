import { foldText, foldTokens, type OnlineLevel, type Procedure, type ProcedureLevel } from "@qn/shared";
import { FuzzyVocabulary } from "./fuzzy";
import { type ParsedQuery, parseQuery, type Vocabulary } from "./query-parser";
import { countGroups, VariantMarkers } from "./variant-markers";

/**
 * The procedure search engine: an in-memory inverted index over folded Vietnamese syllables and syllable pairs,
 * scored with BM25F (fields weighted: name, citizens' aliases, field, result, agency), then adjusted for how much of
 * the query a procedure covers and how much of the procedure's name the query covers. The last factor is what tells
 * near-duplicates apart: "đăng ký khai sinh" covers all of "Đăng ký khai sinh" but only half of "Đăng ký khai sinh
 * có yếu tố nước ngoài", so the variant wins only when the query asks for it. See docs/decisions/0003.
 *
 * Terms are interned to integers and every per-query buffer is a typed array stamped with a generation number, so a
 * query allocates almost nothing whatever the size of the catalogue.
 */

export type SearchFilters = {
  level?: ProcedureLevel | undefined;
  field?: string | undefined;
  onlineLevel?: OnlineLevel | undefined;
};

export type SearchRequest = SearchFilters & { q?: string | undefined; limit: number; offset: number };

export type SearchHit<T> = { item: T; score: number };

/** The fields of a procedure the index reads. */
export type Searchable = Pick<
  Procedure,
  "code" | "name" | "field" | "level" | "agency" | "onlineLevel" | "aliases" | "result"
>;

const FIELD_BOOSTS = { name: 3, aliases: 2.2, field: 0.7, result: 0.5, agency: 0.3 } as const;
type FieldName = keyof typeof FIELD_BOOSTS;
const FIELDS = Object.keys(FIELD_BOOSTS) as FieldName[];
/** Fields whose word order is indexed (syllable pairs); result and agency texts only add their words. */
const PAIRED_FIELDS = new Set<FieldName>(["name", "aliases", "field"]);
const K1 = 1.2;
const B = 0.75;
const BIGRAM_WEIGHT = 0.8;
/**
 * A procedure is a match when it covers enough of the query's weighted words: half of them, or, for long questions
 * whose best match covers less, half of what the best match covers (never below 30%)...
 */
const MIN_COVERAGE = 0.5;
const RELATIVE_COVERAGE = 0.5;
const MIN_COVERAGE_FLOOR = 0.3;
/** A name with a variant the query does not ask for (× per variant), a query variant the procedure lacks (×). */
const UNASKED_VARIANT = 0.7;
const MISSING_VARIANT = 0.65;
const QUERY_MARKERS = VariantMarkers.ofWords();
/** Corrections (typos, confusions) towards words in more than this share of procedures are not tried. */
const COMMON_CORRECTION = 0.25;
/** Words with a lower inverse document frequency (in more than ~80% of procedures) are treated as stop words. */
const MIN_IDF = 0.2;
/** A rare word weighs at most this much in the coverage, so that one unusual word cannot hide the subject. */
const MAX_INFORMATIVENESS = 3;
/** ...and scores at least this share of the best match. */
const MIN_RELATIVE_SCORE = 0.2;
/** Separates aliases inside the aliases field, so that no bigram spans two of them. */
const SEPARATOR = -1;
/** Bigram keys: a * 2^26 + b stays an exact integer for vocabularies up to 67 million terms. */
const PAIR = 2 ** 26;

/** A growable list of document numbers with a generation stamp per document: O(1) "seen in this pass?". */
class DocSet {
  readonly list: Int32Array;
  length = 0;
  private readonly stamp: Uint32Array;
  private generation = 1;
  constructor(size: number) {
    this.list = new Int32Array(size);
    this.stamp = new Uint32Array(size);
  }
  /** Adds `doc` if absent; returns true when it was absent. */
  add(doc: number): boolean {
    if (this.stamp[doc] === this.generation) return false;
    this.stamp[doc] = this.generation;
    this.list[this.length++] = doc;
    return true;
  }
  has(doc: number): boolean {
    return this.stamp[doc] === this.generation;
  }
  clear(): void {
    this.length = 0;
    this.generation++;
    if (this.generation === 0xffffffff) {
      this.stamp.fill(0);
      this.generation = 1;
    }
  }
}

export class ProcedureSearchIndex<T extends Searchable> implements Vocabulary {
  readonly fuzzy: FuzzyVocabulary;
  private readonly unigramIds = new Map<string, number>();
  private readonly bigramIds = new Map<number, number>();
  private readonly postingDocs: Int32Array[] = [];
  private readonly postingWeights: Float32Array[] = [];
  private readonly idf: Float64Array;
  private readonly nameTerms: Int32Array[];
  private readonly byCode = new Map<string, number>();
  private readonly foldedFields: string[];
  /** Variant markers (bit masks) in each name, and in each name with its aliases. */
  private readonly nameVariants: Int32Array;
  private readonly textVariants: Int32Array;
  private alphabetical: Int32Array | undefined;
  // Scratch space reused by every query (Node runs one request handler at a time).
  private readonly score: Float64Array;
  private readonly coverage: Float64Array;
  private readonly conceptScore: Float64Array;
  private readonly conceptCoverage: Float64Array;
  private readonly altScore: Float64Array;
  private readonly altCoverage: Float64Array;
  private readonly touched: DocSet;
  private readonly conceptDocs: DocSet;
  private readonly altDocs: DocSet;
  /** Procedures matched by at least one reading that is not a mere spelling guess. */
  private readonly anchored: DocSet;
  private readonly queryTermStamp: Uint32Array;
  private queryGeneration = 0;

  private constructor(readonly docs: readonly T[]) {
    const n = docs.length;
    // Pass 1: fold and intern each distinct text of each field once (field, agency and result texts repeat across
    // procedures); remember which text each procedure has, and the field lengths for BM25's length normalisation.
    type Entry = { ids: Int32Array; terms?: Int32Array; weights?: Float64Array };
    const folds = new Map<string, Int32Array>();
    const idsOf = (text: string): Int32Array => {
      let ids = folds.get(text);
      if (!ids) {
        ids = Int32Array.from(foldTokens(text), (t) => this.internUnigram(t));
        folds.set(text, ids);
      }
      return ids;
    };
    const entries = FIELDS.map(() => new Map<string, Entry>());
    const totalLength = FIELDS.map(() => 0);
    const docEntries: Entry[][] = new Array(n);
    for (let i = 0; i < n; i++) {
      const doc = docs[i] as T;
      const mine: Entry[] = new Array(FIELDS.length);
      FIELDS.forEach((f, fi) => {
        const text = f === "aliases" ? (doc.aliases ?? []).join("\n") : (doc[f] ?? "");
        const map = entries[fi] as Map<string, Entry>;
        let entry = map.get(text);
        if (!entry) {
          let ids: Int32Array;
          if (f === "aliases") {
            const out: number[] = [];
            for (const alias of doc.aliases ?? []) out.push(...idsOf(alias), SEPARATOR);
            ids = Int32Array.from(out);
          } else {
            ids = idsOf(text);
          }
          entry = { ids };
          map.set(text, entry);
        }
        totalLength[fi] = (totalLength[fi] as number) + entry.ids.length;
        mine[fi] = entry;
      });
      docEntries[i] = mine;
      this.byCode.set(doc.code, i);
    }

    // Pass 2: a text contributes the same BM25 weights to every procedure that has it: compute them once per text.
    // Term counts in a dense array: its size bounds every unigram plus one pair per word of the paired fields.
    let pairBound = this.nextId + 1;
    FIELDS.forEach((f, fi) => {
      if (PAIRED_FIELDS.has(f)) pairBound += totalLength[fi] as number;
    });
    const counts = new Int32Array(pairBound);
    const seen: number[] = [];
    const count = (term: number) => {
      if (counts[term] === 0) seen.push(term);
      counts[term] = (counts[term] as number) + 1;
    };
    FIELDS.forEach((f, fi) => {
      const avg = Math.max(1, (totalLength[fi] as number) / Math.max(1, n));
      const boost = FIELD_BOOSTS[f];
      const paired = PAIRED_FIELDS.has(f);
      for (const entry of (entries[fi] as Map<string, Entry>).values()) {
        const ids = entry.ids;
        seen.length = 0;
        for (let k = 0; k < ids.length; k++) {
          const a = ids[k] as number;
          if (a === SEPARATOR) continue;
          count(a);
          const b = ids[k + 1];
          if (paired && b !== undefined && b !== SEPARATOR) count(this.internBigram(a, b));
        }
        const norm = K1 * (1 - B + (B * ids.length) / avg);
        const terms = Int32Array.from(seen);
        const weights = new Float64Array(seen.length);
        for (let j = 0; j < seen.length; j++) {
          const c = counts[seen[j] as number] as number;
          weights[j] = (boost * c * (K1 + 1)) / (c + norm);
          counts[seen[j] as number] = 0;
        }
        entry.terms = terms;
        entry.weights = weights;
      }
    });

    // Pass 3: sum the fields of each procedure in a dense scratch array into one flat list of (term, weight), then
    // scatter it into postings of the exact size (100k procedures make some 10 million postings: no growing lists).
    const terms = this.nextId;
    const scratch = new Float64Array(terms);
    const df = new Int32Array(terms);
    let flatTerms = new Int32Array(1 << 16);
    let flatWeights = new Float32Array(1 << 16);
    const docStart = new Int32Array(n + 1);
    let used = 0;
    const present: number[] = [];
    for (let i = 0; i < n; i++) {
      present.length = 0;
      for (const entry of docEntries[i] as Entry[]) {
        const t = entry.terms as Int32Array;
        const w = entry.weights as Float64Array;
        for (let j = 0; j < t.length; j++) {
          const term = t[j] as number;
          if (scratch[term] === 0) present.push(term);
          scratch[term] = (scratch[term] as number) + (w[j] as number);
        }
      }
      if (used + present.length > flatTerms.length) {
        const size = Math.max(flatTerms.length * 2, used + present.length);
        const grownTerms = new Int32Array(size);
        grownTerms.set(flatTerms.subarray(0, used));
        flatTerms = grownTerms;
        const grownWeights = new Float32Array(size);
        grownWeights.set(flatWeights.subarray(0, used));
        flatWeights = grownWeights;
      }
      for (const term of present) {
        flatTerms[used] = term;
        flatWeights[used] = scratch[term] as number;
        used++;
        df[term] = (df[term] as number) + 1;
        scratch[term] = 0;
      }
      docStart[i + 1] = used;
    }
    for (let t = 0; t < terms; t++) {
      this.postingDocs.push(new Int32Array(df[t] as number));
      this.postingWeights.push(new Float32Array(df[t] as number));
    }
    const fill = new Int32Array(terms);
    for (let i = 0; i < n; i++) {
      for (let k = docStart[i] as number; k < (docStart[i + 1] as number); k++) {
        const term = flatTerms[k] as number;
        const at = fill[term] as number;
        (this.postingDocs[term] as Int32Array)[at] = i;
        (this.postingWeights[term] as Float32Array)[at] = flatWeights[k] as number;
        fill[term] = at + 1;
      }
    }
    this.idf = new Float64Array(terms);
    for (let t = 0; t < terms; t++) {
      const count = df[t] as number;
      this.idf[t] = Math.log(1 + (n - count + 0.5) / (count + 0.5));
    }

    // The distinct words of each name, for the name-coverage factor.
    const seenInName = new Int32Array(terms).fill(-1);
    this.nameTerms = docEntries.map((mine, i) => {
      const ids = (mine[0] as Entry).ids;
      const unique: number[] = [];
      for (const id of ids) {
        if (seenInName[id] !== i) {
          seenInName[id] = i;
          unique.push(id);
        }
      }
      return Int32Array.from(unique);
    });
    const markers = VariantMarkers.ofIds((word) => this.unigramIds.get(word));
    this.nameVariants = Int32Array.from(docEntries, (mine) => markers.mask((mine[0] as Entry).ids));
    this.textVariants = Int32Array.from(docEntries, (_mine, i) => {
      let mask = this.nameVariants[i] as number;
      for (const alias of (docs[i] as T).aliases ?? []) mask |= markers.mask(idsOf(alias));
      return mask;
    });
    const foldedField = new Map<string, string>();
    this.foldedFields = docs.map((d) => {
      let f = foldedField.get(d.field);
      if (f === undefined) {
        f = foldText(d.field);
        foldedField.set(d.field, f);
      }
      return f;
    });
    this.fuzzy = new FuzzyVocabulary(this.unigramIds.keys());

    this.score = new Float64Array(n);
    this.coverage = new Float64Array(n);
    this.conceptScore = new Float64Array(n);
    this.conceptCoverage = new Float64Array(n);
    this.altScore = new Float64Array(n);
    this.altCoverage = new Float64Array(n);
    this.touched = new DocSet(n);
    this.conceptDocs = new DocSet(n);
    this.altDocs = new DocSet(n);
    this.anchored = new DocSet(n);
    this.queryTermStamp = new Uint32Array(terms);
  }

  static build<T extends Searchable>(docs: readonly T[]): ProcedureSearchIndex<T> {
    return new ProcedureSearchIndex(docs);
  }

  get size(): number {
    return this.docs.length;
  }

  private nextId = 0;
  private internUnigram(term: string): number {
    let id = this.unigramIds.get(term);
    if (id === undefined) {
      id = this.nextId++;
      this.unigramIds.set(term, id);
    }
    return id;
  }
  private internBigram(a: number, b: number): number {
    const key = a * PAIR + b;
    let id = this.bigramIds.get(key);
    if (id === undefined) {
      id = this.nextId++;
      this.bigramIds.set(key, id);
    }
    return id;
  }

  /** The id of a term ("khai" or the pair "khai sinh"), or -1 when no procedure has it. */
  private termId(term: string): number {
    const space = term.indexOf(" ");
    if (space < 0) return this.unigramIds.get(term) ?? -1;
    const a = this.unigramIds.get(term.slice(0, space));
    const b = this.unigramIds.get(term.slice(space + 1));
    if (a === undefined || b === undefined) return -1;
    return this.bigramIds.get(a * PAIR + b) ?? -1;
  }

  has(term: string): boolean {
    return this.termId(term) >= 0;
  }

  documentFrequency(term: string): number {
    const id = this.termId(term);
    return id < 0 ? 0 : (this.postingDocs[id] as Int32Array).length;
  }

  getByCode(code: string): T | undefined {
    const i = this.byCode.get(code);
    return i === undefined ? undefined : this.docs[i];
  }

  /** Best match first. Without words, every procedure that passes the filters, in Vietnamese alphabetical order. */
  search(request: SearchRequest): { hits: SearchHit<T>[]; total: number } {
    const q = request.q?.trim() ?? "";
    const accept = this.filter(request);
    if (q === "") {
      const all: number[] = [];
      for (const i of this.alphabeticalOrder()) if (accept(i)) all.push(i);
      return {
        total: all.length,
        hits: all
          .slice(request.offset, request.offset + request.limit)
          .map((i) => ({ item: this.docs[i] as T, score: 0 })),
      };
    }
    const { ranked, total } = this.rank(parseQuery(q, this), accept, request.offset + request.limit);
    return {
      total,
      hits: ranked.slice(request.offset).map(({ doc, score }) => ({ item: this.docs[doc] as T, score })),
    };
  }

  /** Sorting 100k names with a Vietnamese collator takes a while: done on first need, not at build. */
  private alphabeticalOrder(): Int32Array {
    if (!this.alphabetical) {
      const collator = new Intl.Collator("vi");
      const order = this.docs.map((_, i) => i);
      order.sort((a, b) => collator.compare((this.docs[a] as T).name, (this.docs[b] as T).name));
      this.alphabetical = Int32Array.from(order);
    }
    return this.alphabetical;
  }

  private filter(f: SearchFilters): (doc: number) => boolean {
    const field = f.field ? foldText(f.field) : undefined;
    if (!f.level && !field && !f.onlineLevel) return () => true;
    return (i) => {
      const d = this.docs[i] as T;
      return (
        (!f.level || d.level === f.level) &&
        (!f.onlineLevel || d.onlineLevel === f.onlineLevel) &&
        (!field || this.foldedFields[i] === field)
      );
    };
  }

  private rank(
    parsed: ParsedQuery,
    accept: (doc: number) => boolean,
    wanted: number,
  ): { ranked: { doc: number; score: number }[]; total: number } {
    // Codes first: a full code is exact, a partial code lists the procedures it starts.
    const exact: { doc: number; score: number }[] = [];
    const seen = new Set<number>();
    for (const code of parsed.codes) {
      const i = this.byCode.get(code);
      if (i !== undefined && !seen.has(i) && accept(i)) {
        seen.add(i);
        exact.push({ doc: i, score: Number.POSITIVE_INFINITY });
      }
    }
    if (parsed.codePrefixes.length > 0) {
      const prefixed: number[] = [];
      for (const [code, i] of this.byCode) {
        if (!seen.has(i) && accept(i) && parsed.codePrefixes.some((p) => code.startsWith(p))) {
          seen.add(i);
          prefixed.push(i);
        }
      }
      prefixed.sort((a, b) => (this.docs[a] as T).code.localeCompare((this.docs[b] as T).code));
      for (const doc of prefixed) exact.push({ doc, score: Number.MAX_VALUE });
    }
    const text = this.rankText(parsed, (d) => !seen.has(d) && accept(d), Math.max(0, wanted - exact.length));
    return { ranked: [...exact, ...text.top].slice(0, wanted), total: exact.length + text.total };
  }

  private rankText(
    parsed: ParsedQuery,
    accept: (doc: number) => boolean,
    wanted: number,
  ): { top: { doc: number; score: number }[]; total: number } {
    const {
      score,
      coverage,
      conceptScore,
      conceptCoverage,
      altScore,
      altCoverage,
      touched,
      conceptDocs,
      altDocs,
      anchored,
    } = this;
    anchored.clear();
    const generation = ++this.queryGeneration;
    touched.clear();
    let totalWeight = 0;

    // Words found in almost every procedure ("cấp" of "Ủy ban nhân dân cấp xã") weigh next to nothing but cost the
    // most to add up: like stop words, they are left out, unless the query has nothing else.
    const ids = (terms: string[]) => terms.map((t) => this.termId(t)).filter((id) => id >= 0);
    const informative = parsed.concepts.some((c) =>
      c.alternatives.some((a) => ids(a.terms).some((id) => (this.idf[id] as number) >= MIN_IDF)),
    );
    // Each concept's importance: its weight times how informative its best-known reading is.
    const common = this.docs.length * COMMON_CORRECTION;
    const prepared = parsed.concepts.map((concept) => {
      // A correction towards a very common word says little and costs much: kept only for words typed as such.
      const readings = concept.alternatives.filter(
        (alt, k) =>
          k === 0 ||
          alt.quality === 1 ||
          alt.terms.length > 1 ||
          this.documentFrequency(alt.terms[0] as string) <= common,
      );
      const alternatives = readings.map((alt) => ({
        quality: alt.quality,
        trust: alt.guess ? alt.quality * alt.quality : alt.quality,
        guess: alt.guess === true,
        ids: ids(alt.terms).filter((id) => !informative || (this.idf[id] as number) >= MIN_IDF),
        count: alt.terms.length,
      }));
      let informativeness = 0;
      let postings = 0;
      for (const alt of alternatives) {
        if (alt.ids.length === 0) continue;
        let sum = 0;
        for (const id of alt.ids) {
          sum += this.idf[id] as number;
          postings += (this.postingDocs[id] as Int32Array).length;
        }
        informativeness = Math.max(informativeness, Math.min(MAX_INFORMATIVENESS, sum / alt.ids.length));
      }
      return { concept, alternatives, conceptWeight: concept.weight * informativeness, postings };
    });
    for (const p of prepared) totalWeight += p.conceptWeight;
    // Rare words first. Once the concepts left weigh less than the coverage floor, a procedure none of the earlier
    // concepts touched can no longer become a match: the common words left only add to procedures already touched.
    // Exact (the floor would drop those procedures anyway), and it spares most of the work of "đăng ký", "cấp"...
    prepared.sort((a, b) => a.postings / (a.conceptWeight || 1e-9) - b.postings / (b.conceptWeight || 1e-9));
    let remainingWeight = totalWeight;

    for (const { concept, alternatives, conceptWeight } of prepared) {
      if (conceptWeight === 0) continue;
      const mayAdd = remainingWeight >= MIN_COVERAGE_FLOOR * totalWeight;
      remainingWeight -= conceptWeight;

      const usable = alternatives.filter((alt) => alt.quality > 0 && alt.ids.length > 0);
      const only = usable.length === 1 && usable[0]?.ids.length === 1 ? usable[0] : undefined;
      if (only) {
        // The common case, one word read one way: straight into the procedure's totals.
        const id = only.ids[0] as number;
        this.queryTermStamp[id] = generation;
        const docs = this.postingDocs[id] as Int32Array;
        const weights = this.postingWeights[id] as Float32Array;
        const gain = ((concept.weight * only.quality) / Math.max(1, only.count / 2)) * (this.idf[id] as number);
        const covered = conceptWeight * only.trust;
        for (let k = 0; k < docs.length; k++) {
          const d = docs[k] as number;
          if (!mayAdd && !touched.has(d)) continue;
          if (touched.add(d)) {
            score[d] = 0;
            coverage[d] = 0;
          }
          if (!only.guess) anchored.add(d);
          score[d] = (score[d] as number) + gain * (weights[k] as number);
          coverage[d] = (coverage[d] as number) + covered;
        }
        continue;
      }
      conceptDocs.clear();
      for (const alt of usable) {
        // Long expansions are scaled to the length of what was typed, so "sổ đỏ" does not outweigh the rest.
        const scale = (concept.weight * alt.quality) / Math.max(1, alt.count / 2);
        if (alt.ids.length === 1) {
          // One term: its postings are the alternative's scores, no need to add terms up first.
          const id = alt.ids[0] as number;
          this.queryTermStamp[id] = generation;
          const docs = this.postingDocs[id] as Int32Array;
          const weights = this.postingWeights[id] as Float32Array;
          const gain = scale * (this.idf[id] as number);
          for (let k = 0; k < docs.length; k++) {
            const d = docs[k] as number;
            if (!mayAdd && !touched.has(d)) continue;
            if (!alt.guess) anchored.add(d);
            const s = gain * (weights[k] as number);
            if (conceptDocs.add(d)) {
              conceptScore[d] = s;
              conceptCoverage[d] = alt.trust;
            } else {
              if (s > (conceptScore[d] as number)) conceptScore[d] = s;
              if (alt.trust > (conceptCoverage[d] as number)) conceptCoverage[d] = alt.trust;
            }
          }
          continue;
        }
        altDocs.clear();
        let idfSum = 0;
        for (const id of alt.ids) idfSum += this.idf[id] as number;
        // Rarest words of the phrase first; a procedure first met on its common words ("đăng", "ký") that could not
        // reach the coverage floor even with every other concept is not started (it would be dropped at the end).
        const ordered = [...alt.ids].sort(
          (a, b) => (this.postingDocs[a] as Int32Array).length - (this.postingDocs[b] as Int32Array).length,
        );
        let remainingShare = 1;
        for (const id of ordered) {
          this.queryTermStamp[id] = generation;
          const docs = this.postingDocs[id] as Int32Array;
          const weights = this.postingWeights[id] as Float32Array;
          const idf = this.idf[id] as number;
          const share = idf / idfSum;
          const mayStart =
            mayAdd &&
            totalWeight - conceptWeight * (1 - alt.trust * remainingShare) >= MIN_COVERAGE_FLOOR * totalWeight;
          remainingShare -= share;
          for (let k = 0; k < docs.length; k++) {
            const d = docs[k] as number;
            if (!mayStart && !altDocs.has(d) && !conceptDocs.has(d) && !touched.has(d)) continue;
            if (altDocs.add(d)) {
              altScore[d] = 0;
              altCoverage[d] = 0;
            }
            anchored.add(d);
            altScore[d] = (altScore[d] as number) + scale * idf * (weights[k] as number);
            altCoverage[d] = (altCoverage[d] as number) + share;
          }
        }
        for (let k = 0; k < altDocs.length; k++) {
          const d = altDocs.list[k] as number;
          const s = altScore[d] as number;
          const c = (altCoverage[d] as number) * alt.trust;
          if (conceptDocs.add(d)) {
            conceptScore[d] = s;
            conceptCoverage[d] = c;
          } else {
            if (s > (conceptScore[d] as number)) conceptScore[d] = s;
            if (c > (conceptCoverage[d] as number)) conceptCoverage[d] = c;
          }
        }
      }
      for (let k = 0; k < conceptDocs.length; k++) {
        const d = conceptDocs.list[k] as number;
        if (!mayAdd && !touched.has(d)) continue;
        if (touched.add(d)) {
          score[d] = 0;
          coverage[d] = 0;
        }
        score[d] = (score[d] as number) + (conceptScore[d] as number);
        coverage[d] = (coverage[d] as number) + conceptWeight * (conceptCoverage[d] as number);
      }
    }
    // Word order: pairs of adjacent words found in the same order in the procedure.
    for (const { term, weight } of parsed.bigrams) {
      const id = this.termId(term);
      if (id < 0) continue;
      const docs = this.postingDocs[id] as Int32Array;
      const weights = this.postingWeights[id] as Float32Array;
      const bonus = BIGRAM_WEIGHT * weight * (this.idf[id] as number);
      for (let k = 0; k < docs.length; k++) {
        const d = docs[k] as number;
        if (touched.has(d)) score[d] = (score[d] as number) + bonus * (weights[k] as number);
      }
    }

    // Final scores: coverage of the query, coverage of the name, variants asked for or not. Then the matches above
    // the coverage and score floors, keeping the `wanted` best in a heap.
    const queryVariants = QUERY_MARKERS.mask(parsed.canonical);
    let bestCoverage = 0;
    for (let k = 0; k < touched.length; k++) {
      const d = touched.list[k] as number;
      const cov = totalWeight > 0 ? (coverage[d] as number) / totalWeight : 0;
      coverage[d] = cov;
      if (cov > bestCoverage && accept(d)) bestCoverage = cov;
    }
    const minCoverage = Math.min(MIN_COVERAGE, Math.max(MIN_COVERAGE_FLOOR, RELATIVE_COVERAGE * bestCoverage));
    // The score before the name and variant factors bounds the final score from above (both factors are ≤ 1). The
    // final score of the procedure with the best bound is a lower bound of the best final score, so any procedure
    // whose bound is under the relative floor of that can be dropped without computing its factors.
    // With several words, a procedure reached only through spelling guesses is noise ("asdkjh qwe zxc"); a single
    // mistyped word may still be answered by its guesses.
    const needAnchor = parsed.concepts.filter((c) => c.weight >= 0.5).length > 1;
    let bestBound = 0;
    let bestBoundDoc = -1;
    for (let k = 0; k < touched.length; k++) {
      const d = touched.list[k] as number;
      const cov = coverage[d] as number;
      if (cov < minCoverage || (needAnchor && !anchored.has(d))) {
        score[d] = -1;
        continue;
      }
      const bound = (score[d] as number) * (0.4 + 0.6 * cov);
      score[d] = bound;
      if (bound > bestBound && accept(d)) {
        bestBound = bound;
        bestBoundDoc = d;
      }
    }
    const finalScore = (d: number): number => {
      const names = this.nameTerms[d] as Int32Array;
      let named = 0;
      for (let j = 0; j < names.length; j++) if (this.queryTermStamp[names[j] as number] === generation) named++;
      const nameCoverage = names.length > 0 ? named / names.length : 0;
      const unasked = countGroups((this.nameVariants[d] as number) & ~queryVariants & ~VariantMarkers.ONLY_WHEN_ASKED);
      const missing = countGroups(queryVariants & ~(this.textVariants[d] as number));
      return (
        (score[d] as number) * (0.7 + 0.3 * nameCoverage) * UNASKED_VARIANT ** unasked * MISSING_VARIANT ** missing
      );
    };
    const prune = bestBoundDoc >= 0 ? finalScore(bestBoundDoc) * MIN_RELATIVE_SCORE : 0;
    const candidates: number[] = [];
    let best = 0;
    for (let k = 0; k < touched.length; k++) {
      const d = touched.list[k] as number;
      if ((score[d] as number) < prune || (score[d] as number) < 0 || !accept(d)) continue;
      const final = finalScore(d);
      score[d] = final;
      if (final > best) best = final;
      candidates.push(d);
    }
    const floor = best * MIN_RELATIVE_SCORE;
    const heap = new TopK(wanted, (a, b) => this.before(a, b));
    let total = 0;
    for (const d of candidates) {
      if ((score[d] as number) < floor) continue;
      total++;
      heap.push(d);
    }
    return { top: heap.sorted().map((doc) => ({ doc, score: score[doc] as number })), total };
  }

  /** Ranking order: higher score, then the shorter name (the plain procedure before its variants), then the code. */
  private before(a: number, b: number): boolean {
    const sa = this.score[a] as number;
    const sb = this.score[b] as number;
    if (sa !== sb) return sa > sb;
    const la = (this.docs[a] as T).name.length;
    const lb = (this.docs[b] as T).name.length;
    if (la !== lb) return la < lb;
    return (this.docs[a] as T).code < (this.docs[b] as T).code;
  }
}

/** Keeps the k best items seen (a binary heap whose root is the worst kept item). */
class TopK {
  private readonly items: number[] = [];
  constructor(
    private readonly k: number,
    private readonly before: (a: number, b: number) => boolean,
  ) {}

  push(item: number): void {
    if (this.k === 0) return;
    const items = this.items;
    if (items.length < this.k) {
      items.push(item);
      let i = items.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.before(items[parent] as number, items[i] as number)) break;
        [items[parent], items[i]] = [items[i] as number, items[parent] as number];
        i = parent;
      }
      return;
    }
    if (!this.before(item, items[0] as number)) return;
    items[0] = item;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < items.length && this.before(items[worst] as number, items[l] as number)) worst = l;
      if (r < items.length && this.before(items[worst] as number, items[r] as number)) worst = r;
      if (worst === i) break;
      [items[worst], items[i]] = [items[i] as number, items[worst] as number];
      i = worst;
    }
  }

  /** Best first. */
  sorted(): number[] {
    return [...this.items].sort((a, b) => (this.before(a, b) ? -1 : this.before(b, a) ? 1 : 0));
  }
}
