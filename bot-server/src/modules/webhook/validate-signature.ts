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

/** More `timestamp` fields than an event of Zalo's has (each try hashes the whole body). */
const MAX_CANDIDATES = 4;
const TIMESTAMP_FIELD = /"timestamp"\s*:\s*(?:"(\d{1,20})"|(\d{1,20})(?=\s*[,}]))/g;

/**
 * The signed `timestamp`, found without parsing the body (issue 13, finding 5): nothing an unauthenticated sender
 * wrote reaches JSON.parse. The timestamp is inside the signed text, so each `"timestamp": "<digits>"` (or a bare
 * number) in the raw bytes is tried, a few at most; the one that makes the signature match is returned, undefined if
 * none does. The caller checks, once it has parsed the authenticated body, that it is the event's own field.
 */
export function signedTimestamp(
  header: string | undefined,
  appId: string,
  rawBody: Buffer,
  oaSecretKey: string,
): string | undefined {
  if (!header || !/^mac=[0-9a-f]{64}$/i.test(header.trim())) return undefined;
  // latin1 keeps one character per byte: the ASCII field is found as it is, nothing else is decoded.
  const text = rawBody.toString("latin1");
  let tried = 0;
  for (const match of text.matchAll(TIMESTAMP_FIELD)) {
    const candidate = match[1] ?? match[2];
    if (candidate === undefined) continue;
    if (validateSignature(header, appId, rawBody, candidate, oaSecretKey)) return candidate;
    if (++tried >= MAX_CANDIDATES) break;
  }
  return undefined;
}
