import { z } from "zod";

/** What a citizen is told about, each kind with its own switch for Zalo messages (the in-app inbox always gets it). */
export const NotificationKind = z.enum([
  "dossier.accepted",
  "dossier.rejected",
  "dossier.supplement-requested",
  "dossier.payment-requested",
  "dossier.payment-received",
  "dossier.postal",
  "dossier.done",
  "dossier.delivered",
  "dossier.due-soon",
  "dossier.overdue",
  "announcement",
]);
export type NotificationKind = z.infer<typeof NotificationKind>;

export const NOTIFICATION_KIND_LABELS: Record<NotificationKind, string> = {
  "dossier.accepted": "Hồ sơ được tiếp nhận",
  "dossier.rejected": "Hồ sơ không được tiếp nhận",
  "dossier.supplement-requested": "Yêu cầu bổ sung giấy tờ",
  "dossier.payment-requested": "Yêu cầu nộp phí, lệ phí",
  "dossier.payment-received": "Đã nhận thanh toán phí, lệ phí",
  "dossier.postal": "Bưu chính công ích",
  "dossier.done": "Đã có kết quả",
  "dossier.delivered": "Đã trả kết quả",
  "dossier.due-soon": "Sắp đến hạn trả kết quả",
  "dossier.overdue": "Hồ sơ quá hạn",
  announcement: "Thông báo của tỉnh",
};

/** The dossier states a citizen hears about (docs/domain.md §5), and the notification each one gives. */
export const STATE_NOTIFICATIONS: Partial<Record<number, NotificationKind>> = {
  2: "dossier.accepted",
  3: "dossier.rejected",
  5: "dossier.supplement-requested",
  6: "dossier.payment-requested",
  9: "dossier.done",
  10: "dossier.delivered",
};

export const InboxItem = z.object({
  id: z.number().int(),
  kind: NotificationKind,
  title: z.string(),
  body: z.string(),
  dossierCode: z.string().nullable(),
  link: z.string().nullable(),
  createdAt: z.string(),
  read: z.boolean(),
});
export type InboxItem = z.infer<typeof InboxItem>;

export const NotificationPreferences = z.partialRecord(NotificationKind, z.boolean());
export type NotificationPreferences = z.infer<typeof NotificationPreferences>;
