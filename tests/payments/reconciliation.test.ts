import { HttpResponse } from "msw";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../bot-server/src/logger";
import { PaymentReconciler } from "../../bot-server/src/modules/payments/reconciler";
import { call } from "../helpers/api";
import type { TestServer } from "../helpers/test-server";
import { fakeNationalPlatform } from "../mocks/national-payment";
import { mockServer } from "../mocks/server";
import { fakeCheckout } from "../mocks/zalo-checkout";
import { payments } from "./helpers";
import {
  expectPaidOnce,
  expectReceived,
  gatewayOf,
  ledgerOf,
  newCitizen,
  postCallback,
  requestedDossier,
  shortNationalTimeout,
  startCheckout,
  startNational,
  startPaymentServer,
} from "./providers";

/**
 * The reconciliation worker (issue 14: "a crash between the provider's success and our record is healed by the
 * reconciliation"): what a lost callback, a provider that is down, an attempt left open and a dossier not moved on
 * leave behind, settled by `server.deps.reconciler.drain()` — the worker's own pass, run by the test instead of its
 * timer (an hour here). The first check of an attempt comes 50 ms after it starts, and backoff starts at 50 ms.
 */

const BASE_MS = 50;
const checkout = fakeCheckout();
const platform = fakeNationalPlatform();
let server: TestServer;

