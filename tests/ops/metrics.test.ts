import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { startTestServer, type TestServer, testConfig } from "../helpers/test-server";

/** GET /metrics (issue 16, decision 0018): Prometheus' text format, behind METRICS_TOKEN. */
const TOKEN = "metrics-token-0123456789abcdef";

/** The value of one sample, e.g. `qn_queue_depth{queue="outbox"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(server: TestServer): Promise<string> {
  const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

async function queueOutboxRow(server: TestServer, row: { kind: string; zaloUserId?: string; dueAgoMs: number }) {
  const due = new Date(Date.now() - row.dueAgoMs).toISOString();
  await server.deps.db
    .insertInto("outbox")
    .values({
      idempotency_key: `metrics-test:${randomUUID()}`,
      kind: row.kind,
      citizen_id: null,
      zalo_user_id: row.zaloUserId ?? null,
      announcement_id: null,
      payload: JSON.stringify({ announcementId: 0, message: { text: "x" }, audience: { kind: "all", values: [] } }),
      status: "pending",
      next_attempt_at: due,
      claimed_by: null,
      claimed_until: null,
      channel: null,
      provider_message_id: null,
      last_error: null,
      created_at: due,
      sent_at: null,
    })
    .execute();
}

describe("metrics", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("when METRICS_TOKEN is unset, then /metrics is 404 like any unknown address", async () => {
    server = await startTestServer();
    const res = await call(server, "GET", "/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("ROUTE_NOT_FOUND");
  });

  it("when the bearer token is missing or wrong, then 401 and no figures", async () => {
    server = await startTestServer({ operations: withToken() });
    const none = await fetch(`${server.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    const text = await wrong.text();
    expect(JSON.parse(text).error.code).toBe("UNAUTHORIZED");
    expect(text).not.toContain("qn_");
  });

  it("when outbox rows are due, then the depth and age gauges show them; once delivered, the outcomes are counted", async () => {
    server = await startTestServer({
      operations: withToken(),
      // No worker runs: the rows stay due until the test starts one.
      outbox: { workers: 0, batch: 10, concurrency: 2, leaseSeconds: 30, maxAttempts: 3 },
    });
    const before = await scrape(server);
    for (const queue of ["outbox", "portal_forwarding", "portal_api_callbacks", "webhook_inbox", "postal"]) {
      expect(sample(before, `qn_queue_depth{queue="${queue}"}`), queue).toBe(0);
    }
    expect(sample(before, `qn_queue_depth{queue="payment_reconciliation"}`)).toBe(0);
    expect(sample(before, `qn_queue_oldest_due_age_seconds{queue="outbox"}`)).toBe(0);
    expect(sample(before, "qn_portal_forwarding_lag_seconds")).toBe(0);
    expect(before).toContain("process_cpu_user_seconds_total");

    // A status notification for no citizen (delivered to the in-app inbox only) and an announcement to a stranger
    // (skipped), due for a minute; one more due in an hour is not counted.
    await queueOutboxRow(server, { kind: "dossier.status", dueAgoMs: 60_000 });
    await queueOutboxRow(server, { kind: "announcement", zaloUserId: "stranger", dueAgoMs: 30_000 });
    await queueOutboxRow(server, { kind: "dossier.status", dueAgoMs: -3_600_000 });
    const queued = await scrape(server);
    expect(sample(queued, `qn_queue_depth{queue="outbox"}`)).toBe(2);
    const age = sample(queued, `qn_queue_oldest_due_age_seconds{queue="outbox"}`) ?? 0;
    expect(age).toBeGreaterThanOrEqual(60);
    expect(age).toBeLessThan(120);

    server.deps.worker.start();
    await server.deps.worker.idle();
    const delivered = await scrape(server);
    expect(sample(delivered, `qn_queue_depth{queue="outbox"}`)).toBe(0);
    expect(sample(delivered, `qn_notification_deliveries_total{outcome="sent",channel="inbox"}`)).toBe(1);
    expect(sample(delivered, `qn_notification_deliveries_total{outcome="skipped",channel="none"}`)).toBe(1);
    expect(sample(delivered, `qn_notification_deliveries_total{outcome="failed",channel="none"}`)).toBe(0);
  });

  it("when Zalo posts to the webhook, then the time to its answer is in the ack histogram", async () => {
    server = await startTestServer({ operations: withToken() });
    // An unsigned event is refused, quickly: that answer is timed as well.
    const res = await fetch(`${server.url}/webhooks/zalo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ event_name: "user_send_text", timestamp: String(Date.now()) }),
    });
    const status = res.status;
    await res.text();
    const text = await scrape(server);
    expect(sample(text, `qn_webhook_ack_seconds_count{status="${status}"}`)).toBe(1);
    expect(sample(text, `qn_webhook_ack_seconds_bucket{le="+Inf",status="${status}"}`)).toBe(1);
  });
});

/** A test server's own operations settings (config.ts's defaults), with METRICS_TOKEN set. */
function withToken() {
  return { ...testConfig().operations, metricsToken: TOKEN };
}
