import type { Kysely, Migration } from "kysely";
import { autoId } from "../dialect";

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // Receiving units: the 54 communes and the provincial public administration centre (seeded at start).
    await db.schema
      .createTable("receiving_units")
      .addColumn("code", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("agency_code", "text", (c) => c.notNull().unique())
      .addColumn("level", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("calendar_days")
      .addColumn("date", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("updated_by", "text")
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("citizens")
      .addColumn("id", ...autoId(db))
      .addColumn("zalo_id", "text", (c) => c.notNull().unique())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("dev_identity", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("phone", "text")
      .addColumn("phone_consent_at", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("last_seen_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("officials")
      .addColumn("id", ...autoId(db))
      .addColumn("username", "text", (c) => c.notNull().unique())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("role", "text", (c) => c.notNull())
      .addColumn("unit_code", "text", (c) => c.notNull())
      .addColumn("password_hash", "text", (c) => c.notNull())
      .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
      .addColumn("failed_logins", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("locked_until", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("sessions")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("subject_kind", "text", (c) => c.notNull())
      .addColumn("subject_id", "integer", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("expires_at", "text", (c) => c.notNull())
      .addColumn("revoked_at", "text")
      .execute();
    await db.schema
      .createTable("dossier_counters")
      .addColumn("agency_code", "text", (c) => c.notNull())
      .addColumn("day", "text", (c) => c.notNull())
      .addColumn("last", "integer", (c) => c.notNull())
      .addPrimaryKeyConstraint("dossier_counters_pk", ["agency_code", "day"])
      .execute();
    await db.schema
      .createTable("dossiers")
      .addColumn("id", ...autoId(db))
      .addColumn("code", "text", (c) => c.notNull().unique())
      .addColumn("state", "integer", (c) => c.notNull())
      .addColumn("resume_state", "integer")
      .addColumn("procedure_code", "text", (c) => c.notNull())
      .addColumn("procedure_snapshot", "text", (c) => c.notNull())
      .addColumn("unit_code", "text", (c) => c.notNull())
      .addColumn("channel", "text", (c) => c.notNull())
      .addColumn("citizen_id", "integer")
      .addColumn("applicant", "text", (c) => c.notNull())
      .addColumn("applicant_name", "text", (c) => c.notNull())
      .addColumn("result_delivery", "text", (c) => c.notNull())
      .addColumn("form_data", "text", (c) => c.notNull())
      .addColumn("filed_by_official_id", "integer")
      .addColumn("on_behalf_consent", "text")
      .addColumn("submitted_at", "text", (c) => c.notNull())
      .addColumn("accepted_at", "text")
      .addColumn("complete_received_at", "text")
      .addColumn("due_date", "text")
      .addColumn("fees_due", "integer")
      .addColumn("missing_documents", "text", (c) => c.notNull().defaultTo("[]"))
      .addColumn("postal_tracking", "text")
      .addColumn("rating_score", "integer")
      .addColumn("rating_comment", "text")
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("dossiers_citizen_idx")
      .on("dossiers")
      .columns(["citizen_id", "submitted_at"])
      .execute();
    await db.schema.createIndex("dossiers_unit_idx").on("dossiers").columns(["unit_code", "state"]).execute();
    await db.schema
      .createIndex("dossiers_filed_by_idx")
      .on("dossiers")
      .columns(["filed_by_official_id", "submitted_at"])
      .execute();
    await db.schema
      .createTable("attachments")
      .addColumn("id", ...autoId(db))
      .addColumn("dossier_id", "integer", (c) => c.notNull().references("dossiers.id"))
      .addColumn("document_index", "integer")
      .addColumn("document_name", "text", (c) => c.notNull())
      .addColumn("sha256", "text", (c) => c.notNull())
      .addColumn("mime", "text", (c) => c.notNull())
      .addColumn("size", "integer", (c) => c.notNull())
      .addColumn("file_name", "text", (c) => c.notNull())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("uploaded_at", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("attachments_dossier_idx").on("attachments").column("dossier_id").execute();
    await db.schema
      .createTable("dossier_steps")
      .addColumn("id", ...autoId(db))
      .addColumn("dossier_id", "integer", (c) => c.notNull().references("dossiers.id"))
      .addColumn("at", "text", (c) => c.notNull())
      .addColumn("actor_kind", "text", (c) => c.notNull())
      .addColumn("actor_id", "integer")
      .addColumn("actor_name", "text", (c) => c.notNull())
      .addColumn("role", "text", (c) => c.notNull())
      .addColumn("unit_code", "text")
      .addColumn("action", "text", (c) => c.notNull())
      .addColumn("note", "text")
      .addColumn("from_state", "integer")
      .addColumn("to_state", "integer", (c) => c.notNull())
      .addColumn("details", "text")
      .execute();
    await db.schema.createIndex("dossier_steps_dossier_idx").on("dossier_steps").column("dossier_id").execute();
    // Domain events, written in the same transaction as the change: the notifications outbox reads them (issue 5).
    await db.schema
      .createTable("dossier_events")
      .addColumn("id", ...autoId(db))
      .addColumn("dossier_id", "integer", (c) => c.notNull().references("dossiers.id"))
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("payload", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
  },
};
