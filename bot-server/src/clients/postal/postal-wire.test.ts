import fs from "node:fs";
import { currentCommunes, POST_STATUSES } from "@qn/shared";
import { describe, expect, it } from "vitest";
import { SANDBOX_STATUS_CODES, s10ItemCode } from "../../modules/postal/sandbox-post";
import type { PostOrderRequest } from "./post";
import {
  CALLBACK_TOLERANCE_MS,
  checkPostCallback,
  createOrderBody,
  DEFAULT_POST_UNIT_CODES,
  POST_ACCEPTED,
  POST_PATHS,
  POST_STATUS_CODES,
  PostalWireError,
  postAddressLine,
  postCallbackHeaders,
  postStatusOf,
  postUnitCode,
  postUnitCodes,
  readActionAnswer,
  readCreateAnswer,
  readFindAnswer,
  readPostCallback,
  readPostTime,
  readTrackAnswer,
  redeliverBody,
  SERVICE_TYPES,
  signPostCallback,
  toPostTime,
  verifyPostCallbackSignature,
} from "./postal-wire";

/*
 * Known-answer vector of the callback signature, computed independently of the code under test: the body below was
 * typed out (UTF-8, NFC) and signed in a shell with
 *     printf '%s' "1759393800.$BODY" | openssl dgst -sha256 -hmac 'post-callback-secret-QN'
 * and again with python3 `hmac.new(b"post-callback-secret-QN", ("1759393800." + body).encode("utf-8"),
 * hashlib.sha256).hexdigest()`; both gave the hex written next to it. 1759393800 is 2025-10-02T08:30:00Z.
 */
const SECRET = "post-callback-secret-QN";
const TIMESTAMP = "1759393800";
const CALLBACK_TEXT =
  '{"EventId":"EB123456785VN-3","ItemCode":"EB123456785VN","OrderNumber":"000.00.20.H49-251001-0007","ClientReference":"BC20251002083000000001","StatusCode":"500","Time":"2025-10-02T15:30:00.000+07:00","Note":"Đã phát thành công","ReceiverName":"Nguyễn Thị Hoa","ProofUrl":"https://buudien.test/proof/EB123456785VN.jpg"}';
const CALLBACK_HEX = "b149ccfa2ed35fd62c8c0cbc742f94fc33ea57cec6f9a831189e2a046270e503";
const SIGNED_AT = Number(TIMESTAMP) * 1000;

const openapi = JSON.parse(
  fs.readFileSync(new URL("../../../../docs/postal-api/openapi.json", import.meta.url), "utf8"),
);

