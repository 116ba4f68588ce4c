import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Zalo Checkout SDK's four MACs (../shared/docs/LEVEL4.md §2; Zalo's Mini App documentation: createOrder, callback,
 * getOrderStatus, updateOrderStatus). Each is HMAC-SHA256 with the Mini App's Checkout private key, as lowercase hex,
 * over a `k=v&…` string in UTF-8. Pure functions: no I/O, no logging (a MAC or a key never reaches a log).
 */

/** What the mini-app passes to `Payment.createOrder` besides the mac. `extradata` and `method` are JSON strings. */
export type CreateOrderFields = {
  amount: number;
  desc: string;
  extradata: string;
  item: readonly { id: string; amount: number }[];
  method: string;
};

function hmacHex(privateKey: string, text: string): string {
  return createHmac("sha256", privateKey).update(text, "utf8").digest("hex");
}

/** A value as Zalo's samples write it into the MAC string: objects and arrays JSON-stringified, the rest as text. */
function macValue(value: unknown): string {
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

/** `k=v&…` over every key, sorted by UTF-16 code unit (JavaScript's default sort, as in Zalo's samples). */
function sortedPairs(fields: Record<string, unknown>): string {
  return Object.keys(fields)
    .sort()
    .map((key) => `${key}=${macValue(fields[key])}`)
    .join("&");
}

/**
 * createOrder's `mac` (**certain**, required since ZMP SDK 2.45.0):
 * HMAC(privateKey, `amount=…&desc=…&extradata=…&item=…&method=…`), keys sorted, `item` JSON-stringified, `extradata`
 * and `method` the JSON strings as given. The mini-app must send `item` exactly as it was signed (same key order).
 */
export function createOrderMac(privateKey: string, order: CreateOrderFields): string {
  const { amount, desc, extradata, item, method } = order;
  return hmacHex(privateKey, sortedPairs({ amount, desc, extradata, item, method }));
}

/**
 * The callback's `overallMac` (**certain** that it covers all `data` keys sorted as `k=v&…`): the values as they
 * arrived — `extradata` still URI-encoded. Zalo's tutorial writes `${data[key]}`, which for a string or a number is the
 * same text; for an object value we JSON-stringify (our rule, LEVEL4.md §2 — **uncertain** whether Zalo ever sends an
 * object in `data`, and how it would serialise it).
 */
export function overallMac(privateKey: string, data: Record<string, unknown>): string {
  return hmacHex(privateKey, sortedPairs(data));
}

/** Compares a received overallMac with the expected one in constant time; false for anything not 64 hex digits. */
export function verifyOverallMac(privateKey: string, data: Record<string, unknown>, given: unknown): boolean {
  if (typeof given !== "string" || !/^[0-9a-fA-F]{64}$/.test(given)) return false;
  const expected = Buffer.from(overallMac(privateKey, data), "hex");
  const received = Buffer.from(given.toLowerCase(), "hex");
  return expected.length === received.length && timingSafeEqual(expected, received);
}

/** get-status's `mac` (**certain**): HMAC(privateKey, `appId=…&orderId=…&privateKey=…`) — the key is in the text too. */
export function statusMac(privateKey: string, ids: { appId: string; orderId: string }): string {
  return hmacHex(privateKey, `appId=${ids.appId}&orderId=${ids.orderId}&privateKey=${privateKey}`);
}

/**
 * updateOrderStatus's `mac` (**certain** for the fields): HMAC(privateKey,
 * `appId=…&orderId=…&resultCode=…&privateKey=…`), in that order (not sorted).
 */
export function updateOrderStatusMac(
  privateKey: string,
  fields: { appId: string; orderId: string; resultCode: number },
): string {
  return hmacHex(
    privateKey,
    `appId=${fields.appId}&orderId=${fields.orderId}&resultCode=${fields.resultCode}&privateKey=${privateKey}`,
  );
}
