import {
  ANNOUNCEMENT_STATUS_LABELS,
  type AnnouncementInput,
  type AnnouncementProgress,
  type AnnouncementStatus,
  type Audience,
  type PublicAnnouncement,
} from "@qn/shared";
import { toZaloMessage } from "../../clients/zalo/messages";
import type { Db } from "../../db/database";
import { ConflictError, ForbiddenError, NotFoundError } from "../../errors/app-error";
import type { Logger } from "../../logger";
import type { OfficialActor } from "../auth/actor";
import { AnnouncementFanOut, messageOf } from "./announcement-fanout";
import { countAudience } from "./audience";

/**
 * Announcements' workflow: composed by officials, approved by an administrator or a second official (when required),
 * sent now or at a scheduled time. What sending does — one outbox row per recipient — is the fan-out's
 * (announcement-fanout.ts); who the recipients are is audience.ts's.
 */
export class AnnouncementService {
  private readonly fanOut: AnnouncementFanOut;

  constructor(
    private readonly db: Db,
    private readonly approvalRequired: boolean,
    private readonly onQueued: () => void,
    logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.fanOut = new AnnouncementFanOut(db, onQueued, logger, now);
  }

  /** The fan-out's clock: due announcements start, interrupted fan-outs resume (announcement-fanout.ts). */
  start(): void {
    this.fanOut.start();
  }

  stop(): void {
    this.fanOut.stop();
  }

  idle(): Promise<void> {
    return this.fanOut.idle();
  }

  kick(): void {
    this.fanOut.kick();
  }

  async create(author: OfficialActor, input: AnnouncementInput) {
    this.assertComposer(author);
    const at = this.now().toISOString();
    const row = await this.db
      .insertInto("announcements")
      .values({
        title: input.title,
        body: input.body,
        image_url: input.imageUrl ?? null,
        link: input.link ?? null,
        audience: JSON.stringify(input.audience),
        status: "draft",
        created_by: author.id,
        approved_by: null,
        scheduled_at: null,
        published_at: null,
        created_at: at,
        updated_at: at,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return this.view(row.id);
  }

  async update(author: OfficialActor, id: number, input: AnnouncementInput) {
    this.assertComposer(author);
    const current = await this.row(id);
    if (current.status !== "draft") throw this.wrongState(current.status, "sửa");
    await this.db
      .updateTable("announcements")
      .set({
        title: input.title,
        body: input.body,
        image_url: input.imageUrl ?? null,
        link: input.link ?? null,
        audience: JSON.stringify(input.audience),
        updated_at: this.now().toISOString(),
      })
      .where("id", "=", id)
      .execute();
    return this.view(id);
  }

  async submit(author: OfficialActor, id: number) {
    this.assertComposer(author);
    await this.move(id, ["draft"], this.approvalRequired ? "pending_approval" : "approved", "gửi duyệt");
    return this.view(id);
  }

  async approve(approver: OfficialActor, id: number) {
    const row = await this.row(id);
    if (approver.role !== "admin" && (approver.role === "volunteer" || row.created_by === approver.id)) {
      throw new ForbiddenError("Thông báo cần một quản trị viên hoặc một cán bộ khác người soạn phê duyệt.");
    }
    await this.move(id, ["pending_approval"], "approved", "phê duyệt", { approved_by: approver.id });
    return this.view(id);
  }

  /** Sends at `at` (or now); the scheduler starts the fan-out when the time comes. */
  async schedule(official: OfficialActor, id: number, at: Date | undefined) {
    this.assertComposer(official);
    const when = at ?? this.now();
    await this.move(id, ["approved"], "scheduled", "hẹn giờ gửi", { scheduled_at: when.toISOString() });
    this.kick();
    return this.view(id);
  }

  async pause(official: OfficialActor, id: number) {
    this.assertComposer(official);
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom("announcements").select("status").where("id", "=", id).executeTakeFirst();
      if (!row) throw new NotFoundError("Không tìm thấy thông báo.");
      if (row.status !== "sending" && row.status !== "scheduled") throw this.wrongState(row.status, "tạm dừng");
      await trx
        .updateTable("announcements")
        .set({ status: "paused", updated_at: this.now().toISOString() })
        .where("id", "=", id)
        .execute();
      await trx
        .updateTable("outbox")
        .set({ status: "paused" })
        .where("announcement_id", "=", id)
        .where("status", "=", "pending")
        .execute();
    });
    return this.view(id);
  }

