import { type PortalAttachment, STATE, toPortalAttachment } from "@qn/shared";
import type { Selectable } from "kysely";
import type { ReceivedPart } from "../../http/upload";
import { AttachmentRejectedError, type AttachmentStore } from "../files/attachment-store";
import type { StoredAttachment } from "../records/gateway";
import { illegal, invalid, PortalApiError } from "./portal-api.errors";
import { isUniqueViolation } from "./portal-api.idempotency";
import type { PortalApiDb, PortalApiTables } from "./tables";

/** The part TepDinhKem, already in its temporary file with its SHA-256 (http/upload.ts). */
export type UploadedFile = Pick<ReceivedPart, "originalname" | "path" | "size" | "sha256" | "head">;
export type AttachmentUploadMeta = {
  documentIndex: number | null;
  documentName: string;
  kind: "initial" | "supplement";
  sha256: string;
};
type UploadRow = Selectable<PortalApiTables["portal_api_uploads"]>;

const ATTACHMENT_ID = /^tdk-(\d{1,15})$/;
/** A dossier still being worked on can receive the files of its filing; supplements only when asked for (5). */
const OPEN_STATES: ReadonlySet<number> = new Set([1, 2, 4, 5, 6]);

/**
 * The portal API's uploads (`POST /v1/dossiers/{code}/attachments`): each file checked by its SHA-256 and its
 * content, stored once in the file store; a file of the filing joins the dossier at once, a supplement's waits in
 * `portal_api_uploads` until `supplement` names it.
 */
export class PortalApiUploads {
  constructor(
    private readonly db: PortalApiDb,
    private readonly files: AttachmentStore,
    private readonly now: () => Date,
  ) {}

  /** Stores one file for the dossier once (the same file again gives the same attachment, 200). */
  async upload(
    owned: { id: number; state: number },
    meta: AttachmentUploadMeta,
    file: UploadedFile,
  ): Promise<{ status: 200 | 201; attachment: PortalAttachment }> {
    if (file.sha256 !== meta.sha256) {
      throw new PortalApiError("CHECKSUM_MISMATCH", "Mã băm (MaBam) không khớp với nội dung tệp", undefined, [
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
          path: file.path,
          size: file.size,
          sha256: file.sha256,
          head: file.head,
          originalName: file.originalname || "tep-dinh-kem",
          documentIndex: meta.documentIndex,
          documentName: meta.documentName,
        },
      ]);
      if (!checked) throw invalid("Thiếu tệp");
      const { path: _path, ...stored } = checked;
      inspected = stored;
    } catch (error) {
      if (!(error instanceof AttachmentRejectedError)) throw error;
      if (error.status === 413) throw new PortalApiError("FILE_TOO_LARGE", "Tệp quá 10 MB");
      if (error.status === 415) {
        throw new PortalApiError("UNSUPPORTED_MEDIA_TYPE", "Chỉ nhận ảnh JPEG, PNG hoặc tệp PDF");
      }
      throw invalid(error.message, [{ path: "TepDinhKem", message: error.message }]);
    }
    // Put into the store before the rows that reference it commit, and never deleted here if they fail: the same
    // content may be another upload's in flight, or already another dossier's; the orphan sweeper decides, after
    // its grace period, from the rows (decision 0019).
    const temporary = { sha256: inspected.sha256, path: file.path, size: inspected.size };
    await this.files.store([temporary]);
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
      throw error;
    }
    await this.files.confirm([temporary]);
    const stored = await this.findUpload(owned.id, meta.documentIndex, meta.kind, meta.sha256);
    if (!stored) throw new Error("upload vanished");
    return { status: 201, attachment: wireAttachment(stored) };
  }

  /** The supplement uploads of the dossier named by their wire ids, not used yet; unknown ones are refused. */
  async unusedSupplements(dossierId: number, wireIds: string[]): Promise<UploadRow[]> {
    const ids = wireIds.map((id) => Number(ATTACHMENT_ID.exec(id)?.[1] ?? Number.NaN));
    const valid = ids.filter((id) => Number.isSafeInteger(id));
    const rows =
      valid.length === 0
        ? []
        : await this.db
            .selectFrom("portal_api_uploads")
            .selectAll()
            .where("dossier_id", "=", dossierId)
            .where("kind", "=", "supplement")
            .where("used_at", "is", null)
            .where("id", "in", valid)
            .execute();
    const found = new Set(rows.map((r) => r.id));
    const unknown = wireIds.filter((_, i) => !found.has(ids[i] as number));
    if (unknown.length > 0) {
      throw new PortalApiError(
        "UNKNOWN_ATTACHMENT",
        "Có tệp bổ sung chưa được tải lên hồ sơ này hoặc đã được dùng",
        undefined,
        unknown.map((id) => ({ path: "MaTepDinhKem", message: `Không có tệp bổ sung ${id}` })),
      );
    }
    return rows;
  }

  /**
   * Marks the supplement uploads used, in the transaction of the supplement that takes them (`trx`): both commit or
   * neither. Each must still be unused: a concurrent supplement that took one first makes this one fail and roll
   * back, so a file joins the dossier once.
   */
  async markUsed(trx: PortalApiDb, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    const result = await trx
      .updateTable("portal_api_uploads")
      .set({ used_at: this.now().toISOString() })
      .where("id", "in", ids)
      .where("used_at", "is", null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== ids.length) {
      throw new PortalApiError("UNKNOWN_ATTACHMENT", "Có tệp bổ sung chưa được tải lên hồ sơ này hoặc đã được dùng");
    }
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
