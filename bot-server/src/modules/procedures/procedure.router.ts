import { ProcedureCode, ProcedureSearchQuery } from "@qn/shared";
import { Router } from "express";
import { parseOrThrow } from "../../http/validate";
import type { ProcedureService } from "./procedure.service";

const SEARCH_PARAMS = ["q", "level", "field", "onlineLevel", "limit", "offset"] as const;

export function procedureRouter(service: ProcedureService): Router {
  const router = Router();

  router.get("/procedures", async (req, res) => {
    // Each parameter must appear once: `?q=a&q=b` is a client error, not an array to guess from.
    const raw: Record<string, unknown> = {};
    for (const name of SEARCH_PARAMS) if (req.query[name] !== undefined) raw[name] = req.query[name];
    const query = parseOrThrow(ProcedureSearchQuery, raw, "Tham số tìm kiếm không hợp lệ");
    res.json(await service.search(query));
  });

  router.get("/procedures/:code", async (req, res) => {
    const code = parseOrThrow(ProcedureCode, req.params.code, "Mã thủ tục không hợp lệ", "code");
    res.json(await service.get(code));
  });

  router.get("/fields", async (_req, res) => {
    res.json({ items: await service.fields() });
  });

  return router;
}
