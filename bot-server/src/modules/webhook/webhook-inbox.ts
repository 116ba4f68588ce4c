import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { SingleFlight } from "../../background/single-flight";
import type { Db } from "../../db/database";
import type { Logger } from "../../logger";

export type InboundEvent = {
  id: number;
  name: string;
  userId: string | null;
  appUserId: string | null;
  at: Date;
  body: Record<string, unknown>;
};

export type EventHandler = (event: InboundEvent) => Promise<"processed" | "ignored">;

export type WebhookInboxOptions = {
  /** How long a claim lasts: an instance that dies mid-event leaves it to another this long after. */
  leaseSeconds: number;
  /** Tries before an event is left as `failed` (the dead letter: kept, shown, never tried again). */
  maxAttempts: number;
  /** The wait after the first failed try, doubling (with jitter) up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Events claimed at once (at most one per citizen) and handled side by side. */
  batch: number;
  /** How often the inbox looks without being kicked: retries due, claims expired, events another instance stored. */
  pollMs: number;
  now?: () => Date;
  random?: () => number;
};

export const WEBHOOK_INBOX_DEFAULTS: WebhookInboxOptions = {
  leaseSeconds: 60,
  maxAttempts: 5,
  retryBaseMs: 15_000,
  retryMaxMs: 5 * 60_000,
  batch: 8,
  pollMs: 5_000,
};

type ClaimedRow = {
  id: number;
  event_name: string;
  user_id: string | null;
  app_user_id: string | null;
  raw: string;
  received_at: string;
  attempts: number;
};

/**
 * Stored webhook events and the loop that handles them (decision 0021). Each instance claims a batch with one
 * UPDATE … RETURNING that marks it `in_flight` with the instance's id and a lease, so that two instances never handle
 * one event. A citizen's events are handled one at a time in the order they arrived, across instances: an event is
 * claimed only when no earlier event of the same Zalo user is pending or in flight (so a batch holds at most one per
 * citizen). A failed try is tried again after a backoff with jitter, and after `maxAttempts` tries is left `failed`;
 * the citizen's later events wait behind it meanwhile (minutes, not hours). An event whose instance died is claimed
 * again once its lease has run out — only events in flight at a crash can be answered twice.
 */
