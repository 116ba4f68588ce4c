import { type Kysely, type Migration, sql } from "kysely";
import { autoId } from "../dialect";

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // The public postal service (issue 15, decision 0017). A postal order: the post picks up a dossier's originals
    // (pickup) or carries its result (delivery). Written here before anything is sent, with our own reference (the
    // idempotency key the post is given); the columns at the end are its queue (decision 0007's pattern).
    await db.schema
      .createTable("postal_orders")
      .addColumn("id", ...autoId(db))
      .addColumn("reference", "text", (c) => c.notNull().unique())
      .addColumn("dossier_id", "integer", (c) => c.notNull().references("dossiers.id"))
      .addColumn("dossier_code", "text", (c) => c.notNull())
      .addColumn("unit_code", "text", (c) => c.notNull())
      .addColumn("citizen_id", "integer")
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("waybill", "text", (c) => c.unique())
      // JSON: the unit's side as sent (PostParty), the citizen's side (PostalContact), the pick-up's day and slot.
      .addColumn("sender", "text", (c) => c.notNull())
      .addColumn("contact", "text", (c) => c.notNull())
      .addColumn("pickup_window", "text")
      // The pick-up's day alone, for the console's list of the day's pick-ups.
      .addColumn("pickup_date", "text")
      .addColumn("charge", "integer", (c) => c.notNull())
      .addColumn("cod_amount", "integer", (c) => c.notNull())
      .addColumn("note", "text")
      .addColumn("requested_by", "text", (c) => c.notNull())
      .addColumn("requested_at", "text", (c) => c.notNull())
      // When the post accepted it, and the post's own time of the last status applied (never taken back by an older one).
      .addColumn("accepted_at", "text")
      .addColumn("status_at", "text")
      .addColumn("proof", "text")
      // The citizen's choice after the last failed delivery, and what the post still has to be told (cancel, redeliver).
      .addColumn("chosen", "text")
      .addColumn("instruction", "text")
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addColumn("send_attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("last_error", "text")
      .addColumn("next_attempt_at", "text")
      .addColumn("claimed_by", "text")
      .addColumn("claimed_until", "text")
      .execute();
    await db.schema.createIndex("postal_orders_dossier_idx").on("postal_orders").column("dossier_id").execute();
    await db.schema
      .createIndex("postal_orders_queue_idx")
      .on("postal_orders")
      .column("next_attempt_at")
      .where(sql.ref("next_attempt_at"), "is not", null)
      .execute();
    await db.schema
      .createIndex("postal_orders_unit_idx")
      .on("postal_orders")
      .columns(["unit_code", "status", "kind"])
      .execute();
    await db.schema
      .createIndex("postal_orders_pickup_day_idx")
      .on("postal_orders")
      .columns(["pickup_date", "unit_code"])
      .where(sql.ref("pickup_date"), "is not", null)
      .execute();
    // One open order per dossier and kind: a second request or a second dispatch finds the first.
    await sql`CREATE UNIQUE INDEX postal_orders_one_open ON postal_orders (dossier_id, kind)
              WHERE status NOT IN ('delivered', 'returned', 'cancelled')`.execute(db);

    // Every status the post reported, with what became of it: applied once per (order, event).
    await db.schema
      .createTable("postal_events")
      .addColumn("id", ...autoId(db))
      .addColumn("order_id", "integer", (c) => c.notNull().references("postal_orders.id"))
      .addColumn("source", "text", (c) => c.notNull())
      .addColumn("event_key", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("at", "text", (c) => c.notNull())
      .addColumn("received_at", "text", (c) => c.notNull())
      .addColumn("result", "text", (c) => c.notNull())
      .addColumn("note", "text")
      .execute();
    await db.schema
      .createIndex("postal_events_once")
      .on("postal_events")
      .columns(["order_id", "event_key"])
      .unique()
      .execute();

    // A receiving unit's sender details and its tariff with the post, edited by administrators.
    await db.schema
      .createTable("postal_senders")
      .addColumn("unit_code", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("phone", "text", (c) => c.notNull())
      .addColumn("street", "text", (c) => c.notNull())
      .addColumn("commune_code", "text", (c) => c.notNull())
      .addColumn("customer_code", "text")
      .addColumn("tariff", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addColumn("updated_by", "integer")
      .execute();

    // Waybill numbers the post allocated in advance (POSTAL_WAYBILL_POOL=true): the first one free is taken.
    await db.schema
      .createTable("postal_waybills")
      .addColumn("waybill", "text", (c) => c.primaryKey())
      .addColumn("added_at", "text", (c) => c.notNull())
      .addColumn("order_id", "integer")
      .execute();
    await db.schema
      .createIndex("postal_waybills_free_idx")
      .on("postal_waybills")
      .column("waybill")
      .where(sql.ref("order_id"), "is", null)
      .execute();

    // What the indicators 4–6 count (issue 15): the post picked up the originals, the post delivered the result. The
    // filing's own pick-up request waits in pickup_request until the filing's transaction turns it into an order.
    await db.schema.alterTable("dossiers").addColumn("pickup_request", "text").execute();
    await db.schema.alterTable("dossiers").addColumn("postal_received_at", "text").execute();
    await db.schema.alterTable("dossiers").addColumn("postal_delivered_at", "text").execute();
    // Dossiers from before this change keep counting as they did: received on the postal channel, returned by post.
    await sql`UPDATE dossiers SET postal_received_at = submitted_at WHERE channel = 'postal'`.execute(db);
    await sql`UPDATE dossiers SET postal_delivered_at = delivered_at
              WHERE result_method = 'post' AND delivered_at IS NOT NULL`.execute(db);
    await db.schema
      .createIndex("dossiers_postal_received_idx")
      .on("dossiers")
      .columns(["submitted_at", "unit_code", "procedure_code", "spam_at"])
      .where(sql.ref("postal_received_at"), "is not", null)
      .execute();
    await db.schema
      .createIndex("dossiers_postal_delivered_idx")
      .on("dossiers")
      .columns(["postal_delivered_at", "unit_code", "procedure_code", "spam_at"])
      .where(sql.ref("postal_delivered_at"), "is not", null)
      .execute();
  },
};
