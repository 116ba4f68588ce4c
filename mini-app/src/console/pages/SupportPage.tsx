import { AdministrativeUnit, ConversationMessage, ConversationThread } from "@qn/shared";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { useAsync } from "../../hooks/useAsync";
import { get, Items, post } from "../api";
import { Empty, ErrorBox, formatDateTime, Loading, PageHeader, useAction } from "../common";

type Waiting = {
  userId: string;
  requestedAt: string | null;
  until: string | null;
  note: string | null;
  sharedName: string | null;
  unit: { code: string; name: string } | null;
  assignee: { id: number; name: string } | null;
  messages: { at: string; text: string | null }[];
};

/** Where a thread can be routed: the province's desk, or a commune in force. */
const ROUTABLE = ["province", "phuong", "xa", "dac-khu"];

const DELIVERY: Record<string, string> = {
  pending: "Đang gửi",
  sent: "Đã gửi qua Zalo",
  offline: "Chế độ ngoại tuyến: chỉ ghi vào hộp thư thử nghiệm, chưa gửi tới Zalo",
  failed: "Chưa gửi được",
};

/** Hỗ trợ trực tuyến: citizens who asked the chatbot for a person; the official replies through the OA. */
export default function SupportPage() {
  const [params, setParams] = useSearchParams();
  const selected = params.get("nguoi-dan");
  const [list, reloadList] = useAsync(() => get<{ items: Waiting[] }>("/officials/conversations"), []);
  const [routed, setRouted] = useState<string | null>(null);

  useEffect(() => {
    const timer = setInterval(reloadList, 15_000);
    return () => clearInterval(timer);
  }, [reloadList]);

  const items = list.value?.items ?? [];
  return (
    <>
      <PageHeader title="Hỗ trợ trực tuyến">
        <button type="button" className="btn" onClick={reloadList}>
          Làm mới
        </button>
      </PageHeader>
      <p className="muted small">
        Người dân nhắn "gặp cán bộ" với Zalo OA thì được chuyển tới đây; trong thời gian này chatbot không tự trả lời
        họ. Mỗi đơn vị thấy người dân của xã, phường mình; cán bộ cấp tỉnh thấy tất cả và chuyển cho đơn vị phụ trách.
        Trả lời xong, bấm "Trả lại cho chatbot".
      </p>
      {routed && (
        <div className="alert alert--ok" role="status">
          {routed}
        </div>
      )}
      {list.status === "error" && <ErrorBox error={list.error} onRetry={reloadList} />}
      {list.status === "loading" && !list.value && <Loading />}
      <div className="grid-2" style={{ gridTemplateColumns: "minmax(240px, 1fr) minmax(0, 2fr)" }}>
        <section className="panel" aria-labelledby="h-waiting">
          <h2 id="h-waiting">Đang chờ cán bộ ({items.length})</h2>
          {list.value && items.length === 0 && (
            <Empty>Không có người dân nào đang chờ. Chatbot đang trả lời mọi câu hỏi.</Empty>
          )}
          <ul className="list-select">
            {items.map((c) => (
              <li key={c.userId}>
                <button
                  type="button"
                  aria-current={c.userId === selected}
                  onClick={() => {
                    setRouted(null);
                    setParams({ "nguoi-dan": c.userId });
                  }}
                >
                  <strong>{c.sharedName ?? `Người dùng Zalo …${c.userId.slice(-4)}`}</strong>
                  <div className="small muted">
                    Yêu cầu lúc {formatDateTime(c.requestedAt)}
                    {c.unit ? ` · ${c.unit.name}` : ""}
                  </div>
                  {c.messages.at(-1)?.text && <div className="small">“{c.messages.at(-1)?.text}”</div>}
                </button>
              </li>
            ))}
          </ul>
        </section>
        {selected ? (
          <Conversation
            key={selected}
            userId={selected}
            onReleased={() => {
              setParams({});
              reloadList();
            }}
            onRouted={(message) => {
              setRouted(message);
              setParams({});
              reloadList();
            }}
          />
        ) : (
          <section className="panel">
            <Empty>Chọn một người dân ở danh sách bên trái để xem và trả lời.</Empty>
          </section>
        )}
      </div>
    </>
  );
}

