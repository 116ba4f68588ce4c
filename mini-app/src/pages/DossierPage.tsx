import {
  type AttachmentView,
  canTransition,
  type DossierView,
  FINAL_STATES,
  formatVietnamDate,
  formatVietnamDateTime,
  miniAppLink,
  STEP_LABELS,
} from "@qn/shared";
import { useEffect, useState } from "react";
import { Button, Page, useNavigate, useParams } from "zmp-ui";
import { api } from "../api/client";
import { StateChip } from "../components/StateChip";
import { StateMessage } from "../components/StateMessage";
import { StayInformed } from "../components/StayInformed";
import { TopBar } from "../components/TopBar";
import { useAsync } from "../hooks/useAsync";
import { useErrorSnackbar, useSuccessSnackbar } from "../hooks/useErrorSnackbar";
import { Icon } from "../icons";
import { addShortcut, inZalo, pickImages, shareLink } from "../zalo";
import { DossierFees } from "./pay/DossierFees";
import { DossierPostalSection } from "./postal/DossierPostal";

/** Chi tiết hồ sơ: state, due date, timeline of every step, and the next action open to the citizen. */
export default function DossierPage() {
  const code = useParams().code ?? "";
  const navigate = useNavigate();
  const [state, retry] = useAsync((signal) => api.dossier(code, signal), [code]);
  const [fresh, setFresh] = useState<DossierView>();
  const dossier = fresh ?? (state.status === "done" ? state.value : undefined);
  return (
    <Page className="screen">
      <TopBar title="Chi tiết hồ sơ" />
      {state.status === "loading" && !fresh && <StateMessage kind="loading" />}
      {state.status === "error" && state.error.status === 404 && (
        <StateMessage
          kind="empty"
          title="Không tìm thấy hồ sơ"
          text={
            <>
              <p>Hồ sơ này không có trong tài khoản của bạn. Nếu bạn có mã hồ sơ, hãy tra cứu bằng mã.</p>
              <div className="button-row">
                <Button variant="secondary" onClick={() => navigate("/dossiers")}>
                  Hồ sơ của tôi
                </Button>
                <Button onClick={() => navigate("/lookup")}>Tra cứu bằng mã</Button>
              </div>
            </>
          }
        />
      )}
      {state.status === "error" && state.error.status !== 404 && (
        <StateMessage kind="error" text={state.error.message} onRetry={retry} />
      )}
      {dossier && <Dossier dossier={dossier} onChange={setFresh} />}
    </Page>
  );
}

