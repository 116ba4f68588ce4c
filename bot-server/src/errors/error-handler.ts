import type { ErrorCode } from "@qn/shared";
import type { ErrorRequestHandler, RequestHandler, Response } from "express";
import type { Logger } from "pino";
import { isTextRefused } from "../db/dialect";
import { AppError } from "./app-error";

/**
 * Writes `{"error":{"code","message","details"?}}`: the one error shape of every API, for the few places that answer
 * before any handler can throw (rate limiters, signature checks on raw bodies). `extra` adds fields beside `error`.
 */
export function sendError(res: Response, error: AppError, extra: Record<string, unknown> = {}): void {
  res.status(error.status).json({
    error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
    ...extra,
  });
}

/** What differs between the APIs: the words of the generic errors, and codes the contract names otherwise. */
export type ErrorDialect = {
  /** Written in the log line of an unhandled error. */
  label: string;
  /** `{route}` in notFound is replaced by the method and the address. */
  messages: { notFound: string; tooLarge: string; malformed: string; otherClient: string; internal: string };
  /** The code for a body the HTTP layer could not parse (bad JSON). */
  malformedCode: ErrorCode;
  /** The code for any other client error of the HTTP layer. */
  otherClientErrorCode: ErrorCode;
  /** Codes this API's contract spells differently (the portal API's 404 is DOSSIER_NOT_FOUND). */
  renamed?: Partial<Record<ErrorCode, ErrorCode>>;
};

/** The app's own API (`/api`, the webhooks, the built front-ends). */
export const APP_DIALECT: ErrorDialect = {
  label: "unhandled error",
  messages: {
    notFound: "Không có địa chỉ {route} trên máy chủ.",
    tooLarge: "Dữ liệu gửi lên quá lớn.",
    malformed: "Yêu cầu không đúng định dạng.",
    otherClient: "Yêu cầu không hợp lệ.",
    internal: "Hệ thống đang gặp sự cố. Vui lòng thử lại sau ít phút.",
  },
  malformedCode: "MALFORMED_REQUEST",
  otherClientErrorCode: "BAD_REQUEST",
};

/** Unknown routes answer in the same error shape as everything else. */
export function routeNotFound(dialect: ErrorDialect = APP_DIALECT): RequestHandler {
  return (req, res) => {
    const route = `${req.method} ${req.baseUrl}${req.path}`;
    sendError(res, new AppError("ROUTE_NOT_FOUND", dialect.messages.notFound.replace("{route}", route)));
  };
}

export const notFoundHandler: RequestHandler = routeNotFound();

/**
 * The one place where errors become HTTP responses, for each API in its dialect: an AppError as it is (its code,
 * Vietnamese message and details), the HTTP layer's client errors (malformed JSON: 400, too large: 413) in the error
 * shape; programmer errors are logged and answered with a generic 500. Stack traces never leave the server.
 */
export function errorHandler(logger: Logger, dialect: ErrorDialect = APP_DIALECT): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof AppError) {
      const renamed = dialect.renamed?.[err.code];
      sendError(res, renamed ? new AppError(renamed, err.message, err.status, err.details) : err);
      return;
    }
    // Text the database refuses to store or compare (PostgreSQL: a NUL byte in a parameter) is the request's fault.
    if (isTextRefused(err)) return sendError(res, new AppError(dialect.malformedCode, dialect.messages.malformed));
    // body-parser and friends mark client errors with a status (malformed JSON: 400, too large: 413).
    const status = typeof err?.status === "number" && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 413) return sendError(res, new AppError("PAYLOAD_TOO_LARGE", dialect.messages.tooLarge));
    if (status === 400) return sendError(res, new AppError(dialect.malformedCode, dialect.messages.malformed));
    if (status !== 500) {
      const code = dialect.otherClientErrorCode;
      // The app keeps the HTTP layer's own status (405, 415…); a contract that has one code answers with its status.
      return sendError(
        res,
        new AppError(code, dialect.messages.otherClient, code === "BAD_REQUEST" ? status : undefined),
      );
    }
    logger.error({ err, method: req.method, path: req.path }, dialect.label);
    sendError(res, new AppError("INTERNAL_ERROR", dialect.messages.internal));
  };
}
