import { formatVietnamDate } from "@qn/shared";
import { Button, Page, useNavigate } from "zmp-ui";
import { api } from "../api/client";
import { StateChip } from "../components/StateChip";
import { StateMessage } from "../components/StateMessage";
import { TopBar } from "../components/TopBar";
import { useAsync } from "../hooks/useAsync";

/** Hồ sơ của tôi. */
export default function DossiersPage() {
  const navigate = useNavigate();
  const [state, retry] = useAsync((signal) => api.myDossiers(signal), []);
  return (
    <Page className="screen screen--tabbed">
      <TopBar title="Hồ sơ của tôi" back={false} />
      {state.status === "loading" && <StateMessage kind="loading" />}
      {state.status === "error" && <StateMessage kind="error" text={state.error.message} onRetry={retry} />}
      {state.status === "done" && state.value.items.length === 0 && (
        <StateMessage
          kind="empty"
          title="Bạn chưa có hồ sơ nào"
          text={
            <Button size="medium" onClick={() => navigate("/search")}>
              Tìm thủ tục để nộp
            </Button>
          }
        />
      )}
      {state.status === "done" && state.value.items.length > 0 && (
        <ul className="results">
          {state.value.items.map((d) => (
            <li key={d.code}>
              <button
                type="button"
                className="result"
                onClick={() => navigate(`/dossiers/${encodeURIComponent(d.code)}`)}
              >
                <span className="result__name">{d.procedureName}</span>
                <StateChip state={d.state} overdue={d.overdue} />
                <span className="result__meta">
                  Mã {d.code} · Nộp ngày {formatVietnamDate(d.submittedAt)}
                  {d.dueDate ? ` · Hẹn trả ${formatVietnamDate(d.dueDate)}` : ""}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="stack stack--padded">
        <Button variant="secondary" fullWidth onClick={() => navigate("/lookup")}>
          Tra cứu hồ sơ bằng mã
        </Button>
      </div>
    </Page>
  );
}
