import {
  type DeliveryRequest,
  formatVnd,
  normalisePhone,
  type PickupRequest,
  type PickupSlot,
  type PostalContact,
  type PostalOrderView,
  type PostalQuote,
} from "@qn/shared";

/**
 * The citizen's postal screens as plain data and functions (issue 15, no React): the words of the charges and of the
 * pick-up days, the forms of a contact and of a pick-up with their checks, and what they send. The wizard's step
 * "Nhận kết quả" and the dossier page's "Bưu chính công ích" both use them, so the two say the same.
 */

/** What the wizard says of a procedure the post may not carry (neither pick-up nor result by post is offered). */
export const NOT_BY_POST =
  "Thủ tục này không thực hiện qua bưu chính công ích: bưu điện không đến lấy hồ sơ và không chuyển kết quả tận nhà.";

const WEEKDAYS = ["Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"];

/** A calendar day `yyyy-mm-dd` as the citizen reads it: "Thứ Hai, 16/03/2026" (the day itself, no time zone). */
export function pickupDateLabel(date: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return date;
  const [, y, m, d] = match;
  const day = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (Number.isNaN(day.getTime())) return date;
  return `${WEEKDAYS[day.getUTCDay()]}, ${d}/${m}/${y}`;
}

/** What the result by post costs, paid to the postman on delivery (COD): "Cước chuyển phát 25.000 đ + phí thu hộ…". */
export function deliveryChargeText(quote: PostalQuote): string {
  const { charge, codFee, cod } = quote.delivery;
  if (cod === 0) return "Miễn cước chuyển phát kết quả";
  if (codFee === 0) return `Cước chuyển phát ${formatVnd(charge)}, trả khi nhận`;
  return `Cước chuyển phát ${formatVnd(charge)} + phí thu hộ ${formatVnd(codFee)}, trả khi nhận: ${formatVnd(cod)}`;
}

/** What the pick-up costs, paid in cash when the postman comes. */
export function pickupChargeText(amount: number): string {
  if (amount === 0) return "Miễn cước thu gom hồ sơ";
  return `Cước thu gom ${formatVnd(amount)}, trả cho nhân viên bưu điện khi đến lấy`;
}

/** "Thứ Hai, 16/03/2026, Buổi sáng (8:00–11:30)". */
export function pickupWindowText(date: string, slotLabel: string): string {
  return `${pickupDateLabel(date)}, ${slotLabel}`;
}

/** A name, a phone and an address being typed (the receiver of a result, the sender of a pick-up). */
export type ContactForm = { name: string; phone: string; communeCode: string; street: string };
export type ContactField = keyof ContactForm;

export const emptyContact = (): ContactForm => ({ name: "", phone: "", communeCode: "", street: "" });

/** A contact's form filled from what is known of the applicant (a phone only when it is a mobile number). */
export function contactFrom(known: {
  name: string;
  phone?: string | null | undefined;
  address: { communeCode: string; street: string };
}): ContactForm {
  return {
    name: known.name,
    phone: normalisePhone(known.phone ?? "") ?? "",
    communeCode: known.address.communeCode,
    street: known.address.street,
  };
}

/** The applicant's details over a form: what "Dùng địa chỉ người nộp" does (the phone kept when none is known). */
export function withApplicant(form: ContactForm, applicant: ContactForm): ContactForm {
  return {
    name: applicant.name || form.name,
    phone: applicant.phone || form.phone,
    communeCode: applicant.communeCode || form.communeCode,
    street: applicant.street || form.street,
  };
}

const PHONE_MESSAGE = "Số điện thoại di động không hợp lệ (ví dụ 0912345678)";

