import { ZaloApiError, ZaloWindowError } from "../../clients/zalo/errors";
import type { OaMessage, OaMessenger } from "../../clients/zalo/messages";
import type { Db } from "../../db/database";
import type { StatusPayload } from "./notification-planner";
import { ZnsTemplateStore } from "./zns-templates";

export type OutboxRow = {
  id: number;
  idempotency_key: string;
  kind: string;
  citizen_id: number | null;
  zalo_user_id: string | null;
  announcement_id: number | null;
  payload: string;
  attempts: number;
};

export type DeliveryOutcome =
  | { status: "sent"; channel: string; messageId: string | null }
  | { status: "skipped"; reason: string };

/** A failure worth trying again later (network, Zalo 5xx/429, token refresh in progress). */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly afterMs?: number,
  ) {
    super(message);
  }
}

export type DeliverySettings = {
  csWindowHours: number;
  /** The configured templates (ZNS_TEMPLATES); an administrator's choice stored in the database wins. */
  znsTemplates: Record<string, { templateId: string; params: Record<string, string> }>;
};

export type AnnouncementPayload = {
  announcementId: number;
  message: OaMessage;
  audience: { kind: string; values: string[] };
};

/**
 * Decides the channel of each outbox row at sending time and sends it. Status notifications: an OA consultation
 * message while the citizen is inside the window, else a ZNS template to their consented phone, else only the in-app
 * inbox (written already). Announcements: a promotion message, skipped for those who unfollowed or opted out.
 * Each attempt and its channel are recorded.
 */
export class NotificationDelivery {
  private readonly templates: ZnsTemplateStore;

  constructor(
    private readonly db: Db,
    private readonly messenger: OaMessenger,
    private readonly settings: DeliverySettings,
  ) {
    this.templates = new ZnsTemplateStore(db, settings.znsTemplates);
  }

  async deliver(row: OutboxRow): Promise<DeliveryOutcome> {
    if (row.kind === "announcement") return this.announcement(row);
    return this.statusNotification(row);
  }

  private async statusNotification(row: OutboxRow): Promise<DeliveryOutcome> {
    const payload = JSON.parse(row.payload) as StatusPayload;
    const citizen = await this.db
      .selectFrom("citizens")
      .select(["zalo_id", "phone"])
      .where("id", "=", row.citizen_id ?? -1)
      .executeTakeFirst();
    if (!citizen) return this.inboxOnly(row, "không còn tài khoản công dân");
    const pref = await this.db
      .selectFrom("notification_prefs")
      .select("zalo_enabled")
      .where("citizen_id", "=", row.citizen_id ?? -1)
      .where("kind", "=", payload.kind)
      .executeTakeFirst();
    if (pref && pref.zalo_enabled === 0) return this.inboxOnly(row, "công dân tắt tin Zalo cho loại thông báo này");

    const oaUser = await this.db
      .selectFrom("zalo_users")
      .select(["user_id", "last_interaction_at", "followed"])
      .where("app_user_id", "=", citizen.zalo_id)
      .orderBy("last_interaction_at", "desc")
      .executeTakeFirst();
    const windowStart = Date.now() - this.settings.csWindowHours * 3_600_000;
    if (oaUser?.last_interaction_at && Date.parse(oaUser.last_interaction_at) >= windowStart) {
      try {
        const sent = await this.messenger.send("cs", oaUser.user_id, payload.message);
        return this.sent(row, sent.offline ? "cs-offline" : "cs", sent.messageId);
      } catch (error) {
        // Outside the window, or refused for good: the next channel. Only transient failures are retried later.
        if (error instanceof ZaloWindowError) await this.attempt(row.id, "cs", "window-closed", error.message);
        else if (error instanceof ZaloApiError && !error.retryable)
          await this.attempt(row.id, "cs", "failed", error.message);
        else throw await this.classify(row.id, "cs", error);
      }
    }
    const template = await this.templates.forKind(payload.kind);
    if (template && citizen.phone) {
      const data = Object.fromEntries(
        Object.entries(template.params).map(([param, field]) => [param, payload.fields[field] ?? ""]),
      );
      try {
        const sent = await this.messenger.sendZns(citizen.phone, template.templateId, data, row.idempotency_key);
        return this.sent(row, sent.offline ? "zns-offline" : "zns", sent.messageId);
      } catch (error) {
        if (error instanceof ZaloApiError && !error.retryable) {
          await this.attempt(row.id, "zns", "failed", error.message);
        } else {
          throw await this.classify(row.id, "zns", error);
        }
      }
    }
    return this.inboxOnly(row, template ? "không có số điện thoại đã đồng ý chia sẻ" : "không có mẫu ZNS cho loại này");
  }

  private async announcement(row: OutboxRow): Promise<DeliveryOutcome> {
    const payload = JSON.parse(row.payload) as AnnouncementPayload;
    const user = await this.db
      .selectFrom("zalo_users")
      .select(["followed"])
      .where("user_id", "=", row.zalo_user_id ?? "")
      .executeTakeFirst();
    if (!user || user.followed !== 1) return this.skip(row, "đã bỏ quan tâm OA");
    if (payload.audience.kind !== "all") {
      const still = await this.db
        .selectFrom("subscriptions")
        .select("value")
        .where("user_id", "=", row.zalo_user_id ?? "")
        .where("kind", "=", payload.audience.kind)
        .where("value", "in", payload.audience.values)
        .executeTakeFirst();
      if (!still) return this.skip(row, "đã hủy nhận tin");
    }
    try {
      const sent = await this.messenger.send("promotion", row.zalo_user_id ?? "", payload.message);
      // A broadcast's successful send is recorded on its outbox row (channel, message id, time), not once more here.
      return { status: "sent", channel: sent.offline ? "promotion-offline" : "promotion", messageId: sent.messageId };
    } catch (error) {
      throw await this.classify(row.id, "promotion", error);
    }
  }

  private async sent(row: OutboxRow, channel: string, messageId: string | null): Promise<DeliveryOutcome> {
    await this.attempt(row.id, channel, "sent", messageId);
    return { status: "sent", channel, messageId };
  }

  private async inboxOnly(row: OutboxRow, reason: string): Promise<DeliveryOutcome> {
    await this.attempt(row.id, "inbox", "sent", reason);
    return { status: "sent", channel: "inbox", messageId: null };
  }

  private async skip(row: OutboxRow, reason: string): Promise<DeliveryOutcome> {
    await this.attempt(row.id, "none", "skipped", reason);
    return { status: "skipped", reason };
  }

  /** Retryable failures go back to the queue; others are permanent and are raised as they are. */
  private async classify(outboxId: number, channel: string, error: unknown): Promise<Error> {
    const message = error instanceof Error ? error.message : String(error);
    await this.attempt(outboxId, channel, "error", message);
    if (error instanceof ZaloApiError && !error.retryable) return error;
    return new RetryLater(message, error instanceof ZaloApiError ? error.retryAfterMs : undefined);
  }

  private async attempt(outboxId: number, channel: string, outcome: string, detail: string | null): Promise<void> {
    await this.db
      .insertInto("delivery_attempts")
      .values({ outbox_id: outboxId, at: new Date().toISOString(), channel, outcome, detail })
      .execute();
  }
}
