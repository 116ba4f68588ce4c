/**
 * `npm run bench:search`: relevance and speed of this project's procedure search against MiniSearch and Fuse.js,
 * measured in the same run on the same data (machines here are shared and noisy: compare ratios, not absolutes).
 *
 * 1. Relevance on the starter catalogue with labelled citizen queries: hit@1, hit@3 and MRR (first relevant result
 *    within the top 10), overall and per kind of query. `queries.json` is the development set: the lexicon and weights
 *    of this project's search were tuned on it, and each library is tried with a small grid of its own settings (all
 *    with Vietnamese diacritic folding) and kept at its best setting on it. `queries-heldout.json` was written
 *    separately and never used for tuning: it is the honest figure.
 * 2. Speed on synthetic catalogues of 2k, 10k and 100k procedures: index build time, query latency p50/p99.
 *
 * Options: `--sizes=2000,10000` to choose the sizes, `--quick` for fewer latency samples.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { foldText, type Procedure } from "@qn/shared";
import Fuse, { type IFuseOptions } from "fuse.js";
import MiniSearch, { type Options as MiniSearchOptions, type SearchOptions } from "minisearch";
import { z } from "zod";
import { validateCatalogue } from "../src/modules/procedures/catalogue-import";
import { ProcedureSearchIndex } from "../src/modules/procedures/search/search-index";
import { loadStarterCatalogue } from "../src/modules/procedures/starter-catalogue";
import { generateCatalogue } from "./synthetic-catalogue";

const here = path.dirname(fileURLToPath(import.meta.url));

export const LabelledQuery = z.object({
  q: z.string().min(1),
  /** Codes that answer the query; the first of them found counts. */
  expect: z.array(z.string()).min(1),
  kind: z.enum(["accented", "unaccented", "typo", "colloquial", "code", "disambiguation"]),
  note: z.string().optional(),
});
export type LabelledQuery = z.infer<typeof LabelledQuery>;

/** A search engine under test: built once, then asked for the codes of its top results. */
type Engine = { name: string; setting: string; search: (q: string) => string[] };
type EngineFactory = { name: string; settings: { label: string; build: (docs: Procedure[]) => Engine }[] };

const TOP = 10;
const BOOSTS = { code: 3, name: 3, aliases: 2.2, field: 0.7, result: 0.5, agency: 0.3 };
type Doc = { id: number; code: string; name: string; aliases: string; field: string; result: string; agency: string };

function toDocs(procedures: Procedure[]): Doc[] {
  return procedures.map((p, id) => ({
    id,
    code: p.code,
    name: p.name,
    aliases: (p.aliases ?? []).join(" | "),
    field: p.field,
    result: p.result,
    agency: p.agency,
  }));
}

const ours: EngineFactory = {
  name: "this project",
  settings: [
    {
      label: "default",
      build: (procedures) => {
        const index = ProcedureSearchIndex.build(procedures);
        return {
          name: "this project",
          setting: "default",
          search: (q) => index.search({ q, limit: TOP, offset: 0 }).hits.map((h) => h.item.code),
        };
      },
    },
  ],
};

function miniSearchSetting(
  fuzzy: number,
  prefix: boolean,
  combineWith: "OR" | "AND",
): EngineFactory["settings"][number] {
  const label = `fuzzy ${fuzzy}, prefix ${prefix ? "on" : "off"}, ${combineWith}`;
  return {
    label,
    build: (procedures) => {
      const docs = toDocs(procedures);
      const options: MiniSearchOptions<Doc> = {
        fields: Object.keys(BOOSTS),
        idField: "id",
        // Diacritic folding for the index and the queries alike: the same folding as this project's search.
        tokenize: (text) => foldText(text).split(" ").filter(Boolean),
        processTerm: (term) => term,
      };
      const ms = new MiniSearch<Doc>(options);
      ms.addAll(docs);
      const searchOptions: SearchOptions = { boost: BOOSTS, fuzzy, prefix, combineWith };
      return {
        name: "MiniSearch",
        setting: label,
        search: (q) =>
          ms
            .search(q, searchOptions)
            .slice(0, TOP)
            .map((r) => (docs[r.id as number] as Doc).code),
      };
    },
  };
}

const miniSearch: EngineFactory = {
  name: "MiniSearch",
  settings: [
    miniSearchSetting(0.2, true, "OR"),
    miniSearchSetting(0.1, true, "OR"),
    miniSearchSetting(0.3, true, "OR"),
    miniSearchSetting(0.2, false, "OR"),
    miniSearchSetting(0.2, true, "AND"),
  ],
};

