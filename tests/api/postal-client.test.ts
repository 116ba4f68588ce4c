import { HttpResponse, http } from "msw";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PostError, type PostOrderRequest } from "../../bot-server/src/clients/postal/post";
import { PostalClient, type PostalClientOptions } from "../../bot-server/src/clients/postal/postal.client";
import { createLogger } from "../../bot-server/src/logger";
import {
  type FakePost,
  fakePost,
  POST_CALLBACK_SECRET,
  POST_CALLBACK_URL,
  POST_PROOF_URL,
  POST_TOKEN,
  POST_URL,
} from "../mocks/post";
import { mockServer } from "../mocks/server";

/** A result delivered by post to Nguyễn Thị Hoa in Hà Tu, from the one-stop counter of Bãi Cháy. */
const delivery: PostOrderRequest = {
  reference: "BC20251002083000000001",
  orderNumber: "000.00.20.H49-251001-0007",
  kind: "delivery",
  waybill: null,
  customerCode: "QN-BC-001",
  sender: {
    name: "Bộ phận một cửa phường Bãi Cháy",
    phone: "0203 3846 111",
    street: "Số 1 đường Hạ Long",
    communeCode: "06673",
    communeName: "Phường Bãi Cháy",
  },
  receiver: {
    name: "Nguyễn Thị Hoa",
    phone: "0912345678",
    street: "Số 5, tổ 3, khu 4",
    communeCode: "06652",
    communeName: "Phường Hà Tu",
  },
  codAmount: 35000,
  description: "Kết quả hồ sơ 000.00.20.H49-251001-0007",
  pickupWindow: null,
  note: null,
};

