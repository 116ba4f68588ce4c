import { NOTIFICATION_KIND_LABELS, NotificationKind, type NotificationPreferences } from "@qn/shared";
import { useEffect, useState } from "react";
import { Button, Page, Switch } from "zmp-ui";
import { api } from "../api/client";
import { StateMessage } from "../components/StateMessage";
import { TopBar } from "../components/TopBar";
import { useAsync } from "../hooks/useAsync";
import { useErrorSnackbar, useSuccessSnackbar } from "../hooks/useErrorSnackbar";
import { followOA, inZalo } from "../zalo";

/** Cá nhân: who is signed in, phone consent, which Zalo messages to receive, following the OA. */
export default function ProfilePage() {
  const showError = useErrorSnackbar();
  const done = useSuccessSnackbar();
  const me = useAsync("me", () => api.me());
  const [prefs, setPrefs] = useState<NotificationPreferences>();
  const [oaId, setOaId] = useState("");
  useEffect(() => {
    api.preferences().then(setPrefs, () => setPrefs(undefined));
    api.appConfig().then(
      (c) => setOaId(c.oaId),
      () => setOaId(""),
    );
  }, []);
  const toggle = async (kind: NotificationKind, on: boolean) => {
    const next = { ...prefs, [kind]: on };
    setPrefs(next);
    await api.savePreferences({ [kind]: on }).catch(showError);
  };
  return (
    <Page className="screen screen--tabbed">
      <TopBar title="Cá nhân" back={false} />
      {me.state.status === "loading" && <StateMessage kind="loading" />}
      {me.state.status === "error" && <StateMessage kind="error" text={me.state.message} onRetry={me.retry} />}
      {me.state.status === "done" && (
        <section className="detail">
          {me.state.value.developmentIdentity && (
            <p className="notice notice--dev">
              Chế độ phát triển: bạn đang dùng tài khoản thử, không phải tài khoản Zalo thật.
            </p>
          )}
          <h2 className="detail__name">{me.state.value.name}</h2>
          <dl className="facts">
            <dt>Số điện thoại</dt>
            <dd>{me.state.value.phone ?? "Chưa chia sẻ"}</dd>
          </dl>
          {!me.state.value.phone && inZalo() && (
            <Button
              variant="secondary"
              onClick={() =>
                api.sharePhone().then((p) => (p ? (done("Đã lưu số điện thoại"), me.retry()) : undefined), showError)
              }
            >
              Chia sẻ số điện thoại từ Zalo
            </Button>
          )}
        </section>
      )}
      <section className="detail" aria-labelledby="prefs">
        <h3 id="prefs">Nhận tin qua Zalo</h3>
        <p className="muted small">Mọi thông báo vẫn có trong mục Thông báo của ứng dụng.</p>
        {prefs &&
          NotificationKind.options
            .filter((k) => k !== "announcement")
            .map((kind) => (
              <div key={kind} className="switch-row">
                <Switch
                  label={NOTIFICATION_KIND_LABELS[kind]}
                  checked={prefs[kind] !== false}
                  onChange={(e) => void toggle(kind, e.target.checked)}
                />
              </div>
            ))}
      </section>
      {oaId && (
        <section className="detail">
          <Button
            fullWidth
            variant="secondary"
            onClick={() => followOA(oaId).then((ok) => ok && done("Đã quan tâm Official Account"))}
          >
            Quan tâm Official Account để nhận tin
          </Button>
        </section>
      )}
    </Page>
  );
}
