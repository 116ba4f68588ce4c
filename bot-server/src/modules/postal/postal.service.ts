import {
  type DeliveryRequest,
  type DossierPostal,
  type DossierState,
  decidePostalStatus,
  type FailedDeliveryChoice,
  NO_POSTAL_PICKUP,
  NO_POSTAL_RESULT,
  type OfficialPostalOrder,
  PICKUP_SLOT_HOURS,
  PICKUP_SLOT_LABELS,
  type PickupRequest,
  type PickupSlot,
  POSTAL_FINAL,
  type PostalContact,
  PostalContact as PostalContactSchema,
  type PostalDispatchResult,
  type PostalEventView,
  type PostalKind,
  type PostalList,
  PostalProof,
  type PostalSender,
  type PostalStatus,
  type PostalTariff,
  type PostStatus,
  pickupDateProblem,
  pickupDates,
  postalStatusLabel,
  quotePostal,
  type ResultDelivery,
  STATE,
  vietnamToday,
} from "@qn/shared";
import { type Selectable, sql, type Transaction } from "kysely";
import type { PostCallbackCheck, PostClient, PostParty, PostStatusReport } from "../../clients/postal/post";
import type { Db } from "../../db/database";
import { dialectOf } from "../../db/dialect";
import type { Database, PostalOrdersTable } from "../../db/schema";
import { AppError, ForbiddenError, NotFoundError, ValidationError } from "../../errors/app-error";
import type { Logger } from "../../logger";
import type { Actor, OfficialActor } from "../auth/actor";
import type { CalendarService } from "../calendar/calendar.service";
import type { DossierService } from "../dossiers/dossier.service";
import type { NotificationPlanner } from "../notifications/notification-planner";
import type { DossierRecord, PortalGateway, StepActor } from "../records/gateway";
import { snapshotOf } from "../records/record-view";
import { IllegalTransitionError } from "../records/records.errors";
import { communeName, insertOrder, senderOf, tariffOf } from "./postal-orders";

type OrderRow = Selectable<PostalOrdersTable>;
type Trx = Transaction<Database>;

/** The postal service acts on dossiers as this system actor (the step's "who"). */
const POSTAL_ACTOR: StepActor = {
  kind: "system",
  id: null,
  name: "Dịch vụ bưu chính công ích",
  role: "Hệ thống",
  unitCode: null,
};

/** States in which the originals may still be picked up (before the result): filed, accepted, in work, asked for. */
const PICKUP_STATES: ReadonlySet<number> = new Set([
  STATE.NEW,
  STATE.ACCEPTED,
  STATE.PROCESSING,
  STATE.SUPPLEMENT_REQUESTED,
  STATE.PAYMENT_REQUESTED,
]);
/** States after which the result cannot be asked for by post any more. */
const CLOSED_STATES: ReadonlySet<number> = new Set([STATE.REJECTED, STATE.WITHDRAWN, STATE.STOPPED, STATE.DELIVERED]);

export type PostalServiceOptions = {
  defaultTariff: PostalTariff;
  /** Waybill numbers from the pool table rather than from the post (POSTAL_WAYBILL_POOL). */
  waybillPool: boolean;
  now?: () => Date;
};

export type ApplyResult = "applied" | "same" | "stale" | "duplicate" | "unknown";

export const postalNotAllowed = (message: string) => new AppError("POSTAL_NOT_ALLOWED", message);
const orderNotFound = () => new AppError("POSTAL_ORDER_NOT_FOUND", "Không tìm thấy đơn bưu chính.");
/**
 * The public postal service (issue 15; docs/decisions/0017-postal-service.md): what citizens and officials ask of the post,
 * recorded as orders (postal-orders.ts) that the postal queue sends; the one path every status of the post takes
 * (`applyReport`, from a callback or a status read): applied once per event, never taking an order back; and what a
 * status means for the dossier (the result handed over → "Đã trả kết quả"; the originals picked up → indicator 5).
 */
export class PostalService {
  private readonly now: () => Date;

