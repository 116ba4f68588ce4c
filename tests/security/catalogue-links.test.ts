import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, official, procedure } from "../helpers/api";
import { startTestServer, type TestServer } from "../helpers/test-server";

/** Issue 13, finding 14: a catalogue's form links open in the citizen's Zalo; only https may be one. */
describe("links to forms in the catalogue", () => {
  let server: TestServer;
  let admin: string;
  beforeAll(async () => {
    server = await startTestServer();
    admin = (await official(server, "admin", "22")).token;
  });
  afterAll(() => server.close());

  async function importWithForm(form: string) {
    const birth = await procedure(server, "1.001193");
    const documents = birth.documents.map((d, i) => (i === 0 ? { ...d, form } : d));
    return call(server, "POST", "/api/admin/catalogue/import", {
      token: admin,
      json: { dryRun: true, procedures: [{ ...birth, documents }] },
    });
  }

  it.each([
    "javascript:alert(document.cookie)",
    " JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http://dichvucong.quangninh.gov.vn/mau.doc",
    "vbscript:msgbox",
    "https://",
  ])("when a form link is %j, then the import is refused and names the field", async (form) => {
    const res = await importWithForm(form);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("CATALOGUE_INVALID");
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain("documents.0.form");
  });

  it.each([
    "https://dichvucong.gov.vn/p/home/dvc-tthc-bieu-mau.html?ma=CT01",
    "Mẫu CT01 ban hành kèm theo Thông tư 66/2023/TT-BCA",
  ])("when a form is %j (an https link, or a form's name), then it is accepted", async (form) => {
    const res = await importWithForm(form);
    expect([res.status, res.body.valid]).toEqual([200, true]);
  });
});
