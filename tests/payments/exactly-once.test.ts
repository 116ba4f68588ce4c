import { HttpResponse, http } from "msw";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ZaloCheckoutProvider } from "../../bot-server/src/clients/payments/zalo-checkout/zalo-checkout.client";
import { createLogger } from "../../bot-server/src/logger";
import { call, official } from "../helpers/api";
import type { TestServer } from "../helpers/test-server";
import {
  type ConfirmBody,
  fakeNationalPlatform,
  NATIONAL_PARTNER,
  NATIONAL_SECRET,
  signedConfirm,
} from "../mocks/national-payment";
import { mockServer } from "../mocks/server";
import {
  CHECKOUT_APP_ID,
  CHECKOUT_GET_STATUS_PATH,
  CHECKOUT_PRIVATE_KEY,
  CHECKOUT_URL,
  fakeCheckout,
  signedCallback,
} from "../mocks/zalo-checkout";
import { payments } from "./helpers";
import {
  expectPaidOnce,
  expectReceived,
  ledgerOf,
  newCitizen,
  paymentCounts,
  postCallback,
  requestedDossier,
  shortNationalTimeout,
  startCheckout,
  startNational,
  startPayment,
  startPaymentServer,
} from "./providers";

/**
 * Issue 14, "Exactly once, whatever happens", through the public interface only: the providers' signed callbacks at
 * POST /payments/<provider>/callback, the citizen's return (POST /api/payments/:ref/check, which asks the provider),
 * and the API's reads — with Zalo Checkout and with the national platform, each behind its fake. Every case pays a
 * dossier in state 6 (an official's request), so "applied once" covers the whole chain: one applied event, the charge
 * paid once, one receipt, one "payment received" notification and one 6 → 4 step.
 */

const checkout = fakeCheckout();
const platform = fakeNationalPlatform();
let server: TestServer;

beforeAll(async () => {
  server = await startPaymentServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  mockServer.use(...checkout.handlers, ...platform.handlers);
});

/** One attempt as a driver sees it: our reference, and Checkout's orderId. */
type Attempt = { reference: string; orderId: string };

/** What differs between the two providers; every case below runs with each. */
type Driver = {
  name: "zalo-checkout" | "national";
  start(token: string, code: string): Promise<Attempt>;
  /** The citizen pays at the provider (no callback yet); returns the provider's transaction id. */
  pay(a: Attempt): string;
  fail(a: Attempt): void;
  /** The signed callback for the attempt's state at the provider, with signed fields changed. */
  callback(a: Attempt, overrides?: Record<string, unknown>): object;
  amountField: string;
  /** A failure callback for an attempt (whatever its state at the provider). */
  failure(a: Attempt): object;
  /** The provider's status answers fail in one of three ways, for the next `times` asks. */
  breakStatus(kind: "timeout" | "5xx" | "malformed"): void;
};

const checkoutDriver: Driver = {
  name: "zalo-checkout",
  start: (token, code) => startCheckout(server, checkout, token, code),
  pay: (a) => checkout.pay(a.orderId).transId as string,
  fail: (a) => void checkout.fail(a.orderId),
  callback: (a, overrides = {}) => JSON.parse(checkout.callbackBody(a.orderId, overrides).toString()),
  amountField: "amount",
  failure: (a) =>
    JSON.parse(checkout.callbackBody(a.orderId, { resultCode: -1, message: "Giao dịch thất bại" }).toString()),
  breakStatus(kind) {
    if (kind === "timeout") {
      swapCheckoutTimeout(300);
      checkout.slowDown(1500);
      return;
    }
    mockServer.use(
      http.get(
        `${CHECKOUT_URL}${CHECKOUT_GET_STATUS_PATH}`,
        () =>
          kind === "5xx"
            ? new HttpResponse("Bad gateway", { status: 502 })
            : new HttpResponse("<html>maintenance</html>", { status: 200, headers: { "content-type": "text/html" } }),
        { once: true },
      ),
    );
  },
};

