/**
 * `npm run bench:postal`: sending results to the post (issue 15, decision 0016) through the postal queue, beside a
 * baseline measured in the same run against the same fake post (compare the ratios, not the absolutes).
 *
 * The post is the offline mode's SandboxPost (modules/postal/sandbox-post.ts, the contract of
 * docs/postal-api/openapi.json) served over plain node http on loopback in this process, a fresh one for each part, its
 * callbacks off (the same fake for the measured path and the baseline). The bot server is `bootstrap` with POSTAL_URL at
 * it: the real PostalClient (axios, Bearer token, Idempotency-Key), PostalService and PostalQueue. The outbox worker and
 * the server's own postal queue are stopped; the queue measured is a PostalQueue with the server's settings (batches
 * of 100 claimed with a lease, 8 orders at a time), drained by hand.
 *
 * (a) Dispatch: `--orders` dossiers in state 9 with the result by post, spread over the communes, each unit with its
 *     sender details. Timed from "Gửi kết quả qua bưu điện" (PostalService.dispatch, 200 dossiers a call as the console
 *     sends them: each order recorded as waiting) until every order is created at the post and its answer applied
 *     (PostalQueue.drain: the create, the waybill, the status "created" and the citizen's message). Checked
 *     afterwards: one order per dossier at the post, each created once, each of ours with the post's waybill.
 *     Baseline: the same create requests (the same bodies, built beforehand) sent straight to a fresh fake with a
 *     PostalClient, 8 at a time — the post and the wire without our database.
 * (b) Backlog after an outage: the post down (503) while `--orders` more are dispatched and the queue tries each once
 *     (each fails and waits out its backoff); then the post is up, and the queue — its clock past every backoff — drains
 *     the backlog: each order is first looked up by its number (a try that may have reached the post), then created.
 *     Timed from the post being up to every order created. Checked as in (a), plus one lookup per order.
 *     Baseline: the same direct creates of (a); and, for the lookup, direct lookup + create pairs on a fresh fake.
 *
 * Options: `--orders=5000`.
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { STATE } from "@qn/shared";
import { sql } from "kysely";
import { bootstrap } from "../src/bootstrap";
import type { PostOrderRequest } from "../src/clients/postal/post";
import { PostalClient } from "../src/clients/postal/postal.client";
import { loadConfig } from "../src/config";
import type { Db } from "../src/db/database";
import { createLogger } from "../src/logger";
import type { OfficialActor } from "../src/modules/auth/actor";
import type { PostalService } from "../src/modules/postal/postal.service";
import { PostalQueue, type PostalQueueOptions } from "../src/modules/postal/postal-queue";
import { SandboxPost } from "../src/modules/postal/sandbox-post";
import type { PortalGateway, StepActor } from "../src/modules/records/gateway";
import { freePort } from "./free-port";

const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const ORDERS = Number(option("orders") ?? 5000);
const CONCURRENCY = 8;
const DISPATCH_CHUNK = 200;
const TOKEN = "bench-postal-token";
const CALLBACK_SECRET = "bench-postal-callback-secret-0123";
const PROCEDURE = "1.001193";

async function pool<T>(items: T[], worker: (item: T) => Promise<void>, concurrency = CONCURRENCY): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await worker(items[next++] as T);
    }),
  );
}

const seconds = (since: number) => (performance.now() - since) / 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The fake post on loopback: one http server, the SandboxPost behind it swapped for a fresh one per part. */
function postServer(current: () => SandboxPost): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      current()
        .handle({
          method: req.method ?? "GET",
          path: req.url ?? "/",
          headers: req.headers,
          body: Buffer.concat(chunks),
        })
        .then((answer) => {
          res.writeHead(answer.status, { "content-type": "application/json; charset=utf-8" });
          res.end(JSON.stringify(answer.body));
        })
        .catch((error: unknown) => {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: String(error) }));
        });
    });
  });
}

let posts = 0;
/**
 * A fresh fake post. Each gives waybill numbers of its own (its serial starts 10 million apart): a second fake
 * starting from the same serial would give the waybills of the first part again, which our unique index refuses.
 */
function freshPost(): SandboxPost {
  const post = new SandboxPost({ token: TOKEN, callbackSecret: CALLBACK_SECRET, callbackUrl: null });
  Object.assign(post, { serial: 10_000_000 * ++posts });
  return post;
}

/**
 * `n` dossiers in state 9 ("Đã xử lý xong") with the result by post, through the gateway as the API files and moves
 * them (submit, accept, complete), 8 at a time, spread over the communes (a unit files at most 9,999 a day).
 */