export class WebhookInbox {
  readonly id = `inbox-${randomUUID().slice(0, 8)}`;
  private readonly flight = new SingleFlight(
    () => this.drain().then(() => undefined),
    (error) => this.logger.error({ err: error }, "webhook inbox pass failed"),
  );
  private readonly options: WebhookInboxOptions;
  private readonly now: () => Date;
  private readonly random: () => number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly handle: EventHandler,
    private readonly logger: Logger,
    options: Partial<WebhookInboxOptions> = {},
  ) {
    this.options = { ...WEBHOOK_INBOX_DEFAULTS, ...options };
    this.now = this.options.now ?? (() => new Date());
    this.random = this.options.random ?? Math.random;
  }

  /** Stores an event unless its key was seen before; true when it is new. */
  async store(dedupKey: string, body: Record<string, unknown>, raw: string): Promise<boolean> {
    const at = this.now().toISOString();
    const result = await this.db
      .insertInto("webhook_events")
      .values({
        dedup_key: dedupKey,
        event_name: String(body.event_name ?? "unknown"),
        user_id: senderOf(body),
        app_user_id: typeof body.user_id_by_app === "string" ? body.user_id_by_app : null,
        raw,
        received_at: at,
        status: "pending",
        processed_at: null,
        error: null,
        claimed_by: null,
        claimed_until: null,
        next_attempt_at: at,
      })
      .onConflict((oc) => oc.column("dedup_key").doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Starts a pass if none is running (else one more after it); called after each stored event and periodically. */
  kick(): void {
    if (this.stopped) return;
    this.flight.kick();
  }

  start(): void {
    this.stopped = false;
    this.kick();
    this.timer = setInterval(() => this.kick(), this.options.pollMs);
    this.timer.unref();
  }

  /** Waits until nothing claimable is left (tests, shutdown). */
  async idle(): Promise<void> {
    await this.flight.idle();
  }

  /** No more claims; what is in hand is finished (await idle()). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  /** Claims and handles batches until nothing is claimable; how many events were handled. */
  async drain(): Promise<number> {
    let handled = 0;
    for (;;) {
      if (this.stopped) return handled;
      const rows = await this.claim();
      if (rows.length === 0) return handled;
      // One per citizen in a batch: side by side is in order.
      await Promise.all(rows.map((row) => this.work(row)));
      handled += rows.length;
    }
  }

  private async claim(): Promise<ClaimedRow[]> {
    const now = this.now();
    const at = now.toISOString();
    const until = new Date(now.getTime() + this.options.leaseSeconds * 1000).toISOString();
    // Claimable: pending and due, or in flight with its lease run out (its instance died) — each only when no earlier
    // event of its citizen is open. Two index range scans in id order rather than one OR over both. The condition is
    // repeated outside the subqueries: on PostgreSQL an UPDATE that waited for another's row lock checks it again on
    // the row as the other left it, so an event two instances chose at once goes to the first only.
    const openBefore = sql`NOT EXISTS (SELECT 1 FROM webhook_events b
                            WHERE b.user_id = e.user_id AND b.status IN ('pending', 'in_flight') AND b.id < e.id)`;
    const result = await sql<ClaimedRow>`
      UPDATE webhook_events
         SET status = 'in_flight', claimed_by = ${this.id}, claimed_until = ${until}, attempts = attempts + 1
       WHERE id IN (
             SELECT id FROM (
               SELECT e.id FROM webhook_events e
                WHERE e.status = 'pending' AND e.next_attempt_at <= ${at} AND ${openBefore}
                ORDER BY e.id LIMIT ${this.options.batch}) AS due
             UNION
             SELECT id FROM (
               SELECT e.id FROM webhook_events e
                WHERE e.status = 'in_flight' AND e.claimed_until < ${at} AND ${openBefore}
                ORDER BY e.id LIMIT ${this.options.batch}) AS expired)
         AND ((status = 'pending' AND next_attempt_at <= ${at}) OR (status = 'in_flight' AND claimed_until < ${at}))
      RETURNING id, event_name, user_id, app_user_id, raw, received_at, attempts`.execute(this.db);
    return result.rows.sort((a, b) => a.id - b.id);
  }

  private async work(row: ClaimedRow): Promise<void> {
    const attempts = Number(row.attempts);
    if (attempts > this.options.maxAttempts) {
      // Claimed again and again by instances that died on it: never handled once more.
      this.logger.error({ id: row.id, event: row.event_name, attempts }, "webhook event abandoned");
      await this.release(row.id, { status: "failed", error: "Bỏ dở sau nhiều lần xử lý không xong" });
      return;
    }
    const event: InboundEvent = {
      id: row.id,
      name: row.event_name,
      userId: row.user_id,
      appUserId: row.app_user_id,
      at: new Date(row.received_at),
      body: JSON.parse(row.raw) as Record<string, unknown>,
    };
    try {
      const outcome = await this.handle(event);
      await this.release(row.id, { status: outcome, error: null });
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      this.logger.error({ err: error, event: row.event_name, id: row.id, attempts }, "webhook event failed");
      if (attempts >= this.options.maxAttempts) {
        await this.release(row.id, { status: "failed", error: message });
        return;
      }
      const ceiling = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (attempts - 1));
      const delay = ceiling * (0.5 + this.random() / 2);
      await this.release(row.id, {
        status: "pending",
        error: message,
        next_attempt_at: new Date(this.now().getTime() + delay).toISOString(),
      });
    }
  }

  /** Written under the lease only: an event claimed again after this instance lost it is the new holder's. */
  private async release(id: number, set: { status: string; error: string | null; next_attempt_at?: string }) {
    await this.db
      .updateTable("webhook_events")
      .set({ ...set, processed_at: this.now().toISOString(), claimed_by: null, claimed_until: null })
      .where("id", "=", id)
      .where("claimed_by", "=", this.id)
      .where("status", "=", "in_flight")
      .execute();
  }
}

/** The Zalo user an event is about: the sender, the follower, or (for the OA's own messages) the recipient. */
export function senderOf(body: Record<string, unknown>): string | null {
  const follower = body.follower as { id?: unknown } | undefined;
  const sender = body.sender as { id?: unknown } | undefined;
  const recipient = body.recipient as { id?: unknown } | undefined;
  const name = String(body.event_name ?? "");
  const pick = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);
  if (follower?.id) return pick(follower.id);
  if (name.startsWith("oa_") || name === "user_received_message" || name === "user_seen_message")
    return pick(recipient?.id);
  return pick(sender?.id);
}