  constructor(
    private readonly db: Db,
    private readonly portal: PortalGateway,
    private readonly dossiers: DossierService,
    private readonly calendar: CalendarService,
    private readonly client: PostClient,
    private readonly planner: NotificationPlanner,
    private readonly options: PostalServiceOptions,
    private readonly logger: Logger,
    /** Wakes the postal queue after an order was recorded. */
    private readonly kick: () => void = () => {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  // ─── What the wizard shows before a dossier exists ───

  /** Whether a procedure may go by post, what it costs at a unit, and the days a pick-up may be booked on. */
  async quote(procedureCode: string, communeCode: string | undefined, procedures: { postal: boolean; level: string }) {
    const unitCode = procedures.level === "commune" && communeCode ? communeCode : "22";
    const tariff = await tariffOf(this.db, unitCode, this.options.defaultTariff);
    const calendar = await this.calendar.calendar();
    return {
      procedureCode,
      allowed: procedures.postal,
      message: procedures.postal ? null : NO_POSTAL_RESULT,
      quote: procedures.postal ? quotePostal(tariff) : null,
      pickupDates: procedures.postal ? pickupDates(vietnamToday(this.now()), calendar) : [],
      slots: (Object.keys(PICKUP_SLOT_LABELS) as PickupSlot[]).map((slot) => ({
        slot,
        label: PICKUP_SLOT_LABELS[slot],
      })),
    };
  }

  /** Why a pick-up cannot be booked on this day (Vietnamese), or null: the filing checks it before any file is kept. */
  async pickupProblem(date: string): Promise<string | null> {
    return pickupDateProblem(date, vietnamToday(this.now()), await this.calendar.calendar());
  }

  // ─── A dossier's postal section (the citizen's and the officials') ───

  async overview(actor: Actor, code: string): Promise<DossierPostal> {
    const record = await this.dossiers.seen(actor, code);
    return this.overviewOf(record);
  }

  /**
   * Who may ask the post for a dossier or change how its result comes: the citizen who owns it, or an officer of its
   * unit at the counter (official, HCC). Not a volunteer who filed it: that would let one redirect another's result.
   */
  private async mayAsk(actor: Actor, code: string): Promise<DossierRecord> {
    const record = await this.dossiers.seen(actor, code);
    if (actor.kind === "citizen") return this.dossiers.owned(actor, code);
    if ((actor.role === "official" || actor.role === "hcc") && actor.unitCode === record.unitCode) return record;
    throw new ForbiddenError("Chỉ công dân nộp hồ sơ hoặc cán bộ của đơn vị tiếp nhận được yêu cầu bưu điện.");
  }

  private async overviewOf(record: DossierRecord): Promise<DossierPostal> {
    const facts = await this.factsOf(record.code);
    const orders = await this.ordersOf(facts.id);
    const tariff = await tariffOf(this.db, record.unitCode, this.options.defaultTariff);
    const open = (kind: PostalKind) => orders.find((o) => o.kind === kind && !POSTAL_FINAL.has(o.status));
    const views = await Promise.all(orders.map((o) => this.view(o)));
    return {
      dossierCode: record.code,
      allowed: facts.postal,
      pickupBlocked: this.pickupBlocked(facts, open("pickup") !== undefined, orders),
      deliveryBlocked: this.deliveryBlocked(facts, record.resultDelivery, open("delivery") !== undefined),
      quote: facts.postal ? quotePostal(tariff) : null,
      orders: views,
      suggested: suggestedContact(record),
    };
  }

  private pickupBlocked(facts: DossierFacts, hasOpen: boolean, orders: OrderRow[]): string | null {
    if (!facts.postal) return NO_POSTAL_PICKUP;
    if (hasOpen) return "Đã có yêu cầu bưu điện đến lấy hồ sơ đang thực hiện";
    if (facts.postalReceivedAt !== null || orders.some((o) => o.kind === "pickup" && o.status === "delivered")) {
      return "Bưu điện đã lấy hồ sơ gốc của hồ sơ này";
    }
    if (!PICKUP_STATES.has(facts.state)) return "Hồ sơ đã qua bước nhận hồ sơ gốc";
    return null;
  }

  private deliveryBlocked(facts: DossierFacts, delivery: ResultDelivery, hasOpen: boolean): string | null {
    if (!facts.postal) return NO_POSTAL_RESULT;
    if (CLOSED_STATES.has(facts.state)) return "Hồ sơ đã kết thúc";
    if (hasOpen) return "Kết quả đang được bưu điện chuyển phát";
    if (delivery.method === "post") return "Bạn đã chọn nhận kết quả qua bưu điện";
    return null;
  }

  /** The citizen asks the post to pick up the originals (after filing; the wizard sends it with the filing). */
  async requestPickup(actor: Actor, code: string, request: PickupRequest): Promise<DossierPostal> {
    const record = await this.mayAsk(actor, code);
    const facts = await this.factsOf(code);
    const orders = await this.ordersOf(facts.id);
    const open = orders.some((o) => o.kind === "pickup" && !POSTAL_FINAL.has(o.status));
    const blocked = this.pickupBlocked(facts, open, orders);
    if (blocked) throw postalNotAllowed(blocked);
    const problem = await this.pickupProblem(request.date);
    if (problem) throw new ValidationError(problem, [{ path: "date", message: problem }]);
    const reference = await insertOrder(
      this.db,
      {
        dossierId: facts.id,
        dossierCode: code,
        unitCode: record.unitCode,
        citizenId: record.citizenId,
        kind: "pickup",
        contact: { name: request.name, phone: request.phone, address: request.address },
        pickup: { date: request.date, slot: request.slot },
        note: request.note ?? null,
        requestedBy: "citizen",
        at: this.now(),
      },
      await tariffOf(this.db, record.unitCode, this.options.defaultTariff),
    );
    if (!reference) throw postalNotAllowed("Đã có yêu cầu bưu điện đến lấy hồ sơ đang thực hiện");
    this.kick();
    return this.overviewOf(await this.mayAsk(actor, code));
  }

  /** The citizen asks for the result by post (from the dossier page): the way the result goes out changes. */
  async requestDelivery(actor: Actor, code: string, request: DeliveryRequest): Promise<DossierPostal> {
    const record = await this.mayAsk(actor, code);
    const facts = await this.factsOf(code);
    const orders = await this.ordersOf(facts.id);
    const open = orders.some((o) => o.kind === "delivery" && !POSTAL_FINAL.has(o.status));
    const blocked = this.deliveryBlocked(facts, record.resultDelivery, open);
    if (blocked) throw postalNotAllowed(blocked);
    await this.setResultDelivery(facts.id, postDelivery(request));
    return this.overviewOf(await this.mayAsk(actor, code));
  }

  /** After a failed or returned delivery: deliver again, to another address, or collect at the counter. */
  async choose(actor: Actor, code: string, reference: string, choice: FailedDeliveryChoice): Promise<DossierPostal> {
    await this.mayAsk(actor, code);
    const order = await this.db
      .selectFrom("postal_orders")
      .selectAll()
      .where("reference", "=", reference)
      .where("dossier_code", "=", code)
      .executeTakeFirst();
    if (!order) throw orderNotFound();
    if (order.kind !== "delivery" || !(order.status === "failed" || order.status === "returned") || order.chosen) {
      throw postalNotAllowed("Đơn này không cần bạn chọn cách nhận kết quả lúc này");
    }
    const at = this.now().toISOString();
    const contact = choice.choice === "change-address" ? choice.receiver : null;
    await this.db.transaction().execute(async (trx) => {
      const mine = trx
        .updateTable("postal_orders")
        .where("id", "=", order.id)
        .where("status", "=", order.status)
        .where("chosen", "is", null);
      let instruction: string | null = null;
      // Still at the post after a failed delivery: the post is told to try again (to the new address, if any).
      if (order.status === "failed" && choice.choice !== "counter") {
        instruction = JSON.stringify({ op: "redeliver", receiver: contact ? this.party(contact) : null });
      }
      const updated = await mine
        .set({
          chosen: choice.choice,
          ...(contact ? { contact: JSON.stringify(contact) } : {}),
          ...(instruction ? { instruction, next_attempt_at: at } : {}),
          updated_at: at,
        })
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) throw postalNotAllowed("Đơn đã thay đổi, vui lòng tải lại trang");
      if (choice.choice === "counter") await this.setResultDelivery(order.dossier_id, { method: "counter" }, trx);
      else if (contact) await this.setResultDelivery(order.dossier_id, postDelivery(contact), trx);
    });
    this.kick();
    return this.overviewOf(await this.mayAsk(actor, code));
  }

  // ─── Officials ───

  /** "Gửi kết quả qua bưu điện": one order per dossier whose result is ready and goes by post. */
  async dispatch(official: OfficialActor, codes: string[]): Promise<PostalDispatchResult[]> {
    const results: PostalDispatchResult[] = [];
    for (const code of [...new Set(codes)]) {
      results.push(await this.dispatchOne(official, code));
    }
    if (results.some((r) => r.outcome === "created")) this.kick();
    return results;
  }

  private async dispatchOne(official: OfficialActor, code: string): Promise<PostalDispatchResult> {
    const refused = (message: string): PostalDispatchResult => ({ code, outcome: "refused", reference: null, message });
    const record = await this.portal.get(code);
    // The unit's own officers dispatch its results (not another unit's, not an HCC officer who only filed it).
    if (!record || record.unitCode !== official.unitCode) return refused("Không tìm thấy hồ sơ trong đơn vị của bạn");
    const facts = await this.factsOf(code);
    if (!facts.postal) return refused(NO_POSTAL_RESULT);
    if (!(await senderOf(this.db, record.unitCode))) {
      return refused("Đơn vị chưa khai báo thông tin gửi bưu điện: quản trị viên nhập ở mục Bưu chính");
    }
    const ready = await this.readyForPost().select("d.id").where("d.id", "=", facts.id).executeTakeFirst();
    const delivery = record.resultDelivery;
    if (!ready || delivery.method !== "post") {
      // Why not, in words (the decision is readyForPost's).
      if (record.state !== STATE.DONE) return refused("Hồ sơ chưa ở trạng thái Đã xử lý xong");
      if (delivery.method !== "post") return refused("Công dân không chọn nhận kết quả qua bưu điện");
      const orders = await this.ordersOf(facts.id);
      const open = orders.find((o) => o.kind === "delivery" && !POSTAL_FINAL.has(o.status));
      if (open) return { code, outcome: "already", reference: open.reference, message: null };
      if (orders.some((o) => o.kind === "delivery" && o.status === "delivered")) {
        return refused("Bưu điện đã giao kết quả của hồ sơ này");
      }
      if (orders.some((o) => o.kind === "delivery" && o.status === "returned")) {
        return refused("Kết quả đã bị chuyển hoàn: chờ công dân chọn gửi lại hoặc nhận tại bộ phận một cửa");
      }
      return refused("Hồ sơ không gửi được qua bưu điện lúc này");
    }
    const reference = await insertOrder(
      this.db,
      {
        dossierId: facts.id,
        dossierCode: code,
        unitCode: record.unitCode,
        citizenId: record.citizenId,
        kind: "delivery",
        contact: { name: delivery.recipientName, phone: delivery.phone, address: delivery.address },
        pickup: null,
        note: null,
        requestedBy: "official",
        at: this.now(),
      },
      await tariffOf(this.db, record.unitCode, this.options.defaultTariff),
    );
    if (!reference) return { code, outcome: "already", reference: null, message: null };
    return { code, outcome: "created", reference, message: null };
  }

  /** Cancels an order not yet picked up (an official's mistake, a citizen who came to the counter). */
  async cancel(official: OfficialActor, reference: string): Promise<OfficialPostalOrder> {
    const order = await this.officialOrder(official, reference);
    if (!(order.status === "waiting" || order.status === "created")) {
      throw postalNotAllowed("Chỉ hủy được đơn bưu điện chưa lấy hàng");
    }
    const at = this.now().toISOString();
    await this.db
      .updateTable("postal_orders")
      .set({ instruction: JSON.stringify({ op: "cancel" }), next_attempt_at: at, updated_at: at })
      .where("id", "=", order.id)
      .where("status", "in", ["waiting", "created"])
      .execute();
    this.kick();
    return this.officialView(await this.orderById(order.id));
  }

  /** The console's lists, in the official's unit (administrators: every unit). */
  async list(official: OfficialActor, list: PostalList, date?: string): Promise<OfficialPostalOrder[]> {
    let query = this.db.selectFrom("postal_orders").selectAll();
    if (official.role !== "admin") query = query.where("unit_code", "=", official.unitCode);
    const today = vietnamToday(this.now());
    switch (list) {
      case "pickups":
        query = query.where("kind", "=", "pickup").where("pickup_date", "=", date ?? today);
        break;
      case "problems":
        query = query.where((eb) =>
          eb.or([
            // A failed or returned delivery needs someone until the result is handed over (at the counter, say) or
            // a newer order carries it.
            eb.and([
              eb("status", "in", ["failed", "returned"]),
              eb.not(
                eb.exists(
                  eb
                    .selectFrom("dossiers as d")
                    .select("d.id")
                    .whereRef("d.id", "=", "postal_orders.dossier_id")
                    .where("d.state", "=", STATE.DELIVERED),
                ),
              ),
              eb.not(
                eb.exists(
                  eb
                    .selectFrom("postal_orders as later")
                    .select("later.id")
                    .whereRef("later.dossier_id", "=", "postal_orders.dossier_id")
                    .whereRef("later.kind", "=", "postal_orders.kind")
                    .whereRef("later.id", ">", "postal_orders.id"),
                ),
              ),
            ]),
            eb.and([eb("status", "=", "waiting"), eb("last_error", "is not", null)]),
            eb.and([eb("instruction", "is not", null), eb("last_error", "is not", null)]),
          ]),
        );
        break;
      case "active":
        query = query.where("status", "not in", [...POSTAL_FINAL]);
        break;
      default:
        break;
    }
    const rows = await query.orderBy("updated_at", "desc").limit(500).execute();
    return Promise.all(rows.map((r) => this.officialView(r)));
  }

  /** Dossiers whose result is ready and waits to go by post: what "Gửi kết quả qua bưu điện" is offered for. */
  async ready(official: OfficialActor) {
    let query = this.readyForPost().select([
      "d.id",
      "d.code",
      "d.unit_code",
      "d.applicant_name",
      "d.procedure_snapshot",
      "d.result_delivery",
    ]);
    if (official.role !== "admin") query = query.where("d.unit_code", "=", official.unitCode);
    const rows = await query.orderBy("d.updated_at").limit(500).execute();
    return rows.map((r) => {
      const delivery = JSON.parse(r.result_delivery) as ResultDelivery;
      return {
        code: r.code,
        unitCode: r.unit_code,
        applicantName: r.applicant_name,
        procedureName: snapshotOf(r).name,
        contact:
          delivery.method === "post"
            ? { name: delivery.recipientName, phone: delivery.phone, address: delivery.address }
            : null,
      };
    });
  }

  /**
   * The one rule of which results may go out by post now, for the "ready" list and for every dispatch: done (9), to
   * go by post, not spam, and no order of theirs in the way — one open, one that delivered it, or one returned that
   * the citizen has not asked to send again.
   */
  private readyForPost() {
    return this.db
      .selectFrom("dossiers as d")
      .where("d.state", "=", STATE.DONE)
      .where("d.result_method", "=", "post")
      .where("d.spam_at", "is", null)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom("postal_orders as o")
              .select("o.id")
              .whereRef("o.dossier_id", "=", "d.id")
              .where("o.kind", "=", "delivery")
              .where((w) =>
                w.or([
                  w("o.status", "not in", ["returned", "cancelled"]),
                  w.and([w("o.status", "=", "returned"), w("o.chosen", "is", null)]),
                ]),
              ),
          ),
        ),
      );
  }

  /** The orders' labels for printing (each must have its waybill). */
  async labelData(official: OfficialActor, references: string[]) {
    const out = [];
    for (const reference of references) {
      const order = await this.officialOrder(official, reference);
      if (!order.waybill) throw postalNotAllowed(`Đơn ${reference} chưa có mã vận đơn: bưu điện chưa nhận đơn`);
      const sender = JSON.parse(order.sender) as PostParty;
      const contact = JSON.parse(order.contact) as PostalContact;
      const citizen = this.party(contact);
      const window = order.pickup_window
        ? (JSON.parse(order.pickup_window) as { date: string; slot: PickupSlot })
        : null;
      const [from, to] = order.kind === "delivery" ? [sender, citizen] : [citizen, sender];
      out.push({
        waybill: order.waybill,
        dossierCode: order.dossier_code,
        kind: order.kind,
        sender: { name: from.name, phone: from.phone, addressLines: addressLines(from) },
        receiver: { name: to.name, phone: to.phone, addressLines: addressLines(to) },
        codAmount: order.cod_amount,
        description: describe(order.kind, order.dossier_code),
        createdAt: new Date(order.accepted_at ?? order.requested_at),
        pickupWindow: window ? { date: window.date, ...PICKUP_SLOT_HOURS[window.slot] } : null,
        qrText: order.waybill,
      });
    }
    return out;
  }

  // ─── Administrators: the units' sender details ───

  async senders() {
    const units = await this.db.selectFrom("receiving_units").select(["code", "name"]).orderBy("code").execute();
    return Promise.all(
      units.map(async (u) => ({ unitCode: u.code, unitName: u.name, sender: await senderOf(this.db, u.code) })),
    );
  }

  async putSender(unitCode: string, sender: PostalSender, by: number | null): Promise<PostalSender> {
    const unit = await this.db
      .selectFrom("receiving_units")
      .select("code")
      .where("code", "=", unitCode)
      .executeTakeFirst();
    if (!unit) throw new NotFoundError("Không tìm thấy đơn vị tiếp nhận.");
    const values = {
      name: sender.name,
      phone: sender.phone,
      street: sender.address.street,
      commune_code: sender.address.communeCode,
      customer_code: sender.customerCode,
      tariff: JSON.stringify(sender.tariff),
      updated_at: this.now().toISOString(),
      updated_by: by,
    };
    await this.db
      .insertInto("postal_senders")
      .values({ unit_code: unitCode, ...values })
      .onConflict((oc) => oc.column("unit_code").doUpdateSet(values))
      .execute();
    // Orders that waited for these details go out now.
    await this.db
      .updateTable("postal_orders")
      .set({ next_attempt_at: values.updated_at })
      .where("unit_code", "=", unitCode)
      .where("status", "=", "waiting")
      .execute();
    this.kick();
    return (await senderOf(this.db, unitCode)) as PostalSender;
  }

  /** Adds waybill numbers the post allocated in advance (POSTAL_WAYBILL_POOL); known ones are kept. */
  async addWaybills(waybills: string[]): Promise<{ added: number; free: number }> {
    const at = this.now().toISOString();
    let added = 0;
    for (const waybill of waybills) {
      const r = await this.db
        .insertInto("postal_waybills")
        .values({ waybill, added_at: at, order_id: null })
        .onConflict((oc) => oc.column("waybill").doNothing())
        .executeTakeFirst();
      added += Number(r.numInsertedOrUpdatedRows ?? 0);
    }
    const free = await this.db
      .selectFrom("postal_waybills")
      .select(sql<number>`count(*)`.as("n"))
      .where("order_id", "is", null)
      .executeTakeFirstOrThrow();
    return { added, free: Number(free.n) };
  }

  // ─── The post's statuses: the one path ───

  /** A status callback, raw: its signature is checked before anything reads it. */
  async receiveCallback(body: Buffer, headers: Record<string, string | string[] | undefined>): Promise<ApplyResult> {
    const check: PostCallbackCheck = this.client.verifyCallback(body, headers);
    if (!check.ok) {
      if (check.reason === "malformed") {
        throw new ValidationError("Thông báo trạng thái của bưu điện không đúng định dạng", [
          { path: "body", message: "malformed" },
        ]);
      }
      throw new AppError("POSTAL_SIGNATURE_INVALID", "Chữ ký thông báo của bưu điện không hợp lệ hoặc đã quá hạn.");
    }
    return this.applyReport(check.report, "callback");
  }

  /**
   * Applies one status the post reported, from a callback or a status read: once per (order, event) — the event row's
   * unique key decides, and its insert is the transaction's first write, so that two processes serialise on it — and
   * never taking an order back (decidePostalStatus). What an applied status means is written with it: the citizen's
   * message, the delivery proof, the originals counted as received by post.
   */
  async applyReport(report: PostStatusReport, source: "callback" | "poll" | "create"): Promise<ApplyResult> {
    const found = await this.findOrder(report);
    if (!found) {
      this.logger.warn({ waybill: report.waybill, status: report.status }, "postal: a status for an unknown order");
      return "unknown";
    }
    const receivedAt = this.now().toISOString();
    const key = report.eventId ?? `${report.status}@${report.at}`;
    const outcome = await this.db.transaction().execute(async (trx) => {
      // Two reports of one order are decided one after the other. SQLite: the event's insert, the transaction's first
      // write, takes the database's write lock (a read first could not be upgraded under another process's). PostgreSQL
      // locks rows: the order's row is locked first — the event's foreign key would otherwise share-lock it, and two
      // transactions each holding that would deadlock when they lock it for the update.
      const readOrder = () => trx.selectFrom("postal_orders").selectAll().where("id", "=", found.id);
      const locked = dialectOf(trx) === "postgres" ? await readOrder().forUpdate().executeTakeFirstOrThrow() : null;
      const event = await trx
        .insertInto("postal_events")
        .values({
          order_id: found.id,
          source,
          event_key: key,
          status: report.status,
          at: report.at,
          received_at: receivedAt,
          result: "stale",
          note: report.note,
        })
        .onConflict((oc) => oc.columns(["order_id", "event_key"]).doNothing())
        .returning("id")
        .executeTakeFirst();
      if (!event) return { result: "duplicate" as const, order: null };
      const order = locked ?? (await readOrder().executeTakeFirstOrThrow());
      const decision = decidePostalStatus({ status: order.status, at: order.status_at }, report);
      if (decision !== "apply") {
        await trx.updateTable("postal_events").set({ result: decision }).where("id", "=", event.id).execute();
        return { result: decision, order: null };
      }
      await trx.updateTable("postal_events").set({ result: "applied" }).where("id", "=", event.id).execute();
      const proof = report.status === "delivered" && report.proof ? PostalProof.safeParse(report.proof) : null;
      const handedOver = order.kind === "delivery" && report.status === "delivered";
      await trx
        .updateTable("postal_orders")
        .set({
          status: report.status,
          // The create answer's time is our clock's, not the post's: it must not make the post's next status look
          // older than it (a clock a few seconds ahead would lose it). The post's own times order the rest.
          status_at: source === "create" ? order.status_at : report.at,
          waybill: order.waybill ?? report.waybill,
          accepted_at: order.accepted_at ?? receivedAt,
          ...(proof?.success ? { proof: JSON.stringify(proof.data) } : {}),
          // A new failure opens the citizen's choice again.
          ...(report.status === "failed" ? { chosen: null } : {}),
          // The result handed over: the queue makes sure the dossier follows (state 10), even after a crash here.
          ...(handedOver ? { next_attempt_at: receivedAt } : {}),
          ...(POSTAL_FINAL.has(report.status) ? { instruction: null } : {}),
          ...(POSTAL_FINAL.has(report.status) && !handedOver ? { next_attempt_at: null } : {}),
          updated_at: receivedAt,
        })
        .where("id", "=", order.id)
        .execute();
      if (order.kind === "pickup" && ["picked-up", "in-transit", "delivered"].includes(report.status)) {
        await trx
          .updateTable("dossiers")
          .set({ postal_received_at: report.at })
          .where("id", "=", order.dossier_id)
          .where("postal_received_at", "is", null)
          .execute();
      }
      // The result handed over is told by the dossier's own "Đã trả kết quả" message (state 10), not twice.
      if (!handedOver) await this.notify(trx, order, report.status, event.id);
      return { result: "applied" as const, order: handedOver ? order.id : null };
    });
    if (outcome.order !== null) {
      const id = outcome.order;
      await this.advance(id).catch((error: unknown) =>
        this.logger.warn({ err: error, orderId: id }, "postal: marking the result delivered failed, will retry"),
      );
    }
    return outcome.result;
  }

  /**
   * The result reached the citizen by post: the dossier moves to "Đã trả kết quả" (9 → 10) as the postal service,
   * naming its order (so that it counts as returned by post). Repeatable: the queue calls it again after a crash.
   */
  async advance(orderId: number): Promise<void> {
    const order = await this.orderById(orderId);
    if (order.kind !== "delivery" || order.status !== "delivered") return;
    const record = await this.portal.get(order.dossier_code);
    if (record?.state === STATE.DONE) {
      const proof = order.proof ? (JSON.parse(order.proof) as { receivedBy: string | null }) : null;
      try {
        await this.portal.transition(order.dossier_code, "deliver", POSTAL_ACTOR, {
          note: `Bưu điện đã giao kết quả${proof?.receivedBy ? ` cho ${proof.receivedBy}` : ""}, mã vận đơn ${order.waybill}`,
          trackingNumber: order.waybill ?? undefined,
          postalOrder: order.reference,
        });
      } catch (error) {
        // An official handed it over meanwhile: nothing left to move.
        if (!(error instanceof IllegalTransitionError)) throw error;
      }
    }
    await this.db
      .updateTable("postal_orders")
      .set({ next_attempt_at: null })
      .where("id", "=", orderId)
      .where("instruction", "is", null)
      .execute();
  }

  // ─── For the queue ───

  async orderById(id: number): Promise<OrderRow> {
    return (await this.db
      .selectFrom("postal_orders")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow()) as OrderRow;
  }

  /** What the post is told about an order: the unit's side, the citizen's side, the COD. Null: no sender details. */
  async requestOf(order: OrderRow) {
    const sender = await senderOf(this.db, order.unit_code);
    if (!sender) return null;
    const unit = { ...this.party({ name: sender.name, phone: sender.phone, address: sender.address }) };
    const citizen = this.party(JSON.parse(order.contact) as PostalContact);
    const window = order.pickup_window ? (JSON.parse(order.pickup_window) as { date: string; slot: PickupSlot }) : null;
    return {
      unitParty: unit,
      request: {
        reference: order.reference,
        orderNumber: order.dossier_code,
        kind: order.kind,
        waybill: order.waybill,
        customerCode: sender.customerCode,
        sender: order.kind === "delivery" ? unit : citizen,
        receiver: order.kind === "delivery" ? citizen : unit,
        codAmount: order.cod_amount,
        description: describe(order.kind, order.dossier_code),
        pickupWindow: window ? { date: window.date, ...PICKUP_SLOT_HOURS[window.slot] } : null,
        note: order.note,
      },
    };
  }

  /** Takes the first free waybill of the pool for an order (once: a retry keeps the one it took). */
  async takeWaybill(orderId: number): Promise<string | null> {
    return this.db.transaction().execute(async (trx) => {
      const taken = await sql<{ waybill: string }>`
        UPDATE postal_waybills SET order_id = ${orderId}
         WHERE waybill = (SELECT waybill FROM postal_waybills WHERE order_id IS NULL ORDER BY waybill LIMIT 1)
           AND order_id IS NULL
        RETURNING waybill`.execute(trx);
      const waybill = taken.rows[0]?.waybill ?? null;
      if (waybill) {
        await trx
          .updateTable("postal_orders")
          .set({ waybill })
          .where("id", "=", orderId)
          .where("waybill", "is", null)
          .execute();
      }
      return waybill;
    });
  }

  get usesWaybillPool(): boolean {
    return this.options.waybillPool;
  }

  // ─── Helpers ───

  private async findOrder(report: PostStatusReport): Promise<{ id: number } | undefined> {
    const byWaybill = await this.db
      .selectFrom("postal_orders")
      .select("id")
      .where("waybill", "=", report.waybill)
      .executeTakeFirst();
    if (byWaybill) return byWaybill;
    if (!report.reference) return undefined;
    // A callback that came before our own record of the post's answer (a timeout): found by our reference.
    return this.db
      .selectFrom("postal_orders")
      .select("id")
      .where("reference", "=", report.reference)
      .where("dossier_code", "=", report.orderNumber)
      .executeTakeFirst();
  }

  private async notify(trx: Trx, order: OrderRow, status: PostStatus, eventId: number): Promise<void> {
    const dossier = await trx
      .selectFrom("dossiers")
      .select(["id", "code", "citizen_id", "procedure_snapshot", "state", "due_date", "missing_documents", "fees_due"])
      .where("id", "=", order.dossier_id)
      .executeTakeFirstOrThrow();
    const title = postalStatusLabel(order.kind, status);
    await this.planner.onPostalStatus(
      trx,
      `${order.reference}:${eventId}`,
      {
        id: dossier.id,
        code: dossier.code,
        citizenId: dossier.citizen_id,
        procedureName: snapshotOf(dossier).name,
        state: dossier.state as DossierState,
        dueDate: dossier.due_date,
        missingDocuments: JSON.parse(dossier.missing_documents) as string[],
        feesDue: dossier.fees_due,
      },
      { title, body: postalMessage(order, status, dossier.code), waybill: order.waybill },
    );
  }

  private async factsOf(code: string): Promise<DossierFacts> {
    const row = await this.db
      .selectFrom("dossiers")
      .select(["id", "state", "procedure_snapshot", "postal_received_at"])
      .where("code", "=", code)
      .executeTakeFirstOrThrow();
    return {
      id: row.id,
      state: row.state,
      postal: snapshotOf(row).postal === true,
      postalReceivedAt: row.postal_received_at,
    };
  }

  private async ordersOf(dossierId: number): Promise<OrderRow[]> {
    return (await this.db
      .selectFrom("postal_orders")
      .selectAll()
      .where("dossier_id", "=", dossierId)
      .orderBy("id")
      .execute()) as OrderRow[];
  }

  private async officialOrder(official: OfficialActor, reference: string): Promise<OrderRow> {
    const order = await this.db
      .selectFrom("postal_orders")
      .selectAll()
      .where("reference", "=", reference)
      .executeTakeFirst();
    if (!order || (official.role !== "admin" && order.unit_code !== official.unitCode)) throw orderNotFound();
    return order as OrderRow;
  }

  private async view(order: OrderRow) {
    const events = await this.db
      .selectFrom("postal_events")
      .select(["status", "at", "note"])
      .where("order_id", "=", order.id)
      .where("result", "=", "applied")
      .orderBy("at")
      .orderBy("id")
      .execute();
    const window = order.pickup_window ? (JSON.parse(order.pickup_window) as { date: string; slot: PickupSlot }) : null;
    const timeline: PostalEventView[] = [
      { status: "waiting", label: postalStatusLabel(order.kind, "waiting"), at: order.requested_at, note: null },
      ...events.map((e) => ({
        status: e.status as PostalStatus,
        label: postalStatusLabel(order.kind, e.status as PostalStatus),
        at: e.at,
        note: e.note,
      })),
    ];
    if (order.status === "cancelled" && !events.some((e) => e.status === "cancelled")) {
      timeline.push({
        status: "cancelled",
        label: postalStatusLabel(order.kind, "cancelled"),
        at: order.updated_at,
        note: null,
      });
    }
    const canChoose =
      order.kind === "delivery" && (order.status === "failed" || order.status === "returned") && order.chosen === null;
    return {
      reference: order.reference,
      dossierCode: order.dossier_code,
      kind: order.kind,
      status: order.status,
      statusLabel: postalStatusLabel(order.kind, order.status),
      waybill: order.waybill,
      contact: PostalContactSchema.parse(JSON.parse(order.contact)),
      pickup: window ? { date: window.date, slot: window.slot, slotLabel: PICKUP_SLOT_LABELS[window.slot] } : null,
      charge: order.charge,
      codAmount: order.cod_amount,
      events: timeline,
      proof: order.proof ? PostalProof.parse(JSON.parse(order.proof)) : null,
      choices: canChoose ? (["redeliver", "change-address", "counter"] as const).slice() : [],
      chosen: order.chosen,
      createdAt: order.requested_at,
      updatedAt: order.updated_at,
    };
  }

  private async officialView(order: OrderRow): Promise<OfficialPostalOrder> {
    const dossier = await this.db
      .selectFrom("dossiers")
      .select(["applicant_name", "procedure_snapshot"])
      .where("id", "=", order.dossier_id)
      .executeTakeFirstOrThrow();
    const pending = order.status === "waiting" || order.instruction !== null;
    return {
      ...(await this.view(order)),
      unitCode: order.unit_code,
      procedureName: snapshotOf(dossier).name,
      applicantName: dossier.applicant_name,
      sending: pending
        ? { attempts: order.send_attempts, lastError: order.last_error, nextAttemptAt: order.next_attempt_at }
        : null,
    };
  }

  private party(contact: PostalContact): PostParty {
    return {
      name: contact.name,
      phone: contact.phone,
      street: contact.address.street,
      communeCode: contact.address.communeCode,
      communeName: communeName(contact.address.communeCode),
    };
  }

  /** The one place that changes how a dossier's result goes out after filing (the citizen's postal choices). */
  private async setResultDelivery(dossierId: number, delivery: ResultDelivery, trx: Trx | Db = this.db): Promise<void> {
    await trx
      .updateTable("dossiers")
      .set({
        result_delivery: JSON.stringify(delivery),
        result_method: delivery.method,
        updated_at: this.now().toISOString(),
      })
      .where("id", "=", dossierId)
      .execute();
  }
}

