import { PAYMENT_METHOD_LABELS, type PaymentMethod } from "@qn/shared";
import { AppError, ConflictError, NotFoundError } from "../../errors/app-error";

/** The payment module's errors (codes in shared/src/error-codes.ts). */
export const nothingToPay = () =>
  new ConflictError(
    "NOTHING_TO_PAY",
    "Hồ sơ hiện không có khoản phí, lệ phí nào cần thanh toán trực tuyến (đã nộp, được miễn hoặc chưa có thông báo).",
  );

export const methodUnavailable = (method: PaymentMethod) =>
  new AppError("PAYMENT_METHOD_UNAVAILABLE", `Hình thức "${PAYMENT_METHOD_LABELS[method]}" chưa được cung cấp.`, 422);

export const paymentNotFound = () => {
  const error = new NotFoundError("Không tìm thấy lần thanh toán này.");
  return Object.assign(error, { code: "PAYMENT_NOT_FOUND" as const });
};

export const refundState = () => new ConflictError("REFUND_STATE", "Khoản hoàn tiền này đã được ghi nhận trước đó.");

export const signatureInvalid = () =>
  new AppError("PAYMENT_SIGNATURE_INVALID", "Chữ ký của cổng thanh toán không hợp lệ.", 401);

export const malformedCallback = () =>
  new AppError("MALFORMED_REQUEST", "Thông báo của cổng thanh toán không đúng định dạng.", 400);

export const tooManyAttempts = () =>
  new AppError(
    "RATE_LIMITED",
    "Bạn đã thử thanh toán khoản phí này nhiều lần trong một giờ. Vui lòng đợi ít phút rồi thử lại, hoặc nộp tại bộ phận một cửa.",
    429,
  );
