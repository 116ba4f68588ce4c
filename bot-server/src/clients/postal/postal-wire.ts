import { createHmac, timingSafeEqual } from "node:crypto";
import {
  findHiddenCharacter,
  fromPortalDateTime,
  type PostalKind,
  PostalProof,
  type PostStatus,
  VIETNAM_UTC_OFFSET_MS,
} from "@qn/shared";
import { z } from "zod";
import type { PostCallbackCheck, PostOrder, PostOrderRequest, PostParty, PostStatusReport } from "./post";
import unitCodesData from "./post-unit-codes.json" with { type: "json" };

/**
 * The public postal service's wire format (dịch vụ bưu chính công ích; issue 15; the contract is
 * docs/postal-api/openapi.json) and the pure mapping between it and the PostClient types of post.ts. No I/O here:
 * the client (postal.client.ts) sends what this builds and hands this what came back; the offline mode's fake post
 * (modules/postal/sandbox-post.ts) answers in the same format.
 *
 * ── WHAT IS KNOWN AND WHAT IS OURS ───────────────────────────────────────────────────────────────────────────────────
 * There is no public specification of the post's API. LEVEL4.md §4 gives what one provincial implementation sent,
 * and even that is uncertain (a single source, going through the provincial data-exchange gateway):
 *   - the create message's field names: CustomerCode, ItemCode (the waybill number), OrderNumber (= the dossier
 *     code), CODAmount, Sender… and Receiver… (name, phone, address, province and district codes), Description;
 *   - its answer's `Status "100"` = created;
 *   - waybill numbers taken from a pool the post allocated in advance (kept here as an option: PostOrderRequest's
 *     `waybill`);
 *   - the post's unit codes are its own and changed with the 2025 merger (kept as data: post-unit-codes.json).
 * Everything else is OURS, chosen for this contract and to be checked against the post's real one: the exact
 * spelling of the Sender…/Receiver… fields (…Fullname, …Tel, …Address, …ProvinceId, …WardId — a ward, since the
 * districts are gone), ServiceType and its two values, ClientReference, the pick-up window fields, Note, the
 * Idempotency-Key header, the paths, the status read and tracking answers, every status code but "100", the time
 * format, and the signed callback (no tracking webhook was found in that source: we plan for polling and a callback).
 * Change a fact here (and in its test and the OpenAPI document) once the province's contract with the post is known.
 */

// ─── Paths and headers (ours) ──────────────────────────────────────────────────────────────────────────────────────

export const POST_PATHS = {
  orders: "/api/orders",
  tracking: (waybill: string) => `/api/orders/${encodeURIComponent(waybill)}/tracking`,
  cancel: (waybill: string) => `/api/orders/${encodeURIComponent(waybill)}/cancel`,
  redeliver: (waybill: string) => `/api/orders/${encodeURIComponent(waybill)}/redeliver`,
} as const;

/** The create request's header carrying our reference, so that sending it again gives back the same order. */
export const IDEMPOTENCY_HEADER = "Idempotency-Key";

/** The callback's headers (lowercase, as Node gives them). */
export const CALLBACK_TIMESTAMP_HEADER = "x-post-timestamp";
export const CALLBACK_SIGNATURE_HEADER = "x-post-signature";

/** A callback signed more than this far from our clock, either way, is refused as stale (a replay or a bad clock). */
export const CALLBACK_TOLERANCE_MS = 5 * 60 * 1000;

// ─── Status codes ──────────────────────────────────────────────────────────────────────────────────────────────────

/** `Status` of an accepted create, cancel or redeliver. The one code LEVEL4.md §4 gives (for create). */
export const POST_ACCEPTED = "100";

/**
 * StatusCode of each status. Only "100" (created) comes from the known implementation, and only as the answer to a
 * create; the rest of the table is OURS (uncertain), one table so that the post's real codes replace it in one place.
 */
export const POST_STATUS_CODES: Readonly<Record<PostStatus, string>> = {
  created: "100",
  "picked-up": "200",
  "in-transit": "300",
  delivered: "500",
  failed: "550",
  returned: "600",
  cancelled: "700",
};

