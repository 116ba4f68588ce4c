import { createLogger } from "@qn/bot-server";
import { type DossierForwarding, type PortalProcedure, toPortalStateChange } from "@qn/shared";
import { HttpResponse, http } from "msw";
import { beforeEach, describe, expect, it, vi } from "vitest";
import {
  portalCallbackSignature,
  verifyPortalCallback,
} from "../../bot-server/src/clients/provincial-portal/callback-signature";
import {
  PortalProtocolError,
  PortalRejectedError,
  PortalUnavailableError,
} from "../../bot-server/src/clients/provincial-portal/errors";
import { PortalClient, type PortalClientOptions } from "../../bot-server/src/clients/provincial-portal/portal.client";
import { fakePortal, PORTAL_CLIENT_ID, PORTAL_CLIENT_SECRET, PORTAL_URL } from "../mocks/portal";
import { mockServer } from "../mocks/server";

const forwarding: DossierForwarding = {
  reference: "06652.H49-251001-0007",
  procedureCode: "1.001193",
  unitCode: "06652.H49",
  channel: "online",
  submittedAt: "2025-10-01T01:30:05.000Z",
  applicant: {
    type: "citizen",
    name: "Nguyễn Thị Hoa",
    identityNumber: "022090001234",
    phone: "0912345678",
    address: { communeCode: "06652", street: "Số 5, tổ 3, khu 4" },
  },
  resultDelivery: { method: "online" },
  formData: { tenTre: "Nguyễn Minh An" },
  filedBy: null,
};
const KEY = `dossier:${forwarding.reference}`;

/** A client on a fake clock whose waits are recorded instead of slept: the tests run in milliseconds. */
function setup(overrides: Partial<PortalClientOptions> = {}) {
  const clock = { ms: Date.parse("2025-10-01T01:00:00Z") };
  const sleeps: number[] = [];
  const client = new PortalClient(
    {
      baseUrl: PORTAL_URL,
      clientId: PORTAL_CLIENT_ID,
      clientSecret: PORTAL_CLIENT_SECRET,
      retryBaseMs: 100,
      now: () => clock.ms,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      ...overrides,
    },
    createLogger("silent"),
  );
  return { client, clock, sleeps };
}

