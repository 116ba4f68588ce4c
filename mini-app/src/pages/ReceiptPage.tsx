import { miniAppLink } from "@qn/shared";
import QRCode from "qrcode";
import { useEffect, useState } from "react";
import { Button, Page, useLocation, useNavigate, useParams } from "zmp-ui";
import { api } from "../api/client";
import { StayInformed } from "../components/StayInformed";
import { TopBar } from "../components/TopBar";
import { Icon } from "../icons";

/**
 * The receipt after filing: the dossier code, what happens next, the secret (mã bảo mật) that shows the lookup's
 * details, and a QR code of the lookup link carrying both (Zalo's camera opens the mini-app at the lookup).
 */
export default function ReceiptPage() {
  const code = useParams().code ?? "";
  const navigate = useNavigate();
  // Filed by a volunteer or HCC officer: the dossier is the citizen's, looked up by its code.
  const query = new URLSearchParams(useLocation().search);
  const forCitizen = query.get("for") === "citizen";
  const secret = query.get("secret") ?? "";
  const [qr, setQr] = useState<string>();
  useEffect(() => {
    let cancelled = false;
    const draw = (text: string) =>
      QRCode.toDataURL(text, { margin: 1, width: 220, errorCorrectionLevel: "M" }).then(
        (url) => !cancelled && setQr(url),
        () => !cancelled && setQr(undefined),
      );
    // Without the app's id (offline), the QR code carries the bare code, as receipts did before the secret.
    api.appConfig().then(
      ({ miniAppId }) => draw(secret ? miniAppLink(miniAppId, { kind: "page", page: "lookup", code, secret }) : code),
      () => draw(code),
    );
    return () => {
      cancelled = true;
    };
  }, [code, secret]);
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
        {secret && (
          <p>
            Mã bảo mật: <strong className="receipt__secret">{secret}</strong>
          </p>
        )}
        <p className="muted">
          {forCitizen
            ? "Đưa mã hồ sơ, mã bảo mật (hoặc mã QR) cho công dân: có mã hồ sơ là tra cứu được tình trạng trong mục Tra cứu hồ sơ, không cần đăng nhập; thêm mã bảo mật thì xem được đầy đủ."
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
