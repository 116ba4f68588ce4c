import { ERROR_CODES, type ErrorCode } from "@qn/shared";

/**
 * The one error base class (docs/architecture.md habit 3). `code` is one of the registry's (shared/src/error-codes.ts), stable for
 * programs; `message` is Vietnamese for people; `status` is the HTTP status the error handler answers with, the
 * registry's unless a code covers several (an upload too large or of the wrong type). Modules raise their own errors
 * from their `*.errors.ts`.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number = ERROR_CODES[code].status,
    readonly details?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A request parameter or body is not acceptable; `details` names each bad parameter. */
export class ValidationError extends AppError {
  constructor(message: string, details: { path: string; message: string }[]) {
    super("VALIDATION_FAILED", message, 400, details);
  }
}

export class NotFoundError extends AppError {
  constructor(message = "Không tìm thấy nội dung bạn yêu cầu.") {
    super("NOT_FOUND", message, 404);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = "Phiên đăng nhập không hợp lệ hoặc đã hết hạn. Vui lòng đăng nhập lại.") {
    super("UNAUTHORIZED", message, 401);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = "Bạn không có quyền thực hiện thao tác này.") {
    super("FORBIDDEN", message, 403);
  }
}

export class ConflictError extends AppError {
  constructor(code: ErrorCode, message: string) {
    super(code, message, 409);
  }
}

/** An outside system (Zalo, the provincial portal…) failed; the citizen can try again later. */
export class UpstreamError extends AppError {
  constructor(code: ErrorCode, message: string, status = 502) {
    super(code, message, status);
  }
}
