import {
  type Address,
  type OfficialPostalOrder,
  type PostalDispatchResult,
  type PostalKind,
  vietnamToday,
} from "@qn/shared";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { Link, Navigate, NavLink, Route, Routes, useSearchParams } from "react-router-dom";
import { type AsyncState, useAsync } from "../../hooks/useAsync";
import { ApiClientError, get, post, query } from "../api";
import { Empty, ErrorBox, formatDateTime, formatDay, Loading, PageHeader, useAction } from "../common";
import { shiftDay, validDay } from "../payments";
import {
  addressText,
  cancellable,
  chunks,
  DISPATCH_LIMIT,
  dispatchSummary,
  KIND_SHORT_LABELS,
  latestNote,
  notPrintableReason,
  OUTCOME_LABELS,
  OUTCOME_TONES,
  printable,
  problemLine,
  selectAllState,
  sendingLine,
  stillListed,
  toggled,
} from "../postal";
import { CancelOrderButton, notifyPostalChanged, OrderStatusChip, PostalChip, useLabels } from "../postal-ui";
import { useSession } from "../session";

/** `GET /api/officials/postal/ready`: a result ready to go by post, with no order yet. */
type ReadyItem = {
  code: string;
  unitCode: string;
  applicantName: string;
  procedureName: string;
  contact: { name: string; phone: string; address: Address } | null;
};

const dossierLink = (code: string) => `/ho-so/${encodeURIComponent(code)}`;
const ordersPath = (list: string, date?: string) => `/officials/postal/orders${query({ list, date })}`;

const TABS = [
  { path: "cho-gui", label: "Chờ gửi kết quả" },
  { path: "lay-ho-so", label: "Lấy hồ sơ tại nhà" },
  { path: "can-xu-ly", label: "Cần xử lý" },
  { path: "dang-van-chuyen", label: "Đang vận chuyển" },
] as const;

/**
 * "Bưu chính" (issue 15): results ready to go by post, sent in bulk ("Gửi kết quả qua bưu điện"); the day's pick-ups
 * of originals at citizens' homes; what needs an official (failed and returned deliveries, orders the post has not
 * taken yet); the orders on their way. Each order's label prints from here, one or many at once.
 */
export default function PostalPage() {
  const { session } = useSession();
  const role = session?.official.role;
  const isAdmin = role === "admin";
  const [version, setVersion] = useState(0);
  const works = role === "official" || role === "hcc" || role === "admin";
  const [ready, reloadReady] = useAsync(
    () => (works ? get<ReadyItem[]>("/officials/postal/ready") : Promise.resolve([])),
    [version, works],
  );
  const [problems, reloadProblems] = useAsync(
    () => (works ? get<OfficialPostalOrder[]>(ordersPath("problems")) : Promise.resolve([])),
    [version, works],
  );
  const changed = () => {
    setVersion((v) => v + 1);
    notifyPostalChanged();
  };
  if (!works) {
    return (
      <>
        <PageHeader title="Bưu chính" />
        <div className="alert alert--error" role="alert">
          <span>Chức năng Bưu chính dành cho cán bộ, bộ phận một cửa và quản trị viên.</span>
        </div>
        <Link to="/">← Về trang đầu</Link>
      </>
    );
  }
  const counts: Record<string, number | undefined> = {
    "cho-gui": ready.value?.length,
    "can-xu-ly": problems.value?.length,
  };
  return (
    <>
      <PageHeader title="Bưu chính">
        <button type="button" className="btn" onClick={() => setVersion((v) => v + 1)}>
          Làm mới
        </button>
      </PageHeader>
      <p className="small muted">
        Dịch vụ bưu chính công ích: bưu điện đến nhà công dân lấy hồ sơ gốc và chuyển kết quả tới địa chỉ công dân chọn.
        {isAdmin ? " Quản trị viên thấy đơn của mọi đơn vị." : " Danh sách gồm các đơn của đơn vị bạn."}
      </p>
      <nav className="tabs" aria-label="Danh sách bưu chính">
        {TABS.map((t) => {
          const n = counts[t.path];
          return (
            <NavLink key={t.path} to={`/buu-chinh/${t.path}`}>
              {t.label}
              {n !== undefined && n > 0 && (
                <span className={`tab-count ${t.path === "can-xu-ly" ? "tab-count--warn" : ""}`}> {n}</span>
              )}
            </NavLink>
          );
        })}
      </nav>
      <Routes>
        <Route index element={<Navigate to="/buu-chinh/cho-gui" replace />} />
        <Route
          path="cho-gui"
          element={<ReadyTab ready={ready} onRetry={reloadReady} isAdmin={isAdmin} onChanged={changed} />}
        />
        <Route path="lay-ho-so" element={<PickupsTab version={version} isAdmin={isAdmin} onChanged={changed} />} />
        <Route
          path="can-xu-ly"
          element={<ProblemsTab problems={problems} onRetry={reloadProblems} isAdmin={isAdmin} onChanged={changed} />}
        />
        <Route path="dang-van-chuyen" element={<ActiveTab version={version} isAdmin={isAdmin} onChanged={changed} />} />
        <Route
          path="*"
          element={
            <section className="panel">
              <h2>Không có mục này</h2>
              <p>
                Đường dẫn không đúng. <Link to="/buu-chinh/cho-gui">Về mục Chờ gửi kết quả</Link>
              </p>
            </section>
          }
        />
      </Routes>
    </>
  );
}

