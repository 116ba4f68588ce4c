import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import type { Config } from "../../config";
import { fileNotFound } from "./files.errors";

/** A stored document as the sweeper lists it: its key and when its content was last written. */
export type StoredFile = { sha256: string; modifiedAt: number };

/**
 * A document the sweeper took away from its key (`FileStore.setAside`): no longer readable, not deleted yet.
 * `modifiedAt` is when the copy taken was written: a fresh one is a filing's, and goes back.
 */
export type SetAside = {
  sha256: string;
  modifiedAt: number;
  /** Puts it back under its key (over any copy put there meanwhile: the same bytes). */
  restore(): Promise<void>;
  /** Deletes it. */
  discard(): Promise<void>;
};

/** A temporary file an upload left (http/upload.ts), already hashed and checked. */
export type VerifiedTemporary = { path: string; size: number };

/**
 * Where citizens' documents are kept, by the SHA-256 of their content (issue 16): the same bytes, the same key.
 * Uploads always stream to a temporary on this machine's disk first (hashed and typed as they arrive), then are put
 * here before the rows that reference them commit. Nothing but the orphan sweeper removes a stored document: a key
 * may be shared by several filings, so a failed one never deletes what it put (decision 0019).
 */
export interface FileStore {
  readonly kind: "local" | "s3";
  /**
   * Stores the temporary under `sha256`, over any copy already there (the same bytes: the put makes the stored copy
   * fresh, which tells the sweeper a filing is about to reference it). It may consume the temporary (the local store
   * renames it) or leave it (S3 copies it): the request's clean-up deletes what is left.
   */
  put(sha256: string, file: VerifiedTemporary): Promise<void>;
  /** The content under `sha256`; NOT_FOUND if none. */
  open(sha256: string): Promise<Readable>;
  exists(sha256: string): Promise<boolean>;
  /** Removes the document, if any. The sweeper uses `setAside` instead: only tests and tools delete outright. */
  delete(sha256: string): Promise<void>;
  /** Every stored document, for the sweeper; in no particular order. */
  list(): AsyncIterable<StoredFile>;
  /** Takes the document away from its key (the sweeper's first step before deleting); undefined if it is absent. */
  setAside(sha256: string): Promise<SetAside | undefined>;
  /** What a sweep that stopped half-way (a crash) left set aside, taken away before `before`. */
  setAsideLeft(before: number): AsyncIterable<SetAside>;
  /** Deletes this store's own half-written leftovers last written before `before`; how many. */
  removeTemporaries(before: number): Promise<number>;
}

const SHA256 = /^[0-9a-f]{64}$/;
/** What AttachmentStore.write left while it wrote a file, before uploads were streamed (`<sha>.<uuid>.tmp`). */
const LEGACY_TEMPORARY = /^[0-9a-f]{64}\.[0-9a-f-]{36}\.tmp$/;
/** A document the sweeper set aside: `swept-<sha256>-<uuid>` in the temporaries' folder. */
const LOCAL_SET_ASIDE = /^swept-([0-9a-f]{64})-[0-9a-f-]{36}$/;

/** The key's own check: a SHA-256 in lower-case hex, never a path. */
export function checkedKey(sha256: string): string {
  if (!SHA256.test(sha256)) throw fileNotFound();
  return sha256;
}

/**
 * The documents on this machine's disk, as they always were: `DATA_DIR/files/<first two hex digits>/<sha256>`, files
 * 0600 in folders 0700. Uploads arrive in `files/.incoming`, on the same file system, so that a put is a rename, and
 * setting aside is a rename into `.incoming` too (atomic: the sweeper then looks at what it took, decision 0019).
 */
export class LocalFileStore implements FileStore {
  readonly kind = "local";
  readonly incomingDir: string;

  constructor(readonly root: string) {
    this.incomingDir = path.join(root, ".incoming");
  }

  pathOf(sha256: string): string {
    const key = checkedKey(sha256);
    return path.join(this.root, key.slice(0, 2), key);
  }

  async put(sha256: string, file: VerifiedTemporary): Promise<void> {
    const target = this.pathOf(sha256);
    await fs.promises.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    await fs.promises.rename(file.path, target);
  }

