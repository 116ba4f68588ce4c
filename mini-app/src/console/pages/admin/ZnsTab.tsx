import { type ZnsTemplateField, ZnsTemplateSetting } from "@qn/shared";
import { useState } from "react";
import { useAsync } from "../../../hooks/useAsync";
import { api, get, Items } from "../../api";
import { Empty, ErrorBox, fieldError, formatDateTime, Loading, useAction } from "../../common";
import { Dialog } from "./shared";

const FIELD_LABELS: Record<ZnsTemplateField, string> = {
  code: "Mã hồ sơ",
  procedureName: "Tên thủ tục",
  stateLabel: "Trạng thái hồ sơ",
  dueDate: "Hạn trả kết quả",
  feesDue: "Phí, lệ phí phải nộp",
  missingDocuments: "Giấy tờ cần bổ sung",
  postalStatus: "Trạng thái bưu gửi",
  waybill: "Mã vận đơn",
};
const FIELDS = Object.keys(FIELD_LABELS) as ZnsTemplateField[];
const SOURCE_LABELS: Record<ZnsTemplateSetting["source"], { label: string; chip: string }> = {
  database: { label: "Quản trị viên đặt", chip: "chip--done" },
  environment: { label: "Cấu hình máy chủ", chip: "chip--new" },
  none: { label: "Chưa có mẫu", chip: "chip--closed" },
};
const TEMPLATE_ID = /^\d{1,20}$/;
const PARAM_NAME = /^[A-Za-z0-9_]{1,50}$/;

type Param = { name: string; field: ZnsTemplateField };
type Row = {
  setting: ZnsTemplateSetting;
  templateId: string;
  params: Param[];
  /** Stored by the administrators (sent on save); otherwise the kind falls back to the server's configuration. */
  stored: boolean;
};

function rowsOf(items: ZnsTemplateSetting[]): Row[] {
  return items.map((s) => ({
    setting: s,
    templateId: s.source === "database" ? (s.templateId ?? "") : "",
    params:
      s.source === "database"
        ? Object.entries(s.params).map(([name, field]) => ({ name, field: field as ZnsTemplateField }))
        : [],
    stored: s.source === "database",
  }));
}

/** Which approved ZNS template (and parameters) carries each kind of status notification to citizens. */
export function ZnsTab() {
  const [settings, reload] = useAsync(
    () => get("/admin/zalo-templates", Items(ZnsTemplateSetting)).then((r) => r.items),
    [],
  );
  if (settings.status === "loading" && !settings.value) return <Loading />;
  if (settings.status === "error" && !settings.value) return <ErrorBox error={settings.error} onRetry={reload} />;
  // Keyed by what the server holds: after a save, the table starts again from the stored mapping.
  const items = settings.value ?? [];
  return <ZnsTable key={items.map((i) => `${i.kind}:${i.updatedAt}`).join()} items={items} />;
}

