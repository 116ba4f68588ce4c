import { formatVietnamDate } from "@qn/shared";
import { Page } from "zmp-ui";
import { api } from "../api/client";
import { StateMessage } from "../components/StateMessage";
import { TopBar } from "../components/TopBar";
import { useAsync } from "../hooks/useAsync";
import { openExternal } from "../zalo";

/** Tin tức: the province's published announcements. */
export default function NewsPage() {
  const [state, retry] = useAsync((signal) => api.announcements(30, signal), []);
  return (
    <Page className="screen">
      <TopBar title="Tin tức" />
      {state.status === "loading" && <StateMessage kind="loading" />}
      {state.status === "error" && <StateMessage kind="error" text={state.error.message} onRetry={retry} />}
      {state.status === "done" && state.value.items.length === 0 && (
        <StateMessage
          kind="empty"
          title="Chưa có tin mới"
          text="Thông báo của tỉnh về dịch vụ công, lịch làm việc và thay đổi thủ tục sẽ hiện ở đây."
        />
      )}
      {state.status === "done" &&
        state.value.items.map((a) => (
          <article key={a.id} className="card card--news">
            {a.imageUrl && <img src={a.imageUrl} alt="" className="card__image" />}
            <h2 className="card__title">{a.title}</h2>
            <p className="card__meta">{formatVietnamDate(a.publishedAt)}</p>
            <p className="card__body">{a.body}</p>
            {a.link && (
              <button type="button" className="link" onClick={() => void openExternal(a.link as string)}>
                Xem chi tiết
              </button>
            )}
          </article>
        ))}
    </Page>
  );
}
