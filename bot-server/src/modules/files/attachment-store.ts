import fs from "node:fs";
import path from "node:path";
import { fileTypeFromBuffer } from "file-type";
import type { ReceivedPart } from "../../http/upload";
import { AttachmentRejectedError, fileNotFound } from "./files.errors";

export { AttachmentRejectedError };

import type { StoredAttachment } from "../records/gateway";

const ALLOWED = new Set(["image/jpeg", "image/png", "application/pdf"]);

/** A part received into a temporary file (http/upload.ts), with the document it is for. */
export type IncomingFile = Pick<ReceivedPart, "path" | "size" | "sha256" | "head"> & {
  originalName: string;
  documentIndex: number | null;
  documentName: string;
};

/** A checked file, still in its temporary: `store` moves it into place. */
export type InspectedFile = StoredAttachment & { path: string };

/**
 * Citizens' documents, stored under DATA_DIR/files by the SHA-256 of their content (the same photo twice is stored
 * once). The type is read from the bytes, never from the name or the declared type: a renamed executable is refused.
 * Uploads arrive in `files/.incoming` (http/upload.ts), on the same file system, so that accepting one is a rename.
 * Only the orphan sweeper (orphan-sweeper.ts) deletes stored files.
 */
export class AttachmentStore {
  readonly root: string;
  /** Where uploads stream to before they are checked. */
  readonly incomingDir: string;

  constructor(
    dataDir: string,
    private readonly maxBytes: number,
  ) {
    this.root = path.join(dataDir, "files");
    this.incomingDir = path.join(this.root, ".incoming");
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
   * Moves checked files from their temporaries into place, right before the filing that references them commits.
   * A file already stored is replaced by its new copy (the same bytes): its fresh modification time tells the
   * sweeper a filing is about to reference it (orphan-sweeper.ts). Nothing is undone if the filing then fails: the
   * same content may be another filing's in flight, so only the sweeper, after the grace period, removes it.
   */
  store(files: Pick<InspectedFile, "sha256" | "path">[]): void {
    for (const file of files) {
      const target = this.pathOf(file.sha256);
      fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
      fs.renameSync(file.path, target);
    }
  }

  open(sha256: string): fs.ReadStream {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw fileNotFound();
    return fs.createReadStream(this.pathOf(sha256));
  }

  tooLarge(name: string): AttachmentRejectedError {
    const mb = Math.round((this.maxBytes / 1024 / 1024) * 10) / 10;
    return new AttachmentRejectedError(`Tệp "${name}" lớn hơn ${mb} MB. Vui lòng chụp với độ phân giải thấp hơn.`, 413);
  }

  pathOf(sha256: string): string {
    return path.join(this.root, sha256.slice(0, 2), sha256);
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
