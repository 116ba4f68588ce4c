import { useEffect, useState } from "react";
import { useLocation, useNavigate } from "zmp-ui";
import { lazyApi } from "../api/lazy";
import { Icon, type IconName } from "../icons";

const TABS: { path: string; label: string; icon: IconName }[] = [
  { path: "/", label: "Trang chủ", icon: "home" },
  { path: "/dossiers", label: "Hồ sơ", icon: "folder" },
  { path: "/notifications", label: "Thông báo", icon: "bell" },
  { path: "/profile", label: "Cá nhân", icon: "user" },
];

export function BottomNav() {
  const location = useLocation();
  const navigate = useNavigate();
  const [unread, setUnread] = useState(0);
  useEffect(() => {
    if (location.pathname !== "/" && location.pathname !== "/notifications") return;
    lazyApi()
      .then((api) => api.notifications())
      .then((n) => setUnread(n.unread))
      .catch(() => setUnread(0));
  }, [location.pathname]);
  if (!TABS.some((t) => t.path === location.pathname)) return null;
  return (
    <nav className="bottom-nav" aria-label="Điều hướng chính">
      {TABS.map((tab) => {
        const active = location.pathname === tab.path;
        return (
          <button
            key={tab.path}
            type="button"
            className={active ? "bottom-nav__item is-active" : "bottom-nav__item"}
            aria-current={active ? "page" : undefined}
            onClick={() => navigate(tab.path, { animate: false })}
          >
            <Icon name={tab.icon} />
            <span>{tab.label}</span>
            {tab.path === "/notifications" && unread > 0 && (
              <span className="badge">
                {unread}
                <span className="visually-hidden"> thông báo chưa đọc</span>
              </span>
            )}
          </button>
        );
      })}
    </nav>
  );
}