function fuseSetting(threshold: number, perWord: boolean): EngineFactory["settings"][number] {
  const label = `threshold ${threshold}${perWord ? ", words matched separately (extended search)" : ""}`;
  return {
    label,
    build: (procedures) => {
      const docs = toDocs(procedures).map((d) => ({
        ...d,
        code: foldText(d.code),
        name: foldText(d.name),
        aliases: foldText(d.aliases),
        field: foldText(d.field),
        result: foldText(d.result),
        agency: foldText(d.agency),
      }));
      const options: IFuseOptions<Doc> = {
        keys: Object.entries(BOOSTS).map(([name, weight]) => ({ name, weight })),
        threshold,
        ignoreLocation: true,
        includeScore: true,
        useExtendedSearch: perWord,
      };
      const fuse = new Fuse(docs, options);
      return {
        name: "Fuse.js",
        setting: label,
        search: (q) => {
          const folded = foldText(q);
          // Extended search: space-separated words are ANDed; "|" ORs them, which suits long citizen questions.
          const pattern = perWord ? folded.split(" ").join(" | ") : folded;
          return fuse.search(pattern, { limit: TOP }).map((r) => r.item.code);
        },
      };
    },
  };
}

const fuse: EngineFactory = {
  name: "Fuse.js",
  settings: [fuseSetting(0.3, false), fuseSetting(0.4, false), fuseSetting(0.6, false), fuseSetting(0.4, true)],
};

type Relevance = { hit1: number; hit3: number; mrr: number; n: number };

function relevance(
  engine: Engine,
  queries: LabelledQuery[],
): { all: Relevance; byKind: Map<string, Relevance>; misses: string[] } {
  const byKind = new Map<string, Relevance>();
  const all: Relevance = { hit1: 0, hit3: 0, mrr: 0, n: 0 };
  const misses: string[] = [];
  for (const query of queries) {
    const results = engine.search(query.q);
    const rank = results.findIndex((code) => query.expect.includes(code)) + 1;
    const kind = byKind.get(query.kind) ?? { hit1: 0, hit3: 0, mrr: 0, n: 0 };
    for (const r of [all, kind]) {
      r.n++;
      if (rank === 1) r.hit1++;
      if (rank >= 1 && rank <= 3) r.hit3++;
      if (rank >= 1) r.mrr += 1 / rank;
    }
    byKind.set(query.kind, kind);
    if (rank !== 1)
      misses.push(
        `  [${query.kind}] "${query.q}" → rank ${rank || "—"} (want ${query.expect.join("/")}, got ${results.slice(0, 3).join(", ") || "nothing"})`,
      );
  }
  return { all, byKind, misses };
}

const pct = (x: number, n: number) => (n === 0 ? "—" : `${((100 * x) / n).toFixed(1)}%`);
const fmt = (r: Relevance) =>
  `hit@1 ${pct(r.hit1, r.n).padStart(6)}  hit@3 ${pct(r.hit3, r.n).padStart(6)}  MRR ${(r.n ? r.mrr / r.n : 0).toFixed(3)}`;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function measureLatency(
  engine: Engine,
  queries: string[],
  budgetMs: number,
  maxSamples: number,
): { p50: number; p99: number; n: number } {
  // Warm-up (JIT), bounded: Fuse.js takes seconds per query on large catalogues.
  const warmUpStarted = performance.now();
  for (const q of queries) {
    engine.search(q);
    if (performance.now() - warmUpStarted > budgetMs / 4) break;
  }
  const samples: number[] = [];
  const started = performance.now();
  outer: while (true) {
    for (const q of queries) {
      const t0 = process.hrtime.bigint();
      engine.search(q);
      samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (samples.length >= maxSamples || performance.now() - started > budgetMs) break outer;
    }
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), n: samples.length };
}

