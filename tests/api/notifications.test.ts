import { HttpResponse, http } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, citizen, devOutbox, file, official, procedure, requiredFiles, submission, view } from "../helpers/api";
import { png } from "../helpers/files";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { mockServer } from "../mocks/server";
import { ZALO_GRAPH_URL, ZALO_USERS, zaloGraphHandlers } from "../mocks/zalo-graph";
import { fakeZaloOa, ZALO_OAUTH_URL, ZALO_OPENAPI_URL, ZALO_ZNS_URL } from "../mocks/zalo-oa";

/**
 * A citizen with a mini-app session, and the OA user linked to it (who last wrote to the OA `minutesAgo`). Offline the
 * session is a development identity; with Zalo configured it comes from signing in through the (fake) Graph API.
 */
async function citizenOnZalo(server: TestServer, id: string, minutesAgo: number | null, phone?: string) {
  let token: string;
  let appUserId: string;
  if (server.config.zalo.appSecret) {
    const accessToken = `access-token-of-${id}-0000000`;
    appUserId = `70${id.length}${Array.from(id, (c) => c.charCodeAt(0)).join("")}`.slice(0, 18);
    ZALO_USERS[accessToken] = { id: appUserId, name: "Nguyễn Văn An" };
    const login = await call(server, "POST", "/api/auth/zalo", { json: { accessToken } });
    expect(login.status).toBe(200);
    token = login.body.token;
  } else {
    token = await citizen(server, id, "Nguyễn Văn An");
    appUserId = `dev:${id}`;
  }
  const at = minutesAgo === null ? null : new Date(Date.now() - minutesAgo * 60_000).toISOString();
  await server.deps.db
    .insertInto("zalo_users")
    .values({ user_id: `oa-${id}`, app_user_id: appUserId, followed: 1, last_interaction_at: at })
    .execute();
  if (phone) {
    await server.deps.db
      .updateTable("citizens")
      .set({ phone, phone_consent_at: new Date().toISOString() })
      .where("zalo_id", "=", appUserId)
      .execute();
  }
  return token;
}

async function fileAndAccept(server: TestServer, token: string) {
  const birth = await procedure(server, "1.001193");
  const dossier = view(await file(server, token, submission(), requiredFiles(birth, png)));
  const hcc = await official(server, "hcc", "06652");
  const accepted = await call(server, "POST", `/api/officials/dossiers/${dossier.code}/actions`, {
    token: hcc.token,
    json: { action: "accept" },
  });
  expect(accepted.status).toBe(200);
  await server.deps.worker.idle();
  return dossier.code;
}

async function outboxRow(server: TestServer, code: string) {
  return server.deps.db
    .selectFrom("outbox")
    .selectAll()
    .where("payload", "like", `%${code}%`)
    .where("kind", "=", "dossier.accepted")
    .executeTakeFirstOrThrow();
}

describe("status notifications in offline mode", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("when a dossier is accepted, then the citizen gets an OA message and an inbox item, written with the change", async () => {
    const token = await citizenOnZalo(server, "notified", 5);
    const code = await fileAndAccept(server, token);
    const row = await outboxRow(server, code);
    expect(row).toMatchObject({ status: "sent", channel: "cs-offline" });
    const outbox = await devOutbox(server, { userId: "oa-notified" });
    const message = outbox.body.items.at(-1).payload.plain;
    expect(message.text).toContain(`Hồ sơ ${code} (Đăng ký khai sinh) đã được tiếp nhận`);
    expect(message.buttons[0].url).toBe(`https://zalo.me/s/test-mini-app/?dossier=${encodeURIComponent(code)}`);

    const inbox = await call(server, "GET", "/api/notifications", { token });
    expect(inbox.body).toMatchObject({ total: 1, unread: 1 });
    expect(inbox.body.items[0]).toMatchObject({ kind: "dossier.accepted", dossierCode: code, read: false });
    expect((await call(server, "POST", `/api/notifications/${inbox.body.items[0].id}/read`, { token })).status).toBe(
      204,
    );
    expect((await call(server, "GET", "/api/notifications", { token })).body.unread).toBe(0);
  });

  it("when another citizen reads notifications, then they see only their own and cannot mark others'", async () => {
    const owner = await citizenOnZalo(server, "owner-n", 5);
    await fileAndAccept(server, owner);
    const mine = (await call(server, "GET", "/api/notifications", { token: owner })).body.items[0].id;
    const stranger = await citizen(server, "stranger-n");
    expect((await call(server, "GET", "/api/notifications", { token: stranger })).body).toMatchObject({
      total: 0,
      items: [],
    });
    expect((await call(server, "POST", `/api/notifications/${mine}/read`, { token: stranger })).status).toBe(404);
    expect((await call(server, "GET", "/api/notifications")).status).toBe(401);
  });

  it("when the citizen turned Zalo messages off for that kind, then only the inbox gets it", async () => {
    const token = await citizenOnZalo(server, "quiet", 5);
    const put = await call(server, "PUT", "/api/notifications/preferences", {
      token,
      json: { "dossier.accepted": false },
    });
    expect(put.status).toBe(204);
    expect((await call(server, "GET", "/api/notifications/preferences", { token })).body).toMatchObject({
      "dossier.accepted": false,
      "dossier.done": true,
    });
    const code = await fileAndAccept(server, token);
    expect(await outboxRow(server, code)).toMatchObject({ status: "sent", channel: "inbox" });
    expect((await devOutbox(server, { userId: "oa-quiet" })).body.items).toEqual([]);
    expect((await call(server, "GET", "/api/notifications", { token })).body.total).toBe(1);
  });

  it("when a running dossier is due tomorrow or overdue, then the citizen is told once per due date", async () => {
    const token = await citizenOnZalo(server, "deadline", 5);
    const code = await fileAndAccept(server, token);
    await server.deps.db.updateTable("dossiers").set({ due_date: "2025-01-02" }).where("code", "=", code).execute();
    await server.deps.deadlines.scan();
    await server.deps.deadlines.scan();
    await server.deps.worker.idle();
    const items = (await call(server, "GET", "/api/notifications", { token })).body.items;
    expect(items.filter((i: { kind: string }) => i.kind === "dossier.overdue")).toHaveLength(1);
  });
});

