import { createHmac, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { type PostalKind, type PostStatus, postalStatusLabel } from "@qn/shared";
import express, { type Request, Router } from "express";
import { z } from "zod";
import type { Logger } from "../../logger";

/**
 * The offline mode's post (issue 15): a local fake of the public postal service that speaks exactly the wire contract
 * of docs/postal-api/openapi.json, so that `npm start` without POSTAL_URL shows the whole postal flow and the tests
 * have a post to talk to (tests/mocks/post.ts through msw, tests/crash/fake-post-process.ts as a process of its own).
 *
 * It keeps orders (in memory, or in a JSON Lines file that survives a kill -9), honours the Idempotency-Key (the same
 * key gives back the same order), gives UPU S10 waybill numbers (`EB…VN`) unless a pooled one is sent, and moves
 * orders through their states when told to — `advance`, `deliver`, `fail`, `returnToSender`, or every `stepMs` with
 * `start` — sending a correctly signed callback after each change. A developer drives it from a small page
 * (`router(basePath)`); tests drive it with `down`, `slowCreate` and read `requests`.
 *
 * The status codes, the service types and the callback signature are written out here again rather than borrowed
 * from the client's mapping module (clients/postal/postal-wire.ts): the fake stands for the post, so a mistake in our
 * mapping must show up as a disagreement with it, not be copied into it. postal-wire.test.ts checks that both agree
 * with the OpenAPI document.
 */

/** The contract's status codes (ours, uncertain: docs/postal-api/openapi.json, StatusCode). */
export const SANDBOX_STATUS_CODES: Readonly<Record<PostStatus, string>> = {
  created: "100",
  "picked-up": "200",
  "in-transit": "300",
  delivered: "500",
  failed: "550",
  returned: "600",
  cancelled: "700",
};

const ACCEPTED = "100";
const SERVICE_KINDS: Readonly<Record<ServiceType, PostalKind>> = { THU_GOM: "pickup", PHAT_KET_QUA: "delivery" };
const FINAL: ReadonlySet<PostStatus> = new Set(["delivered", "returned", "cancelled"]);
const CALLBACK_TIMEOUT_MS = 5_000;
const MAX_REQUESTS_KEPT = 100_000;

type ServiceType = "THU_GOM" | "PHAT_KET_QUA";

export type SandboxParty = { Fullname: string; Tel: string; Address: string; ProvinceId: string; WardId: string };

/** One status of an order, as the tracking answer and the callback carry it. */
export type SandboxEvent = {
  EventId: string;
  StatusCode: string;
  Time: string;
  Note: string | null;
  ReceiverName: string | null;
  ProofUrl: string | null;
};

/** One callback sent: `delivered` when our server answered 2xx within 5 s. */
export type SandboxCallback = {
  eventId: string;
  url: string;
  delivered: boolean;
  httpStatus: number | null;
  error: string | null;
  at: string;
};

export type SandboxOrder = {
  itemCode: string;
  orderNumber: string;
  clientReference: string;
  idempotencyKey: string;
  serviceType: ServiceType;
  customerCode: string | null;
  codAmount: number;
  description: string;
  note: string | null;
  pickup: { date: string; from: string; to: string } | null;
  sender: SandboxParty;
  receiver: SandboxParty;
  status: PostStatus;
  statusTime: string;
  events: SandboxEvent[];
  /** How many create requests were answered with this order (1, plus each replay of its Idempotency-Key). */
  creates: number;
  callbacks: SandboxCallback[];
  createdAt: string;
  /** The serial of the waybill number the fake gave; null for a pooled one. */
  serial: number | null;
};

export type SandboxOperation = "create" | "find" | "track" | "cancel" | "redeliver" | "unknown";

/** What the fake was asked (the token itself is not kept: only whether it was right). */
export type SandboxPostRequest = {
  operation: SandboxOperation;
  method: string;
  path: string;
  authorized: boolean;
  idempotencyKey: string | null;
  body: unknown;
  at: string;
};

export type SandboxRequest = {
  method: string;
  /** The path after the post's base URL, with its query: `/api/orders?OrderNumber=…`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body?: Buffer;
};

export type SandboxResponse = { status: number; body: unknown };

export type SandboxPostOptions = {
  /** The Bearer token the fake expects. */
  token: string;
  /** The secret of the callbacks' signature. */
  callbackSecret: string;
  /** Where the callbacks go (our `/postal/callback`); none: no callbacks. Can be set later (setCallbackUrl). */
  callbackUrl?: string | null;
  /** A JSON Lines file to keep the orders in (created with its directory); none: memory only. */
  stateFile?: string | null;
  /** An https base of the proof links given with a delivery (`<base>/<waybill>.jpg`); none: no proof link. */
  proofBaseUrl?: string | null;
  now?: () => number;
  logger?: Logger;
};

/** A state change the fake refuses (an unknown waybill, a step its state does not allow). Messages are Vietnamese. */
export class SandboxPostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SandboxPostError";
  }
}

