import {
  CATALOGUE_MEDIA_TYPE,
  CatalogueImportReport,
  OfficialAccount,
  ReceivingUnitView,
  ZnsTemplateSetting,
} from "@qn/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadStarterCatalogue } from "../../bot-server/src/modules/procedures/starter-catalogue";
import { procedure as fixture } from "../../bot-server/test/fixtures";
import { type Call, call, citizen, file, official, procedure, requiredFiles, submission, view } from "../helpers/api";
import { png } from "../helpers/files";
import { startTestServer, type TestServer } from "../helpers/test-server";

const PASSWORD = "mat-khau-that-dai-123";

async function idOf(server: TestServer, username: string): Promise<number> {
  const row = await server.deps.db
    .selectFrom("officials")
    .select("id")
    .where("username", "=", username)
    .executeTakeFirstOrThrow();
  return row.id;
}

async function login(server: TestServer, username: string, password = PASSWORD): Promise<Call> {
  return call(server, "POST", "/api/officials/login", { json: { username, password } });
}

/** Sends a body as it is (the media type and size are what is tested). */
async function raw(server: TestServer, path: string, token: string | undefined, type: string, body: string) {
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  const result: Call = { status: res.status, body: await res.json() };
  return result;
}

let server: TestServer;
let admin: { token: string; username: string };
beforeAll(async () => {
  server = await startTestServer({
    // One kind configured in the environment, as ZNS_TEMPLATES would.
    znsTemplates: {
      "dossier.accepted": { templateId: "111111", params: { ma_ho_so: "code", ten_thu_tuc: "procedureName" } },
    },
  });
  admin = await official(server, "admin", "22");
});
afterAll(async () => {
  await server.close();
});

describe("who may use the administration API", () => {
  const endpoints: [string, string, unknown][] = [
    ["PATCH", "/api/admin/officials/1", { name: "Tên Mới" }],
    ["POST", "/api/admin/officials/1/password", { password: "mot-mat-khau-moi-dai" }],
    ["GET", "/api/admin/units", undefined],
    ["POST", "/api/admin/catalogue/import", { procedures: [fixture("1.009999", "Thủ tục thử")], dryRun: true }],
    ["GET", "/api/admin/zalo-templates", undefined],
    ["PUT", "/api/admin/zalo-templates", { templates: {} }],
  ];

  it.each(endpoints)(
    "when an official, a one-stop officer, a volunteer or a citizen calls %s %s, then 403; without a session 401",
    async (method, path, json) => {
      const callers = [
        await official(server, "official", "06652"),
        await official(server, "hcc", "22"),
        await official(server, "volunteer", "06652"),
      ].map((o) => o.token);
      callers.push(await citizen(server, `admin-probe-${method}-${path.length}`));
      for (const token of callers) {
        const res = await call(server, method, path, { token, json });
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe("FORBIDDEN");
      }
      expect((await call(server, method, path, { json })).status).toBe(401);
    },
  );

  it("when a non-administrator sends a large catalogue, then 403 before the body is read", async () => {
    const officer = await official(server, "official", "06652");
    const big = JSON.stringify({ procedures: loadStarterCatalogue().records, dryRun: true });
    const res = await raw(server, "/api/admin/catalogue/import", officer.token, CATALOGUE_MEDIA_TYPE, big);
    expect(res.status).toBe(403);
  });
});