/** The pick-up of the same dossier's originals: the same order number, another reference. */
const pickup: PostOrderRequest = {
  ...delivery,
  reference: "BC20251001090000000002",
  kind: "pickup",
  sender: delivery.receiver,
  receiver: delivery.sender,
  codAmount: 0,
  description: "Hồ sơ gốc 000.00.20.H49-251001-0007",
  pickupWindow: { date: "2025-10-03", from: "08:00", to: "11:30" },
  note: "Gọi trước 15 phút",
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

let fake: FakePost;
let log: ReturnType<typeof recordingLogger>;

function client(overrides: Partial<PostalClientOptions> = {}) {
  return new PostalClient({ ...fake.clientOptions, timeoutMs: 2_000, ...overrides }, log.logger);
}

async function failure(promise: Promise<unknown>): Promise<PostError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PostError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

beforeEach(() => {
  fake = fakePost();
  mockServer.use(...fake.handlers);
  log = recordingLogger();
});

afterEach(async () => {
  await fake.post.close();
});

describe("creating an order", () => {
  it("sends the order with the Bearer token and our reference as Idempotency-Key, and gives the waybill", async () => {
    const before = Date.now();
    const order = await client().create(delivery);
    expect(order).toMatchObject({
      orderNumber: delivery.orderNumber,
      reference: delivery.reference,
      status: "created",
    });
    expect(order.waybill).toMatch(/^EB\d{9}VN$/);
    expect(Date.parse(order.at)).toBeGreaterThanOrEqual(before);
    const [request] = fake.post.requests;
    expect(request).toMatchObject({ operation: "create", authorized: true, idempotencyKey: delivery.reference });
    expect(request?.body).toEqual({
      CustomerCode: "QN-BC-001",
      OrderNumber: delivery.orderNumber,
      ClientReference: delivery.reference,
      ServiceType: "PHAT_KET_QUA",
      CODAmount: 35000,
      SenderFullname: "Bộ phận một cửa phường Bãi Cháy",
      SenderTel: "0203 3846 111",
      SenderAddress: "Số 1 đường Hạ Long, Phường Bãi Cháy, tỉnh Quảng Ninh",
      SenderProvinceId: "22",
      SenderWardId: "06673",
      ReceiverFullname: "Nguyễn Thị Hoa",
      ReceiverTel: "0912345678",
      ReceiverAddress: "Số 5, tổ 3, khu 4, Phường Hà Tu, tỉnh Quảng Ninh",
      ReceiverProvinceId: "22",
      ReceiverWardId: "06652",
      Description: "Kết quả hồ sơ 000.00.20.H49-251001-0007",
    });
    expect(fake.post.order(order.waybill)).toMatchObject({
      status: "created",
      creates: 1,
      serviceType: "PHAT_KET_QUA",
    });
  });

  it("sends a pick-up with its window and a pooled waybill; a pooled waybill already used is rejected", async () => {
    const order = await client().create({ ...pickup, waybill: "EB123456785VN" });
    expect(order.waybill).toBe("EB123456785VN");
    expect(fake.post.order("EB123456785VN")).toMatchObject({
      serviceType: "THU_GOM",
      pickup: { date: "2025-10-03", from: "08:00", to: "11:30" },
      note: "Gọi trước 15 phút",
    });
    const error = await failure(client().create({ ...delivery, waybill: "EB123456785VN" }));
    expect(error).toMatchObject({ failure: "rejected", retryable: false, httpStatus: 409 });
  });

  it("sends the post's own unit codes when they are configured", async () => {
    const order = await client({ unitCodes: { "06652": { province: "QNH", ward: "HATU-01" } } }).create(delivery);
    expect(fake.post.order(order.waybill)?.receiver).toMatchObject({ ProvinceId: "QNH", WardId: "HATU-01" });
    expect(fake.post.order(order.waybill)?.sender).toMatchObject({ ProvinceId: "22", WardId: "06673" });
  });

  it("refuses a commune the unit table lacks without asking the post", async () => {
    const error = await failure(
      client().create({ ...delivery, receiver: { ...delivery.receiver, communeCode: "99999" } }),
    );
    expect(error).toMatchObject({ failure: "rejected", retryable: false });
    expect(fake.post.requests).toHaveLength(0);
  });

  it("with the same reference again gives back the same order", async () => {
    const first = await client().create(delivery);
    const again = await client().create(delivery);
    expect(again.waybill).toBe(first.waybill);
    expect(fake.post.withOrderNumber(delivery.orderNumber)).toHaveLength(1);
    expect(fake.post.order(first.waybill)?.creates).toBe(2);
  });

  it("after a timeout: the order exists, is found by its number, and creating again does not make a second", async () => {
    fake.post.slowCreate(1_000);
    const started = Date.now();
    const error = await failure(client({ timeoutMs: 150 }).create(delivery));
    expect(error).toMatchObject({ failure: "timeout", retryable: true, code: "POSTAL_SERVICE_UNAVAILABLE" });
    expect(Date.now() - started).toBeLessThan(900);

    const found = await client().findByOrderNumber(delivery.orderNumber, delivery.reference);
    expect(found).toMatchObject({
      orderNumber: delivery.orderNumber,
      reference: delivery.reference,
      status: "created",
    });
    const again = await client().create(delivery);
    expect(again.waybill).toBe(found?.waybill);
    const orders = fake.post.withOrderNumber(delivery.orderNumber);
    expect(orders).toHaveLength(1);
    expect(orders[0]?.creates).toBe(2);
  });

  it("after a 502 from a gateway that lost the post's answer: found by its number all the same", async () => {
    fake.failNext("create", () => new HttpResponse("Bad gateway", { status: 502 }), { afterHandling: true });
    expect(await failure(client().create(delivery))).toMatchObject({ failure: "server-error", retryable: true });
    const found = await client().findByOrderNumber(delivery.orderNumber, delivery.reference);
    expect(found?.waybill).toBe(fake.post.withOrderNumber(delivery.orderNumber)[0]?.itemCode);
  });

  it("is rejected, not to be retried, on a 4xx or a refusal Status", async () => {
    const wrongToken = await failure(client({ token: "expired-token" }).create(delivery));
    expect(wrongToken).toMatchObject({ failure: "rejected", httpStatus: 401, retryable: false });
    expect(wrongToken.detail).toContain("Status 401");
    expect(wrongToken.message).toBe("Bưu điện từ chối yêu cầu.");

    const badPhone = await failure(
      client().create({ ...delivery, receiver: { ...delivery.receiver, phone: "gọi em" } }),
    );
    expect(badPhone).toMatchObject({ failure: "rejected", httpStatus: 400, retryable: false });

    fake.failNext("create", () => HttpResponse.json({ Status: "102", Message: "Sai mã khách hàng" }));
    const refused = await failure(client().create(delivery));
    expect(refused).toMatchObject({ failure: "rejected", httpStatus: 200, retryable: false });
    expect(refused.detail).toContain("Status 102");

    await client().create(delivery);
    const reused = await failure(client().create({ ...delivery, orderNumber: "000.00.20.H49-251001-0008" }));
    expect(reused).toMatchObject({ failure: "rejected", httpStatus: 409 });
  });

  it("is a server error, to be retried, on a 5xx or a 429; a network error when the connection fails", async () => {
    fake.post.down(true);
    const down = await failure(client().create(delivery));
    expect(down).toMatchObject({ failure: "server-error", httpStatus: 503, retryable: true });
    expect(down.message).toContain("sẽ được gửi lại tự động");
    expect(fake.post.list()).toHaveLength(0);

    fake.failNext("create", () => new HttpResponse("Too many requests", { status: 429 }));
    expect(await failure(client().create(delivery))).toMatchObject({ failure: "server-error", retryable: true });

    mockServer.use(http.post(`${POST_URL}/api/orders`, () => HttpResponse.error()));
    expect(await failure(client().create(delivery))).toMatchObject({ failure: "network", retryable: true });

    // The post is back: the order that waited goes through, once.
    mockServer.resetHandlers(...fake.handlers);
    fake.post.down(false);
    const order = await client().create(delivery);
    expect(fake.post.list().map((o) => o.itemCode)).toEqual([order.waybill]);
  });

  it("is malformed when the answer is not JSON, lacks the waybill, is about another order, or redirects", async () => {
    const answers = [
      () => new HttpResponse("<html>Bảo trì</html>", { headers: { "Content-Type": "text/html" } }),
      () => HttpResponse.json({ Status: "100", Message: "OK" }),
      () => HttpResponse.json({ Status: "100", ItemCode: "EB100000015VN", OrderNumber: "another-dossier" }),
      () => HttpResponse.json({ Message: "Thành công" }),
      () => new HttpResponse(null, { status: 302, headers: { Location: "https://elsewhere.test/" } }),
    ];
    for (const answer of answers) {
      fake.failNext("create", answer);
      expect(await failure(client().create(delivery))).toMatchObject({ failure: "malformed", retryable: false });
    }
  });
});

describe("finding an order by its number", () => {
  it("gives the one made for our reference, not the dossier's other order; null when there is none", async () => {
    const picked = await client().create(pickup);
    const delivered = await client().create(delivery);
    fake.post.advance(picked.waybill);
    expect(await client().findByOrderNumber(delivery.orderNumber, pickup.reference)).toMatchObject({
      waybill: picked.waybill,
      status: "picked-up",
    });
    expect(await client().findByOrderNumber(delivery.orderNumber, delivery.reference)).toMatchObject({
      waybill: delivered.waybill,
      status: "created",
    });
    expect(await client().findByOrderNumber(delivery.orderNumber, "BC20251002090000000099")).toBeNull();
    expect(await client().findByOrderNumber("000.00.20.H49-251001-0999", delivery.reference)).toBeNull();
    expect(fake.post.requests.at(-1)?.path).toBe("/api/orders?OrderNumber=000.00.20.H49-251001-0999");
  });

  it("takes a 404 for none, and a 5xx as a server error", async () => {
    fake.failNext("find", () => HttpResponse.json({ Status: "404" }, { status: 404 }));
    expect(await client().findByOrderNumber(delivery.orderNumber, delivery.reference)).toBeNull();
    fake.post.down(true);
    expect(await failure(client().findByOrderNumber(delivery.orderNumber, delivery.reference))).toMatchObject({
      failure: "server-error",
    });
  });
});

describe("tracking", () => {
  it("gives every status oldest first: a failed delivery, the redelivery, then the delivery with its proof", async () => {
    const { waybill } = await client().create(delivery);
    fake.post.advance(waybill); // picked up at the counter
    fake.post.advance(waybill); // in transit
    fake.post.fail(waybill, "Vắng nhà, đã gọi hai lần");
    await client().redeliver(waybill, null);
    fake.post.advance(waybill); // delivered
    const reports = await client().track(waybill);
    expect(reports.map((r) => r.status)).toEqual([
      "created",
      "picked-up",
      "in-transit",
      "failed",
      "in-transit",
      "delivered",
    ]);
    expect(reports.map((r) => r.at)).toEqual([...reports.map((r) => r.at)].sort());
    expect(new Set(reports.map((r) => r.eventId)).size).toBe(6);
    expect(reports[3]).toMatchObject({ note: "Vắng nhà, đã gọi hai lần", proof: null });
    expect(reports[4]?.note).toBe("Phát lại theo yêu cầu");
    expect(reports[5]).toMatchObject({
      waybill,
      orderNumber: delivery.orderNumber,
      reference: delivery.reference,
      proof: { receivedBy: "Nguyễn Thị Hoa", url: `${POST_PROOF_URL}/${waybill}.jpg`, note: "Đã phát thành công" },
    });
    expect(reports[5]?.proof?.at).toBe(reports[5]?.at);
  });

  it("sorts events the post lists out of order, and leaves out (and logs) codes it does not know", async () => {
    const { waybill } = await client().create(delivery);
    fake.failNext("track", () =>
      HttpResponse.json({
        ItemCode: waybill,
        OrderNumber: delivery.orderNumber,
        ClientReference: delivery.reference,
        Events: [
          { EventId: "e3", StatusCode: "300", Time: "2025-10-02T10:00:00.000+07:00" },
          { EventId: "e2", StatusCode: "200", Time: "2025-10-02T02:00:00.000Z" },
          { EventId: "hub", StatusCode: "250", Time: "2025-10-02T09:30:00.000+07:00", Note: "Đến bưu cục" },
          { EventId: "e1", StatusCode: "100", Time: "2025-10-02T08:00:00.000+07:00" },
        ],
      }),
    );
    const reports = await client().track(waybill);
    expect(reports.map((r) => r.eventId)).toEqual(["e1", "e2", "e3"]);
    expect(log.lines.some((l) => l.includes("unknownCodes") && l.includes("250"))).toBe(true);
  });

  it("is not-found for a waybill the post does not know, malformed for an answer about another", async () => {
    expect(await failure(client().track("EB999999990VN"))).toMatchObject({
      failure: "not-found",
      httpStatus: 404,
      retryable: false,
    });
    const { waybill } = await client().create(delivery);
    fake.failNext("track", () => HttpResponse.json({ ItemCode: "EB000000000VN", OrderNumber: "x", Events: [] }));
    expect(await failure(client().track(waybill))).toMatchObject({ failure: "malformed" });
  });
});

describe("cancelling", () => {
  it("cancels an order not yet picked up (again: still fine), and is rejected once it was", async () => {
    const first = await client().create(delivery);
    await client().cancel(first.waybill);
    expect(fake.post.order(first.waybill)?.status).toBe("cancelled");
    await client().cancel(first.waybill);
    expect(fake.post.order(first.waybill)?.events.map((e) => e.StatusCode)).toEqual(["100", "700"]);
    expect((await client().track(first.waybill)).at(-1)?.status).toBe("cancelled");

    const second = await client().create(pickup);
    fake.post.advance(second.waybill);
    expect(await failure(client().cancel(second.waybill))).toMatchObject({ failure: "rejected", retryable: false });
    expect(fake.post.order(second.waybill)?.status).toBe("picked-up");
    expect(await failure(client().cancel("EB999999990VN"))).toMatchObject({ failure: "not-found" });
  });

  it("reads a refusal given with HTTP 200 as rejected too", async () => {
    const { waybill } = await client().create(delivery);
    fake.failNext("cancel", () => HttpResponse.json({ Status: "409", Message: "Đã lấy hàng" }));
    expect(await failure(client().cancel(waybill))).toMatchObject({ failure: "rejected", httpStatus: 200 });
  });
});

describe("redelivering", () => {
  it("sends a failed delivery to a new receiver, written like any other", async () => {
    const { waybill } = await client().create(delivery);
    fake.post.advance(waybill);
    fake.post.advance(waybill);
    fake.post.fail(waybill, "Sai địa chỉ");
    const moved = { ...delivery.receiver, street: "Tổ 7, khu 2", communeCode: "06658", communeName: "Phường Cao Xanh" };
    await client().redeliver(waybill, moved);
    expect(fake.post.requests.at(-1)?.body).toEqual({
      ReceiverFullname: "Nguyễn Thị Hoa",
      ReceiverTel: "0912345678",
      ReceiverAddress: "Tổ 7, khu 2, Phường Cao Xanh, tỉnh Quảng Ninh",
      ReceiverProvinceId: "22",
      ReceiverWardId: "06658",
    });
    expect(fake.post.order(waybill)).toMatchObject({
      status: "in-transit",
      receiver: { Address: "Tổ 7, khu 2, Phường Cao Xanh, tỉnh Quảng Ninh", WardId: "06658" },
    });
    expect((await client().track(waybill)).at(-1)).toMatchObject({
      status: "in-transit",
      note: "Phát lại tới địa chỉ mới",
    });
    // Asked again after a lost answer: the same outcome, no second event.
    await client().redeliver(waybill, moved);
    expect(fake.post.order(waybill)?.events).toHaveLength(5);
  });

  it("is rejected for an order that did not fail", async () => {
    const { waybill } = await client().create(delivery);
    expect(await failure(client().redeliver(waybill, null))).toMatchObject({ failure: "rejected", httpStatus: 409 });
  });
});

describe("status callbacks", () => {
  it("come signed after every change, and are read as the same reports as tracking", async () => {
    const { waybill } = await client().create(delivery);
    fake.post.advance(waybill);
    fake.post.advance(waybill);
    fake.post.deliver(waybill, "Trần Văn Nam (chồng)");
    await fake.post.flush();
    expect(fake.callbacks).toHaveLength(4);
    const checks = fake.callbacks.map((c) => client().verifyCallback(c.body, c.headers));
    // Sent without waiting for one another, they may arrive in any order: compared by the post's time.
    const reports = checks
      .map((c) => (c.ok ? c.report : null))
      .sort((a, b) => ((a?.at ?? "") < (b?.at ?? "") ? -1 : 1));
    expect(reports).toEqual(await client().track(waybill));
    expect(reports.at(-1)?.proof?.receivedBy).toBe("Trần Văn Nam (chồng)");
    // Each callback was answered 2xx: the fake records it as delivered.
    expect(fake.post.order(waybill)?.callbacks.map((c) => c.delivered)).toEqual([true, true, true, true]);
    // The same callback twice is verified twice with the same event id: the postal service applies it once.
    const [first] = fake.callbacks;
    if (!first) throw new Error("no callback");
    expect(client().verifyCallback(first.body, first.headers)).toEqual(checks[0]);
  });

  it("refuses a bad signature: a changed body, another secret, a missing header", async () => {
    await client().create(delivery);
    await fake.post.flush();
    const [callback] = fake.callbacks;
    if (!callback) throw new Error("no callback");
    const tampered = Buffer.from(callback.body.toString("utf8").replace('"100"', '"500"'));
    expect(client().verifyCallback(tampered, callback.headers)).toEqual({ ok: false, reason: "signature" });
    expect(client({ callbackSecret: "another-secret" }).verifyCallback(callback.body, callback.headers)).toEqual({
      ok: false,
      reason: "signature",
    });
    const { "x-post-signature": _dropped, ...unsigned } = callback.headers;
    expect(client().verifyCallback(callback.body, unsigned)).toEqual({ ok: false, reason: "signature" });
    expect(log.lines.some((l) => l.includes("postal callback refused"))).toBe(true);
  });

  it("refuses a timestamp more than 5 minutes off our clock, either way", async () => {
    await client().create(delivery);
    await fake.post.flush();
    const [callback] = fake.callbacks;
    if (!callback) throw new Error("no callback");
    const sentAt = Number(callback.headers["x-post-timestamp"]) * 1000;
    expect(client({ now: () => sentAt + 4 * 60_000 }).verifyCallback(callback.body, callback.headers).ok).toBe(true);
    for (const offset of [6 * 60_000, -6 * 60_000]) {
      expect(client({ now: () => sentAt + offset }).verifyCallback(callback.body, callback.headers)).toEqual({
        ok: false,
        reason: "stale",
      });
    }
  });

  it("refuses a correctly signed body that is not the contract's", async () => {
    const { createHmac } = await import("node:crypto");
    const signed = (text: string) => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const body = Buffer.from(text);
      const signature = createHmac("sha256", POST_CALLBACK_SECRET).update(`${timestamp}.`).update(body).digest("hex");
      return { body, headers: { "x-post-timestamp": timestamp, "x-post-signature": signature } };
    };
    const good = {
      EventId: "EB100000015VN-1",
      ItemCode: "EB100000015VN",
      OrderNumber: delivery.orderNumber,
      ClientReference: delivery.reference,
      StatusCode: "100",
      Time: "2025-10-02T08:30:00.000+07:00",
    };
    expect(client().verifyCallback(signed(JSON.stringify(good)).body, signed(JSON.stringify(good)).headers).ok).toBe(
      true,
    );
    for (const text of [
      "{not json",
      JSON.stringify({ ...good, StatusCode: "999" }),
      JSON.stringify({ ...good, Time: "02/10/2025 08:30" }),
      JSON.stringify({ ...good, ItemCode: undefined }),
      "[]",
    ]) {
      const { body, headers } = signed(text);
      expect(client().verifyCallback(body, headers)).toEqual({ ok: false, reason: "malformed" });
    }
  });

  it("are recorded as not delivered when our server does not answer 2xx", async () => {
    mockServer.use(http.post(POST_CALLBACK_URL, () => HttpResponse.json({ received: false }, { status: 503 })));
    const { waybill } = await client().create(delivery);
    await fake.post.flush();
    expect(fake.post.order(waybill)?.callbacks).toMatchObject([{ delivered: false, httpStatus: 503 }]);
  });
});

describe("logs", () => {
  it("never hold the token, the callback secret, a phone number or an address", async () => {
    const { waybill } = await client().create(delivery);
    await failure(client({ token: "expired-token" }).create(pickup));
    fake.failNext("create", () => new HttpResponse("<html>", { status: 200 }));
    await failure(client().create(pickup));
    fake.post.advance(waybill);
    fake.post.advance(waybill);
    fake.post.fail(waybill, "Vắng nhà");
    await client().redeliver(waybill, { ...delivery.receiver, phone: "0987654321", street: "Tổ 9, khu 1" });
    await failure(client().cancel(waybill));
    await fake.post.flush();
    const [callback] = fake.callbacks;
    if (callback) client().verifyCallback(Buffer.from("{}"), callback.headers);
    expect(log.lines.length).toBeGreaterThan(3);
    const text = log.lines.join("\n");
    for (const secret of [
      POST_TOKEN,
      "expired-token",
      POST_CALLBACK_SECRET,
      "0912345678",
      "0987654321",
      "0203 3846 111",
      "Số 5, tổ 3",
      "Tổ 9, khu 1",
      "Số 1 đường Hạ Long",
      "Nguyễn Thị Hoa",
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