const nationalDriver: Driver = {
  name: "national",
  start: async (token, code) => ({ reference: await startNational(server, token, code), orderId: "" }),
  pay: (a) => platform.markPaid(a.reference).transactionId as string,
  fail: (a) => void platform.markFailed(a.reference),
  callback: (a, overrides = {}) => platform.confirmFor(a.reference, overrides),
  amountField: "SoTien",
  failure: (a) => platform.confirmFor(a.reference, { MaLoi: "24", MaGiaoDich: "" }),
  breakStatus(kind) {
    if (kind === "timeout") {
      shortNationalTimeout(server, platform, 300);
      platform.slowDown("query", 1500);
      return;
    }
    platform.fail("query", () =>
      kind === "5xx"
        ? new HttpResponse("Service unavailable", { status: 503 })
        : new HttpResponse("not json at all", { status: 200 }),
    );
  },
};

/** Checkout's provider with a short timeout instead of its 10 s default, in place of the server's one. */
function swapCheckoutTimeout(timeoutMs: number) {
  const providers = (server.deps.payments as unknown as { providers: Record<string, unknown> }).providers;
  providers["zalo-checkout"] = new ZaloCheckoutProvider(
    { appId: CHECKOUT_APP_ID, privateKey: CHECKOUT_PRIVATE_KEY, apiUrl: CHECKOUT_URL, timeoutMs },
    createLogger("silent"),
  );
}

const check = (token: string, reference: string) => call(server, "POST", `/api/payments/${reference}/check`, { token });

