import type { DossierSummary, PublicAnnouncement } from "@qn/shared";
import { useEffect, useState } from "react";
import { Page, useNavigate } from "zmp-ui";
import { lazyApi } from "../api/lazy";
import { StateChip } from "../components/StateChip";
import { Icon, type IconName } from "../icons";

/** Procedures citizens file most, at commune and province level. */
const POPULAR = [
  { code: "1.001193", name: "Đăng ký khai sinh" },
  { code: "1.004222", name: "Đăng ký thường trú" },
  { code: "1.004194", name: "Đăng ký tạm trú" },
  { code: "1.000894", name: "Đăng ký kết hôn" },
  { code: "3.000333", name: "Cấp phiếu lý lịch tư pháp" },
  { code: "1.004873", name: "Cấp Giấy xác nhận tình trạng hôn nhân" },
];

const ACTIONS: { label: string; icon: IconName; path: string }[] = [
  { label: "Tra cứu hồ sơ", icon: "qr", path: "/lookup" },
  { label: "Nộp hồ sơ", icon: "file", path: "/search" },
  { label: "Hướng dẫn", icon: "help", path: "/support" },
  { label: "Hỗ trợ", icon: "chat", path: "/support" },
];

/** Trang chủ: search, quick actions, dossiers needing action, popular procedures, latest announcements. */
export default function HomePage() {
  const navigate = useNavigate();
  const [needsAction, setNeedsAction] = useState<DossierSummary[]>([]);
  const [news, setNews] = useState<PublicAnnouncement[] | undefined>();
  useEffect(() => {
    const controller = new AbortController();
    lazyApi()
      .then((api) => api.myDossiers(controller.signal))
      .then((r) => setNeedsAction(r.items.filter((d) => d.state === 5 || d.state === 6)))
      .catch(() => setNeedsAction([]));
    lazyApi()
      .then((api) => api.announcements(3, controller.signal))
      .then((r) => setNews(r.items))
      .catch(() => setNews([]));
    return () => controller.abort();
  }, []);

  return (
    <Page className="screen screen--tabbed">
      <header className="hero">
        <p className="hero__eyebrow">Tỉnh Quảng Ninh</p>
        <h1 className="hero__title">Dịch vụ công trực tuyến</h1>
        <button type="button" className="hero__search" onClick={() => navigate("/search")}>
          <Icon name="search" />
          <span>Bạn cần làm thủ tục gì?</span>
        </button>
      </header>

      <nav className="quick-actions" aria-label="Tác vụ nhanh">
        {ACTIONS.map((a) => (
          <button key={a.label} type="button" className="quick-action" onClick={() => navigate(a.path)}>
            <span className="quick-action__icon">
              <Icon name={a.icon} />
            </span>
            {a.label}
          </button>
        ))}
      </nav>

      {needsAction.length > 0 && (
        <section className="section" aria-labelledby="needs-action">
          <h2 id="needs-action" className="section__title">
            Hồ sơ cần bạn xử lý
          </h2>
          {needsAction.map((d) => (
            <button
              key={d.code}
              type="button"
              className="card card--action"
              onClick={() => navigate(`/dossiers/${encodeURIComponent(d.code)}`)}
            >
              <span className="card__title">{d.procedureName}</span>
              <StateChip state={d.state} />
              <span className="card__meta">Mã hồ sơ {d.code}</span>
            </button>
          ))}
        </section>
      )}

      <section className="section" aria-labelledby="popular">
        <h2 id="popular" className="section__title">
          Thủ tục hay dùng
        </h2>
        <ul className="link-list">
          {POPULAR.map((p) => (
            <li key={p.code}>
              <button type="button" onClick={() => navigate(`/procedure/${p.code}`)}>
                {p.name}
              </button>
            </li>
          ))}
        </ul>
      </section>

      <section className="section" aria-labelledby="news" aria-busy={news === undefined}>
        <div className="section__head">
          <h2 id="news" className="section__title">
            Tin mới
          </h2>
          <button type="button" className="link" onClick={() => navigate("/news")}>
            Xem tất cả
          </button>
        </div>
        {news === undefined && <p className="muted">Đang tải tin…</p>}
        {news?.length === 0 && <p className="muted">Chưa có thông báo mới.</p>}
        {news?.map((a) => (
          <article key={a.id} className="card">
            <h3 className="card__title">{a.title}</h3>
            <p className="card__body">{a.body}</p>
          </article>
        ))}
      </section>
    </Page>
  );
}
