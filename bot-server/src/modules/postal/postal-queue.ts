import { randomUUID } from "node:crypto";
import { POSTAL_FINAL } from "@qn/shared";
import { type Selectable, sql } from "kysely";
import { SingleFlight } from "../../background/single-flight";
import { type PostClient, PostError, type PostParty } from "../../clients/postal/post";
import type { Db } from "../../db/database";
import type { PostalOrdersTable } from "../../db/schema";
import type { Logger } from "../../logger";
import type { PostalService } from "./postal.service";

type OrderRow = Selectable<PostalOrdersTable>;

export type PostalQueueOptions = {
  /** How often the queue is looked at. */
  pollMs: number;
  /** The first wait after a failure (doubling, with equal jitter), and the longest. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How often an open order's status is read from the post (besides its callbacks). */
  statusPollMs: number;
  batch?: number;
  concurrency?: number;
  leaseSeconds?: number;
  now?: () => Date;
  random?: () => number;
};

type Instruction = { op: "cancel" } | { op: "redeliver"; receiver: PostParty | null };

/** `blocked`: only a person can unblock it (the longest wait); `poll`: a refusal after which the order is followed. */
type Failure = { message: string; blocked: boolean; poll: boolean };

/** Work that cannot go out until a person acts (no sender details, an empty waybill pool, the post's refusal). */
class Blocked extends Error {}

/**
 * The postal queue (issue 15): every order goes out through it, and every open order's status is read through it.
 * The queue pattern of the outbox and the portal forwarding (decision 0007): a batch claimed atomically with a
 * lease, the work, then the next time written under the lease; backoff with jitter after a failure, which is shown in
 * the console (`last_error`, the tries) while the order waits. Per order, in this order:
 * - waiting: sent to the post. A try after one that may have reached it (a timeout, a crash mid-call) first looks
 *   the order up by its number, so that the post never gets a second order for one of ours; the idempotency key
 *   covers the rest;
 * - an instruction (cancel, deliver again): told to the post;
 * - the result handed over: the dossier follows (PostalService.advance);
 * - open: its statuses read from the post and applied like callbacks (PostalService.applyReport).
 */
export class PostalQueue {
  readonly id = `postal-${randomUUID().slice(0, 8)}`;
  private readonly flight = new SingleFlight(
    () => this.drain().then(() => undefined),
    (error) => this.logger.error({ err: error }, "postal queue pass failed"),
  );
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private recovered = false;
  private readonly now: () => Date;
  private readonly random: () => number;

