import { type Kysely, type Migration, sql } from "kysely";
import { autoId } from "../dialect";

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // Online payment (issue 14, decision 0014). A charge is what a dossier owes at one time: its fixed fees at filing,
    // or an official's request (state 6). Written in the transaction of the step that creates or ends it.
    await db.schema
      .createTable("dossier_charges")
      .addColumn("id", ...autoId(db))
      .addColumn("dossier_id", "integer", (c) => c.notNull().references("dossiers.id"))
      .addColumn("dossier_code", "text", (c) => c.notNull())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("lines", "text", (c) => c.notNull())
      .addColumn("amount", "integer", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("settled_at", "text")
      .addColumn("settled_attempt_id", "integer")
      .execute();
    await db.schema.createIndex("dossier_charges_dossier_idx").on("dossier_charges").column("dossier_id").execute();
    // At most one charge due per dossier: a new request replaces the one before (it is cancelled in the same step).
    await db.schema
      .createIndex("dossier_charges_one_due")
      .on("dossier_charges")
      .column("dossier_id")
      .unique()
      .where(sql.ref("status"), "=", "due")
      .execute();

    // A payment attempt: written before the citizen leaves for the provider, with our own reference.
    await db.schema
      .createTable("payment_attempts")
      .addColumn("id", ...autoId(db))
      .addColumn("reference", "text", (c) => c.notNull().unique())
      .addColumn("charge_id", "integer", (c) => c.notNull().references("dossier_charges.id"))
      .addColumn("dossier_id", "integer", (c) => c.notNull().references("dossiers.id"))
      .addColumn("dossier_code", "text", (c) => c.notNull())
      .addColumn("unit_code", "text", (c) => c.notNull())
      .addColumn("citizen_id", "integer")
      .addColumn("provider", "text", (c) => c.notNull())
      .addColumn("amount", "integer", (c) => c.notNull())
      .addColumn("lines", "text", (c) => c.notNull())
      .addColumn("payer", "text", (c) => c.notNull())
      .addColumn("client_ip", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("provider_order_id", "text")
      .addColumn("transaction_id", "text")
      .addColumn("failure", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addColumn("paid_at", "text")
      // When the dossier was moved on after the payment (or found not to need it): null = still to do.
      .addColumn("advanced_at", "text")
      .addColumn("receipt_number", "text", (c) => c.unique())
      // The national platform offered as Checkout's custom method: the Checkout attempt this one pays, and when Zalo
      // was told (updateOrderStatus).
      .addColumn("via_attempt_id", "integer")
      .addColumn("reported_at", "text")
      // The reconciliation queue: when to ask the provider next, how often it was asked, who holds the lease.
      .addColumn("next_check_at", "text")
      .addColumn("checks", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("claimed_by", "text")
      .addColumn("claimed_until", "text")
      .execute();
    await db.schema.createIndex("payment_attempts_dossier_idx").on("payment_attempts").column("dossier_id").execute();
    await db.schema
      .createIndex("payment_attempts_check_idx")
      .on("payment_attempts")
      .column("next_check_at")
      .where(sql.ref("next_check_at"), "is not", null)
      .execute();
    await db.schema
      .createIndex("payment_attempts_unit_day_idx")
      .on("payment_attempts")
      .columns(["unit_code", "created_at"])
      .execute();
    // The attempts handed over from Checkout (its custom method): looked up in every Checkout confirmation.
    await db.schema
      .createIndex("payment_attempts_via_idx")
      .on("payment_attempts")
      .column("via_attempt_id")
      .where(sql.ref("via_attempt_id"), "is not", null)
      .execute();
    // One provider order belongs to one attempt (Checkout's orderId, told by the device).
    await db.schema
      .createIndex("payment_attempts_order_unique")
      .on("payment_attempts")
      .columns(["provider", "provider_order_id"])
      .unique()
      .where(sql.ref("provider_order_id"), "is not", null)
      .execute();

    // Every confirmation received (callback, the citizen's return, reconciliation), whatever became of it. A
    // provider's transaction is applied once: the database refuses a second applied row for it.
    await db.schema
      .createTable("payment_events")
      .addColumn("id", ...autoId(db))
      .addColumn("provider", "text", (c) => c.notNull())
      .addColumn("source", "text", (c) => c.notNull())
      .addColumn("reference", "text")
      .addColumn("attempt_id", "integer")
      .addColumn("dossier_code", "text")
      .addColumn("unit_code", "text")
      .addColumn("transaction_id", "text")
      .addColumn("amount", "integer", (c) => c.notNull())
      .addColumn("outcome", "text", (c) => c.notNull())
      .addColumn("result", "text", (c) => c.notNull())
      .addColumn("flag", "text")
      .addColumn("fields", "text", (c) => c.notNull())
      .addColumn("received_at", "text", (c) => c.notNull())
      .addColumn("resolved_at", "text")
      .addColumn("resolved_by", "integer")
      .addColumn("resolution", "text")
      .execute();
    await db.schema
      .createIndex("payment_events_applied_once")
      .on("payment_events")
      .columns(["provider", "transaction_id"])
      .unique()
      .where(sql.ref("result"), "=", "applied")
      .execute();
    // A repeated refusal (the reconciliation asking again, a provider redelivering) is found by its attempt or reference.
    await db.schema.createIndex("payment_events_attempt_idx").on("payment_events").column("attempt_id").execute();
    await db.schema.createIndex("payment_events_reference_idx").on("payment_events").column("reference").execute();
    await db.schema
      .createIndex("payment_events_flagged_idx")
      .on("payment_events")
      .column("received_at")
      .where(sql.ref("flag"), "is not", null)
      .execute();

    // Money to give back: a payment for a dossier withdrawn, refused or stopped, or a charge paid twice.
    await db.schema
      .createTable("payment_refunds")
      .addColumn("id", ...autoId(db))
      .addColumn("attempt_id", "integer", (c) => c.notNull().unique().references("payment_attempts.id"))
      .addColumn("dossier_code", "text", (c) => c.notNull())
      .addColumn("unit_code", "text", (c) => c.notNull())
      .addColumn("amount", "integer", (c) => c.notNull())
      .addColumn("reason", "text", (c) => c.notNull())
      .addColumn("due_at", "text", (c) => c.notNull())
      .addColumn("done_at", "text")
      .addColumn("done_by", "integer")
      .addColumn("note", "text")
      .execute();

    // The citizen's fee choice at filing (the exemption claimed, optional lines), and an official's check of the claim.
    await db.schema.alterTable("dossiers").addColumn("fee_choice", "text").execute();
    await db.schema.alterTable("dossiers").addColumn("exemption_check", "text").execute();
  },
};