const STATUS_BY_CODE: ReadonlyMap<string, PostStatus> = new Map(
  Object.entries(POST_STATUS_CODES).map(([status, code]) => [code, status as PostStatus]),
);

/** The status of a StatusCode, or undefined for a code this table does not have. */
export function postStatusOf(code: string): PostStatus | undefined {
  return STATUS_BY_CODE.get(code);
}

/** ServiceType (ours): the post picks up the originals at the citizen's address, or carries the result to them. */
export const SERVICE_TYPES: Readonly<Record<PostalKind, "THU_GOM" | "PHAT_KET_QUA">> = {
  pickup: "THU_GOM",
  delivery: "PHAT_KET_QUA",
};

// ─── Unit codes ────────────────────────────────────────────────────────────────────────────────────────────────────

/** The post's codes for one of our communes. */
export type PostUnitCode = { province: string; ward: string };
export type PostUnitCodes = Readonly<Record<string, PostUnitCode>>;

const UnitCodesFile = z.object({
  units: z.record(
    z.string().regex(/^\d{5}$/),
    z.object({ name: z.string(), province: z.string().min(1), ward: z.string().min(1) }),
  ),
});

/**
 * Our 5-digit commune codes (the 54 communes since 1 July 2025) → the post's province and ward codes, from
 * post-unit-codes.json. Uncertain: the post's codes are not known, so each commune maps to itself with province "22".
 */
export const DEFAULT_POST_UNIT_CODES: PostUnitCodes = Object.freeze(
  Object.fromEntries(
    Object.entries(UnitCodesFile.parse(unitCodesData).units).map(([code, unit]) => [
      code,
      Object.freeze({ province: unit.province, ward: unit.ward }),
    ]),
  ),
);

/** The default table with `overrides` over it (the post's real codes, when configured). */
export function postUnitCodes(overrides?: Readonly<Record<string, PostUnitCode>>): PostUnitCodes {
  return overrides ? { ...DEFAULT_POST_UNIT_CODES, ...overrides } : DEFAULT_POST_UNIT_CODES;
}

/** The post's codes for a commune; a PostalWireError for a commune the table lacks (no order can be addressed). */
export function postUnitCode(communeCode: string, codes: PostUnitCodes = DEFAULT_POST_UNIT_CODES): PostUnitCode {
  const found = codes[communeCode];
  if (!found) throw new PostalWireError("unit codes", [{ path: "communeCode", message: "is not in the post's table" }]);
  return found;
}

// ─── Times (ours) ──────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * A time as this contract writes it: ISO 8601 in Vietnam time with its offset and milliseconds,
 * `2025-10-02T08:30:05.123+07:00`. Milliseconds, because two statuses of one order may come within a second and the
 * postal service orders them by time.
 */
export function toPostTime(ms: number): string {
  return new Date(ms + VIETNAM_UTC_OFFSET_MS).toISOString().replace("Z", "+07:00");
}

const IsoWithOffset = z.iso.datetime({ offset: true });

/**
 * A time the post wrote, as an ISO instant in UTC; undefined when it is none. Accepted: ISO 8601 with an offset or Z,
 * and (in case the post writes like the portal) `yyyyMMddHHmmss` in Vietnam time. A time without a zone is refused:
 * it could be read two ways.
 */
