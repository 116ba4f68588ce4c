import { AppError, NotFoundError } from "../../errors/app-error";

/** A file refused by its content (not a JPEG, PNG or PDF: 415) or its size (413). */
export class AttachmentRejectedError extends AppError {
  constructor(message: string, status = 415) {
    super("ATTACHMENT_REJECTED", message, status);
  }
}

export const fileNotFound = () => new NotFoundError("Không tìm thấy tệp.");
