import { HttpResponse, http } from "msw";
import { beforeEach, describe, expect, it } from "vitest";
import {
  NATIONAL_DEFAULT_PATHS,
  type NationalPaymentOptions,
  NationalPaymentProvider,
} from "../../bot-server/src/clients/payments/national/national-payment.client";
import { PaymentProviderError, type ProviderAttempt } from "../../bot-server/src/clients/payments/provider";
import { createLogger } from "../../bot-server/src/logger";
import {
  type FakeNationalPlatform,
  fakeNationalPlatform,
  NATIONAL_PARTNER,
  NATIONAL_PATHS,
  NATIONAL_SECRET,
  NATIONAL_TOKEN,
  NATIONAL_URL,
  signedConfirm,
  vietnamStamp,
} from "../mocks/national-payment";
import { mockServer } from "../mocks/server";

const attempt: ProviderAttempt = {
  reference: "TT20251001173005123456",
  dossierCode: "000.00.20.H49-251001-0007",
  procedure: { code: "1.000894", name: "Đăng ký kết hôn" },
  unit: { code: "000.00.20.H49", name: "UBND phường Hồng Gai" },
  amount: 30000,
  lines: [
    { index: 0, name: "Lệ phí đăng ký kết hôn", kind: "le-phi", quantity: 1, amount: 20000 },
    { index: 1, name: "Phí cấp bản sao trích lục", kind: "phi", quantity: 2, amount: 10000 },
  ],
  payer: { name: "Nguyễn Thị Hoa", identityNumber: "022090001234", address: "Số 5, tổ 3, khu 4, Hồng Gai" },
  description: "Nộp phí hồ sơ 000.00.20.H49-251001-0007",
  createdAt: new Date("2025-10-01T17:30:05Z"),
  clientIp: "203.113.130.5",
  providerOrderId: null,
  returnUrl: "https://zalo.me/s/123/payment-return",
};

/** A logger that keeps every line it writes, to show what never reaches the logs. */
function recordingLogger() {
  const lines: string[] = [];
  const logger = createLogger("debug");
  const child = Object.create(logger) as typeof logger;
  for (const level of ["trace", "debug", "info", "warn", "error", "fatal"] as const) {
    child[level] = ((...args: unknown[]) => {
      lines.push(JSON.stringify(args));
    }) as (typeof logger)[typeof level];
  }
  return { logger: child, lines };
}

let platform: FakeNationalPlatform;
let log: ReturnType<typeof recordingLogger>;

function provider(overrides: Partial<NationalPaymentOptions> = {}) {
  return new NationalPaymentProvider({ ...platform.clientOptions, timeoutMs: 2_000, ...overrides }, log.logger);
}

async function failure(promise: Promise<unknown>): Promise<PaymentProviderError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PaymentProviderError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

const initUrl = `${NATIONAL_URL}${NATIONAL_PATHS.init}`;
const queryUrl = `${NATIONAL_URL}${NATIONAL_PATHS.query}`;

beforeEach(() => {
  platform = fakeNationalPlatform();
  mockServer.use(...platform.handlers);
  log = recordingLogger();
});

