import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, official } from "../helpers/api";
import { startTestServer, type TestServer } from "../helpers/test-server";

/**
 * Issue 13, finding 7: wrong passwords slow down the address they come from (backoff, 429 with Retry-After) instead
 * of locking the account for everyone; an unknown user name is answered exactly like a known one; administrators are
 * alerted when one account collects many wrong passwords.
 */
let server: TestServer;
let admin: string;
beforeAll(async () => {
  server = await startTestServer({
    trustProxyHops: 1,
    loginMaxFailures: 3,
    loginMaxFailuresPerAddress: 8,
    loginAlertFailures: 6,
  });
  admin = (await official(server, "admin", "22")).token;
});
afterAll(() => server.close());

const PASSWORD = "mat-khau-that-dai-123";
let nextAddress = 1;
const address = () => `203.0.113.${nextAddress++}`;

async function login(username: string, password: string, from: string) {
  const res = await fetch(`${server.url}/api/officials/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": from },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as { token?: string; error?: { code: string; message: string } };
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("wrong passwords slow down their source, not the account", () => {
  it("when one address types wrong passwords, then it must wait (429, Retry-After) while the official signs in from another address", async () => {
    const { username } = await official(server, "official", "06652");
    const attacker = address();
    for (let i = 0; i < 3; i++) expect((await login(username, "sai-mat-khau-123", attacker)).status).toBe(401);
    const throttled = await login(username, PASSWORD, attacker);
    expect(throttled.status).toBe(429);
    expect(throttled.body.error?.code).toBe("LOGIN_THROTTLED");
    expect(throttled.body.error?.message).toContain("thử lại");
    expect(Number(throttled.retryAfter)).toBeGreaterThanOrEqual(1);

    const office = address();
    const right = await login(username, PASSWORD, office);
    expect(right.status).toBe(200);
    expect(right.body.token).toBeTruthy();
  });

  it("when the address keeps failing after each wait, then each wait is longer than the one before", async () => {
    const { username } = await official(server, "official", "06652");
    const from = address();
    for (let i = 0; i < 3; i++) await login(username, "sai-mat-khau-123", from);
    const first = Number((await login(username, "sai", from)).retryAfter);
    await sleep(first * 1000 + 100);
    expect((await login(username, "sai-mat-khau-123", from)).status).toBe(401);
    const second = Number((await login(username, "sai", from)).retryAfter);
    expect(second).toBeGreaterThan(first);
  });

  it("when one address tries many user names, then it is slowed down too (a password spray)", async () => {
    const from = address();
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push((await login(`khong-co-ai-${i}`, "mat-khau-doan-bua", from)).status);
    expect(statuses.slice(0, 8).every((s) => s === 401)).toBe(true);
    expect(statuses[8]).toBe(429);
  });

  it("when many wrong passwords arrive for one account at once, then only the allowed number are checked", async () => {
    const { username } = await official(server, "official", "06652");
    const from = address();
    const results = await Promise.all(Array.from({ length: 8 }, () => login(username, "sai-mat-khau-123", from)));
    expect(results.filter((r) => r.status === 401)).toHaveLength(3);
    expect(results.filter((r) => r.status === 429)).toHaveLength(5);
  });
});

describe("an unknown user name gets the same answers as a known one", () => {
  it("when the same wrong attempts are made for an existing and a made-up name, then statuses, codes and messages are the same", async () => {
    const { username } = await official(server, "official", "06652");
    const answers = async (name: string) => {
      const from = address();
      const seen: { status: number; code?: string; message?: string; retryAfter: boolean }[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await login(name, "sai-mat-khau-123", from);
        seen.push({
          status: res.status,
          code: res.body.error?.code,
          message: res.body.error?.message?.replace(/\d+/g, "N"),
          retryAfter: res.retryAfter !== null,
        });
      }
      return seen;
    };
    const known = await answers(username);
    const unknown = await answers("khong-ton-tai");
    expect(unknown).toEqual(known);
    expect(known.map((a) => a.status)).not.toContain(423);
    expect(known[0]).toEqual({
      status: 401,
      code: "UNAUTHORIZED",
      message: "Tên đăng nhập hoặc mật khẩu không đúng.",
      retryAfter: false,
    });
  });
});

describe("administrators are alerted", () => {
  it("when one account collects many wrong passwords from several addresses, then one alert names it, lists the addresses and can be acknowledged", async () => {
    const { username } = await official(server, "official", "06652");
    const sources = [address(), address(), address()];
    for (const from of sources) {
      for (let i = 0; i < 3; i++) await login(username, "sai-mat-khau-123", from);
    }
    const list = await call(server, "GET", "/api/admin/security-alerts", { token: admin });
    expect(list.status).toBe(200);
    const mine = list.body.items.filter((a: { username: string }) => a.username === username);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ kind: "login-failures", username, failures: 9, acknowledgedAt: null });
    expect(mine[0].sources).toEqual(expect.arrayContaining(sources));
    expect(mine[0].message).toContain(username);

    const officer = await official(server, "official", "06652");
    expect((await call(server, "GET", "/api/admin/security-alerts", { token: officer.token })).status).toBe(403);

    const ack = await call(server, "POST", `/api/admin/security-alerts/${mine[0].id}/acknowledge`, { token: admin });
    expect(ack.status).toBe(200);
    expect(ack.body.acknowledgedAt).not.toBeNull();
  });

  it("when an account only makes a typo or two, then no alert is raised", async () => {
    const { username } = await official(server, "official", "06652");
    await login(username, "sai-mat-khau-123", address());
    expect((await login(username, PASSWORD, address())).status).toBe(200);
    const list = await call(server, "GET", "/api/admin/security-alerts", { token: admin });
    expect(list.body.items.some((a: { username: string }) => a.username === username)).toBe(false);
  });
});
