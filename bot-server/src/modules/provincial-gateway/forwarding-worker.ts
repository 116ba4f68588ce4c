import { randomUUID } from "node:crypto";
import { buffer } from "node:stream/consumers";
import { type DossierForwarding, type OfficialRole, STATE } from "@qn/shared";
import { sql, type Transaction } from "kysely";
import { SingleFlight } from "../../background/single-flight";
import { PortalError, PortalRejectedError, PortalUnavailableError } from "../../clients/provincial-portal/errors";
import type { PortalClient } from "../../clients/provincial-portal/portal.client";
import type { Db } from "../../db/database";
import type { Database } from "../../db/schema";
import type { Logger } from "../../logger";
import type { AttachmentStore } from "../files/attachment-store";
import type { EmbeddedPortal, LocalChange } from "../records/embedded-portal";

export type ForwardingWorkerOptions = {
  /** Jobs claimed at once, and sent side by side (jobs of one dossier always one after the other). */
  batch?: number;
  concurrency?: number;
  leaseSeconds?: number;
  /** The first wait after a failure (doubling, with equal jitter) and the longest. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How often the queue is looked at for retries that came due (default 1 s). */
  queuePollMs?: number;
};

type Job = {
  id: number;
  dossier_id: number;
  dossier_code: string;
  kind: "create" | "supplement" | "withdraw";
  payload: string;
  progress: string;
  attempts: number;
};

/** What a job already did on the portal: attachments uploaded (local id → portal id). */
type Progress = { uploaded?: Record<string, string> };

/** Writes the forwarding job of a citizen's change, inside the transaction that records the change. */
export async function enqueueForwarding(trx: Transaction<Database>, change: LocalChange, at: Date): Promise<void> {
  let key: string;
  let payload: unknown;
  switch (change.action) {
    case "submit":
      key = `create:${change.code}`;
      payload = {};
      break;
    case "supplement":
      key = `supplement:${change.code}:${change.attachmentIds.join(".") || at.getTime()}`;
      payload = { attachmentIds: change.attachmentIds, note: change.note };
      break;
    case "withdraw":
      key = `withdraw:${change.code}`;
      payload = { reason: change.reason };
      break;
  }
  await trx
    .insertInto("portal_jobs")
    .values({
      idempotency_key: key,
      dossier_id: change.dossierId,
      dossier_code: change.code,
      kind: change.action === "submit" ? "create" : change.action,
      payload: JSON.stringify(payload),
      status: "pending",
      next_attempt_at: at.toISOString(),
      claimed_by: null,
      claimed_until: null,
      last_error: null,
      created_at: at.toISOString(),
      done_at: null,
    })
    .onConflict((oc) => oc.column("idempotency_key").doNothing())
    .execute();
}

/**
 * Sends the forwarding queue to the provincial portal. Same pattern as the outbox worker (decision 0007): a batch is
 * claimed atomically with a lease (a worker killed mid-job leaves it to be claimed again when the lease ends), and a
 * failure is retried with exponential backoff and jitter (or the portal's Retry-After). A dossier's jobs run in order:
 * a supplement or withdrawal waits for the dossier's creation. A job is repeatable: creation carries the idempotency
 * key `dossier:<local code>` (the portal answers the same dossier to a retry after a timeout), uploads already done
 * are remembered, and a supplement or withdrawal sent before reads the portal's dossier first.
 */
export class ForwardingWorker {
  readonly id = `forwarder-${randomUUID().slice(0, 8)}`;
  private readonly flight = new SingleFlight(
    () => this.drain(),
    (error) => this.logger.error({ err: error }, "portal forwarding failed"),
  );
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly local: EmbeddedPortal,
    private readonly client: PortalClient,
    private readonly files: AttachmentStore,
    private readonly options: ForwardingWorkerOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.kick();
    this.timer = setInterval(() => this.kick(), this.options.queuePollMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle();
  }

  kick(): void {
    if (this.stopped || !this.timer) return;
    this.flight.kick();
  }

