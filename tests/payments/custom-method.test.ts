import { HttpResponse, http } from "msw";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import type { TestServer } from "../helpers/test-server";
import { fakeNationalPlatform } from "../mocks/national-payment";
import { mockServer } from "../mocks/server";
import { fakeCheckout } from "../mocks/zalo-checkout";
import {
  expectReceived,
  ledgerOf,
  newCitizen,
  postCallback,
  requestedDossier,
  startCheckout,
  startPaymentServer,
} from "./providers";

/**
 * The national platform offered as Checkout's custom method (issue 14): inside Checkout the citizen picks it, the app
 * hands the Checkout attempt over (`POST /api/payments/:ref/custom-method`), pays on the platform's page, and Checkout
 * is told the result with `updateOrderStatus`. Checkout's own word on that order afterwards is not a second payment.
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

describe("the national platform as Checkout's custom method", () => {
  it("when the citizen picks it inside Checkout and pays, then the charge is paid once and Checkout is told", async () => {
    const token = await newCitizen(server);
    const { dossier } = await requestedDossier(server, token);
    const { reference, orderId } = await startCheckout(server, checkout, token, dossier.code);

    const handed = await call(server, "POST", `/api/payments/${reference}/custom-method`, { token, json: { orderId } });
    expect(handed.status, JSON.stringify(handed.body)).toBe(201);
    expect(handed.body.next).toMatchObject({ kind: "redirect" });
    expect(handed.body.attempt).toMatchObject({ method: "national", status: "open", amount: 24_000 });
    const national = handed.body.attempt.reference as string;

    platform.markPaid(national);
    expectReceived("national", await postCallback(server, "national", platform.confirmFor(national)));

    const after = await ledgerOf(server, dossier.code);
    expect(after.attempts.map((a) => [a.provider, a.status])).toEqual([
      ["zalo-checkout", "failed"],
      ["national", "paid"],
    ]);
    expect(after.charges[0]?.status).toBe("paid");
    expect(after.state).toBe(4);
    const told = checkout.state.requests.filter((r) => r.operation === "update-order-status");
    expect(told.map((r) => (r.body as { orderId: string; resultCode: number }).resultCode)).toEqual([1]);
    expect((told[0]?.body as { orderId: string } | undefined)?.orderId).toBe(orderId);

    // Checkout now says the order is paid: its callback is recorded as a duplicate, nothing is owed back.
    const callback = await postCallback(server, "zalo-checkout", JSON.parse(checkout.callbackBody(orderId).toString()));
    expect(callback.status).toBe(200);
    const final = await ledgerOf(server, dossier.code);
    expect(final.attempts.filter((a) => a.status === "paid")).toHaveLength(1);
    expect(final.refunds).toEqual([]);
    expect(final.events.filter((e) => e.flag !== null)).toEqual([]);
  });

  it("when Checkout cannot be told at first, then the reconciliation tells it later and the payment stands", async () => {
    const token = await newCitizen(server);
    const { dossier } = await requestedDossier(server, token);
    const { reference, orderId } = await startCheckout(server, checkout, token, dossier.code);
    const handed = await call(server, "POST", `/api/payments/${reference}/custom-method`, { token, json: { orderId } });
    const national = handed.body.attempt.reference as string;
    const told = () => checkout.state.requests.filter((r) => r.operation === "update-order-status").length;
    const before = told();
    platform.markPaid(national);
    // The platform's confirmation is recorded even though Checkout answers 503 the first time it is told.
    mockServer.use(
      http.post(/update-order-status/, () => HttpResponse.json({ error: 1, message: "down" }, { status: 503 }), {
        once: true,
      }),
    );
    expectReceived("national", await postCallback(server, "national", platform.confirmFor(national)));
    const row = await server.deps.db
      .selectFrom("payment_attempts")
      .select(["status", "reported_at", "advanced_at"])
      .where("reference", "=", national)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "paid", reported_at: null, advanced_at: null });
    await server.deps.db
      .updateTable("payment_attempts")
      .set({ next_check_at: new Date(Date.now() - 1000).toISOString() })
      .where("reference", "=", national)
      .execute();
    await server.deps.reconciler.drain();
    expect(told(), "told by the reconciliation").toBe(before + 1);
    const done = await ledgerOf(server, dossier.code);
    expect(done.state).toBe(4);
    expect(done.attempts.find((a) => a.reference === national)).toMatchObject({ status: "paid" });
  });

  it("when someone else's attempt or a non-Checkout attempt is handed over, then it is refused", async () => {
    const token = await newCitizen(server);
    const { dossier } = await requestedDossier(server, token);
    const { reference, orderId } = await startCheckout(server, checkout, token, dossier.code);
    const other = await newCitizen(server, "Lê Văn Cường");
    const stolen = await call(server, "POST", `/api/payments/${reference}/custom-method`, {
      token: other,
      json: { orderId },
    });
    expect(stolen.status).toBe(404);
    const handed = await call(server, "POST", `/api/payments/${reference}/custom-method`, { token, json: { orderId } });
    const national = handed.body.attempt.reference as string;
    const again = await call(server, "POST", `/api/payments/${national}/custom-method`, { token, json: { orderId } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("NOTHING_TO_PAY");
  });
});
