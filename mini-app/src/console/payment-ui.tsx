import { LedgerEntry, PaymentFlagView, type PaymentMethod } from "@qn/shared";
import { useEffect } from "react";
import { z } from "zod";
import { useAsync } from "../hooks/useAsync";
import { fetchBlob, get, query, saveBlob } from "./api";
import { useAction } from "./common";
import type { Tone } from "./payments";

/** `GET /api/officials/payments`. */
export const LedgerAnswer = z.object({ day: z.string(), items: z.array(LedgerEntry), total: z.number().int() });
export type LedgerAnswer = z.infer<typeof LedgerAnswer>;
/** `GET /api/officials/payments/flags`. */
export const FlagsAnswer = z.object({ items: z.array(PaymentFlagView) });

/** The methods in a table's narrow column (the full label is the cell's title). */
export const METHOD_SHORT_LABELS: Record<PaymentMethod, string> = {
  sandbox: "Thử nghiệm",
  "zalo-checkout": "Zalo",
  national: "Nền tảng quốc gia",
};

export function ToneChip({ tone, children }: { tone: Tone; children: string }) {
  return <span className={`chip chip--${tone}`}>{children}</span>;
}

/** The e-receipt of a paid attempt, fetched with the official's token and saved as a PDF. */
export function ReceiptButton({ code, number, label }: { code: string; number: string; label?: string }) {
  const { busy, error, run } = useAction();
  const download = () =>
    run(async () => {
      const { blob, fileName } = await fetchBlob(
        `/dossiers/${encodeURIComponent(code)}/receipts/${encodeURIComponent(number)}.pdf`,
      );
      saveBlob(blob, fileName ?? `bien-lai-${number}.pdf`);
    });
  return (
    <span className="receipt">
      <button
        type="button"
        className="btn btn--small"
        onClick={download}
        disabled={busy}
        aria-label={`Tải biên lai ${number} (PDF)`}
      >
        {busy ? "Đang tải…" : (label ?? number)}
      </button>
      {error && (
        <span className="field__error" role="alert">
          {error.message}
        </span>
      )}
    </span>
  );
}

const CHANGED = "qn:payments-changed";

/** Tells the navigation that a flag or a refund was dealt with (its count changes). */
export function notifyPaymentsChanged(): void {
  window.dispatchEvent(new Event(CHANGED));
}

/** How many payment matters wait for an official of this unit: unresolved flags and refunds not yet paid back. */
export function usePaymentsAttention(enabled: boolean): number {
  const [state, reload] = useAsync(async () => {
    if (!enabled) return 0;
    const [flags, refunds] = await Promise.all([
      get("/officials/payments/flags", FlagsAnswer),
      get(`/officials/payments${query({ refundDue: "true" })}`, LedgerAnswer),
    ]);
    return flags.items.filter((f) => !f.resolvedAt).length + refunds.items.length;
  }, [enabled]);
  useEffect(() => {
    window.addEventListener(CHANGED, reload);
    return () => window.removeEventListener(CHANGED, reload);
  }, [reload]);
  return state.value ?? 0;
}
