import { Writable } from "node:stream";
import { createLogger } from "@qn/bot-server";
import { delay, HttpResponse, http } from "msw";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { PaymentProviderError, type ProviderAttempt } from "../../bot-server/src/clients/payments/provider";
import {
  createOrderMac,
  overallMac,
  statusMac,
  updateOrderStatusMac,
  verifyOverallMac,
} from "../../bot-server/src/clients/payments/zalo-checkout/checkout-signature";
import {
  DEFAULT_CHECKOUT_METHOD,
  type ZaloCheckoutOptions,
  ZaloCheckoutProvider,
} from "../../bot-server/src/clients/payments/zalo-checkout/zalo-checkout.client";
import { mockServer } from "../mocks/server";
import {
  CHECKOUT_APP_ID,
  CHECKOUT_GET_STATUS_PATH,
  CHECKOUT_PRIVATE_KEY,
  CHECKOUT_URL,
  fakeCheckout,
  signedCallback,
} from "../mocks/zalo-checkout";

/*
 * Known-answer vectors, computed by hand apart from the code under test: each string below was hashed with
 *   printf '%s' '<string>' | openssl dgst -sha256 -hmac 'qn-checkout-test-key-2025'
 * and again with python3's hmac/hashlib (json.dumps(separators=(",", ":"), ensure_ascii=False) for the objects,
 * urllib.parse.quote(safe="-_.!~*'()") for the URI-encoded extradata, keys sorted by sorted()); both gave the same hex.
 * The Vietnamese text is NFC, hashed as UTF-8.
 */
const KEY = "qn-checkout-test-key-2025";
const REFERENCE = "TT20251001083005123456";
const DOSSIER = "06652.H49-251001-0007";
const DESC = "Nộp phí hồ sơ 06652.H49-251001-0007";
const EXTRADATA = '{"reference":"TT20251001083005123456","dossier":"06652.H49-251001-0007"}';
const EXTRADATA_ENCODED =
  "%7B%22reference%22%3A%22TT20251001083005123456%22%2C%22dossier%22%3A%2206652.H49-251001-0007%22%7D";

/** createOrder: amount=30000&desc=Nộp phí hồ sơ 06652.H49-251001-0007&extradata={"reference":…}&item=[{…},{…}]&method={…} */
const CREATE_ORDER_STRING =
  'amount=30000&desc=Nộp phí hồ sơ 06652.H49-251001-0007&extradata={"reference":"TT20251001083005123456","dossier":"06652.H49-251001-0007"}&item=[{"id":"TT20251001083005123456-1","amount":20000},{"id":"TT20251001083005123456-2","amount":10000}]&method={"id":"ZALOPAY_SANDBOX","isCustom":false}';
const CREATE_ORDER_MAC = "4b5213e7603addf03aeb884ba47457ceb802c5df05bb7414f8209a0f5eafb572";

/** overallMac over a callback `data` with a URI-encoded extradata and an object value (`method`). */
const OVERALL_STRING =
  'amount=30000&appId=3125467890123456789&description=Nộp phí hồ sơ 06652.H49-251001-0007&extradata=%7B%22reference%22%3A%22TT20251001083005123456%22%2C%22dossier%22%3A%2206652.H49-251001-0007%22%7D&merchantTransId=251001_000389&message=Giao dịch thành công&method={"id":"ZALOPAY_SANDBOX","isCustom":false}&orderId=ZCO-181818&resultCode=1&transId=251001000000389&transTime=1759307405000';
const OVERALL_MAC = "72f24d9594ef6fe0aaa6537955f91705c0362d712a2e30dc0d133b15998e45fe";

/** get-status: appId=3125467890123456789&orderId=ZCO-181818&privateKey=qn-checkout-test-key-2025 */
const STATUS_MAC = "7083e600cc15addad47d3f7343863a667295313796374e2ba4dd7fbba511d085";
/** updateOrderStatus: appId=3125467890123456789&orderId=ZCO-181818&resultCode=1&privateKey=qn-checkout-test-key-2025 */
const UPDATE_MAC = "f54a422cfa5674aaeda61978560f3c96ed49a0e3d2d274c56486a569fd19e87c";