function Dossier({ dossier: d, onChange }: { dossier: DossierView; onChange: (d: DossierView) => void }) {
  const showError = useErrorSnackbar();
  const done = useSuccessSnackbar();
  const share = async () => {
    try {
      const { miniAppId } = await api.appConfig();
      // The public status (name masked), which anyone with the code may see: not this signed-in view.
      const link = miniAppLink(miniAppId, { kind: "page", page: "lookup", code: d.code });
      const result = await shareLink(link, `Hồ sơ ${d.code}`);
      if (result === "copied") done("Đã chép đường dẫn tra cứu hồ sơ");
    } catch (error) {
      showError(error, "Chưa chia sẻ được. Bạn có thể gửi mã hồ sơ để người nhà tra cứu.");
    }
  };
  const shortcut = async () => {
    if (await addShortcut({ dossier: d.code })) done("Đã thêm hồ sơ ra màn hình chính");
    else showError(new Error("Chưa thêm được ra màn hình chính. Bạn vẫn mở hồ sơ trong mục Hồ sơ của tôi."));
  };
  return (
    <article className="detail">
      <h2 className="detail__name">{d.procedure.name}</h2>
      <p className="detail__code">Mã hồ sơ {d.code}</p>
      <StateChip state={d.state} overdue={d.overdue} />
      {d.portal && (
        <p className="notice" role="status">
          {d.portal.label}
          {d.portal.code ? ` (mã trên cổng: ${d.portal.code})` : ""}
        </p>
      )}
      <dl className="facts">
        <dt>Nơi giải quyết</dt>
        <dd>{d.unitName}</dd>
        <dt>Ngày nộp</dt>
        <dd>{formatVietnamDate(d.submittedAt)}</dd>
        <dt>Hẹn trả kết quả</dt>
        <dd>
          {d.dueDate
            ? `${formatVietnamDate(d.dueDate)}${d.overdue ? " (đã quá hạn)" : ""}`
            : "Tính khi hồ sơ được tiếp nhận"}
        </dd>
        {d.lookupSecret && (
          <>
            <dt>Mã bảo mật tra cứu</dt>
            <dd>{d.lookupSecret}</dd>
          </>
        )}
      </dl>
      <NextAction dossier={d} onChange={onChange} />
      {!FINAL_STATES.has(d.state) && <StayInformed />}
      <div className="button-row">
        <Button variant="secondary" size="medium" onClick={share}>
          Chia sẻ tình trạng
        </Button>
        {inZalo() && (
          <Button variant="secondary" size="medium" onClick={shortcut}>
            Thêm ra màn hình chính
          </Button>
        )}
      </div>
      <DossierFees code={d.code} version={d.state} />
      <DossierPostalSection dossier={d} onDossier={onChange} />
      <section aria-labelledby="timeline">
        <h3 id="timeline">Quá trình xử lý</h3>
        <ol className="timeline">
          {[...d.history].reverse().map((step) => (
            <li key={`${step.at}-${step.action}`}>
              <span className="timeline__dot" aria-hidden="true" />
              <p className="timeline__title">{STEP_LABELS[step.action] ?? step.action}</p>
              <p className="timeline__meta">
                {formatVietnamDateTime(step.at)} ·{" "}
                {step.actorKind === "citizen" ? "Bạn" : `${step.actorName} (${step.role})`}
              </p>
              {step.note && <p className="timeline__note">{step.note}</p>}
            </li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="attachments">
        <h3 id="attachments">Giấy tờ đã gửi</h3>
        <ul className="plain-list">
          {d.attachments.map((a) => (
            <li key={a.id}>
              <AttachmentPreview code={d.code} attachment={a} />
              <span>
                {a.documentName} {a.kind === "supplement" && <span className="tag">Bổ sung</span>}
              </span>
            </li>
          ))}
        </ul>
      </section>
    </article>
  );
}

/** A thumbnail of a sent photo, fetched with the session's token (the API is on another origin than the app). */
function AttachmentPreview({ code, attachment: a }: { code: string; attachment: AttachmentView }) {
  const [url, setUrl] = useState<string>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (a.mime === "application/pdf") return;
    const controller = new AbortController();
    let made: string | undefined;
    api.attachment(code, a.id, controller.signal).then(
      (blob) => {
        made = URL.createObjectURL(blob);
        setUrl(made);
      },
      () => {
        if (!controller.signal.aborted) setFailed(true);
      },
    );
    return () => {
      controller.abort();
      if (made) URL.revokeObjectURL(made);
    };
  }, [code, a.id, a.mime]);
  if (a.mime === "application/pdf" || failed || !url) return <Icon name="file" size={18} />;
  return <img className="attachment-thumb" src={url} alt={`Ảnh ${a.documentName}`} width={48} height={48} />;
}

function NextAction({ dossier: d, onChange }: { dossier: DossierView; onChange: (d: DossierView) => void }) {
  const showError = useErrorSnackbar();
  const done = useSuccessSnackbar();
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [withdrawing, setWithdrawing] = useState(false);
  const [reason, setReason] = useState("");
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState("");
  const addFiles = async (source: "camera" | "gallery") => {
    try {
      const { maxUploadBytes } = await api.appConfig();
      const picked = await pickImages(source, 5, maxUploadBytes);
      setFiles((current) => [...current, ...picked]);
    } catch (error) {
      showError(error, "Không mở được máy ảnh hoặc thư viện ảnh.");
    }
  };
  const run = async (work: () => Promise<DossierView>, message: string) => {
    setBusy(true);
    try {
      onChange(await work());
      done(message);
    } catch (error) {
      showError(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="next-action">
      {d.state === 5 && (
        <section className="action-box" aria-labelledby="supplement">
          <h3 id="supplement">Cần bổ sung giấy tờ</h3>
          <ul>
            {d.missingDocuments.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
          <div className="checklist__actions">
            <button type="button" className="pill" onClick={() => addFiles("camera")}>
              <Icon name="camera" size={18} /> Chụp ảnh
            </button>
            <button type="button" className="pill" onClick={() => addFiles("gallery")}>
              <Icon name="image" size={18} /> Thư viện
            </button>
          </div>
          {files.length > 0 && <p>{files.length} tệp đã chọn</p>}
          <Button
            fullWidth
            disabled={files.length === 0}
            loading={busy}
            onClick={() =>
              run(() => {
                const form = new FormData();
                for (const file of files) form.append("supplement", file, file.name);
                return api.supplement(d.code, form);
              }, "Đã gửi giấy tờ bổ sung")
            }
          >
            Gửi bổ sung
          </Button>
        </section>
      )}
      {d.state === 6 && (
        <p className="notice">
          Hồ sơ cần nộp phí, lệ phí để được tiếp tục xử lý. Xem số tiền và nộp trực tuyến ở mục Phí, lệ phí bên dưới.
        </p>
      )}
      {d.state === 10 && !d.rating && (
        <section className="action-box" aria-labelledby="rating">
          <h3 id="rating">Bạn hài lòng với dịch vụ không?</h3>
          <fieldset className="stars">
            <legend className="visually-hidden">Chọn số sao</legend>
            {[1, 2, 3, 4, 5].map((n) => (
              <button
                key={n}
                type="button"
                className={n <= score ? "star is-on" : "star"}
                aria-pressed={n <= score}
                aria-label={`${n} sao`}
                onClick={() => setScore(n)}
              >
                <Icon name="star" size={30} />
              </button>
            ))}
          </fieldset>
          <textarea
            aria-label="Góp ý (không bắt buộc)"
            placeholder="Góp ý (không bắt buộc)"
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            rows={3}
          />
          <Button
            fullWidth
            disabled={score === 0}
            loading={busy}
            onClick={() => run(() => api.rate(d.code, score, comment.trim() || undefined), "Cảm ơn bạn đã đánh giá")}
          >
            Gửi đánh giá
          </Button>
        </section>
      )}
      {d.rating && <p className="notice">Bạn đã đánh giá {d.rating.score}/5 sao. Cảm ơn bạn!</p>}
      {canTransition("withdraw", d.state) &&
        (withdrawing ? (
          <section className="action-box" aria-labelledby="withdraw">
            <h3 id="withdraw">Rút hồ sơ</h3>
            <textarea
              aria-label="Lý do rút hồ sơ"
              placeholder="Lý do rút hồ sơ"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              rows={2}
            />
            <div className="wizard__nav">
              <Button variant="secondary" onClick={() => setWithdrawing(false)}>
                Không rút
              </Button>
              <Button
                type="danger"
                disabled={!reason.trim()}
                loading={busy}
                onClick={() => run(() => api.withdraw(d.code, reason.trim()), "Đã rút hồ sơ")}
              >
                Xác nhận rút
              </Button>
            </div>
          </section>
        ) : (
          <button type="button" className="link link--danger" onClick={() => setWithdrawing(true)}>
            Rút hồ sơ này
          </button>
        ))}
    </div>
  );
}
