import { type ConversationAssignment, currentCommunes, findUnit, PROVINCE_CODE } from "@qn/shared";
import type { Db } from "../../db/database";
import { ValidationError } from "../../errors/app-error";
import type { OfficialActor } from "../auth/actor";
import { ConversationNotFoundError } from "./conversation.errors";
import { type HandOffOwner, handles, isProvinceDesk, SUPPORT_ROLES } from "./support-scope";

/** A unit and an assignee as the console shows them. */
export async function routingOf(db: Db, owner: HandOffOwner) {
  const code = owner.handoff_unit_code;
  const assignee =
    owner.handoff_assignee_id === null
      ? undefined
      : await db
          .selectFrom("officials")
          .select(["id", "name"])
          .where("id", "=", owner.handoff_assignee_id)
          .executeTakeFirst();
  return {
    unit: code === null ? null : { code, name: findUnit(code)?.fullName ?? code },
    assignee: assignee ? { id: assignee.id, name: assignee.name } : null,
  };
}

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

  /**
   * Hands the citizen to the officials of their commune (support-scope.ts). An assignment made during a hand-off that
   * is still open stays; a new hand-off after one ended starts unassigned, so that an official once given this citizen
   * does not read their later threads and history.
   */
  async handOff(userId: string, at: Date, hours: number, note: string | null): Promise<void> {
    const open = await this.isHandedOff(userId, at);
    await this.db
      .updateTable("zalo_users")
      .set({
        handoff_until: new Date(at.getTime() + hours * 3_600_000).toISOString(),
        handoff_requested_at: at.toISOString(),
        handoff_note: note,
        handoff_unit_code: await this.communeOf(userId),
        ...(open ? {} : { handoff_assignee_id: null }),
      })
      .where("user_id", "=", userId)
      .execute();
  }

  /**
   * The unit that answers this citizen: their latest dossier's (through the mini-app account Zalo links to this OA
   * user), else the commune whose news they last subscribed to, else the province. What they wrote is not used: it is
   * the citizen's to say, not to route someone else's thread to oneself.
   */
  private async communeOf(userId: string): Promise<string> {
    const dossier = await this.db
      .selectFrom("zalo_users")
      .innerJoin("citizens", "citizens.zalo_id", "zalo_users.app_user_id")
      .innerJoin("dossiers", "dossiers.citizen_id", "citizens.id")
      .select("dossiers.unit_code")
      .where("zalo_users.user_id", "=", userId)
      .orderBy("dossiers.submitted_at", "desc")
      .orderBy("dossiers.id", "desc")
      .executeTakeFirst();
    if (dossier) return dossier.unit_code;
    const subscription = await this.db
      .selectFrom("subscriptions")
      .select("value")
      .where("user_id", "=", userId)
      .where("kind", "=", "commune")
      .orderBy("created_at", "desc")
      .executeTakeFirst();
    return subscription?.value ?? PROVINCE_CODE;
  }

  /** The hand-off, if this official may handle it; otherwise, as for no hand-off at all, 404. */
  async handled(official: OfficialActor, userId: string) {
    const user = await this.get(userId);
    if (!user?.handoff_requested_at || !handles(official, user)) throw new ConversationNotFoundError();
    return user;
  }

  async release(official: OfficialActor, userId: string): Promise<boolean> {
    await this.handled(official, userId);
    const result = await this.db
      .updateTable("zalo_users")
      .set({ handoff_until: null })
      .where("user_id", "=", userId)
      .where("handoff_until", "is not", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Routes a hand-off to a unit, or to one official (and their unit). Whoever handles it may route it: the province's
   * desk sends a thread to the commune it belongs to, a commune sends back what is not its own.
   */
  async assign(official: OfficialActor, userId: string, to: ConversationAssignment) {
    await this.handled(official, userId);
    let change: HandOffOwner;
    if ("unitCode" in to) {
      const known = to.unitCode === PROVINCE_CODE || currentCommunes().some((u) => u.code === to.unitCode);
      if (!known) {
        throw new ValidationError("Đơn vị không hợp lệ", [
          { path: "unitCode", message: "Chọn tỉnh hoặc một xã, phường, đặc khu đang hoạt động" },
        ]);
      }
      change = { handoff_unit_code: to.unitCode, handoff_assignee_id: null };
    } else {
      const assignee = await this.db
        .selectFrom("officials")
        .select(["id", "unit_code"])
        .where("id", "=", to.officialId)
        .where("active", "=", 1)
        .where("role", "in", SUPPORT_ROLES)
        .executeTakeFirst();
      if (!assignee) {
        throw new ValidationError("Cán bộ không hợp lệ", [
          { path: "officialId", message: "Không có cán bộ hỗ trợ nào đang hoạt động với mã này" },
        ]);
      }
      change = { handoff_unit_code: assignee.unit_code, handoff_assignee_id: assignee.id };
    }
    await this.db.updateTable("zalo_users").set(change).where("user_id", "=", userId).execute();
    return { userId, ...(await routingOf(this.db, change)) };
  }

  /**
   * Conversations waiting for this official (hand-off still running and theirs to handle, support-scope.ts), oldest
   * request first, with recent messages.
   */
  async handedOff(official: OfficialActor, at: Date) {
    let query = this.db
      .selectFrom("zalo_users")
      .selectAll()
      .where("handoff_until", ">", at.toISOString())
      .orderBy("handoff_requested_at");
    if (!isProvinceDesk(official)) {
      query = query.where((eb) =>
        eb.or([eb("handoff_unit_code", "=", official.unitCode), eb("handoff_assignee_id", "=", official.id)]),
      );
    }
    const users = await query.execute();
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
          ...(await routingOf(this.db, u)),
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
