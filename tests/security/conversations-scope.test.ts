import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, citizen, file, official, procedure, requiredFiles, submission } from "../helpers/api";
import { png } from "../helpers/files";
import { startTestServer, type TestServer } from "../helpers/test-server";
import { citizenWrites } from "../helpers/webhook";

/**
 * Issue 13, finding 8: what citizens write to officials (a CCCD number, an address, a complaint) is read by the
 * officials of the citizen's commune, by the official the hand-off is assigned to, and by the province's support desk
 * (the provincial centre, administrators) — not by every official of every unit.
 */
describe("support conversations are scoped to the citizen's commune", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const HA_TU = "06652";
  const BAI_CHAY = "06673";
  const path = (userId: string, step = "messages") =>
    `/api/officials/conversations/${encodeURIComponent(userId)}${step ? `/${step}` : ""}`;
  const waiting = async (token: string) =>
    (await call(server, "GET", "/api/officials/conversations", { token })).body.items.map(
      (c: { userId: string }) => c.userId,
    );
  const replies = (userId: string) =>
    server.deps.db.selectFrom("conversation_messages").selectAll().where("user_id", "=", userId).execute();
  /** What the offline messenger wrote for this citizen (nothing reaches Zalo in offline mode). */
  const outbox = (userId: string) =>
    server.deps.db.selectFrom("dev_outbox").selectAll().where("recipient", "=", userId).execute();

  /** A citizen who filed a birth registration at phường Hà Tu in the mini-app, then asks the OA for an official. */
  async function haTuCitizenAsks(userId: string) {
    const appUserId = `app-${userId}`;
    const token = await citizen(server, appUserId);
    const birth = await procedure(server, "1.001193");
    const filed = await file(
      server,
      token,
      submission(),
      requiredFiles(birth, () => png(200)),
    );
    expect(filed.status).toBe(201);
    await citizenWrites(server, userId, "cho tôi gặp cán bộ", { appUserId: `dev:${appUserId}` });
    await citizenWrites(server, userId, "Số căn cước của tôi là 022090001234, hồ sơ khai sinh đến đâu rồi ạ?", {
      appUserId: `dev:${appUserId}`,
    });
  }

  it("when a Hà Tu citizen asks for an official, then Bãi Cháy's officials neither list, read, answer nor release the thread", async () => {
    const user = "scope-hatu-1";
    await haTuCitizenAsks(user);
    const stranger = await official(server, "hcc", BAI_CHAY);

    expect(await waiting(stranger.token)).not.toContain(user);
    const read = await call(server, "GET", path(user), { token: stranger.token });
    expect(read.status).toBe(404);
    expect(read.body.error.code).toBe("CONVERSATION_NOT_FOUND");
    expect(JSON.stringify(read.body)).not.toContain("022090001234");

    const reply = await call(server, "POST", path(user), { token: stranger.token, json: { text: "Xin chào" } });
    expect(reply.status).toBe(404);
    expect(await replies(user)).toEqual([]);
    expect((await outbox(user)).some((o) => o.payload.includes("Xin chào"))).toBe(false);

    expect((await call(server, "POST", path(user, "release"), { token: stranger.token })).status).toBe(404);
    const row = await server.deps.db
      .selectFrom("zalo_users")
      .select("handoff_until")
      .where("user_id", "=", user)
      .executeTakeFirstOrThrow();
    expect(Date.parse(row.handoff_until ?? "")).toBeGreaterThan(Date.now());
  });

  it("when a Hà Tu citizen asks for an official, then Hà Tu's officials and the province's desk list, read and answer it", async () => {
    const user = "scope-hatu-2";
    await haTuCitizenAsks(user);
    for (const [role, unit] of [
      ["official", HA_TU],
      ["hcc", HA_TU],
      ["hcc", "22"],
      ["admin", "22"],
    ] as const) {
      const who = await official(server, role, unit);
      expect(await waiting(who.token)).toContain(user);
      const read = await call(server, "GET", path(user), { token: who.token });
      expect(read.status).toBe(200);
      expect(read.body.unit).toMatchObject({ code: HA_TU });
      const sent = await call(server, "POST", path(user), { token: who.token, json: { text: `Trả lời của ${role}` } });
      expect(sent.status).toBe(201);
    }
    expect(await replies(user)).toHaveLength(4);
  });

  it("when the citizen's commune is not known, then only the province's desk sees the thread", async () => {
    const user = "scope-unknown";
    await citizenWrites(server, user, "gặp cán bộ");
    const commune = await official(server, "official", HA_TU);
    expect(await waiting(commune.token)).not.toContain(user);
    expect((await call(server, "GET", path(user), { token: commune.token })).status).toBe(404);
    const desk = await official(server, "official", "22");
    expect(await waiting(desk.token)).toContain(user);
    expect((await call(server, "GET", path(user), { token: desk.token })).body.unit).toMatchObject({ code: "22" });
  });

  it("when the citizen subscribed to Bãi Cháy's news, then Bãi Cháy's officials see the thread and Hà Tu's do not", async () => {
    const user = "scope-subscribed";
    await citizenWrites(server, user, "đăng ký nhận tin phường Bãi Cháy");
    await citizenWrites(server, user, "gặp cán bộ");
    expect(await waiting((await official(server, "official", BAI_CHAY)).token)).toContain(user);
    expect(await waiting((await official(server, "official", HA_TU)).token)).not.toContain(user);
  });

  it("when the province's desk assigns a thread to a Bãi Cháy officer, then that officer reads and answers it, and Hà Tu's no longer do", async () => {
    const user = "scope-assigned";
    await haTuCitizenAsks(user);
    const desk = await official(server, "hcc", "22");
    const assignee = await official(server, "official", BAI_CHAY);
    const assigneeId = (
      await server.deps.db
        .selectFrom("officials")
        .select("id")
        .where("username", "=", assignee.username)
        .executeTakeFirstOrThrow()
    ).id;
    const haTu = await official(server, "official", HA_TU);

    // A commune that does not see the thread cannot route it to itself.
    const grab = await call(server, "POST", path(user, "assign"), {
      token: (await official(server, "official", BAI_CHAY)).token,
      json: { officialId: assigneeId },
    });
    expect(grab.status).toBe(404);

    const assigned = await call(server, "POST", path(user, "assign"), {
      token: desk.token,
      json: { officialId: assigneeId },
    });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ unit: { code: BAI_CHAY }, assignee: { id: assigneeId } });

    expect(await waiting(assignee.token)).toContain(user);
    expect(
      (await call(server, "POST", path(user), { token: assignee.token, json: { text: "Tôi hỗ trợ bạn" } })).status,
    ).toBe(201);
    expect(await waiting(haTu.token)).not.toContain(user);
    expect((await call(server, "GET", path(user), { token: haTu.token })).status).toBe(404);

    // Once that hand-off is over, the citizen's next one is their commune's again, not the former assignee's.
    expect((await call(server, "POST", path(user, "release"), { token: assignee.token })).status).toBe(204);
    await citizenWrites(server, user, "cho tôi gặp cán bộ", { appUserId: `dev:app-${user}` });
    expect(await waiting(haTu.token)).toContain(user);
    expect(await waiting(assignee.token)).not.toContain(user);
    expect((await call(server, "GET", path(user), { token: assignee.token })).status).toBe(404);
  });
});
