import { OfficialAccount, type ReceivingUnitView } from "@qn/shared";
import { useState } from "react";
import { useSearchParams } from "react-router-dom";
import { useAsync } from "../../../hooks/useAsync";
import { type ApiClientError, api, get, Items, post } from "../../api";
import { Empty, ErrorBox, fieldError, Loading, useAction } from "../../common";
import { ROLE_LABELS, useSession } from "../../session";
import { SecurityAlertsPanel } from "./SecurityAlertsPanel";
import { Dialog, Field, unitLabel, useUnits } from "./shared";

type Role = OfficialAccount["role"];
const ROLES = Object.keys(ROLE_LABELS) as Role[];
const MIN_PASSWORD = 10;

type Open =
  | { kind: "create" }
  | { kind: "edit"; account: OfficialAccount }
  | { kind: "password"; account: OfficialAccount }
  | { kind: "active"; account: OfficialAccount };

/** Officials' accounts: the list, a new account, changes, a password reset, deactivation. */
export function OfficialsTab() {
  const { session } = useSession();
  const me = session?.official.id;
  const [params, setParams] = useSearchParams();
  const unitFilter = params.get("don-vi") ?? "";
  const roleFilter = params.get("vai-tro") ?? "";
  const [text, setText] = useState("");
  const [list, reload] = useAsync(() => get("/admin/officials", Items(OfficialAccount)).then((r) => r.items), []);
  const [units] = useUnits();
  const [open, setOpen] = useState<Open | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const needle = text.trim().toLowerCase();
  const items = (list.value ?? []).filter(
    (a) =>
      (!unitFilter || a.unitCode === unitFilter) &&
      (!roleFilter || a.role === roleFilter) &&
      (!needle || a.username.includes(needle) || a.name.toLowerCase().includes(needle)),
  );
  const finish = (message: string) => {
    setOpen(null);
    setDone(message);
    reload();
  };

  return (
    <section aria-labelledby="h-officials">
      <div className="page-header">
        <h2 id="h-officials" style={{ margin: 0 }}>
          Tài khoản cán bộ
        </h2>
        <div className="page-header__actions">
          <button
            type="button"
            className="btn btn--primary"
            onClick={() => {
              setDone(null);
              setOpen({ kind: "create" });
            }}
          >
            Thêm tài khoản
          </button>
        </div>
      </div>
      {done && (
        <div className="alert alert--ok" role="status">
          <span>{done}</span>
          <button type="button" className="btn btn--small" onClick={() => setDone(null)}>
            Đóng
          </button>
        </div>
      )}
      <SecurityAlertsPanel onChange={reload} />
      <form className="filters admin-filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Tìm theo tên, tên đăng nhập
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <label>
          Vai trò
          <select value={roleFilter} onChange={(e) => setFilter("vai-tro", e.target.value)}>
            <option value="">Tất cả</option>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Đơn vị
          <select value={unitFilter} onChange={(e) => setFilter("don-vi", e.target.value)}>
            <option value="">Tất cả</option>
            {(units.value ?? []).map((u) => (
              <option key={u.code} value={u.code}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
      </form>
      {list.status === "error" && <ErrorBox error={list.error} onRetry={reload} />}
      {list.status === "loading" && !list.value && <Loading />}
      {list.value && items.length === 0 && (
        <Empty>
          {list.value.length === 0 ? "Chưa có tài khoản cán bộ nào." : "Không có tài khoản nào khớp với bộ lọc."}
        </Empty>
      )}
      {items.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Tên đăng nhập</th>
                <th>Họ và tên</th>
                <th>Vai trò</th>
                <th>Đơn vị</th>
                <th>Trạng thái</th>
                <th>
                  <span className="sr-only">Thao tác</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id}>
                  <td>
                    <code>{a.username}</code>
                    {a.id === me && <span className="muted small"> (bạn)</span>}
                  </td>
                  <td>{a.name}</td>
                  <td>{ROLE_LABELS[a.role]}</td>
                  <td>
                    {unitLabel(units.value, a.unitCode)}
                    <div className="muted small">{a.unitCode}</div>
                  </td>
                  <td>
                    <AccountState account={a} />
                  </td>
                  <td className="cell-actions">
                    <div className="actions">
                      <button
                        type="button"
                        className="btn btn--small"
                        aria-label={`Sửa tài khoản ${a.username}`}
                        onClick={() => {
                          setDone(null);
                          setOpen({ kind: "edit", account: a });
                        }}
                      >
                        Sửa
                      </button>
                      <button
                        type="button"
                        className="btn btn--small"
                        aria-label={`Đặt lại mật khẩu của ${a.username}`}
                        onClick={() => {
                          setDone(null);
                          setOpen({ kind: "password", account: a });
                        }}
                      >
                        Đặt lại mật khẩu
                      </button>
                      <button
                        type="button"
                        className={`btn btn--small ${a.active ? "btn--danger" : ""}`}
                        aria-label={`${a.active ? "Vô hiệu hóa" : "Kích hoạt lại"} tài khoản ${a.username}`}
                        onClick={() => {
                          setDone(null);
                          setOpen({ kind: "active", account: a });
                        }}
                      >
                        {a.active ? "Vô hiệu hóa" : "Kích hoạt lại"}
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.value && (
        <p className="small muted">
          {items.length} / {list.value.length} tài khoản · {list.value.filter((a) => a.active).length} đang hoạt động
        </p>
      )}
      {open?.kind === "create" && (
        <CreateDialog
          units={units.value ?? []}
          onClose={() => setOpen(null)}
          onDone={(a) =>
            finish(
              `Đã tạo tài khoản ${a.username} (${a.name}). Hãy gửi tên đăng nhập và mật khẩu cho cán bộ qua kênh an toàn.`,
            )
          }
        />
      )}
      {open?.kind === "edit" && (
        <EditDialog
          account={open.account}
          units={units.value ?? []}
          isMe={open.account.id === me}
          onClose={() => setOpen(null)}
          onDone={(a) => finish(`Đã lưu thay đổi của tài khoản ${a.username}.`)}
        />
      )}
      {open?.kind === "password" && (
        <PasswordDialog
          account={open.account}
          onClose={() => setOpen(null)}
          onDone={() =>
            finish(
              `Đã đặt lại mật khẩu cho ${open.account.username}. Các phiên đăng nhập cũ của tài khoản này đã kết thúc.`,
            )
          }
        />
      )}
      {open?.kind === "active" && (
        <ActiveDialog
          account={open.account}
          onClose={() => setOpen(null)}
          onDone={(a) =>
            finish(
              a.active
                ? `Đã kích hoạt lại tài khoản ${a.username}.`
                : `Đã vô hiệu hóa tài khoản ${a.username}: cán bộ đã bị đăng xuất và không đăng nhập được nữa.`,
            )
          }
        />
      )}
    </section>
  );
}

function AccountState({ account }: { account: OfficialAccount }) {
  if (!account.active) return <span className="chip chip--closed">Đã vô hiệu hóa</span>;
  // No account is locked by wrong passwords (whoever types them waits instead); the count tells the administrator.
  if (account.failedLogins > 0)
    return (
      <span
        className="chip chip--wait"
        title="Đang hoạt động. Số lần nhập sai mật khẩu kể từ lần đăng nhập đúng gần nhất; tài khoản không bị khóa."
      >
        Nhập sai {account.failedLogins} lần
      </span>
    );
  return <span className="chip chip--done">Đang hoạt động</span>;
}

/** 409 OWN_ACCOUNT_PROTECTED and other refusals that are not about one field. */
function Refusal({ error }: { error: ApiClientError | null }) {
  if (!error || error.details.length > 0 || error.code === "USERNAME_TAKEN") return null;
  if (error.code === "OWN_ACCOUNT_PROTECTED")
    return (
      <div className="alert alert--error" role="alert">
        <span>
          <strong>Không thể thay đổi tài khoản của chính bạn.</strong> {error.message}
        </span>
      </div>
    );
  return <ErrorBox error={error} />;
}

function UnitSelect({
  units,
  value,
  onChange,
}: {
  units: ReceivingUnitView[];
  value: string;
  onChange: (code: string) => void;
}) {
  return (
    <select value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">— Chọn đơn vị —</option>
      {units.map((u) => (
        <option key={u.code} value={u.code}>
          {u.name} ({u.code})
        </option>
      ))}
    </select>
  );
}

function RoleSelect({ value, onChange, disabled }: { value: Role; onChange: (r: Role) => void; disabled?: boolean }) {
  return (
    <select value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as Role)}>
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {ROLE_LABELS[r]}
        </option>
      ))}
    </select>
  );
}

