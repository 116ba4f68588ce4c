import {
  ACTIONS,
  canTransition,
  type DossierAction,
  type DossierState,
  type DossierStateChange,
  FINAL_STATES,
  type NotificationKind,
  type PaymentLine,
  PORTAL_UPDATE_STEP,
  STATE,
  STATE_NOTIFICATIONS,
} from "@qn/shared";
import { IllegalTransitionError } from "./records.errors";

export { IllegalTransitionError };

/**
 * What a dossier state change writes, decided in one place for every path that changes a dossier: an official's or
 * a citizen's action here (`decideAction`), and a change the provincial portal made (`decidePortalChange`). Pure: the
 * records repository reads the dossier, calls one of these, and writes what it returns — the dossier's fields, a step
 * of its history, a domain event and the citizen's notification — in one transaction (docs/architecture.md).
 */

/** What the rules read of a dossier. */
export type DossierFacts = {
  state: DossierState;
  /** Where a supplement takes the dossier back to. */
  resumeState: DossierState | null;
  acceptedAt: string | null;
  dueDate: string | null;
  missingDocuments: string[];
  feesDue: number | null;
  /** The procedure's time limit in working days, or null when it has none. */
  processingDays: number | null;
};

/** The dossier's fields a change sets (absent = unchanged). */
export type FieldChanges = {
  state: DossierState;
  resumeState?: DossierState | null;
  acceptedAt?: string;
  completeReceivedAt?: string;
  dueDate?: string | null;
  missingDocuments?: string[];
  feesDue?: number;
  postalTracking?: string;
  deliveredAt?: string;
};

/** A decided change: what to write. */
export type Transition = {
  from: DossierState;
  to: DossierState;
  fields: FieldChanges;
  /** The step of the dossier's history, and the action its `dossier.state-changed` event carries. */
  step: { action: string; note: string | null; details: Record<string, unknown> | null };
  /** What the citizen is told, or null for a change they are not told about. */
  notification: NotificationKind | null;
};

/** What an action brings with it (the console's and the citizen's inputs, already validated). */
export type ActionInputs = {
  note?: string | null | undefined;
  missingDocuments?: string[] | undefined;
  amount?: number | undefined;
  /** For request-payment: the fee lines the amount is made of. */
  lines?: PaymentLine[] | undefined;
  /** For confirm-payment by the payment service: the online payment's reference (none when paid at the counter). */
  payment?: string | undefined;
  trackingNumber?: string | undefined;
  /** For deliver by the postal service: its order's reference (the result reached the citizen by post). */
  postalOrder?: string | undefined;
  /** For a supplement: how many files came with it. */
  files?: number | undefined;
};

export type Clock = {
  at: Date;
  /** The calendar date in Vietnam of `at`, `yyyy-mm-dd`. */
  today: string;
  /** The working-day calendar: `days` working days after `date`. */
  addWorkingDays: (date: string, days: number) => string;
};

/** Where an action leads from a state, or null when the state machine does not allow it. */
export function targetOf(
  action: DossierAction,
  facts: Pick<DossierFacts, "state" | "resumeState">,
): DossierState | null {
  if (!canTransition(action, facts.state)) return null;
  const { to } = ACTIONS[action];
  return to === "resume" ? (facts.resumeState ?? STATE.NEW) : to;
}