const callbackVectorData = {
  appId: "3125467890123456789",
  orderId: "ZCO-181818",
  transId: "251001000000389",
  transTime: 1759307405000,
  merchantTransId: "251001_000389",
  amount: 30000,
  description: DESC,
  resultCode: 1,
  message: "Giao dịch thành công",
  extradata: EXTRADATA_ENCODED,
  method: { id: "ZALOPAY_SANDBOX", isCustom: false },
};

function attempt(overrides: Partial<ProviderAttempt> = {}): ProviderAttempt {
  return {
    reference: REFERENCE,
    dossierCode: DOSSIER,
    procedure: { code: "1.001193", name: "Đăng ký khai sinh" },
    unit: { code: "06652.H49", name: "UBND phường Hồng Gai" },
    amount: 30000,
    lines: [
      { index: 0, name: "Phí cấp bản sao", kind: "phi", quantity: 2, amount: 20000 },
      { index: 1, name: "Lệ phí đăng ký", kind: "le-phi", quantity: 1, amount: 10000 },
    ],
    payer: { name: "Nguyễn Thị Hoa", identityNumber: "022090001234", address: null },
    description: DESC,
    createdAt: new Date("2025-10-01T01:30:05Z"),
    clientIp: "203.0.113.7",
    providerOrderId: null,
    returnUrl: "https://zalo.me/s/3125467890123456789/?payment=TT20251001083005123456",
    ...overrides,
  };
}

/** A logger whose lines are kept, to check that no key or MAC reaches a log. */
function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: "debug" }, stream), lines };
}

function provider(overrides: Partial<ZaloCheckoutOptions> = {}, logger = createLogger("silent")) {
  return new ZaloCheckoutProvider(
    { appId: CHECKOUT_APP_ID, privateKey: CHECKOUT_PRIVATE_KEY, apiUrl: CHECKOUT_URL, ...overrides },
    logger,
  );
}

async function rejection(promise: Promise<unknown>): Promise<PaymentProviderError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PaymentProviderError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("Checkout MACs: known answers", () => {
  it("createOrderMac", () => {
    const fields = {
      amount: 30000,
      desc: DESC,
      extradata: EXTRADATA,
      item: [
        { id: `${REFERENCE}-1`, amount: 20000 },
        { id: `${REFERENCE}-2`, amount: 10000 },
      ],
      method: DEFAULT_CHECKOUT_METHOD,
    };
    expect(createOrderMac(KEY, fields)).toBe(CREATE_ORDER_MAC);
    // The fields' order in the object does not matter: the keys are sorted.
    const { method, item, amount, extradata, desc } = fields;
    expect(createOrderMac(KEY, { method, item, extradata, desc, amount })).toBe(CREATE_ORDER_MAC);
    expect(CREATE_ORDER_STRING.startsWith("amount=30000&desc=")).toBe(true);
  });

  it("overallMac over every data key, with a URI-encoded extradata and an object value", () => {
    expect(OVERALL_STRING).toContain(`extradata=${EXTRADATA_ENCODED}&`);
    expect(overallMac(KEY, callbackVectorData)).toBe(OVERALL_MAC);
    // Reordered keys: same MAC.
    const reversed = Object.fromEntries(Object.entries(callbackVectorData).reverse());
    expect(overallMac(KEY, reversed)).toBe(OVERALL_MAC);
  });

  it("verifyOverallMac: the right MAC (either case), nothing else", () => {
    expect(verifyOverallMac(KEY, callbackVectorData, OVERALL_MAC)).toBe(true);
    expect(verifyOverallMac(KEY, callbackVectorData, OVERALL_MAC.toUpperCase())).toBe(true);
    const flipped = `${OVERALL_MAC.slice(0, -1)}${OVERALL_MAC.endsWith("e") ? "f" : "e"}`;
    expect(verifyOverallMac(KEY, callbackVectorData, flipped)).toBe(false);
    expect(verifyOverallMac(KEY, { ...callbackVectorData, amount: 30001 }, OVERALL_MAC)).toBe(false);
    expect(verifyOverallMac("another-key", callbackVectorData, OVERALL_MAC)).toBe(false);
    for (const bad of [undefined, null, "", 42, OVERALL_MAC.slice(2), `${OVERALL_MAC}00`, "z".repeat(64)]) {
      expect(verifyOverallMac(KEY, callbackVectorData, bad)).toBe(false);
    }
  });

  it("statusMac and updateOrderStatusMac", () => {
    expect(statusMac(KEY, { appId: "3125467890123456789", orderId: "ZCO-181818" })).toBe(STATUS_MAC);
    expect(updateOrderStatusMac(KEY, { appId: "3125467890123456789", orderId: "ZCO-181818", resultCode: 1 })).toBe(
      UPDATE_MAC,
    );
  });
});

