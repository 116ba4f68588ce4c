import {
  ACTION_LABELS,
  type AttachmentView,
  type DossierAction,
  DossierPayments,
  DossierView,
  officialActions,
  Procedure,
  STEP_LABELS,
} from "@qn/shared";
import { useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { useAsync } from "../../hooks/useAsync";
import { type ApiClientError, fetchBlob, get, post, saveBlob } from "../api";
import {
  ErrorBox,
  fieldError,
  formatDateTime,
  formatDay,
  formatMoney,
  Loading,
  PageHeader,
  useAction,
} from "../common";
import { CHANNEL_LABELS, DELIVERY_LABELS, StateChip } from "../dossier-ui";
import { catalogueExtras, type FeeLineDraft, prefillLines, readLines } from "../payments";
import { useSession } from "../session";
import { FeeLinesEditor, FeesPanel } from "./DossierFees";
import { PostalPanel } from "./DossierPostal";

type Act = Exclude<DossierAction, "supplement" | "withdraw">;

export default function DossierPage() {
  const { code = "" } = useParams();
  const { session } = useSession();
  const [dossier, reloadDossier] = useAsync(
    () => get(`/officials/dossiers/${encodeURIComponent(code)}`, DossierView),
    [code],
  );
  const [payments, reloadPayments] = useAsync(
    () => get(`/dossiers/${encodeURIComponent(code)}/payments`, DossierPayments),
    [code],
  );
  const reload = () => {
    reloadDossier();
    reloadPayments();
  };
  const [acting, setActing] = useState<Act | null>(null);
  const [done, setDone] = useState<string | null>(null);

  if (dossier.status === "loading" && !dossier.value) return <Loading />;
  if (dossier.status === "error" && !dossier.value) {
    return (
      <>
        <PageHeader title={`Hồ sơ ${code}`} />
        <ErrorBox error={dossier.error} onRetry={dossier.error.status === 404 ? undefined : reload} />
        <Link to="/ho-so">← Về danh sách hồ sơ</Link>
      </>
    );
  }
  const d = dossier.value as DossierView;
  const official = session?.official;
  // With the provincial portal as the system of record (PORTAL_MODE=http), dossiers are processed there.
  const onPortal = Boolean(d.portal);
  const mayAct =
    !onPortal &&
    official &&
    (official.role === "official" || official.role === "hcc") &&
    official.unitCode === d.unitCode;
  const actions = officialActions(d.state) as Act[];
  // The spam mark is the bot server's own, so it is offered in both portal modes (issue 13, finding 3).
  const mayMarkSpam =
    official && (official.role === "official" || official.role === "hcc") && official.unitCode === d.unitCode;

  return (
    <>
      <p>
        <Link to="/ho-so">← Danh sách hồ sơ</Link>
      </p>
      <PageHeader title={`Hồ sơ ${d.code}`}>
        <StateChip state={d.state} />
      </PageHeader>
      {done && (
        <div className="alert alert--ok" role="status">
          {done}
        </div>
      )}
      <div className="grid-2">
        <div>
          <section className="panel" aria-labelledby="h-procedure">
            <h2 id="h-procedure">{d.procedure.name}</h2>
            <dl className="facts">
              <dt>Mã thủ tục</dt>
              <dd>{d.procedure.code}</dd>
              <dt>Đơn vị tiếp nhận</dt>
              <dd>{d.unitName}</dd>
              <dt>Kênh nộp</dt>
              <dd>{CHANNEL_LABELS[d.channel]}</dd>
              {d.portal && (
                <>
                  <dt>Cổng dịch vụ công</dt>
                  <dd>
                    {d.portal.label}
                    {d.portal.code ? ` · mã ${d.portal.code}` : ""}
                  </dd>
                </>
              )}
              <dt>Ngày nộp</dt>
              <dd>{formatDateTime(d.submittedAt)}</dd>
              <dt>Ngày tiếp nhận</dt>
              <dd>{formatDateTime(d.acceptedAt)}</dd>
              <dt>Hạn trả kết quả</dt>
              <dd className={d.overdue ? "overdue" : undefined}>
                {formatDay(d.dueDate)}
                {d.overdue ? " (quá hạn)" : ""}
              </dd>
              <dt>Phí, lệ phí</dt>
              <dd>{formatMoney(d.feesDue)}</dd>
              <dt>Nhận kết quả</dt>
              <dd>
                {DELIVERY_LABELS[d.resultDelivery.method]}
                {d.resultDelivery.method === "post" &&
                  `: ${d.resultDelivery.recipientName}, ${d.resultDelivery.phone}, ${d.resultDelivery.address.street}`}
              </dd>
              {d.missingDocuments.length > 0 && (
                <>
                  <dt>Giấy tờ cần bổ sung</dt>
                  <dd>{d.missingDocuments.join("; ")}</dd>
                </>
              )}
            </dl>
          </section>

          <FeesPanel
            code={d.code}
            payments={payments}
            onReload={reloadPayments}
            mayCheck={Boolean(mayMarkSpam)}
            awaitingAcceptance={d.state === 1 && !onPortal}
            onRequestPayment={
              mayAct && actions.includes("request-payment")
                ? () => {
                    setDone(null);
                    setActing("request-payment");
                  }
                : null
            }
          />

          <PostalPanel dossier={d} mayHandle={Boolean(mayMarkSpam) && official?.role !== "admin"} />

          <section className="panel" aria-labelledby="h-applicant">
            <h2 id="h-applicant">Người nộp</h2>
            <dl className="facts">
              <dt>Họ và tên</dt>
              <dd>{d.applicant.name}</dd>
              <dt>Số định danh</dt>
              <dd>{d.applicant.identityNumber}</dd>
              {d.applicant.phone && (
                <>
                  <dt>Điện thoại</dt>
                  <dd>{d.applicant.phone}</dd>
                </>
              )}
              <dt>Địa chỉ</dt>
              <dd>
                {d.applicant.address.street} (mã xã {d.applicant.address.communeCode})
              </dd>
              {d.filedBy && (
                <>
                  <dt>Nộp thay bởi</dt>
                  <dd>
                    {d.filedBy.name} ({d.filedBy.role}); đồng ý của công dân: {consentLabel(d.filedBy.consent.method)}
                    {d.filedBy.consent.note ? ` — ${d.filedBy.consent.note}` : ""}
                  </dd>
                </>
              )}
            </dl>
            {Object.keys(d.formData).length > 0 && (
              <>
                <h3 style={{ marginTop: "1rem" }}>Tờ khai</h3>
                <dl className="facts">
                  {Object.entries(d.formData).map(([k, v]) => (
                    <div key={k} style={{ display: "contents" }}>
                      <dt>{k}</dt>
                      <dd>{String(v)}</dd>
                    </div>
                  ))}
                </dl>
              </>
            )}
          </section>

          <section className="panel" aria-labelledby="h-files">
            <h2 id="h-files">Giấy tờ đính kèm ({d.attachments.length})</h2>
            <Attachments code={d.code} items={d.attachments} />
          </section>
        </div>

        <div>
          <section className="panel" aria-labelledby="h-actions">
            <h2 id="h-actions">Xử lý</h2>
            {onPortal && (
              <p className="muted">
                Hồ sơ này được xử lý trên Cổng dịch vụ công của tỉnh; trạng thái ở đây tự cập nhật theo cổng.
              </p>
            )}
            {!onPortal && !mayAct && (
              <p className="muted">Bạn chỉ xem hồ sơ này; việc xử lý do cán bộ của đơn vị tiếp nhận thực hiện.</p>
            )}
            {mayAct && actions.length === 0 && <p className="muted">Hồ sơ ở trạng thái này không còn thao tác nào.</p>}
            {mayAct && (
              <div className="actions">
                {actions.map((a) => (
                  <button
                    key={a}
                    type="button"
                    className={`btn ${a === "reject" || a === "stop" ? "btn--danger" : a === actions[0] ? "btn--primary" : ""}`}
                    onClick={() => {
                      setDone(null);
                      setActing(a);
                    }}
                  >
                    {ACTION_LABELS[a]}
                  </button>
                ))}
              </div>
            )}
            {mayMarkSpam && (
              <SpamMark
                dossier={d}
                onDone={(spam) => {
                  setDone(spam ? "Đã đánh dấu hồ sơ rác." : "Đã bỏ đánh dấu hồ sơ rác.");
                  reload();
                }}
              />
            )}
          </section>
          <section className="panel" aria-labelledby="h-history">
            <h2 id="h-history">Quá trình xử lý</h2>
            <ol className="timeline">
              {d.history.map((s, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the history only grows at its end
                <li key={i}>
                  <strong>{STEP_LABELS[s.action] ?? s.action}</strong> <StateChip state={s.toState} />
                  <div className="small muted">
                    {formatDateTime(s.at)} · {s.actorName} ({s.role})
                  </div>
                  {s.note && <div className="small">{s.note}</div>}
                </li>
              ))}
            </ol>
          </section>
        </div>
      </div>
      {acting && (
        <ActionDialog
          dossier={d}
          payments={payments.value ?? null}
          action={acting}
          onClose={() => setActing(null)}
          onDone={() => {
            setDone(`Đã thực hiện: ${ACTION_LABELS[acting]}.`);
            setActing(null);
            reload();
          }}
        />
      )}
    </>
  );
}

/**
 * Marking a dossier as spam (a flood, nonsense): a flag beside its state. It leaves the queue and the indicators and
 * keeps counting against its citizen's quota; the citizen is not told. It can be undone.
 */
function SpamMark({ dossier, onDone }: { dossier: DossierView; onDone: (spam: boolean) => void }) {
  const { busy, error, run } = useAction();
  const [note, setNote] = useState("");
  const mark = async (spam: boolean) => {
    const path = `/officials/dossiers/${encodeURIComponent(dossier.code)}/spam`;
    const body = spam && note.trim() ? { spam, note: note.trim() } : { spam };
    if (await run(() => post(path, body, DossierView))) onDone(spam);
  };
  const spam = dossier.spam;
  return (
    <div className="spam-mark" style={{ marginTop: "1rem" }}>
      {error && <ErrorBox error={error} />}
      {spam ? (
        <>
          <p className="alert" role="status">
            Hồ sơ rác, do {spam.by} đánh dấu lúc {formatDateTime(spam.at)}
            {spam.note ? `: ${spam.note}` : ""}. Hồ sơ không hiện trong danh sách và không tính vào chỉ tiêu.
          </p>
          <button type="button" className="btn" disabled={busy} onClick={() => mark(false)}>
            Bỏ đánh dấu hồ sơ rác
          </button>
        </>
      ) : (
        <details>
          <summary>Hồ sơ rác?</summary>
          <p className="small muted">
            Hồ sơ nộp hàng loạt hoặc nội dung vô nghĩa: đánh dấu để bỏ khỏi danh sách và chỉ tiêu báo cáo. Hồ sơ vẫn
            tính vào hạn mức nộp của công dân; công dân không được báo.
          </p>
          <label className="field">
            <span>Lý do (không bắt buộc)</span>
            <input value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} />
          </label>
          <button type="button" className="btn btn--danger" disabled={busy} onClick={() => mark(true)}>
            Đánh dấu hồ sơ rác
          </button>
        </details>
      )}
    </div>
  );
}

