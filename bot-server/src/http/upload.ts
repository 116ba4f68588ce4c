import type { RequestHandler } from "express";
import multer from "multer";
import { AppError } from "../errors/app-error";

/**
 * Multipart uploads kept in memory (each file is at most MAX_UPLOAD_MB and is hashed and type-checked before it is
 * written anywhere). multer's limit errors become Vietnamese API errors.
 */
export function uploadParts(maxFileBytes: number, maxFiles: number): RequestHandler {
  const parse = multer({
    storage: multer.memoryStorage(),
    // File names without an explicit charset are UTF-8 (browsers and Zalo send them so), not busboy's Latin-1.
    defParamCharset: "utf8",
    limits: { fileSize: maxFileBytes, files: maxFiles, fields: 20, fieldSize: 256 * 1024, parts: maxFiles + 20 },
  }).any();
  const mb = Math.round((maxFileBytes / 1024 / 1024) * 10) / 10;
  return (req, res, next) => {
    parse(req, res, (error: unknown) => {
      if (!error) return next();
      if (error instanceof multer.MulterError) {
        const messages: Partial<Record<string, [number, string]>> = {
          LIMIT_FILE_SIZE: [413, `Mỗi tệp tối đa ${mb} MB. Vui lòng chụp với độ phân giải thấp hơn.`],
          LIMIT_FILE_COUNT: [413, `Tối đa ${maxFiles} tệp mỗi lần gửi.`],
          LIMIT_FIELD_VALUE: [413, "Thông tin hồ sơ quá dài."],
          LIMIT_PART_COUNT: [413, "Quá nhiều phần trong yêu cầu."],
          LIMIT_FIELD_COUNT: [413, "Quá nhiều trường trong yêu cầu."],
        };
        const [status, message] = messages[error.code] ?? [400, "Yêu cầu tải tệp không hợp lệ."];
        return next(new AppError("UPLOAD_REJECTED", message, status));
      }
      next(new AppError("MALFORMED_REQUEST", "Yêu cầu tải tệp không đúng định dạng.", 400));
    });
  };
}
