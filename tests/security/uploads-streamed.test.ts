import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { createLogger } from "@qn/bot-server";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { PortalClient } from "../../bot-server/src/clients/provincial-portal/portal.client";
import { call, citizen, file, form, procedure, requiredFiles, submission } from "../helpers/api";
import { disguisedExecutable, png } from "../helpers/files";
import { startTestServer, type TestServer } from "../helpers/test-server";

/**
 * Issue 13, finding 4: uploads were buffered in memory (four concurrent 20 × 9.9 MB filings took the server from
 * 143 to 926 MB). Parts go to a private temporary file as they arrive, the number of uploads at once is capped, and
 * each citizen has a storage quota; a refused upload leaves nothing behind.
 */
const CLIENT_ID = "security-uploads";
const CLIENT_SECRET = "security-uploads-secret-0123";
const VIETNAMESE = /[ạảãáàâấầẩẫậăắằẳẵặđêếềểễệôốồổỗộơớờởỡợưứừửữự]/;
const POLL = { timeout: 5_000, interval: 25 };
const mode = (p: string) => fs.statSync(p).mode & 0o777;

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}

/** Files under DATA_DIR that are neither the database, a secret, nor a stored document (files/ab/<sha-256>). */
function strays(dataDir: string): string[] {
  return walk(dataDir)
    .map((p) => path.relative(dataDir, p))
    .filter(
      (p) =>
        !/\.sqlite(-wal|-shm)?$/.test(p) && !p.startsWith("secrets/") && !/^files\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(p),
    );
}

/** The file under DATA_DIR (other than the database) at least `bytes` long, if any. */
function bigFileUnder(dataDir: string, bytes: number): string | undefined {
  return walk(dataDir).find((p) => !/\.sqlite/.test(p) && fs.statSync(p).size >= bytes);
}

/**
 * A multipart upload written by hand, so that the test decides when bytes arrive: the text parts and the start of one
 * file part are sent at once, the rest only when the test says so (or never: `abort`).
 */
const open: { abort: () => void }[] = [];
// A test that fails half-way still lets go of its upload, so that the server can close.
afterEach(() => {
  for (const upload of open.splice(0)) upload.abort();
});

