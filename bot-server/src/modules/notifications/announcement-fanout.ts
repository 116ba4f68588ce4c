import type { Audience } from "@qn/shared";
import { LeasedTimer, type LeasedTimerOptions } from "../../background/lease";
import type { OaMessage } from "../../clients/zalo/messages";
import type { Db } from "../../db/database";
import type { Logger } from "../../logger";
import { audienceQuery } from "./audience";
import type { AnnouncementPayload } from "./delivery";

const FANOUT_PAGE = 1000;

/**
 * Sending an announcement: one outbox row per recipient, by pages of followers (key `announcement:<id>:<user>`, so a
 * fan-out interrupted by a crash, a pause or a cancel resumes without duplicates); the outbox workers deliver them at
 * the configured rate. Scheduled announcements start when due; finished ones are closed once their rows are sent.
 * The scheduler looks every second, in one instance at a time (the lease `announcements`, decision 0021): a kick in
 * another instance (an announcement sent now there) is picked up by the holder's next look.
 */
export class AnnouncementFanOut {
  private readonly timer: LeasedTimer;

  constructor(
    private readonly db: Db,
    private readonly onQueued: () => void,
    private readonly logger: Logger,
    private readonly now: () => Date,
    lease: Omit<LeasedTimerOptions, "everyMs"> = {},
  ) {
    this.timer = new LeasedTimer(
      db,
      "announcements",
      () => this.fanOutDue(),
      { everyMs: 1000, ...lease },
      (error) => this.logger.error({ err: error }, "announcement fan-out failed"),
    );
  }

  start(): void {
    this.timer.start();
  }

  /** No more looks here; the lease is given back (idle() awaits it). */
  stop(): Promise<void> {
    return this.timer.stop();
  }

  async idle(): Promise<void> {
    await this.timer.idle();
  }

  /** A look now if this instance holds the lease or takes it (one more after the one running, if any). */
  kick(): void {
    this.timer.kick();
  }

  /** Starts due announcements, continues interrupted fan-outs, and closes finished ones. */
  private async fanOutDue(): Promise<void> {
    const now = this.now().toISOString();
    const due = await this.db
      .selectFrom("announcements")
      .selectAll()
      .where((eb) =>
        eb.or([
          eb.and([eb("status", "=", "scheduled"), eb("scheduled_at", "<=", now)]),
          eb.and([eb("status", "=", "sending"), eb("fanout_done", "=", 0)]),
        ]),
      )
      .execute();
    for (const row of due) {
      await this.db
        .updateTable("announcements")
        .set({ status: "sending", published_at: row.published_at ?? now, updated_at: now })
        .where("id", "=", row.id)
        .where("status", "in", ["scheduled", "sending"])
        .execute();
      await this.fanOut(row);
    }
    const sending = await this.db
      .selectFrom("announcements")
      .select("id")
      .where("status", "=", "sending")
      .where("fanout_done", "=", 1)
      .execute();
    for (const { id } of sending) {
      const open = await this.db
        .selectFrom("outbox")
        .select("id")
        .where("announcement_id", "=", id)
        .where("status", "in", ["pending", "in_flight", "paused"])
        .limit(1)
        .executeTakeFirst();
      if (!open) {
        await this.db
          .updateTable("announcements")
          .set({ status: "completed", updated_at: this.now().toISOString() })
          .where("id", "=", id)
          .where("status", "=", "sending")
          .execute();
      }
    }
  }

  private async fanOut(row: {
    id: number;
    title: string;
    body: string;
    image_url: string | null;
    link: string | null;
    audience: string;
  }) {
    const audience = JSON.parse(row.audience) as Audience;
    const payload: AnnouncementPayload = {
      announcementId: row.id,
      message: messageOf(row),
      audience:
        audience.kind === "all" ? { kind: "all", values: [] } : { kind: audience.kind, values: audience.values },
    };
    const text = JSON.stringify(payload);
    let after = "";
    for (;;) {
      const current = await this.db
        .selectFrom("announcements")
        .select("status")
        .where("id", "=", row.id)
        .executeTakeFirst();
      if (current?.status !== "sending") return; // paused or cancelled during the fan-out: resumes later
      const users = await audienceQuery(this.db, audience)
        .where("zalo_users.user_id", ">", after)
        .orderBy("zalo_users.user_id")
        .limit(FANOUT_PAGE)
        .execute();
      if (users.length === 0) break;
      const at = this.now().toISOString();
      await this.db
        .insertInto("outbox")
        .values(
          users.map((u) => ({
            idempotency_key: `announcement:${row.id}:${u.user_id}`,
            kind: "announcement",
            citizen_id: null,
            zalo_user_id: u.user_id,
            announcement_id: row.id,
            payload: text,
            status: "pending",
            next_attempt_at: at,
            claimed_by: null,
            claimed_until: null,
            channel: null,
            provider_message_id: null,
            last_error: null,
            created_at: at,
            sent_at: null,
          })),
        )
        .onConflict((oc) => oc.column("idempotency_key").doNothing())
        .execute();
      after = users[users.length - 1]?.user_id ?? after;
      this.onQueued();
    }
    await this.db.updateTable("announcements").set({ fanout_done: 1 }).where("id", "=", row.id).execute();
  }
}

/** The OA message of an announcement: text, its picture as a list item, its link as a button. */
export function messageOf(row: {
  title: string;
  body: string;
  image_url: string | null;
  link: string | null;
}): OaMessage {
  return {
    text: `${row.title}\n\n${row.body}`,
    ...(row.image_url
      ? {
          items: [
            { title: row.title, subtitle: row.body, imageUrl: row.image_url, ...(row.link ? { url: row.link } : {}) },
          ],
        }
      : {}),
    ...(row.link ? { buttons: [{ title: "Xem chi tiết", kind: "url" as const, url: row.link }] } : {}),
  };
}
