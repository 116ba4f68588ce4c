import { type Kysely, type Migration, sql } from "kysely";

/** The webhook inbox's tries before an event is left as `failed` (webhook-inbox.ts). */
const MAX_ATTEMPTS = 5;

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // Several instances on one database (issue 16, decision 0021). The webhook inbox claims its events with a lease,
    // like the outbox: `in_flight` by `claimed_by` until `claimed_until`; a failed try waits until `next_attempt_at`.
    await db.schema.alterTable("webhook_events").addColumn("claimed_by", "text").execute();
    await db.schema.alterTable("webhook_events").addColumn("claimed_until", "text").execute();
    await db.schema.alterTable("webhook_events").addColumn("next_attempt_at", "text").execute();
    // Pending events are due now; a failed one that had tries left (retried before, 15 s after its last try) becomes
    // pending again, due then. `failed` is from now on the end: no tries left.
    await sql`UPDATE webhook_events SET next_attempt_at = received_at WHERE status = 'pending'`.execute(db);
    await sql`UPDATE webhook_events SET status = 'pending', next_attempt_at = COALESCE(processed_at, received_at)
               WHERE status = 'failed' AND attempts < ${MAX_ATTEMPTS}`.execute(db);
    // A citizen's next event waits while an earlier one of theirs is open: that question is this index's.
    await db.schema
      .createIndex("webhook_events_user_open_idx")
      .on("webhook_events")
      .columns(["user_id", "status", "id"])
      .execute();
    // Periodic work that runs in one instance at a time (background/lease.ts).
    await db.schema
      .createTable("leases")
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("holder", "text", (c) => c.notNull())
      .addColumn("held_until", "text", (c) => c.notNull())
      .execute();
  },
};
