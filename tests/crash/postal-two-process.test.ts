import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { postalStatusLabel, STATE } from "@qn/shared";
import { describe, expect, it, vi } from "vitest";
import { call, citizen, file, procedure, requiredFiles, submission, view } from "../helpers/api";
import { png } from "../helpers/files";
import { answers, freePort, kill, processes } from "../helpers/processes";
import {
  databaseEnv,
  openTestDatabase,
  postgresFor,
  startTestServer,
  type TestServer,
  tempDataDir,
  testConfig,
} from "../helpers/test-server";

/**
 * Issue 15: "A two-process test: a fake post process is `kill -9`'d while 20 results are dispatched. Every dossier
 * gets exactly one order, and every citizen gets each status message once." Three processes: this test, the fake
 * post (tests/crash/fake-post-process.ts, its orders in a state file that survives the kill) and the bot server
 * (server.ts, POSTAL_URL at the fake). 20 dossiers in state 9 with the result by post are dispatched at once; once the
 * fake has been asked a few creates it hangs (SIGSTOP) until the bot server gives up on a create by timeout, handles
 * what it had received when thawed (an order made, its answer lost), is killed with SIGKILL at once, and is started
 * again on the same port with the same state file. The postal queue's retries (the lookup by order number after a try
 * that may have reached the post, then the idempotency key) must give each dossier exactly one order; then the post
 * moves every order to delivered, its callbacks and the queue's status polling both report each status, and each is
 * applied — and told — once.
 */

const COMMUNE = "06652";
const PROCEDURE = "1.001193";
const DOSSIERS = 20;
const SESSION_SECRET = "postal-crash-session-secret-0123456789";
const POSTAL_TOKEN = "postal-crash-token";
const POSTAL_CALLBACK_SECRET = "postal-crash-callback-secret-0123";
const PASSWORD = "mat-khau-that-dai-123";
const ADMIN = { username: "admin.postal.crash", role: "admin" as const, unitCode: "22" };
const HCC = { username: "hcc.06652.postal.crash", role: "hcc" as const, unitCode: COMMUNE };
const RECEIVER = {
  name: "Nguyễn Văn An",
  phone: "0912345678",
  address: { communeCode: COMMUNE, street: "Số 5, tổ 3" },
};
const SENDER = {
  name: "Bộ phận một cửa phường Hà Tu",
  phone: "0203 3835 111",
  address: { communeCode: COMMUNE, street: "Số 1 đường Hà Tu" },
  customerCode: "QN-HT-001",
  tariff: { pickup: 20_000, delivery: 25_000, cod: 5_000 },
};

const tsProcess = processes();

function postProcess(port: number, stateFile: string, callbackUrl: string): ChildProcess {
  return tsProcess("tests/crash/fake-post-process.ts", {
    PORT: String(port),
    POSTAL_TOKEN,
    POSTAL_CALLBACK_SECRET,
    CALLBACK_URL: callbackUrl,
    STATE_FILE: stateFile,
  });
}

/**
 * The bot server as `npm start` runs it, with the post at `postUrl`: short timeouts and retries (the outage lasts a
 * few seconds), and the status of every open order read from the post every 0.6 s besides its callbacks.
 */
function botProcess(dataDir: string, port: number, postUrl: string): ChildProcess {
  return tsProcess("bot-server/src/server.ts", {
    DATA_DIR: dataDir,
    ...databaseEnv(dataDir),
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    SESSION_SECRET,
    LOGIN_RATE_LIMIT_PER_MINUTE: "1000",
    POSTAL_URL: postUrl,
    POSTAL_TOKEN,
    POSTAL_CALLBACK_SECRET,
    POSTAL_TIMEOUT_SECONDS: "2",
    POSTAL_RETRY_BASE_SECONDS: "0.2",
    POSTAL_RETRY_MAX_MINUTES: "0.02",
    POSTAL_QUEUE_POLL_SECONDS: "0.1",
    POSTAL_POLL_MINUTES: "0.01",
  });
}

