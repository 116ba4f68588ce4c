import { SecurityAlert } from "@qn/shared";
import { useAsync } from "../../../hooks/useAsync";
import { get, Items, post } from "../../api";
import { ErrorBox, formatDateTime, useAction } from "../../common";

/**
 * Open warnings for administrators, above the accounts (issue 13, finding 7): an account that collected many wrong
 * passwords. No account is locked by them, so this is how someone guessing a password gets noticed.
 */
export function SecurityAlertsPanel({ onChange }: { onChange?: () => void }) {
  const [alerts, reload] = useAsync(
    () => get("/admin/security-alerts", Items(SecurityAlert)).then((r) => r.items.filter((a) => !a.acknowledgedAt)),
    [],
  );
  const { busy, error, run } = useAction();
  if (alerts.status === "error") return <ErrorBox error={alerts.error} onRetry={reload} />;
  const open = alerts.value ?? [];
  if (open.length === 0) return null;
  const acknowledge = async (id: number) => {
    const done = await run(() => post(`/admin/security-alerts/${id}/acknowledge`, undefined, SecurityAlert));
    if (done) {
      reload();
      onChange?.();
    }
  };
  return (
    <section className="panel" aria-labelledby="h-security-alerts">
      <h3 id="h-security-alerts">Cảnh báo đăng nhập ({open.length})</h3>
      {error && <ErrorBox error={error} />}
      <div>
        {open.map((a) => (
          <div key={a.id} className={`alert ${a.signedInAt ? "alert--error" : "alert--warn"}`} role="status">
            <span>
              {a.message}
              <br />
              <small className="muted">
                Từ {formatDateTime(a.firstAt)} đến {formatDateTime(a.lastAt)} · Địa chỉ: {a.sources.join(", ")}
              </small>
            </span>
            <button
              type="button"
              className="btn btn--small"
              style={{ whiteSpace: "nowrap" }}
              disabled={busy}
              onClick={() => acknowledge(a.id)}
            >
              Đã xem
            </button>
          </div>
        ))}
      </div>
    </section>
  );
}
