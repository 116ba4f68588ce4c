import { type Kysely, type Migration, sql } from "kysely";
import { autoId } from "../dialect";

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // PORTAL_MODE=http (issue 7, docs/decisions/0011 "The HTTP gateway"): the provincial portal's code for each
    // dossier once it answered, the durable queue of what is still to be sent to it (same claim/lease/backoff as the
    // outbox), the portal's change events already applied (each MaSuKien once, from the callback or the feed), and
    // the feed's cursor in `meta`. Nothing here is used in embedded mode.
    await db.schema.alterTable("dossiers").addColumn("portal_code", "text").execute();
    await db.schema
      .createIndex("dossiers_portal_code_idx")
      .on("dossiers")
      .column("portal_code")
      .unique()
      .where(sql.ref("portal_code"), "is not", null)
      .execute();
    await db.schema
      .createTable("portal_jobs")
      .addColumn("id", ...autoId(db))
      .addColumn("idempotency_key", "text", (c) => c.notNull().unique())
      .addColumn("dossier_id", "integer", (c) => c.notNull())
      .addColumn("dossier_code", "text", (c) => c.notNull())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("payload", "text", (c) => c.notNull())
      .addColumn("progress", "text", (c) => c.notNull().defaultTo("{}"))
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("next_attempt_at", "text", (c) => c.notNull())
      .addColumn("claimed_by", "text")
      .addColumn("claimed_until", "text")
      .addColumn("last_error", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("done_at", "text")
      .execute();
    await db.schema
      .createIndex("portal_jobs_due_idx")
      .on("portal_jobs")
      .columns(["status", "next_attempt_at"])
      .execute();
    await db.schema.createIndex("portal_jobs_dossier_idx").on("portal_jobs").columns(["dossier_id", "id"]).execute();
    await db.schema
      .createTable("portal_events")
      .addColumn("event_id", "text", (c) => c.primaryKey())
      .addColumn("dossier_code", "text", (c) => c.notNull())
      .addColumn("source", "text", (c) => c.notNull())
      .addColumn("applied", "integer", (c) => c.notNull())
      .addColumn("at", "text", (c) => c.notNull())
      .addColumn("received_at", "text", (c) => c.notNull())
      .execute();
  },
};
