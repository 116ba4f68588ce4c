import axios, { type AxiosInstance, type AxiosResponse, isAxiosError } from "axios";
import { z } from "zod";
import type { Logger } from "../../../logger";
import {
  type CallbackCheck,
  type CallbackResult,
  type CheckoutOrder,
  type PaymentProvider,
  PaymentProviderError,
  type ProviderAttempt,
  type ProviderFailure,
  type ProviderStatus,
  type StartResult,
} from "../provider";
import { createOrderMac, statusMac, updateOrderStatusMac, verifyOverallMac } from "./checkout-signature";

/**
 * Zalo's Checkout SDK as a PaymentProvider (issue 14; ../shared/docs/LEVEL4.md §2, the reference). The server signs
 * the order that the mini-app hands to `Payment.createOrder`, verifies the Checkout server's callback by `overallMac`,
 * asks `get-status` during reconciliation, and reports a custom method's result (the national platform offered
 * inside Checkout) with `updateOrderStatus`. The private key stays here: nothing but the signed order reaches the
 * mini-app, and no key or MAC is ever logged or put into an error.
 *
 * Facts marked **uncertain** below are constants or options, to be corrected here once Zalo confirms them.
 */

export const CHECKOUT_API_URL = "https://payment-mini.zalo.me";
/** **certain** (Zalo's getOrderStatus page). */
export const GET_STATUS_PATH = "/api/transaction/get-status";
/**
 * **uncertain**: Zalo's updateOrderStatus page gives the method (POST), the fields and the MAC but no endpoint. This
 * default is our guess; one independent integration posts COD results to `/api/transaction/{appId}/cod-callback-payment`
 * instead. Set `updateOrderStatusUrl` once the province's Mini App admin shows the real one.
 */
export const UPDATE_ORDER_STATUS_PATH = "/api/transaction/custom/update-order-status";
/** Zalo's sandbox wallet; production configures its own method (a JSON string, as createOrder wants it). */
export const DEFAULT_CHECKOUT_METHOD = '{"id":"ZALOPAY_SANDBOX","isCustom":false}';
/** createOrder's `desc` is cut to this many characters (code points). */
export const CHECKOUT_DESC_MAX = 100;

/**
 * Checkout's API error codes (Zalo's error-code table, **certain** for these): the answer's `err`/`error` field.
 * −2003 (too many requests) is worth asking again later; the others are refusals.
 */
const CHECKOUT_RATE_LIMITED = -2003;

export type ZaloCheckoutOptions = {
  /** The Mini App's id (Checkout's `appId`). */
  appId: string;
  /** The Checkout private key from the Mini App admin (ZALO_CHECKOUT_PRIVATE_KEY). */
  privateKey: string;
  /** Default https://payment-mini.zalo.me. */
  apiUrl?: string;
  /** createOrder's `method`, a JSON string; default `{"id":"ZALOPAY_SANDBOX","isCustom":false}`. */
  method?: string;
  /** Per request, default 10 s. */
  timeoutMs?: number;
  /** Full URL of updateOrderStatus; default `${apiUrl}/api/transaction/custom/update-order-status` (**uncertain**). */
  updateOrderStatusUrl?: string;
  /** Injected for tests: the clock used when an answer carries no time. */
  now?: () => number;
};

/** updateOrderStatus's result codes (Zalo's error table, code −2105): 1 paid, −1 failed, 2 refunded. */
export type CheckoutResultCode = 1 | -1 | 2;

/** A transaction id or a time may come as a string or a number (JSON `long`). */
const idLike = z.union([z.string(), z.number()]);

/**
 * get-status's fields (**certain** for the names: returnCode 0 running / 1 ok / −1 failed, returnMessage,
 * isProcessing, amount, transId, transTime, merchantTransId, extradata, method). Whether they come bare or inside the
 * usual `{error, msg, data}` envelope is **uncertain** (Zalo's own tutorial reads `response.data.data.returnCode`):
 * both are accepted.
 */
const StatusData = z.object({
  returnCode: z.number().int(),
  returnMessage: z.string().nullish(),
  isProcessing: z.boolean().nullish(),
  amount: z.number().int().nonnegative().nullish(),
  transId: idLike.nullish(),
  transTime: idLike.nullish(),
  createdAt: idLike.nullish(),
  merchantTransId: idLike.nullish(),
  extradata: z.string().nullish(),
});

/** The envelope of Checkout's server APIs: `err` (newer) or `error` (kept for old clients), `msg`, and `data`. */
const Envelope = z.object({
  err: z.number().int().nullish(),
  error: z.number().int().nullish(),
  msg: z.string().nullish(),
  data: z.unknown().optional(),
});

