import { AnnouncementInput } from "@qn/shared";
import { Router } from "express";
import { z } from "zod";
import { parseOrThrow } from "../../http/validate";
import { requireOfficial } from "../auth/actor";
import type { AnnouncementService } from "./announcements";

const Id = z.coerce.number().int().min(1);
const Schedule = z.object({ at: z.iso.datetime({ offset: true }).optional() });
const Paging = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(10),
  offset: z.coerce.number().int().min(0).max(10_000).default(0),
});

/** Officials' announcements, and the public feed the mini-app shows. */
export function announcementsRouter(announcements: AnnouncementService): Router {
  const router = Router();
  const id = (raw: unknown) => parseOrThrow(Id, raw, "Mã thông báo không hợp lệ", "id");

  router.get("/announcements", async (req, res) => {
    const { limit, offset } = parseOrThrow(
      Paging,
      { limit: req.query.limit, offset: req.query.offset },
      "Tham số không hợp lệ",
    );
    res.json(await announcements.published(limit, offset));
  });

  router.get("/officials/announcements", async (req, res) => {
    requireOfficial(req, ["official", "hcc", "admin"]);
    res.json({ items: await announcements.list() });
  });
  router.post("/officials/announcements", async (req, res) => {
    const official = requireOfficial(req, ["official", "hcc", "admin"]);
    const input = parseOrThrow(AnnouncementInput, req.body, "Thông báo chưa đúng");
    res.status(201).json(await announcements.create(official, input));
  });
  router.get("/officials/announcements/:id", async (req, res) => {
    requireOfficial(req, ["official", "hcc", "admin"]);
    res.json(await announcements.view(id(req.params.id)));
  });
  router.put("/officials/announcements/:id", async (req, res) => {
    const official = requireOfficial(req, ["official", "hcc", "admin"]);
    const input = parseOrThrow(AnnouncementInput, req.body, "Thông báo chưa đúng");
    res.json(await announcements.update(official, id(req.params.id), input));
  });
  router.get("/officials/announcements/:id/preview", async (req, res) => {
    requireOfficial(req, ["official", "hcc", "admin"]);
    res.json(await announcements.preview(id(req.params.id)));
  });
  router.post("/officials/announcements/:id/submit", async (req, res) => {
    res.json(await announcements.submit(requireOfficial(req, ["official", "hcc", "admin"]), id(req.params.id)));
  });
  router.post("/officials/announcements/:id/approve", async (req, res) => {
    res.json(await announcements.approve(requireOfficial(req, ["official", "hcc", "admin"]), id(req.params.id)));
  });
  router.post("/officials/announcements/:id/send", async (req, res) => {
    const official = requireOfficial(req, ["official", "hcc", "admin"]);
    const { at } = parseOrThrow(Schedule, req.body ?? {}, "Thời điểm gửi không hợp lệ");
    res.json(await announcements.schedule(official, id(req.params.id), at ? new Date(at) : undefined));
  });
  for (const action of ["pause", "resume", "cancel"] as const) {
    router.post(`/officials/announcements/:id/${action}`, async (req, res) => {
      res.json(await announcements[action](requireOfficial(req, ["official", "hcc", "admin"]), id(req.params.id)));
    });
  }
  router.get("/officials/announcements/:id/progress", async (req, res) => {
    requireOfficial(req, ["official", "hcc", "admin"]);
    res.json(await announcements.progress(id(req.params.id)));
  });
  return router;
}
