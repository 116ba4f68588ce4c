import { AppError, NotFoundError } from "../../errors/app-error";

/** A file refused by its content (not a JPEG, PNG or PDF: 415) or its size (413). */
export class AttachmentRejectedError extends AppError {
  constructor(message: string, status = 415) {
    super("ATTACHMENT_REJECTED", message, status);
  }
}

export const fileNotFound = () => new NotFoundError("Không tìm thấy tệp.");

const megabytes = (bytes: number) =>
  (bytes / 1024 / 1024).toLocaleString("vi-VN", { maximumFractionDigits: 1, minimumFractionDigits: 0 });

/** The files would take a citizen's stored documents over CITIZEN_STORAGE_QUOTA_MB (issue 13, finding 4). */
export const storageQuotaExceeded = (limit: number, used: number, incoming: number) =>
  new AppError(
    "STORAGE_QUOTA_EXCEEDED",
    `Giấy tờ bạn đã gửi chiếm ${megabytes(used)} MB trên mức ${megabytes(limit)} MB cho mỗi người; lần gửi này cần ` +
      `thêm ${megabytes(incoming)} MB nên chưa được nhận. Vui lòng chụp ảnh với độ phân giải thấp hơn, hoặc liên hệ ` +
      "bộ phận một cửa để được hỗ trợ.",
  );
