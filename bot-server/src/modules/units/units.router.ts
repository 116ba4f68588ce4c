import { ADMINISTRATIVE_UNITS, unitsInForce } from "@qn/shared";
import { Router } from "express";
import { z } from "zod";
import { parseOrThrow } from "../../http/validate";

const UnitsQuery = z.object({
  /** `current` (default): units in force today; `all`: with the district-level units abolished on 1 July 2025. */
  scope: z.enum(["current", "all"]).default("current"),
});

export function unitsRouter(): Router {
  const router = Router();
  router.get("/units", (req, res) => {
    const { scope } = parseOrThrow(UnitsQuery, { scope: req.query.scope }, "Tham số không hợp lệ");
    res.json({ items: scope === "all" ? ADMINISTRATIVE_UNITS : unitsInForce() });
  });
  return router;
}
