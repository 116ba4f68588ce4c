import { InboxItem, NotificationKind, NotificationPreferences } from "@qn/shared";
import { Router } from "express";
import { z } from "zod";
import type { Db } from "../../db/database";
import { NotFoundError } from "../../errors/app-error";
import { parseOrThrow } from "../../http/validate";
import { requireCitizen } from "../auth/actor";

const Paging = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
  unread: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
});

/** The mini-app's inbox (own notifications only) and the citizen's choice of Zalo messages per kind. */
export function notificationsRouter(db: Db): Router {
  const router = Router();

  router.get("/notifications", async (req, res) => {
    const citizen = requireCitizen(req);
    const { limit, offset, unread } = parseOrThrow(
      Paging,
      { limit: req.query.limit, offset: req.query.offset, unread: req.query.unread },
      "Tham số không hợp lệ",
    );
    let query = db.selectFrom("notifications").where("citizen_id", "=", citizen.id);
    if (unread) query = query.where("read_at", "is", null);
    const [rows, total, unreadCount] = await Promise.all([
      query.selectAll().orderBy("id", "desc").limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
      db
        .selectFrom("notifications")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("citizen_id", "=", citizen.id)
        .where("read_at", "is", null)
        .executeTakeFirstOrThrow(),
    ]);
    res.json({
      total: Number(total.n),
      unread: Number(unreadCount.n),
      items: rows.map((r) =>
        InboxItem.parse({
          id: r.id,
          kind: r.kind,
          title: r.title,
          body: r.body,
          dossierCode: r.dossier_code,
          link: r.link,
          createdAt: r.created_at,
          read: r.read_at !== null,
        }),
      ),
    });
  });

  router.post("/notifications/:id/read", async (req, res) => {
    const citizen = requireCitizen(req);
    const id = parseOrThrow(z.coerce.number().int().min(1), req.params.id, "Mã thông báo không hợp lệ", "id");
    const result = await db
      .updateTable("notifications")
      .set({ read_at: new Date().toISOString() })
      .where("id", "=", id)
      .where("citizen_id", "=", citizen.id)
      .where("read_at", "is", null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      const mine = await db
        .selectFrom("notifications")
        .select("id")
        .where("id", "=", id)
        .where("citizen_id", "=", citizen.id)
        .executeTakeFirst();
      if (!mine) throw new NotFoundError("Không tìm thấy thông báo.");
    }
    res.status(204).end();
  });

  router.post("/notifications/read-all", async (req, res) => {
    const citizen = requireCitizen(req);
    await db
      .updateTable("notifications")
      .set({ read_at: new Date().toISOString() })
      .where("citizen_id", "=", citizen.id)
      .where("read_at", "is", null)
      .execute();
    res.status(204).end();
  });

  router.get("/notifications/preferences", async (req, res) => {
    const citizen = requireCitizen(req);
    const rows = await db.selectFrom("notification_prefs").selectAll().where("citizen_id", "=", citizen.id).execute();
    const prefs = Object.fromEntries(NotificationKind.options.map((k) => [k, true])) as Record<string, boolean>;
    for (const r of rows) prefs[r.kind] = r.zalo_enabled === 1;
    res.json(prefs);
  });

  router.put("/notifications/preferences", async (req, res) => {
    const citizen = requireCitizen(req);
    const prefs = parseOrThrow(NotificationPreferences, req.body, "Lựa chọn nhận tin không hợp lệ");
    for (const [kind, enabled] of Object.entries(prefs)) {
      await db
        .insertInto("notification_prefs")
        .values({ citizen_id: citizen.id, kind, zalo_enabled: enabled ? 1 : 0 })
        .onConflict((oc) => oc.columns(["citizen_id", "kind"]).doUpdateSet({ zalo_enabled: enabled ? 1 : 0 }))
        .execute();
    }
    res.status(204).end();
  });

  return router;
}