describe("the national payment platform client", () => {
  it("uses the documented default paths, the same as the fake platform's", () => {
    expect(NATIONAL_DEFAULT_PATHS).toEqual(NATIONAL_PATHS);
    expect(provider().id).toBe("national");
  });

  describe("start (INIT)", () => {
    it("sends a signed INIT with the Bearer token and gives the payment page to redirect to", async () => {
      const result = await provider().start(attempt);
      expect(result).toEqual({ kind: "redirect", url: platform.payUrl(attempt.reference) });
      const [request] = platform.state.requests;
      expect(request).toMatchObject({ operation: "init", authorization: `Bearer ${NATIONAL_TOKEN}` });
      expect(request?.body).toMatchObject({
        LoaiBanTin: "INIT",
        MaDoiTac: NATIONAL_PARTNER,
        MaThamChieu: attempt.reference,
        SoTien: "30000",
        ThoiGianGD: "20251002003005",
        ThongTinBienLai: { MaHoSo: attempt.dossierCode, PhiLePhi: [{ SoTien: "20000" }, { SoTien: "10000" }] },
      });
      expect(platform.state.attempts.get(attempt.reference)?.state).toBe("pending");
    });

    it("reads the answer inside the {error_code, message} envelope too", async () => {
      platform = fakeNationalPlatform({ envelope: true });
      mockServer.use(...platform.handlers);
      expect(await provider().start(attempt)).toEqual({ kind: "redirect", url: platform.payUrl(attempt.reference) });
    });

    it("is rejected when the platform answers an error code (here: a wrong secret, MaLoi 02)", async () => {
      const error = await failure(provider({ secret: "not-the-secret" }).start(attempt));
      expect(error).toMatchObject({ provider: "national", failure: "rejected", retryable: false });
      expect(error.detail).toContain("02");
      expect(error.code).toBe("PAYMENT_PROVIDER_UNAVAILABLE");
    });

    it("is rejected on a 4xx (a wrong token: 401)", async () => {
      const error = await failure(provider({ token: "expired" }).start(attempt));
      expect(error).toMatchObject({ failure: "rejected", httpStatus: 401, retryable: false });
    });

    it("times out after timeoutMs", async () => {
      platform.slowDown("init", 1_000);
      const started = Date.now();
      const error = await failure(provider({ timeoutMs: 100 }).start(attempt));
      expect(error).toMatchObject({ failure: "timeout", retryable: true });
      expect(Date.now() - started).toBeLessThan(900);
    });

    it("is a server error on a 5xx, and a network error when the connection fails", async () => {
      platform.fail("init", () => new HttpResponse("Bad gateway", { status: 502 }));
      expect(await failure(provider().start(attempt))).toMatchObject({
        failure: "server-error",
        httpStatus: 502,
        retryable: true,
      });
      mockServer.use(http.post(initUrl, () => HttpResponse.error()));
      expect(await failure(provider().start(attempt))).toMatchObject({ failure: "network", retryable: true });
    });

    it("is malformed when the answer is not JSON, lacks UrlThanhToan or gives an http:// address", async () => {
      const answers = [
        () => new HttpResponse("<html>Maintenance</html>", { headers: { "Content-Type": "text/html" } }),
        () => HttpResponse.json({ MaLoi: "00", MoTaLoi: "Thành công" }),
        () => HttpResponse.json({ MaLoi: "00", UrlThanhToan: "http://pay.thanhtoan.dichvucong.test/pay/1" }),
        () => HttpResponse.json({ error_code: "0", message: "{not json" }),
        () => new HttpResponse(null, { status: 302, headers: { Location: "https://elsewhere.test/" } }),
      ];
      for (const answer of answers) {
        platform.fail("init", answer);
        expect(await failure(provider().start(attempt))).toMatchObject({ failure: "malformed", retryable: false });
      }
    });

    it("never logs the secret, the token, MaXacThuc or a body", async () => {
      platform.fail("init", () => HttpResponse.json({ MaLoi: "00" }));
      await failure(provider().start(attempt));
      platform.fail("init", () => new HttpResponse("oops", { status: 500 }));
      await failure(provider().start(attempt));
      await failure(provider({ secret: "not-the-secret" }).start(attempt));
      const signature = String((platform.state.requests[0]?.body as { MaXacThuc?: string } | undefined)?.MaXacThuc);
      expect(signature).toMatch(/^[0-9a-f]{64}$/);
      const written = log.lines.join("\n");
      expect(log.lines.length).toBeGreaterThanOrEqual(3);
      for (const secret of [NATIONAL_SECRET, "not-the-secret", NATIONAL_TOKEN, signature, attempt.payer.name]) {
        expect(written).not.toContain(secret);
      }
    });
  });

  describe("status (QUERY)", () => {
    it("is pending after INIT, paid once the citizen paid, with the transaction", async () => {
      const client = provider({ now: () => Date.parse("2025-10-01T18:00:00Z") });
      await client.start(attempt);
      expect(await client.status(attempt)).toEqual({ state: "pending" });
      platform.markPaid(attempt.reference, { transactionId: "GD0001234567", at: new Date("2025-10-01T17:35:12Z") });
      expect(await client.status(attempt)).toEqual({
        state: "paid",
        transactionId: "GD0001234567",
        amount: 30000,
        paidAt: new Date("2025-10-01T17:35:12Z"),
      });
      const query = platform.state.requests.find((r) => r.operation === "query");
      expect(query).toMatchObject({
        authorization: `Bearer ${NATIONAL_TOKEN}`,
        body: { LoaiBanTin: "QUERY", MaThamChieu: attempt.reference, ThoiGianGD: "20251002010000" },
      });
    });

    it("is failed when the platform says TrangThaiGD 4", async () => {
      const client = provider();
      await client.start(attempt);
      platform.markFailed(attempt.reference);
      expect(await client.status(attempt)).toMatchObject({ state: "failed" });
    });

    it("is pending for a reference the platform does not know yet", async () => {
      expect(await provider().status(attempt)).toEqual({ state: "pending" });
    });

    it("maps the platform's failures like INIT's", async () => {
      platform.slowDown("query", 1_000);
      expect(await failure(provider({ timeoutMs: 100 }).status(attempt))).toMatchObject({ failure: "timeout" });
      platform.fail("query", () => new HttpResponse(null, { status: 503 }));
      expect(await failure(provider().status(attempt))).toMatchObject({ failure: "server-error", httpStatus: 503 });
      mockServer.use(
        http.post(queryUrl, () =>
          HttpResponse.json({ MaThamChieu: attempt.reference, TrangThaiGD: "1", MaGiaoDich: "GD1" }),
        ),
      );
      expect(await failure(provider().status(attempt))).toMatchObject({ failure: "malformed" });
    });
  });

  describe("receipt", () => {
    it("fetches the platform's PDF for a paid attempt, signed and with the token", async () => {
      const client = provider();
      await client.start(attempt);
      platform.markPaid(attempt.reference);
      const pdf = await client.receipt(attempt);
      expect(pdf?.subarray(0, 5).toString()).toBe("%PDF-");
      expect(pdf?.toString()).toContain(attempt.reference);
      expect(platform.state.requests.at(-1)).toMatchObject({
        operation: "receipt",
        authorization: `Bearer ${NATIONAL_TOKEN}`,
        body: { LoaiBanTin: "GET_BILL", MaThamChieu: attempt.reference, ThoiGianGD: "20251002003005" },
      });
    });

    it("is null when the platform has none (404)", async () => {
      const client = provider();
      expect(await client.receipt(attempt)).toBeNull();
      await client.start(attempt);
      expect(await client.receipt(attempt)).toBeNull();
    });

    it("is malformed when what comes back is not a PDF, and a server error on a 5xx", async () => {
      platform.fail("receipt", () => HttpResponse.json({ MaLoi: "00" }));
      expect(await failure(provider().receipt(attempt))).toMatchObject({ failure: "malformed" });
      platform.fail("receipt", () => new HttpResponse(null, { status: 500 }));
      expect(await failure(provider().receipt(attempt))).toMatchObject({ failure: "server-error" });
    });
  });

  describe("verifyCallback (the confirm)", () => {
    const raw = (body: unknown) => Buffer.from(typeof body === "string" ? body : JSON.stringify(body));

    it("reads a correctly signed success as a payment notice", async () => {
      const client = provider();
      await client.start(attempt);
      platform.markPaid(attempt.reference, { transactionId: "GD0001234567", at: new Date("2025-10-01T17:35:12Z") });
      const check = client.verifyCallback(raw(platform.confirmFor(attempt.reference)), {
        "content-type": "application/json",
      });
      expect(check).toEqual({
        ok: true,
        notice: {
          reference: attempt.reference,
          providerOrderId: null,
          transactionId: "GD0001234567",
          amount: 30000,
          outcome: "paid",
          at: new Date("2025-10-01T17:35:12Z"),
          reason: null,
          fields: expect.objectContaining({ MaLoi: "00", MaGiaoDich: "GD0001234567", SoTien: 30000 }),
        },
      });
      expect(check.ok && check.notice.fields).not.toHaveProperty("MaXacThuc");
    });

    it("reads a signed failure, and SoTien sent as a string of digits", () => {
      const client = provider();
      const failed = signedConfirm(NATIONAL_SECRET, {
        MaThamChieu: attempt.reference,
        MaLoi: "24",
        MaGiaoDich: "",
        SoTien: "30000",
        ThoiGianGD: vietnamStamp(new Date("2025-10-01T17:39:00Z")),
      });
      expect(client.verifyCallback(raw(failed), {})).toMatchObject({
        ok: true,
        notice: { outcome: "failed", amount: 30000, transactionId: null, reason: "MaLoi 24" },
      });
    });

    it("refuses a bad or missing MaXacThuc, a changed field, and another partner's confirm as 'signature'", () => {
      const client = provider();
      const good = signedConfirm(NATIONAL_SECRET, { MaThamChieu: attempt.reference, SoTien: 30000 });
      const { MaXacThuc: _, ...unsigned } = good;
      for (const body of [
        { ...good, MaXacThuc: "0".repeat(64) },
        { ...good, MaXacThuc: "" },
        { ...good, SoTien: 300000 },
        { ...good, MaThamChieu: "TT20251001173005999999" },
        signedConfirm("another-secret", { MaThamChieu: attempt.reference }),
        signedConfirm(NATIONAL_SECRET, { MaThamChieu: attempt.reference, MaDoiTac: "OTHER" }),
        unsigned,
        { ...good, MaXacThuc: null },
      ]) {
        expect(client.verifyCallback(raw(body), {})).toEqual({ ok: false, reason: "signature" });
      }
    });

    it("calls what is not JSON or not a confirm 'malformed', and never throws", () => {
      const client = provider();
      for (const body of ["", "not json", "[]", "null", '{"MaLoi":"00"}', "\u0000\uFFFF", '{"a":'.repeat(10_000)]) {
        expect(client.verifyCallback(raw(body), {})).toEqual({ ok: false, reason: "malformed" });
      }
      expect(client.verifyCallback(Buffer.from([0xff, 0xfe, 0x00]), {})).toEqual({ ok: false, reason: "malformed" });
    });
  });

  describe("callbackAnswer", () => {
    it("answers MaLoi 00 when the confirmation is recorded, another code otherwise", () => {
      const client = provider();
      expect(client.callbackAnswer("applied")).toEqual({ status: 200, body: { MaLoi: "00", MoTaLoi: "Thành công" } });
      expect(client.callbackAnswer("duplicate")).toMatchObject({ status: 200, body: { MaLoi: "00" } });
      expect(client.callbackAnswer("refused")).toMatchObject({ status: 200, body: { MaLoi: "01" } });
      expect(client.callbackAnswer("error")).toMatchObject({ status: 500, body: { MaLoi: "99" } });
    });
  });

  describe("the fake platform", () => {
    it("serves the same answers through handle() for use outside msw", async () => {
      const fake = fakeNationalPlatform();
      const request = (body: unknown, token = NATIONAL_TOKEN) =>
        new Request(`${NATIONAL_URL}${NATIONAL_PATHS.query}`, {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body: JSON.stringify(body),
        });
      expect((await fake.handle(request({}, "wrong")))?.status).toBe(401);
      expect(await (await fake.handle(request({ MaDoiTac: NATIONAL_PARTNER })))?.json()).toMatchObject({
        MaLoi: "02",
      });
      expect(await fake.handle(new Request(`${NATIONAL_URL}/elsewhere`, { method: "POST" }))).toBeUndefined();
    });

    it("answers the same page to a repeated INIT and refuses the reference reused for another amount", async () => {
      const client = provider();
      const first = await client.start(attempt);
      expect(await client.start(attempt)).toEqual(first);
      const error = await failure(
        client.start({ ...attempt, amount: 20000, lines: [attempt.lines[0] as ProviderAttempt["lines"][number]] }),
      );
      expect(error).toMatchObject({ failure: "rejected" });
      expect(error.detail).toContain("05");
    });
  });
});
