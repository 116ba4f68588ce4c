import { createHash } from "node:crypto";
import { ERROR_CODES } from "@qn/shared";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, citizen, file, official, procedure, requiredFiles, submission } from "../helpers/api";
import { pdf, png } from "../helpers/files";
import { startTestServer, type TestServer, testConfig } from "../helpers/test-server";

/**
 * The bounded fuzz suite (issue 13, "Proven"): requests that no client of ours sends — wrong types, huge and deep
 * bodies, NFD and bidirectional text, invalid UTF-8, polyglot files, broken multipart — against every route of /api,
 * the webhook and /portal-api, as anonymous callers, citizens, officials and the portal's client. Each answer must be
 * below 500 and, when it is an error, keep the one error shape with a code of the registry.
 *
 * `npm test` runs a short form (FUZZ_RUNS requests per target, 60 by default); `npm run fuzz` a long one. A failure
 * prints fast-check's seed and the shrunk request: `FUZZ_SEED=<seed> npm run fuzz` replays it.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const PORTAL_ID = "fuzz-portal";
const PORTAL_SECRET = "fuzz-portal-secret-0123456789";

type Auth = "none" | "citizen" | "other-citizen" | "official" | "admin" | "garbage" | "portal";
type Route = { method: string; path: string };
type Body =
  | { kind: "none" }
  | { kind: "json"; value: unknown }
  | { kind: "raw"; type: string; bytes: Buffer }
  | { kind: "multipart"; bytes: Buffer; boundary: string };
type Request = { route: Route; auth: Auth; params: string[]; query: string; body: Body };

const API_ROUTES: Route[] = [
  "GET /api/app-config",
  "GET /api/procedures",
  "GET /api/procedures/:p",
  "GET /api/fields",
  "GET /api/units",
  "GET /api/me",
  "POST /api/auth/zalo",
  "POST /api/auth/zalo/phone",
  "POST /api/auth/dev",
  "POST /api/auth/logout",
  "POST /api/officials/login",
  "GET /api/officials/me",
  "POST /api/dossiers",
  "GET /api/dossiers",
  "GET /api/dossiers/:p",
  "GET /api/dossiers/:p/attachments/:p",
  "POST /api/dossiers/:p/supplement",
  "POST /api/dossiers/:p/withdraw",
  "POST /api/dossiers/:p/rating",
  "GET /api/lookup/:p",
  "GET /api/officials/dossiers",
  "GET /api/officials/dossiers/:p",
  "POST /api/officials/dossiers/:p/actions",
  "GET /api/notifications",
  "POST /api/notifications/:p/read",
  "POST /api/notifications/read-all",
  "GET /api/notifications/preferences",
  "PUT /api/notifications/preferences",
  "GET /api/announcements",
  "GET /api/officials/announcements",
  "POST /api/officials/announcements",
  "GET /api/officials/announcements/:p",
  "PUT /api/officials/announcements/:p",
  "GET /api/officials/announcements/:p/preview",
  "GET /api/officials/announcements/:p/progress",
  "POST /api/officials/announcements/:p/submit",
  "POST /api/officials/announcements/:p/approve",
  "POST /api/officials/announcements/:p/send",
  "POST /api/officials/announcements/:p/cancel",
  "GET /api/reports/indicators",
  "GET /api/reports/indicators/by-unit",
  "GET /api/reports/indicators/series",
  "GET /api/reports/indicators/export",
  "GET /api/reports/due",
  "POST /api/reports/submissions",
  "GET /api/admin/officials",
  "POST /api/admin/officials",
  "PATCH /api/admin/officials/:p",
  "POST /api/admin/officials/:p/password",
  "GET /api/admin/units",
  "POST /api/admin/catalogue/import",
  "GET /api/admin/zalo-templates",
  "PUT /api/admin/zalo-templates",
  "GET /api/admin/calendar",
  "PUT /api/admin/calendar/:p",
  "DELETE /api/admin/calendar/:p",
  "GET /api/officials/conversations",
  "GET /api/officials/conversations/:p/messages",
  "POST /api/officials/conversations/:p/messages",
  "POST /api/officials/conversations/:p/release",
  "GET /api/no-such-route/:p",
].map(toRoute);

const PORTAL_ROUTES: Route[] = [
  "POST /portal-api/oauth/token",
  "GET /portal-api/v1/units/:p/procedures",
  "POST /portal-api/v1/dossiers",
  "GET /portal-api/v1/dossiers/:p",
  "POST /portal-api/v1/dossiers/:p/attachments",
  "POST /portal-api/v1/dossiers/:p/supplement",
  "POST /portal-api/v1/dossiers/:p/withdraw",
  "GET /portal-api/v1/dossier-changes",
  "GET /portal-api/v1/no-such-route",
].map(toRoute);

function toRoute(line: string): Route {
  const [method, path] = line.split(" ") as [string, string];
  return { method, path };
}

// ─── Hostile values ─────────────────────────────────────────────────────────────────────────────────────────────

/** Text no form of ours sends: NFD, bidi overrides and isolates, zero-width, controls, lone surrogates, long runs. */
const hostileText = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom(
    "Nguyễn Văn An".normalize("NFD"),
    "\u202Enoitartsinimda",
    "\u2066Khôi\u2069",
    "An\u200B\u200D\uFEFF",
    "\u0000\u0001\u001B[31m\u007F\u0085",
    "\uD800\uDFFF\uDBFF",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../../../etc/passwd",
    "%00%0d%0a",
    "__proto__",
    "constructor",
    "1e309",
    "-0",
  ),
  fc.integer({ min: 1000, max: 120_000 }).map((n) => "đ".repeat(n)),
);

