import type { Db } from "../../db/database";

/**
 * What the OA knows of each Zalo user: follow state, the last time they wrote (the messaging window, docs/zalo.md §1), a
 * hand-off to officials, what they shared through `user_submit_info` (with the time of that consent) and their
 * subscriptions to announcements.
 */
export class ConversationStore {
  constructor(private readonly db: Db) {}

  async touch(userId: string, appUserId: string | null, at: Date): Promise<void> {
    await this.db
      .insertInto("zalo_users")
      .values({ user_id: userId, app_user_id: appUserId, last_interaction_at: at.toISOString() })
      .onConflict((oc) =>
        oc.column("user_id").doUpdateSet((eb) => ({
          last_interaction_at: at.toISOString(),
          app_user_id: appUserId ?? eb.ref("zalo_users.app_user_id"),
        })),
      )
      .execute();
  }

  async setFollowed(userId: string, followed: boolean, at: Date): Promise<void> {
    await this.db
      .updateTable("zalo_users")
      .set(followed ? { followed: 1, followed_at: at.toISOString() } : { followed: 0, unfollowed_at: at.toISOString() })
      .where("user_id", "=", userId)
      .execute();
  }

  async get(userId: string) {
    return this.db.selectFrom("zalo_users").selectAll().where("user_id", "=", userId).executeTakeFirst();
  }

  async isHandedOff(userId: string, at: Date): Promise<boolean> {
    const user = await this.get(userId);
    return !!user?.handoff_until && Date.parse(user.handoff_until) > at.getTime();
  }

  async handOff(userId: string, at: Date, hours: number, note: string | null): Promise<void> {
    await this.db
      .updateTable("zalo_users")
      .set({
        handoff_until: new Date(at.getTime() + hours * 3_600_000).toISOString(),
        handoff_requested_at: at.toISOString(),
        handoff_note: note,
      })
      .where("user_id", "=", userId)
      .execute();
  }

  async release(userId: string): Promise<boolean> {
    const result = await this.db
      .updateTable("zalo_users")
      .set({ handoff_until: null })
      .where("user_id", "=", userId)
      .where("handoff_until", "is not", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Conversations waiting for an official (hand-off still running), oldest request first, with recent messages. */
  async handedOff(at: Date) {
    const users = await this.db
      .selectFrom("zalo_users")
      .selectAll()
      .where("handoff_until", ">", at.toISOString())
      .orderBy("handoff_requested_at")
      .execute();
    return Promise.all(
      users.map(async (u) => {
        const messages = await this.db
          .selectFrom("webhook_events")
          .select(["raw", "received_at", "event_name"])
          .where("user_id", "=", u.user_id)
          .where("event_name", "in", ["user_send_text", "user_send_image", "user_send_file"])
          .orderBy("id", "desc")
          .limit(20)
          .execute();
        return {
          userId: u.user_id,
          requestedAt: u.handoff_requested_at,
          until: u.handoff_until,
          note: u.handoff_note,
          sharedName: u.shared_name,
          messages: messages.reverse().map((m) => {
            const body = JSON.parse(m.raw) as { message?: { text?: string } };
            return { at: m.received_at, event: m.event_name, text: body.message?.text ?? null };
          }),
        };
      }),
    );
  }

  async saveSharedInfo(userId: string, info: { name?: string; phone?: string; address?: string }, at: Date) {
    await this.db
      .updateTable("zalo_users")
      .set({
        shared_name: info.name ?? null,
        shared_phone: info.phone ?? null,
        shared_address: info.address ?? null,
        info_consent_at: at.toISOString(),
      })
      .where("user_id", "=", userId)
      .execute();
  }

  async subscribe(userId: string, kind: "topic" | "commune", values: string[], at: Date): Promise<void> {
    for (const value of values) {
      await this.db
        .insertInto("subscriptions")
        .values({ user_id: userId, kind, value, created_at: at.toISOString() })
        .onConflict((oc) => oc.columns(["user_id", "kind", "value"]).doNothing())
        .execute();
    }
  }

  async unsubscribe(userId: string, kind: "topic" | "commune" | "all", values: string[]): Promise<number> {
    let query = this.db.deleteFrom("subscriptions").where("user_id", "=", userId);
    if (kind !== "all") query = query.where("kind", "=", kind).where("value", "in", values);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async subscriptions(userId: string) {
    return this.db.selectFrom("subscriptions").select(["kind", "value"]).where("user_id", "=", userId).execute();
  }
}
