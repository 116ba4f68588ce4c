import { createHmac, randomInt } from "node:crypto";
import { delay, HttpResponse, http, type JsonBodyType } from "msw";

/**
 * A fake of Zalo's Checkout SDK server (../shared/docs/LEVEL4.md §2) for msw: the orders the mini-app created with
 * `Payment.createOrder`, `get-status`, `updateOrderStatus`, and signed callbacks. Its MACs are computed here, apart
 * from bot-server's checkout-signature.ts, so a client that signs wrongly is refused by the fake as Zalo would refuse
 * it (`error: -2101`).
 *
 *   const checkout = fakeCheckout();
 *   mockServer.use(...checkout.handlers);
 *   const orderId = checkout.createOrder({ amount: 30000, extradata: order.extradata }); // what the mini-app does
 *   checkout.pay(orderId);                                 // the citizen paid
 *   const body = checkout.callbackBody(orderId);           // what Checkout POSTs to our callback, as a Buffer
 *
 * Answers use the `{error, msg, data}` envelope of Zalo's tutorial; `extradata` comes back URI-encoded, as in the
 * callback. The error codes are Zalo's table's (−2101 wrong MAC); "order not found" as −2103 is this fake's guess.
 */

export const CHECKOUT_URL = "https://payment-mini.zalo.test";
export const CHECKOUT_APP_ID = "3125467890123456789";
export const CHECKOUT_PRIVATE_KEY = "qn-checkout-test-key-2025";
export const CHECKOUT_GET_STATUS_PATH = "/api/transaction/get-status";
export const CHECKOUT_UPDATE_ORDER_STATUS_PATH = "/api/transaction/custom/update-order-status";

export type FakeCheckoutOrder = {
  orderId: string;
  amount: number;
  /** The JSON string the mini-app passed to createOrder (plain, not encoded). */
  extradata: string;
  description: string;
  /** The payment method chosen, as the callback reports it. */
  method: string;
  /** 0 running, 1 paid, −1 failed (get-status's returnCode). */
  returnCode: 0 | 1 | -1;
  returnMessage: string;
  transId: string | null;
  /** ms since the epoch. */
  transTime: number | null;
};

export type RecordedCheckoutRequest = {
  operation: "get-status" | "update-order-status";
  url: string;
  query: Record<string, string>;
  body: unknown;
};

function hmacHex(privateKey: string, text: string): string {
  return createHmac("sha256", privateKey).update(text, "utf8").digest("hex");
}

/** overallMac as Zalo documents it: every `data` key sorted, `k=v&…`, objects JSON-stringified. */
export function checkoutOverallMac(privateKey: string, data: Record<string, unknown>): string {
  const text = Object.keys(data)
    .sort()
    .map((key) => {
      const value = data[key];
      return `${key}=${typeof value === "object" && value !== null ? JSON.stringify(value) : String(value)}`;
    })
    .join("&");
  return hmacHex(privateKey, text);
}

/**
 * A callback body as the Checkout server sends it: `{data, mac, overallMac}` with a correct overallMac over `data`.
 * `mac` follows the old documented field order (appId, amount, description, orderId, message, resultCode, transId);
 * that order is uncertain and our client does not check it.
 */
export function signedCallback(privateKey: string, data: Record<string, unknown>) {
  const mac = hmacHex(
    privateKey,
    `appId=${data.appId}&amount=${data.amount}&description=${data.description}&orderId=${data.orderId}` +
      `&message=${data.message}&resultCode=${data.resultCode}&transId=${data.transId}`,
  );
  return { data, mac, overallMac: checkoutOverallMac(privateKey, data) };
}

