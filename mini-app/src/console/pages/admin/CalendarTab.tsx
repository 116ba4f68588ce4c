import { CalendarDay, type CalendarDayKind, vietnamToday } from "@qn/shared";
import { useState } from "react";
import { useAsync } from "../../../hooks/useAsync";
import { api, get, Items } from "../../api";
import { Empty, ErrorBox, fieldError, formatDay, Loading, useAction } from "../../common";
import { Dialog, Field } from "./shared";

const KIND_LABELS: Record<CalendarDayKind, string> = {
  holiday: "Ngày nghỉ lễ, Tết",
  "compensatory-day-off": "Ngày nghỉ bù",
  "working-day": "Ngày làm bù (cuối tuần đi làm)",
};
const KIND_CHIPS: Record<CalendarDayKind, string> = {
  holiday: "chip--wait",
  "compensatory-day-off": "chip--run",
  "working-day": "chip--done",
};
const WEEKDAYS = ["Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"];

function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

function isRealDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date;
}

type Draft = { date: string; name: string; kind: CalendarDayKind };
const EMPTY: Draft = { date: "", name: "", kind: "holiday" };

/**
 * The holiday calendar due dates are counted with: days off on weekdays (holidays, days off in lieu) and weekend days
 * worked because of a swap. Monday to Friday are working days unless listed here.
 */