/** A new password, with a way to see what was typed (the administrator passes it on to the official). */
function PasswordField({
  label,
  value,
  onChange,
  error,
  hint,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  hint?: string;
}) {
  const [shown, setShown] = useState(false);
  return (
    <>
      <Field label={label} error={error} hint={hint}>
        <input
          type={shown ? "text" : "password"}
          autoComplete="new-password"
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      </Field>
      <label className="check small" style={{ marginTop: "-0.5rem", marginBottom: "0.8rem" }}>
        <input type="checkbox" checked={shown} onChange={(e) => setShown(e.target.checked)} />
        Hiện mật khẩu
      </label>
    </>
  );
}

function CreateDialog({
  units,
  onClose,
  onDone,
}: {
  units: ReceivingUnitView[];
  onClose: () => void;
  onDone: (a: { username: string; name: string }) => void;
}) {
  const [form, setForm] = useState({ username: "", name: "", role: "official" as Role, unitCode: "", password: "" });
  const [local, setLocal] = useState<Record<string, string>>({});
  const { busy, error, run } = useAction();
  const err = (path: string) =>
    local[path] ?? (path === "username" && error?.code === "USERNAME_TAKEN" ? error.message : fieldError(error, path));
  const submit = async () => {
    const problems: Record<string, string> = {};
    if (!form.unitCode) problems.unitCode = "Chọn đơn vị công tác của cán bộ.";
    setLocal(problems);
    if (Object.keys(problems).length > 0) return;
    const created = await run(() => post<{ username: string; name: string }>("/admin/officials", form));
    if (created) onDone(created);
  };
  return (
    <Dialog id="dialog-create" title="Thêm tài khoản cán bộ" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Refusal error={error} />
        <Field
          label="Tên đăng nhập"
          error={err("username")}
          hint="3–40 ký tự: chữ thường không dấu, số, dấu chấm, gạch; không đổi được về sau."
        >
          <input
            value={form.username}
            autoComplete="off"
            onChange={(e) => setForm({ ...form, username: e.target.value })}
          />
        </Field>
        <Field label="Họ và tên" error={err("name")}>
          <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </Field>
        <Field label="Vai trò" error={err("role")}>
          <RoleSelect value={form.role} onChange={(role) => setForm({ ...form, role })} />
        </Field>
        <Field label="Đơn vị công tác" error={err("unitCode")}>
          <UnitSelect units={units} value={form.unitCode} onChange={(unitCode) => setForm({ ...form, unitCode })} />
        </Field>
        <PasswordField
          label="Mật khẩu ban đầu"
          error={err("password")}
          hint={`Tối thiểu ${MIN_PASSWORD} ký tự.`}
          value={form.password}
          onChange={(password) => setForm({ ...form, password })}
        />
        <div className="dialog__actions">
          <button type="button" className="btn" onClick={onClose} disabled={busy}>
            Hủy
          </button>
          <button type="submit" className="btn btn--primary" disabled={busy}>
            {busy ? "Đang tạo…" : "Tạo tài khoản"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function EditDialog({
  account,
  units,
  isMe,
  onClose,
  onDone,
}: {
  account: OfficialAccount;
  units: ReceivingUnitView[];
  isMe: boolean;
  onClose: () => void;
  onDone: (a: OfficialAccount) => void;
}) {
  const [form, setForm] = useState({
    name: account.name,
    role: account.role,
    unitCode: account.unitCode,
    active: account.active,
  });
  const [local, setLocal] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const submit = async () => {
    const changes: Record<string, unknown> = {};
    if (form.name.trim() !== account.name) changes.name = form.name;
    if (form.role !== account.role) changes.role = form.role;
    if (form.unitCode !== account.unitCode) changes.unitCode = form.unitCode;
    if (form.active !== account.active) changes.active = form.active;
    if (Object.keys(changes).length === 0) {
      setLocal("Chưa có thay đổi nào để lưu.");
      return;
    }
    setLocal(null);
    const updated = await run(() => api("PATCH", `/admin/officials/${account.id}`, changes, OfficialAccount));
    if (updated) onDone(updated);
  };
  return (
    <Dialog id="dialog-edit" title={`Sửa tài khoản ${account.username}`} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Refusal error={error} />
        {local && (
          <div className="alert alert--info" role="status">
            {local}
          </div>
        )}
        {isMe && (
          <p className="small muted">
            Đây là tài khoản của bạn: bạn không thể tự vô hiệu hóa hay tự bỏ quyền quản trị của mình.
          </p>
        )}
        <Field label="Họ và tên" error={fieldError(error, "name")}>
          <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </Field>
        <Field label="Vai trò" error={fieldError(error, "role")}>
          <RoleSelect value={form.role} onChange={(role) => setForm({ ...form, role })} />
        </Field>
        <Field label="Đơn vị công tác" error={fieldError(error, "unitCode")}>
          <UnitSelect units={units} value={form.unitCode} onChange={(unitCode) => setForm({ ...form, unitCode })} />
        </Field>
        <label className="check">
          <input
            type="checkbox"
            checked={form.active}
            onChange={(e) => setForm({ ...form, active: e.target.checked })}
          />
          Tài khoản đang hoạt động (bỏ chọn để vô hiệu hóa: cán bộ bị đăng xuất ngay)
        </label>
        <div className="dialog__actions">
          <button type="button" className="btn" onClick={onClose} disabled={busy}>
            Hủy
          </button>
          <button type="submit" className="btn btn--primary" disabled={busy}>
            {busy ? "Đang lưu…" : "Lưu thay đổi"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function PasswordDialog({
  account,
  onClose,
  onDone,
}: {
  account: OfficialAccount;
  onClose: () => void;
  onDone: () => void;
}) {
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const [local, setLocal] = useState<Record<string, string>>({});
  const { busy, error, run } = useAction();
  const submit = async () => {
    const problems: Record<string, string> = {};
    if (password.length < MIN_PASSWORD) problems.password = `Mật khẩu tối thiểu ${MIN_PASSWORD} ký tự`;
    else if (password !== again) problems.again = "Hai lần nhập mật khẩu không khớp.";
    setLocal(problems);
    if (Object.keys(problems).length > 0) return;
    const res = await run(() => post(`/admin/officials/${account.id}/password`, { password }).then(() => true));
    if (res) onDone();
  };
  return (
    <Dialog id="dialog-password" title={`Đặt lại mật khẩu: ${account.username}`} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <p className="small muted">
          {account.name} · Mật khẩu mới có hiệu lực ngay; các phiên đăng nhập đang mở của tài khoản sẽ kết thúc và khóa
          do nhập sai mật khẩu (nếu có) được gỡ.
        </p>
        <Refusal error={error} />
        <PasswordField
          label="Mật khẩu mới"
          error={local.password ?? fieldError(error, "password")}
          hint={`Tối thiểu ${MIN_PASSWORD} ký tự.`}
          value={password}
          onChange={setPassword}
        />
        <Field label="Nhập lại mật khẩu mới" error={local.again}>
          <input type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} />
        </Field>
        <div className="dialog__actions">
          <button type="button" className="btn" onClick={onClose} disabled={busy}>
            Hủy
          </button>
          <button type="submit" className="btn btn--primary" disabled={busy}>
            {busy ? "Đang lưu…" : "Đặt lại mật khẩu"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function ActiveDialog({
  account,
  onClose,
  onDone,
}: {
  account: OfficialAccount;
  onClose: () => void;
  onDone: (a: OfficialAccount) => void;
}) {
  const { busy, error, run } = useAction();
  const deactivate = account.active;
  const submit = async () => {
    const updated = await run(() =>
      api("PATCH", `/admin/officials/${account.id}`, { active: !deactivate }, OfficialAccount),
    );
    if (updated) onDone(updated);
  };
  return (
    <Dialog
      id="dialog-active"
      title={deactivate ? `Vô hiệu hóa tài khoản ${account.username}?` : `Kích hoạt lại tài khoản ${account.username}?`}
      onClose={onClose}
    >
      <p>
        {deactivate
          ? `${account.name} sẽ bị đăng xuất ngay và không đăng nhập được nữa. Hồ sơ và lịch sử xử lý của tài khoản vẫn được giữ.`
          : `${account.name} sẽ đăng nhập lại được bằng mật khẩu hiện có.`}
      </p>
      <Refusal error={error} />
      <div className="dialog__actions">
        <button type="button" className="btn" onClick={onClose} disabled={busy}>
          Hủy
        </button>
        <button
          type="button"
          className={`btn ${deactivate ? "btn--danger" : "btn--primary"}`}
          onClick={submit}
          disabled={busy}
        >
          {busy ? "Đang lưu…" : deactivate ? "Vô hiệu hóa" : "Kích hoạt lại"}
        </button>
      </div>
    </Dialog>
  );
}
