import { portalCallbackSignature } from "../../clients/provincial-portal/callback-signature";
import type { Db } from "../../db/database";
import type { Logger } from "../../logger";
import { changesQuery, wireChange } from "./portal-api.feeds";
import { type PortalApiDb, portalApiDb } from "./tables";

export type CallbackSenderOptions = {
  url: string;
  secret: string;
  /** First wait after a failed delivery; it doubles each time (the contract: 1 minute, for 24 hours). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  giveUpAfterMs?: number;
  /** How often to look for changes to send (they are written by whichever process made them). */
  pollMs?: number;
  timeoutMs?: number;
  batch?: number;
};

/**
 * Sends the signed state-change callbacks of /portal-api (decision 0011). The changes are rows of
 * `portal_api_changes`, written by a trigger in the very transaction of the change, so none is lost when the process
 * stops or the receiver is down: each is POSTed (`X-Portal-Timestamp`, `X-Portal-Signature: sha256=HMAC(secret,
 * timestamp + "." + body)`) until a 2xx, with exponential backoff, in order per dossier (a later change of a dossier
 * waits for the earlier one). A 400 means the receiver refuses the body itself: it is not sent again. Delivery is at
 * least once; the MaSuKien lets the receiver apply each change once.
 */
export class PortalCallbackSender {
  private readonly db: PortalApiDb;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    db: Db,
    private readonly options: CallbackSenderOptions,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.db = portalApiDb(db);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((error: unknown) => {
          // The database was closed under us (the server is shutting down): stop quietly.
          if (/destroyed|not open|closed/i.test(String((error as Error)?.message))) this.stopped = true;
          else this.logger.warn({ err: error }, "portal-api callbacks: pass failed");
        })
        .finally(() => this.schedule(this.options.pollMs ?? 1_000));
    }, ms);
    this.timer.unref();
  }

  /** One pass: every pending change that is due, oldest first, per dossier in order. */
  async tick(): Promise<void> {
    const rows = await changesQuery(this.db)
      .where("c.callback_status", "=", "pending")
      .orderBy("c.id")
      .limit(this.options.batch ?? 100)
      .execute();
    const blocked = new Set<number>();
    const nowIso = new Date(this.now()).toISOString();
    for (const row of rows) {
      if (this.stopped) return;
      if (blocked.has(row.dossier_id)) continue;
      if (row.callback_next_at > nowIso) {
        blocked.add(row.dossier_id);
        continue;
      }
      // Claim it for the time of one delivery, so that another process on the same database does not send it too.
      const lease = new Date(this.now() + (this.options.timeoutMs ?? 10_000) + 5_000).toISOString();
      const claimed = await this.db
        .updateTable("portal_api_changes")
        .set({ callback_next_at: lease })
        .where("id", "=", row.id)
        .where("callback_status", "=", "pending")
        .where("callback_next_at", "=", row.callback_next_at)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) {
        blocked.add(row.dossier_id);
        continue;
      }
      const outcome = await this.deliver(row.event_key, Buffer.from(JSON.stringify(wireChange(row)), "utf8"));
      const attempts = row.callback_attempts + 1;
      const done = new Date(this.now()).toISOString();
      if (outcome.ok) {
        await this.db
          .updateTable("portal_api_changes")
          .set({
            callback_status: "delivered",
            callback_attempts: attempts,
            callback_done_at: done,
            callback_error: null,
          })
          .where("id", "=", row.id)
          .execute();
        continue;
      }
      blocked.add(row.dossier_id);
      const giveUp =
        outcome.permanent || this.now() - Date.parse(row.at) > (this.options.giveUpAfterMs ?? 24 * 60 * 60 * 1000);
      const wait = Math.min(
        (this.options.retryBaseMs ?? 60_000) * 2 ** Math.min(attempts - 1, 20),
        this.options.retryMaxMs ?? 60 * 60 * 1000,
      );
      await this.db
        .updateTable("portal_api_changes")
        .set({
          callback_status: giveUp ? "failed" : "pending",
          callback_attempts: attempts,
          callback_next_at: new Date(this.now() + wait).toISOString(),
          callback_error: outcome.error.slice(0, 500),
          callback_done_at: giveUp ? done : null,
        })
        .where("id", "=", row.id)
        .execute();
      this.logger[giveUp ? "error" : "warn"](
        { eventKey: row.event_key, attempts, error: outcome.error, retryInMs: giveUp ? undefined : wait },
        giveUp ? "portal-api callback given up" : "portal-api callback failed, will retry",
      );
    }
  }

  private async deliver(
    eventKey: string,
    body: Buffer,
  ): Promise<{ ok: true } | { ok: false; permanent: boolean; error: string }> {
    const timestamp = String(Math.floor(this.now() / 1000));
    try {
      const response = await fetch(this.options.url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-Portal-Timestamp": timestamp,
          "X-Portal-Signature": `sha256=${portalCallbackSignature(this.options.secret, timestamp, body)}`,
          "X-Portal-Event-Id": eventKey,
        },
        body: new Uint8Array(body),
        redirect: "manual",
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return { ok: true };
      return { ok: false, permanent: response.status === 400, error: `HTTP ${response.status}` };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return { ok: false, permanent: false, error: cause ?? (error as Error).name ?? "network" };
    }
  }
}
