import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The portal's callback signature (docs/portal-api/openapi.json, webhook `dossierStateChanged`):
 * `X-Portal-Signature: sha256=<hex>` with `<hex> = HMAC-SHA256(secret, timestamp + "." + raw body)` and
 * `X-Portal-Timestamp` the Unix time in seconds when the portal sent it. Binding the timestamp stops replays of an old
 * body; the check runs on the exact bytes received, before any JSON parsing, compares in constant time, and fails
 * closed on anything missing or malformed.
 */
export const CALLBACK_TOLERANCE_MS = 5 * 60 * 1000;

export function portalCallbackSignature(secret: string, timestamp: string, rawBody: Buffer): string {
  return createHmac("sha256", secret).update(`${timestamp}.`, "utf8").update(rawBody).digest("hex");
}

export type CallbackVerdict = { ok: true } | { ok: false; reason: "missing" | "malformed" | "stale" | "mismatch" };

export type CallbackToVerify = {
  timestampHeader: string | undefined;
  signatureHeader: string | undefined;
  rawBody: Buffer;
  /** The current secret, or the current and the previous one while the portal rotates it. */
  secrets: string | readonly string[];
  now: number;
  toleranceMs?: number;
};

export function verifyPortalCallback(callback: CallbackToVerify): CallbackVerdict {
  const { timestampHeader, signatureHeader, rawBody, now } = callback;
  if (!timestampHeader || !signatureHeader) return { ok: false, reason: "missing" };
  const timestamp = timestampHeader.trim();
  const match = /^sha256=([0-9a-f]{64})$/i.exec(signatureHeader.trim());
  if (!/^\d{1,12}$/.test(timestamp) || !match?.[1]) return { ok: false, reason: "malformed" };
  // Too old or too far in the future (clock skew beyond the tolerance): a replay or a broken clock, refused either way.
  if (Math.abs(now - Number(timestamp) * 1000) > (callback.toleranceMs ?? CALLBACK_TOLERANCE_MS)) {
    return { ok: false, reason: "stale" };
  }
  const given = Buffer.from(match[1].toLowerCase(), "hex");
  const secrets = typeof callback.secrets === "string" ? [callback.secrets] : callback.secrets;
  let valid = false;
  for (const secret of secrets) {
    if (!secret) continue;
    const expected = Buffer.from(portalCallbackSignature(secret, timestamp, rawBody), "hex");
    // Every secret is tried, so the time taken does not tell which one matched.
    if (expected.length === given.length && timingSafeEqual(expected, given)) valid = true;
  }
  return valid ? { ok: true } : { ok: false, reason: "mismatch" };
}