export function readPostTime(value: string): string | undefined {
  if (/^\d{14}$/.test(value)) {
    try {
      return fromPortalDateTime(value);
    } catch {
      return undefined;
    }
  }
  if (!IsoWithOffset.safeParse(value).success) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

// ─── The create message ────────────────────────────────────────────────────────────────────────────────────────────

/** A party as the create message carries it: Sender… or Receiver… with these suffixes. */
type WireParty<P extends "Sender" | "Receiver"> = {
  [K in `${P}${"Fullname" | "Tel" | "Address" | "ProvinceId" | "WardId"}`]: string;
};

export type PostCreateBody = {
  /** Known field (LEVEL4.md §4): the unit's customer code at the post. Omitted when we have none. */
  CustomerCode?: string;
  /** Known field: the waybill number, when it comes from a pool the post allocated; omitted: the post gives one. */
  ItemCode?: string;
  /** Known field: the dossier code. */
  OrderNumber: string;
  /** Known field: cash on delivery, whole VND. */
  CODAmount: number;
  /** Known field. ≤ 200 characters. */
  Description: string;
  /** Ours: THU_GOM (pick-up at the citizen's address) or PHAT_KET_QUA (result delivery). */
  ServiceType: "THU_GOM" | "PHAT_KET_QUA";
  /** Ours: our reference, the same as the Idempotency-Key, echoed in every answer and callback. */
  ClientReference: string;
  /** Ours, for a pick-up: `yyyy-mm-dd` and `HH:mm`, Vietnamese wall clock. */
  PickupDate?: string;
  PickupFrom?: string;
  PickupTo?: string;
  /** Ours: a note for the postman. */
  Note?: string;
} & WireParty<"Sender"> &
  WireParty<"Receiver">;

/** Whatever is given, capped at `max` characters (not code units: a Vietnamese letter is never cut in two). */
function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

const PROVINCE_LINE = "tỉnh Quảng Ninh";

/**
 * The printed address the post delivers to: the street (house number, hamlet, group), the commune's name and the
 * province, as Vietnamese addresses are written since the 2025 merger (no district): "Số 5, tổ 3, khu 4, Phường Hồng
 * Gai, tỉnh Quảng Ninh". A commune or province the citizen already typed at the end of the street is not written
 * twice: it is replaced by the commune's own spelling.
 */
export function postAddressLine(party: Pick<PostParty, "street" | "communeName">): string {
  const tidy = (s: string) => s.normalize("NFC").replace(/\s+/g, " ").trim();
  const same = (a: string | undefined, b: string) =>
    a !== undefined && a.toLocaleLowerCase("vi") === b.toLocaleLowerCase("vi");
  const commune = tidy(party.communeName);
  const parts = tidy(party.street)
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (same(parts.at(-1), PROVINCE_LINE)) parts.pop();
  if (commune !== "" && same(parts.at(-1), commune)) parts.pop();
  return [...parts, ...(commune ? [commune] : []), PROVINCE_LINE].join(", ");
}

function party<P extends "Sender" | "Receiver">(prefix: P, p: PostParty, codes: PostUnitCodes): WireParty<P> {
  const unit = postUnitCode(p.communeCode, codes);
  return {
    [`${prefix}Fullname`]: p.name.normalize("NFC").trim(),
    [`${prefix}Tel`]: p.phone.trim(),
    [`${prefix}Address`]: postAddressLine(p),
    [`${prefix}ProvinceId`]: unit.province,
    [`${prefix}WardId`]: unit.ward,
  } as WireParty<P>;
}

/** The create message of an order. A RangeError for what is our bug (an amount that is not whole VND). */
export function createOrderBody(
  order: PostOrderRequest,
  codes: PostUnitCodes = DEFAULT_POST_UNIT_CODES,
): PostCreateBody {
  if (!Number.isSafeInteger(order.codAmount) || order.codAmount < 0) {
    throw new RangeError(`The COD amount is not a whole VND amount: ${order.codAmount}`);
  }
  return {
    ...(order.customerCode ? { CustomerCode: order.customerCode } : {}),
    ...(order.waybill ? { ItemCode: order.waybill } : {}),
    OrderNumber: order.orderNumber,
    ClientReference: order.reference,
    ServiceType: SERVICE_TYPES[order.kind],
    CODAmount: order.codAmount,
    ...party("Sender", order.sender, codes),
    ...party("Receiver", order.receiver, codes),
    Description: clip(order.description.normalize("NFC").trim(), 200),
    ...(order.pickupWindow
      ? { PickupDate: order.pickupWindow.date, PickupFrom: order.pickupWindow.from, PickupTo: order.pickupWindow.to }
      : {}),
    ...(order.note ? { Note: clip(order.note.normalize("NFC").trim(), 300) } : {}),
  };
}

/** The redeliver message (ours): empty to try the same receiver again, or the new receiver's Receiver… fields. */
export function redeliverBody(receiver: PostParty | null, codes: PostUnitCodes = DEFAULT_POST_UNIT_CODES) {
  return receiver ? party("Receiver", receiver, codes) : {};
}

// ─── Answers ───────────────────────────────────────────────────────────────────────────────────────────────────────

/** What came over the wire does not follow the format above. `issues` name the fields, never their values. */
export class PostalWireError extends Error {
  constructor(
    readonly what: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(`${what}: ${issues.map((i) => `${i.path || "(body)"} ${i.message}`).join("; ")}`);
    this.name = "PostalWireError";
  }
}

function parse<T extends z.ZodType>(schema: T, body: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new PostalWireError(
      what,
      parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
    );
  }
  return parsed.data;
}