/** The callback's `data` (**certain** for the fields named in LEVEL4.md §2; others are kept but not read). */
const CallbackData = z.object({
  appId: z.string(),
  orderId: z.string().min(1),
  transId: idLike.nullish(),
  transTime: idLike.nullish(),
  merchantTransId: idLike.nullish(),
  amount: z.number().int().nonnegative(),
  description: z.string().nullish(),
  resultCode: z.number().int(),
  message: z.string().nullish(),
  extradata: z.string().nullish(),
});

/** Keys never copied into what the ledger keeps of a callback. */
const SECRET_KEY = /mac|private|secret|token|key/i;

const CALLBACK_MESSAGES: Record<CallbackResult, string> = {
  applied: "Đã ghi nhận thanh toán.",
  duplicate: "Thanh toán này đã được ghi nhận trước đó.",
  refused: "Thanh toán không khớp với lần thanh toán của hồ sơ; đã chuyển cán bộ kiểm tra.",
  error: "Máy chủ tạm thời chưa ghi nhận được; giao dịch sẽ được đối soát lại.",
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Our `extradata` (`{"reference","dossier"}`) as Checkout echoes it: URI-encoded in the callback (**certain**), maybe
 * plain elsewhere. Returns the reference (null when the object has none), or undefined when it cannot be read.
 */
export function readExtradataReference(raw: string): string | null | undefined {
  const attempts: (() => string)[] = [() => decodeURIComponent(raw), () => raw];
  for (const text of attempts) {
    try {
      const parsed: unknown = JSON.parse(text());
      if (!isRecord(parsed)) return undefined;
      return typeof parsed.reference === "string" ? parsed.reference : null;
    } catch {
      // next reading
    }
  }
  return undefined;
}

/** A Checkout time: milliseconds since the epoch (a JSON `long`, or its digits), or an ISO string. */
function toDate(value: string | number | null | undefined): Date | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  const ms = typeof value === "number" ? value : /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms) : undefined;
}

function idText(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  return text === "" ? null : text;
}

function truncate(text: string, max: number): string {
  const points = Array.from(text);
  return points.length <= max ? text : points.slice(0, max).join("");
}

export class ZaloCheckoutProvider implements PaymentProvider {
  readonly id = "zalo-checkout" as const;
  private readonly http: AxiosInstance;
  private readonly appId: string;
  private readonly privateKey: string;
  private readonly apiUrl: string;
  private readonly method: string;
  private readonly updateOrderStatusUrl: string;
  private readonly now: () => number;

  constructor(
    options: ZaloCheckoutOptions,
    private readonly logger: Logger,
  ) {
    if (!options.appId || !options.privateKey) {
      throw new PaymentProviderError("zalo-checkout", "not-configured", "appId and privateKey are required");
    }
    const method = options.method ?? DEFAULT_CHECKOUT_METHOD;
    let parsedMethod: unknown;
    try {
      parsedMethod = JSON.parse(method);
    } catch {
      parsedMethod = undefined;
    }
    if (!isRecord(parsedMethod) || typeof parsedMethod.id !== "string") {
      throw new PaymentProviderError("zalo-checkout", "not-configured", 'method must be a JSON string like {"id":…}');
    }
    this.appId = options.appId;
    this.privateKey = options.privateKey;
    this.method = method;
    this.apiUrl = (options.apiUrl ?? CHECKOUT_API_URL).replace(/\/+$/, "");
    this.updateOrderStatusUrl = options.updateOrderStatusUrl ?? `${this.apiUrl}${UPDATE_ORDER_STATUS_PATH}`;
    this.now = options.now ?? Date.now;
    this.http = axios.create({
      timeout: options.timeoutMs ?? 10_000,
      // Every status is looked at here; the raw text is parsed here, so that a non-JSON answer is told apart.
      validateStatus: () => true,
      maxRedirects: 0,
      responseType: "text",
      transformResponse: (data: unknown) => data,
      headers: { Accept: "application/json" },
      transitional: { clarifyTimeoutError: true },
    });
  }

  /**
   * The order the mini-app passes to `Payment.createOrder`, signed here (no network call: Checkout creates the order
   * when the mini-app calls it, and the mini-app reports its `orderId` back as the attempt's providerOrderId).
   *
   * `item`: one item per fee line with an amount (`<reference>-1`, `<reference>-2`, … in the lines' order), so that the
   * citizen sees the phí and lệ phí apart; when the lines do not add up to the amount (or there are none), one item
   * `<reference>` for the total. Zero-amount lines (an exemption) are left out.
   */
  async start(attempt: ProviderAttempt): Promise<StartResult> {
    const { amount, reference } = attempt;
    if (!Number.isSafeInteger(amount) || amount <= 0) {
      throw new PaymentProviderError(this.id, "rejected", "amount must be a positive whole number of VND");
    }
    const fields = {
      amount,
      desc: truncate(attempt.description, CHECKOUT_DESC_MAX),
      extradata: JSON.stringify({ reference, dossier: attempt.dossierCode }),
      item: this.items(attempt),
      method: this.method,
    };
    const order: CheckoutOrder = { ...fields, mac: createOrderMac(this.privateKey, fields) };
    return { kind: "checkout", order };
  }

