import type {
  Channel,
  DossierAction,
  DossierLookup,
  DossierState,
  DossierSubmission,
  DossierSummary,
  DossierView,
  OnBehalfConsent,
  PaymentLine,
  Procedure,
} from "@qn/shared";

/**
 * The one door to "the portal", the system of record for dossiers. The embedded portal (SQLite, this process) is the
 * first implementation; the provincial portal over HTTP (issue 7) is the second. Nothing above this interface knows
 * which one runs.
 */
export interface PortalGateway {
  submit(input: SubmitInput): Promise<DossierRecord>;
  get(code: string): Promise<DossierRecord | undefined>;
  listByCitizen(citizenId: number, page: Page): Promise<Paged<DossierSummary>>;
  listFiledBy(officialId: number, page: Page): Promise<Paged<DossierSummary>>;
  queue(filter: QueueFilter, page: Page): Promise<Paged<DossierSummary>>;
  transition(code: string, action: OfficialAction, actor: StepActor, details: ActionDetails): Promise<DossierRecord>;
  supplement(code: string, actor: StepActor, attachments: StoredAttachment[], note?: string): Promise<DossierRecord>;
  withdraw(code: string, actor: StepActor, reason: string): Promise<DossierRecord>;
  rate(code: string, score: number, comment: string | undefined): Promise<DossierRecord>;
  /** The public lookup with its details, and what decides who may see them (the service strips them otherwise). */
  lookup(code: string): Promise<LookupRecord | undefined>;
  /**
   * Refuses a filing that would break the citizen's quota (open dossiers of the procedure, filings in the last hour).
   * `submit` checks it again inside its transaction; this earlier check spares the files of a refused flood.
   */
  checkQuota(citizenId: number, procedure: { code: string; name: string }, quota: FilingQuota): Promise<void>;
  /** Sets or clears an official's spam mark (a flag beside the state, recorded locally in both modes). */
  markSpam(code: string, officialId: number, spam: boolean, note: string | null): Promise<DossierRecord>;
  /** Called after each committed change, in order. Returns a function that unsubscribes. */
  subscribe(listener: (event: DossierEvent) => void): () => void;
}

export type OfficialAction = Exclude<DossierAction, "supplement" | "withdraw">;

export type Page = { limit: number; offset: number };
export type Paged<T> = { items: T[]; total: number };

export type QueueFilter = {
  unitCode?: string | undefined;
  states?: DossierState[] | undefined;
  overdue?: boolean | undefined;
  procedureCode?: string | undefined;
  channel?: Channel | undefined;
  /** Only the dossiers marked as spam (true), or only the others (false, what the queue shows by default). */
  spam?: boolean | undefined;
};

/** What one citizen may file (config FILING_MAX_OPEN_PER_PROCEDURE, FILING_MAX_PER_HOUR). */
export type FilingQuota = { openPerProcedure: number; perHour: number };

/** A public lookup as stored: its view with the details, the receipt's secret, and the dossier's owner and filer. */
export type LookupRecord = {
  view: DossierLookup & { details: NonNullable<DossierLookup["details"]> };
  secret: string | null;
  citizenId: number | null;
  filedByOfficialId: number | null;
};

/** Who did a step, as recorded in the dossier's history. */
export type StepActor = {
  kind: "citizen" | "official" | "system";
  id: number | null;
  name: string;
  role: string;
  unitCode: string | null;
};

export type ActionDetails = {
  note?: string | undefined;
  missingDocuments?: string[] | undefined;
  amount?: number | undefined;
  /** For request-payment: the fee lines (issue 14). */
  lines?: PaymentLine[] | undefined;
  /** For confirm-payment by the payment service: the payment's reference. */
  payment?: string | undefined;
  trackingNumber?: string | undefined;
  /** For deliver by the postal service: the postal order that handed the result over (issue 15). */
  postalOrder?: string | undefined;
};

/** A file already validated and stored (content-addressed) by the attachment store. */
export type StoredAttachment = {
  documentIndex: number | null;
  documentName: string;
  sha256: string;
  mime: "image/jpeg" | "image/png" | "application/pdf";
  size: number;
  fileName: string;
};

export type SubmitInput = {
  submission: DossierSubmission;
  procedure: Procedure;
  unitCode: string;
  channel: Channel;
  citizenId: number | null;
  filedBy: { officialId: number; consent: OnBehalfConsent } | null;
  attachments: StoredAttachment[];
  actor: StepActor;
  /** The citizen's quota, checked in the filing's transaction; absent for filers the quotas do not bind. */
  quota?: FilingQuota | undefined;
};

/** A dossier as the gateway returns it: the public view plus what authorisation needs. */
export type DossierRecord = DossierView & {
  citizenId: number | null;
  filedByOfficialId: number | null;
  attachmentFiles: Record<number, { sha256: string; mime: string; fileName: string }>;
};

export type DossierEvent = {
  id: number;
  type: "dossier.submitted" | "dossier.state-changed" | "dossier.rated";
  code: string;
  fromState: DossierState | null;
  toState: DossierState;
  action: string;
  at: string;
  citizenId: number | null;
  unitCode: string;
};
