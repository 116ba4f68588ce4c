import {
  ANNOUNCEMENT_STATUS_LABELS,
  type AnnouncementInput,
  type AnnouncementProgress,
  type AnnouncementStatus,
  type Audience,
  type PublicAnnouncement,
} from "@qn/shared";
import type { Selectable, Transaction } from "kysely";
import { toZaloMessage } from "../../clients/zalo/messages";
import type { Db } from "../../db/database";
import type { AnnouncementsTable, Database } from "../../db/schema";
import { ConflictError, ForbiddenError, NotFoundError } from "../../errors/app-error";
import type { Logger } from "../../logger";
import type { OfficialActor } from "../auth/actor";
import { AnnouncementFanOut, messageOf } from "./announcement-fanout";
import {
  AUDIENCE_REFUSED,
  hasProvinceRole,
  mayManage,
  mayReach,
  OWN_APPROVAL_REFUSED,
  ofItsUnit,
} from "./announcement-policy";
import { countAudience } from "./audience";

type Trx = Transaction<Database>;
type Row = Selectable<AnnouncementsTable>;
type Action = "create" | "update" | "submit" | "approve" | "schedule" | "pause" | "resume" | "cancel";
export type AnnouncementChange = { field: string; before: unknown; after: unknown };

/** An edit after submission sends it back to a draft (a new approval); once sending has started it is too late. */
const EDITABLE: readonly string[] = ["draft", "pending_approval", "approved", "scheduled"];
const NOT_FOUND = "Không tìm thấy thông báo.";