describe("ZaloCheckoutProvider.start", () => {
  it("signs the order the mini-app passes to createOrder, one item per fee line (the known answer)", async () => {
    const checkout = provider({ privateKey: KEY });
    const result = await checkout.start(attempt());
    expect(result).toEqual({
      kind: "checkout",
      order: {
        desc: DESC,
        item: [
          { id: `${REFERENCE}-1`, amount: 20000 },
          { id: `${REFERENCE}-2`, amount: 10000 },
        ],
        amount: 30000,
        extradata: EXTRADATA,
        method: DEFAULT_CHECKOUT_METHOD,
        mac: CREATE_ORDER_MAC,
      },
    });
  });

  it("cuts desc to 100 characters, falls back to one item, and uses the configured method", async () => {
    const method = '{"id":"NATIONAL_PAYMENT","isCustom":true}';
    const checkout = provider({ method });
    const long = `Nộp phí hồ sơ ${"Đ".repeat(120)}`;
    const result = await checkout.start(
      attempt({ description: long, lines: [{ index: null, name: "x", kind: "phi", quantity: 1, amount: 5 }] }),
    );
    if (result.kind !== "checkout") throw new Error("expected a checkout order");
    expect(Array.from(result.order.desc)).toHaveLength(100);
    expect(result.order.item).toEqual([{ id: REFERENCE, amount: 30000 }]);
    expect(result.order.method).toBe(method);
    const { mac, ...fields } = result.order;
    expect(mac).toBe(createOrderMac(CHECKOUT_PRIVATE_KEY, fields));

    const exempt = await checkout.start(
      attempt({
        amount: 10000,
        lines: [
          { index: 0, name: "Phí (miễn)", kind: "phi", quantity: 1, amount: 0 },
          { index: 1, name: "Lệ phí", kind: "le-phi", quantity: 1, amount: 10000 },
        ],
      }),
    );
    if (exempt.kind !== "checkout") throw new Error("expected a checkout order");
    expect(exempt.order.item).toEqual([{ id: `${REFERENCE}-1`, amount: 10000 }]);
  });

  it("refuses an amount that is not a positive whole number, and a missing key or a bad method at construction", async () => {
    for (const amount of [0, -1, 1.5]) {
      const error = await rejection(provider().start(attempt({ amount })));
      expect(error.failure).toBe("rejected");
    }
    expect(() => provider({ privateKey: "" })).toThrow(PaymentProviderError);
    expect(() => provider({ appId: "" })).toThrow(PaymentProviderError);
    expect(() => provider({ method: "ZALOPAY_SANDBOX" })).toThrow(PaymentProviderError);
  });
});

