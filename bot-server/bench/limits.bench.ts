/**
 * `npx tsx bench/limits.bench.ts` (from bot-server/): what the shared budgets of issue 16 (decision 0020) cost per
 * request, beside express-rate-limit's MemoryStore that counted in each process's memory before, in the same run:
 *
 * 1. one counter hit (`SharedLimits.hit`, an upsert) and one Zalo send slot (`DatabaseSlots.advance`), sequentially
 *    and 16 at once, against MemoryStore.increment;
 * 2. a loopback HTTP request through a per-minute limiter (`perMinuteLimit`) on the database store, against the same
 *    Express route behind a MemoryStore limiter, sequentially and with 16 in flight: the difference is the limiter's
 *    cost as a request sees it.
 *
 * SQLite always (a temporary DATA_DIR); PostgreSQL too with `--postgres=postgres://…` (a database the bench may
 * migrate and write to). Machines here are shared and noisy: compare the columns of one run, not runs.
 * Options: `--n=4000` (sequential operations per measurement).
 */
import fs from "node:fs";
import type http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import express from "express";
import { MemoryStore, type Options, rateLimit } from "express-rate-limit";
import { DatabaseSlots } from "../src/clients/zalo/shared-send-rate";
import { type Db, openDatabase, openPostgres } from "../src/db/database";
import { perMinuteLimit } from "../src/http/rate-limit";
import { SharedLimits } from "../src/http/shared-limits";

const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const N = Number(option("n") ?? 4000);
const CONCURRENCY = 16;

type Figures = { label: string; p50: number; p99: number; perSecond: number };

/** `n` calls of `op`, `inflight` at a time: latency percentiles (ms) and calls per second. */
async function measure(label: string, n: number, inflight: number, op: (i: number) => Promise<unknown>) {
  const times: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (next < n) {
        const i = next++;
        const t = performance.now();
        await op(i);
        times.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { label, p50: at(0.5), p99: at(0.99), perSecond: n / elapsed } satisfies Figures;
}

function print(title: string, rows: Figures[]) {
  console.log(`\n${title}`);
  console.log(`  ${"".padEnd(54)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"per s".padStart(10)}`);
  for (const r of rows) {
    console.log(
      `  ${r.label.padEnd(54)}${r.p50.toFixed(3).padStart(9)}${r.p99.toFixed(3).padStart(9)}${Math.round(r.perSecond)
        .toString()
        .padStart(10)}`,
    );
  }
}

async function listen(app: express.Express): Promise<{ url: string; server: http.Server }> {
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => {
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server });
    });
  });
}

/** A route behind a per-minute limiter, keyed by one of 200 callers (each well within its budget). */
function limitedApp(limiter: express.RequestHandler): express.Express {
  const app = express();
  app.use(limiter);
  app.get("/x", (_req, res) => {
    res.json({ ok: true });
  });
  return app;
}

const keyOf = (req: express.Request) => `caller:${req.headers["x-caller"] ?? "?"}`;

async function counters(name: string, db: Db) {
  const limits = new SharedLimits(db);
  const memory = new MemoryStore();
  memory.init({ windowMs: 60_000 } as Options);
  const slots = new DatabaseSlots(db, `bench-${Date.now()}`);
  const keys = Array.from({ length: 200 }, (_, i) => `bench:${i}`);
  const rows: Figures[] = [];
  rows.push(
    await measure("MemoryStore.increment (before), 1 at a time", N, 1, (i) => memory.increment(keys[i % 200] ?? "")),
  );
  rows.push(
    await measure(`SharedLimits.hit on ${name}, 1 at a time`, N, 1, (i) => limits.hit(keys[i % 200] ?? "", 60_000)),
  );
  rows.push(
    await measure(`SharedLimits.hit on ${name}, ${CONCURRENCY} at once`, N, CONCURRENCY, (i) =>
      limits.hit(keys[i % 200] ?? "", 60_000),
    ),
  );
  rows.push(
    await measure(`DatabaseSlots.advance on ${name}, 1 at a time`, N, 1, () => slots.advance(Date.now() * 1000, 1)),
  );
  print(`Counting (${N} operations each)`, rows);
  memory.shutdown();

  const before = await listen(
    limitedApp(rateLimit({ windowMs: 60_000, limit: 1_000_000, keyGenerator: keyOf, standardHeaders: "draft-8" })),
  );
  const after = await listen(
    limitedApp(perMinuteLimit(limits, { name: "bench", perMinute: 1_000_000, key: keyOf, message: "x" })),
  );
  const get = (url: string) => async (i: number) => {
    const res = await fetch(`${url}/x`, { headers: { "x-caller": String(i % 200) } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  };
  const http: Figures[] = [];
  for (const inflight of [1, CONCURRENCY]) {
    http.push(await measure(`HTTP, MemoryStore limiter (before), ${inflight} in flight`, N, inflight, get(before.url)));
    http.push(await measure(`HTTP, database limiter (${name}), ${inflight} in flight`, N, inflight, get(after.url)));
  }
  print(`A request through the limiter (loopback, ${N} requests each)`, http);
  const added = (http[1]?.p50 ?? 0) - (http[0]?.p50 ?? 0);
  console.log(`  → the database store adds about ${added.toFixed(3)} ms per request at p50 (one at a time)`);
  await Promise.all([before, after].map(({ server }) => new Promise((resolve) => server.close(resolve))));
}

async function main() {
  console.log(
    `node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), ${os.loadavg()[0]?.toFixed(1)} load`,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qn-bench-limits-"));
  const sqlite = await openDatabase(dir);
  console.log("\n=== SQLite (WAL, one file in DATA_DIR) ===");
  await counters("SQLite", sqlite);
  await sqlite.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
  const url = option("postgres");
  if (url) {
    const pg = await openPostgres(url, { poolSize: 10 });
    console.log("\n=== PostgreSQL (pool of 10, loopback) ===");
    await counters("PostgreSQL", pg);
    await pg.deleteFrom("limit_counters").where("key", "like", "bench:%").execute();
    await pg.deleteFrom("send_slots").where("name", "like", "bench-%").execute();
    await pg.destroy();
  }
}

await main();