describe.each([checkoutDriver, nationalDriver])("exactly once with $name", (driver) => {
  it("when the same callback comes twice and then 20 times at once, then it is applied once", async () => {
    const token = await newCitizen(server);
    const { dossier } = await requestedDossier(server, token);
    const attempt = await driver.start(token, dossier.code);
    const transactionId = driver.pay(attempt);
    const body = driver.callback(attempt);

    expectReceived(driver.name, await postCallback(server, driver.name, body));
    expectReceived(driver.name, await postCallback(server, driver.name, body));
    const storm = await Promise.all(Array.from({ length: 20 }, () => postCallback(server, driver.name, body)));
    for (const answer of storm) expectReceived(driver.name, answer);

    await expectPaidOnce(server, dossier.code, attempt.reference, token, transactionId);
    const l = await ledgerOf(server, dossier.code);
    expect(l.events).toHaveLength(22);
    expect(l.events.filter((e) => e.result === "duplicate")).toHaveLength(21);
  });

  it("when the callback and the citizen's return race, then the payment is applied once", async () => {
    const token = await newCitizen(server);
    const { dossier } = await requestedDossier(server, token);
    const attempt = await driver.start(token, dossier.code);
    const transactionId = driver.pay(attempt);
    const body = driver.callback(attempt);

    const racers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        i % 2 === 0 ? postCallback(server, driver.name, body) : check(token, attempt.reference),
      ),
    );
    for (const [i, answer] of racers.entries()) {
      if (i % 2 === 0) expectReceived(driver.name, answer as Awaited<ReturnType<typeof postCallback>>);
      else expect((answer as { body: { status: string } }).body.status).toBe("paid");
    }
    // The return after everything: still paid, nothing more applied.
    expect((await check(token, attempt.reference)).body).toMatchObject({ status: "paid", transactionId });
    await expectPaidOnce(server, dossier.code, attempt.reference, token, transactionId);
    const sources = new Set((await ledgerOf(server, dossier.code)).events.map((e) => e.source));
    expect(sources.has("callback")).toBe(true);
  });

  it("when a failure callback arrives after the success, then nothing is undone", async () => {
    const token = await newCitizen(server);
    const { dossier } = await requestedDossier(server, token);
    const attempt = await driver.start(token, dossier.code);
    const transactionId = driver.pay(attempt);
    expectReceived(driver.name, await postCallback(server, driver.name, driver.callback(attempt)));
    const late = await postCallback(server, driver.name, driver.failure(attempt));
    expect(late.status).toBe(200);
    await expectPaidOnce(server, dossier.code, attempt.reference, token, transactionId);
    const l = await ledgerOf(server, dossier.code);
    expect(l.events.at(-1)).toMatchObject({ outcome: "failed", result: "late" });
    expect(l.attempts[0]).toMatchObject({ status: "paid", failure: null });
  });

  it("when the success arrives after a failure (out of order), then the money received is applied", async () => {
    const token = await newCitizen(server);
    const { dossier } = await requestedDossier(server, token);
    const attempt = await driver.start(token, dossier.code);
    driver.fail(attempt);
    const failed = driver.callback(attempt);
    expect((await postCallback(server, driver.name, failed)).status).toBe(200);
    expect((await check(token, attempt.reference)).body.status).toBe("failed");
    expect((await payments(server, token, dossier.code)).payable).toMatchObject({ amount: 24_000 });

    const transactionId = driver.pay(attempt);
    expectReceived(driver.name, await postCallback(server, driver.name, driver.callback(attempt)));
    // The failure delivered once more, late: the payment stays.
    expect((await postCallback(server, driver.name, failed)).status).toBe(200);
    await expectPaidOnce(server, dossier.code, attempt.reference, token, transactionId);
    expect((await ledgerOf(server, dossier.code)).events.map((e) => e.result)).toEqual(["failed", "applied", "late"]);
  });

  it("when a callback carries a wrong amount, then it is refused, flagged to the unit's officials, and the charge stays due", async () => {
    const token = await newCitizen(server);
    const { dossier, hcc } = await requestedDossier(server, token);
    const attempt = await driver.start(token, dossier.code);
    driver.pay(attempt);
    const answer = await postCallback(server, driver.name, driver.callback(attempt, { [driver.amountField]: 2_400 }));
    expect(answer.status).toBe(200);
    if (driver.name === "zalo-checkout") expect(answer.body.returnCode).toBe(0);
    else expect(answer.body.MaLoi).toBe("01");

    const l = await ledgerOf(server, dossier.code);
    expect(l.events).toMatchObject([{ result: "refused", flag: "amount-mismatch", amount: 2_400 }]);
    expect(l.applied).toEqual([]);
    expect(l.attempts[0]?.status).toBe("open");
    expect(l.charges.find((c) => c.kind === "request")?.status).toBe("due");
    expect(l.state).toBe(6);
    expect((await payments(server, token, dossier.code)).payable).toMatchObject({ amount: 24_000 });

    const flags = await call(server, "GET", "/api/officials/payments/flags", { token: hcc.token });
    expect(flags.status).toBe(200);
    expect(flags.body.items.filter((f: { reference: string }) => f.reference === attempt.reference)).toMatchObject([
      { flag: "amount-mismatch", dossierCode: dossier.code, amount: 2_400, resolvedAt: null, method: driver.name },
    ]);
  });

  it("when a callback's signature is wrong, then it gets 401 and no row changes", async () => {
    const token = await newCitizen(server);
    const { dossier } = await requestedDossier(server, token);
    const attempt = await driver.start(token, dossier.code);
    driver.pay(attempt);
    const good = driver.callback(attempt) as Record<string, unknown>;
    const copy = () => structuredClone(good) as Record<string, unknown> & { data: Record<string, unknown> };
    const forged: [string, object][] =
      driver.name === "zalo-checkout"
        ? [
            ["a field changed after signing", { ...copy(), data: { ...copy().data, amount: 1_000 } }],
            ["no overallMac", (({ overallMac: _, ...rest }) => rest)(copy())],
            ["an empty overallMac", { ...copy(), overallMac: "" }],
            ["another appId, correctly signed", signedCallback(CHECKOUT_PRIVATE_KEY, { ...copy().data, appId: "1" })],
            ["signed with another key", signedCallback("another-checkout-key-0001", copy().data)],
          ]
        : [
            ["a field changed after signing", { ...copy(), SoTien: 1_000 }],
            ["no MaXacThuc", (({ MaXacThuc: _, ...rest }) => rest)(copy())],
            [
              "another partner, correctly signed",
              signedConfirm(NATIONAL_SECRET, { ...(copy() as unknown as ConfirmBody), MaDoiTac: "OTHER" }),
            ],
            ["signed with another secret", signedConfirm("another-national-secret", copy() as unknown as ConfirmBody)],
          ];
    const before = await paymentCounts(server);
    const rowBefore = (await ledgerOf(server, dossier.code)).attempts;
    for (const [what, body] of forged) {
      const res = await postCallback(server, driver.name, body);
      expect(res.status, what).toBe(401);
      expect(res.body, what).toMatchObject({ error: { code: "PAYMENT_SIGNATURE_INVALID" } });
    }
    const notJson = await fetch(`${server.url}/payments/${driver.name}/callback`, { method: "POST", body: "{oops" });
    expect(notJson.status).toBe(400);
    expect(await paymentCounts(server)).toEqual(before);
    expect((await ledgerOf(server, dossier.code)).attempts).toEqual(rowBefore);
    expect((await ledgerOf(server, dossier.code)).state).toBe(6);

    // The genuine one still goes through afterwards.
    expectReceived(driver.name, await postCallback(server, driver.name, good));
    expect((await ledgerOf(server, dossier.code)).state).toBe(4);
  });

  it.each(["timeout", "5xx", "malformed"] as const)(
    "when the provider's status answer is a %s on the citizen's return, then the attempt stays open and a later return settles it",
    async (kind) => {
      const token = await newCitizen(server);
      const { dossier } = await requestedDossier(server, token);
      const attempt = await driver.start(token, dossier.code);
      const transactionId = driver.pay(attempt);
      driver.breakStatus(kind);
      const res = await check(token, attempt.reference);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ status: "open", transactionId: null });
      const l = await ledgerOf(server, dossier.code);
      expect(l.events).toEqual([]);
      expect(l.attempts[0]?.next_check_at, "left to the reconciliation").not.toBeNull();
      expect(l.state).toBe(6);
      // The provider answers again.
      expect((await check(token, attempt.reference)).body).toMatchObject({ status: "paid", transactionId });
      await expectPaidOnce(server, dossier.code, attempt.reference, token, transactionId);
    },
  );
});

