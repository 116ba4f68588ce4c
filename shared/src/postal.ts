import { z } from "zod";
import { Address } from "./address";
import { DossierCode } from "./dossier-code";
import { PhoneNumber } from "./identity";
import { line, paragraph } from "./text/safe-text";

/**
 * The public postal service (dịch vụ bưu chính công ích, Quyết định 45/2016/QĐ-TTg; issue 15, docs/domain.md §7):
 * the post picks up a dossier's originals at the citizen's address, and/or carries the result to them. The shapes of
 * the postal API and the one set of rules about a postal order's statuses, used by the server, the mini-app and the
 * console.
 */

/** `pickup`: the originals from the citizen to the agency; `delivery`: the result from the agency to the citizen. */
export const PostalKind = z.enum(["pickup", "delivery"]);
export type PostalKind = z.infer<typeof PostalKind>;
export const POSTAL_KIND_LABELS: Record<PostalKind, string> = {
  pickup: "Bưu điện đến lấy hồ sơ gốc",
  delivery: "Nhận kết quả qua bưu điện",
};

/**
 * A postal order's statuses. `waiting`: recorded here, not yet accepted by the post (it is down, or the job has not
 * run); the others are the post's. Final: delivered, returned, cancelled.
 */
export const PostalStatus = z.enum([
  "waiting",
  "created",
  "picked-up",
  "in-transit",
  "delivered",
  "failed",
  "returned",
  "cancelled",
]);
export type PostalStatus = z.infer<typeof PostalStatus>;

/** The statuses the post reports (a callback or a status read): every one but our own `waiting`. */
export const POST_STATUSES = PostalStatus.exclude(["waiting"]);
export type PostStatus = z.infer<typeof POST_STATUSES>;

export const POSTAL_FINAL: ReadonlySet<PostalStatus> = new Set(["delivered", "returned", "cancelled"]);

const STATUS_LABELS: Record<PostalKind, Record<PostalStatus, string>> = {
  pickup: {
    waiting: "Đang gửi yêu cầu tới bưu điện",
    created: "Bưu điện đã nhận yêu cầu lấy hồ sơ",
    "picked-up": "Bưu điện đã lấy hồ sơ gốc",
    "in-transit": "Hồ sơ gốc đang được chuyển tới cơ quan",
    delivered: "Cơ quan đã nhận hồ sơ gốc",
    failed: "Bưu điện chưa lấy được hồ sơ",
    returned: "Yêu cầu lấy hồ sơ đã kết thúc, không lấy được",
    cancelled: "Đã hủy yêu cầu lấy hồ sơ",
  },
  delivery: {
    waiting: "Đang gửi yêu cầu tới bưu điện",
    created: "Đã tạo đơn gửi kết quả qua bưu điện",
    "picked-up": "Bưu điện đã nhận kết quả từ cơ quan",
    "in-transit": "Kết quả đang được chuyển phát",
    delivered: "Đã giao kết quả",
    failed: "Giao kết quả không thành công",
    returned: "Kết quả đã được chuyển hoàn về cơ quan",
    cancelled: "Đã hủy đơn gửi kết quả",
  },
};

export function postalStatusLabel(kind: PostalKind, status: PostalStatus): string {
  return STATUS_LABELS[kind][status];
}

/**
 * Order of the statuses within one delivery round: an older report never takes an order back (a late "in transit"
 * after "delivered" is recorded, not applied). `failed` and `in-transit` alternate when the citizen asks for another
 * delivery: the post's event time decides between them (decidePostalStatus).
 */
const RANK: Record<PostalStatus, number> = {
  waiting: 0,
  created: 1,
  "picked-up": 2,
  "in-transit": 3,
  failed: 4,
  delivered: 5,
  returned: 5,
  cancelled: 5,
};

export type PostalStatusDecision = "apply" | "stale" | "same";

/**
 * Whether a status the post reports (at its own time `at`) changes an order that is at `current` since `currentAt`:
 * the one rule for callbacks and polling. Nothing changes a final order; an older report than the last one applied is
 * stale; at the same time, only a later status in the round applies.
 */
export function decidePostalStatus(
  current: { status: PostalStatus; at: string | null },
  reported: { status: PostStatus; at: string },
): PostalStatusDecision {
  if (POSTAL_FINAL.has(current.status)) return current.status === reported.status ? "same" : "stale";
  const later = current.at === null || reported.at > current.at;
  // A second failure (the post tried again and failed again) is news: the citizen chooses again.
  if (current.status === reported.status) return current.status === "failed" && later ? "apply" : "same";
  if (!later && !(reported.at === current.at && RANK[reported.status] > RANK[current.status])) return "stale";
  // A round goes forward. After a failure the post goes round again: it picks the papers up another day, or carries
  // the result out again (in transit), and then delivers, fails again or returns it.
  const again = current.status === "failed" && (reported.status === "in-transit" || reported.status === "picked-up");
  if (RANK[reported.status] < RANK[current.status] && !again) return "stale";
  return "apply";
}

