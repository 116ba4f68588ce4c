/**
 * `npm run bench:reports`: the indicators of Chỉ thị 07 over a synthetic province-year (1,800 procedures, 2 million
 * dossiers, the 55 receiving units), through the real ReportService and repository on a database made by the real
 * migrations, beside a full-table `SELECT COUNT(*) FROM dossiers NOT INDEXED` timed the same way in the same run
 * (compare the ratios, not the absolutes). Target: a full province report for the year in under 2 s (median).
 *
 * Measured, interleaved round by round after one warm-up round: (a) the province's report for the year, (b) for one
 * quarter, (c) one unit's report for the year (the centre, the largest and the smallest commune), (d) byUnit() for the
 * year, (e) the baseline. Wall time (median, p90) and this process's CPU time (median; the machine is shared, CPU time
 * is less disturbed by the neighbours' load than wall time).
 *
 * Correctness, checked in the same run (non-zero exit if any differs): the province's report against the figures
 * counted while generating (all six indicators), against the sum over units of byUnit() (indicators 2, 3, 5, 6, the
 * totals and the overall rate), each measured unit's report against its byUnit() row, the quarter against SQL counts.
 *
 * Options: `--dossiers=2000000`, `--procedures=1800`, `--runs=7`, `--seed=2026`, `--keep` (keep the database and
 * print its directory), `--data=DIR` (reuse a database kept by an earlier run with the same options).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type IndicatorReport, periodInstants, quarterPeriod } from "@qn/shared";
import SQLite from "better-sqlite3";
import { type CompiledQuery, Kysely, SqliteDialect, sql } from "kysely";
import { DATABASE_FILE, openDatabase } from "../src/db/database";
import type { Database } from "../src/db/schema";
import type { OfficialActor } from "../src/modules/auth/actor";
import { seedReceivingUnits } from "../src/modules/dossiers/receiving-units";
import { ReportRepository } from "../src/modules/reports/report.repository";
import { ReportService } from "../src/modules/reports/report.service";
import { generateReportData, type ReportDataTally } from "./synthetic-reports";

const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const DOSSIERS = Number(option("dossiers") ?? 2_000_000);
const PROCEDURES = Number(option("procedures") ?? 1_800);
const RUNS = Number(option("runs") ?? 7);
const SEED = Number(option("seed") ?? 2026);
const KEEP = process.argv.includes("--keep");
const REUSE = option("data");
const YEAR = 2026;
const TARGET_MS = 2_000;
const TALLY_FILE = "bench-reports-tally.json";

const ADMIN: OfficialActor = {
  kind: "official",
  id: 1,
  name: "Quản trị đo hiệu năng",
  username: "bench.admin",
  role: "admin",
  unitCode: "22",
  sessionId: "bench",
};

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
  return { median: at(0.5), p90: at(0.9), max: sorted[sorted.length - 1] as number };
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const fmt = (n: number) => n.toLocaleString("en");
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function fileSize(dir: string): number {
  return ["", "-wal", "-shm"]
    .map((suffix) => path.join(dir, DATABASE_FILE + suffix))
    .filter((f) => fs.existsSync(f))
    .reduce((sum, f) => sum + fs.statSync(f).size, 0);
}

type Serialized = Omit<ReportDataTally, "perUnit"> & { perUnit: [string, number][] };

async function prepare(): Promise<{ dir: string; tally: ReportDataTally; generated: boolean }> {
  if (REUSE) {
    const saved = JSON.parse(fs.readFileSync(path.join(REUSE, TALLY_FILE), "utf8")) as Serialized & {
      options: unknown;
    };
    const wanted = { dossiers: DOSSIERS, procedures: PROCEDURES, seed: SEED, year: YEAR };
    if (JSON.stringify(saved.options) !== JSON.stringify(wanted)) {
      throw new Error(`${REUSE} was generated with ${JSON.stringify(saved.options)}, not ${JSON.stringify(wanted)}`);
    }
    return { dir: REUSE, tally: { ...saved, perUnit: new Map(saved.perUnit) }, generated: false };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qn-bench-reports-"));
  // The real migrations and the app's receiving units, then the synthetic rows on a connection of the generator's own.
  const db = await openDatabase(dir);
  await seedReceivingUnits(db);
  await db.destroy();
  const started = performance.now();
  const tally = generateReportData(path.join(dir, DATABASE_FILE), {
    procedures: PROCEDURES,
    dossiers: DOSSIERS,
    year: YEAR,
    seed: SEED,
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `Generated in ${seconds.toFixed(1)} s (rows, then the dossiers' indexes rebuilt from their own CREATE INDEX), load ${load()}`,
  );
  const serialized: Serialized & { options: unknown } = {
    ...tally,
    perUnit: [...tally.perUnit],
    options: { dossiers: DOSSIERS, procedures: PROCEDURES, seed: SEED, year: YEAR },
  };
  fs.writeFileSync(path.join(dir, TALLY_FILE), JSON.stringify(serialized));
  return { dir, tally, generated: true };
}

/**
 * The SQL the repository sends, captured from a second Kysely on the same file (each call titled), explained with
 * EXPLAIN QUERY PLAN. The units' skip query, sent before each province query, is shown once.
 */