describe("PATCH /api/admin/officials/:id", () => {
  it("when an administrator changes name, role and unit, then the account and the official's own view follow at once", async () => {
    const officer = await official(server, "official", "06652");
    const id = await idOf(server, officer.username);
    const res = await call(server, "PATCH", `/api/admin/officials/${id}`, {
      token: admin.token,
      json: { name: "  Trần Thị Bích Hạnh ", role: "hcc", unitCode: "22" },
    });
    expect(res.status).toBe(200);
    expect(OfficialAccount.parse(res.body)).toEqual({
      id,
      username: officer.username,
      name: "Trần Thị Bích Hạnh",
      role: "hcc",
      unitCode: "22",
      active: true,
      failedLogins: 0,
    });
    const me = await call(server, "GET", "/api/officials/me", { token: officer.token });
    expect(me.body).toMatchObject({ name: "Trần Thị Bích Hạnh", role: "hcc", unitCode: "22" });
    const list = await call(server, "GET", "/api/admin/officials", { token: admin.token });
    expect(list.body.items.find((o: OfficialAccount) => o.id === id)).toEqual(res.body);
  });

  it("when an account is deactivated, then its sessions end and it cannot sign in until reactivated", async () => {
    const officer = await official(server, "hcc", "06652");
    const id = await idOf(server, officer.username);
    const second = (await login(server, officer.username)).body.token as string;

    const off = await call(server, "PATCH", `/api/admin/officials/${id}`, {
      token: admin.token,
      json: { active: false },
    });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    for (const token of [officer.token, second]) {
      expect((await call(server, "GET", "/api/officials/me", { token })).status).toBe(401);
    }
    const sessions = await server.deps.db
      .selectFrom("sessions")
      .select("revoked_at")
      .where("subject_kind", "=", "official")
      .where("subject_id", "=", id)
      .execute();
    expect(sessions).toHaveLength(2);
    expect(sessions.every((s) => s.revoked_at !== null)).toBe(true);
    expect((await login(server, officer.username)).status).toBe(401);

    const on = await call(server, "PATCH", `/api/admin/officials/${id}`, {
      token: admin.token,
      json: { active: true },
    });
    expect(on.body.active).toBe(true);
    expect((await login(server, officer.username)).status).toBe(200);
    // Ended sessions stay ended.
    expect((await call(server, "GET", "/api/officials/me", { token: officer.token })).status).toBe(401);
  });

  it("when administrators try to deactivate or demote themselves, then 409 and nothing changes; other changes to their own account work", async () => {
    const self = await official(server, "admin", "22");
    const id = await idOf(server, self.username);
    for (const json of [{ active: false }, { role: "official" }, { role: "hcc", name: "Ai Đó" }]) {
      const res = await call(server, "PATCH", `/api/admin/officials/${id}`, { token: self.token, json });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("OWN_ACCOUNT_PROTECTED");
      expect(res.body.error.message).toContain("không thể tự khóa hoặc tự hạ quyền");
    }
    const renamed = await call(server, "PATCH", `/api/admin/officials/${id}`, {
      token: self.token,
      json: { name: "Quản Trị Viên", role: "admin", unitCode: "06652", active: true },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: "Quản Trị Viên", role: "admin", unitCode: "06652", active: true });
    expect((await call(server, "GET", "/api/officials/me", { token: self.token })).status).toBe(200);

    // Another administrator may demote them.
    const demoted = await call(server, "PATCH", `/api/admin/officials/${id}`, {
      token: admin.token,
      json: { role: "official" },
    });
    expect(demoted.body.role).toBe("official");
    expect((await call(server, "GET", "/api/admin/units", { token: self.token })).status).toBe(403);
  });

  it.each([
    ["no change at all", "1", {}, 400, "VALIDATION_FAILED"],
    ["an unknown role", "1", { role: "superuser" }, 400, "VALIDATION_FAILED"],
    ["a name too short", "1", { name: "A" }, 400, "VALIDATION_FAILED"],
    ["active as a string", "1", { active: "false" }, 400, "VALIDATION_FAILED"],
    ["a username (cannot change)", "1", { username: "khac" }, 400, "VALIDATION_FAILED"],
    ["an id that is not a number", "abc", { name: "Tên Hợp Lệ" }, 400, "VALIDATION_FAILED"],
    ["an unknown id", "987654", { name: "Tên Hợp Lệ" }, 404, "NOT_FOUND"],
  ])("when the request has %s, then %i", async (_case, id, json, status, code) => {
    const res = await call(server, "PATCH", `/api/admin/officials/${id}`, { token: admin.token, json });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });

  it("when the unit does not exist, then 422 and the account keeps its unit", async () => {
    const officer = await official(server, "official", "06652");
    const id = await idOf(server, officer.username);
    const res = await call(server, "PATCH", `/api/admin/officials/${id}`, {
      token: admin.token,
      json: { unitCode: "99999", name: "Không Đổi Tên" },
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "UNIT_UNKNOWN", message: "Không có đơn vị mã 99999." });
    const me = await call(server, "GET", "/api/officials/me", { token: officer.token });
    expect(me.body.unitCode).toBe("06652");
    expect(me.body.name).not.toBe("Không Đổi Tên");
  });
});

