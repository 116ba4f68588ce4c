import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "pino";
import { AppError } from "./app-error";

/** Unknown routes answer in the same error shape as everything else. */
export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({
    error: {
      code: "ROUTE_NOT_FOUND",
      message: `Không có địa chỉ ${req.method} ${req.baseUrl}${req.path} trên máy chủ.`,
    },
  });
};

/**
 * The one place where errors become HTTP responses: `{"error":{"code","message"}}` with a Vietnamese message.
 * Programmer errors are logged and answered with a generic 500; stack traces never leave the server.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof AppError) {
      res.status(err.status).json({
        error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
      });
      return;
    }
    // body-parser and friends mark client errors with a status (malformed JSON: 400, too large: 413).
    const status = typeof err?.status === "number" && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 413) {
      res.status(413).json({ error: { code: "PAYLOAD_TOO_LARGE", message: "Dữ liệu gửi lên quá lớn." } });
      return;
    }
    if (status === 400) {
      res.status(400).json({ error: { code: "MALFORMED_REQUEST", message: "Yêu cầu không đúng định dạng." } });
      return;
    }
    if (status !== 500) {
      res.status(status).json({ error: { code: "BAD_REQUEST", message: "Yêu cầu không hợp lệ." } });
      return;
    }
    logger.error({ err, method: req.method, path: req.path }, "unhandled error");
    res.status(500).json({
      error: { code: "INTERNAL_ERROR", message: "Hệ thống đang gặp sự cố. Vui lòng thử lại sau ít phút." },
    });
  };
}