/** Any JSON, with hostile strings as values and keys (including __proto__). */
const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    hostileText,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(fc.oneof(hostileText, fc.constantFrom("__proto__", "dossier", "code", "text")), tie("value"), {
      maxKeys: 6,
    }),
  ),
})).value;

/** A valid body with one field replaced by something of the wrong kind: gets past the first checks. */
function mutated(valid: Record<string, unknown>) {
  return fc
    .record({ path: fc.constantFrom(...paths(valid)), value: hostileJson })
    .map(({ path, value }) => setPath(structuredClone(valid), path, value));
}

function paths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== "object") return [prefix];
  const own = Object.entries(value).flatMap(([key, v]) => paths(v, [...prefix, key]));
  return prefix.length > 0 ? [prefix, ...own] : own;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown) {
  let node: Record<string, unknown> = target;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = path.at(-1);
  if (last !== undefined) node[last] = value;
  return target;
}

/** A body that prints short in a counterexample: its kind, its length and its first bytes. */
function printable(body: Body): Body {
  if (body.kind !== "raw" && body.kind !== "multipart") return body;
  const { bytes } = body;
  const summary = `${body.kind} ${"type" in body ? body.type : body.boundary.slice(0, 20)} ${bytes.length} B: ${JSON.stringify(bytes.subarray(0, 120).toString("latin1"))}`;
  return Object.assign(body, { [fc.toStringMethod]: () => summary });
}

/** Every byte of the text's UTF-8 as %XX (encodeURIComponent throws on a lone surrogate). */
function percentEncoded(text: string): string {
  return [...Buffer.from(text, "utf8")].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");
}

/** The text a value has in a JSON body (what the server reads the timestamp as), for any value. */
function asText(value: unknown): string {
  return typeof value === "string" ? value : (JSON.stringify(value) ?? "");
}

function deep(depth: number, open = "[", close = "]") {
  return Buffer.from(open.repeat(depth) + close.repeat(depth));
}

