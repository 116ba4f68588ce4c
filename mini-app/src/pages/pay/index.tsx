import {
  type ChargeView,
  type DossierPayments,
  formatVietnamDateTime,
  formatVnd,
  type PaymentAttemptView,
  type PaymentMethod,
} from "@qn/shared";
import { useEffect, useRef, useState } from "react";
import { Button, Page, Spinner, useLocation, useNavigate, useParams } from "zmp-ui";
import { api } from "../../api/client";
import { API_ORIGIN } from "../../api/origin";
import { type ApiClientError, asApiClientError } from "../../api/request";
import { FeeLines } from "../../components/FeeLines";
import { ReceiptButton } from "../../components/ReceiptButton";
import { StateMessage } from "../../components/StateMessage";
import { Stepper } from "../../components/Stepper";
import { TopBar } from "../../components/TopBar";
import { useAsync } from "../../hooks/useAsync";
import { Icon } from "../../icons";
import { inZalo, openPaymentPage, payWithCheckout } from "../../zalo";
import { STEPS } from "../file/draft";
import {
  confirmPath,
  offeredMethods,
  type Phase,
  POLL_INTERVAL_MS,
  paymentPageUrl,
  pendingAttempt,
  phaseOf,
  type Said,
  saidOf,
  saidOfCheckout,
} from "./flow";

/**
 * Nộp phí, lệ phí (issue 14): `/dossiers/:code/pay`. Without `ref`, what is payable with its lines and the methods,
 * "Thanh toán" and "Để sau" (`?buoc=cuoi`: the wizard's last step, right after filing). With `ref` (back from the
 * provider, or after Zalo's Checkout), the server is asked what became of that attempt until it knows.
 */
export default function PayPage() {
  const code = useParams().code ?? "";
  const search = useLocation().search;
  const query = new URLSearchParams(search);
  const reference = query.get("ref") ?? "";
  return (
    <Page className="screen">
      <TopBar title="Nộp phí, lệ phí" />
      {reference ? (
        <Confirm key={search} code={code} reference={reference} said={saidOf(query.get("ket-qua"))} />
      ) : (
        <PayForm key={search} code={code} lastStep={query.get("buoc") === "cuoi"} />
      )}
    </Page>
  );
}

const dossierPath = (code: string) => `/dossiers/${encodeURIComponent(code)}`;
const payPath = (code: string) => `${dossierPath(code)}/pay`;

function NothingToPay({ code }: { code: string }) {
  const navigate = useNavigate();
  return (
    <StateMessage
      kind="empty"
      title="Hồ sơ không còn khoản phí nào cần nộp"
      text={
        <>
          <p>Các khoản phí, lệ phí của hồ sơ đã được nộp, được miễn, hoặc cán bộ chưa thông báo khoản nào.</p>
          <div className="button-row">
            <Button onClick={() => navigate(dossierPath(code), { replace: true })}>Xem hồ sơ</Button>
          </div>
        </>
      }
    />
  );
}

function PayForm({ code, lastStep }: { code: string; lastStep: boolean }) {
  const navigate = useNavigate();
  const [state, retry] = useAsync((signal) => api.payments(code, signal), [code]);
  const [nothing, setNothing] = useState(false);
  if (state.status === "loading") return <StateMessage kind="loading" />;
  if (state.status === "error") {
    if (state.error.status === 404) {
      return (
        <StateMessage
          kind="empty"
          title="Không tìm thấy hồ sơ"
          text={
            <>
              <p>Hồ sơ này không có trong tài khoản của bạn.</p>
              <div className="button-row">
                <Button onClick={() => navigate("/dossiers", { replace: true })}>Hồ sơ của tôi</Button>
              </div>
            </>
          }
        />
      );
    }
    return <StateMessage kind="error" text={state.error.message} onRetry={retry} />;
  }
  const payments = state.value;
  if (nothing || !payments.payable) return <NothingToPay code={code} />;
  return <PaymentStep code={code} payments={payments} lastStep={lastStep} onNothing={() => setNothing(true)} />;
}

