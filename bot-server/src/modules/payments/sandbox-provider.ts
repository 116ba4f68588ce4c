import { createHmac, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import type {
  CallbackCheck,
  CallbackResult,
  PaymentProvider,
  ProviderAttempt,
  ProviderStatus,
} from "../../clients/payments/provider";

/** What the sandbox remembers of an attempt (this process only: it is a test page, not a bank). */
type SandboxPayment = {
  attempt: ProviderAttempt;
  outcome: "paid" | "failed" | null;
  transactionId: string | null;
  at: Date;
};

const SIGNATURE_HEADER = "x-sandbox-signature";

/**
 * The offline-mode payment provider (issue 14): a local payment page that says plainly that it is a test, with buttons
 * for success, failure and abandon, so that `npm start` shows the whole flow without any outside system. It behaves
 * like a real provider towards the payment service: it signs its notification (HMAC with a key drawn at start) and
 * the service verifies it the same way as Checkout's or the national platform's, and it answers status queries.
 * Enabled only in offline mode (config refuses it beside Zalo's secret or in production).
 */
export class SandboxProvider implements PaymentProvider {
  readonly id = "sandbox" as const;
  private readonly key = randomBytes(32);
  private readonly payments = new Map<string, SandboxPayment>();

  start(attempt: ProviderAttempt): Promise<{ kind: "redirect"; url: string }> {
    this.payments.set(attempt.reference, { attempt, outcome: null, transactionId: null, at: new Date() });
    // Relative to the bot server: the app opens it against its API origin.
    return Promise.resolve({ kind: "redirect", url: `/payments/sandbox/${encodeURIComponent(attempt.reference)}` });
  }

  /** The attempt the page shows, if it was started here. */
  find(reference: string): SandboxPayment | undefined {
    return this.payments.get(reference);
  }

  /** The page's button: the payment succeeds or fails; returns the signed notification the service receives. */
  settle(reference: string, outcome: "paid" | "failed"): { body: Buffer; headers: Record<string, string> } | null {
    const payment = this.payments.get(reference);
    if (!payment) return null;
    if (payment.outcome === null) {
      payment.outcome = outcome;
      payment.transactionId =
        outcome === "paid" ? `SBX${Date.now()}${String(randomInt(0, 1e6)).padStart(6, "0")}` : null;
      payment.at = new Date();
    }
    const body = Buffer.from(
      JSON.stringify({
        reference,
        transactionId: payment.transactionId,
        amount: payment.attempt.amount,
        outcome: payment.outcome,
        at: payment.at.toISOString(),
      }),
    );
    return { body, headers: { [SIGNATURE_HEADER]: this.sign(body) } };
  }

  status(attempt: ProviderAttempt): Promise<ProviderStatus> {
    const payment = this.payments.get(attempt.reference);
    if (!payment) return Promise.resolve({ state: "unknown" });
    if (payment.outcome === "paid" && payment.transactionId) {
      return Promise.resolve({
        state: "paid",
        transactionId: payment.transactionId,
        amount: payment.attempt.amount,
        paidAt: payment.at,
      });
    }
    if (payment.outcome === "failed")
      return Promise.resolve({ state: "failed", reason: "Giao dịch thử nghiệm không thành công" });
    return Promise.resolve({ state: "pending" });
  }

  verifyCallback(body: Buffer, headers: Record<string, string | string[] | undefined>): CallbackCheck {
    const given = headers[SIGNATURE_HEADER];
    if (typeof given !== "string" || !/^[0-9a-f]{64}$/.test(given)) return { ok: false, reason: "signature" };
    const expected = Buffer.from(this.sign(body), "hex");
    if (!timingSafeEqual(expected, Buffer.from(given, "hex"))) return { ok: false, reason: "signature" };
    try {
      const data = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
      return {
        ok: true,
        notice: {
          reference: String(data.reference),
          providerOrderId: null,
          transactionId: typeof data.transactionId === "string" ? data.transactionId : null,
          amount: Number(data.amount),
          outcome: data.outcome === "paid" ? "paid" : "failed",
          at: new Date(String(data.at)),
          reason: data.outcome === "paid" ? null : "Giao dịch thử nghiệm không thành công",
          fields: data,
        },
      };
    } catch {
      return { ok: false, reason: "malformed" };
    }
  }

  callbackAnswer(result: CallbackResult): { status: number; body: unknown } {
    return { status: 200, body: { ok: result !== "error", result } };
  }

  private sign(body: Buffer): string {
    return createHmac("sha256", this.key).update(body).digest("hex");
  }
}
