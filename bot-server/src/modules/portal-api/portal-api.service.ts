import {
  attachmentUploadMetaFromFields,
  type DossierOnPortal,
  filingBreach,
  fromPortalDossierCreate,
  type PortalAttachment,
  type PortalDossier,
  PortalDossierCreate,
  PortalMappingError,
  type PortalProcedure,
  type PortalStateChange,
  PortalSupplementRequest,
  PortalWithdrawRequest,
  STATE,
  toPortalDossier,
} from "@qn/shared";
import type { Transaction } from "kysely";
import type { Db } from "../../db/database";
import type { Database } from "../../db/schema";
import type { CalendarService } from "../calendar/calendar.service";
import type { AttachmentStore } from "../files/attachment-store";
import type { ProcedureService } from "../procedures/procedure.service";
import { EmbeddedPortal } from "../records/embedded-portal";
import type { DossierRecord, StepActor, StoredAttachment } from "../records/gateway";
import { recordPortalApiChange } from "./change-feed";
import { type Issue, invalid, notAvailable, notFound, PORTAL_API_BREACH_MESSAGES } from "./portal-api.errors";
import { dossierChanges, type Page, procedureChanges } from "./portal-api.feeds";
import { idempotencyKeyOf, isUniqueViolation, replayedCode, requestHash } from "./portal-api.idempotency";
import { PortalApiUploads, type UploadedFile } from "./portal-api.uploads";
import { type PortalApiDb, type PortalApiTables, portalApiDb } from "./tables";

export type { Page } from "./portal-api.feeds";
export type { UploadedFile } from "./portal-api.uploads";

function issuesOf(error: PortalMappingError): Issue[] {
  return error.issues.map((i) => ({ path: i.path, message: i.message }));
}

/**
 * The operations of docs/portal-api/openapi.json on top of the embedded portal and its database (decision 0011).
 * A client sees and changes only the dossiers it filed; dossiers go through the same `EmbeddedPortal` code as the
 * citizens' own, so officials process them in the console like any other.
 */
export class PortalApiService {
  private readonly db: PortalApiDb;
  private readonly uploads: PortalApiUploads;

  constructor(
    private readonly rawDb: Db,
    private readonly calendar: CalendarService,
    private readonly procedures: ProcedureService,
    files: AttachmentStore,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.db = portalApiDb(rawDb);
    this.uploads = new PortalApiUploads(this.db, files, now);
  }

  /**
   * The embedded portal, with hooks that record what the filing (`onSubmit`) or a supplement (`onSupplement`) needs
   * in its own transaction.
   */
  private portal(
    onSubmit?: (trx: Transaction<Database>, dossierId: number) => Promise<void>,
    onSupplement?: (trx: Transaction<Database>, dossierId: number) => Promise<void>,
  ) {
    return new EmbeddedPortal(this.rawDb, this.calendar, this.now, undefined, {
      onRecorded: [recordPortalApiChange],
      onCommitting: async (trx, change) => {
        if (change.action === "submit" && onSubmit) await onSubmit(trx, change.dossierId);
        if (change.action === "supplement" && onSupplement) await onSupplement(trx, change.dossierId);
      },
    });
  }

