import { foldText, type OnlineLevel, type Procedure, type ProcedureLevel } from "@qn/shared";
import { FuzzyVocabulary } from "./fuzzy";
import { type ParsedQuery, parseQuery, type Vocabulary } from "./query-parser";

/**
 * The procedure search engine: an in-memory inverted index over folded Vietnamese syllables and syllable pairs,
 * scored with BM25F (fields weighted: name, citizens' aliases, field, result, agency), then adjusted for how much of
 * the query a procedure covers and how much of the procedure's name the query covers. The last factor is what tells
 * near-duplicates apart: "đăng ký khai sinh" covers all of "Đăng ký khai sinh" but only half of "Đăng ký khai sinh
 * có yếu tố nước ngoài", so the variant wins only when the query asks for it. See docs/decisions/0003.
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
const K1 = 1.2;
const B = 0.75;
const BIGRAM_WEIGHT = 0.8;
/** A procedure is a match when it covers at least this share of the query's weighted words... */
const MIN_COVERAGE = 0.5;
/** ...and scores at least this share of the best match. */
const MIN_RELATIVE_SCORE = 0.2;

type Postings = { docs: Int32Array; weights: Float32Array };

export class ProcedureSearchIndex<T extends Searchable> implements Vocabulary {
  readonly fuzzy: FuzzyVocabulary;
  private readonly postings = new Map<string, Postings>();
  private readonly idf = new Map<string, number>();
  private readonly nameTerms: string[][];
  private readonly byCode = new Map<string, number>();
  private readonly foldedFields: string[];
  private readonly alphabetical: Int32Array;
  // Scratch buffers reused across queries (one query at a time: Node runs one request handler at a time).
  private readonly score: Float64Array;
  private readonly coverage: Float64Array;
  private readonly conceptScore: Float64Array;
  private readonly conceptCoverage: Float64Array;
  private readonly altScore: Float64Array;
  private readonly altCoverage: Float64Array;