function main() {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const sizesArg = args.find((a) => a.startsWith("--sizes="));
  const sizes = sizesArg ? sizesArg.slice("--sizes=".length).split(",").map(Number) : [2_000, 10_000, 100_000];

  const catalogue = validateCatalogue(loadStarterCatalogue().records);
  const known = new Set(catalogue.map((p) => p.code));
  const load = (file: string) => {
    const queries = z.array(LabelledQuery).parse(JSON.parse(fs.readFileSync(path.join(here, file), "utf8")));
    const unknown = queries.flatMap((q) => q.expect.filter((c) => !known.has(c)).map((c) => `${q.q} → ${c}`));
    if (unknown.length > 0) throw new Error(`${file} names codes missing from the catalogue:\n${unknown.join("\n")}`);
    return queries;
  };
  const queries = load("queries.json");
  const heldOut = load("queries-heldout.json");
  const kindsOf = (qs: LabelledQuery[]) => [...new Set(qs.map((q) => q.kind))];
  const describe = (qs: LabelledQuery[]) =>
    kindsOf(qs)
      .map((k) => `${k} ${qs.filter((q) => q.kind === k).length}`)
      .join(", ");

  console.log(`# Search benchmark — ${new Date().toISOString()}, Node ${process.version}`);
  console.log(`Starter catalogue: ${catalogue.length} procedures`);
  console.log(`Development queries: ${queries.length} (${describe(queries)})`);
  console.log(`Held-out queries: ${heldOut.length} (${describe(heldOut)})\n`);

  console.log("## Settings tried on the development set (MRR decides)\n");
  const best = new Map<
    string,
    { engine: Engine; rel: ReturnType<typeof relevance>; build: (d: Procedure[]) => Engine }
  >();
  for (const factory of [ours, miniSearch, fuse]) {
    for (const setting of factory.settings) {
      const engine = setting.build(catalogue);
      const rel = relevance(engine, queries);
      const current = best.get(factory.name);
      if (!current || rel.all.mrr > current.rel.all.mrr) best.set(factory.name, { engine, rel, build: setting.build });
      console.log(`  ${factory.name.padEnd(12)} [${setting.label}] ${fmt(rel.all)}`);
    }
  }
  for (const [title, set] of [
    ["Development set (tuned on)", queries],
    ["Held-out set (never tuned on)", heldOut],
  ] as const) {
    console.log(`\n## Relevance — ${title}\n`);
    const kinds = kindsOf(set);
    console.log(`${"".padEnd(16)}${["this project", "MiniSearch", "Fuse.js"].map((n) => n.padEnd(36)).join("")}`);
    const results = new Map([...best].map(([name, { engine }]) => [name, relevance(engine, set)]));
    const row = (label: string, pick: (r: ReturnType<typeof relevance>) => Relevance | undefined) =>
      console.log(
        `${label.padEnd(16)}${[...results.values()]
          .map((r) => {
            const x = pick(r);
            return (x ? `${pct(x.hit1, x.n)} / ${pct(x.hit3, x.n)} / ${(x.mrr / x.n).toFixed(3)}` : "—").padEnd(36);
          })
          .join("")}`,
      );
    console.log(`${"(hit@1 / hit@3 / MRR)".padEnd(16)}`);
    row("all", (r) => r.all);
    for (const kind of kinds) row(`${kind} (${set.filter((q) => q.kind === kind).length})`, (r) => r.byKind.get(kind));
    const misses = results.get("this project")?.misses ?? [];
    if (misses.length > 0) {
      console.log(`\nThis project's queries not answered first (${misses.length}):`);
      console.log(misses.join("\n"));
    }
  }

  console.log("\n## Speed (synthetic catalogues; latency over the labelled queries of both sets)\n");
  const texts = [...queries, ...heldOut].map((q) => q.q);
  for (const size of sizes) {
    const docs = generateCatalogue(catalogue, size);
    const rows: { name: string; buildMs: number; p50: number; p99: number; n: number }[] = [];
    for (const [name, { build }] of best) {
      const t0 = performance.now();
      const engine = build(docs);
      const buildMs = performance.now() - t0;
      const heavy = name === "Fuse.js" && size >= 50_000;
      const budget = quick ? 1_500 : heavy ? 20_000 : 6_000;
      const lat = measureLatency(engine, texts, budget, quick ? 300 : 3_000);
      rows.push({ name, buildMs, ...lat });
    }
    const base = rows[0];
    console.log(`${size.toLocaleString("en")} procedures (${best.get("this project") ? "best settings above" : ""})`);
    for (const r of rows) {
      const ratio =
        base && r !== base
          ? `   ×${(r.p99 / base.p99).toFixed(1)} p99, ×${(r.buildMs / base.buildMs).toFixed(1)} build vs this project`
          : "";
      console.log(
        `  ${r.name.padEnd(12)} build ${r.buildMs.toFixed(0).padStart(6)} ms   p50 ${r.p50.toFixed(3).padStart(8)} ms   p99 ${r.p99
          .toFixed(3)
          .padStart(8)} ms   (${r.n} queries)${ratio}`,
      );
    }
    console.log("");
  }
}

main();
