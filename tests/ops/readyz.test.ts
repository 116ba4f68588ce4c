import { afterEach, describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { startTestServer, type TestServer } from "../helpers/test-server";

/** /healthz says the process is alive; /readyz whether it should get traffic (issue 16, decision 0018). */
describe("readiness", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("when the database and every queue's table answer, then /readyz is 200 and /healthz stays as it was", async () => {
    server = await startTestServer();
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get("cache-control")).toBe("no-store");
    expect(await ready.json()).toEqual({ status: "ready" });
    expect(await call(server, "GET", "/healthz")).toEqual({ status: 200, body: { status: "ok" } });
  });

  it("when a shutdown has begun, then /readyz is 503 in the error shape, naming the shutdown", async () => {
    server = await startTestServer();
    server.deps.lifecycle.beginShutdown();
    const res = await call(server, "GET", "/readyz");
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({
      code: "NOT_READY",
      details: [{ path: "shutdown", message: "shutting down" }],
    });
    expect(typeof res.body.error.message).toBe("string");
    // Alive still: the requests in flight are being finished.
    expect((await call(server, "GET", "/healthz")).status).toBe(200);
  });

  it("when the database is closed, then /readyz is 503 naming the database and each queue, and nothing else", async () => {
    server = await startTestServer();
    // The deadline scanner's leased timer gives its lease back when the server closes; with the database closed
    // before, that never settles on PostgreSQL, so it stops first (a real shutdown closes the database last).
    await server.deps.deadlines.stop();
    await server.deps.db.destroy();
    const res = await call(server, "GET", "/readyz");
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("NOT_READY");
    const checks = (res.body.error.details as { path: string; message: string }[]).map((d) => d.path);
    expect(checks).toEqual([
      "database",
      "queue:outbox",
      "queue:portal_forwarding",
      "queue:portal_api_callbacks",
      "queue:webhook_inbox",
      "queue:payment_reconciliation",
      "queue:postal",
    ]);
    // The reason only: no driver message, query or path.
    for (const detail of res.body.error.details) expect(detail.message).toBe("not answering");
    expect(JSON.stringify(res.body)).not.toMatch(/sqlite|select|destroy|dataDir|qn-test/i);
  });
});
