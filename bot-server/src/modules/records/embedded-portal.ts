import {
  type Channel,
  type DossierState,
  type DossierSummary,
  type FeeChoice,
  FILING_STEP,
  FINAL_STATES,
  quoteFees,
  RUNNING_STATES,
  STATE,
  vietnamDate,
} from "@qn/shared";
import type { Kysely, SelectQueryBuilder, Transaction } from "kysely";
import type { Db } from "../../db/database";
import type { Database } from "../../db/schema";
import type { CalendarService } from "../calendar/calendar.service";
import type { NotificationPlanner } from "../notifications/notification-planner";
import { candidateCodes, newLookupSecret } from "./dossier-code";
import type {
  ActionDetails,
  DossierEvent,
  DossierRecord,
  FilingQuota,
  LookupRecord,
  OfficialAction,
  Page,
  Paged,
  PortalGateway,
  QueueFilter,
  StepActor,
  StoredAttachment,
  SubmitInput,
} from "./gateway";
import {
  columnsOf,
  type DossierRow,
  factsOf,
  LOOKUP_COLUMNS,
  lookupOf,
  recordOf,
  SUMMARY_COLUMNS,
  snapshotOf,
  summaryOf,
} from "./record-view";
import {
  alreadyRated,
  concurrentChange,
  dossierNotFound,
  filingRateLimited,
  noCodeLeft,
  notDelivered,
  tooManyOpen,
} from "./records.errors";
import { type Clock, type DossierFacts, decideAction, type Transition } from "./transitions";

type Trx = Transaction<Database>;

/** A citizen's change about to be committed, for whoever must pass it on (the HTTP gateway's forwarding queue). */
export type LocalChange =
  | { action: "submit"; dossierId: number; code: string }
  | { action: "supplement"; dossierId: number; code: string; attachmentIds: number[]; note: string | null }
  | { action: "withdraw"; dossierId: number; code: string; reason: string };

/** A step of a dossier's history as it is written. */
export type RecordedStep = {
  at: string;
  actor: StepActor;
  action: string;
  note: string | null;
  from: DossierState | null;
  to: DossierState;
  details: Record<string, unknown> | null;
};

/** Everything a recorded change wrote: the step, its event, and the dossier's fields after it. */
export type RecordedChange = {
  dossierId: number;
  code: string;
  eventId: number;
  type: "dossier.submitted" | "dossier.state-changed";
  step: RecordedStep;
  dossier: {
    dueDate: string | null;
    missingDocuments: string[];
    feesDue: number | null;
    postalTracking: string | null;
  };
};

export type EmbeddedPortalHooks = {
  /** Runs inside the transaction of a submission, supplement or withdrawal: what it writes commits with it. */
  onCommitting?: (trx: Trx, change: LocalChange) => Promise<void>;
  /**
   * Run inside the transaction of every recorded step — the filing and each state change, whoever made it — after
   * the step and its event are written: what they write commits with the change (the portal API's change feed).
   */
  onRecorded?: readonly ((trx: Trx, change: RecordedChange) => Promise<void>)[];
};

