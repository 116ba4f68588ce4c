import { timingSafeEqual } from "node:crypto";
import {
  type Channel,
  type DossierLookup,
  DossierSubmission,
  type DossierView,
  describeIssues,
  filingBreach,
  findUnit,
  OFFICIAL_ROLE_LABELS,
  type OfficialActionRequest,
  PROVINCE_CODE,
} from "@qn/shared";
import { ForbiddenError, NotFoundError, ValidationError } from "../../errors/app-error";
import type { ReceivedPart } from "../../http/upload";
import type { Actor, CitizenActor, OfficialActor } from "../auth/actor";
import { AttachmentRejectedError, type AttachmentStore, type IncomingFile } from "../files/attachment-store";
import type { CitizenStorageQuota } from "../files/storage-quota";
import type { ProcedureService } from "../procedures/procedure.service";
import type {
  DossierRecord,
  FilingQuota,
  Page,
  PortalGateway,
  QueueFilter,
  StepActor,
  StoredAttachment,
} from "../records/gateway";
import { filingRefused, invalid, lookupLimited, lookupNotFound, lookupSecretWrong } from "./dossier.errors";
import type { LookupLimits } from "./lookup-limits";

/** A file part of the request, already in its temporary file (http/upload.ts). */
export type UploadedPart = ReceivedPart;

export type DossierServiceOptions = {
  /** What one citizen may file in the mini-app (issue 13, finding 3). */
  quota: FilingQuota;
  /** The public lookup's limits, shared with the chatbot's "tra cứu" (finding 6). */
  lookups: LookupLimits;
  /** Why the post cannot pick up on a day (issue 15), or null: checked before any file is kept. */
  pickupDateProblem?: (date: string) => Promise<string | null>;
};

/** Who asks the public lookup: where from (an address), and who, if signed in. */
export type LookupCaller = { source: string; actor: Actor | undefined };

const DOCUMENT_FIELD = /^document:(\d{1,3})$/;

/**
 * Dossier use cases with their authorisation. A citizen sees and changes only their own dossiers; a volunteer or HCC
 * officer those they filed for someone; officials act only on their unit's dossiers. A dossier someone may not see
 * answers 404, as if it did not exist.
 */
export class DossierService {
  constructor(
    private readonly portal: PortalGateway,
    private readonly procedures: ProcedureService,
    private readonly files: AttachmentStore,
    private readonly options: DossierServiceOptions,
    /** What one citizen's documents may take in all (issue 13, finding 4). */
    private readonly storage: CitizenStorageQuota,
  ) {}

