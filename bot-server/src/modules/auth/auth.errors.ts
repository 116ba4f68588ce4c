import { AppError } from "../../errors/app-error";

export const phoneInvalid = () => new AppError("PHONE_INVALID", "Zalo trả về số điện thoại không hợp lệ.");
export const unitUnknown = (code: string) => new AppError("UNIT_UNKNOWN", `Không có đơn vị mã ${code}.`);

/** A source that typed too many wrong passwords waits (login-throttle.ts); the message does not say for which name. */
export function loginThrottled(retryAfterSeconds: number): AppError {
  const wait =
    retryAfterSeconds < 90 ? `${retryAfterSeconds} giây` : `khoảng ${Math.ceil(retryAfterSeconds / 60)} phút`;
  return new AppError("LOGIN_THROTTLED", `Bạn đã nhập sai nhiều lần. Vui lòng chờ ${wait} rồi thử lại.`);
}
