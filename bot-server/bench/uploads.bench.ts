/**
 * `npm run bench:uploads`: what big filings cost the server in memory (issue 13, finding 4, "Proven"), with uploads
 * streamed to disk as they are now, beside the same filings with the old in-memory buffering, in the same run on the
 * same machine (compare the ratio, not the absolutes).
 *
 * - A real server process (`node --import tsx bot-server/src/server.ts`) per mode, on loopback, in offline mode.
 * - 8 citizens file at once, each one dossier of 20 files of 10 MB (200 MB a filing, 1.6 GB in all), sent as a
 *   browser sends them (multipart with a Content-Length), generated on the fly so that the client holds little.
 * - The server's resident memory is sampled from /proc/<pid>/status (VmRSS every 10 ms, and VmHWM after its peak is
 *   reset through /proc/<pid>/clear_refs) from just before the filings until the last answer. Growth: the peak
 *   minus VmRSS just before, after one small filing has warmed the server up.
 * - The baseline is the same server with UPLOAD_BUFFERING=memory, which keeps every part in memory until its request
 *   is over, as multer's memory storage did before the change (the config switch exists for this benchmark only).
 *
 * The streaming run must stay under 100 MB of growth: the benchmark exits with 1 when it does not. Linux only.
 * Options: `--filings=8`, `--files=20`, `--file-mb=10`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./free-port";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const FILINGS = Number(option("filings") ?? 8);
const FILES = Number(option("files") ?? 20);
const FILE_MB = Number(option("file-mb") ?? 10);
const MB = 1024 * 1024;
const FILE_BYTES = Math.round(FILE_MB * MB);
const LIMIT_MB = 100;
/** Procedure "Đăng ký khai sinh" and the documents the filings' parts are named after (any of its documents). */
const PROCEDURE = "1.001193";

type Mode = "memory" | "disk";
type Result = { mode: Mode; baseline: number; peak: number; seconds: number };

function serverProcess(mode: Mode, dataDir: string, port: number): ChildProcess {
  // node with tsx's loader, not the tsx wrapper: the pid is the server's own, whose memory is read.
  return spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "bot-server/src/server.ts")], {
    cwd: ROOT,
    stdio: "ignore",
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "silent",
      RATE_LIMIT_PER_MINUTE: "100000",
      SESSION_SECRET: "bench-uploads-session-secret-0123456789",
      MAX_UPLOAD_MB: String(FILE_MB),
      MAX_FILES_PER_SUBMISSION: String(FILES),
      MAX_CONCURRENT_UPLOADS: String(FILINGS),
      CITIZEN_STORAGE_QUOTA_MB: "1000000",
      UPLOAD_BUFFERING: mode,
    },
  });
}

async function waitUp(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error("the server did not start");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A field of /proc/<pid>/status, in bytes. */
function statusKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const text = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text)?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`no ${field} in /proc/${pid}/status`);
  return kb * 1024;
}

/** Resets VmHWM to the current RSS (Linux 4.0+); false where that is not allowed (sampling still covers it). */
function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

