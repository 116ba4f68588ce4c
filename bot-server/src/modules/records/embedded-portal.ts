import {
  AttachmentView,
  canTransition,
  type DossierLookup,
  type DossierState,
  type DossierStep,
  type DossierSummary,
  endOfVietnamDay,
  maskName,
  RUNNING_STATES,
  STATE,
  STATE_LABELS,
  TRANSITIONS,
  vietnamDate,
} from "@qn/shared";
import type { Selectable, SelectQueryBuilder, Transaction, Updateable } from "kysely";
import type { Db } from "../../db/database";
import type { Database } from "../../db/schema";
import { ConflictError, NotFoundError } from "../../errors/app-error";
import type { CalendarService } from "../calendar/calendar.service";
import type { NotificationPlanner } from "../notifications/notification-planner";
import type {
  ActionDetails,
  DossierEvent,
  DossierRecord,
  OfficialAction,
  Page,
  Paged,
  PortalGateway,
  QueueFilter,
  StepActor,
  StoredAttachment,
  SubmitInput,
} from "./gateway";

type Trx = Transaction<Database>;
type Row = Selectable<Database["dossiers"]>;
type RowChange = Updateable<Database["dossiers"]>;

export class IllegalTransitionError extends ConflictError {
  constructor(state: DossierState, action: string) {
    super(
      "ILLEGAL_TRANSITION",
      `Không thể "${action}" khi hồ sơ đang ở trạng thái "${STATE_LABELS[state]}" (${state}).`,
    );
  }
}

/** A citizen's change about to be committed, for whoever must pass it on (the HTTP gateway's forwarding queue). */
export type LocalChange =
  | { action: "submit"; dossierId: number; code: string }
  | { action: "supplement"; dossierId: number; code: string; attachmentIds: number[]; note: string | null }
  | { action: "withdraw"; dossierId: number; code: string; reason: string };

/** The decision of a change: what to write, or null to write nothing (the change is already there). */
export type ChangeDecision = { set: RowChange; to: DossierState; details: unknown } | null;

export type EmbeddedPortalHooks = {
  /** Runs inside the transaction of a submission, supplement or withdrawal: what it writes commits with it. */
  onCommitting?: (trx: Trx, change: LocalChange) => Promise<void>;
};

/**
 * The embedded portal: the project's own system of record in SQLite. Every change is one transaction that writes the
 * dossier, a step of its history and a domain event; listeners hear about it after the commit.
 */
export class EmbeddedPortal implements PortalGateway {
  private readonly listeners = new Set<(event: DossierEvent) => void>();

  constructor(
    private readonly db: Db,
    private readonly calendar: CalendarService,
    private readonly now: () => Date = () => new Date(),
    private readonly planner?: NotificationPlanner,
    private readonly hooks: EmbeddedPortalHooks = {},
  ) {}

