import { AppError } from "../../errors/app-error";

export class AccountLockedError extends AppError {
  constructor(until: Date) {
    const time = until.toLocaleTimeString("vi-VN", {
      hour: "2-digit",
      minute: "2-digit",
      timeZone: "Asia/Ho_Chi_Minh",
    });
    super("ACCOUNT_LOCKED", `Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần. Vui lòng thử lại sau ${time}.`, 423);
  }
}

export const phoneInvalid = () => new AppError("PHONE_INVALID", "Zalo trả về số điện thoại không hợp lệ.");
export const unitUnknown = (code: string) => new AppError("UNIT_UNKNOWN", `Không có đơn vị mã ${code}.`);
