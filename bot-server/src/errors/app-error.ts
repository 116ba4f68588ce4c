/**
 * The one error base class (STYLE.md habit 3). `code` is stable for programs, `message` is Vietnamese for people,
 * `status` is the HTTP status the one error handler uses. Modules subclass it in their own `*.errors.ts`.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
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