describe("status notifications against Zalo (msw)", () => {
  let server: TestServer;
  let zalo: ReturnType<typeof fakeZaloOa>;
  beforeAll(async () => {
    zalo = fakeZaloOa({ access: "access-0", refresh: "refresh-0" });
    mockServer.use(...zalo.handlers);
    server = await startTestServer({
      zalo: {
        appId: "4291763606161179100",
        appSecret: "app-secret",
        oaSecretKey: "oa-secret",
        oaAccessToken: "access-0",
        oaRefreshToken: "refresh-0",
        tokenEncryptionKey: Buffer.alloc(32, 3).toString("base64"),
        openApiUrl: ZALO_OPENAPI_URL,
        oauthUrl: ZALO_OAUTH_URL,
        znsUrl: ZALO_ZNS_URL,
        graphUrl: ZALO_GRAPH_URL,
      },
      znsTemplates: {
        "dossier.accepted": {
          templateId: "231456",
          params: { ma_ho_so: "code", ten_thu_tuc: "procedureName", han_tra: "dueDate" },
        },
      },
    });
  });
  afterAll(async () => {
    await server.close();
  });
  // Every test declares the Zalo it talks to.
  const use = (...handlers: Parameters<typeof mockServer.use>) =>
    mockServer.use(...handlers, ...zalo.handlers, ...zaloGraphHandlers);

  it("when the citizen wrote recently, then an OA consultation message reaches Zalo", async () => {
    use();
    const token = await citizenOnZalo(server, "recent", 10, "0912345678");
    const code = await fileAndAccept(server, token);
    expect(await outboxRow(server, code)).toMatchObject({ status: "sent", channel: "cs" });
    const sent = zalo.state.sent.filter((s) => s.body.recipient?.user_id === "oa-recent");
    expect(sent).toHaveLength(1);
    expect(sent[0]?.path).toBe("/v3.0/oa/message/cs");
  });

  it("when Zalo says the window is closed (-230), then the ZNS template goes to the consented phone with a tracking id", async () => {
    use(
      http.post(`${ZALO_OPENAPI_URL}/v3.0/oa/message/cs`, () =>
        HttpResponse.json({ error: -230, message: "not interacted" }),
      ),
    );
    const token = await citizenOnZalo(server, "window", 30, "0987654321");
    const code = await fileAndAccept(server, token);
    const row = await outboxRow(server, code);
    expect(row).toMatchObject({ status: "sent", channel: "zns" });
    const zns = zalo.state.sent.filter((s) => s.path === "/message/template" && s.body.phone === "84987654321");
    expect(zns).toHaveLength(1);
    expect(zns[0]?.body).toMatchObject({
      template_id: "231456",
      tracking_id: row.idempotency_key,
      template_data: { ma_ho_so: code, ten_thu_tuc: "Đăng ký khai sinh" },
    });
    const attempts = await server.deps.db
      .selectFrom("delivery_attempts")
      .select(["channel", "outcome"])
      .where("outbox_id", "=", row.id)
      .orderBy("id")
      .execute();
    expect(attempts).toEqual([
      { channel: "cs", outcome: "window-closed" },
      { channel: "zns", outcome: "sent" },
    ]);
  });

  it("when the citizen never wrote to the OA and ZNS refuses (4xx), then no retry: the inbox keeps the notification", async () => {
    let znsCalls = 0;
    use(
      http.post(`${ZALO_ZNS_URL}/message/template`, () => {
        znsCalls++;
        return HttpResponse.json({ error: -124, message: "Template not found" });
      }),
    );
    const token = await citizenOnZalo(server, "no-window", null, "0911222333");
    const code = await fileAndAccept(server, token);
    expect(await outboxRow(server, code)).toMatchObject({ status: "sent", channel: "inbox" });
    expect(znsCalls).toBe(1);
    expect((await call(server, "GET", "/api/notifications", { token })).body.total).toBe(1);
  });

  it("when Zalo answers 5xx, then the row waits for a later attempt, and goes out when Zalo is back", async () => {
    let calls = 0;
    use(
      http.post(`${ZALO_OPENAPI_URL}/v3.0/oa/message/cs`, () => {
        calls++;
        return new HttpResponse(null, { status: 503 });
      }),
    );
    const token = await citizenOnZalo(server, "flaky", 3);
    const code = await fileAndAccept(server, token);
    const waiting = await outboxRow(server, code);
    expect(waiting).toMatchObject({ status: "pending", attempts: 1 });
    expect(waiting.last_error).toContain("503");
    expect(Date.parse(waiting.next_attempt_at)).toBeGreaterThan(Date.now());
    expect(calls).toBe(3); // the client's own three attempts
    // Zalo is back; the retry time has come.
    mockServer.resetHandlers(...zalo.handlers, ...zaloGraphHandlers);
    await server.deps.db
      .updateTable("outbox")
      .set({ next_attempt_at: new Date().toISOString() })
      .where("id", "=", waiting.id)
      .execute();
    server.deps.worker.kick();
    await server.deps.worker.idle();
    expect(await outboxRow(server, code)).toMatchObject({ status: "sent", channel: "cs", attempts: 2 });
  });
});

