import {
  type DossierPostal,
  type DossierView,
  formatVnd,
  type OfficialPostalOrder,
  POSTAL_FINAL,
  POSTAL_KIND_LABELS,
  type PostalDispatchResult,
  type PostalOrderView,
} from "@qn/shared";
import { useState } from "react";
import { Link } from "react-router-dom";
import { useAsync } from "../../hooks/useAsync";
import { get, post } from "../api";
import { ErrorBox, formatDateTime, formatDay, Loading, useAction } from "../common";
import { addressText, notPrintableReason, OUTCOME_LABELS, problemLine } from "../postal";
import { CancelOrderButton, notifyPostalChanged, OrderStatusChip, PostalTimeline, useLabels } from "../postal-ui";

/** The dossier is "Đã xử lý xong" (9): its result may go out. */
const DONE = 9;

/**
 * The dossier's "Bưu chính công ích" panel (issue 15): its postal orders (the pick-up of the originals, the result's
 * delivery), each with its waybill, the parcel's timeline, what the citizen chose after a failed delivery, and the
 * delivery proof; the label to print; "Hủy đơn" while the post has not picked it up; and "Gửi kết quả qua bưu điện"
 * for this one dossier when its result is ready. Hidden for a procedure the post may not carry that has no orders.
 */
export function PostalPanel({ dossier, mayHandle }: { dossier: DossierView; mayHandle: boolean }) {
  const code = dossier.code;
  const [postal, reload] = useAsync(
    () => get<DossierPostal>(`/dossiers/${encodeURIComponent(code)}/postal`),
    [code, dossier.state],
  );
  const labels = useLabels();
  const sending = useAction();
  const [done, setDone] = useState<string | null>(null);
  const p = postal.value;
  if (postal.status === "loading" && !p) {
    return (
      <section className="panel" aria-labelledby="h-postal">
        <h2 id="h-postal">Bưu chính công ích</h2>
        <Loading />
      </section>
    );
  }
  if (p && !p.allowed && p.orders.length === 0) return null;
  const orders = p ? [...p.orders].reverse() : [];
  const openDelivery = orders.some(
    (o) => o.kind === "delivery" && (!POSTAL_FINAL.has(o.status) || (o.status === "returned" && o.chosen === null)),
  );
  const mayDispatch =
    mayHandle && p?.allowed && dossier.state === DONE && dossier.resultDelivery.method === "post" && !openDelivery;
  const dispatch = async () => {
    setDone(null);
    const results = await sending.run(() =>
      post<PostalDispatchResult[]>("/officials/postal/dispatch", { codes: [code] }),
    );
    const r = results?.[0];
    if (!r) return;
    setDone(
      r.outcome === "refused"
        ? `${OUTCOME_LABELS.refused}: ${r.message ?? ""}`
        : r.outcome === "created"
          ? `Đã tạo đơn ${r.reference}: đơn được gửi tới bưu điện; in nhãn khi bưu điện cấp mã vận đơn.`
          : `${OUTCOME_LABELS.already}${r.reference ? ` (${r.reference})` : ""}.`,
    );
    notifyPostalChanged();
    reload();
  };
  return (
    <section className="panel" aria-labelledby="h-postal">
      <div className="charge__head">
        <h2 id="h-postal">Bưu chính công ích</h2>
        <Link className="small" to="/buu-chinh">
          Mở mục Bưu chính
        </Link>
      </div>
      {postal.status === "error" && <ErrorBox error={postal.error} onRetry={reload} />}
      {p && (
        <>
          {p.quote && (
            <p className="small muted">
              Cước của đơn vị: lấy hồ sơ tại nhà {formatVnd(p.quote.pickup)}; gửi kết quả{" "}
              {formatVnd(p.quote.delivery.charge)} và phí thu hộ {formatVnd(p.quote.delivery.codFee)}, công dân trả{" "}
              {formatVnd(p.quote.delivery.cod)} khi nhận.
            </p>
          )}
          {!p.allowed && <p className="muted">Thủ tục này không được gửi qua bưu chính công ích.</p>}
          {done && (
            <div className="alert alert--info" role="status">
              <span>{done}</span>
            </div>
          )}
          {sending.error && <ErrorBox error={sending.error} />}
          {mayDispatch && (
            <div className="postal-dispatch">
              <p className="small">
                Kết quả đã sẵn sàng và công dân chọn nhận qua bưu điện (
                {dossier.resultDelivery.method === "post" &&
                  `${dossier.resultDelivery.recipientName}, ${addressText(dossier.resultDelivery.address)}`}
                ).
              </p>
              <button type="button" className="btn btn--primary" disabled={sending.busy} onClick={dispatch}>
                {sending.busy ? "Đang tạo đơn…" : "Gửi kết quả qua bưu điện"}
              </button>
            </div>
          )}
          {orders.length === 0 && p.allowed && (
            <p className="muted">
              Hồ sơ chưa có đơn bưu chính.
              {dossier.resultDelivery.method === "post" && dossier.state !== DONE
                ? " Kết quả sẽ gửi qua bưu điện khi hồ sơ xử lý xong."
                : ""}
            </p>
          )}
          {labels.error}
          {orders.map((o) => (
            <Order
              key={o.reference}
              order={o}
              mayHandle={mayHandle}
              onPrint={() => labels.print([o.reference])}
              printing={labels.busy}
              onCancelled={(after: OfficialPostalOrder) => {
                setDone(
                  after.status === "cancelled"
                    ? `Đã hủy đơn ${after.reference}.`
                    : `Đã gửi yêu cầu hủy đơn ${after.reference}; đơn hủy khi bưu điện xác nhận.`,
                );
                notifyPostalChanged();
                reload();
              }}
            />
          ))}
          {labels.viewer}
        </>
      )}
    </section>
  );
}

