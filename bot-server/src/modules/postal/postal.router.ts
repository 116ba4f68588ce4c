import {
  CommuneCode,
  DeliveryRequest,
  DossierCode,
  FailedDeliveryChoice,
  IsoDate,
  PickupRequest,
  POSTAL_LISTS,
  PostalDispatch,
  PostalSender,
  ProcedureCode,
} from "@qn/shared";
import express, { type Request, Router } from "express";
import { z } from "zod";
import { AppError, UnauthorizedError } from "../../errors/app-error";
import { addressKey, perMinuteLimit } from "../../http/rate-limit";
import type { SharedLimits } from "../../http/shared-limits";
import { parseOrThrow } from "../../http/validate";
import type { Logger } from "../../logger";
import { actorOf, requireOfficial } from "../auth/actor";
import type { ProcedureService } from "../procedures/procedure.service";
import { renderPostalLabels } from "./label-pdf";
import type { PostalService } from "./postal.service";

const Reference = z.string().regex(/^BC\d{20}$/, "Mã đơn bưu chính không hợp lệ");
const References = z
  .string()
  .transform((s) => s.split(",").filter(Boolean))
  .pipe(z.array(Reference).min(1, "Chọn ít nhất một đơn").max(200, "Tối đa 200 nhãn một lần"));
const Waybills = z.object({
  waybills: z
    .array(
      z
        .string()
        .trim()
        .regex(/^[A-Z0-9]{6,20}$/, "Số vận đơn chỉ gồm chữ in hoa và số (6–20 ký tự)"),
    )
    .min(1)
    .max(10_000),
});
/** Who sends a unit's results by post and cancels its orders: its officials and HCC staff (not volunteers, not admins). */
const POSTAL_ROLES = ["official", "hcc"] as const;
/** Who reads the lists and prints labels: also administrators (every unit). */
const POSTAL_READERS = ["official", "hcc", "admin"] as const;

