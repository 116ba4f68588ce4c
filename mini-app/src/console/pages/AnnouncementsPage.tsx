import { ANNOUNCEMENT_TOPICS, type AnnouncementProgress, type AnnouncementStatus, type Audience } from "@qn/shared";
import { Link } from "react-router-dom";
import { useAsync } from "../../hooks/useAsync";
import { get } from "../api";
import { Empty, ErrorBox, formatDateTime, Loading, PageHeader } from "../common";

export type AnnouncementView = {
  id: number;
  title: string;
  body: string;
  imageUrl: string | null;
  link: string | null;
  audience: Audience;
  status: AnnouncementStatus;
  statusLabel: string;
  createdBy: number;
  /** The unit it belongs to (its author's): its officials edit it. */
  unitCode: string;
  /** The author and everyone who changed it: none of them may approve it. */
  editors: number[];
  approvedBy: number | null;
  scheduledAt: string | null;
  publishedAt: string | null;
  progress: AnnouncementProgress;
};

export function audienceLabel(a: Audience): string {
  if (a.kind === "all") return "Tất cả người quan tâm OA";
  if (a.kind === "commune") return `${a.values.length} xã, phường`;
  return a.values.map((t) => ANNOUNCEMENT_TOPICS[t]).join(", ");
}

export const STATUS_CHIP: Record<AnnouncementStatus, string> = {
  draft: "chip--closed",
  pending_approval: "chip--wait",
  approved: "chip--new",
  scheduled: "chip--new",
  sending: "chip--run",
  paused: "chip--wait",
  completed: "chip--done",
  cancelled: "chip--closed",
};

export default function AnnouncementsPage() {
  const [list, reload] = useAsync(() => get<{ items: AnnouncementView[] }>("/officials/announcements"), []);
  return (
    <>
      <PageHeader title="Thông báo">
        <Link className="btn btn--primary" to="/thong-bao/moi">
          Soạn thông báo
        </Link>
      </PageHeader>
      {list.status === "error" && <ErrorBox error={list.error} onRetry={reload} />}
      {list.status === "loading" && !list.value && <Loading />}
      {list.value && list.value.items.length === 0 && (
        <div className="panel">
          <Empty>Chưa có thông báo nào. Bấm "Soạn thông báo" để viết thông báo đầu tiên.</Empty>
        </div>
      )}
      {list.value && list.value.items.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Tiêu đề</th>
                <th>Người nhận</th>
                <th>Trạng thái</th>
                <th>Gửi lúc</th>
                <th className="num">Đã gửi</th>
              </tr>
            </thead>
            <tbody>
              {list.value.items.map((a) => (
                <tr key={a.id} className="row--link">
                  <td>
                    <Link to={`/thong-bao/${a.id}`}>{a.title}</Link>
                  </td>
                  <td>{audienceLabel(a.audience)}</td>
                  <td>
                    <span className={`chip ${STATUS_CHIP[a.status]}`}>{a.statusLabel}</span>
                  </td>
                  <td>{formatDateTime(a.publishedAt ?? a.scheduledAt)}</td>
                  <td className="num">
                    {a.progress.sent}/{a.progress.total}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
