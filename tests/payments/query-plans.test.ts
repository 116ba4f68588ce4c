import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fullScans, statementsOf } from "../helpers/query-plans";
import { onPostgres, type TestServer } from "../helpers/test-server";
import { fakeNationalPlatform } from "../mocks/national-payment";
import { mockServer } from "../mocks/server";
import { fakeCheckout } from "../mocks/zalo-checkout";
import {
  expectReceived,
  newCitizen,
  postCallback,
  requestedDossier,
  startCheckout,
  startNational,
  startPaymentServer,
} from "./providers";

/**
 * A confirmation is applied in a transaction that holds SQLite's write lock: every statement in it must find its rows
 * by an index, or confirmations slow down with the ledger's size and hold every other writer back (found by
 * `npm run bench:payments`: reconciling 10,000 attempts ran 5× slower than 300, from one statement that read every
 * attempt). This records the statements a confirmation runs and asks SQLite how it would run each.
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

describe.skipIf(onPostgres)("the statements of a confirmation", () => {
  it("when the national platform's callback and the citizen's return confirm a payment, then no statement reads every attempt or every event", async () => {
    const token = await newCitizen(server);
    const { dossier } = await requestedDossier(server, token);
    const reference = await startNational(server, token, dossier.code);
    platform.markPaid(reference);
    const statements = await statementsOf(async () => {
      expectReceived("national", await postCallback(server, "national", platform.confirmFor(reference)));
      expectReceived("national", await postCallback(server, "national", platform.confirmFor(reference)));
    });
    expect(statements.length).toBeGreaterThan(10);
    expect(fullScans(server.dataDir, statements, "payment_attempts")).toEqual([]);
    expect(fullScans(server.dataDir, statements, "payment_events")).toEqual([]);
    expect(fullScans(server.dataDir, statements, "dossier_charges")).toEqual([]);
  });

  it("when Checkout confirms a payment, then no statement reads every event or charge", async () => {
    const token = await newCitizen(server);
    const { dossier } = await requestedDossier(server, token);
    const { orderId } = await startCheckout(server, checkout, token, dossier.code);
    checkout.pay(orderId);
    const statements = await statementsOf(async () => {
      const body = JSON.parse(checkout.callbackBody(orderId).toString());
      expectReceived("zalo-checkout", await postCallback(server, "zalo-checkout", body));
    });
    expect(fullScans(server.dataDir, statements, "payment_events")).toEqual([]);
    expect(fullScans(server.dataDir, statements, "dossier_charges")).toEqual([]);
    // The handed-over check (`via_attempt_id = ?`) reads its partial index (migration 0018).
    expect(fullScans(server.dataDir, statements, "payment_attempts")).toEqual([]);
  });
});
