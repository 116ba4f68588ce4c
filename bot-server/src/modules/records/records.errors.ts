import { ACTIONS, type DossierAction, type DossierState, STATE_LABELS } from "@qn/shared";
import { AppError, ConflictError, NotFoundError } from "../../errors/app-error";

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
export const tooManyOpen = (procedureName: string, open: number) =>
  new ConflictError(
    "TOO_MANY_OPEN_DOSSIERS",
    `Bạn đang có ${open} hồ sơ “${procedureName}” chưa giải quyết xong. Vui lòng chờ kết quả, hoặc rút bớt hồ sơ nộp nhầm, rồi nộp thêm.`,
  );
export const filingRateLimited = (perHour: number, minutes: number) =>
  new AppError(
    "FILING_RATE_LIMITED",
    `Bạn đã nộp ${perHour} hồ sơ trong một giờ qua. Vui lòng thử lại sau khoảng ${minutes} phút.`,
  );
export const noCodeLeft = () => new AppError("UNAVAILABLE", "Chưa cấp được mã hồ sơ. Vui lòng thử lại sau ít phút.");
export const alreadyRated = () => new ConflictError("ALREADY_RATED", "Bạn đã đánh giá hồ sơ này rồi. Cảm ơn bạn!");
export const notDelivered = () => new ConflictError("NOT_DELIVERED", "Chỉ đánh giá được sau khi đã nhận kết quả.");
