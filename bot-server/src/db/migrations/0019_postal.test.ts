import Database from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { migrationProvider } from "../migrations";

describe("migration 0019 (the postal service)", () => {
  it("when the database has dossiers from before the postal service, then they keep counting as they did", async () => {
    const db = new Kysely<Record<string, never>>({
      dialect: new SqliteDialect({ database: new Database(":memory:") }),
    });
    try {
      const all = await migrationProvider.getMigrations();
      const before = Object.fromEntries(Object.entries(all).filter(([name]) => name < "0019"));
      expect(
        (await new Migrator({ db, provider: { getMigrations: async () => before } }).migrateToLatest()).error,
      ).toBe(undefined);
      const insert = (code: string, channel: string, method: string) =>
        sql`INSERT INTO dossiers (code, state, procedure_code, procedure_snapshot, unit_code, channel, applicant,
              applicant_name, result_delivery, form_data, submitted_at, updated_at, result_method, delivered_at)
            VALUES (${code}, 10, 'P', '{}', '06652', ${channel}, '{}', 'A', '{}', '{}', '2026-01-05T01:00:00.000Z',
              '2026-01-05T01:00:00.000Z', ${method}, '2026-01-10T01:00:00.000Z')`.execute(db);
      await insert("OLD-1", "postal", "counter");
      await insert("OLD-2", "online", "post");
      await insert("OLD-3", "online", "counter");
      expect((await new Migrator({ db, provider: migrationProvider }).migrateToLatest()).error).toBeUndefined();
      const rows = await sql<{ code: string; postal_received_at: string | null; postal_delivered_at: string | null }>`
        SELECT code, postal_received_at, postal_delivered_at FROM dossiers ORDER BY code`.execute(db);
      // Received on the postal channel → received by post; returned by post → delivered by post; the rest nothing.
      expect(rows.rows).toEqual([
        { code: "OLD-1", postal_received_at: "2026-01-05T01:00:00.000Z", postal_delivered_at: null },
        { code: "OLD-2", postal_received_at: null, postal_delivered_at: "2026-01-10T01:00:00.000Z" },
        { code: "OLD-3", postal_received_at: null, postal_delivered_at: null },
      ]);
    } finally {
      await db.destroy();
    }
  });
});
