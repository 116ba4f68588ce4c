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

const MAX_ATTEMPTS = 5;
const RETRY_EVERY_MS = 15_000;

/**
 * Stored webhook events and the loop that processes them, one at a time, in order of arrival. An event whose handling
 * fails (Zalo down…) is retried later, up to five times; events left pending by a crash are processed after restart.
 */
export class WebhookInbox {
  private readonly flight = new SingleFlight(() => this.drain());
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly handle: EventHandler,
    private readonly logger: Logger,
  ) {}

  /** Stores an event unless its key was seen before; true when it is new. */
  async store(dedupKey: string, body: Record<string, unknown>, raw: string): Promise<boolean> {
    const result = await this.db
      .insertInto("webhook_events")
      .values({
        dedup_key: dedupKey,
        event_name: String(body.event_name ?? "unknown"),
        user_id: senderOf(body),
        app_user_id: typeof body.user_id_by_app === "string" ? body.user_id_by_app : null,
        raw,
        received_at: new Date().toISOString(),
        status: "pending",
        processed_at: null,
        error: null,
      })
      .onConflict((oc) => oc.column("dedup_key").doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Starts processing if it is not running; called after each stored event and periodically. */
  kick(): void {
    this.flight.kick();
  }

  start(): void {
    this.kick();
    this.timer = setInterval(() => this.kick(), RETRY_EVERY_MS);
    this.timer.unref();
  }

  /** Waits until nothing is pending (tests, shutdown). */
  async idle(): Promise<void> {
    await this.flight.idle();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async drain(): Promise<void> {
    const retryBefore = new Date(Date.now() - RETRY_EVERY_MS).toISOString();
    for (;;) {
      const row = await this.db
        .selectFrom("webhook_events")
        .selectAll()
        .where((eb) =>
          eb.or([
            eb("status", "=", "pending"),
            eb.and([
              eb("status", "=", "failed"),
              eb("attempts", "<", MAX_ATTEMPTS),
              eb("processed_at", "<", retryBefore),
            ]),
          ]),
        )
        .orderBy("id")
        .limit(1)
        .executeTakeFirst();
      if (!row) return;
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
        await this.mark(row.id, outcome, row.attempts + 1, null);
      } catch (error) {
        this.logger.error({ err: error, event: row.event_name, id: row.id }, "webhook event failed");
        await this.mark(row.id, "failed", row.attempts + 1, (error as Error).message ?? String(error));
      }
    }
  }

  private async mark(id: number, status: string, attempts: number, error: string | null) {
    await this.db
      .updateTable("webhook_events")
      .set({ status, attempts, error, processed_at: new Date().toISOString() })
      .where("id", "=", id)
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
