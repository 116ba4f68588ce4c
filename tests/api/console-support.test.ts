import { randomUUID } from "node:crypto";
import { ConversationMessage, ConversationThread } from "@qn/shared";
import { HttpResponse, http } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, citizen, devOutbox, official } from "../helpers/api";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { citizenWrites } from "../helpers/webhook";
import { mockServer } from "../mocks/server";
import { fakeZaloOa, ZALO_OAUTH_URL, ZALO_OPENAPI_URL } from "../mocks/zalo-oa";

/**
 * A citizen the chatbot handed off to officials, without going through the webhook; `unitCode` is the hand-off's unit
 * (the citizen's commune), none by default: then only the province's desk handles it.
 */
async function handedOff(server: TestServer, userId: string, unitCode: string | null = null) {
  const now = new Date().toISOString();
  await server.deps.db
    .insertInto("zalo_users")
    .values({
      user_id: userId,
      followed: 1,
      last_interaction_at: now,
      handoff_requested_at: now,
      handoff_until: new Date(Date.now() + 3_600_000).toISOString(),
      handoff_unit_code: unitCode,
    })
    .execute();
}

const messages = (userId: string) => `/api/officials/conversations/${encodeURIComponent(userId)}/messages`;

async function storedReplies(server: TestServer, userId: string) {
  return server.deps.db
    .selectFrom("conversation_messages")
    .selectAll()
    .where("user_id", "=", userId)
    .orderBy("id")
    .execute();
}

