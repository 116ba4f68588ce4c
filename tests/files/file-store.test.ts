import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buffer } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FileStore, LocalFileStore, openFileStore } from "../../bot-server/src/modules/files/file-store";
import { FileStoreError } from "../../bot-server/src/modules/files/s3-file-store";
import { startS3, type TestS3 } from "../helpers/s3";

/**
 * The file store's contract (issue 16, decision 0019), one suite run against both stores through the interface:
 * the local disk (FILE_STORE=local, the default) and an S3-compatible bucket (FILE_STORE=s3, against s3rver on
 * loopback). Then what only one of them promises: the local store's paths and modes as before, the S3 store's
 * checks of size and its silence about credentials.
 */
let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(() => s3.close());

const HOUR = 60 * 60 * 1000;

/** A verified temporary as an upload leaves it: 0600 in a 0700 folder, with its SHA-256 and size. */
function temporary(dir: string, content: Buffer = randomBytes(3000)) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${createHash("sha256").update(randomBytes(8)).digest("hex").slice(0, 12)}.part`);
  fs.writeFileSync(file, content, { mode: 0o600 });
  return { path: file, size: content.length, sha256: createHash("sha256").update(content).digest("hex"), content };
}

async function listed(store: FileStore): Promise<string[]> {
  const out: string[] = [];
  for await (const f of store.list()) out.push(f.sha256);
  return out.sort();
}

async function notFound(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toMatchObject({ status: 404 });
}

type Case = { name: string; make: () => Promise<{ store: FileStore; incoming: string }> };
const CASES: Case[] = [
  {
    name: "local disk",
    make: async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "qn-store-"));
      const store = await openFileStore({ kind: "local" }, dataDir);
      return { store, incoming: path.join(dataDir, "files", ".incoming") };
    },
  },
  {
    name: "S3 (s3rver on loopback)",
    make: async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "qn-store-"));
      const store = await openFileStore(s3.settings(), dataDir);
      return { store, incoming: path.join(dataDir, "files", ".incoming") };
    },
  },
];

describe.each(CASES)("the file store on $name", ({ make }) => {
  let store: FileStore;
  let incoming: string;
  beforeAll(async () => {
    ({ store, incoming } = await make());
  });

  it("when a verified temporary is put, then it reads back byte for byte under its SHA-256, and is listed", async () => {
    const t = temporary(incoming);
    const before = Date.now();
    expect(await store.exists(t.sha256)).toBe(false);
    await store.put(t.sha256, t);
    expect(await store.exists(t.sha256)).toBe(true);
    expect((await buffer(await store.open(t.sha256))).equals(t.content)).toBe(true);
    const entry = await (async () => {
      for await (const f of store.list()) if (f.sha256 === t.sha256) return f;
    })();
    // An S3 store's times are to the second.
    expect(entry?.modifiedAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    expect(entry?.modifiedAt).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it("when the same content is put twice (two filings), then it is stored once and reads back the same", async () => {
    const content = randomBytes(2000);
    const first = temporary(incoming, content);
    const second = temporary(incoming, content);
    await store.put(first.sha256, first);
    await store.put(second.sha256, second);
    expect((await listed(store)).filter((s) => s === first.sha256)).toHaveLength(1);
    expect((await buffer(await store.open(first.sha256))).equals(content)).toBe(true);
  });

  it("when a key is absent or not a SHA-256, then open says NOT_FOUND and nothing outside the store is read", async () => {
    await notFound(store.open("a".repeat(64)));
    await notFound(store.open("../../../../etc/passwd"));
    await notFound(store.open(`${"a".repeat(63)}/`));
    await expect(store.exists("../x")).rejects.toMatchObject({ status: 404 });
    expect(await store.exists("b".repeat(64))).toBe(false);
  });

  it("when a document is deleted, then it is gone and deleting it again is no error", async () => {
    const t = temporary(incoming);
    await store.put(t.sha256, t);
    await store.delete(t.sha256);
    expect(await store.exists(t.sha256)).toBe(false);
    await notFound(store.open(t.sha256));
    await store.delete(t.sha256);
    expect(await listed(store)).not.toContain(t.sha256);
  });

  it("when a document is set aside, then it cannot be read until restored, and discarding it deletes it", async () => {
    const t = temporary(incoming);
    await store.put(t.sha256, t);
    const aside = await store.setAside(t.sha256);
    expect(aside?.sha256).toBe(t.sha256);
    expect(await store.exists(t.sha256)).toBe(false);
    expect(await listed(store)).not.toContain(t.sha256);
    await aside?.restore();
    expect((await buffer(await store.open(t.sha256))).equals(t.content)).toBe(true);

    const again = await store.setAside(t.sha256);
    await again?.discard();
    expect(await store.exists(t.sha256)).toBe(false);
    expect(await store.setAside(t.sha256)).toBeUndefined();
  });

  it("when a sweep stopped after setting a document aside, then it is found again and can go back", async () => {
    const t = temporary(incoming);
    await store.put(t.sha256, t);
    await store.setAside(t.sha256); // and the process died
    const left: string[] = [];
    for await (const aside of store.setAsideLeft(Date.now() + HOUR)) {
      left.push(aside.sha256);
      if (aside.sha256 === t.sha256) await aside.restore();
    }
    expect(left).toContain(t.sha256);
    expect((await buffer(await store.open(t.sha256))).equals(t.content)).toBe(true);
    // Only what was set aside before the time asked about counts as left.
    await store.setAside(t.sha256);
    const recent: string[] = [];
    for await (const aside of store.setAsideLeft(Date.now() - HOUR)) recent.push(aside.sha256);
    expect(recent).not.toContain(t.sha256);
    for await (const aside of store.setAsideLeft(Date.now() + HOUR)) await aside.restore();
    expect(await store.exists(t.sha256)).toBe(true);
  });
});

describe("the local store keeps today's layout", () => {
  it("when a file is put, then it is DATA_DIR/files/<2 hex>/<sha256>, 0600 in a 0700 folder, moved not copied", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "qn-store-"));
    const store = new LocalFileStore(path.join(dataDir, "files"));
    const t = temporary(store.incomingDir);
    await store.put(t.sha256, t);
    const target = path.join(dataDir, "files", t.sha256.slice(0, 2), t.sha256);
    expect(store.pathOf(t.sha256)).toBe(target);
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(target)).mode & 0o777).toBe(0o700);
    expect(fs.existsSync(t.path)).toBe(false);
  });

  it("when an existing DATA_DIR holds documents, then the store lists and reads them as they are", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "qn-store-"));
    const content = randomBytes(500);
    const sha = createHash("sha256").update(content).digest("hex");
    fs.mkdirSync(path.join(dataDir, "files", sha.slice(0, 2)), { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(dataDir, "files", sha.slice(0, 2), sha), content, { mode: 0o600 });
    const store = await openFileStore({ kind: "local" }, dataDir);
    expect(await listed(store)).toEqual([sha]);
    expect((await buffer(await store.open(sha))).equals(content)).toBe(true);
  });
});

describe("the S3 store's own promises", () => {
  it("when a document is put, then it lies at <prefix>/<2 hex>/<sha256> and the temporary is left for the request", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "qn-store-"));
    const settings = s3.settings("qn/layout");
    const store = await openFileStore(settings, dataDir);
    const t = temporary(path.join(dataDir, "files", ".incoming"));
    await store.put(t.sha256, t);
    expect(fs.existsSync(t.path)).toBe(true);
    // s3rver keeps each object as a file named by its key, under the bucket's folder.
    const stored = path.join(
      s3.directory,
      settings.bucket,
      "qn",
      "layout",
      t.sha256.slice(0, 2),
      `${t.sha256}._S3rver_object`,
    );
    expect(fs.readFileSync(stored).equals(t.content)).toBe(true);
    expect(fs.existsSync(path.join(dataDir, "files", t.sha256.slice(0, 2)))).toBe(false);
  });

  it("when the temporary's size is not what the filing checked, then the put fails and stores nothing", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "qn-store-"));
    const store = await openFileStore(s3.settings(), dataDir);
    const t = temporary(path.join(dataDir, "files", ".incoming"));
    await expect(store.put(t.sha256, { path: t.path, size: t.size + 100 })).rejects.toThrow();
    expect(await store.exists(t.sha256)).toBe(false);
  });

  it("when the credentials are wrong, then the error names the failure but neither the key id, the secret nor the key", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "qn-store-"));
    const secret = "a-wrong-secret-that-must-not-be-logged";
    const store = await openFileStore(
      { ...s3.settings(), accessKeyId: "AKIAWRONGKEYID0001", secretAccessKey: secret },
      dataDir,
    );
    const t = temporary(path.join(dataDir, "files", ".incoming"));
    const error = await store.put(t.sha256, t).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FileStoreError);
    const shown = `${String(error)} ${JSON.stringify(error)} ${(error as Error).stack}`;
    expect(shown).toMatch(/PutObject failed: \w+ \(HTTP 403\)/);
    for (const hidden of ["AKIAWRONGKEYID0001", secret, t.sha256]) expect(shown).not.toContain(hidden);
  });
});