function Order({
  order: o,
  mayHandle,
  onPrint,
  printing,
  onCancelled,
}: {
  order: PostalOrderView;
  mayHandle: boolean;
  onPrint: () => void;
  printing: boolean;
  onCancelled: (order: OfficialPostalOrder) => void;
}) {
  const why = notPrintableReason(o);
  const problem = problemLine(o);
  const mayCancel = mayHandle && (o.status === "waiting" || o.status === "created");
  return (
    <article className="charge postal-order" data-reference={o.reference} aria-labelledby={`po-${o.reference}`}>
      <div className="charge__head">
        <h3 id={`po-${o.reference}`}>{POSTAL_KIND_LABELS[o.kind]}</h3>
        <OrderStatusChip order={o} />
      </div>
      <dl className="facts">
        <dt>Mã đơn</dt>
        <dd className="mono">{o.reference}</dd>
        <dt>Mã vận đơn</dt>
        <dd>{o.waybill ? <span className="mono">{o.waybill}</span> : <span className="muted">Chưa có</span>}</dd>
        <dt>{o.kind === "delivery" ? "Người nhận" : "Người gửi"}</dt>
        <dd>
          {o.contact.name}, {o.contact.phone}
          <div className="small">{addressText(o.contact.address)}</div>
        </dd>
        {o.pickup && (
          <>
            <dt>Hẹn lấy</dt>
            <dd>
              {formatDay(o.pickup.date)}, {o.pickup.slotLabel}
            </dd>
          </>
        )}
        <dt>{o.kind === "delivery" ? "Thu khi giao" : "Cước thu gom"}</dt>
        <dd>{formatVnd(o.kind === "delivery" ? o.codAmount : o.charge)}</dd>
      </dl>
      {problem && (
        <div className="alert alert--warn postal-problem" role="status">
          <span>
            {problem.chosen} {problem.todo}
          </span>
        </div>
      )}
      {o.proof && (
        <div className="proof">
          <strong>Bằng chứng giao</strong>
          <div className="small">
            {o.proof.receivedBy ? `Người nhận: ${o.proof.receivedBy} · ` : ""}
            {formatDateTime(o.proof.at)}
            {o.proof.note ? ` · ${o.proof.note}` : ""}
          </div>
          {o.proof.url && (
            <a className="small" href={o.proof.url} target="_blank" rel="noopener noreferrer">
              Xem ảnh, chữ ký của người nhận (trang của bưu điện)
            </a>
          )}
        </div>
      )}
      <h4>Hành trình</h4>
      <PostalTimeline events={o.events} />
      <div className="actions">
        <button
          type="button"
          className="btn btn--small"
          disabled={why !== null || printing}
          title={why ?? undefined}
          onClick={onPrint}
          aria-label={`In nhãn đơn ${o.reference}`}
        >
          In nhãn
        </button>
        {why && <span className="small muted">{why}</span>}
        {mayCancel && <CancelOrderButton order={o} onDone={onCancelled} />}
      </div>
    </article>
  );
}
