import express, { type Request, type RequestHandler, type Response } from "express";
import multer from "multer";
import type { AppDeps } from "../../app-deps";
import { AppError } from "../../errors/app-error";
import { type ErrorDialect, errorHandler, routeNotFound, sendError } from "../../errors/error-handler";
import { addressKey, perMinuteLimit } from "../../http/rate-limit";
import { discardingParts, partsOf, type UploadIntake } from "../../http/upload";
import { OAuthError, PortalApiAuth, type PortalApiScope, type TokenHolder } from "./portal-api.auth";
import { PortalCallbackSender } from "./portal-api.callbacks";
import { PortalApiService } from "./portal-api.service";

/** The contract's limit on one attachment (docs/portal-api/openapi.json: at most 10 MB). */
const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

type Deps = Pick<
  AppDeps,
  "config" | "db" | "logger" | "calendar" | "procedures" | "uploads" | "limits" | "portalApiTokenKey" | "files"
>;

/** The contract's words for the generic errors (docs/portal-api/openapi.json, Error). */
const PORTAL_API_DIALECT: ErrorDialect = {
  label: "portal-api: unhandled error",
  messages: {
    notFound: "Không có địa chỉ {route}",
    tooLarge: "Dữ liệu gửi lên quá lớn",
    malformed: "Nội dung yêu cầu không đúng định dạng JSON",
    otherClient: "Nội dung yêu cầu không đúng định dạng JSON",
    internal: "Hệ thống đang gặp sự cố, vui lòng thử lại sau",
  },
  malformedCode: "VALIDATION_FAILED",
  otherClientErrorCode: "VALIDATION_FAILED",
  renamed: { NOT_FOUND: "DOSSIER_NOT_FOUND" },
};

/**
 * The embedded portal speaking docs/portal-api/openapi.json under `/portal-api` (issue 7, decision 0011), so that a
 * bot server in PORTAL_MODE=http can use this process as its portal. Mounted before the app's JSON parser: it parses
 * its own bodies (form for the token, JSON, multipart) and answers errors in the contract's shape. Without
 * PORTAL_API_CLIENTS every address under it answers 404.
 */
export function portalApiRouter(deps: Deps): express.Router & { stop: () => Promise<void> } {
  const router = Object.assign(express.Router(), { stop: async () => {} });
  const { clients, callbackUrl, callbackSecret } = deps.config.portalApi;
  if (!clients) {
    router.use(routeNotFound(PORTAL_API_DIALECT));
    return router;
  }
  // Tokens signed with the key every instance shares: one issued here is good at any instance (issue 16).
  const auth = new PortalApiAuth(clients, deps.portalApiTokenKey);
  const service = new PortalApiService(
    deps.db,
    deps.calendar,
    deps.procedures,
    // The app's one file store (FILE_STORE), with the contract's limit on one file.
    deps.files.withLimit(MAX_ATTACHMENT_BYTES),
  );
  if (callbackUrl && callbackSecret) {
    const sender = new PortalCallbackSender(
      deps.db,
      {
        url: callbackUrl,
        secret: callbackSecret,
        retryBaseMs: deps.config.portalApi.callbackRetryBaseMs,
        pollMs: deps.config.portalApi.callbackPollMs,
      },
      deps.logger,
    );
    sender.start();
    router.stop = () => sender.stop();
  }
  deps.logger.info(
    { clients: Object.keys(clients).length, callbacks: Boolean(callbackUrl) },
    "portal-api: the embedded portal serves the portal contract at /portal-api",
  );

  router.use(
    perMinuteLimit(deps.limits, {
      name: "portal-api",
      perMinute: deps.config.rateLimitPerMinute,
      key: addressKey,
      message: "Quá nhiều yêu cầu, vui lòng thử lại sau",
    }),
  );

  router.post("/oauth/token", express.urlencoded({ extended: false, limit: "8kb" }), (req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Pragma", "no-cache");
    const form = (req.body ?? {}) as Record<string, unknown>;
    try {
      const token = auth.issue(PortalApiAuth.credentials(req.headers.authorization, form), form);
      res.json({
        access_token: token.accessToken,
        token_type: "Bearer",
        expires_in: token.expiresIn,
        scope: token.scope,
      });
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      if (error.status === 401) res.setHeader("WWW-Authenticate", 'Basic realm="portal-api"');
      res.status(error.status).json({ error: error.error, error_description: error.description });
    }
  });

  const v1 = express.Router();
  v1.use(bearer(auth));
  v1.use(express.json({ limit: "1mb" }));
  const upload = multipart(deps.uploads);

  v1.get("/units/:unit/procedures", scope("catalogue"), async (req, res) => {
    res.json(await service.procedureChanges(String(req.params.unit), req.query.since, req.query.limit));
  });
  v1.post("/dossiers", scope("dossiers"), async (req, res) => {
    const { status, dossier } = await service.createDossier(client(res), req.get("Idempotency-Key"), req.body);
    if (status === 200) res.setHeader("Idempotent-Replayed", "true");
    else res.setHeader("Location", `/v1/dossiers/${encodeURIComponent(dossier.MaHoSo)}`);
    res.status(status).json(dossier);
  });
  v1.get("/dossiers/:code", scope("dossiers"), async (req, res) => {
    res.json(await service.getDossier(client(res), String(req.params.code)));
  });
  v1.post("/dossiers/:code/attachments", scope("dossiers"), upload, async (req, res) => {
    const [file] = partsOf(req);
    const { status, attachment } = await discardingParts(req, () =>
      service.uploadAttachment(client(res), String(req.params.code), req.body ?? {}, file),
    );
    res.status(status).json(attachment);
  });
  v1.post("/dossiers/:code/supplement", scope("dossiers"), async (req, res) => {
    res.json(await service.supplement(client(res), String(req.params.code), req.body));
  });
  v1.post("/dossiers/:code/withdraw", scope("dossiers"), async (req, res) => {
    res.json(await service.withdraw(client(res), String(req.params.code), req.body));
  });
  v1.get("/dossier-changes", scope("dossiers"), async (req, res) => {
    res.json(await service.dossierChanges(client(res), req.query.since, req.query.limit));
  });

  router.use("/v1", v1);
  router.use(routeNotFound(PORTAL_API_DIALECT));
  router.use(errorHandler(deps.logger, PORTAL_API_DIALECT));
  return router;
}

