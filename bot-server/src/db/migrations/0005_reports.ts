import { type Kysely, type Migration, sql } from "kysely";
import { autoId, dialectOf } from "../dialect";

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // What the indicators of Chỉ thị 07 need, kept on the dossier row so that one index scan answers a report:
    // the procedure's online level when the dossier was filed, how the result went out, and when.
    await db.schema.alterTable("dossiers").addColumn("online_level", "integer").execute();
    await db.schema.alterTable("dossiers").addColumn("result_method", "text").execute();
    await db.schema.alterTable("dossiers").addColumn("delivered_at", "text").execute();
    // The backfill of dossiers filed before: SQLite databases only (a PostgreSQL database starts at the latest schema,
    // empty, and has no json_extract).
    if (dialectOf(db) === "sqlite") {
      await sql`UPDATE dossiers SET online_level = json_extract(procedure_snapshot, '$.onlineLevel'),
        result_method = json_extract(result_delivery, '$.method')`.execute(db);
      await sql`UPDATE dossiers SET delivered_at = (SELECT MAX(at) FROM dossier_steps s
        WHERE s.dossier_id = dossiers.id AND s.to_state = 10) WHERE state = 10`.execute(db);
    }
    await db.schema
      .createIndex("dossiers_report_submitted_idx")
      .on("dossiers")
      .columns(["submitted_at", "unit_code", "procedure_code", "online_level", "channel"])
      .execute();
    await db.schema
      .createIndex("dossiers_report_unit_idx")
      .on("dossiers")
      .columns(["unit_code", "submitted_at", "procedure_code", "online_level", "channel"])
      .execute();
    await db.schema
      .createIndex("dossiers_report_delivered_idx")
      .on("dossiers")
      .columns(["delivered_at", "unit_code", "procedure_code", "result_method"])
      .where(sql.ref("delivered_at"), "is not", null)
      .execute();
    await db.schema
      .createIndex("dossiers_report_unit_delivered_idx")
      .on("dossiers")
      .columns(["unit_code", "delivered_at", "procedure_code", "result_method"])
      .where(sql.ref("delivered_at"), "is not", null)
      .execute();
    await db.schema
      .createIndex("procedure_revisions_from_idx")
      .on("procedure_revisions")
      .columns(["code", "valid_from"])
      .execute();
    // Quarterly reports a unit has sent (Chỉ thị 07, item 9), with the figures as they were when sent.
    await db.schema
      .createTable("report_submissions")
      .addColumn("id", ...autoId(db))
      .addColumn("unit_code", "text", (c) => c.notNull())
      .addColumn("year", "integer", (c) => c.notNull())
      .addColumn("quarter", "integer", (c) => c.notNull())
      .addColumn("figures", "text", (c) => c.notNull())
      .addColumn("submitted_by", "integer", (c) => c.notNull())
      .addColumn("submitted_by_name", "text", (c) => c.notNull())
      .addColumn("submitted_at", "text", (c) => c.notNull())
      .addUniqueConstraint("report_submissions_unit_quarter", ["unit_code", "year", "quarter"])
      .execute();
  },
};