/** A checkbox that can show "some selected" (its `indeterminate` is a property, not an attribute). */
function SelectAll({
  state,
  onChange,
  children,
  disabled,
}: {
  state: "all" | "some" | "none";
  onChange: (on: boolean) => void;
  children: ReactNode;
  disabled?: boolean;
}) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = state === "some";
  }, [state]);
  return (
    <label className="check select-all">
      <input
        ref={ref}
        type="checkbox"
        checked={state === "all"}
        disabled={disabled}
        onChange={(e) => onChange(e.target.checked)}
      />
      {children}
    </label>
  );
}

// ─── Chờ gửi kết quả ───

function ReadyTab({
  ready,
  onRetry,
  isAdmin,
  onChanged,
}: {
  ready: AsyncState<ReadyItem[]>;
  onRetry: () => void;
  isAdmin: boolean;
  onChanged: () => void;
}) {
  const items = ready.value ?? [];
  const keys = items.map((i) => i.code);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [results, setResults] = useState<PostalDispatchResult[] | null>(null);
  const [busy, setBusy] = useState(false);
  const chosen = stillListed(keys, selected);
  const all = selectAllState(keys, selected);

  const dispatch = async () => {
    if (chosen.length === 0) return;
    setBusy(true);
    const out: PostalDispatchResult[] = [];
    // At most 200 a request; a request that fails says so for its dossiers and the others still go.
    for (const part of chunks(chosen, DISPATCH_LIMIT)) {
      try {
        out.push(...(await post<PostalDispatchResult[]>("/officials/postal/dispatch", { codes: part })));
      } catch (e) {
        const message = e instanceof ApiClientError ? e.message : "Không gửi được yêu cầu. Vui lòng thử lại.";
        out.push(...part.map((code) => ({ code, outcome: "refused" as const, reference: null, message })));
      }
    }
    setBusy(false);
    setResults(out);
    setSelected(new Set());
    onChanged();
  };

  return (
    <section aria-labelledby="h-ready">
      <h2 id="h-ready">Kết quả chờ gửi qua bưu điện</h2>
      <p className="small muted">
        Hồ sơ đã xử lý xong mà công dân chọn nhận kết quả qua bưu điện. Chọn các hồ sơ rồi bấm “Gửi kết quả qua bưu
        điện”: mỗi hồ sơ có một đơn gửi bưu điện; khi bưu điện nhận đơn và cấp mã vận đơn, in nhãn dán lên bì kết quả.
      </p>
      {results && <DispatchResults results={results} onClose={() => setResults(null)} />}
      {ready.status === "error" && <ErrorBox error={ready.error} onRetry={onRetry} />}
      {ready.status === "loading" && !ready.value && <Loading />}
      {ready.value && items.length === 0 && (
        <div className="panel">
          <Empty>
            Không có kết quả nào chờ gửi qua bưu điện. Hồ sơ hiện ở đây khi đã ở trạng thái “Đã xử lý xong” và công dân
            chọn nhận kết quả qua bưu điện.
          </Empty>
        </div>
      )}
      {items.length > 0 && isAdmin && (
        <p className="muted small">
          Quản trị viên chỉ xem danh sách; cán bộ của từng đơn vị gửi kết quả của đơn vị mình.
        </p>
      )}
      {items.length > 0 && (
        <>
          <section className="toolbar toolbar--sticky" aria-label="Gửi kết quả hàng loạt" hidden={isAdmin}>
            <SelectAll state={all} disabled={busy} onChange={(on) => setSelected(on ? new Set(keys) : new Set())}>
              Chọn tất cả ({items.length})
            </SelectAll>
            <span className="muted small" aria-live="polite">
              Đã chọn {chosen.length} hồ sơ
            </span>
            <button
              type="button"
              className="btn btn--primary"
              disabled={busy || chosen.length === 0}
              onClick={dispatch}
            >
              {busy ? "Đang tạo đơn…" : "Gửi kết quả qua bưu điện"}
            </button>
          </section>
          <div className="table-wrap" aria-busy={ready.status === "loading"}>
            <table className="stack">
              <thead>
                <tr>
                  <th>
                    <span className="sr-only">Chọn</span>
                  </th>
                  <th>Hồ sơ</th>
                  <th>Người nộp</th>
                  <th>Người nhận kết quả</th>
                  <th>Địa chỉ nhận</th>
                </tr>
              </thead>
              <tbody>
                {items.map((i) => (
                  <tr key={i.code} data-code={i.code}>
                    <td className="cell-check">
                      <input
                        type="checkbox"
                        aria-label={`Chọn hồ sơ ${i.code}`}
                        checked={selected.has(i.code)}
                        disabled={busy}
                        onChange={(e) => setSelected(toggled(selected, i.code, e.target.checked))}
                      />
                    </td>
                    <td data-label="Hồ sơ">
                      <Link to={dossierLink(i.code)}>{i.code}</Link>
                      <div className="muted small clamp">{i.procedureName}</div>
                      {isAdmin && <div className="muted small">Đơn vị {i.unitCode}</div>}
                    </td>
                    <td data-label="Người nộp">{i.applicantName}</td>
                    <td data-label="Người nhận">
                      {i.contact ? (
                        <>
                          {i.contact.name}
                          <div className="muted small nowrap">{i.contact.phone}</div>
                        </>
                      ) : (
                        <span className="muted">Chưa có người nhận</span>
                      )}
                    </td>
                    <td data-label="Địa chỉ nhận">
                      {i.contact ? addressText(i.contact.address) : <span className="muted">—</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {items.length >= 500 && (
            <p className="muted small">Chỉ hiện 500 hồ sơ đầu tiên; gửi xong sẽ hiện tiếp các hồ sơ còn lại.</p>
          )}
        </>
      )}
    </section>
  );
}

/** What the dispatch came to, dossier by dossier, and the labels of the orders it created. */
function DispatchResults({ results, onClose }: { results: PostalDispatchResult[]; onClose: () => void }) {
  const summary = dispatchSummary(results);
  const labels = useLabels();
  const { busy, error, run } = useAction();
  const [waiting, setWaiting] = useState<string | null>(null);
  // The labels need the post's waybills: the orders are read again to print those the post has taken.
  const printCreated = () =>
    run(async () => {
      setWaiting(null);
      const orders = await get<OfficialPostalOrder[]>(ordersPath("active"));
      const mine = orders.filter((o) => summary.references.includes(o.reference));
      const ready = mine.filter(printable).map((o) => o.reference);
      const later = summary.references.length - ready.length;
      if (later > 0) {
        setWaiting(
          ready.length === 0
            ? "Bưu điện chưa nhận các đơn vừa tạo nên chưa có mã vận đơn để in nhãn. Vui lòng thử lại sau ít phút; nếu bưu điện không nhận, đơn hiện ở mục “Cần xử lý”."
            : `${later} đơn chưa có mã vận đơn (bưu điện chưa nhận đơn) nên chưa in được nhãn; in các đơn đó sau ở mục “Đang vận chuyển”.`,
        );
      }
      await labels.print(ready);
    });
  const tone = summary.refused > 0 ? "alert--warn" : "alert--ok";
  return (
    <section className={`panel dispatch-results ${tone}`} aria-labelledby="h-dispatch" role="status">
      <div className="todo__head">
        <h3 id="h-dispatch">{summary.text}</h3>
        <button type="button" className="btn btn--small" onClick={onClose}>
          Đóng
        </button>
      </div>
      <ul className="outcomes" aria-label="Kết quả gửi từng hồ sơ">
        {results.map((r) => (
          <li key={r.code} data-code={r.code} data-outcome={r.outcome}>
            <Link to={dossierLink(r.code)}>{r.code}</Link>{" "}
            <PostalChip tone={OUTCOME_TONES[r.outcome]}>{OUTCOME_LABELS[r.outcome]}</PostalChip>
            {r.reference && <span className="mono small"> {r.reference}</span>}
            {r.message && <div className="small">{r.message}</div>}
          </li>
        ))}
      </ul>
      {summary.references.length > 0 && (
        <div className="actions">
          <button type="button" className="btn" disabled={busy || labels.busy} onClick={printCreated}>
            {busy ? "Đang tải nhãn…" : `In nhãn các đơn vừa tạo (${summary.references.length})`}
          </button>
          <Link className="btn" to="/buu-chinh/dang-van-chuyen">
            Xem ở mục Đang vận chuyển
          </Link>
        </div>
      )}
      {waiting && (
        <p className="small" role="status">
          {waiting}
        </p>
      )}
      {error && <ErrorBox error={error} />}
      {labels.error}
      {labels.viewer}
    </section>
  );
}

// ─── The lists of orders ───

type Variant = "pickups" | "problems" | "active";

/**
 * Orders as a table: the dossier (a link to its page), the citizen and the address, the waybill, the status and what
 * the queue is doing with it, "In nhãn" and "Hủy đơn"; several selected print their labels at once.
 */
function OrdersTable({
  items,
  variant,
  isAdmin,
  busy,
  onChanged,
  caption,
}: {
  items: OfficialPostalOrder[];
  variant: Variant;
  isAdmin: boolean;
  busy: boolean;
  onChanged: () => void;
  caption: string;
}) {
  const labels = useLabels();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [cancelled, setCancelled] = useState<string | null>(null);
  const keys = items.filter(printable).map((o) => o.reference);
  const chosen = stillListed(keys, selected);
  const all = selectAllState(keys, selected);
  return (
    <>
      {cancelled && (
        <div className="alert alert--ok" role="status">
          <span>{cancelled}</span>
          <button type="button" className="btn btn--small" onClick={() => setCancelled(null)}>
            Đóng
          </button>
        </div>
      )}
      {keys.length > 0 && (
        <section className="toolbar" aria-label={`In nhãn: ${caption}`}>
          <SelectAll
            state={all}
            disabled={keys.length === 0}
            onChange={(on) => setSelected(on ? new Set(keys) : new Set())}
          >
            Chọn tất cả đơn in được nhãn ({keys.length})
          </SelectAll>
          <button
            type="button"
            className="btn btn--primary btn--small"
            disabled={chosen.length === 0 || labels.busy}
            onClick={() => labels.print(chosen)}
          >
            {labels.busy ? "Đang tải nhãn…" : `In nhãn các đơn đã chọn (${chosen.length})`}
          </button>
        </section>
      )}
      {labels.error}
      <div className="table-wrap" aria-busy={busy}>
        <table className="stack orders">
          <caption className="sr-only">{caption}</caption>
          <thead>
            <tr>
              <th>
                <span className="sr-only">Chọn</span>
              </th>
              <th>Hồ sơ · đơn</th>
              <th>{variant === "pickups" ? "Công dân · nơi lấy hồ sơ" : "Công dân · địa chỉ"}</th>
              {variant === "pickups" && <th>Hẹn lấy</th>}
              <th>Mã vận đơn</th>
              <th>Trạng thái</th>
              <th>
                <span className="sr-only">Thao tác</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((o) => {
              const why = notPrintableReason(o);
              const sending = sendingLine(o, formatDateTime);
              const problem = problemLine(o);
              const note = problem ? latestNote(o) : null;
              return (
                <tr key={o.reference} data-reference={o.reference} data-code={o.dossierCode}>
                  <td className="cell-check">
                    <input
                      type="checkbox"
                      aria-label={`Chọn đơn ${o.reference} (hồ sơ ${o.dossierCode}) để in nhãn`}
                      checked={selected.has(o.reference)}
                      disabled={why !== null}
                      title={why ?? undefined}
                      onChange={(e) => setSelected(toggled(selected, o.reference, e.target.checked))}
                    />
                  </td>
                  <td data-label="Hồ sơ">
                    <Link to={dossierLink(o.dossierCode)}>{o.dossierCode}</Link>
                    <div className="muted small clamp">{o.procedureName}</div>
                    <div className="small">
                      {KIND_SHORT_LABELS[o.kind]} · <span className="mono">{o.reference}</span>
                    </div>
                    {isAdmin && <div className="muted small">Đơn vị {o.unitCode}</div>}
                  </td>
                  <td data-label={o.kind === "pickup" ? "Nơi lấy hồ sơ" : "Giao tới"} className="cell-contact">
                    {o.contact.name}
                    <div className="muted small nowrap">{o.contact.phone}</div>
                    <div className="small">{addressText(o.contact.address)}</div>
                    {o.contact.name !== o.applicantName && (
                      <div className="muted small">Người nộp: {o.applicantName}</div>
                    )}
                  </td>
                  {variant === "pickups" && (
                    <td data-label="Hẹn lấy" className="cell-slot">
                      {o.pickup ? (
                        <>
                          {o.pickup.slotLabel}
                          <div className="muted small">{formatDay(o.pickup.date)}</div>
                        </>
                      ) : (
                        "—"
                      )}
                    </td>
                  )}
                  <td data-label="Mã vận đơn">
                    {o.waybill ? <span className="mono">{o.waybill}</span> : <span className="muted">Chưa có</span>}
                  </td>
                  <td data-label="Trạng thái" className="cell-status">
                    <OrderStatusChip order={o} />
                    <div className="muted small">Cập nhật {formatDateTime(o.updatedAt)}</div>
                    {sending && <div className={`small sending sending--${sending.tone}`}>{sending.text}</div>}
                    {note && <div className="small">Bưu điện ghi: {note}</div>}
                    {problem && (
                      <div className="small problem">
                        <div>{problem.chosen}</div>
                        <div className="muted">{problem.todo}</div>
                      </div>
                    )}
                    {o.kind === "delivery" && o.codAmount > 0 && o.chosen !== "counter" && (
                      <div className="muted small">Thu khi giao: {o.codAmount.toLocaleString("vi-VN")} đ</div>
                    )}
                  </td>
                  <td className="cell-actions">
                    <div className="actions">
                      <button
                        type="button"
                        className="btn btn--small"
                        disabled={why !== null || labels.busy}
                        title={why ?? undefined}
                        aria-label={`In nhãn đơn ${o.reference} (hồ sơ ${o.dossierCode})`}
                        onClick={() => labels.print([o.reference])}
                      >
                        In nhãn
                      </button>
                      {cancellable(o) && !isAdmin && (
                        <CancelOrderButton
                          order={o}
                          onDone={(after) => {
                            setCancelled(
                              after.status === "cancelled"
                                ? `Đã hủy đơn ${after.reference} của hồ sơ ${after.dossierCode}.`
                                : `Đã gửi yêu cầu hủy đơn ${after.reference} của hồ sơ ${after.dossierCode}; đơn hủy khi bưu điện xác nhận.`,
                            );
                            onChanged();
                          }}
                        />
                      )}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {items.length >= 500 && <p className="muted small">Chỉ hiện 500 đơn cập nhật gần nhất.</p>}
      {labels.viewer}
    </>
  );
}

// ─── Lấy hồ sơ tại nhà ───

function PickupsTab({ version, isAdmin, onChanged }: { version: number; isAdmin: boolean; onChanged: () => void }) {
  const today = vietnamToday();
  const [params, setParams] = useSearchParams();
  const day = validDay(params.get("ngay")) ?? today;
  const [list, reload] = useAsync(() => get<OfficialPostalOrder[]>(ordersPath("pickups", day)), [day, version]);
  const setDay = (value: string | null) => {
    const next = new URLSearchParams(params);
    if (value && value !== today) next.set("ngay", value);
    else next.delete("ngay");
    setParams(next, { replace: true });
  };
  const items = list.value ?? [];
  const open = items.filter((o) => o.status !== "cancelled").length;
  return (
    <section aria-labelledby="h-pickups">
      <h2 id="h-pickups">Lấy hồ sơ gốc tại nhà ngày {formatDay(day)}</h2>
      <form className="filters" aria-label="Chọn ngày" onSubmit={(e) => e.preventDefault()}>
        <label>
          Ngày hẹn lấy
          <input type="date" value={day} onChange={(e) => setDay(validDay(e.target.value))} />
        </label>
        <div className="day-steps">
          <button type="button" className="btn btn--small" onClick={() => setDay(shiftDay(day, -1))}>
            ← Ngày trước
          </button>
          <button type="button" className="btn btn--small" onClick={() => setDay(shiftDay(day, 1))}>
            Ngày sau →
          </button>
          <button type="button" className="btn btn--small" disabled={day === today} onClick={() => setDay(null)}>
            Hôm nay
          </button>
        </div>
      </form>
      {list.status === "error" && <ErrorBox error={list.error} onRetry={reload} />}
      {list.status === "loading" && !list.value && <Loading />}
      {list.value && items.length === 0 && (
        <div className="panel">
          <Empty>Không có lịch bưu điện đến lấy hồ sơ gốc ngày {formatDay(day)}.</Empty>
        </div>
      )}
      {items.length > 0 && (
        <>
          <p className="small muted">
            {open} lần lấy hồ sơ{open < items.length ? ` · ${items.length - open} đã hủy` : ""}. Bưu điện đến nhà công
            dân theo buổi hẹn và chuyển hồ sơ gốc về bộ phận một cửa.
          </p>
          <OrdersTable
            items={items}
            variant="pickups"
            isAdmin={isAdmin}
            busy={list.status === "loading"}
            onChanged={onChanged}
            caption={`Lấy hồ sơ tại nhà ngày ${formatDay(day)}`}
          />
        </>
      )}
    </section>
  );
}

// ─── Cần xử lý ───

function ProblemsTab({
  problems,
  onRetry,
  isAdmin,
  onChanged,
}: {
  problems: AsyncState<OfficialPostalOrder[]>;
  onRetry: () => void;
  isAdmin: boolean;
  onChanged: () => void;
}) {
  const items = problems.value ?? [];
  const delivery = items.filter((o) => o.status === "failed" || o.status === "returned");
  const sending = items.filter((o) => !(o.status === "failed" || o.status === "returned"));
  const notTaken = sending.filter((o) => o.status === "waiting");
  const lastError = notTaken.find((o) => o.sending?.lastError)?.sending?.lastError ?? null;
  return (
    <section aria-labelledby="h-problems">
      <h2 id="h-problems">Cần xử lý</h2>
      {problems.status === "error" && <ErrorBox error={problems.error} onRetry={onRetry} />}
      {problems.status === "loading" && !problems.value && <Loading />}
      {problems.value && items.length === 0 && (
        <div className="panel">
          <Empty>Không có đơn nào cần xử lý: mọi đơn đã tới bưu điện, không có lần giao nào không thành công.</Empty>
        </div>
      )}
      {notTaken.length > 0 && (
        <div className="alert alert--warn" role="alert">
          <span>
            Bưu điện chưa nhận {notTaken.length} đơn{lastError ? ` (lỗi gần nhất: ${lastError})` : ""}. Hệ thống tự gửi
            lại khi bưu điện hoạt động trở lại; không cần tạo lại đơn.
          </span>
        </div>
      )}
      {sending.length > 0 && (
        <section aria-labelledby="h-sending" className="list-block">
          <h3 id="h-sending">Chưa gửi được tới bưu điện ({sending.length})</h3>
          <OrdersTable
            items={sending}
            variant="problems"
            isAdmin={isAdmin}
            busy={problems.status === "loading"}
            onChanged={onChanged}
            caption="Đơn chưa gửi được tới bưu điện"
          />
        </section>
      )}
      {delivery.length > 0 && (
        <section aria-labelledby="h-failed" className="list-block">
          <h3 id="h-failed">Giao không thành công, chuyển hoàn ({delivery.length})</h3>
          <OrdersTable
            items={delivery}
            variant="problems"
            isAdmin={isAdmin}
            busy={problems.status === "loading"}
            onChanged={onChanged}
            caption="Đơn giao không thành công hoặc chuyển hoàn"
          />
        </section>
      )}
    </section>
  );
}

// ─── Đang vận chuyển ───

function ActiveTab({ version, isAdmin, onChanged }: { version: number; isAdmin: boolean; onChanged: () => void }) {
  const [list, reload] = useAsync(() => get<OfficialPostalOrder[]>(ordersPath("active")), [version]);
  const [kind, setKind] = useState<PostalKind | "">("");
  const all = list.value ?? [];
  const items = kind ? all.filter((o) => o.kind === kind) : all;
  return (
    <section aria-labelledby="h-active">
      <h2 id="h-active">Đơn đang thực hiện</h2>
      <p className="small muted">
        Các đơn chưa kết thúc: chờ bưu điện nhận, đã tạo, đang vận chuyển, giao không thành công. Đơn giao xong, chuyển
        hoàn hoặc đã hủy không còn ở đây; xem lại ở trang hồ sơ.
      </p>
      <form className="filters" aria-label="Lọc đơn" onSubmit={(e) => e.preventDefault()}>
        <label>
          Loại đơn
          <select value={kind} onChange={(e) => setKind(e.target.value as PostalKind | "")}>
            <option value="">Tất cả ({all.length})</option>
            <option value="delivery">Gửi kết quả ({all.filter((o) => o.kind === "delivery").length})</option>
            <option value="pickup">Lấy hồ sơ gốc ({all.filter((o) => o.kind === "pickup").length})</option>
          </select>
        </label>
      </form>
      {list.status === "error" && <ErrorBox error={list.error} onRetry={reload} />}
      {list.status === "loading" && !list.value && <Loading />}
      {list.value && items.length === 0 && (
        <div className="panel">
          <Empty>{all.length === 0 ? "Không có đơn nào đang thực hiện." : "Không có đơn nào thuộc loại này."}</Empty>
        </div>
      )}
      {items.length > 0 && (
        <OrdersTable
          items={items}
          variant="active"
          isAdmin={isAdmin}
          busy={list.status === "loading"}
          onChanged={onChanged}
          caption="Đơn đang thực hiện"
        />
      )}
    </section>
  );
}
