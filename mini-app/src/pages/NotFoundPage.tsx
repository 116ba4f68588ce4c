import { Button, Page, useNavigate } from "zmp-ui";
import { TopBar } from "../components/TopBar";

/** A link to a screen the app does not have (mistyped, outdated): say so, and offer the ways on. */
export default function NotFoundPage() {
  const navigate = useNavigate();
  return (
    <Page className="screen">
      <TopBar title="Không tìm thấy trang" />
      <section className="state" role="status">
        <p className="state__title">Không tìm thấy trang bạn cần</p>
        <p className="state__text">
          Đường dẫn này không còn đúng hoặc đã cũ. Bạn có thể về trang chủ hoặc tìm thủ tục.
        </p>
        <div className="stack stack--padded">
          <Button fullWidth onClick={() => navigate("/", { replace: true })}>
            Về trang chủ
          </Button>
          <Button fullWidth variant="secondary" onClick={() => navigate("/search", { replace: true })}>
            Tìm thủ tục
          </Button>
          <Button fullWidth variant="secondary" onClick={() => navigate("/lookup", { replace: true })}>
            Tra cứu hồ sơ bằng mã
          </Button>
        </div>
      </section>
    </Page>
  );
}
