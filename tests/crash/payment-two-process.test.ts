import type { ChildProcess } from "node:child_process";
import { DossierPayments } from "@qn/shared";
import { describe, expect, it, vi } from "vitest";
import { call, citizen, view } from "../helpers/api";
import { answers, freePort, kill, processes } from "../helpers/processes";
import {
  databaseEnv,
  openTestDatabase,
  postgresFor,
  startTestServer,
  type TestServer,
  tempDataDir,
} from "../helpers/test-server";
import { NATIONAL_PARTNER, NATIONAL_SECRET, NATIONAL_TOKEN } from "../mocks/national-payment";
import { requestedDossier } from "../payments/providers";

/**
 * Issue 14: "A two-process crash test runs a fake provider process that confirms a payment while the bot server is
 * `kill -9`'d before it records it. After the restart, reconciliation credits it exactly once." Three processes: this
 * test, a fake national payment platform (tests/crash/fake-payment-provider.ts) and the bot server (server.ts), which
 * is killed with SIGKILL after the platform marked the payment paid and before its confirm reached the server.
 */

const ZALO_ID = "zalo-payment-crash";
const SESSION_SECRET = "payment-crash-session-secret-0123456789";

const tsProcess = processes();

/** The bot server as `npm start` runs it, offering the national platform at `providerUrl`. */
function botProcess(dataDir: string, port: number, providerUrl: string, checkBaseSeconds: number): ChildProcess {
  return tsProcess("bot-server/src/server.ts", {
    DATA_DIR: dataDir,
    ...databaseEnv(dataDir),
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    SESSION_SECRET,
    NATIONAL_PAYMENT_URL: providerUrl,
    NATIONAL_PAYMENT_PARTNER_CODE: NATIONAL_PARTNER,
    NATIONAL_PAYMENT_SECRET: NATIONAL_SECRET,
    NATIONAL_PAYMENT_TOKEN: NATIONAL_TOKEN,
    PAYMENT_CHECK_BASE_SECONDS: String(checkBaseSeconds),
    PAYMENT_RECONCILE_POLL_SECONDS: "1",
  });
}

/** How the test waits for the other processes: every 100 ms, for up to 60 s (two shared CPUs start a server slowly). */
const POLL = { timeout: 60_000, interval: 100 };

