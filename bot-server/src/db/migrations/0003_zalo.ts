import type { Kysely, Migration } from "kysely";
import { autoId } from "../dialect";

export const migration: Migration = {
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
      .addColumn("id", ...autoId(db))
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
      .addColumn("id", ...autoId(db))
      .addColumn("channel", "text", (c) => c.notNull())
      .addColumn("recipient", "text", (c) => c.notNull())
      .addColumn("payload", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("dev_outbox_recipient_idx").on("dev_outbox").columns(["recipient", "id"]).execute();
  },
};