describe("POST /api/admin/officials/:id/password", () => {
  it("when an administrator resets the password of an account that collected wrong passwords, then the count starts again, the old password and sessions stop working and the new one signs in", async () => {
    const officer = await official(server, "official", "06652");
    const id = await idOf(server, officer.username);
    // No account is locked by wrong passwords any more (issue 13, finding 7): they are counted for the administrator.
    expect((await login(server, officer.username, "sai-mat-khau-123")).status).toBe(401);
    expect((await login(server, officer.username, "sai-mat-khau-456")).status).toBe(401);
    const failedLogins = async () =>
      (await call(server, "GET", "/api/admin/officials", { token: admin.token })).body.items.find(
        (o: OfficialAccount) => o.id === id,
      ).failedLogins;
    expect(await failedLogins()).toBe(2);

    const res = await call(server, "POST", `/api/admin/officials/${id}/password`, {
      token: admin.token,
      json: { password: "mat-khau-moi-cua-ban" },
    });
    expect(res.status).toBe(204);
    expect(await failedLogins()).toBe(0);
    expect((await call(server, "GET", "/api/officials/me", { token: officer.token })).status).toBe(401);
    expect((await login(server, officer.username)).status).toBe(401);
    expect((await login(server, officer.username, "mat-khau-moi-cua-ban")).status).toBe(200);
  });

  it("when administrators reset their own password, then their other sessions end but not the one they used", async () => {
    const self = await official(server, "admin", "22");
    const other = (await login(server, self.username)).body.token as string;
    const id = await idOf(server, self.username);
    const res = await call(server, "POST", `/api/admin/officials/${id}/password`, {
      token: self.token,
      json: { password: "mat-khau-moi-cua-toi" },
    });
    expect(res.status).toBe(204);
    expect((await call(server, "GET", "/api/officials/me", { token: self.token })).status).toBe(200);
    expect((await call(server, "GET", "/api/officials/me", { token: other })).status).toBe(401);
  });

  it.each([
    ["a password shorter than 10 characters", "1", { password: "ngan-qua" }, 400, "password — Tối thiểu 10 ký tự"],
    ["a password longer than 200 characters", "1", { password: "a".repeat(201) }, 400, "password — Tối đa 200 ký tự"],
    ["no password", "1", {}, 400, "Thiếu giá trị bắt buộc"],
    ["an unknown account", "987654", { password: "mot-mat-khau-dai" }, 404, "Không tìm thấy tài khoản cán bộ này."],
  ])("when the request has %s, then %i", async (_case, id, json, status, message) => {
    const res = await call(server, "POST", `/api/admin/officials/${id}/password`, { token: admin.token, json });
    expect(res.status).toBe(status);
    expect(res.body.error.message).toContain(message);
  });
});

describe("GET /api/admin/units", () => {
  it("when an administrator lists units, then the provincial centre comes first, then the 54 communes with their administrative data and active officials", async () => {
    const before = await call(server, "GET", "/api/admin/units", { token: admin.token });
    const hatu = before.body.items.find((u: ReceivingUnitView) => u.code === "06652");
    await official(server, "volunteer", "06652");
    const res = await call(server, "GET", "/api/admin/units", { token: admin.token });
    expect(res.status).toBe(200);
    const items = res.body.items.map((u: unknown) => ReceivingUnitView.parse(u));
    expect(items).toHaveLength(55);
    expect(items[0]).toMatchObject({
      code: "22",
      level: "province",
      agencyCode: "000.00.00.H49",
      administrativeUnit: { code: "22", type: "province" },
    });
    expect(items.slice(1).every((u: ReceivingUnitView) => u.level === "commune" && u.administrativeUnit)).toBe(true);
    const after = items.find((u: ReceivingUnitView) => u.code === "06652");
    expect(after).toMatchObject({
      name: "UBND phường Hà Tu",
      agencyCode: "06652.H49",
      administrativeUnit: { name: "Hà Tu", type: "phuong", parentCode: "22" },
    });
    expect(after.activeOfficials).toBe(hatu.activeOfficials + 1);
    const names = items.slice(1).map((u: ReceivingUnitView) => u.name);
    expect(names).toEqual([...names].sort(new Intl.Collator("vi").compare));
  });
});

