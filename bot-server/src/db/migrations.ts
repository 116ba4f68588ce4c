import { type Kysely, type Migration, type MigrationProvider, sql } from "kysely";

/**
 * Versioned migrations, applied in name order at start and recorded by Kysely in `kysely_migration`.
 * Written with Kysely's schema builder so that the same steps run on PostgreSQL. Never edit a migration that has
 * shipped: add a new one.
 */
const migrations: Record<string, Migration> = {
  "0001_catalogue": {
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
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
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
  },
  "0002_dossiers": {
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
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
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
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
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
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
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
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
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
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
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
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
        .addColumn("dossier_id", "integer", (c) => c.notNull().references("dossiers.id"))
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("payload", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
    },
  },
  "0003_zalo": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("oa_tokens")
        .addColumn("id", "integer", (c) => c.primaryKey())
        .addColumn("access_token_enc", "text", (c) => c.notNull())
        .addColumn("refresh_token_enc", "text", (c) => c.notNull())
        .addColumn("access_expires_at", "text", (c) => c.notNull())
        .addColumn("refreshing_until", "text")
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("webhook_events")
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
        .addColumn("dedup_key", "text", (c) => c.notNull().unique())
        .addColumn("event_name", "text", (c) => c.notNull())
        .addColumn("user_id", "text")
        .addColumn("app_user_id", "text")
        .addColumn("raw", "text", (c) => c.notNull())
        .addColumn("received_at", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("processed_at", "text")
        .addColumn("error", "text")
        .execute();
      await db.schema.createIndex("webhook_events_status_idx").on("webhook_events").columns(["status", "id"]).execute();
      await db.schema
        .createTable("zalo_users")
        .addColumn("user_id", "text", (c) => c.primaryKey())
        .addColumn("app_user_id", "text")
        .addColumn("followed", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("followed_at", "text")
        .addColumn("unfollowed_at", "text")
        .addColumn("last_interaction_at", "text")
        .addColumn("handoff_until", "text")
        .addColumn("handoff_requested_at", "text")
        .addColumn("handoff_note", "text")
        .addColumn("shared_name", "text")
        .addColumn("shared_phone", "text")
        .addColumn("shared_address", "text")
        .addColumn("info_consent_at", "text")
        .execute();
      await db.schema.createIndex("zalo_users_app_user_idx").on("zalo_users").column("app_user_id").execute();
      await db.schema
        .createTable("subscriptions")
        .addColumn("user_id", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("subscriptions_pk", ["user_id", "kind", "value"])
        .execute();
      // Offline mode: what would have been sent to Zalo, for a developer to read (never pretends it was delivered).
      await db.schema
        .createTable("dev_outbox")
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
        .addColumn("channel", "text", (c) => c.notNull())
        .addColumn("recipient", "text", (c) => c.notNull())
        .addColumn("payload", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("dev_outbox_recipient_idx").on("dev_outbox").columns(["recipient", "id"]).execute();
    },
  },
  "0004_outbox": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("announcements")
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("body", "text", (c) => c.notNull())
        .addColumn("image_url", "text")
        .addColumn("link", "text")
        .addColumn("audience", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("created_by", "integer", (c) => c.notNull())
        .addColumn("approved_by", "integer")
        .addColumn("scheduled_at", "text")
        .addColumn("published_at", "text")
        .addColumn("fanout_done", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("announcements_status_idx")
        .on("announcements")
        .columns(["status", "scheduled_at"])
        .execute();
      // Every message to send: written in the transaction of the event that causes it, delivered by the workers.
      await db.schema
        .createTable("outbox")
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
        .addColumn("idempotency_key", "text", (c) => c.notNull().unique())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("citizen_id", "integer")
        .addColumn("zalo_user_id", "text")
        .addColumn("announcement_id", "integer")
        .addColumn("payload", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("next_attempt_at", "text", (c) => c.notNull())
        .addColumn("claimed_by", "text")
        .addColumn("claimed_until", "text")
        .addColumn("channel", "text")
        .addColumn("provider_message_id", "text")
        .addColumn("last_error", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("sent_at", "text")
        .execute();
      await db.schema.createIndex("outbox_due_idx").on("outbox").columns(["status", "next_attempt_at"]).execute();
      await db.schema.createIndex("outbox_lease_idx").on("outbox").columns(["status", "claimed_until"]).execute();
      await db.schema
        .createIndex("outbox_announcement_idx")
        .on("outbox")
        .columns(["announcement_id", "status"])
        .execute();
      await db.schema
        .createTable("delivery_attempts")
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
        .addColumn("outbox_id", "integer", (c) => c.notNull())
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("channel", "text", (c) => c.notNull())
        .addColumn("outcome", "text", (c) => c.notNull())
        .addColumn("detail", "text")
        .execute();
      await db.schema.createIndex("delivery_attempts_outbox_idx").on("delivery_attempts").column("outbox_id").execute();
      // The mini-app's inbox: what every citizen can read, whatever reached them on Zalo.
      await db.schema
        .createTable("notifications")
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
        .addColumn("citizen_id", "integer", (c) => c.notNull())
        .addColumn("source_key", "text", (c) => c.notNull().unique())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("body", "text", (c) => c.notNull())
        .addColumn("dossier_code", "text")
        .addColumn("link", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("read_at", "text")
        .execute();
      await db.schema
        .createIndex("notifications_citizen_idx")
        .on("notifications")
        .columns(["citizen_id", "id"])
        .execute();
      await db.schema
        .createTable("notification_prefs")
        .addColumn("citizen_id", "integer", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("zalo_enabled", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("notification_prefs_pk", ["citizen_id", "kind"])
        .execute();
    },
  },
  "0005_reports": {
    async up(db: Kysely<unknown>) {
      // What the indicators of Chỉ thị 07 need, kept on the dossier row so that one index scan answers a report:
      // the procedure's online level when the dossier was filed, how the result went out, and when.
      await db.schema.alterTable("dossiers").addColumn("online_level", "integer").execute();
      await db.schema.alterTable("dossiers").addColumn("result_method", "text").execute();
      await db.schema.alterTable("dossiers").addColumn("delivered_at", "text").execute();
      await sql`UPDATE dossiers SET online_level = json_extract(procedure_snapshot, '$.onlineLevel'),
        result_method = json_extract(result_delivery, '$.method')`.execute(db);
      await sql`UPDATE dossiers SET delivered_at = (SELECT MAX(at) FROM dossier_steps s
        WHERE s.dossier_id = dossiers.id AND s.to_state = 10) WHERE state = 10`.execute(db);
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
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
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
  },
  "0006_admin": {
    async up(db: Kysely<unknown>) {
      // Officials' replies in conversations handed off by the chatbot, each with what Zalo made of it: a reply that
      // failed stays here as failed (the citizen's own messages are in webhook_events).
      await db.schema
        .createTable("conversation_messages")
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
        .addColumn("user_id", "text", (c) => c.notNull())
        .addColumn("direction", "text", (c) => c.notNull())
        .addColumn("official_id", "integer")
        .addColumn("official_name", "text")
        .addColumn("text", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("provider_message_id", "text")
        .addColumn("error_code", "text")
        .addColumn("error", "text")
        .addColumn("sent_at", "text")
        .execute();
      await db.schema
        .createIndex("conversation_messages_user_idx")
        .on("conversation_messages")
        .columns(["user_id", "id"])
        .execute();
      await db.schema.createIndex("webhook_events_user_idx").on("webhook_events").columns(["user_id", "id"]).execute();
      // ZNS template per notification kind, set by an administrator; kinds without a row use ZNS_TEMPLATES.
      await db.schema
        .createTable("zns_templates")
        .addColumn("kind", "text", (c) => c.primaryKey())
        .addColumn("template_id", "text", (c) => c.notNull())
        .addColumn("params", "text", (c) => c.notNull())
        .addColumn("updated_by", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
    },
  },
  "0007_reports_speed": {
    async up(db: Kysely<unknown>) {
      // Reports over a quarter or a year (bench:reports, docs/benchmarks/reports-2026-11-27.txt): the indexes of 0005
      // are led by the instant, so SQLite had to sort every dossier of the period for GROUP BY (~4 s per query for a
      // province-year of 2 million dossiers). These are in the GROUP BY's order after the unit and the year of the
      // instant in Vietnam, so one unit-year is read in order and nothing is sorted. The repository's queries use the
      // same strftime expression, literals included; SQLite matches an expression index only on the identical
      // expression. (On PostgreSQL the expression would be an extract(year ...) at time zone 'Asia/Ho_Chi_Minh'.)
      await db.schema
        .createIndex("dossiers_report_year_idx")
        .on("dossiers")
        .column("unit_code")
        .expression(sql`strftime('%Y', submitted_at, '+7 hours')`)
        .columns(["procedure_code", "online_level", "channel", "submitted_at"])
        .execute();
      await db.schema
        .createIndex("dossiers_report_delivered_year_idx")
        .on("dossiers")
        .column("unit_code")
        .expression(sql`strftime('%Y', delivered_at, '+7 hours')`)
        .columns(["procedure_code", "result_method", "delivered_at"])
        .where(sql.ref("delivered_at"), "is not", null)
        .execute();
    },
  },
  "0008_portal_api": {
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
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
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
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
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
    },
  },
  "0009_portal_forwarding": {
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
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
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
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