/** How the test waits for the other processes: every 100 ms, for up to 60 s (two shared CPUs start a server slowly). */
const POLL = { timeout: 60_000, interval: 100 };

async function control(postUrl: string, route: string, body?: unknown) {
  const res = await fetch(`${postUrl}/_control/${route}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  // biome-ignore lint/suspicious/noExplicitAny: the control routes' answers are read field by field.
  return (await res.json()) as any;
}

type PostOrderSummary = {
  waybill: string;
  orderNumber: string;
  reference: string;
  serviceType: string;
  status: string;
  creates: number;
};

/** The orders in the fake's state file (the last line of each wins), read while the fake is dead. */
function ordersInStateFile(stateFile: string): Map<string, { orderNumber: string }> {
  const orders = new Map<string, { orderNumber: string }>();
  if (!fs.existsSync(stateFile)) return orders;
  for (const line of fs.readFileSync(stateFile, "utf8").split("\n")) {
    try {
      const { order } = JSON.parse(line) as { order: { itemCode: string; orderNumber: string } };
      orders.set(order.itemCode, { orderNumber: order.orderNumber });
    } catch {
      // an empty line, or one cut short by the kill
    }
  }
  return orders;
}

describe("results dispatched by post while the post is killed", () => {
  it("when the fake post is kill -9'd while 20 results go out and restarted, then each dossier has exactly one order and each citizen is told each status once", async () => {
    // ─── Before: 20 dossiers in state 9 with the result by post, an administrator and the unit's HCC officer ───
    const dataDir = tempDataDir();
    await postgresFor(dataDir);
    const base = testConfig({ dataDir });
    // No test post: the sender details are the administrator's to enter, as with a real post.
    const prepared = await startTestServer({ dataDir, postal: { ...base.postal, sandbox: false } });
    const dossiers: { code: string; zaloId: string }[] = [];
    try {
      for (const official of [ADMIN, HCC]) {
        await prepared.deps.auth.createOfficial({ ...official, name: "Cán bộ thử", password: PASSWORD });
      }
      const birth = await procedure(prepared, PROCEDURE);
      expect(birth.postal).toBe(true);
      const login = await call(prepared, "POST", "/api/officials/login", {
        json: { username: HCC.username, password: PASSWORD },
      });
      expect(login.status).toBe(200);
      const hcc = login.body.token as string;
      for (let i = 0; i < DOSSIERS; i++) {
        const zaloId = `zalo-postal-crash-${i}`;
        const token = await citizen(prepared, zaloId, `Công dân ${i}`);
        const filed = await file(
          prepared,
          token,
          submission({
            procedureCode: PROCEDURE,
            resultDelivery: {
              method: "post",
              recipientName: RECEIVER.name,
              phone: RECEIVER.phone,
              address: RECEIVER.address,
            },
          }),
          requiredFiles(birth, () => png(i)),
        );
        expect(filed.status, JSON.stringify(filed.body)).toBe(201);
        const code = view(filed).code;
        for (const [action, state] of [
          ["accept", STATE.ACCEPTED],
          ["complete", STATE.DONE],
        ] as const) {
          const acted = await call(prepared, "POST", `/api/officials/dossiers/${code}/actions`, {
            token: hcc,
            json: { action },
          });
          expect(view(acted).state, JSON.stringify(acted.body)).toBe(state);
        }
        dossiers.push({ code, zaloId });
      }
      expect(await prepared.deps.db.selectFrom("postal_senders").selectAll().execute()).toEqual([]);
    } finally {
      await prepared.close();
    }
    const codes = dossiers.map((d) => d.code);

    // ─── The fake post and the bot server ───
    const postPort = await freePort();
    const postUrl = `http://127.0.0.1:${postPort}`;
    const botPort = await freePort();
    const bot = { url: `http://127.0.0.1:${botPort}` } as TestServer;
    const stateFile = path.join(tempDataDir(), "post-state.jsonl");
    const callbackUrl = `${bot.url}/postal/callback`;
    let post = postProcess(postPort, stateFile, callbackUrl);
    const server = botProcess(dataDir, botPort, postUrl);
    await vi.waitFor(async () => expect(await answers(`${postUrl}/_control/orders`), "the fake post").toBe(true), POLL);
    await vi.waitFor(async () => expect(await answers(`${bot.url}/healthz`), "the bot server").toBe(true), POLL);
    const db = await openTestDatabase(dataDir);
    try {
      const signIn = async (who: { username: string }) => {
        const res = await call(bot, "POST", "/api/officials/login", {
          json: { username: who.username, password: PASSWORD },
        });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        return res.body.token as string;
      };
      const admin = await signIn(ADMIN);
      const hcc = await signIn(HCC);

      // The administrator enters the unit's sender details; before that, a dispatch is refused.
      const early = await call(bot, "POST", "/api/officials/postal/dispatch", {
        token: hcc,
        json: { codes: codes.slice(0, 1) },
      });
      expect(early.status).toBe(200);
      expect(early.body).toMatchObject([{ outcome: "refused" }]);
      const put = await call(bot, "PUT", `/api/admin/postal/senders/${COMMUNE}`, { token: admin, json: SENDER });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      const ready = await call(bot, "GET", "/api/officials/postal/ready", { token: hcc });
      expect((ready.body as { code: string }[]).map((r) => r.code).sort()).toEqual([...codes].sort());

      // ─── All 20 at once; once the post has been asked a few creates it hangs, then dies ───
      const dispatched = await call(bot, "POST", "/api/officials/postal/dispatch", { token: hcc, json: { codes } });
      expect(dispatched.status, JSON.stringify(dispatched.body)).toBe(200);
      expect((dispatched.body as { outcome: string }[]).map((r) => r.outcome)).toEqual(codes.map(() => "created"));
      let asked = 0;
      await vi.waitFor(
        async () => {
          const requests = (await control(postUrl, "requests")) as { operation: string }[];
          asked = requests.filter((r) => r.operation === "create").length;
          expect(asked, "creates the post was asked").toBeGreaterThanOrEqual(3);
        },
        { timeout: 30_000, interval: 5 },
      );
      // Frozen (SIGSTOP), the post leaves the creates on their way unanswered: the bot server gives up on them
      // (POSTAL_TIMEOUT_SECONDS). Thawed, the post handles what it had received — it creates those orders, and
      // answers nobody — and is killed at once: orders the post made whose answer never came back.
      post.kill("SIGSTOP");
      const atFreeze = ordersInStateFile(stateFile).size;
      await vi.waitFor(
        async () => {
          const timedOut = await db
            .selectFrom("postal_orders")
            .select("id")
            .where("last_error", "like", "%quá thời gian chờ%")
            .execute();
          expect(timedOut.length, "a create given up by timeout").toBeGreaterThan(0);
        },
        { timeout: 30_000, interval: 50 },
      );
      post.kill("SIGCONT");
      for (const until = Date.now() + 2_000; Date.now() < until; ) {
        if (ordersInStateFile(stateFile).size > atFreeze) break;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await kill(post);
      const beforeKill = ordersInStateFile(stateFile);
      // What the bot server knew of them at the kill: some orders the post had may not have their answer here.
      const recordedAtKill = await db
        .selectFrom("postal_orders")
        .select(["dossier_code", "waybill", "status", "send_attempts"])
        .execute();

      // Down for a while: the orders still to send fail (connection refused) and wait, and the console shows why.
      await vi.waitFor(async () => {
        const problems = await call(bot, "GET", "/api/officials/postal/orders?list=problems", { token: hcc });
        expect(problems.status).toBe(200);
        const waiting = (problems.body as { status: string; sending: { lastError: string | null } | null }[]).filter(
          (o) => o.status === "waiting",
        );
        expect(waiting.length, "orders waiting for the post").toBeGreaterThan(0);
        expect(waiting.every((o) => o.sending?.lastError)).toBe(true);
      }, POLL);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      post = postProcess(postPort, stateFile, callbackUrl);
      await vi.waitFor(
        async () => expect(await answers(`${postUrl}/_control/orders`), "the fake post again").toBe(true),
        POLL,
      );

      // ─── Every order created, once ───
      await vi.waitFor(async () => {
        const orders = await db.selectFrom("postal_orders").select(["status", "waybill"]).execute();
        expect(orders).toHaveLength(DOSSIERS);
        expect(orders.filter((o) => o.status === "waiting" || o.waybill === null)).toEqual([]);
      }, POLL);
      const atPost = ((await control(postUrl, "orders")) as PostOrderSummary[]).filter(
        (o) => o.serviceType === "PHAT_KET_QUA",
      );
      expect(atPost.map((o) => o.orderNumber).sort(), "one order per dossier at the post").toEqual([...codes].sort());
      expect(
        atPost.filter((o) => o.creates !== 1),
        "no create answered twice with an order",
      ).toEqual([]);
      const ours = await db
        .selectFrom("postal_orders")
        .select(["dossier_code", "reference", "waybill", "kind", "status", "send_attempts", "last_error"])
        .orderBy("dossier_code")
        .execute();
      expect(ours.map((o) => o.dossier_code)).toEqual([...codes].sort());
      for (const order of ours) {
        const theirs = atPost.find((o) => o.orderNumber === order.dossier_code);
        expect(theirs, order.dossier_code).toBeDefined();
        expect(order).toMatchObject({ kind: "delivery", waybill: theirs?.waybill, reference: theirs?.reference });
      }
      // The kill fell among the creates: some orders reached the post before it, others only after the restart.
      expect(beforeKill.size, "orders the post had at the kill").toBeGreaterThanOrEqual(1);
      const retried = ours.filter((o) => o.send_attempts > 1);
      const unanswered = new Set(recordedAtKill.filter((o) => o.waybill === null).map((o) => o.dossier_code));
      expect(retried.length, "orders tried again after the kill").toBeGreaterThan(0);
      // What the post was asked since its restart (its log starts again empty).
      const after = (await control(postUrl, "requests")) as {
        operation: string;
        path: string;
        idempotencyKey: string | null;
      }[];
      const findsAfter = after.filter((r) => r.operation === "find");
      const hadIt = new Set([...beforeKill.values()].map((o) => o.orderNumber));
      for (const order of retried) {
        // A try after one that may have reached the post starts with the lookup by order number…
        const find = after.findIndex(
          (r) =>
            r.operation === "find" && new URL(r.path, postUrl).searchParams.get("OrderNumber") === order.dossier_code,
        );
        const create = after.findIndex((r) => r.operation === "create" && r.idempotencyKey === order.reference);
        expect(find, `the lookup of ${order.dossier_code}`).toBeGreaterThanOrEqual(0);
        if (create >= 0) expect(create, `created after its lookup: ${order.dossier_code}`).toBeGreaterThan(find);
        // …which finds the order the post made before it was killed: no create is sent for it again.
        if (hadIt.has(order.dossier_code)) expect(create, `adopted: ${order.dossier_code}`).toBe(-1);
      }
      console.log(
        `postal crash: ${asked} creates asked before the freeze, ${atFreeze} orders at the post then, ` +
          `${beforeKill.size} at the kill, ` +
          `${recordedAtKill.filter((o) => o.waybill !== null).length} recorded here with their waybill; ` +
          `${retried.length} orders sent more than once ` +
          `(${retried.filter((o) => hadIt.has(o.dossier_code) && unanswered.has(o.dossier_code)).length} made by the post before the kill, unanswered, found by their number); after the restart ` +
          `${after.filter((r) => r.operation === "create").length} creates and ${findsAfter.length} lookups`,
      );

      // ─── The post carries them: created → picked up → in transit → delivered, by callback and by polling ───
      for (const step of ["picked-up", "in-transit", "delivered"]) {
        const moved = (await control(postUrl, "advance-all", {})) as PostOrderSummary[];
        expect(moved.filter((o) => o.serviceType === "PHAT_KET_QUA").map((o) => o.status)).toEqual(
          codes.map(() => step),
        );
        // Long enough for a status read of each order (every 0.6 s) to report the step too.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
      }
      await vi.waitFor(async () => {
        const states = await db.selectFrom("dossiers").select(["code", "state"]).where("code", "in", codes).execute();
        expect(states.filter((d) => d.state !== STATE.DELIVERED)).toEqual([]);
      }, POLL);
      // Let a few more status reads and late callbacks come: they must change nothing.
      await new Promise((resolve) => setTimeout(resolve, 1_500));

      // Over HTTP, as each citizen sees it: "Đã trả kết quả", one order delivered.
      for (const { code, zaloId } of dossiers) {
        const token = await citizen(bot, zaloId);
        const seen = view(await call(bot, "GET", `/api/dossiers/${code}`, { token }));
        expect(seen.state, code).toBe(STATE.DELIVERED);
        expect(
          seen.history.filter((s) => s.action === "deliver"),
          code,
        ).toHaveLength(1);
        const postal = await call(bot, "GET", `/api/dossiers/${code}/postal`, { token });
        expect(postal.status).toBe(200);
        expect(
          (postal.body.orders as { status: string }[]).map((o) => o.status),
          code,
        ).toEqual(["delivered"]);
      }

      // In the database file: each status applied once per order, whichever of the callback and the poll came first.
      const events = await db
        .selectFrom("postal_events as e")
        .innerJoin("postal_orders as o", "o.id", "e.order_id")
        .select(["o.dossier_code", "e.status", "e.source", "e.result"])
        .orderBy("e.id")
        .execute();
      for (const code of codes) {
        const applied = events.filter((e) => e.dossier_code === code && e.result === "applied").map((e) => e.status);
        expect(applied, code).toEqual(["created", "picked-up", "in-transit", "delivered"]);
      }
      // Not applied: the same status again under another key (the create's answer and the post's own event), or one
      // older than the last applied. A report of an event already recorded leaves no row at all (a duplicate).
      expect(events.filter((e) => e.result !== "applied" && e.result !== "same" && e.result !== "stale")).toEqual([]);
      // The statuses came by callback, and the queue read every order's statuses after each step as well.
      expect(events.some((e) => e.source === "callback" && e.result === "applied")).toBe(true);
      const tracked = ((await control(postUrl, "requests")) as { operation: string; path: string }[]).filter(
        (r) => r.operation === "track",
      );
      for (const order of ours) {
        const reads = tracked.filter((r) => r.path.includes(order.waybill as string)).length;
        expect(reads, `status reads of ${order.waybill}`).toBeGreaterThanOrEqual(3);
      }

      // Each citizen's messages: one per status (created, picked up, in transit), then one "Đã trả kết quả".
      const outbox = await db
        .selectFrom("outbox")
        .select(["kind", "payload", "idempotency_key"])
        .where("kind", "in", ["dossier.postal", "dossier.delivered"])
        .orderBy("id")
        .execute();
      const told = (["created", "picked-up", "in-transit"] as const).map((s) => postalStatusLabel("delivery", s));
      expect(new Set(told).size).toBe(3);
      for (const code of codes) {
        const mine = outbox
          .map((m) => ({ kind: m.kind, payload: JSON.parse(m.payload) as StatusPayloadShape }))
          .filter((m) => m.payload.dossierCode === code);
        expect(
          mine.filter((m) => m.kind === "dossier.postal").map((m) => m.payload.fields.postalStatus),
          code,
        ).toEqual(told);
        expect(
          mine.filter((m) => m.kind === "dossier.delivered"),
          code,
        ).toHaveLength(1);
      }
      expect(new Set(outbox.map((m) => m.idempotency_key)).size).toBe(outbox.length);
    } finally {
      await kill(server);
      await kill(post);
      await db.destroy();
    }
  }, 300_000);
});

type StatusPayloadShape = { dossierCode: string; fields: { postalStatus?: string } };