describe("confirmations that name another dossier, or no dossier at all", () => {
  it("when the national platform confirms dossier A's transaction under dossier B's reference, or B's reference with A's amount, then it is refused and flagged and B is untouched", async () => {
    const token = await newCitizen(server);
    const a = await requestedDossier(server, token, 24_000);
    const b = await requestedDossier(server, token, 50_000);
    const refA = await startNational(server, token, a.dossier.code);
    const refB = await startNational(server, token, b.dossier.code);
    const paidA = platform.markPaid(refA);
    expectReceived("national", await postCallback(server, "national", platform.confirmFor(refA)));

    // A's transaction again, under B's reference (a replay with the reference changed, signed by the platform).
    const replay = await postCallback(
      server,
      "national",
      signedConfirm(NATIONAL_SECRET, {
        MaThamChieu: refB,
        SoTien: 50_000,
        MaGiaoDich: paidA.transactionId as string,
        MaDoiTac: NATIONAL_PARTNER,
      }),
    );
    expect(replay.status).toBe(200);
    // B's reference with A's amount (a payment page of A reused for B).
    const wrong = await postCallback(
      server,
      "national",
      signedConfirm(NATIONAL_SECRET, { MaThamChieu: refB, SoTien: 24_000, MaGiaoDich: "GD-OTHER-0001" }),
    );
    expect(wrong.body.MaLoi).toBe("01");

    const lb = await ledgerOf(server, b.dossier.code);
    expect(lb.applied).toEqual([]);
    expect(lb.events.map((e) => e.flag)).toEqual(["unknown-reference", "amount-mismatch"]);
    expect(lb.attempts[0]?.status).toBe("open");
    expect(lb.charges[0]?.status).toBe("due");
    expect(lb.state).toBe(6);
    expect(lb.notifications).toEqual([]);
    await expectPaidOnce(server, a.dossier.code, refA, token, paidA.transactionId as string);

    const flags = await call(server, "GET", "/api/officials/payments/flags", { token: b.hcc.token });
    expect(
      flags.body.items
        .filter((f: { dossierCode: string }) => f.dossierCode === b.dossier.code)
        .map((f: { flag: string }) => f.flag)
        .sort(),
    ).toEqual(["amount-mismatch", "unknown-reference"]);
  });

  it("when Checkout calls back for A's order with B's reference in its extradata, then it is refused and B is untouched", async () => {
    const token = await newCitizen(server);
    const a = await requestedDossier(server, token, 30_000);
    const b = await requestedDossier(server, token, 30_000);
    const attemptA = await startCheckout(server, checkout, token, a.dossier.code);
    const attemptB = await startCheckout(server, checkout, token, b.dossier.code);
    checkout.pay(attemptA.orderId);
    const extradataB = JSON.stringify({ reference: attemptB.reference, dossier: b.dossier.code });
    const crossed = await postCallback(
      server,
      "zalo-checkout",
      JSON.parse(checkout.callbackBody(attemptA.orderId, { extradata: encodeURIComponent(extradataB) }).toString()),
    );
    expect(crossed.status).toBe(200);
    expect(crossed.body.returnCode).toBe(0);
    const lb = await ledgerOf(server, b.dossier.code);
    expect(lb.applied).toEqual([]);
    expect(lb.attempts[0]?.status).toBe("open");
    expect(lb.charges[0]?.status).toBe("due");
    expect(lb.state).toBe(6);
    expect(lb.events.map((e) => [e.result, e.flag])).toEqual([["refused", "order-mismatch"]]);
    // A is not paid by it either: its own callback, later, is.
    expect((await ledgerOf(server, a.dossier.code)).applied).toEqual([]);
    expectReceived("zalo-checkout", await postCallback(server, "zalo-checkout", checkoutDriver.callback(attemptA)));
    await expectPaidOnce(
      server,
      a.dossier.code,
      attemptA.reference,
      token,
      checkout.order(attemptA.orderId).transId as string,
    );
  });

  it("when a confirmation names a reference nobody started, then it is refused and shown to administrators", async () => {
    const before = await paymentCounts(server);
    const unknown = "TT251203120000999999";
    const national = await postCallback(
      server,
      "national",
      signedConfirm(NATIONAL_SECRET, { MaThamChieu: unknown, SoTien: 24_000, MaGiaoDich: "GD-NOBODY-0001" }),
    );
    expect(national.body.MaLoi).toBe("01");
    const orphan = checkout.createOrder({
      amount: 24_000,
      extradata: JSON.stringify({ reference: "TT251203120000888888", dossier: "G22.99-251203-0001" }),
    });
    checkout.pay(orphan);
    const zalo = await postCallback(
      server,
      "zalo-checkout",
      checkoutDriver.callback({ reference: "", orderId: orphan }),
    );
    expect(zalo.body.returnCode).toBe(0);

    const after = await paymentCounts(server);
    expect(after).toEqual({ ...before, events: before.events + 2 });
    const events = await server.deps.db
      .selectFrom("payment_events")
      .selectAll()
      .where("reference", "in", [unknown, "TT251203120000888888"])
      .orderBy("id")
      .execute();
    expect(events.map((e) => [e.provider, e.result, e.flag, e.attempt_id, e.dossier_code])).toEqual([
      ["national", "refused", "unknown-reference", null, null],
      ["zalo-checkout", "refused", "unknown-reference", null, null],
    ]);
    const admin = await official(server, "admin", "22");
    const flags = await call(server, "GET", "/api/officials/payments/flags", { token: admin.token });
    const references = flags.body.items.map((f: { reference: string }) => f.reference);
    expect(references).toEqual(expect.arrayContaining([unknown, "TT251203120000888888"]));
    const hcc = await official(server, "hcc", "06652");
    const unitFlags = await call(server, "GET", "/api/officials/payments/flags", { token: hcc.token });
    expect(unitFlags.body.items.map((f: { reference: string }) => f.reference)).not.toContain(unknown);
  });
});