// ─── The create body, as the fake post checks it ───────────────────────────────────────────────────────────────────

const Optional = <T extends z.ZodType>(schema: T) =>
  schema
    .nullish()
    .optional()
    .transform((v) => v ?? null);
const Name = z.string().trim().min(1).max(200);
const Tel = z
  .string()
  .trim()
  .regex(/^[0-9 .()+-]{8,20}$/);
const AddressLine = z.string().trim().min(1).max(400);
const UnitId = z.string().trim().min(1).max(20);
const Hour = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
const ItemCodeFormat = /^[A-Z]{2}\d{9}[A-Z]{2}$/;

const CreateBody = z.object({
  CustomerCode: Optional(z.string().max(40)),
  ItemCode: Optional(z.string().regex(ItemCodeFormat)),
  OrderNumber: z.string().min(1).max(60),
  ClientReference: z.string().regex(/^[A-Za-z0-9._:-]{8,128}$/),
  ServiceType: z.enum(["THU_GOM", "PHAT_KET_QUA"]),
  CODAmount: z.number().int().min(0).max(100_000_000),
  SenderFullname: Name,
  SenderTel: Tel,
  SenderAddress: AddressLine,
  SenderProvinceId: UnitId,
  SenderWardId: UnitId,
  ReceiverFullname: Name,
  ReceiverTel: Tel,
  ReceiverAddress: AddressLine,
  ReceiverProvinceId: UnitId,
  ReceiverWardId: UnitId,
  Description: z.string().max(200),
  PickupDate: Optional(z.iso.date()),
  PickupFrom: Optional(Hour),
  PickupTo: Optional(Hour),
  Note: Optional(z.string().max(300)),
});

const RedeliverBody = z.union([
  z.object({
    ReceiverFullname: Name,
    ReceiverTel: Tel,
    ReceiverAddress: AddressLine,
    ReceiverProvinceId: UnitId,
    ReceiverWardId: UnitId,
    Note: Optional(z.string().max(300)),
  }),
  z.object({ Note: Optional(z.string().max(300)) }).strict(),
]);

// ─── Small helpers ─────────────────────────────────────────────────────────────────────────────────────────────────

/** ISO 8601 in Vietnam time with milliseconds and the offset, as the contract writes times. */
function postTime(ms: number): string {
  return new Date(ms + 7 * 3_600_000).toISOString().replace("Z", "+07:00");
}

/**
 * A UPU S10 waybill number: two letters, an 8-digit serial, its check digit (weights 8 6 4 2 3 5 9 7, 11 minus the
 * sum modulo 11; 10 gives 0 and 11 gives 5), and the country, VN. The check digit makes a mistyped number visible.
 */
export function s10ItemCode(serial: number, prefix = "EB"): string {
  const digits = String(serial).padStart(8, "0");
  if (!/^\d{8}$/.test(digits)) throw new RangeError(`Not an 8-digit serial: ${serial}`);
  const weights = [8, 6, 4, 2, 3, 5, 9, 7];
  const sum = [...digits].reduce((total, d, i) => total + Number(d) * (weights[i] ?? 0), 0);
  const check = 11 - (sum % 11);
  return `${prefix}${digits}${check === 10 ? 0 : check === 11 ? 5 : check}VN`;
}

function headerValue(headers: SandboxRequest["headers"], name: string): string | null {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return typeof value === "string" ? value : null;
  }
  return null;
}

const answer = (status: number, body: unknown): SandboxResponse => ({ status, body });
const refusal = (status: number, code: string, message: string): SandboxResponse =>
  answer(status, { Status: code, Message: message });

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

// ─── The fake post ─────────────────────────────────────────────────────────────────────────────────────────────────

