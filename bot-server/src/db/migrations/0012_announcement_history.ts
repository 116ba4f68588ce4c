import { type Kysely, type Migration, sql } from "kysely";
import { autoId } from "../dialect";

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // The unit an announcement belongs to (its author's when written): who else may edit, send or cancel it, and what
    // it may reach, follow from it (notifications/announcement-policy.ts). An author unknown here leaves it with the
    // province ("22"), whose officials may act on any announcement.
    await db.schema
      .alterTable("announcements")
      .addColumn("unit_code", "text", (c) => c.notNull().defaultTo("22"))
      .execute();
    await sql`UPDATE announcements SET unit_code = COALESCE(
      (SELECT officials.unit_code FROM officials WHERE officials.id = announcements.created_by), '22')`.execute(db);

    // Who did what to an announcement, when: every edit with the fields it changed, and every step of the workflow.
    // The approver must be none of the officials with a `create` or `update` row (the four-eyes rule).
    await db.schema
      .createTable("announcement_history")
      .addColumn("id", ...autoId(db))
      .addColumn("announcement_id", "integer", (c) => c.notNull())
      .addColumn("at", "text", (c) => c.notNull())
      .addColumn("official_id", "integer", (c) => c.notNull())
      .addColumn("official_name", "text", (c) => c.notNull())
      .addColumn("action", "text", (c) => c.notNull())
      .addColumn("from_status", "text")
      .addColumn("to_status", "text", (c) => c.notNull())
      .addColumn("changes", "text")
      .execute();
    await db.schema
      .createIndex("announcement_history_announcement_idx")
      .on("announcement_history")
      .columns(["announcement_id", "id"])
      .execute();
    // Announcements written before this migration: their author is known, their later edits are not.
    await sql`INSERT INTO announcement_history
      (announcement_id, at, official_id, official_name, action, from_status, to_status, changes)
      SELECT announcements.id, announcements.created_at, announcements.created_by,
        COALESCE((SELECT officials.name FROM officials WHERE officials.id = announcements.created_by), ''),
        'create', NULL, 'draft', NULL
      FROM announcements`.execute(db);
  },
};