  constructor(
    private readonly db: Db,
    private readonly postal: PostalService,
    private readonly client: PostClient,
    private readonly options: PostalQueueOptions,
    private readonly logger: Logger,
  ) {
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.options.pollMs);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.flight.idle();
  }

  kick(): void {
    if (this.stopped) return;
    this.flight.kick();
  }

  /** Resolves when the pass running in the background (if any) has ended. */
  async idle(): Promise<void> {
    await this.flight.idle();
  }

  /** Runs passes until nothing is due (tests and the benchmark call it directly). */
  async drain(): Promise<number> {
    let done = 0;
    for (;;) {
      if (this.stopped) return done;
      // The post answered an order that had failed before: it is back, and what waited for it goes out now rather
      // than at the end of each one's backoff (once per batch, not once per order).
      if (this.recovered) {
        this.recovered = false;
        await this.wakeWaiting();
      }
      const batch = await this.claim();
      if (batch.length === 0) return done;
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(this.options.concurrency ?? 8, batch.length) }, async () => {
          while (next < batch.length) {
            const id = batch[next++] as number;
            await this.work(id);
            done++;
          }
        }),
      );
    }
  }

  private async claim(): Promise<number[]> {
    const now = this.now().toISOString();
    const until = new Date(this.now().getTime() + (this.options.leaseSeconds ?? 60) * 1000).toISOString();
    const result = await sql<{ id: number }>`
      UPDATE postal_orders SET claimed_by = ${this.id}, claimed_until = ${until}
       WHERE id IN (SELECT id FROM postal_orders
                     WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ${now}
                       AND (claimed_until IS NULL OR claimed_until < ${now})
                     ORDER BY next_attempt_at LIMIT ${this.options.batch ?? 16})
         -- Again on the row itself: on PostgreSQL a claim that waited for another's lock re-checks only this.
         AND next_attempt_at IS NOT NULL AND next_attempt_at <= ${now}
         AND (claimed_until IS NULL OR claimed_until < ${now})
      RETURNING id`.execute(this.db);
    return result.rows.map((r) => r.id);
  }

  private async work(id: number): Promise<void> {
    let failure: Failure | null = null;
    let sent = false;
    let hadFailed = false;
    try {
      const order = await this.postal.orderById(id);
      if (order.claimed_by !== this.id) return;
      hadFailed = order.last_error !== null;
      const instruction = order.instruction ? (JSON.parse(order.instruction) as Instruction) : null;
      if (order.status === "waiting") {
        if (instruction?.op === "cancel") await this.cancelWaiting(order);
        else await this.send(order);
        sent = true;
      } else if (instruction) {
        try {
          await this.instruct(order, instruction);
        } catch (error) {
          if (!(error instanceof PostError) || error.retryable) throw error;
          // The post refused (too late to cancel, already going round again): the instruction is over, the refusal
          // shown, and what the post says of the order read at once, so that it is never left unpolled.
          await this.clearInstruction(order);
          failure = { message: postErrorText(error), blocked: false, poll: true };
          await this.track(order);
        }
      } else if (order.kind === "delivery" && order.status === "delivered") {
        await this.postal.advance(order.id);
      } else if (!POSTAL_FINAL.has(order.status)) {
        await this.track(order);
      }
    } catch (error) {
      failure = this.failureOf(error, id);
    }
    await this.release(id, failure);
    if (sent && !failure && hadFailed) this.recovered = true;
  }

  private failureOf(error: unknown, id: number): Failure {
    if (error instanceof PostError) return { message: postErrorText(error), blocked: !error.retryable, poll: false };
    if (error instanceof Blocked) return { message: error.message, blocked: true, poll: false };
    this.logger.error({ err: error, orderId: id }, "postal queue: order failed");
    return { message: "Lỗi hệ thống khi gửi đơn, sẽ thử lại", blocked: false, poll: false };
  }

  private async track(order: OrderRow): Promise<void> {
    if (!order.waybill) return;
    for (const report of await this.client.track(order.waybill)) await this.postal.applyReport(report, "poll");
  }

  /** Sends a waiting order; adopts what the post already has for it after a try that may have reached it. */
  private async send(order: OrderRow): Promise<void> {
    const built = await this.postal.requestOf(order);
    if (!built) {
      throw new Blocked("Đơn vị chưa khai báo thông tin gửi bưu điện (quản trị viên nhập ở mục Bưu chính)");
    }
    let waybill = order.waybill;
    if (!waybill && this.postal.usesWaybillPool) {
      waybill = await this.postal.takeWaybill(order.id);
      if (!waybill) throw new Blocked("Đã hết số vận đơn được cấp trước: cần nhập thêm số vận đơn của bưu điện");
    }
    // Counted before the call: a crash during it leaves a try on record, and the next one looks the order up first.
    await this.db
      .updateTable("postal_orders")
      .set({ send_attempts: sql`send_attempts + 1`, sender: JSON.stringify(built.unitParty) })
      .where("id", "=", order.id)
      .execute();
    const earlier = order.send_attempts > 0 ? await this.findEarlier(order) : null;
    const created = earlier ?? (await this.client.create({ ...built.request, waybill }));
    // The post's number is the one (it may answer with another than the pool's).
    await this.db.updateTable("postal_orders").set({ waybill: created.waybill }).where("id", "=", order.id).execute();
    await this.postal.applyReport(
      {
        waybill: created.waybill,
        orderNumber: created.orderNumber,
        reference: order.reference,
        status: created.status,
        at: created.at,
        eventId: null,
        note: null,
        proof: null,
      },
      "create",
    );
  }

  /** The order the post already has for this one (after a try that may have reached it), or null. */
  private async findEarlier(order: OrderRow) {
    return this.client.findByOrderNumber(order.dossier_code, order.reference);
  }

  /**
   * A waiting order its dossier no longer needs: cancelled here, and at the post if an earlier try reached it. One the
   * post picked up meanwhile cannot be cancelled: its status is taken as the post gives it, and it is followed.
   */
  private async cancelWaiting(order: OrderRow): Promise<void> {
    const earlier = order.send_attempts > 0 ? await this.findEarlier(order) : null;
    if (!earlier) {
      await this.finish(order.id, order.waybill);
      return;
    }
    await this.db.updateTable("postal_orders").set({ waybill: earlier.waybill }).where("id", "=", order.id).execute();
    if (earlier.status === "created") {
      await this.client.cancel(earlier.waybill);
      await this.finish(order.id, earlier.waybill);
      return;
    }
    await this.postal.applyReport(
      {
        waybill: earlier.waybill,
        orderNumber: earlier.orderNumber,
        reference: order.reference,
        status: earlier.status,
        at: earlier.at,
        eventId: null,
        note: null,
        proof: null,
      },
      "create",
    );
    await this.clearInstruction(order);
  }

  private async instruct(order: OrderRow, instruction: Instruction): Promise<void> {
    if (!order.waybill) throw new Blocked("Đơn chưa có mã vận đơn");
    if (POSTAL_FINAL.has(order.status)) {
      // Over (delivered, returned, cancelled): nothing left to tell.
    } else if (instruction.op === "cancel") {
      if (order.status === "created" || order.status === "failed") {
        await this.client.cancel(order.waybill);
        await this.finish(order.id, order.waybill);
        return;
      }
      // Picked up meanwhile: too late to cancel; the post carries it and it is followed as it is.
    } else if (order.status === "failed") {
      await this.client.redeliver(order.waybill, instruction.receiver);
    } else if (instruction.receiver) {
      // Going round again already (the post retries by itself): the new address waits for it, and is not dropped.
      throw new Blocked(
        "Bưu điện đang giao lại theo địa chỉ cũ; địa chỉ mới được gửi nếu lần giao này không thành công",
      );
    }
    await this.clearInstruction(order);
  }

  private async clearInstruction(order: OrderRow): Promise<void> {
    await this.db
      .updateTable("postal_orders")
      .set({ instruction: null })
      .where("id", "=", order.id)
      .where("instruction", "=", order.instruction)
      .execute();
  }

  /** Cancelled: the order keeps the waybill it had (a pool number, or the post's). */
  private async finish(id: number, waybill: string | null): Promise<void> {
    const at = this.now().toISOString();
    await this.db
      .updateTable("postal_orders")
      .set({ status: "cancelled", status_at: at, waybill, instruction: null, updated_at: at })
      .where("id", "=", id)
      .where("status", "in", ["waiting", "created", "failed"])
      .execute();
  }

  /** Orders that wait for the post after failed tries: due now. */
  private async wakeWaiting(): Promise<number> {
    const now = this.now().toISOString();
    const woken = await this.db
      .updateTable("postal_orders")
      .set({ next_attempt_at: now })
      .where("status", "=", "waiting")
      .where("next_attempt_at", ">", now)
      .where("last_error", "like", "%sẽ thử lại%")
      .executeTakeFirst();
    return Number(woken.numUpdatedRows);
  }

  /**
   * After the work, under the lease: the next time the order is due — a backoff after a failure, the next status read
   * while it is open, none once it is over — and the lease given back. A write that came meanwhile (a citizen's
   * choice, a cancellation) is not overwritten: the order is then due at once.
   */
  private async release(id: number, failure: Failure | null): Promise<void> {
    const order = await this.postal.orderById(id);
    const now = this.now().getTime();
    const at = (ms: number) => new Date(now + ms).toISOString();
    let next: string | null;
    const pending = order.status === "waiting" || order.instruction !== null;
    if (failure && pending) {
      const ceiling = failure.blocked
        ? this.options.retryMaxMs
        : Math.min(
            this.options.retryMaxMs,
            this.options.retryBaseMs * 2 ** Math.min(Math.max(order.send_attempts - 1, 0), 20),
          );
      next = at(ceiling / 2 + this.random() * (ceiling / 2));
    } else if (pending) {
      // Still something to send (an instruction set while this one went out): soon, never in a tight loop.
      next = at(this.options.retryBaseMs);
    } else if (order.kind === "delivery" && order.status === "delivered") {
      // advance() clears the time once the dossier followed; otherwise it is tried again.
      next = order.next_attempt_at === null ? null : at(this.options.retryBaseMs);
    } else if (POSTAL_FINAL.has(order.status)) {
      next = null;
    } else {
      // Open at the post: its next status read (after a failed read too: the post's trouble is not this order's).
      next = at(this.options.statusPollMs);
    }
    const mine = await this.db
      .updateTable("postal_orders")
      .set({ next_attempt_at: next, claimed_by: null, claimed_until: null, last_error: failure?.message ?? null })
      .where("id", "=", id)
      .where("claimed_by", "=", this.id)
      .where("updated_at", "=", order.updated_at)
      .where((eb) =>
        order.instruction === null ? eb("instruction", "is", null) : eb("instruction", "=", order.instruction),
      )
      .executeTakeFirst();
    if (Number(mine.numUpdatedRows) === 0) {
      // Changed since it was read: give the lease back and look again at once.
      await this.db
        .updateTable("postal_orders")
        .set({ claimed_by: null, claimed_until: null, next_attempt_at: new Date(now).toISOString() })
        .where("id", "=", id)
        .where("claimed_by", "=", this.id)
        .execute();
    }
  }
}

function postErrorText(error: PostError): string {
  switch (error.failure) {
    case "timeout":
      return "Bưu điện không trả lời kịp (quá thời gian chờ), sẽ thử lại";
    case "network":
      return "Không kết nối được tới bưu điện, sẽ thử lại";
    case "server-error":
      return "Hệ thống bưu điện đang lỗi, sẽ thử lại";
    case "rejected":
      return `Bưu điện từ chối: ${error.detail}`.slice(0, 300);
    case "not-found":
      return "Bưu điện không tìm thấy đơn";
    default:
      return "Bưu điện trả lời không đúng định dạng";
  }
}
