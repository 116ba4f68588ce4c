import { createHash } from "node:crypto";
import express, { type Request, Router } from "express";
import { AppError } from "../../errors/app-error";
import { sendError } from "../../errors/error-handler";
import { addressKey, perMinuteLimit } from "../../http/rate-limit";
import type { SharedLimits } from "../../http/shared-limits";
import type { Logger } from "../../logger";
import { RefusalLog } from "./refusal-log";
import { signedTimestamp } from "./validate-signature";
import type { WebhookCredentials } from "./webhook-credentials";
import type { WebhookInbox } from "./webhook-inbox";

export type WebhookLimits = {
  /** Refused requests per minute and source before the source gets 429 (good events never count). */
  refusedPerMinute: number;
  /** How far an event's timestamp may be from now, either way. */
  maxSkewMs: number;
  /** Where refusals are counted: the database, for every instance together. */
  counters: SharedLimits;
};

/**
 * `POST /webhooks/zalo`: verify the signature on the raw bytes, store the event deduplicated, answer 200, and let the
 * inbox process it afterwards. Nothing is stored unless the signature is right; nothing slow happens before the answer.
 *
 * Hardened after an attack on the running system (issue 13, finding 5): the signature is checked before the body is
 * parsed, an event whose timestamp is far from now is refused (a replay once its deduplication row is gone), each
 * source's refused requests are limited — only refusals count, so Zalo's own deliveries are never held back — and
 * refusals are logged as counts per source and minute, not one line each.
 */
export function webhookRouter(
  credentials: WebhookCredentials,
  inbox: WebhookInbox,
  logger: Logger,
  limits: WebhookLimits,
): Router {
  const router = Router();
  const refusals = new RefusalLog(logger);
  const sourceOf = (req: Request) => req.ip ?? "không rõ";
  const limit = perMinuteLimit(limits.counters, {
    name: "webhook-refused",
    perMinute: limits.refusedPerMinute,
    key: (req) => addressKey(req),
    onlyRefused: true,
    message: "Quá nhiều yêu cầu bị từ chối từ nguồn này. Vui lòng thử lại sau một phút.",
    onLimited: (req) => refusals.note(sourceOf(req), "RATE_LIMITED"),
  });
  router.post("/webhooks/zalo", limit, express.raw({ type: () => true, limit: "1mb" }), async (req, res) => {
    const refuse = (error: AppError, detail?: Record<string, unknown>) => {
      refusals.note(sourceOf(req), error.code, detail);
      sendError(res, error);
    };
    const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const header = req.get("X-ZEvent-Signature");
    if (!header) return refuse(new AppError("SIGNATURE_MISSING", "Thiếu chữ ký X-ZEvent-Signature."));
    const timestamp = signedTimestamp(header, credentials.appId, raw, credentials.oaSecretKey);
    if (timestamp === undefined) {
      return refuse(new AppError("SIGNATURE_INVALID", "Chữ ký không hợp lệ."), { bytes: raw.length });
    }
    // Authenticated from here on: the bytes are Zalo's.
    let event: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw.toString("utf8"));
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
      event = parsed as Record<string, unknown>;
    } catch {
      return refuse(new AppError("MALFORMED_EVENT", "Nội dung sự kiện không phải JSON hợp lệ."), { bytes: raw.length });
    }
    if (String(event.timestamp ?? "") !== timestamp) {
      // The matching field was not the event's own `timestamp` (docs/zalo.md §3): fail closed.
      return refuse(new AppError("SIGNATURE_INVALID", "Chữ ký không hợp lệ."), { event: event.event_name });
    }
    // docs/zalo.md §3: milliseconds since the epoch.
    const skew = Date.now() - Number(timestamp);
    if (!Number.isFinite(skew) || Math.abs(skew) >= limits.maxSkewMs) {
      return refuse(new AppError("EVENT_STALE", "Sự kiện quá cũ hoặc mang thời điểm không hợp lệ."), {
        event: event.event_name,
        skewSeconds: Math.round(skew / 1000),
      });
    }
    if (String(event.app_id ?? "") !== credentials.appId) {
      return refuse(new AppError("APP_MISMATCH", "Sự kiện không dành cho ứng dụng này."), { event: event.event_name });
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
