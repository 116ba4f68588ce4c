import {
  type Address,
  FAILED_CHOICE_LABELS,
  findUnit,
  formatVnd,
  type OfficialPostalOrder,
  type PostalDispatchResult,
  type PostalKind,
  type PostalOrderView,
  PostalSender,
  type PostalStatus,
} from "@qn/shared";
import { parseVnd } from "./payments";

/**
 * The console's postal logic without React (issue 15): how an order's status and its sending to the post are told to
 * an official, what may be done with it (print its label, cancel it), what a bulk dispatch came to, the waybill
 * numbers pasted by an administrator, and the unit's sender form checked like the shared schema. The pages
 * (PostalPage, the dossier's postal panel, the admin's Bưu chính tab) only show what this computes.
 */

/** The chips of the console (console.css): new (blue), run (amber), wait (red: needs someone), done, closed. */
export type PostalTone = "new" | "run" | "wait" | "done" | "closed";

const STATUS_TONES: Record<PostalStatus, PostalTone> = {
  waiting: "new",
  created: "run",
  "picked-up": "run",
  "in-transit": "run",
  delivered: "done",
  failed: "wait",
  returned: "wait",
  cancelled: "closed",
};

/** An order's chip: a waiting order the post refused or did not answer is red, like a failed delivery. */
export function statusTone(order: Pick<OfficialPostalOrder, "status"> & { sending?: OfficialPostalOrder["sending"] }) {
  if (order.status === "waiting" && order.sending?.lastError) return "wait";
  return STATUS_TONES[order.status];
}

/** What an order carries, in a table's narrow column. */
export const KIND_SHORT_LABELS: Record<PostalKind, string> = {
  pickup: "Lấy hồ sơ gốc tại nhà",
  delivery: "Gửi kết quả",
};

/** A label needs the post's waybill; a cancelled order has nothing to stick it on. */
export function printable(order: Pick<PostalOrderView, "waybill" | "status">): boolean {
  return order.waybill !== null && order.status !== "cancelled";
}

/** Why an order's label cannot be printed (the button's title), or null when it can. */
export function notPrintableReason(order: Pick<PostalOrderView, "waybill" | "status">): string | null {
  if (order.status === "cancelled") return "Đơn đã hủy";
  if (order.waybill === null) return "Chưa có mã vận đơn: bưu điện chưa nhận đơn";
  return null;
}

/**
 * The server cancels an order the post has not picked up yet (waiting, created). A created order whose sending is
 * pending already carries an instruction for the post (a cancel asked before): not offered twice.
 */
export function cancellable(order: Pick<OfficialPostalOrder, "status" | "sending">): boolean {
  if (order.status === "waiting") return true;
  return order.status === "created" && order.sending === null;
}

export type SendingLine = { tone: PostalTone; text: string };

/**
 * What the postal queue is doing with an order, for an official: still to be sent (and why it has not gone yet: the
 * post's answer, how many tries, when the next one is), or an instruction on its way to the post (a cancel, another
 * delivery). Null when nothing waits. `at` formats an instant (formatDateTime).
 */
export function sendingLine(
  order: Pick<OfficialPostalOrder, "status" | "sending" | "chosen">,
  at: (iso: string | null) => string,
): SendingLine | null {
  const s = order.sending;
  if (!s) return null;
  const tries = s.attempts > 0 ? ` Đã thử ${s.attempts} lần.` : "";
  const next = s.nextAttemptAt ? ` Hệ thống tự thử lại lúc ${at(s.nextAttemptAt)}.` : "";
  if (order.status === "waiting") {
    if (!s.lastError) return { tone: "new", text: "Đang gửi đơn tới bưu điện…" };
    return { tone: "wait", text: `Bưu điện chưa nhận đơn: ${s.lastError}.${tries}${next}` };
  }
  const what =
    order.status === "failed" && (order.chosen === "redeliver" || order.chosen === "change-address")
      ? "giao lại"
      : "hủy đơn";
  if (!s.lastError) return { tone: "run", text: `Đang gửi yêu cầu ${what} tới bưu điện…` };
  return { tone: "wait", text: `Chưa gửi được yêu cầu ${what} tới bưu điện: ${s.lastError}.${next}` };
}

/**
 * After a failed delivery or a return: what the citizen chose (they are asked in Zalo), and what is left for the
 * official. Null for an order that needs nothing of the kind.
 */