  async file(actor: Actor, rawSubmission: unknown, parts: UploadedPart[]): Promise<DossierView> {
    const submission = parseSubmission(rawSubmission);
    const onBehalf = actor.kind === "official";
    if (actor.kind === "official" && actor.role !== "volunteer" && actor.role !== "hcc") {
      throw new ForbiddenError("Chỉ tình nguyện viên và cán bộ một cửa được nộp hồ sơ thay công dân.");
    }
    if (!onBehalf && (submission.onBehalf || submission.channel)) {
      throw new ForbiddenError("Chỉ tình nguyện viên và cán bộ một cửa được nộp hồ sơ thay công dân.");
    }
    if (onBehalf && !submission.onBehalf) {
      throw new ValidationError("Cần ghi nhận sự đồng ý của công dân khi nộp thay", [
        { path: "onBehalf", message: "Cần ghi nhận sự đồng ý của công dân" },
      ]);
    }
    const channel: Channel = onBehalf
      ? (submission.channel ?? (actor.role === "hcc" ? "counter" : "online"))
      : "online";
    const procedure = await this.procedures.get(submission.procedureCode);

    const breach = filingBreach(procedure, {
      channel,
      resultMethod: submission.resultDelivery.method,
      pickup: submission.pickup !== undefined,
    });
    if (breach) throw filingRefused(breach);
    if (submission.pickup && this.options.pickupDateProblem) {
      const problem = await this.options.pickupDateProblem(submission.pickup.date);
      if (problem) throw invalid("pickup.date", problem);
    }
    // Quotas bind citizens filing for themselves; helpers and the portal API are accountable filers. Checked here
    // before any file is looked at or written, and again in the filing's transaction.
    const quota = actor.kind === "citizen" ? this.options.quota : undefined;
    if (quota && actor.kind === "citizen") await this.portal.checkQuota(actor.id, procedure, quota);
    const unitCode = this.unitFor(procedure.level, submission);
    const applicant =
      actor.kind === "citizen"
        ? // A citizen's phone comes only from Zalo's consented exchange, never from the form.
          { ...submission.applicant, phone: actor.phone ?? undefined }
        : submission.applicant;

    const incoming = this.documentsOf(parts, procedure.documents);
    if (channel === "online") {
      const missing = procedure.documents
        .map((d, i) => ({ d, i }))
        .filter(({ d, i }) => d.required && !incoming.some((f) => f.documentIndex === i));
      if (missing.length > 0) {
        throw new ValidationError(
          `Còn thiếu giấy tờ bắt buộc: ${missing.map(({ d }) => d.name).join("; ")}`,
          missing.map(({ i, d }) => ({ path: `document:${i}`, message: `Cần chụp hoặc tải lên: ${d.name}` })),
        );
      }
    }
    const record = await this.withFiles(actor, incoming, (attachments) =>
      this.portal.submit({
        submission: { ...submission, applicant },
        procedure,
        unitCode,
        channel,
        citizenId: actor.kind === "citizen" ? actor.id : null,
        filedBy:
          actor.kind === "official" && submission.onBehalf
            ? { officialId: actor.id, consent: submission.onBehalf }
            : null,
        attachments,
        actor: stepActor(actor),
        quota,
      }),
    );
    return publicView(actor, record);
  }

  async listOwn(actor: Actor, page: Page) {
    if (actor.kind === "citizen") return this.portal.listByCitizen(actor.id, page);
    return this.portal.listFiledBy(actor.id, page);
  }

  async view(actor: Actor, code: string): Promise<DossierView> {
    return publicView(actor, await this.visible(actor, code));
  }

  async supplement(actor: Actor, code: string, parts: UploadedPart[], note: string | undefined): Promise<DossierView> {
    const record = await this.visible(actor, code);
    this.assertOwnerOrFiler(actor, record);
    const snapshot = await this.procedures.get(record.procedure.code).catch(() => undefined);
    // Parts named after a document of the procedure, or simply "supplement" for the papers the official asked for.
    const named = parts.filter((p) => p.fieldname !== "supplement");
    const incoming = [
      ...this.documentsOf(named, snapshot?.documents ?? []),
      ...parts
        .filter((p) => p.fieldname === "supplement")
        .map((p) => ({
          ...received(p),
          originalName: p.originalname,
          documentIndex: null,
          documentName: "Giấy tờ bổ sung",
        })),
    ];
    if (incoming.length === 0) throw invalid("document", "Cần tải lên ít nhất một giấy tờ bổ sung");
    const supplemented = await this.withFiles(actor, incoming, (attachments) =>
      this.portal.supplement(code, stepActor(actor), attachments, note),
    );
    return publicView(actor, supplemented);
  }

  async withdraw(actor: Actor, code: string, reason: string): Promise<DossierView> {
    const record = await this.visible(actor, code);
    this.assertOwnerOrFiler(actor, record);
    return publicView(actor, await this.portal.withdraw(code, stepActor(actor), reason));
  }

  async rate(actor: CitizenActor, code: string, score: number, comment: string | undefined): Promise<DossierView> {
    const record = await this.visible(actor, code);
    if (record.citizenId !== actor.id) throw new ForbiddenError("Chỉ người nộp hồ sơ được đánh giá.");
    return publicView(actor, await this.portal.rate(code, score, comment));
  }

  async attachment(actor: Actor, code: string, id: number) {
    const record = await this.visible(actor, code);
    const file = record.attachmentFiles[id];
    if (!file) throw new NotFoundError("Không tìm thấy tệp đính kèm.");
    return { ...file, stream: await this.files.open(file.sha256) };
  }