/** A contact's problems by field (the same rules as the shared PostalContact, in the citizen's words). */
export function contactProblems(
  form: ContactForm,
  who: "người nhận" | "người giao hồ sơ",
): Partial<Record<ContactField, string>> {
  const problems: Partial<Record<ContactField, string>> = {};
  const name = form.name.trim();
  if (!name) problems.name = `Cần nhập họ tên ${who}`;
  else if (name.length > 120) problems.name = "Họ tên tối đa 120 ký tự";
  if (!normalisePhone(form.phone)) problems.phone = PHONE_MESSAGE;
  if (!form.communeCode) problems.communeCode = "Cần chọn xã, phường";
  const street = form.street.trim();
  if (!street) problems.street = "Cần nhập địa chỉ (số nhà, thôn, tổ)";
  else if (street.length > 300) problems.street = "Địa chỉ tối đa 300 ký tự";
  return problems;
}

/** The contact as the API takes it (a receiver, or the sender of a pick-up). */
export function toContact(form: ContactForm): PostalContact {
  return {
    name: form.name.trim(),
    phone: normalisePhone(form.phone) ?? form.phone.trim(),
    address: { communeCode: form.communeCode, street: form.street.trim() },
  };
}

export const toDeliveryRequest = (form: ContactForm): DeliveryRequest => toContact(form);

/** A pick-up being asked for: who and where, the day and the half-day, a note for the postman. */
export type PickupForm = ContactForm & { date: string; slot: PickupSlot | ""; note: string };
export type PickupField = keyof PickupForm;

export const emptyPickup = (): PickupForm => ({ ...emptyContact(), date: "", slot: "", note: "" });

/** A pick-up's problems by field; `dates`: the days the post can come (a day no longer offered must be chosen again). */
export function pickupProblems(
  form: PickupForm,
  dates: readonly string[] | undefined,
): Partial<Record<PickupField, string>> {
  const problems: Partial<Record<PickupField, string>> = contactProblems(form, "người giao hồ sơ");
  if (!form.date) problems.date = "Cần chọn ngày bưu điện đến lấy";
  else if (dates && !dates.includes(form.date)) problems.date = "Ngày này không còn nhận hẹn, vui lòng chọn ngày khác";
  if (!form.slot) problems.slot = "Cần chọn buổi bưu điện đến lấy";
  if (form.note.trim().length > 300) problems.note = "Ghi chú tối đa 300 ký tự";
  return problems;
}

/** The pick-up as the API takes it (at filing, `DossierSubmission.pickup`, or later from the dossier page). */
export function toPickupRequest(form: PickupForm): PickupRequest {
  const note = form.note.trim();
  return {
    ...toContact(form),
    date: form.date,
    slot: form.slot || "morning",
    ...(note ? { note } : {}),
  };
}

/**
 * The server's field messages (`details[].path`: "phone", "address.street", "receiver.name", "date") under the
 * form's own field names, so that each shows under its field.
 */
export function fieldProblems(
  details: readonly { path: string; message: string }[],
): Partial<Record<PickupField, string>> {
  const byLast: Record<string, PickupField> = {
    name: "name",
    phone: "phone",
    communeCode: "communeCode",
    street: "street",
    date: "date",
    slot: "slot",
    note: "note",
  };
  const problems: Partial<Record<PickupField, string>> = {};
  for (const detail of details) {
    const field = byLast[detail.path.split(".").pop() ?? ""];
    if (field && !problems[field]) problems[field] = detail.message;
  }
  return problems;
}

/** The colour of an order's status chip (the dossier page's StateChip tones). */
export function orderTone(
  order: Pick<PostalOrderView, "status" | "choices">,
): "info" | "action" | "good" | "bad" | "muted" {
  switch (order.status) {
    case "delivered":
      return "good";
    case "failed":
    case "returned":
      return order.choices.length > 0 ? "action" : "bad";
    case "cancelled":
      return "muted";
    default:
      return "info";
  }
}

/** The party named on an order's card: who gives the originals, who receives the result. */
export const contactRole = (kind: PostalOrderView["kind"]): string =>
  kind === "pickup" ? "Người giao hồ sơ" : "Người nhận";
