import { Suspense } from "react";
import { NavLink, Outlet, useNavigate } from "react-router-dom";
import { useAsync } from "../hooks/useAsync";
import { get } from "./api";
import { Loading } from "./common";
import { usePaymentsAttention } from "./payment-ui";
import { usePostalAttention } from "./postal-ui";
import { ROLE_LABELS, useSession } from "./session";

type Due = {
  showing: boolean;
  overdue: boolean;
  deadline: string;
  quarter: number;
  year: number;
  units: { submittedAt: string | null }[];
};

export function Layout() {
  const { session, signOut } = useSession();
  const navigate = useNavigate();
  const official = session?.official;
  const works = official && official.role !== "volunteer";
  const [due] = useAsync<Due | null>(() => (works ? get<Due>("/reports/due") : Promise.resolve(null)), [works]);
  const waiting = usePaymentsAttention(Boolean(works));
  const postal = usePostalAttention(Boolean(works));
  const missing =
    due.status === "done" && due.value?.showing ? due.value.units.filter((u) => !u.submittedAt).length : 0;
  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand">
          <span className="brand__mark" aria-hidden="true">
            QN
          </span>
          <span>
            <strong>Dịch vụ công Quảng Ninh</strong>
            <small>Bàn làm việc cán bộ</small>
          </span>
        </div>
        {works && (
          <nav aria-label="Chức năng">
            <NavLink to="/ho-so">Hồ sơ</NavLink>
            <NavLink to="/ho-tro">Hỗ trợ trực tuyến</NavLink>
            <NavLink to="/thong-bao">Thông báo</NavLink>
            <NavLink to="/thu-phi">
              Thu phí trực tuyến
              {waiting > 0 && (
                <span className="badge" title={`${waiting} khoản thanh toán cần xử lý`}>
                  {waiting}
                  <span className="sr-only"> khoản thanh toán cần xử lý</span>
                </span>
              )}
            </NavLink>
            <NavLink to="/buu-chinh">
              Bưu chính
              {postal > 0 && (
                <span className="badge" title={`${postal} đơn bưu chính cần xử lý`}>
                  {postal}
                  <span className="sr-only"> đơn bưu chính cần xử lý</span>
                </span>
              )}
            </NavLink>
            <NavLink to="/bao-cao">
              Báo cáo
              {missing > 0 && (
                <span className="badge" title={`${missing} đơn vị chưa gửi báo cáo quý`}>
                  {missing}
                  <span className="sr-only"> đơn vị chưa gửi báo cáo</span>
                </span>
              )}
            </NavLink>
            {official.role === "admin" && <NavLink to="/quan-tri">Quản trị</NavLink>}
          </nav>
        )}
        <div className="sidebar__me">
          <strong>{official?.name}</strong>
          <small>
            {official && ROLE_LABELS[official.role]} · đơn vị {official?.unitCode}
          </small>
          <button
            type="button"
            className="btn btn--ghost btn--small"
            onClick={async () => {
              await signOut();
              navigate("/dang-nhap");
            }}
          >
            Đăng xuất
          </button>
        </div>
      </aside>
      <main className="content">
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
