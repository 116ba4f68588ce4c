import type {
  Channel,
  DossierAction,
  DossierLookup,
  DossierState,
  DossierSubmission,
  DossierSummary,
  DossierView,
  OnBehalfConsent,
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
  lookup(code: string): Promise<DossierLookup | undefined>;
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
  trackingNumber?: string | undefined;
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
