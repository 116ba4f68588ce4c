/**
 * The ten dossier states of the national portal sync (docs/domain.md §5) as canonical codes, with their labels. Plain
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

/**
 * What officials and citizens do to a dossier, in one table: the name shown on a button and in the timeline, the verb
 * an error message uses, the states it may start from, the state it leads to and who does it. `resume`: after a
 * supplement the dossier goes back to where it was asked for (1 when asked at reception, 4 otherwise). What each
 * action writes is decided in one place on the server (bot-server/src/modules/records/transitions.ts).
 */
export const ACTIONS = {
  accept: { label: "Tiếp nhận hồ sơ", verb: "tiếp nhận", from: [1], to: 2, by: "official" },
  reject: { label: "Từ chối tiếp nhận", verb: "từ chối tiếp nhận", from: [1], to: 3, by: "official" },
  "request-supplement": {
    label: "Yêu cầu bổ sung giấy tờ",
    verb: "yêu cầu bổ sung",
    from: [1, 2, 4],
    to: 5,
    by: "official",
  },
  supplement: { label: "Bổ sung giấy tờ", verb: "bổ sung giấy tờ", from: [5], to: "resume", by: "citizen" },
  process: { label: "Chuyển xử lý", verb: "chuyển xử lý", from: [2], to: 4, by: "official" },
  "request-payment": {
    label: "Yêu cầu thực hiện nghĩa vụ tài chính",
    verb: "yêu cầu nộp phí",
    from: [2, 4],
    to: 6,
    by: "official",
  },
  "confirm-payment": {
    label: "Xác nhận đã nộp phí, lệ phí",
    verb: "xác nhận đã nộp phí",
    from: [6],
    to: 4,
    by: "official",
  },
  stop: { label: "Dừng xử lý", verb: "dừng xử lý", from: [2, 4, 5, 6], to: 8, by: "official" },
  complete: { label: "Hoàn thành xử lý", verb: "hoàn thành", from: [2, 4], to: 9, by: "official" },
  deliver: { label: "Trả kết quả", verb: "trả kết quả", from: [9], to: 10, by: "official" },
  withdraw: { label: "Rút hồ sơ", verb: "rút hồ sơ", from: [1, 2, 4, 5, 6], to: 7, by: "citizen" },
} as const satisfies Record<
  string,
  { label: string; verb: string; from: readonly StateCode[]; to: StateCode | "resume"; by: "official" | "citizen" }
>;

export type ActionName = keyof typeof ACTIONS;
export const ACTION_NAMES = Object.keys(ACTIONS) as [ActionName, ...ActionName[]];

/** The step recorded for the filing itself, and for a change the provincial portal made under no action of ours. */
export const FILING_STEP = "submit";
export const PORTAL_UPDATE_STEP = "portal-update";

/** What each recorded step of a dossier is called in a timeline: the actions, the filing, the portal's own updates. */
export const STEP_LABELS: Record<string, string> = {
  [FILING_STEP]: "Nộp hồ sơ",
  ...Object.fromEntries(ACTION_NAMES.map((a) => [a, ACTIONS[a].label])),
  [PORTAL_UPDATE_STEP]: "Cập nhật từ Cổng dịch vụ công",
};
