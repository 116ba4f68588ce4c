import { DossierCode, type DossierLookup, formatVietnamDate, LookupSecret, scannedLookup } from "@qn/shared";
import { useEffect, useState } from "react";
import { Button, Page, useLocation } from "zmp-ui";
import { api } from "../api/client";
import { StateChip } from "../components/StateChip";
import { TopBar } from "../components/TopBar";
import { useErrorSnackbar } from "../hooks/useErrorSnackbar";
import { Icon } from "../icons";
import { inZalo, scanQr } from "../zalo";

/**
 * Tra cứu hồ sơ by code or QR, for anyone: state, procedure and due date; with the receipt's secret (mã bảo mật,
 * printed beside the QR code and carried by it) also where, by whom (the name masked) and when it was filed.
 */
export default function LookupPage() {
  const showError = useErrorSnackbar();
  const [code, setCode] = useState("");
  const [secret, setSecret] = useState("");
  const [error, setError] = useState<{ field: "code" | "secret"; text: string }>();
  const [result, setResult] = useState<DossierLookup>();
  const [busy, setBusy] = useState(false);
  // A shared status link (`?page=lookup&code=…`) opens with the code filled in and looked up; the receipt's QR code
  // adds its secret.
  const params = new URLSearchParams(useLocation().search);
  const linked = params.get("code") ?? "";
  const linkedSecret = params.get("secret") ?? "";
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per linked code (`search` changes every render)
  useEffect(() => {
    if (linked) {
      setCode(linked);
      setSecret(linkedSecret);
      void search(linked, linkedSecret);
    }
  }, [linked, linkedSecret]);
  const search = async (value: string, secretValue: string) => {
    const normalised = value.trim().toUpperCase();
    if (!DossierCode.safeParse(normalised).success) {
      setError({ field: "code", text: "Mã hồ sơ có dạng 06652.H49-261120-4821 (in trên giấy hẹn)." });
      return;
    }
    const typed = secretValue.trim() ? LookupSecret.safeParse(secretValue) : undefined;
    if (typed && !typed.success) {
      setError({ field: "secret", text: "Mã bảo mật gồm 6 chữ và số, in cạnh mã QR trên giấy hẹn." });
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      setResult(await api.lookup(normalised, typed?.data));
    } catch (e) {
      setResult(undefined);
      showError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page className="screen">
      <TopBar title="Tra cứu hồ sơ" />
      <form
        className="lookup"
        onSubmit={(e) => {
          e.preventDefault();
          void search(code, secret);
        }}
      >
        <label className="field">
          <span className="field__label">Mã hồ sơ</span>
          <input
            value={code}
            onChange={(e) => setCode(e.target.value)}
            placeholder="Ví dụ: 06652.H49-261120-4821"
            aria-invalid={error?.field === "code" ? true : undefined}
          />
        </label>
        {error?.field === "code" && (
          <p className="field__error" role="alert">
            {error.text}
          </p>
        )}
        <label className="field">
          <span className="field__label">Mã bảo mật (không bắt buộc)</span>
          <input
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            placeholder="6 chữ và số cạnh mã QR"
            autoCapitalize="characters"
            autoComplete="off"
            maxLength={6}
            aria-invalid={error?.field === "secret" ? true : undefined}
          />
        </label>
        {error?.field === "secret" && (
          <p className="field__error" role="alert">
            {error.text}
          </p>
        )}
        <Button htmlType="submit" fullWidth loading={busy}>
          Tra cứu
        </Button>
        {inZalo() && (
          <Button
            variant="secondary"
            fullWidth
            onClick={async () => {
              let scanned: string | undefined;
              try {
                scanned = await scanQr();
              } catch (e) {
                showError(e);
                return;
              }
              if (scanned) {
                const found = scannedLookup(scanned);
                setCode(found.code);
                setSecret(found.secret ?? "");
                void search(found.code, found.secret ?? "");
              }
            }}
          >
            <Icon name="qr" size={18} /> Quét mã QR trên giấy hẹn
          </Button>
        )}
      </form>
      {result && (
        <article className="detail" aria-live="polite">
          <h2 className="detail__name">{result.procedureName}</h2>
          <p className="detail__code">Mã hồ sơ {result.code}</p>
          <StateChip state={result.state} overdue={result.overdue} />
          <dl className="facts">
            {result.details && (
              <>
                <dt>Người nộp</dt>
                <dd>{result.details.applicantName}</dd>
                <dt>Nơi giải quyết</dt>
                <dd>{result.details.unitName}</dd>
                <dt>Ngày nộp</dt>
                <dd>{formatVietnamDate(result.details.submittedAt)}</dd>
              </>
            )}
            <dt>Hẹn trả kết quả</dt>
            <dd>{result.dueDate ? formatVietnamDate(result.dueDate) : "Chưa tiếp nhận"}</dd>
          </dl>
          {!result.details && (
            <p className="muted">
              Nhập thêm mã bảo mật in cạnh mã QR trên giấy hẹn để xem người nộp, nơi giải quyết và ngày nộp.
            </p>
          )}
        </article>
      )}
    </Page>
  );
}