function consentLabel(method: string): string {
  return (
    { "in-person": "trực tiếp tại chỗ", written: "bằng văn bản", "zalo-message": "qua tin nhắn Zalo" }[method] ?? method
  );
}

function Attachments({ code, items }: { code: string; items: AttachmentView[] }) {
  const [urls, setUrls] = useState<Record<number, string>>({});
  // The blobs themselves, for "Tải về": the console's CSP (connect-src 'self') refuses a fetch of a blob: URL.
  const [blobs, setBlobs] = useState<Record<number, Blob>>({});
  const [failed, setFailed] = useState<ApiClientError | null>(null);
  const [open, setOpen] = useState<AttachmentView | null>(null);
  useEffect(() => {
    let live = true;
    const made: string[] = [];
    (async () => {
      for (const a of items) {
        try {
          const { blob } = await fetchBlob(`/dossiers/${encodeURIComponent(code)}/attachments/${a.id}`);
          const url = URL.createObjectURL(blob);
          made.push(url);
          if (live) {
            setUrls((u) => ({ ...u, [a.id]: url }));
            setBlobs((b) => ({ ...b, [a.id]: blob }));
          }
        } catch (e) {
          if (live) setFailed(e as ApiClientError);
        }
      }
    })();
    return () => {
      live = false;
      for (const url of made) URL.revokeObjectURL(url);
    };
  }, [code, items]);
  if (items.length === 0) return <p className="muted">Hồ sơ không có tệp đính kèm.</p>;
  return (
    <>
      {failed && <ErrorBox error={failed} />}
      <div className="attachments">
        {items.map((a) => (
          <figure key={a.id} className="attachment" style={{ margin: 0 }}>
            {a.mime.startsWith("image/") ? (
              urls[a.id] ? (
                <button
                  type="button"
                  className="btn--ghost"
                  style={{ padding: 0, border: 0 }}
                  onClick={() => setOpen(a)}
                >
                  <img src={urls[a.id]} alt={`${a.documentName} (${a.fileName})`} />
                </button>
              ) : (
                <div style={{ height: 130 }} aria-busy="true" />
              )
            ) : (
              <button
                type="button"
                className="btn"
                style={{ height: 130, justifyContent: "center" }}
                onClick={() => setOpen(a)}
              >
                PDF · Xem
              </button>
            )}
            <figcaption>
              {a.documentName}
              <div className="muted">
                {a.kind === "supplement" ? "Bổ sung · " : ""}
                {Math.round(a.size / 1024)} KB
              </div>
            </figcaption>
          </figure>
        ))}
      </div>
      {open && urls[open.id] && (
        <div className="viewer" role="dialog" aria-modal="true" aria-label={open.documentName}>
          <div className="viewer__bar">
            <button
              type="button"
              className="btn"
              onClick={() => {
                const blob = blobs[open.id];
                if (blob) saveBlob(blob, open.fileName);
              }}
            >
              Tải về
            </button>
            <button type="button" className="btn" onClick={() => setOpen(null)}>
              Đóng
            </button>
          </div>
          {open.mime === "application/pdf" ? (
            <iframe
              title={open.documentName}
              src={urls[open.id]}
              style={{ width: "80vw", height: "86vh", background: "#fff" }}
            />
          ) : (
            <img src={urls[open.id]} alt={open.documentName} />
          )}
        </div>
      )}
    </>
  );
}

