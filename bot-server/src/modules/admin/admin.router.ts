import {
  CATALOGUE_MEDIA_TYPE,
  CatalogueImportRequest,
  findUnit,
  MAX_CATALOGUE_BYTES,
  OfficialUpdate,
  PasswordReset,
  type ReceivingUnitView,
  ZnsTemplatesUpdate,
} from "@qn/shared";
import express, { type RequestHandler, Router } from "express";
import { z } from "zod";
import type { Config } from "../../config";
import type { Db } from "../../db/database";
import { AppError } from "../../errors/app-error";
import { sendError } from "../../errors/error-handler";
import { parseOrThrow } from "../../http/validate";
import { requireOfficial } from "../auth/actor";
import { type AuthService, NewOfficial } from "../auth/auth.service";
import { calendarRouter } from "../calendar/calendar.router";
import type { CalendarService } from "../calendar/calendar.service";
import { ZnsTemplateStore } from "../notifications/zns-templates";
import { importCatalogueWithReport } from "../procedures/catalogue-import";
import { ProcedureRepository } from "../procedures/procedure.repository";
import type { ProcedureService } from "../procedures/procedure.service";

const OfficialId = z.coerce.number().int("Mã tài khoản là số nguyên").min(1).max(Number.MAX_SAFE_INTEGER);
const AlertId = z.coerce.number().int("Mã cảnh báo là số nguyên").min(1).max(Number.MAX_SAFE_INTEGER);

export type AdminDeps = {
  db: Db;
  config: Config;
  auth: AuthService;
  procedures: ProcedureService;
  calendar: CalendarService;
};

/**
 * Everything under `/api/admin`: "Quản trị" — officials' accounts, receiving units, the catalogue and ZNS templates
 * (administrators only) — and the holiday calendar (read by every official, kept by administrators).
 */
export function adminRouter({ db, config, auth, procedures, calendar }: AdminDeps): Router {
  const router = Router();
  router.use("/calendar", calendarRouter(calendar));
  const templates = new ZnsTemplateStore(db, config.znsTemplates);
  const repository = new ProcedureRepository(db);
  // Checked before a large body is read: nobody else makes the server parse megabytes.
  const adminOnly: RequestHandler = (req, _res, next) => {
    requireOfficial(req, ["admin"]);
    next();
  };
  // The app-wide JSON parser stops at 100 kB and skips this media type; a catalogue gets its own, bounded limit.
  const catalogueBody = express.json({ limit: MAX_CATALOGUE_BYTES, type: CATALOGUE_MEDIA_TYPE });

  router.get("/officials", async (req, res) => {
    requireOfficial(req, ["admin"]);
    res.json({ items: await auth.listOfficials() });
  });

  router.post("/officials", async (req, res) => {
    requireOfficial(req, ["admin"]);
    const input = parseOrThrow(NewOfficial, req.body, "Thông tin tài khoản không hợp lệ");
    res.status(201).json(await auth.createOfficial(input));
  });

  router.patch("/officials/:id", async (req, res) => {
    const admin = requireOfficial(req, ["admin"]);
    const id = parseOrThrow(OfficialId, req.params.id, "Mã tài khoản không hợp lệ", "id");
    const update = parseOrThrow(OfficialUpdate, req.body, "Thông tin tài khoản không hợp lệ");
    res.json(await auth.updateOfficial(admin, id, update));
  });

  router.post("/officials/:id/password", async (req, res) => {
    const admin = requireOfficial(req, ["admin"]);
    const id = parseOrThrow(OfficialId, req.params.id, "Mã tài khoản không hợp lệ", "id");
    const { password } = parseOrThrow(PasswordReset, req.body, "Mật khẩu không hợp lệ");
    await auth.resetOfficialPassword(admin, id, password);
    res.status(204).end();
  });

  // Warnings for administrators (issue 13, finding 7): accounts collecting wrong passwords.
  router.get("/security-alerts", async (req, res) => {
    requireOfficial(req, ["admin"]);
    res.json({ items: await auth.alerts.list() });
  });

  router.post("/security-alerts/:id/acknowledge", async (req, res) => {
    const admin = requireOfficial(req, ["admin"]);
    const id = parseOrThrow(AlertId, req.params.id, "Mã cảnh báo không hợp lệ", "id");
    res.json(await auth.alerts.acknowledge(id, admin.id));
  });

  router.get("/units", async (req, res) => {
    requireOfficial(req, ["admin"]);
    const [units, counts] = await Promise.all([
      db.selectFrom("receiving_units").selectAll().execute(),
      db
        .selectFrom("officials")
        .select(["unit_code", (eb) => eb.fn.countAll<number>().as("n")])
        .where("active", "=", 1)
        .groupBy("unit_code")
        .execute(),
    ]);
    const active = new Map(counts.map((c) => [c.unit_code, Number(c.n)]));
    const collator = new Intl.Collator("vi");
    const items: ReceivingUnitView[] = units
      .map((u) => ({
        code: u.code,
        name: u.name,
        agencyCode: u.agency_code,
        level: u.level as ReceivingUnitView["level"],
        administrativeUnit: findUnit(u.code) ?? null,
        activeOfficials: active.get(u.code) ?? 0,
      }))
      // The provincial centre first, then the communes by name.
      .sort((a, b) => (a.level === b.level ? collator.compare(a.name, b.name) : a.level === "province" ? -1 : 1));
    res.json({ items });
  });

  /**
   * Answers with the validation report: 200 when the catalogue is valid (imported, or with `dryRun` only counted),
   * 422 when it is not (nothing written), the report then carrying the usual `error` too.
   */
  router.post("/catalogue/import", adminOnly, catalogueBody, async (req, res) => {
    const admin = requireOfficial(req, ["admin"]);
    const input = parseOrThrow(CatalogueImportRequest, req.body, "Yêu cầu nhập danh mục không hợp lệ");
    const at = new Date().toISOString();
    const report = await importCatalogueWithReport(repository, input.procedures, {
      dryRun: input.dryRun,
      meta: { catalogue_last_import: JSON.stringify({ by: admin.username, at, total: input.procedures.length }) },
    });
    if (!report.valid) {
      const invalid = new AppError(
        "CATALOGUE_INVALID",
        `Danh mục có ${report.errorCount} lỗi; không thủ tục nào được nhập.`,
      );
      sendError(res, invalid, report);
      return;
    }
    if (!input.dryRun) await procedures.refresh();
    res.json(report);
  });

  router.get("/zalo-templates", async (req, res) => {
    requireOfficial(req, ["admin"]);
    res.json({ items: await templates.settings() });
  });

  router.put("/zalo-templates", async (req, res) => {
    const admin = requireOfficial(req, ["admin"]);
    const input = parseOrThrow(ZnsTemplatesUpdate, req.body, "Cấu hình mẫu ZNS không hợp lệ");
    await templates.replace(input.templates, admin.username);
    res.json({ items: await templates.settings() });
  });

  return router;
}
