import {
  NOTIFICATION_KIND_LABELS,
  NotificationKind,
  type NotificationPreferences,
  OFFICIAL_ROLE_LABELS,
  type OfficialRole,
} from "@qn/shared";
import { useEffect, useState } from "react";
import { Button, Page, Switch, useNavigate } from "zmp-ui";
import { api, type HelperSession } from "../api/client";
import { StateMessage } from "../components/StateMessage";
import { FOLLOW_TEXT, NOTIFY_TEXT } from "../components/StayInformed";
import { TopBar } from "../components/TopBar";
import { useAsync } from "../hooks/useAsync";
import { useErrorSnackbar, useSuccessSnackbar } from "../hooks/useErrorSnackbar";
import { followOA, inZalo, requestNotifications } from "../zalo";

/** Cá nhân: who is signed in, phone consent, which Zalo messages to receive, following the OA. */
export default function ProfilePage() {
  const showError = useErrorSnackbar();
  const done = useSuccessSnackbar();
  const [me, reloadMe] = useAsync(() => api.me(), []);
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
      {me.status === "loading" && <StateMessage kind="loading" />}
      {me.status === "error" && <StateMessage kind="error" text={me.error.message} onRetry={reloadMe} />}
      {me.status === "done" && (
        <section className="detail">
          {me.value.developmentIdentity && (
            <p className="notice notice--dev">
              Chế độ phát triển: bạn đang dùng tài khoản thử, không phải tài khoản Zalo thật.
            </p>
          )}
          <h2 className="detail__name">{me.value.name}</h2>
          <dl className="facts">
            <dt>Số điện thoại</dt>
            <dd>{me.value.phone ?? "Chưa chia sẻ"}</dd>
          </dl>
          {!me.value.phone && inZalo() && (
            <Button
              variant="secondary"
              onClick={() =>
                api.sharePhone().then((p) => {
                  if (!p) return;
                  done("Đã lưu số điện thoại");
                  reloadMe();
                }, showError)
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
      <HelperSection />
      {oaId && (
        <section className="detail">
          <Button
            fullWidth
            variant="secondary"
            onClick={() =>
              followOA(oaId).then((answer) =>
                answer === "yes" ? done("Đã quan tâm Official Account") : showError(new Error(FOLLOW_TEXT[answer])),
              )
            }
          >
            Quan tâm Official Account để nhận tin
          </Button>
        </section>
      )}
      {inZalo() && (
        <section className="detail">
          <Button
            fullWidth
            variant="secondary"
            onClick={() =>
              requestNotifications().then((answer) =>
                answer === "yes" ? done(NOTIFY_TEXT.yes) : showError(new Error(NOTIFY_TEXT[answer])),
              )
            }
          >
            Cho phép nhận thông báo về hồ sơ
          </Button>
        </section>
      )}
    </Page>
  );
}

/** Filing for others: the volunteer's or HCC officer's sign-in on this device. */
function HelperSection() {
  const navigate = useNavigate();
  const done = useSuccessSnackbar();
  const [helper, setHelper] = useState<HelperSession | null>();
  useEffect(() => {
    api.helper().then(
      (h) => setHelper(h ?? null),
      () => setHelper(null),
    );
  }, []);
  if (helper === undefined) return null;
  return (
    <section className="detail" aria-labelledby="helper">
      <h3 id="helper">Nộp hồ sơ thay công dân</h3>
      {helper ? (
        <>
          <p>
            Đang đăng nhập: <strong>{helper.official.name}</strong> (
            {OFFICIAL_ROLE_LABELS[helper.official.role as OfficialRole] ?? helper.official.role})
          </p>
          <p className="muted small">Khi nộp hồ sơ, bạn chọn nộp cho mình hay nộp thay công dân.</p>
          <Button
            fullWidth
            variant="secondary"
            onClick={() =>
              api.helperLogout().then(() => {
                setHelper(null);
                done("Đã đăng xuất tài khoản nộp thay");
              })
            }
          >
            Đăng xuất tài khoản nộp thay
          </Button>
        </>
      ) : (
        <>
          <p className="muted small">
            Dành cho tình nguyện viên hướng dẫn dịch vụ công và cán bộ bộ phận một cửa giúp công dân nộp hồ sơ.
          </p>
          <Button fullWidth variant="secondary" onClick={() => navigate("/helper-login")}>
            Đăng nhập tài khoản nộp thay
          </Button>
        </>
      )}
    </section>
  );
}