const request: PostOrderRequest = {
  reference: "BC20251002083000000001",
  orderNumber: "000.00.20.H49-251001-0007",
  kind: "delivery",
  waybill: null,
  customerCode: "QN-HG-001",
  sender: {
    name: "Bộ phận một cửa phường Hồng Gai",
    phone: "0203 3825 555",
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

describe("the callback signature", () => {
  const body = Buffer.from(CALLBACK_TEXT, "utf8");
  const headers = { "x-post-timestamp": TIMESTAMP, "x-post-signature": CALLBACK_HEX };

  it("is the lowercase hex HMAC-SHA256 over `timestamp.body` (the hand-computed vector)", () => {
    expect(signPostCallback(SECRET, TIMESTAMP, body)).toBe(CALLBACK_HEX);
    expect(postCallbackHeaders(SECRET, body, SIGNED_AT + 999)).toEqual({
      "X-Post-Timestamp": TIMESTAMP,
      "X-Post-Signature": CALLBACK_HEX,
    });
  });

  it("verifies the vector, whatever the case of the header names and of the hex", () => {
    expect(verifyPostCallbackSignature({ rawBody: body, headers, secret: SECRET, now: SIGNED_AT })).toEqual({
      ok: true,
    });
    const shouted = { "X-Post-Timestamp": TIMESTAMP, "X-POST-SIGNATURE": CALLBACK_HEX.toUpperCase() };
    expect(verifyPostCallbackSignature({ rawBody: body, headers: shouted, secret: SECRET, now: SIGNED_AT }).ok).toBe(
      true,
    );
  });

  it("refuses another secret, a changed byte, a changed timestamp, a missing or repeated header", () => {
    const verify = (h: Record<string, string | string[] | undefined>, raw = body, secret = SECRET) =>
      verifyPostCallbackSignature({ rawBody: raw, headers: h, secret, now: SIGNED_AT });
    expect(verify(headers, body, "another-secret")).toEqual({ ok: false, reason: "signature" });
    expect(verify(headers, Buffer.from(CALLBACK_TEXT.replace("500", "550")))).toEqual({
      ok: false,
      reason: "signature",
    });
    expect(verify({ ...headers, "x-post-timestamp": String(Number(TIMESTAMP) + 1) })).toEqual({
      ok: false,
      reason: "signature",
    });
    expect(verify({ "x-post-timestamp": TIMESTAMP })).toEqual({ ok: false, reason: "signature" });
    expect(verify({ "x-post-signature": CALLBACK_HEX })).toEqual({ ok: false, reason: "signature" });
    expect(verify({ ...headers, "x-post-signature": [CALLBACK_HEX, CALLBACK_HEX] })).toEqual({
      ok: false,
      reason: "signature",
    });
    expect(verify({ ...headers, "x-post-signature": `sha256=${CALLBACK_HEX}` })).toEqual({
      ok: false,
      reason: "signature",
    });
    expect(verify({ ...headers, "x-post-signature": CALLBACK_HEX.slice(2) })).toEqual({
      ok: false,
      reason: "signature",
    });
    expect(verify(headers, body, "")).toEqual({ ok: false, reason: "signature" });
  });

  it("is stale more than 5 minutes from our clock, either way", () => {
    const at = (now: number) => verifyPostCallbackSignature({ rawBody: body, headers, secret: SECRET, now });
    expect(at(SIGNED_AT + CALLBACK_TOLERANCE_MS).ok).toBe(true);
    expect(at(SIGNED_AT - CALLBACK_TOLERANCE_MS).ok).toBe(true);
    expect(at(SIGNED_AT + CALLBACK_TOLERANCE_MS + 1)).toEqual({ ok: false, reason: "stale" });
    expect(at(SIGNED_AT - CALLBACK_TOLERANCE_MS - 1)).toEqual({ ok: false, reason: "stale" });
  });

  it("checks a whole callback: signature, then time, then shape; never throws", () => {
    const check = checkPostCallback(body, headers, SECRET, SIGNED_AT + 2_000);
    expect(check).toEqual({
      ok: true,
      report: {
        waybill: "EB123456785VN",
        orderNumber: "000.00.20.H49-251001-0007",
        reference: "BC20251002083000000001",
        status: "delivered",
        at: "2025-10-02T08:30:00.000Z",
        eventId: "EB123456785VN-3",
        note: "Đã phát thành công",
        proof: {
          receivedBy: "Nguyễn Thị Hoa",
          at: "2025-10-02T08:30:00.000Z",
          note: "Đã phát thành công",
          url: "https://buudien.test/proof/EB123456785VN.jpg",
        },
      },
    });
    // A bad signature is told before the time, the time before the shape.
    expect(checkPostCallback(body, headers, "other", SIGNED_AT + 3_600_000)).toEqual({
      ok: false,
      reason: "signature",
    });
    const notJson = Buffer.from("{not json");
    const signedNotJson = postCallbackHeaders(SECRET, notJson, SIGNED_AT);
    expect(checkPostCallback(notJson, signedNotJson, SECRET, SIGNED_AT + 3_600_000)).toEqual({
      ok: false,
      reason: "stale",
    });
    expect(checkPostCallback(notJson, signedNotJson, SECRET, SIGNED_AT)).toEqual({ ok: false, reason: "malformed" });
    for (const bad of [
      { ...JSON.parse(CALLBACK_TEXT), StatusCode: "999" },
      { ...JSON.parse(CALLBACK_TEXT), Time: "2025-10-02 15:30:00" },
      { ...JSON.parse(CALLBACK_TEXT), ItemCode: "" },
      [JSON.parse(CALLBACK_TEXT)],
      null,
    ]) {
      const raw = Buffer.from(JSON.stringify(bad));
      expect(checkPostCallback(raw, postCallbackHeaders(SECRET, raw, SIGNED_AT), SECRET, SIGNED_AT)).toEqual({
        ok: false,
        reason: "malformed",
      });
    }
  });
});

describe("a callback body", () => {
  const base = JSON.parse(CALLBACK_TEXT) as Record<string, unknown>;

  it("gives a proof only with a delivery, and only an https link in it", () => {
    expect(readPostCallback({ ...base, StatusCode: "300", ReceiverName: null, ProofUrl: null }).proof).toBeNull();
    expect(readPostCallback({ ...base, ProofUrl: "http://buudien.test/p.jpg" }).proof?.url).toBeNull();
    expect(readPostCallback({ ...base, ProofUrl: "javascript:alert(1)" }).proof?.url).toBeNull();
    expect(readPostCallback({ ...base, ProofUrl: undefined, ReceiverName: undefined, Note: undefined }).proof).toEqual({
      receivedBy: null,
      at: "2025-10-02T08:30:00.000Z",
      note: null,
      url: null,
    });
  });

  it("takes ids and codes written as numbers, and cleans the post's text of hidden characters", () => {
    const report = readPostCallback({
      ...base,
      EventId: 42,
      StatusCode: 550,
      Note: "Không liên\u202E lạc được\r\nvới người nhận\u0000",
      ClientReference: null,
    });
    expect(report).toMatchObject({ eventId: "42", status: "failed", reference: null, proof: null });
    expect(report.note).toBe("Không liên lạc được với người nhận");
  });

  it("clips a long note and receiver name", () => {
    const report = readPostCallback({ ...base, Note: "x".repeat(400), ReceiverName: "Nguyễn ".repeat(40) });
    expect([...(report.note ?? "")]).toHaveLength(300);
    expect([...(report.proof?.receivedBy ?? "")].length).toBeLessThanOrEqual(120);
  });
});

describe("status codes and service types", () => {
  it("has one code per status the post reports, read back to the same status", () => {
    expect(Object.keys(POST_STATUS_CODES).sort()).toEqual([...POST_STATUSES.options].sort());
    for (const [status, code] of Object.entries(POST_STATUS_CODES)) expect(postStatusOf(code)).toBe(status);
    expect(postStatusOf("400")).toBeUndefined();
    expect(POST_ACCEPTED).toBe("100");
    expect(SERVICE_TYPES).toEqual({ pickup: "THU_GOM", delivery: "PHAT_KET_QUA" });
  });

  it("agrees with the OpenAPI document and with the fake post", () => {
    const schemas = openapi.components.schemas;
    expect([...schemas.StatusCode.enum].sort()).toEqual(Object.values(POST_STATUS_CODES).sort());
    expect(SANDBOX_STATUS_CODES).toEqual(POST_STATUS_CODES);
    expect([...schemas.ServiceType.enum].sort()).toEqual(Object.values(SERVICE_TYPES).sort());
    expect(Object.keys(openapi.paths).sort()).toEqual(
      [
        POST_PATHS.orders,
        POST_PATHS.tracking("{ItemCode}"),
        POST_PATHS.cancel("{ItemCode}"),
        POST_PATHS.redeliver("{ItemCode}"),
      ]
        .map(decodeURIComponent)
        .sort(),
    );
  });
});

describe("unit codes", () => {
  it("maps each of the 54 current communes, by default to itself in province 22", () => {
    const communes = currentCommunes();
    expect(communes).toHaveLength(54);
    expect(Object.keys(DEFAULT_POST_UNIT_CODES).sort()).toEqual(communes.map((c) => c.code).sort());
    for (const commune of communes) {
      expect(postUnitCode(commune.code)).toEqual({ province: "22", ward: commune.code });
    }
  });

  it("takes an override over the defaults, and refuses a commune the table lacks", () => {
    const codes = postUnitCodes({ "06652": { province: "QNH", ward: "P-HATU" } });
    expect(postUnitCode("06652", codes)).toEqual({ province: "QNH", ward: "P-HATU" });
    expect(postUnitCode("06658", codes)).toEqual({ province: "22", ward: "06658" });
    expect(() => postUnitCode("00001")).toThrow(PostalWireError);
  });
});

describe("the create message", () => {
  it("carries the known fields and ours, the addresses written out, nothing empty", () => {
    const body = createOrderBody(request);
    expect(body).toEqual({
      CustomerCode: "QN-HG-001",
      OrderNumber: "000.00.20.H49-251001-0007",
      ClientReference: "BC20251002083000000001",
      ServiceType: "PHAT_KET_QUA",
      CODAmount: 35000,
      SenderFullname: "Bộ phận một cửa phường Hồng Gai",
      SenderTel: "0203 3825 555",
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
    // Every field it can write is in the contract, and every field the contract requires is written.
    const schema = openapi.components.schemas.CreateOrder;
    for (const key of Object.keys(body)) expect(Object.keys(schema.properties)).toContain(key);
    for (const key of schema.required) expect(body).toHaveProperty(key);
  });

  it("writes a pooled waybill, a pick-up window and a note; clips the description; uses the unit table", () => {
    const body = createOrderBody(
      {
        ...request,
        kind: "pickup",
        waybill: "EB123456785VN",
        customerCode: null,
        pickupWindow: { date: "2025-10-03", from: "08:00", to: "11:30" },
        note: "Gọi trước khi đến",
        description: "Hồ sơ gốc ".repeat(40),
      },
      postUnitCodes({ "06652": { province: "QNH", ward: "P-HATU" } }),
    );
    expect(body).toMatchObject({
      ItemCode: "EB123456785VN",
      ServiceType: "THU_GOM",
      PickupDate: "2025-10-03",
      PickupFrom: "08:00",
      PickupTo: "11:30",
      Note: "Gọi trước khi đến",
      ReceiverProvinceId: "QNH",
      ReceiverWardId: "P-HATU",
    });
    expect(body).not.toHaveProperty("CustomerCode");
    expect([...body.Description]).toHaveLength(200);
    expect(body.Description.endsWith("…")).toBe(true);
  });

  it("refuses an amount that is not whole VND, and a commune the table lacks", () => {
    expect(() => createOrderBody({ ...request, codAmount: 10.5 })).toThrow(RangeError);
    expect(() => createOrderBody({ ...request, codAmount: -1 })).toThrow(RangeError);
    expect(() => createOrderBody({ ...request, receiver: { ...request.receiver, communeCode: "99999" } })).toThrow(
      PostalWireError,
    );
  });

  it("writes the redeliver message: nothing for the same receiver, the five Receiver fields for a new one", () => {
    expect(redeliverBody(null)).toEqual({});
    expect(
      redeliverBody({
        ...request.receiver,
        street: "Tổ 7, khu 2",
        communeCode: "06658",
        communeName: "Phường Cao Xanh",
      }),
    ).toEqual({
      ReceiverFullname: "Nguyễn Thị Hoa",
      ReceiverTel: "0912345678",
      ReceiverAddress: "Tổ 7, khu 2, Phường Cao Xanh, tỉnh Quảng Ninh",
      ReceiverProvinceId: "22",
      ReceiverWardId: "06658",
    });
  });
});

describe("the address line", () => {
  it("is the street, the commune and the province, each once, in NFC", () => {
    expect(postAddressLine({ street: "  Số 5,  tổ 3 ,khu 4 ", communeName: "Phường Hà Tu" })).toBe(
      "Số 5, tổ 3, khu 4, Phường Hà Tu, tỉnh Quảng Ninh",
    );
    expect(postAddressLine({ street: "Thôn 2, Xã Quảng La", communeName: "Xã Quảng La" })).toBe(
      "Thôn 2, Xã Quảng La, tỉnh Quảng Ninh",
    );
    expect(postAddressLine({ street: "Thôn 2, xã Quảng La, Tỉnh Quảng Ninh", communeName: "Xã Quảng La" })).toBe(
      "Thôn 2, Xã Quảng La, tỉnh Quảng Ninh",
    );
    // "ế" typed as e + U+0302 + U+0301 is written precomposed.
    expect(postAddressLine({ street: "Phố Bến Đoan".normalize("NFD"), communeName: "Phường Hồng Gai" })).toBe(
      "Phố Bến Đoan, Phường Hồng Gai, tỉnh Quảng Ninh",
    );
  });
});

describe("times", () => {
  it("are written in Vietnam time with milliseconds and read back as UTC", () => {
    const ms = Date.parse("2025-10-01T17:30:05.123Z");
    expect(toPostTime(ms)).toBe("2025-10-02T00:30:05.123+07:00");
    expect(readPostTime(toPostTime(ms))).toBe("2025-10-01T17:30:05.123Z");
    expect(readPostTime("2025-10-01T17:30:05Z")).toBe("2025-10-01T17:30:05.000Z");
    expect(readPostTime("20251002003005")).toBe("2025-10-01T17:30:05.000Z");
  });

  it("refuses a time without a zone, an impossible date, or anything else", () => {
    for (const bad of ["2025-10-02T00:30:05", "2025-02-30T00:00:00+07:00", "20250231120000", "hôm qua", ""]) {
      expect(readPostTime(bad)).toBeUndefined();
    }
  });
});

describe("answers", () => {
  const at = "2025-10-02T01:30:00.000Z";

  it("reads a created order, or the post's refusal", () => {
    expect(
      readCreateAnswer(
        {
          Status: "100",
          ItemCode: "EB123456785VN",
          OrderNumber: request.orderNumber,
          ClientReference: request.reference,
        },
        request,
        at,
      ),
    ).toEqual({
      kind: "created",
      order: {
        waybill: "EB123456785VN",
        orderNumber: request.orderNumber,
        reference: request.reference,
        status: "created",
        at,
      },
    });
    expect(readCreateAnswer({ Status: 100, ItemCode: "EB123456785VN" }, request, at)).toMatchObject({
      kind: "created",
      order: { reference: null },
    });
    expect(readCreateAnswer({ Status: "102", Message: "Sai mã khách hàng" }, request, at)).toEqual({
      kind: "refused",
      refusal: { code: "102", message: "Sai mã khách hàng" },
    });
  });

  it("finds an answer about another order, or one without a waybill, malformed", () => {
    for (const bad of [
      { Status: "100" },
      { Status: "100", ItemCode: "EB1", OrderNumber: "another" },
      { Status: "100", ItemCode: "EB1", ClientReference: "BC-another-one" },
      { Message: "no status" },
      "100",
    ]) {
      expect(() => readCreateAnswer(bad, request, at)).toThrow(PostalWireError);
    }
  });

  it("reads cancel and redeliver answers", () => {
    expect(readActionAnswer({ Status: "100" }, "cancel")).toEqual({ ok: true });
    expect(readActionAnswer({ Status: "409", Message: null }, "cancel")).toEqual({
      ok: false,
      refusal: { code: "409", message: "" },
    });
    expect(() => readActionAnswer({}, "cancel")).toThrow(PostalWireError);
  });

  it("finds the order made for our reference among those with the number", () => {
    const orders = [
      {
        ItemCode: "EB100000015VN",
        OrderNumber: request.orderNumber,
        ClientReference: "BC-pickup-of-the-same-dossier",
        StatusCode: "500",
        StatusTime: "2025-10-01T10:00:00+07:00",
      },
      { ItemCode: "EB100000024VN", OrderNumber: request.orderNumber, StatusCode: "100", StatusTime: toPostTime(0) },
      {
        ItemCode: "EB100000033VN",
        OrderNumber: request.orderNumber,
        ClientReference: request.reference,
        StatusCode: "200",
        StatusTime: "2025-10-02T09:00:00.000+07:00",
      },
    ];
    const asked = { orderNumber: request.orderNumber, reference: request.reference };
    expect(readFindAnswer({ Orders: orders }, asked)).toEqual({
      waybill: "EB100000033VN",
      orderNumber: request.orderNumber,
      reference: request.reference,
      status: "picked-up",
      at: "2025-10-02T02:00:00.000Z",
    });
    // One that does not echo a reference is not taken for ours.
    expect(readFindAnswer({ Orders: orders.slice(0, 2) }, asked)).toBeNull();
    expect(readFindAnswer({ Orders: [] }, asked)).toBeNull();
    expect(() => readFindAnswer({ Orders: [{ ...orders[2], StatusCode: "999" }] }, asked)).toThrow(PostalWireError);
    expect(() => readFindAnswer({ orders: [] }, asked)).toThrow(PostalWireError);
  });

  it("gives the tracking events oldest first, leaving out the codes it does not know", () => {
    const { reports, unknownCodes } = readTrackAnswer(
      {
        ItemCode: "EB123456785VN",
        OrderNumber: request.orderNumber,
        ClientReference: request.reference,
        Events: [
          { EventId: "3", StatusCode: "300", Time: "2025-10-02T10:00:00+07:00" },
          { EventId: "1", StatusCode: "100", Time: "2025-10-02T08:00:00+07:00" },
          { EventId: "x", StatusCode: "250", Time: "2025-10-02T09:30:00+07:00", Note: "Đến bưu cục Hạ Long" },
          { EventId: "2", StatusCode: "200", Time: "2025-10-02T09:00:00+07:00" },
          { EventId: "4", StatusCode: "550", Time: "2025-10-02T03:00:00Z", Note: "Vắng nhà" },
          { EventId: "5", StatusCode: "300", Time: "2025-10-02T03:00:00Z" },
        ],
      },
      "EB123456785VN",
    );
    expect(reports.map((r) => [r.eventId, r.status])).toEqual([
      ["1", "created"],
      ["2", "picked-up"],
      ["3", "in-transit"],
      ["4", "failed"],
      ["5", "in-transit"],
    ]);
    expect(reports[3]).toMatchObject({ note: "Vắng nhà", reference: request.reference, waybill: "EB123456785VN" });
    expect(unknownCodes).toEqual(["250"]);
  });

  it("finds a tracking answer about another waybill malformed", () => {
    expect(() => readTrackAnswer({ ItemCode: "EB000000000VN", OrderNumber: "x", Events: [] }, "EB123456785VN")).toThrow(
      PostalWireError,
    );
    expect(() => readTrackAnswer({ ItemCode: "EB123456785VN", OrderNumber: "x" }, "EB123456785VN")).toThrow(
      PostalWireError,
    );
  });
});

describe("waybill numbers of the fake post", () => {
  it("are UPU S10: two letters, eight digits, the check digit, VN", () => {
    // 1·8 + 2·6 + 3·4 + 4·2 + 5·3 + 6·5 + 7·9 + 8·7 = 204; 204 mod 11 = 6; 11 − 6 = 5.
    expect(s10ItemCode(12345678)).toBe("EB123456785VN");
    expect(s10ItemCode(10000001)).toMatch(/^EB\d{9}VN$/);
    expect(() => s10ItemCode(123456789)).toThrow(RangeError);
  });
});
