import { useEffect, useState } from "react";
import { Button } from "zmp-ui";
import { lazyApi } from "../api/lazy";
import { type AskResult, followOA, inZalo, requestNotifications, storage } from "../zalo";

type Asked = { follow?: AskResult; notify?: AskResult };

/** The citizen's earlier answers on this device: what was answered is not asked again on the next dossier. */
const ASKED_KEY = "qn.stay-informed";

const FOLLOW_TEXT: Record<AskResult, string> = {
  yes: "Bạn đã quan tâm Official Account. Tin báo về hồ sơ sẽ đến trong khung chat Zalo.",
  refused:
    "Bạn chưa quan tâm Official Account, nên tin báo sẽ không đến khung chat Zalo. Bạn vẫn xem được tình trạng trong mục Hồ sơ của tôi, và có thể quan tâm sau ở mục Cá nhân.",
  unavailable: "Chưa mở được Official Account. Bạn có thể thử lại sau ở mục Cá nhân.",
};
const NOTIFY_TEXT: Record<AskResult, string> = {
  yes: "Đã cho phép: bạn sẽ nhận thông báo khi hồ sơ thay đổi.",
  refused:
    "Bạn chưa cho phép thông báo, nên sẽ không nhận tin khi hồ sơ thay đổi. Bạn vẫn xem được tình trạng trong mục Hồ sơ của tôi, và có thể cho phép sau ở mục Cá nhân.",
  unavailable: "Chưa bật được thông báo. Bạn có thể thử lại sau ở mục Cá nhân.",
};

/**
 * After filing, inside Zalo: the two things that let the dossier's news reach the citizen (follow the OA, allow
 * notifications), each asked with its reason, at the moment it helps — never at start-up. Each answer, refusal
 * included, is stated with what it means and where to change it.
 */
export function StayInformed() {
  const [oaId, setOaId] = useState("");
  const [asked, setAsked] = useState<Asked>({});
  /** Answered before this screen opened: not offered again. */
  const [earlier, setEarlier] = useState<Asked>();
  useEffect(() => {
    if (!inZalo()) return;
    void storage.get(ASKED_KEY).then(
      (stored) => setEarlier(stored ? (JSON.parse(stored) as Asked) : {}),
      () => setEarlier({}),
    );
    void lazyApi()
      .then((api) => api.appConfig())
      .then(
        (c) => setOaId(c.oaId),
        () => setOaId(""),
      );
  }, []);
  const answer = (patch: Asked) => {
    const next = { ...asked, ...patch };
    setAsked(next);
    void storage.set(ASKED_KEY, JSON.stringify({ ...earlier, ...next })).catch(() => {});
  };
  if (!inZalo() || !earlier) return null;
  const offerFollow = oaId !== "" && earlier.follow === undefined;
  const offerNotify = earlier.notify === undefined;
  if (!offerFollow && !offerNotify) return null;
  return (
    <section className="action-box stay-informed" aria-labelledby="stay-informed">
      <h3 id="stay-informed">Nhận tin báo về hồ sơ</h3>
      <p className="muted small">
        Cán bộ báo khi hồ sơ được tiếp nhận, cần bổ sung hoặc có kết quả. Để tin đến được với bạn trên Zalo:
      </p>
      {offerFollow && (
        <Ask
          answer={asked.follow}
          texts={FOLLOW_TEXT}
          label="Quan tâm Official Account"
          onAsk={async () => answer({ follow: await followOA(oaId) })}
        />
      )}
      {offerNotify && (
        <Ask
          answer={asked.notify}
          texts={NOTIFY_TEXT}
          label="Cho phép nhận thông báo"
          onAsk={async () => answer({ notify: await requestNotifications() })}
        />
      )}
    </section>
  );
}

/** One ask: its button until answered, then what the answer means. */
function Ask(props: {
  answer: AskResult | undefined;
  texts: Record<AskResult, string>;
  label: string;
  onAsk: () => Promise<void>;
}) {
  if (props.answer) {
    return (
      <p className={props.answer === "yes" ? "notice notice--ok" : "notice"} role="status">
        {props.texts[props.answer]}
      </p>
    );
  }
  return (
    <Button fullWidth variant="secondary" onClick={props.onAsk}>
      {props.label}
    </Button>
  );
}

export { FOLLOW_TEXT, NOTIFY_TEXT };