describe("one charge paid by two attempts", () => {
  it("when the citizen pays the same charge with the national platform and with Checkout, then the second is flagged paid-twice and its refund is due", async () => {
    const token = await newCitizen(server);
    const { dossier, hcc } = await requestedDossier(server, token);
    const first = await startNational(server, token, dossier.code);
    const second = await startCheckout(server, checkout, token, dossier.code);
    const firstTx = platform.markPaid(first).transactionId as string;
    checkout.pay(second.orderId);
    expectReceived("national", await postCallback(server, "national", platform.confirmFor(first)));
    expectReceived("zalo-checkout", await postCallback(server, "zalo-checkout", checkoutDriver.callback(second)));
    // Duplicates of both change nothing more.
    await postCallback(server, "national", platform.confirmFor(first));
    await postCallback(server, "zalo-checkout", checkoutDriver.callback(second));

    const l = await ledgerOf(server, dossier.code);
    expect(l.applied.map((e) => [e.reference, e.flag])).toEqual([
      [first, null],
      [second.reference, "paid-twice"],
    ]);
    expect(l.charges.find((c) => c.kind === "request")).toMatchObject({ status: "paid" });
    expect(l.charges.find((c) => c.kind === "request")?.settled_attempt_id).toBe(l.attempts[0]?.id);
    expect(l.refunds).toMatchObject([
      { attempt_id: l.attempts[1]?.id, reason: "paid-twice", amount: 24_000, done_at: null },
    ]);
    expect(l.confirmations).toHaveLength(1);
    expect(l.state).toBe(4);
    expect(l.attempts.map((a) => a.status)).toEqual(["paid", "paid"]);
    expect(l.attempts[0]?.transaction_id).toBe(firstTx);

    const due = await call(server, "GET", "/api/officials/payments?refundDue=true", { token: hcc.token });
    expect(due.status).toBe(200);
    const mine = due.body.items.filter((i: { dossierCode: string }) => i.dossierCode === dossier.code);
    expect(mine).toMatchObject([
      { reference: second.reference, method: "zalo-checkout", refund: { amount: 24_000, doneAt: null } },
    ]);
    const flags = await call(server, "GET", "/api/officials/payments/flags", { token: hcc.token });
    expect(
      flags.body.items
        .filter((f: { dossierCode: string }) => f.dossierCode === dossier.code)
        .map((f: { flag: string }) => f.flag),
    ).toEqual(["paid-twice"]);
  });
});