beforeAll(async () => {
  server = await startPaymentServer({ checkBaseMs: BASE_MS, checkMaxMs: 60_000 });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  mockServer.use(...checkout.handlers, ...platform.handlers);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const attemptRow = async (reference: string) =>
  server.deps.db
    .selectFrom("payment_attempts")
    .selectAll()
    .where("reference", "=", reference)
    .executeTakeFirstOrThrow();

describe("a lost callback", () => {
  it("when the national platform took the money and never called back, then the reconciliation credits it once and the dossier moves on", async () => {
    const token = await newCitizen(server);
    const { dossier } = await requestedDossier(server, token);
    const reference = await startNational(server, token, dossier.code);
    const transactionId = platform.markPaid(reference).transactionId as string;
    await sleep(BASE_MS + 20);

    expect(await server.deps.reconciler.drain()).toBeGreaterThanOrEqual(1);
    await expectPaidOnce(server, dossier.code, reference, token, transactionId);
    expect((await ledgerOf(server, dossier.code)).applied[0]?.source).toBe("reconcile");
    // Nothing is due any more; the callback, arriving at last, is a duplicate.
    expect(await server.deps.reconciler.drain()).toBe(0);
    expectReceived("national", await postCallback(server, "national", platform.confirmFor(reference)));
    await expectPaidOnce(server, dossier.code, reference, token, transactionId);
  });

  it("when Checkout's callback is lost, then get-status during reconciliation credits it once", async () => {
    const token = await newCitizen(server);
    const { dossier } = await requestedDossier(server, token);
    const { reference, orderId } = await startCheckout(server, checkout, token, dossier.code);
    const transactionId = checkout.pay(orderId).transId as string;
    await sleep(BASE_MS + 20);
    await server.deps.reconciler.drain();
    await expectPaidOnce(server, dossier.code, reference, token, transactionId);
    expect(
      checkout.state.requests.filter((r) => r.operation === "get-status" && r.query.orderId === orderId),
    ).toHaveLength(1);
  });

  it("when two reconcilers, the callback and the citizen's return all settle the same payments at once, then each is credited once", async () => {
    const token = await newCitizen(server);
    const dossiers = await Promise.all(Array.from({ length: 4 }, () => requestedDossier(server, token)));
    const references = [];
    for (const { dossier } of dossiers) references.push(await startNational(server, token, dossier.code));
    const transactions = references.map((r) => platform.markPaid(r).transactionId as string);
    await sleep(BASE_MS + 20);

    // A second worker, as another process sharing DATA_DIR would run it.
    const other = new PaymentReconciler(
      server.deps.db,
      server.deps.payments,
      { pollMs: 3_600_000, retryBaseMs: BASE_MS, retryMaxMs: 60_000, abandonAfterMs: 72 * 3_600_000 },
      createLogger("silent"),
    );
    await Promise.all([
      server.deps.reconciler.drain(),
      other.drain(),
      ...references.map((r) => postCallback(server, "national", platform.confirmFor(r))),
      ...references.map((r) => call(server, "POST", `/api/payments/${r}/check`, { token })),
    ]);
    await other.stop();
    for (const [i, { dossier }] of dossiers.entries()) {
      await expectPaidOnce(server, dossier.code, references[i] as string, token, transactions[i] as string);
    }
    const leases = await server.deps.db
      .selectFrom("payment_attempts")
      .select(["claimed_by", "claimed_until"])
      .where("reference", "in", references)
      .execute();
    expect(
      leases.every((l) => l.claimed_by === null && l.claimed_until === null),
      "every lease given back",
    ).toBe(true);
  });
});

describe("the provider down", () => {
  it("when QUERY answers 503 and then times out, then the attempt stays open with a later check each time, and is credited once when the platform is back", async () => {
    const token = await newCitizen(server);
    const { dossier } = await requestedDossier(server, token);
    const reference = await startNational(server, token, dossier.code);
    const transactionId = platform.markPaid(reference).transactionId as string;
    await sleep(BASE_MS + 20);

    platform.fail("query", () => new HttpResponse("Service unavailable", { status: 503 }));
    const before = Date.now();
    await server.deps.reconciler.drain();
    const first = await attemptRow(reference);
    expect(first).toMatchObject({ status: "open", checks: 1, claimed_by: null });
    const firstWait = Date.parse(first.next_check_at as string) - before;
    expect(firstWait, "the next check after the first failure").toBeGreaterThanOrEqual(BASE_MS);
    expect((await ledgerOf(server, dossier.code)).events).toEqual([]);

    // Still down — now it does not answer in time.
    shortNationalTimeout(server, platform, 200);
    platform.slowDown("query", 1_000);
    await sleep(Date.parse(first.next_check_at as string) - Date.now() + 10);
    const again = Date.now();
    await server.deps.reconciler.drain();
    const second = await attemptRow(reference);
    expect(second).toMatchObject({ status: "open", checks: 2 });
    const secondWait = Date.parse(second.next_check_at as string) - again;
    expect(secondWait, "backoff grows").toBeGreaterThanOrEqual(2 * BASE_MS);
    expect(Date.parse(second.next_check_at as string)).toBeGreaterThan(Date.parse(first.next_check_at as string));
    expect(await payments(server, token, dossier.code)).toMatchObject({ payable: { amount: 24_000 } });

    // Not due yet: a pass now does not ask.
    const asked = platform.state.requests.filter((r) => r.operation === "query").length;
    await server.deps.reconciler.drain();
    expect(platform.state.requests.filter((r) => r.operation === "query")).toHaveLength(asked);

    // The platform is back.
    await sleep(Date.parse(second.next_check_at as string) - Date.now() + 10);
    await server.deps.reconciler.drain();
    await expectPaidOnce(server, dossier.code, reference, token, transactionId);
  });
});

describe("the provider's word that does not fit", () => {
  it("when the platform answers paid with another amount, then the reconciliation refuses it, flags it, and the charge stays due", async () => {
    const token = await newCitizen(server);
    const { dossier, hcc } = await requestedDossier(server, token);
    const reference = await startNational(server, token, dossier.code);
    platform.markPaid(reference);
    const found = platform.state.attempts.get(reference);
    if (found) found.amount = 2_400;
    await sleep(BASE_MS + 20);
    await server.deps.reconciler.drain();
    const l = await ledgerOf(server, dossier.code);
    expect(l.events).toMatchObject([
      { source: "reconcile", result: "refused", flag: "amount-mismatch", amount: 2_400 },
    ]);
    expect(l.attempts[0]).toMatchObject({ status: "open" });
    expect(l.attempts[0]?.next_check_at, "asked again later").not.toBeNull();
    expect(l.charges[0]?.status).toBe("due");
    expect(l.state).toBe(6);
    const flags = await call(server, "GET", "/api/officials/payments/flags", { token: hcc.token });
    expect(flags.body.items.filter((f: { reference: string }) => f.reference === reference)).toMatchObject([
      { flag: "amount-mismatch", amount: 2_400 },
    ]);
    // Asked again (the next check came due): recorded again, but one flag for one problem while it is unresolved.
    await server.deps.db
      .updateTable("payment_attempts")
      .set({ next_check_at: new Date(Date.now() - 1000).toISOString() })
      .where("reference", "=", reference)
      .execute();
    await server.deps.reconciler.drain();
    const again = await ledgerOf(server, dossier.code);
    expect(again.events.map((e) => [e.result, e.flag])).toEqual([
      ["refused", "amount-mismatch"],
      ["refused", null],
    ]);
    const still = await call(server, "GET", "/api/officials/payments/flags", { token: hcc.token });
    expect(still.body.items.filter((f: { reference: string }) => f.reference === reference)).toHaveLength(1);
  });
});

describe("an attempt left open", () => {
  it("when an attempt is older than the abandon age and the provider still waits, then it is abandoned; paid later, it is still credited", async () => {
    const token = await newCitizen(server);
    const { dossier } = await requestedDossier(server, token);
    const reference = await startNational(server, token, dossier.code);
    // Started 73 hours ago (PAYMENT_ABANDON_AFTER_HOURS is 72); the citizen left the platform's page.
    await server.deps.db
      .updateTable("payment_attempts")
      .set({ created_at: new Date(Date.now() - 73 * 3_600_000).toISOString() })
      .where("reference", "=", reference)
      .execute();
    await sleep(BASE_MS + 20);
    await server.deps.reconciler.drain();
    expect(await attemptRow(reference)).toMatchObject({ status: "abandoned", next_check_at: null });
    expect((await call(server, "POST", `/api/payments/${reference}/check`, { token })).body.status).toBe("abandoned");
    expect((await payments(server, token, dossier.code)).payable).toMatchObject({ amount: 24_000 });
    expect(await server.deps.reconciler.drain()).toBe(0);

    // The money arrives after all: received money is never dropped.
    const transactionId = platform.markPaid(reference).transactionId as string;
    expectReceived("national", await postCallback(server, "national", platform.confirmFor(reference)));
    await expectPaidOnce(server, dossier.code, reference, token, transactionId);
  });

  it("when Checkout never heard of the attempt (no order reported), then it stays open until the abandon age", async () => {
    const token = await newCitizen(server);
    const { dossier } = await requestedDossier(server, token);
    const { reference } = await startCheckout(server, checkout, token, dossier.code, { report: false });
    await sleep(BASE_MS + 20);
    await server.deps.reconciler.drain();
    expect(await attemptRow(reference)).toMatchObject({ status: "open", checks: 1 });
    await server.deps.db
      .updateTable("payment_attempts")
      .set({ created_at: new Date(Date.now() - 73 * 3_600_000).toISOString(), next_check_at: new Date().toISOString() })
      .where("reference", "=", reference)
      .execute();
    await server.deps.reconciler.drain();
    expect(await attemptRow(reference)).toMatchObject({ status: "abandoned", next_check_at: null });
  });
});

describe("a payment recorded but the dossier not moved on", () => {
  it("when the move 6 → 4 fails after the citizen's return recorded the payment, then the citizen still sees it paid and the reconciliation moves the dossier on", async () => {
    const token = await newCitizen(server);
    const { dossier } = await requestedDossier(server, token);
    const reference = await startNational(server, token, dossier.code);
    const transactionId = platform.markPaid(reference).transactionId as string;
    const transition = vi
      .spyOn(gatewayOf(server), "transition")
      .mockRejectedValueOnce(new Error("SQLITE_IOERR: disk I/O error"));
    try {
      const res = await call(server, "POST", `/api/payments/${reference}/check`, { token });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ status: "paid", transactionId });
      const row = await attemptRow(reference);
      expect(row).toMatchObject({ status: "paid", advanced_at: null });
      expect(row.next_check_at, "left to the reconciliation").not.toBeNull();
      expect((await ledgerOf(server, dossier.code)).state).toBe(6);

      // The reconciliation's first try fails too; it comes back later.
      transition.mockRejectedValueOnce(new Error("SQLITE_BUSY: database is locked"));
      await sleep(BASE_MS + 20);
      await server.deps.reconciler.drain();
      const later = await attemptRow(reference);
      expect(later).toMatchObject({ status: "paid", advanced_at: null, claimed_by: null });
      expect(Date.parse(later.next_check_at as string)).toBeGreaterThan(Date.now());
      expect((await ledgerOf(server, dossier.code)).state).toBe(6);

      await sleep(BASE_MS + 20);
      await server.deps.reconciler.drain();
      await expectPaidOnce(server, dossier.code, reference, token, transactionId);
      expect(transition).toHaveBeenCalledTimes(3);
    } finally {
      transition.mockRestore();
    }
  });

  it("when the move fails after a callback recorded the payment, then the platform is told it was received and the reconciliation moves the dossier on", async () => {
    const token = await newCitizen(server);
    const { dossier } = await requestedDossier(server, token);
    const reference = await startNational(server, token, dossier.code);
    const transactionId = platform.markPaid(reference).transactionId as string;
    const transition = vi
      .spyOn(gatewayOf(server), "transition")
      .mockRejectedValueOnce(new Error("SQLITE_IOERR: disk I/O error"));
    try {
      expectReceived("national", await postCallback(server, "national", platform.confirmFor(reference)));
      expect((await ledgerOf(server, dossier.code)).state).toBe(6);
      // Redelivered meanwhile: still one payment, still not moved by a duplicate.
      expectReceived("national", await postCallback(server, "national", platform.confirmFor(reference)));
      await sleep(BASE_MS + 20);
      await server.deps.reconciler.drain();
      await expectPaidOnce(server, dossier.code, reference, token, transactionId);
    } finally {
      transition.mockRestore();
    }
  });

  it("when an official confirmed the payment by hand before the reconciliation came, then it only marks the attempt done", async () => {
    const token = await newCitizen(server);
    const { dossier, hcc } = await requestedDossier(server, token);
    const reference = await startNational(server, token, dossier.code);
    platform.markPaid(reference);
    const transition = vi.spyOn(gatewayOf(server), "transition").mockRejectedValueOnce(new Error("crash"));
    try {
      expectReceived("national", await postCallback(server, "national", platform.confirmFor(reference)));
    } finally {
      transition.mockRestore();
    }
    const confirmed = await call(server, "POST", `/api/officials/dossiers/${dossier.code}/actions`, {
      token: hcc.token,
      json: { action: "confirm-payment" },
    });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    await sleep(BASE_MS + 20);
    await server.deps.reconciler.drain();
    const l = await ledgerOf(server, dossier.code);
    expect(l.state).toBe(4);
    expect(l.confirmations).toHaveLength(1);
    expect(l.attempts[0]).toMatchObject({ status: "paid", next_check_at: null });
    expect(l.attempts[0]?.advanced_at).not.toBeNull();
    // The charge paid online stays paid online (not re-settled "at the counter").
    expect(l.charges.find((c) => c.kind === "request")?.status).toBe("paid");
  });
});