  /**
   * The public lookup (issue 13, finding 6): state, procedure and due date for anyone holding the code; the details
   * (unit, masked name, when filed) only with the receipt's secret or for the dossier's owner or filer. Every try
   * counts against the caller's and the code's limits, before anything is read.
   */
  async lookup(caller: LookupCaller, code: string, secret: string | undefined): Promise<DossierLookup> {
    const admission = await this.options.lookups.admit(caller.source, code);
    if (!admission.admitted) throw lookupLimited(admission.retryMinutes);
    const found = await this.portal.lookup(code);
    if (!found) throw lookupNotFound();
    if (secret !== undefined && !(found.secret !== null && sameSecret(found.secret, secret))) {
      throw lookupSecretWrong();
    }
    const { actor } = caller;
    const own =
      (actor?.kind === "citizen" && found.citizenId === actor.id) ||
      (actor?.kind === "official" && found.filedByOfficialId === actor.id);
    return { ...found.view, details: own || secret !== undefined ? found.view.details : null };
  }

  /** Marks a dossier as spam, or clears the mark: an official or one-stop officer of the receiving unit. */
  async markSpam(official: OfficialActor, code: string, spam: boolean, note: string | undefined): Promise<DossierView> {
    if (official.role !== "official" && official.role !== "hcc") {
      throw new ForbiddenError("Chỉ cán bộ của đơn vị tiếp nhận được đánh dấu hồ sơ rác.");
    }
    const record = await this.visible(official, code);
    if (official.unitCode !== record.unitCode) throw new ForbiddenError("Hồ sơ không thuộc đơn vị của bạn.");
    return publicView(official, await this.portal.markSpam(code, official.id, spam, spam ? (note ?? null) : null));
  }

  queue(official: OfficialActor, filter: QueueFilter, page: Page) {
    if (official.role === "volunteer") throw new ForbiddenError("Tình nguyện viên không xử lý hồ sơ.");
    // Officials see their unit's queue; an administrator may look at any unit's.
    const unitCode = official.role === "admin" ? filter.unitCode : official.unitCode;
    return this.portal.queue({ ...filter, unitCode }, page);
  }

  async act(official: OfficialActor, code: string, request: OfficialActionRequest): Promise<DossierView> {
    const record = await this.visible(official, code);
    if ((official.role !== "official" && official.role !== "hcc") || official.unitCode !== record.unitCode) {
      throw new ForbiddenError("Hồ sơ không thuộc đơn vị của bạn hoặc bạn không có quyền xử lý.");
    }
    return publicView(
      official,
      await this.portal.transition(code, request.action, stepActor(official), {
        note: request.note,
        missingDocuments: request.missingDocuments,
        amount: request.amount,
        lines: request.lines,
        trackingNumber: request.trackingNumber,
      }),
    );
  }

  /** The dossier's record for what its owner or filer does (paying its fees): 404 if unseen, 403 if not theirs. */
  async owned(actor: Actor, code: string): Promise<DossierRecord> {
    const record = await this.visible(actor, code);
    this.assertOwnerOrFiler(actor, record);
    return record;
  }

  /** The dossier's record if this actor may see it (404 otherwise): for the payment service's reads. */
  async seen(actor: Actor, code: string): Promise<DossierRecord> {
    return this.visible(actor, code);
  }

  /** The dossier if this actor may see it; 404 otherwise (existence is not revealed). */
  private async visible(actor: Actor, code: string): Promise<DossierRecord> {
    const record = await this.portal.get(code);
    if (!record || !mayView(actor, record))
      throw new NotFoundError("Không tìm thấy hồ sơ. Vui lòng kiểm tra lại mã hồ sơ.");
    return record;
  }

  private assertOwnerOrFiler(actor: Actor, record: DossierRecord): void {
    const owner = actor.kind === "citizen" && record.citizenId === actor.id;
    const filer = actor.kind === "official" && record.filedByOfficialId === actor.id;
    if (!owner && !filer) throw new ForbiddenError("Chỉ người nộp hồ sơ được thực hiện thao tác này.");
  }

