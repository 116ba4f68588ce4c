/**
 * `npm run bench:broadcast`: an announcement to 100,000 synthetic followers through the real outbox and Zalo client,
 * against a fake Zalo HTTP server on loopback. Reports the achieved send rate as a share of the configured rate
 * (target ≥ 95%), database time per message, and memory during the run (target: flat, under 50 MB growth).
 *
 * Options: `--followers=100000`, `--rate=600` (ZALO_SEND_RATE_PER_SECOND; Zalo's real limits are far lower, the
 * default of the project is 5/s).
 */

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bootstrap } from "../src/bootstrap";
import { loadConfig } from "../src/config";
import { openDatabase } from "../src/db/database";
import { createLogger } from "../src/logger";

const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const FOLLOWERS = arg("followers", 100_000);
const RATE = arg("rate", 600);
const MB = 1024 * 1024;

const here = path.dirname(fileURLToPath(import.meta.url));

/** The fake Zalo in its own process, as Zalo is in production: its CPU and memory are not the server's. */
async function fakeZaloProcess() {
  const child = spawn(path.resolve(here, "../../node_modules/.bin/tsx"), [path.join(here, "fake-zalo.ts")], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      const match = /URL (\S+)/.exec(chunk.toString());
      if (match?.[1]) resolve(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`fake Zalo exited with ${code}`)));
  });
  const stats = async () => (await (await fetch(`${url}/__stats`)).json()) as { total: number; distinct: number };
  return { url, stats, close: () => child.kill() };
}

async function main() {
  const zalo = await fakeZaloProcess();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "qn-bench-broadcast-"));
  const base = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    ZALO_APP_ID: "4291763606161179100",
    ZALO_APP_SECRET: "app-secret",
    ZALO_OA_SECRET_KEY: "oa-secret",
    ZALO_OA_ACCESS_TOKEN: "seed-access",
    ZALO_OA_REFRESH_TOKEN: "seed-refresh",
    ZALO_TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 5).toString("base64"),
    ZALO_OPENAPI_URL: zalo.url,
    ZALO_OAUTH_URL: zalo.url,
    ZALO_ZNS_URL: zalo.url,
    ZALO_SEND_RATE_PER_SECOND: String(RATE),
    OUTBOX_BATCH: "200",
    OUTBOX_CONCURRENCY: "32",
  });

  // Arrange with the worker stopped: followers and an approved announcement due now.
  const setup = await bootstrap({ ...base, outbox: { ...base.outbox, workers: 0 } }, createLogger("silent"));
  const now = new Date().toISOString();
  for (let i = 0; i < FOLLOWERS; i += 5000) {
    await setup.deps.db
      .insertInto("zalo_users")
      .values(
        Array.from({ length: Math.min(5000, FOLLOWERS - i) }, (_, k) => ({
          user_id: `f${String(i + k).padStart(7, "0")}`,
          followed: 1,
          last_interaction_at: now,
        })),
      )
      .execute();
  }
  await setup.deps.db
    .insertInto("announcements")
    .values({
      title: "Đo hiệu năng gửi thông báo",
      body: "Nội dung thông báo thử nghiệm gửi tới mọi người quan tâm.",
      image_url: null,
      link: "https://dichvucong.quangninh.gov.vn",
      audience: JSON.stringify({ kind: "all" }),
      status: "scheduled",
      created_by: 1,
      approved_by: 2,
      scheduled_at: now,
      published_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await setup.close();

  // Act: the real server wiring, with query time measured.
  let queryMs = 0;
  let queries = 0;
  const started = performance.now();
  const memory: { at: number; heap: number; rss: number }[] = [];
  // With --expose-gc (npm run bench:broadcast passes it) samples are taken after a full collection: live memory only.
  const gc = (globalThis as { gc?: () => void }).gc;
  const sample = () => {
    gc?.();
    const m = process.memoryUsage();
    memory.push({ at: (performance.now() - started) / 1000, heap: m.heapUsed / MB, rss: m.rss / MB });
  };
  sample();
  const sampler = setInterval(sample, 1000);
  const app = await bootstrapMeasured(base, (ms) => {
    queryMs += ms;
    queries++;
  });
  let firstSend = 0;
  let received = await zalo.stats();
  while (received.total < FOLLOWERS) {
    if (received.total > 0 && firstSend === 0) firstSend = performance.now();
    await new Promise((r) => setTimeout(r, 50));
    received = await zalo.stats();
  }
  const lastSend = performance.now();
  clearInterval(sampler);
  sample();
  await app.close();
  zalo.close();

  const seconds = (lastSend - firstSend) / 1000;
  const achieved = (FOLLOWERS - 1) / seconds;
  const heapStart = memory[0]?.heap ?? 0;
  const rssStart = memory[0]?.rss ?? 0;
  const heapPeak = Math.max(...memory.map((m) => m.heap));
  const rssPeak = Math.max(...memory.map((m) => m.rss));
  // Trend of the heap over the run (least squares): a leak shows as a steady climb, garbage as noise around a line.
  const n = memory.length;
  const meanT = memory.reduce((s, m) => s + m.at, 0) / n;
  const meanH = memory.reduce((s, m) => s + m.heap, 0) / n;
  const slope =
    memory.reduce((s, m) => s + (m.at - meanT) * (m.heap - meanH), 0) /
    Math.max(
      1e-9,
      memory.reduce((s, m) => s + (m.at - meanT) ** 2, 0),
    );

  console.log(
    `# Broadcast benchmark — ${new Date().toISOString()}, Node ${process.version}${gc ? ", memory after full GC" : ""}`,
  );
  console.log(`${FOLLOWERS.toLocaleString("en")} followers, configured rate ${RATE}/s, fake Zalo on loopback`);
  console.log(
    `achieved send rate: ${achieved.toFixed(1)}/s over ${seconds.toFixed(1)} s → ${((100 * achieved) / RATE).toFixed(1)}% of configured (target ≥ 95%)`,
  );
  console.log(
    `messages received by Zalo: ${received.total.toLocaleString("en")} (duplicates ${received.total - received.distinct})`,
  );
  console.log(
    `database time per message: ${(queryMs / FOLLOWERS).toFixed(3)} ms (${(queries / FOLLOWERS).toFixed(1)} queries per message)`,
  );
  console.log(
    `memory: heap ${heapStart.toFixed(1)} → peak ${heapPeak.toFixed(1)} MB (growth ${(heapPeak - heapStart).toFixed(1)} MB), ` +
      `rss ${rssStart.toFixed(1)} → peak ${rssPeak.toFixed(1)} MB (growth ${(rssPeak - rssStart).toFixed(1)} MB); ` +
      `heap trend ${(slope * 60).toFixed(2)} MB/min over ${seconds.toFixed(0)} s (target: flat, < 50 MB growth)`,
  );
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/** The bot server as `npm start` wires it, with the database's query durations reported. */
function bootstrapMeasured(config: ReturnType<typeof loadConfig>, onQuery: (ms: number) => void) {
  return bootstrap(config, createLogger("silent"), (dir) => openDatabase(dir, onQuery));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
