import { Router } from "express";
import { z } from "zod";
import { ValidationError } from "../../errors/app-error";
import { parseOrThrow } from "../../http/validate";
import { requireOfficial } from "../auth/actor";
import { exportFileName, reportCsv, reportXlsx } from "./report.export";
import type { ReportService } from "./report.service";

const IsoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Ngày phải có dạng yyyy-mm-dd")
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === d;
  }, "Ngày không có thật");

const UnitParam = z.string().regex(/^(all|\d{2,5})$/, "Mã đơn vị là 'all' hoặc mã đơn vị hành chính");

const ReportQuery = z
  .object({
    from: IsoDay.optional(),
    to: IsoDay.optional(),
    unit: UnitParam.optional(),
  })
  .refine((q) => (q.from === undefined) === (q.to === undefined), {
    message: "Cần cả ngày bắt đầu (from) và ngày kết thúc (to)",
    path: ["to"],
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: "Ngày kết thúc phải sau ngày bắt đầu",
    path: ["to"],
  })
  .refine(
    (q) =>
      q.from === undefined ||
      q.to === undefined ||
      Date.parse(`${q.to}T00:00:00Z`) - Date.parse(`${q.from}T00:00:00Z`) <= 5 * 366 * 86_400_000,
    { message: "Kỳ báo cáo dài tối đa 5 năm", path: ["to"] },
  );

const pick = (query: Record<string, unknown>, keys: string[]) =>
  Object.fromEntries(keys.filter((k) => query[k] !== undefined).map((k) => [k, query[k]]));

/** `GET /api/reports/...`: the indicators of Chỉ thị 07 as JSON, over time, by unit, as CSV/XLSX; the quarterly reports. */
export function reportsRouter(reports: ReportService): Router {
  const router = Router();
  const parse = (query: Record<string, unknown>, extra: string[] = []) => {
    const q = parseOrThrow(ReportQuery, pick(query, ["from", "to", "unit"]), "Tham số báo cáo không hợp lệ");
    const period = q.from && q.to ? { from: q.from, to: q.to } : reports.defaultPeriod();
    for (const key of Object.keys(query)) {
      if (!["from", "to", "unit", ...extra].includes(key)) {
        throw new ValidationError(`Tham số báo cáo không hợp lệ: ${key} — không có tham số này`, [
          { path: key, message: "Không có tham số này" },
        ]);
      }
    }
    return { period, unit: q.unit };
  };

  router.get("/reports/indicators", async (req, res) => {
    const official = requireOfficial(req);
    const { period, unit } = parse(req.query);
    res.json(await reports.report(official, period, unit));
  });

  router.get("/reports/indicators/by-unit", async (req, res) => {
    const official = requireOfficial(req);
    const { period } = parse(req.query);
    res.json(await reports.byUnit(official, period));
  });

  router.get("/reports/indicators/series", async (req, res) => {
    const official = requireOfficial(req);
    const { period, unit } = parse(req.query, ["by"]);
    const by = parseOrThrow(
      z.enum(["quarter", "month"]).default("quarter"),
      req.query.by,
      "Tham số không hợp lệ",
      "by",
    );
    res.json(await reports.series(official, period, unit, by));
  });

  router.get("/reports/indicators/export", async (req, res) => {
    const official = requireOfficial(req);
    const { period, unit } = parse(req.query, ["format"]);
    const format = parseOrThrow(z.enum(["xlsx", "csv"]), req.query.format, "Định dạng không hợp lệ", "format");
    const report = await reports.report(official, period, unit);
    const name = exportFileName(report, format);
    res.setHeader("Content-Disposition", `attachment; filename="${name}"`);
    if (format === "csv") {
      res.type("text/csv; charset=utf-8").send(reportCsv(report));
      return;
    }
    const units = report.unit.code === "all" ? (await reports.byUnit(official, period)).units : undefined;
    res.type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").send(await reportXlsx(report, units));
  });

  router.get("/reports/due", async (req, res) => {
    res.json(await reports.due(requireOfficial(req)));
  });

  router.post("/reports/submissions", async (req, res) => {
    const official = requireOfficial(req);
    const body = parseOrThrow(
      z.object({ unit: UnitParam.optional() }).strict(),
      req.body ?? {},
      "Yêu cầu không hợp lệ",
    );
    res.status(201).json(await reports.submit(official, body.unit));
  });

  return router;
}
