import { lazy, Suspense } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router-dom";
import { Loading } from "./common";
import { Layout } from "./Layout";
import { LoginPage } from "./pages/LoginPage";
import { SessionProvider, useSession } from "./session";

const DossiersPage = lazy(() => import("./pages/DossiersPage"));
const DossierPage = lazy(() => import("./pages/DossierPage"));
const SupportPage = lazy(() => import("./pages/SupportPage"));
const AnnouncementsPage = lazy(() => import("./pages/AnnouncementsPage"));
const AnnouncementPage = lazy(() => import("./pages/AnnouncementPage"));
const ReportsPage = lazy(() => import("./pages/ReportsPage"));
const PaymentsPage = lazy(() => import("./pages/PaymentsPage"));
const PostalPage = lazy(() => import("./pages/PostalPage"));
const AdminPage = lazy(() => import("./pages/AdminPage"));

function RequireSession({ children }: { children: JSX.Element }) {
  const { session } = useSession();
  const location = useLocation();
  if (!session) return <Navigate to="/dang-nhap" replace state={{ from: location.pathname + location.search }} />;
  return children;
}

function Home() {
  const { session } = useSession();
  if (session?.official.role === "volunteer") return <VolunteerNotice />;
  return <Navigate to="/ho-so" replace />;
}

function VolunteerNotice() {
  return (
    <section className="panel">
      <h1>Tình nguyện viên</h1>
      <p>
        Bàn làm việc này dành cho cán bộ xử lý hồ sơ. Tình nguyện viên nộp hồ sơ thay công dân trong mini-app "Dịch vụ
        công Quảng Ninh" trên Zalo, mục <strong>Cá nhân → Nộp hồ sơ thay công dân</strong>.
      </p>
    </section>
  );
}

function NotFound() {
  return (
    <section className="panel">
      <h1>Không có trang này</h1>
      <p>
        Đường dẫn không đúng hoặc đã thay đổi. <a href="/console/">Về trang đầu</a>
      </p>
    </section>
  );
}

export function App() {
  return (
    <SessionProvider>
      <BrowserRouter basename="/console">
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route path="/dang-nhap" element={<LoginPage />} />
            <Route
              element={
                <RequireSession>
                  <Layout />
                </RequireSession>
              }
            >
              <Route index element={<Home />} />
              <Route path="ho-so" element={<DossiersPage />} />
              <Route path="ho-so/:code" element={<DossierPage />} />
              <Route path="ho-tro" element={<SupportPage />} />
              <Route path="thong-bao" element={<AnnouncementsPage />} />
              <Route path="thong-bao/:id" element={<AnnouncementPage />} />
              <Route path="thu-phi" element={<PaymentsPage />} />
              <Route path="buu-chinh/*" element={<PostalPage />} />
              <Route path="bao-cao" element={<ReportsPage />} />
              <Route path="quan-tri/*" element={<AdminPage />} />
              <Route path="*" element={<NotFound />} />
            </Route>
          </Routes>
        </Suspense>
      </BrowserRouter>
    </SessionProvider>
  );
}
