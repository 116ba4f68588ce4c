import type { DossierView, PaymentMethod } from "@qn/shared";
import { expect } from "vitest";
import { NationalPaymentProvider } from "../../bot-server/src/clients/payments/national/national-payment.client";
import type { PaymentProvider } from "../../bot-server/src/clients/payments/provider";
import { createLogger } from "../../bot-server/src/logger";
import type { PortalGateway } from "../../bot-server/src/modules/records/gateway";
import { call, citizen, file, official, procedure, requiredFiles, submission, view } from "../helpers/api";
import { png } from "../helpers/files";
import { type ServerOverrides, startTestServer, type TestServer, testConfig } from "../helpers/test-server";
import {
  type FakeNationalPlatform,
  NATIONAL_PARTNER,
  NATIONAL_SECRET,
  NATIONAL_TOKEN,
  NATIONAL_URL,
} from "../mocks/national-payment";
import { CHECKOUT_APP_ID, CHECKOUT_PRIVATE_KEY, CHECKOUT_URL, type FakeCheckout } from "../mocks/zalo-checkout";
import { payments } from "./helpers";

/**
 * A test server with both real providers configured — Zalo Checkout (its fake: tests/mocks/zalo-checkout.ts) and the
 * national platform (tests/mocks/national-payment.ts) — beside the sandbox, with quotas out of the way and the
 * reconciliation's own timer effectively off (`pollMs` an hour: the tests call `server.deps.reconciler.drain()`).
 */
export async function startPaymentServer(
  payments: Partial<ServerOverrides["payments"] & object> = {},
  overrides: ServerOverrides = {},
): Promise<TestServer> {
  const base = testConfig();
  return startTestServer({
    miniAppId: CHECKOUT_APP_ID,
    webhookRateLimitPerMinute: 10_000,
    filingQuota: { openPerProcedure: 10_000, perHour: 10_000 },
    ...overrides,
    payments: {
      ...base.payments,
      checkout: {
        privateKey: CHECKOUT_PRIVATE_KEY,
        url: CHECKOUT_URL,
        method: '{"id":"ZALOPAY_SANDBOX","isCustom":false}',
      },
      national: { url: NATIONAL_URL, partnerCode: NATIONAL_PARTNER, secret: NATIONAL_SECRET, token: NATIONAL_TOKEN },
      pollMs: 3_600_000,
      ...payments,
    },
  });
}

/** The server's provider instances, by method (the service keeps them in a private record). */
function providersOf(server: TestServer): Partial<Record<PaymentMethod, PaymentProvider>> {
  return (server.deps.payments as unknown as { providers: Partial<Record<PaymentMethod, PaymentProvider>> }).providers;
}

/**
 * The national provider with a short timeout instead of its 10 s default (not a setting of config.ts): a slow answer
 * then fails in a test's time. The instance replaces the server's one in place, so every route uses it.
 */
export function shortNationalTimeout(server: TestServer, platform: FakeNationalPlatform, timeoutMs = 300): void {
  providersOf(server).national = new NationalPaymentProvider(
    { ...platform.clientOptions, timeoutMs },
    createLogger("silent"),
  );
}

/** The gateway the payment service moves dossiers with (to make one of its transitions fail). */
export function gatewayOf(server: TestServer): PortalGateway {
  return (server.deps.payments as unknown as { portal: PortalGateway }).portal;
}

export type Started = { status: number; body: { attempt: { reference: string }; next: Record<string, unknown> } };

export async function startPayment(server: TestServer, token: string, code: string, method: PaymentMethod) {
  return call(server, "POST", `/api/dossiers/${code}/payments`, { token, json: { method } });
}

/** Starts paying with the national platform: INIT at the fake, the payment page's address back. */
export async function startNational(server: TestServer, token: string, code: string): Promise<string> {
  const res = await startPayment(server, token, code, "national");
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.next).toMatchObject({ kind: "redirect" });
  return res.body.attempt.reference as string;
}

