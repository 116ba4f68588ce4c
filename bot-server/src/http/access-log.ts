import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Request, RequestHandler } from "express";
import { pinoHttp } from "pino-http";
import type { Logger } from "../logger";

/** A request id a load balancer or proxy passed on is kept when it is a plain token; anything else is replaced. */
const INCOMING_ID = /^[A-Za-z0-9._:-]{8,64}$/;
/** Probes and scrapes come every few seconds: logged at debug while they succeed. */
const PROBES = new Set(["/healthz", "/readyz", "/metrics"]);
const ROUTE = Symbol("access-log route");

type Tagged = Request & { [ROUTE]?: string };

/**
 * The access log (decision 0018): one line per request through pino-http, at the end of its answer, with the
 * method, the route (the pattern that matched, like `/api/dossiers/:code`, never the address itself), the status, the
 * duration and a request id (also answered as X-Request-Id). Nothing else of the request is written: no headers (so
 * no Authorization, cookies or signatures), no query string (codes, `?secret=`, `?t=`), no body, no address, no
 * parameter. 5xx at error, the rest at info (probes of /healthz, /readyz and /metrics at debug). A refused request (4xx)
 * is ordinary traffic, not a warning: the modules warn about what deserves it, once per burst where a flood is likely
 * (the webhook's refusal log, issue 13 finding 5), and a flood must not turn into a flood of warnings here.
 */
export function accessLog(logger: Logger): RequestHandler {
  const log = pinoHttp({
    logger,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const incoming = req.headers["x-request-id"];
      const id = typeof incoming === "string" && INCOMING_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader("X-Request-Id", id);
      return id;
    },
    // Only the request id is bound: pino-http's default binds the whole request (headers included).
    quietReqLogger: true,
    quietResLogger: true,
    customAttributeKeys: { reqId: "requestId" },
    customLogLevel: (req, res, error) => {
      if (error || res.statusCode >= 500) return "error";
      return PROBES.has(routeOf(req as Tagged)) ? "debug" : "info";
    },
    customSuccessMessage: () => "request",
    customErrorMessage: () => "request",
    // The line is built here alone: pino-http's own objects carry the request and the response with their headers.
    customSuccessObject: (req, res, loggable: { responseTime: number }) => line(req, res, loggable.responseTime),
    customErrorObject: (req, res, _error, loggable: { responseTime: number }) => line(req, res, loggable.responseTime),
  });
  return (req, res, next) => {
    recordRoute(req);
    log(req, res, next);
  };
}

function line(req: IncomingMessage, res: ServerResponse, durationMs: number) {
  return {
    method: req.method,
    route: routeOf(req as Tagged),
    status: res.statusCode,
    durationMs,
    // The client went away before the answer was complete.
    ...(res.writableFinished ? {} : { aborted: true }),
  };
}

/**
 * Keeps the full pattern of the route that matched. Express sets `req.route` when it dispatches to a route, and at
 * that moment `req.baseUrl` is the mount path of its router; later both may be restored to an outer router's.
 */
function recordRoute(req: Tagged): void {
  let route: unknown;
  Object.defineProperty(req, "route", {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: { path?: unknown } | undefined) {
      route = value;
      if (value && value.path !== undefined) req[ROUTE] = `${req.baseUrl}${String(value.path)}`;
    },
  });
}

/**
 * The route that matched; for a request no route matched (static files, the front-ends' pages, unknown addresses)
 * only the first segment of its path, so that no code or token in the rest of it reaches the log.
 */
function routeOf(req: Tagged): string {
  if (req[ROUTE]) return req[ROUTE];
  const path = (req.originalUrl ?? req.url ?? "/").split("?")[0] ?? "/";
  const first = (/^\/[^/]*/.exec(path)?.[0] ?? "/").slice(0, 48);
  return first.length < path.length ? `${first}/*` : first;
}