  async submit(input: SubmitInput): Promise<DossierRecord> {
    const at = this.now();
    const unit = await this.db
      .selectFrom("receiving_units")
      .selectAll()
      .where("code", "=", input.unitCode)
      .executeTakeFirstOrThrow();
    const { procedure, submission } = input;
    const events: DossierEvent[] = [];
    const code = await this.db.transaction().execute(async (trx) => {
      const code = await nextCode(trx, unit.agency_code, at);
      const snapshot = {
        code: procedure.code,
        name: procedure.name,
        level: procedure.level,
        onlineLevel: procedure.onlineLevel,
        processingDays: procedure.processingDays,
        fees: procedure.fees,
        postal: procedure.postal,
        documents: procedure.documents,
      };
      const inserted = await trx
        .insertInto("dossiers")
        .values({
          code,
          state: STATE.NEW,
          resume_state: null,
          procedure_code: procedure.code,
          procedure_snapshot: JSON.stringify(snapshot),
          unit_code: unit.code,
          channel: input.channel,
          citizen_id: input.citizenId,
          applicant: JSON.stringify(submission.applicant),
          applicant_name: submission.applicant.name,
          result_delivery: JSON.stringify(submission.resultDelivery),
          form_data: JSON.stringify(submission.formData),
          filed_by_official_id: input.filedBy?.officialId ?? null,
          on_behalf_consent: input.filedBy ? JSON.stringify(input.filedBy.consent) : null,
          submitted_at: at.toISOString(),
          accepted_at: null,
          complete_received_at: null,
          due_date: null,
          fees_due: feesDue(procedure.fees),
          postal_tracking: null,
          rating_score: null,
          rating_comment: null,
          updated_at: at.toISOString(),
          online_level: procedure.onlineLevel,
          result_method: submission.resultDelivery.method,
          delivered_at: null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await insertAttachments(trx, inserted.id, input.attachments, "initial", at);
      await this.hooks.onCommitting?.(trx, { action: "submit", dossierId: inserted.id, code });
      const note = input.filedBy ? "Nộp hồ sơ thay công dân (đã có sự đồng ý của công dân)" : null;
      await addStep(trx, inserted.id, input.actor, "submit", note, null, STATE.NEW, at, null);
      events.push(
        await addEvent(trx, inserted.id, {
          type: "dossier.submitted",
          code,
          fromState: null,
          toState: STATE.NEW,
          action: "submit",
          at: at.toISOString(),
          citizenId: input.citizenId,
          unitCode: unit.code,
        }),
      );
      return code;
    });
    this.publish(events);
    return (await this.get(code)) as DossierRecord;
  }

  async get(code: string): Promise<DossierRecord | undefined> {
    const row = await this.db.selectFrom("dossiers").selectAll().where("code", "=", code).executeTakeFirst();
    if (!row) return undefined;
    const [unit, attachments, steps, filer] = await Promise.all([
      this.db.selectFrom("receiving_units").select("name").where("code", "=", row.unit_code).executeTakeFirst(),
      this.db.selectFrom("attachments").selectAll().where("dossier_id", "=", row.id).orderBy("id").execute(),
      this.db.selectFrom("dossier_steps").selectAll().where("dossier_id", "=", row.id).orderBy("id").execute(),
      row.filed_by_official_id
        ? this.db
            .selectFrom("officials")
            .select(["name", "role"])
            .where("id", "=", row.filed_by_official_id)
            .executeTakeFirst()
        : Promise.resolve(undefined),
    ]);
    const snapshot = JSON.parse(row.procedure_snapshot) as DossierRecord["procedure"];
    return {
      code: row.code,
      state: row.state as DossierState,
      stateLabel: STATE_LABELS[row.state as DossierState],
      procedure: {
        code: snapshot.code,
        name: snapshot.name,
        level: snapshot.level,
        onlineLevel: snapshot.onlineLevel,
        processingDays: snapshot.processingDays,
      },
      unitCode: row.unit_code,
      unitName: unit?.name ?? row.unit_code,
      channel: row.channel as DossierRecord["channel"],
      applicant: JSON.parse(row.applicant),
      resultDelivery: JSON.parse(row.result_delivery),
      formData: JSON.parse(row.form_data),
      filedBy:
        filer && row.on_behalf_consent
          ? { name: filer.name, role: filer.role, consent: JSON.parse(row.on_behalf_consent) }
          : null,
      submittedAt: row.submitted_at,
      acceptedAt: row.accepted_at,
      dueDate: row.due_date,
      overdue: this.isOverdue(row.state as DossierState, row.due_date),
      feesDue: row.fees_due,
      missingDocuments: JSON.parse(row.missing_documents),
      attachments: attachments.map((a) =>
        AttachmentView.parse({
          id: a.id,
          documentIndex: a.document_index,
          documentName: a.document_name,
          mime: a.mime,
          size: a.size,
          fileName: a.file_name,
          kind: a.kind,
          uploadedAt: a.uploaded_at,
        }),
      ),
      history: steps.map(
        (s): DossierStep => ({
          at: s.at,
          actorKind: s.actor_kind as DossierStep["actorKind"],
          actorName: s.actor_name,
          role: s.role,
          unitCode: s.unit_code,
          action: s.action,
          note: s.note,
          fromState: s.from_state as DossierState | null,
          toState: s.to_state as DossierState,
        }),
      ),
      rating: row.rating_score === null ? null : { score: row.rating_score, comment: row.rating_comment },
      citizenId: row.citizen_id,
      filedByOfficialId: row.filed_by_official_id,
      attachmentFiles: Object.fromEntries(
        attachments.map((a) => [a.id, { sha256: a.sha256, mime: a.mime, fileName: a.file_name }]),
      ),
    };
  }

  listByCitizen(citizenId: number, page: Page): Promise<Paged<DossierSummary>> {
    return this.list((q) => q.where("citizen_id", "=", citizenId), page);
  }

  listFiledBy(officialId: number, page: Page): Promise<Paged<DossierSummary>> {
    return this.list((q) => q.where("filed_by_official_id", "=", officialId), page);
  }

  queue(filter: QueueFilter, page: Page): Promise<Paged<DossierSummary>> {
    const today = vietnamDate(this.now());
    return this.list((q) => {
      let query = q;
      if (filter.unitCode) query = query.where("unit_code", "=", filter.unitCode);
      if (filter.states && filter.states.length > 0) query = query.where("state", "in", filter.states);
      if (filter.procedureCode) query = query.where("procedure_code", "=", filter.procedureCode);
      if (filter.channel) query = query.where("channel", "=", filter.channel);
      if (filter.overdue !== undefined) {
        const running = [...RUNNING_STATES];
        query = filter.overdue
          ? query.where("state", "in", running).where("due_date", "<", today)
          : query.where((eb) =>
              eb.or([eb("state", "not in", running), eb("due_date", "is", null), eb("due_date", ">=", today)]),
            );
      }
      return query;
    }, page);
  }

  async transition(
    code: string,
    action: OfficialAction,
    actor: StepActor,
    details: ActionDetails,
  ): Promise<DossierRecord> {
    const at = this.now();
    const calendar = await this.calendar.calendar();
    await this.change(code, actor, action, details.note ?? null, at, (row) => {
      const state = row.state as DossierState;
      if (!canTransition(action, state)) throw new IllegalTransitionError(state, actionLabel(action));
      const to = TRANSITIONS[action].to as DossierState;
      const set: RowChange = { state: to };
      const today = vietnamDate(at);
      switch (action) {
        case "accept": {
          const days = procedureDays(row);
          set.accepted_at = at.toISOString();
          set.complete_received_at = at.toISOString();
          set.due_date = days === null ? null : calendar.addWorkingDays(today, days);
          break;
        }
        case "request-supplement":
          set.resume_state = state === STATE.NEW ? STATE.NEW : STATE.PROCESSING;
          set.missing_documents = JSON.stringify(details.missingDocuments ?? []);
          break;
        case "request-payment":
          if (details.amount !== undefined) set.fees_due = details.amount;
          break;
        case "deliver":
          if (details.trackingNumber) set.postal_tracking = details.trackingNumber;
          set.delivered_at = at.toISOString();
          break;
        default:
          break;
      }
      return { set, to, details: detailsOf(details) };
    });
    return (await this.get(code)) as DossierRecord;
  }

  async supplement(
    code: string,
    actor: StepActor,
    attachments: StoredAttachment[],
    note?: string,
  ): Promise<DossierRecord> {
    const at = this.now();
    const calendar = await this.calendar.calendar();
    await this.change(code, actor, "supplement", note ?? null, at, async (row, trx) => {
      const state = row.state as DossierState;
      if (!canTransition("supplement", state)) throw new IllegalTransitionError(state, actionLabel("supplement"));
      const to = (row.resume_state ?? STATE.NEW) as DossierState;
      const set: RowChange = { state: to, resume_state: null, missing_documents: "[]" };
      // docs/decisions/0005: once accepted, the time restarts from the day the complete dossier is received.
      if (to !== STATE.NEW) {
        const days = procedureDays(row);
        set.complete_received_at = at.toISOString();
        set.due_date = days === null ? null : calendar.addWorkingDays(vietnamDate(at), days);
      }
      const attachmentIds = await insertAttachments(trx, row.id, attachments, "supplement", at);
      await this.hooks.onCommitting?.(trx, {
        action: "supplement",
        dossierId: row.id,
        code,
        attachmentIds,
        note: note ?? null,
      });
      return { set, to, details: { files: attachments.length } };
    });
    return (await this.get(code)) as DossierRecord;
  }

  async withdraw(code: string, actor: StepActor, reason: string): Promise<DossierRecord> {
    const at = this.now();
    await this.change(code, actor, "withdraw", reason, at, async (row, trx) => {
      const state = row.state as DossierState;
      if (!canTransition("withdraw", state)) throw new IllegalTransitionError(state, actionLabel("withdraw"));
      await this.hooks.onCommitting?.(trx, { action: "withdraw", dossierId: row.id, code, reason });
      return { set: { state: STATE.WITHDRAWN, resume_state: null }, to: STATE.WITHDRAWN, details: null };
    });
    return (await this.get(code)) as DossierRecord;
  }

  async rate(code: string, score: number, comment: string | undefined): Promise<DossierRecord> {
    const result = await this.db
      .updateTable("dossiers")
      .set({ rating_score: score, rating_comment: comment ?? null, updated_at: this.now().toISOString() })
      .where("code", "=", code)
      .where("state", "=", STATE.DELIVERED)
      .where("rating_score", "is", null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      const row = await this.db
        .selectFrom("dossiers")
        .select(["state", "rating_score"])
        .where("code", "=", code)
        .executeTakeFirst();
      if (!row) throw new NotFoundError("Không tìm thấy hồ sơ.");
      if (row.rating_score !== null)
        throw new ConflictError("ALREADY_RATED", "Bạn đã đánh giá hồ sơ này rồi. Cảm ơn bạn!");
      throw new ConflictError("NOT_DELIVERED", "Chỉ đánh giá được sau khi đã nhận kết quả.");
    }
    return (await this.get(code)) as DossierRecord;
  }

  async lookup(code: string): Promise<DossierLookup | undefined> {
    const row = await this.db
      .selectFrom("dossiers")
      .innerJoin("receiving_units", "receiving_units.code", "dossiers.unit_code")
      .select([
        "dossiers.code",
        "dossiers.state",
        "dossiers.procedure_snapshot",
        "dossiers.applicant_name",
        "dossiers.submitted_at",
        "dossiers.due_date",
        "receiving_units.name as unit_name",
      ])
      .where("dossiers.code", "=", code)
      .executeTakeFirst();
    if (!row) return undefined;
    const state = row.state as DossierState;
    return {
      code: row.code,
      state,
      stateLabel: STATE_LABELS[state],
      procedureName: (JSON.parse(row.procedure_snapshot) as { name: string }).name,
      unitName: row.unit_name,
      applicantName: maskName(row.applicant_name),
      submittedAt: row.submitted_at,
      dueDate: row.due_date,
      overdue: this.isOverdue(state, row.due_date),
    };
  }

  /**
   * Records a change decided elsewhere — the provincial portal, the system of record in PORTAL_MODE=http — with the
   * same step, event and notification as a change made here. `decide` runs in the transaction (it may write there too)
   * and returns null when there is nothing to change. Resolves to whether a change was written.
   */
  async applyExternal(
    code: string,
    actor: StepActor,
    action: string,
    note: string | null,
    at: Date,
    decide: (row: Row, trx: Trx) => Promise<ChangeDecision>,
  ): Promise<boolean> {
    return this.change(code, actor, action, note, at, decide);
  }

  subscribe(listener: (event: DossierEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private isOverdue(state: DossierState, dueDate: string | null): boolean {
    return RUNNING_STATES.has(state) && dueDate !== null && this.now() > endOfVietnamDay(dueDate);
  }

  /**
   * One change: read the row, let `decide` check and compute it, write it only if the state is still the one read
   * (two officials clicking at once: the second gets a 409), record the step and the event, in one transaction.
   */
  private async change(
    code: string,
    actor: StepActor,
    action: string,
    note: string | null,
    at: Date,
    decide: (row: Row, trx: Trx) => ChangeDecision | Promise<ChangeDecision>,
  ): Promise<boolean> {
    const events: DossierEvent[] = [];
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom("dossiers").selectAll().where("code", "=", code).executeTakeFirst();
      if (!row) throw new NotFoundError("Không tìm thấy hồ sơ.");
      const decision = await decide(row, trx);
      if (decision === null) return;
      const { set, to, details } = decision;
      const updated = await trx
        .updateTable("dossiers")
        .set({ ...set, updated_at: at.toISOString() })
        .where("id", "=", row.id)
        .where("state", "=", row.state)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) {
        throw new ConflictError("CONCURRENT_CHANGE", "Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại.");
      }
      await addStep(trx, row.id, actor, action, note, row.state as DossierState, to, at, details);
      const event = await addEvent(trx, row.id, {
        type: "dossier.state-changed",
        code,
        fromState: row.state as DossierState,
        toState: to,
        action,
        at: at.toISOString(),
        citizenId: row.citizen_id,
        unitCode: row.unit_code,
      });
      events.push(event);
      // The citizen's notification is written with the change, in the same transaction (issue 5).
      await this.planner?.onStateChange(trx, event.id, {
        id: row.id,
        code,
        citizenId: row.citizen_id,
        procedureName: (JSON.parse(row.procedure_snapshot) as { name: string }).name,
        state: to,
        dueDate: set.due_date !== undefined ? (set.due_date as string | null) : row.due_date,
        missingDocuments: JSON.parse((set.missing_documents as string | undefined) ?? row.missing_documents),
        feesDue: set.fees_due !== undefined ? (set.fees_due as number | null) : row.fees_due,
      });
    });
    this.publish(events);
    return events.length > 0;
  }

  private async list(
    where: (q: SelectQueryBuilder<Database, "dossiers", object>) => SelectQueryBuilder<Database, "dossiers", object>,
    page: Page,
  ): Promise<Paged<DossierSummary>> {
    const base = where(this.db.selectFrom("dossiers"));
    const [rows, total] = await Promise.all([
      base
        .select([
          "code",
          "state",
          "unit_code",
          "channel",
          "submitted_at",
          "due_date",
          "procedure_code",
          "procedure_snapshot",
          "applicant_name",
        ])
        .orderBy("submitted_at", "desc")
        .orderBy("id", "desc")
        .limit(page.limit)
        .offset(page.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    ]);
    return {
      total: Number(total.n),
      items: rows.map((r) => {
        const state = r.state as DossierState;
        return {
          code: r.code,
          state,
          stateLabel: STATE_LABELS[state],
          unitCode: r.unit_code,
          channel: r.channel as DossierSummary["channel"],
          submittedAt: r.submitted_at,
          dueDate: r.due_date,
          overdue: this.isOverdue(state, r.due_date),
          procedureCode: r.procedure_code,
          procedureName: (JSON.parse(r.procedure_snapshot) as { name: string }).name,
          applicantName: r.applicant_name,
        };
      }),
    };
  }

  private publish(events: DossierEvent[]): void {
    for (const event of events) {
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch {
          // A listener's failure must not undo or hide a committed change; the event row stays for the outbox.
        }
      }
    }
  }
}

/** `{agency code}-{yyMMdd}-{4 digits}`: the counter restarts each day per agency, inside the filing transaction. */
async function nextCode(trx: Trx, agencyCode: string, at: Date): Promise<string> {
  const day = vietnamDate(at).replace(/-/g, "").slice(2);
  const row = await trx
    .insertInto("dossier_counters")
    .values({ agency_code: agencyCode, day, last: 1 })
    .onConflict((oc) => oc.columns(["agency_code", "day"]).doUpdateSet((eb) => ({ last: eb("last", "+", 1) })))
    .returning("last")
    .executeTakeFirstOrThrow();
  if (row.last > 9999) throw new ConflictError("DAILY_LIMIT", "Đơn vị đã nhận quá 9.999 hồ sơ trong ngày.");
  return `${agencyCode}-${day}-${String(row.last).padStart(4, "0")}`;
}

async function insertAttachments(
  trx: Trx,
  dossierId: number,
  attachments: StoredAttachment[],
  kind: "initial" | "supplement",
  at: Date,
): Promise<number[]> {
  if (attachments.length === 0) return [];
  const rows = await trx
    .insertInto("attachments")
    .values(
      attachments.map((a) => ({
        dossier_id: dossierId,
        document_index: a.documentIndex,
        document_name: a.documentName,
        sha256: a.sha256,
        mime: a.mime,
        size: a.size,
        file_name: a.fileName,
        kind,
        uploaded_at: at.toISOString(),
      })),
    )
    .returning("id")
    .execute();
  return rows.map((r) => r.id);
}

async function addStep(
  trx: Trx,
  dossierId: number,
  actor: StepActor,
  action: string,
  note: string | null,
  from: DossierState | null,
  to: DossierState,
  at: Date,
  details: unknown,
): Promise<void> {
  await trx
    .insertInto("dossier_steps")
    .values({
      dossier_id: dossierId,
      at: at.toISOString(),
      actor_kind: actor.kind,
      actor_id: actor.id,
      actor_name: actor.name,
      role: actor.role,
      unit_code: actor.unitCode,
      action,
      note,
      from_state: from,
      to_state: to,
      details: details === null || details === undefined ? null : JSON.stringify(details),
    })
    .execute();
}

async function addEvent(trx: Trx, dossierId: number, event: Omit<DossierEvent, "id">): Promise<DossierEvent> {
  const row = await trx
    .insertInto("dossier_events")
    .values({ dossier_id: dossierId, type: event.type, payload: JSON.stringify(event), created_at: event.at })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, ...event };
}

