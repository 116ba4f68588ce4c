import { pipeline } from "node:stream/promises";
import {
  Channel,
  DossierCode,
  DossierState,
  LookupSecret,
  OfficialActionRequest,
  paragraph,
  RatingRequest,
  SpamMarkRequest,
  WithdrawRequest,
} from "@qn/shared";
import { type Request, type RequestHandler, Router } from "express";
import { z } from "zod";
import { UnauthorizedError } from "../../errors/app-error";
import { addressKey } from "../../http/rate-limit";
import { discardingParts, partsOf } from "../../http/upload";
import { parseOrThrow } from "../../http/validate";
import { actorOf, requireCitizen, requireOfficial } from "../auth/actor";
import type { DossierService } from "./dossier.service";

const Paging = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

const QueueQuery = Paging.extend({
  state: z
    .string()
    .regex(/^\d{1,2}(,\d{1,2})*$/, "Trạng thái là mã số, cách nhau bằng dấu phẩy")
    .transform((s) => s.split(",").map(Number))
    .pipe(z.array(DossierState))
    .optional(),
  overdue: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
  procedure: z
    .string()
    .regex(/^\d\.\d{6}$/, "Mã thủ tục có dạng 1.001193")
    .optional(),
  channel: Channel.optional(),
  /** true: only the dossiers marked as spam; by default the queue leaves them out. */
  spam: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
  unit: z
    .string()
    .regex(/^\d{2,5}$/)
    .optional(),
});

const SupplementNote = z.object({ note: paragraph().trim().max(1000).optional() });

function pick(query: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((n) => query[n] !== undefined).map((n) => [n, query[n]]));
}

/** Citizens' (and filers') dossier endpoints, the public lookup, and the officials' queue and actions. */
export function dossierRouter(dossiers: DossierService, upload: RequestHandler): Router {
  const router = Router();
  const codeOf = (raw: unknown) => parseOrThrow(DossierCode, raw, "Mã hồ sơ không hợp lệ", "code");
  const signedIn = (req: Request) => {
    const actor = actorOf(req);
    if (!actor) throw new UnauthorizedError("Vui lòng đăng nhập để tiếp tục.");
    return actor;
  };

  // Sign-in is checked before the upload is read: anonymous uploads are refused without storing them.
  const signedInFirst: RequestHandler = (req, _res, next) => {
    signedIn(req);
    next();
  };

  router.post("/dossiers", signedInFirst, upload, async (req, res) => {
    const view = await discardingParts(req, () => dossiers.file(signedIn(req), req.body?.dossier, partsOf(req)));
    res.status(201).json(view);
  });

  router.get("/dossiers", async (req, res) => {
    const page = parseOrThrow(Paging, pick(req.query, ["limit", "offset"]), "Tham số không hợp lệ");
    res.json(await dossiers.listOwn(signedIn(req), page));
  });

  router.get("/dossiers/:code", async (req, res) => {
    res.json(await dossiers.view(signedIn(req), codeOf(req.params.code)));
  });

  router.post("/dossiers/:code/supplement", signedInFirst, upload, async (req, res) => {
    const view = await discardingParts(req, () => {
      const { note } = parseOrThrow(SupplementNote, { note: req.body?.note }, "Thông tin bổ sung không hợp lệ");
      return dossiers.supplement(signedIn(req), codeOf(req.params.code), partsOf(req), note);
    });
    res.json(view);
  });

  router.post("/dossiers/:code/withdraw", async (req, res) => {
    const { reason } = parseOrThrow(WithdrawRequest, req.body, "Yêu cầu rút hồ sơ không hợp lệ");
    res.json(await dossiers.withdraw(signedIn(req), codeOf(req.params.code), reason));
  });

  router.post("/dossiers/:code/rating", async (req, res) => {
    const citizen = requireCitizen(req);
    const body = parseOrThrow(RatingRequest, req.body, "Đánh giá không hợp lệ");
    res.json(await dossiers.rate(citizen, codeOf(req.params.code), body.score, body.comment));
  });

  router.get("/dossiers/:code/attachments/:id", async (req, res) => {
    const id = parseOrThrow(z.coerce.number().int().min(1), req.params.id, "Mã tệp không hợp lệ", "id");
    const file = await dossiers.attachment(signedIn(req), codeOf(req.params.code), id);
    res.setHeader("Content-Type", file.mime);
    res.setHeader("Content-Disposition", `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`);
    res.setHeader("Cache-Control", "private, no-store");
    // Either side failing ends both: a download the client gives up on frees the file store's connection too.
    pipeline(file.stream, res).catch(() => res.destroy());
  });

  router.get("/lookup/:code", async (req, res) => {
    const code = codeOf(req.params.code);
    const secret =
      req.query.secret === undefined
        ? undefined
        : parseOrThrow(LookupSecret, req.query.secret, "Mã bảo mật không hợp lệ", "secret");
    // A signed-in caller counts as themselves, an anonymous one by address, as every limiter counts (finding 16):
    // behind a carrier's NAT, citizens who look up their own dossiers do not share one budget.
    const actor = actorOf(req);
    const source = actor ? `${actor.kind}:${actor.id}` : addressKey(req);
    res.json(await dossiers.lookup({ source, actor }, code, secret));
  });

  router.get("/officials/dossiers", async (req, res) => {
    const official = requireOfficial(req);
    const query = parseOrThrow(
      QueueQuery,
      pick(req.query, ["limit", "offset", "state", "overdue", "procedure", "channel", "unit", "spam"]),
      "Bộ lọc không hợp lệ",
    );
    res.json(
      await dossiers.queue(
        official,
        {
          unitCode: query.unit,
          states: query.state as DossierState[] | undefined,
          overdue: query.overdue,
          procedureCode: query.procedure,
          channel: query.channel,
          spam: query.spam ?? false,
        },
        { limit: query.limit, offset: query.offset },
      ),
    );
  });

  router.get("/officials/dossiers/:code", async (req, res) => {
    res.json(await dossiers.view(requireOfficial(req), codeOf(req.params.code)));
  });

  router.post("/officials/dossiers/:code/spam", async (req, res) => {
    const official = requireOfficial(req);
    const body = parseOrThrow(SpamMarkRequest, req.body, "Yêu cầu không hợp lệ");
    res.json(await dossiers.markSpam(official, codeOf(req.params.code), body.spam, body.note));
  });

  router.post("/officials/dossiers/:code/actions", async (req, res) => {
    const official = requireOfficial(req);
    const body = parseOrThrow(OfficialActionRequest, req.body, "Thao tác không hợp lệ");
    res.json(await dossiers.act(official, codeOf(req.params.code), body));
  });

  return router;
}
