import {
  AdministrativeUnit,
  ANNOUNCEMENT_TOPICS,
  type AnnouncementTopic,
  type Audience,
  fromVietnamDateTimeInput,
  PROVINCE_CODE,
} from "@qn/shared";
import { useEffect, useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router-dom";
import { useAsync } from "../../hooks/useAsync";
import { api, get, Items, post } from "../api";
import { ErrorBox, fieldError, formatDateTime, Loading, PageHeader, useAction } from "../common";
import { useSession } from "../session";
import { type AnnouncementView, audienceLabel, STATUS_CHIP } from "./AnnouncementsPage";

type Preview = {
  message: {
    text: string;
    items?: { title: string; subtitle?: string; imageUrl?: string; url?: string }[];
    buttons?: { title: string }[];
  };
  recipients: number;
};

type Draft = { title: string; body: string; imageUrl: string; link: string; audience: Audience };

type HistoryEntry = {
  id: number;
  at: string;
  official: { id: number; name: string };
  action: "create" | "update" | "submit" | "approve" | "schedule" | "pause" | "resume" | "cancel";
  changes: { field: string }[];
};

const ACTION_LABELS: Record<HistoryEntry["action"], string> = {
  create: "Soạn",
  update: "Sửa",
  submit: "Gửi duyệt",
  approve: "Phê duyệt",
  schedule: "Gửi / hẹn giờ gửi",
  pause: "Tạm dừng",
  resume: "Tiếp tục gửi",
  cancel: "Hủy",
};
const FIELD_LABELS: Record<string, string> = {
  title: "tiêu đề",
  body: "nội dung",
  imageUrl: "ảnh",
  link: "đường dẫn",
  audience: "người nhận",
};
/** Editing these makes the announcement a draft again (the server's rule, announcement-policy.ts). */
const EDITABLE_AFTER_SUBMISSION = ["pending_approval", "approved", "scheduled"];

type Me = { id: number; role: string; unitCode: string };

/** The server's rule (notifications/announcement-policy.ts): administrators and the provincial unit's officials. */
function hasProvinceRole(me: Me | undefined): boolean {
  return !!me && (me.role === "admin" || (me.role !== "volunteer" && me.unitCode === PROVINCE_CODE));
}

export default function AnnouncementPage() {
  const { id = "" } = useParams();
  const isNew = id === "moi";
  const [view, reload] = useAsync(
    () => (isNew ? Promise.resolve(null) : get<AnnouncementView>(`/officials/announcements/${encodeURIComponent(id)}`)),
    [id],
  );
  if (!isNew && view.status === "loading" && !view.value) return <Loading />;
  if (!isNew && view.status === "error" && !view.value)
    return (
      <>
        <PageHeader title="Thông báo" />
        <ErrorBox error={view.error} onRetry={reload} />
        <Link to="/thong-bao">← Danh sách thông báo</Link>
      </>
    );
  return <Announcement key={id} view={view.value ?? null} reload={reload} />;
}

function Announcement({ view, reload }: { view: AnnouncementView | null; reload: () => void }) {
  const { session } = useSession();
  const navigate = useNavigate();
  const me = session?.official;
  const province = hasProvinceRole(me);
  const ofItsUnit = view === null || view.createdBy === me?.id || view.unitCode === me?.unitCode;
  // After submission an edit starts over (a draft, a new approval): the official asks for it first.
  const [reopened, setReopened] = useState(false);
  const editable = view === null || view.status === "draft" || (reopened && ofItsUnit);
  const [draft, setDraft] = useState<Draft>(
    view
      ? {
          title: view.title,
          body: view.body,
          imageUrl: view.imageUrl ?? "",
          link: view.link ?? "",
          audience: view.audience,
        }
      : {
          title: "",
          body: "",
          imageUrl: "",
          link: "",
          // A commune's officials write to their own commune's subscribers only.
          audience: province || !me ? { kind: "all" } : { kind: "commune", values: [me.unitCode] },
        },
  );
  const location = useLocation();
  // A new draft's first save moves to its own address; the confirmation travels with it.
  const [saved, setSaved] = useState<string | null>((location.state as { saved?: string } | null)?.saved ?? null);
  const [previewTick, setPreviewTick] = useState(0);
  const save = useAction();
  const act = useAction();
  const [preview] = useAsync(
    () => (view ? get<Preview>(`/officials/announcements/${view.id}/preview`) : Promise.resolve(null)),
    [view?.id, previewTick],
  );
  const [communes] = useAsync(() => get("/units", Items(AdministrativeUnit)), []);
  const [history, reloadHistory] = useAsync(
    () =>
      view
        ? get<{ items: HistoryEntry[] }>(`/officials/announcements/${view.id}/history`)
        : Promise.resolve({ items: [] }),
    [view?.id, view?.status, previewTick],
  );
  const [when, setWhen] = useState("");
  // The time typed is Vietnam time, whatever zone the official's computer is set to.
  const scheduledAt = fromVietnamDateTimeInput(when);

  // While it goes out, the progress refreshes on its own.
  useEffect(() => {
    if (!view || !["scheduled", "sending"].includes(view.status)) return;
    const timer = setInterval(reload, 2000);
    return () => clearInterval(timer);
  }, [view, reload]);

  const body = () => ({
    title: draft.title,
    body: draft.body,
    ...(draft.imageUrl.trim() ? { imageUrl: draft.imageUrl.trim() } : {}),
    ...(draft.link.trim() ? { link: draft.link.trim() } : {}),
    audience: draft.audience,
  });
  const onSave = async () => {
    setSaved(null);
    const res = await save.run(() =>
      view
        ? api<AnnouncementView>("PUT", `/officials/announcements/${view.id}`, body())
        : post<AnnouncementView>("/officials/announcements", body()),
    );
    if (!res) return;
    setSaved("Đã lưu bản nháp.");
    if (!view) navigate(`/thong-bao/${res.id}`, { replace: true, state: { saved: "Đã lưu bản nháp." } });
    else {
      setReopened(false);
      reload();
      reloadHistory();
      setPreviewTick((t) => t + 1);
    }
  };
  const step = async (path: string, payload?: unknown, message?: string) => {
    setSaved(null);
    const res = await act.run(() => post(`/officials/announcements/${view?.id}/${path}`, payload));
    if (res !== undefined) {
      if (message) setSaved(message);
      reload();
      reloadHistory();
    }
  };
  const err = (path: string) => fieldError(save.error, path);
  // The four-eyes rule: whoever wrote or changed it does not approve it (the server refuses too).
  const isEditor = !!me && !!view?.editors.includes(me.id);

  return (
    <>
      <p>
        <Link to="/thong-bao">← Danh sách thông báo</Link>
      </p>
      <PageHeader title={view ? view.title : "Soạn thông báo"}>
        {view && <span className={`chip ${STATUS_CHIP[view.status]}`}>{view.statusLabel}</span>}
      </PageHeader>
      {saved && (
        <div className="alert alert--ok" role="status">
          {saved}
        </div>
      )}
      {act.error && <ErrorBox error={act.error} />}
      <div className="grid-2">
        <section className="panel" aria-labelledby="h-compose">
          <h2 id="h-compose">Nội dung</h2>
          {save.error && save.error.details.length === 0 && <ErrorBox error={save.error} />}
          <fieldset disabled={!editable} style={{ border: 0, padding: 0, margin: 0 }}>
            <label className={`field ${err("title") ? "field--error" : ""}`}>
              <span>Tiêu đề</span>
              <input
                value={draft.title}
                maxLength={120}
                onChange={(e) => setDraft({ ...draft, title: e.target.value })}
              />
              {err("title") && <span className="field__error">{err("title")}</span>}
            </label>
            <label className={`field ${err("body") ? "field--error" : ""}`}>
              <span>Nội dung ({draft.body.length}/2000)</span>
              <textarea
                value={draft.body}
                maxLength={2000}
                rows={6}
                onChange={(e) => setDraft({ ...draft, body: e.target.value })}
              />
              {err("body") && <span className="field__error">{err("body")}</span>}
            </label>
            <label className={`field ${err("imageUrl") ? "field--error" : ""}`}>
              <span>Ảnh minh họa (đường dẫn https://, không bắt buộc)</span>
              <input value={draft.imageUrl} onChange={(e) => setDraft({ ...draft, imageUrl: e.target.value })} />
              {err("imageUrl") && <span className="field__error">{err("imageUrl")}</span>}
            </label>
            <label className={`field ${err("link") ? "field--error" : ""}`}>
              <span>Đường dẫn "Xem chi tiết" (https://, không bắt buộc)</span>
              <input value={draft.link} onChange={(e) => setDraft({ ...draft, link: e.target.value })} />
              {err("link") && <span className="field__error">{err("link")}</span>}
            </label>
            <fieldset className={`field ${err("audience") ? "field--error" : ""}`} style={{ border: 0, padding: 0 }}>
              <legend>Người nhận</legend>
              <label className="check">
                <input
                  type="radio"
                  name="audience"
                  disabled={!province}
                  checked={draft.audience.kind === "all"}
                  onChange={() => setDraft({ ...draft, audience: { kind: "all" } })}
                />
                Tất cả người quan tâm OA
              </label>
              <label className="check">
                <input
                  type="radio"
                  name="audience"
                  checked={draft.audience.kind === "commune"}
                  onChange={() =>
                    setDraft({
                      ...draft,
                      audience: (province || !me
                        ? { kind: "commune", values: [] }
                        : { kind: "commune", values: [me.unitCode] }) as unknown as Audience,
                    })
                  }
                />
                Theo xã, phường
              </label>
              {draft.audience.kind === "commune" && (
                <select
                  multiple
                  aria-label="Chọn xã, phường (giữ Ctrl để chọn nhiều)"
                  size={8}
                  value={draft.audience.values}
                  onChange={(e) =>
                    setDraft({
                      ...draft,
                      audience: {
                        kind: "commune",
                        values: [...e.target.selectedOptions].map((o) => o.value),
                      } as Audience,
                    })
                  }
                >
                  {(communes.value?.items ?? [])
                    .filter((u) => ["phuong", "xa", "dac-khu"].includes(u.type))
                    .filter((u) => province || u.code === me?.unitCode)
                    .map((u) => (
                      <option key={u.code} value={u.code}>
                        {u.name}
                      </option>
                    ))}
                </select>
              )}
              <label className="check">
                <input
                  type="radio"
                  name="audience"
                  disabled={!province}
                  checked={draft.audience.kind === "topic"}
                  onChange={() =>
                    setDraft({ ...draft, audience: { kind: "topic", values: [] } as unknown as Audience })
                  }
                />
                Theo chủ đề người dân đăng ký
              </label>
              {draft.audience.kind === "topic" &&
                (Object.entries(ANNOUNCEMENT_TOPICS) as [AnnouncementTopic, string][]).map(([key, label]) => (
                  <label key={key} className="check" style={{ marginLeft: "1.5rem" }}>
                    <input
                      type="checkbox"
                      checked={draft.audience.kind === "topic" && draft.audience.values.includes(key)}
                      onChange={(e) => {
                        const values = draft.audience.kind === "topic" ? draft.audience.values : [];
                        setDraft({
                          ...draft,
                          audience: {
                            kind: "topic",
                            values: e.target.checked ? [...values, key] : values.filter((v) => v !== key),
                          } as Audience,
                        });
                      }}
                    />
                    {label}
                  </label>
                ))}
              {!province && (
                <span className="small muted">
                  Cán bộ xã, phường gửi cho người dân đăng ký nhận tin của đơn vị mình; gửi toàn tỉnh hoặc theo chủ đề
                  cần cán bộ cấp tỉnh.
                </span>
              )}
              {err("audience") && <span className="field__error">{err("audience")}</span>}
            </fieldset>
          </fieldset>
          {view && !editable && ofItsUnit && EDITABLE_AFTER_SUBMISSION.includes(view.status) && (
            <div className="actions">
              <button type="button" className="btn" onClick={() => setReopened(true)}>
                Sửa nội dung
              </button>
            </div>
          )}
          {view && reopened && view.status !== "draft" && (
            <p className="alert alert--info">
              Lưu thay đổi sẽ đưa thông báo về bản nháp: cần gửi duyệt và được phê duyệt lại trước khi gửi.
            </p>
          )}
          {editable && (
            <div className="actions">
              <button type="button" className="btn" onClick={onSave} disabled={save.busy}>
                {save.busy ? "Đang lưu…" : "Lưu bản nháp"}
              </button>
              {view && (
                <button
                  type="button"
                  className="btn btn--primary"
                  disabled={act.busy || save.busy}
                  onClick={async () => {
                    // What is on screen is what gets approved: unsaved edits are saved first.
                    const res = await save.run(() =>
                      api<AnnouncementView>("PUT", `/officials/announcements/${view.id}`, body()),
                    );
                    if (res) await step("submit", undefined, "Đã gửi duyệt.");
                  }}
                >
                  Gửi duyệt
                </button>
              )}
            </div>
          )}
        </section>

        <div>
          <section className="panel" aria-labelledby="h-preview">
            <h2 id="h-preview">Xem trước trên Zalo</h2>
            {!view && <p className="muted">Lưu bản nháp để xem trước đúng như tin nhắn gửi qua Zalo OA.</p>}
            {preview.status === "error" && <ErrorBox error={preview.error} />}
            {preview.value && <ZaloPreview preview={preview.value} />}
          </section>
          {view && (
            <section className="panel" aria-labelledby="h-send">
              <h2 id="h-send">Phê duyệt và gửi</h2>
              <p className="small muted">
                Người nhận: {audienceLabel(view.audience)}
                {preview.value ? ` (hiện có ${preview.value.recipients.toLocaleString("vi-VN")} người nhận)` : ""}
              </p>
              {view.status === "draft" && <p className="muted">Bản nháp: lưu, xem trước rồi bấm "Gửi duyệt".</p>}
              {view.status === "pending_approval" &&
                (isEditor ? (
                  <p className="muted">
                    Chờ một cán bộ khác của đơn vị hoặc cán bộ cấp tỉnh phê duyệt (người đã soạn hoặc sửa không tự phê
                    duyệt).
                  </p>
                ) : (
                  <button
                    type="button"
                    className="btn btn--primary"
                    disabled={act.busy}
                    onClick={() => step("approve", undefined, "Đã phê duyệt.")}
                  >
                    Phê duyệt
                  </button>
                ))}
              {view.status === "approved" && (
                <div className="actions" style={{ alignItems: "end" }}>
                  <button
                    type="button"
                    className="btn btn--primary"
                    disabled={act.busy}
                    onClick={() => step("send", {}, "Đã bắt đầu gửi.")}
                  >
                    Gửi ngay
                  </button>
                  <label className="field" style={{ margin: 0 }}>
                    <span>hoặc hẹn giờ</span>
                    <input type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} />
                  </label>
                  <button
                    type="button"
                    className="btn"
                    disabled={act.busy || !scheduledAt}
                    onClick={() => scheduledAt && step("send", { at: scheduledAt.toISOString() }, "Đã hẹn giờ gửi.")}
                  >
                    Hẹn giờ
                  </button>
                </div>
              )}
              {["scheduled", "sending", "paused", "completed", "cancelled"].includes(view.status) && (
                <Progress view={view} />
              )}
              <div className="actions" style={{ marginTop: "0.75rem" }}>
                {["scheduled", "sending"].includes(view.status) && (
                  <button
                    type="button"
                    className="btn"
                    disabled={act.busy}
                    onClick={() => step("pause", undefined, "Đã tạm dừng.")}
                  >
                    Tạm dừng
                  </button>
                )}
                {view.status === "paused" && (
                  <button
                    type="button"
                    className="btn"
                    disabled={act.busy}
                    onClick={() => step("resume", undefined, "Đã tiếp tục gửi.")}
                  >
                    Tiếp tục
                  </button>
                )}
                {["approved", "scheduled", "sending", "paused"].includes(view.status) && (
                  <button
                    type="button"
                    className="btn btn--danger"
                    disabled={act.busy}
                    onClick={() => step("cancel", undefined, "Đã hủy.")}
                  >
                    Hủy gửi
                  </button>
                )}
              </div>
            </section>
          )}
          {view && (
            <section className="panel" aria-labelledby="h-history">
              <h2 id="h-history">Lịch sử thay đổi</h2>
              {history.status === "error" && <ErrorBox error={history.error} />}
              <ol className="small">
                {(history.value?.items ?? []).map((h) => (
                  <li key={h.id}>
                    {formatDateTime(h.at)} · {h.official.name} · {ACTION_LABELS[h.action] ?? h.action}
                    {h.action === "update" && h.changes.length > 0
                      ? ` (${h.changes.map((c) => FIELD_LABELS[c.field] ?? c.field).join(", ")})`
                      : ""}
                  </li>
                ))}
              </ol>
            </section>
          )}
        </div>
      </div>
    </>
  );
}

function Progress({ view }: { view: AnnouncementView }) {
  const p = view.progress;
  const done = p.sent + p.failed + p.skipped + p.cancelled;
  const pct = p.total === 0 ? 0 : Math.round((done / p.total) * 100);
  return (
    <section aria-label="Tiến độ gửi">
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <span style={{ width: `${pct}%` }} />
      </div>
      <p className="small">
        Đã gửi {p.sent.toLocaleString("vi-VN")}/{p.total.toLocaleString("vi-VN")} · đang chờ {p.queued} · lỗi {p.failed}{" "}
        · bỏ qua {p.skipped}
        {p.paused ? ` · tạm dừng ${p.paused}` : ""}
        {p.cancelled ? ` · đã hủy ${p.cancelled}` : ""}
      </p>
      <p className="small muted">
        {view.scheduledAt && `Hẹn gửi: ${formatDateTime(view.scheduledAt)}. `}
        {view.publishedAt && `Bắt đầu gửi: ${formatDateTime(view.publishedAt)}.`}
      </p>
    </section>
  );
}

function ZaloPreview({ preview }: { preview: Preview }) {
  const item = preview.message.items?.[0];
  return (
    <div className="zalo-preview">
      <div className="zalo-card">
        {item ? (
          <>
            {item.imageUrl && <img src={item.imageUrl} alt="" />}
            <div className="zalo-card__body">
              <strong>{item.title}</strong>
              <span style={{ whiteSpace: "pre-wrap" }}>{item.subtitle}</span>
            </div>
          </>
        ) : (
          <div className="zalo-card__body" style={{ whiteSpace: "pre-wrap" }}>
            {preview.message.text}
          </div>
        )}
        {preview.message.buttons?.map((b) => (
          <div key={b.title} className="zalo-card__button">
            {b.title}
          </div>
        ))}
      </div>
      <p className="small muted" style={{ marginBottom: 0 }}>
        Tin nhắn từ Zalo OA "Dịch vụ công Quảng Ninh"
      </p>
    </div>
  );
}
