import { randomUUID } from "node:crypto";
import { sql } from "kysely";
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
  private running: Promise<void> | undefined;
  private again = false;
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
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((error) => this.logger.error({ err: error }, "outbox worker failed"))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves when nothing is being processed and nothing is due. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const rows = await this.claim();
      if (rows.length === 0) return;
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(this.options.concurrency, rows.length) }, async () => {
          while (next < rows.length) await this.process(rows[next++] as OutboxRow);
        }),
      );
    }
  }

  private async claim(): Promise<OutboxRow[]> {
    const now = new Date();
    const until = new Date(now.getTime() + this.options.leaseSeconds * 1000).toISOString();
    const result = await sql<OutboxRow>`
      UPDATE outbox
         SET status = 'in_flight', claimed_by = ${this.id}, claimed_until = ${until}, attempts = attempts + 1
       WHERE id IN (
             SELECT id FROM outbox
              WHERE (status = 'pending' AND next_attempt_at <= ${now.toISOString()})
                 OR (status = 'in_flight' AND claimed_until < ${now.toISOString()})
              ORDER BY id
              LIMIT ${this.options.batch})
      RETURNING id, idempotency_key, kind, citizen_id, zalo_user_id, announcement_id, payload, attempts`.execute(
      this.db,
    );
    return result.rows;
  }

  private async process(row: OutboxRow): Promise<void> {
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
        await this.release(row.id, {
          status: "pending",
          next_attempt_at: new Date(Date.now() + delay).toISOString(),
          last_error: message,
        });
      } else {
        this.logger.warn({ id: row.id, kind: row.kind, error: message }, "outbox row failed permanently");
        await this.release(row.id, { status: "failed", last_error: message });
      }
      return;
    }
    await this.release(row.id, {
      status: outcome.status,
      sent_at: new Date().toISOString(),
      channel: outcome.status === "sent" ? outcome.channel : null,
      provider_message_id: outcome.status === "sent" ? outcome.messageId : null,
      last_error: outcome.status === "skipped" ? outcome.reason : null,
    });
  }

  /** Only the worker holding the lease writes the outcome (a row re-claimed after a lease expiry is not clobbered). */
  private async release(
    id: number,
    set: {
      status: string;
      next_attempt_at?: string;
      last_error?: string | null;
      sent_at?: string;
      channel?: string | null;
      provider_message_id?: string | null;
    },
  ): Promise<void> {
    await this.db
      .updateTable("outbox")
      .set({ ...set, claimed_by: null, claimed_until: null })
      .where("id", "=", id)
      .where("claimed_by", "=", this.id)
      .where("status", "=", "in_flight")
      .execute();
  }
}