function Conversation({
  userId,
  onReleased,
  onRouted,
}: {
  userId: string;
  onReleased: () => void;
  onRouted: (message: string) => void;
}) {
  const [thread, reload] = useAsync(
    () => get(`/officials/conversations/${encodeURIComponent(userId)}/messages`, ConversationThread),
    [userId],
  );
  const [text, setText] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const send = useAction();
  const release = useAction();
  const route = useAction();
  const [units] = useAsync(() => get("/units", Items(AdministrativeUnit)), []);
  const [target, setTarget] = useState("");
  const end = useRef<HTMLDivElement>(null);
  const count = thread.value?.items.length ?? 0;

  useEffect(() => {
    if (count > 0) end.current?.scrollIntoView({ block: "end" });
  }, [count]);
  useEffect(() => {
    const timer = setInterval(reload, 10_000);
    return () => clearInterval(timer);
  }, [reload]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setNotice(null);
    if (!text.trim()) {
      setNotice("Nhập nội dung trả lời.");
      return;
    }
    const sent = await send.run(() =>
      post(
        `/officials/conversations/${encodeURIComponent(userId)}/messages`,
        { text: text.trim() },
        ConversationMessage,
      ),
    );
    // A failed send is kept on the server as "Chưa gửi được": the thread shows it either way.
    reload();
    if (sent) setText("");
  };

  if (thread.status === "error" && !thread.value)
    return (
      <section className="panel">
        <ErrorBox error={thread.error} onRetry={reload} />
      </section>
    );
  const t = thread.value;
  if (!t) return <Loading />;
  return (
    <section className="panel" aria-labelledby="h-thread">
      <div className="page-header" style={{ marginBottom: "0.5rem" }}>
        <h2 id="h-thread">{t.sharedName ?? `Người dùng Zalo …${userId.slice(-4)}`}</h2>
        {t.handedOff && (
          <button
            type="button"
            className="btn btn--small"
            disabled={release.busy}
            onClick={async () => {
              // 204: nothing comes back, so success is said explicitly.
              const ok = await release.run(async () => {
                await post(`/officials/conversations/${encodeURIComponent(userId)}/release`);
                return true;
              });
              if (ok !== undefined) onReleased();
            }}
          >
            Trả lại cho chatbot
          </button>
        )}
      </div>
      <p className="small muted">
        Đơn vị phụ trách: {t.unit?.name ?? "Cấp tỉnh"}
        {t.assignee ? ` · Cán bộ phụ trách: ${t.assignee.name}` : ""}
      </p>
      {t.handedOff && (
        <form
          className="actions"
          style={{ alignItems: "end" }}
          onSubmit={async (e) => {
            e.preventDefault();
            const unit = (units.value?.items ?? []).find((u) => u.code === target);
            if (!unit) return;
            const ok = await route.run(() =>
              post(`/officials/conversations/${encodeURIComponent(userId)}/assign`, { unitCode: unit.code }),
            );
            if (ok !== undefined) onRouted(`Đã chuyển cuộc trò chuyện cho ${unit.fullName}.`);
          }}
        >
          <label className="field" style={{ margin: 0 }}>
            <span>Chuyển cho đơn vị</span>
            <select value={target} onChange={(e) => setTarget(e.target.value)}>
              <option value="">— Chọn đơn vị —</option>
              {(units.value?.items ?? [])
                .filter((u) => ROUTABLE.includes(u.type) && u.code !== t.unit?.code)
                .map((u) => (
                  <option key={u.code} value={u.code}>
                    {u.fullName}
                  </option>
                ))}
            </select>
          </label>
          <button type="submit" className="btn btn--small" disabled={route.busy || !target}>
            Chuyển
          </button>
        </form>
      )}
      {route.error && <ErrorBox error={route.error} />}
      {!t.handedOff && <p className="alert alert--info">Cuộc trò chuyện đã trả lại cho chatbot.</p>}
      {release.error && <ErrorBox error={release.error} />}
      <div className="thread" aria-live="polite">
        {t.items.length === 0 && <Empty>Chưa có tin nhắn.</Empty>}
        {t.items.map((m) => (
          <div key={m.id} className={`bubble ${m.direction === "out" ? "bubble--out" : ""}`}>
            <small>
              {m.direction === "out" ? (m.official?.name ?? "Cán bộ") : "Người dân"} · {formatDateTime(m.at)}
            </small>
            {m.text ?? <em className="muted">(ảnh hoặc tệp đính kèm)</em>}
            {m.delivery && (
              <small className={m.delivery.status === "failed" ? "not-met" : undefined}>
                {DELIVERY[m.delivery.status]}
                {m.delivery.error ? `: ${m.delivery.error}` : ""}
              </small>
            )}
          </div>
        ))}
        <div ref={end} />
      </div>
      {send.error && <ErrorBox error={send.error} />}
      {notice && <p className="field__error">{notice}</p>}
      <form onSubmit={submit}>
        <label className="field">
          <span>Trả lời qua Zalo OA</span>
          <textarea value={text} maxLength={2000} rows={3} onChange={(e) => setText(e.target.value)} />
        </label>
        <button type="submit" className="btn btn--primary" disabled={send.busy}>
          {send.busy ? "Đang gửi…" : "Gửi trả lời"}
        </button>
      </form>
    </section>
  );
}