describe("money arriving for a dossier that has ended", () => {
  it("when the citizen withdraws the dossier and the platform's confirmation comes after, then the money is recorded, flagged paid-after-close, its refund due, and the dossier stays withdrawn", async () => {
    const token = await newCitizen(server);
    const { dossier, hcc } = await requestedDossier(server, token);
    const reference = await startNational(server, token, dossier.code);
    const paid = platform.markPaid(reference);
    const withdrawn = await call(server, "POST", `/api/dossiers/${dossier.code}/withdraw`, {
      token,
      json: { reason: "Không cần nữa" },
    });
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);
    expectReceived("national", await postCallback(server, "national", platform.confirmFor(reference)));
    expectReceived("national", await postCallback(server, "national", platform.confirmFor(reference)));

    const l = await ledgerOf(server, dossier.code);
    expect(l.applied).toMatchObject([{ reference, transaction_id: paid.transactionId, flag: "paid-after-close" }]);
    expect(l.attempts[0]).toMatchObject({ status: "paid" });
    expect(l.charges.find((c) => c.kind === "request")?.status).toBe("cancelled");
    expect(l.refunds).toMatchObject([{ reason: "withdrawn", amount: 24_000, done_at: null }]);
    expect(l.confirmations).toEqual([]);
    expect(l.state).not.toBe(4);
    const due = await call(server, "GET", "/api/officials/payments?refundDue=true", { token: hcc.token });
    expect(due.body.items.filter((i: { reference: string }) => i.reference === reference)).toMatchObject([
      { refund: { amount: 24_000, doneAt: null } },
    ]);
  });
});

describe("the provider failing when the citizen starts paying", () => {
  it.each(["timeout", "5xx", "malformed"] as const)(
    "when the national platform's INIT answers a %s, then 502 PAYMENT_PROVIDER_UNAVAILABLE, the attempt is kept as failed, and a retry works",
    async (kind) => {
      const token = await newCitizen(server);
      const { dossier } = await requestedDossier(server, token);
      if (kind === "timeout") {
        shortNationalTimeout(server, platform, 300);
        platform.slowDown("init", 1500);
      } else {
        platform.fail("init", () =>
          kind === "5xx"
            ? new HttpResponse("Gateway timeout", { status: 504 })
            : HttpResponse.json({ MaLoi: "00", UrlThanhToan: "javascript:alert(1)" }),
        );
      }
      const res = await startPayment(server, token, dossier.code, "national");
      expect(res.status, JSON.stringify(res.body)).toBe(502);
      expect(res.body.error.code).toBe("PAYMENT_PROVIDER_UNAVAILABLE");
      const overview = await payments(server, token, dossier.code);
      expect(overview.charges[0]?.attempts).toMatchObject([{ status: "failed", method: "national" }]);
      expect(overview.payable).toMatchObject({ amount: 24_000 });
      const failedRow = (await ledgerOf(server, dossier.code)).attempts[0];
      expect(failedRow?.failure).toBeTruthy();

      const retry = await startNational(server, token, dossier.code);
      const transactionId = platform.markPaid(retry).transactionId as string;
      expectReceived("national", await postCallback(server, "national", platform.confirmFor(retry)));
      await expectPaidOnce(server, dossier.code, retry, token, transactionId);
      expect((await ledgerOf(server, dossier.code)).attempts.map((a) => a.status)).toEqual(["failed", "paid"]);
    },
  );
});