  private unitFor(level: string, submission: DossierSubmission): string {
    if (level !== "commune") return PROVINCE_CODE;
    const code = submission.receivingCommuneCode ?? submission.applicant.address.communeCode;
    const unit = findUnit(code);
    if (!unit || unit.validTo !== undefined || !["phuong", "xa", "dac-khu"].includes(unit.type)) {
      throw invalid(
        submission.receivingCommuneCode ? "receivingCommuneCode" : "applicant.address.communeCode",
        "Mã xã, phường không thuộc tỉnh Quảng Ninh hoặc không còn hiệu lực",
      );
    }
    return code;
  }

  /**
   * Checks the files by their bytes, reserves a citizen's storage for them, puts them into the store and runs
   * `record`, the commit that references them, then checks they are still there (AttachmentStore.confirm); the
   * reservation ends with it. A failure before the put leaves the temporaries to the request's clean-up, one after
   * it leaves the stored files to the orphan sweeper (never deleted here: another filing may share them).
   */
  private async withFiles<T>(
    actor: Actor,
    incoming: IncomingFile[],
    record: (attachments: StoredAttachment[]) => Promise<T>,
  ): Promise<T> {
    const inspected = await this.files.inspect(incoming);
    const bytes = inspected.reduce((sum, f) => sum + f.size, 0);
    const release = actor.kind === "citizen" && bytes > 0 ? await this.storage.reserve(actor.id, bytes) : () => {};
    try {
      await this.files.store(inspected);
      const recorded = await record(inspected.map(({ path: _path, ...a }) => a));
      await this.files.confirm(inspected);
      return recorded;
    } finally {
      release();
    }
  }

  private documentsOf(parts: UploadedPart[], documents: { name: string }[]): IncomingFile[] {
    return parts.map((part) => {
      const match = DOCUMENT_FIELD.exec(part.fieldname);
      const index = match ? Number(match[1]) : Number.NaN;
      const document = documents[index];
      if (!document) {
        throw new AttachmentRejectedError(
          `Tệp "${part.originalname}" không gắn với giấy tờ nào của thủ tục (trường ${part.fieldname}).`,
          422,
        );
      }
      return {
        ...received(part),
        originalName: part.originalname,
        documentIndex: index,
        documentName: document.name,
      };
    });
  }
}

/** What the store needs of a received part: where it is and what was computed while it streamed. */
const received = ({ path, size, sha256, head }: ReceivedPart) => ({ path, size, sha256, head });

function mayView(actor: Actor, record: DossierRecord): boolean {
  if (actor.kind === "citizen") return record.citizenId === actor.id;
  if (actor.role === "admin") return true;
  if (record.filedByOfficialId === actor.id) return true;
  return (actor.role === "official" || actor.role === "hcc") && actor.unitCode === record.unitCode;
}

function stepActor(actor: Actor): StepActor {
  if (actor.kind === "citizen")
    return { kind: "citizen", id: actor.id, name: actor.name, role: "Công dân", unitCode: null };
  return {
    kind: "official",
    id: actor.id,
    name: actor.name,
    role: OFFICIAL_ROLE_LABELS[actor.role],
    unitCode: actor.unitCode,
  };
}

/** What the API returns of a record: an official's spam mark only to officials (the citizen is not told). */
function publicView(actor: Actor, record: DossierRecord): DossierView {
  const { citizenId: _c, filedByOfficialId: _f, attachmentFiles: _a, spam, ...view } = record;
  return actor.kind === "official" ? { ...view, spam: spam ?? null } : view;
}

/** The receipt's secret, compared case-insensitively and in constant time. */
function sameSecret(stored: string, given: string): boolean {
  const a = Buffer.from(stored.toUpperCase());
  const b = Buffer.from(given.trim().toUpperCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

function parseSubmission(raw: unknown): DossierSubmission {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      throw invalid("dossier", "Phần thông tin hồ sơ không phải JSON hợp lệ");
    }
  }
  if (value === undefined) throw invalid("dossier", "Thiếu phần thông tin hồ sơ (trường dossier)");
  const parsed = DossierSubmission.safeParse(value);
  if (!parsed.success) {
    const details = describeIssues(parsed.error);
    throw new ValidationError(`Thông tin hồ sơ chưa đúng: ${details[0]?.path} — ${details[0]?.message}`, details);
  }
  return parsed.data;
}
