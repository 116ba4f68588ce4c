import {
  AttachmentView,
  type DossierState,
  type DossierStep,
  type DossierSummary,
  endOfVietnamDay,
  type FeeExemption,
  maskName,
  type ProcedureFee,
  RUNNING_STATES,
  STATE_LABELS,
} from "@qn/shared";
import type { Selectable } from "kysely";
import type { Database } from "../../db/schema";
import type { DossierRecord, LookupRecord } from "./gateway";
import type { DossierFacts, FieldChanges } from "./transitions";

/** The rows of the system of record, and how they read as the gateway's views (no I/O here). */
export type DossierRow = Selectable<Database["dossiers"]>;
type AttachmentRow = Selectable<Database["attachments"]>;
type StepRow = Selectable<Database["dossier_steps"]>;

/** The procedure as it was when the dossier was filed (the catalogue may change afterwards). */
export type ProcedureSnapshot = DossierRecord["procedure"] & {
  fees: ProcedureFee[];
  /** Absent in snapshots taken before issue 14. */
  exemptions?: FeeExemption[];
  postal: boolean;
  documents: unknown[];
};

export const snapshotOf = (row: Pick<DossierRow, "procedure_snapshot">) =>
  JSON.parse(row.procedure_snapshot) as ProcedureSnapshot;

/** Running and past its due date (the end of that day in Vietnam). */
export function isOverdue(state: DossierState, dueDate: string | null, now: Date): boolean {
  return RUNNING_STATES.has(state) && dueDate !== null && now > endOfVietnamDay(dueDate);
}

/** What the transition rules read of a row. */
export function factsOf(row: DossierRow): DossierFacts {
  return {
    state: row.state as DossierState,
    resumeState: row.resume_state as DossierState | null,
    acceptedAt: row.accepted_at,
    dueDate: row.due_date,
    missingDocuments: JSON.parse(row.missing_documents) as string[],
    feesDue: row.fees_due,
    processingDays: snapshotOf(row).processingDays,
  };
}

/** The columns a transition's fields are written to. */
export function columnsOf(fields: FieldChanges) {
  const set: Partial<DossierRow> = { state: fields.state };
  if (fields.resumeState !== undefined) set.resume_state = fields.resumeState;
  if (fields.acceptedAt !== undefined) set.accepted_at = fields.acceptedAt;
  if (fields.completeReceivedAt !== undefined) set.complete_received_at = fields.completeReceivedAt;
  if (fields.dueDate !== undefined) set.due_date = fields.dueDate;
  if (fields.missingDocuments !== undefined) set.missing_documents = JSON.stringify(fields.missingDocuments);
  if (fields.feesDue !== undefined) set.fees_due = fields.feesDue;
  if (fields.postalTracking !== undefined) set.postal_tracking = fields.postalTracking;
  if (fields.deliveredAt !== undefined) set.delivered_at = fields.deliveredAt;
  return set;
}

export function recordOf(
  row: DossierRow,
  related: {
    unitName: string | undefined;
    attachments: AttachmentRow[];
    steps: StepRow[];
    filer: { name: string; role: string } | undefined;
    /** The official who marked the dossier as spam, if one did. */
    spamBy?: { name: string } | undefined;
  },
  now: Date,
): DossierRecord {
  const snapshot = snapshotOf(row);
  const state = row.state as DossierState;
  const { attachments, steps, filer } = related;
  return {
    code: row.code,
    state,
    stateLabel: STATE_LABELS[state],
    procedure: {
      code: snapshot.code,
      name: snapshot.name,
      level: snapshot.level,
      onlineLevel: snapshot.onlineLevel,
      processingDays: snapshot.processingDays,
    },
    unitCode: row.unit_code,
    unitName: related.unitName ?? row.unit_code,
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
    overdue: isOverdue(state, row.due_date, now),
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
    ...(row.lookup_secret ? { lookupSecret: row.lookup_secret } : {}),
    spam: row.spam_at ? { at: row.spam_at, by: related.spamBy?.name ?? "", note: row.spam_note } : null,
    citizenId: row.citizen_id,
    filedByOfficialId: row.filed_by_official_id,
    attachmentFiles: Object.fromEntries(
      attachments.map((a) => [a.id, { sha256: a.sha256, mime: a.mime, fileName: a.file_name }]),
    ),
  };
}

export const SUMMARY_COLUMNS = [
  "code",
  "state",
  "unit_code",
  "channel",
  "submitted_at",
  "due_date",
  "procedure_code",
  "procedure_snapshot",
  "applicant_name",
] as const;

export function summaryOf(r: Pick<DossierRow, (typeof SUMMARY_COLUMNS)[number]>, now: Date): DossierSummary {
  const state = r.state as DossierState;
  return {
    code: r.code,
    state,
    stateLabel: STATE_LABELS[state],
    unitCode: r.unit_code,
    channel: r.channel as DossierSummary["channel"],
    submittedAt: r.submitted_at,
    dueDate: r.due_date,
    overdue: isOverdue(state, r.due_date, now),
    procedureCode: r.procedure_code,
    procedureName: snapshotOf(r).name,
    applicantName: r.applicant_name,
  };
}

export const LOOKUP_COLUMNS = [
  "code",
  "state",
  "procedure_snapshot",
  "applicant_name",
  "submitted_at",
  "due_date",
  "lookup_secret",
  "citizen_id",
  "filed_by_official_id",
] as const;

/** The public lookup by code: state and due date; the details (the applicant's name masked) for the service to keep or strip. */
export function lookupOf(
  r: Pick<DossierRow, (typeof LOOKUP_COLUMNS)[number]> & { unit_name: string },
  now: Date,
): LookupRecord {
  const state = r.state as DossierState;
  return {
    view: {
      code: r.code,
      state,
      stateLabel: STATE_LABELS[state],
      procedureName: snapshotOf(r).name,
      dueDate: r.due_date,
      overdue: isOverdue(state, r.due_date, now),
      details: { unitName: r.unit_name, applicantName: maskName(r.applicant_name), submittedAt: r.submitted_at },
    },
    secret: r.lookup_secret,
    citizenId: r.citizen_id,
    filedByOfficialId: r.filed_by_official_id,
  };
}
