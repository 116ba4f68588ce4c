/**
 * `npm run bench:portal`: forwarding dossiers to a portal over HTTP (PORTAL_MODE=http, decision 0011), against the
 * embedded portal serving the contract at /portal-api in a second process on loopback, beside direct calls to that
 * process made in the same run with the same client (compare the ratios, not the absolutes).
 *
 * - Direct: `createDossier` + one upload per required document with the part-1 `PortalClient`, 8 callers at once.
 *   Throughput, and the latency of one dossier (create and uploads).
 * - Through the gateway: `POST /api/dossiers` at a bot server in http mode, 8 clients at once. The citizen's answer
 *   time, the time from filing to the dossier being on the portal (job created → job done, read from `portal_jobs`),
 *   and the throughput until the last one is there. The difference of the medians is the latency the gateway adds.
 * - Backlog: the portal process is killed, `--backlog` dossiers are filed (through the gateway object, not HTTP, to
 *   build the backlog quickly), the portal is started again, and the time until every job is done is measured from the
 *   moment the portal answers its health check. Retries during the outage wait at most 2 s and the circuit breaker's
 *   cool-down is 2 s in this run (defaults: 600 s and 30 s), so the drain measures sending, not waiting.
 *
 * Options: `--dossiers=300`, `--backlog=10000`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { DossierForwarding } from "@qn/shared";
import { bootstrap } from "../src/bootstrap";
import { PortalClient } from "../src/clients/provincial-portal/portal.client";
import { loadConfig } from "../src/config";
import { HEAD_BYTES } from "../src/http/upload";
import { createLogger } from "../src/logger";
import { AttachmentStore } from "../src/modules/files/attachment-store";
import { incomingDirOf, LocalFileStore } from "../src/modules/files/file-store";
import { freePort } from "./free-port";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const DOSSIERS = Number(option("dossiers") ?? 300);
const BACKLOG = Number(option("backlog") ?? 10_000);
const CONCURRENCY = 8;
const CLIENT_ID = "bench-bot-server";
const CLIENT_SECRET = "bench-client-secret-0123";
const FILE_BYTES = 20 * 1024;

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
      while (next < items.length) await worker(items[next++] as T);
    }),
  );
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const ms = (v: number) => `${v.toFixed(0)} ms`;

const children: ChildProcess[] = [];

function portalProcess(dataDir: string, port: number): ChildProcess {
  // node with tsx's loader, not the tsx wrapper: SIGKILL to the wrapper would leave its node child serving.
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "bot-server/src/server.ts")], {
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
      SESSION_SECRET: "bench-portal-session-secret-0123456789",
      PORTAL_API_CLIENTS: JSON.stringify({ [CLIENT_ID]: CLIENT_SECRET }),
    },
  });
  children.push(child);
  return child;
}

async function waitUp(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the portal process exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error("the portal process did not start");
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function kill(child: ChildProcess): Promise<void> {
  child.kill("SIGKILL");
  if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once("exit", r));
}

async function main() {
  const portalDir = fs.mkdtempSync(path.join(os.tmpdir(), "qn-bench-portal-"));
  const botDir = fs.mkdtempSync(path.join(os.tmpdir(), "qn-bench-bot-"));
  const port = await freePort();
  const portalUrl = `http://127.0.0.1:${port}`;
  let portal = portalProcess(portalDir, port);
  await waitUp(portalUrl, portal);

  const base = loadConfig({
    DATA_DIR: botDir,
    LOG_LEVEL: "silent",
    PORTAL_MODE: "http",
    PORTAL_URL: `${portalUrl}/portal-api`,
    PORTAL_CLIENT_ID: CLIENT_ID,
    PORTAL_CLIENT_SECRET: CLIENT_SECRET,
    PORTAL_CALLBACK_SECRET: "bench-callback-secret-0123",
    PORTAL_POLL_SECONDS: "3600",
    PORTAL_RETRY_BASE_MS: "100",
    PORTAL_RETRY_MAX_SECONDS: "2",
  });
  if (base.portal.mode !== "http") throw new Error("http mode expected");
  const config = {
    ...base,
    rateLimitPerMinute: 1_000_000,
    // One citizen files them all: the per-citizen quotas (issue 13, finding 3) would stop the run at the 4th.
    filingQuota: { openPerProcedure: 1_000_000, perHour: 1_000_000 },
    portal: { ...base.portal, queuePollMs: 50, client: { breakerCoolDownMs: 2_000 } },
  };
  const { app, deps, portal: gateway, close } = await bootstrap(config, createLogger("silent"));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const botUrl = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;

  const procedure = await deps.procedures.get("1.001193");
  const required = procedure.documents.flatMap((d, i) => (d.required ? [i] : []));
  const applicant = {
    type: "citizen" as const,
    name: "Nguyễn Văn An",
    identityNumber: "022090001234",
    address: { communeCode: "06652", street: "Tổ 3, khu 4" },
  };
  console.log(
    `# Portal forwarding benchmark — ${new Date().toISOString()}, Node ${process.version}, ${CONCURRENCY} callers, ` +
      `${DOSSIERS} dossiers with ${required.length} files of ${FILE_BYTES / 1024} KB each, backlog ${BACKLOG}`,
  );

  // ─── Direct calls to the portal process ───
  const client = new PortalClient(
    { baseUrl: `${portalUrl}/portal-api`, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    createLogger("silent"),
  );
  const direct: number[] = [];
  let started = performance.now();
  await pool(
    Array.from({ length: DOSSIERS }, (_, i) => i),
    async (i) => {
      const t0 = performance.now();
      const forwarding: DossierForwarding = {
        reference: `BENCH-DIRECT-${String(i).padStart(6, "0")}`,
        procedureCode: "1.001193",
        unitCode: "06652",
        channel: "online",
        submittedAt: new Date().toISOString(),
        applicant,
        resultDelivery: { method: "counter" },
        formData: { tenTre: "Nguyễn Minh Khôi" },
        filedBy: null,
      };
      const { dossier } = await client.createDossier(forwarding, `bench:direct:${i}`);
      for (const index of required) {
        const content = jpegOf(FILE_BYTES);
        await client.uploadAttachment(dossier.code, {
          documentName: procedure.documents[index]?.name ?? "Giấy tờ",
          documentIndex: index,
          kind: "initial",
          sha256: createHash("sha256").update(content).digest("hex"),
          fileName: `giay-to-${index}.jpg`,
          mime: "image/jpeg",
          content,
        });
      }
      direct.push(performance.now() - t0);
    },
  );
  const directRate = DOSSIERS / ((performance.now() - started) / 1000);

  // ─── Through the gateway ───
  const citizen = await deps.auth.loginAsDeveloper("bench-portal", "Người Đo Hiệu Năng");
  const dossierJson = JSON.stringify({
    procedureCode: "1.001193",
    applicant,
    resultDelivery: { method: "counter" },
    formData: { tenTre: "Nguyễn Minh Khôi" },
  });
  const answers: number[] = [];
  started = performance.now();
  await pool(
    Array.from({ length: DOSSIERS }, (_, i) => i),
    async () => {
      const form = new FormData();
      form.set("dossier", dossierJson);
      for (const index of required) {
        form.append(`document:${index}`, new Blob([new Uint8Array(jpegOf(FILE_BYTES))]), `giay-to-${index}.jpg`);
      }
      const t0 = performance.now();
      const res = await fetch(`${botUrl}/api/dossiers`, {
        method: "POST",
        headers: { authorization: `Bearer ${citizen.token}` },
        body: form,
      });
      if (res.status !== 201) throw new Error(`filing failed: ${res.status} ${await res.text()}`);
      answers.push(performance.now() - t0);
    },
  );
  const pending = async () =>
    Number(
      (
        await deps.db
          .selectFrom("portal_jobs")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("status", "!=", "done")
          .executeTakeFirstOrThrow()
      ).n,
    );
  while ((await pending()) > 0) await new Promise((r) => setTimeout(r, 20));
  const gatewaySeconds = (performance.now() - started) / 1000;
  const jobs = await deps.db.selectFrom("portal_jobs").select(["created_at", "done_at", "attempts"]).execute();
  const forwardDelays = jobs.map((j) => Date.parse(j.done_at as string) - Date.parse(j.created_at));
  const gatewayRate = DOSSIERS / gatewaySeconds;

  console.log("Direct to the portal process (create + uploads):");
  console.log(
    `  ${directRate.toFixed(1)} dossiers/s; latency p50 ${ms(quantile(direct, 0.5))}, p95 ${ms(quantile(direct, 0.95))}`,
  );
  console.log("Through the gateway (POST /api/dossiers in http mode):");
  console.log(`  citizen's answer p50 ${ms(quantile(answers, 0.5))}, p95 ${ms(quantile(answers, 0.95))}`);
  console.log(
    `  filed → on the portal p50 ${ms(quantile(forwardDelays, 0.5))}, p95 ${ms(quantile(forwardDelays, 0.95))}` +
      ` (added over direct, p50: ${ms(quantile(forwardDelays, 0.5) - quantile(direct, 0.5))})`,
  );
  console.log(
    `  ${gatewayRate.toFixed(1)} dossiers/s until the last is on the portal → ratio to direct ${(gatewayRate / directRate).toFixed(2)}` +
      `; attempts per job: max ${Math.max(...jobs.map((j) => j.attempts))}`,
  );

  // ─── A backlog after an outage ───
  await kill(portal);
  const files = new AttachmentStore(
    new LocalFileStore(path.join(botDir, "files")),
    incomingDirOf(botDir),
    10 * 1024 * 1024,
  );
  fs.mkdirSync(files.incomingDir, { recursive: true, mode: 0o700 });
  const inspected = await files.inspect(
    required.map((index) => {
      // As an upload leaves it: a temporary file, its SHA-256 and its first bytes (bot-server/src/http/upload.ts).
      const content = jpegOf(FILE_BYTES);
      const temporary = path.join(files.incomingDir, `bench-${index}.part`);
      fs.writeFileSync(temporary, content, { mode: 0o600 });
      return {
        path: temporary,
        size: content.length,
        sha256: createHash("sha256").update(content).digest("hex"),
        head: content.subarray(0, HEAD_BYTES),
        originalName: `giay-to-${index}.jpg`,
        documentIndex: index,
        documentName: procedure.documents[index]?.name ?? "Giấy tờ",
      };
    }),
  );
  await files.store(inspected);
  const attachments = inspected.map(({ path: _p, ...a }) => a);
  // A unit files at most 9,999 dossiers a day (the code's counter): the backlog is spread over the communes.
  const communes = (
    await deps.db.selectFrom("receiving_units").select("code").where("level", "=", "commune").orderBy("code").execute()
  ).map((u) => u.code);
  started = performance.now();
  for (let i = 0; i < BACKLOG; i++) {
    await gateway.submit({
      submission: { procedureCode: "1.001193", applicant, resultDelivery: { method: "counter" }, formData: {} },
      procedure,
      unitCode: communes[i % communes.length] as string,
      channel: "online",
      citizenId: null,
      filedBy: null,
      attachments,
      actor: { kind: "citizen", id: null, name: applicant.name, role: "Công dân", unitCode: null },
    });
  }
  const queued = (performance.now() - started) / 1000;
  const backlog = await pending();
  portal = portalProcess(portalDir, port);
  await waitUp(portalUrl, portal);
  started = performance.now();
  while ((await pending()) > 0) await new Promise((r) => setTimeout(r, 100));
  const drain = (performance.now() - started) / 1000;
  console.log(
    `Backlog after an outage: ${backlog} dossiers queued in ${queued.toFixed(1)} s while the portal was down`,
  );
  console.log(
    `  drained in ${drain.toFixed(1)} s after the portal was back (${(backlog / drain).toFixed(1)} dossiers/s, ` +
      `${required.length} uploads each) → ratio to direct ${(backlog / drain / directRate).toFixed(2)}`,
  );

  server.close();
  await close();
  await kill(portal);
  fs.rmSync(portalDir, { recursive: true, force: true });
  fs.rmSync(botDir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  for (const child of children) child.kill("SIGKILL");
  process.exit(1);
});