type DossierFacts = { id: number; state: number; postal: boolean; postalReceivedAt: string | null };

function postDelivery(contact: PostalContact): ResultDelivery {
  return { method: "post", recipientName: contact.name, phone: contact.phone, address: contact.address };
}

function suggestedContact(record: DossierRecord): DossierPostal["suggested"] {
  const delivery = record.resultDelivery;
  if (delivery.method === "post") {
    return { name: delivery.recipientName, phone: delivery.phone, address: delivery.address };
  }
  return { name: record.applicant.name, phone: record.applicant.phone ?? null, address: record.applicant.address };
}

function describe(kind: PostalKind, code: string): string {
  return kind === "delivery" ? `Kết quả hồ sơ ${code}` : `Hồ sơ gốc ${code}`;
}

function addressLines(party: PostParty): string[] {
  return [party.street, `${party.communeName}, tỉnh Quảng Ninh`];
}

const vnd = new Intl.NumberFormat("vi-VN");

/** The citizen's message for a status: what happened, and what to do next. */
function postalMessage(order: OrderRow, status: PostStatus, code: string): string {
  const head = `Hồ sơ ${code}`;
  const waybill = order.waybill ? ` (mã vận đơn ${order.waybill})` : "";
  if (order.kind === "pickup") {
    switch (status) {
      case "created":
        return `${head}: bưu điện đã nhận yêu cầu đến lấy hồ sơ gốc${waybill}. Cước thu gom ${vnd.format(order.charge)} đ trả cho nhân viên bưu điện.`;
      case "picked-up":
        return `${head}: bưu điện đã lấy hồ sơ gốc${waybill} và đang chuyển tới cơ quan giải quyết.`;
      case "delivered":
        return `${head}: cơ quan đã nhận hồ sơ gốc do bưu điện chuyển tới.`;
      case "failed":
        return `${head}: bưu điện chưa lấy được hồ sơ gốc${waybill}. Bưu điện sẽ liên hệ lại với bạn.`;
      default:
        return `${head}: ${postalStatusLabel("pickup", status).toLowerCase()}${waybill}.`;
    }
  }
  switch (status) {
    case "created":
      return `${head}: kết quả sẽ được gửi qua bưu điện${waybill}. Khi nhận, bạn trả ${vnd.format(order.cod_amount)} đ (cước và phí thu hộ).`;
    case "picked-up":
    case "in-transit":
      return `${head}: kết quả đang được bưu điện chuyển phát${waybill}.`;
    case "failed":
      return `${head}: bưu điện giao kết quả không thành công${waybill}. Mở mini-app để chọn giao lại, đổi địa chỉ hoặc nhận tại bộ phận một cửa.`;
    case "returned":
      return `${head}: kết quả đã được chuyển hoàn về cơ quan${waybill}. Mở mini-app để chọn gửi lại hoặc nhận tại bộ phận một cửa.`;
    default:
      return `${head}: ${postalStatusLabel("delivery", status).toLowerCase()}${waybill}.`;
  }
}
