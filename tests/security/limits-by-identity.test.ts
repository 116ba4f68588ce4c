import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/test-server";

/**
 * Issue 13, finding 16: behind the carrier-grade NAT of Vietnamese mobile networks many citizens share one address.
 * The API's budget is each signed-in person's own; only anonymous calls share their address's; sign-in is counted by
 * address and user name.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ trustProxyHops: 1, rateLimitPerMinute: 6, loginRateLimitPerMinute: 2 });
});
afterAll(() => server.close());

let nextAddress = 1;
const address = () => `192.0.2.${nextAddress++}`;

async function get(path: string, from: string, token?: string) {
  const res = await fetch(`${server.url}${path}`, {
    headers: { "x-forwarded-for": from, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  await res.arrayBuffer();
  return res.status;
}

async function post(path: string, json: unknown, from: string) {
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": from },
    body: JSON.stringify(json),
  });
  return { status: res.status, body: (await res.json()) as { token?: string } };
}

async function signIn(zaloId: string, from: string) {
  const res = await post("/api/auth/dev", { zaloId, name: "Nguyễn Văn An" }, from);
  expect(res.status).toBe(200);
  return res.body.token as string;
}

describe("the API's rate limit follows the signed-in person", () => {
  it("when two citizens call from one address, then each has a budget of their own", async () => {
    const nat = address();
    const an = await signIn("nat-an", nat);
    const binh = await signIn("nat-binh", nat);
    for (let i = 0; i < 6; i++) expect(await get("/api/me", nat, an)).toBe(200);
    expect(await get("/api/me", nat, an)).toBe(429);
    expect(await get("/api/me", nat, binh)).toBe(200);
  });

  it("when a citizen moves to another address, then the budget goes with them", async () => {
    const an = await signIn("roaming-an", address());
    for (let i = 0; i < 6; i++) expect(await get("/api/me", address(), an)).toBe(200);
    expect(await get("/api/me", address(), an)).toBe(429);
  });

  it("when anonymous calls come from one address, then they share its budget, and a signed-in citizen there is not held back", async () => {
    const nat = address();
    const an = await signIn("anon-neighbour", nat);
    // The sign-in itself was one anonymous call from this address.
    for (let i = 0; i < 5; i++) expect(await get("/api/app-config", nat)).toBe(200);
    expect(await get("/api/app-config", nat)).toBe(429);
    expect(await get("/api/me", nat, an)).toBe(200);
  });

  it("when random tokens are sent, then they count against the address, not a fresh budget each", async () => {
    const from = address();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push(await get("/api/me", from, `forged.${i}.token`));
    expect(statuses.slice(0, 6)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(statuses.slice(6)).toEqual([429, 429]);
  });
});

describe("sign-in is counted by address and user name", () => {
  it("when several officials sign in from one office address, then none is refused for the others' sign-ins", async () => {
    const office = address();
    for (let i = 0; i < 4; i++) {
      const username = `office.${i}`;
      await server.deps.auth.createOfficial({
        username,
        name: `Cán bộ ${i}`,
        role: "official",
        unitCode: "06652",
        password: "mat-khau-that-dai-123",
      });
      const res = await post("/api/officials/login", { username, password: "mat-khau-that-dai-123" }, office);
      expect(res.status).toBe(200);
    }
  });

  it("when one name is tried too often from one address in a minute, then 429", async () => {
    const from = address();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(
        (await post("/api/officials/login", { username: "ai.do", password: "mat-khau-nao-do" }, from)).status,
      );
    }
    expect(statuses).toEqual([401, 401, 429]);
  });
});

describe("the public lookup behind one address", () => {
  let lookups: TestServer;
  beforeAll(async () => {
    lookups = await startTestServer({
      trustProxyHops: 1,
      lookupLimit: { windowMs: 600_000, perSource: 3, perCode: 1000 },
    });
  });
  afterAll(() => lookups.close());

  async function lookup(from: string, token?: string) {
    const res = await fetch(`${lookups.url}/api/lookup/06652.H49-261203-0001`, {
      headers: { "x-forwarded-for": from, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    await res.arrayBuffer();
    return res.status;
  }

  it("when two signed-in citizens share an address, then each has their own lookups; anonymous calls share the address's", async () => {
    const from = address();
    const sign = async (zaloId: string) => {
      const res = await fetch(`${lookups.url}/api/auth/dev`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": from },
        body: JSON.stringify({ zaloId, name: "Nguyễn Văn An" }),
      });
      return ((await res.json()) as { token: string }).token;
    };
    const [an, binh] = [await sign("lookup-an"), await sign("lookup-binh")];
    for (let i = 0; i < 3; i++) expect(await lookup(from, an)).toBe(404);
    expect(await lookup(from, an)).toBe(429);
    expect(await lookup(from, binh)).toBe(404);
    for (let i = 0; i < 3; i++) expect(await lookup(from)).toBe(404);
    expect(await lookup(from)).toBe(429);
  });
});
