import fs from "node:fs";
import path from "node:path";
import express, { type Express, type RequestHandler } from "express";
import helmet from "helmet";
import type { AppDeps } from "./app-deps";
import { errorHandler, notFoundHandler } from "./errors/error-handler";
import { accessLog } from "./http/access-log";
import { apiCors } from "./http/cors";
import { callerKey, perMinuteLimit } from "./http/rate-limit";
import { uploadParts } from "./http/upload";
import type { Logger } from "./logger";
import { adminRouter } from "./modules/admin/admin.router";
import { authenticate } from "./modules/auth/auth.middleware";
import { authRouter } from "./modules/auth/auth.router";
import { ConversationReplies } from "./modules/chatbot/conversation-replies";
import { conversationsRouter } from "./modules/chatbot/conversations.router";
import { devOutboxRouter } from "./modules/chatbot/dev-outbox.router";
import { dossierRouter } from "./modules/dossiers/dossier.router";
import { healthRouter } from "./modules/health/health.router";
import { metricsRouter } from "./modules/metrics/metrics.router";
import { announcementsRouter } from "./modules/notifications/announcements.router";
import { notificationsRouter } from "./modules/notifications/notifications.router";
import { paymentApiRouter, paymentCallbackRouter } from "./modules/payments/payment.router";
import { portalApiRouter } from "./modules/portal-api/portal-api.router";
import { postalApiRouter, postalCallbackRouter } from "./modules/postal/postal.router";
import { procedureRouter } from "./modules/procedures/procedure.router";
import { portalCallbackRouter } from "./modules/provincial-gateway/portal-changes";
import { reportsRouter } from "./modules/reports/report.router";
import { unitsRouter } from "./modules/units/units.router";
import { simulatorRouter } from "./modules/webhook/simulator.router";
import { webhookRouter } from "./modules/webhook/webhook.router";

/** Builds the Express app from its dependencies; `server.ts` only listens (docs/architecture.md habit 6). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  // First, so that every answer is logged (decision 0018: method, route, status, duration, request id; nothing else).
  app.use(accessLog(deps.logger));
  app.disable("x-powered-by");
  app.set("trust proxy", deps.config.trustProxyHops);
  // Previews of the photos a citizen picks are blob: URLs; the receipt's QR code is a data: URL; announcement images
  // come from the configured hosts only (ANNOUNCEMENT_IMAGE_HOSTS, checked when an announcement is written).
  const imageSources = ["'self'", "data:", "blob:", ...deps.config.announcementImageHosts];
  app.use(helmet({ contentSecurityPolicy: { directives: { "img-src": imageSources } } }));
  // The webhook reads its raw bytes (the signature covers them): it is mounted before the JSON parser.
  app.use("/webhooks/zalo", deps.metrics.timeWebhookAck);
  app.use(
    webhookRouter(deps.webhook, deps.inbox, deps.logger, {
      refusedPerMinute: deps.config.webhookRateLimitPerMinute,
      maxSkewMs: deps.config.webhookMaxSkewMinutes * 60_000,
      counters: deps.limits,
    }),
  );
  // The portal contract, with its own parsing and errors (decision 0011). Its callback sender runs in the background:
  // `stopBackground` lets bootstrap's close() stop it with the rest.
  const portalApi = portalApiRouter(deps);
  app.use("/portal-api", portalApi);
  app.locals.stopBackground = portalApi.stop;
  if (deps.httpPortal && deps.config.portal.mode === "http") {
    // Signed over the raw body too (decision 0010): before the JSON parser.
    app.use(portalCallbackRouter(deps.httpPortal.changes, deps.config.portal.callbackSecret, deps.logger));
  }
  // The payment providers' callbacks are signed over their raw bodies too (decision 0014); the sandbox's test page.
  app.use(
    paymentCallbackRouter(
      deps.payments,
      deps.receiptLinks,
      deps.logger,
      deps.config.webhookRateLimitPerMinute,
      deps.limits,
    ),
  );
  // The post's status callbacks, signed over their raw bodies (decision 0017); offline, the test post's page and API.
  app.use(postalCallbackRouter(deps.postal, deps.logger, deps.config.webhookRateLimitPerMinute, deps.limits));
  if (deps.postalSandbox) app.use(deps.postalSandbox.router("/post-sandbox"));
  app.use(express.json({ limit: "100kb" }));
  if (deps.messenger.offline && deps.webhook.development && deps.simulatorToken) {
    app.use(simulatorRouter(deps.webhook, deps.config.zalo.oaId ?? "dev-oa", deps.simulatorToken));
  }

  app.use(healthRouter(deps.db, deps.lifecycle));
  app.use(metricsRouter(deps.metrics, deps.config.operations.metricsToken));

  const api = express.Router();
  // First: a preflight is answered (or refused) before it counts against the rate limit or meets authentication.
  api.use(apiCors(deps.config.corsOrigins));
  // Answers carry personal data (dossiers, identity numbers, phones): no browser, proxy or CDN may keep them.
  api.use((_req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    next();
  });
  // Counted against the signed-in person (the token's signature is checked, not yet its session row), anonymous and
  // unverifiable calls against their address: many citizens share one address behind a mobile network's NAT.
  const callerOf = callerKey((token) => deps.auth.tokenSubject(token));
  api.use(
    perMinuteLimit(deps.limits, {
      name: "api",
      perMinute: deps.config.rateLimitPerMinute,
      key: callerOf,
      message: "Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau một phút.",
    }),
  );
  api.use(authenticate(deps.auth));
  // What the mini-app needs to know about this deployment (no secrets).
  api.get("/app-config", (_req, res) => {
    res.json({
      oaId: deps.config.zalo.oaId ?? "",
      offline: deps.messenger.offline,
      miniAppId: deps.config.miniAppId,
      maxUploadBytes: deps.config.maxUploadBytes,
    });
  });
  api.use(procedureRouter(deps.procedures));
  api.use(unitsRouter());
  api.use(authRouter(deps.auth, deps.config, deps.limits, deps.db));
  api.use(
    dossierRouter(
      deps.dossiers,
      uploadParts(deps.uploads, deps.config.maxUploadBytes, deps.config.maxFilesPerSubmission),
    ),
  );
  api.use("/admin", adminRouter(deps));
  api.use(
    "/officials/conversations",
    conversationsRouter(deps.conversations, new ConversationReplies(deps.db, deps.messenger)),
  );
  api.use(devOutboxRouter(deps.db, deps.messenger, deps.simulatorToken));
  api.use(notificationsRouter(deps.db));
  api.use(reportsRouter(deps.reports));
  api.use(paymentApiRouter(deps.payments, deps.paymentLedger, deps.receiptLinks));
  api.use(postalApiRouter(deps.postal, deps.procedures));
  api.use(announcementsRouter(deps.announcements, deps.config.announcementImageHosts));
  api.use(notFoundHandler);
  app.use("/api", api);
  app.use("/console", officialsConsole(deps.config.consoleDist, deps.logger));
  app.use(miniApp(deps.config.miniAppDist, deps.logger));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}

/**
 * The officials' console at `/console` (docs/decisions/0009). Like the mini-app, any GET for HTML under it gets the
 * console's page, so that a reload on /console/ho-so/… opens the console at that screen.
 */