async function readyDossiers(
  db: Db,
  portal: PortalGateway,
  procedures: { get(code: string): Promise<import("@qn/shared").Procedure> },
  communes: string[],
  citizenId: number,
  n: number,
  offset: number,
): Promise<string[]> {
  const procedure = await procedures.get(PROCEDURE);
  if (!procedure.postal) throw new Error(`${PROCEDURE} may not go by post`);
  const codes: string[] = [];
  await pool(
    Array.from({ length: n }, (_, i) => offset + i),
    async (i) => {
      const unitCode = communes[i % communes.length] as string;
      const address = { communeCode: unitCode, street: `Số ${(i % 200) + 1}, tổ 3, khu 4` };
      const record = await portal.submit({
        submission: {
          procedureCode: procedure.code,
          applicant: { type: "citizen", name: "Nguyễn Văn An", identityNumber: "022090001234", address },
          resultDelivery: { method: "post", recipientName: "Nguyễn Văn An", phone: "0912345678", address },
          formData: {},
        },
        procedure,
        unitCode,
        channel: "online",
        citizenId,
        filedBy: null,
        attachments: [],
        actor: { kind: "citizen", id: citizenId, name: "Nguyễn Văn An", role: "Công dân", unitCode: null },
      });
      const officer: StepActor = { kind: "official", id: null, name: "Cán bộ đo", role: "Một cửa", unitCode };
      await portal.transition(record.code, "accept", officer, {});
      await portal.transition(record.code, "complete", officer, {});
      codes.push(record.code);
    },
  );
  const inCodes = sql<string>`(SELECT value FROM json_each(${JSON.stringify(codes)}))`;
  const done = await db
    .selectFrom("dossiers")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("state", "=", STATE.DONE)
    .where("result_method", "=", "post")
    .where("code", "in", inCodes)
    .executeTakeFirstOrThrow();
  if (Number(done.n) !== n) throw new Error(`expected ${n} dossiers in state 9 by post, found ${done.n}`);
  return codes;
}

/**
 * "Gửi kết quả qua bưu điện" for every code, 200 a call as the console sends them, each by an officer of the
 * dossier's own unit (only they may); each one recorded. A dossier answered "already" without an order would still be
 * in the ready list and is sent again in the next call, as an official would; how many that took is returned (0 since
 * references carry 8 random digits).
 */
async function dispatchAll(db: Db, postal: PostalService, codes: string[]): Promise<number> {
  const inCodes = sql<string>`(SELECT value FROM json_each(${JSON.stringify(codes)}))`;
  const rows = await db.selectFrom("dossiers").select(["code", "unit_code"]).where("code", "in", inCodes).execute();
  const byUnit = new Map<string, string[]>();
  for (const r of rows) byUnit.set(r.unit_code, [...(byUnit.get(r.unit_code) ?? []), r.code]);
  let retried = 0;
  for (const [unitCode, unitCodes] of byUnit) {
    const officer: OfficialActor = {
      kind: "official",
      id: 0,
      name: "Cán bộ đo",
      username: `hcc.${unitCode}.bench`,
      role: "hcc",
      unitCode,
      sessionId: "bench",
    };
    let again: string[] = [];
    for (let i = 0; i < unitCodes.length || again.length > 0; i += DISPATCH_CHUNK) {
      const chunk = [...again, ...unitCodes.slice(i, i + DISPATCH_CHUNK)];
      const results = await postal.dispatch(officer, chunk);
      again = results.filter((r) => r.outcome === "already" && r.reference === null).map((r) => r.code);
      retried += again.length;
      const refused = results.filter((r) => r.outcome !== "created" && !again.includes(r.code));
      if (refused.length > 0) throw new Error(`dispatch refused: ${JSON.stringify(refused.slice(0, 3))}`);
    }
  }
  return retried;
}

/** Every order of these dossiers created at `post` once, and ours holding its waybill. */
async function checkCreated(db: Db, post: SandboxPost, codes: string[], label: string): Promise<void> {
  const atPost = post.list();
  const byNumber = new Map(atPost.map((o) => [o.orderNumber, o]));
  const twice = atPost.filter((o) => o.creates !== 1).length;
  const inCodes = sql<string>`(SELECT value FROM json_each(${JSON.stringify(codes)}))`;
  const ours = await db
    .selectFrom("postal_orders")
    .select(["dossier_code", "status", "waybill"])
    .where("dossier_code", "in", inCodes)
    .execute();
  const wrong = ours.filter((o) => o.status !== "created" || o.waybill !== byNumber.get(o.dossier_code)?.itemCode);
  if (atPost.length !== codes.length || byNumber.size !== codes.length || twice > 0 || ours.length !== codes.length) {
    throw new Error(
      `${label}: ${atPost.length} orders at the post for ${byNumber.size} numbers (${twice} created twice), ` +
        `${ours.length} of ours, expected ${codes.length}`,
    );
  }
  if (wrong.length > 0) throw new Error(`${label}: ${wrong.length} orders without the post's waybill`);
}

