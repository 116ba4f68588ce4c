import { type Kysely, type Migration, sql } from "kysely";
import { autoId } from "../dialect";

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // What administrators are warned about (issue 13, finding 7): today, one account collecting wrong passwords. One
    // open alert per account grows with each further failure until an administrator acknowledges it.
    await db.schema
      .createTable("security_alerts")
      .addColumn("id", ...autoId(db))
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("official_id", "integer", (c) => c.notNull().references("officials.id"))
      .addColumn("username", "text", (c) => c.notNull())
      .addColumn("failures", "integer", (c) => c.notNull())
      .addColumn("sources", "text", (c) => c.notNull())
      .addColumn("first_at", "text", (c) => c.notNull())
      .addColumn("last_at", "text", (c) => c.notNull())
      .addColumn("signed_in_at", "text")
      .addColumn("acknowledged_at", "text")
      .addColumn("acknowledged_by", "integer")
      .execute();
    // At most one open alert per account, even when wrong passwords arrive together.
    await db.schema
      .createIndex("security_alerts_one_open")
      .on("security_alerts")
      .column("official_id")
      .unique()
      .where(sql<boolean>`acknowledged_at is null`)
      .execute();
  },
};
