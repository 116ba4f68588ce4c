import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger } from "@qn/bot-server";
import { type DossierForwarding, fromPortalStateChange } from "@qn/shared";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { verifyPortalCallback } from "../../bot-server/src/clients/provincial-portal/callback-signature";
import { PortalRejectedError } from "../../bot-server/src/clients/provincial-portal/errors";
import { type AttachmentUpload, PortalClient } from "../../bot-server/src/clients/provincial-portal/portal.client";
import { call, official } from "../helpers/api";
import { disguisedExecutable, pdf, png } from "../helpers/files";
import { startTestServer, type TestServer } from "../helpers/test-server";

/**
 * The contract conformance test of the embedded portal's /portal-api (decision 0011): the real routes of an
 * in-process server, driven by the part-1 client that a bot server in PORTAL_MODE=http uses.
 */
const CLIENT_ID = "zalo-bot-server";
const CLIENT_SECRET = "client-secret-for-portal-api-tests";
const OTHER_ID = "another-bot";
const OTHER_SECRET = "another-secret-for-portal-api-tests";
const CALLBACK_SECRET = "callback-secret-for-portal-api-tests";

type Received = {
  timestamp: string | undefined;
  signature: string | undefined;
  eventId: string | undefined;
  raw: Buffer;
};

