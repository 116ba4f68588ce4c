import { DossierCode, type DossierLookup, formatVietnamDate } from "@qn/shared";
import { useEffect, useState } from "react";
import { Button, Page, useLocation } from "zmp-ui";
import { api } from "../api/client";
import { StateChip } from "../components/StateChip";
import { TopBar } from "../components/TopBar";
import { useErrorSnackbar } from "../hooks/useErrorSnackbar";
import { Icon } from "../icons";
import { inZalo, scanQr } from "../zalo";

/** Tra cứu hồ sơ by code or QR, for anyone: the public view, the applicant's name masked. */
export default function LookupPage() {
  const showError = useErrorSnackbar();
  const [code, setCode] = useState("");
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<DossierLookup>();
  const [busy, setBusy] = useState(false);
  // A shared status link (`?page=lookup&code=…`) opens with the code filled in and looked up.
  const linked = new URLSearchParams(useLocation().search).get("code") ?? "";
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per linked code (`search` changes every render)
  useEffect(() => {
    if (linked) {
      setCode(linked);
      void search(linked);
    }
  }, [linked]);
  const search = async (value: string) => {
    const normalised = value.trim().toUpperCase();
    if (!DossierCode.safeParse(normalised).success) {
      setError("Mã hồ sơ có dạng 06652.H49-261120-0001 (in trên giấy hẹn).");
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      setResult(await api.lookup(normalised));
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
          void search(code);
        }}
      >
        <label className="field">
          <span className="field__label">Mã hồ sơ</span>
          <input
            value={code}
            onChange={(e) => setCode(e.target.value)}
            placeholder="Ví dụ: 06652.H49-261120-0001"
            aria-invalid={error ? true : undefined}
          />
        </label>
        {error && (
          <p className="field__error" role="alert">
            {error}
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
                setCode(scanned);
                void search(scanned);
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
            <dt>Người nộp</dt>
            <dd>{result.applicantName}</dd>
            <dt>Nơi giải quyết</dt>
            <dd>{result.unitName}</dd>
            <dt>Ngày nộp</dt>
            <dd>{formatVietnamDate(result.submittedAt)}</dd>
            <dt>Hẹn trả kết quả</dt>
            <dd>{result.dueDate ? formatVietnamDate(result.dueDate) : "Chưa tiếp nhận"}</dd>
          </dl>
        </article>
      )}
    </Page>
  );
}