async function control(providerUrl: string, route: string, body?: unknown) {
  const res = await fetch(`${providerUrl}/_control/${route}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  // biome-ignore lint/suspicious/noExplicitAny: the control routes' answers are read field by field.
  return (await res.json()) as any;
}

describe("a payment confirmed while the bot server is killed", () => {
  it("when the platform takes the money and the bot server is kill -9'd before recording it, then after the restart the reconciliation credits it exactly once", async () => {
    // A dossier in state 6 (an official asked for 24.000 đ), prepared in the data directory the process will use.
    const dataDir = tempDataDir();
    await postgresFor(dataDir);
    const prepared = await startTestServer({ dataDir });
    const preparedToken = await citizen(prepared, ZALO_ID, "Hoàng Văn Giáp");
    const { dossier } = await requestedDossier(prepared, preparedToken);
    await prepared.close();

    const providerPort = await freePort();
    const providerUrl = `http://127.0.0.1:${providerPort}`;
    const provider = tsProcess("tests/crash/fake-payment-provider.ts", { PORT: String(providerPort) });
    await vi.waitFor(async () => expect(await answers(`${providerUrl}/_control/requests`)).toBe(true), POLL);

    const botPort = await freePort();
    const bot = { url: `http://127.0.0.1:${botPort}` } as TestServer;
    const callbackUrl = `${bot.url}/payments/national/callback`;
    // First life: the reconciliation would first ask 5 s after the attempt starts — after the kill.
    let server = botProcess(dataDir, botPort, providerUrl, 5);
    await vi.waitFor(async () => expect(await answers(`${bot.url}/healthz`), "the bot server").toBe(true), POLL);
    const db = await openTestDatabase(dataDir);
    try {
      const token = await citizen(bot, ZALO_ID, "Hoàng Văn Giáp");
      const started = await call(bot, "POST", `/api/dossiers/${dossier.code}/payments`, {
        token,
        json: { method: "national" },
      });
      expect(started.status, JSON.stringify(started.body)).toBe(201);
      expect(started.body.next.url).toMatch(/^https:\/\/pay\.thanhtoan\.dichvucong\.test\/pay\//);
      const reference = started.body.attempt.reference as string;

      // The citizen pays on the platform; the bot server dies before the platform's confirm reaches it.
      const { transactionId } = await control(providerUrl, "pay", { reference });
      await kill(server);
      const lost = await control(providerUrl, "deliver", { reference, url: callbackUrl });
      expect(lost, "the confirm cannot reach a dead server").toMatchObject({ delivered: false });

      // Nothing of the payment is recorded: the attempt is open, no confirmation applied, and nobody asked yet.
      const open = await db
        .selectFrom("payment_attempts")
        .selectAll()
        .where("reference", "=", reference)
        .executeTakeFirstOrThrow();
      expect(open).toMatchObject({ status: "open", transaction_id: null, paid_at: null });
      expect(await db.selectFrom("payment_events").select("id").where("reference", "=", reference).execute()).toEqual(
        [],
      );
      const asked = (await control(providerUrl, "requests")) as { operation: string; reference: string }[];
      expect(asked.filter((r) => r.reference === reference).map((r) => r.operation)).toEqual(["init"]);

      // Second life, same DATA_DIR: the reconciliation asks the platform (QUERY) and credits the payment.
      server = botProcess(dataDir, botPort, providerUrl, 1);
      await vi.waitFor(
        async () => expect(await answers(`${bot.url}/healthz`), "the bot server again").toBe(true),
        POLL,
      );
      const seen = async () => {
        const res = await call(bot, "GET", `/api/dossiers/${dossier.code}/payments`, { token });
        expect(res.status).toBe(200);
        return DossierPayments.parse(res.body);
      };
      await vi.waitFor(
        async () => expect((await seen()).charges[0]?.status, "credited after the restart").toBe("paid"),
        POLL,
      );
      // The platform's own retries of the confirm, two at once, after that: duplicates.
      const retries = await Promise.all(
        [1, 2].map(() => control(providerUrl, "deliver", { reference, url: callbackUrl })),
      );
      for (const retried of retries) {
        expect(retried).toMatchObject({ delivered: true, status: 200, body: { MaLoi: "00" } });
      }
      await vi.waitFor(async () => {
        const moved = view(await call(bot, "GET", `/api/dossiers/${dossier.code}`, { token }));
        expect(moved.state, "moved on 6 → 4").toBe(4);
      }, POLL);
      // And once more, late: still nothing new.
      expect(await control(providerUrl, "deliver", { reference, url: callbackUrl })).toMatchObject({
        delivered: true,
        status: 200,
      });

      // Over HTTP: one paid attempt with the platform's transaction, the charge paid, one receipt.
      const after = await seen();
      expect(after.payable).toBeNull();
      expect(after.charges.map((c) => c.status)).toEqual(["paid"]);
      const attempts = after.charges.flatMap((c) => c.attempts);
      expect(attempts).toMatchObject([{ reference, status: "paid", transactionId, amount: 24_000 }]);
      expect(attempts.filter((a) => a.receiptNumber !== null)).toHaveLength(1);
      const receipt = await fetch(
        `${bot.url}/api/dossiers/${dossier.code}/receipts/${attempts[0]?.receiptNumber}.pdf`,
        {
          headers: { authorization: `Bearer ${token}` },
        },
      );
      expect(receipt.status).toBe(200);
      expect(
        Buffer.from(await receipt.arrayBuffer())
          .subarray(0, 5)
          .toString(),
      ).toBe("%PDF-");
      const moved = view(await call(bot, "GET", `/api/dossiers/${dossier.code}`, { token }));
      expect(moved.history.filter((s) => s.action === "confirm-payment")).toHaveLength(1);

      // In the database file: one applied confirmation, the reconciliation's; the callbacks' are duplicates.
      const events = await db
        .selectFrom("payment_events")
        .select(["result", "source", "transaction_id", "flag"])
        .where("reference", "=", reference)
        .execute();
      expect(events.filter((e) => e.result === "applied")).toEqual([
        { result: "applied", source: "reconcile", transaction_id: transactionId, flag: null },
      ]);
      expect(events.filter((e) => e.result !== "applied").map((e) => [e.result, e.source])).toEqual([
        ["duplicate", "callback"],
        ["duplicate", "callback"],
        ["duplicate", "callback"],
      ]);
      const notified = await db
        .selectFrom("notifications")
        .select("id")
        .where("source_key", "=", `payment:${reference}`)
        .execute();
      expect(notified).toHaveLength(1);
      const asks = (await control(providerUrl, "requests")) as { operation: string; reference: string }[];
      expect(asks.filter((r) => r.reference === reference).map((r) => r.operation)).toEqual(["init", "query"]);
      const row = await db
        .selectFrom("payment_attempts")
        .selectAll()
        .where("reference", "=", reference)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: "paid", transaction_id: transactionId, next_check_at: null });
      expect(row.advanced_at).not.toBeNull();
    } finally {
      await kill(server);
      await kill(provider);
      await db.destroy();
    }
  }, 240_000);
});