describe("ZaloCheckoutProvider.status (get-status)", () => {
  function setup(overrides: Partial<ZaloCheckoutOptions> = {}, logger = createLogger("silent")) {
    const checkout = fakeCheckout();
    mockServer.use(...checkout.handlers);
    const orderId = checkout.createOrder({ amount: 30000, extradata: EXTRADATA, desc: DESC });
    return { checkout, orderId, client: provider(overrides, logger), pending: attempt({ providerOrderId: orderId }) };
  }

  it("without a Checkout orderId: unknown, and nothing is asked", async () => {
    const { checkout, client } = setup();
    expect(await client.status(attempt())).toEqual({ state: "unknown" });
    expect(checkout.state.requests).toHaveLength(0);
  });

  it("paid: the transaction id, the amount and the time, asked with a correct mac", async () => {
    const { checkout, orderId, client, pending } = setup();
    checkout.pay(orderId, { transId: "251001000000389", transTime: 1759307405000 });
    expect(await client.status(pending)).toEqual({
      state: "paid",
      transactionId: "251001000000389",
      amount: 30000,
      paidAt: new Date(1759307405000),
    });
    const [request] = checkout.state.requests;
    expect(request?.query).toEqual({
      orderId,
      appId: CHECKOUT_APP_ID,
      mac: statusMac(CHECKOUT_PRIVATE_KEY, { appId: CHECKOUT_APP_ID, orderId }),
    });
  });

  it("paid without transTime: createdAt, else now", async () => {
    const now = Date.parse("2025-10-01T02:00:00Z");
    const { client, pending } = setup({ now: () => now });
    const answer = (data: object) =>
      mockServer.use(
        http.get(`${CHECKOUT_URL}${CHECKOUT_GET_STATUS_PATH}`, () => HttpResponse.json({ error: 0, msg: "ok", data })),
      );
    const paid = { returnCode: 1, amount: 30000, transId: 251001000000390, extradata: encodeURIComponent(EXTRADATA) };
    answer({ ...paid, createdAt: "2025-10-01T01:45:00.000Z" });
    expect(await client.status(pending)).toMatchObject({
      state: "paid",
      transactionId: "251001000000390",
      paidAt: new Date("2025-10-01T01:45:00.000Z"),
    });
    answer(paid);
    expect(await client.status(pending)).toMatchObject({ paidAt: new Date(now) });
  });

  it("pending and failed", async () => {
    const { checkout, orderId, client, pending } = setup();
    expect(await client.status(pending)).toEqual({ state: "pending" });
    checkout.fail(orderId, "Người dùng hủy giao dịch");
    expect(await client.status(pending)).toEqual({ state: "failed", reason: "Người dùng hủy giao dịch" });
  });

  it("accepts the fields without the {error, msg, data} envelope", async () => {
    const { client, pending } = setup();
    mockServer.use(
      http.get(`${CHECKOUT_URL}${CHECKOUT_GET_STATUS_PATH}`, () =>
        HttpResponse.json({ returnCode: 0, isProcessing: true, returnMessage: "Đang xử lý" }),
      ),
    );
    expect(await client.status(pending)).toEqual({ state: "pending" });
  });

  it("a timeout: timeout, retryable; no key or mac in the log", async () => {
    const { logger, lines } = capturingLogger();
    const { checkout, client, pending } = setup({ timeoutMs: 50 }, logger);
    checkout.slowDown(1_000);
    const error = await rejection(client.status(pending));
    expect(error.failure).toBe("timeout");
    expect(error.retryable).toBe(true);
    const mac = statusMac(CHECKOUT_PRIVATE_KEY, { appId: CHECKOUT_APP_ID, orderId: pending.providerOrderId ?? "" });
    const logged = lines.join("\n");
    expect(logged).toContain("checkout call failed");
    expect(logged).not.toContain(CHECKOUT_PRIVATE_KEY);
    expect(logged).not.toContain(mac);
    expect(`${error.message} ${error.detail}`).not.toContain(mac);
  });

  it("a network error, a 5xx, a 429 and a 4xx", async () => {
    const { client, pending } = setup();
    const url = `${CHECKOUT_URL}${CHECKOUT_GET_STATUS_PATH}`;
    mockServer.use(http.get(url, () => HttpResponse.error()));
    expect(await rejection(client.status(pending))).toMatchObject({ failure: "network", retryable: true });
    mockServer.use(http.get(url, () => HttpResponse.text("Bad Gateway", { status: 502 })));
    expect(await rejection(client.status(pending))).toMatchObject({
      failure: "server-error",
      retryable: true,
      httpStatus: 502,
    });
    mockServer.use(http.get(url, () => HttpResponse.json({ error: -2003 }, { status: 429 })));
    expect(await rejection(client.status(pending))).toMatchObject({ failure: "server-error", retryable: true });
    mockServer.use(http.get(url, () => HttpResponse.json({ error: -2103 }, { status: 400 })));
    expect(await rejection(client.status(pending))).toMatchObject({ failure: "rejected", retryable: false });
  });

  it("Checkout's own errors: a wrong key (−2101) is refused, too many requests (−2003) is retryable", async () => {
    const { client, pending } = setup({ privateKey: "not-the-mini-apps-key" });
    expect(await rejection(client.status(pending))).toMatchObject({ failure: "rejected", retryable: false });
    mockServer.use(
      http.get(`${CHECKOUT_URL}${CHECKOUT_GET_STATUS_PATH}`, () => HttpResponse.json({ error: -2003, msg: "quá" })),
    );
    expect(await rejection(client.status(pending))).toMatchObject({ failure: "server-error", retryable: true });
  });

  it("malformed: not JSON, or the wrong shape", async () => {
    const { client, pending } = setup();
    const url = `${CHECKOUT_URL}${CHECKOUT_GET_STATUS_PATH}`;
    const bodies: (() => Response)[] = [
      () => HttpResponse.text("<html>Zalo</html>"),
      () => HttpResponse.text(""),
      () => HttpResponse.json([1, 2]),
      () => HttpResponse.json({ error: 0, data: { returnCode: "1" } }),
      () => HttpResponse.json({ error: 0, data: { returnCode: 7 } }),
      () => HttpResponse.json({ error: "0", data: { returnCode: 0 } }),
      () => HttpResponse.json({ error: 0, data: { returnCode: 1, transId: "t1", amount: 300.5 } }),
      () => HttpResponse.json({ error: 0, data: { returnCode: 1, transId: "t1", amount: -30000 } }),
      () => HttpResponse.json({ error: 0, data: { returnCode: 1, transId: "t1" } }),
      () => HttpResponse.json({ error: 0, data: { returnCode: 1, transId: "", amount: 30000 } }),
    ];
    for (const body of bodies) {
      mockServer.use(http.get(url, body));
      expect(await rejection(client.status(pending))).toMatchObject({ failure: "malformed", retryable: false });
    }
  });

  it("an answer for another attempt's reference is refused (a citizen reporting someone else's orderId)", async () => {
    const { checkout, orderId, client, pending } = setup();
    checkout.setOrder(orderId, {
      extradata: '{"reference":"TT20251001083005999999","dossier":"06652.H49-251001-0099"}',
    });
    checkout.pay(orderId);
    expect(await rejection(client.status(pending))).toMatchObject({ failure: "malformed" });
    checkout.setOrder(orderId, { extradata: '{"dossier":"06652.H49-251001-0007"}' });
    expect(await rejection(client.status(pending))).toMatchObject({ failure: "malformed" });
    checkout.setOrder(orderId, { extradata: "not json" });
    expect(await rejection(client.status(pending))).toMatchObject({ failure: "malformed" });
  });

  it("a slow answer within the timeout is still read", async () => {
    const { client, pending } = setup({ timeoutMs: 2_000 });
    mockServer.use(
      http.get(`${CHECKOUT_URL}${CHECKOUT_GET_STATUS_PATH}`, async () => {
        await delay(30);
        return HttpResponse.json({ error: 0, data: { returnCode: 0 } });
      }),
    );
    expect(await client.status(pending)).toEqual({ state: "pending" });
  });
});

