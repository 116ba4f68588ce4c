import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { SingleFlight } from "../../background/single-flight";
import type { Db } from "../../db/database";
import type { Logger } from "../../logger";
import { type DeliveryOutcome, type NotificationDelivery, type OutboxRow, RetryLater } from "./delivery";

export type OutboxWorkerOptions = {
  batch: number;
  concurrency: number;
  leaseSeconds: number;
  maxAttempts: number;
  pollMs?: number;
};

const BACKOFF_BASE_MS = 2_000;
const BACKOFF_CAP_MS = 60 * 60_000;

/**
 * Delivers outbox rows. Rows are claimed atomically (one UPDATE … RETURNING marks a batch in flight with this worker's
 * id and a lease), so several workers, in this process or others, never take the same row. A row marked sent is never
 * claimed again; a row whose worker died (`kill -9`) is claimed again when its lease expires — only rows in flight at a
 * crash can be sent twice. Failures are retried with exponential backoff and jitter; permanent ones are marked failed
 * with their reason.
 */
export class OutboxWorker {
  readonly id = `worker-${randomUUID().slice(0, 8)}`;
  private readonly flight = new SingleFlight(
    () => this.drain(),
    (error) => this.logger.error({ err: error }, "outbox worker failed"),
  );
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly delivery: NotificationDelivery,
    private readonly options: OutboxWorkerOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.kick();
    this.timer = setInterval(() => this.kick(), this.options.pollMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle();
  }

  kick(): void {
    if (this.stopped) return;
    this.flight.kick();
  }

  /** Resolves when nothing is being processed and nothing is due. */
  async idle(): Promise<void> {
    await this.flight.idle();
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const rows = await this.claim();
      if (rows.length === 0) return;
      const outcomes: { id: number; set: Release }[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(this.options.concurrency, rows.length) }, async () => {
          while (next < rows.length) {
            const row = rows[next++] as OutboxRow;
            outcomes.push({ id: row.id, set: await this.process(row) });
          }
        }),
      );
      // One transaction per claimed batch: the batch is the in-flight window anyway.
      await this.db.transaction().execute(async (trx) => {
        for (const { id, set } of outcomes) {
          await trx
            .updateTable("outbox")
            .set({ ...set, claimed_by: null, claimed_until: null })
            .where("id", "=", id)
            .where("claimed_by", "=", this.id)
            .where("status", "=", "in_flight")
            .execute();
        }
      });
    }
  }

  private async claim(): Promise<OutboxRow[]> {
    const now = new Date();
    const until = new Date(now.getTime() + this.options.leaseSeconds * 1000).toISOString();
    // Two index range scans (due rows, expired leases) rather than one OR over the whole table.
    const result = await sql<OutboxRow>`
      UPDATE outbox
         SET status = 'in_flight', claimed_by = ${this.id}, claimed_until = ${until}, attempts = attempts + 1
       WHERE id IN (
             SELECT id FROM (
               SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ${now.toISOString()}
                ORDER BY next_attempt_at LIMIT ${this.options.batch}) AS due
             UNION
             SELECT id FROM (
               SELECT id FROM outbox WHERE status = 'in_flight' AND claimed_until < ${now.toISOString()}
                LIMIT ${this.options.batch}) AS expired)
         -- Again on the row itself: on PostgreSQL a claim that waited for another's lock re-checks only this.
         AND ((status = 'pending' AND next_attempt_at <= ${now.toISOString()})
              OR (status = 'in_flight' AND claimed_until < ${now.toISOString()}))
      RETURNING id, idempotency_key, kind, citizen_id, zalo_user_id, announcement_id, payload, attempts`.execute(
      this.db,
    );
    return result.rows;
  }

  /** Delivers one row and says what to record for it. */
  private async process(row: OutboxRow): Promise<Release> {
    let outcome: DeliveryOutcome;
    try {
      outcome = await this.delivery.deliver(row);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof RetryLater && row.attempts < this.options.maxAttempts) {
        const delay = Math.max(
          error.afterMs ?? 0,
          Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (row.attempts - 1)) * (0.5 + Math.random()),
        );
        return { status: "pending", next_attempt_at: new Date(Date.now() + delay).toISOString(), last_error: message };
      }
      this.logger.warn({ id: row.id, kind: row.kind, error: message }, "outbox row failed permanently");
      return { status: "failed", last_error: message };
    }
    return {
      status: outcome.status,
      sent_at: new Date().toISOString(),
      channel: outcome.status === "sent" ? outcome.channel : null,
      provider_message_id: outcome.status === "sent" ? outcome.messageId : null,
      last_error: outcome.status === "skipped" ? outcome.reason : null,
    };
  }
}

/**
 * What a delivery leaves on its row. Only the worker holding the lease writes it (a row re-claimed after its lease
 * expired is not clobbered by the worker that lost it).
 */
type Release = {
  status: string;
  next_attempt_at?: string;
  last_error?: string | null;
  sent_at?: string;
  channel?: string | null;
  provider_message_id?: string | null;
};
