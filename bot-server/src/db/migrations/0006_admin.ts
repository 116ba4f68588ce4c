import type { Kysely, Migration } from "kysely";
import { autoId } from "../dialect";

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // Officials' replies in conversations handed off by the chatbot, each with what Zalo made of it: a reply that
    // failed stays here as failed (the citizen's own messages are in webhook_events).
    await db.schema
      .createTable("conversation_messages")
      .addColumn("id", ...autoId(db))
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
};
