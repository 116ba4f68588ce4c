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
import type { Actor, CitizenActor, OfficialActor } from "../auth/actor";
import { AttachmentRejectedError, type AttachmentStore, type IncomingFile } from "../files/attachment-store";
import type { ProcedureService } from "../procedures/procedure.service";
import type { DossierRecord, Page, PortalGateway, QueueFilter, StepActor } from "../records/gateway";
import { filingRefused, invalid } from "./dossier.errors";

export type UploadedPart = { fieldname: string; originalname: string; buffer: Buffer };

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

    const breach = filingBreach(procedure, { channel, resultMethod: submission.resultDelivery.method });
    if (breach) throw filingRefused(breach);
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
    const inspected = await this.files.inspect(incoming);
    const written = this.files.write(inspected);
    try {
      const record = await this.portal.submit({
        submission: { ...submission, applicant },
        procedure,
        unitCode,
        channel,
        citizenId: actor.kind === "citizen" ? actor.id : null,
        filedBy:
          actor.kind === "official" && submission.onBehalf
            ? { officialId: actor.id, consent: submission.onBehalf }
            : null,
        attachments: inspected.map(({ buffer: _buffer, ...a }) => a),
        actor: stepActor(actor),
      });
      return publicView(record);
    } catch (error) {
      written.undo();
      throw error;
    }
  }

  async listOwn(actor: Actor, page: Page) {
    if (actor.kind === "citizen") return this.portal.listByCitizen(actor.id, page);
    return this.portal.listFiledBy(actor.id, page);
  }

  async view(actor: Actor, code: string): Promise<DossierView> {
    return publicView(await this.visible(actor, code));
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
          buffer: p.buffer,
          originalName: p.originalname,
          documentIndex: null,
          documentName: "Giấy tờ bổ sung",
        })),
    ];
    if (incoming.length === 0) throw invalid("document", "Cần tải lên ít nhất một giấy tờ bổ sung");
    const inspected = await this.files.inspect(incoming);
    const written = this.files.write(inspected);
    try {
      return publicView(
        await this.portal.supplement(
          code,
          stepActor(actor),
          inspected.map(({ buffer: _buffer, ...a }) => a),
          note,
        ),
      );
    } catch (error) {
      written.undo();
      throw error;
    }
  }

  async withdraw(actor: Actor, code: string, reason: string): Promise<DossierView> {
    const record = await this.visible(actor, code);
    this.assertOwnerOrFiler(actor, record);
    return publicView(await this.portal.withdraw(code, stepActor(actor), reason));
  }

  async rate(actor: CitizenActor, code: string, score: number, comment: string | undefined): Promise<DossierView> {
    const record = await this.visible(actor, code);
    if (record.citizenId !== actor.id) throw new ForbiddenError("Chỉ người nộp hồ sơ được đánh giá.");
    return publicView(await this.portal.rate(code, score, comment));
  }

  async attachment(actor: Actor, code: string, id: number) {
    const record = await this.visible(actor, code);
    const file = record.attachmentFiles[id];
    if (!file) throw new NotFoundError("Không tìm thấy tệp đính kèm.");
    return { ...file, stream: this.files.open(file.sha256) };
  }

  lookup(code: string): Promise<DossierLookup | undefined> {
    return this.portal.lookup(code);
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
      await this.portal.transition(code, request.action, stepActor(official), {
        note: request.note,
        missingDocuments: request.missingDocuments,
        amount: request.amount,
        trackingNumber: request.trackingNumber,
      }),
    );
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
        buffer: part.buffer,
        originalName: part.originalname,
        documentIndex: index,
        documentName: document.name,
      };
    });
  }
}

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

function publicView(record: DossierRecord): DossierView {
  const { citizenId: _c, filedByOfficialId: _f, attachmentFiles: _a, ...view } = record;
  return view;
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