function ZnsTable({ items: initial }: { items: ZnsTemplateSetting[] }) {
  const [items, setItems] = useState(initial);
  const [rows, setRows] = useState<Row[]>(() => rowsOf(initial));
  const [dirty, setDirty] = useState(false);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const save = useAction();

  const update = (kind: string, change: Partial<Row>) => {
    setRows((rs) => rs.map((r) => (r.setting.kind === kind ? { ...r, ...change, stored: true } : r)));
    setDirty(true);
    setDone(null);
    if (change.templateId !== undefined)
      setLocal((l) => {
        const { [`${kind}.templateId`]: _, ...rest } = l;
        return rest;
      });
  };
  const err = (kind: string, part: "templateId" | "params") =>
    local[`${kind}.${part}`] ?? fieldError(save.error, `templates.${kind}.${part}`);

  const submit = async () => {
    const problems: Record<string, string> = {};
    const templates: Record<string, { templateId: string; params?: Record<string, string> }> = {};
    for (const r of rows) {
      const id = r.templateId.trim();
      // Left empty: nothing stored for the kind, which then uses the server's configuration (or no ZNS).
      if (!r.stored || !id) continue;
      if (!TEMPLATE_ID.test(id))
        problems[`${r.setting.kind}.templateId`] = "Mã mẫu ZNS là dãy chữ số (tối đa 20), ví dụ 231456";
      if (r.params.length === 0 && !r.setting.environment)
        problems[`${r.setting.kind}.params`] = "Cần khai báo tham số của mẫu (bấm “Sửa tham số”).";
      templates[r.setting.kind] = {
        templateId: id,
        ...(r.params.length > 0 ? { params: Object.fromEntries(r.params.map((p) => [p.name, p.field])) } : {}),
      };
    }
    setLocal(problems);
    setDone(null);
    if (Object.keys(problems).length > 0) return;
    const res = await save.run(() => api("PUT", "/admin/zalo-templates", { templates }, Items(ZnsTemplateSetting)));
    if (!res) return;
    setItems(res.items);
    setRows(rowsOf(res.items));
    setDirty(false);
    setDone("Đã lưu mẫu ZNS. Thông báo gửi từ nay dùng các mẫu này.");
  };

  const editingRow = rows.find((r) => r.setting.kind === editing);
  const byKind = new Map(items.map((i) => [i.kind, i]));

  return (
    <section aria-labelledby="h-zns">
      <div className="page-header">
        <h2 id="h-zns" style={{ margin: 0 }}>
          Mẫu tin ZNS theo loại thông báo
        </h2>
        <div className="page-header__actions">
          <button type="button" className="btn btn--primary" onClick={submit} disabled={save.busy || !dirty}>
            {save.busy ? "Đang lưu…" : "Lưu tất cả"}
          </button>
        </div>
      </div>
      <p className="small muted">
        Khi không nhắn được tin tư vấn qua OA (công dân không tương tác với OA gần đây), thông báo về hồ sơ được gửi
        bằng tin ZNS theo mẫu Zalo đã duyệt. Nhập mã mẫu và khai báo tham số đúng như mẫu đã đăng ký. Để trống mã mẫu
        thì dùng cấu hình máy chủ (nếu có); không có mẫu thì công dân chỉ nhận thông báo trong mini-app.
      </p>
      {done && (
        <div className="alert alert--ok" role="status">
          <span>{done}</span>
        </div>
      )}
      {dirty && !done && Object.keys(local).length === 0 && !save.error && (
        <div className="alert alert--warn" role="status">
          <span>Có thay đổi chưa lưu. Bấm "Lưu tất cả" để áp dụng.</span>
        </div>
      )}
      {save.error && save.error.details.length === 0 && <ErrorBox error={save.error} />}
      {(Object.keys(local).length > 0 || (save.error?.details.length ?? 0) > 0) && (
        <ErrorBox error="Chưa lưu: một số mẫu chưa hợp lệ, xem lỗi ở từng dòng." />
      )}
      {rows.length === 0 ? (
        <Empty>Không có loại thông báo nào gửi qua ZNS.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Loại thông báo</th>
                <th>Mã mẫu ZNS</th>
                <th>Tham số của mẫu</th>
                <th>Nguồn</th>
                <th>Cập nhật</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const s = byKind.get(r.setting.kind) ?? r.setting;
                const env = s.environment;
                const source = SOURCE_LABELS[s.source];
                const fromEnv = r.params.length === 0 && !!env;
                const shownParams = fromEnv
                  ? Object.entries(env?.params ?? {}).map(([name, field]) => ({ name, field }))
                  : r.params;
                const idError = err(s.kind, "templateId");
                const paramsError = err(s.kind, "params");
                return (
                  <tr key={s.kind}>
                    <td>
                      <strong>{s.label}</strong>
                      <div className="muted small">
                        <code>{s.kind}</code>
                      </div>
                    </td>
                    <td>
                      <div
                        className={`field ${idError ? "field--error" : ""}`}
                        style={{ margin: 0, maxWidth: "14rem" }}
                      >
                        <input
                          aria-label={`Mã mẫu ZNS: ${s.label}`}
                          inputMode="numeric"
                          placeholder={env ? env.templateId : "Chưa có"}
                          value={r.templateId}
                          size={16}
                          onChange={(e) => update(s.kind, { templateId: e.target.value })}
                        />
                        {idError && <span className="field__error">{idError}</span>}
                        {!idError && s.source !== "database" && env && !r.templateId.trim() && (
                          <span className="small muted">Để trống: dùng mẫu {env.templateId} của cấu hình máy chủ.</span>
                        )}
                        {!idError && s.source === "database" && !r.templateId.trim() && (
                          <span className="small muted">
                            Khi lưu: bỏ mẫu đã đặt,{" "}
                            {env ? "dùng cấu hình máy chủ" : "không gửi ZNS cho loại thông báo này"}.
                          </span>
                        )}
                      </div>
                    </td>
                    <td>
                      {shownParams.length > 0 ? (
                        <ul className="params">
                          {shownParams.map((p) => (
                            <li key={p.name}>
                              <code>{p.name}</code> → {FIELD_LABELS[p.field as ZnsTemplateField] ?? p.field}
                            </li>
                          ))}
                        </ul>
                      ) : (
                        <div className="muted small">Chưa khai báo</div>
                      )}
                      {fromEnv && shownParams.length > 0 && <div className="muted small">(theo cấu hình máy chủ)</div>}
                      {paramsError && <div className="field__error">{paramsError}</div>}
                      <button
                        type="button"
                        className="btn btn--small"
                        style={{ marginTop: "0.3rem" }}
                        aria-label={`Sửa tham số: ${s.label}`}
                        onClick={() => setEditing(s.kind)}
                      >
                        Sửa tham số
                      </button>
                    </td>
                    <td>
                      <span className={`chip ${source.chip}`}>{source.label}</span>
                      {s.source === "database" && env && (
                        <div className="muted small">Cấu hình máy chủ: {env.templateId}</div>
                      )}
                    </td>
                    <td className="small">
                      {s.updatedAt ? (
                        <>
                          {formatDateTime(s.updatedAt)}
                          {s.updatedBy && <div className="muted">{s.updatedBy}</div>}
                        </>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {editingRow && (
        <ParamsDialog
          row={editingRow}
          onClose={() => setEditing(null)}
          onSave={(params) => {
            update(editingRow.setting.kind, { params });
            setLocal((l) => {
              const { [`${editingRow.setting.kind}.params`]: _, ...rest } = l;
              return rest;
            });
            setEditing(null);
          }}
        />
      )}
    </section>
  );
}

function ParamsDialog({ row, onClose, onSave }: { row: Row; onClose: () => void; onSave: (params: Param[]) => void }) {
  const env = row.setting.environment;
  const start =
    row.params.length > 0
      ? row.params
      : Object.entries(env?.params ?? {}).map(([name, field]) => ({ name, field: field as ZnsTemplateField }));
  const [params, setParams] = useState<Param[]>(start.length > 0 ? start : [{ name: "", field: "code" }]);
  const [problem, setProblem] = useState<string | null>(null);
  const set = (i: number, change: Partial<Param>) =>
    setParams((ps) => ps.map((p, j) => (j === i ? { ...p, ...change } : p)));
  const submit = () => {
    const kept = params.map((p) => ({ ...p, name: p.name.trim() })).filter((p) => p.name);
    const bad = kept.find((p) => !PARAM_NAME.test(p.name));
    if (bad) return setProblem(`Tên tham số “${bad.name}” không hợp lệ: chỉ dùng chữ không dấu, số, gạch dưới.`);
    const names = kept.map((p) => p.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) return setProblem(`Tham số “${twice}” khai báo hai lần.`);
    onSave(kept);
  };
  return (
    <Dialog id="dialog-params" title={`Tham số mẫu ZNS: ${row.setting.label}`} onClose={onClose}>
      <p className="small muted">
        Tên tham số phải trùng với tên trong mẫu đã đăng ký với Zalo (ví dụ <code>ma_ho_so</code>); mỗi tham số nhận một
        thông tin của hồ sơ.
      </p>
      {problem && <ErrorBox error={problem} />}
      <table className="params-table">
        <thead>
          <tr>
            <th>Tên tham số</th>
            <th>Thông tin đưa vào</th>
            <th>
              <span className="sr-only">Xóa</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {params.map((p, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place; the name is what is typed
            <tr key={i}>
              <td>
                <input
                  aria-label={`Tên tham số ${i + 1}`}
                  value={p.name}
                  onChange={(e) => set(i, { name: e.target.value })}
                />
              </td>
              <td>
                <select
                  aria-label={`Thông tin của tham số ${i + 1}`}
                  value={p.field}
                  onChange={(e) => set(i, { field: e.target.value as ZnsTemplateField })}
                >
                  {FIELDS.map((f) => (
                    <option key={f} value={f}>
                      {FIELD_LABELS[f]}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <button
                  type="button"
                  className="btn btn--small btn--danger"
                  aria-label={`Xóa tham số ${i + 1}`}
                  onClick={() => setParams((ps) => ps.filter((_, j) => j !== i))}
                >
                  Xóa
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button
        type="button"
        className="btn btn--small"
        style={{ marginTop: "0.5rem" }}
        onClick={() => setParams((ps) => [...ps, { name: "", field: FIELDS[ps.length % FIELDS.length] ?? "code" }])}
      >
        Thêm tham số
      </button>
      <div className="dialog__actions">
        <button type="button" className="btn" onClick={onClose}>
          Hủy
        </button>
        <button type="button" className="btn btn--primary" onClick={submit}>
          Xong
        </button>
      </div>
    </Dialog>
  );
}
