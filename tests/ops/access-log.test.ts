import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { answerClientErrors, bootstrap, createLogger } from "@qn/bot-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig } from "../helpers/test-server";

/**
 * The access log (issue 16, decision 0018): one line per request with its method, route, status, duration and id;
 * nothing a citizen or a caller could be recognised or impersonated by.
 */

type Line = Record<string, unknown>;
const lines: Line[] = [];
const stream = { write: (text: string) => void lines.push(JSON.parse(text) as Line) };

let url = "";
let server: Server;
let close: () => Promise<void>;
let destroyDb: () => Promise<void>;

beforeAll(async () => {
  const app = await bootstrap(testConfig(), createLogger("info", stream));
  close = app.close;
  destroyDb = () => app.deps.db.destroy();
  server = await new Promise<Server>((resolve) => {
    const s = answerClientErrors(app.app.listen(0, "127.0.0.1", () => resolve(s)));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await close();
});

/** The access-log lines written since `from`. */
const accessLines = (from: number) => lines.slice(from).filter((l) => l.msg === "request");

/** What must never be in the log: a session token, a cookie, codes and secrets from addresses, a body. */
const PRIVATE = {
  zaloId: "zalo-id-private-4711",
  name: "Nguyễn Thị Riêng Tư",
  cookie: "sid=cookie-value-private",
  lookupSecret: "SECRET-975310",
  linkToken: "link-token-private-8642",
  code: "G01.99-261204-PRIV",
};

describe("the access log", () => {
  let token = "";

  it("when requests are answered, then each is one line of method, route, status, duration and request id", async () => {
    const from = lines.length;
    const signIn = await fetch(`${url}/api/auth/dev`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: PRIVATE.cookie },
      body: JSON.stringify({ zaloId: PRIVATE.zaloId, name: PRIVATE.name }),
    });
    expect(signIn.status).toBe(200);
    token = ((await signIn.json()) as { token: string }).token;
    const search = await fetch(
      `${url}/api/procedures?q=ho+khau&secret=${PRIVATE.lookupSecret}&t=${PRIVATE.linkToken}`,
      {
        headers: { authorization: `Bearer ${token}`, cookie: PRIVATE.cookie, "x-request-id": "lb-0123456789" },
      },
    );
    expect(search.status).toBe(200);
    await search.text();
    expect(search.headers.get("x-request-id")).toBe("lb-0123456789");

    const [first, second] = accessLines(from);
    expect(first).toMatchObject({ level: 30, method: "POST", route: "/api/auth/dev", status: 200 });
    expect(second).toMatchObject({
      level: 30,
      method: "GET",
      route: "/api/procedures",
      status: 200,
      requestId: "lb-0123456789",
    });
    expect(typeof second?.durationMs).toBe("number");
    expect(signIn.headers.get("x-request-id")).toBe(first?.requestId);
    expect(String(first?.requestId)).toMatch(/^[0-9a-f-]{36}$/);
    // Nothing but these: no headers, no address, no query, no body.
    for (const line of [first, second]) {
      expect(Object.keys(line ?? {}).sort()).toEqual(
        ["durationMs", "hostname", "level", "method", "msg", "pid", "requestId", "route", "status", "time"].sort(),
      );
    }
  });

  it("when an address carries a code and a secret, then the route's pattern is logged, not the address", async () => {
    const from = lines.length;
    const lookup = await fetch(`${url}/api/lookup/${PRIVATE.code}?secret=${PRIVATE.lookupSecret}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await lookup.text();
    // A reload of a mini-app screen or an unknown address: only its first segment.
    const page = await fetch(`${url}/dossiers/${PRIVATE.code}?t=${PRIVATE.linkToken}`);
    await page.text();
    const unknown = await fetch(`${url}/api/nothing-here/${PRIVATE.code}`);
    await unknown.text();
    // A request id that is not a plain token is not kept.
    const probe = await fetch(`${url}/readyz`, { headers: { "x-request-id": `${PRIVATE.zaloId} ${PRIVATE.cookie}` } });
    await probe.text();

    const logged = accessLines(from);
    expect(logged[0]).toMatchObject({ route: "/api/lookup/:code", status: lookup.status, level: 30 });
    expect(logged[1]).toMatchObject({ route: "/dossiers/*", status: page.status });
    expect(logged[2]).toMatchObject({ route: "/api/*", status: 404, level: 30 });
    // Probes that succeed are at debug: absent at info.
    expect(logged).toHaveLength(3);
    expect(probe.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("when a request fails on the server, then its line is at error level", async () => {
    const from = lines.length;
    await destroyDb();
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(500);
    await res.text();
    expect(accessLines(from)).toEqual([expect.objectContaining({ level: 50, route: "/healthz", status: 500 })]);
  });

  it("then nothing private was written anywhere in the log", () => {
    const text = JSON.stringify(lines);
    for (const [what, value] of Object.entries({ ...PRIVATE, token })) expect(text, what).not.toContain(value);
    expect(text).not.toMatch(/authorization|cookie|user-agent|remoteAddress|"url"|"headers"|"query"|"body"/i);
  });
});