/**
 * Starts paying with Checkout as the mini-app does: the signed order from the server, `Payment.createOrder` at the
 * fake Checkout, the orderId reported back.
 */
export async function startCheckout(
  server: TestServer,
  checkout: FakeCheckout,
  token: string,
  code: string,
  options: { report?: boolean } = {},
): Promise<{ reference: string; orderId: string }> {
  const res = await startPayment(server, token, code, "zalo-checkout");
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.next.kind).toBe("checkout");
  const order = res.body.next.order as { amount: number; extradata: string; desc: string };
  const orderId = checkout.createOrder({ amount: order.amount, extradata: order.extradata, desc: order.desc });
  const reference = res.body.attempt.reference as string;
  if (options.report !== false) {
    const reported = await call(server, "POST", `/api/payments/${reference}/order`, { token, json: { orderId } });
    expect(reported.status, JSON.stringify(reported.body)).toBe(200);
  }
  return { reference, orderId };
}

/** A provider's callback as its server POSTs it: the raw JSON body. */
export async function postCallback(
  server: TestServer,
  provider: "zalo-checkout" | "national",
  body: Buffer | object,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/payments/${provider}/callback`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

let requested = 0;
/**
 * A dossier in state 6: a birth registration (no fixed fees) filed by the citizen, accepted by the unit's one-stop
 * officer, who then requests `amount` đ (one line). Returns the dossier and the officer.
 */
export async function requestedDossier(
  server: TestServer,
  token: string,
  amount = 24_000,
): Promise<{ dossier: DossierView; hcc: { token: string } }> {
  const birth = await procedure(server, "1.001193");
  const res = await file(
    server,
    token,
    submission(),
    requiredFiles(birth, () => png(++requested)),
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const hcc = await official(server, "hcc", "06652");
  const act = (body: Record<string, unknown>) =>
    call(server, "POST", `/api/officials/dossiers/${view(res).code}/actions`, { token: hcc.token, json: body });
  expect(view(await act({ action: "accept" })).state).toBe(2);
  const asked = await act({
    action: "request-payment",
    lines: [{ index: null, name: "Lệ phí đăng ký khai sinh quá hạn", kind: "le-phi", quantity: 1, amount }],
  });
  expect(view(asked), JSON.stringify(asked.body)).toMatchObject({ state: 6, feesDue: amount });
  return { dossier: view(asked), hcc };
}

let citizens = 0;
export async function newCitizen(server: TestServer, name = "Trần Thị Bình"): Promise<string> {
  return citizen(server, `pay-eo-${++citizens}-${Date.now()}`, name);
}

/** What the database holds of one dossier's payments: the figures every exactly-once case checks. */
export async function ledgerOf(server: TestServer, code: string) {
  const db = server.deps.db;
  const attempts = await db
    .selectFrom("payment_attempts")
    .selectAll()
    .where("dossier_code", "=", code)
    .orderBy("id")
    .execute();
  const references = attempts.map((a) => a.reference);
  const events = await db
    .selectFrom("payment_events")
    .selectAll()
    .where("dossier_code", "=", code)
    .orderBy("id")
    .execute();
  const charges = await db
    .selectFrom("dossier_charges")
    .selectAll()
    .where("dossier_code", "=", code)
    .orderBy("id")
    .execute();
  const refunds = await db.selectFrom("payment_refunds").selectAll().where("dossier_code", "=", code).execute();
  const keys = references.map((r) => `payment:${r}`);
  const notifications =
    keys.length === 0
      ? []
      : await db.selectFrom("notifications").select(["source_key", "kind"]).where("source_key", "in", keys).execute();
  const outbox =
    keys.length === 0
      ? []
      : await db
          .selectFrom("outbox")
          .select(["idempotency_key", "kind"])
          .where("idempotency_key", "in", keys)
          .execute();
  const dossier = await db
    .selectFrom("dossiers")
    .select(["id", "state"])
    .where("code", "=", code)
    .executeTakeFirstOrThrow();
  const steps = await db
    .selectFrom("dossier_steps")
    .select(["action", "from_state", "to_state"])
    .where("dossier_id", "=", dossier.id)
    .orderBy("id")
    .execute();
  return {
    attempts,
    events,
    applied: events.filter((e) => e.result === "applied"),
    charges,
    refunds,
    notifications,
    outbox,
    state: dossier.state,
    confirmations: steps.filter((s) => s.action === "confirm-payment"),
  };
}

/** Row counts of the tables a refused callback must leave as they were. */
export async function paymentCounts(server: TestServer) {
  const db = server.deps.db;
  const count = async (table: "payment_events" | "payment_attempts" | "payment_refunds" | "notifications") =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const paid = await db
    .selectFrom("payment_attempts")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("status", "=", "paid")
    .executeTakeFirstOrThrow();
  return {
    events: await count("payment_events"),
    attempts: await count("payment_attempts"),
    paidAttempts: Number(paid.n),
    refunds: await count("payment_refunds"),
    notifications: await count("notifications"),
  };
}

/** The dossier's payment was applied exactly once: the whole chain, read from the database and over HTTP. */
export async function expectPaidOnce(
  server: TestServer,
  code: string,
  reference: string,
  token: string,
  transactionId: string,
) {
  const l = await ledgerOf(server, code);
  expect(
    l.applied.map((e) => ({ reference: e.reference, transactionId: e.transaction_id, flag: e.flag })),
    "one applied confirmation",
  ).toEqual([{ reference, transactionId, flag: null }]);
  const paid = l.attempts.filter((a) => a.status === "paid");
  expect(
    paid.map((a) => a.reference),
    "one paid attempt",
  ).toEqual([reference]);
  expect(
    l.attempts.filter((a) => a.receipt_number !== null),
    "one receipt",
  ).toHaveLength(1);
  expect(paid[0]?.advanced_at, "done with the dossier").not.toBeNull();
  expect(paid[0]?.next_check_at, "nothing left to reconcile").toBeNull();
  const requestCharge = l.charges.find((c) => c.kind === "request");
  expect(requestCharge, "the request's charge").toMatchObject({ status: "paid", settled_attempt_id: paid[0]?.id });
  expect(
    l.charges.filter((c) => c.status === "paid"),
    "one charge paid",
  ).toHaveLength(1);
  expect(l.refunds, "nothing owed back").toEqual([]);
  expect(l.notifications, "one payment-received notification").toEqual([
    { source_key: `payment:${reference}`, kind: "dossier.payment-received" },
  ]);
  expect(l.outbox, "one message queued").toHaveLength(1);
  expect(l.state, "moved on to processing").toBe(4);
  expect(l.confirmations, "one confirm-payment step").toEqual([
    { action: "confirm-payment", from_state: 6, to_state: 4 },
  ]);
  // What the citizen sees.
  const overview = await payments(server, token, code);
  expect(overview.payable).toBeNull();
  const attempt = overview.charges.flatMap((c) => c.attempts).find((a) => a.reference === reference);
  expect(attempt).toMatchObject({ status: "paid", transactionId });
  const seen = view(await call(server, "GET", `/api/dossiers/${code}`, { token }));
  expect(seen.state).toBe(4);
  expect(seen.history.filter((s) => s.action === "confirm-payment")).toHaveLength(1);
  const receipt = await fetch(`${server.url}/api/dossiers/${code}/receipts/${attempt?.receiptNumber}.pdf`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(receipt.status).toBe(200);
  expect(
    Buffer.from(await receipt.arrayBuffer())
      .subarray(0, 5)
      .toString(),
  ).toBe("%PDF-");
}

/** The provider's answer to a callback it may stop sending: Checkout's returnCode 1, the platform's MaLoi "00". */
export function expectReceived(
  provider: "zalo-checkout" | "national",
  answer: { status: number; body: Record<string, unknown> },
) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  if (provider === "zalo-checkout") expect(answer.body.returnCode).toBe(1);
  else expect(answer.body.MaLoi).toBe("00");
}
