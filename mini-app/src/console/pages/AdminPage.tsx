import { Link, Navigate, NavLink, Route, Routes } from "react-router-dom";
import { PageHeader } from "../common";
import { useSession } from "../session";
import { CalendarTab } from "./admin/CalendarTab";
import { CatalogueTab } from "./admin/CatalogueTab";
import { OfficialsTab } from "./admin/OfficialsTab";
import { PostalTab } from "./admin/PostalTab";
import { UnitsTab } from "./admin/UnitsTab";
import { ZnsTab } from "./admin/ZnsTab";

const TABS = [
  { path: "can-bo", label: "Cán bộ", element: <OfficialsTab /> },
  { path: "don-vi", label: "Đơn vị", element: <UnitsTab /> },
  { path: "ngay-nghi", label: "Ngày nghỉ", element: <CalendarTab /> },
  { path: "danh-muc", label: "Danh mục thủ tục", element: <CatalogueTab /> },
  { path: "mau-zns", label: "Mẫu ZNS", element: <ZnsTab /> },
  { path: "buu-chinh", label: "Bưu chính", element: <PostalTab /> },
] as const;

/**
 * "Quản trị": accounts, units, the holiday calendar, the procedure catalogue, ZNS templates and the units' postal
 * details. Administrators only.
 */
export default function AdminPage() {
  const { session } = useSession();
  if (session?.official.role !== "admin") {
    return (
      <>
        <PageHeader title="Quản trị" />
        <div className="alert alert--error" role="alert">
          <span>
            Chỉ quản trị viên hệ thống được dùng chức năng Quản trị (tài khoản cán bộ, đơn vị, lịch ngày nghỉ, danh mục
            thủ tục, mẫu ZNS, bưu chính). Nếu cần thay đổi, vui lòng liên hệ quản trị viên của tỉnh.
          </span>
        </div>
        <Link to="/">← Về trang đầu</Link>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Quản trị" />
      <nav className="tabs" aria-label="Mục quản trị">
        {TABS.map((t) => (
          <NavLink key={t.path} to={`/quan-tri/${t.path}`}>
            {t.label}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<Navigate to="/quan-tri/can-bo" replace />} />
        {TABS.map((t) => (
          <Route key={t.path} path={t.path} element={t.element} />
        ))}
        <Route
          path="*"
          element={
            <section className="panel">
              <h2>Không có mục này</h2>
              <p>
                Đường dẫn không đúng. <Link to="/quan-tri/can-bo">Về mục Cán bộ</Link>
              </p>
            </section>
          }
        />
      </Routes>
    </>
  );
}
