import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { fileTypeFromBuffer } from "file-type";
import type { ReceivedPart } from "../../http/upload";
import type { FileStore } from "./file-store";
import { AttachmentRejectedError } from "./files.errors";

export { AttachmentRejectedError };

import type { StoredAttachment } from "../records/gateway";

const ALLOWED = new Set(["image/jpeg", "image/png", "application/pdf"]);

/** A part received into a temporary file (http/upload.ts), with the document it is for. */
export type IncomingFile = Pick<ReceivedPart, "path" | "size" | "sha256" | "head"> & {
  originalName: string;
  documentIndex: number | null;
  documentName: string;
};

/** A checked file, still in its temporary: `store` puts it into the file store. */
export type InspectedFile = StoredAttachment & { path: string };

/**
 * Citizens' documents, kept in the file store (FILE_STORE: this machine's disk or an S3-compatible bucket, decision
 * 0019) by the SHA-256 of their content (the same photo twice is stored once). The type is read from the bytes, never
 * from the name or the declared type: a renamed executable is refused. Uploads arrive in `files/.incoming` on this
 * machine's disk (http/upload.ts), hashed and typed as they stream; accepting one is a put into the store. Only the
 * orphan sweeper (orphan-sweeper.ts) deletes stored files.
 */
export class AttachmentStore {
  constructor(
    readonly fileStore: FileStore,
    /** Where uploads stream to before they are checked: this machine's disk. */
    readonly incomingDir: string,
    private readonly maxBytes: number,
  ) {}

  /** The same store with another limit on one file (the /portal-api contract's 10 MB). */
  withLimit(maxBytes: number): AttachmentStore {
    return new AttachmentStore(this.fileStore, this.incomingDir, maxBytes);
  }

  /** Checks every file by its size and its first bytes; nothing is moved unless all are acceptable. */
  async inspect(files: IncomingFile[]): Promise<InspectedFile[]> {
    const out: InspectedFile[] = [];
    for (const file of files) {
      if (file.size === 0) throw new AttachmentRejectedError(`Tệp "${file.originalName}" rỗng.`, 422);
      if (file.size > this.maxBytes) throw this.tooLarge(file.originalName);
      const type = await fileTypeFromBuffer(file.head);
      if (!type || !ALLOWED.has(type.mime)) {
        throw new AttachmentRejectedError(
          `Tệp "${file.originalName}" không phải ảnh JPEG, PNG hoặc tệp PDF. Vui lòng chụp lại hoặc chọn tệp khác.`,
        );
      }
      out.push({
        path: file.path,
        documentIndex: file.documentIndex,
        documentName: file.documentName,
        sha256: file.sha256,
        mime: type.mime as StoredAttachment["mime"],
        size: file.size,
        fileName: safeName(file.originalName, type.ext),
      });
    }
    return out;
  }

  /**
   * Puts checked files from their temporaries into the store, right before the filing that references them commits.
   * A file already stored is replaced by its new copy (the same bytes): its fresh time tells the sweeper a filing is
   * about to reference it (orphan-sweeper.ts). Nothing is undone if the filing then fails: the same content may be
   * another filing's in flight, so only the sweeper, after the grace period, removes it.
   */
  async store(files: Pick<InspectedFile, "sha256" | "path" | "size">[]): Promise<void> {
    for (const file of files) await this.fileStore.put(file.sha256, file);
  }

  /**
   * After the commit: each file is where its rows say. An S3 sweep that deleted an old copy at the moment this
   * filing put its own may have taken the fresh one with it (S3 has no atomic rename, decision 0019): it is put again
   * from the temporary, which the request deletes only after this. The local store's sweep is atomic: never needed.
   */
  async confirm(files: Pick<InspectedFile, "sha256" | "path" | "size">[]): Promise<void> {
    for (const file of files) {
      if (await this.fileStore.exists(file.sha256)) continue;
      if (fs.existsSync(file.path)) await this.fileStore.put(file.sha256, file);
    }
  }

  open(sha256: string): Promise<Readable> {
    return this.fileStore.open(sha256);
  }

  tooLarge(name: string): AttachmentRejectedError {
    const mb = Math.round((this.maxBytes / 1024 / 1024) * 10) / 10;
    return new AttachmentRejectedError(`Tệp "${name}" lớn hơn ${mb} MB. Vui lòng chụp với độ phân giải thấp hơn.`, 413);
  }
}

/** A file name safe for Content-Disposition and logs: the extension follows the real type. */
function safeName(original: string, ext: string): string {
  const base = path
    .basename(original.normalize("NFC"))
    .replace(/\.[^.]*$/, "")
    .replace(/[^\p{L}\p{N} ._-]/gu, "_")
    .slice(0, 80)
    .trim();
  return `${base || "tai-lieu"}.${ext}`;
}