describe("ZaloCheckoutProvider.verifyCallback", () => {
  const body = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value));

  it("the known-answer callback: a notice with our reference, the transaction, the amount and the outcome", () => {
    const client = provider({ appId: "3125467890123456789", privateKey: KEY });
    const check = client.verifyCallback(
      body({ data: callbackVectorData, mac: "not checked", overallMac: OVERALL_MAC }),
      {},
    );
    expect(check).toEqual({
      ok: true,
      notice: {
        reference: REFERENCE,
        providerOrderId: "ZCO-181818",
        transactionId: "251001000000389",
        amount: 30000,
        outcome: "paid",
        at: new Date(1759307405000),
        reason: null,
        fields: callbackVectorData,
      },
    });
  });

  it("a callback from the fake: paid, then failed with its message", () => {
    const checkout = fakeCheckout();
    const client = provider();
    const orderId = checkout.createOrder({ amount: 30000, extradata: EXTRADATA, desc: DESC });
    checkout.pay(orderId, { transId: "251001000000400" });
    expect(client.verifyCallback(checkout.callbackBody(orderId), {})).toMatchObject({
      ok: true,
      notice: { reference: REFERENCE, providerOrderId: orderId, transactionId: "251001000000400", outcome: "paid" },
    });
    checkout.fail(orderId, "Số dư không đủ");
    expect(client.verifyCallback(checkout.callbackBody(orderId, { resultCode: -1 }), {})).toMatchObject({
      ok: true,
      notice: { outcome: "failed", reason: "Số dư không đủ" },
    });
  });

  it("one field changed after signing: signature", () => {
    const signed = signedCallback(CHECKOUT_PRIVATE_KEY, { ...callbackVectorData, appId: CHECKOUT_APP_ID });
    const client = provider();
    expect(client.verifyCallback(body(signed), {})).toMatchObject({ ok: true });
    for (const change of [{ amount: 3000000 }, { resultCode: 0 }, { extradata: "%7B%7D" }, { extra: "added" }]) {
      const tampered = { ...signed, data: { ...signed.data, ...change } };
      expect(client.verifyCallback(body(tampered), {})).toEqual({ ok: false, reason: "signature" });
    }
    const { transTime: _dropped, ...withoutOne } = signed.data;
    expect(client.verifyCallback(body({ ...signed, data: withoutOne }), {})).toEqual({
      ok: false,
      reason: "signature",
    });
  });

  it("signed with our key but for another Mini App: signature", () => {
    const signed = signedCallback(CHECKOUT_PRIVATE_KEY, { ...callbackVectorData, appId: "9999999999999999999" });
    expect(provider().verifyCallback(body(signed), {})).toEqual({ ok: false, reason: "signature" });
  });

  it("a missing, empty or foreign overallMac: signature", () => {
    const signed = signedCallback(CHECKOUT_PRIVATE_KEY, { ...callbackVectorData, appId: CHECKOUT_APP_ID });
    const client = provider();
    const { overallMac: _omitted, ...withoutMac } = signed;
    expect(client.verifyCallback(body(withoutMac), {})).toEqual({ ok: false, reason: "signature" });
    expect(client.verifyCallback(body({ ...signed, overallMac: "" }), {})).toEqual({ ok: false, reason: "signature" });
    const foreign = signedCallback("someone-elses-key", signed.data);
    expect(client.verifyCallback(body(foreign), {})).toEqual({ ok: false, reason: "signature" });
  });

  it("not JSON, or without data: malformed", () => {
    const client = provider();
    for (const raw of ["", "not json", "{", "<xml/>"]) {
      expect(client.verifyCallback(body(raw), {})).toEqual({ ok: false, reason: "malformed" });
    }
    for (const value of [null, [], 42, "text", { data: "x", overallMac: OVERALL_MAC }, { overallMac: OVERALL_MAC }]) {
      expect(client.verifyCallback(body(JSON.stringify(value)), {})).toEqual({ ok: false, reason: "malformed" });
    }
  });

  it("correctly signed but off contract: malformed; an unreadable extradata gives a null reference", () => {
    const client = provider();
    const data = { ...callbackVectorData, appId: CHECKOUT_APP_ID };
    for (const change of [{ amount: "30000" }, { amount: 1.5 }, { orderId: "" }, { resultCode: null }]) {
      const signed = signedCallback(CHECKOUT_PRIVATE_KEY, { ...data, ...change });
      expect(client.verifyCallback(body(signed), {})).toEqual({ ok: false, reason: "malformed" });
    }
    const unreadable = signedCallback(CHECKOUT_PRIVATE_KEY, { ...data, extradata: "%E0%A4%A" });
    expect(client.verifyCallback(body(unreadable), {})).toMatchObject({ ok: true, notice: { reference: null } });
  });

  it("keeps data without MAC- or key-like fields", () => {
    const signed = signedCallback(CHECKOUT_PRIVATE_KEY, {
      ...callbackVectorData,
      appId: CHECKOUT_APP_ID,
      mac: "inner",
      privateKey: "leak",
    });
    const check = provider().verifyCallback(body(signed), {});
    if (!check.ok) throw new Error("expected a verified callback");
    expect(Object.keys(check.notice.fields)).not.toContain("mac");
    expect(Object.keys(check.notice.fields)).not.toContain("privateKey");
    expect(check.notice.fields.orderId).toBe("ZCO-181818");
  });

  it("garbage never throws", () => {
    const client = provider();
    const samples = [
      Buffer.from([0xff, 0xfe, 0x00, 0x81]),
      Buffer.alloc(0),
      Buffer.from('{"data":{"toJSON":1},"overallMac":"00"}'),
      Buffer.from('{"__proto__":{"data":{}},"overallMac":1}'),
      Buffer.from(`{"data":${"[".repeat(5000)}${"]".repeat(5000)}}`),
      Buffer.from(JSON.stringify({ data: { appId: CHECKOUT_APP_ID, nested: { deep: [1, { x: null }] } } })),
    ];
    for (let i = 0; i < 200; i++)
      samples.push(Buffer.from(Array.from({ length: i }, (_, j) => (i * 31 + j * 7) % 256)));
    for (const sample of samples) {
      const check = client.verifyCallback(sample, { "content-type": "application/json" });
      expect(check.ok).toBe(false);
    }
  });
});

