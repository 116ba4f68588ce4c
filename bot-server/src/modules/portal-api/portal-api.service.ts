import { createHash } from "node:crypto";
import {
  attachmentUploadMetaFromFields,
  type DossierOnPortal,
  type DossierState,
  type FilingBreach,
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
  Procedure,
  STATE,
  toPortalAttachment,
  toPortalDossier,
  toPortalProcedure,
  toPortalStateChange,
} from "@qn/shared";
import type { Selectable, Transaction } from "kysely";
import type { Db } from "../../db/database";
import type { Database } from "../../db/schema";
import { AppError } from "../../errors/app-error";
import type { CalendarService } from "../calendar/calendar.service";
import { AttachmentRejectedError, type AttachmentStore } from "../files/attachment-store";
import type { ProcedureService } from "../procedures/procedure.service";
import { EmbeddedPortal } from "../records/embedded-portal";
import type { DossierRecord, StepActor, StoredAttachment } from "../records/gateway";
import { recordPortalApiChange } from "./change-feed";
import {
  type Issue,
  illegal,
  invalid,
  notAvailable,
  notFound,
  PORTAL_API_BREACH_MESSAGES,
  PortalApiError,
} from "./portal-api.errors";
import { type PortalApiDb, type PortalApiTables, portalApiDb } from "./tables";

export type Page<T> = { items: T[]; nextCursor: string; hasMore: boolean };
export type UploadedFile = { buffer: Buffer; originalname: string };

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;
const ATTACHMENT_ID = /^tdk-(\d{1,15})$/;
/** A dossier still being worked on can receive the files of its filing; supplements only when asked for (5). */
const OPEN_STATES: ReadonlySet<number> = new Set([1, 2, 4, 5, 6]);

/** JSON with keys sorted at every level: two bodies that differ only by key order or spacing hash the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function issuesOf(error: PortalMappingError): Issue[] {
  return error.issues.map((i) => ({ path: i.path, message: i.message }));
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_CONSTRAINT");
}

function limitOf(raw: unknown): number {
  if (raw === undefined) return 100;
  const n = typeof raw === "string" && /^\d{1,3}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && n <= 500)) {
    throw invalid("limit phải là số nguyên từ 1 đến 500", [{ path: "limit", message: "Từ 1 đến 500" }]);
  }
  return n;
}

const badCursor = () =>
  invalid("Con trỏ không hợp lệ hoặc đã hết hạn", [{ path: "since", message: "Con trỏ không hợp lệ" }]);

type ChangeRow = Selectable<PortalApiTables["portal_api_changes"]> & { code: string; reference: string };

/** One state change as the contract writes it: the feed's item and the callback's body are the same object. */
export function wireChange(row: ChangeRow): PortalStateChange {
  const details = row.details ? (JSON.parse(row.details) as { amount?: number }) : {};
  return toPortalStateChange({
    eventId: row.event_key,
    code: row.code,
    reference: row.reference,
    fromState: row.from_state as DossierState | null,
    toState: row.to_state as DossierState,
    at: row.at,
    action: row.action?.slice(0, 60) ?? null,
    actorName: row.actor_name?.slice(0, 120) ?? null,
    unitCode: row.unit_code && /^[0-9A-Za-z.]{1,40}$/.test(row.unit_code) ? row.unit_code : null,
    note: row.note?.slice(0, 2000) ?? null,
    dueDate: row.due_date,
    missingDocuments:
      row.to_state === STATE.SUPPLEMENT_REQUESTED ? (JSON.parse(row.missing_documents) as string[]) : [],
    amount: details.amount ?? (row.to_state === STATE.PAYMENT_REQUESTED ? row.fees_due : null),
    trackingNumber: row.tracking_number,
  });
}

/** Reads the changes with what the wire needs (the dossier's code and the caller's reference). */
export function changesQuery(db: PortalApiDb) {
  return db
    .selectFrom("portal_api_changes as c")
    .innerJoin("dossiers as d", "d.id", "c.dossier_id")
    .innerJoin("portal_api_dossiers as p", "p.dossier_id", "c.dossier_id")
    .selectAll("c")
    .select(["d.code as code", "p.reference as reference"]);
}

/**
 * The operations of docs/portal-api/openapi.json on top of the embedded portal and its database (decision 0011).
 * A client sees and changes only the dossiers it filed; dossiers go through the same `EmbeddedPortal` code as the
 * citizens' own, so officials process them in the console like any other.
 */
export class PortalApiService {
  private readonly db: PortalApiDb;

  constructor(
    private readonly rawDb: Db,
    private readonly calendar: CalendarService,
    private readonly procedures: ProcedureService,
    private readonly files: AttachmentStore,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.db = portalApiDb(rawDb);
  }

  /** The embedded portal, with a hook that records what the filing needs in its own transaction. */
  private portal(onSubmit?: (trx: Transaction<Database>, dossierId: number) => Promise<void>) {
    return new EmbeddedPortal(this.rawDb, this.calendar, this.now, undefined, {
      onRecorded: [recordPortalApiChange],
      onCommitting: async (trx, change) => {
        if (change.action === "submit" && onSubmit) await onSubmit(trx, change.dossierId);
      },
    });
  }