/** A code or an id, which a JSON writer may give as a number. */
const Code = z.union([z.string(), z.number()]).transform(String);
const Text = z
  .string()
  .nullish()
  .transform((v) => v ?? null);

/** Status and Message: the answer of create, cancel and redeliver, accepted or refused. */
const StatusAnswer = z.object({ Status: Code, Message: Text.optional() });

export type PostRefusal = { code: string; message: string };

function refusal(answer: z.infer<typeof StatusAnswer>): PostRefusal {
  return { code: answer.Status, message: clip(answer.Message ?? "", 200) };
}

const CreateAnswer = StatusAnswer.extend({
  ItemCode: Text.optional(),
  OrderNumber: Text.optional(),
  ClientReference: Text.optional(),
});

export type CreateOutcome = { kind: "created"; order: PostOrder } | { kind: "refused"; refusal: PostRefusal };

/**
 * The create answer: Status "100" with the waybill (ItemCode), else the post's refusal. The order's time is `at`
 * (the answer carries none: ours). An answer about another order number or reference is malformed. When we sent a
 * waybill from the pool and the post answers another one, the post's is taken: it is the number the parcel carries.
 */
export function readCreateAnswer(body: unknown, asked: PostOrderRequest, at: string): CreateOutcome {
  const answer = parse(CreateAnswer, body, "create answer");
  if (answer.Status !== POST_ACCEPTED) return { kind: "refused", refusal: refusal(answer) };
  if (!answer.ItemCode) throw new PostalWireError("create answer", [{ path: "ItemCode", message: "is missing" }]);
  if (answer.OrderNumber && answer.OrderNumber !== asked.orderNumber) {
    throw new PostalWireError("create answer", [{ path: "OrderNumber", message: "is not the order number sent" }]);
  }
  if (answer.ClientReference && answer.ClientReference !== asked.reference) {
    throw new PostalWireError("create answer", [{ path: "ClientReference", message: "is not the reference sent" }]);
  }
  return {
    kind: "created",
    order: {
      waybill: answer.ItemCode,
      orderNumber: asked.orderNumber,
      reference: answer.ClientReference ?? null,
      status: "created",
      at,
    },
  };
}

/** The cancel or redeliver answer: accepted, or the post's refusal. */
export function readActionAnswer(body: unknown, what: string): { ok: true } | { ok: false; refusal: PostRefusal } {
  const answer = parse(StatusAnswer, body, what);
  return answer.Status === POST_ACCEPTED ? { ok: true } : { ok: false, refusal: refusal(answer) };
}

const PostTime = z.string().transform((value, ctx) => {
  const at = readPostTime(value);
  if (at === undefined) {
    ctx.addIssue({ code: "custom", message: "is not a time with a zone" });
    return z.NEVER;
  }
  return at;
});

const FindAnswer = z.object({
  Orders: z.array(
    z.object({
      ItemCode: z.string().min(1),
      OrderNumber: z.string(),
      ClientReference: Text.optional(),
      StatusCode: Code,
      StatusTime: PostTime,
    }),
  ),
});

