/**
 * What the bot and the notifications send, independent of the channel. `toZaloMessage` turns it into the Open API's
 * `message` object (docs/zalo.md §1): plain text, or a list template with elements and buttons.
 */
export type OaButton =
  | { title: string; kind: "url"; url: string }
  | { title: string; kind: "query"; payload: string }
  | { title: string; kind: "phone"; phone: string };

export type OaListItem = { title: string; subtitle?: string; url?: string; imageUrl?: string };

export type OaMessage = { text: string; items?: OaListItem[]; buttons?: OaButton[] };

export type OaChannel = "cs" | "transaction" | "promotion";

export type SendResult = { messageId: string; offline: boolean };

/** One door for every outgoing Zalo message: the real Open API client, or the offline outbox. */
export interface OaMessenger {
  readonly offline: boolean;
  send(channel: OaChannel, userId: string, message: OaMessage): Promise<SendResult>;
  sendZns(phone: string, templateId: string, data: Record<string, string>, trackingId: string): Promise<SendResult>;
}

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

function button(b: OaButton) {
  const title = clip(b.title, 35);
  if (b.kind === "url") return { title, type: "oa.open.url", payload: { url: b.url } };
  if (b.kind === "phone") return { title, type: "oa.open.phone", payload: { phone_code: b.phone } };
  return { title, type: "oa.query.show", payload: b.payload };
}

export function toZaloMessage(message: OaMessage): Record<string, unknown> {
  if (!message.items?.length && !message.buttons?.length) return { text: clip(message.text, 2000) };
  const elements = message.items?.length
    ? message.items.slice(0, 5).map((item) => ({
        title: clip(item.title, 100),
        ...(item.subtitle ? { subtitle: clip(item.subtitle, 500) } : {}),
        ...(item.imageUrl ? { image_url: item.imageUrl } : {}),
        ...(item.url ? { default_action: { type: "oa.open.url", url: item.url } } : {}),
      }))
    : [{ title: clip(message.text, 100), subtitle: clip(message.text, 500) }];
  return {
    ...(message.items?.length ? { text: clip(message.text, 2000) } : {}),
    attachment: {
      type: "template",
      payload: { template_type: "list", elements, buttons: (message.buttons ?? []).slice(0, 5).map(button) },
    },
  };
}
