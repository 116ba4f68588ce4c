import { formatVietnamDate, formatVietnamDateTime } from "@qn/shared";
import { type ReactNode, useCallback, useState } from "react";
import { type ApiClientError, asApiClientError } from "../api/request";

export function Loading({ label = "Đang tải…" }: { label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

export function ErrorBox({ error, onRetry }: { error: ApiClientError | string; onRetry?: () => void }) {
  return (
    <div className="alert alert--error" role="alert">
      <span>{typeof error === "string" ? error : error.message}</span>
      {onRetry && (
        <button type="button" className="btn btn--small" onClick={onRetry}>
          Thử lại
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** An instant as `HH:mm dd/mm/yyyy` in Vietnam time, or a dash when there is none. */
export function formatDateTime(iso: string | null | undefined): string {
  return iso ? formatVietnamDateTime(iso) : "—";
}

/** A calendar date (`yyyy-mm-dd`) as `dd/mm/yyyy`, or a dash when there is none. */
export function formatDay(day: string | null | undefined): string {
  return day ? formatVietnamDate(day) : "—";
}

export function formatMoney(vnd: number | null | undefined): string {
  return vnd === null || vnd === undefined ? "—" : `${vnd.toLocaleString("vi-VN")} đ`;
}

/** Runs an action, keeps its error for display, and tells whether it is running (to disable its button). */
export function useAction(): {
  busy: boolean;
  error: ApiClientError | null;
  run: <T>(action: () => Promise<T>) => Promise<T | undefined>;
  clear: () => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiClientError | null>(null);
  const run = useCallback(async <T,>(action: () => Promise<T>) => {
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (e) {
      setError(asApiClientError(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: () => setError(null) };
}

/** The message for one field from a 400's details, to show under that field. */
export function fieldError(error: ApiClientError | null, path: string): string | undefined {
  return error?.details.find((d) => d.path === path || d.path.startsWith(`${path}.`))?.message;
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      {children && <div className="page-header__actions">{children}</div>}
    </header>
  );
}