/**
 * The orders the post has with a number: the one made for `reference`, or null. Only an order that echoes our
 * reference counts — a dossier may have two orders under its code (the pick-up and the result), and one that does
 * not say which is left alone: creating again with the same Idempotency-Key is the safe way then.
 */
export function readFindAnswer(body: unknown, asked: { orderNumber: string; reference: string }): PostOrder | null {
  const answer = parse(FindAnswer, body, "order search answer");
  const found = answer.Orders.find((o) => o.OrderNumber === asked.orderNumber && o.ClientReference === asked.reference);
  if (!found) return null;
  const status = postStatusOf(found.StatusCode);
  if (!status) throw new PostalWireError("order search answer", [{ path: "StatusCode", message: "is not known" }]);
  return {
    waybill: found.ItemCode,
    orderNumber: found.OrderNumber,
    reference: found.ClientReference ?? null,
    status,
    at: found.StatusTime,
  };
}

/** Text from the post, fit for our records: NFC, without hidden characters, on one line, at most `max` characters. */
function postText(value: string | null, max: number): string | null {
  if (value === null) return null;
  // Line breaks and tabs become spaces first: they are hidden characters on one line, but they separate words.
  const spaced = value.normalize("NFC").replace(/\s+/g, " ");
  const kept = [...spaced].filter((ch) => findHiddenCharacter(ch) === null).join("");
  const text = clip(kept.replace(/ {2,}/g, " ").trim(), max);
  return text === "" ? null : text;
}

/** An https link of at most 500 characters, else null (a proof link we would not open). */
function proofUrl(value: string | null): string | null {
  if (!value || value.length > 500) return null;
  try {
    const url = new URL(value);
    return url.protocol === "https:" && url.hostname ? url.href : null;
  } catch {
    return null;
  }
}

const Event = z.object({
  EventId: Code.nullish(),
  StatusCode: Code,
  Time: PostTime,
  Note: Text.optional(),
  ReceiverName: Text.optional(),
  ProofUrl: Text.optional(),
});

type OrderIds = { ItemCode: string; OrderNumber: string; ClientReference?: string | null | undefined };

/** One status report from an event; undefined when its code is not in the table. */
function report(order: OrderIds, event: z.infer<typeof Event>): PostStatusReport | undefined {
  const status = postStatusOf(event.StatusCode);
  if (!status) return undefined;
  const note = postText(event.Note ?? null, 300);
  let proof: PostalProof | null = null;
  if (status === "delivered") {
    const parsed = PostalProof.safeParse({
      receivedBy: postText(event.ReceiverName ?? null, 120),
      at: event.Time,
      note,
      url: proofUrl(event.ProofUrl ?? null),
    });
    if (!parsed.success) throw new PostalWireError("proof", [{ path: "ReceiverName", message: "is not a name" }]);
    proof = parsed.data;
  }
  return {
    waybill: order.ItemCode,
    orderNumber: order.OrderNumber,
    reference: order.ClientReference ?? null,
    status,
    at: event.Time,
    eventId: event.EventId ?? null,
    note,
    proof,
  };
}

const TrackAnswer = z.object({
  ItemCode: z.string().min(1),
  OrderNumber: z.string(),
  ClientReference: Text.optional(),
  Events: z.array(Event),
});

/**
 * The tracking answer of `waybill`: its statuses, oldest first (by the post's time; events of the same time keep the
 * post's order). Events with a code the table lacks are left out and their codes given back, to be logged: a new
 * intermediate step of the post must not stop the known ones from being read.
 */
