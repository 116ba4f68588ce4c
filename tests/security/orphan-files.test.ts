import { createHash, randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { portalApiDb } from "../../bot-server/src/modules/portal-api/tables";
import { citizen, file, procedure, requiredFiles, submission } from "../helpers/api";
import { png } from "../helpers/files";
import { startTestServer, type TestServer, tempDataDir } from "../helpers/test-server";

/**
 * Issue 13, finding 9: a SIGKILL mid-filing left 3 files that nothing references. What a crash leaves (temporaries of
 * an upload, documents stored but never recorded) is swept once it is older than the grace period, at start and
 * periodically; documents a dossier or a /portal-api upload references, and anything younger, are kept.
 */
const HOUR = 60 * 60 * 1000;
const POLL = { timeout: 5_000, interval: 25 };

/** Puts a file at `relative` under DATA_DIR, last written `ageMs` ago, as a crashed filing would leave it. */
function plant(dataDir: string, relative: string, ageMs: number): string {
  const target = path.join(dataDir, relative);
  fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  fs.writeFileSync(target, randomBytes(1024), { mode: 0o600 });
  const at = new Date(Date.now() - ageMs);
  fs.utimesSync(target, at, at);
  return target;
}

const stored = (sha256: string) => path.join("files", sha256.slice(0, 2), sha256);
const someSha = () => createHash("sha256").update(randomUUID()).digest("hex");

describe("orphaned files", () => {
  const dataDir = tempDataDir();
  let server: TestServer;
  const planted: Record<string, string> = {};
  let referenced: string[] = [];

  beforeAll(async () => {
    // A first run files a dossier; then the process "crashes", leaving files behind.
    const first = await startTestServer({ dataDir });
    const token = await citizen(first, "orphans-1");
    const filed = await file(first, token, submission(), requiredFiles(await procedure(first, "1.001193"), png));
    expect(filed.status).toBe(201);
    const rows = await first.deps.db.selectFrom("attachments").select(["sha256", "dossier_id"]).execute();
    referenced = rows.map((r) => path.join(dataDir, stored(r.sha256)));
    // A /portal-api upload waiting for its supplement references its file too.
    const waiting = someSha();
    await portalApiDb(first.deps.db)
      .insertInto("portal_api_uploads")
      .values({
        dossier_id: rows[0]?.dossier_id as number,
        document_index: null,
        document_name: "Giấy tờ bổ sung",
        kind: "supplement",
        sha256: waiting,
        mime: "image/png",
        size: 1024,
        file_name: "bo-sung.png",
        uploaded_at: new Date().toISOString(),
        used_at: null,
      })
      .execute();
    await first.close();

    for (const p of referenced) {
      const old = new Date(Date.now() - 3 * HOUR);
      fs.utimesSync(p, old, old);
    }
    planted.oldOrphan = plant(dataDir, stored(someSha()), 2 * HOUR);
    planted.youngOrphan = plant(dataDir, stored(someSha()), 60_000);
    planted.oldTemporary = plant(dataDir, `files/.incoming/${randomUUID()}.part`, 2 * HOUR);
    planted.youngTemporary = plant(dataDir, `files/.incoming/${randomUUID()}.part`, 60_000);
    const legacy = someSha();
    planted.oldLegacyTemporary = plant(dataDir, `${stored(legacy)}.${randomUUID()}.tmp`, 2 * HOUR);
    planted.waitingUpload = plant(dataDir, stored(waiting), 2 * HOUR);

    // The restart: the sweep runs once at start (grace period: the default hour).
    server = await startTestServer({ dataDir });
  });
  afterAll(() => server.close());

  it("when the server starts after a crash, then unreferenced files older than the grace period are deleted", async () => {
    await vi.waitFor(() => {
      expect(fs.existsSync(planted.oldOrphan as string)).toBe(false);
      expect(fs.existsSync(planted.oldTemporary as string)).toBe(false);
      expect(fs.existsSync(planted.oldLegacyTemporary as string)).toBe(false);
    }, POLL);
  });

  it("when a file is younger than the grace period or referenced by a dossier or an upload, then it is kept", async () => {
    await vi.waitFor(() => expect(fs.existsSync(planted.oldOrphan as string)).toBe(false), POLL);
    expect(referenced.length).toBeGreaterThan(0);
    for (const p of [...referenced, planted.youngOrphan, planted.youngTemporary, planted.waitingUpload] as string[]) {
      expect([path.relative(dataDir, p), fs.existsSync(p)]).toEqual([path.relative(dataDir, p), true]);
    }
  });

  it("when the periodic sweep runs later, then a file that has since outgrown the grace period goes too", async () => {
    const swept = await server.deps.orphans.sweep(new Date(Date.now() + 2 * HOUR));
    expect(fs.existsSync(planted.youngOrphan as string)).toBe(false);
    expect(fs.existsSync(planted.youngTemporary as string)).toBe(false);
    expect(swept).toBeGreaterThanOrEqual(2);
    for (const p of [...referenced, planted.waitingUpload] as string[]) expect(fs.existsSync(p)).toBe(true);
  });
});