function procedureDays(row: Row): number | null {
  return (JSON.parse(row.procedure_snapshot) as { processingDays: number | null }).processingDays;
}

/** The fee is known at filing only when the procedure has one fee line with a known amount (or is free). */
function feesDue(fees: { amount: number | null }[]): number | null {
  if (fees.length > 0 && fees.every((f) => f.amount === 0)) return 0;
  if (fees.length === 1 && fees[0]?.amount !== null && fees[0]?.amount !== undefined) return fees[0].amount;
  return null;
}

function detailsOf(details: ActionDetails): unknown {
  const out: Record<string, unknown> = {};
  if (details.missingDocuments) out.missingDocuments = details.missingDocuments;
  if (details.amount !== undefined) out.amount = details.amount;
  if (details.trackingNumber) out.trackingNumber = details.trackingNumber;
  return Object.keys(out).length > 0 ? out : null;
}

function actionLabel(action: keyof typeof TRANSITIONS): string {
  return {
    accept: "tiếp nhận",
    reject: "từ chối tiếp nhận",
    "request-supplement": "yêu cầu bổ sung",
    supplement: "bổ sung giấy tờ",
    process: "chuyển xử lý",
    "request-payment": "yêu cầu nộp phí",
    "confirm-payment": "xác nhận đã nộp phí",
    stop: "dừng xử lý",
    complete: "hoàn thành",
    deliver: "trả kết quả",
    withdraw: "rút hồ sơ",
  }[action];
}