  async open(sha256: string): Promise<Readable> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(this.pathOf(sha256), "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw fileNotFound();
      throw error;
    }
    return handle.createReadStream();
  }

  async exists(sha256: string): Promise<boolean> {
    return (await statOf(this.pathOf(sha256)))?.isFile() ?? false;
  }

  async delete(sha256: string): Promise<void> {
    await fs.promises.rm(this.pathOf(sha256), { force: true });
  }

  async *list(): AsyncIterable<StoredFile> {
    for (const folder of await names(this.root)) {
      if (!/^[0-9a-f]{2}$/.test(folder)) continue;
      for (const name of await names(path.join(this.root, folder))) {
        if (!SHA256.test(name) || !name.startsWith(folder)) continue;
        const stat = await statOf(path.join(this.root, folder, name));
        if (stat?.isFile()) yield { sha256: name, modifiedAt: stat.mtimeMs };
      }
    }
  }

  async setAside(sha256: string): Promise<SetAside | undefined> {
    const target = this.pathOf(sha256);
    const taken = path.join(this.incomingDir, `swept-${sha256}-${randomUUID()}`);
    await fs.promises.mkdir(this.incomingDir, { recursive: true, mode: 0o700 });
    try {
      await fs.promises.rename(target, taken);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    // A rename keeps the content's modification time: the copy taken tells whether a filing just put it.
    const stat = await statOf(taken);
    return this.handle(sha256, taken, stat?.mtimeMs ?? Number.POSITIVE_INFINITY);
  }

  async *setAsideLeft(before: number): AsyncIterable<SetAside> {
    for (const name of await names(this.incomingDir)) {
      const match = LOCAL_SET_ASIDE.exec(name);
      if (!match) continue;
      const taken = path.join(this.incomingDir, name);
      const stat = await statOf(taken);
      // The rename that set it aside changed its ctime (not its mtime): that is when it was taken.
      if (!stat || stat.ctimeMs >= before) continue;
      yield this.handle(match[1] as string, taken, stat.mtimeMs);
    }
  }

  async removeTemporaries(before: number): Promise<number> {
    let removed = 0;
    for (const folder of await names(this.root)) {
      if (!/^[0-9a-f]{2}$/.test(folder)) continue;
      for (const name of await names(path.join(this.root, folder))) {
        if (!LEGACY_TEMPORARY.test(name)) continue;
        const file = path.join(this.root, folder, name);
        const stat = await statOf(file);
        if (stat && stat.mtimeMs < before) {
          await fs.promises.rm(file, { force: true });
          removed++;
        }
      }
    }
    return removed;
  }

  private handle(sha256: string, taken: string, modifiedAt: number): SetAside {
    const target = this.pathOf(sha256);
    return {
      sha256,
      modifiedAt,
      restore: async () => {
        await fs.promises.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
        try {
          await fs.promises.rename(taken, target);
        } catch (error) {
          // Another process sweeping the same folder put it back or deleted it already.
          if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        }
      },
      discard: () => fs.promises.rm(taken, { force: true }),
    };
  }
}

/** FILE_STORE's settings, as config.ts gives them. */
export type FileStoreSettings = Config["fileStore"];

/**
 * The file store FILE_STORE names: the local disk under DATA_DIR (the default) or an S3-compatible bucket. The AWS
 * SDK is loaded only for the second.
 */
export async function openFileStore(settings: FileStoreSettings, dataDir: string): Promise<FileStore> {
  if (settings.kind === "local") return new LocalFileStore(path.join(dataDir, "files"));
  const { S3FileStore } = await import("./s3-file-store");
  return new S3FileStore(settings);
}

/** Where uploads stream to before they are checked and put: this machine's disk, whatever the store. */
export function incomingDirOf(dataDir: string): string {
  return path.join(dataDir, "files", ".incoming");
}

async function names(dir: string): Promise<string[]> {
  try {
    return await fs.promises.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

async function statOf(file: string): Promise<fs.Stats | undefined> {
  try {
    return await fs.promises.stat(file);
  } catch {
    return undefined; // gone meanwhile: nothing to do
  }
}
