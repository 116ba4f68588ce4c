import { ConfigError, loadConfig } from "@qn/bot-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/test-server";

const ZALO = "https://h5.zdn.vn";
const ZALO_CLIENT = "zbrowser://h5.zdn.vn";
const EVIL = "https://dichvucong-quangninh.example";

/** A request as a browser makes it: with its page's Origin (Node's fetch lets a test set it). */
async function from(
  server: TestServer,
  origin: string | undefined,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string | FormData,
) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(origin ? { origin } : {}), ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const preflight = (
  server: TestServer,
  origin: string,
  method: string,
  requestHeaders: string,
  path = "/api/dossiers",
) =>
  from(server, origin, "OPTIONS", path, {
    "access-control-request-method": method,
    "access-control-request-headers": requestHeaders,
  });

describe("cross-origin calls to /api (the mini-app served by Zalo)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ rateLimitPerMinute: 40 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("when Zalo's origin preflights a JSON POST with a Bearer token, then it is allowed, cached and without credentials", async () => {
    const res = await preflight(server, ZALO, "POST", "authorization,content-type");
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(ZALO);
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    const allowed = (res.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(",");
    expect(allowed).toEqual(expect.arrayContaining(["authorization", "content-type"]));
    expect(res.headers.get("access-control-max-age")).toBe("600");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    expect(res.headers.get("vary")).toContain("Origin");
  });

  it("when Zalo's client origin preflights a multipart upload and a PUT, then both are allowed", async () => {
    // A FormData body sets a simple content type: the preflight asks only for Authorization.
    const upload = await preflight(server, ZALO_CLIENT, "POST", "authorization", "/api/dossiers/X/supplement");
    expect(upload.status).toBe(204);
    expect(upload.headers.get("access-control-allow-origin")).toBe(ZALO_CLIENT);
    const put = await preflight(server, ZALO, "PUT", "authorization,content-type", "/api/notifications/preferences");
    expect(put.headers.get("access-control-allow-methods")).toContain("PUT");
  });

  it("when Zalo's origin calls, then answers and errors alike carry the header, so the app can read the message", async () => {
    const ok = await from(server, ZALO, "GET", "/api/procedures?q=khai%20sinh");
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe(ZALO);
    const unauthorised = await from(server, ZALO, "GET", "/api/me");
    expect(unauthorised.status).toBe(401);
    expect(unauthorised.headers.get("access-control-allow-origin")).toBe(ZALO);
    expect(unauthorised.body.error.message).toContain("đăng nhập");
    const signIn = await from(
      server,
      ZALO,
      "POST",
      "/api/auth/dev",
      { "content-type": "application/json" },
      JSON.stringify({ zaloId: "cors-citizen", name: "Nguyễn Văn An" }),
    );
    expect(signIn.status).toBe(200);
    expect(signIn.headers.get("access-control-allow-origin")).toBe(ZALO);
    // A download's name is readable cross-origin.
    expect(signIn.headers.get("access-control-expose-headers")).toContain("Content-Disposition");
  });

  it("when another origin preflights, then it gets 403 and no CORS header, so the browser sends nothing", async () => {
    const res = await preflight(server, EVIL, "POST", "authorization,content-type");
    expect(res.status).toBe(403);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.body.error.code).toBe("ORIGIN_NOT_ALLOWED");
  });

  it("when another origin sends a request anyway, then it is refused before it does anything", async () => {
    const before = await server.deps.db.selectFrom("citizens").select("id").execute();
    for (const origin of [EVIL, "null", "http://h5.zdn.vn", "https://h5.zdn.vn.example"]) {
      const res = await from(
        server,
        origin,
        "POST",
        "/api/auth/dev",
        { "content-type": "application/json" },
        JSON.stringify({ zaloId: `evil-${origin.length}`, name: "Kẻ gian" }),
      );
      expect(res.status, origin).toBe(403);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
      expect(res.body.error.message).toContain("không được phép");
    }
    const after = await server.deps.db.selectFrom("citizens").select("id").execute();
    expect(after.length).toBe(before.length);
  });

  it("when the page is the server's own (same origin) or there is no Origin at all, then CORS does not stand in the way", async () => {
    const same = await from(
      server,
      server.url,
      "POST",
      "/api/auth/dev",
      { "content-type": "application/json" },
      JSON.stringify({ zaloId: "same-origin", name: "Trần Thị Bình" }),
    );
    expect(same.status).toBe(200);
    const noOrigin = await from(server, undefined, "GET", "/api/units");
    expect(noOrigin.status).toBe(200);
    expect(noOrigin.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("when an allowed origin is rate-limited, then the 429 still carries the header and a Vietnamese message", async () => {
    let last: Awaited<ReturnType<typeof from>> | undefined;
    for (let i = 0; i < 45; i++) {
      last = await from(server, ZALO, "GET", "/api/units");
      if (last.status === 429) break;
    }
    expect(last?.status).toBe(429);
    expect(last?.headers.get("access-control-allow-origin")).toBe(ZALO);
    expect(last?.body.error.message).toContain("thử lại");
  });
});

describe("CORS_ORIGINS", () => {
  it("when it is unset, then Zalo's two mini-app origins are allowed and nothing else", () => {
    expect(loadConfig({}).corsOrigins).toEqual([ZALO, ZALO_CLIENT]);
  });

  it("when it lists origins, or says none, then exactly those apply", () => {
    expect(loadConfig({ CORS_ORIGINS: "https://h5.zdn.vn, http://localhost:5173" }).corsOrigins).toEqual([
      ZALO,
      "http://localhost:5173",
    ]);
    expect(loadConfig({ CORS_ORIGINS: "none" }).corsOrigins).toEqual([]);
  });

  it("when an entry is not an origin, then the server does not start and names the variable", () => {
    for (const bad of ["h5.zdn.vn", "https://h5.zdn.vn/zapps/1", "*"]) {
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(ConfigError);
      try {
        loadConfig({ CORS_ORIGINS: bad });
      } catch (error) {
        expect((error as ConfigError).issues[0]?.variable).toBe("CORS_ORIGINS");
      }
    }
  });

  it("when a deployment lists its own origin only, then Zalo's are refused", async () => {
    const server = await startTestServer({ corsOrigins: ["https://dvc.quangninh.gov.vn"] });
    try {
      const zalo = await preflight(server, ZALO, "GET", "authorization", "/api/me");
      expect(zalo.status).toBe(403);
      const own = await preflight(server, "https://dvc.quangninh.gov.vn", "GET", "authorization", "/api/me");
      expect(own.status).toBe(204);
      expect(own.headers.get("access-control-allow-origin")).toBe("https://dvc.quangninh.gov.vn");
    } finally {
      await server.close();
    }
  });
});
