import { CalendarDay, IsoDate } from "@qn/shared";
import { Router } from "express";
import { z } from "zod";
import { NotFoundError } from "../../errors/app-error";
import { parseOrThrow } from "../../http/validate";
import { requireOfficial } from "../auth/actor";
import type { CalendarService } from "./calendar.service";

/** The holiday calendar at `/api/admin/calendar`, kept by administrators. Every official may read it. */
export function calendarRouter(calendar: CalendarService): Router {
  const router = Router();
  router.get("/", async (req, res) => {
    requireOfficial(req);
    const { year } = parseOrThrow(
      z.object({ year: z.coerce.number().int().min(2000).max(2100).optional() }),
      { year: req.query.year },
      "Năm không hợp lệ",
    );
    res.json({ items: await calendar.list(year) });
  });
  router.put("/:date", async (req, res) => {
    const admin = requireOfficial(req, ["admin"]);
    const day = parseOrThrow(CalendarDay, { ...req.body, date: req.params.date }, "Ngày không hợp lệ");
    await calendar.put(day, admin.username);
    res.json(day);
  });
  router.delete("/:date", async (req, res) => {
    requireOfficial(req, ["admin"]);
    const date = parseOrThrow(IsoDate, req.params.date, "Ngày không hợp lệ", "date");
    if (!(await calendar.remove(date))) throw new NotFoundError("Ngày này không có trong lịch nghỉ.");
    res.status(204).end();
  });
  return router;
}
