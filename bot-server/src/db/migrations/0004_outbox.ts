import type { Kysely, Migration } from "kysely";
import { autoId } from "../dialect";

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("announcements")
      .addColumn("id", ...autoId(db))
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
      .addColumn("id", ...autoId(db))
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
      .addColumn("id", ...autoId(db))
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
      .addColumn("id", ...autoId(db))
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
};