  async createDossier(
    clientId: string,
    rawKey: string | undefined,
    body: unknown,
  ): Promise<{ status: 200 | 201; dossier: PortalDossier }> {
    const key = idempotencyKeyOf(rawKey);
    const wire = PortalDossierCreate.safeParse(body);
    if (!wire.success) {
      throw invalid(
        "Dữ liệu hồ sơ không hợp lệ",
        wire.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
      );
    }
    let forwarding: ReturnType<typeof fromPortalDossierCreate>;
    try {
      forwarding = fromPortalDossierCreate(body);
    } catch (error) {
      if (error instanceof PortalMappingError) throw invalid("Dữ liệu hồ sơ không hợp lệ", issuesOf(error));
      throw error;
    }
    const hash = requestHash(wire.data);
    const replay = await this.replay(clientId, key, hash);
    if (replay) return replay;

    const procedure = await this.procedures.get(forwarding.procedureCode).catch(() => undefined);
    if (!procedure) throw notAvailable("Không có thủ tục này trong danh mục");
    const unit = await this.db
      .selectFrom("receiving_units")
      .selectAll()
      .where("code", "=", forwarding.unitCode)
      .executeTakeFirst();
    if (!unit || unit.level !== procedure.level) throw notAvailable("Đơn vị không thực hiện thủ tục này");
    const breach = filingBreach(procedure, {
      channel: forwarding.channel,
      resultMethod: forwarding.resultDelivery.method,
    });
    if (breach) throw notAvailable(PORTAL_API_BREACH_MESSAGES[breach.rule]);

    const at = this.now();
    const filedAt = new Date(Math.min(Date.parse(forwarding.submittedAt), at.getTime())).toISOString();
    const portal = this.portal(async (trx, dossierId) => {
      const db = trx.withTables<PortalApiTables>();
      await db
        .insertInto("portal_api_dossiers")
        .values({
          dossier_id: dossierId,
          client_id: clientId,
          reference: forwarding.reference,
          on_behalf: wire.data.NguoiNopThay ? JSON.stringify(wire.data.NguoiNopThay) : null,
          created_at: at.toISOString(),
        })
        .execute();
      // Written with the dossier: a second request with this key either sees it or fails on it and rolls back.
      await db
        .insertInto("portal_api_idempotency")
        .values({
          client_id: clientId,
          idempotency_key: key,
          request_hash: hash,
          dossier_id: dossierId,
          created_at: at.toISOString(),
        })
        .execute();
      // NgayNopHoSo is when the citizen filed with the bot server, which may be before it could forward it.
      await db.updateTable("dossiers").set({ submitted_at: filedAt }).where("id", "=", dossierId).execute();
    });
    const onBehalf = wire.data.NguoiNopThay;
    let record: DossierRecord;
    try {
      record = await portal.submit({
        submission: {
          procedureCode: forwarding.procedureCode,
          applicant: forwarding.applicant,
          resultDelivery: forwarding.resultDelivery,
          formData: forwarding.formData,
        },
        procedure,
        unitCode: unit.code,
        channel: forwarding.channel,
        citizenId: null,
        filedBy: null,
        attachments: [],
        actor: {
          kind: "system",
          id: null,
          name: onBehalf ? `${onBehalf.HoTen} (nộp thay qua ${clientId})` : `Trợ lý dịch vụ công (${clientId})`,
          role: "Hệ thống liên thông",
          unitCode: null,
        },
      });
    } catch (error) {
      // The same key at the same time: the other request filed it first; this one was rolled back.
      if (isUniqueViolation(error)) {
        const again = await this.replay(clientId, key, hash);
        if (again) return again;
      }
      throw error;
    }
    return { status: 201, dossier: await this.wireDossier(record, forwarding.reference) };
  }

  private async replay(clientId: string, key: string, hash: string) {
    const code = await replayedCode(this.db, clientId, key, hash);
    return code === undefined ? undefined : { status: 200 as const, dossier: await this.getDossier(clientId, code) };
  }

  async uploadAttachment(
    clientId: string,
    code: string,
    fields: unknown,
    file: UploadedFile | undefined,
  ): Promise<{ status: 200 | 201; attachment: PortalAttachment }> {
    let meta: ReturnType<typeof attachmentUploadMetaFromFields>;
    try {
      meta = attachmentUploadMetaFromFields(fields);
    } catch (error) {
      if (error instanceof PortalMappingError) throw invalid("Thông tin tệp đính kèm không hợp lệ", issuesOf(error));
      throw error;
    }
    if (!file) throw invalid("Thiếu tệp", [{ path: "TepDinhKem", message: "Cần một tệp trong phần TepDinhKem" }]);
    return this.uploads.upload(await this.owned(clientId, code), meta, file);
  }

  dossierChanges(clientId: string, since: unknown, limit: unknown): Promise<Page<PortalStateChange>> {
    return dossierChanges(this.db, clientId, since, limit);
  }

  procedureChanges(unitCode: string, since: unknown, limit: unknown): Promise<Page<PortalProcedure>> {
    return procedureChanges(this.db, unitCode, since, limit);
  }

