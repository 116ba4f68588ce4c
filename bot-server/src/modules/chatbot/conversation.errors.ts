import type { ErrorCode } from "@qn/shared";
import { AppError } from "../../errors/app-error";

const KEPT = "Tin nhắn đã được lưu với trạng thái gửi thất bại.";

/**
 * An official's reply did not reach the citizen. The reply is kept (status `failed`) before this is raised, so the
 * message says so; `reason` is the stable cause stored with it.
 */
export class ReplyNotDeliveredError extends AppError {
  constructor(
    readonly reason: "window-closed" | "zalo-token" | "zalo-unavailable" | "zalo-refused",
    zaloCode?: number,
  ) {
    const [code, status, message] = {
      "window-closed": [
        "ZALO_WINDOW_CLOSED",
        409,
        "Chưa gửi được: người dân đã lâu không nhắn tin cho Zalo OA (quá 7 ngày) nên Zalo không cho OA nhắn lại. " +
          `${KEPT} Hãy chờ người dân nhắn lại, hoặc liên hệ qua số điện thoại nếu người dân đã cung cấp.`,
      ],
      "zalo-token": [
        "ZALO_NOT_AUTHORISED",
        502,
        `Chưa gửi được: máy chủ không còn quyền gửi tin qua Zalo OA. ${KEPT} Vui lòng báo quản trị hệ thống cấp lại quyền cho OA.`,
      ],
      "zalo-unavailable": [
        "ZALO_UNAVAILABLE",
        502,
        `Chưa gửi được: Zalo đang gặp sự cố hoặc không kết nối được. ${KEPT} Vui lòng gửi lại sau ít phút.`,
      ],
      "zalo-refused": [
        "ZALO_REFUSED",
        502,
        `Chưa gửi được: Zalo từ chối tin nhắn${zaloCode === undefined ? "" : ` (mã lỗi ${zaloCode})`}. ${KEPT}`,
      ],
    }[reason] as [ErrorCode, number, string];
    super(code, message, status);
  }
}

export class ConversationNotFoundError extends AppError {
  constructor() {
    super(
      "CONVERSATION_NOT_FOUND",
      "Không có cuộc trò chuyện nào người dân đề nghị gặp cán bộ với người dùng Zalo này.",
      404,
    );
  }
}
