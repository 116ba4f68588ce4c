import { type Kysely, type Migration, sql } from "kysely";

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // An official's spam mark (issue 13, finding 3): a flag beside the state, which stays one of the national codes.
    await db.schema.alterTable("dossiers").addColumn("spam_at", "text").execute();
    await db.schema.alterTable("dossiers").addColumn("spam_by", "integer").execute();
    await db.schema.alterTable("dossiers").addColumn("spam_note", "text").execute();
    // The few marked dossiers, found without reading the others: the reports take them out of their counts.
    await db.schema
      .createIndex("dossiers_spam_idx")
      .on("dossiers")
      .column("spam_at")
      .where(sql.ref("spam_at"), "is not", null)
      .execute();
  },
};
