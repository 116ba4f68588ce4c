import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { procedure } from "../../test/fixtures";
import { ProcedureRepository } from "../modules/procedures/procedure.repository";
import { openDatabase } from "./database";

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "qn-db-"));

describe("the embedded database", () => {
  it("when opened, then it is in WAL mode with every migration applied once, and reopening applies nothing twice", async () => {
    const dir = tempDir();
    const db = await openDatabase(dir);
    const mode = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(db);
    expect(mode.rows[0]?.journal_mode).toBe("wal");
    const applied = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db);
    expect(applied.rows.map((r) => r.name)).toEqual([
      "0001_catalogue",
      "0002_dossiers",
      "0003_zalo",
      "0004_outbox",
      "0005_reports",
      "0006_admin",
      "0007_reports_speed",
      "0008_portal_api",
      "0009_portal_forwarding",
      "0010_portal_api_changes_in_code",
      "0012_announcement_history",
      "0013_conversation_scope",
      "0014_lookup_secrets",
      "0015_dossier_spam",
      "0016_file_references",
      "0017_security_alerts",
      "0018_payments",
      "0019_postal",
      "0020_shared_limits",
      "0021_leases_and_inbox",
    ]);
    // What a change writes is written by the code of the change, never by the database behind its back.
    const triggers = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'trigger'`.execute(db);
    expect(triggers.rows).toEqual([]);
    await db.destroy();

    const again = await openDatabase(dir);
    const reapplied = await sql<{ n: number }>`SELECT count(*) AS n FROM kysely_migration`.execute(again);
    expect(Number(reapplied.rows[0]?.n)).toBe(applied.rows.length);
    await again.destroy();
  });

  it("when a procedure's online level or postal service changes, then a revision is kept with its date", async () => {
    const db = await openDatabase(tempDir());
    const repository = new ProcedureRepository(db);
    const first = await repository.upsertAll([procedure("1.001193", "Đăng ký khai sinh", { onlineLevel: 3 })]);
    expect(first).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    const same = await repository.upsertAll([procedure("1.001193", "Đăng ký khai sinh", { onlineLevel: 3 })]);
    expect(same).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    await repository.upsertAll([procedure("1.001193", "Đăng ký khai sinh (tên mới)", { onlineLevel: 3 })]);
    await repository.upsertAll([procedure("1.001193", "Đăng ký khai sinh", { onlineLevel: 4, postal: false })]);

    const revisions = await db
      .selectFrom("procedure_revisions")
      .select(["online_level", "postal", "valid_from"])
      .where("code", "=", "1.001193")
      .orderBy("id")
      .execute();
    expect(revisions.map((r) => [r.online_level, r.postal])).toEqual([
      [3, 1],
      [4, 0],
    ]);
    expect(Number.isNaN(Date.parse(revisions[1]?.valid_from ?? ""))).toBe(false);
    // Three changes bumped the revision that running servers watch; the unchanged import did not.
    expect(await repository.revision()).toBe(3);
    await db.destroy();
  });
});
