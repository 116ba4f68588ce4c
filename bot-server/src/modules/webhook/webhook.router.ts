import { createHash } from "node:crypto";
import express, { Router } from "express";
import { AppError } from "../../errors/app-error";
import { sendError } from "../../errors/error-handler";
import type { Logger } from "../../logger";
import { validateSignature } from "./validate-signature";
import type { WebhookCredentials } from "./webhook-credentials";
import type { WebhookInbox } from "./webhook-inbox";

/**
 * `POST /webhooks/zalo`: verify the signature on the raw bytes, store the event deduplicated, answer 200, and let the
 * inbox process it afterwards. Nothing is stored unless the signature is right; nothing slow happens before the answer.
 */
export function webhookRouter(credentials: WebhookCredentials, inbox: WebhookInbox, logger: Logger): Router {
  const router = Router();
  router.post("/webhooks/zalo", express.raw({ type: () => true, limit: "1mb" }), async (req, res) => {
    const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const header = req.get("X-ZEvent-Signature");
    if (!header) {
      sendError(res, new AppError("SIGNATURE_MISSING", "Thiếu chữ ký X-ZEvent-Signature."));
      return;
    }
    let event: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw.toString("utf8"));
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
      event = parsed as Record<string, unknown>;
    } catch {
      logger.warn({ bytes: raw.length }, "webhook: body is not a JSON object");
      sendError(res, new AppError("MALFORMED_EVENT", "Nội dung sự kiện không phải JSON hợp lệ."));
      return;
    }
    const timestamp =
      typeof event.timestamp === "string" || typeof event.timestamp === "number" ? String(event.timestamp) : "";
    if (!validateSignature(header, credentials.appId, raw, timestamp, credentials.oaSecretKey)) {
      logger.warn({ event: event.event_name }, "webhook: bad signature");
      sendError(res, new AppError("SIGNATURE_INVALID", "Chữ ký không hợp lệ."));
      return;
    }
    if (String(event.app_id ?? "") !== credentials.appId) {
      logger.warn({ event: event.event_name }, "webhook: event for another app id");
      sendError(res, new AppError("APP_MISMATCH", "Sự kiện không dành cho ứng dụng này."));
      return;
    }
    const message = event.message as { msg_id?: unknown } | undefined;
    const dedupKey =
      typeof message?.msg_id === "string" && message.msg_id !== ""
        ? `msg:${message.msg_id}`
        : `sha256:${createHash("sha256").update(raw).digest("hex")}`;
    const stored = await inbox.store(dedupKey, event, raw.toString("utf8"));
    res.status(200).json({ received: true, duplicate: !stored });
    if (stored) inbox.kick();
  });
  return router;
}
