import type { Kysely, Migration } from "kysely";

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // The orphan sweeper (files/orphan-sweeper.ts, issue 13, finding 9) asks which stored documents a row references,
    // by SHA-256, a few hundred at a time: without these it read both tables whole for every batch.
    await db.schema.createIndex("attachments_sha256_idx").on("attachments").column("sha256").execute();
    await db.schema.createIndex("portal_api_uploads_sha256_idx").on("portal_api_uploads").column("sha256").execute();
  },
};