function officialsConsole(dist: string, logger: Logger): RequestHandler {
  const index = path.join(dist, "console.html");
  if (!fs.existsSync(index)) {
    logger.warn({ dist }, "officials' console not built: run `npm run build` to serve it at /console");
    return (_req, _res, next) => next();
  }
  const assets = express.static(dist, { index: "console.html", maxAge: "1h" });
  return (req, res, next) => {
    // The console shows attachments inline (PDFs in a frame from a blob: URL). Its images are the mini-app's: an
    // announcement's image can only be on a configured host, so it needs no wider img-src (it had any https:).
    const csp = String(res.getHeader("Content-Security-Policy") ?? "");
    if (csp) {
      res.setHeader(
        "Content-Security-Policy",
        `${csp.replace(/object-src [^;]*/, "object-src 'self' blob:")};frame-src 'self' blob:`,
      );
    }
    assets(req, res, () => {
      if (req.method === "GET" && req.accepts("html") === "html") {
        res.setHeader("Cache-Control", "no-cache");
        res.sendFile(index);
      } else next();
    });
  };
}

/**
 * The built mini-app at `/` for a desktop browser and for development (inside Zalo the app is served by Zalo). Any
 * other GET that asks for HTML gets the app's page, so a reload on an in-app address still opens the app.
 */
function miniApp(dist: string, logger: Logger): RequestHandler {
  const index = path.join(dist, "index.html");
  if (!fs.existsSync(index)) {
    logger.warn({ dist }, "mini-app not built: run `npm run build` to serve it at /");
    return (_req, _res, next) => next();
  }
  const assets = express.static(dist, { index: "index.html", maxAge: "1h" });
  const reserved = /^\/(api|dev|webhooks|healthz|readyz|metrics|payments|receipts|postal|post-sandbox)(\/|$)/;
  return (req, res, next) => {
    if (reserved.test(req.path)) return next();
    assets(req, res, () => {
      if (req.method === "GET" && req.accepts("html") === "html") res.sendFile(index);
      else next();
    });
  };
}