  async createDossier(
    clientId: string,
    key: string | undefined,
    body: unknown,
  ): Promise<{ status: 200 | 201; dossier: PortalDossier }> {
    if (!key) throw new PortalApiError("IDEMPOTENCY_KEY_REQUIRED", "Thiếu tiêu đề Idempotency-Key", 400);
    if (!IDEMPOTENCY_KEY.test(key)) {
      throw invalid("Idempotency-Key không hợp lệ", [
        { path: "Idempotency-Key", message: "8–128 ký tự: chữ, số, . _ : -" },
      ]);
    }
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
    const hash = createHash("sha256").update(canonical(wire.data)).digest("hex");
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
    const seen = await this.db
      .selectFrom("portal_api_idempotency as i")
      .innerJoin("dossiers as d", "d.id", "i.dossier_id")
      .select(["i.request_hash", "d.code"])
      .where("i.client_id", "=", clientId)
      .where("i.idempotency_key", "=", key)
      .executeTakeFirst();
    if (!seen) return undefined;
    if (seen.request_hash !== hash) {
      throw new PortalApiError("IDEMPOTENCY_KEY_REUSED", "Idempotency-Key đã được dùng cho một hồ sơ khác", 409);
    }
    return { status: 200 as const, dossier: await this.getDossier(clientId, seen.code) };
  }

