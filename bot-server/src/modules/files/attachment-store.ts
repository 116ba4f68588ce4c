import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileTypeFromBuffer } from "file-type";
import { AttachmentRejectedError, fileNotFound } from "./files.errors";

export { AttachmentRejectedError };

import type { StoredAttachment } from "../records/gateway";

const ALLOWED = new Set(["image/jpeg", "image/png", "application/pdf"]);

export type IncomingFile = { buffer: Buffer; originalName: string; documentIndex: number | null; documentName: string };

/**
 * Citizens' documents, stored under DATA_DIR/files by the SHA-256 of their content (the same photo twice is stored
 * once). The type is read from the bytes, never from the name or the declared type: a renamed executable is refused.
 */
export class AttachmentStore {
  private readonly root: string;

  constructor(
    dataDir: string,
    private readonly maxBytes: number,
  ) {
    this.root = path.join(dataDir, "files");
  }

  /** Checks every file first; nothing is written unless all are acceptable. */
  async inspect(files: IncomingFile[]): Promise<(StoredAttachment & { buffer: Buffer })[]> {
    const out: (StoredAttachment & { buffer: Buffer })[] = [];
    for (const file of files) {
      if (file.buffer.length === 0) throw new AttachmentRejectedError(`Tệp "${file.originalName}" rỗng.`, 422);
      if (file.buffer.length > this.maxBytes) throw this.tooLarge(file.originalName);
      const type = await fileTypeFromBuffer(file.buffer);
      if (!type || !ALLOWED.has(type.mime)) {
        throw new AttachmentRejectedError(
          `Tệp "${file.originalName}" không phải ảnh JPEG, PNG hoặc tệp PDF. Vui lòng chụp lại hoặc chọn tệp khác.`,
        );
      }
      out.push({
        buffer: file.buffer,
        documentIndex: file.documentIndex,
        documentName: file.documentName,
        sha256: createHash("sha256").update(file.buffer).digest("hex"),
        mime: type.mime as StoredAttachment["mime"],
        size: file.buffer.length,
        fileName: safeName(file.originalName, type.ext),
      });
    }
    return out;
  }

  /** Writes the files (atomically, by content hash). Returns a function that removes the ones this call created. */
  write(files: { sha256: string; buffer: Buffer }[]): { undo: () => void } {
    const created: string[] = [];
    for (const file of files) {
      const target = this.pathOf(file.sha256);
      if (fs.existsSync(target)) continue;
      fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
      const temp = `${target}.${randomUUID()}.tmp`;
      fs.writeFileSync(temp, file.buffer, { mode: 0o600 });
      fs.renameSync(temp, target);
      created.push(target);
    }
    return {
      undo: () => {
        for (const file of created) fs.rmSync(file, { force: true });
      },
    };
  }

  open(sha256: string): fs.ReadStream {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw fileNotFound();
    return fs.createReadStream(this.pathOf(sha256));
  }

  tooLarge(name: string): AttachmentRejectedError {
    const mb = Math.round((this.maxBytes / 1024 / 1024) * 10) / 10;
    return new AttachmentRejectedError(`Tệp "${name}" lớn hơn ${mb} MB. Vui lòng chụp với độ phân giải thấp hơn.`, 413);
  }

  private pathOf(sha256: string): string {
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