/**
 * The embedded portal: the project's own system of record in SQLite. Every change is one transaction that writes the
 * dossier's fields, a step of its history, a domain event and the citizen's notification, as the transition rules
 * (transitions.ts) decide them; listeners hear about it after the commit.
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
      const snapshot = {
        code: procedure.code,
        name: procedure.name,
        level: procedure.level,
        onlineLevel: procedure.onlineLevel,
        processingDays: procedure.processingDays,
        fees: procedure.fees,
        exemptions: procedure.exemptions ?? [],
        postal: procedure.postal,
        documents: procedure.documents,
      };
      const row = {
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
        fees_due: feesDue(procedure, input.channel, submission.fees),
        fee_choice: submission.fees ? JSON.stringify(submission.fees) : null,
        pickup_request: submission.pickup ? JSON.stringify(submission.pickup) : null,
        postal_tracking: null,
        rating_score: null,
        rating_comment: null,
        updated_at: at.toISOString(),
        online_level: procedure.onlineLevel,
        result_method: submission.resultDelivery.method,
        delivered_at: null,
        lookup_secret: newLookupSecret(),
      };
      // The first free code among random ones; the unique column decides, and this write takes the database's write
      // lock first, so that no other process can take the same code meanwhile.
      let code: string | undefined;
      let inserted: { id: number } | undefined;
      for (const candidate of candidateCodes(unit.agency_code, at)) {
        inserted = await trx
          .insertInto("dossiers")
          .values({ ...row, code: candidate })
          .onConflict((oc) => oc.column("code").doNothing())
          .returning("id")
          .executeTakeFirst();
        if (inserted) {
          code = candidate;
          break;
        }
      }
      if (!inserted || code === undefined) throw noCodeLeft();
      // Counted after the write, with it, in the same transaction: concurrent filings of one citizen are serialised
      // by the write lock, so a burst cannot slip past the quota between a count and an insert.
      if (input.quota && input.citizenId !== null) {
        enforceQuota(await quotaUse(trx, input.citizenId, procedure.code, at), procedure, input.quota, 1);
      }
      await insertAttachments(trx, inserted.id, input.attachments, "initial", at);
      await this.hooks.onCommitting?.(trx, { action: "submit", dossierId: inserted.id, code });
      const note = input.filedBy ? "Nộp hồ sơ thay công dân (đã có sự đồng ý của công dân)" : null;
      const step: RecordedStep = {
        at: at.toISOString(),
        actor: input.actor,
        action: FILING_STEP,
        note,
        from: null,
        to: STATE.NEW,
        details: null,
      };
      const event = await this.record(
        trx,
        { id: inserted.id, code, citizenId: input.citizenId, unitCode: unit.code },
        step,
        {
          dueDate: null,
          missingDocuments: [],
          feesDue: row.fees_due,
          postalTracking: null,
        },
      );
      events.push(event);
      return code;
    });
    this.publish(events);
    return (await this.get(code)) as DossierRecord;
  }

  async get(code: string): Promise<DossierRecord | undefined> {
    const row = await this.db.selectFrom("dossiers").selectAll().where("code", "=", code).executeTakeFirst();
    if (!row) return undefined;
    const [unit, attachments, steps, filer, spamBy] = await Promise.all([
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
      row.spam_by
        ? this.db.selectFrom("officials").select("name").where("id", "=", row.spam_by).executeTakeFirst()
        : Promise.resolve(undefined),
    ]);
    return recordOf(row, { unitName: unit?.name, attachments, steps, filer, spamBy }, this.now());
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
      if (filter.spam !== undefined) query = query.where("spam_at", filter.spam ? "is not" : "is", null);
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
    const clock = await this.clock();
    await this.change(code, actor, clock.at, (_row, facts) => decideAction(facts, action, details, clock));
    return (await this.get(code)) as DossierRecord;
  }

  async supplement(
    code: string,
    actor: StepActor,
    attachments: StoredAttachment[],
    note?: string,
  ): Promise<DossierRecord> {
    const clock = await this.clock();
    await this.change(code, actor, clock.at, async (row, facts, trx) => {
      const transition = decideAction(facts, "supplement", { note, files: attachments.length }, clock);
      const attachmentIds = await insertAttachments(trx, row.id, attachments, "supplement", clock.at);
      await this.hooks.onCommitting?.(trx, {
        action: "supplement",
        dossierId: row.id,
        code,
        attachmentIds,
        note: note ?? null,
      });
      return transition;
    });
    return (await this.get(code)) as DossierRecord;
  }

  async withdraw(code: string, actor: StepActor, reason: string): Promise<DossierRecord> {
    const clock = await this.clock();
    await this.change(code, actor, clock.at, async (row, facts, trx) => {
      const transition = decideAction(facts, "withdraw", { note: reason }, clock);
      await this.hooks.onCommitting?.(trx, { action: "withdraw", dossierId: row.id, code, reason });
      return transition;
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
      if (!row) throw dossierNotFound();
      if (row.rating_score !== null) throw alreadyRated();
      throw notDelivered();
    }
    return (await this.get(code)) as DossierRecord;
  }

  async lookup(code: string): Promise<LookupRecord | undefined> {
    const row = await this.db
      .selectFrom("dossiers")
      .innerJoin("receiving_units", "receiving_units.code", "dossiers.unit_code")
      .select([...LOOKUP_COLUMNS.map((c) => `dossiers.${c}` as const), "receiving_units.name as unit_name"])
      .where("dossiers.code", "=", code)
      .executeTakeFirst();
    return row ? lookupOf(row, this.now()) : undefined;
  }

  async checkQuota(citizenId: number, procedure: { code: string; name: string }, quota: FilingQuota): Promise<void> {
    const at = this.now();
    enforceQuota(await quotaUse(this.db, citizenId, procedure.code, at), procedure, quota, 0);
  }

  async markSpam(code: string, officialId: number, spam: boolean, note: string | null): Promise<DossierRecord> {
    const result = await this.db
      .updateTable("dossiers")
      .set(
        spam
          ? { spam_at: this.now().toISOString(), spam_by: officialId, spam_note: note }
          : { spam_at: null, spam_by: null, spam_note: null },
      )
      .where("code", "=", code)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw dossierNotFound();
    return (await this.get(code)) as DossierRecord;
  }

  /**
   * Records a change decided elsewhere — the provincial portal, the system of record in PORTAL_MODE=http — with the
   * same step, event and notification as a change made here. `decide` runs in the transaction (it may write there too)
   * and returns the transition (transitions.ts, decidePortalChange) or null when there is nothing to write. Resolves
   * to whether a change was written.
   */
  applyExternal(
    code: string,
    actor: StepActor,
    at: Date,
    decide: (row: DossierRow, facts: DossierFacts, trx: Trx) => Promise<Transition | null>,
  ): Promise<boolean> {
    return this.change(code, actor, at, decide);
  }

  subscribe(listener: (event: DossierEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async clock(): Promise<Clock> {
    const at = this.now();
    const calendar = await this.calendar.calendar();
    return { at, today: vietnamDate(at), addWorkingDays: (date, days) => calendar.addWorkingDays(date, days) };
  }

  /**
   * One change: read the row, let `decide` check and compute it, write it only if the state is still the one read
   * (two officials clicking at once: the second gets a 409), record the step, the event and the notification, in one
   * transaction.
   */
  private async change(
    code: string,
    actor: StepActor,
    at: Date,
    decide: (row: DossierRow, facts: DossierFacts, trx: Trx) => Transition | null | Promise<Transition | null>,
  ): Promise<boolean> {
    const events: DossierEvent[] = [];
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom("dossiers").selectAll().where("code", "=", code).executeTakeFirst();
      if (!row) throw dossierNotFound();
      const before = factsOf(row);
      const transition = await decide(row, before, trx);
      if (transition === null) return;
      const updated = await trx
        .updateTable("dossiers")
        .set({ ...columnsOf(transition.fields), updated_at: at.toISOString() })
        .where("id", "=", row.id)
        .where("state", "=", row.state)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) {
        throw concurrentChange();
      }
      const { fields } = transition;
      const after = {
        dueDate: fields.dueDate !== undefined ? fields.dueDate : before.dueDate,
        missingDocuments: fields.missingDocuments ?? before.missingDocuments,
        feesDue: fields.feesDue ?? before.feesDue,
        postalTracking: fields.postalTracking ?? row.postal_tracking,
      };
      const step: RecordedStep = {
        at: at.toISOString(),
        actor,
        ...transition.step,
        from: before.state,
        to: transition.to,
      };
      const event = await this.record(
        trx,
        { id: row.id, code, citizenId: row.citizen_id, unitCode: row.unit_code },
        step,
        after,
      );
      events.push(event);
      // The citizen's notification is written with the change, in the same transaction (decision 0007).
      if (transition.notification) {
        await this.planner?.onStateChange(trx, event.id, transition.notification, {
          id: row.id,
          code,
          citizenId: row.citizen_id,
          procedureName: snapshotOf(row).name,
          state: transition.to,
          dueDate: after.dueDate,
          missingDocuments: after.missingDocuments,
          feesDue: after.feesDue,
        });
      }
    });
    this.publish(events);
    return events.length > 0;
  }

  /** Writes a step and its domain event, then runs the `onRecorded` hooks with what was written. */
  private async record(
    trx: Trx,
    dossier: { id: number; code: string; citizenId: number | null; unitCode: string },
    step: RecordedStep,
    after: RecordedChange["dossier"],
  ): Promise<DossierEvent> {
    await trx
      .insertInto("dossier_steps")
      .values({
        dossier_id: dossier.id,
        at: step.at,
        actor_kind: step.actor.kind,
        actor_id: step.actor.id,
        actor_name: step.actor.name,
        role: step.actor.role,
        unit_code: step.actor.unitCode,
        action: step.action,
        note: step.note,
        from_state: step.from,
        to_state: step.to,
        details: step.details === null ? null : JSON.stringify(step.details),
      })
      .execute();
    const type = step.from === null ? "dossier.submitted" : "dossier.state-changed";
    const payload: Omit<DossierEvent, "id"> = {
      type,
      code: dossier.code,
      fromState: step.from,
      toState: step.to,
      action: step.action,
      at: step.at,
      citizenId: dossier.citizenId,
      unitCode: dossier.unitCode,
    };
    const inserted = await trx
      .insertInto("dossier_events")
      .values({ dossier_id: dossier.id, type, payload: JSON.stringify(payload), created_at: step.at })
      .returning("id")
      .executeTakeFirstOrThrow();
    const recorded: RecordedChange = {
      dossierId: dossier.id,
      code: dossier.code,
      eventId: inserted.id,
      type,
      step,
      dossier: after,
    };
    for (const hook of this.hooks.onRecorded ?? []) await hook(trx, recorded);
    return { id: inserted.id, ...payload };
  }

  private async list(
    where: (q: SelectQueryBuilder<Database, "dossiers", object>) => SelectQueryBuilder<Database, "dossiers", object>,
    page: Page,
  ): Promise<Paged<DossierSummary>> {
    const base = where(this.db.selectFrom("dossiers"));
    const [rows, total] = await Promise.all([
      base
        .select(SUMMARY_COLUMNS)
        .orderBy("submitted_at", "desc")
        .orderBy("id", "desc")
        .limit(page.limit)
        .offset(page.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    ]);
    const now = this.now();
    return { total: Number(total.n), items: rows.map((r) => summaryOf(r, now)) };
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

/** States in which a dossier no longer waits for the unit: it does not count among its citizen's open ones. */
const SETTLED_STATES = [...FINAL_STATES, STATE.DONE];
const HOUR_MS = 3_600_000;

/**
 * What a citizen's quota counts (through the citizen index): their dossiers of the procedure not yet settled — a
 * dossier marked as spam counts whatever its state, so that withdrawing it frees nothing — and their filings in the
 * hour before `at`, with the first of them (when the hour frees a place).
 */
async function quotaUse(db: Kysely<Database>, citizenId: number, procedureCode: string, at: Date) {
  const since = new Date(at.getTime() - HOUR_MS).toISOString();
  const [open, hour] = await Promise.all([
    db
      .selectFrom("dossiers")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("citizen_id", "=", citizenId)
      .where("procedure_code", "=", procedureCode)
      .where((eb) => eb.or([eb("state", "not in", SETTLED_STATES), eb("spam_at", "is not", null)]))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("dossiers")
      .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.min("submitted_at").as("first")])
      .where("citizen_id", "=", citizenId)
      .where("submitted_at", ">", since)
      .executeTakeFirstOrThrow(),
  ]);
  const first = hour.first as string | null;
  return {
    open: Number(open.n),
    lastHour: Number(hour.n),
    /** When the first filing of the hour leaves it: a place frees then. */
    freesInMs: first ? Date.parse(first) + HOUR_MS - at.getTime() : HOUR_MS,
  };
}

/** Refuses when the use, less `own` filings already counted in it (the one being written), leaves no place. */
function enforceQuota(
  use: Awaited<ReturnType<typeof quotaUse>>,
  procedure: { name: string },
  quota: FilingQuota,
  own: 0 | 1,
): void {
  if (use.lastHour - own >= quota.perHour) {
    throw filingRateLimited(quota.perHour, Math.max(1, Math.ceil(use.freesInMs / 60_000)));
  }
  if (use.open - own >= quota.openPerProcedure) throw tooManyOpen(procedure.name, use.open - own);
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

/** What is due at filing: the quote's total when every line that applies has a figure, else unknown (state 6 sets it). */
function feesDue(procedure: SubmitInput["procedure"], channel: Channel, choice: FeeChoice | undefined): number | null {
  const quote = quoteFees(procedure, channel, choice);
  return quote.fixed ? quote.total : null;
}
