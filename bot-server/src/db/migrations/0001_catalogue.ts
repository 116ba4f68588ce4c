import { type Kysely, type Migration, sql } from "kysely";
import { autoId } from "../dialect";

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("meta")
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("value", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("procedures")
      .addColumn("code", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("field", "text", (c) => c.notNull())
      .addColumn("level", "text", (c) => c.notNull())
      .addColumn("agency", "text", (c) => c.notNull())
      .addColumn("online_level", "integer", (c) => c.notNull())
      .addColumn("processing_days", "integer")
      .addColumn("postal", "integer", (c) => c.notNull())
      .addColumn("record", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("procedures_field_idx").on("procedures").column("field").execute();
    await db.schema
      .createTable("procedure_revisions")
      .addColumn("id", ...autoId(db))
      .addColumn("code", "text", (c) => c.notNull())
      .addColumn("online_level", "integer", (c) => c.notNull())
      .addColumn("postal", "integer", (c) => c.notNull())
      .addColumn("valid_from", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("procedure_revisions_code_idx")
      .on("procedure_revisions")
      .columns(["code", "valid_from"])
      .execute();
    await sql`INSERT INTO meta (key, value) VALUES ('catalogue_revision', '0')`.execute(db);
  },
};
