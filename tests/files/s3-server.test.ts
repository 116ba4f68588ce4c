import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { buffer } from "node:stream/consumers";
import { createLogger } from "@qn/bot-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PortalClient } from "../../bot-server/src/clients/provincial-portal/portal.client";
import { AttachmentStore } from "../../bot-server/src/modules/files/attachment-store";
import { type FileStore, incomingDirOf, openFileStore } from "../../bot-server/src/modules/files/file-store";
import { OrphanSweeper } from "../../bot-server/src/modules/files/orphan-sweeper";
import { portalApiDb } from "../../bot-server/src/modules/portal-api/tables";
import { call, citizen, file, official, procedure, requiredFiles, submission } from "../helpers/api";
import { pdf, png } from "../helpers/files";
import { startS3, type TestS3 } from "../helpers/s3";
import { startTestServer, type TestServer } from "../helpers/test-server";

/**
 * A bot server with FILE_STORE=s3 (issue 16, decision 0019), against s3rver on loopback: what a citizen files is in
 * the bucket, not on this machine's disk, and comes back byte for byte; the /portal-api's uploads too; the orphan
 * sweeper lists and deletes in the bucket, keeps what rows reference, and loses no file a filing puts while it sweeps.
 */
const HOUR = 60 * 60 * 1000;
const CLIENT_ID = "s3-bot-server";
const CLIENT_SECRET = "client-secret-for-the-s3-tests";

let s3: TestS3;
let server: TestServer;
/** The server's bucket seen directly, with the same settings. */
let bucket: FileStore;

beforeAll(async () => {
  s3 = await startS3();
  const settings = s3.settings();
  server = await startTestServer({
    fileStore: settings,
    portalApi: { clients: { [CLIENT_ID]: CLIENT_SECRET }, callbackUrl: undefined, callbackSecret: undefined },
  });
  bucket = await openFileStore(settings, server.dataDir);
});
afterAll(async () => {
  await server?.close();
  await s3?.close();
});

const sha = (content: Buffer) => createHash("sha256").update(content).digest("hex");

/** What the server keeps on its own disk under DATA_DIR/files, but the upload temporaries' folder. */
function localDocuments(): string[] {
  const root = path.join(server.dataDir, "files");
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).filter((name) => name !== ".incoming");
}

async function inBucket(): Promise<string[]> {
  const out: string[] = [];
  for await (const f of bucket.list()) out.push(f.sha256);
  return out;
}