/** The first `times` requests matching get `response`; the rest reach the fake portal. */
function failing(method: "get" | "post", path: string, times: number, response: () => Response) {
  const seen = { count: 0 };
  mockServer.use(
    http[method](`${PORTAL_URL}${path}`, () => {
      seen.count++;
      return seen.count <= times ? response() : undefined;
    }),
  );
  return seen;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("the portal client", () => {
  let portal: ReturnType<typeof fakePortal>;
  beforeEach(() => {
    portal = fakePortal();
    mockServer.use(...portal.handlers);
  });

  const requestsOf = (operation: string) => portal.state.requests.filter((r) => r.operation === operation);

  describe("authentication (OAuth 2.0 client credentials)", () => {
    it("when calls follow each other, then one token serves them all, asked for with HTTP Basic", async () => {
      const { client } = setup();
      const { dossier } = await client.createDossier(forwarding, KEY);
      await client.getDossier(dossier.code);
      await client.dossierChanges();
      expect(portal.state.tokenCalls).toBe(1);
      expect(portal.state.requests.map((r) => r.authorization)).toEqual([
        "Bearer token-1",
        "Bearer token-1",
        "Bearer token-1",
      ]);
    });

    it("when several calls start at once without a token, then a single token request serves them", async () => {
      const { client } = setup();
      await Promise.all([client.dossierChanges(), client.dossierChanges(), client.getDossier("none-251001-0001")]);
      expect(portal.state.tokenCalls).toBe(1);
    });

    it("when the token nears its expiry, then a new one is fetched before it lapses", async () => {
      portal = fakePortal({ tokenLifetimeSeconds: 300 });
      mockServer.use(...portal.handlers);
      const { client, clock } = setup(); // refresh margin: 60 s
      await client.dossierChanges();
      clock.ms += 239_000;
      await client.dossierChanges();
      clock.ms += 2_000; // 241 s: less than a minute left
      await client.dossierChanges();
      expect(portal.state.tokenCalls).toBe(2);
      expect(portal.state.requests.map((r) => r.authorization)).toEqual([
        "Bearer token-1",
        "Bearer token-1",
        "Bearer token-2",
      ]);
    });

    it("when the portal answers 401 (token revoked), then one new token is fetched and the call succeeds", async () => {
      const { client, sleeps } = setup();
      const { dossier } = await client.createDossier(forwarding, KEY);
      portal.state.validTokens.clear();
      const withdrawn = await client.withdraw(dossier.code, "Nộp nhầm thủ tục");
      expect(withdrawn.state).toBe(7);
      expect(portal.state.tokenCalls).toBe(2);
      expect(requestsOf("withdraw").map((r) => r.authorization)).toEqual(["Bearer token-1", "Bearer token-2"]);
      expect(sleeps).toEqual([]); // a refused token is no failure to back off from
    });

    it("when the portal keeps answering 401, then after one refresh it is a PortalRejectedError", async () => {
      const { client } = setup();
      const seen = failing("get", "/v1/dossiers/:code", 99, () =>
        HttpResponse.json({ error: { code: "UNAUTHORIZED", message: "Token bị thu hồi" } }, { status: 401 }),
      );
      const error = await rejection(client.getDossier("000.00.20.H49-251001-0001"));
      expect(error).toBeInstanceOf(PortalRejectedError);
      expect(error).toMatchObject({ httpStatus: 401, portalCode: "UNAUTHORIZED", portalMessage: "Token bị thu hồi" });
      expect(seen.count).toBe(2);
      expect(portal.state.tokenCalls).toBe(2);
    });

    it("when the client credentials are refused, then the OAuth error code is in a PortalRejectedError", async () => {
      const { client } = setup({ clientSecret: "wrong" });
      const error = await rejection(client.dossierChanges());
      expect(error).toBeInstanceOf(PortalRejectedError);
      expect(error).toMatchObject({ httpStatus: 401, portalCode: "invalid_client" });
      expect(portal.state.requests).toEqual([]);
    });

    it("when the token endpoint is briefly down, then even a withdrawal is tried again (it was never sent)", async () => {
      const { client, sleeps } = setup();
      const { dossier } = await setup().client.createDossier(forwarding, KEY);
      failing("post", "/oauth/token", 1, () => new HttpResponse(null, { status: 503 }));
      expect((await client.withdraw(dossier.code, "Không còn nhu cầu")).state).toBe(7);
      expect(requestsOf("withdraw")).toHaveLength(1);
      expect(sleeps).toEqual([75]);
    });
  });

  describe("retries", () => {
    it("when a read gets 503 then 200, then it is retried after a jittered exponential backoff", async () => {
      const { client, sleeps } = setup();
      const { dossier } = await client.createDossier(forwarding, KEY);
      const seen = failing("get", "/v1/dossiers/:code", 2, () => new HttpResponse("Bad gateway", { status: 503 }));
      expect((await client.getDossier(dossier.code))?.reference).toBe(forwarding.reference);
      expect(seen.count).toBe(3);
      // Attempt n waits d/2 + random·d/2 with d = 100 ms · 2^(n-1); random() is 0.5 here.
      expect(sleeps).toEqual([75, 150]);
    });

    it("when a read keeps failing, then it gives up after three attempts with a retryable error", async () => {
      const { client, sleeps } = setup({ random: () => 1 });
      const seen = failing("get", "/v1/dossier-changes", 99, () => new HttpResponse(null, { status: 500 }));
      const error = await rejection(client.dossierChanges());
      expect(error).toBeInstanceOf(PortalUnavailableError);
      expect(error).toMatchObject({ reason: "server-error", httpStatus: 500, retryable: true });
      expect(seen.count).toBe(3);
      expect(sleeps).toEqual([100, 200]);
    });

    it("when a supplement gets 503, then it is not sent again (not idempotent)", async () => {
      const { client, sleeps } = setup();
      const { dossier } = await client.createDossier(forwarding, KEY);
      portal.setState(dossier.code, 5, "request-supplement");
      const seen = failing("post", "/v1/dossiers/:code/supplement", 1, () => new HttpResponse(null, { status: 503 }));
      const error = await rejection(client.supplement(dossier.code, { attachmentIds: ["tdk-1"] }));
      expect(error).toBeInstanceOf(PortalUnavailableError);
      expect(seen.count).toBe(1);
      expect(sleeps).toEqual([]);
      expect(portal.state.dossiers.get(dossier.code)?.TrangThaiHoSo).toBe(5);
    });

    it("when a read times out, then it is retried and the second answer is used", async () => {
      const { client, sleeps } = setup({ timeouts: { getDossier: 200 } });
      const { dossier } = await client.createDossier(forwarding, KEY);
      portal.slowDown("getDossier", 1_000);
      const started = Date.now();
      expect((await client.getDossier(dossier.code))?.code).toBe(dossier.code);
      expect(Date.now() - started).toBeLessThan(900); // did not wait for the slow answer
      expect(requestsOf("getDossier")).toHaveLength(2);
      expect(sleeps).toEqual([75]);
    });

    it("when a withdrawal times out, then it is not sent again and the error says it timed out", async () => {
      const { client } = setup({ timeouts: { withdraw: 200 } });
      const { dossier } = await client.createDossier(forwarding, KEY);
      portal.slowDown("withdraw", 1_000);
      const error = await rejection(client.withdraw(dossier.code, "Nộp nhầm"));
      expect(error).toBeInstanceOf(PortalUnavailableError);
      expect(error).toMatchObject({ reason: "timeout" });
      expect(requestsOf("withdraw")).toHaveLength(1);
    });

    it("when the portal answers 429 with Retry-After (seconds or a date), then the client waits that long", async () => {
      const { client, clock, sleeps } = setup();
      failing(
        "get",
        "/v1/dossier-changes",
        1,
        () => new HttpResponse(null, { status: 429, headers: { "Retry-After": "2" } }),
      );
      await client.dossierChanges();
      failing(
        "get",
        "/v1/dossier-changes",
        1,
        () =>
          new HttpResponse(null, { status: 429, headers: { "Retry-After": new Date(clock.ms + 3_000).toUTCString() } }),
      );
      await client.dossierChanges();
      expect(sleeps).toEqual([2_000, 3_000]);
    });

    it("when Retry-After is longer than the client waits in a call, then the error carries it for later", async () => {
      const { client, sleeps } = setup();
      const seen = failing(
        "get",
        "/v1/dossier-changes",
        1,
        () => new HttpResponse(null, { status: 429, headers: { "Retry-After": "120" } }),
      );
      const error = await rejection(client.dossierChanges());
      expect(error).toMatchObject({ reason: "rate-limited", httpStatus: 429, retryAfterMs: 120_000 });
      expect(seen.count).toBe(1);
      expect(sleeps).toEqual([]);
    });
  });

  describe("answers off the contract and refusals", () => {
    it("when a 200 answer is malformed, not JSON or has an impossible date, then it is a PortalProtocolError", async () => {
      const { client } = setup();
      const { dossier } = await client.createDossier(forwarding, KEY);
      const good = portal.state.dossiers.get(dossier.code);
      for (const [body, path] of [
        [{ MaHoSo: dossier.code }, "MaTTHC"],
        [{ ...good, NgayNopHoSo: "20250230083005" }, "NgayNopHoSo"],
        [{ ...good, TrangThaiHoSo: 11 }, "TrangThaiHoSo"],
      ] as const) {
        const seen = failing("get", "/v1/dossiers/:code", 1, () => HttpResponse.json(body));
        const error = await rejection(client.getDossier(dossier.code));
        expect(error).toBeInstanceOf(PortalProtocolError);
        expect((error as PortalProtocolError).issues.map((i) => i.path)).toContain(path);
        expect(seen.count).toBe(1); // not retried: the same answer would come back
      }
      failing("get", "/v1/dossier-changes", 1, () => HttpResponse.text("<html>Bảo trì</html>"));
      expect(await rejection(client.dossierChanges())).toBeInstanceOf(PortalProtocolError);
    });

    it("when the portal refuses with its error body, then PortalRejectedError carries its code and message", async () => {
      const { client } = setup();
      const { dossier } = await client.createDossier(forwarding, KEY);
      portal.setState(dossier.code, 10, "deliver");
      const error = await rejection(client.withdraw(dossier.code, "Không cần nữa"));
      expect(error).toBeInstanceOf(PortalRejectedError);
      expect(error).toMatchObject({
        httpStatus: 409,
        portalCode: "ILLEGAL_TRANSITION",
        portalMessage: "Hồ sơ đã kết thúc, không thể rút",
        retryable: false,
      });
      expect(await client.getDossier("000.00.20.H49-251001-9999")).toBeUndefined();
    });
  });

  describe("creating a dossier with an Idempotency-Key", () => {
    it("when the first answer is too late, then the retry carries the same key and body and no second dossier is made", async () => {
      const { client } = setup({ timeouts: { createDossier: 200 } });
      portal.slowDown("createDossier", 1_000); // the portal files it, but answers after the client gave up
      const { dossier, replayed } = await client.createDossier(forwarding, KEY);
      const creates = requestsOf("createDossier");
      expect(creates).toHaveLength(2);
      expect(creates.map((r) => r.idempotencyKey)).toEqual([KEY, KEY]);
      expect(creates[1]?.body).toEqual(creates[0]?.body);
      expect(replayed).toBe(true);
      expect(portal.state.dossiers.size).toBe(1);
      expect(dossier).toMatchObject({ code: "000.00.20.H49-251001-0001", reference: forwarding.reference, state: 1 });
    });

    it("when the same key comes twice, then the same dossier comes back; with another body, 409", async () => {
      const { client } = setup();
      const first = await client.createDossier(forwarding, KEY);
      const second = await client.createDossier(forwarding, KEY);
      expect([first.replayed, second.replayed]).toEqual([false, true]);
      expect(second.dossier).toEqual(first.dossier);
      const error = await rejection(client.createDossier({ ...forwarding, formData: { tenTre: "Khác" } }, KEY));
      expect(error).toMatchObject({ httpStatus: 409, portalCode: "IDEMPOTENCY_KEY_REUSED" });
      expect(portal.state.dossiers.size).toBe(1);
      expect(() => client.createDossier(forwarding, "short")).toThrow(TypeError);
    });
  });

  describe("the circuit breaker", () => {
    it("when N requests fail in a row, then it opens, fails fast without a request, and half-opens after the cool-down", async () => {
      const { client, clock } = setup({ maxAttempts: 1, breakerFailureThreshold: 3, breakerCoolDownMs: 10_000 });
      await client.dossierChanges(); // token fetched while the portal is up
      const outage = { down: true };
      const seen = { count: 0 };
      mockServer.use(
        http.get(`${PORTAL_URL}/v1/dossier-changes`, () => {
          seen.count++;
          return outage.down ? new HttpResponse(null, { status: 502 }) : undefined;
        }),
      );
      for (let i = 0; i < 3; i++) {
        expect(await rejection(client.dossierChanges())).toMatchObject({ reason: "server-error" });
      }
      expect(client.circuitState).toBe("open");
      const fast = await rejection(client.dossierChanges());
      expect(fast).toMatchObject({ reason: "circuit-open", retryAfterMs: 10_000 });
      expect(seen.count).toBe(3); // no request went out

      clock.ms += 9_999;
      expect(await rejection(client.dossierChanges())).toMatchObject({ reason: "circuit-open", retryAfterMs: 1 });
      clock.ms += 1;
      outage.down = false;
      portal.slowDown("dossierChanges", 50);
      const probe = client.dossierChanges();
      await vi.waitFor(() => expect(client.circuitState).toBe("half-open"));
      // While the one probe is out, everyone else still fails fast.
      expect(await rejection(client.dossierChanges())).toMatchObject({ reason: "circuit-open" });
      await probe;
      expect(client.circuitState).toBe("closed");
      await client.dossierChanges();
      expect(seen.count).toBe(5);
    });

    it("when the probe fails, then it opens again for another cool-down", async () => {
      const { client, clock } = setup({ maxAttempts: 1, breakerFailureThreshold: 2, breakerCoolDownMs: 5_000 });
      const seen = failing("get", "/v1/dossier-changes", 3, () => new HttpResponse(null, { status: 503 }));
      await rejection(client.dossierChanges());
      await rejection(client.dossierChanges());
      expect(client.circuitState).toBe("open");
      clock.ms += 5_000;
      expect(await rejection(client.dossierChanges())).toMatchObject({ reason: "server-error" });
      expect(client.circuitState).toBe("open");
      expect(await rejection(client.dossierChanges())).toMatchObject({ reason: "circuit-open", retryAfterMs: 5_000 });
      expect(seen.count).toBe(3);
    });

    it("when a retried read finds the circuit opening, then it stops retrying at once", async () => {
      const { client, sleeps } = setup({ maxAttempts: 5, breakerFailureThreshold: 2 });
      const seen = failing("get", "/v1/dossier-changes", 99, () => new HttpResponse(null, { status: 500 }));
      expect(await rejection(client.dossierChanges())).toMatchObject({ reason: "server-error" });
      expect(client.circuitState).toBe("open");
      expect(seen.count).toBe(2);
      expect(sleeps).toEqual([75]);
    });
  });

  describe("attachments and feeds", () => {
    it("when a file is uploaded, then it goes as multipart with its SHA-256 and comes back mapped", async () => {
      const { client } = setup();
      const { dossier } = await client.createDossier(forwarding, KEY);
      const content = Buffer.from("%PDF-1.4 giấy chứng sinh");
      const { createHash } = await import("node:crypto");
      const sha256 = createHash("sha256").update(content).digest("hex");
      const stored = await client.uploadAttachment(dossier.code, {
        documentName: "Giấy chứng sinh",
        documentIndex: 1,
        kind: "initial",
        sha256,
        fileName: "giay-chung-sinh.pdf",
        mime: "application/pdf",
        content,
      });
      expect(stored).toMatchObject({ id: "tdk-1", documentIndex: 1, kind: "initial", size: content.length, sha256 });
      expect(requestsOf("uploadAttachment")[0]?.body).toEqual({
        TenGiayTo: "Giấy chứng sinh",
        ViTriGiayTo: "1",
        LoaiDinhKem: "1",
        MaBam: sha256,
      });
    });

    it("when the catalogue and the changes are read page by page, then each page's cursor leads to the next", async () => {
      const { client } = setup();
      const procedure = (code: string, unit: string): PortalProcedure => ({
        MaTTHC: code,
        TenTTHC: `Thủ tục ${code}`,
        TenLinhVuc: "Hộ tịch",
        CapThucHien: 3,
        CoQuanThucHien: "Ủy ban nhân dân cấp xã",
        MucDo: 4,
        ThoiHanGiaiQuyet: 1,
        PhiLePhi: [],
        BuuChinhCongIch: true,
        ThanhPhanHoSo: [],
        KetQuaThucHien: "Giấy khai sinh",
        MaDonVi: unit,
        HieuLuc: true,
        NgayCapNhat: "20250930170000",
      });
      portal.state.procedures = [
        procedure("1.001193", "06652.H49"),
        procedure("1.000656", "06652.H49"),
        procedure("1.000894", "06673.H49"),
        procedure("1.004873", "06652.H49"),
      ];
      const first = await client.catalogueChanges("06652.H49", undefined, 2);
      expect(first.items.map((e) => e.procedure.code)).toEqual(["1.001193", "1.000656"]);
      expect(first).toMatchObject({ hasMore: true, nextCursor: "p:2" });
      expect(first.items[0]).toMatchObject({ unitCode: "06652.H49", inForce: true, procedure: { level: "commune" } });
      const second = await client.catalogueChanges("06652.H49", first.nextCursor, 2);
      expect(second.items.map((e) => e.procedure.code)).toEqual(["1.004873"]);
      expect(second.hasMore).toBe(false);
      expect(requestsOf("catalogueChanges").map((r) => r.path)).toEqual([
        "/v1/units/06652.H49/procedures?limit=2",
        "/v1/units/06652.H49/procedures?limit=2&since=p:2",
      ]);

      const { dossier } = await client.createDossier(forwarding, KEY);
      await client.withdraw(dossier.code, "Nộp nhầm");
      const changes = await client.dossierChanges();
      expect(changes.items.map((c) => [c.fromState, c.toState, c.reference])).toEqual([
        [null, 1, forwarding.reference],
        [1, 7, forwarding.reference],
      ]);
      expect(changes).toMatchObject({ nextCursor: "c:2", hasMore: false });
      expect((await client.dossierChanges(changes.nextCursor)).items).toEqual([]);
    });
  });
});

describe("the portal callback signature", () => {
  const secret = "callback-secret-for-tests";
  const now = Date.parse("2025-10-01T09:15:30Z");
  const timestamp = String(Math.floor(now / 1000));
  const body = Buffer.from(
    JSON.stringify(
      toPortalStateChange({
        eventId: "evt-77",
        code: "000.00.20.H49-251001-0001",
        reference: "06652.H49-251001-0007",
        fromState: 1,
        toState: 2,
        at: "2025-10-01T09:15:00.000Z",
        action: "accept",
        actorName: "Lê Thu Trang",
        unitCode: "06652.H49",
        note: null,
        dueDate: "2025-10-02",
        missingDocuments: [],
        amount: null,
        trackingNumber: null,
      }),
    ),
  );
  const signed = (ts: string, raw: Buffer, key = secret) => `sha256=${portalCallbackSignature(key, ts, raw)}`;
  const verify = (
    ts: string | undefined,
    signature: string | undefined,
    raw: Buffer,
    secrets: string | string[] = secret,
  ) => verifyPortalCallback({ timestampHeader: ts, signatureHeader: signature, rawBody: raw, secrets, now });

  it("when the signature is HMAC-SHA256 of timestamp.body with the shared secret, then it is accepted", () => {
    expect(verify(timestamp, signed(timestamp, body), body)).toEqual({ ok: true });
    expect(verify(timestamp, signed(timestamp, body).toUpperCase().replace("SHA256=", "sha256="), body)).toEqual({
      ok: true,
    });
  });

  it("when one byte of the body changed, then it is rejected", () => {
    const tampered = Buffer.from(body.toString().replace('"TrangThaiHoSo":2', '"TrangThaiHoSo":9'));
    expect(tampered.equals(body)).toBe(false);
    expect(verify(timestamp, signed(timestamp, body), tampered)).toEqual({ ok: false, reason: "mismatch" });
    expect(verify(timestamp, signed(timestamp, body, "another-secret"), body)).toEqual({
      ok: false,
      reason: "mismatch",
    });
  });

  it("when the timestamp is more than 5 minutes old or ahead, then it is rejected even with a valid signature", () => {
    const old = String(Number(timestamp) - 301);
    const ahead = String(Number(timestamp) + 301);
    const recent = String(Number(timestamp) - 299);
    expect(verify(old, signed(old, body), body)).toEqual({ ok: false, reason: "stale" });
    expect(verify(ahead, signed(ahead, body), body)).toEqual({ ok: false, reason: "stale" });
    expect(verify(recent, signed(recent, body), body)).toEqual({ ok: true });
    // The timestamp is signed: moving it forward to look fresh breaks the signature.
    expect(verify(timestamp, signed(old, body), body)).toEqual({ ok: false, reason: "mismatch" });
  });

  it("when a header is missing or malformed, then it is rejected", () => {
    expect(verify(undefined, signed(timestamp, body), body)).toEqual({ ok: false, reason: "missing" });
    expect(verify(timestamp, undefined, body)).toEqual({ ok: false, reason: "missing" });
    expect(verify(timestamp, portalCallbackSignature(secret, timestamp, body), body)).toEqual({
      ok: false,
      reason: "malformed",
    });
    expect(verify("2025-10-01T09:15:30Z", signed(timestamp, body), body)).toEqual({ ok: false, reason: "malformed" });
    expect(verify(timestamp, "sha256=abc", body)).toEqual({ ok: false, reason: "malformed" });
  });

  it("when the secret is being rotated, then a signature with either the new or the old secret is accepted", () => {
    expect(verify(timestamp, signed(timestamp, body, "old-secret"), body, ["new-secret", "old-secret"])).toEqual({
      ok: true,
    });
    expect(verify(timestamp, signed(timestamp, body, "old-secret"), body, ["new-secret", ""])).toEqual({
      ok: false,
      reason: "mismatch",
    });
  });
});
