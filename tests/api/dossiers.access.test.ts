import fs from "node:fs";
import path from "node:path";
import { vietnamDate } from "@qn/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, citizen, file, form, official, procedure, requiredFiles, submission, view } from "../helpers/api";
import { disguisedExecutable, jpeg, png } from "../helpers/files";
import { startTestServer, type TestServer } from "../helpers/test-server";

let server: TestServer;
let ownerToken: string;
let code: string;
let attachmentId: number;

beforeAll(async () => {
  server = await startTestServer({ maxUploadBytes: 64 * 1024 });
  ownerToken = await citizen(server, "owner", "Nguyễn Văn Chủ");
  const birth = await procedure(server, "1.001193");
  const filed = await file(server, ownerToken, submission(), requiredFiles(birth, png));
  expect(filed.status).toBe(201);
  code = view(filed).code;
  attachmentId = view(filed).attachments[0]?.id as number;
  // Put it in state 5 so that supplement and withdrawal are legal for the owner.
  const hcc = await official(server, "hcc", "06652");
  await call(server, "POST", `/api/officials/dossiers/${code}/actions`, {
    token: hcc.token,
    json: { action: "request-supplement", missingDocuments: ["Giấy chứng sinh"] },
  });
});
afterAll(async () => {
  await server.close();
});

/** Every endpoint that touches one dossier, as a given caller. */
function everyDossierEndpoint(token: string | undefined) {
  const options = token ? { token } : {};
  return [
    ["GET dossier", () => call(server, "GET", `/api/dossiers/${code}`, options)],
    ["GET attachment", () => call(server, "GET", `/api/dossiers/${code}/attachments/${attachmentId}`, options)],
    [
      "POST supplement",
      () =>
        call(server, "POST", `/api/dossiers/${code}/supplement`, {
          ...options,
          form: form(undefined, [{ index: 1, name: "a.jpg", content: jpeg() }]),
        }),
    ],
    [
      "POST withdraw",
      () => call(server, "POST", `/api/dossiers/${code}/withdraw`, { ...options, json: { reason: "x" } }),
    ],
    ["POST rating", () => call(server, "POST", `/api/dossiers/${code}/rating`, { ...options, json: { score: 5 } })],
    ["GET officials view", () => call(server, "GET", `/api/officials/dossiers/${code}`, options)],
    [
      "POST officials action",
      () =>
        call(server, "POST", `/api/officials/dossiers/${code}/actions`, {
          ...options,
          json: { action: "stop", note: "x" },
        }),
    ],
  ] as const;
}

async function unchanged() {
  const owner = view(await call(server, "GET", `/api/dossiers/${code}`, { token: ownerToken }));
  expect(owner.state).toBe(5);
  expect(owner.attachments.filter((a) => a.kind === "supplement")).toHaveLength(0);
  expect(owner.rating).toBeNull();
}

