import { type RequestHandler, Router } from "express";
import { z } from "zod";
import type { OaMessenger } from "../../clients/zalo/messages";
import type { Db } from "../../db/database";
import { NotFoundError } from "../../errors/app-error";
import { requireSimulatorSession } from "../../http/simulator-session";
import { parseOrThrow } from "../../http/validate";

const UserId = z.string().regex(/^[A-Za-z0-9_:-]{1,64}$/, "Mã người dùng Zalo không hợp lệ");

/**
 * Offline mode only: the outbox of what would have been sent to Zalo, for the developer who started the server: it
 * needs the simulator's session (every citizen's messages are in it).
 */
export function devOutboxRouter(db: Db, messenger: OaMessenger, simulatorToken: string | undefined): Router {
  const router = Router();
  const offlineOnly: RequestHandler = (_req, _res, next) => {
    if (!messenger.offline || !simulatorToken) {
      throw new NotFoundError("Chỉ có ở chế độ ngoại tuyến (không cấu hình Zalo).");
    }
    next();
  };

  router.get("/dev/outbox", offlineOnly, requireSimulatorSession(simulatorToken ?? ""), async (req, res) => {
    const { userId, after } = parseOrThrow(
      z.object({ userId: UserId.optional(), after: z.coerce.number().int().min(0).default(0) }),
      { userId: req.query.userId, after: req.query.after },
      "Tham số không hợp lệ",
    );
    let query = db.selectFrom("dev_outbox").selectAll().where("id", ">", after).orderBy("id").limit(200);
    if (userId) query = query.where("recipient", "=", userId);
    const rows = await query.execute();
    res.json({
      offline: true,
      items: rows.map((r) => ({
        id: r.id,
        channel: r.channel,
        recipient: r.recipient,
        createdAt: r.created_at,
        payload: JSON.parse(r.payload),
      })),
    });
  });

  return router;
}
