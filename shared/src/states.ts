/**
 * The ten dossier states of the national portal sync (DOMAIN.md §5) as canonical codes, with their labels. Plain
 * constants without zod, so that a screen that only shows a state does not load the schema library.
 */
export const DOSSIER_STATES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;
type StateCode = (typeof DOSSIER_STATES)[number];

export const STATE = {
  NEW: 1,
  ACCEPTED: 2,
  REJECTED: 3,
  PROCESSING: 4,
  SUPPLEMENT_REQUESTED: 5,
  PAYMENT_REQUESTED: 6,
  WITHDRAWN: 7,
  STOPPED: 8,
  DONE: 9,
  DELIVERED: 10,
} as const satisfies Record<string, StateCode>;

export const STATE_LABELS: Record<StateCode, string> = {
  1: "Mới đăng ký",
  2: "Được tiếp nhận",
  3: "Không được tiếp nhận",
  4: "Đang xử lý",
  5: "Yêu cầu bổ sung giấy tờ",
  6: "Yêu cầu thực hiện nghĩa vụ tài chính",
  7: "Công dân yêu cầu rút hồ sơ",
  8: "Dừng xử lý",
  9: "Đã xử lý xong",
  10: "Đã trả kết quả",
};

/** States after which nothing happens to a dossier any more (the clock stops). */
export const FINAL_STATES: ReadonlySet<StateCode> = new Set([3, 7, 8, 10]);
/** States in which the due date is running and a dossier can be overdue. */
export const RUNNING_STATES: ReadonlySet<StateCode> = new Set([2, 4, 6]);

/** What each recorded step of a dossier is called in a timeline (the actions, plus the filing itself). */
export const STEP_LABELS: Record<string, string> = {
  submit: "Nộp hồ sơ",
  accept: "Tiếp nhận hồ sơ",
  reject: "Từ chối tiếp nhận",
  "request-supplement": "Yêu cầu bổ sung giấy tờ",
  supplement: "Bổ sung giấy tờ",
  process: "Chuyển xử lý",
  "request-payment": "Yêu cầu nộp phí, lệ phí",
  "confirm-payment": "Xác nhận đã nộp phí",
  stop: "Dừng xử lý",
  complete: "Hoàn thành xử lý",
  deliver: "Trả kết quả",
  withdraw: "Rút hồ sơ",
};
