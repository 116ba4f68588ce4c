import { type RawBuilder, sql } from "kysely";
import type { Db } from "../../db/database";

/**
 * The background queues, each a table whose rows are claimed when due (decision 0018). What counts as due is what
 * the queue's claim takes: a pending row whose time has come, or a claimed row whose lease ran out. `due` selects one
 * column `due`, the moment each such row became due; `/metrics` counts them and takes the oldest, `/readyz` reads the
 * table. One list, so that a queue added is watched in both.
 */
export type QueueName =
  | "outbox"
  | "portal_forwarding"
  | "portal_api_callbacks"
  | "webhook_inbox"
  | "payment_reconciliation"
  | "postal";

export type QueueTable = {
  name: QueueName;
  table: string;
  due: (now: string) => RawBuilder<{ due: string }>;
};

export const QUEUES: readonly QueueTable[] = [
  {
    // notifications/outbox-worker.ts
    name: "outbox",
    table: "outbox",
    due: (now) => sql`
      SELECT next_attempt_at AS due FROM outbox WHERE status = 'pending' AND next_attempt_at <= ${now}
      UNION ALL
      SELECT claimed_until AS due FROM outbox WHERE status = 'in_flight' AND claimed_until < ${now}`,
  },
  {
    // provincial-gateway/forwarding-worker.ts (PORTAL_MODE=http; empty otherwise)
    name: "portal_forwarding",
    table: "portal_jobs",
    due: (now) => sql`
      SELECT next_attempt_at AS due FROM portal_jobs WHERE status = 'pending' AND next_attempt_at <= ${now}
      UNION ALL
      SELECT claimed_until AS due FROM portal_jobs WHERE status = 'in_flight' AND claimed_until < ${now}`,
  },
  {
    // portal-api/portal-api.callbacks.ts (PORTAL_API_CALLBACK_URL; a claim moves callback_next_at forward)
    name: "portal_api_callbacks",
    table: "portal_api_changes",
    due: (now) => sql`
      SELECT callback_next_at AS due FROM portal_api_changes
       WHERE callback_status = 'pending' AND callback_next_at <= ${now}`,
  },
  {
    // webhook/webhook-inbox.ts (leased, migration 0021; `failed` is the dead letter, never due)
    name: "webhook_inbox",
    table: "webhook_events",
    due: (now) => sql`
      SELECT next_attempt_at AS due FROM webhook_events WHERE status = 'pending' AND next_attempt_at <= ${now}
      UNION ALL
      SELECT claimed_until AS due FROM webhook_events WHERE status = 'in_flight' AND claimed_until < ${now}`,
  },
  {
    // payments/reconciler.ts
    name: "payment_reconciliation",
    table: "payment_attempts",
    due: (now) => sql`
      SELECT next_check_at AS due FROM payment_attempts
       WHERE next_check_at IS NOT NULL AND next_check_at <= ${now}
         AND (claimed_until IS NULL OR claimed_until < ${now})`,
  },
  {
    // postal/postal-queue.ts (sending, instructions to the post, and the status polls)
    name: "postal",
    table: "postal_orders",
    due: (now) => sql`
      SELECT next_attempt_at AS due FROM postal_orders
       WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ${now}
         AND (claimed_until IS NULL OR claimed_until < ${now})`,
  },
];

export type Backlog = { depth: number; oldestDueAgeSeconds: number };

/** How many rows of one queue are due now, and how long the oldest of them has waited (0 when none). */
export async function backlogOf(db: Db, queue: QueueTable, now: Date = new Date()): Promise<Backlog> {
  const at = now.toISOString();
  const result = await sql<{ depth: number | string; oldest: string | null }>`
    SELECT count(*) AS depth, min(due) AS oldest FROM (${queue.due(at)}) AS due_rows`.execute(db);
  const row = result.rows[0];
  const oldest = row?.oldest ? Date.parse(row.oldest) : Number.NaN;
  return {
    depth: Number(row?.depth ?? 0),
    oldestDueAgeSeconds: Number.isFinite(oldest) ? Math.max(0, (now.getTime() - oldest) / 1000) : 0,
  };
}

/** The portal forwarding lag: how long the oldest job not yet done has been waiting since it was written (0: none). */
export async function portalForwardingLagSeconds(db: Db, now: Date = new Date()): Promise<number> {
  const row = await db
    .selectFrom("portal_jobs")
    .select((eb) => eb.fn.min("created_at").as("oldest"))
    .where("status", "in", ["pending", "in_flight"])
    .executeTakeFirst();
  const oldest = row?.oldest ? Date.parse(row.oldest) : Number.NaN;
  return Number.isFinite(oldest) ? Math.max(0, (now.getTime() - oldest) / 1000) : 0;
}

/** Reads one row of the queue's table: it exists and the database lets this process read it. */
export async function readQueueTable(db: Db, queue: QueueTable): Promise<void> {
  await sql`SELECT 1 FROM ${sql.table(queue.table)} LIMIT 1`.execute(db);
}