  async getDossier(clientId: string, code: string): Promise<PortalDossier> {
    const owned = await this.owned(clientId, code);
    const record = await this.portal().get(owned.code);
    if (!record) throw notFound();
    return this.wireDossier(record, owned.reference);
  }

  async supplement(clientId: string, code: string, body: unknown): Promise<PortalDossier> {
    const request = PortalSupplementRequest.safeParse(body);
    if (!request.success) {
      throw invalid(
        "Yêu cầu bổ sung không hợp lệ",
        request.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
      );
    }
    const owned = await this.owned(clientId, code);
    const rows = await this.uploads.unusedSupplements(owned.id, request.data.MaTepDinhKem);
    // The uploads are marked used in the supplement's own transaction (before, after its commit: a failure between
    // left a supplemented dossier with its files still unused, to be named again by the next supplement).
    const markUsed = (trx: Transaction<Database>) =>
      this.uploads.markUsed(
        trx.withTables<PortalApiTables>(),
        rows.map((r) => r.id),
      );
    const record = await this.portal(undefined, markUsed).supplement(
      owned.code,
      this.citizen(owned.applicantName, clientId),
      rows.map((r) => ({
        documentIndex: r.document_index,
        documentName: r.document_name,
        sha256: r.sha256,
        mime: r.mime as StoredAttachment["mime"],
        size: r.size,
        fileName: r.file_name,
      })),
      request.data.GhiChu ?? undefined,
    );
    return this.wireDossier(record, owned.reference);
  }

  async withdraw(clientId: string, code: string, body: unknown): Promise<PortalDossier> {
    const request = PortalWithdrawRequest.safeParse(body);
    if (!request.success) {
      throw invalid("Cần lý do rút hồ sơ (LyDo)", [{ path: "LyDo", message: "Từ 1 đến 1000 ký tự" }]);
    }
    const owned = await this.owned(clientId, code);
    const record = await this.portal().withdraw(
      owned.code,
      this.citizen(owned.applicantName, clientId),
      request.data.LyDo,
    );
    return this.wireDossier(record, owned.reference);
  }

  private citizen(name: string, clientId: string): StepActor {
    return { kind: "citizen", id: null, name, role: `Công dân (qua ${clientId})`, unitCode: null };
  }

  /** This client's dossier, or 404 (another client's dossier is not revealed). */
  private async owned(clientId: string, code: string) {
    const row = await this.db
      .selectFrom("dossiers as d")
      .innerJoin("portal_api_dossiers as p", "p.dossier_id", "d.id")
      .select(["d.id", "d.code", "d.state", "d.applicant_name", "p.reference"])
      .where("d.code", "=", code)
      .where("p.client_id", "=", clientId)
      .executeTakeFirst();
    if (!row) throw notFound();
    return {
      id: row.id,
      code: row.code,
      state: row.state,
      applicantName: row.applicant_name,
      reference: row.reference,
    };
  }

  private async wireDossier(record: DossierRecord, reference: string): Promise<PortalDossier> {
    const row = await this.db
      .selectFrom("dossiers")
      .select(["postal_tracking"])
      .where("code", "=", record.code)
      .executeTakeFirstOrThrow();
    const lastAt = (state: number) => record.history.findLast((s) => s.toState === state)?.at ?? null;
    const dossier: DossierOnPortal = {
      code: record.code,
      reference,
      procedureCode: record.procedure.code,
      procedureName: record.procedure.name,
      unitCode: record.unitCode,
      channel: record.channel,
      state: record.state,
      submittedAt: record.submittedAt,
      acceptedAt: record.acceptedAt,
      dueDate: record.dueDate,
      completedAt: lastAt(STATE.DONE),
      deliveredAt: lastAt(STATE.DELIVERED),
      applicant: record.applicant,
      resultDelivery: record.resultDelivery,
      formData: record.formData,
      trackingNumber: row.postal_tracking,
      feesDue: record.feesDue,
      missingDocuments: record.missingDocuments,
      note: null,
    };
    return toPortalDossier(dossier);
  }
}