describe("who may see and do what", () => {
  it("when another citizen, a volunteer or an official of another unit asks, then they get 404, 403, or nothing of the unit", async () => {
    const token = await newCitizen(server, "Lê Văn Cường");
    const { dossier, hcc } = await requestedDossier(server, token);
    const attempt = await startCheckout(server, checkout, token, dossier.code, { report: false });
    const national = await startNational(server, token, dossier.code);

    const other = await newCitizen(server, "Phạm Thị Dung");
    for (const reference of [attempt.reference, national]) {
      const checked = await call(server, "POST", `/api/payments/${reference}/check`, { token: other });
      expect(checked.status).toBe(404);
      expect(checked.body.error.code).toBe("PAYMENT_NOT_FOUND");
      const ordered = await call(server, "POST", `/api/payments/${reference}/order`, {
        token: other,
        json: { orderId: attempt.orderId },
      });
      expect(ordered.status).toBe(404);
    }
    expect((await call(server, "GET", `/api/dossiers/${dossier.code}/payments`, { token: other })).status).toBe(404);
    expect(
      (
        await call(server, "POST", `/api/dossiers/${dossier.code}/payments`, {
          token: other,
          json: { method: "national" },
        })
      ).status,
    ).toBe(404);
    // The other citizen's report did not attach the order: the owner still can.
    expect((await ledgerOf(server, dossier.code)).attempts[0]?.provider_order_id).toBeNull();
    expect(
      (
        await call(server, "POST", `/api/payments/${attempt.reference}/order`, {
          token,
          json: { orderId: attempt.orderId },
        })
      ).status,
    ).toBe(200);
    // Signed out.
    expect((await call(server, "POST", `/api/payments/${national}/check`)).status).toBe(401);

    const volunteer = await official(server, "volunteer", "06652");
    for (const path of [
      "/api/officials/payments",
      "/api/officials/payments?refundDue=true",
      "/api/officials/payments/flags",
    ]) {
      expect((await call(server, "GET", path, { token: volunteer.token })).status, path).toBe(403);
    }
    // A citizen is no official.
    expect((await call(server, "GET", "/api/officials/payments", { token })).status).toBe(403);

    const ledger = await call(server, "GET", "/api/officials/payments", { token: hcc.token });
    expect(ledger.status).toBe(200);
    const references = (body: { items: { reference: string }[] }) => body.items.map((i) => i.reference);
    expect(references(ledger.body)).toEqual(expect.arrayContaining([attempt.reference, national]));

    const unit = await server.deps.db
      .selectFrom("receiving_units")
      .select("code")
      .where("code", "!=", "06652")
      .where("level", "=", "commune")
      .executeTakeFirstOrThrow();
    const stranger = await official(server, "hcc", unit.code);
    const theirs = await call(server, "GET", "/api/officials/payments", { token: stranger.token });
    expect(theirs.status).toBe(200);
    expect(references(theirs.body)).not.toContain(attempt.reference);
    expect(references(theirs.body)).not.toContain(national);
    // Asking for the unit by name does not help a non-administrator.
    const asked = await call(server, "GET", "/api/officials/payments?unit=06652", { token: stranger.token });
    expect(references(asked.body)).not.toContain(national);
    const flags = await call(server, "GET", "/api/officials/payments/flags?unit=06652", { token: stranger.token });
    expect(flags.body.items.filter((f: { dossierCode: string }) => f.dossierCode === dossier.code)).toEqual([]);
  });
});
