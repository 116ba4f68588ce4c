import { AnnouncementInput } from "@qn/shared";
import { Router } from "express";
import { z } from "zod";
import { ValidationError } from "../../errors/app-error";
import { parseOrThrow } from "../../http/validate";
import { requireOfficial } from "../auth/actor";
import type { AnnouncementService } from "./announcements";

const Id = z.coerce.number().int().min(1);
const Schedule = z.object({ at: z.iso.datetime({ offset: true }).optional() });
const Paging = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(10),
  offset: z.coerce.number().int().min(0).max(10_000).default(0),
});

/** Whether an image address is on one of the CSP sources `https://host` or `https://*.domain` (as a browser matches). */
export function onImageHost(url: string, sources: readonly string[]): boolean {
  const { protocol, hostname, port } = new URL(url);
  if (protocol !== "https:" || port !== "") return false;
  return sources.some((source) => {
    const host = source.slice("https://".length);
    return host.startsWith("*.") ? hostname.endsWith(host.slice(1)) : hostname === host;
  });
}

/**
 * Officials' announcements, and the public feed the mini-app shows. `imageHosts` (ANNOUNCEMENT_IMAGE_HOSTS) are where
 * the pages' CSP lets images come from: an image elsewhere would not show in the mini-app, so it is refused here.
 */
export function announcementsRouter(announcements: AnnouncementService, imageHosts: readonly string[]): Router {
  const router = Router();
  const id = (raw: unknown) => parseOrThrow(Id, raw, "Mã thông báo không hợp lệ", "id");
  const announcement = (body: unknown) => {
    const input = parseOrThrow(AnnouncementInput, body, "Thông báo chưa đúng");
    if (input.imageUrl && !onImageHost(input.imageUrl, imageHosts)) {
      const allowed = imageHosts.map((h) => h.slice("https://".length)).join(", ");
      const message = allowed
        ? `Ảnh cần nằm trên máy chủ được phép: ${allowed}`
        : "Máy chủ chưa cho phép ảnh thông báo từ địa chỉ nào (ANNOUNCEMENT_IMAGE_HOSTS): hãy bỏ ảnh hoặc nhờ quản trị viên";
      throw new ValidationError(`Thông báo chưa đúng: imageUrl — ${message}`, [{ path: "imageUrl", message }]);
    }
    return input;
  };

  router.get("/announcements", async (req, res) => {
    const { limit, offset } = parseOrThrow(
      Paging,
      { limit: req.query.limit, offset: req.query.offset },
      "Tham số không hợp lệ",
    );
    res.json(await announcements.published(limit, offset));
  });

  router.get("/officials/announcements", async (req, res) => {
    res.json({ items: await announcements.list(requireOfficial(req, ["official", "hcc", "admin"])) });
  });
  router.post("/officials/announcements", async (req, res) => {
    const official = requireOfficial(req, ["official", "hcc", "admin"]);
    const input = announcement(req.body);
    res.status(201).json(await announcements.create(official, input));
  });
  router.get("/officials/announcements/:id", async (req, res) => {
    res.json(await announcements.view(requireOfficial(req, ["official", "hcc", "admin"]), id(req.params.id)));
  });
  router.put("/officials/announcements/:id", async (req, res) => {
    const official = requireOfficial(req, ["official", "hcc", "admin"]);
    const input = announcement(req.body);
    res.json(await announcements.update(official, id(req.params.id), input));
  });
  router.get("/officials/announcements/:id/preview", async (req, res) => {
    res.json(await announcements.preview(requireOfficial(req, ["official", "hcc", "admin"]), id(req.params.id)));
  });
  router.get("/officials/announcements/:id/history", async (req, res) => {
    const items = await announcements.history(requireOfficial(req, ["official", "hcc", "admin"]), id(req.params.id));
    res.json({ items });
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
    res.json(await announcements.progressOf(requireOfficial(req, ["official", "hcc", "admin"]), id(req.params.id)));
  });
  return router;
}
