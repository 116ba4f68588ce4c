import { Router } from "express";
import { sql } from "kysely";
import type { Db } from "../../db/database";
import { AppError } from "../../errors/app-error";
import { sendError } from "../../errors/error-handler";
import type { Lifecycle } from "./lifecycle";
import { readiness } from "./readiness";

/**
 * `GET /healthz`: 200 once the database is open and migrated (the app is only built after migrations ran): the
 * process is alive. `GET /readyz`: 200 while this instance should get traffic; 503 in the error shape, naming the
 * failed checks, when the database or a queue's table does not answer or a shutdown has begun (decision 0018).
 */
export function healthRouter(db: Db, lifecycle: Lifecycle): Router {
  const router = Router();
  router.get("/healthz", async (_req, res) => {
    await sql`SELECT 1`.execute(db);
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    res.setHeader("Cache-Control", "no-store");
    const state = await readiness(db, lifecycle);
    if (state.ready) {
      res.json({ status: "ready" });
      return;
    }
    const message = lifecycle.shuttingDown ? "Máy chủ đang dừng." : "Máy chủ chưa sẵn sàng phục vụ.";
    const details = state.failed.map((f) => ({ path: f.check, message: f.reason }));
    sendError(res, new AppError("NOT_READY", message, 503, details));
  });
  return router;
}
