import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, citizen, file, procedure, requiredFiles, submission } from "../helpers/api";
import { png } from "../helpers/files";
import { onPostgres, startTestServer, type TestServer, tempDataDir } from "../helpers/test-server";

/** Issue 13, findings 10, 11 and 13: what is stored, how it is named, and what a cache may keep. */
const mode = (p: string) => fs.statSync(p).mode & 0o777;

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? [p, ...walk(p)] : [p];
  });
}

describe("personal data at rest", () => {
  let server: TestServer;
  let token: string;
  let code: string;
  const VIETNAMESE_NAME = "ảnh CCCD mặt trước.png";

  beforeAll(async () => {
    // A data folder that does not exist yet, as on a fresh machine (a mkdtemp folder is already 0700).
    server = await startTestServer({ dataDir: path.join(tempDataDir(), "du-lieu", "dvc") });
    token = await citizen(server, "security-rest-1");
    const p = await procedure(server, "1.001193");
    const files = requiredFiles(p, () => png(64));
    files[0] = { ...(files[0] as (typeof files)[number]), name: VIETNAMESE_NAME };
    const res = await file(server, token, submission(), files);
    expect(res.status).toBe(201);
    code = res.body.code;
  });
  afterAll(() => server.close());

  it("when the server stores identity numbers and papers, then only its own user can read the folder and the files", () => {
    expect(mode(server.dataDir)).toBe(0o700);
    const entries = walk(server.dataDir);
    const database = entries.filter((p) => /\.sqlite(-wal|-shm)?$/.test(p));
    // On PostgreSQL the records are in the database server's own files, not here.
    if (!onPostgres) expect(database.length).toBeGreaterThanOrEqual(1);
    for (const p of entries) {
      const isDir = fs.statSync(p).isDirectory();
      expect([path.relative(server.dataDir, p), mode(p)]).toEqual([
        path.relative(server.dataDir, p),
        isDir ? 0o700 : 0o600,
      ]);
    }
  });

  it("when a file has a Vietnamese name, then it is kept as the citizen wrote it", async () => {
    const res = await call(server, "GET", `/api/dossiers/${code}`, { token });
    expect(res.status).toBe(200);
    expect(res.body.attachments.map((a: { fileName: string }) => a.fileName)).toContain(VIETNAMESE_NAME);
  });

  it("when a dossier or a citizen's own data is read, then no cache may keep the answer", async () => {
    for (const address of [`/api/dossiers/${code}`, "/api/dossiers", "/api/me", "/api/notifications"]) {
      const res = await fetch(`${server.url}${address}`, { headers: { authorization: `Bearer ${token}` } });
      expect([address, res.status, res.headers.get("cache-control")]).toEqual([address, 200, "no-store"]);
    }
  });
});
