import {
  AdministrativeUnit,
  ATTEMPT_STATUS_LABELS,
  AttemptStatus,
  formatVnd,
  type LedgerEntry,
  PAYMENT_METHOD_LABELS,
  type PaymentFlagView,
  PaymentMethod,
  vietnamToday,
} from "@qn/shared";
import { useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { useAsync } from "../../hooks/useAsync";
import { ApiClientError, fetchBlob, get, Items, post, query, saveBlob } from "../api";
import { Empty, ErrorBox, formatDateTime, formatDay, Loading, PageHeader, useAction } from "../common";
import {
  FlagsAnswer,
  LedgerAnswer,
  METHOD_SHORT_LABELS,
  notifyPaymentsChanged,
  ReceiptButton,
  ToneChip,
} from "../payment-ui";
import { ATTEMPT_TONES, refundLabel, shiftDay, summarise, validDay } from "../payments";
import { useSession } from "../session";

/** The server lists at most this many rows (the ledger's limit). */
const SERVER_LIMIT = 1000;

const dossierLink = (code: string) => `/ho-so/${encodeURIComponent(code)}`;

/**
 * Online fee payments (issue 14): the ledger of a day for the official's unit (any unit for an administrator), what
 * waits for an official (flagged confirmations, refunds owed), and the day's reconciliation as XLSX.
 */
export default function PaymentsPage() {
  const { session } = useSession();
  const isAdmin = session?.official.role === "admin";
  const today = vietnamToday();
  const [params, setParams] = useSearchParams();
  const day = validDay(params.get("day")) ?? today;
  const statusParam = AttemptStatus.safeParse(params.get("status"));
  const status = statusParam.success ? statusParam.data : "";
  const methodParam = PaymentMethod.safeParse(params.get("method"));
  const method = methodParam.success ? methodParam.data : "";
  const refundDue = params.get("refundDue") === "true";
  const unit = isAdmin ? (params.get("unit") ?? "") : "";
  const [version, setVersion] = useState(0);
  const changed = () => {
    setVersion((v) => v + 1);
    notifyPaymentsChanged();
  };

  const [ledger, reloadLedger] = useAsync(
    () =>
      get(
        `/officials/payments${query({
          day: refundDue ? undefined : day,
          unit: unit || undefined,
          status: status || undefined,
          method: method || undefined,
          refundDue: refundDue ? "true" : undefined,
        })}`,
        LedgerAnswer,
      ),
    [day, unit, status, method, refundDue, version],
  );
  // The day's takings whatever the filters show: asked again without them when a filter is set.
  const filtered = Boolean(status || method || refundDue);
  const [whole] = useAsync(
    () =>
      filtered
        ? get(`/officials/payments${query({ day, unit: unit || undefined })}`, LedgerAnswer)
        : Promise.resolve(null),
    [filtered, day, unit, version],
  );
  const [flags, reloadFlags] = useAsync(
    () => get(`/officials/payments/flags${query({ unit: unit || undefined })}`, FlagsAnswer),
    [unit, version],
  );
  const [refunds, reloadRefunds] = useAsync(
    () => get(`/officials/payments${query({ unit: unit || undefined, refundDue: "true" })}`, LedgerAnswer),
    [unit, version],
  );
  const [units] = useAsync(
    () => (isAdmin ? get("/units", Items(AdministrativeUnit)) : Promise.resolve({ items: [] })),
    [isAdmin],
  );
  const exporting = useAction();

  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  const setDay = (value: string | null) => setFilter("day", value && value !== today ? value : "");

  const download = () =>
    exporting.run(async () => {
      const { blob, fileName } = await fetchBlob(
        `/officials/payments/reconciliation.xlsx${query({ day, unit: unit || undefined })}`,
      );
      saveBlob(blob, fileName ?? `doi-soat-${day}.xlsx`);
    });

  const dayItems = filtered ? whole.value?.items : ledger.value?.items;
  const summary = dayItems ? summarise(dayItems) : null;
  const items = ledger.value?.items ?? [];
  const openFlags = (flags.value?.items ?? []).filter((f) => !f.resolvedAt);
  const doneFlags = (flags.value?.items ?? []).filter((f) => f.resolvedAt);
  const dueRefunds = refunds.value?.items ?? [];

  return (
    <>
      <PageHeader title="Thu phí trực tuyến">
        <button
          type="button"
          className="btn"
          onClick={() => {
            reloadLedger();
            reloadFlags();
            reloadRefunds();
          }}
        >
          Làm mới
        </button>
        <button type="button" className="btn btn--primary" onClick={download} disabled={exporting.busy}>
          {exporting.busy ? "Đang tạo bảng…" : "Tải bảng đối soát (XLSX)"}
        </button>
      </PageHeader>
      {exporting.error && <ErrorBox error={exporting.error} onRetry={download} />}

      <form className="filters" aria-label="Bộ lọc sổ thu" onSubmit={(e) => e.preventDefault()}>
        <label>
          Ngày
          <input
            type="date"
            value={day}
            max={today}
            disabled={refundDue}
            onChange={(e) => setDay(validDay(e.target.value))}
          />
        </label>
        <div className="day-steps">
          <button
            type="button"
            className="btn btn--small"
            disabled={refundDue}
            onClick={() => setDay(shiftDay(day, -1))}
          >
            ← Ngày trước
          </button>
          <button
            type="button"
            className="btn btn--small"
            disabled={refundDue || day >= today}
            onClick={() => setDay(shiftDay(day, 1))}
          >
            Ngày sau →
          </button>
          <button
            type="button"
            className="btn btn--small"
            disabled={refundDue || day === today}
            onClick={() => setDay(null)}
          >
            Hôm nay
          </button>
        </div>
        <label>
          Trạng thái
          <select value={status} onChange={(e) => setFilter("status", e.target.value)}>
            <option value="">Tất cả</option>
            {AttemptStatus.options.map((s) => (
              <option key={s} value={s}>
                {ATTEMPT_STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Hình thức thanh toán
          <select value={method} onChange={(e) => setFilter("method", e.target.value)}>
            <option value="">Tất cả</option>
            {PaymentMethod.options.map((m) => (
              <option key={m} value={m}>
                {PAYMENT_METHOD_LABELS[m]}
              </option>
            ))}
          </select>
        </label>
        {isAdmin && (
          <label>
            Đơn vị
            <select value={unit} onChange={(e) => setFilter("unit", e.target.value)}>
              <option value="">Tất cả đơn vị</option>
              <option value="22">Trung tâm Phục vụ hành chính công tỉnh</option>
              {(units.value?.items ?? [])
                .filter((u) => u.type !== "province" && u.type !== "district")
                .map((u) => (
                  <option key={u.code} value={u.code}>
                    {u.name}
                  </option>
                ))}
            </select>
          </label>
        )}
        <label className="check">
          <input
            type="checkbox"
            checked={refundDue}
            onChange={(e) => setFilter("refundDue", e.target.checked ? "true" : "")}
          />
          Chỉ khoản cần hoàn tiền (mọi ngày)
        </label>
      </form>

      <section className="stats" aria-label={`Tổng hợp ngày ${formatDay(day)}`}>
        <div className="stat stat--main">
          <span>Đã thu ngày {formatDay(day)}</span>
          <strong data-field="day-total">{summary ? formatVnd(summary.paid.amount) : "…"}</strong>
          <small>{summary ? `${summary.paid.count} giao dịch thành công` : "Đang tính…"}</small>
        </div>
        <div className="stat">
          <span>Đang chờ cổng thanh toán</span>
          <strong>{summary ? summary.open : "…"}</strong>
          <small>lần thanh toán chưa có kết quả</small>
        </div>
        <div className="stat">
          <span>Không thành công, bỏ dở</span>
          <strong>{summary ? summary.failed + summary.abandoned : "…"}</strong>
          <small>{summary ? `${summary.failed} không thành công · ${summary.abandoned} bỏ dở` : ""}</small>
        </div>
        <div className={`stat ${dueRefunds.length + openFlags.length > 0 ? "stat--warn" : ""}`}>
          <span>Cần xử lý</span>
          <strong>{refunds.value && flags.value ? dueRefunds.length + openFlags.length : "…"}</strong>
          <small>
            {dueRefunds.length} khoản cần hoàn · {openFlags.length} cảnh báo
          </small>
        </div>
      </section>

      <Attention
        flags={openFlags}
        doneFlags={doneFlags}
        refunds={dueRefunds}
        loading={flags.status === "loading" || refunds.status === "loading"}
        errors={[flags, refunds].flatMap((s) => (s.status === "error" ? [s.error] : []))}
        onRetry={() => {
          reloadFlags();
          reloadRefunds();
        }}
        onChanged={changed}
      />

      <section aria-labelledby="h-ledger">
        <h2 id="h-ledger">
          {refundDue ? "Các khoản cần hoàn tiền (mọi ngày)" : `Sổ thu ngày ${formatDay(day)}`}
          {ledger.value && <span className="muted small"> · {items.length} lần thanh toán</span>}
        </h2>
        {ledger.status === "error" && <ErrorBox error={ledger.error} onRetry={reloadLedger} />}
        {ledger.status === "loading" && !ledger.value && <Loading />}
        {ledger.value && items.length === 0 && (
          <div className="panel">
            <Empty>
              {refundDue
                ? "Không có khoản nào cần hoàn tiền."
                : filtered
                  ? `Không có lần thanh toán nào trong ngày ${formatDay(day)} khớp bộ lọc.`
                  : `Chưa có lần thanh toán nào trong ngày ${formatDay(day)}.`}
            </Empty>
          </div>
        )}
        {items.length > 0 && <LedgerTable items={items} busy={ledger.status === "loading"} />}
        {items.length >= SERVER_LIMIT && (
          <p className="muted small">
            Chỉ hiện {SERVER_LIMIT.toLocaleString("vi-VN")} lần thanh toán gần nhất; dùng bộ lọc để thu hẹp.
          </p>
        )}
      </section>
    </>
  );
}

function LedgerTable({ items, busy }: { items: LedgerEntry[]; busy: boolean }) {
  return (
    <div className="table-wrap" aria-busy={busy}>
      <table className="ledger">
        <thead>
          <tr>
            <th>Mã tham chiếu</th>
            <th>Hồ sơ · người nộp</th>
            <th className="num">Số tiền · hình thức</th>
            <th>Trạng thái · hoàn tiền</th>
            <th>Mã giao dịch · biên lai</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => {
            const refund = refundLabel(i.refund, formatDateTime, formatVnd);
            return (
              <tr key={i.reference} data-reference={i.reference}>
                <td>
                  <span className="mono">{i.reference}</span>
                  <div className="muted small">Tạo lúc {formatDateTime(i.createdAt)}</div>
                </td>
                <td>
                  <Link to={dossierLink(i.dossierCode)} title={i.procedureName}>
                    {i.dossierCode}
                  </Link>
                  <div>{i.payerName}</div>
                  <div className="muted small clamp">{i.procedureName}</div>
                </td>
                <td className="num">
                  <strong className="nowrap">{formatVnd(i.amount)}</strong>
                  <div className="muted small" title={PAYMENT_METHOD_LABELS[i.method]}>
                    {METHOD_SHORT_LABELS[i.method]}
                  </div>
                </td>
                <td>
                  <ToneChip tone={ATTEMPT_TONES[i.status]}>{ATTEMPT_STATUS_LABELS[i.status]}</ToneChip>
                  {i.paidAt && <div className="muted small">Thanh toán lúc {formatDateTime(i.paidAt)}</div>}
                  {refund && (
                    <div className="ledger__refund">
                      <ToneChip tone={refund.tone}>{refund.chip}</ToneChip>
                      <div className="muted small">{refund.detail}</div>
                    </div>
                  )}
                </td>
                <td>
                  {i.transactionId ? <span className="mono">{i.transactionId}</span> : <span className="muted">—</span>}
                  {i.receiptNumber && (
                    <div>
                      <ReceiptButton code={i.dossierCode} number={i.receiptNumber} />
                    </div>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** "Cần xử lý": flagged confirmations and refunds owed, each closed by an official with a note. */
function Attention({
  flags,
  doneFlags,
  refunds,
  loading,
  errors,
  onRetry,
  onChanged,
}: {
  flags: PaymentFlagView[];
  doneFlags: PaymentFlagView[];
  refunds: LedgerEntry[];
  loading: boolean;
  errors: { message: string }[];
  onRetry: () => void;
  onChanged: () => void;
}) {
  const [done, setDone] = useState<string | null>(null);
  const [stale, setStale] = useState<string | null>(null);
  const nothing = flags.length === 0 && refunds.length === 0;
  return (
    <section className="panel attention" aria-labelledby="h-attention">
      <h2 id="h-attention">Cần xử lý</h2>
      {done && (
        <div className="alert alert--ok" role="status">
          <span>{done}</span>
          <button type="button" className="btn btn--small" onClick={() => setDone(null)}>
            Đóng
          </button>
        </div>
      )}
      {stale && (
        <div className="alert alert--warn" role="status">
          <span>{stale}</span>
          <button type="button" className="btn btn--small" onClick={() => setStale(null)}>
            Đóng
          </button>
        </div>
      )}
      {errors[0] && <ErrorBox error={errors[0].message} onRetry={onRetry} />}
      {nothing && !loading && errors.length === 0 && (
        <p className="muted">Không có cảnh báo thanh toán hay khoản hoàn tiền nào đang chờ.</p>
      )}
      {nothing && loading && <Loading />}
      {refunds.length > 0 && (
        <>
          <h3>Khoản cần hoàn tiền ({refunds.length})</h3>
          <ul className="todo" aria-label="Khoản cần hoàn tiền">
            {refunds.map((r) => (
              <RefundItem
                key={r.reference}
                entry={r}
                onDone={() => {
                  setDone(`Đã ghi nhận hoàn tiền cho hồ sơ ${r.dossierCode}.`);
                  onChanged();
                }}
                onStale={(message) => {
                  setStale(`Hồ sơ ${r.dossierCode}: ${message} Danh sách đã được cập nhật.`);
                  onChanged();
                }}
              />
            ))}
          </ul>
        </>
      )}
      {flags.length > 0 && (
        <>
          <h3>Cảnh báo thanh toán ({flags.length})</h3>
          <ul className="todo" aria-label="Cảnh báo thanh toán">
            {flags.map((f) => (
              <FlagItem
                key={f.id}
                flag={f}
                onDone={() => {
                  setDone(`Đã xử lý cảnh báo: ${f.label}.`);
                  onChanged();
                }}
              />
            ))}
          </ul>
        </>
      )}
      {doneFlags.length > 0 && (
        <details>
          <summary>Cảnh báo đã xử lý ({doneFlags.length})</summary>
          <ul className="todo todo--done">
            {doneFlags.map((f) => (
              <li key={f.id}>
                <strong>{f.label}</strong> · {formatVnd(f.amount)} · {f.reference ?? "không có mã tham chiếu"}
                <div className="small muted">
                  Đã xử lý lúc {formatDateTime(f.resolvedAt)}: {f.resolution}
                </div>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

function RefundItem({
  entry,
  onDone,
  onStale,
}: {
  entry: LedgerEntry;
  onDone: () => void;
  onStale: (message: string) => void;
}) {
  const refund = entry.refund as NonNullable<LedgerEntry["refund"]>;
  const { busy, error, run } = useAction();
  const [note, setNote] = useState("");
  const [missing, setMissing] = useState(false);
  const id = `refund-${refund.id}`;
  const submit = async () => {
    if (!note.trim()) {
      setMissing(true);
      return;
    }
    setMissing(false);
    const outcome = await run(async () => {
      try {
        await post(`/officials/payments/refunds/${refund.id}/done`, { note: note.trim() });
        return "done" as const;
      } catch (e) {
        // Already recorded (by a colleague, in another tab): the list is out of date; it is read again.
        if (e instanceof ApiClientError && e.code === "REFUND_STATE") return e.message;
        throw e;
      }
    });
    if (outcome === "done") onDone();
    else if (outcome !== undefined) onStale(outcome);
  };
  return (
    <li aria-labelledby={`${id}-title`}>
      <div className="todo__head">
        <strong id={`${id}-title`}>
          Hoàn {formatVnd(refund.amount)} cho {entry.payerName}
        </strong>
        <ToneChip tone="wait">{refund.reason}</ToneChip>
      </div>
      <div className="small muted">
        Hồ sơ <Link to={dossierLink(entry.dossierCode)}>{entry.dossierCode}</Link> · mã tham chiếu{" "}
        <span className="mono">{entry.reference}</span> · {PAYMENT_METHOD_LABELS[entry.method]}
        {entry.transactionId && (
          <>
            {" "}
            · mã giao dịch <span className="mono">{entry.transactionId}</span>
          </>
        )}{" "}
        · đã thu lúc {formatDateTime(entry.paidAt)} · cần hoàn từ {formatDateTime(refund.dueAt)}
      </div>
      {error && <ErrorBox error={error} />}
      <div className={`todo__form ${missing ? "field--error" : ""}`}>
        <label className="field">
          <span>Cách đã hoàn tiền</span>
          <input
            value={note}
            maxLength={1000}
            placeholder="VD: Chuyển khoản lại vào tài khoản người nộp ngày 12/03, số UNC 123"
            onChange={(e) => setNote(e.target.value)}
            aria-invalid={missing}
          />
          {missing && <span className="field__error">Cần ghi cách đã hoàn tiền.</span>}
        </label>
        <button type="button" className="btn btn--primary" disabled={busy} onClick={submit}>
          {busy ? "Đang ghi…" : "Đã hoàn tiền"}
        </button>
      </div>
    </li>
  );
}

function FlagItem({ flag, onDone }: { flag: PaymentFlagView; onDone: () => void }) {
  const { busy, error, run } = useAction();
  const [note, setNote] = useState("");
  const [missing, setMissing] = useState(false);
  const id = `flag-${flag.id}`;
  const submit = async () => {
    if (!note.trim()) {
      setMissing(true);
      return;
    }
    setMissing(false);
    // 204: the post answers nothing, so the action says it is done itself.
    const ok = await run(async () => {
      await post(`/officials/payments/flags/${flag.id}/resolve`, { note: note.trim() });
      return true;
    });
    if (ok) onDone();
  };
  return (
    <li aria-labelledby={`${id}-title`}>
      <div className="todo__head">
        <strong id={`${id}-title`}>{flag.label}</strong>
        <span>{formatVnd(flag.amount)}</span>
      </div>
      <div className="small muted">
        {flag.dossierCode ? (
          <>
            Hồ sơ <Link to={dossierLink(flag.dossierCode)}>{flag.dossierCode}</Link>
          </>
        ) : (
          "Không xác định được hồ sơ"
        )}{" "}
        · mã tham chiếu <span className="mono">{flag.reference ?? "—"}</span> · {PAYMENT_METHOD_LABELS[flag.method]}
        {flag.transactionId && (
          <>
            {" "}
            · mã giao dịch <span className="mono">{flag.transactionId}</span>
          </>
        )}{" "}
        · nhận lúc {formatDateTime(flag.receivedAt)}
      </div>
      {error && <ErrorBox error={error} />}
      <div className={`todo__form ${missing ? "field--error" : ""}`}>
        <label className="field">
          <span>Cách đã xử lý</span>
          <input
            value={note}
            maxLength={1000}
            placeholder="VD: Đã đối chiếu với cổng, giao dịch trùng được hoàn ngày 12/03"
            onChange={(e) => setNote(e.target.value)}
            aria-invalid={missing}
          />
          {missing && <span className="field__error">Cần ghi cách đã xử lý.</span>}
        </label>
        <button type="button" className="btn btn--primary" disabled={busy} onClick={submit}>
          {busy ? "Đang ghi…" : "Đã xử lý"}
        </button>
      </div>
    </li>
  );
}
