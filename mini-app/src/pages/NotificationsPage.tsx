import { formatVietnamDayTime } from "@qn/shared";
import { useState } from "react";
import { Page, useNavigate } from "zmp-ui";
import { api } from "../api/client";
import { StateMessage } from "../components/StateMessage";
import { TopBar } from "../components/TopBar";
import { useAsync } from "../hooks/useAsync";
import { useErrorSnackbar } from "../hooks/useErrorSnackbar";

/** Thông báo: the in-app inbox, everything the citizen was told about their dossiers. */
export default function NotificationsPage() {
  const navigate = useNavigate();
  const showError = useErrorSnackbar();
  const [version, setVersion] = useState(0);
  const [state, retry] = useAsync((signal) => api.notifications(signal), [version]);
  const open = async (id: number, read: boolean, code: string | null) => {
    if (!read) await api.markRead(id).catch(showError);
    if (code) navigate(`/dossiers/${encodeURIComponent(code)}`);
    else setVersion(version + 1);
  };
  return (
    <Page className="screen screen--tabbed">
      <TopBar title="Thông báo" back={false} />
      {state.status === "loading" && <StateMessage kind="loading" />}
      {state.status === "error" && <StateMessage kind="error" text={state.error.message} onRetry={retry} />}
      {state.status === "done" && state.value.items.length === 0 && (
        <StateMessage
          kind="empty"
          title="Chưa có thông báo"
          text="Khi hồ sơ của bạn có tiến triển, thông báo sẽ hiện ở đây."
        />
      )}
      {state.status === "done" && state.value.items.length > 0 && (
        <>
          {state.value.unread > 0 && (
            <div className="section__head section--padded">
              <span className="muted">{state.value.unread} thông báo chưa đọc</span>
              <button
                type="button"
                className="link"
                onClick={() => api.markAllRead().then(() => setVersion(version + 1), showError)}
              >
                Đánh dấu đã đọc tất cả
              </button>
            </div>
          )}
          <ul className="results">
            {state.value.items.map((n) => (
              <li key={n.id}>
                <button
                  type="button"
                  className={n.read ? "result" : "result result--unread"}
                  onClick={() => open(n.id, n.read, n.dossierCode)}
                >
                  <span className="result__name">{n.title}</span>
                  <span className="result__body">{n.body}</span>
                  <span className="result__meta">{formatVietnamDayTime(n.createdAt)}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </Page>
  );
}