describe("ZaloCheckoutProvider.callbackAnswer", () => {
  it("returnCode 1 for applied and duplicate, 0 for refused and error; always HTTP 200", () => {
    const client = provider();
    expect(client.callbackAnswer("applied")).toMatchObject({ status: 200, body: { returnCode: 1 } });
    expect(client.callbackAnswer("duplicate")).toMatchObject({ status: 200, body: { returnCode: 1 } });
    expect(client.callbackAnswer("refused")).toMatchObject({ status: 200, body: { returnCode: 0 } });
    expect(client.callbackAnswer("error")).toMatchObject({ status: 200, body: { returnCode: 0 } });
    for (const result of ["applied", "duplicate", "refused", "error"] as const) {
      expect(typeof (client.callbackAnswer(result).body as { returnMessage: unknown }).returnMessage).toBe("string");
    }
  });
});

describe("ZaloCheckoutProvider.updateOrderStatus", () => {
  it("reports a custom method's result with a correct mac; the order then reads as paid", async () => {
    const checkout = fakeCheckout();
    mockServer.use(...checkout.handlers);
    const orderId = checkout.createOrder({ amount: 30000, extradata: EXTRADATA });
    const client = provider();
    await client.updateOrderStatus({ orderId, resultCode: 1 });
    const request = checkout.state.requests.find((r) => r.operation === "update-order-status");
    expect(request?.body).toEqual({
      appId: CHECKOUT_APP_ID,
      orderId,
      resultCode: 1,
      mac: updateOrderStatusMac(CHECKOUT_PRIVATE_KEY, { appId: CHECKOUT_APP_ID, orderId, resultCode: 1 }),
    });
    expect(await client.status(attempt({ providerOrderId: orderId }))).toMatchObject({ state: "paid", amount: 30000 });
  });

  it("the endpoint is configurable; Checkout's refusal and a wrong shape are errors", async () => {
    const checkout = fakeCheckout({ updateOrderStatusPath: "/api/v2/update-order-status" });
    mockServer.use(...checkout.handlers);
    const orderId = checkout.createOrder({ amount: 30000, extradata: EXTRADATA });
    await provider({ updateOrderStatusUrl: `${CHECKOUT_URL}/api/v2/update-order-status` }).updateOrderStatus({
      orderId,
      resultCode: -1,
    });
    expect(checkout.order(orderId).returnCode).toBe(-1);

    const wrongKey = provider({
      updateOrderStatusUrl: `${CHECKOUT_URL}/api/v2/update-order-status`,
      privateKey: "not-the-key",
    });
    expect(await rejection(wrongKey.updateOrderStatus({ orderId, resultCode: 1 }))).toMatchObject({
      failure: "rejected",
    });
    mockServer.use(
      http.post(`${CHECKOUT_URL}/api/transaction/custom/update-order-status`, () => HttpResponse.json({ ok: true })),
    );
    expect(await rejection(provider().updateOrderStatus({ orderId, resultCode: 1 }))).toMatchObject({
      failure: "malformed",
    });
  });
});