describe("announcements", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    const users = Array.from({ length: 30 }, (_, i) => ({
      user_id: `follower-${String(i).padStart(2, "0")}`,
      app_user_id: null,
      followed: i < 28 ? 1 : 0,
      last_interaction_at: new Date().toISOString(),
    }));
    await server.deps.db.insertInto("zalo_users").values(users).execute();
    await server.deps.db
      .insertInto("subscriptions")
      .values([
        { user_id: "follower-00", kind: "commune", value: "06652", created_at: new Date().toISOString() },
        { user_id: "follower-01", kind: "commune", value: "06652", created_at: new Date().toISOString() },
        { user_id: "follower-02", kind: "commune", value: "06658", created_at: new Date().toISOString() },
        { user_id: "follower-29", kind: "commune", value: "06652", created_at: new Date().toISOString() },
      ])
      .execute();
  });
  afterAll(async () => {
    await server.close();
  });

  const input = {
    title: "Lịch nghỉ Tết Nguyên đán 2027",
    body: "Bộ phận một cửa nghỉ Tết từ 04/02 đến 10/02/2027; hồ sơ nộp trực tuyến vẫn được tiếp nhận.",
    link: "https://dichvucong.quangninh.gov.vn",
  };

  it("when an official composes, a second one approves and it is sent, then every follower gets it once and unfollowers are skipped", async () => {
    const author = await official(server, "official", "22");
    const second = await official(server, "hcc", "22");
    const created = await call(server, "POST", "/api/officials/announcements", {
      token: author.token,
      json: { ...input, audience: { kind: "all" } },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const preview = await call(server, "GET", `/api/officials/announcements/${id}/preview`, { token: author.token });
    expect(preview.body.recipients).toBe(28);
    expect(preview.body.zalo.attachment.payload.buttons[0]).toMatchObject({
      type: "oa.open.url",
      title: "Xem chi tiết",
    });

    // Not approved yet: it cannot be sent; the author cannot approve their own announcement.
    expect(
      (await call(server, "POST", `/api/officials/announcements/${id}/send`, { token: author.token, json: {} })).status,
    ).toBe(409);
    expect(
      (await call(server, "POST", `/api/officials/announcements/${id}/submit`, { token: author.token })).body.status,
    ).toBe("pending_approval");
    expect(
      (await call(server, "POST", `/api/officials/announcements/${id}/approve`, { token: author.token })).status,
    ).toBe(403);
    expect(
      (await call(server, "POST", `/api/officials/announcements/${id}/approve`, { token: second.token })).body.status,
    ).toBe("approved");

    // Delivery is held back so that a follower can unfollow between the fan-out and the delivery.
    await server.deps.worker.stop();
    await call(server, "POST", `/api/officials/announcements/${id}/send`, { token: author.token, json: {} });
    server.deps.announcements.kick();
    await server.deps.announcements.idle();
    await server.deps.db.updateTable("zalo_users").set({ followed: 0 }).where("user_id", "=", "follower-27").execute();
    server.deps.worker.start();
    await server.deps.worker.idle();
    server.deps.announcements.kick();
    await server.deps.announcements.idle();

    const done = await call(server, "GET", `/api/officials/announcements/${id}`, { token: author.token });
    expect(done.body.status).toBe("completed");
    expect(done.body.progress).toMatchObject({ total: 28, sent: 27, skipped: 1, queued: 0, failed: 0 });
    const outbox = await devOutbox(server);
    const recipients = outbox.body.items
      .filter((i: { channel: string }) => i.channel === "promotion")
      .map((i: { recipient: string }) => i.recipient);
    expect(new Set(recipients).size).toBe(recipients.length);
    expect(recipients).toHaveLength(27);
    expect(recipients).not.toContain("follower-28");

    const feed = await call(server, "GET", "/api/announcements");
    expect(feed.body.items[0]).toMatchObject({ title: input.title, link: input.link });
  });

  it("when the audience is a commune, then only its subscribers who still follow get it", async () => {
    const author = await official(server, "official", "22");
    const admin = await official(server, "admin", "22");
    const id = (
      await call(server, "POST", "/api/officials/announcements", {
        token: author.token,
        json: { ...input, title: "Phường Hà Tu: lịch tiếp công dân", audience: { kind: "commune", values: ["06652"] } },
      })
    ).body.id;
    await call(server, "POST", `/api/officials/announcements/${id}/submit`, { token: author.token });
    await call(server, "POST", `/api/officials/announcements/${id}/approve`, { token: admin.token });
    await call(server, "POST", `/api/officials/announcements/${id}/send`, { token: author.token, json: {} });
    server.deps.announcements.kick();
    await server.deps.announcements.idle();
    await server.deps.worker.idle();
    const progress = (await call(server, "GET", `/api/officials/announcements/${id}/progress`, { token: author.token }))
      .body;
    expect(progress).toMatchObject({ total: 2, sent: 2 });
  });

  it("when a scheduled announcement is paused, resumed or cancelled, then its queued messages follow", async () => {
    const author = await official(server, "official", "22");
    const admin = await official(server, "admin", "22");
    const id = (
      await call(server, "POST", "/api/officials/announcements", {
        token: author.token,
        json: { ...input, title: "Thông báo hẹn giờ", audience: { kind: "all" } },
      })
    ).body.id;
    await call(server, "POST", `/api/officials/announcements/${id}/submit`, { token: author.token });
    await call(server, "POST", `/api/officials/announcements/${id}/approve`, { token: admin.token });
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const scheduled = await call(server, "POST", `/api/officials/announcements/${id}/send`, {
      token: author.token,
      json: { at: later },
    });
    expect(scheduled.body).toMatchObject({ status: "scheduled", scheduledAt: later });
    server.deps.announcements.kick();
    await server.deps.announcements.idle();
    expect(
      (await call(server, "GET", `/api/officials/announcements/${id}/progress`, { token: author.token })).body.total,
    ).toBe(0);
    expect(
      (await call(server, "POST", `/api/officials/announcements/${id}/pause`, { token: author.token })).body.status,
    ).toBe("paused");
    expect(
      (await call(server, "POST", `/api/officials/announcements/${id}/resume`, { token: author.token })).body.status,
    ).toBe("scheduled");
    expect(
      (await call(server, "POST", `/api/officials/announcements/${id}/cancel`, { token: author.token })).body.status,
    ).toBe("cancelled");
    expect(
      (await call(server, "POST", `/api/officials/announcements/${id}/resume`, { token: author.token })).status,
    ).toBe(409);
  });

  it("when the input is bad or a volunteer tries, then 400 names the field and 403 refuses", async () => {
    const author = await official(server, "official", "22");
    const bad = await call(server, "POST", "/api/officials/announcements", {
      token: author.token,
      json: { ...input, link: "http://not-https.example", audience: { kind: "commune", values: [] } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(["audience.values", "link"]);
    const volunteer = await official(server, "volunteer", "06652");
    expect(
      (
        await call(server, "POST", "/api/officials/announcements", {
          token: volunteer.token,
          json: { ...input, audience: { kind: "all" } },
        })
      ).status,
    ).toBe(403);
  });
});
