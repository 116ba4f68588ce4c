import type { OfficialPostalOrder, PostalEventView, PostalOrderView } from "@qn/shared";
import { type ReactNode, useCallback, useEffect, useRef, useState } from "react";
import { useAsync } from "../hooks/useAsync";
import { fetchBlob, get, post, query, saveBlob } from "./api";
import { ErrorBox, formatDateTime, useAction } from "./common";
import { chunks, LABELS_LIMIT, labelsPath, type PostalTone, statusTone } from "./postal";

export function PostalChip({ tone, children }: { tone: PostalTone; children: string }) {
  return <span className={`chip chip--${tone}`}>{children}</span>;
}

export function OrderStatusChip({ order }: { order: PostalOrderView & { sending?: OfficialPostalOrder["sending"] } }) {
  return <PostalChip tone={statusTone(order)}>{order.statusLabel}</PostalChip>;
}

/**
 * The labels of some orders as one PDF (one A6 page each), fetched with the official's token and shown in a frame
 * over the page from a blob: URL (the browser's PDF viewer prints it), with "Tải về" and "Mở trong thẻ mới" (a link
 * the official clicks, so no pop-up blocker stands in the way). More than 200 orders go as several PDFs, one after
 * the other.
 */
export function useLabels(): {
  busy: boolean;
  error: ReactNode;
  print: (references: string[]) => Promise<void>;
  viewer: ReactNode;
} {
  const { busy, error, run, clear } = useAction();
  const [shown, setShown] = useState<{
    url: string;
    blob: Blob;
    name: string;
    count: number;
    rest: string[][];
  } | null>(null);
  const urlRef = useRef<string | null>(null);
  const release = useCallback(() => {
    if (urlRef.current) URL.revokeObjectURL(urlRef.current);
    urlRef.current = null;
  }, []);
  useEffect(() => release, [release]);
  const load = async (parts: string[][]) => {
    const [first, ...rest] = parts;
    if (!first) return;
    const { blob, fileName } = await fetchBlob(labelsPath(first));
    release();
    const url = URL.createObjectURL(blob);
    urlRef.current = url;
    setShown({ url, blob, name: fileName ?? `nhan-buu-gui-${first.length}.pdf`, count: first.length, rest });
  };
  const print = async (references: string[]) => {
    if (references.length === 0) return;
    await run(() => load(chunks(references, LABELS_LIMIT)));
  };
  const close = () => {
    release();
    setShown(null);
    clear();
  };
  const title = shown ? `Nhãn bưu gửi (${shown.count} nhãn)` : "";
  const viewer = shown && (
    <div
      className="viewer viewer--labels"
      role="dialog"
      aria-modal="true"
      aria-label={title}
      onKeyDown={(e) => {
        if (e.key === "Escape") close();
      }}
    >
      <div className="viewer__bar">
        <span className="viewer__title">{title}: in bằng nút máy in của trình xem PDF, khổ A6 (105 × 148 mm)</span>
        <a className="btn" href={shown.url} target="_blank" rel="noopener">
          Mở trong thẻ mới
        </a>
        <button type="button" className="btn" onClick={() => saveBlob(shown.blob, shown.name)}>
          Tải về
        </button>
        {shown.rest.length > 0 && (
          <button type="button" className="btn" disabled={busy} onClick={() => run(() => load(shown.rest))}>
            Nhãn tiếp theo ({shown.rest.flat().length})
          </button>
        )}
        <button type="button" className="btn btn--primary" onClick={close}>
          Đóng
        </button>
      </div>
      {error && <ErrorBox error={error} />}
      <iframe title={title} src={shown.url} className="viewer__pdf" />
    </div>
  );
  return { busy, error: error && !shown ? <ErrorBox error={error} /> : null, print, viewer };
}

/** "Hủy đơn", confirmed in a dialog that says what it does; the server answers with the order as it is now. */
export function CancelOrderButton({
  order,
  onDone,
}: {
  order: Pick<PostalOrderView, "reference" | "dossierCode" | "status" | "kind">;
  onDone: (order: OfficialPostalOrder) => void;
}) {
  const [asking, setAsking] = useState(false);
  const { busy, error, run } = useAction();
  const id = `cancel-${order.reference}`;
  const confirm = async () => {
    const done = await run(() =>
      post<OfficialPostalOrder>(`/officials/postal/orders/${encodeURIComponent(order.reference)}/cancel`),
    );
    if (done) {
      setAsking(false);
      onDone(done);
    }
  };
  return (
    <>
      <button
        type="button"
        className="btn btn--small btn--danger"
        onClick={() => setAsking(true)}
        aria-label={`Hủy đơn ${order.reference} của hồ sơ ${order.dossierCode}`}
      >
        Hủy đơn
      </button>
      {asking && (
        <div className="dialog-backdrop">
          <div
            className="dialog"
            role="dialog"
            aria-modal="true"
            aria-labelledby={id}
            onKeyDown={(e) => {
              if (e.key === "Escape" && !busy) setAsking(false);
            }}
          >
            <h2 id={id}>Hủy đơn {order.reference}?</h2>
            <p>
              Hồ sơ <strong>{order.dossierCode}</strong>:{" "}
              {order.kind === "delivery"
                ? "bưu điện sẽ không đến nhận kết quả. Kết quả trở lại danh sách “Chờ gửi kết quả” nếu công dân vẫn chọn nhận qua bưu điện."
                : "bưu điện sẽ không đến lấy hồ sơ gốc tại nhà công dân."}
            </p>
            {order.status === "created" && (
              <p className="small muted">Bưu điện đã nhận đơn: yêu cầu hủy được gửi tới bưu điện ngay.</p>
            )}
            {error && <ErrorBox error={error} />}
            <div className="dialog__actions">
              <button type="button" className="btn" disabled={busy} onClick={() => setAsking(false)}>
                Không hủy
              </button>
              <button type="button" className="btn btn--primary" disabled={busy} onClick={confirm}>
                {busy ? "Đang hủy…" : "Hủy đơn"}
              </button>
            </div>
          </div>
        </div>
      )}
    </>
  );
}

/** The parcel's timeline, oldest first, each step with the post's note. */
export function PostalTimeline({ events }: { events: PostalEventView[] }) {
  return (
    <ol className="timeline postal-timeline">
      {events.map((e, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the timeline only grows at its end
        <li key={i}>
          <strong>{e.label}</strong>
          <div className="small muted">{formatDateTime(e.at)}</div>
          {e.note && <div className="small">{e.note}</div>}
        </li>
      ))}
    </ol>
  );
}

const CHANGED = "qn:postal-changed";

/** Tells the navigation that postal orders changed (its count of what needs an official changes). */
export function notifyPostalChanged(): void {
  window.dispatchEvent(new Event(CHANGED));
}

/** How many postal orders of this unit need an official: failed or returned deliveries, orders the post has not taken. */
export function usePostalAttention(enabled: boolean): number {
  const [state, reload] = useAsync(async () => {
    if (!enabled) return 0;
    const items = await get<OfficialPostalOrder[]>(`/officials/postal/orders${query({ list: "problems" })}`);
    return items.length;
  }, [enabled]);
  useEffect(() => {
    window.addEventListener(CHANGED, reload);
    return () => window.removeEventListener(CHANGED, reload);
  }, [reload]);
  return state.value ?? 0;
}
