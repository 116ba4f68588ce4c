import QRCode from "qrcode";
import { useEffect, useState } from "react";
import { Button, Page, useLocation, useNavigate, useParams } from "zmp-ui";
import { StayInformed } from "../components/StayInformed";
import { TopBar } from "../components/TopBar";
import { Icon } from "../icons";

/** The receipt after filing: the dossier code, what happens next, and a QR code of the code for lookups. */
export default function ReceiptPage() {
  const code = useParams().code ?? "";
  const navigate = useNavigate();
  // Filed by a volunteer or HCC officer: the dossier is the citizen's, looked up by its code.
  const forCitizen = new URLSearchParams(useLocation().search).get("for") === "citizen";
  const [qr, setQr] = useState<string>();
  useEffect(() => {
    QRCode.toDataURL(code, { margin: 1, width: 220, errorCorrectionLevel: "M" }).then(setQr, () => setQr(undefined));
  }, [code]);
  return (
    <Page className="screen">
      <TopBar title="Đã nộp hồ sơ" back={false} />
      <section className="receipt" aria-labelledby="receipt-title">
        <span className="receipt__icon">
          <Icon name="check" size={36} />
        </span>
        <h2 id="receipt-title">Hồ sơ đã được gửi</h2>
        <p>{forCitizen ? "Mã hồ sơ của công dân" : "Mã hồ sơ của bạn"}</p>
        <p className="receipt__code">{code}</p>
        {qr && <img className="receipt__qr" src={qr} alt={`Mã QR của hồ sơ ${code}`} width={180} height={180} />}
        <p className="muted">
          {forCitizen
            ? "Đưa mã hồ sơ (hoặc mã QR) cho công dân: ai có mã đều tra cứu được tình trạng hồ sơ trong mục Tra cứu hồ sơ, không cần đăng nhập."
            : "Cán bộ sẽ kiểm tra và tiếp nhận hồ sơ. Ngày hẹn trả kết quả được tính từ khi hồ sơ được tiếp nhận; bạn sẽ nhận tin báo qua Zalo."}
        </p>
        {!forCitizen && <StayInformed />}
        <div className="stack">
          {forCitizen ? (
            <Button fullWidth onClick={() => navigate("/lookup", { replace: true })}>
              Tra cứu hồ sơ
            </Button>
          ) : (
            <Button fullWidth onClick={() => navigate(`/dossiers/${encodeURIComponent(code)}`, { replace: true })}>
              Xem hồ sơ
            </Button>
          )}
          <Button fullWidth variant="secondary" onClick={() => navigate("/", { replace: true })}>
            Về trang chủ
          </Button>
        </div>
      </section>
    </Page>
  );
}
