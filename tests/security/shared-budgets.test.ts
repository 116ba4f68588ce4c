import { http } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { official } from "../helpers/api";
import { type ServerOverrides, startTestServer, type TestServer, tempDataDir } from "../helpers/test-server";
import { mockServer } from "../mocks/server";
import { fakeZaloOa, ZALO_OAUTH_URL, ZALO_OPENAPI_URL, ZALO_ZNS_URL } from "../mocks/zalo-oa";

/**
 * Issue 16, decision 0020: several bot-server instances share one database, and so do their budgets. Two in-process
 * servers on one DATA_DIR are two instances on one database (on PostgreSQL in the api-postgres project, where both get
 * the database named after that DATA_DIR): what one counts, the other sees.
 */
async function twoInstances(overrides: ServerOverrides = {}): Promise<[TestServer, TestServer]> {
  const dataDir = tempDataDir();
  const a = await startTestServer({ ...overrides, dataDir });
  const b = await startTestServer({ ...overrides, dataDir });
  return [a, b];
}

let nextAddress = 1;
const address = () => `198.51.100.${nextAddress++}`;

async function status(server: TestServer, path: string, from: string, init: RequestInit = {}) {
  const res = await fetch(`${server.url}${path}`, {
    ...init,
    headers: { "x-forwarded-for": from, ...(init.headers as Record<string, string>) },
  });
  await res.arrayBuffer();
  return res.status;
}

describe("rate limits shared by two instances", () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    [a, b] = await twoInstances({
      trustProxyHops: 1,
      rateLimitPerMinute: 6,
      loginRateLimitPerMinute: 3,
      loginMaxFailures: 2,
      loginMaxFailuresPerAddress: 50,
      lookupLimit: { windowMs: 600_000, perSource: 3, perCode: 1000 },
    });
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it("when anonymous calls from one address alternate between the instances, then they are counted together", async () => {
    const from = address();
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) seen.push(await status(i % 2 === 0 ? a : b, "/api/app-config", from));
    // Six in the minute, whichever instance answered; each instance alone would have let eight through.
    expect(seen).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
  });

  it("when sign-ins for one name alternate between the instances, then the sign-in limit counts them together", async () => {
    const from = address();
    const login = (server: TestServer) =>
      status(server, "/api/auth/dev", from, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ zaloId: "shared-limit-an", name: "Nguyễn Văn An" }),
      });
    expect([await login(a), await login(b), await login(a), await login(b)]).toEqual([200, 200, 200, 429]);
  });

  it("when wrong passwords alternate between the instances, then the sign-in throttle counts them together", async () => {
    const { username } = await official(a, "official", "06652");
    const from = address();
    const wrong = async (server: TestServer) => {
      const res = await fetch(`${server.url}/api/officials/login`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": from },
        body: JSON.stringify({ username, password: "sai-mat-khau-123" }),
      });
      const body = (await res.json()) as { error?: { code: string } };
      return body.error?.code ?? String(res.status);
    };
    // Within the sign-in limit (3 a minute per address and name): the throttle's 2 failures stop the third.
    const codes = [await wrong(a), await wrong(b), await wrong(a)];
    expect(codes).toEqual(["UNAUTHORIZED", "UNAUTHORIZED", "LOGIN_THROTTLED"]);
  });

  it("when one address looks codes up at both instances, then the lookup limit counts them together", async () => {
    const from = address();
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) seen.push(await status(i % 2 === 0 ? b : a, "/api/lookup/06652.H49-261203-0001", from));
    expect(seen).toEqual([404, 404, 404, 429]);
  });
});

