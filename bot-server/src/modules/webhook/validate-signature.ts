import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Zalo's webhook signature (docs/zalo.md §3): header `X-ZEvent-Signature: mac=<hex>` where
 * `<hex> = SHA-256(app_id + rawBody + timestamp + OA secret key)` — a plain digest, not an HMAC — over the exact bytes
 * received, with `timestamp` the body's own field. Compared in constant time; anything malformed fails.
 */
export function zaloSignature(appId: string, rawBody: Buffer, timestamp: string, oaSecretKey: string): string {
  return createHash("sha256")
    .update(appId, "utf8")
    .update(rawBody)
    .update(timestamp, "utf8")
    .update(oaSecretKey, "utf8")
    .digest("hex");
}

export function validateSignature(
  header: string | undefined,
  appId: string,
  rawBody: Buffer,
  timestamp: string,
  oaSecretKey: string,
): boolean {
  if (!header) return false;
  const match = /^mac=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match?.[1]) return false;
  const expected = Buffer.from(zaloSignature(appId, rawBody, timestamp, oaSecretKey), "hex");
  const given = Buffer.from(match[1].toLowerCase(), "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
