import type { ChargeView, PaymentAttemptView, PaymentMethod } from "@qn/shared";

/**
 * The payment screens' rules, as plain functions (no React, no network): which methods to offer where, where a
 * provider's page is, what a return says, what to show while the server confirms, and when to stop asking it.
 */

/** How often the screen asks the server while the provider has not confirmed yet, and for how long at most. */
export const POLL_INTERVAL_MS = 2_000;
export const POLL_LIMIT_MS = 60_000;

/** An open attempt younger than this, found when the screen opens without a reference, is offered for checking. */
export const PENDING_MAX_AGE_MS = 30 * 60 * 1000;

/**
 * What the citizen did at the provider, as the return address says (`ket-qua`, the offline test page's) or Zalo's
 * Checkout told the device. A hint for the screen only: a payment is what the server confirms.
 */
export type Said = "success" | "failure" | "abandon" | null;

export function saidOf(value: string | null | undefined): Said {
  return value === "success" || value === "failure" || value === "abandon" ? value : null;
}

/** The `ket-qua` for what the device learnt from Checkout. */
export function saidOfCheckout(result: "paid" | "processing" | "failed" | "cancelled"): Exclude<Said, null> {
  if (result === "failed") return "failure";
  if (result === "cancelled") return "abandon";
  return "success";
}

/** What the screen shows of an attempt. */
export type Phase =
  | { kind: "paid" }
  | { kind: "failed"; reason: string | null }
  | { kind: "abandoned" }
  /** The provider has not confirmed yet: ask again after POLL_INTERVAL_MS. */
  | { kind: "waiting" }
  /** Still not confirmed after POLL_LIMIT_MS: the citizen checks again later, and must not pay twice. */
  | { kind: "unconfirmed" };

/**
 * What to show of an attempt as the server reports it, given what the citizen did (`said`) and how long the screen
 * has been asking (`elapsedMs`). The server's word decides; an open attempt that the citizen left or that failed on
 * the device is shown as such without waiting (the server settles it later by itself).
 */
export function phaseOf(attempt: Pick<PaymentAttemptView, "status" | "failure">, said: Said, elapsedMs: number): Phase {
  if (attempt.status === "paid") return { kind: "paid" };
  if (attempt.status === "failed") return { kind: "failed", reason: attempt.failure };
  if (attempt.status === "abandoned") return { kind: "abandoned" };
  if (said === "abandon") return { kind: "abandoned" };
  if (said === "failure") return { kind: "failed", reason: attempt.failure };
  return elapsedMs < POLL_LIMIT_MS ? { kind: "waiting" } : { kind: "unconfirmed" };
}

/**
 * The methods to offer, in order: outside Zalo never Zalo's Checkout (it runs only inside Zalo); inside Zalo
 * Checkout first, as the one chosen unless the citizen picks another.
 */
export function offeredMethods<T extends { id: PaymentMethod }>(methods: readonly T[], inZalo: boolean): T[] {
  if (!inZalo) return methods.filter((m) => m.id !== "zalo-checkout");
  return [...methods].sort((a, b) => Number(b.id === "zalo-checkout") - Number(a.id === "zalo-checkout"));
}

/**
 * The provider's page as an absolute address: a path (the offline test page, `/payments/sandbox/<ref>`) is on the
 * API's origin (empty: the page's own); an address must be http(s), anything else (javascript:, data:) is refused.
 */
export function paymentPageUrl(url: string, apiOrigin: string, pageOrigin: string): string {
  const resolved = new URL(url, `${apiOrigin || pageOrigin}/`);
  if (resolved.protocol !== "https:" && resolved.protocol !== "http:") {
    throw new Error("Địa chỉ trang thanh toán không hợp lệ. Vui lòng thử lại hoặc chọn cách thanh toán khác.");
  }
  return resolved.toString();
}

/**
 * Where the app starts when the browser opened it at a payment return (`/dossiers/<code>/pay?ref=…&ket-qua=…`, the
 * address the offline test page sends the citizen back to): that screen with its query. Undefined for any other
 * address (the app starts at home, or where a deep link's query says).
 */
export function returnPath(pathname: string, search: string): string | undefined {
  const match = /^\/dossiers\/([^/]+)\/pay\/?$/.exec(pathname);
  if (!match?.[1]) return undefined;
  return `/dossiers/${match[1]}/pay${search.startsWith("?") ? search : search ? `?${search}` : ""}`;
}

/** The pay screen's address after a start: the attempt to confirm, and what the citizen did if the device knows. */
export function confirmPath(code: string, reference: string, said: Said = null): string {
  const query = new URLSearchParams({ ref: reference });
  if (said) query.set("ket-qua", said);
  return `/dossiers/${encodeURIComponent(code)}/pay?${query}`;
}

/** The latest open attempt of a charge, if it is recent enough to be worth checking before paying again. */
export function pendingAttempt(
  charge: Pick<ChargeView, "attempts"> | undefined,
  now: number,
  maxAgeMs = PENDING_MAX_AGE_MS,
): PaymentAttemptView | undefined {
  const latest = charge?.attempts.at(-1);
  if (latest?.status !== "open") return undefined;
  const age = now - Date.parse(latest.createdAt);
  return Number.isFinite(age) && age >= 0 && age <= maxAgeMs ? latest : undefined;
}

/** The receipt's file name on the device. */
export const receiptFileName = (receiptNumber: string): string => `bien-lai-${receiptNumber}.pdf`;
