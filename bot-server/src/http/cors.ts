import cors from "cors";
import type { RequestHandler } from "express";
import { AppError } from "../errors/app-error";

/**
 * Cross-origin access to `/api` (docs/decisions/0012). Inside Zalo the mini-app is served by Zalo, from its own origin
 * (`https://h5.zdn.vn`, or `zbrowser://h5.zdn.vn` on some clients), so every call to this server is cross-origin. The
 * `cors` package answers for the configured origins only; a request that carries any other `Origin` is refused with
 * 403 before it does anything, and a preflight from such an origin gets no CORS headers. Same-origin requests (the
 * mini-app and console this server serves itself) pass. Requests without `Origin` (curl, other servers) are not
 * browsers: CORS does not concern them and authentication still applies.
 *
 * Authentication is a Bearer token, never a cookie, so `credentials` stays off.
 */
export function apiCors(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins.map(normaliseOrigin));
  const answer = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(normaliseOrigin(origin))),
    methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    // JSON bodies and Bearer tokens make every call but the simplest preflighted; multipart needs no extra header.
    allowedHeaders: ["Authorization", "Content-Type", "Accept"],
    // What the app reads from responses: a download's file name and the rate limit's advice.
    exposedHeaders: ["Content-Disposition", "Content-Length", "RateLimit", "RateLimit-Policy", "Retry-After"],
    credentials: false,
    maxAge: 600,
  });
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin !== undefined && !allowed.has(normaliseOrigin(origin)) && !sameOrigin(origin, req.headers.host)) {
      next(new OriginNotAllowedError());
      return;
    }
    answer(req, res, next);
  };
}

/** Origins compare as typed by browsers: scheme://host[:port], lower case, no trailing slash. */
export function normaliseOrigin(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, "");
}

/**
 * A page this server served itself: browsers send `Origin` on same-origin POSTs too. Compared by host and port only,
 * because behind a proxy that ends TLS the scheme seen here is not the browser's.
 */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  const match = /^https?:\/\/([^/]+)$/i.exec(origin.trim());
  return match?.[1]?.toLowerCase() === host.toLowerCase();
}

export class OriginNotAllowedError extends AppError {
  constructor() {
    super(
      "ORIGIN_NOT_ALLOWED",
      "Trang này không được phép gọi máy chủ dịch vụ công. Vui lòng mở Dịch vụ công Quảng Ninh trong Zalo.",
      403,
    );
  }
}