/** The fields the action dialog shows a server's detail under; any other detail is shown as the error itself. */
const SHOWN_FIELDS = ["note", "missingDocuments", "amount", "lines", "trackingNumber"];

function ActionDialog({
  dossier,
  payments,
  action,
  onClose,
  onDone,
}: {
  dossier: DossierView;
  payments: DossierPayments | null;
  action: Act;
  onClose: () => void;
  onDone: () => void;
}) {
  const { busy, error, run } = useAction();
  const [note, setNote] = useState("");
  const [missing, setMissing] = useState<string[]>([]);
  const [other, setOther] = useState("");
  const [drafts, setDrafts] = useState<FeeLineDraft[] | null>(null);
  const [tried, setTried] = useState(false);
  const [tracking, setTracking] = useState("");
  const [local, setLocal] = useState<Record<string, string>>({});
  const [procedure] = useAsync(
    () =>
      action === "request-supplement" || action === "request-payment"
        ? get(`/procedures/${dossier.procedure.code}`, Procedure)
        : Promise.resolve(null),
    [action, dossier.procedure.code],
  );
  // The request for payment starts from the catalogue's lines (quoteFees), or an empty line when it cannot be read.
  const catalogue = procedure.status === "done" ? procedure.value : null;
  const settled = procedure.status !== "loading";
  useEffect(() => {
    if (action !== "request-payment" || drafts !== null || !settled) return;
    setDrafts(
      catalogue
        ? prefillLines(catalogue, dossier.channel, payments?.exemption)
        : prefillLines({ fees: [] }, dossier.channel),
    );
  }, [action, drafts, settled, catalogue, dossier.channel, payments?.exemption]);
  const lines = useMemo(() => readLines(drafts ?? []), [drafts]);
  const extras = useMemo(
    () => (catalogue && drafts ? catalogueExtras(catalogue, dossier.channel, drafts) : []),
    [catalogue, drafts, dossier.channel],
  );
  const needsReason = action === "reject" || action === "stop";
  const byPost = dossier.resultDelivery.method === "post";

  const submit = async () => {
    const problems: Record<string, string> = {};
    const documents = [
      ...missing,
      ...other
        .split("\n")
        .map((s) => s.trim())
        .filter(Boolean),
    ];
    if (needsReason && !note.trim()) problems.note = "Cần ghi rõ lý do để công dân biết.";
    if (action === "request-supplement" && documents.length === 0)
      problems.missingDocuments = "Chọn hoặc ghi ít nhất một giấy tờ cần bổ sung.";
    if (action === "request-payment") setTried(true);
    const linesWrong = action === "request-payment" && (!drafts || !lines.ok);
    if (action === "deliver" && byPost && tracking.trim().length < 4)
      problems.trackingNumber = "Nhập mã bưu gửi (công dân chọn nhận kết quả qua bưu chính).";
    setLocal(problems);
    if (Object.keys(problems).length > 0 || linesWrong) return;
    const body: Record<string, unknown> = { action };
    if (note.trim()) body.note = note.trim();
    if (action === "request-supplement") body.missingDocuments = documents;
    if (action === "request-payment") {
      body.lines = lines.lines;
      // The total the official saw: the server checks that it is the sum of the lines.
      body.amount = lines.total;
    }
    if (action === "deliver" && tracking.trim()) body.trackingNumber = tracking.trim();
    const ok = await run(() => post(`/officials/dossiers/${encodeURIComponent(dossier.code)}/actions`, body));
    if (ok !== undefined) onDone();
  };
  const err = (path: string) => local[path] ?? fieldError(error, path);
  // Said while the lines are wrong after a try, and gone as soon as they are right.
  const linesMessage =
    action !== "request-payment" || !tried
      ? null
      : !drafts
        ? "Đang tải danh mục phí, lệ phí của thủ tục…"
        : !lines.ok
          ? (lines.overall ?? "Kiểm tra lại các khoản được đánh dấu.")
          : (fieldError(error, "lines") ?? null);

  return (
    <div className="dialog-backdrop">
      <div
        className={`dialog ${action === "request-payment" ? "dialog--wide" : ""}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby="dialog-title"
      >
        <h2 id="dialog-title">{ACTION_LABELS[action]}</h2>
        <p className="muted small">
          Hồ sơ {dossier.code} · {dossier.applicant.name}
        </p>
        {error && !error.details.every((x) => SHOWN_FIELDS.some((f) => x.path === f || x.path.startsWith(`${f}.`))) && (
          <ErrorBox error={error} />
        )}
        {action === "request-supplement" && (
          <fieldset
            className={`field ${err("missingDocuments") ? "field--error" : ""}`}
            style={{ border: 0, padding: 0 }}
          >
            <legend>Giấy tờ cần bổ sung</legend>
            {procedure.status === "loading" && <Loading />}
            {(procedure.value?.documents ?? []).map((doc) => (
              <label key={doc.name} className="check">
                <input
                  type="checkbox"
                  checked={missing.includes(doc.name)}
                  onChange={(e) =>
                    setMissing(e.target.checked ? [...missing, doc.name] : missing.filter((m) => m !== doc.name))
                  }
                />
                {doc.name}
              </label>
            ))}
            <label className="field" style={{ marginTop: "0.5rem" }}>
              <span>Giấy tờ khác (mỗi dòng một giấy tờ)</span>
              <textarea value={other} onChange={(e) => setOther(e.target.value)} rows={2} />
            </label>
            {err("missingDocuments") && <span className="field__error">{err("missingDocuments")}</span>}
          </fieldset>
        )}
        {action === "request-payment" && (
          <>
            {procedure.status === "error" && (
              <div className="alert alert--warn" role="status">
                Không tải được danh mục phí, lệ phí của thủ tục ({procedure.error.message}). Hãy nhập các khoản.
              </div>
            )}
            {!drafts && <Loading label="Đang tải danh mục phí, lệ phí…" />}
            {drafts && (
              <FeeLinesEditor
                drafts={drafts}
                onChange={setDrafts}
                extras={extras}
                problems={tried ? lines.problems : null}
                serverError={error}
              />
            )}
            {linesMessage && (
              <span className="field__error" role="alert">
                {linesMessage}
              </span>
            )}
            {err("amount") && <span className="field__error">{err("amount")}</span>}
            <p className="small muted">
              Công dân nhận thông báo qua Zalo với các khoản trên và thanh toán trực tuyến; hồ sơ tự chuyển tiếp khi đã
              nộp đủ.
            </p>
          </>
        )}
        {action === "deliver" && byPost && (
          <label className={`field ${err("trackingNumber") ? "field--error" : ""}`}>
            <span>Mã bưu gửi</span>
            <input value={tracking} onChange={(e) => setTracking(e.target.value)} placeholder="VD: EB123456789VN" />
            {err("trackingNumber") && <span className="field__error">{err("trackingNumber")}</span>}
          </label>
        )}
        <label className={`field ${err("note") ? "field--error" : ""}`}>
          <span>{needsReason ? "Lý do (bắt buộc, công dân sẽ nhận được)" : "Ghi chú (không bắt buộc)"}</span>
          <textarea value={note} onChange={(e) => setNote(e.target.value)} rows={3} />
          {err("note") && <span className="field__error">{err("note")}</span>}
        </label>
        <div className="dialog__actions">
          <button type="button" className="btn" onClick={onClose} disabled={busy}>
            Hủy
          </button>
          <button type="button" className="btn btn--primary" onClick={submit} disabled={busy}>
            {busy ? "Đang thực hiện…" : "Xác nhận"}
          </button>
        </div>
      </div>
    </div>
  );
}
