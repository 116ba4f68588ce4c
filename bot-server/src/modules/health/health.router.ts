import { Router } from "express";
import { sql } from "kysely";
import type { Db } from "../../db/database";

/** `GET /healthz`: 200 once the database is open and migrated (the app is only built after migrations ran). */
export function healthRouter(db: Db): Router {
  const router = Router();
  router.get("/healthz", async (_req, res) => {
    await sql`SELECT 1`.execute(db);
    res.json({ status: "ok" });
  });
  return router;
}