describe("/portal-api tokens across instances", () => {
  const CLIENT_ID = "zalo-bot-server";
  const CLIENT_SECRET = "client-secret-for-shared-budget-tests";
  const portalApi = (clients: Record<string, string>) => ({
    portalApi: { clients, callbackUrl: undefined, callbackSecret: undefined },
  });
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    [a, b] = await twoInstances(portalApi({ [CLIENT_ID]: CLIENT_SECRET }));
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  async function tokenFrom(server: TestServer): Promise<string> {
    const res = await fetch(`${server.url}/portal-api/oauth/token`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "grant_type=client_credentials",
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  }
  const changes = (server: TestServer, token: string) =>
    status(server, "/portal-api/v1/dossier-changes", "192.0.2.10", { headers: { authorization: `Bearer ${token}` } });

  it("when one instance issues a token, then the other accepts it", async () => {
    const token = await tokenFrom(a);
    expect(await changes(b, token)).toBe(200);
    expect(await changes(a, token)).toBe(200);
  });

  it("when a token is altered, or the instance has another secret, or the client was removed or its secret changed, then it is refused", async () => {
    const token = await tokenFrom(a);
    const [body, signature] = token.split(".") as [string, string];
    const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
    const wider = Buffer.from(JSON.stringify({ ...claims, e: claims.e + 86_400_000 })).toString("base64url");
    expect(await changes(b, `${wider}.${signature}`)).toBe(401);

    const others = [
      await startTestServer({ ...portalApi({ [CLIENT_ID]: CLIENT_SECRET }), sessionSecret: "x".repeat(48) }),
      await startTestServer({ ...portalApi({ "another-client": CLIENT_SECRET }), dataDir: a.dataDir }),
      await startTestServer({ ...portalApi({ [CLIENT_ID]: `${CLIENT_SECRET}-rotated` }), dataDir: a.dataDir }),
    ];
    try {
      for (const other of others) expect(await changes(other, token)).toBe(401);
    } finally {
      await Promise.all(others.map((o) => o.close()));
    }
  });
});

describe("the Zalo send rate across instances", () => {
  const RATE = 20;
  let a: TestServer;
  let b: TestServer;
  let zalo: ReturnType<typeof fakeZaloOa>;
  beforeAll(async () => {
    zalo = fakeZaloOa({ access: "access-0", refresh: "refresh-0" });
    mockServer.use(...zalo.handlers);
    [a, b] = await twoInstances({
      zalo: {
        appId: "4291763606161179100",
        appSecret: "app-secret",
        oaSecretKey: "oa-secret",
        oaAccessToken: "access-0",
        oaRefreshToken: "refresh-0",
        tokenEncryptionKey: Buffer.alloc(32, 5).toString("base64"),
        openApiUrl: ZALO_OPENAPI_URL,
        oauthUrl: ZALO_OAUTH_URL,
        znsUrl: ZALO_ZNS_URL,
        sendRatePerSecond: RATE,
      },
    });
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it("when both instances send at once, then together they stay within ZALO_SEND_RATE_PER_SECOND", async () => {
    // When each message reached the fake OA (a handler that answers nothing passes the request on to the fake's).
    const arrivals: number[] = [];
    mockServer.use(
      http.post(`${ZALO_OPENAPI_URL}/v3.0/oa/message/:kind`, () => {
        arrivals.push(performance.now());
      }),
      ...zalo.handlers,
    );
    const PER_INSTANCE = 30;
    const started = performance.now();
    const sends = [a, b].flatMap((server, s) =>
      Array.from({ length: PER_INSTANCE }, (_, i) =>
        server.deps.messenger.send("cs", `user-${s}-${i}`, { text: `Tin ${s}-${i}` }),
      ),
    );
    const results = await Promise.all(sends);
    expect(results.every((r) => !r.offline && r.messageId !== "")).toBe(true);
    expect(arrivals).toHaveLength(2 * PER_INSTANCE);
    arrivals.sort((x, y) => x - y);
    const total = arrivals.length;
    const burst = Math.max(1, Math.floor(RATE * 0.1));
    const seconds = ((arrivals.at(-1) ?? 0) - started) / 1000;
    // The most that reached Zalo in any one second: the rate and the burst the limiter allows (a tenth of a second's
    // worth), and a little more for the jitter of timers and of the HTTP calls under load (sends released on time can
    // arrive bunched). Two instances each keeping its own rate would have sent about twice the rate in a second.
    let most = 0;
    for (const from of arrivals) most = Math.max(most, arrivals.filter((t) => t >= from && t < from + 1000).length);
    console.log(
      `shared send rate: ${total} sends from 2 instances in ${seconds.toFixed(2)} s = ${(total / seconds).toFixed(1)}/s ` +
        `(configured ${RATE}/s, burst ${burst}), at most ${most} in one second`,
    );
    // Beyond the burst, one send per 1/RATE s whichever instance sends: 58 intervals of 50 ms. Each instance alone
    // would have sent its 30 in 1.5 s.
    expect(seconds).toBeGreaterThanOrEqual((total - burst) / RATE - 0.01);
    expect(most).toBeLessThanOrEqual(RATE + burst + Math.ceil(RATE * 0.15));
  });
});
