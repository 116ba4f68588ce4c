import {
  type ChargeStatus,
  type ChargeView,
  type ExemptionView,
  formatVietnamDate,
  formatVietnamDateTime,
  formatVnd,
  type PaymentAttemptView,
} from "@qn/shared";
import { Button, useNavigate } from "zmp-ui";
import { api } from "../../api/client";
import { FeeLines } from "../../components/FeeLines";
import { ReceiptButton } from "../../components/ReceiptButton";
import { StateMessage } from "../../components/StateMessage";
import { useAsync } from "../../hooks/useAsync";

const CHARGE_TONE: Record<ChargeStatus, string> = {
  due: "action",
  paid: "good",
  "paid-at-counter": "good",
  cancelled: "muted",
};

const ATTEMPT_TONE: Record<PaymentAttemptView["status"], string> = {
  open: "info",
  paid: "good",
  failed: "bad",
  abandoned: "muted",
};

/**
 * The dossier's "Phí, lệ phí": what is payable now with "Nộp phí", each charge with its status, lines and attempts
 * (status, time, transaction id, the receipt to download), and the exemption claimed with the official's check.
 * Loaded again when the dossier's state changes (`version`). Nothing when the dossier has no fees.
 */
export function DossierFees({ code, version }: { code: string; version: unknown }) {
  const navigate = useNavigate();
  const [state, retry] = useAsync((signal) => api.payments(code, signal), [code, version]);
  if (state.status === "loading" && !state.value) {
    return <p className="muted small">Đang tải phí, lệ phí…</p>;
  }
  if (state.status === "error") {
    return (
      <section aria-labelledby="fees-section">
        <h3 id="fees-section">Phí, lệ phí</h3>
        <StateMessage kind="error" text={state.error.message} onRetry={retry} />
      </section>
    );
  }
  const payments = state.value;
  if (!payments || (payments.charges.length === 0 && !payments.exemption)) return null;
  return (
    <section aria-labelledby="fees-section" className="dossier-fees">
      <h3 id="fees-section">Phí, lệ phí</h3>
      {payments.payable && (
        <div className="action-box">
          <p className="pay__amount">
            <span>Cần nộp</span>
            <strong>{formatVnd(payments.payable.amount)}</strong>
          </p>
          <Button fullWidth onClick={() => navigate(`/dossiers/${encodeURIComponent(code)}/pay`)}>
            Nộp phí
          </Button>
        </div>
      )}
      {payments.charges.map((charge) => (
        <Charge key={charge.id} code={code} charge={charge} />
      ))}
      {payments.exemption && <Exemption exemption={payments.exemption} />}
    </section>
  );
}

function Charge({ code, charge: c }: { code: string; charge: ChargeView }) {
  const title = c.kind === "filing" ? "Phí, lệ phí khi nộp hồ sơ" : "Phí, lệ phí cán bộ yêu cầu nộp";
  return (
    <article className="charge" aria-labelledby={`charge-${c.id}`}>
      <div className="charge__head">
        <h4 id={`charge-${c.id}`}>{title}</h4>
        <span className={`state-chip state-chip--${CHARGE_TONE[c.status]}`}>{c.statusLabel}</span>
      </div>
      <p className="muted small">Ngày {formatVietnamDate(c.createdAt)}</p>
      <FeeLines lines={c.lines} total={c.amount} />
      {c.attempts.length > 0 && (
        <>
          <p className="charge__sub">Các lần thanh toán</p>
          <ul className="attempts">
            {[...c.attempts].reverse().map((a) => (
              <li key={a.reference}>
                <p className="attempts__head">
                  <span className={`state-chip state-chip--${ATTEMPT_TONE[a.status]}`}>{a.statusLabel}</span>
                  <span className="attempts__amount">{formatVnd(a.amount)}</span>
                </p>
                <p className="muted small">
                  {a.methodLabel} · {formatVietnamDateTime(a.paidAt ?? a.createdAt)}
                </p>
                {a.transactionId && <p className="small attempts__id">Mã giao dịch: {a.transactionId}</p>}
                {a.failure && a.status !== "paid" && <p className="small">{a.failure}</p>}
                {a.receiptNumber && (
                  <>
                    <p className="small attempts__id">Số biên lai: {a.receiptNumber}</p>
                    <div className="attempts__receipt">
                      <ReceiptButton code={code} receiptNumber={a.receiptNumber} variant="secondary" />
                    </div>
                  </>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </article>
  );
}

function Exemption({ exemption: e }: { exemption: ExemptionView }) {
  const check = e.check;
  return (
    <div className="charge">
      <p className="charge__sub">Đối tượng miễn, giảm bạn đã khai</p>
      <p className="exemption__name">{e.name}</p>
      <p className="muted small">Lý do: {e.reason}</p>
      {check === null ? (
        <p className="small">
          <span className="state-chip state-chip--info">Chờ cán bộ kiểm tra</span>
        </p>
      ) : (
        <p className="small">
          <span className={`state-chip state-chip--${check.accepted ? "good" : "bad"}`}>
            {check.accepted ? "Cán bộ đã xác nhận được miễn" : "Cán bộ không chấp nhận miễn"}
          </span>{" "}
          {check.by}, {formatVietnamDateTime(check.at)}
          {check.note && <span className="facts__note">{check.note}</span>}
        </p>
      )}
    </div>
  );
}
