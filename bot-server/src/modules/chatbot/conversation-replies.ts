import type { ConversationMessage, ConversationThread, ReplyStatus } from "@qn/shared";
import { TOKEN_ERROR_CODE, ZaloApiError, ZaloTokenError, ZaloWindowError } from "../../clients/zalo/errors";
import type { OaMessenger } from "../../clients/zalo/messages";
import type { Db } from "../../db/database";
import type { ConversationMessagesTable } from "../../db/schema";
import type { OfficialActor } from "../auth/actor";
import { ConversationNotFoundError, ReplyNotDeliveredError } from "./conversation.errors";
import { routingOf } from "./conversations";
import { handles } from "./support-scope";

/** What citizens send that belongs in a thread (docs/zalo.md §3); receipts, follows and the OA's echoes do not. */
const CITIZEN_MESSAGE_EVENTS = [
  "user_send_text",
  "anonymous_send_text",
  "user_send_image",
  "user_send_file",
  "user_send_sticker",
  "user_send_gif",
  "user_send_location",
  "user_send_link",
  "user_send_audio",
  "user_send_video",
  "user_send_business_card",
];

type ReplyRow = Omit<ConversationMessagesTable, "id"> & { id: number };

/**
 * Officials answering citizens the chatbot handed off. Each reply is written first (`pending`), then sent as an OA
 * consultation message, then marked with the outcome: nothing is lost when Zalo refuses or is down, and offline mode
 * (the developer's outbox) is never shown as delivered.
 */
export class ConversationReplies {
  constructor(
    private readonly db: Db,
    private readonly messenger: OaMessenger,
  ) {}

  async reply(official: OfficialActor, userId: string, text: string): Promise<ConversationMessage> {
    await this.conversation(official, userId);
    const inserted = await this.db
      .insertInto("conversation_messages")
      .values({
        user_id: userId,
        direction: "out",
        official_id: official.id,
        official_name: official.name,
        text,
        created_at: new Date().toISOString(),
        status: "pending",
        provider_message_id: null,
        error_code: null,
        error: null,
        sent_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    try {
      const sent = await this.messenger.send("cs", userId, { text });
      const status: ReplyStatus = sent.offline ? "offline" : "sent";
      const done = await this.mark(inserted.id, {
        status,
        provider_message_id: sent.messageId || null,
        sent_at: sent.offline ? null : new Date().toISOString(),
      });
      return view(done);
    } catch (error) {
      const failure = classify(error);
      await this.mark(inserted.id, {
        status: "failed",
        error_code: failure?.reason ?? "internal",
        error: error instanceof Error ? error.message : String(error),
      });
      throw failure ?? error;
    }
  }

  /** The most recent messages of both sides, oldest first. */
  async thread(official: OfficialActor, userId: string, limit: number): Promise<ConversationThread> {
    const user = await this.conversation(official, userId);
    const [events, replies] = await Promise.all([
      this.db
        .selectFrom("webhook_events")
        .select(["id", "event_name", "raw", "received_at"])
        .where("user_id", "=", userId)
        .where("event_name", "in", CITIZEN_MESSAGE_EVENTS)
        .orderBy("id", "desc")
        .limit(limit)
        .execute(),
      this.db
        .selectFrom("conversation_messages")
        .selectAll()
        .where("user_id", "=", userId)
        .orderBy("id", "desc")
        .limit(limit)
        .execute(),
    ]);
    const inbound: ConversationMessage[] = events.map((e) => ({
      id: `in-${e.id}`,
      direction: "in",
      at: e.received_at,
      text: messageText(e.raw),
      event: e.event_name,
      official: null,
      delivery: null,
    }));
    const items = [...inbound, ...replies.map(view)]
      // ISO times sort as text; at the same instant the citizen's message came first.
      .sort((a, b) => (a.at === b.at ? (a.direction === "in" ? -1 : 1) : a.at < b.at ? -1 : 1))
      .slice(-limit);
    const now = new Date().toISOString();
    return {
      userId,
      handedOff: !!user.handoff_until && user.handoff_until > now,
      requestedAt: user.handoff_requested_at,
      until: user.handoff_until,
      sharedName: user.shared_name,
      lastInteractionAt: user.last_interaction_at,
      ...(await routingOf(this.db, user)),
      items,
    };
  }

  /**
   * Only citizens who asked for an official (now or before) are in the officials' hands, and only in the hands of
   * those who handle the hand-off (support-scope.ts); for anyone else it does not exist.
   */
  private async conversation(official: OfficialActor, userId: string) {
    const user = await this.db.selectFrom("zalo_users").selectAll().where("user_id", "=", userId).executeTakeFirst();
    if (!user?.handoff_requested_at || !handles(official, user)) throw new ConversationNotFoundError();
    return user;
  }

  private mark(id: number, change: Partial<Omit<ConversationMessagesTable, "id">>): Promise<ReplyRow> {
    return this.db
      .updateTable("conversation_messages")
      .set(change)
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
}

function classify(error: unknown): ReplyNotDeliveredError | undefined {
  if (error instanceof ZaloWindowError) return new ReplyNotDeliveredError("window-closed");
  if (!(error instanceof ZaloApiError)) return undefined;
  if (error.retryable) return new ReplyNotDeliveredError("zalo-unavailable");
  if (error instanceof ZaloTokenError || error.zaloCode === TOKEN_ERROR_CODE)
    return new ReplyNotDeliveredError("zalo-token");
  return new ReplyNotDeliveredError("zalo-refused", error.zaloCode);
}

function view(row: ReplyRow): ConversationMessage {
  return {
    id: `out-${row.id}`,
    direction: "out",
    at: row.created_at,
    text: row.text,
    event: null,
    official: row.official_id === null ? null : { id: row.official_id, name: row.official_name ?? "" },
    delivery: {
      status: row.status as ReplyStatus,
      messageId: row.provider_message_id,
      errorCode: row.error_code,
      error: row.error,
    },
  };
}

function messageText(raw: string): string | null {
  try {
    const text = (JSON.parse(raw) as { message?: { text?: unknown } }).message?.text;
    return typeof text === "string" ? text : null;
  } catch {
    return null;
  }
}