function openUpload(
  server: TestServer,
  address: string,
  token: string,
  fields: Record<string, string>,
  fileField: string,
) {
  const boundary = `----qn-security-${randomBytes(8).toString("hex")}`;
  const req = http.request(`${server.url}${address}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": `multipart/form-data; boundary=${boundary}`,
      "transfer-encoding": "chunked",
    },
  });
  const answer = new Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", reject);
  });
  answer.catch(() => {}); // an aborted upload has no answer
  for (const [name, value] of Object.entries(fields)) {
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  }
  req.write(
    `--${boundary}\r\nContent-Disposition: form-data; name="${fileField}"; filename="anh-lon.png"\r\n` +
      "Content-Type: image/png\r\n\r\n",
  );
  open.push({ abort: () => req.destroy() });
  return {
    send: (bytes: Buffer) => req.write(bytes),
    finish: () => req.end(`\r\n--${boundary}--\r\n`),
    abort: () => req.destroy(),
    answer,
  };
}

/** The start of a PNG (its signature and header), then `size` bytes of filler. */
const bigPng = (size: number) => Buffer.concat([png().subarray(0, 33), Buffer.alloc(size, 0x61)]);

describe("uploads are streamed to disk", () => {
  let server: TestServer;
  let portalToken: string;
  let portalDossier: string;

  beforeAll(async () => {
    server = await startTestServer({
      portalApi: { clients: { [CLIENT_ID]: CLIENT_SECRET }, callbackUrl: undefined, callbackSecret: undefined },
    });
    const client = new PortalClient(
      { baseUrl: `${server.url}/portal-api`, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, maxAttempts: 1 },
      createLogger("silent"),
    );
    const { dossier } = await client.createDossier(
      {
        reference: "SECURITY-UPLOADS-1",
        procedureCode: "1.001193",
        unitCode: "06652",
        channel: "online",
        submittedAt: new Date(Date.now() - 60_000).toISOString(),
        applicant: {
          type: "citizen",
          name: "Nguyễn Thị Hoa",
          identityNumber: "022090001234",
          address: { communeCode: "06652", street: "Số 5, tổ 3, khu 4" },
        },
        resultDelivery: { method: "counter" },
        formData: { tenTre: "Nguyễn Minh An", ngaySinh: "2026-11-20" },
        filedBy: null,
      },
      "security-uploads:1",
    );
    portalDossier = dossier.code;
    const res = await fetch(`${server.url}/portal-api/oauth/token`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "grant_type=client_credentials",
    });
    portalToken = ((await res.json()) as { access_token: string }).access_token;
  });
  afterAll(() => server.close());

  it.each([
    ["a filing at /api", "api"],
    ["an upload at /portal-api", "portal"],
  ] as const)(
    "when %s is on its way, then its bytes are already in a private temporary file, removed when the client gives up",
    async (_label, which) => {
      const upload =
        which === "api"
          ? openUpload(
              server,
              "/api/dossiers",
              await citizen(server, "security-stream"),
              { dossier: JSON.stringify(submission()) },
              "document:0",
            )
          : openUpload(server, `/portal-api/v1/dossiers/${portalDossier}/attachments`, portalToken, {}, "TepDinhKem");
      upload.send(bigPng(3 * 1024 * 1024));
      // The request has not ended: a server that buffers in memory has written nothing yet.
      const temporary = await vi.waitFor(() => {
        const found = bigFileUnder(server.dataDir, 2 * 1024 * 1024);
        expect(found).toBeDefined();
        return found as string;
      }, POLL);
      expect(mode(temporary)).toBe(0o600);
      expect(mode(path.dirname(temporary))).toBe(0o700);
      upload.abort();
      await vi.waitFor(() => expect(fs.existsSync(temporary)).toBe(false), POLL);
      expect(strays(server.dataDir)).toEqual([]);
    },
  );

  it("when a filing is refused after its files arrived (not a photo, a bad dossier), then no temporary file remains", async () => {
    const token = await citizen(server, "security-refused");
    const birth = await procedure(server, "1.001193");
    const photos = requiredFiles(birth, () => png(200_000 + Math.floor(Math.random() * 1000)));
    const executable = photos.map((f, i) => (i === 0 ? { ...f, content: disguisedExecutable() } : f));
    expect((await file(server, token, submission(), executable)).status).toBe(415);
    expect((await file(server, token, "{oops", photos)).status).toBe(400);
    expect(strays(server.dataDir)).toEqual([]);
  });
});

describe("the number of uploads at once is capped", () => {
  let server: TestServer;
  beforeAll(async () => {
    // One slot, and one more upload may wait 300 ms for it.
    server = await startTestServer({ maxConcurrentUploads: 1, uploadWaitMs: 300 });
  });
  afterAll(() => server.close());

  it("when every upload slot stays taken, then another filing waits and gets 503 UPLOADS_BUSY with Retry-After; one waiting when a slot frees gets it", async () => {
    const token = await citizen(server, "security-busy");
    const documents = requiredFiles(await procedure(server, "1.001193"), png);
    const slow = openUpload(server, "/api/dossiers", token, { dossier: JSON.stringify(submission()) }, "document:0");
    slow.send(bigPng(2 * 1024 * 1024));
    await vi.waitFor(() => expect(bigFileUnder(server.dataDir, 1024 * 1024)).toBeDefined(), POLL);

    const res = await fetch(`${server.url}/api/dossiers`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: form(submission(), documents),
    });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("UPLOADS_BUSY");
    expect(body.error.message).toMatch(VIETNAMESE);

    // One that is waiting when the slot is freed gets it.
    const waiting = file(server, token, submission(), documents);
    await new Promise((r) => setTimeout(r, 50));
    slow.abort();
    expect((await waiting).status).toBe(201);
  });
});

describe("each citizen has a storage quota", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ citizenStorageQuotaBytes: 1024 * 1024 });
  });
  afterAll(() => server.close());

  it("when a filing would take a citizen's stored documents over the quota, then 413 STORAGE_QUOTA_EXCEEDED says so in Vietnamese and nothing is kept; another citizen is not affected", async () => {
    const birth = await procedure(server, "1.001193");
    let n = 0;
    // About 600 KB a filing, whatever the number of required documents: one fits in 1 MB, two do not.
    const each = Math.floor(600_000 / requiredFiles(birth, png).length);
    const photos = () => requiredFiles(birth, () => png(each + n++));
    const token = await citizen(server, "security-quota-1");
    const first = await file(server, token, submission(), photos());
    expect(first.status).toBe(201);
    const dossiers = await server.deps.db.selectFrom("dossiers").select("id").execute();

    const over = await file(server, token, submission(), photos());
    expect(over.status).toBe(413);
    expect(over.body.error.code).toBe("STORAGE_QUOTA_EXCEEDED");
    expect(over.body.error.message).toMatch(VIETNAMESE);
    expect(over.body.error.message).toContain("MB");
    expect(await server.deps.db.selectFrom("dossiers").select("id").execute()).toEqual(dossiers);
    expect(strays(server.dataDir)).toEqual([]);

    const other = await citizen(server, "security-quota-2", "Trần Thị Bình");
    expect((await file(server, other, submission(), photos())).status).toBe(201);
    // A supplement counts too.
    const data = new FormData();
    data.append("supplement", new Blob([new Uint8Array(png(700_000))]), "bo-sung.png");
    const supplement = await call(server, "POST", `/api/dossiers/${first.body.code}/supplement`, { token, form: data });
    expect(supplement.body.error?.code).toBe("STORAGE_QUOTA_EXCEEDED");
  });
});