export class SandboxPost {
  /** What the fake was asked, oldest first (the latest 100,000 requests). */
  readonly requests: SandboxPostRequest[] = [];
  private readonly orders = new Map<string, SandboxOrder>();
  private readonly byKey = new Map<string, string>();
  private readonly pending = new Set<Promise<void>>();
  private readonly now: () => number;
  private callbackUrl: string | null;
  private isDown = false;
  private createDelays: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private stepMs: number | null = null;
  private serial = 10_000_000;

  constructor(private readonly options: SandboxPostOptions) {
    this.now = options.now ?? Date.now;
    this.callbackUrl = options.callbackUrl ?? null;
    if (options.stateFile) this.load(options.stateFile);
  }

  // ─── Knobs ───────────────────────────────────────────────────────────────────────────────────────────────────────

  /** While down, every API request is answered 503 (it is still recorded in `requests`). */
  down(down: boolean): void {
    this.isDown = down;
  }

  /** The next create answers after `ms`: the order is created at once all the same (the timeout-then-exists case). */
  slowCreate(ms: number): void {
    this.createDelays.push(ms);
  }

  setCallbackUrl(url: string | null): void {
    this.callbackUrl = url;
  }

  /** Every open order moves one step each `stepMs` (never to a failure: that is the developer's or the test's call). */
  start(stepMs: number): void {
    this.stop();
    this.stepMs = stepMs;
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (error) {
        this.options.logger?.warn({ err: error }, "sandbox post: timer step failed");
      }
    }, stepMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stepMs = null;
  }

  /** Waits for the callbacks on their way (each gives up after 5 s). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Stops the timer and waits for the callbacks on their way. */
  async close(): Promise<void> {
    this.stop();
    await this.flush();
  }

  // ─── Reading ─────────────────────────────────────────────────────────────────────────────────────────────────────

  /** A copy of an order, or undefined. */
  order(itemCode: string): SandboxOrder | undefined {
    const found = this.orders.get(itemCode);
    return found ? structuredClone(found) : undefined;
  }

  /** Copies of every order, in the order they were created. */
  list(): SandboxOrder[] {
    return [...this.orders.values()].map((o) => structuredClone(o));
  }

  /** Copies of the orders with an order number (a dossier code). */
  withOrderNumber(orderNumber: string): SandboxOrder[] {
    return this.list().filter((o) => o.orderNumber === orderNumber);
  }

  // ─── Moving orders ───────────────────────────────────────────────────────────────────────────────────────────────

  /** One step forward: created → picked up → in transit → delivered (to the receiver named in the order). */
  advance(itemCode: string): SandboxOrder {
    const order = this.open(itemCode);
    switch (order.status) {
      case "created":
        return this.move(order, "picked-up", {
          Note:
            order.serviceType === "THU_GOM"
              ? "Bưu tá đã lấy hồ sơ tại địa chỉ người gửi"
              : "Bưu điện đã nhận bưu gửi từ cơ quan",
        });
      case "picked-up":
        return this.move(order, "in-transit", { Note: "Bưu gửi đang được vận chuyển" });
      case "in-transit":
        return this.deliver(itemCode);
      default:
        throw new SandboxPostError(
          "Bưu gửi đang chờ chỉ dẫn sau lần giao không thành công: giao lại hoặc chuyển hoàn.",
        );
    }
  }

  /** Delivered to `receivedBy` (the order's receiver by default), with the steps before it that are missing. */
  deliver(itemCode: string, receivedBy?: string | null): SandboxOrder {
    const order = this.open(itemCode);
    if (order.status === "failed") {
      throw new SandboxPostError("Giao không thành công: chờ yêu cầu giao lại trước khi giao.");
    }
    if (order.status === "created") this.advance(itemCode);
    if (this.mutable(itemCode).status === "picked-up") this.advance(itemCode);
    const name = receivedBy?.trim() || order.receiver.Fullname;
    return this.move(order, "delivered", {
      Note: "Đã phát thành công",
      ReceiverName: name,
      ProofUrl: this.options.proofBaseUrl
        ? `${this.options.proofBaseUrl.replace(/\/+$/, "")}/${encodeURIComponent(order.itemCode)}.jpg`
        : null,
    });
  }

  /** The delivery (or, for a pick-up, the collection) failed, with the postman's note. */
  fail(itemCode: string, note?: string | null): SandboxOrder {
    const order = this.open(itemCode);
    if (order.status === "failed") throw new SandboxPostError("Bưu gửi đã ở trạng thái giao không thành công.");
    const fallback =
      order.serviceType === "THU_GOM" ? "Không gặp người gửi tại địa chỉ hẹn" : "Không liên lạc được với người nhận";
    return this.move(order, "failed", { Note: note?.trim() || fallback });
  }

  /** Returned to the sender (for a result: back to the agency). Not before it was picked up: cancel it then. */
  returnToSender(itemCode: string, note?: string | null): SandboxOrder {
    const order = this.open(itemCode);
    if (order.status === "created")
      throw new SandboxPostError("Bưu gửi chưa được lấy: hãy hủy đơn thay vì chuyển hoàn.");
    return this.move(order, "returned", { Note: note?.trim() || "Chuyển hoàn về người gửi" });
  }

  /** What the timer does each step: every open order not waiting after a failure moves one step. */
  tick(): SandboxOrder[] {
    const moved: SandboxOrder[] = [];
    for (const order of this.orders.values()) {
      if (FINAL.has(order.status) || order.status === "failed") continue;
      moved.push(this.advance(order.itemCode));
    }
    return moved;
  }

  // ─── The wire API ────────────────────────────────────────────────────────────────────────────────────────────────

  /** The post's whole API (docs/postal-api/openapi.json) as one function: a request in, a JSON answer out. */
  async handle(request: SandboxRequest): Promise<SandboxResponse> {
    const url = new URL(request.path, "http://sandbox.invalid");
    const route = this.route(request.method.toUpperCase(), url.pathname);
    let body: unknown = null;
    const raw = request.body ?? Buffer.alloc(0);
    let unreadable = false;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        unreadable = true;
      }
    }
    const authorized = this.authorized(headerValue(request.headers, "authorization"));
    this.requests.push({
      operation: route.operation,
      method: request.method.toUpperCase(),
      path: request.path,
      authorized,
      idempotencyKey: headerValue(request.headers, "idempotency-key"),
      body,
      at: new Date(this.now()).toISOString(),
    });
    // A developer's server may run for days: the log keeps the latest requests only.
    if (this.requests.length > MAX_REQUESTS_KEPT) this.requests.splice(0, this.requests.length - MAX_REQUESTS_KEPT);
    if (this.isDown) return refusal(503, "503", "Hệ thống bưu điện đang bảo trì");
    if (!authorized) return refusal(401, "401", "Token không hợp lệ");
    if (unreadable) return refusal(400, "400", "Dữ liệu không phải JSON");
    try {
      switch (route.operation) {
        case "create":
          return await this.create(body, headerValue(request.headers, "idempotency-key"));
        case "find":
          return this.find(url.searchParams.get("OrderNumber"));
        case "track":
          return this.track(route.itemCode);
        case "cancel":
          return this.cancel(route.itemCode);
        case "redeliver":
          return this.redeliver(route.itemCode, body);
        default:
          return refusal(404, "404", "Không có đường dẫn này");
      }
    } catch (error) {
      this.options.logger?.warn({ err: error, operation: route.operation }, "sandbox post: request failed");
      return refusal(500, "500", "Lỗi hệ thống bưu điện");
    }
  }

  private route(method: string, pathname: string): { operation: SandboxOperation; itemCode: string } {
    if (pathname === "/api/orders") {
      if (method === "POST") return { operation: "create", itemCode: "" };
      if (method === "GET") return { operation: "find", itemCode: "" };
    }
    const match = /^\/api\/orders\/([^/]+)\/(tracking|cancel|redeliver)$/.exec(pathname);
    if (match?.[1] && match[2]) {
      const operation = match[2] === "tracking" ? "track" : (match[2] as "cancel" | "redeliver");
      if ((operation === "track") === (method === "GET") && (method === "GET" || method === "POST")) {
        return { operation, itemCode: decodeURIComponent(match[1]) };
      }
    }
    return { operation: "unknown", itemCode: "" };
  }

  private authorized(authorization: string | null): boolean {
    const expected = Buffer.from(`Bearer ${this.options.token}`);
    const given = Buffer.from(authorization ?? "");
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private async create(body: unknown, key: string | null): Promise<SandboxResponse> {
    if (!key || !/^[A-Za-z0-9._:-]{8,128}$/.test(key)) return refusal(400, "400", "Thiếu hoặc sai Idempotency-Key");
    const parsed = CreateBody.safeParse(body);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.map(String).join(".")))].join(", ");
      return refusal(400, "400", `Thiếu hoặc sai trường: ${fields}`);
    }
    const input = parsed.data;
    let order: SandboxOrder;
    const known = this.byKey.get(key);
    if (known) {
      order = this.mutable(known);
      if (order.orderNumber !== input.OrderNumber) {
        return refusal(409, "409", "Idempotency-Key đã được dùng cho một đơn khác");
      }
      order.creates++;
      this.persist(order);
    } else {
      if (input.ItemCode && this.orders.has(input.ItemCode)) {
        return refusal(409, "409", "Số hiệu bưu gửi đã được sử dụng");
      }
      order = this.open(this.record(input, key), true);
    }
    // The order exists before the answer leaves: a client that gives up waiting finds it by its number.
    const delay = this.createDelays.shift();
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    return answer(200, {
      Status: ACCEPTED,
      ItemCode: order.itemCode,
      OrderNumber: order.orderNumber,
      ClientReference: order.clientReference,
      Message: known ? "Đơn đã được tạo trước đó" : "Tạo đơn thành công",
    });
  }

  private record(input: z.infer<typeof CreateBody>, key: string): string {
    const party = (p: "Sender" | "Receiver"): SandboxParty => ({
      Fullname: input[`${p}Fullname`],
      Tel: input[`${p}Tel`],
      Address: input[`${p}Address`],
      ProvinceId: input[`${p}ProvinceId`],
      WardId: input[`${p}WardId`],
    });
    let itemCode = input.ItemCode;
    let serial: number | null = null;
    if (!itemCode) {
      do {
        serial = ++this.serial;
        itemCode = s10ItemCode(serial);
      } while (this.orders.has(itemCode));
    }
    const at = this.now();
    const order: SandboxOrder = {
      itemCode,
      orderNumber: input.OrderNumber,
      clientReference: input.ClientReference,
      idempotencyKey: key,
      serviceType: input.ServiceType,
      customerCode: input.CustomerCode,
      codAmount: input.CODAmount,
      description: input.Description,
      note: input.Note,
      pickup:
        input.PickupDate && input.PickupFrom && input.PickupTo
          ? { date: input.PickupDate, from: input.PickupFrom, to: input.PickupTo }
          : null,
      sender: party("Sender"),
      receiver: party("Receiver"),
      status: "created",
      statusTime: postTime(at),
      events: [],
      creates: 1,
      callbacks: [],
      createdAt: new Date(at).toISOString(),
      serial,
    };
    this.orders.set(itemCode, order);
    this.byKey.set(key, itemCode);
    this.move(order, "created", { Note: "Bưu điện đã nhận yêu cầu" });
    return itemCode;
  }

  private find(orderNumber: string | null): SandboxResponse {
    if (!orderNumber) return refusal(400, "400", "Thiếu OrderNumber");
    const orders = [...this.orders.values()]
      .filter((o) => o.orderNumber === orderNumber)
      .map((o) => ({
        ItemCode: o.itemCode,
        OrderNumber: o.orderNumber,
        ClientReference: o.clientReference,
        StatusCode: SANDBOX_STATUS_CODES[o.status],
        StatusTime: o.statusTime,
      }));
    return answer(200, { Orders: orders });
  }

  private track(itemCode: string): SandboxResponse {
    const order = this.orders.get(itemCode);
    if (!order) return refusal(404, "404", "Không tìm thấy bưu gửi");
    return answer(200, {
      ItemCode: order.itemCode,
      OrderNumber: order.orderNumber,
      ClientReference: order.clientReference,
      Events: order.events,
    });
  }

  private cancel(itemCode: string): SandboxResponse {
    const order = this.orders.get(itemCode);
    if (!order) return refusal(404, "404", "Không tìm thấy bưu gửi");
    // Asked again after a timeout: the same answer, no second event.
    if (order.status === "cancelled") return answer(200, { Status: ACCEPTED, Message: "Đơn đã được hủy trước đó" });
    if (order.status !== "created") return refusal(409, "409", "Bưu gửi đã được lấy, không thể hủy");
    this.move(order, "cancelled", { Note: "Đã hủy theo yêu cầu của người gửi" });
    return answer(200, { Status: ACCEPTED, Message: "Đã hủy đơn" });
  }

  private redeliver(itemCode: string, body: unknown): SandboxResponse {
    const order = this.orders.get(itemCode);
    if (!order) return refusal(404, "404", "Không tìm thấy bưu gửi");
    const parsed = RedeliverBody.safeParse(body ?? {});
    if (!parsed.success) return refusal(400, "400", "Thông tin người nhận mới không đầy đủ");
    const last = order.events.at(-2);
    // Asked again after a timeout: it is already back on its way after the failure.
    if (order.status === "in-transit" && last?.StatusCode === SANDBOX_STATUS_CODES.failed) {
      return answer(200, { Status: ACCEPTED, Message: "Bưu gửi đã được phát lại" });
    }
    if (order.status !== "failed") return refusal(409, "409", "Chỉ phát lại được bưu gửi giao không thành công");
    const input = parsed.data;
    const moving = "ReceiverFullname" in input;
    if (moving) {
      order.receiver = {
        Fullname: input.ReceiverFullname,
        Tel: input.ReceiverTel,
        Address: input.ReceiverAddress,
        ProvinceId: input.ReceiverProvinceId,
        WardId: input.ReceiverWardId,
      };
    }
    this.move(order, "in-transit", {
      Note: input.Note ?? (moving ? "Phát lại tới địa chỉ mới" : "Phát lại theo yêu cầu"),
    });
    return answer(200, { Status: ACCEPTED, Message: "Bưu gửi sẽ được phát lại" });
  }

  // ─── State, events and callbacks ─────────────────────────────────────────────────────────────────────────────────

  private mutable(itemCode: string): SandboxOrder {
    const order = this.orders.get(itemCode);
    if (!order) throw new SandboxPostError(`Không có bưu gửi ${itemCode}.`);
    return order;
  }

  /** An order that can still change (not delivered, returned or cancelled). */
  private open(itemCode: string, fresh = false): SandboxOrder {
    const order = this.mutable(itemCode);
    if (!fresh && FINAL.has(order.status)) throw new SandboxPostError("Bưu gửi đã kết thúc, không thể đổi trạng thái.");
    return order;
  }

  /** The change itself: a new event (its time strictly after the last one's), saved, then told by callback. */
  private move(
    order: SandboxOrder,
    status: PostStatus,
    detail: { Note: string; ReceiverName?: string | null; ProofUrl?: string | null },
  ): SandboxOrder {
    const lastMs = order.events.length > 0 ? Date.parse(order.statusTime) : Number.NEGATIVE_INFINITY;
    const at = Math.max(this.now(), lastMs + 1);
    const event: SandboxEvent = {
      EventId: `${order.itemCode}-${order.events.length + 1}`,
      StatusCode: SANDBOX_STATUS_CODES[status],
      Time: postTime(at),
      Note: detail.Note,
      ReceiverName: detail.ReceiverName ?? null,
      ProofUrl: detail.ProofUrl ?? null,
    };
    order.events.push(event);
    order.status = status;
    order.statusTime = event.Time;
    this.persist(order);
    this.notify(order, event);
    return structuredClone(order);
  }

  /** Fire and forget: POSTs the signed callback of `event`, records whether it got a 2xx within 5 s. */
  private notify(order: SandboxOrder, event: SandboxEvent): void {
    const url = this.callbackUrl;
    if (!url) return;
    const body = Buffer.from(
      JSON.stringify({
        EventId: event.EventId,
        ItemCode: order.itemCode,
        OrderNumber: order.orderNumber,
        ClientReference: order.clientReference,
        StatusCode: event.StatusCode,
        Time: event.Time,
        Note: event.Note,
        ReceiverName: event.ReceiverName,
        ProofUrl: event.ProofUrl,
      }),
    );
    const timestamp = String(Math.floor(this.now() / 1000));
    const signature = createHmac("sha256", this.options.callbackSecret)
      .update(`${timestamp}.`)
      .update(body)
      .digest("hex");
    const sent: SandboxCallback = {
      eventId: event.EventId,
      url,
      delivered: false,
      httpStatus: null,
      error: null,
      at: new Date(this.now()).toISOString(),
    };
    order.callbacks.push(sent);
    const sending = fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Post-Timestamp": timestamp, "X-Post-Signature": signature },
      body: new Uint8Array(body),
      signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
    })
      .then(async (response) => {
        sent.httpStatus = response.status;
        sent.delivered = response.ok;
        await response.arrayBuffer().catch(() => undefined);
      })
      .catch((error: unknown) => {
        const cause = (error as { cause?: { code?: string } }).cause;
        sent.error = cause?.code ?? (error instanceof Error ? error.name : "error");
      })
      .finally(() => {
        this.pending.delete(sending);
        if (this.orders.get(order.itemCode) === order) this.persist(order);
        this.options.logger?.debug(
          { waybill: order.itemCode, eventId: event.EventId, delivered: sent.delivered, status: sent.httpStatus },
          "sandbox post: callback sent",
        );
      });
    this.pending.add(sending);
  }

  /**
   * Saves one order as a line of the state file. Appending keeps each change cheap and safe against a kill -9: the
   * line is in the file (the OS's cache) before the answer leaves; a line cut short is skipped when loading.
   */
  private persist(order: SandboxOrder): void {
    if (!this.options.stateFile) return;
    // Names, phones and addresses: readable by this server's user only, like the database (issue 13, finding 10).
    fs.appendFileSync(this.options.stateFile, `${JSON.stringify({ order })}\n`, { mode: 0o600 });
  }

  /** Reads the state file (the last line of each order wins), then rewrites it with one line per order. */
  private load(file: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // Nothing kept yet: the file comes with the first order.
    if (!fs.existsSync(file)) return;
    const text = fs.readFileSync(file, "utf8");
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      try {
        const { order } = JSON.parse(line) as { order: SandboxOrder };
        this.orders.set(order.itemCode, order);
        this.byKey.set(order.idempotencyKey, order.itemCode);
        if (order.serial !== null && order.serial > this.serial) this.serial = order.serial;
      } catch {
        // A line cut short by a kill during the write: the change it held never got its answer.
      }
    }
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, [...this.orders.values()].map((order) => `${JSON.stringify({ order })}\n`).join(""), {
      mode: 0o600,
    });
    fs.renameSync(temporary, file);
  }

  // ─── The developer's page and the API over express ───────────────────────────────────────────────────────────────

  /**
   * An express Router serving the wire API under `${basePath}/api/…` (for the PostalClient of offline mode), the
   * developer's page at `${basePath}/`, and its buttons at `${basePath}/_control/…` (plain forms, no script: the
   * server's CSP stays as it is). Mount it before or after the JSON parser: the API reads its own raw body.
   */
  router(basePath: string): Router {
    const base = basePath.replace(/\/+$/, "");
    const router = Router();
    const raw = express.raw({ type: () => true, limit: "256kb" });
    router.use(`${base}/api`, raw, async (req, res) => {
      const result = await this.handle({
        method: req.method,
        path: `/api${req.url}`,
        headers: req.headers,
        body: rawBody(req),
      });
      res.status(result.status).json(result.body);
    });
    router.get(base || "/", (req, res) => {
      res.setHeader("Content-Type", "text/html; charset=utf-8");
      res.setHeader("Cache-Control", "no-store");
      const message = typeof req.query.thong_bao === "string" ? req.query.thong_bao.slice(0, 300) : null;
      res.send(this.page(base, message));
    });
    router.post(`${base}/_control/:action`, express.urlencoded({ extended: false, limit: "4kb" }), (req, res) => {
      const form = (req.body ?? {}) as Record<string, unknown>;
      const text = (name: string) => (typeof form[name] === "string" ? (form[name] as string).slice(0, 200) : null);
      const waybill = text("waybill") ?? "";
      let message: string;
      try {
        switch (req.params.action) {
          case "advance":
            message = `${waybill}: ${this.describe(this.advance(waybill))}`;
            break;
          case "deliver":
            message = `${waybill}: ${this.describe(this.deliver(waybill, text("receivedBy")))}`;
            break;
          case "fail":
            message = `${waybill}: ${this.describe(this.fail(waybill, text("note")))}`;
            break;
          case "return":
            message = `${waybill}: ${this.describe(this.returnToSender(waybill))}`;
            break;
          default:
            message = "Thao tác không hợp lệ.";
        }
      } catch (error) {
        if (!(error instanceof SandboxPostError)) throw error;
        message = `${waybill}: ${error.message}`;
      }
      res.redirect(303, `${base}/?thong_bao=${encodeURIComponent(message)}`);
    });
    return router;
  }

  private describe(order: SandboxOrder): string {
    return postalStatusLabel(SERVICE_KINDS[order.serviceType], order.status);
  }

  private page(base: string, message: string | null): string {
    const vnd = new Intl.NumberFormat("vi-VN");
    const time = (iso: string) => escapeHtml(iso.slice(0, 19).replace("T", " "));
    const button = (action: string, waybill: string, label: string, extra = "") =>
      `<form method="post" action="${escapeHtml(base)}/_control/${action}"><input type="hidden" name="waybill" value="${escapeHtml(waybill)}">${extra}<button>${label}</button></form>`;
    const rows = [...this.orders.values()]
      .reverse()
      .slice(0, 200)
      .map((o) => {
        const actions: string[] = [];
        if (!FINAL.has(o.status) && o.status !== "failed") {
          actions.push(button("advance", o.itemCode, "Bước tiếp theo"));
          actions.push(
            button("deliver", o.itemCode, "Giao thành công", '<input name="receivedBy" placeholder="Người nhận">'),
          );
          actions.push(button("fail", o.itemCode, "Giao không thành công", '<input name="note" placeholder="Lý do">'));
        }
        if (!FINAL.has(o.status) && o.status !== "created") {
          actions.push(button("return", o.itemCode, "Chuyển hoàn"));
        }
        const last = o.callbacks.at(-1);
        const told = !last ? "—" : last.delivered ? "Đã gửi" : last.error || last.httpStatus ? "Lỗi" : "Đang gửi";
        return `<tr><td><code>${escapeHtml(o.itemCode)}</code></td><td>${escapeHtml(o.orderNumber)}</td>
<td>${o.serviceType === "THU_GOM" ? "Thu gom hồ sơ" : "Phát kết quả"}</td><td>${escapeHtml(o.receiver.Fullname)}</td>
<td class="n">${vnd.format(o.codAmount)} đ</td><td>${escapeHtml(this.describe(o))}<br><small>${time(o.statusTime)}</small></td>
<td>${told}</td><td class="actions">${actions.join("") || "—"}</td></tr>`;
      })
      .join("\n");
    const timer = this.stepMs
      ? `<p>Tự động chuyển mỗi bưu gửi sang bước tiếp theo sau mỗi ${vnd.format(this.stepMs / 1000)} giây (không tự giao thất bại).</p>`
      : "<p>Bưu gửi chỉ chuyển bước khi bạn bấm nút.</p>";
    return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${this.stepMs ? '<meta http-equiv="refresh" content="5">' : ""}<title>Bưu điện thử nghiệm</title>
<style>body{font-family:system-ui,sans-serif;margin:0;background:#fffde7;color:#222}main{max-width:72rem;margin:0 auto;padding:1rem}
.banner{background:#b71c1c;color:#fff;padding:.75rem 1rem;font-weight:700;text-align:center}table{width:100%;border-collapse:collapse}
th,td{padding:.4rem;border-bottom:1px solid #e0d6b0;text-align:left;vertical-align:top}.n{text-align:right;white-space:nowrap}
.actions form{display:inline-block;margin:0 .25rem .25rem 0}input{font-size:.85rem;width:8rem}button{cursor:pointer}
.note{background:#fff;padding:.75rem;border-radius:.5rem;border:1px solid #e0d6b0}</style></head>
<body><div class="banner" role="alert">Bưu điện thử nghiệm — không có bưu gửi thật</div><main>
<h1 style="font-size:1.25rem">Bưu điện thử nghiệm</h1>
<p>Trang này chỉ có khi máy chủ chạy ở chế độ ngoại tuyến (không cấu hình POSTAL_URL). Không có bưu tá nào đến lấy hay giao hồ sơ. Mỗi thay đổi được báo về máy chủ bằng một callback có chữ ký, như bưu điện thật.</p>
${timer}
${message ? `<p class="note" role="status">${escapeHtml(message)}</p>` : ""}
<table><thead><tr><th>Số hiệu</th><th>Hồ sơ</th><th>Dịch vụ</th><th>Người nhận</th><th class="n">Thu hộ</th><th>Trạng thái</th><th>Thông báo</th><th>Thao tác</th></tr></thead>
<tbody>${rows || '<tr><td colspan="8">Chưa có bưu gửi nào.</td></tr>'}</tbody></table>
</main></body></html>`;
  }
}

/** The raw body of a request, whether express.raw read it here or a JSON parser mounted before read it first. */
function rawBody(req: Request): Buffer {
  const body: unknown = req.body;
  if (Buffer.isBuffer(body)) return body;
  if (body && typeof body === "object") return Buffer.from(JSON.stringify(body));
  return Buffer.alloc(0);
}
