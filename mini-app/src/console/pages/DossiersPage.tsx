import { AdministrativeUnit, DossierSummary } from "@qn/shared";
import { useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { useAsync } from "../../hooks/useAsync";
import { get, Items, Paged, post, query } from "../api";
import { Empty, ErrorBox, formatDateTime, formatDay, Loading, PageHeader } from "../common";
import { CHANNEL_LABELS, StateChip } from "../dossier-ui";
import { useSession } from "../session";

const PAGE = 20;
const STATE_FILTERS: { value: string; label: string }[] = [
  { value: "", label: "Tất cả" },
  { value: "1", label: "Mới đăng ký (chờ tiếp nhận)" },
  { value: "2,4", label: "Đang xử lý" },
  { value: "5", label: "Chờ công dân bổ sung" },
  { value: "6", label: "Chờ nộp phí, lệ phí" },
  { value: "9", label: "Chờ trả kết quả" },
  { value: "10", label: "Đã trả kết quả" },
  { value: "3,7,8", label: "Đã từ chối, rút, dừng" },
];

/** Actions safe to apply to many dossiers at once: they need no reason, document list or amount. */
const BULK = [
  { action: "accept", from: 1, label: "Tiếp nhận các hồ sơ đã chọn" },
  { action: "process", from: 2, label: "Chuyển xử lý các hồ sơ đã chọn" },
] as const;

type Outcome = { code: string; ok: boolean; message: string };

export default function DossiersPage() {
  const { session } = useSession();
  const [params, setParams] = useSearchParams();
  const state = params.get("state") ?? "";
  const channel = params.get("channel") ?? "";
  const overdue = params.get("overdue") === "true";
  // Dossiers marked as spam are left out of the queue; this shows only them.
  const spam = params.get("spam") === "true";
  const procedure = params.get("procedure") ?? "";
  const unit = params.get("unit") ?? "";
  const offset = Number(params.get("offset") ?? 0) || 0;
  const [procedureInput, setProcedureInput] = useState(procedure);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);
  const [busy, setBusy] = useState(false);
  const isAdmin = session?.official.role === "admin";

  const [list, reload] = useAsync(
    () =>
      get(
        `/officials/dossiers${query({
          state: state || undefined,
          channel: channel || undefined,
          overdue: overdue ? "true" : undefined,
          spam: spam ? "true" : undefined,
          procedure: procedure || undefined,
          unit: isAdmin ? unit || undefined : undefined,
          limit: PAGE,
          offset,
        })}`,
        Paged(DossierSummary),
      ),
    [state, channel, overdue, spam, procedure, unit, offset, isAdmin],
  );
  const [units] = useAsync(
    () => (isAdmin ? get("/units", Items(AdministrativeUnit)) : Promise.resolve({ items: [] })),
    [isAdmin],
  );

  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    next.delete("offset");
    setParams(next);
    setSelected(new Set());
    setOutcomes(null);
  };

  const goTo = (nextOffset: number) => {
    const next = new URLSearchParams(params);
    if (nextOffset > 0) next.set("offset", String(nextOffset));
    else next.delete("offset");
    setParams(next);
    setSelected(new Set());
  };

  const items = list.value?.items ?? [];
  const toggle = (code: string) => {
    const next = new Set(selected);
    if (next.has(code)) next.delete(code);
    else next.add(code);
    setSelected(next);
  };

  const bulk = async (action: (typeof BULK)[number]) => {
    const codes = items.filter((d) => selected.has(d.code) && d.state === action.from).map((d) => d.code);
    setBusy(true);
    const results: Outcome[] = [];
    // One at a time: each dossier's transition is its own transaction, and one failure must not hide the others.
    for (const code of codes) {
      try {
        await post(`/officials/dossiers/${encodeURIComponent(code)}/actions`, { action: action.action });
        results.push({ code, ok: true, message: "Đã thực hiện" });
      } catch (e) {
        results.push({ code, ok: false, message: e instanceof Error ? e.message : String(e) });
      }
    }
    setOutcomes(results);
    setSelected(new Set());
    setBusy(false);
    reload();
  };

  const selectedItems = items.filter((d) => selected.has(d.code));
  const total = list.value?.total ?? 0;

  return (
    <>
      <PageHeader title="Hồ sơ">
        <button type="button" className="btn" onClick={reload}>
          Làm mới
        </button>
      </PageHeader>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter("procedure", procedureInput.trim());
        }}
      >
        <label>
          Trạng thái
          <select value={state} onChange={(e) => setFilter("state", e.target.value)}>
            {STATE_FILTERS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Kênh nộp
          <select value={channel} onChange={(e) => setFilter("channel", e.target.value)}>
            <option value="">Tất cả</option>
            {Object.entries(CHANNEL_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Mã thủ tục
          <input
            value={procedureInput}
            onChange={(e) => setProcedureInput(e.target.value)}
            placeholder="VD: 1.001193"
            size={12}
          />
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
            checked={overdue}
            onChange={(e) => setFilter("overdue", e.target.checked ? "true" : "")}
          />
          Chỉ hồ sơ quá hạn
        </label>
        <label className="check">
          <input type="checkbox" checked={spam} onChange={(e) => setFilter("spam", e.target.checked ? "true" : "")} />
          Chỉ hồ sơ rác
        </label>
        <button type="submit" className="btn">
          Lọc
        </button>
      </form>

      {outcomes && (
        <div className={`alert ${outcomes.every((o) => o.ok) ? "alert--ok" : "alert--warn"}`} role="status">
          <div>
            Đã thực hiện {outcomes.filter((o) => o.ok).length}/{outcomes.length} hồ sơ.
            {outcomes
              .filter((o) => !o.ok)
              .map((o) => (
                <div key={o.code}>
                  {o.code}: {o.message}
                </div>
              ))}
          </div>
          <button type="button" className="btn btn--small" onClick={() => setOutcomes(null)}>
            Đóng
          </button>
        </div>
      )}

      {selected.size > 0 && (
        <section className="toolbar" aria-label="Thao tác hàng loạt">
          <span>Đã chọn {selected.size} hồ sơ</span>
          {BULK.map((b) => {
            const n = selectedItems.filter((d) => d.state === b.from).length;
            return (
              <button
                key={b.action}
                type="button"
                className="btn btn--small"
                disabled={busy || n === 0}
                onClick={() => bulk(b)}
              >
                {b.label} ({n})
              </button>
            );
          })}
          <button type="button" className="btn btn--small btn--ghost" onClick={() => setSelected(new Set())}>
            Bỏ chọn
          </button>
        </section>
      )}

      {list.status === "error" && <ErrorBox error={list.error} onRetry={reload} />}
      {list.status === "loading" && !list.value && <Loading />}
      {list.value && items.length === 0 && (
        <div className="panel">
          <Empty>Không có hồ sơ nào khớp bộ lọc.</Empty>
        </div>
      )}
      {items.length > 0 && (
        <div className="table-wrap" aria-busy={list.status === "loading"}>
          <table>
            <thead>
              <tr>
                <th>
                  <input
                    type="checkbox"
                    aria-label="Chọn tất cả hồ sơ trên trang"
                    checked={items.length > 0 && items.every((d) => selected.has(d.code))}
                    onChange={(e) => setSelected(e.target.checked ? new Set(items.map((d) => d.code)) : new Set())}
                  />
                </th>
                <th>Mã hồ sơ</th>
                <th>Thủ tục</th>
                <th>Người nộp</th>
                <th>Kênh</th>
                <th>Ngày nộp</th>
                <th>Hạn trả</th>
                <th>Trạng thái</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.code} className="row--link">
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Chọn hồ sơ ${d.code}`}
                      checked={selected.has(d.code)}
                      onChange={() => toggle(d.code)}
                    />
                  </td>
                  <td>
                    <Link to={`/ho-so/${encodeURIComponent(d.code)}`}>{d.code}</Link>
                  </td>
                  <td>
                    {d.procedureName}
                    <div className="muted small">{d.procedureCode}</div>
                  </td>
                  <td>{d.applicantName}</td>
                  <td>{CHANNEL_LABELS[d.channel] ?? d.channel}</td>
                  <td>{formatDateTime(d.submittedAt)}</td>
                  <td className={d.overdue ? "overdue" : undefined}>
                    {formatDay(d.dueDate)}
                    {d.overdue && <div className="small">Quá hạn</div>}
                  </td>
                  <td>
                    <StateChip state={d.state} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {total > PAGE && (
        <nav className="pager" aria-label="Trang">
          <span className="muted">
            {offset + 1}–{Math.min(offset + PAGE, total)} / {total}
          </span>
          <button
            type="button"
            className="btn btn--small"
            disabled={offset === 0}
            onClick={() => goTo(Math.max(0, offset - PAGE))}
          >
            Trang trước
          </button>
          <button
            type="button"
            className="btn btn--small"
            disabled={offset + PAGE >= total}
            onClick={() => goTo(offset + PAGE)}
          >
            Trang sau
          </button>
        </nav>
      )}
    </>
  );
}