export function problemLine(
  order: Pick<OfficialPostalOrder, "kind" | "status" | "chosen" | "contact">,
): { chosen: string; todo: string } | null {
  if (order.status !== "failed" && order.status !== "returned") return null;
  if (order.kind === "pickup") {
    return order.status === "failed"
      ? {
          chosen: "Bưu điện chưa lấy được hồ sơ gốc.",
          todo: `Liên hệ công dân (${order.contact.phone}) để hẹn lại, hoặc hướng dẫn nộp bản gốc tại bộ phận một cửa.`,
        }
      : {
          chosen: "Yêu cầu lấy hồ sơ tại nhà đã kết thúc mà không lấy được.",
          todo: `Liên hệ công dân (${order.contact.phone}) để nộp bản gốc tại bộ phận một cửa.`,
        };
  }
  const returned = order.status === "returned";
  switch (order.chosen) {
    case null:
      return {
        chosen: "Công dân chưa chọn cách nhận lại kết quả (đã được báo qua Zalo).",
        todo: returned
          ? "Giữ kết quả tại bộ phận một cửa đến khi công dân chọn gửi lại hoặc đến nhận."
          : "Chờ công dân chọn giao lại, đổi địa chỉ hoặc nhận tại bộ phận một cửa.",
      };
    case "redeliver":
      return {
        chosen: `Công dân chọn: ${FAILED_CHOICE_LABELS.redeliver}.`,
        todo: returned
          ? "Gửi lại kết quả ở mục “Chờ gửi kết quả”."
          : "Bưu điện được yêu cầu giao lại; không cần thao tác thêm.",
      };
    case "change-address":
      return {
        chosen: `Công dân chọn: ${FAILED_CHOICE_LABELS["change-address"]} (${order.contact.name}, ${addressText(order.contact.address)}).`,
        todo: returned
          ? "Gửi lại kết quả tới địa chỉ mới ở mục “Chờ gửi kết quả”."
          : "Bưu điện được yêu cầu giao tới địa chỉ mới; không cần thao tác thêm.",
      };
    case "counter":
      return {
        chosen: `Công dân chọn: ${FAILED_CHOICE_LABELS.counter}.`,
        todo: "Trả kết quả khi công dân đến quầy (nút “Trả kết quả” ở trang hồ sơ).",
      };
  }
}

/** What the post last wrote about an order (the postman's note on a failed delivery), or null. */
export function latestNote(order: Pick<PostalOrderView, "events">): string | null {
  for (let i = order.events.length - 1; i >= 0; i--) {
    const note = order.events[i]?.note;
    if (note) return note;
  }
  return null;
}

/** A commune by its code, as its full name ("Phường Hà Tu"), or the code itself when it is not known. */
export function communeName(code: string): string {
  return findUnit(code)?.fullName ?? `Mã xã ${code}`;
}

export function addressText(address: Address): string {
  return `${address.street}, ${communeName(address.communeCode)}`;
}

export const OUTCOME_LABELS: Record<PostalDispatchResult["outcome"], string> = {
  created: "Đã tạo đơn",
  already: "Đã có đơn từ trước",
  refused: "Không gửi được",
};

export const OUTCOME_TONES: Record<PostalDispatchResult["outcome"], PostalTone> = {
  created: "done",
  already: "closed",
  refused: "wait",
};

/** The dispatch's answer in one sentence, and the references of the orders it created (their labels come next). */
export function dispatchSummary(results: PostalDispatchResult[]): {
  created: number;
  already: number;
  refused: number;
  text: string;
  references: string[];
} {
  const count = (o: PostalDispatchResult["outcome"]) => results.filter((r) => r.outcome === o).length;
  const created = count("created");
  const already = count("already");
  const refused = count("refused");
  const parts = [
    created > 0 ? `đã tạo ${created} đơn gửi kết quả` : null,
    already > 0 ? `${already} hồ sơ đã có đơn từ trước` : null,
    refused > 0 ? `${refused} hồ sơ không gửi được` : null,
  ].filter((p): p is string => p !== null);
  const text = parts.length === 0 ? "Không có hồ sơ nào được gửi." : `${capitalise(parts.join(", "))}.`;
  const references = results.flatMap((r) => (r.outcome !== "refused" && r.reference ? [r.reference] : []));
  return { created, already, refused, text, references };
}

function capitalise(text: string): string {
  return text.charAt(0).toLocaleUpperCase("vi") + text.slice(1);
}

/** The server takes at most this many dossiers per dispatch, and this many labels per PDF. */
export const DISPATCH_LIMIT = 200;
export const LABELS_LIMIT = 200;

/** `items` in runs of at most `size` (a dispatch of more than 200 dossiers goes as several requests). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A set with `key` added or taken out. */
export function toggled(selected: ReadonlySet<string>, key: string, on: boolean): Set<string> {
  const next = new Set(selected);
  if (on) next.add(key);
  else next.delete(key);
  return next;
}

/**
 * The "select all" box over `keys`: checked when every one is selected, mixed when some are. Selected keys that are
 * no longer listed (a reload) do not count.
 */
export function selectAllState(keys: readonly string[], selected: ReadonlySet<string>): "all" | "some" | "none" {
  const n = keys.filter((k) => selected.has(k)).length;
  if (n === 0) return "none";
  return n === keys.length ? "all" : "some";
}

