import type { Db } from "../../db/database";
import { type OaChannel, type OaMessage, type OaMessenger, type SendResult, toZaloMessage } from "./messages";

/**
 * Offline mode (docs/zalo.md §6): without Zalo credentials, outgoing messages are recorded in `dev_outbox` for a developer
 * to read (`GET /api/dev/outbox`, the chat simulator). The result says `offline: true`: nothing claims delivery.
 */
export class OfflineMessenger implements OaMessenger {
  readonly offline = true;

  constructor(private readonly db: Db) {}

  send(channel: OaChannel, userId: string, message: OaMessage): Promise<SendResult> {
    return this.record(channel, userId, {
      recipient: { user_id: userId },
      message: toZaloMessage(message),
      plain: message,
    });
  }

  sendZns(phone: string, templateId: string, data: Record<string, string>, trackingId: string): Promise<SendResult> {
    return this.record("zns", phone, { phone, template_id: templateId, template_data: data, tracking_id: trackingId });
  }

  private async record(channel: string, recipient: string, payload: unknown): Promise<SendResult> {
    const row = await this.db
      .insertInto("dev_outbox")
      .values({ channel, recipient, payload: JSON.stringify(payload), created_at: new Date().toISOString() })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { messageId: `offline-${row.id}`, offline: true };
  }
}
