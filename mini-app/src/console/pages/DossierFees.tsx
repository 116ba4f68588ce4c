import {
  ATTEMPT_STATUS_LABELS,
  type ChargeView,
  type DossierPayments,
  type ExemptionView,
  FEE_KIND_LABELS,
  type FeeKind,
  formatVnd,
  PAYMENT_METHOD_LABELS,
} from "@qn/shared";
import { useState } from "react";
import type { AsyncState } from "../../hooks/useAsync";
import { type ApiClientError, post } from "../api";
import { ErrorBox, formatDateTime, Loading, useAction } from "../common";
import { ReceiptButton, ToneChip } from "../payment-ui";
import {
  ATTEMPT_TONES,
  blankLine,
  CHARGE_TONES,
  detailTarget,
  type FeeLineDraft,
  type LineProblems,
  lineAmount,
  MAX_REQUEST_LINES,
} from "../payments";

const CHARGE_KIND_LABELS: Record<ChargeView["kind"], string> = {
  filing: "Khoản thu khi nộp hồ sơ",
  request: "Khoản thu theo yêu cầu của cán bộ",
};

/**
 * The dossier's "Phí, lệ phí" panel (issue 14): each charge with its lines and status, the payment attempts made for
 * it (time, method, status, the provider's transaction, the e-receipt to download), and the exemption the citizen
 * claimed, which an official of the unit accepts or refuses.
 */
export function FeesPanel({
  code,
  payments,
  onReload,
  mayCheck,
  awaitingAcceptance,
  onRequestPayment,
}: {
  code: string;
  payments: AsyncState<DossierPayments>;
  /** The dossier is new (state 1): fees are asked for once it is accepted. */
  awaitingAcceptance: boolean;
  onReload: () => void;
  /** An official or one-stop officer of the receiving unit: checks the exemption. */
  mayCheck: boolean;
  /** Opens the request for payment, when the dossier's state allows it. */
  onRequestPayment: (() => void) | null;
}) {
  const p = payments.value;
  return (
    <section className="panel" aria-labelledby="h-fees">
      <h2 id="h-fees">Phí, lệ phí</h2>
      {payments.status === "error" && <ErrorBox error={payments.error} onRetry={onReload} />}
      {!p && payments.status === "loading" && <Loading />}
      {p && (
        <>
          {p.exemption && (
            <Exemption
              code={code}
              exemption={p.exemption}
              mayCheck={mayCheck}
              awaitingAcceptance={awaitingAcceptance}
              onChecked={onReload}
              onRequestPayment={onRequestPayment}
            />
          )}
          {p.charges.length === 0 && (
            <p className="muted">
              {p.exemption && !p.exemption.check
                ? "Chưa có khoản phí, lệ phí nào phải nộp: công dân đề nghị miễn, chờ cán bộ kiểm tra."
                : "Hồ sơ chưa có khoản phí, lệ phí nào phải nộp trực tuyến."}
              {onRequestPayment && " Khi cần thu, chọn “Yêu cầu thực hiện nghĩa vụ tài chính” ở mục Xử lý."}
            </p>
          )}
          {p.charges.map((c) => (
            <Charge key={c.id} code={code} charge={c} payable={p.payable?.chargeId === c.id} />
          ))}
        </>
      )}
    </section>
  );
}