/** The selection kept to what is still listed. */
export function stillListed(keys: readonly string[], selected: ReadonlySet<string>): string[] {
  return keys.filter((k) => selected.has(k));
}

/** The path of the labels of `references`, one A6 page each. */
export function labelsPath(references: readonly string[]): string {
  return `/officials/postal/labels.pdf?refs=${references.map(encodeURIComponent).join(",")}`;
}

/** What the post's waybill numbers look like (the server's rule for the pool). */
const WAYBILL = /^[A-Z0-9]{6,20}$/;
export const WAYBILLS_LIMIT = 10_000;

/**
 * Waybill numbers as an administrator pastes them (one a line, or separated by commas, semicolons or spaces; lower
 * case made upper): the good ones once each, in order, and those that are not waybill numbers.
 */
export function parseWaybills(text: string): { waybills: string[]; invalid: string[]; repeated: number } {
  const waybills: string[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  let repeated = 0;
  for (const raw of text.split(/[\s,;]+/)) {
    const token = raw.trim().toUpperCase();
    if (!token) continue;
    if (!WAYBILL.test(token)) {
      if (!invalid.includes(raw.trim())) invalid.push(raw.trim());
      continue;
    }
    if (seen.has(token)) {
      repeated++;
      continue;
    }
    seen.add(token);
    waybills.push(token);
  }
  return { waybills, invalid, repeated };
}

/** The unit's sender details as the administrator types them (amounts as text: "20.000"). */
export type SenderDraft = {
  name: string;
  phone: string;
  communeCode: string;
  street: string;
  customerCode: string;
  pickup: string;
  delivery: string;
  cod: string;
};

/** The fields of the form, by the path of the schema (and of the server's error details). */
export type SenderField =
  | "name"
  | "phone"
  | "address.communeCode"
  | "address.street"
  | "customerCode"
  | "tariff.pickup"
  | "tariff.delivery"
  | "tariff.cod";

const TARIFF_MAX = 10_000_000;

export function senderDraft(sender: PostalSender | null): SenderDraft {
  const money = (n: number | undefined) => (n === undefined ? "" : n.toLocaleString("vi-VN"));
  return {
    name: sender?.name ?? "",
    phone: sender?.phone ?? "",
    communeCode: sender?.address.communeCode ?? "",
    street: sender?.address.street ?? "",
    customerCode: sender?.customerCode ?? "",
    pickup: money(sender?.tariff.pickup),
    delivery: money(sender?.tariff.delivery),
    cod: money(sender?.tariff.cod),
  };
}

/**
 * The form read and checked with the shared schema (PostalSender), as the server will check it: the sender, or a
 * message per field. The amounts are read first (đồng, "20.000" or "20000"); the schema's own Vietnamese messages are
 * kept, and its generic ones (a length, a bound) worded for this form.
 */
export function readSender(
  draft: SenderDraft,
): { ok: true; sender: PostalSender } | { ok: false; problems: Partial<Record<SenderField, string>> } {
  const problems: Partial<Record<SenderField, string>> = {};
  const amount = (field: "pickup" | "delivery" | "cod"): number => {
    const text = draft[field].trim();
    if (!text) {
      problems[`tariff.${field}`] = "Cần nhập số tiền (nhập 0 nếu không thu)";
      return 0;
    }
    const value = parseVnd(text);
    if (value === null) {
      problems[`tariff.${field}`] = "Nhập số tiền bằng chữ số, VD 20.000";
      return 0;
    }
    return value;
  };
  const candidate = {
    name: draft.name,
    phone: draft.phone,
    address: { communeCode: draft.communeCode, street: draft.street },
    customerCode: draft.customerCode.trim() ? draft.customerCode : null,
    tariff: { pickup: amount("pickup"), delivery: amount("delivery"), cod: amount("cod") },
  };
  const parsed = PostalSender.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.join(".") as SenderField;
      if (problems[path]) continue;
      problems[path] = senderMessage(path, issue);
    }
  }
  if (Object.keys(problems).length > 0 || !parsed.success) return { ok: false, problems };
  return { ok: true, sender: parsed.data };
}

function senderMessage(path: SenderField, issue: { code: string; message: string; maximum?: unknown }): string {
  if (path === "address.communeCode") return "Chọn xã, phường nơi đặt trụ sở";
  if (path.startsWith("tariff.")) {
    if (issue.code === "too_big") return `Tối đa ${formatVnd(TARIFF_MAX)}`;
    if (issue.code === "too_small") return "Số tiền không được âm";
    return "Nhập số tiền bằng chữ số, VD 20.000";
  }
  if (issue.code === "too_big" && issue.maximum !== undefined) return `Tối đa ${String(issue.maximum)} ký tự`;
  return issue.message;
}
