import { createHash, randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestServer, type TestServer } from "../helpers/test-server";

/**
 * Issue 13, finding 5: the OA webhook verifies before it parses, refuses events far from now, limits each source's
 * refused requests and logs a flood of bad signatures as a count, not as one line each.
 */
let server: TestServer;
beforeAll(async () => {
  // One proxy in front, as in production, so that each test can speak from its own address.
  server = await startTestServer({ trustProxyHops: 1, webhookRateLimitPerMinute: 20, webhookMaxSkewMinutes: 5 });
});
afterAll(() => server.close());
afterEach(() => vi.restoreAllMocks());

let nextAddress = 1;
/** A fresh client address for each test, so that one test's refusals do not count against the next. */
const address = () => `198.51.100.${nextAddress++}`;

function event(timestamp: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    app_id: server.deps.webhook.appId,
    event_name: "user_send_text",
    timestamp,
    sender: { id: `u-${randomUUID()}` },
    recipient: { id: "oa-1" },
    message: { msg_id: randomUUID(), text: "xin chào" },
    ...extra,
  });
}

function mac(raw: string, timestamp: string) {
  const { appId, oaSecretKey } = server.deps.webhook;
  return `mac=${createHash("sha256")
    .update(appId + raw + timestamp + oaSecretKey)
    .digest("hex")}`;
}

async function post(raw: string, signature: string | undefined, from: string) {
  const res = await fetch(`${server.url}/webhooks/zalo`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-forwarded-for": from,
      ...(signature ? { "X-ZEvent-Signature": signature } : {}),
    },
    body: raw,
  });
  const text = await res.text();
  return { status: res.status, code: text ? (JSON.parse(text).error?.code as string | undefined) : undefined };
}

async function stored() {
  const { n } = await server.deps.db
    .selectFrom("webhook_events")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(n);
}

describe("the webhook verifies the signature before it reads the body", () => {
  it("when the signature is wrong, then the body is never parsed as JSON and the answer is 401, even for a body that is not JSON", async () => {
    const raw = event(String(Date.now()), { message: { msg_id: randomUUID(), text: "parse-me-not" } });
    const parse = vi.spyOn(JSON, "parse");
    const res = await post(raw, `mac=${"0".repeat(64)}`, address());
    const parsedOurBody = parse.mock.calls.some(([text]) => typeof text === "string" && text.includes("parse-me-not"));
    parse.mockRestore();
    expect(res).toEqual({ status: 401, code: "SIGNATURE_INVALID" });
    expect(parsedOurBody).toBe(false);

    const notJson = await post("{not json", `mac=${"a".repeat(64)}`, address());
    expect(notJson).toEqual({ status: 401, code: "SIGNATURE_INVALID" });
  });

  it("when a correctly signed body is not a JSON object, then 400 and nothing is stored", async () => {
    const timestamp = String(Date.now());
    const raw = `[{"timestamp":"${timestamp}"}]`;
    const before = await stored();
    expect(await post(raw, mac(raw, timestamp), address())).toEqual({ status: 400, code: "MALFORMED_EVENT" });
    expect(await stored()).toBe(before);
  });
});

describe("the webhook refuses events whose timestamp is far from now", () => {
  it.each([
    ["10 minutes old", -10 * 60_000],
    ["10 minutes ahead", 10 * 60_000],
    ["from 2023", 1_700_000_000_000 - Date.now()],
  ])("when a correctly signed event is %s, then 401 EVENT_STALE and nothing is stored", async (_case, offset) => {
    const timestamp = String(Date.now() + offset);
    const raw = event(timestamp);
    const before = await stored();
    expect(await post(raw, mac(raw, timestamp), address())).toEqual({ status: 401, code: "EVENT_STALE" });
    expect(await stored()).toBe(before);
  });

  it("when the timestamp is not a number of milliseconds, then the event is refused", async () => {
    const raw = event("hôm qua");
    expect((await post(raw, mac(raw, "hôm qua"), address())).status).toBe(401);
  });

  it("when a correctly signed event is 4 minutes old or ahead (clocks differ), then it is accepted", async () => {
    for (const offset of [-4 * 60_000, 4 * 60_000]) {
      const timestamp = String(Date.now() + offset);
      const raw = event(timestamp);
      expect((await post(raw, mac(raw, timestamp), address())).status).toBe(200);
    }
  });

  it("when the timestamp is a JSON number rather than a string, then it is checked all the same", async () => {
    const fresh = Date.now();
    const raw = event("x").replace('"timestamp":"x"', `"timestamp":${fresh}`);
    expect((await post(raw, mac(raw, String(fresh)), address())).status).toBe(200);
    const old = fresh - 3_600_000;
    const stale = event("x").replace('"timestamp":"x"', `"timestamp":${old}`);
    expect(await post(stale, mac(stale, String(old)), address())).toEqual({ status: 401, code: "EVENT_STALE" });
  });
});

describe("the webhook limits each source's refused requests", () => {
  it("when one source keeps sending bad signatures, then it gets 429 after the limit while Zalo's good events from another source go on", async () => {
    const attacker = address();
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const raw = event(String(Date.now()));
      statuses.push((await post(raw, `mac=${"1".repeat(64)}`, attacker)).status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429, 429, 429, 429]);

    const zalo = address();
    const timestamp = String(Date.now());
    const raw = event(timestamp);
    expect((await post(raw, mac(raw, timestamp), zalo)).status).toBe(200);
  });

  it("when one source sends many good events, then none is refused: only refusals count", async () => {
    const zalo = address();
    for (let i = 0; i < 30; i++) {
      const timestamp = String(Date.now());
      const raw = event(timestamp);
      expect((await post(raw, mac(raw, timestamp), zalo)).status).toBe(200);
    }
  });
});

describe("the webhook's warnings about refused events", () => {
  it("when a source sends hundreds of bad signatures in a burst, then one warning line is written, not one per request", async () => {
    const warn = vi.spyOn(server.deps.logger, "warn");
    const attacker = address();
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let i = 0; i < 30; i++) await post(event(String(Date.now())), `mac=${"2".repeat(64)}`, attacker);
      }),
    );
    expect(warn.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(warn.mock.calls.length).toBeLessThanOrEqual(2);
  });
});