async function explained(file: string, calls: [string, (repo: ReportRepository) => Promise<unknown>][]) {
  let captured: CompiledQuery[] = [];
  const raw = new SQLite(file, { readonly: true });
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: raw }),
    log: (event) => {
      if (event.level === "query") captured.push(event.query);
    },
  });
  const repo = new ReportRepository(db);
  const out: { title: string; sql: string; plan: string[] }[] = [];
  const seen = new Set<string>();
  for (const [title, call] of calls) {
    captured = [];
    await call(repo);
    for (const q of captured) {
      const isUnits = q.sql.includes("WITH RECURSIVE");
      if (seen.has(q.sql) && isUnits) continue;
      seen.add(q.sql);
      const plan = raw.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.parameters as unknown[])) as {
        detail: string;
      }[];
      out.push({
        title: isUnits ? "units that have dossiers (sent before a province query)" : title,
        sql: q.sql
          .replace(/\s+/g, " ")
          .trim()
          .replace(/(\?, ){3,}\?/g, "?, …, ?"),
        plan: plan.map((r) => r.detail),
      });
    }
  }
  await db.destroy();
  return out;
}

const failures: string[] = [];
let checks = 0;
function check(label: string, actual: unknown, expected: unknown) {
  checks++;
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    failures.push(`${label}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }
}
const fraction = (r: IndicatorReport, no: number) => {
  const i = r.indicators.find((x) => x.no === no);
  return [i?.numeratorValue, i?.denominatorValue];
};

async function main() {
  console.log(
    `# npm run bench:reports — ${new Date().toISOString()}, ${os.cpus().length} CPUs, load ${load()}, Node ${process.version}`,
  );
  console.log(
    `Synthetic province-year ${YEAR}: ${fmt(PROCEDURES)} procedures, ${fmt(DOSSIERS)} dossiers, seed ${SEED}; ${RUNS} runs after one warm-up`,
  );
  const { dir, tally, generated } = await prepare();
  const file = path.join(dir, DATABASE_FILE);
  const db = await openDatabase(dir);
  const service = new ReportService(new ReportRepository(db), () => new Date(`${YEAR + 1}-01-15T03:00:00.000Z`));
  const sqliteVersion = (await sql<{ v: string }>`SELECT sqlite_version() AS v`.execute(db)).rows[0]?.v;
  const units = await db.selectFrom("receiving_units").select(["code", "level"]).orderBy("code").execute();
  const communes = units
    .filter((u) => u.level === "commune")
    .map((u) => ({ code: u.code, n: tally.perUnit.get(u.code) ?? 0 }))
    .sort((a, b) => b.n - a.n);
  const largest = communes[0] as { code: string; n: number };
  const smallest = communes[communes.length - 1] as { code: string; n: number };
  const centre = { code: "22", n: tally.perUnit.get("22") ?? 0 };

  console.log(
    `SQLite ${sqliteVersion}; database ${mb(fileSize(dir))} (${generated ? "generated now" : `reused ${dir}`})`,
  );
  console.log(
    `Procedures: ${fmt(tally.procedures)} (${fmt(tally.provinceProcedures)} province-level, ${fmt(tally.procedures - tally.provinceProcedures)} commune-level), ${fmt(tally.revisions)} revisions, ${fmt(tally.levelChanges)} change online level during the year`,
  );
  const share = (n: number) => `${((n / tally.dossiers) * 100).toFixed(1)}%`;
  console.log(
    `Dossiers filed in ${YEAR}: ${fmt(tally.dossiers)} at ${units.length} units; counter ${share(tally.byChannel.counter)}, online ${share(tally.byChannel.online)}, postal ${share(tally.byChannel.postal)}. Also ${fmt(tally.earlier)} filed in the 10 days before ${YEAR}.`,
  );
  console.log(
    `Results delivered in ${YEAR}: ${fmt(tally.delivered)} (= ${share(tally.delivered)} of the year's filings; at the counter ${fmt(tally.byMethod.counter)}, online ${fmt(tally.byMethod.online)}, by post ${fmt(tally.byMethod.post)})`,
  );
  console.log(
    `Units measured: centre 22 (${fmt(centre.n)} dossiers), largest commune ${largest.code} (${fmt(largest.n)}), smallest commune ${smallest.code} (${fmt(smallest.n)})`,
  );

  const year = { from: `${YEAR}-01-01`, to: `${YEAR}-12-31` };
  const quarter = quarterPeriod(YEAR, 2);

  // Query plans: the SQL text the repository really sends, explained.
  const { start, end } = periodInstants(year);
  const levels = new Map(units.map((u) => [u.code, u.level as "province" | "commune"]));
  const month = { from: `${YEAR}-05-01`, to: `${YEAR}-05-31` };
  const at = (p: { from: string; to: string }) => periodInstants(p);
  const province = { kind: "province" } as const;
  const centreScope = { kind: "unit", unitCode: "22", level: "province" } as const;
  const plans = await explained(file, [
    ["province, year: submissions", (repo) => repo.submissions(start, end, province, levels)],
    ["province, year: deliveries", (repo) => repo.deliveries(start, end, province)],
    ["unit 22, year: submissions", (repo) => repo.submissions(start, end, centreScope, levels)],
    ["unit 22, year: deliveries", (repo) => repo.deliveries(start, end, centreScope)],
    [
      "province, May (a short period): submissions",
      (repo) => repo.submissions(at(month).start, at(month).end, province, levels),
    ],
    ["province, May (a short period): deliveries", (repo) => repo.deliveries(at(month).start, at(month).end, province)],
  ]);
  const baselineSql = "SELECT COUNT(*) AS n FROM dossiers NOT INDEXED";
  const raw = new SQLite(file, { readonly: true });
  const baselinePlan = (raw.prepare(`EXPLAIN QUERY PLAN ${baselineSql}`).all() as { detail: string }[]).map(
    (r) => r.detail,
  );
  const indexedPlan = (raw.prepare("EXPLAIN QUERY PLAN SELECT COUNT(*) FROM dossiers").all() as { detail: string }[])
    .map((r) => r.detail)
    .join("; ");
  const migrations = (raw.prepare("SELECT name FROM kysely_migration ORDER BY name").all() as { name: string }[]).map(
    (r) => r.name,
  );
  raw.close();
  console.log(`Migrations: ${migrations.join(", ")}`);
  console.log("\n## Query plans (EXPLAIN QUERY PLAN of the SQL the repository sends)");
  for (const p of plans) console.log(`${p.title}:\n  ${p.sql}\n  → ${p.plan.join("\n  → ")}`);
  console.log(`baseline:\n  ${baselineSql}\n  → ${baselinePlan.join("\n  → ")}`);
  console.log(`  (without NOT INDEXED SQLite would count the smallest index instead: ${indexedPlan})`);
  if (!baselinePlan.some((d) => /^SCAN dossiers$/.test(d))) failures.push("the baseline does not scan the table");

  // Measurements, interleaved: each round runs every item once, so that the neighbours' load falls on all alike.
  type Item = { label: string; run: () => Promise<unknown> };
  const items: Item[] = [
    {
      label: "baseline: COUNT(*) NOT INDEXED",
      run: () => sql.raw(baselineSql).execute(db),
    },
    { label: "(a) province, year", run: () => service.report(ADMIN, year, "all") },
    { label: `(b) province, Q2 ${YEAR}`, run: () => service.report(ADMIN, quarter, "all") },
    { label: "(c) unit 22 (centre), year", run: () => service.report(ADMIN, year, centre.code) },
    { label: `(c) unit ${largest.code} (largest commune), year`, run: () => service.report(ADMIN, year, largest.code) },
    {
      label: `(c) unit ${smallest.code} (smallest commune), year`,
      run: () => service.report(ADMIN, year, smallest.code),
    },
    { label: "(d) byUnit(), year, 55 units", run: () => service.byUnit(ADMIN, year) },
    { label: `(extra) province, May ${YEAR} (short period)`, run: () => service.report(ADMIN, month, "all") },
  ];
  const wall = new Map<string, number[]>(items.map((i) => [i.label, []]));
  const cpu = new Map<string, number[]>(items.map((i) => [i.label, []]));
  const results = new Map<string, unknown>();
  console.log(`\n## Timings (load before: ${load()})`);
  for (let round = 0; round <= RUNS; round++) {
    for (const item of items) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const result = await item.run();
      const ms = performance.now() - t0;
      const used = process.cpuUsage(cpu0);
      if (round === 0) {
        results.set(item.label, result);
        continue;
      }
      wall.get(item.label)?.push(ms);
      cpu.get(item.label)?.push((used.user + used.system) / 1000);
    }
  }
  const base = stats(wall.get(items[0]?.label as string) as number[]);
  console.log(
    `${"".padEnd(44)}${"median".padStart(9)}${"p90".padStart(9)}${"max".padStart(9)}${"CPU med".padStart(9)}   median / baseline`,
  );
  for (const item of items) {
    const s = stats(wall.get(item.label) as number[]);
    const c = stats(cpu.get(item.label) as number[]);
    const ratio = item === items[0] ? "1 (baseline)" : `${(s.median / base.median).toFixed(1)}×`;
    console.log(
      `${item.label.padEnd(44)}${s.median.toFixed(0).padStart(7)}ms${s.p90.toFixed(0).padStart(7)}ms${s.max.toFixed(0).padStart(7)}ms${c.median.toFixed(0).padStart(7)}ms   ${ratio}`,
    );
  }
  console.log(`(load after: ${load()})`);
  const full = stats(wall.get("(a) province, year") as number[]);
  console.log(
    `\nTarget: full province report for the year under ${TARGET_MS} ms — median ${full.median.toFixed(0)} ms: ${full.median < TARGET_MS ? "PASS" : "FAIL"} (p90 ${full.p90.toFixed(0)} ms: ${full.p90 < TARGET_MS ? "also under" : "over"})`,
  );

  // Correctness.
  const report = results.get("(a) province, year") as IndicatorReport;
  const byUnit = results.get("(d) byUnit(), year, 55 units") as Awaited<ReturnType<ReportService["byUnit"]>>;
  check("province: 1 online procedures used", fraction(report, 1), [tally.onlineUsed, tally.onlineOffered]);
  check("province: 2 level 3 online", fraction(report, 2), [tally.level3.online, tally.level3.total]);
  check("province: 3 level 4 online", fraction(report, 3), [tally.level4.online, tally.level4.total]);
  check("province: 4 postal procedures used", fraction(report, 4), [tally.postalUsed, tally.postalOffered]);
  check("province: 5 postal received", fraction(report, 5), [tally.byChannel.postal, tally.dossiers]);
  check("province: 6 postal returned", fraction(report, 6), [tally.byMethod.post, tally.delivered]);
  check("province: totals", report.totals, {
    submitted: tally.dossiers,
    delivered: tally.delivered,
    procedures: tally.procedures,
  });
  const total = (pairs: [number, number][]) =>
    pairs.reduce<[number, number]>((s, p) => [s[0] + p[0], s[1] + p[1]], [0, 0]);
  const sumOf = (no: number) =>
    total(
      byUnit.units.map((u) => {
        const i = u.indicators.find((x) => x.no === no);
        return [i?.numeratorValue ?? 0, i?.denominatorValue ?? 0];
      }),
    );
  for (const no of [2, 3, 5, 6]) check(`indicator ${no}: province = Σ byUnit`, fraction(report, no), sumOf(no));
  check(
    "totals: province = Σ byUnit",
    [report.totals.submitted, report.totals.delivered],
    total(byUnit.units.map((u) => [u.totals.submitted, u.totals.delivered])),
  );
  const overallAll = report.overall.find((o) => o.level === "all");
  check(
    "overall online: province = Σ byUnit",
    [overallAll?.online, overallAll?.total],
    total(byUnit.units.map((u) => [u.overall[0]?.online ?? 0, u.overall[0]?.total ?? 0])),
  );
  for (const u of byUnit.units)
    check(`unit ${u.unit.code}: dossiers`, u.totals.submitted, tally.perUnit.get(u.unit.code));
  for (const unit of [centre, largest, smallest]) {
    const own = [...results.entries()].find(([label]) => label.startsWith(`(c) unit ${unit.code} `))?.[1] as
      | IndicatorReport
      | undefined;
    const row = byUnit.units.find((u) => u.unit.code === unit.code);
    check(
      `unit ${unit.code}: report = byUnit row`,
      own?.indicators.map((i) => [i.numeratorValue, i.denominatorValue]),
      row?.indicators.map((i) => [i.numeratorValue, i.denominatorValue]),
    );
  }
  const q = results.get(`(b) province, Q2 ${YEAR}`) as IndicatorReport;
  const qi = periodInstants(quarter);
  const counted = await sql<{ submitted: number; delivered: number; postal: number }>`
    SELECT
      (SELECT count(*) FROM dossiers WHERE submitted_at >= ${qi.start} AND submitted_at < ${qi.end}) AS submitted,
      (SELECT count(*) FROM dossiers WHERE delivered_at >= ${qi.start} AND delivered_at < ${qi.end}) AS delivered,
      (SELECT count(*) FROM dossiers WHERE channel = 'postal' AND submitted_at >= ${qi.start}
         AND submitted_at < ${qi.end}) AS postal`.execute(db);
  const c = counted.rows[0];
  check(
    "quarter: totals = SQL counts",
    [q.totals.submitted, q.totals.delivered, fraction(q, 5)[0]],
    [c?.submitted, c?.delivered, c?.postal],
  );

  console.log("\n## Correctness");
  if (failures.length === 0) {
    console.log(
      `OK: ${checks} checks — the province's six indicators equal the generator's counts; indicators 2, 3, 5, 6, the totals and the overall rate equal the sum over the ${byUnit.units.length} units of byUnit(); each measured unit's report equals its byUnit() row; Q2 totals equal SQL counts`,
    );
  } else {
    console.log(`FAILED: ${failures.length} of ${checks} checks`);
    for (const f of failures) console.log(`  ✗ ${f}`);
    process.exitCode = 1;
  }

  await db.destroy();
  if (KEEP || REUSE) console.log(`\nDatabase kept in ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
