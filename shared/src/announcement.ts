import { z } from "zod";
import { CommuneCode } from "./dossier";
import { line, paragraph } from "./text/safe-text";

/** Topics citizens subscribe to through the chatbot ("đăng ký nhận tin …"). */
export const ANNOUNCEMENT_TOPICS = {
  "dich-vu-cong-moi": "Dịch vụ công trực tuyến mới",
  "lich-lam-viec": "Lịch làm việc, nghỉ lễ",
  "thanh-nien-tinh-nguyen": "Hoạt động thanh niên tình nguyện",
  "an-sinh-xa-hoi": "Chính sách an sinh xã hội",
  "canh-bao-thien-tai": "Cảnh báo thiên tai, thời tiết",
} as const;
export type AnnouncementTopic = keyof typeof ANNOUNCEMENT_TOPICS;

export const Audience = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("all") }),
  z.object({ kind: z.literal("commune"), values: z.array(CommuneCode).min(1, "Chọn ít nhất một xã, phường").max(54) }),
  z.object({
    kind: z.literal("topic"),
    values: z
      .array(z.enum(Object.keys(ANNOUNCEMENT_TOPICS) as [AnnouncementTopic, ...AnnouncementTopic[]]))
      .min(1, "Chọn ít nhất một chủ đề"),
  }),
]);
export type Audience = z.infer<typeof Audience>;

const HttpsUrl = z.url({ protocol: /^https$/, message: "Cần đường dẫn https://" }).max(500);

export const AnnouncementInput = z.object({
  title: line().trim().min(5, "Tiêu đề tối thiểu 5 ký tự").max(120, "Tiêu đề tối đa 120 ký tự"),
  body: paragraph().trim().min(10, "Nội dung tối thiểu 10 ký tự").max(2000, "Nội dung tối đa 2000 ký tự"),
  imageUrl: HttpsUrl.optional(),
  link: HttpsUrl.optional(),
  audience: Audience,
});
export type AnnouncementInput = z.infer<typeof AnnouncementInput>;

export const AnnouncementStatus = z.enum([
  "draft",
  "pending_approval",
  "approved",
  "scheduled",
  "sending",
  "paused",
  "completed",
  "cancelled",
]);
export type AnnouncementStatus = z.infer<typeof AnnouncementStatus>;

export const ANNOUNCEMENT_STATUS_LABELS: Record<AnnouncementStatus, string> = {
  draft: "Bản nháp",
  pending_approval: "Chờ phê duyệt",
  approved: "Đã phê duyệt",
  scheduled: "Đã hẹn giờ gửi",
  sending: "Đang gửi",
  paused: "Tạm dừng",
  completed: "Đã gửi xong",
  cancelled: "Đã hủy",
};

export const AnnouncementProgress = z.object({
  total: z.number().int(),
  queued: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int(),
  skipped: z.number().int(),
  paused: z.number().int(),
  cancelled: z.number().int(),
});
export type AnnouncementProgress = z.infer<typeof AnnouncementProgress>;

/** A published announcement as the mini-app's feed shows it. */
export const PublicAnnouncement = z.object({
  id: z.number().int(),
  title: z.string(),
  body: z.string(),
  imageUrl: z.string().nullable(),
  link: z.string().nullable(),
  publishedAt: z.string(),
});
export type PublicAnnouncement = z.infer<typeof PublicAnnouncement>;