async function waitingCount(db: Db): Promise<number> {
  const row = await db
    .selectFrom("postal_orders")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("status", "=", "waiting")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "qn-bench-postal-"));
  let post = freshPost();
  const server = postServer(() => post);
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const postUrl = `http://127.0.0.1:${port}`;

  const base = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    POSTAL_URL: postUrl,
    POSTAL_TOKEN: TOKEN,
    POSTAL_CALLBACK_SECRET: CALLBACK_SECRET,
    // The server's own queue is stopped below; what is measured is drained by hand.
    POSTAL_QUEUE_POLL_SECONDS: "3600",
  });
  const config = { ...base, outbox: { ...base.outbox, workers: 0 } };
  const { deps, portal, close } = await bootstrap(config, createLogger("silent"));
  // Kicks after a dispatch would start the server's queue: stopped, it ignores them. The outbox worker too (the
  // "created" messages stay queued).
  await deps.postalQueue.stop();
  await deps.worker.stop();
  const { db, postal } = deps;
  const logger = createLogger("silent");
  const settings = config.postal;
  const queueOptions: PostalQueueOptions = {
    pollMs: settings.queuePollMs,
    retryBaseMs: settings.retryBaseMs,
    retryMaxMs: settings.retryMaxMs,
    statusPollMs: settings.pollMs,
  };

  await deps.auth.loginAsDeveloper("bench-postal", "Người Đo Hiệu Năng");
  const citizen = await db
    .selectFrom("citizens")
    .select("id")
    .where("zalo_id", "=", "dev:bench-postal")
    .executeTakeFirstOrThrow();
  const communes = (
    await db.selectFrom("receiving_units").select("code").where("level", "=", "commune").orderBy("code").execute()
  ).map((u) => u.code);
  // Every unit's sender details, as an administrator enters them.
  const now = new Date().toISOString();
  await db
    .insertInto("postal_senders")
    .values(
      communes.map((code) => ({
        unit_code: code,
        name: `Bộ phận một cửa ${code}`,
        phone: "0203 3835 111",
        street: "Số 1 đường Trần Hưng Đạo",
        commune_code: code,
        customer_code: `QN-${code}`,
        tariff: JSON.stringify(settings.defaultTariff),
        updated_at: now,
        updated_by: null,
      })),
    )
    .execute();
  const client = () =>
    new PostalClient(
      { baseUrl: postUrl, token: TOKEN, callbackSecret: CALLBACK_SECRET, timeoutMs: settings.timeoutMs },
      logger,
    );

  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  console.log(
    `# Postal benchmark — ${new Date().toISOString()}, Node ${process.version}, ${os.availableParallelism()} CPUs ` +
      `(${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; ${ORDERS} results dispatched, ${ORDERS} drained after ` +
      `an outage; fake post over loopback HTTP in this process, callbacks off; ${CONCURRENCY} at a time`,
  );

  // ─── (a) dispatch ───
  let started = performance.now();
  const codesA = await readyDossiers(db, portal, deps.procedures, communes, citizen.id, ORDERS, 0);
  console.log(`(setup: ${ORDERS} dossiers in state 9 with the result by post, ${seconds(started).toFixed(1)} s)`);
  const queueA = new PostalQueue(db, postal, client(), queueOptions, logger);
  started = performance.now();
  const collisionsA = await dispatchAll(db, postal, codesA);
  const recordSeconds = seconds(started);
  const sendStarted = performance.now();
  await queueA.drain();
  const sendSeconds = seconds(sendStarted);
  const dispatchSeconds = seconds(started);
  if ((await waitingCount(db)) !== 0) throw new Error("(a): orders still waiting after the drain");
  await checkCreated(db, post, codesA, "(a)");
  const dispatchRate = ORDERS / dispatchSeconds;

  // Baseline: the same create requests, straight to a fresh fake.
  const inA = sql<string>`(SELECT value FROM json_each(${JSON.stringify(codesA)}))`;
  const rowsA = await db.selectFrom("postal_orders").selectAll().where("dossier_code", "in", inA).execute();
  const requests: PostOrderRequest[] = [];
  for (const row of rowsA) {
    const built = await postal.requestOf({ ...row, waybill: null });
    if (!built) throw new Error("no sender details");
    requests.push(built.request);
  }
  post = freshPost();
  const direct = client();
  started = performance.now();
  await pool(requests, async (request) => {
    await direct.create(request);
  });
  const directSeconds = seconds(started);
  if (post.list().length !== ORDERS) throw new Error("baseline: not every order created");
  const directRate = ORDERS / directSeconds;
  console.log("(a) Dispatch of results by post: PostalService.dispatch (200 a call), then PostalQueue.drain:");
  console.log(
    `  ${dispatchRate.toFixed(0)} orders/s from "Gửi kết quả qua bưu điện" to created at the post ` +
      `(${dispatchSeconds.toFixed(1)} s for ${ORDERS}: recording ${recordSeconds.toFixed(1)} s = ` +
      `${(ORDERS / recordSeconds).toFixed(0)}/s, sending ${sendSeconds.toFixed(1)} s = ${(ORDERS / sendSeconds).toFixed(0)}/s), ` +
      `each created once`,
  );
  console.log(
    `  ${collisionsA} dossiers answered "already" with no order (their reference was already taken) and sent again`,
  );
  console.log(
    `  baseline, the same ${ORDERS} creates straight to the fake with a PostalClient: ${directRate.toFixed(0)} creates/s ` +
      `→ ratio ${(dispatchRate / directRate).toFixed(2)} (sending alone ${(ORDERS / sendSeconds / directRate).toFixed(2)})`,
  );

  // ─── (b) backlog after an outage ───
  started = performance.now();
  const codesB = await readyDossiers(db, portal, deps.procedures, communes, citizen.id, ORDERS, ORDERS);
  console.log(`(setup: ${ORDERS} more dossiers in state 9, ${seconds(started).toFixed(1)} s)`);
  post = freshPost();
  post.down(true);
  // The server's queue during the outage: every order tried once, refused (503), waiting out its backoff.
  const queueDown = new PostalQueue(db, postal, client(), queueOptions, logger);
  started = performance.now();
  const collisionsB = await dispatchAll(db, postal, codesB);
  const recordB = seconds(started);
  started = performance.now();
  await queueDown.drain();
  const outageSeconds = seconds(started);
  const inB = sql<string>`(SELECT value FROM json_each(${JSON.stringify(codesB)}))`;
  const failed = await db
    .selectFrom("postal_orders")
    .select(["send_attempts", "next_attempt_at", "last_error"])
    .where("dossier_code", "in", inB)
    .execute();
  if (failed.some((o) => o.send_attempts !== 1 || o.last_error === null || o.next_attempt_at === null)) {
    throw new Error("(b): not every order tried once during the outage");
  }
  const latest = Math.max(...failed.map((o) => Date.parse(o.next_attempt_at as string)));
  // Up again; the queue that drains it runs on a clock past the last backoff (what the server does once it ends).
  post.down(false);
  const shift = Math.max(0, latest - Date.now()) + 1000;
  const queueUp = new PostalQueue(
    db,
    postal,
    client(),
    { ...queueOptions, now: () => new Date(Date.now() + shift) },
    logger,
  );
  started = performance.now();
  for (;;) {
    await queueUp.drain();
    if ((await waitingCount(db)) === 0) break;
    await sleep(10);
  }
  const drainSeconds = seconds(started);
  await checkCreated(db, post, codesB, "(b)");
  const asked = post.requests.filter((r) => r.operation === "find").length;
  if (asked !== ORDERS) throw new Error(`(b): ${asked} lookups for ${ORDERS} orders`);

  // For the lookup: direct lookup + create pairs on a fresh fake (the same requests of (a)).
  post = freshPost();
  started = performance.now();
  await pool(requests, async (request) => {
    const found = await direct.findByOrderNumber(request.orderNumber, request.reference);
    if (!found) await direct.create(request);
  });
  const pairSeconds = seconds(started);
  console.log(`(b) Backlog after an outage: ${ORDERS} orders recorded while the post answered 503, then drained:`);
  console.log(
    `  during the outage: recorded in ${recordB.toFixed(1)} s (${collisionsB} sent again after a reference ` +
      `collision), each tried once and refused in ` +
      `${outageSeconds.toFixed(1)} s (${(ORDERS / outageSeconds).toFixed(0)}/s); ` +
      `each then waits ${(settings.retryBaseMs / 2000).toFixed(0)}–${(settings.retryBaseMs / 1000).toFixed(0)} s ` +
      `before its next try (POSTAL_RETRY_BASE_SECONDS; not in the drain's time)`,
  );
  console.log(
    `  drain once the post is up: ${drainSeconds.toFixed(1)} s for ${ORDERS} (${(ORDERS / drainSeconds).toFixed(0)} orders/s, ` +
      `each looked up by its number, then created once)`,
  );
  console.log(
    `  baseline, the direct creates of (a): ${directSeconds.toFixed(1)} s → ratio ${(drainSeconds / directSeconds).toFixed(1)}×; ` +
      `direct lookup + create pairs: ${pairSeconds.toFixed(1)} s → ratio ${(drainSeconds / pairSeconds).toFixed(1)}×`,
  );

  await close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
