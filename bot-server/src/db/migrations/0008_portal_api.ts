import { type Kysely, type Migration, sql } from "kysely";
import { autoId, dialectOf } from "../dialect";

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // The embedded portal serving the portal contract at /portal-api (issue 7, docs/decisions/0011 "The embedded
    // portal's /portal-api"). Dossiers filed through it, with the client and its reference (MaThamChieu).
    await db.schema
      .createTable("portal_api_dossiers")
      .addColumn("dossier_id", "integer", (c) => c.primaryKey().references("dossiers.id"))
      .addColumn("client_id", "text", (c) => c.notNull())
      .addColumn("reference", "text", (c) => c.notNull())
      .addColumn("on_behalf", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
    // Idempotency-Key → hash of the request → dossier, written in the filing's transaction (kept for good).
    await db.schema
      .createTable("portal_api_idempotency")
      .addColumn("client_id", "text", (c) => c.notNull())
      .addColumn("idempotency_key", "text", (c) => c.notNull())
      .addColumn("request_hash", "text", (c) => c.notNull())
      .addColumn("dossier_id", "integer", (c) => c.notNull().references("dossiers.id"))
      .addColumn("created_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("portal_api_idempotency_pk", ["client_id", "idempotency_key"])
      .execute();
    // Files uploaded through the API: initial ones go straight to `attachments`; supplements wait here until
    // `supplement` names them. One row per dossier, document, kind and content.
    await db.schema
      .createTable("portal_api_uploads")
      .addColumn("id", ...autoId(db))
      .addColumn("dossier_id", "integer", (c) => c.notNull().references("dossiers.id"))
      .addColumn("document_index", "integer")
      .addColumn("document_name", "text", (c) => c.notNull())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("sha256", "text", (c) => c.notNull())
      .addColumn("mime", "text", (c) => c.notNull())
      .addColumn("size", "integer", (c) => c.notNull())
      .addColumn("file_name", "text", (c) => c.notNull())
      .addColumn("uploaded_at", "text", (c) => c.notNull())
      .addColumn("used_at", "text")
      .execute();
    await db.schema
      .createIndex("portal_api_uploads_once_idx")
      .on("portal_api_uploads")
      .unique()
      .expression(sql`dossier_id, coalesce(document_index, -1), kind, sha256`)
      .execute();
    // The change feed and the callbacks' delivery state: one row per state change of a dossier filed through the
    // API. `id` is the feed's cursor; `event_key` is the MaSuKien, the same in the feed and in every callback.
    await db.schema
      .createTable("portal_api_changes")
      .addColumn("id", ...autoId(db))
      .addColumn("event_key", "text", (c) => c.notNull().unique())
      .addColumn("event_id", "integer", (c) => c.notNull().unique())
      .addColumn("dossier_id", "integer", (c) => c.notNull())
      .addColumn("client_id", "text", (c) => c.notNull())
      .addColumn("from_state", "integer")
      .addColumn("to_state", "integer", (c) => c.notNull())
      .addColumn("at", "text", (c) => c.notNull())
      .addColumn("action", "text")
      .addColumn("actor_name", "text")
      .addColumn("unit_code", "text")
      .addColumn("note", "text")
      .addColumn("details", "text")
      .addColumn("due_date", "text")
      .addColumn("missing_documents", "text", (c) => c.notNull())
      .addColumn("fees_due", "integer")
      .addColumn("tracking_number", "text")
      .addColumn("callback_status", "text", (c) => c.notNull().defaultTo("pending"))
      .addColumn("callback_attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("callback_next_at", "text", (c) => c.notNull())
      .addColumn("callback_error", "text")
      .addColumn("callback_done_at", "text")
      .execute();
    await db.schema
      .createIndex("portal_api_changes_client_idx")
      .on("portal_api_changes")
      .columns(["client_id", "id"])
      .execute();
    await db.schema
      .createIndex("portal_api_changes_callback_idx")
      .on("portal_api_changes")
      .columns(["callback_status", "id"])
      .execute();
    // Every change of such a dossier is recorded in the transaction that made it, whoever made it (an official in
    // /api, this API, another process on the same database): a trigger on the domain events of the embedded portal,
    // which always writes its step, then its event, after updating the dossier. SQLite syntax; on PostgreSQL this is
    // a trigger function with the same INSERT … SELECT.
    // (Dropped again by 0010, which writes the feed in code: never created on PostgreSQL.)
    if (dialectOf(db) === "sqlite") {
      await sql`
        CREATE TRIGGER portal_api_changes_record AFTER INSERT ON dossier_events
        WHEN NEW.type IN ('dossier.submitted', 'dossier.state-changed')
          AND EXISTS (SELECT 1 FROM portal_api_dossiers WHERE dossier_id = NEW.dossier_id)
        BEGIN
          INSERT INTO portal_api_changes (event_key, event_id, dossier_id, client_id, from_state, to_state, at, action,
            actor_name, unit_code, note, details, due_date, missing_documents, fees_due, tracking_number,
            callback_next_at)
          SELECT 'evt-' || lower(hex(randomblob(16))), NEW.id, d.id, p.client_id, s.from_state, s.to_state, s.at,
            s.action, s.actor_name, s.unit_code, s.note, s.details, d.due_date, d.missing_documents, d.fees_due,
            d.postal_tracking, NEW.created_at
          FROM dossiers d
          JOIN portal_api_dossiers p ON p.dossier_id = d.id
          JOIN dossier_steps s ON s.id = (SELECT max(id) FROM dossier_steps WHERE dossier_id = NEW.dossier_id)
          WHERE d.id = NEW.dossier_id;
        END
      `.execute(db);
    }
  },
};