function client(res: Response): string {
  return (res.locals.portalClient as TokenHolder).clientId;
}

function bearer(auth: PortalApiAuth): RequestHandler {
  return (req, res, next) => {
    const holder = auth.verify(req.headers.authorization);
    if (!holder) {
      res.setHeader("WWW-Authenticate", 'Bearer error="invalid_token"');
      sendError(res, new AppError("UNAUTHORIZED", "Access token không hợp lệ hoặc đã hết hạn"));
      return;
    }
    res.locals.portalClient = holder;
    next();
  };
}

function scope(needed: PortalApiScope): RequestHandler {
  return (_req, res, next) => {
    if ((res.locals.portalClient as TokenHolder).scopes.has(needed)) return next();
    sendError(res, new AppError("FORBIDDEN", `Token không có quyền "${needed}"`));
  };
}

/**
 * One file in the part TepDinhKem and a few text parts, streamed to a temporary file (http/upload.ts, issue 13,
 * finding 4); multer's limits become the contract's errors, a full intake its 503 UNAVAILABLE with Retry-After.
 */
function multipart(uploads: UploadIntake): RequestHandler {
  const parse = uploads.parse({
    field: "TepDinhKem",
    limits: { fileSize: MAX_ATTACHMENT_BYTES, files: 1, fields: 10, fieldSize: 4096, parts: 12 },
    busy: () => new AppError("UNAVAILABLE", "Máy chủ đang nhận nhiều tệp cùng lúc, vui lòng thử lại sau"),
    refused: (error) => {
      if (error instanceof multer.MulterError && error.code === "LIMIT_FILE_SIZE") {
        return new AppError("FILE_TOO_LARGE", "Tệp quá 10 MB");
      }
      const detail = error instanceof multer.MulterError ? (error.field ?? error.code) : "multipart";
      return new AppError(
        "VALIDATION_FAILED",
        "Phần tải tệp không đúng hợp đồng (một tệp trong phần TepDinhKem)",
        400,
        [{ path: String(detail), message: "Không hợp lệ" }],
      );
    },
  });
  return (req: Request, res: Response, next) => {
    if (!req.is("multipart/form-data")) {
      next(new AppError("VALIDATION_FAILED", "Cần gửi dạng multipart/form-data"));
      return;
    }
    parse(req, res, next);
  };
}
