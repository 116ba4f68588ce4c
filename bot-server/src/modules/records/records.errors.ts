import { ACTIONS, type DossierAction, type DossierState, STATE_LABELS } from "@qn/shared";
import { ConflictError, NotFoundError } from "../../errors/app-error";

/** The errors of the system of record (codes in shared/src/error-codes.ts). */

export class IllegalTransitionError extends ConflictError {
  constructor(state: DossierState, action: DossierAction) {
    super(
      "ILLEGAL_TRANSITION",
      `Không thể "${ACTIONS[action].verb}" khi hồ sơ đang ở trạng thái "${STATE_LABELS[state]}" (${state}).`,
    );
  }
}

export const dossierNotFound = () => new NotFoundError("Không tìm thấy hồ sơ.");
export const concurrentChange = () =>
  new ConflictError("CONCURRENT_CHANGE", "Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại.");
export const dailyLimit = () => new ConflictError("DAILY_LIMIT", "Đơn vị đã nhận quá 9.999 hồ sơ trong ngày.");
export const alreadyRated = () => new ConflictError("ALREADY_RATED", "Bạn đã đánh giá hồ sơ này rồi. Cảm ơn bạn!");
export const notDelivered = () => new ConflictError("NOT_DELIVERED", "Chỉ đánh giá được sau khi đã nhận kết quả.");
