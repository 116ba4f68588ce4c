import { type DossierSummary, PORTAL_FORWARDING_LABELS, type PortalForwardingStatus } from "@qn/shared";
import { LeasedTimer } from "../../background/lease";
import type { PortalClient } from "../../clients/provincial-portal/portal.client";
import type { Db } from "../../db/database";
import { ConflictError } from "../../errors/app-error";
import type { Logger } from "../../logger";
import type { CalendarService } from "../calendar/calendar.service";
import type { AttachmentStore } from "../files/attachment-store";
import type { NotificationPlanner } from "../notifications/notification-planner";
import { EmbeddedPortal, type EmbeddedPortalHooks } from "../records/embedded-portal";
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
} from "../records/gateway";
import { enqueueForwarding, ForwardingWorker, type ForwardingWorkerOptions } from "./forwarding-worker";
import { PortalChanges } from "./portal-changes";

export type HttpPortalOptions = ForwardingWorkerOptions & {
  /** How often the portal's change feed is read (the fallback for lost callbacks). */
  pollMs: number;
  /** Run in the transaction of every step the local record writes (EmbeddedPortalHooks.onRecorded): required, so
   * that no process forgets what every change must also write (the portal API's change feed). */
  onRecorded: NonNullable<EmbeddedPortalHooks["onRecorded"]>;
};

/**
 * The provincial portal over HTTP (PORTAL_MODE=http, docs/decisions/0011 "The HTTP gateway"). Filing never waits for
 * the portal: the dossier is stored by an embedded portal used as the local record, and in the same transaction a job
 * is written to the forwarding queue (`portal_jobs`); the worker sends it with the portal client (idempotency key
 * derived from the local code) and records the portal's code. Citizens' supplements and withdrawals go the same way.
 * State changes come back by signed callback or by the change feed, are applied once per MaSuKien, and are recorded
 * through the embedded portal — same steps, events and notifications as in embedded mode. Officials act on the
 * provincial portal itself: the local officials' actions are refused.
 */
export class HttpPortal implements PortalGateway {
  readonly local: EmbeddedPortal;
  readonly forwarder: ForwardingWorker;
  readonly changes: PortalChanges;
  /** The change feed is read by one instance at a time (the lease `portal-changes`, decision 0021). */
  readonly feedPoller: LeasedTimer;

  constructor(
    private readonly db: Db,
    calendar: CalendarService,
    planner: NotificationPlanner,
    client: PortalClient,
    files: AttachmentStore,
    options: HttpPortalOptions,
    logger: Logger,
    now: () => Date = () => new Date(),
  ) {
    this.local = new EmbeddedPortal(db, calendar, now, planner, {
      onCommitting: (trx, change) => enqueueForwarding(trx, change, now()),
      onRecorded: options.onRecorded,
    });
    this.forwarder = new ForwardingWorker(db, this.local, client, files, options, logger);
    this.changes = new PortalChanges(db, this.local, client, logger);
    this.feedPoller = new LeasedTimer(
      db,
      "portal-changes",
      () => this.changes.poll(),
      { everyMs: options.pollMs },
      (error) => logger.error({ err: error }, "portal change feed poll failed"),
    );
  }

  /** Starts the forwarding worker and the feed poller. */
  start(): void {
    this.forwarder.start();
    this.feedPoller.start();
  }

  async stop(): Promise<void> {
    const poller = this.feedPoller.stop();
    this.changes.stop();
    await Promise.all([this.forwarder.stop(), this.changes.idle(), poller]);
  }

  async submit(input: SubmitInput): Promise<DossierRecord> {
    const record = await this.local.submit(input);
    this.forwarder.kick();
    return this.withPortal(record);
  }

  async get(code: string): Promise<DossierRecord | undefined> {
    const record = await this.local.get(code);
    return record && this.withPortal(record);
  }

  listByCitizen(citizenId: number, page: Page): Promise<Paged<DossierSummary>> {
    return this.local.listByCitizen(citizenId, page);
  }

  listFiledBy(officialId: number, page: Page): Promise<Paged<DossierSummary>> {
    return this.local.listFiledBy(officialId, page);
  }

  queue(filter: QueueFilter, page: Page): Promise<Paged<DossierSummary>> {
    return this.local.queue(filter, page);
  }

  /**
   * In http mode the provincial portal is the system of record and its officials work there; a change made here
   * would never reach it. Refused with 409: the state comes back here by callback or feed.
   */
  async transition(
    _code: string,
    _action: OfficialAction,
    _actor: StepActor,
    _details: ActionDetails,
  ): Promise<DossierRecord> {
    throw new ConflictError(
      "HANDLED_ON_PORTAL",
      "Hồ sơ này được xử lý trên Cổng dịch vụ công của tỉnh. Vui lòng thao tác trên cổng; trạng thái sẽ tự cập nhật về đây.",
    );
  }

  async supplement(
    code: string,
    actor: StepActor,
    attachments: StoredAttachment[],
    note?: string,
  ): Promise<DossierRecord> {
    const record = await this.local.supplement(code, actor, attachments, note);
    this.forwarder.kick();
    return this.withPortal(record);
  }

  async withdraw(code: string, actor: StepActor, reason: string): Promise<DossierRecord> {
    const record = await this.local.withdraw(code, actor, reason);
    this.forwarder.kick();
    return this.withPortal(record);
  }

  /** The contract has no rating: it stays with the bot server (the province's satisfaction survey reads it here). */
  async rate(code: string, score: number, comment: string | undefined): Promise<DossierRecord> {
    return this.withPortal(await this.local.rate(code, score, comment));
  }

  lookup(code: string): Promise<LookupRecord | undefined> {
    return this.local.lookup(code);
  }

  checkQuota(citizenId: number, procedure: { code: string; name: string }, quota: FilingQuota): Promise<void> {
    return this.local.checkQuota(citizenId, procedure, quota);
  }

  /** The spam mark is the bot server's own (its quotas, queue and reports), not the portal's: kept locally. */
  async markSpam(code: string, officialId: number, spam: boolean, note: string | null): Promise<DossierRecord> {
    return this.withPortal(await this.local.markSpam(code, officialId, spam, note));
  }

  subscribe(listener: (event: DossierEvent) => void): () => void {
    return this.local.subscribe(listener);
  }

  /** Adds where the dossier stands with the portal: its create job's status, and the portal's code once known. */
  private async withPortal(record: DossierRecord): Promise<DossierRecord> {
    const row = await this.db
      .selectFrom("dossiers")
      .leftJoin("portal_jobs", (join) =>
        join.onRef("portal_jobs.dossier_id", "=", "dossiers.id").on("portal_jobs.kind", "=", "create"),
      )
      .select(["dossiers.portal_code", "portal_jobs.status"])
      .where("dossiers.code", "=", record.code)
      .executeTakeFirst();
    if (!row || (row.status === null && row.portal_code === null)) return record; // filed before http mode
    const status: PortalForwardingStatus =
      row.status === "failed" ? "failed" : row.status === "done" || row.status === null ? "forwarded" : "forwarding";
    return { ...record, portal: { status, label: PORTAL_FORWARDING_LABELS[status], code: row.portal_code } };
  }
}
