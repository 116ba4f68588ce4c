import type { CheckoutOrder, PaymentLine, PaymentMethod } from "@qn/shared";
import { UpstreamError } from "../../errors/app-error";

/**
 * The one interface every payment provider implements (issue 14; docs/decisions/0014-payments.md): the local sandbox
 * (offline mode), Zalo's Checkout SDK and the national payment platform. The payment service (modules/payments) owns
 * the attempts, the ledger and the exactly-once rule; a provider only starts a payment, tells its status, and verifies
 * what it sends back. Keys and secrets live in the provider's client, from configuration; nothing here reaches the
 * mini-app except what `start` returns for it.
 */

/** The providers, as the API names them (labels: PAYMENT_METHOD_LABELS in @qn/shared). */
export type ProviderId = PaymentMethod;

/** One line of what is paid (shared with the API, the ledger and the receipt). */
export type { PaymentLine };

/** What a provider is told about one payment attempt. */
export type ProviderAttempt = {
  /** Ours, unique per attempt: `TT` + 14 digits of the time + 6 random digits…; ≤ 40 characters of [A-Z0-9]. */
  reference: string;
  dossierCode: string;
  procedure: { code: string; name: string };
  unit: { code: string; name: string };
  /** VND, the sum of the lines. */
  amount: number;
  lines: PaymentLine[];
  payer: { name: string; identityNumber: string | null; address: string | null };
  /** Shown by the provider to the citizen: "Nộp phí hồ sơ <code>", ≤ 100 characters. */
  description: string;
  createdAt: Date;
  /** The citizen's address as the server saw it (the national platform's `Ip`). */
  clientIp: string;
  /** The provider's own order id, once `start` gave one (Checkout's orderId after createOrder). */
  providerOrderId: string | null;
  /** Where a provider that leaves the app (a payment page) sends the citizen back. */
  returnUrl: string;
};

/** What the citizen's device does next. */
export type StartResult =
  /** Open this address (in Zalo's webview inside Zalo, a new tab outside). */
  | { kind: "redirect"; url: string; providerOrderId?: string }
  /** Call the Checkout SDK's `Payment.createOrder` with exactly these fields (`mac` computed by the server). */
  | { kind: "checkout"; order: CheckoutOrder };

export type { CheckoutOrder };

/** The provider's answer to "what became of this attempt?" (the reconciliation path and the citizen's return). */
export type ProviderStatus =
  | { state: "paid"; transactionId: string; amount: number; paidAt: Date }
  | { state: "pending" }
  | { state: "failed"; reason: string }
  /** The provider has never heard of it (the citizen never reached the payment page). */
  | { state: "unknown" };

/** A provider's signed notification, verified and read. */
export type ProviderNotice = {
  /** Our reference as the provider echoes it (null when it does not carry one we can read). */
  reference: string | null;
  providerOrderId: string | null;
  /** The provider's transaction id: a confirmation is applied once per (provider, transaction id). */
  transactionId: string | null;
  /** VND. */
  amount: number;
  outcome: "paid" | "failed";
  at: Date;
  reason: string | null;
  /** What is kept of the notification in the ledger: the provider's fields without secrets or signatures. */
  fields: Record<string, unknown>;
};

export type CallbackCheck = { ok: true; notice: ProviderNotice } | { ok: false; reason: "signature" | "malformed" };

/** How the payment service ended a callback, for the provider's answer. */
export type CallbackResult = "applied" | "duplicate" | "refused" | "error";

export interface PaymentProvider {
  readonly id: ProviderId;
  /** Starts a payment for an attempt already recorded. Throws PaymentProviderError. */
  start(attempt: ProviderAttempt): Promise<StartResult>;
  /** Asks the provider what became of an attempt. Throws PaymentProviderError. */
  status(attempt: ProviderAttempt): Promise<ProviderStatus>;
  /** Verifies a callback's raw body (and headers) before anything else reads it. Never throws. */
  verifyCallback(body: Buffer, headers: Record<string, string | string[] | undefined>): CallbackCheck;
  /** The answer the provider expects to a callback with a good signature. */
  callbackAnswer(result: CallbackResult): { status: number; body: unknown };
  /** The provider's own receipt (PDF), when it issues one; null when it has none for the attempt. */
  receipt?(attempt: ProviderAttempt): Promise<Buffer | null>;
}

export type ProviderFailure = "timeout" | "network" | "server-error" | "malformed" | "rejected" | "not-configured";

/**
 * A provider that did not answer usefully. `retryable`: asking again later may help (timeout, network, 5xx); a refusal
 * or a malformed answer is not retried blindly. Messages are Vietnamese: one may reach the citizen.
 */
export class PaymentProviderError extends UpstreamError {
  readonly retryable: boolean;
  constructor(
    readonly provider: ProviderId,
    readonly failure: ProviderFailure,
    readonly detail: string,
    readonly httpStatus?: number,
  ) {
    super(
      "PAYMENT_PROVIDER_UNAVAILABLE",
      failure === "rejected"
        ? "Cổng thanh toán từ chối giao dịch. Vui lòng thử lại hoặc chọn cách thanh toán khác."
        : "Cổng thanh toán tạm thời chưa phản hồi. Hồ sơ của bạn vẫn được lưu; vui lòng thử lại sau ít phút.",
      502,
    );
    this.retryable = failure === "timeout" || failure === "network" || failure === "server-error";
  }
}