  /** Resolves when nothing is being sent. */
  async idle(): Promise<void> {
    await this.flight.idle();
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const jobs = await this.claim();
      if (jobs.length === 0) return;
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(this.options.concurrency ?? 4, jobs.length) }, async () => {
          while (next < jobs.length) {
            const job = jobs[next++] as Job;
            await this.release(job, await this.process(job));
          }
        }),
      );
    }
  }

  private async claim(): Promise<Job[]> {
    const now = new Date();
    const until = new Date(now.getTime() + (this.options.leaseSeconds ?? 300) * 1000).toISOString();
    const batch = this.options.batch ?? 20;
    // Due jobs and jobs whose lease ran out, each the oldest unfinished job of its dossier.
    const result = await sql<Job>`
      UPDATE portal_jobs
         SET status = 'in_flight', claimed_by = ${this.id}, claimed_until = ${until}, attempts = attempts + 1
       WHERE id IN (
             SELECT j.id FROM portal_jobs j
              WHERE ((j.status = 'pending' AND j.next_attempt_at <= ${now.toISOString()})
                     OR (j.status = 'in_flight' AND j.claimed_until < ${now.toISOString()}))
                AND NOT EXISTS (SELECT 1 FROM portal_jobs e
                                 WHERE e.dossier_id = j.dossier_id AND e.id < j.id
                                   AND e.status IN ('pending', 'in_flight'))
              ORDER BY j.next_attempt_at LIMIT ${batch})
         -- Again on the row itself: on PostgreSQL a claim that waited for another's lock re-checks only this.
         AND ((status = 'pending' AND next_attempt_at <= ${now.toISOString()})
              OR (status = 'in_flight' AND claimed_until < ${now.toISOString()}))
      RETURNING id, dossier_id, dossier_code, kind, payload, progress, attempts`.execute(this.db);
    return result.rows;
  }

  /** Runs one job; says what to record for it. */
  private async process(job: Job): Promise<Release> {
    try {
      switch (job.kind) {
        case "create":
          await this.create(job);
          break;
        case "supplement":
          await this.supplement(job);
          break;
        case "withdraw":
          await this.withdraw(job);
          break;
      }
      return { status: "done", done_at: new Date().toISOString(), last_error: null };
    } catch (error) {
      if (error instanceof NotYet) return this.later(job, error.message);
      const permanent =
        error instanceof PortalRejectedError &&
        // A refused token or a rate limit can be fixed (configuration, time): retried. Other refusals stay refused.
        ![401, 403, 408, 423, 425].includes(error.httpStatus);
      const message = describe(error);
      if (permanent) {
        this.logger.warn({ job: job.id, kind: job.kind, dossier: job.dossier_code, error: message }, "portal refused");
        return { status: "failed", last_error: message };
      }
      // Unavailable, an answer off the contract, or anything unexpected: tried again later.
      const after = error instanceof PortalUnavailableError ? error.retryAfterMs : undefined;
      this.logger.warn(
        { job: job.id, kind: job.kind, dossier: job.dossier_code, attempt: job.attempts, error: message },
        "portal forwarding will be retried",
      );
      return this.later(job, message, after);
    }
  }

  private later(job: Job, message: string, afterMs?: number): Release {
    const step = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** Math.min(30, job.attempts - 1));
    const delay = Math.max(afterMs ?? 0, step / 2 + (Math.random() * step) / 2);
    return { status: "pending", next_attempt_at: new Date(Date.now() + delay).toISOString(), last_error: message };
  }

  /** Only the worker holding the lease writes (a job claimed again after its lease ended is not clobbered). */
  private async release(job: Job, set: Release): Promise<void> {
    await this.db
      .updateTable("portal_jobs")
      .set({ ...set, claimed_by: null, claimed_until: null })
      .where("id", "=", job.id)
      .where("claimed_by", "=", this.id)
      .where("status", "=", "in_flight")
      .execute();
  }

  private async create(job: Job): Promise<void> {
    let portalCode = await this.portalCode(job);
    if (portalCode === null) {
      const record = await this.local.get(job.dossier_code);
      if (!record) throw new Error(`dossier ${job.dossier_code} is gone`);
      const forwarding: DossierForwarding = {
        reference: record.code,
        procedureCode: record.procedure.code,
        unitCode: record.unitCode,
        channel: record.channel,
        submittedAt: record.submittedAt,
        applicant: record.applicant,
        resultDelivery: record.resultDelivery,
        formData: record.formData,
        filedBy: record.filedBy
          ? { name: record.filedBy.name, role: record.filedBy.role as OfficialRole, consent: record.filedBy.consent }
          : null,
      };
      // decision 0010: the key is derived from the local code, so every retry — after a timeout, after a restart —
      // names the same dossier and the portal answers the one it filed.
      const { dossier } = await this.client.createDossier(forwarding, `dossier:${record.code}`);
      portalCode = dossier.code;
      await this.db
        .updateTable("dossiers")
        .set({ portal_code: portalCode })
        .where("id", "=", job.dossier_id)
        .where("portal_code", "is", null)
        .execute();
      this.logger.info({ dossier: job.dossier_code, portalCode }, "dossier forwarded to the portal");
    }
    const attachments = await this.db
      .selectFrom("attachments")
      .selectAll()
      .where("dossier_id", "=", job.dossier_id)
      .where("kind", "=", "initial")
      .orderBy("id")
      .execute();
    await this.upload(job, portalCode, attachments);
  }

  private async supplement(job: Job): Promise<void> {
    const portalCode = await this.portalCode(job);
    if (portalCode === null) throw new NotYet("the dossier has no portal code yet");
    const payload = JSON.parse(job.payload) as { attachmentIds: number[]; note: string | null };
    if (job.attempts > 1) {
      // Sent before and no answer: the portal's dossier tells whether it took the supplement.
      const onPortal = await this.client.getDossier(portalCode);
      if (onPortal && onPortal.state !== STATE.SUPPLEMENT_REQUESTED) return;
    }
    const attachments =
      payload.attachmentIds.length === 0
        ? []
        : await this.db
            .selectFrom("attachments")
            .selectAll()
            .where("id", "in", payload.attachmentIds)
            .orderBy("id")
            .execute();
    const uploaded = await this.upload(job, portalCode, attachments);
    await this.client.supplement(portalCode, {
      attachmentIds: attachments.map((a) => uploaded[String(a.id)] as string),
      ...(payload.note ? { note: payload.note } : {}),
    });
  }

  private async withdraw(job: Job): Promise<void> {
    const portalCode = await this.portalCode(job);
    if (portalCode === null) throw new NotYet("the dossier has no portal code yet");
    const payload = JSON.parse(job.payload) as { reason: string };
    if (job.attempts > 1) {
      const onPortal = await this.client.getDossier(portalCode);
      if (onPortal?.state === STATE.WITHDRAWN) return;
    }
    await this.client.withdraw(portalCode, payload.reason);
  }

  /** Uploads the files not uploaded yet, recording each one as it goes. Returns local id → portal id. */
  private async upload(
    job: Job,
    portalCode: string,
    attachments: {
      id: number;
      document_index: number | null;
      document_name: string;
      sha256: string;
      mime: string;
      file_name: string;
      kind: string;
    }[],
  ): Promise<Record<string, string>> {
    const progress = JSON.parse(job.progress) as Progress;
    const uploaded = { ...progress.uploaded };
    for (const a of attachments) {
      if (uploaded[String(a.id)]) continue;
      const content = await buffer(await this.files.open(a.sha256));
      const answer = await this.client.uploadAttachment(portalCode, {
        documentName: a.document_name,
        documentIndex: a.document_index,
        kind: a.kind === "supplement" ? "supplement" : "initial",
        sha256: a.sha256,
        fileName: a.file_name,
        mime: a.mime as "image/jpeg" | "image/png" | "application/pdf",
        content,
      });
      uploaded[String(a.id)] = answer.id;
      await this.db
        .updateTable("portal_jobs")
        .set({ progress: JSON.stringify({ ...progress, uploaded }) })
        .where("id", "=", job.id)
        .where("claimed_by", "=", this.id)
        .execute();
    }
    return uploaded;
  }

  private async portalCode(job: Job): Promise<string | null> {
    const row = await this.db
      .selectFrom("dossiers")
      .select("portal_code")
      .where("id", "=", job.dossier_id)
      .executeTakeFirst();
    return row?.portal_code ?? null;
  }
}

/** The job cannot run yet (its dossier is not on the portal): tried again later without counting as an error. */
class NotYet extends Error {}

type Release = {
  status: "pending" | "done" | "failed";
  next_attempt_at?: string;
  last_error: string | null;
  done_at?: string;
};

/** A failure in a few words for the job's row and the log: never a value the citizen typed. */
function describe(error: unknown): string {
  if (error instanceof PortalUnavailableError) return `unavailable: ${error.detail}`;
  if (error instanceof PortalRejectedError) return `rejected ${error.httpStatus} ${error.portalCode}`;
  if (error instanceof PortalError) return `${error.code}`;
  return error instanceof Error ? error.message : String(error);
}