async function signIn(url: string, zaloId: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/dev`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ zaloId, name: "Người Đo Bộ Nhớ" }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

const dossier = JSON.stringify({
  procedureCode: PROCEDURE,
  applicant: {
    type: "citizen",
    name: "Nguyễn Văn An",
    identityNumber: "022090001234",
    address: { communeCode: "06652", street: "Tổ 3, khu 4" },
  },
  resultDelivery: { method: "counter" },
  formData: { tenTre: "Nguyễn Minh Khôi", ngaySinh: "2026-11-20" },
});

/** The same block of random bytes behind every file (after its own JPEG start and tag): little memory here. */
const FILLER = randomBytes(MB);

/**
 * One filing of `files` JPEG-typed files of `bytes` each, streamed with a Content-Length as a browser sends a form,
 * writing as fast as the server reads.
 */
function fileDossier(url: string, token: string, documents: number, files: number, bytes: number): Promise<void> {
  const boundary = `----qn-bench-${randomBytes(8).toString("hex")}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="dossier"\r\n\r\n${dossier}\r\n`;
  const partHeads = Array.from(
    { length: files },
    (_, i) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="document:${i % documents}"; ` +
      `filename="giay-to-${i}.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
  );
  const tail = `--${boundary}--\r\n`;
  const length =
    Buffer.byteLength(head) +
    partHeads.reduce((sum, h) => sum + Buffer.byteLength(h) + bytes + 2, 0) +
    Buffer.byteLength(tail);
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/api/dossiers`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": `multipart/form-data; boundary=${boundary}`,
        "content-length": String(length),
      },
    });
    req.on("error", reject);
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => {
        body += c;
      });
      res.on("end", () =>
        res.statusCode === 201 ? resolve() : reject(new Error(`filing failed: ${res.statusCode} ${body}`)),
      );
    });
    const write = (chunk: Buffer | string) =>
      req.write(chunk) ? Promise.resolve() : new Promise<void>((r) => req.once("drain", () => r()));
    void (async () => {
      await write(head);
      for (const partHead of partHeads) {
        await write(partHead);
        // A JPEG's start (SOI, APP0) and a tag of its own, so that every file has its own SHA-256.
        const start = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(28)]);
        let left = bytes - start.length;
        await write(start);
        while (left > 0) {
          const piece = FILLER.subarray(0, Math.min(left, FILLER.length));
          await write(piece);
          left -= piece.length;
        }
        await write("\r\n");
      }
      req.end(tail);
    })().catch(reject);
  });
}

async function run(mode: Mode): Promise<Result> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `qn-bench-uploads-${mode}-`));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = serverProcess(mode, dataDir, port);
  try {
    await waitUp(url, child);
    const pid = child.pid as number;
    const procedure = (await (await fetch(`${url}/api/procedures/${PROCEDURE}`)).json()) as { documents: unknown[] };
    const documents = procedure.documents.length;
    const tokens = await Promise.all(Array.from({ length: FILINGS }, (_, i) => signIn(url, `bench-uploads-${i}`)));
    // Warm-up: one small filing, so that the first big ones do not pay for code loaded on first use.
    await fileDossier(url, await signIn(url, "bench-uploads-warm"), documents, FILES, 64 * 1024);
    await new Promise((r) => setTimeout(r, 500));

    const baseline = statusKb(pid, "VmRSS");
    const peakReset = resetPeak(pid);
    let sampled = baseline;
    const sampler = setInterval(() => {
      sampled = Math.max(sampled, statusKb(pid, "VmRSS"));
    }, 10);
    const started = performance.now();
    await Promise.all(tokens.map((token) => fileDossier(url, token, documents, FILES, FILE_BYTES)));
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const peak = Math.max(sampled, peakReset ? statusKb(pid, "VmHWM") : 0);
    return { mode, baseline, peak, seconds };
  } finally {
    child.kill("SIGKILL");
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once("exit", r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;

async function main() {
  if (process.platform !== "linux") throw new Error("bench:uploads reads /proc: Linux only");
  const total = (FILINGS * FILES * FILE_BYTES) / MB;
  console.log(
    `# Upload memory benchmark — ${new Date().toISOString()}, Node ${process.version}, ${FILINGS} filings at once ` +
      `of ${FILES} × ${FILE_MB} MB (${total.toFixed(0)} MB in all)`,
  );
  const before = await run("memory");
  const now = await run("disk");
  const growth = (r: Result) => r.peak - r.baseline;
  for (const [label, r] of [
    ["in memory (before, UPLOAD_BUFFERING=memory)", before],
    ["streamed to disk (now)", now],
  ] as const) {
    console.log(
      `${label}: RSS ${mb(r.baseline)} → peak ${mb(r.peak)}, growth ${mb(growth(r))}; ` +
        `${r.seconds.toFixed(1)} s (${(total / r.seconds).toFixed(0)} MB/s)`,
    );
  }
  console.log(
    `ratio of growth, streamed / in memory: ${(growth(now) / growth(before)).toFixed(3)}; ` +
      `time: ${(now.seconds / before.seconds).toFixed(2)}`,
  );
  const ok = growth(now) < LIMIT_MB * MB;
  console.log(`peak RSS growth with streaming under ${LIMIT_MB} MB: ${ok ? "yes" : "NO"}`);
  if (!ok) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