/** How far ahead a pick-up may be booked, in calendar days. */
export const PICKUP_MAX_DAYS_AHEAD = 30;

/**
 * Why a pick-up cannot be booked on `date` (Vietnamese), or null: a working day from tomorrow, within a month. The
 * wizard offers only good days (pickupDates); the server checks again.
 */
export function pickupDateProblem(
  date: string,
  today: string,
  calendar: { isWorkingDay(date: string): boolean },
): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return "Ngày hẹn lấy hồ sơ không hợp lệ";
  if (date <= today) return "Ngày hẹn lấy hồ sơ phải từ ngày mai trở đi";
  if (date > addDays(today, PICKUP_MAX_DAYS_AHEAD))
    return `Chỉ hẹn lấy hồ sơ trong vòng ${PICKUP_MAX_DAYS_AHEAD} ngày tới`;
  if (!calendar.isWorkingDay(date)) return "Bưu điện chỉ đến lấy hồ sơ vào ngày làm việc";
  return null;
}

/** The next `count` days a pick-up may be booked on. */
export function pickupDates(today: string, calendar: { isWorkingDay(date: string): boolean }, count = 10): string[] {
  const out: string[] = [];
  for (let i = 1; i <= PICKUP_MAX_DAYS_AHEAD && out.length < count; i++) {
    const day = addDays(today, i);
    if (calendar.isWorkingDay(day)) out.push(day);
  }
  return out;
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A morning or an afternoon of a working day, for the post to come by. */
export const PickupSlot = z.enum(["morning", "afternoon"]);
export type PickupSlot = z.infer<typeof PickupSlot>;
export const PICKUP_SLOT_LABELS: Record<PickupSlot, string> = {
  morning: "Buổi sáng (8:00–11:30)",
  afternoon: "Buổi chiều (13:30–17:00)",
};
export const PICKUP_SLOT_HOURS: Record<PickupSlot, { from: string; to: string }> = {
  morning: { from: "08:00", to: "11:30" },
  afternoon: { from: "13:30", to: "17:00" },
};

/** Where and to whom: the citizen's side of an order (the receiver of a delivery, the sender of a pick-up). */
export const PostalContact = z.object({
  name: line().trim().min(1, "Cần nhập họ tên người giao/nhận").max(120, "Họ tên tối đa 120 ký tự"),
  phone: PhoneNumber,
  address: Address,
});
export type PostalContact = z.infer<typeof PostalContact>;

/** The citizen asks the post to pick up the originals (at filing or later). */
export const PickupRequest = PostalContact.extend({
  /** A working day, `yyyy-mm-dd`, from tomorrow (checked against the calendar by the server). */
  date: z.iso.date("Ngày hẹn lấy hồ sơ không hợp lệ"),
  slot: PickupSlot,
  note: paragraph().trim().max(300, "Ghi chú tối đa 300 ký tự").optional(),
});
export type PickupRequest = z.infer<typeof PickupRequest>;

/** The citizen asks for the result by post from the dossier page (the wizard has it in resultDelivery). */
export const DeliveryRequest = PostalContact;
export type DeliveryRequest = z.infer<typeof DeliveryRequest>;

/** After a failed delivery: deliver again, to another address, or collect the result at the counter. */
export const FailedDeliveryChoice = z.discriminatedUnion("choice", [
  z.object({ choice: z.literal("redeliver") }),
  z.object({ choice: z.literal("change-address"), receiver: PostalContact }),
  z.object({ choice: z.literal("counter") }),
]);
export type FailedDeliveryChoice = z.infer<typeof FailedDeliveryChoice>;
export const FAILED_CHOICE_LABELS: Record<FailedDeliveryChoice["choice"], string> = {
  redeliver: "Giao lại",
  "change-address": "Giao tới địa chỉ khác",
  counter: "Nhận tại bộ phận một cửa",
};

/** What the post charges, per receiving unit (its contract with the post), in VND. */
export const PostalTariff = z.object({
  /** Thu gom hồ sơ tại nhà: paid to the postman at pick-up. */
  pickup: z.number().int().min(0).max(10_000_000),
  /** Chuyển phát kết quả: collected on delivery (COD) together with the COD fee. */
  delivery: z.number().int().min(0).max(10_000_000),
  /** Phí thu hộ: the post's fee for collecting the delivery charge on delivery. */
  cod: z.number().int().min(0).max(10_000_000),
});
export type PostalTariff = z.infer<typeof PostalTariff>;

export type PostalQuote = {
  /** What the citizen pays the postman when the originals are picked up. */
  pickup: number;
  /** The delivery charge and the COD fee, and their sum, collected when the result is handed over. */
  delivery: { charge: number; codFee: number; cod: number };
};

/** The one rule of what a citizen pays for the post: shown before confirming, and carried by the order (COD). */
export function quotePostal(tariff: PostalTariff): PostalQuote {
  return {
    pickup: tariff.pickup,
    delivery: { charge: tariff.delivery, codFee: tariff.cod, cod: tariff.delivery + tariff.cod },
  };
}

/** The agency's side of an order: a receiving unit's sender details, edited by administrators. */
export const PostalSender = z.object({
  name: line().trim().min(1, "Cần nhập tên đơn vị gửi").max(200),
  /** A landline is fine here (the unit's one-stop counter). */
  phone: line()
    .trim()
    .regex(/^[0-9 .()+-]{8,20}$/, "Số điện thoại của đơn vị không hợp lệ"),
  address: Address,
  /** The post's customer code for this unit (CustomerCode): required before any order goes to the real post. */
  customerCode: line().trim().max(40).nullable(),
  tariff: PostalTariff,
});
export type PostalSender = z.infer<typeof PostalSender>;

/** One status of an order as the citizen and the officials see it (the parcel's timeline). */
export type PostalEventView = { status: PostalStatus; label: string; at: string; note: string | null };

/** The delivery proof (once delivered): who received it and when, and the post's proof note or photo link. */
export const PostalProof = z.object({
  receivedBy: line().max(120).nullable(),
  at: z.string(),
  note: line().max(300).nullable(),
  /** An https link to the post's proof photo or signature, when it gives one. */
  url: z
    .url({ protocol: /^https$/ })
    .max(500)
    .nullable(),
});
export type PostalProof = z.infer<typeof PostalProof>;

export type PostalOrderView = {
  reference: string;
  dossierCode: string;
  kind: PostalKind;
  status: PostalStatus;
  statusLabel: string;
  /** The post's tracking number (mã vận đơn), once it gave one. */
  waybill: string | null;
  /** The citizen's side: the receiver of a delivery, the sender of a pick-up (phone masked for the citizen view). */
  contact: PostalContact;
  pickup: { date: string; slot: PickupSlot; slotLabel: string } | null;
  charge: number;
  codAmount: number;
  events: PostalEventView[];
  proof: PostalProof | null;
  /** After a failed delivery, what the citizen may choose (empty otherwise or once chosen). */
  choices: FailedDeliveryChoice["choice"][];
  /** The choice made after the last failure, if any. */
  chosen: FailedDeliveryChoice["choice"] | null;
  createdAt: string;
  updatedAt: string;
};

/** The dossier's postal section: whether the post may carry it, what it costs, what was asked. */
export type DossierPostal = {
  dossierCode: string;
  /** False when the procedure may not go by post (its catalogue entry says so). */
  allowed: boolean;
  /** Why pick-up or delivery cannot be asked now (Vietnamese), or null when it can. */
  pickupBlocked: string | null;
  deliveryBlocked: string | null;
  quote: PostalQuote | null;
  orders: PostalOrderView[];
  /** Suggested contact for a new request: the result's receiver, else the applicant (phone null when unknown). */
  suggested: (Omit<PostalContact, "phone"> & { phone: string | null }) | null;
};

/** What an official sees in the console's lists (one row per order), with what the job did. */
export type OfficialPostalOrder = PostalOrderView & {
  unitCode: string;
  procedureName: string;
  applicantName: string;
  /** Sending to the post: how many tries, the last error, when the next one is (for a waiting order). */
  sending: { attempts: number; lastError: string | null; nextAttemptAt: string | null } | null;
};

/** The console's dispatch of results by post: many dossiers at once. */
export const PostalDispatch = z.object({
  codes: z.array(DossierCode).min(1, "Chọn ít nhất một hồ sơ").max(200, "Tối đa 200 hồ sơ một lần"),
});
export type PostalDispatch = z.infer<typeof PostalDispatch>;

export type PostalDispatchResult = {
  code: string;
  outcome: "created" | "already" | "refused";
  reference: string | null;
  /** Why it was refused (Vietnamese). */
  message: string | null;
};

export const POSTAL_LISTS = ["ready", "pickups", "problems", "active", "all"] as const;
export type PostalList = (typeof POSTAL_LISTS)[number];