/** What is payable, how, and the way out ("Để sau": the dossier stays filed, unpaid, payable from its page). */
function PaymentStep({
  code,
  payments,
  lastStep,
  onNothing,
}: {
  code: string;
  payments: DossierPayments;
  lastStep: boolean;
  onNothing: () => void;
}) {
  const navigate = useNavigate();
  const zalo = inZalo();
  const methods = offeredMethods(payments.methods, zalo);
  const [method, setMethod] = useState<PaymentMethod | undefined>(methods[0]?.id);
  const [phase, setPhase] = useState<"idle" | "starting" | "away">("idle");
  const [error, setError] = useState<ApiClientError>();
  const away = useRef<AbortController>();
  useEffect(() => () => away.current?.abort(), []);
  const payable = payments.payable;
  const charge: ChargeView | undefined = payments.charges.find((c) => c.id === payable?.chargeId);
  const pending = pendingAttempt(charge, Date.now());

  const pay = async () => {
    if (!method) return;
    setError(undefined);
    setPhase("starting");
    try {
      const started = await api.startPayment(code, method);
      const reference = started.attempt.reference;
      const controller = new AbortController();
      away.current = controller;
      if (started.next.kind === "redirect") {
        const url = paymentPageUrl(started.next.url, API_ORIGIN, window.location.origin);
        setPhase("away");
        // Outside Zalo the page is left for the provider's, which sends the citizen back to this screen with `ref`.
        if ((await openPaymentPage(url, controller.signal)) === "left") return;
        navigate(confirmPath(code, reference), { replace: true });
      } else {
        setPhase("away");
        // Chosen inside Checkout, the national platform takes over: its page, then the check of its attempt.
        let handedTo: string | undefined;
        const result = await payWithCheckout(
          started.next.order,
          (orderId) =>
            // The server asks Checkout about the order by its id; the callback carries the reference anyway.
            api.reportCheckoutOrder(reference, orderId).then(
              () => undefined,
              () => undefined,
            ),
          controller.signal,
          async (orderId) => {
            const national = await api.customMethod(reference, orderId);
            handedTo = national.attempt.reference;
            if (national.next.kind === "redirect") {
              await openPaymentPage(
                paymentPageUrl(national.next.url, API_ORIGIN, window.location.origin),
                controller.signal,
              );
            }
          },
        );
        if (result === "custom" && handedTo) navigate(confirmPath(code, handedTo), { replace: true });
        else if (result !== "custom") navigate(confirmPath(code, reference, saidOfCheckout(result)), { replace: true });
      }
    } catch (failure) {
      const problem = asApiClientError(failure);
      if (problem.code === "NOTHING_TO_PAY") {
        onNothing();
        return;
      }
      setError(problem);
      setPhase("idle");
    }
  };

  if (!payable) return null;
  return (
    <div className="detail pay">
      {lastStep && (
        <>
          <Stepper steps={[...STEPS, "Nộp phí"]} current={STEPS.length} />
          <p className="notice notice--ok" role="status">
            Hồ sơ <strong>{code}</strong> đã được gửi. Bước cuối: nộp phí, lệ phí để hồ sơ được chuyển xử lý.
          </p>
        </>
      )}
      <section aria-labelledby="pay-title">
        <h2 id="pay-title" className="detail__name">
          Nộp phí, lệ phí
        </h2>
        {!lastStep && <p className="detail__code">Hồ sơ {code}</p>}
        <p className="pay__amount">
          <span>Số tiền cần nộp</span>
          <strong>{formatVnd(payable.amount)}</strong>
        </p>
        {charge && <FeeLines lines={charge.lines} total={charge.amount} />}
        {pending && (
          <p className="notice" role="status">
            Lần thanh toán lúc {formatVietnamDateTime(pending.createdAt)} chưa có kết quả. Nếu bạn đã thanh toán, hãy{" "}
            <button
              type="button"
              className="link"
              onClick={() => navigate(confirmPath(code, pending.reference), { replace: true })}
            >
              kiểm tra kết quả
            </button>{" "}
            trước khi thanh toán lại.
          </p>
        )}
        {methods.length === 0 ? (
          <p className="notice">
            Hiện chưa có cách thanh toán trực tuyến cho hồ sơ này. Bạn có thể nộp tại bộ phận một cửa khi đến nhận kết
            quả.
          </p>
        ) : (
          <fieldset className="radio-group" disabled={phase !== "idle"}>
            <legend className="field__label">Cách thanh toán</legend>
            {methods.map((m) => (
              <label key={m.id} className={method === m.id ? "radio is-checked" : "radio"}>
                <input
                  type="radio"
                  name="method"
                  value={m.id}
                  checked={method === m.id}
                  onChange={() => setMethod(m.id)}
                />
                <span>{m.label}</span>
              </label>
            ))}
          </fieldset>
        )}
        {error && <StateMessage kind="error" text={error.message} onRetry={pay} />}
        {phase === "away" ? (
          <div className="pay__away" role="status" aria-live="polite">
            <Spinner visible />
            <p>
              {method === "zalo-checkout"
                ? "Đang thanh toán trong Zalo…"
                : zalo
                  ? "Trang thanh toán đang mở. Thanh toán xong, hãy đóng trang đó để quay lại đây."
                  : "Đang mở trang thanh toán…"}
            </p>
            {zalo && (
              <Button variant="secondary" size="medium" onClick={() => away.current?.abort()}>
                Tôi đã thanh toán xong
              </Button>
            )}
          </div>
        ) : (
          <div className="stack-buttons">
            {methods.length > 0 && (
              <Button fullWidth onClick={pay} loading={phase === "starting"} disabled={!method}>
                Thanh toán
              </Button>
            )}
            <Button
              fullWidth
              variant="secondary"
              disabled={phase !== "idle"}
              onClick={() => navigate(dossierPath(code), { replace: true })}
            >
              Để sau
            </Button>
          </div>
        )}
        {lastStep && (
          <p className="muted small">
            Hồ sơ đã được gửi và đang chờ nộp phí. Bạn có thể nộp phí sau, ở trang hồ sơ (mục Hồ sơ của tôi).
          </p>
        )}
      </section>
    </div>
  );
}