/** A callback receiver on loopback: records every request, answers 204 (or what `answer` says). */
async function receiver(port = 0, answer: () => number = () => 204) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const status = answer();
      if (status === 204) {
        received.push({
          timestamp: req.headers["x-portal-timestamp"] as string | undefined,
          signature: req.headers["x-portal-signature"] as string | undefined,
          eventId: req.headers["x-portal-event-id"] as string | undefined,
          raw: Buffer.concat(chunks),
        });
      }
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/portal-callbacks`,
    port: bound,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** How long the tests wait for the callbacks sent in the background (vi.waitFor): up to 5 s, every 25 ms. */
const POLL = { timeout: 5_000, interval: 25 };

function forwarding(reference: string, overrides: Partial<DossierForwarding> = {}): DossierForwarding {
  return {
    reference,
    procedureCode: "1.001193",
    unitCode: "06652",
    channel: "online",
    submittedAt: new Date(Date.now() - 60_000).toISOString(),
    applicant: {
      type: "citizen",
      name: "Nguyễn Thị Hoa",
      identityNumber: "022090001234",
      phone: "0912345678",
      address: { communeCode: "06652", street: "Số 5, tổ 3, khu 4" },
    },
    resultDelivery: { method: "counter" },
    formData: { tenTre: "Nguyễn Minh An", ngaySinh: "2026-11-20" },
    filedBy: null,
    ...overrides,
  };
}

function portalClient(server: TestServer, clientId = CLIENT_ID, clientSecret = CLIENT_SECRET) {
  return new PortalClient(
    { baseUrl: `${server.url}/portal-api`, clientId, clientSecret, maxAttempts: 1 },
    createLogger("silent"),
  );
}

function upload(content: Buffer, overrides: Partial<AttachmentUpload> = {}): AttachmentUpload {
  return {
    documentName: "Giấy chứng sinh",
    documentIndex: 0,
    kind: "initial",
    sha256: createHash("sha256").update(content).digest("hex"),
    fileName: "giay-chung-sinh.png",
    mime: "image/png",
    content,
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<PortalRejectedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PortalRejectedError);
  return error as PortalRejectedError;
}

async function raw(server: TestServer, method: string, path: string, init: RequestInit = {}) {
  const res = await fetch(`${server.url}/portal-api${path}`, { method, ...init });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: the test reads fields of the contract's error shape.
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as any };
}

async function token(
  server: TestServer,
  id = CLIENT_ID,
  secret = CLIENT_SECRET,
  form = "grant_type=client_credentials",
) {
  return raw(server, "POST", "/oauth/token", {
    headers: {
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: form,
  });
}

/** Vietnamese: at least one letter with a Vietnamese diacritic. */
const VIETNAMESE = /[àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ]/i;
function expectContractError(res: { status: number; body: unknown }, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = res.body as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message).toMatch(VIETNAMESE);
}

describe("the embedded portal's /portal-api, driven by the portal client", () => {
  let server: TestServer;
  let callbacks: Awaited<ReturnType<typeof receiver>>;
  let client: PortalClient;

  beforeAll(async () => {
    callbacks = await receiver();
    server = await startTestServer({
      portalApi: {
        clients: { [CLIENT_ID]: CLIENT_SECRET, [OTHER_ID]: OTHER_SECRET },
        callbackUrl: callbacks.url,
        callbackSecret: CALLBACK_SECRET,
        callbackPollMs: 50,
        callbackRetryBaseMs: 100,
      },
    });
    client = portalClient(server);
  });
  afterAll(async () => {
    await server.close();
    await callbacks.close();
  });

  async function officialOf(unit = "06652") {
    return (await official(server, "official", unit)).token;
  }
  async function act(officialToken: string, code: string, body: Record<string, unknown>) {
    const res = await call(server, "POST", `/api/officials/dossiers/${code}/actions`, {
      token: officialToken,
      json: body,
    });
    expect(res.status).toBe(200);
    return res.body;
  }

  it("when a client asks for a token, then good credentials get a short-lived bearer token and bad ones a 401", async () => {
    const good = await token(server);
    expect(good.status).toBe(200);
    expect(good.headers.get("cache-control")).toBe("no-store");
    expect(good.body).toMatchObject({ token_type: "Bearer", scope: "dossiers catalogue" });
    expect(good.body.expires_in).toBeGreaterThan(0);
    expect(good.body.expires_in).toBeLessThanOrEqual(3600);

    const wrongSecret = await token(server, CLIENT_ID, "not-the-secret-at-all");
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body).toMatchObject({ error: "invalid_client" });
    expect((await token(server, "nobody", CLIENT_SECRET)).status).toBe(401);
    const noAuth = await raw(server, "POST", "/oauth/token", {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
    expect(noAuth.status).toBe(401);
    expect((await token(server, CLIENT_ID, CLIENT_SECRET, "grant_type=password")).body).toEqual({
      error: "unsupported_grant_type",
      error_description: expect.any(String),
    });

    const rejected = await rejection(portalClient(server, CLIENT_ID, "not-the-secret-at-all").getDossier("x"));
    expect(rejected.httpStatus).toBe(401);
    expect(rejected.portalCode).toBe("invalid_client");
  });

  it("when a call comes without a valid token, then it is refused with 401 in the contract's shape", async () => {
    const none = await raw(server, "GET", "/v1/dossier-changes");
    expectContractError(none, 401, "UNAUTHORIZED");
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    const forged = await raw(server, "GET", "/v1/dossier-changes", {
      headers: { authorization: "Bearer aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
    });
    expectContractError(forged, 401, "UNAUTHORIZED");
    expectContractError(await raw(server, "GET", "/v1/khong-co"), 401, "UNAUTHORIZED");
  });

  it("when a dossier is created, then it is filed once: 201, a replay 200 with the same code, another body 409", async () => {
    const f = forwarding("06652.H49-261127-0001");
    const key = `dossier:${f.reference}`;
    const first = await client.createDossier(f, key);
    expect(first.replayed).toBe(false);
    expect(first.dossier).toMatchObject({
      state: 1,
      reference: f.reference,
      procedureCode: "1.001193",
      unitCode: "06652",
    });
    expect(first.dossier.code).toMatch(/^06652\.H49-\d{6}-\d{4}$/);
    expect(first.dossier.submittedAt).toBe(new Date(Math.floor(Date.parse(f.submittedAt) / 1000) * 1000).toISOString());

    const again = await client.createDossier(f, key);
    expect(again.replayed).toBe(true);
    expect(again.dossier.code).toBe(first.dossier.code);

    const reused = await rejection(client.createDossier({ ...f, formData: { tenTre: "Người khác" } }, key));
    expect(reused.httpStatus).toBe(409);
    expect(reused.portalCode).toBe("IDEMPOTENCY_KEY_REUSED");

    // The officials see it in their unit's queue like any other dossier, exactly once.
    const queue = await call(server, "GET", "/api/officials/dossiers?limit=100", { token: await officialOf() });
    expect(queue.body.items.filter((d: { code: string }) => d.code === first.dossier.code)).toHaveLength(1);
  });

  it("when a create request is malformed, then the answer is the contract's error in Vietnamese", async () => {
    const { body: t } = await token(server);
    const headers = { authorization: `Bearer ${t.access_token}`, "content-type": "application/json" };
    const noKey = await raw(server, "POST", "/v1/dossiers", { headers, body: "{}" });
    expectContractError(noKey, 400, "IDEMPOTENCY_KEY_REQUIRED");
    const bad = await raw(server, "POST", "/v1/dossiers", {
      headers: { ...headers, "idempotency-key": "dossier:bad-body-1" },
      body: JSON.stringify({ MaThamChieu: "x", NgayNopHoSo: "20250230000000" }),
    });
    expectContractError(bad, 400, "VALIDATION_FAILED");
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toContain("NgayNopHoSo");
    const notJson = await raw(server, "POST", "/v1/dossiers", {
      headers: { ...headers, "idempotency-key": "dossier:bad-body-2" },
      body: "{not json",
    });
    expectContractError(notJson, 400, "VALIDATION_FAILED");
    const unknownProcedure = await rejection(
      client.createDossier(forwarding("ref-unknown", { procedureCode: "9.999999" }), "dossier:ref-unknown"),
    );
    expect([unknownProcedure.httpStatus, unknownProcedure.portalCode]).toEqual([422, "PROCEDURE_NOT_AVAILABLE"]);
  });

  it("when a level-3 procedure is forwarded with an online result, then it is refused as the mini-app's filing is", async () => {
    // 1.004837 Đăng ký giám hộ: filed online (level 3), but its result is not returned online (that needs level 4).
    const online = await rejection(
      client.createDossier(
        forwarding("ref-online-result", { procedureCode: "1.004837", resultDelivery: { method: "online" } }),
        "dossier:ref-online-result",
      ),
    );
    expect([online.httpStatus, online.portalCode]).toEqual([422, "PROCEDURE_NOT_AVAILABLE"]);
    expect(online.portalMessage).toContain("chưa trả kết quả trực tuyến");
    const atCounter = await client.createDossier(
      forwarding("ref-counter-result", { procedureCode: "1.004837" }),
      "dossier:ref-counter-result",
    );
    expect([atCounter.replayed, atCounter.dossier.state, atCounter.dossier.resultDelivery]).toEqual([
      false,
      1,
      { method: "counter" },
    ]);
  });

  it("when files are uploaded, then a good one is stored once, a disguised executable and a wrong SHA-256 are refused", async () => {
    const { dossier } = await client.createDossier(forwarding("ref-upload"), "dossier:ref-upload");
    const file = png(2048);
    const stored = await client.uploadAttachment(dossier.code, upload(file));
    expect(stored).toMatchObject({ mime: "image/png", size: file.length, kind: "initial", documentIndex: 0 });
    expect(stored.sha256).toBe(createHash("sha256").update(file).digest("hex"));
    const twice = await client.uploadAttachment(dossier.code, upload(file));
    expect(twice.id).toBe(stored.id);

    const exe = disguisedExecutable();
    const refused = await rejection(
      client.uploadAttachment(dossier.code, upload(exe, { fileName: "anh.png", mime: "image/png" })),
    );
    expect([refused.httpStatus, refused.portalCode]).toEqual([415, "UNSUPPORTED_MEDIA_TYPE"]);
    expect(refused.portalMessage).toMatch(VIETNAMESE);
    const mismatch = await rejection(client.uploadAttachment(dossier.code, upload(pdf(), { sha256: "0".repeat(64) })));
    expect([mismatch.httpStatus, mismatch.portalCode]).toEqual([400, "CHECKSUM_MISMATCH"]);
    const noDossier = await rejection(client.uploadAttachment("06652.H49-000000-0000", upload(file)));
    expect([noDossier.httpStatus, noDossier.portalCode]).toEqual([404, "DOSSIER_NOT_FOUND"]);

    // The officials see the one stored file with the dossier.
    const seen = await call(server, "GET", `/api/officials/dossiers/${dossier.code}`, { token: await officialOf() });
    expect(seen.body.attachments).toHaveLength(1);
  });

  it("when a dossier is read, then its owner gets it and another client or an unknown code gets 404", async () => {
    const { dossier } = await client.createDossier(forwarding("ref-get"), "dossier:ref-get");
    expect(await client.getDossier(dossier.code)).toMatchObject({ code: dossier.code, state: 1, reference: "ref-get" });
    expect(await client.getDossier("06652.H49-000000-0000")).toBeUndefined();
    expect(await portalClient(server, OTHER_ID, OTHER_SECRET).getDossier(dossier.code)).toBeUndefined();
  });

  it("when an official accepts a dossier, then the change appears once in the feed, the cursor advances and pages work", async () => {
    const other = portalClient(server, OTHER_ID, OTHER_SECRET);
    const start = await other.dossierChanges();
    expect(start.items).toEqual([]);
    const { dossier } = await other.createDossier(forwarding("ref-feed"), "dossier:ref-feed");
    await act(await officialOf(), dossier.code, { action: "accept" });

    const page = await other.dossierChanges(start.nextCursor);
    expect(page.items.map((c) => [c.code, c.fromState, c.toState, c.action])).toEqual([
      [dossier.code, null, 1, "submit"],
      [dossier.code, 1, 2, "accept"],
    ]);
    expect(page.items[1]?.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(page.items[1]?.reference).toBe("ref-feed");
    expect(page.hasMore).toBe(false);
    const after = await other.dossierChanges(page.nextCursor);
    expect(after.items).toEqual([]);
    expect(after.nextCursor).toBe(page.nextCursor);

    const first = await other.dossierChanges(start.nextCursor, 1);
    expect(first.items.map((c) => c.toState)).toEqual([1]);
    expect(first.hasMore).toBe(true);
    const second = await other.dossierChanges(first.nextCursor, 1);
    expect(second.items.map((c) => c.eventId)).toEqual([page.items[1]?.eventId]);

    // Only the client's own dossiers are in its feed.
    const mine = await client.dossierChanges(undefined, 500);
    expect(mine.items.some((c) => c.code === dossier.code)).toBe(false);

    const { body: t } = await token(server, OTHER_ID, OTHER_SECRET);
    const bad = await raw(server, "GET", "/v1/dossier-changes?since=abc", {
      headers: { authorization: `Bearer ${t.access_token}` },
    });
    expectContractError(bad, 400, "VALIDATION_FAILED");
  });

  it("when the citizen supplements and withdraws through the client, then the dossier follows and wrong calls are refused", async () => {
    const { dossier } = await client.createDossier(forwarding("ref-supplement"), "dossier:ref-supplement");
    const officialToken = await officialOf();
    await act(officialToken, dossier.code, { action: "accept" });
    const early = await rejection(client.supplement(dossier.code, { attachmentIds: ["tdk-1"] }));
    expect(early.httpStatus).toBe(400); // tdk-1 is not a supplement of this dossier
    await act(officialToken, dossier.code, {
      action: "request-supplement",
      missingDocuments: ["Giấy chứng sinh (bản chính)"],
    });
    const asked = await client.getDossier(dossier.code);
    expect(asked).toMatchObject({ state: 5, missingDocuments: ["Giấy chứng sinh (bản chính)"] });

    const extra = await client.uploadAttachment(
      dossier.code,
      upload(pdf(), { kind: "supplement", documentIndex: null, fileName: "bo-sung.pdf", mime: "application/pdf" }),
    );
    expect(extra.kind).toBe("supplement");
    const unknown = await rejection(client.supplement(dossier.code, { attachmentIds: ["tdk-999999"] }));
    expect([unknown.httpStatus, unknown.portalCode]).toEqual([400, "UNKNOWN_ATTACHMENT"]);
    const supplemented = await client.supplement(dossier.code, { attachmentIds: [extra.id], note: "Đã bổ sung" });
    expect(supplemented).toMatchObject({ state: 4, missingDocuments: [] });
    const again = await rejection(client.supplement(dossier.code, { attachmentIds: [extra.id] }));
    expect(again.httpStatus).toBe(400); // already used

    const withdrawn = await client.withdraw(dossier.code, "Nộp nhầm thủ tục");
    expect(withdrawn.state).toBe(7);
    const twice = await rejection(client.withdraw(dossier.code, "Lần nữa"));
    expect([twice.httpStatus, twice.portalCode]).toEqual([409, "ILLEGAL_TRANSITION"]);
    expect(twice.portalMessage).toMatch(VIETNAMESE);

    const { body: t } = await token(server);
    const empty = await raw(server, "POST", `/v1/dossiers/${dossier.code}/withdraw`, {
      headers: { authorization: `Bearer ${t.access_token}`, "content-type": "application/json" },
      body: JSON.stringify({ LyDo: "" }),
    });
    expectContractError(empty, 400, "VALIDATION_FAILED");

    const history = await call(server, "GET", `/api/officials/dossiers/${dossier.code}`, { token: officialToken });
    expect(history.body.history.map((s: { action: string }) => s.action)).toEqual([
      "submit",
      "accept",
      "request-supplement",
      "supplement",
      "withdraw",
    ]);
    expect(history.body.attachments.map((a: { kind: string }) => a.kind)).toEqual(["supplement"]);
  });

  it("when the catalogue of a unit is read since a cursor, then it comes in pages, oldest change first, and then nothing new", async () => {
    const all = await client.catalogueChanges("06652", undefined, 500);
    expect(all.items.length).toBeGreaterThan(3);
    expect(all.items.every((e) => e.unitCode === "06652" && e.inForce && e.procedure.level === "commune")).toBe(true);
    const first = await client.catalogueChanges("06652", undefined, 2);
    expect(first.hasMore).toBe(true);
    const second = await client.catalogueChanges("06652", first.nextCursor, 2);
    expect([...first.items, ...second.items].map((e) => e.procedure.code)).toEqual(
      all.items.slice(0, 4).map((e) => e.procedure.code),
    );
    const none = await client.catalogueChanges("06652", all.nextCursor);
    expect(none).toMatchObject({ items: [], hasMore: false, nextCursor: all.nextCursor });

    const province = await client.catalogueChanges("22", undefined, 500);
    expect(province.items.every((e) => e.procedure.level === "province")).toBe(true);
    const unknownUnit = await rejection(client.catalogueChanges("99999"));
    expect([unknownUnit.httpStatus, unknownUnit.portalCode]).toEqual([404, "UNIT_NOT_FOUND"]);
  });

  it("when dossiers change state, then the receiver gets one correctly signed callback per change, the feed's MaSuKien", async () => {
    const { dossier } = await client.createDossier(forwarding("ref-callback"), "dossier:ref-callback");
    await act(await officialOf(), dossier.code, { action: "reject", note: "Sai thủ tục" });
    const feed = (await client.dossierChanges(undefined, 500)).items.filter((c) => c.code === dossier.code);
    expect(feed.map((c) => c.toState)).toEqual([1, 3]);

    const mine = () =>
      callbacks.received.filter((r) => feed.some((c) => c.eventId === JSON.parse(r.raw.toString()).MaSuKien));
    await vi.waitFor(() => expect(mine().length).toBeGreaterThanOrEqual(2), POLL);
    for (const r of mine()) {
      expect(
        verifyPortalCallback({
          timestampHeader: r.timestamp,
          signatureHeader: r.signature,
          rawBody: r.raw,
          secrets: CALLBACK_SECRET,
          now: Date.now(),
        }),
      ).toEqual({ ok: true });
      expect(
        verifyPortalCallback({
          timestampHeader: r.timestamp,
          signatureHeader: r.signature,
          rawBody: r.raw,
          secrets: "a-different-secret-entirely",
          now: Date.now(),
        }).ok,
      ).toBe(false);
      const change = fromPortalStateChange(JSON.parse(r.raw.toString()));
      expect(r.eventId).toBe(change.eventId);
      expect(change.reference).toBe("ref-callback");
    }
    expect(mine().map((r) => fromPortalStateChange(JSON.parse(r.raw.toString())).toState)).toEqual([1, 3]);
    // Every change of every dossier filed here was called back exactly once.
    const ids = callbacks.received.map((r) => r.eventId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("the callbacks of /portal-api when the receiver is down", () => {
  it("when the receiver is down at first, then the callback is retried later and arrives once", async () => {
    // A port that was free a moment ago: nothing listens there until the receiver starts below.
    const probe = await receiver();
    const port = probe.port;
    await probe.close();
    const server = await startTestServer({
      portalApi: {
        clients: { [CLIENT_ID]: CLIENT_SECRET },
        callbackUrl: `http://127.0.0.1:${port}/portal-callbacks`,
        callbackSecret: CALLBACK_SECRET,
        callbackPollMs: 50,
        callbackRetryBaseMs: 150,
      },
    });
    let late: Awaited<ReturnType<typeof receiver>> | undefined;
    try {
      const client = portalClient(server);
      const { dossier } = await client.createDossier(forwarding("ref-down"), "dossier:ref-down");
      const attempts = async () =>
        server.deps.db
          .withTables<{ portal_api_changes: { callback_attempts: number; callback_status: string } }>()
          .selectFrom("portal_api_changes")
          .select(["callback_attempts", "callback_status"])
          .execute();
      // It tried and failed at least once while nobody listened.
      await vi.waitFor(async () => expect((await attempts()).some((r) => r.callback_attempts >= 1)).toBe(true), POLL);
      expect((await attempts())[0]).toMatchObject({ callback_status: "pending" });
      expect((await attempts())[0]?.callback_attempts).toBeGreaterThanOrEqual(1);

      late = await receiver(port);
      const target = late;
      const [arrived] = await vi.waitFor(() => {
        expect(target.received.length).toBeGreaterThan(0);
        return target.received;
      }, POLL);
      expect(JSON.parse(String(arrived?.raw)).MaHoSo).toBe(dossier.code);
      // Give the sender time to (wrongly) send it again: it does not.
      await new Promise((r) => setTimeout(r, 600));
      expect(target.received).toHaveLength(1);
      const [row] = await attempts();
      expect(row?.callback_status).toBe("delivered");
      expect(row?.callback_attempts).toBeGreaterThanOrEqual(2);
    } finally {
      await server.close();
      await late?.close();
    }
  });
});

describe("/portal-api without PORTAL_API_CLIENTS", () => {
  it("when no client is configured, then every address under /portal-api answers 404", async () => {
    const server = await startTestServer();
    try {
      expectContractError(await token(server), 404, "ROUTE_NOT_FOUND");
      expectContractError(await raw(server, "GET", "/v1/dossier-changes"), 404, "ROUTE_NOT_FOUND");
    } finally {
      await server.close();
    }
  });
});
