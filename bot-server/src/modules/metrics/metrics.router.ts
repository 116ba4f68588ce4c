import { createHash, timingSafeEqual } from "node:crypto";
import { Router } from "express";
import { AppError } from "../../errors/app-error";
import { notFoundHandler, sendError } from "../../errors/error-handler";
import type { Metrics } from "./metrics";

/**
 * `GET /metrics` in Prometheus' text format, for the scraper holding METRICS_TOKEN (`Authorization: Bearer …`).
 * Without METRICS_TOKEN it answers 404 like any unknown address: the figures are not public (decision 0018).
 */
export function metricsRouter(metrics: Metrics, token: string | undefined): Router {
  const router = Router();
  const expected = token ? digest(token) : undefined;
  router.get("/metrics", async (req, res, next) => {
    if (!expected) return notFoundHandler(req, res, next);
    const given = /^Bearer (\S+)$/i.exec(req.get("authorization") ?? "")?.[1];
    if (!given || !timingSafeEqual(digest(given), expected)) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="metrics"');
      return sendError(res, new AppError("UNAUTHORIZED", "Cần mã truy cập số liệu vận hành (METRICS_TOKEN)."));
    }
    res.setHeader("Cache-Control", "no-store");
    res.type(metrics.contentType).send(await metrics.render());
  });
  return router;
}

/** Both sides hashed first: equal lengths for timingSafeEqual, and no length leak. */
function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
