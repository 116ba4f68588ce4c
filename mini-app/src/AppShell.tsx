import { deepLinkTarget, NOT_FOUND_PATH } from "@qn/shared/deep-link";
import { lazy, Suspense, useEffect, useRef } from "react";
import { Route } from "react-router-dom";
import { AnimationRoutes, App, SnackbarProvider, useNavigate, ZMPRouter } from "zmp-ui";
import { BottomNav } from "./components/BottomNav";
import { StateMessage } from "./components/StateMessage";
import HomePage from "./pages/HomePage";
import NotFoundPage from "./pages/NotFoundPage";
import { returnPath } from "./pages/pay/flow";
import { inZalo, routeParams } from "./zalo";

// Everything but the home screen is loaded when first opened: the home screen's JavaScript stays small.
const SearchPage = lazy(() => import("./pages/SearchPage"));
const ProcedureDetailPage = lazy(() => import("./pages/ProcedureDetailPage"));
const FilePage = lazy(() => import("./pages/file"));
const ReceiptPage = lazy(() => import("./pages/ReceiptPage"));
const DossiersPage = lazy(() => import("./pages/DossiersPage"));
const DossierPage = lazy(() => import("./pages/DossierPage"));
const PayPage = lazy(() => import("./pages/pay"));
const LookupPage = lazy(() => import("./pages/LookupPage"));
const NotificationsPage = lazy(() => import("./pages/NotificationsPage"));
const NewsPage = lazy(() => import("./pages/NewsPage"));
const ProfilePage = lazy(() => import("./pages/ProfilePage"));
const SupportPage = lazy(() => import("./pages/SupportPage"));
const HelperLoginPage = lazy(() => import("./pages/HelperLoginPage"));

const page = (element: React.ReactNode) => <Suspense fallback={<StateMessage kind="loading" />}>{element}</Suspense>;

/**
 * Deep links from the chatbot and notifications (`https://zalo.me/s/<id>/?dossier=…|procedure=…|page=…`, built by
 * `miniAppLink` in shared): the app starts at home and goes there, so that "back" returns home. Inside Zalo the
 * parameters come from zmp-sdk's `getRouteParams()`, outside from the query string (`routeParams` in zalo.ts).
 */
function DeepLinks() {
  const navigate = useNavigate();
  const applied = useRef(false);
  useEffect(() => {
    // Once per start: `navigate` changes with every route, and the link must not pull the citizen back.
    if (applied.current) return;
    applied.current = true;
    void routeParams().then((params) => {
      // Outside Zalo the router is in memory: an address the browser was sent to (the offline test payment page
      // sends the citizen back to /dossiers/<code>/pay?ref=…) is read here.
      const target =
        deepLinkTarget(params) ?? (inZalo() ? undefined : returnPath(window.location.pathname, window.location.search));
      if (target) navigate(target);
    });
  }, [navigate]);
  return null;
}

export function AppShell() {
  return (
    <App>
      <SnackbarProvider>
        {/* Inside Zalo the browser's history, so that Zalo's own back button (app-config leftButton) goes back
            a screen; elsewhere in memory, so one build runs under /zapps/<id> and at the bot server's root. */}
        <ZMPRouter memoryRouter={!inZalo()}>
          <DeepLinks />
          <AnimationRoutes>
            <Route path="/" element={<HomePage />} />
            <Route path="/search" element={page(<SearchPage />)} />
            <Route path="/procedure/:code" element={page(<ProcedureDetailPage />)} />
            <Route path="/file/:code" element={page(<FilePage />)} />
            <Route path="/receipt/:code" element={page(<ReceiptPage />)} />
            <Route path="/dossiers" element={page(<DossiersPage />)} />
            <Route path="/dossiers/:code" element={page(<DossierPage />)} />
            <Route path="/dossiers/:code/pay" element={page(<PayPage />)} />
            <Route path="/lookup" element={page(<LookupPage />)} />
            <Route path="/notifications" element={page(<NotificationsPage />)} />
            <Route path="/news" element={page(<NewsPage />)} />
            <Route path="/profile" element={page(<ProfilePage />)} />
            <Route path="/support" element={page(<SupportPage />)} />
            <Route path="/helper-login" element={page(<HelperLoginPage />)} />
            <Route path={NOT_FOUND_PATH} element={<NotFoundPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </AnimationRoutes>
          <BottomNav />
        </ZMPRouter>
      </SnackbarProvider>
    </App>
  );
}
