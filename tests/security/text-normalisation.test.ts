import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, citizen, file, official, procedure, requiredFiles, submission } from "../helpers/api";
import { png } from "../helpers/files";
import { startTestServer, type TestServer } from "../helpers/test-server";

/**
 * Issue 13, finding 12: typed text is kept in one normalisation form (NFC) and hidden characters (controls, zero-width,
 * bidirectional overrides) are refused with the field named, in every schema that takes text from people.
 */
const NFD_NAME = "Nguyễn Thị Ánh Tuyết".normalize("NFD");
const NFC_NAME = "Nguyễn Thị Ánh Tuyết".normalize("NFC");
const RLO = "\u202Enoitartsinimda"; // displays as "administration"

describe("typed text: NFC, and no hidden characters", () => {
  let server: TestServer;
  let officialToken: string;
  let admin: string;
  let seq = 0;
  beforeAll(async () => {
    server = await startTestServer();
    officialToken = (await official(server, "official", "06652")).token;
    admin = (await official(server, "admin", "22")).token;
  });
  afterAll(() => server.close());

  async function fileAs(overrides: Parameters<typeof submission>[0]) {
    const token = await citizen(server, `text-${++seq}`);
    const birth = await procedure(server, "1.001193");
    return { token, res: await file(server, token, submission(overrides), requiredFiles(birth, png)) };
  }

  it("when an applicant's name and street come in NFD, then the dossier keeps them in NFC", async () => {
    expect(NFD_NAME).not.toBe(NFC_NAME);
    const base = submission();
    const { token, res } = await fileAs({
      applicant: {
        ...base.applicant,
        name: NFD_NAME,
        address: { communeCode: "06652", street: "Tổ 3".normalize("NFD") },
      },
    });
    expect(res.status).toBe(201);
    const view = await call(server, "GET", `/api/dossiers/${res.body.code}`, { token });
    expect(view.body.applicant.name).toBe(NFC_NAME);
    expect(view.body.applicant.address.street).toBe("Tổ 3".normalize("NFC"));
  });

  it.each([
    ["a right-to-left override", RLO],
    ["a line break", "Nguyễn Văn\nAn"],
    ["a NUL", "Nguyễn Văn An\u0000"],
    ["a lone surrogate", "Nguyễn Văn \uD800An"],
    ["only a Hangul filler, which looks empty", "\u3164"],
  ])("when an applicant's name holds %s, then the filing is refused and names the field", async (_what, name) => {
    const base = submission();
    const { res } = await fileAs({ applicant: { ...base.applicant, name } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_FAILED");
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain("applicant.name");
  });

  it("when a name pasted from a document carries a zero-width space and a byte-order mark, then they are dropped and the name kept", async () => {
    const base = submission();
    const { token, res } = await fileAs({ applicant: { ...base.applicant, name: "\uFEFFNguyễn\u200B Văn An" } });
    expect(res.status).toBe(201);
    const view = await call(server, "GET", `/api/dossiers/${res.body.code}`, { token });
    expect(view.body.applicant.name).toBe("Nguyễn Văn An");
  });

  it("when a declaration's answer hides a bidi isolate, then the filing is refused", async () => {
    const { res } = await fileAs({ formData: { tenTre: "Nguyễn Minh \u2066Khôi\u2069" } });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain("formData.tenTre");
  });

  it("when a rating comment holds line breaks and an emoji sequence, then it is accepted as written", async () => {
    const { token, res } = await fileAs({});
    expect(res.status).toBe(201);
    // A comment is a paragraph: line feeds are kept, the joiner inside the family emoji too. Rating needs a finished
    // dossier; what is checked here is that the schema does not refuse it (a 409 for the state, never VALIDATION_FAILED).
    const rating = await call(server, "POST", `/api/dossiers/${res.body.code}/rating`, {
      token,
      json: { score: 5, comment: "Rất nhanh.\nCảm ơn 👨‍👩‍👧" },
    });
    expect(rating.body.error?.code).not.toBe("VALIDATION_FAILED");
  });

  it("when an official's announcement title holds a right-to-left override, then it is refused", async () => {
    const res = await call(server, "POST", "/api/officials/announcements", {
      token: officialToken,
      json: { title: `Thông báo ${RLO}`, body: "Lịch làm việc dịp Tết Nguyên đán.", audience: { kind: "all" } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain("title");
  });

  it("when a reply to a citizen holds a zero-width joiner between letters, then it is refused", async () => {
    const res = await call(server, "POST", "/api/officials/conversations/user-1/messages", {
      token: officialToken,
      json: { text: "Xin chào\u200Dbạn" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain("text");
  });

  it("when an administrator names a new official in NFD, then the account's name is stored in NFC", async () => {
    const res = await call(server, "POST", "/api/admin/officials", {
      token: admin,
      json: {
        username: "can.bo.nfd",
        name: NFD_NAME,
        role: "official",
        unitCode: "06652",
        password: "mat-khau-that-dai-123",
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe(NFC_NAME);
  });

  it("when a catalogue's procedure name holds a bidi override, then the import is refused and names the field", async () => {
    const birth = await procedure(server, "1.001193");
    const res = await call(server, "POST", "/api/admin/catalogue/import", {
      token: admin,
      json: { dryRun: true, procedures: [{ ...birth, name: `Đăng ký khai sinh ${RLO}` }] },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain("name");
  });
});