  private items(attempt: ProviderAttempt): { id: string; amount: number }[] {
    const paid = attempt.lines.filter((line) => line.amount > 0);
    const valid = paid.every((line) => Number.isSafeInteger(line.amount));
    const sum = paid.reduce((total, line) => total + line.amount, 0);
    if (paid.length === 0 || !valid || sum !== attempt.amount) {
      return [{ id: attempt.reference, amount: attempt.amount }];
    }
    return paid.map((line, index) => ({ id: `${attempt.reference}-${index + 1}`, amount: line.amount }));
  }

  /**
   * get-status for the attempt's Checkout orderId (none yet: `unknown`, the citizen never reached Checkout). An answer
   * whose extradata names another reference is refused as malformed: a citizen could report someone else's orderId.
   */
  async status(attempt: ProviderAttempt): Promise<ProviderStatus> {
    const orderId = attempt.providerOrderId;
    if (!orderId) return { state: "unknown" };
    const mac = statusMac(this.privateKey, { appId: this.appId, orderId });
    const response = await this.exchange("get-status", () =>
      this.http.get(`${this.apiUrl}${GET_STATUS_PATH}`, { params: { orderId, appId: this.appId, mac } }),
    );
    const body = this.json("get-status", response);
    const data = StatusData.safeParse(this.unwrap("get-status", body, orderId));
    if (!data.success) throw this.failure("get-status", "malformed", "answer off contract", orderId);
    const answer = data.data;

    if (answer.extradata) {
      const reference = readExtradataReference(answer.extradata);
      if (reference !== attempt.reference) {
        throw this.failure("get-status", "malformed", "extradata does not name this attempt's reference", orderId);
      }
    }
    switch (answer.returnCode) {
      case 1: {
        const transactionId = idText(answer.transId);
        if (transactionId === null || answer.amount === null || answer.amount === undefined) {
          throw this.failure("get-status", "malformed", "a paid answer without transId or amount", orderId);
        }
        const paidAt = toDate(answer.transTime) ?? toDate(answer.createdAt) ?? new Date(this.now());
        return { state: "paid", transactionId, amount: answer.amount, paidAt };
      }
      case 0:
        return { state: "pending" };
      case -1:
        return { state: "failed", reason: answer.returnMessage || "Giao dịch thất bại (returnCode −1)" };
      default:
        throw this.failure("get-status", "malformed", `unknown returnCode ${answer.returnCode}`, orderId);
    }
  }

  /**
   * The Checkout server's callback: `{data, mac, overallMac}`. `overallMac` over all of `data` is checked before any
   * field is read; then the appId. The narrower `mac` is not checked: the order of its fields is **uncertain**
   * (LEVEL4.md §2), and overallMac covers everything it would. Never throws.
   */
  verifyCallback(body: Buffer, _headers: Record<string, string | string[] | undefined>): CallbackCheck {
    try {
      return this.checkCallback(body);
    } catch {
      return { ok: false, reason: "malformed" };
    }
  }