  async getDossier(clientId: string, code: string): Promise<PortalDossier> {
    const owned = await this.owned(clientId, code);
    const record = await this.portal().get(owned.code);
    if (!record) throw notFound();
    return this.wireDossier(record, owned.reference);
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
    const owned = await this.owned(clientId, code);
    if (createHash("sha256").update(file.buffer).digest("hex") !== meta.sha256) {
      throw new PortalApiError("CHECKSUM_MISMATCH", "Mã băm (MaBam) không khớp với nội dung tệp", 400, [
        { path: "MaBam", message: "Không khớp với SHA-256 của tệp" },
      ]);
    }
    const existing = await this.findUpload(owned.id, meta.documentIndex, meta.kind, meta.sha256);
    if (existing) return { status: 200, attachment: wireAttachment(existing) };

    const state = owned.state;
    if (meta.kind === "supplement" ? state !== STATE.SUPPLEMENT_REQUESTED : !OPEN_STATES.has(state)) {
      throw illegal(
        meta.kind === "supplement"
          ? "Hồ sơ không ở trạng thái yêu cầu bổ sung giấy tờ"
          : "Hồ sơ đã kết thúc, không nhận thêm tệp",
      );
    }
    let inspected: StoredAttachment;
    try {
      const [checked] = await this.files.inspect([
        {
          buffer: file.buffer,
          originalName: file.originalname || "tep-dinh-kem",
          documentIndex: meta.documentIndex,
          documentName: meta.documentName,
        },
      ]);
      if (!checked) throw invalid("Thiếu tệp");
      const { buffer: _buffer, ...stored } = checked;
      inspected = stored;
    } catch (error) {
      if (!(error instanceof AttachmentRejectedError)) throw error;
      if (error.status === 413) throw new PortalApiError("FILE_TOO_LARGE", "Tệp quá 10 MB", 413);
      if (error.status === 415) {
        throw new PortalApiError("UNSUPPORTED_MEDIA_TYPE", "Chỉ nhận ảnh JPEG, PNG hoặc tệp PDF", 415);
      }
      throw invalid(error.message, [{ path: "TepDinhKem", message: error.message }]);
    }
    const written = this.files.write([{ sha256: inspected.sha256, buffer: file.buffer }]);
    const at = this.now().toISOString();
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx
          .insertInto("portal_api_uploads")
          .values({
            dossier_id: owned.id,
            document_index: inspected.documentIndex,
            document_name: inspected.documentName,
            kind: meta.kind,
            sha256: inspected.sha256,
            mime: inspected.mime,
            size: inspected.size,
            file_name: inspected.fileName,
            uploaded_at: at,
            // A file of the filing is part of the dossier at once; a supplement waits for `supplement`.
            used_at: meta.kind === "initial" ? at : null,
          })
          .execute();
        if (meta.kind === "initial") {
          await trx
            .insertInto("attachments")
            .values({
              dossier_id: owned.id,
              document_index: inspected.documentIndex,
              document_name: inspected.documentName,
              sha256: inspected.sha256,
              mime: inspected.mime,
              size: inspected.size,
              file_name: inspected.fileName,
              kind: "initial",
              uploaded_at: at,
            })
            .execute();
        }
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        const raced = await this.findUpload(owned.id, meta.documentIndex, meta.kind, meta.sha256);
        if (raced) return { status: 200, attachment: wireAttachment(raced) };
      }
      written.undo();
      throw error;
    }
    const stored = await this.findUpload(owned.id, meta.documentIndex, meta.kind, meta.sha256);
    if (!stored) throw new Error("upload vanished");
    return { status: 201, attachment: wireAttachment(stored) };
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
    const ids = request.data.MaTepDinhKem.map((id) => Number(ATTACHMENT_ID.exec(id)?.[1] ?? Number.NaN));
    const valid = ids.filter((id) => Number.isSafeInteger(id));
    const rows =
      valid.length === 0
        ? []
        : await this.db
            .selectFrom("portal_api_uploads")
            .selectAll()
            .where("dossier_id", "=", owned.id)
            .where("kind", "=", "supplement")
            .where("used_at", "is", null)
            .where("id", "in", valid)
            .execute();
    const found = new Set(rows.map((r) => r.id));
    const unknown = request.data.MaTepDinhKem.filter((_, i) => !found.has(ids[i] as number));
    if (unknown.length > 0) {
      throw new PortalApiError(
        "UNKNOWN_ATTACHMENT",
        "Có tệp bổ sung chưa được tải lên hồ sơ này hoặc đã được dùng",
        400,
        unknown.map((id) => ({ path: "MaTepDinhKem", message: `Không có tệp bổ sung ${id}` })),
      );
    }
    const record = await this.portal().supplement(
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
    await this.db
      .updateTable("portal_api_uploads")
      .set({ used_at: this.now().toISOString() })
      .where("id", "in", [...found])
      .execute();
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

  /** The state changes of this client's dossiers after the cursor (the feed's id), oldest first. */
  async dossierChanges(clientId: string, since: unknown, limit: unknown): Promise<Page<PortalStateChange>> {
    const n = limitOf(limit);
    if (since !== undefined && (typeof since !== "string" || !/^\d{1,15}$/.test(since))) throw badCursor();
    const after = since === undefined ? 0 : Number(since);
    const rows = await changesQuery(this.db)
      .where("c.client_id", "=", clientId)
      .where("c.id", ">", after)
      .orderBy("c.id")
      .limit(n + 1)
      .execute();
    const items = rows.slice(0, n);
    const last = items.at(-1);
    return { items: items.map(wireChange), nextCursor: String(last?.id ?? after), hasMore: rows.length > n };
  }

  /** The unit's procedures changed after the cursor — (updated_at, code), oldest first; the whole list without one. */
  async procedureChanges(unitCode: string, since: unknown, limit: unknown): Promise<Page<PortalProcedure>> {
    const n = limitOf(limit);
    let after: [string, string] = ["", ""];
    if (since !== undefined) {
      if (typeof since !== "string" || since.length > 500) throw badCursor();
      try {
        const parsed = JSON.parse(Buffer.from(since, "base64url").toString("utf8")) as unknown;
        if (!Array.isArray(parsed) || parsed.length !== 2 || !parsed.every((p) => typeof p === "string")) {
          throw badCursor();
        }
        after = parsed as [string, string];
      } catch {
        throw badCursor();
      }
    }
    const unit = await this.db
      .selectFrom("receiving_units")
      .selectAll()
      .where("code", "=", unitCode)
      .executeTakeFirst();
    if (!unit) throw new PortalApiError("UNIT_NOT_FOUND", "Không tìm thấy đơn vị", 404);
    const [at, code] = after;
    const rows = await this.db
      .selectFrom("procedures")
      .select(["code", "record", "updated_at"])
      .where("level", "=", unit.level)
      .where((eb) => eb.or([eb("updated_at", ">", at), eb.and([eb("updated_at", "=", at), eb("code", ">", code)])]))
      .orderBy("updated_at")
      .orderBy("code")
      .limit(n + 1)
      .execute();
    const items = rows.slice(0, n);
    const last = items.at(-1);
    const cursor = last ? [last.updated_at, last.code] : after;
    return {
      items: items.map((r) =>
        toPortalProcedure({
          unitCode: unit.code,
          procedure: Procedure.parse(JSON.parse(r.record)),
          inForce: true,
          updatedAt: r.updated_at,
        }),
      ),
      nextCursor: Buffer.from(JSON.stringify(cursor)).toString("base64url"),
      hasMore: rows.length > n,
    };
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

  private findUpload(dossierId: number, documentIndex: number | null, kind: string, sha256: string) {
    let query = this.db
      .selectFrom("portal_api_uploads")
      .selectAll()
      .where("dossier_id", "=", dossierId)
      .where("kind", "=", kind)
      .where("sha256", "=", sha256);
    query =
      documentIndex === null
        ? query.where("document_index", "is", null)
        : query.where("document_index", "=", documentIndex);
    return query.executeTakeFirst();
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

function wireAttachment(row: Selectable<PortalApiTables["portal_api_uploads"]>): PortalAttachment {
  return toPortalAttachment({
    id: `tdk-${row.id}`,
    documentIndex: row.document_index,
    documentName: row.document_name,
    kind: row.kind === "supplement" ? "supplement" : "initial",
    fileName: row.file_name,
    mime: row.mime as StoredAttachment["mime"],
    size: row.size,
    sha256: row.sha256,
    uploadedAt: row.uploaded_at,
  });
}
