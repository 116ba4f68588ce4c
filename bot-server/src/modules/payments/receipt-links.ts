import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Short-lived signed addresses of an e-receipt (issue 14): Zalo's `openDocument` and `downloadFile` open a plain https
 * address and cannot send the session's header, so the owner (or an official of the unit) asks for a link that opens
 * that one receipt for a few minutes. The token names the dossier, the receipt and its expiry, signed with a key
 * derived from the session secret (every instance verifies it).
 */
export class ReceiptLinks {
  private readonly key: Buffer;

  constructor(
    sessionSecret: string,
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.key = createHmac("sha256", sessionSecret).update("receipt-links/v1").digest();
  }

  /** The address (on the API's origin) and when it stops working. */
  issue(code: string, number: string): { url: string; expiresAt: string } {
    const expires = this.now() + this.ttlMs;
    const payload = Buffer.from(`${code}|${number}|${expires}`).toString("base64url");
    const token = `${payload}.${this.sign(payload)}`;
    return {
      url: `/receipts/${encodeURIComponent(number)}.pdf?t=${token}`,
      expiresAt: new Date(expires).toISOString(),
    };
  }

  /** The dossier and receipt a token opens, or null when it is forged, for another receipt, or expired. */
  verify(number: string, token: unknown): { code: string } | null {
    if (typeof token !== "string" || token.length > 400) return null;
    const [payload, signature] = token.split(".");
    if (!payload || !signature || !/^[0-9a-f]{64}$/.test(signature)) return null;
    if (!timingSafeEqual(Buffer.from(this.sign(payload), "hex"), Buffer.from(signature, "hex"))) return null;
    const [code, signedNumber, expires] = Buffer.from(payload, "base64url").toString("utf8").split("|");
    if (!code || signedNumber !== number || !(Number(expires) > this.now())) return null;
    return { code };
  }

  private sign(payload: string): string {
    return createHmac("sha256", this.key).update(payload).digest("hex");
  }
}
