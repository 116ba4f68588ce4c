import type { PostalKind, PostalProof, PostStatus } from "@qn/shared";
import { UpstreamError } from "../../errors/app-error";

/**
 * The one interface to the public postal service (issue 15; docs/decisions/0017-postal-service.md; the contract is
 * docs/postal-api/openapi.json). The postal service (modules/postal) owns the orders, their queue and the
 * exactly-once rule; a client only sends what it is told and reads what the post says. Its wire fields — the known
 * implementation's names (CustomerCode, ItemCode, OrderNumber, CODAmount, Sender…, Receiver…) and the rest, all
 * **uncertain** — live in one mapping module, postal-wire.ts.
 */

/** One side of an order, as the post is told it. `communeCode` is ours (5 digits); the wire maps it to the post's. */
export type PostParty = {
  name: string;
  phone: string;
  street: string;
  communeCode: string;
  /** "Phường Hồng Gai", for the printed address. */
  communeName: string;
};

/** What the post is asked to create. */
export type PostOrderRequest = {
  /** Ours, unique per order (`BC…`): the idempotency key, and echoed back by the post (ClientReference). */
  reference: string;
  /** The dossier code (OrderNumber). */
  orderNumber: string;
  kind: PostalKind;
  /** The waybill number when it comes from a pool the post allocated in advance; null: the post gives one. */
  waybill: string | null;
  /** The unit's customer code at the post (CustomerCode). */
  customerCode: string | null;
  sender: PostParty;
  receiver: PostParty;
  /** Collected by the postman on delivery (CODAmount), VND; 0 for none. */
  codAmount: number;
  /** "Kết quả hồ sơ <code>" / "Hồ sơ gốc <code>", ≤ 200 characters. */
  description: string;
  /** For a pick-up: the day and the hours to come by (Vietnamese wall clock). */
  pickupWindow: { date: string; from: string; to: string } | null;
  note: string | null;
};

/** An order as the post knows it. */
export type PostOrder = {
  waybill: string;
  orderNumber: string;
  /** Our reference as the post echoes it; null when it does not. */
  reference: string | null;
  status: PostStatus;
  /** The post's time of that status, ISO (UTC). */
  at: string;
};

/** One status the post reports (a callback, or one event of a status read). */
export type PostStatusReport = {
  waybill: string;
  orderNumber: string;
  reference: string | null;
  status: PostStatus;
  /** The post's time of the status, ISO (UTC). */
  at: string;
  /** The post's event id, when it gives one: a status is applied once per (order, event id). */
  eventId: string | null;
  note: string | null;
  /** With `delivered`: the delivery proof. */
  proof: PostalProof | null;
};

export type PostCallbackCheck =
  | { ok: true; report: PostStatusReport }
  | { ok: false; reason: "signature" | "stale" | "malformed" };

export interface PostClient {
  /** Creates an order (with `reference` as idempotency key). Throws PostError. */
  create(order: PostOrderRequest): Promise<PostOrder>;
  /** The order with this number made for `reference`, or null when the post has none (after a timeout). */
  findByOrderNumber(orderNumber: string, reference: string): Promise<PostOrder | null>;
  /** The order's statuses so far, oldest first (the polling path). Throws PostError (`not-found` for none). */
  track(waybill: string): Promise<PostStatusReport[]>;
  /** Cancels an order not yet picked up. Throws PostError (`rejected` when the post refuses: too late). */
  cancel(waybill: string): Promise<void>;
  /** After a failed delivery: try again, to the same receiver or to a new one. Throws PostError. */
  redeliver(waybill: string, receiver: PostParty | null): Promise<void>;
  /** Verifies a status callback's raw body and headers (signature, then time, then shape). Never throws. */
  verifyCallback(body: Buffer, headers: Record<string, string | string[] | undefined>): PostCallbackCheck;
}

export type PostFailure = "timeout" | "network" | "server-error" | "malformed" | "rejected" | "not-found";

/**
 * The post did not answer usefully. `retryable`: asking again later may help (timeout, network, 5xx). A timeout may
 * have created the order all the same: the postal job looks it up by its number before creating it again. Messages
 * are Vietnamese: one may reach the console.
 */
export class PostError extends UpstreamError {
  readonly retryable: boolean;
  constructor(
    readonly failure: PostFailure,
    readonly detail: string,
    readonly httpStatus?: number,
  ) {
    super(
      "POSTAL_SERVICE_UNAVAILABLE",
      failure === "rejected"
        ? "Bưu điện từ chối yêu cầu."
        : "Bưu điện tạm thời chưa phản hồi. Yêu cầu đã được lưu và sẽ được gửi lại tự động.",
      502,
    );
    this.retryable = failure === "timeout" || failure === "network" || failure === "server-error";
  }
}