/** A document put straight into the bucket, as a crashed filing leaves it (no row references it). */
async function plant(content: Buffer = randomBytes(1500)): Promise<string> {
  const dir = incomingDirOf(server.dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temporary = path.join(dir, `planted-${randomBytes(6).toString("hex")}.part`);
  fs.writeFileSync(temporary, content, { mode: 0o600 });
  await bucket.put(sha(content), { path: temporary, size: content.length });
  fs.rmSync(temporary, { force: true });
  return sha(content);
}

describe("filing with FILE_STORE=s3", () => {
  it("when a citizen files a dossier, then the documents are in the bucket, not on this disk, and download byte for byte", async () => {
    const token = await citizen(server, "s3-citizen");
    const p = await procedure(server, "1.001193");
    const documents = requiredFiles(p, () => png(5000 + Math.floor(Math.random() * 1000)));
    const filed = await file(server, token, submission(), documents);
    expect(filed.status).toBe(201);
    expect(localDocuments()).toEqual([]);
    const stored = await inBucket();
    for (const d of documents) expect(stored).toContain(sha(d.content));

    for (const attachment of filed.body.attachments as { id: number; documentIndex: number }[]) {
      const res = await fetch(`${server.url}/api/dossiers/${filed.body.code}/attachments/${attachment.id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/png");
      const expected = documents.find((d) => d.index === attachment.documentIndex)?.content as Buffer;
      expect(Buffer.from(await res.arrayBuffer()).equals(expected)).toBe(true);
    }
    // The temporaries were deleted when the request ended.
    expect(fs.readdirSync(incomingDirOf(server.dataDir)).filter((n) => n.endsWith(".part"))).toEqual([]);
  });

  it("when a document is missing from the bucket, then its download answers 404, not a broken connection", async () => {
    const token = await citizen(server, "s3-citizen-2");
    const content = png(7777);
    const filed = await file(
      server,
      token,
      submission(),
      requiredFiles(await procedure(server, "1.001193"), () => content),
    );
    expect(filed.status).toBe(201);
    await bucket.delete(sha(content));
    const id = (filed.body.attachments as { id: number }[])[0]?.id;
    const res = await call(server, "GET", `/api/dossiers/${filed.body.code}/attachments/${id}`, { token });
    expect(res.status).toBe(404);
    await plant(content); // back, for the sweeper's tests below
  });

  it("when /portal-api uploads a file, then it is in the bucket and the officials download it byte for byte", async () => {
    const client = new PortalClient(
      { baseUrl: `${server.url}/portal-api`, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, maxAttempts: 1 },
      createLogger("silent"),
    );
    const { dossier } = await client.createDossier(
      {
        reference: "ref-s3-upload",
        procedureCode: "1.001193",
        unitCode: "06652",
        channel: "online",
        submittedAt: new Date(Date.now() - 60_000).toISOString(),
        applicant: {
          type: "citizen",
          name: "Phạm Văn Bình",
          identityNumber: "022090007777",
          phone: "0912000111",
          address: { communeCode: "06652", street: "Số 1" },
        },
        resultDelivery: { method: "counter" },
        formData: { tenTre: "Phạm Minh Châu", ngaySinh: "2026-11-22" },
        filedBy: null,
      },
      "dossier:ref-s3-upload",
    );
    const content = pdf();
    await client.uploadAttachment(dossier.code, {
      documentName: "Giấy chứng sinh",
      documentIndex: 0,
      kind: "initial",
      sha256: sha(content),
      fileName: "giay-chung-sinh.pdf",
      mime: "application/pdf",
      content,
    });
    expect(await inBucket()).toContain(sha(content));
    expect(localDocuments()).toEqual([]);
    const officialToken = (await official(server, "official", "06652")).token;
    const seen = await call(server, "GET", `/api/officials/dossiers/${dossier.code}`, { token: officialToken });
    const id = seen.body.attachments[0].id;
    const res = await fetch(`${server.url}/api/dossiers/${dossier.code}/attachments/${id}`, {
      headers: { authorization: `Bearer ${officialToken}` },
    });
    expect(Buffer.from(await res.arrayBuffer()).equals(content)).toBe(true);
  });
});

describe("the orphan sweeper on S3", () => {
  it("when documents nothing references outgrow the grace period, then they are deleted from the bucket; referenced ones stay", async () => {
    const referenced = await server.deps.db.selectFrom("attachments").select("sha256").execute();
    expect(referenced.length).toBeGreaterThan(0);
    const orphan = await plant();
    // A /portal-api upload waiting for its supplement references its file.
    const waiting = await plant();
    const dossierId = (await server.deps.db.selectFrom("dossiers").select("id").executeTakeFirstOrThrow()).id;
    await portalApiDb(server.deps.db)
      .insertInto("portal_api_uploads")
      .values({
        dossier_id: dossierId,
        document_index: null,
        document_name: "Giấy tờ bổ sung",
        kind: "supplement",
        sha256: waiting,
        mime: "image/png",
        size: 1500,
        file_name: "bo-sung.png",
        uploaded_at: new Date().toISOString(),
        used_at: null,
      })
      .execute();

    // Young: kept.
    await server.deps.orphans.sweep(new Date());
    expect(await inBucket()).toContain(orphan);
    // Older than the grace period (an hour): only the orphan goes.
    const swept = await server.deps.orphans.sweep(new Date(Date.now() + 2 * HOUR));
    expect(swept).toBeGreaterThanOrEqual(1);
    const left = await inBucket();
    expect(left).not.toContain(orphan);
    expect(left).toContain(waiting);
    for (const r of referenced) expect(left).toContain(r.sha256);
    // Nothing set aside stays behind.
    const asides: string[] = [];
    for await (const a of bucket.setAsideLeft(Date.now() + HOUR)) asides.push(a.sha256);
    expect(asides).toEqual([]);
  });

  it("when a sweep stopped after setting documents aside, then the next one puts back the referenced and deletes the rest", async () => {
    const referenced = (await server.deps.db.selectFrom("attachments").select("sha256").executeTakeFirstOrThrow())
      .sha256;
    const orphan = await plant();
    await bucket.setAside(referenced);
    await bucket.setAside(orphan); // and the process died
    expect(await bucket.exists(referenced)).toBe(false);

    await server.deps.orphans.sweep(new Date(Date.now() + 2 * HOUR));
    expect(await bucket.exists(referenced)).toBe(true);
    expect(await bucket.exists(orphan)).toBe(false);
    const asides: string[] = [];
    for await (const a of bucket.setAsideLeft(Date.now() + HOUR)) asides.push(a.sha256);
    expect(asides).toEqual([]);
  });

  /**
   * S3 has no rename: the sweep copies a document aside and then deletes it, and a filing's put of the same bytes
   * landing between the two is deleted with it. Modelled here by a clock far ahead, which makes the filing's fresh put
   * look old to the sweeper.
   */
  describe("a filing that puts a document while the sweeper deletes it", () => {
    const files = () => new AttachmentStore(bucket, incomingDirOf(server.dataDir), 10 * 1024 * 1024);
    async function temporary(content: Buffer) {
      // Beside the upload temporaries, not among them: the clock far ahead would make the sweeper delete it too,
      // which it never does to a filing's (fresh) temporary.
      const dir = path.join(server.dataDir, "filings-in-flight");
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const p = path.join(dir, `filing-${randomBytes(6).toString("hex")}.part`);
      fs.writeFileSync(p, content, { mode: 0o600 });
      return { sha256: sha(content), path: p, size: content.length };
    }
    async function commit(sha256: string, size: number) {
      const dossierId = (await server.deps.db.selectFrom("dossiers").select("id").executeTakeFirstOrThrow()).id;
      await server.deps.db
        .insertInto("attachments")
        .values({
          dossier_id: dossierId,
          document_index: 0,
          document_name: "Giấy chứng sinh",
          sha256,
          mime: "image/png",
          size,
          file_name: "giay.png",
          kind: "initial",
          uploaded_at: new Date().toISOString(),
        })
        .execute();
    }

    it("when the filing commits while the document is set aside, then the sweeper, looking again, puts it back", async () => {
      const content = png(9100);
      const t = await temporary(content);
      await files().store([t]);
      // The sweeper's store: right after the document is taken away, the filing's rows commit.
      const racing: FileStore = Object.create(bucket);
      racing.setAside = async (key) => {
        const aside = await bucket.setAside(key);
        if (key === t.sha256) await commit(t.sha256, t.size);
        return aside;
      };
      const sweeper = new OrphanSweeper(
        server.deps.db,
        { fileStore: racing, incomingDir: incomingDirOf(server.dataDir) },
        HOUR,
        createLogger("silent"),
      );
      await sweeper.sweep(new Date(Date.now() + 2 * HOUR));
      expect((await buffer(await bucket.open(t.sha256))).equals(content)).toBe(true);
    });

    it("when the filing commits after the sweep deleted its put, then its check after the commit puts it again", async () => {
      const content = png(9200);
      const t = await temporary(content);
      const store = files();
      await store.store([t]);
      await server.deps.orphans.sweep(new Date(Date.now() + 2 * HOUR));
      expect(await bucket.exists(t.sha256)).toBe(false); // taken with the "old" copy
      await commit(t.sha256, t.size);
      await store.confirm([t]);
      expect((await buffer(await bucket.open(t.sha256))).equals(content)).toBe(true);
      fs.rmSync(t.path, { force: true });
    });
  });
});
