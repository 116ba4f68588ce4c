import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { fullScans, statementsOf } from "../helpers/query-plans";
import { onPostgres, type TestServer } from "../helpers/test-server";
import { completed, filePostal, newCitizen, settle, startPostalServer } from "./helpers";

/**
 * The postal queue and the status path run with SQLite's write lock for most of their statements, and the queue looks
 * at every open order each pass: every statement must find its rows by an index, or dispatching slows with the number
 * of orders and holds other writers back (as the payment ledger once did: tests/payments/query-plans.test.ts). This
 * records what a dispatch, its sending, a status and the reports run, and asks SQLite how it would run each.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startPostalServer();
});
afterAll(async () => server.close());

describe.skipIf(onPostgres)("the statements of the postal service", () => {
  it("when results are dispatched, sent, and their statuses applied, then no statement reads every order or every event", async () => {
    const codes: string[] = [];
    let hcc = { token: "" };
    for (let i = 0; i < 3; i++) {
      const token = await newCitizen(server);
      const code = (await filePostal(server, token, { pickup: i === 0 })).code;
      hcc = await completed(server, code);
      codes.push(code);
    }
    const statements = await statementsOf(async () => {
      await call(server, "POST", "/api/officials/postal/dispatch", { token: hcc.token, json: { codes } });
      await settle(server);
      const orders = await server.deps.db.selectFrom("postal_orders").select("waybill").execute();
      for (const o of orders) server.deps.postalSandbox?.advance(o.waybill as string);
      await settle(server);
      // The console's lists.
      await call(server, "GET", "/api/officials/postal/ready", { token: hcc.token });
      for (const list of ["pickups", "problems", "active"]) {
        await call(server, "GET", `/api/officials/postal/orders?list=${list}`, { token: hcc.token });
      }
    });
    expect(statements.length).toBeGreaterThan(30);
    expect(fullScans(server.dataDir, statements, "postal_orders")).toEqual([]);
    expect(fullScans(server.dataDir, statements, "postal_events")).toEqual([]);
    expect(fullScans(server.dataDir, statements, "dossiers")).toEqual([]);
  });

  it("when the postal indicators are read, then they come from the postal records' partial indexes", async () => {
    const start = "2026-01-01T00:00:00.000Z";
    const end = "2027-01-01T00:00:00.000Z";
    const { ReportRepository } = await import("../../bot-server/src/modules/reports/report.repository");
    const statements = await statementsOf(async () => {
      await new ReportRepository(server.deps.db).postal(start, end, { kind: "province" });
      await new ReportRepository(server.deps.db).postal(start, end, {
        kind: "unit",
        unitCode: "06652",
        level: "commune",
      });
    });
    expect(statements.length).toBe(4);
    expect(fullScans(server.dataDir, statements, "dossiers")).toEqual([]);
  });
});