  private constructor(readonly docs: readonly T[]) {
    const n = docs.length;
    this.nameTerms = new Array(n);
    this.foldedFields = docs.map((d) => foldText(d.field));
    this.score = new Float64Array(n);
    this.coverage = new Float64Array(n);
    this.conceptScore = new Float64Array(n);
    this.conceptCoverage = new Float64Array(n);
    this.altScore = new Float64Array(n);
    this.altCoverage = new Float64Array(n);

    // Per field: token lists and average length, for BM25's length normalisation.
    const fieldTokens: Record<FieldName, string[][]> = { name: [], aliases: [], field: [], result: [], agency: [] };
    const fieldFolds = new Map<string, string[]>();
    const tokensOf = (text: string): string[] => {
      let t = fieldFolds.get(text);
      if (!t) {
        t = foldText(text).split(" ").filter(Boolean);
        fieldFolds.set(text, t);
      }
      return t;
    };
    docs.forEach((doc, i) => {
      fieldTokens.name.push(tokensOf(doc.name));
      fieldTokens.aliases.push((doc.aliases ?? []).flatMap((a) => [...tokensOf(a), "|"]));
      fieldTokens.field.push(tokensOf(doc.field));
      fieldTokens.result.push(tokensOf(doc.result ?? ""));
      fieldTokens.agency.push(tokensOf(doc.agency));
      this.byCode.set(doc.code, i);
    });
    const avgLength = Object.fromEntries(
      FIELDS.map((f) => [f, Math.max(1, fieldTokens[f].reduce((s, t) => s + t.length, 0) / Math.max(1, n))]),
    ) as Record<FieldName, number>;

    const build = new Map<string, { docs: number[]; weights: number[] }>();
    const perDoc = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      perDoc.clear();
      for (const f of FIELDS) {
        const tokens = fieldTokens[f][i] as string[];
        const tf = new Map<string, number>();
        for (let k = 0; k < tokens.length; k++) {
          const a = tokens[k] as string;
          if (a === "|") continue;
          tf.set(a, (tf.get(a) ?? 0) + 1);
          const b = tokens[k + 1];
          if (b !== undefined && b !== "|") tf.set(`${a} ${b}`, (tf.get(`${a} ${b}`) ?? 0) + 1);
        }
        const norm = K1 * (1 - B + (B * tokens.length) / avgLength[f]);
        for (const [term, count] of tf) {
          const w = (FIELD_BOOSTS[f] * (count * (K1 + 1))) / (count + norm);
          perDoc.set(term, (perDoc.get(term) ?? 0) + w);
        }
      }
      for (const [term, w] of perDoc) {
        let p = build.get(term);
        if (!p) {
          p = { docs: [], weights: [] };
          build.set(term, p);
        }
        p.docs.push(i);
        p.weights.push(w);
      }
      this.nameTerms[i] = [...new Set(fieldTokens.name[i])];
    }
    for (const [term, p] of build) {
      this.postings.set(term, { docs: Int32Array.from(p.docs), weights: Float32Array.from(p.weights) });
      const df = p.docs.length;
      this.idf.set(term, Math.log(1 + (n - df + 0.5) / (df + 0.5)));
    }
    this.fuzzy = new FuzzyVocabulary([...build.keys()].filter((t) => !t.includes(" ")));
    const collator = new Intl.Collator("vi");
    this.alphabetical = Int32Array.from(
      docs.map((_, i) => i).sort((a, b) => collator.compare((docs[a] as T).name, (docs[b] as T).name)),
    );
  }

  static build<T extends Searchable>(docs: readonly T[]): ProcedureSearchIndex<T> {
    return new ProcedureSearchIndex(docs);
  }

  get size(): number {
    return this.docs.length;
  }

  has(term: string): boolean {
    return this.postings.has(term);
  }

  documentFrequency(term: string): number {
    return this.postings.get(term)?.docs.length ?? 0;
  }

  getByCode(code: string): T | undefined {
    const i = this.byCode.get(code);
    return i === undefined ? undefined : this.docs[i];
  }

  /** Best match first. Without words, every procedure that passes the filters, in alphabetical order. */
  search(request: SearchRequest): { hits: SearchHit<T>[]; total: number } {
    const q = request.q?.trim() ?? "";
    const accept = this.filter(request);
    if (q === "") {
      const all: number[] = [];
      for (const i of this.alphabetical) if (accept(i)) all.push(i);
      return {
        total: all.length,
        hits: all
          .slice(request.offset, request.offset + request.limit)
          .map((i) => ({ item: this.docs[i] as T, score: 0 })),
      };
    }
    const parsed = parseQuery(q, this);
    const ranked = this.rank(parsed, accept);
    return {
      total: ranked.length,
      hits: ranked.slice(request.offset, request.offset + request.limit).map(({ doc, score }) => ({
        item: this.docs[doc] as T,
        score,
      })),
    };
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

  private rank(parsed: ParsedQuery, accept: (doc: number) => boolean): { doc: number; score: number }[] {
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
      for (const [code, i] of this.byCode) {
        if (!seen.has(i) && accept(i) && parsed.codePrefixes.some((p) => code.startsWith(p))) {
          seen.add(i);
          exact.push({ doc: i, score: Number.MAX_VALUE });
        }
      }
      exact.sort(
        (a, b) => b.score - a.score || (this.docs[a.doc] as T).code.localeCompare((this.docs[b.doc] as T).code),
      );
    }
    const text = this.rankText(parsed, accept).filter((h) => !seen.has(h.doc));
    return [...exact, ...text];
  }

  private rankText(parsed: ParsedQuery, accept: (doc: number) => boolean): { doc: number; score: number }[] {
    const { score, coverage, conceptScore, conceptCoverage, altScore, altCoverage } = this;
    const touched: number[] = [];
    const inTouched = new Uint8Array(this.docs.length);
    const queryTerms = new Set<string>();
    let totalWeight = 0;

    for (const concept of parsed.concepts) {
      // The concept's importance: its weight times how informative its best-known reading is.
      let informativeness = 0;
      for (const alt of concept.alternatives) {
        const known = alt.terms.filter((t) => this.idf.has(t));
        if (known.length === 0) continue;
        const mean = known.reduce((s, t) => s + (this.idf.get(t) as number), 0) / known.length;
        informativeness = Math.max(informativeness, mean);
      }
      const conceptWeight = concept.weight * informativeness;
      if (conceptWeight === 0) continue;
      totalWeight += conceptWeight;

      const conceptTouched: number[] = [];
      const inConcept = new Set<number>();
      for (const alt of concept.alternatives) {
        if (alt.quality === 0) continue;
        const altTouched: number[] = [];
        const termIdfSum = alt.terms.reduce((s, t) => s + (this.idf.get(t) ?? 0), 0) || 1;
        // Long expansions are scaled to the length of what was typed, so "sổ đỏ" does not outweigh the rest.
        const scale = (concept.weight * alt.quality) / Math.max(1, alt.terms.length / 2);
        for (const term of alt.terms) {
          queryTerms.add(term);
          const p = this.postings.get(term);
          if (!p) continue;
          const idf = this.idf.get(term) as number;
          const share = idf / termIdfSum;
          for (let k = 0; k < p.docs.length; k++) {
            const d = p.docs[k] as number;
            if (altScore[d] === 0 && altCoverage[d] === 0) altTouched.push(d);
            altScore[d] = (altScore[d] as number) + scale * idf * (p.weights[k] as number);
            altCoverage[d] = (altCoverage[d] as number) + share;
          }
        }
        for (const d of altTouched) {
          const s = altScore[d] as number;
          const c = (altCoverage[d] as number) * alt.quality;
          if (!inConcept.has(d)) {
            inConcept.add(d);
            conceptTouched.push(d);
          }
          if (s > (conceptScore[d] as number)) conceptScore[d] = s;
          if (c > (conceptCoverage[d] as number)) conceptCoverage[d] = c;
          altScore[d] = 0;
          altCoverage[d] = 0;
        }
      }
      for (const d of conceptTouched) {
        score[d] = (score[d] as number) + (conceptScore[d] as number);
        coverage[d] = (coverage[d] as number) + conceptWeight * (conceptCoverage[d] as number);
        conceptScore[d] = 0;
        conceptCoverage[d] = 0;
        if (inTouched[d] === 0) {
          inTouched[d] = 1;
          touched.push(d);
        }
      }
    }
    for (const { term, weight } of parsed.bigrams) {
      const p = this.postings.get(term);
      if (!p) continue;
      const idf = this.idf.get(term) as number;
      for (let k = 0; k < p.docs.length; k++) {
        const d = p.docs[k] as number;
        if (inTouched[d] === 1)
          score[d] = (score[d] as number) + BIGRAM_WEIGHT * weight * idf * (p.weights[k] as number);
      }
    }

    const results: { doc: number; score: number }[] = [];
    let best = 0;
    for (const d of touched) {
      const cov = totalWeight > 0 ? (coverage[d] as number) / totalWeight : 0;
      const raw = score[d] as number;
      score[d] = 0;
      coverage[d] = 0;
      if (cov < MIN_COVERAGE || !accept(d)) continue;
      const names = this.nameTerms[d] as string[];
      let named = 0;
      for (const t of names) if (queryTerms.has(t)) named++;
      const nameCoverage = names.length > 0 ? named / names.length : 0;
      const final = raw * (0.4 + 0.6 * cov) * (0.7 + 0.3 * nameCoverage);
      if (final > best) best = final;
      results.push({ doc: d, score: final });
    }
    const floor = best * MIN_RELATIVE_SCORE;
    return results
      .filter((r) => r.score >= floor)
      .sort(
        (a, b) =>
          b.score - a.score ||
          (this.docs[a.doc] as T).name.length - (this.docs[b.doc] as T).name.length ||
          (this.docs[a.doc] as T).code.localeCompare((this.docs[b.doc] as T).code),
      );
  }
}