export function CalendarTab() {
  const thisYear = Number(vietnamToday().slice(0, 4));
  const [year, setYear] = useState(thisYear);
  const [days, reload] = useAsync(
    () => get(`/admin/calendar?year=${year}`, Items(CalendarDay)).then((r) => r.items),
    [year],
  );
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string | null>(null);
  const [removing, setRemoving] = useState<CalendarDay | null>(null);
  const save = useAction();
  const years = Array.from({ length: 7 }, (_, i) => thisYear - 2 + i);
  const items = days.value ?? [];
  const existing = items.find((d) => d.date === draft.date);

  const submit = async () => {
    setDone(null);
    const problems: Record<string, string> = {};
    if (!draft.date) problems.date = "Chọn ngày.";
    else if (!isRealDate(draft.date)) problems.date = "Ngày không hợp lệ (dạng ngày/tháng/năm).";
    else if (Number(draft.date.slice(0, 4)) < 2000 || Number(draft.date.slice(0, 4)) > 2100)
      problems.date = "Năm phải trong khoảng 2000–2100.";
    if (!draft.name.trim()) problems.name = "Cần ghi tên ngày nghỉ hoặc ngày làm bù.";
    if (draft.date && isRealDate(draft.date)) {
      const day = weekday(draft.date);
      const weekend = day === 0 || day === 6;
      if (draft.kind === "working-day" && !weekend)
        problems.kind = `Ngày ${formatDay(draft.date)} là ${WEEKDAYS[day]}, vốn đã là ngày làm việc. Ngày làm bù phải là thứ Bảy hoặc Chủ nhật.`;
      if (draft.kind === "compensatory-day-off" && weekend)
        problems.kind = `Ngày ${formatDay(draft.date)} là ${WEEKDAYS[day]}, vốn đã được nghỉ. Ngày nghỉ bù phải là một ngày từ thứ Hai đến thứ Sáu.`;
    }
    setLocal(problems);
    if (Object.keys(problems).length > 0) return;
    const saved = await save.run(() =>
      api("PUT", `/admin/calendar/${draft.date}`, { name: draft.name.trim(), kind: draft.kind }, CalendarDay),
    );
    if (!saved) return;
    setDone(
      `Đã ${existing ? "cập nhật" : "thêm"} ngày ${formatDay(saved.date)} (${saved.name}) vào lịch. Hạn trả kết quả của hồ sơ nộp từ nay tính theo lịch mới.`,
    );
    setDraft(EMPTY);
    const savedYear = Number(saved.date.slice(0, 4));
    if (savedYear !== year) setYear(savedYear);
    else reload();
  };
  const err = (path: string) => local[path] ?? fieldError(save.error, path);
  const offCount = items.filter((d) => d.kind !== "working-day").length;

  return (
    <section aria-labelledby="h-calendar">
      <div className="page-header">
        <h2 id="h-calendar" style={{ margin: 0 }}>
          Lịch ngày nghỉ năm {year}
        </h2>
        <form className="filters" style={{ margin: 0 }} onSubmit={(e) => e.preventDefault()}>
          <label>
            Năm
            <select value={year} onChange={(e) => setYear(Number(e.target.value))}>
              {years.map((y) => (
                <option key={y} value={y}>
                  {y}
                </option>
              ))}
            </select>
          </label>
        </form>
      </div>
      <p className="small muted">
        Thứ Hai đến thứ Sáu là ngày làm việc, trừ các ngày nghỉ dưới đây; thứ Bảy, Chủ nhật là ngày nghỉ, trừ ngày làm
        bù. Hạn trả kết quả hồ sơ được tính theo lịch này.
      </p>
      {done && (
        <div className="alert alert--ok" role="status">
          <span>{done}</span>
        </div>
      )}
      <div className="grid-2">
        <div>
          {days.status === "error" && <ErrorBox error={days.error} onRetry={reload} />}
          {days.status === "loading" && !days.value && <Loading />}
          {days.value && items.length === 0 && (
            <Empty>Năm {year} chưa có ngày nghỉ hay ngày làm bù nào trong lịch. Thêm ở khung bên cạnh.</Empty>
          )}
          {items.length > 0 && (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>Ngày</th>
                    <th>Tên</th>
                    <th>Loại</th>
                    <th>
                      <span className="sr-only">Thao tác</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((d) => (
                    <tr key={d.date}>
                      <td style={{ whiteSpace: "nowrap" }}>
                        {formatDay(d.date)}
                        <div className="muted small">{WEEKDAYS[weekday(d.date)]}</div>
                      </td>
                      <td>{d.name}</td>
                      <td>
                        <span className={`chip ${KIND_CHIPS[d.kind]}`}>{KIND_LABELS[d.kind]}</span>
                      </td>
                      <td className="cell-actions">
                        <div className="actions">
                          <button
                            type="button"
                            className="btn btn--small"
                            aria-label={`Sửa ngày ${formatDay(d.date)}`}
                            onClick={() => {
                              setDone(null);
                              setLocal({});
                              setDraft({ date: d.date, name: d.name, kind: d.kind });
                            }}
                          >
                            Sửa
                          </button>
                          <button
                            type="button"
                            className="btn btn--small btn--danger"
                            aria-label={`Xóa ngày ${formatDay(d.date)}`}
                            onClick={() => {
                              setDone(null);
                              setRemoving(d);
                            }}
                          >
                            Xóa
                          </button>
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {days.value && items.length > 0 && (
            <p className="small muted">
              {offCount} ngày nghỉ lễ, Tết, nghỉ bù · {items.length - offCount} ngày làm bù
            </p>
          )}
        </div>
        <section className="panel" aria-labelledby="h-calendar-add">
          <h3 id="h-calendar-add">{existing ? "Sửa ngày trong lịch" : "Thêm ngày nghỉ hoặc ngày làm bù"}</h3>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void submit();
            }}
          >
            {save.error && save.error.details.length === 0 && <ErrorBox error={save.error} />}
            <Field label="Ngày" error={err("date")}>
              <input
                type="date"
                min="2000-01-01"
                max="2100-12-31"
                value={draft.date}
                onChange={(e) => setDraft({ ...draft, date: e.target.value })}
              />
            </Field>
            <Field label="Tên (ví dụ: Tết Dương lịch, Nghỉ bù Quốc khánh)" error={err("name")}>
              <input
                value={draft.name}
                maxLength={200}
                onChange={(e) => setDraft({ ...draft, name: e.target.value })}
              />
            </Field>
            <Field label="Loại ngày" error={err("kind")}>
              <select
                value={draft.kind}
                onChange={(e) => setDraft({ ...draft, kind: e.target.value as CalendarDayKind })}
              >
                {(Object.keys(KIND_LABELS) as CalendarDayKind[]).map((k) => (
                  <option key={k} value={k}>
                    {KIND_LABELS[k]}
                  </option>
                ))}
              </select>
            </Field>
            {draft.kind === "holiday" && isRealDate(draft.date) && [0, 6].includes(weekday(draft.date)) && (
              <p className="small muted">
                Ngày lễ trùng {WEEKDAYS[weekday(draft.date)]}: vẫn ghi vào lịch, và nhớ thêm ngày nghỉ bù vào ngày làm
                việc kế tiếp.
              </p>
            )}
            {existing && (
              <p className="small muted">
                Ngày {formatDay(existing.date)} đã có trong lịch ({existing.name}); lưu sẽ thay thế.
              </p>
            )}
            <div className="actions">
              <button type="submit" className="btn btn--primary" disabled={save.busy}>
                {save.busy ? "Đang lưu…" : existing ? "Lưu thay đổi" : "Thêm vào lịch"}
              </button>
              {(draft.date || draft.name) && (
                <button
                  type="button"
                  className="btn"
                  onClick={() => {
                    setDraft(EMPTY);
                    setLocal({});
                    save.clear();
                  }}
                >
                  Làm lại
                </button>
              )}
            </div>
          </form>
        </section>
      </div>
      {removing && (
        <RemoveDialog
          day={removing}
          onClose={() => setRemoving(null)}
          onDone={() => {
            setDone(`Đã xóa ngày ${formatDay(removing.date)} (${removing.name}) khỏi lịch.`);
            setRemoving(null);
            reload();
          }}
        />
      )}
    </section>
  );
}

function RemoveDialog({ day, onClose, onDone }: { day: CalendarDay; onClose: () => void; onDone: () => void }) {
  const { busy, error, run } = useAction();
  return (
    <Dialog id="dialog-remove-day" title={`Xóa ngày ${formatDay(day.date)} khỏi lịch?`} onClose={onClose}>
      <p>
        {day.name} ({KIND_LABELS[day.kind].toLowerCase()}).{" "}
        {day.kind === "working-day"
          ? "Sau khi xóa, ngày này trở lại là ngày nghỉ cuối tuần."
          : "Sau khi xóa, ngày này được tính là ngày làm việc."}
      </p>
      {error && <ErrorBox error={error} />}
      <div className="dialog__actions">
        <button type="button" className="btn" onClick={onClose} disabled={busy}>
          Hủy
        </button>
        <button
          type="button"
          className="btn btn--danger"
          disabled={busy}
          onClick={async () => {
            const ok = await run(() => api("DELETE", `/admin/calendar/${day.date}`).then(() => true));
            if (ok) onDone();
          }}
        >
          {busy ? "Đang xóa…" : "Xóa"}
        </button>
      </div>
    </Dialog>
  );
}