/** Files that are two things at once, or lie about what they are. */
const POLYGLOTS: { name: string; bytes: Buffer }[] = [
  {
    name: "anh.png",
    bytes: Buffer.concat([png(), Buffer.from("<script>alert(1)</script><?php system($_GET[1]); ?>")]),
  },
  { name: "giay-to.pdf", bytes: Buffer.concat([pdf(), Buffer.from("PK\u0003\u0004 zip inside")]) },
  { name: "cccd.jpg", bytes: Buffer.concat([Buffer.from("GIF89a"), Buffer.from("<html><body onload=alert(1)>")]) },
  { name: "anh.svg", bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>') },
  { name: "a.exe.png", bytes: Buffer.concat([Buffer.from("MZ\u0090\u0000"), png()]) },
  { name: "rỗng.png", bytes: Buffer.alloc(0) },
  { name: "\u202Egnp.exe", bytes: png() },
  { name: "ảnh CCCD mặt trước.png".normalize("NFD"), bytes: png() },
];

function multipart(boundary: string, parts: { name: string; filename?: string; type?: string; bytes: Buffer }[]) {
  const chunks = parts.flatMap((part) => [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${
        part.filename === undefined ? "" : `; filename="${part.filename}"`
      }\r\n${part.type ? `Content-Type: ${part.type}\r\n` : ""}\r\n`,
    ),
    part.bytes,
    Buffer.from("\r\n"),
  ]);
  return Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]);
}

// ─── The suite ──────────────────────────────────────────────────────────────────────────────────────────────────

describe("fuzzing the API, the webhook and /portal-api", () => {
  let server: TestServer;
  const tokens: Partial<Record<Auth, string>> = {};
  const known: string[] = [];
  let validFiling: Record<string, unknown>;
  const answers = { total: 0, byTarget: new Map<string, Map<number, number>>() };
  function count(target: string, status: number) {
    answers.total++;
    const byStatus = answers.byTarget.get(target) ?? new Map<number, number>();
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    answers.byTarget.set(target, byStatus);
  }

  beforeAll(async () => {
    server = await startTestServer({
      portalApi: { ...testConfig().portalApi, clients: { [PORTAL_ID]: PORTAL_SECRET } },
      // The limits have tests of their own (tests/security); here they would answer 429 before the validation behind
      // them is reached, so they are set out of the way.
      filingQuota: { openPerProcedure: 1_000_000, perHour: 1_000_000 },
      lookupLimit: { windowMs: 60_000, perSource: 1_000_000, perCode: 1_000_000 },
      webhookRateLimitPerMinute: 1_000_000,
      loginMaxFailures: 1_000_000,
      loginMaxFailuresPerAddress: 1_000_000,
    });
    tokens.citizen = await citizen(server, "fuzz-citizen");
    tokens["other-citizen"] = await citizen(server, "fuzz-other");
    tokens.official = (await official(server, "official", "06652")).token;
    tokens.admin = (await official(server, "admin", "22")).token;
    tokens.garbage = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.";
    const portal = await fetch(`${server.url}/portal-api/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=client_credentials&client_id=${PORTAL_ID}&client_secret=${PORTAL_SECRET}`,
    });
    tokens.portal = ((await portal.json()) as { access_token: string }).access_token;

    const birth = await procedure(server, "1.001193");
    validFiling = submission() as unknown as Record<string, unknown>;
    const filed = await file(server, tokens.citizen, validFiling, requiredFiles(birth, png));
    expect(filed.status).toBe(201);
    const announcement = await call(server, "POST", "/api/officials/announcements", {
      token: tokens.official,
      json: { title: "Thông báo lịch làm việc", body: "Nội dung thông báo thử.", audience: { kind: "all" } },
    });
    known.push(filed.body.code, "1.001193", String(announcement.body.id ?? 1), "06652", "2026-12-31", "fuzz-citizen");
  });
  afterAll(() => server.close());

  /** One request, sent as raw bytes; the answer checked against the two rules. */
  async function send(request: Request) {
    let path = request.route.path;
    for (const param of request.params) path = path.replace(":p", param);
    path = path.replaceAll(":p", "x");
    const headers: Record<string, string> = {};
    // Signing out ends the session it is sent with: it gets a session of its own, so the others stay signed in.
    const token =
      path === "/api/auth/logout" && request.auth !== "none" && request.auth !== "garbage"
        ? await citizen(server, `fuzz-logout-${answers.total}`)
        : tokens[request.auth];
    if (token) headers.authorization = `Bearer ${token}`;
    let body: Buffer | undefined;
    if (request.body.kind === "json") {
      headers["content-type"] = "application/json";
      body = Buffer.from(JSON.stringify(request.body.value) ?? "null");
    } else if (request.body.kind === "raw") {
      headers["content-type"] = request.body.type;
      body = request.body.bytes;
    } else if (request.body.kind === "multipart") {
      headers["content-type"] = `multipart/form-data; boundary=${request.body.boundary}`;
      body = request.body.bytes;
    }
    const method = request.route.method;
    const res = await fetch(`${server.url}${path}${request.query}`, {
      method,
      headers,
      body: method === "GET" || method === "DELETE" || !body ? undefined : new Uint8Array(body),
    });
    const text = await res.text();
    count(path.startsWith("/portal-api") ? "portal-api" : "api", res.status);
    const where = `${method} ${path}${request.query.slice(0, 80)} → ${res.status} ${text.slice(0, 200)}`;
    expect(res.status, where).toBeLessThan(500);
    if (res.status >= 400) {
      expect(res.headers.get("content-type") ?? "", where).toMatch(/^application\/json/);
      const parsed = JSON.parse(text);
      if (path.startsWith("/portal-api/oauth/token") && typeof parsed.error === "string") {
        // OAuth 2.0's own error shape (RFC 6749 §5.2), which the portal's clients expect from the token endpoint.
        expect(typeof parsed.error, where).toBe("string");
      } else {
        expect(Object.keys(ERROR_CODES), where).toContain(parsed.error?.code);
        expect(parsed.error.message, where).toEqual(expect.any(String));
        expect(parsed.error.message.length, where).toBeGreaterThan(0);
      }
    }
  }

  const param = () =>
    fc.oneof(
      // Known values (a real dossier's code, an announcement's id…) are filled in beforeAll, after this is built.
      fc.nat({ max: 5 }).map((i) => known[i] ?? "x"),
      fc.constantFrom("%C3%28", "%E0%A4%A", "%FF%FE", "%00", "..%2F..%2Fetc%2Fpasswd", "%252e%252e", "-1", "0", "1e9"),
      hostileText.map((t) => percentEncoded(t.slice(0, 300))),
      fc.integer({ min: 3000, max: 9000 }).map((n) => "9".repeat(n)),
    );

  const query = fc.oneof(
    fc.constant(""),
    fc
      .array(
        fc.tuple(
          fc.constantFrom("q", "limit", "offset", "field", "state", "unit", "from", "to", "period", "year", "secret"),
          fc.oneof(param(), fc.constantFrom("-1", "NaN", "Infinity", "[]", "{}", "true")),
        ),
        { minLength: 1, maxLength: 4 },
      )
      .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`),
    fc.constantFrom("?q[]=a&q[]=b", "?limit[$gt]=1", "?q=%C3%28", "?__proto__[admin]=1", "?q=a&q=b&q=c"),
  );

  const body = (): fc.Arbitrary<Body> =>
    fc
      .oneof(
        fc.constant<Body>({ kind: "none" }),
        hostileJson.map<Body>((value) => ({ kind: "json", value })),
        mutated(validFiling).map<Body>((value) => ({ kind: "json", value })),
        fc.constantFrom<Body>(
          { kind: "raw", type: "application/json", bytes: deep(20_000) },
          { kind: "raw", type: "application/json", bytes: deep(40_000, '{"a":', "}") },
          { kind: "raw", type: "application/json", bytes: Buffer.alloc(300_000, 0x20) },
          {
            kind: "raw",
            type: "application/json",
            bytes: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
          },
          { kind: "raw", type: "application/json", bytes: Buffer.from('{"a":1,"a":2,"__proto__":{"admin":true}}') },
          { kind: "raw", type: "application/json; charset=utf-16", bytes: Buffer.from("{}", "utf16le") },
          { kind: "raw", type: "application/json", bytes: Buffer.from("\uFEFF{}") },
          { kind: "raw", type: "text/plain", bytes: Buffer.from("dossier=1") },
          { kind: "raw", type: "application/x-www-form-urlencoded", bytes: Buffer.from("a[b][c][d][e][f]=1&a=2") },
          {
            kind: "raw",
            type: "application/xml",
            bytes: Buffer.from("<?xml version='1.0'?><!DOCTYPE a [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><a>&x;</a>"),
          },
          {
            kind: "multipart",
            boundary: "b",
            bytes: Buffer.from('--b\r\nContent-Disposition: form-data; name="dossier"\r\n\r\n{'),
          },
          { kind: "multipart", boundary: "b", bytes: Buffer.from("--wrong\r\n\r\n--wrong--") },
          { kind: "multipart", boundary: "x".repeat(300), bytes: Buffer.from("") },
        ),
        fc
          .record({
            dossier: fc.oneof(
              hostileJson.map((v) => JSON.stringify(v) ?? "null"),
              mutated(validFiling).map((v) => JSON.stringify(v)),
            ),
            files: fc.array(
              fc.record({
                field: fc.constantFrom(
                  "document:0",
                  "document:1",
                  "document:99",
                  "document:-1",
                  "document:x",
                  "file",
                  "dossier",
                ),
                file: fc.constantFrom(...POLYGLOTS),
              }),
              { maxLength: 3 },
            ),
          })
          .map<Body>(({ dossier, files }) => ({
            kind: "multipart",
            boundary: "----fuzz",
            bytes: multipart("----fuzz", [
              { name: "dossier", bytes: Buffer.from(dossier) },
              ...files.map(({ field, file }) => ({
                name: field,
                filename: file.name,
                type: "image/png",
                bytes: file.bytes,
              })),
            ]),
          })),
      )
      .map(printable);

  function requests(routes: Route[], auths: Auth[]) {
    return fc.record({
      route: fc.constantFrom(...routes),
      auth: fc.constantFrom(...auths),
      params: fc.array(param(), { minLength: 2, maxLength: 2 }),
      query,
      body: body(),
    });
  }

  const options = () => ({ numRuns: RUNS, seed: SEED, endOnFailure: true });

  it("when /api gets hostile requests from anyone, then no answer is a 5xx and every error keeps the shape", async () => {
    await fc.assert(
      fc.asyncProperty(
        requests(API_ROUTES, ["none", "citizen", "other-citizen", "official", "admin", "garbage"]),
        send,
      ),
      options(),
    );
  });

  it("when /portal-api gets hostile requests, then no answer is a 5xx and every error keeps the shape", async () => {
    await fc.assert(
      fc.asyncProperty(requests(PORTAL_ROUTES, ["none", "garbage", "citizen", "portal", "portal", "portal"]), send),
      options(),
    );
  });

  it("when the webhook gets hostile events, signed or not, then no answer is a 5xx and every error keeps the shape", async () => {
    const { appId, oaSecretKey } = server.deps.webhook;
    const event = fc.record({
      app_id: fc.oneof(fc.constant(appId), hostileJson),
      event_name: fc.oneof(
        fc.constantFrom("user_send_text", "follow", "unfollow", "user_send_image", "oa_send_text"),
        hostileJson,
      ),
      timestamp: fc.oneof(fc.constant(String(Date.now())), fc.constant(Date.now()), hostileJson),
      sender: fc.oneof(fc.record({ id: fc.oneof(fc.constant("fuzz-user"), hostileJson) }), hostileJson),
      recipient: fc.oneof(fc.record({ id: hostileJson }), hostileJson),
      message: fc.oneof(fc.record({ text: hostileText, msg_id: hostileJson }), hostileJson),
      user_id_by_app: hostileJson,
    });
    const sample = fc.record({
      event: fc.oneof(event, hostileJson),
      signed: fc.constantFrom("right", "wrong", "none", "malformed"),
      // Labels, not the bytes, so that a counterexample prints short.
      raw: fc.option(fc.constantFrom("deep", "invalid-utf8", "2 MB"), { freq: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(sample, async ({ event, signed, raw }) => {
        const raws = {
          deep: deep(20_000),
          "invalid-utf8": Buffer.from([0xc3, 0x28]),
          "2 MB": Buffer.alloc(2_000_000, 0x7b),
        };
        const bytes = raw ? raws[raw] : Buffer.from(JSON.stringify(event) ?? "null");
        const timestamp =
          event && typeof event === "object" && "timestamp" in event
            ? asText((event as { timestamp: unknown }).timestamp)
            : "";
        const mac = createHash("sha256")
          .update(appId)
          .update(bytes)
          .update(timestamp)
          .update(oaSecretKey)
          .digest("hex");
        const header = { right: `mac=${mac}`, wrong: `mac=${"0".repeat(64)}`, none: undefined, malformed: "mac=zz" }[
          signed
        ];
        const res = await fetch(`${server.url}/webhooks/zalo`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(header ? { "X-ZEvent-Signature": header } : {}) },
          body: new Uint8Array(bytes),
        });
        const text = await res.text();
        count("webhook", res.status);
        const where = `webhook (${signed}) → ${res.status} ${text.slice(0, 200)}`;
        expect(res.status, where).toBeLessThan(500);
        if (res.status >= 400) expect(Object.keys(ERROR_CODES), where).toContain(JSON.parse(text).error?.code);
      }),
      options(),
    );
  });

  it("when an address or a query carries a NUL byte, then no answer is a 5xx and a code with it is a 4xx in the error shape, on either database", async () => {
    // Found by this fuzz on PostgreSQL, which refuses NUL in text (22021) where SQLite stores it: it answered 500.
    const cases: [string, string | undefined][] = [
      ["/portal-api/v1/dossiers/%00", tokens.portal],
      ["/api/lookup/%00", undefined],
      ["/api/procedures?q=a%00b", undefined],
      ["/api/dossiers/%00", tokens.citizen],
    ];
    for (const [address, token] of cases) {
      const res = await fetch(
        `${server.url}${address}`,
        token ? { headers: { Authorization: `Bearer ${token}` } } : {},
      );
      expect(res.status, address).toBeLessThan(500);
      const body = (await res.json()) as { error?: { code?: string } };
      // A search just finds nothing for it; a code with a NUL in it is refused in the error shape.
      if (!address.includes("?")) {
        expect(res.status, address).toBeGreaterThanOrEqual(400);
        expect(body.error?.code, address).toEqual(expect.any(String));
      }
    }
  });

  it("when the fuzzing is over, then the server still answers and has answered every request", async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(answers.total).toBeGreaterThanOrEqual(RUNS * 3);
    // The spread of answers, for whoever reads the log of `npm run fuzz`.
    console.info(
      `fuzz: ${answers.total} requests`,
      JSON.stringify(
        Object.fromEntries(
          [...answers.byTarget].map(([target, byStatus]) => [
            target,
            Object.fromEntries([...byStatus].sort(([a], [b]) => a - b)),
          ]),
        ),
      ),
    );
  });
});
