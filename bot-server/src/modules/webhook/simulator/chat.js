// The chat simulator: signs events exactly as Zalo does (docs/zalo.md §3) and posts them to the real webhook.
(async () => {
  const log = document.getElementById("log");
  // The simulator's session: the link in the server's startup log (/dev/chat#t=…). Kept in this browser so that the
  // mini-app's "chat with the OA" (which opens /dev/chat) works until the server restarts; dropped from the address.
  const TOKEN_KEY = "qn.dev-simulator-token";
  const fromLink = new URLSearchParams(location.hash.slice(1)).get("t");
  if (fromLink) {
    localStorage.setItem(TOKEN_KEY, fromLink);
    history.replaceState(null, "", location.pathname);
  }
  const session = { "X-Simulator-Token": localStorage.getItem(TOKEN_KEY) ?? "" };
  const answer = await fetch("/dev/chat/config", { headers: session });
  if (answer.status === 401) {
    localStorage.removeItem(TOKEN_KEY);
    const div = document.createElement("div");
    div.className = "msg note";
    div.textContent =
      "Cần phiên của trình mô phỏng: mở đường dẫn …/dev/chat#t=… mà máy chủ in ra khi khởi động (mỗi lần khởi động một mã mới).";
    log.append(div);
    return;
  }
  const config = await answer.json();
  const userInput = document.getElementById("user");
  const appUserInput = document.getElementById("appUser");
  let lastId = 0;

  const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
  async function post(eventName, extra) {
    const timestamp = String(Date.now());
    const userId = userInput.value.trim();
    const event = {
      app_id: config.appId,
      user_id_by_app: appUserInput.value.trim() || undefined,
      event_name: eventName,
      timestamp,
      ...extra(userId),
    };
    const raw = JSON.stringify(event);
    const digest = await crypto.subtle.digest(
      "SHA-256",
      new TextEncoder().encode(config.appId + raw + timestamp + config.oaSecretKey),
    );
    const res = await fetch("/webhooks/zalo", {
      method: "POST",
      headers: { "content-type": "application/json", "X-ZEvent-Signature": `mac=${hex(digest)}` },
      body: raw,
    });
    if (!res.ok) note(`Webhook trả lỗi ${res.status}`);
  }
  function add(kind, text) {
    const div = document.createElement("div");
    div.className = `msg ${kind}`;
    div.textContent = text;
    log.append(div);
    log.scrollTop = log.scrollHeight;
    return div;
  }
  function note(text) {
    add("note", text);
  }
  function sendText(text) {
    add("me", text);
    return post("user_send_text", (id) => ({
      sender: { id },
      recipient: { id: config.oaId },
      message: { msg_id: crypto.randomUUID(), text },
    }));
  }
  function render(item) {
    const message = item.payload.plain ?? { text: item.payload.message?.text ?? JSON.stringify(item.payload) };
    const div = add("bot", message.text ?? "");
    for (const entry of message.items ?? []) {
      const el = document.createElement(entry.url ? "a" : "span");
      el.className = "item";
      if (entry.url) {
        el.href = entry.url;
        el.target = "_blank";
      }
      el.textContent = entry.title;
      if (entry.subtitle) {
        const small = document.createElement("small");
        small.textContent = entry.subtitle;
        el.append(small);
      }
      div.append(el);
    }
    if (message.buttons?.length) {
      const box = document.createElement("div");
      box.className = "buttons";
      for (const b of message.buttons) {
        const el = document.createElement(b.kind === "url" ? "a" : "button");
        el.textContent = b.title;
        if (b.kind === "url") {
          el.href = b.url;
          el.target = "_blank";
        } else if (b.kind === "query") {
          el.type = "button";
          el.addEventListener("click", () => sendText(b.payload));
        }
        box.append(el);
      }
      div.append(box);
    }
  }
  async function poll() {
    try {
      const res = await fetch(`/api/dev/outbox?userId=${encodeURIComponent(userInput.value.trim())}&after=${lastId}`, {
        headers: session,
      });
      if (res.ok) {
        for (const item of (await res.json()).items) {
          lastId = Math.max(lastId, item.id);
          render(item);
        }
      }
    } finally {
      setTimeout(poll, 700);
    }
  }
  document.getElementById("send").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = document.getElementById("text");
    const text = input.value.trim();
    if (text) sendText(text);
    input.value = "";
  });
  document.getElementById("follow").addEventListener("click", () => {
    note("Bạn đã quan tâm OA");
    post("follow", (id) => ({ oa_id: config.oaId, follower: { id }, source: "oa_profile" }));
  });
  document.getElementById("unfollow").addEventListener("click", () => {
    note("Bạn đã bỏ quan tâm OA");
    post("unfollow", (id) => ({ oa_id: config.oaId, follower: { id } }));
  });
  userInput.addEventListener("change", () => {
    lastId = 0;
    log.textContent = "";
  });
  note("Sẵn sàng. Hãy gửi một tin nhắn.");
  poll();
})();