function Charge({ code, charge, payable }: { code: string; charge: ChargeView; payable: boolean }) {
  return (
    <div className="charge" data-charge={charge.id}>
      <div className="charge__head">
        <h3>
          {CHARGE_KIND_LABELS[charge.kind]}
          <span className="muted small"> · {formatDateTime(charge.createdAt)}</span>
        </h3>
        <ToneChip tone={CHARGE_TONES[charge.status]}>{charge.statusLabel}</ToneChip>
      </div>
      <table className="lines">
        <thead>
          <tr>
            <th>Khoản</th>
            <th>Loại</th>
            <th className="num">Số lượng</th>
            <th className="num">Thành tiền</th>
          </tr>
        </thead>
        <tbody>
          {charge.lines.map((l, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a charge's lines never change
            <tr key={i}>
              <td>{l.name}</td>
              <td>{FEE_KIND_LABELS[l.kind]}</td>
              <td className="num">{l.quantity}</td>
              <td className="num">{formatVnd(l.amount)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <td colSpan={3}>
              <strong>Tổng cộng</strong>
            </td>
            <td className="num">
              <strong>{formatVnd(charge.amount)}</strong>
            </td>
          </tr>
        </tfoot>
      </table>
      <h4>Các lần thanh toán</h4>
      {charge.attempts.length === 0 ? (
        <p className="muted small">
          Công dân chưa thanh toán lần nào.
          {payable && " Công dân thanh toán trong mini-app hoặc từ tin nhắn Zalo OA; hồ sơ tự chuyển tiếp khi đã nộp."}
        </p>
      ) : (
        <ol className="timeline attempts">
          {charge.attempts.map((a) => (
            <li key={a.reference}>
              <div className="attempt__head">
                <ToneChip tone={ATTEMPT_TONES[a.status]}>{ATTEMPT_STATUS_LABELS[a.status]}</ToneChip>
                <strong>{formatVnd(a.amount)}</strong>
                <span>{PAYMENT_METHOD_LABELS[a.method]}</span>
              </div>
              <div className="small muted">
                Bắt đầu {formatDateTime(a.createdAt)}
                {a.paidAt && ` · thanh toán lúc ${formatDateTime(a.paidAt)}`} · mã tham chiếu{" "}
                <span className="mono">{a.reference}</span>
                {a.transactionId && (
                  <>
                    {" "}
                    · mã giao dịch <span className="mono">{a.transactionId}</span>
                  </>
                )}
              </div>
              {a.failure && <div className="small">Lý do: {a.failure}</div>}
              {a.receiptNumber && (
                <div className="small attempt__receipt">
                  Biên lai điện tử số <span className="mono">{a.receiptNumber}</span>
                  <ReceiptButton code={code} number={a.receiptNumber} label="Tải biên lai (PDF)" />
                </div>
              )}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function Exemption({
  code,
  exemption,
  mayCheck,
  awaitingAcceptance,
  onChecked,
  onRequestPayment,
}: {
  code: string;
  exemption: ExemptionView;
  mayCheck: boolean;
  awaitingAcceptance: boolean;
  onChecked: () => void;
  onRequestPayment: (() => void) | null;
}) {
  const { busy, error, run } = useAction();
  const [note, setNote] = useState("");
  const [again, setAgain] = useState(false);
  const check = exemption.check;
  const decide = async (accepted: boolean) => {
    const body = note.trim() ? { accepted, note: note.trim() } : { accepted };
    const ok = await run(() => post(`/officials/dossiers/${encodeURIComponent(code)}/exemption`, body));
    if (ok !== undefined) {
      setAgain(false);
      setNote("");
      onChecked();
    }
  };
  return (
    <section className="exemption" aria-labelledby={`h-exemption-${code}`}>
      <h3 id={`h-exemption-${code}`}>Đề nghị miễn phí, lệ phí</h3>
      <dl className="facts">
        <dt>Trường hợp</dt>
        <dd>{exemption.name}</dd>
        <dt>Lý do công dân ghi</dt>
        <dd>{exemption.reason}</dd>
        <dt>Kiểm tra</dt>
        <dd>
          {check ? (
            <>
              <ToneChip tone={check.accepted ? "done" : "wait"}>
                {check.accepted ? "Đã chấp nhận miễn" : "Không chấp nhận miễn"}
              </ToneChip>{" "}
              <span className="small muted">
                {check.by}, {formatDateTime(check.at)}
              </span>
              {check.note && <div className="small">{check.note}</div>}
            </>
          ) : (
            <ToneChip tone="run">Chưa kiểm tra</ToneChip>
          )}
        </dd>
      </dl>
      {check && !check.accepted && onRequestPayment && (
        <p className="small">
          Không được miễn: yêu cầu công dân nộp phí, lệ phí.{" "}
          <button type="button" className="btn btn--small" onClick={onRequestPayment}>
            Yêu cầu nộp phí, lệ phí
          </button>
        </p>
      )}
      {check && !check.accepted && awaitingAcceptance && mayCheck && (
        <p className="small">
          Không được miễn: sau khi tiếp nhận hồ sơ, hãy yêu cầu công dân nộp phí, lệ phí (“Yêu cầu thực hiện nghĩa vụ
          tài chính” ở mục Xử lý).
        </p>
      )}
      {mayCheck && check && !again && (
        <button type="button" className="btn btn--small" onClick={() => setAgain(true)}>
          Kiểm tra lại
        </button>
      )}
      {mayCheck && (!check || again) && (
        <div className="exemption__form">
          {error && <ErrorBox error={error} />}
          <label className="field">
            <span>Ghi chú kiểm tra (không bắt buộc)</span>
            <input
              value={note}
              maxLength={1000}
              placeholder="VD: Đã đối chiếu sổ hộ nghèo năm 2026"
              onChange={(e) => setNote(e.target.value)}
            />
          </label>
          <div className="actions">
            <button type="button" className="btn btn--primary" disabled={busy} onClick={() => decide(true)}>
              Chấp nhận miễn
            </button>
            <button type="button" className="btn btn--danger" disabled={busy} onClick={() => decide(false)}>
              Không chấp nhận
            </button>
            {again && (
              <button type="button" className="btn" disabled={busy} onClick={() => setAgain(false)}>
                Hủy
              </button>
            )}
          </div>
        </div>
      )}
    </section>
  );
}

/**
 * The fee lines of a request for payment, editable: name, kind, quantity and the amount of one unit; each line's
 * amount and the total computed as the official types.
 */
export function FeeLinesEditor({
  drafts,
  onChange,
  extras,
  problems,
  serverError,
}: {
  drafts: FeeLineDraft[];
  onChange: (drafts: FeeLineDraft[]) => void;
  extras: { index: number; name: string; draft: () => FeeLineDraft }[];
  /** What is wrong with each row, shown once the official has tried to send. */
  problems: LineProblems[] | null;
  serverError: ApiClientError | null;
}) {
  const set = (i: number, patch: Partial<FeeLineDraft>) =>
    onChange(drafts.map((d, j) => (j === i ? { ...d, ...patch, hint: patch.unitPrice ? undefined : d.hint } : d)));
  const remove = (i: number) => onChange(drafts.filter((_, j) => j !== i));
  // The server's word on a line (`lines.2.amount`), under the field it is about.
  const fromServer: LineProblems[] = [];
  for (const detail of serverError?.details ?? []) {
    const target = detailTarget(detail.path);
    if (target) fromServer[target.row] = { [target.field]: detail.message, ...fromServer[target.row] };
  }
  const total = drafts.reduce((sum, d) => sum + (lineAmount(d) ?? 0), 0);
  return (
    <fieldset className="fee-lines">
      <legend>Các khoản phí, lệ phí</legend>
      <table className="lines lines--edit">
        <thead>
          <tr>
            <th>Tên khoản</th>
            <th>Loại</th>
            <th className="num">Số lượng</th>
            <th className="num">Đơn giá (đồng)</th>
            <th className="num">Thành tiền</th>
            <th>
              <span className="sr-only">Xóa</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {drafts.map((d, i) => {
            const p = problems?.[i] ?? {};
            const n = i + 1;
            const nameError = p.name ?? fromServer[i]?.name;
            const quantityError = p.quantity ?? fromServer[i]?.quantity;
            const priceError = p.unitPrice ?? fromServer[i]?.unitPrice;
            const amount = lineAmount(d);
            return (
              <tr key={d.key}>
                <td className={nameError ? "field--error" : undefined}>
                  <input
                    aria-label={`Tên khoản ${n}`}
                    value={d.name}
                    maxLength={300}
                    onChange={(e) => set(i, { name: e.target.value })}
                  />
                  {d.hint && <div className="small muted">{d.hint}</div>}
                  {nameError && <span className="field__error">{nameError}</span>}
                </td>
                <td>
                  <select
                    aria-label={`Loại khoản ${n}`}
                    value={d.kind}
                    onChange={(e) => set(i, { kind: e.target.value as FeeKind })}
                  >
                    <option value="phi">{FEE_KIND_LABELS.phi}</option>
                    <option value="le-phi">{FEE_KIND_LABELS["le-phi"]}</option>
                  </select>
                </td>
                <td className={`num ${quantityError ? "field--error" : ""}`}>
                  <input
                    aria-label={`Số lượng khoản ${n}`}
                    className="input--qty"
                    inputMode="numeric"
                    value={d.quantity}
                    onChange={(e) => set(i, { quantity: e.target.value })}
                  />
                  {d.unit && <div className="small muted">{d.unit}</div>}
                  {quantityError && <span className="field__error">{quantityError}</span>}
                </td>
                <td className={`num ${priceError ? "field--error" : ""}`}>
                  <input
                    aria-label={`Đơn giá khoản ${n}`}
                    className="input--money"
                    inputMode="numeric"
                    value={d.unitPrice}
                    placeholder="0"
                    onChange={(e) => set(i, { unitPrice: e.target.value })}
                  />
                  {priceError && <span className="field__error">{priceError}</span>}
                </td>
                <td className="num" data-field="line-amount">
                  {amount === null ? "—" : formatVnd(amount)}
                </td>
                <td>
                  <button
                    type="button"
                    className="btn btn--small btn--danger"
                    onClick={() => remove(i)}
                    disabled={drafts.length === 1}
                    aria-label={`Xóa khoản ${n}`}
                    title={drafts.length === 1 ? "Cần ít nhất một khoản" : undefined}
                  >
                    Xóa
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <td colSpan={4}>
              <strong>Tổng cộng</strong>
            </td>
            <td className="num" data-field="total">
              <strong>{formatVnd(total)}</strong>
            </td>
            <td />
          </tr>
        </tfoot>
      </table>
      <div className="fee-lines__add">
        <button
          type="button"
          className="btn btn--small"
          disabled={drafts.length >= MAX_REQUEST_LINES}
          onClick={() => onChange([...drafts, blankLine()])}
        >
          + Thêm khoản
        </button>
        {extras.length > 0 && (
          <label className="inline-field">
            <span>Thêm từ danh mục</span>
            <select
              value=""
              disabled={drafts.length >= MAX_REQUEST_LINES}
              onChange={(e) => {
                const extra = extras.find((x) => String(x.index) === e.target.value);
                if (extra) onChange([...drafts, extra.draft()]);
              }}
            >
              <option value="">Chọn khoản…</option>
              {extras.map((x) => (
                <option key={x.index} value={x.index}>
                  {x.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
    </fieldset>
  );
}