  async resume(official: OfficialActor, id: number) {
    this.assertComposer(official);
    await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("announcements")
        .select(["status", "published_at"])
        .where("id", "=", id)
        .executeTakeFirst();
      if (!row) throw new NotFoundError("Không tìm thấy thông báo.");
      if (row.status !== "paused") throw this.wrongState(row.status, "tiếp tục");
      const status = row.published_at ? "sending" : "scheduled";
      await trx
        .updateTable("announcements")
        .set({ status, updated_at: this.now().toISOString() })
        .where("id", "=", id)
        .execute();
      await trx
        .updateTable("outbox")
        .set({ status: "pending" })
        .where("announcement_id", "=", id)
        .where("status", "=", "paused")
        .execute();
    });
    this.kick();
    this.onQueued();
    return this.view(id);
  }

  async cancel(official: OfficialActor, id: number) {
    this.assertComposer(official);
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom("announcements").select("status").where("id", "=", id).executeTakeFirst();
      if (!row) throw new NotFoundError("Không tìm thấy thông báo.");
      if (row.status === "completed" || row.status === "cancelled") throw this.wrongState(row.status, "hủy");
      await trx
        .updateTable("announcements")
        .set({ status: "cancelled", updated_at: this.now().toISOString() })
        .where("id", "=", id)
        .execute();
      await trx
        .updateTable("outbox")
        .set({ status: "cancelled" })
        .where("announcement_id", "=", id)
        .where("status", "in", ["pending", "paused"])
        .execute();
    });
    return this.view(id);
  }

  /** The message as Zalo will receive it, and how many followers it would reach now. */
  async preview(id: number) {
    const row = await this.row(id);
    const message = messageOf(row);
    return {
      message,
      zalo: toZaloMessage(message),
      recipients: await countAudience(this.db, JSON.parse(row.audience)),
    };
  }

  async list() {
    const rows = await this.db.selectFrom("announcements").select("id").orderBy("id", "desc").limit(100).execute();
    return Promise.all(rows.map((r) => this.view(r.id)));
  }

  async view(id: number) {
    const row = await this.row(id);
    const status = row.status as AnnouncementStatus;
    return {
      id: row.id,
      title: row.title,
      body: row.body,
      imageUrl: row.image_url,
      link: row.link,
      audience: JSON.parse(row.audience) as Audience,
      status,
      statusLabel: ANNOUNCEMENT_STATUS_LABELS[status],
      createdBy: row.created_by,
      approvedBy: row.approved_by,
      scheduledAt: row.scheduled_at,
      publishedAt: row.published_at,
      progress: await this.progress(id),
    };
  }

  async progress(id: number): Promise<AnnouncementProgress> {
    const rows = await this.db
      .selectFrom("outbox")
      .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
      .where("announcement_id", "=", id)
      .groupBy("status")
      .execute();
    const count = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
    return {
      total: rows.reduce((sum, r) => sum + Number(r.n), 0),
      queued: count("pending") + count("in_flight"),
      sent: count("sent"),
      failed: count("failed"),
      skipped: count("skipped"),
      paused: count("paused"),
      cancelled: count("cancelled"),
    };
  }

  /** Published announcements for the mini-app's feed, newest first. */
  async published(limit: number, offset: number): Promise<{ items: PublicAnnouncement[]; total: number }> {
    const base = this.db
      .selectFrom("announcements")
      .where("published_at", "is not", null)
      .where("status", "!=", "cancelled");
    const [rows, total] = await Promise.all([
      base
        .select(["id", "title", "body", "image_url", "link", "published_at"])
        .orderBy("published_at", "desc")
        .orderBy("id", "desc")
        .limit(limit)
        .offset(offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    ]);
    return {
      total: Number(total.n),
      items: rows.map((r) => ({
        id: r.id,
        title: r.title,
        body: r.body,
        imageUrl: r.image_url,
        link: r.link,
        publishedAt: r.published_at as string,
      })),
    };
  }

  private async move(
    id: number,
    from: string[],
    to: AnnouncementStatus,
    verb: string,
    extra: Record<string, unknown> = {},
  ) {
    const result = await this.db
      .updateTable("announcements")
      .set({ status: to, updated_at: this.now().toISOString(), ...extra })
      .where("id", "=", id)
      .where("status", "in", from)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw this.wrongState((await this.row(id)).status, verb);
  }

  private async row(id: number) {
    const row = await this.db.selectFrom("announcements").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) throw new NotFoundError("Không tìm thấy thông báo.");
    return row;
  }

  private assertComposer(actor: OfficialActor): void {
    if (actor.role === "volunteer") throw new ForbiddenError("Tình nguyện viên không soạn, gửi thông báo.");
  }

  private wrongState(status: string, verb: string): ConflictError {
    const label = ANNOUNCEMENT_STATUS_LABELS[status as AnnouncementStatus] ?? status;
    return new ConflictError("ANNOUNCEMENT_STATE", `Không thể ${verb} thông báo đang ở trạng thái "${label}".`);
  }
}