describe("POST /api/admin/catalogue/import", () => {
  const path = "/api/admin/catalogue/import";
  const revision = async () =>
    Number(
      (
        await server.deps.db
          .selectFrom("meta")
          .select("value")
          .where("key", "=", "catalogue_revision")
          .executeTakeFirstOrThrow()
      ).value,
    );

  it("when a dry run is asked, then the report counts what would change and nothing is written", async () => {
    const birth = await procedure(server, "1.001193");
    const marriage = await procedure(server, "1.000894");
    const before = await revision();
    const res = await call(server, "POST", path, {
      token: admin.token,
      json: {
        dryRun: true,
        procedures: [fixture("1.009001", "Thủ tục mới thử nghiệm"), { ...birth, processingDays: 9 }, marriage],
      },
    });
    expect(res.status).toBe(200);
    expect(CatalogueImportReport.parse(res.body)).toEqual({
      dryRun: true,
      valid: true,
      total: 3,
      inserted: 1,
      updated: 1,
      unchanged: 1,
      errorCount: 0,
      errors: [],
    });
    expect(await revision()).toBe(before);
    expect((await call(server, "GET", "/api/procedures/1.009001")).status).toBe(404);
    expect((await procedure(server, "1.001193")).processingDays).toBe(birth.processingDays);
  });

  it("when a valid catalogue is imported, then it is written, searchable at once, and who imported it is kept", async () => {
    const birth = await procedure(server, "1.001193");
    const res = await call(server, "POST", path, {
      token: admin.token,
      json: {
        procedures: [
          fixture("1.009002", "Cấp giấy phép khai thác hải sản ven bờ", { field: "Thủy sản" }),
          { ...birth, processingDays: 2 },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dryRun: false, valid: true, total: 2, inserted: 1, updated: 1, unchanged: 0 });
    expect((await procedure(server, "1.001193")).processingDays).toBe(2);
    const search = await call(server, "GET", `/api/procedures?q=${encodeURIComponent("khai thac hai san")}`);
    expect(search.body.items[0].code).toBe("1.009002");
    const meta = await server.deps.db
      .selectFrom("meta")
      .select("value")
      .where("key", "=", "catalogue_last_import")
      .executeTakeFirstOrThrow();
    expect(JSON.parse(meta.value)).toMatchObject({ by: admin.username, total: 2 });
  });

  it("when records are invalid, then 422 lists each one by index, code, field and Vietnamese message, and nothing is written", async () => {
    const before = await revision();
    for (const dryRun of [false, true]) {
      const res = await call(server, "POST", path, {
        token: admin.token,
        json: {
          dryRun,
          procedures: [
            fixture("1.009003", "Thủ tục hợp lệ nhưng không được nhập"),
            { ...fixture("1.009004", "Sai mức độ"), onlineLevel: 5 },
            { ...fixture("1.009005", "Thiếu tên giấy tờ"), documents: [{ copies: 1, required: true }] },
            fixture("1.009003", "Trùng mã"),
            "không phải một thủ tục",
          ],
        },
      });
      expect(res.status).toBe(422);
      expect(res.body.error).toEqual({
        code: "CATALOGUE_INVALID",
        message: "Danh mục có 4 lỗi; không thủ tục nào được nhập.",
      });
      const report = CatalogueImportReport.parse(res.body);
      expect(report).toMatchObject({ dryRun, valid: false, total: 5, inserted: 0, updated: 0, errorCount: 4 });
      expect(report.errors.map((e) => [e.index, e.code, e.field])).toEqual([
        [1, "1.009004", "onlineLevel"],
        [2, "1.009005", "documents.0.name"],
        [3, "1.009003", "code"],
        [4, null, "(bản ghi)"],
      ]);
      expect(report.errors[2]?.message).toBe("Mã 1.009003 trùng với bản ghi số 0.");
      expect(report.errors[1]?.message).toBe("Thiếu giá trị bắt buộc");
    }
    expect(await revision()).toBe(before);
    expect((await call(server, "GET", "/api/procedures/1.009003")).status).toBe(404);
  });

  it.each([
    ["no procedures field", { dryRun: true }],
    ["procedures that are not a list", { procedures: { code: "1.001193" } }],
    ["an empty list", { procedures: [] }],
    ["dryRun that is not true or false", { procedures: [fixture("1.009006", "Thử")], dryRun: "yes" }],
    ["an unknown field", { procedures: [fixture("1.009006", "Thử")], overwrite: true }],
  ])("when the request has %s, then 400 names the field", async (_case, json) => {
    const res = await call(server, "POST", path, { token: admin.token, json });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_FAILED");
    expect(res.body.error.message).toContain("Yêu cầu nhập danh mục không hợp lệ");
  });

  it("when the body is not JSON, then 400, not 500", async () => {
    for (const type of ["application/json", CATALOGUE_MEDIA_TYPE]) {
      const res = await raw(server, path, admin.token, type, '{"procedures": [');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("MALFORMED_REQUEST");
    }
  });

  it("when the whole starter catalogue (over 100 kB) is sent with the catalogue media type, then it is read; as plain JSON the app-wide limit refuses it", async () => {
    const { records } = loadStarterCatalogue();
    const body = JSON.stringify({ procedures: records, dryRun: true });
    expect(body.length).toBeGreaterThan(100 * 1024);
    const res = await raw(server, path, admin.token, CATALOGUE_MEDIA_TYPE, body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ valid: true, total: records.length });
    // The test above changed one record of it; everything else is as seeded.
    expect(res.body.unchanged + res.body.updated).toBe(records.length);

    const plain = await raw(server, path, admin.token, "application/json", body);
    expect(plain.status).toBe(413);
    expect(plain.body.error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("when the catalogue is over 10 MB, then 413 with a Vietnamese message", async () => {
    const body = JSON.stringify({ procedures: [{ name: "x".repeat(10 * 1024 * 1024) }] });
    const res = await raw(server, path, admin.token, CATALOGUE_MEDIA_TYPE, body);
    expect(res.status).toBe(413);
    expect(res.body.error).toEqual({ code: "PAYLOAD_TOO_LARGE", message: "Dữ liệu gửi lên quá lớn." });
  });
});

describe("ZNS templates per notification kind", () => {
  const path = "/api/admin/zalo-templates";

  async function fileAndAccept(zaloId: string, phone: string): Promise<string> {
    const token = await citizen(server, zaloId);
    await server.deps.db
      .updateTable("citizens")
      .set({ phone, phone_consent_at: new Date().toISOString() })
      .where("zalo_id", "=", `dev:${zaloId}`)
      .execute();
    const dossier = view(
      await file(server, token, submission(), requiredFiles(await procedure(server, "1.001193"), png)),
    );
    const hcc = await official(server, "hcc", "06652");
    const accepted = await call(server, "POST", `/api/officials/dossiers/${dossier.code}/actions`, {
      token: hcc.token,
      json: { action: "accept" },
    });
    expect(accepted.status).toBe(200);
    await server.deps.worker.idle();
    return dossier.code;
  }

  /** The ZNS message offline mode recorded for a phone (the citizen never wrote to the OA: no consultation window). */
  async function znsTo(phone: string) {
    const rows = await server.deps.db
      .selectFrom("dev_outbox")
      .select("payload")
      .where("channel", "=", "zns")
      .where("recipient", "=", phone)
      .execute();
    return rows.map((r) => JSON.parse(r.payload) as { template_id: string; template_data: Record<string, string> });
  }

  it("when nothing is stored, then every status kind is listed with the environment's template or none", async () => {
    const res = await call(server, "GET", path, { token: admin.token });
    expect(res.status).toBe(200);
    const items = res.body.items.map((i: unknown) => ZnsTemplateSetting.parse(i));
    expect(items.map((i: ZnsTemplateSetting) => i.kind)).not.toContain("announcement");
    expect(items.map((i: ZnsTemplateSetting) => i.kind)).toContain("dossier.payment-received");
    expect(items.map((i: ZnsTemplateSetting) => i.kind)).toContain("dossier.postal");
    expect(items).toHaveLength(10);
    expect(items.find((i: ZnsTemplateSetting) => i.kind === "dossier.accepted")).toEqual({
      kind: "dossier.accepted",
      label: "Hồ sơ được tiếp nhận",
      templateId: "111111",
      params: { ma_ho_so: "code", ten_thu_tuc: "procedureName" },
      source: "environment",
      environment: { templateId: "111111", params: { ma_ho_so: "code", ten_thu_tuc: "procedureName" } },
      updatedAt: null,
      updatedBy: null,
    });
    expect(items.find((i: ZnsTemplateSetting) => i.kind === "dossier.done")).toMatchObject({
      templateId: null,
      source: "none",
      environment: null,
    });
  });

  it("when an administrator stores templates, then delivery uses them; when they are removed, the environment's value again", async () => {
    const res = await call(server, "PUT", path, {
      token: admin.token,
      json: {
        templates: {
          "dossier.accepted": { templateId: " 222222 " },
          "dossier.done": { templateId: "333333", params: { ma_ho_so: "code", ket_qua: "stateLabel" } },
        },
      },
    });
    expect(res.status).toBe(200);
    const accepted = res.body.items.find((i: ZnsTemplateSetting) => i.kind === "dossier.accepted");
    expect(accepted).toMatchObject({
      templateId: "222222",
      // Left out: the environment's parameters of that kind.
      params: { ma_ho_so: "code", ten_thu_tuc: "procedureName" },
      source: "database",
      updatedBy: admin.username,
    });
    expect(res.body.items.find((i: ZnsTemplateSetting) => i.kind === "dossier.done")).toMatchObject({
      templateId: "333333",
      source: "database",
    });
    expect((await call(server, "GET", path, { token: admin.token })).body).toEqual(res.body);

    const code = await fileAndAccept("zns-stored", "0912000111");
    expect(await znsTo("0912000111")).toEqual([
      expect.objectContaining({
        template_id: "222222",
        template_data: { ma_ho_so: code, ten_thu_tuc: "Đăng ký khai sinh" },
      }),
    ]);

    const cleared = await call(server, "PUT", path, { token: admin.token, json: { templates: {} } });
    expect(cleared.body.items.find((i: ZnsTemplateSetting) => i.kind === "dossier.accepted").source).toBe(
      "environment",
    );
    await fileAndAccept("zns-env", "0912000222");
    expect((await znsTo("0912000222")).map((z) => z.template_id)).toEqual(["111111"]);
  });

  it.each([
    ["a kind that does not exist", { templates: { "dossier.lost": { templateId: "1" } } }, "templates.dossier.lost"],
    ["announcements (not sent by ZNS)", { templates: { announcement: { templateId: "1" } } }, "templates.announcement"],
    ["a template id with letters", { templates: { "dossier.accepted": { templateId: "abc123" } } }, "templateId"],
    ["an empty template id", { templates: { "dossier.accepted": { templateId: "" } } }, "templateId"],
    ["a template id that is a number", { templates: { "dossier.accepted": { templateId: 123 } } }, "templateId"],
    [
      "a parameter mapped to an unknown field",
      { templates: { "dossier.accepted": { templateId: "1", params: { ma: "citizenPhone" } } } },
      "params.ma",
    ],
    [
      "no parameters where the environment has none either",
      { templates: { "dossier.overdue": { templateId: "444444" } } },
      "templates.dossier.overdue.params",
    ],
    ["no templates field", {}, "templates"],
  ])("when the mapping has %s, then 400 names it and nothing is stored", async (_case, json, where) => {
    const before = await call(server, "GET", path, { token: admin.token });
    const res = await call(server, "PUT", path, { token: admin.token, json });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_FAILED");
    expect(res.body.error.details.map((d: { path: string }) => d.path).join(" ")).toContain(where);
    expect((await call(server, "GET", path, { token: admin.token })).body).toEqual(before.body);
  });
});