describe("who may see and change a dossier", () => {
  it("when another citizen tries every endpoint, then each answers as if the dossier did not exist, and nothing changes", async () => {
    const stranger = await citizen(server, "stranger", "Người Lạ");
    for (const [name, request] of everyDossierEndpoint(stranger)) {
      const res = await request();
      expect([403, 404], `${name} → ${res.status}`).toContain(res.status);
      expect(JSON.stringify(res.body)).not.toContain("022090001234");
    }
    const list = await call(server, "GET", "/api/dossiers", { token: stranger });
    expect(list.body).toEqual({ items: [], total: 0 });
    await unchanged();
  });

  it("when nobody is signed in, then every dossier endpoint answers 401", async () => {
    for (const [name, request] of everyDossierEndpoint(undefined)) {
      expect((await request()).status, name).toBe(401);
    }
    expect((await call(server, "GET", "/api/dossiers")).status).toBe(401);
    expect((await call(server, "GET", "/api/officials/dossiers")).status).toBe(401);
    await unchanged();
  });

  it("when an official of another commune tries, then they can neither see nor act on it, nor find it in their queue", async () => {
    const elsewhere = await official(server, "official", "06658");
    for (const [name, request] of everyDossierEndpoint(elsewhere.token)) {
      const res = await request();
      expect([403, 404], `${name} → ${res.status}`).toContain(res.status);
    }
    const queue = await call(server, "GET", "/api/officials/dossiers", { token: elsewhere.token });
    expect(queue.body.items.map((d: { code: string }) => d.code)).not.toContain(code);
    // Asking for another unit's queue is ignored: officials always get their own unit.
    const sneaky = await call(server, "GET", "/api/officials/dossiers?unit=06652", { token: elsewhere.token });
    expect(sneaky.body.items.map((d: { code: string }) => d.code)).not.toContain(code);
    await unchanged();
  });

  it("when a token is forged, expired or revoked, then it is refused", async () => {
    expect((await call(server, "GET", "/api/dossiers", { token: "abc.def.ghi" })).status).toBe(401);
    const token = await citizen(server, "short-lived");
    expect((await call(server, "GET", "/api/dossiers", { token })).status).toBe(200);
    await server.deps.db.updateTable("sessions").set({ expires_at: "2020-01-01T00:00:00.000Z" }).execute();
    expect((await call(server, "GET", "/api/dossiers", { token })).status).toBe(401);
    // Sessions of everybody expired above: sign in again for the rest of the file.
    ownerToken = await citizen(server, "owner", "Nguyễn Văn Chủ");
    expect((await call(server, "POST", "/api/auth/logout", { token: ownerToken })).status).toBe(204);
    expect((await call(server, "GET", "/api/dossiers", { token: ownerToken })).status).toBe(401);
    ownerToken = await citizen(server, "owner", "Nguyễn Văn Chủ");
  });

  it("when the owner downloads a document, then the bytes come back with the type read from the content", async () => {
    const res = await fetch(`${server.url}/api/dossiers/${code}/attachments/${attachmentId}`, {
      headers: { authorization: `Bearer ${ownerToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(Buffer.from(await res.arrayBuffer()).equals(png())).toBe(true);
  });
});

describe("bad input stores nothing", () => {
  // Content never stored before, so that a file written by mistake would show in the count.
  let padding = 400;
  const freshPng = () => png(padding++);

  async function counts() {
    const dossiers = await server.deps.db
      .selectFrom("dossiers")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const filesDir = path.join(server.dataDir, "files");
    const files = fs.existsSync(filesDir) ? fs.readdirSync(filesDir, { recursive: true }).length : 0;
    return { dossiers: Number(dossiers.n), files };
  }

  it.each([
    ["no dossier part", undefined, "dossier"],
    ["not JSON", "{oops", "dossier"],
    ["a missing name", submission({ applicant: { ...submission().applicant, name: "" } }), "applicant.name"],
    [
      "a wrong identity number",
      submission({ applicant: { ...submission().applicant, identityNumber: "12345" } }),
      "applicant.identityNumber",
    ],
    [
      "an identity number with no province",
      submission({ applicant: { ...submission().applicant, identityNumber: "003090001234" } }),
      "applicant.identityNumber",
    ],
    [
      "a commune outside Quảng Ninh",
      submission({ applicant: { ...submission().applicant, address: { communeCode: "00001", street: "x" } } }),
      "applicant.address.communeCode",
    ],
    ["a bad procedure code", submission({ procedureCode: "abc" }), "procedureCode"],
    ["post delivery without an address", { ...submission(), resultDelivery: { method: "post" } }, "resultDelivery"],
  ])("when the dossier has %s, then 400 names the field in Vietnamese", async (_label, dossier, field) => {
    const before = await counts();
    const token = await citizen(server, "bad-input");
    const birth = await procedure(server, "1.001193");
    const res = await file(server, token, dossier, requiredFiles(birth, freshPng));
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).join(" ")).toContain(field);
    expect(res.body.error.message).toMatch(/[ạảãáàâấầẩẫậăắằẳẵặđêếềểễệôốồổỗộơớờởỡợưứừửữự]/);
    expect(await counts()).toEqual(before);
  });

  it("when a required document is missing, then 400 lists it and nothing is stored", async () => {
    const before = await counts();
    const token = await citizen(server, "bad-input");
    const res = await file(server, token, submission(), [{ index: 0, name: "to-khai.png", content: freshPng() }]);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("Còn thiếu giấy tờ bắt buộc");
    expect(await counts()).toEqual(before);
  });

  it("when a file is an executable named like a photo, then 415 and nothing is stored — not even the good files", async () => {
    const before = await counts();
    const token = await citizen(server, "bad-input");
    const birth = await procedure(server, "1.001193");
    const files = requiredFiles(birth, freshPng);
    files.push({ index: 3, name: "anh-chup.jpg", content: disguisedExecutable() });
    const res = await file(server, token, submission(), files);
    expect(res.status).toBe(415);
    expect(res.body.error.message).toContain("anh-chup.jpg");
    expect(await counts()).toEqual(before);
  });

  it("when a file is larger than the limit, then 413 says the limit and nothing is stored", async () => {
    const before = await counts();
    const token = await citizen(server, "bad-input");
    const birth = await procedure(server, "1.001193");
    const files = requiredFiles(birth, freshPng);
    files[0] = { index: files[0]?.index ?? 0, name: "to-khai.png", content: png(100 * 1024) };
    const res = await file(server, token, submission(), files);
    expect(res.status).toBe(413);
    expect(res.body.error.message).toContain("0.1 MB");
    expect(await counts()).toEqual(before);
  });

  it("when a file is attached to no document of the procedure, then 422", async () => {
    const token = await citizen(server, "bad-input");
    const birth = await procedure(server, "1.001193");
    const files = [...requiredFiles(birth, freshPng), { index: 42, name: "thua.png", content: png() }];
    expect((await file(server, token, submission(), files)).status).toBe(422);
  });

  it("when the procedure is unknown or only offered at the counter, then 404 or 422 in Vietnamese", async () => {
    const token = await citizen(server, "bad-input");
    const unknown = await file(server, token, submission({ procedureCode: "9.999999" }), []);
    expect(unknown.status).toBe(404);
    const counterOnly = await file(server, token, submission({ procedureCode: "2.000815" }), [
      { index: 0, name: "ban-chinh.png", content: png() },
    ]);
    expect(counterOnly.status).toBe(422);
    expect(counterOnly.body.error.message).toContain("chưa nhận hồ sơ trực tuyến");
  });

  it("when an official sends a malformed action, then 400 names what is missing", async () => {
    const hcc = await official(server, "hcc", "06652");
    const res = await call(server, "POST", `/api/officials/dossiers/${code}/actions`, {
      token: hcc.token,
      json: { action: "reject" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toEqual({ path: "note", message: "Cần ghi rõ lý do" });
  });
});

describe("many citizens filing at once", () => {
  it("when 50 dossiers are filed concurrently, then they get 50 distinct codes of the day in the national form", async () => {
    const fresh = await startTestServer({ seedStarterCatalogue: true });
    try {
      const birth = await procedure(fresh, "1.001193");
      const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => citizen(fresh, `concurrent-${i}`)));
      const results = await Promise.all(tokens.map((t) => file(fresh, t, submission(), requiredFiles(birth, png))));
      expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
      const codes = results.map((r) => view(r).code);
      expect(new Set(codes).size).toBe(50);
      // Random four digits since issue 13, finding 6 (no longer 0001 upwards): the day's and the commune's code.
      const day = vietnamDate(new Date()).replace(/-/g, "").slice(2);
      for (const code of codes) expect(code).toMatch(new RegExp(`^06652\\.H49-${day}-\\d{4}$`));
    } finally {
      await fresh.close();
    }
  });
});
