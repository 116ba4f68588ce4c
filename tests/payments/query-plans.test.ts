import path from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DATABASE_FILE } from "../../bot-server/src/db/database";
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

/** Runs `work` and returns every statement run meanwhile on any better-sqlite3 connection, with its parameters. */
async function statementsOf(work: () => Promise<void>): Promise<{ sql: string; params: unknown[] }[]> {
  const seen: { sql: string; params: unknown[] }[] = [];
  // Every connection's statements share one prototype: wrapping it records the server's cached statements too.
  const probe = new SQLite(":memory:");
  const target = Object.getPrototypeOf(probe.prepare("SELECT 1")) as Record<string, unknown>;
  probe.close();
  const methods = ["all", "get", "run", "iterate"] as const;
  const saved = methods.map((m) => target[m] as (...args: unknown[]) => unknown);
  methods.forEach((m, i) => {
    const run = saved[i] as (...args: unknown[]) => unknown;
    target[m] = function (this: SQLite.Statement, ...params: unknown[]) {
      seen.push({ sql: this.source, params });
      return run.apply(this, params);
    };
  });
  try {
    await work();
  } finally {
    methods.forEach((m, i) => {
      target[m] = saved[i];
    });
  }
  return seen;
}

/** The full scans SQLite would make for these statements (EXPLAIN QUERY PLAN on a second connection). */
function fullScans(statements: { sql: string; params: unknown[] }[], table: string): string[] {
  const db = new SQLite(path.join(server.dataDir, DATABASE_FILE), { readonly: true });
  try {
    const scans = new Set<string>();
    for (const { sql, params } of statements) {
      if (!/^\s*(select|update|delete|insert)/i.test(sql)) continue;
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(params as never[])) as { detail: string }[];
      for (const { detail } of plan) {
        if (new RegExp(`^SCAN ${table}\\b`).test(detail) && !/USING (COVERING )?INDEX/.test(detail)) scans.add(sql);
      }
    }
    return [...scans];
  } finally {
    db.close();
  }
}

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
    expect(fullScans(statements, "payment_attempts")).toEqual([]);
    expect(fullScans(statements, "payment_events")).toEqual([]);
    expect(fullScans(statements, "dossier_charges")).toEqual([]);
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
    expect(fullScans(statements, "payment_events")).toEqual([]);
    expect(fullScans(statements, "dossier_charges")).toEqual([]);
    // The handed-over check (`via_attempt_id = ?`) reads its partial index (migration 0018).
    expect(fullScans(statements, "payment_attempts")).toEqual([]);
  });
});