export function fakeCheckout(
  options: { apiUrl?: string; appId?: string; privateKey?: string; updateOrderStatusPath?: string } = {},
) {
  const apiUrl = options.apiUrl ?? CHECKOUT_URL;
  const appId = options.appId ?? CHECKOUT_APP_ID;
  const privateKey = options.privateKey ?? CHECKOUT_PRIVATE_KEY;
  const state = {
    orders: new Map<string, FakeCheckoutOrder>(),
    requests: [] as RecordedCheckoutRequest[],
    /** Delays (ms) for the next answers, taken one per request. */
    slow: [] as number[],
    nextOrder: 1,
  };

  /** What `Payment.createOrder` does in the mini-app: a running order, its id returned. */
  function createOrder(order: {
    amount: number;
    extradata: string;
    desc?: string;
    orderId?: string;
    method?: string;
  }): string {
    const orderId = order.orderId ?? `ZCO-${String(state.nextOrder++).padStart(6, "0")}`;
    state.orders.set(orderId, {
      orderId,
      amount: order.amount,
      extradata: order.extradata,
      description: order.desc ?? "",
      method: order.method ?? "ZALOPAY_SANDBOX",
      returnCode: 0,
      returnMessage: "Giao dịch đang xử lý",
      transId: null,
      transTime: null,
    });
    return orderId;
  }

  function order(orderId: string): FakeCheckoutOrder {
    const found = state.orders.get(orderId);
    if (!found) throw new Error(`fakeCheckout: no order ${orderId}`);
    return found;
  }

  /** Sets any field of an order (a wrong amount, another extradata…). */
  function setOrder(orderId: string, changes: Partial<Omit<FakeCheckoutOrder, "orderId">>): FakeCheckoutOrder {
    const updated = { ...order(orderId), ...changes };
    state.orders.set(orderId, updated);
    return updated;
  }

  function pay(orderId: string, paid: { transId?: string; transTime?: number } = {}): FakeCheckoutOrder {
    return setOrder(orderId, {
      returnCode: 1,
      returnMessage: "Giao dịch thành công",
      transId: paid.transId ?? `2510${String(randomInt(1e9)).padStart(11, "0")}`,
      transTime: paid.transTime ?? Date.now(),
    });
  }

  function fail(orderId: string, message = "Giao dịch thất bại"): FakeCheckoutOrder {
    return setOrder(orderId, { returnCode: -1, returnMessage: message, transTime: Date.now() });
  }

  /** The callback `data` for an order's current state (resultCode = its returnCode), with `overrides` on top. */
  function callbackData(orderId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const o = order(orderId);
    return {
      appId,
      orderId: o.orderId,
      transId: o.transId ?? "",
      transTime: o.transTime ?? Date.now(),
      merchantTransId: o.transId ? `${o.transId.slice(0, 6)}_${o.transId.slice(-6)}` : "",
      amount: o.amount,
      description: o.description,
      resultCode: o.returnCode,
      message: o.returnMessage,
      extradata: encodeURIComponent(o.extradata),
      method: o.method,
      ...overrides,
    };
  }

  /** `signedCallback` for an order, as the raw body our callback route receives. */
  function callbackBody(orderId: string, overrides: Record<string, unknown> = {}): Buffer {
    return Buffer.from(JSON.stringify(signedCallback(privateKey, callbackData(orderId, overrides))));
  }

  async function answer(body: JsonBodyType): Promise<Response> {
    const wait = state.slow.shift();
    if (wait) await delay(wait);
    return HttpResponse.json(body);
  }

  const handlers = [
    http.get(`${apiUrl}${CHECKOUT_GET_STATUS_PATH}`, ({ request }) => {
      const url = new URL(request.url);
      const query = Object.fromEntries(url.searchParams);
      state.requests.push({ operation: "get-status", url: request.url, query, body: null });
      const { orderId = "", mac } = query;
      const expected = hmacHex(privateKey, `appId=${appId}&orderId=${orderId}&privateKey=${privateKey}`);
      if (query.appId !== appId || mac !== expected) return answer({ error: -2101, msg: "Giá trị MAC không đúng" });
      const o = state.orders.get(orderId);
      if (!o) return answer({ error: -2103, msg: "Không tìm thấy đơn hàng" });
      return answer({
        error: 0,
        msg: "Thành công",
        data: {
          returnCode: o.returnCode,
          returnMessage: o.returnMessage,
          isProcessing: o.returnCode === 0,
          amount: o.amount,
          transId: o.transId ?? "",
          transTime: o.transTime ?? undefined,
          merchantTransId: o.transId ?? "",
          extradata: encodeURIComponent(o.extradata),
          method: o.method,
        },
      });
    }),
    http.post(`${apiUrl}${options.updateOrderStatusPath ?? CHECKOUT_UPDATE_ORDER_STATUS_PATH}`, async ({ request }) => {
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return answer({ err: -2102, error: -2102, msg: "Request body không hợp lệ" });
      }
      state.requests.push({ operation: "update-order-status", url: request.url, query: {}, body });
      const { orderId, resultCode, mac } = (body ?? {}) as Record<string, unknown>;
      const expected = hmacHex(
        privateKey,
        `appId=${appId}&orderId=${orderId}&resultCode=${resultCode}&privateKey=${privateKey}`,
      );
      if ((body as Record<string, unknown>)?.appId !== appId || mac !== expected) {
        return answer({ err: -2101, error: -2101, msg: "Giá trị MAC không đúng" });
      }
      if (resultCode !== 1 && resultCode !== -1 && resultCode !== 2) {
        return answer({ err: -2105, error: -2105, msg: "Result code không hợp lệ" });
      }
      if (typeof orderId !== "string" || !state.orders.has(orderId)) {
        return answer({ err: -2103, error: -2103, msg: "Không tìm thấy đơn hàng" });
      }
      if (resultCode === 1) pay(orderId);
      else if (resultCode === -1) fail(orderId);
      return answer({ err: 0, error: 0, msg: "Thành công" });
    }),
  ];

  return {
    apiUrl,
    appId,
    privateKey,
    state,
    handlers,
    createOrder,
    order,
    setOrder,
    pay,
    fail,
    callbackData,
    callbackBody,
    /** The next answer comes `ms` late (after the work is done). */
    slowDown: (ms: number) => state.slow.push(ms),
  };
}

export type FakeCheckout = ReturnType<typeof fakeCheckout>;