/** The postal API under /api: the citizen's side of a dossier, the wizard's quote, the officials' and admins' side. */
export function postalApiRouter(postal: PostalService, procedures: ProcedureService): Router {
  const router = Router();
  const signedIn = (req: Request) => {
    const actor = actorOf(req);
    if (!actor) throw new UnauthorizedError("Vui lòng đăng nhập để tiếp tục.");
    return actor;
  };
  const codeOf = (raw: unknown) => parseOrThrow(DossierCode, raw, "Mã hồ sơ không hợp lệ", "code");

  // Before a dossier exists: may this procedure go by post, what would it cost, which days can the post come?
  router.get("/postal/quote", async (req, res) => {
    const code = parseOrThrow(ProcedureCode, req.query.procedure, "Mã thủ tục không hợp lệ", "procedure");
    const commune =
      req.query.commune === undefined
        ? undefined
        : parseOrThrow(CommuneCode, req.query.commune, "Mã xã, phường không hợp lệ", "commune");
    const procedure = await procedures.get(code);
    res.json(await postal.quote(code, commune, procedure));
  });

  router.get("/dossiers/:code/postal", async (req, res) => {
    res.json(await postal.overview(signedIn(req), codeOf(req.params.code)));
  });
  router.post("/dossiers/:code/postal/pickup", async (req, res) => {
    const body = parseOrThrow(PickupRequest, req.body, "Yêu cầu lấy hồ sơ tại nhà không hợp lệ");
    res.status(201).json(await postal.requestPickup(signedIn(req), codeOf(req.params.code), body));
  });
  router.post("/dossiers/:code/postal/delivery", async (req, res) => {
    const body = parseOrThrow(DeliveryRequest, req.body, "Địa chỉ nhận kết quả không hợp lệ");
    res.json(await postal.requestDelivery(signedIn(req), codeOf(req.params.code), body));
  });
  router.post("/dossiers/:code/postal/orders/:reference/choice", async (req, res) => {
    const body = parseOrThrow(FailedDeliveryChoice, req.body, "Lựa chọn không hợp lệ");
    const reference = parseOrThrow(Reference, req.params.reference, "Mã đơn bưu chính không hợp lệ", "reference");
    res.json(await postal.choose(signedIn(req), codeOf(req.params.code), reference, body));
  });

  // ─── Officials ───
  router.get("/officials/postal/ready", async (req, res) => {
    res.json(await postal.ready(requireOfficial(req, POSTAL_READERS)));
  });
  router.get("/officials/postal/orders", async (req, res) => {
    const official = requireOfficial(req, POSTAL_READERS);
    const list = parseOrThrow(z.enum(POSTAL_LISTS).default("active"), req.query.list, "Danh sách không hợp lệ", "list");
    const date =
      req.query.date === undefined ? undefined : parseOrThrow(IsoDate, req.query.date, "Ngày không hợp lệ", "date");
    res.json(await postal.list(official, list, date));
  });
  router.post("/officials/postal/dispatch", async (req, res) => {
    const official = requireOfficial(req, POSTAL_ROLES);
    const body = parseOrThrow(PostalDispatch, req.body, "Danh sách hồ sơ không hợp lệ");
    res.json(await postal.dispatch(official, body.codes));
  });
  router.post("/officials/postal/orders/:reference/cancel", async (req, res) => {
    const official = requireOfficial(req, POSTAL_ROLES);
    const reference = parseOrThrow(Reference, req.params.reference, "Mã đơn bưu chính không hợp lệ", "reference");
    res.json(await postal.cancel(official, reference));
  });
  router.get("/officials/postal/labels.pdf", async (req, res) => {
    const official = requireOfficial(req, POSTAL_READERS);
    const references = parseOrThrow(References, req.query.refs, "Danh sách đơn không hợp lệ", "refs");
    const pdf = await renderPostalLabels(await postal.labelData(official, references));
    res.setHeader("Content-Type", "application/pdf");
    res.setHeader("Content-Disposition", `inline; filename="nhan-buu-gui-${references.length}.pdf"`);
    res.end(pdf);
  });

  // ─── Administrators: the units' sender details and tariff, the waybill pool ───
  router.get("/admin/postal/senders", async (req, res) => {
    requireOfficial(req, ["admin"]);
    res.json(await postal.senders());
  });
  router.put("/admin/postal/senders/:unitCode", async (req, res) => {
    const admin = requireOfficial(req, ["admin"]);
    const unitCode = parseOrThrow(z.string().regex(/^\d{2,5}$/), req.params.unitCode, "Mã đơn vị không hợp lệ", "unit");
    const body = parseOrThrow(PostalSender, req.body, "Thông tin gửi bưu điện không hợp lệ");
    res.json(await postal.putSender(unitCode, body, admin.id));
  });
  router.post("/admin/postal/waybills", async (req, res) => {
    requireOfficial(req, ["admin"]);
    const body = parseOrThrow(Waybills, req.body, "Danh sách số vận đơn không hợp lệ");
    res.json(await postal.addWaybills(body.waybills));
  });
  return router;
}

/**
 * The post's status callback (POST /postal/callback), signed over its raw body (decision 0017): before the JSON
 * parser. A good signature is answered 200 whatever became of the status (applied, a duplicate, stale), so that the
 * post does not redeliver it; an error while applying answers 500, and the post's retry or our polling catches it.
 */
export function postalCallbackRouter(
  postal: PostalService,
  logger: Logger,
  refusedPerMinute: number,
  counters: SharedLimits,
): Router {
  const router = Router();
  const limit = perMinuteLimit(counters, {
    name: "postal-callback-refused",
    perMinute: refusedPerMinute,
    key: (req) => addressKey(req),
    onlyRefused: true,
    message: "Quá nhiều yêu cầu bị từ chối từ nguồn này. Vui lòng thử lại sau một phút.",
  });
  router.post("/postal/callback", limit, express.raw({ type: () => true, limit: "64kb" }), async (req, res) => {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    try {
      const result = await postal.receiveCallback(body, req.headers);
      res.json({ received: true, result });
    } catch (error) {
      if (error instanceof AppError) {
        logger.warn({ source: req.ip, code: error.code }, "postal callback refused");
      }
      throw error;
    }
  });
  return router;
}