/**
 * Announcements' workflow: composed by officials, approved by someone who is none of its editors (when required),
 * sent now or at a scheduled time. Who may do which step is announcement-policy.ts's; every edit and step is written
 * to `announcement_history` in the step's own transaction. What sending does — one outbox row per recipient — is the
 * fan-out's (announcement-fanout.ts); who the recipients are is audience.ts's.
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

  stop(): Promise<void> {
    return this.fanOut.stop();
  }

  idle(): Promise<void> {
    return this.fanOut.idle();
  }

  kick(): void {
    this.fanOut.kick();
  }

  async create(author: OfficialActor, input: AnnouncementInput) {
    this.assertComposer(author);
    if (!mayReach(author, input.audience)) throw new ForbiddenError(AUDIENCE_REFUSED);
    const at = this.now().toISOString();
    const id = await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto("announcements")
        .values({
          ...fields(input),
          status: "draft",
          created_by: author.id,
          unit_code: author.unitCode,
          approved_by: null,
          scheduled_at: null,
          published_at: null,
          created_at: at,
          updated_at: at,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await this.record(trx, row.id, author, "create", null, "draft", changesOf(null, input));
      return row.id;
    });
    return this.present(id);
  }

  /** Only its unit edits; an edit after submission (or approval, or scheduling) makes it a draft again. */
  async update(editor: OfficialActor, id: number, input: AnnouncementInput) {
    this.assertComposer(editor);
    await this.db.transaction().execute(async (trx) => {
      const row = await this.visible(trx, editor, id);
      if (!ofItsUnit(editor, row)) {
        throw new ForbiddenError("Chỉ người soạn hoặc cán bộ của đơn vị soạn thông báo được sửa thông báo này.");
      }
      if (!EDITABLE.includes(row.status)) throw this.wrongState(row.status, "sửa");
      if (!mayReach(editor, input.audience)) throw new ForbiddenError(AUDIENCE_REFUSED);
      const changes = changesOf(row, input);
      if (changes.length === 0) return; // nothing changed: not an edit, the approval stands
      const result = await trx
        .updateTable("announcements")
        .set({
          ...fields(input),
          status: "draft",
          approved_by: null,
          scheduled_at: null,
          updated_at: this.now().toISOString(),
        })
        .where("id", "=", id)
        .where("status", "=", row.status)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw this.wrongState((await this.row(trx, id)).status, "sửa");
      await this.record(trx, id, editor, "update", row.status, "draft", changes);
    });
    return this.present(id);
  }

  async submit(official: OfficialActor, id: number) {
    this.assertComposer(official);
    const to = this.approvalRequired ? "pending_approval" : "approved";
    await this.step(official, id, "submit", ["draft"], to, "gửi duyệt", {}, (row) => {
      if (!ofItsUnit(official, row)) {
        throw new ForbiddenError("Chỉ người soạn hoặc cán bộ của đơn vị soạn thông báo được gửi duyệt.");
      }
      if (!mayReach(official, JSON.parse(row.audience))) throw new ForbiddenError(AUDIENCE_REFUSED);
    });
    return this.present(id);
  }

  /** The four-eyes rule: the approver may act on it, may reach its audience, and wrote none of it. */
  async approve(approver: OfficialActor, id: number) {
    this.assertComposer(approver);
    await this.step(
      approver,
      id,
      "approve",
      ["pending_approval"],
      "approved",
      "phê duyệt",
      { approved_by: approver.id },
      async (row, trx) => {
        if (!mayReach(approver, JSON.parse(row.audience))) {
          throw new ForbiddenError(
            "Thông báo tới mọi người, tới xã, phường khác hoặc theo chủ đề cần cán bộ cấp tỉnh hoặc quản trị viên phê duyệt.",
          );
        }
        if ((await this.editors(trx, row)).includes(approver.id)) throw new ForbiddenError(OWN_APPROVAL_REFUSED);
      },
    );
    return this.present(id);
  }

  /** Sends at `at` (or now); the scheduler starts the fan-out when the time comes. */
  async schedule(official: OfficialActor, id: number, at: Date | undefined) {
    this.assertComposer(official);
    const when = at ?? this.now();
    await this.step(official, id, "schedule", ["approved"], "scheduled", "hẹn giờ gửi", {
      scheduled_at: when.toISOString(),
    });
    this.kick();
    return this.present(id);
  }

  async pause(official: OfficialActor, id: number) {
    this.assertComposer(official);
    await this.db.transaction().execute(async (trx) => {
      const row = await this.visible(trx, official, id);
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
      await this.record(trx, id, official, "pause", row.status, "paused");
    });
    return this.present(id);
  }

  async resume(official: OfficialActor, id: number) {
    this.assertComposer(official);
    await this.db.transaction().execute(async (trx) => {
      const row = await this.visible(trx, official, id);
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
      await this.record(trx, id, official, "resume", row.status, status);
    });
    this.kick();
    this.onQueued();
    return this.present(id);
  }

  async cancel(official: OfficialActor, id: number) {
    this.assertComposer(official);
    await this.db.transaction().execute(async (trx) => {
      const row = await this.visible(trx, official, id);
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
      await this.record(trx, id, official, "cancel", row.status, "cancelled");
    });
    return this.present(id);
  }

  /** The message as Zalo will receive it, and how many followers it would reach now. */
  async preview(official: OfficialActor, id: number) {
    const row = await this.visible(this.db, official, id);
    const message = messageOf(row);
    return {
      message,
      zalo: toZaloMessage(message),
      recipients: await countAudience(this.db, JSON.parse(row.audience)),
    };
  }

  /** Its unit's announcements (and its own); a province role sees every unit's. */
  async list(official: OfficialActor) {
    let query = this.db.selectFrom("announcements").select("id").orderBy("id", "desc").limit(100);
    if (!hasProvinceRole(official)) {
      query = query.where((eb) => eb.or([eb("unit_code", "=", official.unitCode), eb("created_by", "=", official.id)]));
    }
    const rows = await query.execute();
    return Promise.all(rows.map((r) => this.present(r.id)));
  }

  async view(official: OfficialActor, id: number) {
    await this.visible(this.db, official, id);
    return this.present(id);
  }

  /** Who did what, when, oldest first: every edit with the fields it changed, and every step. */
  async history(official: OfficialActor, id: number) {
    await this.visible(this.db, official, id);
    const rows = await this.db
      .selectFrom("announcement_history")
      .selectAll()
      .where("announcement_id", "=", id)
      .orderBy("id")
      .execute();
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      official: { id: r.official_id, name: r.official_name },
      action: r.action as Action,
      fromStatus: r.from_status,
      toStatus: r.to_status,
      changes: r.changes ? (JSON.parse(r.changes) as AnnouncementChange[]) : [],
    }));
  }

  async progressOf(official: OfficialActor, id: number) {
    await this.visible(this.db, official, id);
    return this.progress(id);
  }

  private async present(id: number) {
    const row = await this.row(this.db, id);
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
      unitCode: row.unit_code,
      /** Everyone who wrote or changed it: none of them may approve it. */
      editors: await this.editors(this.db, row),
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

  /** One step of the workflow in one transaction: who may, from which states, the change, its history row. */
  private async step(
    official: OfficialActor,
    id: number,
    action: Action,
    from: string[],
    to: AnnouncementStatus,
    verb: string,
    extra: Partial<Pick<Row, "approved_by" | "scheduled_at">> = {},
    check?: (row: Row, trx: Trx) => void | Promise<void>,
  ) {
    await this.db.transaction().execute(async (trx) => {
      const row = await this.visible(trx, official, id);
      if (!from.includes(row.status)) throw this.wrongState(row.status, verb);
      await check?.(row, trx);
      const result = await trx
        .updateTable("announcements")
        .set({ status: to, updated_at: this.now().toISOString(), ...extra })
        .where("id", "=", id)
        .where("status", "in", from)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw this.wrongState((await this.row(trx, id)).status, verb);
      await this.record(trx, id, official, action, row.status, to);
    });
  }

  private async record(
    trx: Trx,
    id: number,
    official: OfficialActor,
    action: Action,
    from: string | null,
    to: string,
    changes?: AnnouncementChange[],
  ) {
    await trx
      .insertInto("announcement_history")
      .values({
        announcement_id: id,
        at: this.now().toISOString(),
        official_id: official.id,
        official_name: official.name,
        action,
        from_status: from,
        to_status: to,
        changes: changes ? JSON.stringify(changes) : null,
      })
      .execute();
  }

  /** The author and everyone who changed it. */
  private async editors(db: Db | Trx, row: Row): Promise<number[]> {
    const rows = await db
      .selectFrom("announcement_history")
      .select("official_id")
      .distinct()
      .where("announcement_id", "=", row.id)
      .where("action", "in", ["create", "update"])
      .execute();
    return [...new Set([row.created_by, ...rows.map((r) => r.official_id)])];
  }

  /** The announcement, if this official may act on it; otherwise it does not exist for them (as dossiers, 404). */
  private async visible(db: Db | Trx, official: OfficialActor, id: number): Promise<Row> {
    const row = await this.row(db, id);
    if (!mayManage(official, row)) throw new NotFoundError(NOT_FOUND);
    return row;
  }

  private async row(db: Db | Trx, id: number): Promise<Row> {
    const row = await db.selectFrom("announcements").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) throw new NotFoundError(NOT_FOUND);
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

function fields(input: AnnouncementInput) {
  return {
    title: input.title,
    body: input.body,
    image_url: input.imageUrl ?? null,
    link: input.link ?? null,
    audience: JSON.stringify(input.audience),
  };
}

/** The fields an edit changes, as the API names them; a new announcement's are all "changed" from nothing. */
function changesOf(row: Row | null, input: AnnouncementInput): AnnouncementChange[] {
  const before = row
    ? { title: row.title, body: row.body, imageUrl: row.image_url, link: row.link, audience: JSON.parse(row.audience) }
    : { title: null, body: null, imageUrl: null, link: null, audience: null };
  const after = {
    title: input.title,
    body: input.body,
    imageUrl: input.imageUrl ?? null,
    link: input.link ?? null,
    audience: input.audience,
  };
  return (Object.keys(after) as (keyof typeof after)[])
    .filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]))
    .map((field) => ({ field, before: before[field], after: after[field] }));
}
