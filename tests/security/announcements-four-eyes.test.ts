import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Call, call, official } from "../helpers/api";
import { startTestServer, type TestServer } from "../helpers/test-server";

/**
 * Issue 13, finding 2: an announcement reaches every follower of the OA, so one person alone must not be able to
 * publish one. Only the author or the author's unit edits; an edit after submission needs a new approval; the approver
 * is none of the editors; a commune reaches its own subscribers only (province-wide needs a province role); every
 * edit is recorded.
 */
describe("announcements: the four-eyes rule", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const HA_TU = "06652";
  const BAI_CHAY = "06673";
  const text = {
    title: "Lịch tiếp công dân tháng 12",
    body: "Bộ phận một cửa phường Hà Tu tiếp công dân vào sáng thứ Bảy hằng tuần, từ 7 giờ 30 đến 11 giờ 30.",
  };
  const haTu = { kind: "commune", values: [HA_TU] };

  type Who = { token: string; id: number };
  async function who(role: "official" | "hcc" | "admin", unit: string): Promise<Who> {
    const { token, username } = await official(server, role, unit);
    const row = await server.deps.db
      .selectFrom("officials")
      .select("id")
      .where("username", "=", username)
      .executeTakeFirstOrThrow();
    return { token, id: row.id };
  }
  const at = (id: number, step = "") => `/api/officials/announcements/${id}${step ? `/${step}` : ""}`;
  const stored = (id: number) =>
    server.deps.db.selectFrom("announcements").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  async function draft(author: Who, audience: unknown = haTu): Promise<number> {
    const res = await call(server, "POST", "/api/officials/announcements", {
      token: author.token,
      json: { ...text, audience },
    });
    expect(res.status).toBe(201);
    return res.body.id;
  }
  function refused(res: Call) {
    expect([403, 404]).toContain(res.status);
    expect(res.body.error.message).toMatch(/[àáảãạăâđêôơư]/);
  }

  it("when an official of another commune edits, submits, approves, sends or cancels someone's announcement, then each is refused and nothing changes", async () => {
    const author = await who("official", HA_TU);
    const stranger = await who("official", BAI_CHAY);
    const id = await draft(author);

    const edit = await call(server, "PUT", at(id), {
      token: stranger.token,
      json: { ...text, title: "Thông báo của người khác", audience: { kind: "all" } },
    });
    expect(edit.status).toBe(404);
    refused(await call(server, "POST", at(id, "submit"), { token: stranger.token }));
    expect(await stored(id)).toMatchObject({ title: text.title, status: "draft", audience: JSON.stringify(haTu) });

    expect((await call(server, "POST", at(id, "submit"), { token: author.token })).body.status).toBe(
      "pending_approval",
    );
    refused(await call(server, "POST", at(id, "approve"), { token: stranger.token }));
    expect((await stored(id)).status).toBe("pending_approval");
    refused(await call(server, "POST", at(id, "cancel"), { token: stranger.token }));
    expect((await stored(id)).status).toBe("pending_approval");

    const colleague = await who("hcc", HA_TU);
    expect((await call(server, "POST", at(id, "approve"), { token: colleague.token })).body.status).toBe("approved");
    refused(await call(server, "POST", at(id, "send"), { token: stranger.token, json: {} }));
    expect((await stored(id)).status).toBe("approved");
    // It is not theirs to read either: the answer does not say it exists.
    expect((await call(server, "GET", at(id), { token: stranger.token })).status).toBe(404);
    const list = await call(server, "GET", "/api/officials/announcements", { token: stranger.token });
    expect(list.body.items.map((a: { id: number }) => a.id)).not.toContain(id);
  });

  it("when a colleague of the author's unit edits the draft, then that colleague cannot approve it and a third person must", async () => {
    const author = await who("official", HA_TU);
    const editor = await who("hcc", HA_TU);
    const id = await draft(author);
    const edited = await call(server, "PUT", at(id), {
      token: editor.token,
      json: { ...text, body: `${text.body} Mang theo căn cước.`, audience: haTu },
    });
    expect(edited.status).toBe(200);
    await call(server, "POST", at(id, "submit"), { token: author.token });

    const own = await call(server, "POST", at(id, "approve"), { token: editor.token });
    expect(own.status).toBe(403);
    expect(own.body.error.message).toMatch(/đã soạn hoặc sửa/);
    expect((await call(server, "POST", at(id, "approve"), { token: author.token })).status).toBe(403);
    expect(await stored(id)).toMatchObject({ status: "pending_approval", approved_by: null });

    const third = await who("official", HA_TU);
    expect((await call(server, "POST", at(id, "approve"), { token: third.token })).body.status).toBe("approved");
  });

  it("when an administrator writes an announcement, then the administrator cannot approve it either", async () => {
    const admin = await who("admin", "22");
    const id = await draft(admin, { kind: "all" });
    await call(server, "POST", at(id, "submit"), { token: admin.token });
    expect((await call(server, "POST", at(id, "approve"), { token: admin.token })).status).toBe(403);
    expect((await stored(id)).status).toBe("pending_approval");
  });

  it("when an announcement is edited after submission or approval, then it is a draft again and needs a new approval", async () => {
    const author = await who("official", HA_TU);
    const approver = await who("hcc", HA_TU);
    const id = await draft(author);
    await call(server, "POST", at(id, "submit"), { token: author.token });

    const whilePending = await call(server, "PUT", at(id), {
      token: author.token,
      json: { ...text, title: "Lịch tiếp công dân tháng 12 (sửa)", audience: haTu },
    });
    expect(whilePending.status).toBe(200);
    expect(whilePending.body.status).toBe("draft");

    await call(server, "POST", at(id, "submit"), { token: author.token });
    expect((await call(server, "POST", at(id, "approve"), { token: approver.token })).body.status).toBe("approved");
    const afterApproval = await call(server, "PUT", at(id), {
      token: author.token,
      json: { ...text, title: "Thông báo đã đổi sau khi duyệt", audience: haTu },
    });
    expect(afterApproval.status).toBe(200);
    expect(afterApproval.body).toMatchObject({ status: "draft", approvedBy: null });
    // The approved text is not what goes out: sending waits for a new approval.
    expect((await call(server, "POST", at(id, "send"), { token: author.token, json: {} })).status).toBe(409);
    expect(await stored(id)).toMatchObject({
      status: "draft",
      approved_by: null,
      title: "Thông báo đã đổi sau khi duyệt",
    });
  });

  it.each([
    ["everyone", { kind: "all" }],
    ["another commune", { kind: "commune", values: [BAI_CHAY] }],
    ["its own and another commune", { kind: "commune", values: [HA_TU, BAI_CHAY] }],
    ["a topic (subscribers across the province)", { kind: "topic", values: ["lich-lam-viec"] }],
  ])("when a commune's official targets %s, then 403 and nothing is stored", async (_case, audience) => {
    const author = await who("official", HA_TU);
    const before = await server.deps.db
      .selectFrom("announcements")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const res = await call(server, "POST", "/api/officials/announcements", {
      token: author.token,
      json: { ...text, audience },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/cấp tỉnh/);
    const after = await server.deps.db
      .selectFrom("announcements")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));

    // Nor can a draft of its own commune be widened by an edit.
    const id = await draft(author);
    expect((await call(server, "PUT", at(id), { token: author.token, json: { ...text, audience } })).status).toBe(403);
    expect((await stored(id)).audience).toBe(JSON.stringify(haTu));
  });

  it("when the province's centre writes to everyone, a commune's official may not approve it, the centre's second officer may", async () => {
    const author = await who("official", "22");
    const id = await draft(author, { kind: "all" });
    await call(server, "POST", at(id, "submit"), { token: author.token });
    refused(await call(server, "POST", at(id, "approve"), { token: (await who("hcc", HA_TU)).token }));
    expect((await call(server, "POST", at(id, "approve"), { token: (await who("hcc", "22")).token })).body.status).toBe(
      "approved",
    );
  });

  it("when a commune's announcement is going out, then the province's centre may cancel it, another commune may not", async () => {
    const author = await who("official", HA_TU);
    const id = await draft(author);
    await call(server, "POST", at(id, "submit"), { token: author.token });
    await call(server, "POST", at(id, "approve"), { token: (await who("hcc", HA_TU)).token });
    const later = new Date(Date.now() + 3_600_000).toISOString();
    expect((await call(server, "POST", at(id, "send"), { token: author.token, json: { at: later } })).status).toBe(200);
    refused(await call(server, "POST", at(id, "cancel"), { token: (await who("hcc", BAI_CHAY)).token }));
    expect((await stored(id)).status).toBe("scheduled");
    const centre = await who("hcc", "22");
    expect((await call(server, "POST", at(id, "cancel"), { token: centre.token })).body.status).toBe("cancelled");
  });

  it("when an announcement is written, edited, submitted and approved, then its history says who changed what, and when", async () => {
    const author = await who("official", HA_TU);
    const editor = await who("hcc", HA_TU);
    const approver = await who("official", HA_TU);
    const id = await draft(author);
    await call(server, "PUT", at(id), {
      token: editor.token,
      json: { ...text, title: "Lịch tiếp công dân tháng 12/2026", audience: haTu },
    });
    await call(server, "POST", at(id, "submit"), { token: author.token });
    await call(server, "POST", at(id, "approve"), { token: approver.token });

    const history = await call(server, "GET", at(id, "history"), { token: author.token });
    expect(history.status).toBe(200);
    expect(
      history.body.items.map((h: { action: string; official: { id: number } }) => [h.action, h.official.id]),
    ).toEqual([
      ["create", author.id],
      ["update", editor.id],
      ["submit", author.id],
      ["approve", approver.id],
    ]);
    const update = history.body.items[1];
    expect(update.changes).toEqual([{ field: "title", before: text.title, after: "Lịch tiếp công dân tháng 12/2026" }]);
    expect(update).toMatchObject({ fromStatus: "draft", toStatus: "draft" });
    expect(Date.parse(update.at)).not.toBeNaN();
    expect((await call(server, "GET", at(id), { token: author.token })).body.editors.sort()).toEqual(
      [author.id, editor.id].sort(),
    );
  });
});
