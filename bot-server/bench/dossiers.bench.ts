/**
 * `npm run bench:dossiers`: how fast the embedded portal files and moves dossiers, through the real HTTP API, beside a
 * raw better-sqlite3 baseline measured in the same run on the same machine (compare the ratios, not the absolutes).
 *
 * - Filing: `POST /api/dossiers` with one 1 MB JPEG-typed attachment (distinct bytes each time, so that every file is
 *   hashed, type-checked and written), 8 clients at once.
 * - Transitions: accept → process → complete → deliver on the filed dossiers, 8 clients at once.
 * - Baseline: one-row transactions inserting a dossier-sized JSON row with a raw prepared statement, the cheapest way
 *   to make a filing durable in SQLite; and the same row plus writing 1 MB to a file, for filings.
 *
 * Options: `--filings=200` (default 200).
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { bootstrap } from "../src/bootstrap";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/logger";

const CONCURRENCY = 8;
const MB = 1024 * 1024;

function jpegOf(size: number): Buffer {
  const body = randomBytes(size);
  body[0] = 0xff;
  body[1] = 0xd8;
  body[2] = 0xff;
  body[3] = 0xe0;
  return body;
}

async function pool<T>(items: T[], worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await worker(item);
      }
    }),
  );
}

function baseline(dir: string, rows: number, withFile: boolean): number {
  const db = new SQLite(path.join(dir, `baseline-${withFile ? "file" : "row"}.sqlite`));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT UNIQUE, doc TEXT)");
  const insert = db.prepare("INSERT INTO t (code, doc) VALUES (?, ?)");
  const doc = JSON.stringify({ applicant: { name: "Nguyễn Văn An", id: "022090001234" }, form: "x".repeat(1500) });
  const files = path.join(dir, "baseline-files");
  fs.mkdirSync(files, { recursive: true });
  const payloads = withFile ? Array.from({ length: rows }, () => jpegOf(MB)) : [];
  const started = performance.now();
  for (let i = 0; i < rows; i++) {
    if (withFile) fs.writeFileSync(path.join(files, `f${i}`), payloads[i] as Buffer);
    db.transaction(() => insert.run(`code-${i}`, doc))();
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return rows / seconds;
}

async function main() {
  const filings = Number(process.argv.find((a) => a.startsWith("--filings="))?.split("=")[1] ?? 200);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "qn-bench-dossiers-"));
  const config = {
    ...loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: "silent" }),
    rateLimitPerMinute: 1_000_000,
    loginRateLimitPerMinute: 1_000_000,
    // One citizen files them all: the per-citizen quotas (issue 13, finding 3) would stop the run at the 4th.
    filingQuota: { openPerProcedure: 1_000_000, perHour: 1_000_000 },
  };
  const { app, deps, close } = await bootstrap(config, createLogger("silent"));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const login = await deps.auth.loginAsDeveloper("bench", "Người Đo Hiệu Năng");
  await deps.auth.createOfficial({
    username: "bench.hcc",
    name: "Cán bộ đo",
    role: "hcc",
    unitCode: "06652",
    password: "mat-khau-do-hieu-nang",
  });
  const official = await deps.auth.loginOfficial("bench.hcc", "mat-khau-do-hieu-nang");
  const procedure = await deps.procedures.get("1.001193");
  const required = procedure.documents.flatMap((d, i) => (d.required ? [i] : []));
  const dossier = JSON.stringify({
    procedureCode: "1.001193",
    applicant: {
      name: "Nguyễn Văn An",
      identityNumber: "022090001234",
      address: { communeCode: "06652", street: "Tổ 3, khu 4" },
    },
    resultDelivery: { method: "counter" },
    formData: { tenTre: "Nguyễn Minh Khôi" },
  });
  // Documents other than the measured 1 MB one are tiny; only the first carries the megabyte.
  const small = jpegOf(2 * 1024);
  const forms = Array.from({ length: filings }, () => {
    const form = new FormData();
    form.set("dossier", dossier);
    required.forEach((index, k) => {
      form.append(
        `document:${index}`,
        new Blob([new Uint8Array(k === 0 ? jpegOf(MB) : small)]),
        `giay-to-${index}.jpg`,
      );
    });
    return form;
  });

  console.log(`# Dossier benchmark — ${new Date().toISOString()}, Node ${process.version}, ${CONCURRENCY} clients`);
  const codes: string[] = [];
  let started = performance.now();
  await pool(forms, async (form) => {
    const res = await fetch(`${url}/api/dossiers`, {
      method: "POST",
      headers: { authorization: `Bearer ${login.token}` },
      body: form,
    });
    if (res.status !== 201) throw new Error(`filing failed: ${res.status} ${await res.text()}`);
    codes.push(((await res.json()) as { code: string }).code);
  });
  const filingRate = filings / ((performance.now() - started) / 1000);

  const actions = ["accept", "process", "complete", "deliver"];
  started = performance.now();
  await pool(codes, async (code) => {
    for (const action of actions) {
      const res = await fetch(`${url}/api/officials/dossiers/${code}/actions`, {
        method: "POST",
        headers: { authorization: `Bearer ${official.token}`, "content-type": "application/json" },
        body: JSON.stringify({ action, note: "Đo hiệu năng" }),
      });
      if (res.status !== 200) throw new Error(`${action} failed: ${res.status} ${await res.text()}`);
    }
  });
  const transitionRate = (codes.length * actions.length) / ((performance.now() - started) / 1000);

  const rowBaseline = baseline(dataDir, Math.max(500, filings * 4), false);
  const fileBaseline = baseline(dataDir, filings, true);

  console.log(`Filing through HTTP (1 MB attachment): ${filingRate.toFixed(1)} dossiers/s`);
  console.log(
    `  baseline: raw insert + 1 MB file write: ${fileBaseline.toFixed(1)} rows/s → ratio ${(filingRate / fileBaseline).toFixed(3)}`,
  );
  console.log(
    `  baseline: raw one-row transaction: ${rowBaseline.toFixed(0)} rows/s → ratio ${(filingRate / rowBaseline).toFixed(4)}`,
  );
  console.log(`Transitions through HTTP: ${transitionRate.toFixed(1)} transitions/s`);
  console.log(
    `  baseline: raw one-row transaction: ${rowBaseline.toFixed(0)} rows/s → ratio ${(transitionRate / rowBaseline).toFixed(4)}`,
  );

  server.close();
  await close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