/** Back from the provider: the server asks it what happened, every POLL_INTERVAL_MS while it has not confirmed. */
function Confirm({ code, reference, said }: { code: string; reference: string; said: Said }) {
  const navigate = useNavigate();
  const [round, setRound] = useState(0);
  const [attempt, setAttempt] = useState<PaymentAttemptView>();
  const [phase, setPhase] = useState<Phase>();
  const [error, setError] = useState<ApiClientError>();
  // biome-ignore lint/correctness/useExhaustiveDependencies: `round` starts the asking again ("Kiểm tra lại")
  useEffect(() => {
    const controller = new AbortController();
    const started = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = async () => {
      try {
        const now = await api.checkPayment(reference, controller.signal);
        if (controller.signal.aborted) return;
        const next = phaseOf(now, said, Date.now() - started);
        setAttempt(now);
        setError(undefined);
        setPhase(next);
        if (next.kind === "waiting") timer = setTimeout(ask, POLL_INTERVAL_MS);
      } catch (failure) {
        if (!controller.signal.aborted) setError(asApiClientError(failure));
      }
    };
    setPhase(undefined);
    setError(undefined);
    void ask();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [reference, said, round]);

  const again = () => navigate(payPath(code), { replace: true });
  const later = () => navigate(dossierPath(code), { replace: true });

  if (error) {
    if (error.status === 404) {
      return (
        <StateMessage
          kind="empty"
          title="Không tìm thấy lần thanh toán này"
          text={
            <>
              <p>{error.message}</p>
              <div className="button-row">
                <Button variant="secondary" onClick={later}>
                  Xem hồ sơ
                </Button>
                <Button onClick={again}>Thử lại</Button>
              </div>
            </>
          }
        />
      );
    }
    return <StateMessage kind="error" text={error.message} onRetry={() => setRound((n) => n + 1)} />;
  }
  if (!phase || phase.kind === "waiting") {
    return (
      <section className="receipt pay-result" aria-labelledby="pay-wait" role="status" aria-live="polite">
        <Spinner visible />
        <h2 id="pay-wait">Đang chờ xác nhận từ cổng thanh toán…</h2>
        {attempt && <p className="receipt__code">{formatVnd(attempt.amount)}</p>}
        <p className="muted">Mã thanh toán {reference}. Vui lòng đợi trong giây lát.</p>
      </section>
    );
  }
  if (phase.kind === "paid" && attempt) return <Paid code={code} attempt={attempt} />;
  if (phase.kind === "unconfirmed") {
    return (
      <section className="receipt pay-result" aria-labelledby="pay-unconfirmed">
        <span className="receipt__icon receipt__icon--wait">
          <Icon name="clock" size={36} />
        </span>
        <h2 id="pay-unconfirmed">Chưa nhận được xác nhận từ cổng thanh toán</h2>
        {attempt && <p className="receipt__code">{formatVnd(attempt.amount)}</p>}
        <p className="muted">
          Nếu bạn đã thanh toán, đừng thanh toán lại: hệ thống tự đối soát với cổng thanh toán và báo kết quả cho bạn
          qua Zalo. Mã thanh toán {reference}.
        </p>
        <div className="stack-buttons">
          <Button fullWidth onClick={() => setRound((n) => n + 1)}>
            Kiểm tra lại
          </Button>
          <Button fullWidth variant="secondary" onClick={later}>
            Xem hồ sơ
          </Button>
        </div>
      </section>
    );
  }
  const abandoned = phase.kind === "abandoned";
  return (
    <section className="receipt pay-result" aria-labelledby="pay-not-done">
      <span className="receipt__icon receipt__icon--bad">
        <Icon name="alert" size={36} />
      </span>
      <h2 id="pay-not-done">{abandoned ? "Bạn đã dừng thanh toán" : "Thanh toán chưa thành công"}</h2>
      {attempt && <p className="receipt__code">{formatVnd(attempt.amount)}</p>}
      <p className="muted">
        {abandoned
          ? "Chưa có khoản nào được thanh toán. Hồ sơ vẫn được giữ; bạn có thể thanh toán lại ngay hoặc để sau, ở trang hồ sơ."
          : `${phase.kind === "failed" && phase.reason ? `${phase.reason}. ` : ""}Bạn có thể thử lại, hoặc chọn cách thanh toán khác.`}
      </p>
      <div className="stack-buttons">
        <Button fullWidth onClick={again}>
          Thử lại
        </Button>
        <Button fullWidth variant="secondary" onClick={later}>
          Để sau
        </Button>
      </div>
    </section>
  );
}

function Paid({ code, attempt }: { code: string; attempt: PaymentAttemptView }) {
  const navigate = useNavigate();
  return (
    <section className="receipt pay-result" aria-labelledby="pay-paid">
      <span className="receipt__icon">
        <Icon name="check" size={36} />
      </span>
      <h2 id="pay-paid">Đã thanh toán</h2>
      <p className="receipt__code">{formatVnd(attempt.amount)}</p>
      <dl className="facts pay__facts">
        <dt>Hồ sơ</dt>
        <dd>{code}</dd>
        <dt>Cách thanh toán</dt>
        <dd>{attempt.methodLabel}</dd>
        {attempt.transactionId && (
          <>
            <dt>Mã giao dịch</dt>
            <dd className="pay__id">{attempt.transactionId}</dd>
          </>
        )}
        {attempt.paidAt && (
          <>
            <dt>Thời gian</dt>
            <dd>{formatVietnamDateTime(attempt.paidAt)}</dd>
          </>
        )}
        {attempt.receiptNumber && (
          <>
            <dt>Số biên lai</dt>
            <dd className="pay__id">{attempt.receiptNumber}</dd>
          </>
        )}
      </dl>
      <div className="stack-buttons">
        {attempt.receiptNumber ? (
          <ReceiptButton code={code} receiptNumber={attempt.receiptNumber} />
        ) : (
          <p className="muted small">Biên lai điện tử đang được lập; bạn tải được ở trang hồ sơ.</p>
        )}
        <Button fullWidth variant="secondary" onClick={() => navigate(dossierPath(code), { replace: true })}>
          Xem hồ sơ
        </Button>
      </div>
    </section>
  );
}
