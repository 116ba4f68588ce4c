import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { SingleFlight } from "../../background/single-flight";
import { PaymentProviderError } from "../../clients/payments/provider";
import type { Db } from "../../db/database";
import type { Logger } from "../../logger";
import type { PaymentService } from "./payment.service";

export type ReconcilerOptions = {
  /** How often the queue is looked at. */
  pollMs: number;
  batch?: number;
  concurrency?: number;
  leaseSeconds?: number;
  /** The first wait between two asks of the provider (doubling, with equal jitter) and the longest. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** An attempt still open this long after it started is abandoned. */
  abandonAfterMs: number;
  now?: () => Date;
  random?: () => number;
};

type Claimed = {
  id: number;
  reference: string;
  status: "open" | "paid" | "failed" | "abandoned";
  created_at: string;
  checks: number;
};

/**
 * The reconciliation worker (issue 14): heals what a lost callback or a crash left. An open attempt whose check came
 * due is asked about at its provider (Checkout's get-status, the national platform's QUERY) and the answer applied
 * like a callback; a paid attempt whose dossier was not yet moved on is moved on. Same queue pattern as the outbox
 * and the portal forwarding (decision 0007): a batch claimed atomically with a lease, backoff with jitter, and an end
 * (abandoned after PAYMENT_ABANDON_AFTER_HOURS).
 */
export class PaymentReconciler {
  readonly id = `reconciler-${randomUUID().slice(0, 8)}`;
  private readonly flight = new SingleFlight(
    () => this.drain().then(() => undefined),
    (error) => this.logger.error({ err: error }, "payment reconciliation failed"),
  );
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly now: () => Date;
  private readonly random: () => number;

  constructor(
    private readonly db: Db,
    private readonly payments: PaymentService,
    private readonly options: ReconcilerOptions,
    private readonly logger: Logger,
  ) {
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.options.pollMs);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.flight.idle();
  }

  kick(): void {
    if (this.stopped) return;
    this.flight.kick();
  }

  /** Runs passes until nothing is due (tests and the benchmark call it directly). */
  async drain(): Promise<number> {
    let done = 0;
    for (;;) {
      if (this.stopped) return done;
      const batch = await this.claim();
      if (batch.length === 0) return done;
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(this.options.concurrency ?? 8, batch.length) }, async () => {
          while (next < batch.length) {
            const attempt = batch[next++] as Claimed;
            await this.work(attempt);
            done++;
          }
        }),
      );
    }
  }

  private async claim(): Promise<Claimed[]> {
    const now = this.now();
    const until = new Date(now.getTime() + (this.options.leaseSeconds ?? 60) * 1000).toISOString();
    const result = await sql<Claimed>`
      UPDATE payment_attempts
         SET claimed_by = ${this.id}, claimed_until = ${until}, checks = checks + 1
       WHERE id IN (SELECT id FROM payment_attempts
                     WHERE next_check_at IS NOT NULL AND next_check_at <= ${now.toISOString()}
                       AND (claimed_until IS NULL OR claimed_until < ${now.toISOString()})
                     ORDER BY next_check_at LIMIT ${this.options.batch ?? 100})
         -- Again on the row itself: on PostgreSQL a claim that waited for another's lock re-checks only this.
         AND next_check_at IS NOT NULL AND next_check_at <= ${now.toISOString()}
         AND (claimed_until IS NULL OR claimed_until < ${now.toISOString()})
      RETURNING id, reference, status, created_at, checks`.execute(this.db);
    return result.rows;
  }

  private async work(attempt: Claimed): Promise<void> {
    try {
      if (attempt.status === "paid") {
        await this.payments.advance(attempt.id);
      } else if (attempt.status === "open") {
        const row = await this.db
          .selectFrom("payment_attempts")
          .selectAll()
          .where("id", "=", attempt.id)
          .executeTakeFirstOrThrow();
        await this.payments.reconcileOne(row, "reconcile");
      }
    } catch (error) {
      if (!(error instanceof PaymentProviderError)) {
        this.logger.error({ err: error, reference: attempt.reference }, "payment reconciliation: attempt failed");
      }
    }
    await this.release(attempt);
  }

  /**
   * After the work: an attempt still open waits for its next ask, or is abandoned; the lease is given back. Each write
   * names the status it read, so that a callback applied meanwhile is never overwritten.
   */
  private async release(attempt: Claimed): Promise<void> {
    const now = this.now();
    const row = await this.db
      .selectFrom("payment_attempts")
      .select(["status", "advanced_at"])
      .where("id", "=", attempt.id)
      .executeTakeFirstOrThrow();
    const mine = this.db.updateTable("payment_attempts").where("id", "=", attempt.id).where("claimed_by", "=", this.id);
    if (row.status === "open") {
      if (now.getTime() - Date.parse(attempt.created_at) >= this.options.abandonAfterMs) {
        await mine.set({ status: "abandoned", next_check_at: null }).where("status", "=", "open").execute();
      } else {
        const ceiling = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** Math.min(attempt.checks, 20));
        const next = new Date(now.getTime() + ceiling / 2 + this.random() * (ceiling / 2)).toISOString();
        await mine.set({ next_check_at: next }).where("status", "=", "open").execute();
      }
    } else if (row.status === "paid" && row.advanced_at === null) {
      const next = new Date(now.getTime() + this.options.retryBaseMs).toISOString();
      await mine.set({ next_check_at: next }).where("advanced_at", "is", null).execute();
    }
    await mine.set({ claimed_by: null, claimed_until: null }).execute();
  }
}
