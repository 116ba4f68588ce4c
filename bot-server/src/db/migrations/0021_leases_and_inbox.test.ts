import Database from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { migrationProvider } from "../migrations";

describe("migration 0021 (the inbox's leases)", () => {
  it("when the inbox has events from before, then pending ones are due, failed ones with tries left are pending again, and the rest stay", async () => {
    const db = new Kysely<Record<string, never>>({
      dialect: new SqliteDialect({ database: new Database(":memory:") }),
    });
    try {
      const all = await migrationProvider.getMigrations();
      const before = Object.fromEntries(Object.entries(all).filter(([name]) => name < "0021"));
      expect(
        (await new Migrator({ db, provider: { getMigrations: async () => before } }).migrateToLatest()).error,
      ).toBe(undefined);
      const insert = (key: string, status: string, attempts: number, processedAt: string | null) =>
        sql`INSERT INTO webhook_events (dedup_key, event_name, user_id, raw, received_at, status, attempts, processed_at)
            VALUES (${key}, 'user_send_text', 'u', '{}', '2026-01-05T01:00:00.000Z', ${status}, ${attempts},
              ${processedAt})`.execute(db);
      await insert("pending", "pending", 0, null);
      await insert("retry", "failed", 2, "2026-01-05T01:00:30.000Z");
      await insert("dead", "failed", 5, "2026-01-05T01:05:00.000Z");
      await insert("done", "processed", 1, "2026-01-05T01:00:01.000Z");
      expect((await new Migrator({ db, provider: migrationProvider }).migrateToLatest()).error).toBeUndefined();
      const rows = await sql<{ dedup_key: string; status: string; next_attempt_at: string | null }>`
        SELECT dedup_key, status, next_attempt_at FROM webhook_events ORDER BY id`.execute(db);
      expect(rows.rows).toEqual([
        { dedup_key: "pending", status: "pending", next_attempt_at: "2026-01-05T01:00:00.000Z" },
        { dedup_key: "retry", status: "pending", next_attempt_at: "2026-01-05T01:00:30.000Z" },
        { dedup_key: "dead", status: "failed", next_attempt_at: null },
        { dedup_key: "done", status: "processed", next_attempt_at: null },
      ]);
      const leases = await sql`SELECT * FROM leases`.execute(db);
      expect(leases.rows).toEqual([]);
    } finally {
      await db.destroy();
    }
  });
});