describe("officials answer handed-off conversations (offline mode)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("when a handed-off citizen wrote and an official replies, then the thread has both sides oldest first and the reply is marked offline, not delivered", async () => {
    const user = "support-thread-1";
    await citizenWrites(server, user, "gap can bo");
    await citizenWrites(server, user, "Tôi cần hỏi về hồ sơ đất đai");
    // The citizen's commune, as a hand-off after a dossier at Hà Tu records it (tests/security/conversations-scope).
    await server.deps.db
      .updateTable("zalo_users")
      .set({ handoff_unit_code: "06652" })
      .where("user_id", "=", user)
      .execute();
    const officer = await official(server, "official", "06652");

    const sent = await call(server, "POST", messages(user), {
      token: officer.token,
      json: { text: "  Chào bạn, cán bộ phường Hà Tu xin trả lời: bạn mang theo sổ đỏ bản gốc nhé.  " },
    });
    expect(sent.status).toBe(201);
    const reply = ConversationMessage.parse(sent.body);
    expect(reply).toMatchObject({
      direction: "out",
      text: "Chào bạn, cán bộ phường Hà Tu xin trả lời: bạn mang theo sổ đỏ bản gốc nhé.",
      official: { name: expect.stringContaining("Cán bộ") },
      delivery: { status: "offline", errorCode: null },
    });
    expect(reply.delivery?.messageId).toMatch(/^offline-\d+$/);

    // It went to the developer's outbox as a consultation message, and nowhere claims to have reached Zalo.
    const outbox = await devOutbox(server, { userId: user });
    const last = outbox.body.items.at(-1);
    expect(last).toMatchObject({ channel: "cs", recipient: user });
    expect(last.payload.message.text).toBe(reply.text);
    expect((await storedReplies(server, user)).map((r) => [r.status, r.sent_at])).toEqual([["offline", null]]);

    const thread = await call(server, "GET", messages(user), { token: officer.token });
    expect(thread.status).toBe(200);
    const parsed = ConversationThread.parse(thread.body);
    expect(parsed).toMatchObject({ userId: user, handedOff: true });
    expect(parsed.items.map((m) => [m.direction, m.text])).toEqual([
      ["in", "gap can bo"],
      ["in", "Tôi cần hỏi về hồ sơ đất đai"],
      ["out", reply.text],
    ]);
    expect(parsed.items[0]).toMatchObject({ event: "user_send_text", official: null, delivery: null });

    // The most recent ones only, still oldest first.
    const recent = await call(server, "GET", `${messages(user)}?limit=2`, { token: officer.token });
    expect(recent.body.items.map((m: { text: string }) => m.text)).toEqual([
      "Tôi cần hỏi về hồ sơ đất đai",
      reply.text,
    ]);
  });

  it("when the thread's commune's officials, the province's desk and administrators reply, then each reply is recorded under their name", async () => {
    const user = "support-roles";
    await handedOff(server, user, "06652");
    for (const [role, unit] of [
      ["official", "06652"],
      ["hcc", "22"],
      ["admin", "22"],
      ["hcc", "06652"],
    ] as const) {
      const who = await official(server, role, unit);
      const res = await call(server, "POST", messages(user), {
        token: who.token,
        json: { text: `Trả lời của ${role}` },
      });
      expect(res.status).toBe(201);
    }
    const thread = await call(server, "GET", messages(user), { token: (await official(server, "hcc", "06652")).token });
    expect(thread.body.items).toHaveLength(4);
    expect(new Set(thread.body.items.map((m: ConversationMessage) => m.official?.id)).size).toBe(4);
  });

  it("when a volunteer, a citizen or nobody asks, then 403, 403 and 401, and nothing is sent", async () => {
    const user = "support-forbidden";
    await handedOff(server, user);
    const volunteer = await official(server, "volunteer", "06652");
    const citizenToken = await citizen(server, "support-citizen");
    for (const [token, status] of [
      [volunteer.token, 403],
      [citizenToken, 403],
      [undefined, 401],
    ] as const) {
      const post = await call(server, "POST", messages(user), { token, json: { text: "Xin chào" } });
      expect(post.status).toBe(status);
      expect(post.body.error.message).toMatch(/[àáảãạăâđêôơư]/);
      expect((await call(server, "GET", messages(user), { token })).status).toBe(status);
    }
    expect(await storedReplies(server, user)).toEqual([]);
  });

  it.each([
    ["an empty text", { text: "" }],
    ["only spaces", { text: "   \n " }],
    ["more than 2000 characters", { text: "a".repeat(2001) }],
    ["a number", { text: 42 }],
    ["no text", {}],
    ["an unknown field", { text: "Xin chào", to: "someone-else" }],
  ])("when the reply has %s, then 400 names the field and nothing is recorded or sent", async (_case, body) => {
    const user = `support-bad-${randomUUID().slice(0, 8)}`;
    await handedOff(server, user);
    const officer = await official(server, "hcc", "22");
    const res = await call(server, "POST", messages(user), { token: officer.token, json: body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_FAILED");
    expect(res.body.error.message).toContain("Tin nhắn không hợp lệ");
    expect(await storedReplies(server, user)).toEqual([]);
    expect((await devOutbox(server, { userId: user })).body.items).toEqual([]);
  });

  it("when the reply has exactly 2000 characters, then it is sent", async () => {
    const user = "support-long";
    await handedOff(server, user);
    const officer = await official(server, "hcc", "22");
    const res = await call(server, "POST", messages(user), { token: officer.token, json: { text: "ả".repeat(2000) } });
    expect(res.status).toBe(201);
  });

  it("when the user is unknown, never asked for an official, or the id is malformed, then 404, 404 and 400", async () => {
    const officer = await official(server, "official", "06652");
    // Wrote to the OA, but only to the bot.
    await citizenWrites(server, "support-bot-only", "hướng dẫn");
    for (const user of ["nobody-here", "support-bot-only"]) {
      const post = await call(server, "POST", messages(user), { token: officer.token, json: { text: "Xin chào" } });
      expect(post.status).toBe(404);
      expect(post.body.error.code).toBe("CONVERSATION_NOT_FOUND");
      expect((await call(server, "GET", messages(user), { token: officer.token })).status).toBe(404);
    }
    const bad = await call(server, "POST", messages("x".repeat(65)), {
      token: officer.token,
      json: { text: "Xin chào" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe("userId");
    const limit = await call(server, "GET", `${messages("support-bot-only")}?limit=0`, { token: officer.token });
    expect(limit.status).toBe(400);
  });
});

describe("officials answer handed-off conversations through Zalo (msw)", () => {
  let server: TestServer;
  let zalo: ReturnType<typeof fakeZaloOa>;
  let officer: { token: string };
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
        tokenEncryptionKey: Buffer.alloc(32, 5).toString("base64"),
        openApiUrl: ZALO_OPENAPI_URL,
        oauthUrl: ZALO_OAUTH_URL,
      },
    });
    officer = await official(server, "hcc", "22");
  });
  afterAll(async () => {
    await server.close();
  });
  const use = (...handlers: Parameters<typeof mockServer.use>) => mockServer.use(...handlers, ...zalo.handlers);

  it("when Zalo accepts the reply, then it went as a consultation message and is marked sent with Zalo's id", async () => {
    use();
    const user = "zalo-ok";
    await handedOff(server, user);
    const res = await call(server, "POST", messages(user), {
      token: officer.token,
      json: { text: "Cán bộ xin chào." },
    });
    expect(res.status).toBe(201);
    const sent = zalo.state.sent.filter((s) => s.body.recipient?.user_id === user);
    expect(sent).toEqual([
      {
        path: "/v3.0/oa/message/cs",
        token: "access-0",
        body: { recipient: { user_id: user }, message: { text: "Cán bộ xin chào." } },
      },
    ]);
    expect(res.body.delivery).toEqual({
      status: "sent",
      messageId: `m${zalo.state.sent.length}`,
      errorCode: null,
      error: null,
    });
    const [row] = await storedReplies(server, user);
    expect(row?.status).toBe("sent");
    expect(row?.sent_at).not.toBeNull();
    expect(await server.deps.db.selectFrom("dev_outbox").selectAll().execute()).toEqual([]);
  });

  it("when Zalo answers 5xx, then the official is told in Vietnamese to try later and the reply is kept as failed", async () => {
    let calls = 0;
    use(
      http.post(`${ZALO_OPENAPI_URL}/v3.0/oa/message/cs`, () => {
        calls++;
        return new HttpResponse(null, { status: 503 });
      }),
    );
    const user = "zalo-down";
    await handedOff(server, user);
    const res = await call(server, "POST", messages(user), { token: officer.token, json: { text: "Xin chào bạn." } });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe("ZALO_UNAVAILABLE");
    expect(res.body.error.message).toContain("Zalo đang gặp sự cố");
    expect(res.body.error.message).toContain("đã được lưu với trạng thái gửi thất bại");
    expect(calls).toBe(3); // the client's own retries
    const thread = await call(server, "GET", messages(user), { token: officer.token });
    expect(thread.body.items).toHaveLength(1);
    expect(thread.body.items[0]).toMatchObject({
      text: "Xin chào bạn.",
      delivery: { status: "failed", errorCode: "zalo-unavailable", messageId: null },
    });
    expect(thread.body.items[0].delivery.error).toContain("503");
  });

  it("when Zalo says the citizen is out of the window (-230), then 409 explains it and the reply is kept as failed", async () => {
    use(
      http.post(`${ZALO_OPENAPI_URL}/v3.0/oa/message/cs`, () =>
        HttpResponse.json({ error: -230, message: "User has not interacted with the OA in the last 7 days" }),
      ),
    );
    const user = "zalo-window";
    await handedOff(server, user);
    const res = await call(server, "POST", messages(user), { token: officer.token, json: { text: "Xin chào bạn." } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("ZALO_WINDOW_CLOSED");
    expect(res.body.error.message).toContain("quá 7 ngày");
    expect(res.body.error.message).toContain("đã được lưu với trạng thái gửi thất bại");
    const [row] = await storedReplies(server, user);
    expect(row).toMatchObject({ status: "failed", error_code: "window-closed", text: "Xin chào bạn." });
    expect(row?.error).toContain("7 days");
  });

  it("when Zalo refuses for another reason, then 502 names Zalo's code and the reply is kept as failed", async () => {
    use(
      http.post(`${ZALO_OPENAPI_URL}/v3.0/oa/message/cs`, () =>
        HttpResponse.json({ error: -32, message: "Request exceeds limit" }),
      ),
    );
    const user = "zalo-refused";
    await handedOff(server, user);
    const res = await call(server, "POST", messages(user), { token: officer.token, json: { text: "Xin chào bạn." } });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: "ZALO_REFUSED" });
    expect(res.body.error.message).toContain("mã lỗi -32");
    expect((await storedReplies(server, user))[0]).toMatchObject({ status: "failed", error_code: "zalo-refused" });
  });
});