/** An action done here, checked against the state machine; throws IllegalTransitionError when it is not allowed. */
export function decideAction(
  facts: DossierFacts,
  action: DossierAction,
  inputs: ActionInputs,
  clock: Clock,
): Transition {
  const to = targetOf(action, facts);
  if (to === null) throw new IllegalTransitionError(facts.state, action);
  const at = clock.at.toISOString();
  const fields: FieldChanges = { state: to };
  const details: Record<string, unknown> = {};
  const restartClock = () => {
    // docs/decisions/0005: the time runs from the day the complete dossier is received.
    fields.completeReceivedAt = at;
    fields.dueDate = facts.processingDays === null ? null : clock.addWorkingDays(clock.today, facts.processingDays);
  };
  switch (action) {
    case "accept":
      fields.acceptedAt = at;
      restartClock();
      break;
    case "request-supplement":
      fields.resumeState = facts.state === STATE.NEW ? STATE.NEW : STATE.PROCESSING;
      fields.missingDocuments = inputs.missingDocuments ?? [];
      if (inputs.missingDocuments?.length) details.missingDocuments = inputs.missingDocuments;
      break;
    case "supplement":
      fields.resumeState = null;
      fields.missingDocuments = [];
      // Asked at reception, the dossier is still waiting to be accepted: its clock has not started.
      if (to !== STATE.NEW) restartClock();
      details.files = inputs.files ?? 0;
      break;
    case "request-payment": {
      const amount = inputs.lines ? inputs.lines.reduce((sum, l) => sum + l.amount, 0) : inputs.amount;
      if (amount !== undefined) {
        fields.feesDue = amount;
        details.amount = amount;
      }
      if (inputs.lines) details.lines = inputs.lines;
      break;
    }
    case "confirm-payment":
      if (inputs.payment) details.payment = inputs.payment;
      break;
    case "deliver":
      if (inputs.trackingNumber) {
        fields.postalTracking = inputs.trackingNumber;
        details.trackingNumber = inputs.trackingNumber;
      }
      if (inputs.postalOrder) details.postalOrder = inputs.postalOrder;
      fields.deliveredAt = at;
      break;
    case "withdraw":
      fields.resumeState = null;
      break;
    default:
      break;
  }
  return {
    from: facts.state,
    to,
    fields,
    step: { action, note: inputs.note ?? null, details: Object.keys(details).length > 0 ? details : null },
    notification: STATE_NOTIFICATIONS[to] ?? null,
  };
}

/** What became of a change from the portal. */
export type PortalChangeDecision =
  | { outcome: "applied"; transition: Transition }
  /** The filing itself (null → 1), or a state the dossier already has (the citizen's own supplement or withdrawal). */
  | { outcome: "unchanged" }
  /** Older than a change already applied, or after a final state: it must not take the dossier back. */
  | { outcome: "stale" };

/**
 * A change the provincial portal made (PORTAL_MODE=http: it is the system of record, so its state is taken as it
 * comes, not checked against our machine). It sets the same fields an action here would: the dates of acceptance,
 * the supplement's return point, the amount due, the tracking number, delivery; the due date is the portal's.
 */
export function decidePortalChange(
  facts: DossierFacts,
  change: DossierStateChange,
  newerApplied: boolean,
): PortalChangeDecision {
  if (change.fromState === null || facts.state === change.toState) return { outcome: "unchanged" };
  if (newerApplied || FINAL_STATES.has(facts.state)) return { outcome: "stale" };
  const to = change.toState;
  const fields: FieldChanges = { state: to };
  if (change.dueDate) fields.dueDate = change.dueDate;
  if (facts.acceptedAt === null && facts.state === STATE.NEW && to !== STATE.NEW && to !== STATE.REJECTED) {
    fields.acceptedAt = change.at;
    fields.completeReceivedAt = change.at;
  }
  if (to === STATE.SUPPLEMENT_REQUESTED) {
    fields.resumeState = facts.state === STATE.NEW ? STATE.NEW : STATE.PROCESSING;
    fields.missingDocuments = change.missingDocuments;
  } else if (facts.state === STATE.SUPPLEMENT_REQUESTED) {
    fields.resumeState = null;
    fields.missingDocuments = [];
  }
  if (change.amount !== null) fields.feesDue = change.amount;
  if (change.trackingNumber) fields.postalTracking = change.trackingNumber;
  if (to === STATE.DELIVERED) fields.deliveredAt = change.at;
  const details: Record<string, unknown> = { portalEvent: change.eventId };
  if (change.missingDocuments.length > 0) details.missingDocuments = change.missingDocuments;
  if (change.amount !== null) details.amount = change.amount;
  if (change.trackingNumber) details.trackingNumber = change.trackingNumber;
  return {
    outcome: "applied",
    transition: {
      from: facts.state,
      to,
      fields,
      step: { action: portalStepOf(change), note: change.note, details },
      notification: STATE_NOTIFICATIONS[to] ?? null,
    },
  };
}

/** The step a portal change is recorded as: the action it names if it is one of ours, else what its states mean. */
export function portalStepOf(change: Pick<DossierStateChange, "action" | "fromState" | "toState">): string {
  if (change.action && Object.hasOwn(ACTIONS, change.action)) return change.action;
  if (change.fromState === STATE.SUPPLEMENT_REQUESTED && change.toState !== STATE.WITHDRAWN) return "supplement";
  // The first action of the table that leads there (4: "process", not "confirm-payment").
  const byTarget = (Object.keys(ACTIONS) as DossierAction[]).find((a) => ACTIONS[a].to === change.toState);
  return byTarget ?? PORTAL_UPDATE_STEP;
}
