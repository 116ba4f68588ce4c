import { createHash, randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { TestServer } from "./test-server";

/**
 * A citizen's text message as Zalo sends it to the webhook, signed with the server's webhook credentials (ZALO.md §3);
 * resolves once the chatbot has handled it.
 */
export async function citizenWrites(
  server: TestServer,
  userId: string,
  text: string,
  options: { appUserId?: string } = {},
): Promise<void> {
  const { appId, oaSecretKey } = server.deps.webhook;
  const event = {
    app_id: appId,
    // The same person's id in the mini-app (a citizen signed in there), when Zalo knows it.
    ...(options.appUserId ? { user_id_by_app: options.appUserId } : {}),
    timestamp: String(Date.now()),
    event_name: "user_send_text",
    sender: { id: userId },
    recipient: { id: "oa-1" },
    message: { msg_id: randomUUID(), text },
  };
  const raw = JSON.stringify(event);
  const mac = createHash("sha256")
    .update(appId + raw + event.timestamp + oaSecretKey)
    .digest("hex");
  const res = await fetch(`${server.url}/webhooks/zalo`, {
    method: "POST",
    headers: { "content-type": "application/json", "X-ZEvent-Signature": `mac=${mac}` },
    body: raw,
  });
  expect(res.status).toBe(200);
  await server.deps.inbox.idle();
}