export function readTrackAnswer(
  body: unknown,
  waybill: string,
): { reports: PostStatusReport[]; unknownCodes: string[] } {
  const answer = parse(TrackAnswer, body, "tracking answer");
  if (answer.ItemCode !== waybill) {
    throw new PostalWireError("tracking answer", [{ path: "ItemCode", message: "is not the waybill asked for" }]);
  }
  const reports: PostStatusReport[] = [];
  const unknownCodes: string[] = [];
  for (const event of answer.Events) {
    const one = report(answer, event);
    if (one) reports.push(one);
    else unknownCodes.push(event.StatusCode);
  }
  // Array.prototype.sort is stable: ties keep the post's order.
  reports.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { reports, unknownCodes };
}

// ─── The status callback (ours) ────────────────────────────────────────────────────────────────────────────────────

/**
 * X-Post-Signature: lowercase hex HMAC-SHA256 with the callback secret over the ASCII timestamp (X-Post-Timestamp,
 * Unix seconds), a dot, and the raw body bytes — the portal's scheme (docs/portal-api/openapi.json), so that the
 * timestamp is bound to the body and an old callback cannot be replayed with a new time.
 */
export function signPostCallback(secret: string, timestamp: string, rawBody: Buffer): string {
  return createHmac("sha256", secret).update(`${timestamp}.`, "utf8").update(rawBody).digest("hex");
}

/** The two headers of a callback signed at `nowMs` (what the post sends; the fake post uses it). */
export function postCallbackHeaders(secret: string, rawBody: Buffer, nowMs: number): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return { "X-Post-Timestamp": timestamp, "X-Post-Signature": signPostCallback(secret, timestamp, rawBody) };
}

/** A header's one value, whatever the case of its name; an absent or repeated header gives undefined. */
function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return typeof value === "string" ? value : undefined;
  }
  return undefined;
}

/**
 * The signature, then the time: a missing or wrong signature (compared in constant time) is "signature", a right one
 * made more than `toleranceMs` from `now` either way is "stale". The signature comes first so that nothing about the
 * time is told to whoever does not hold the secret.
 */
export function verifyPostCallbackSignature(check: {
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
  secret: string;
  now: number;
  toleranceMs?: number;
}): { ok: true } | { ok: false; reason: "signature" | "stale" } {
  const timestamp = header(check.headers, CALLBACK_TIMESTAMP_HEADER)?.trim();
  const signature = header(check.headers, CALLBACK_SIGNATURE_HEADER)?.trim();
  if (!check.secret || !timestamp || !signature) return { ok: false, reason: "signature" };
  if (!/^\d{1,12}$/.test(timestamp) || !/^[0-9a-f]{64}$/i.test(signature)) return { ok: false, reason: "signature" };
  const expected = Buffer.from(signPostCallback(check.secret, timestamp, check.rawBody), "hex");
  if (!timingSafeEqual(expected, Buffer.from(signature.toLowerCase(), "hex")))
    return { ok: false, reason: "signature" };
  if (Math.abs(check.now - Number(timestamp) * 1000) > (check.toleranceMs ?? CALLBACK_TOLERANCE_MS)) {
    return { ok: false, reason: "stale" };
  }
  return { ok: true };
}

const CallbackBody = Event.extend({
  ItemCode: z.string().min(1),
  OrderNumber: z.string().min(1),
  ClientReference: Text.optional(),
});

/** A callback body (already parsed from JSON) as a status report; PostalWireError when it is off the format. */
export function readPostCallback(body: unknown): PostStatusReport {
  const callback = parse(CallbackBody, body, "callback");
  const one = report(callback, callback);
  if (!one) throw new PostalWireError("callback", [{ path: "StatusCode", message: "is not known" }]);
  return one;
}

/** A whole callback, checked in the order PostClient.verifyCallback promises: signature, time, shape. Never throws. */
export function checkPostCallback(
  rawBody: Buffer,
  headers: Record<string, string | string[] | undefined>,
  secret: string,
  now: number,
): PostCallbackCheck {
  try {
    const signed = verifyPostCallbackSignature({ rawBody, headers, secret, now });
    if (!signed.ok) return signed;
    return { ok: true, report: readPostCallback(JSON.parse(rawBody.toString("utf8"))) };
  } catch {
    return { ok: false, reason: "malformed" };
  }
}