  private checkCallback(body: Buffer): CallbackCheck {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      return { ok: false, reason: "malformed" };
    }
    if (!isRecord(parsed) || !isRecord(parsed.data)) return { ok: false, reason: "malformed" };
    const raw = parsed.data;
    if (!verifyOverallMac(this.privateKey, raw, parsed.overallMac)) {
      this.logger.warn({ provider: this.id }, "checkout callback: overallMac missing or wrong");
      return { ok: false, reason: "signature" };
    }
    // Signed by a key we share with Zalo, but for another Mini App: not ours to apply.
    if (raw.appId !== this.appId) {
      this.logger.warn({ provider: this.id }, "checkout callback: another appId");
      return { ok: false, reason: "signature" };
    }
    const data = CallbackData.safeParse(raw);
    if (!data.success) {
      this.logger.warn({ provider: this.id, orderId: raw.orderId }, "checkout callback: data off contract");
      return { ok: false, reason: "malformed" };
    }
    const { orderId, transId, transTime, amount, resultCode, message, extradata } = data.data;
    const paid = resultCode === 1;
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) if (!SECRET_KEY.test(key)) fields[key] = value;
    return {
      ok: true,
      notice: {
        reference: extradata ? (readExtradataReference(extradata) ?? null) : null,
        providerOrderId: orderId,
        transactionId: idText(transId),
        amount,
        outcome: paid ? "paid" : "failed",
        at: toDate(transTime) ?? new Date(this.now()),
        reason: paid ? null : message || `resultCode ${resultCode}`,
        fields,
      },
    };
  }

  /**
   * Always HTTP 200: the Checkout server reads `returnCode` (1 received, 0 not — Zalo's callback page and tutorial),
   * not the status. A refused or failed callback answers 0, so Zalo knows it was not taken; reconciliation
   * (get-status) settles it either way. A bad signature never gets here: the route answers 401 itself.
   */
  callbackAnswer(result: CallbackResult): { status: number; body: unknown } {
    const received = result === "applied" || result === "duplicate";
    return { status: 200, body: { returnCode: received ? 1 : 0, returnMessage: CALLBACK_MESSAGES[result] } };
  }

  /**
   * Reports the result of a payment taken outside Checkout (a custom method: the national platform) for a Checkout
   * order. POST JSON `{appId, orderId, resultCode, mac}` → `{err, msg}` (0 = done). Flow and fields **certain**; the
   * endpoint **uncertain** (see UPDATE_ORDER_STATUS_PATH). Throws PaymentProviderError.
   */
  async updateOrderStatus(update: { orderId: string; resultCode: CheckoutResultCode }): Promise<void> {
    const { orderId, resultCode } = update;
    const mac = updateOrderStatusMac(this.privateKey, { appId: this.appId, orderId, resultCode });
    const response = await this.exchange("update-order-status", () =>
      this.http.post(this.updateOrderStatusUrl, JSON.stringify({ appId: this.appId, orderId, resultCode, mac }), {
        headers: { "Content-Type": "application/json" },
      }),
    );
    const body = Envelope.safeParse(this.json("update-order-status", response));
    const code = body.success ? (body.data.err ?? body.data.error) : undefined;
    if (!body.success || code === null || code === undefined) {
      throw this.failure("update-order-status", "malformed", "answer off contract", orderId);
    }
    if (code !== 0) throw this.zaloError("update-order-status", code, orderId);
  }

  /** One request; timeouts, network errors and HTTP errors become PaymentProviderError. Only 2xx is returned. */
  private async exchange(operation: string, send: () => Promise<AxiosResponse>): Promise<AxiosResponse> {
    let response: AxiosResponse;
    try {
      response = await send();
    } catch (error) {
      if (!isAxiosError(error)) throw error;
      // Only the code: the error's config holds the URL, whose query carries the mac.
      const timeout = error.code === "ETIMEDOUT" || error.code === "ECONNABORTED";
      throw this.failure(operation, timeout ? "timeout" : "network", error.code ?? "request failed");
    }
    const { status } = response;
    if (status >= 200 && status < 300) return response;
    // 429 is Zalo asking to wait, not a refusal: retryable like a 5xx.
    if (status >= 500 || status === 429)
      throw this.failure(operation, "server-error", `HTTP ${status}`, undefined, status);
    if (status >= 400) throw this.failure(operation, "rejected", `HTTP ${status}`, undefined, status);
    throw this.failure(operation, "malformed", `HTTP ${status}`, undefined, status);
  }

  private json(operation: string, response: AxiosResponse): unknown {
    if (typeof response.data !== "string") return response.data;
    try {
      return JSON.parse(response.data);
    } catch {
      throw this.failure(operation, "malformed", "answer is not JSON", undefined, response.status);
    }
  }

  /** get-status's fields, from inside the `{err|error, msg, data}` envelope or bare; a non-zero err is an error. */
  private unwrap(operation: string, body: unknown, orderId: string): unknown {
    if (!isRecord(body)) throw this.failure(operation, "malformed", "answer is not an object", orderId);
    const envelope = Envelope.safeParse(body);
    if (!envelope.success) throw this.failure(operation, "malformed", "answer off contract", orderId);
    const code = envelope.data.err ?? envelope.data.error;
    if (code !== null && code !== undefined && code !== 0) throw this.zaloError(operation, code, orderId);
    return isRecord(body.data) ? body.data : body;
  }

  private zaloError(operation: string, code: number, orderId: string): PaymentProviderError {
    const failure: ProviderFailure = code === CHECKOUT_RATE_LIMITED ? "server-error" : "rejected";
    return this.failure(operation, failure, `Checkout error ${code}`, orderId);
  }

  private failure(
    operation: string,
    failure: ProviderFailure,
    detail: string,
    orderId?: string,
    httpStatus?: number,
  ): PaymentProviderError {
    this.logger.warn({ provider: this.id, operation, failure, detail, orderId, httpStatus }, "checkout call failed");
    return new PaymentProviderError(this.id, failure, `${operation}: ${detail}`, httpStatus);
  }
}
