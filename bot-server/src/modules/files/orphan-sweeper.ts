import fs from "node:fs";
import path from "node:path";
import type { Db } from "../../db/database";
import type { Logger } from "../../logger";
import { portalApiDb } from "../portal-api/tables";
import type { AttachmentStore } from "./attachment-store";
import type { SetAside } from "./file-store";

const EVERY_MS = 15 * 60_000;
const CHUNK = 500;
/** A document set aside longer ago than this was left by a sweep that stopped (one takes milliseconds). */
const LEFT_ASIDE_MS = 10 * 60_000;

/**
 * Deletes what a crash or a refused filing leaves (issue 13, finding 9: a SIGKILL mid-filing left 3 files nothing
 * references): upload temporaries on this machine's disk, and stored documents that no attachment and no /portal-api
 * upload references, once they are older than the grace period (ORPHAN_GRACE_MINUTES). Runs at start and every 15
 * minutes, through the file store (FILE_STORE: local disk or S3, decision 0019).
 *
 * Why it never deletes a file a filing in flight is about to reference:
 * - A filing streams each part to its temporary (written up to its last byte, so its modification time is fresh),
 *   puts it into the store — over an existing copy of the same content too — and only then commits the rows that
 *   reference it (AttachmentStore.store). A put makes the stored copy as young as that filing's last byte (a local
 *   rename keeps the temporary's time, an S3 put is timed when it lands); the grace period is longer than any filing
 *   from its last byte to its commit (at least 5 minutes, an hour by default).
 * - So a document older than the grace period was not put by a filing in flight, and if no row references it when
 *   we look, none will: a filing that needed it would have put its own fresh copy.
 * - The one race left is a filing that puts its copy after we looked and before we delete. So we first take the
 *   document away (`FileStore.setAside`) and look at what we took: a fresh copy is the filing's, and goes back (over
 *   any newer copy: the same bytes). The local store takes it by an atomic rename, so that closes it. S3 has no
 *   rename (a copy, then a delete), so a put may land between the two and be deleted with the old copy: we look at
 *   the references again after the delete and put back what a filing has committed meanwhile, and a filing that
 *   commits after that finds its file gone when it checks (AttachmentStore.confirm) and puts it again.
 * - What a sweep stopped half-way left set aside goes back if it is referenced or fresh, else it is deleted.
 * - Temporaries are deleted by age alone: an upload under way keeps writing its own, a finished one is moved or
 *   discarded within its request (and requests time out long before the grace period).
 */
export class OrphanSweeper {
  private timer: NodeJS.Timeout | undefined;
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly files: Pick<AttachmentStore, "fileStore" | "incomingDir">,
    private readonly graceMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    const run = () => void this.sweep().catch((error) => this.logger.error({ err: error }, "orphan sweep failed"));
    run();
    this.timer = setInterval(run, EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass (after any pass running): deletes orphans last written before `now` minus the grace; how many. */
  sweep(now: Date = new Date()): Promise<number> {
    const pass = this.last.then(() => this.pass(now.getTime(), now.getTime() - this.graceMs));
    this.last = pass.catch(() => undefined);
    return pass;
  }

  /** Resolves when no pass is running. */
  async idle(): Promise<void> {
    await this.last;
  }

  private async pass(now: number, cutoff: number): Promise<number> {
    const store = this.files.fileStore;
    for await (const aside of store.setAsideLeft(now - LEFT_ASIDE_MS)) await this.settle(aside, cutoff);
    let temporaries = 0;
    for (const name of await names(this.files.incomingDir)) {
      // A document the local store set aside is not a temporary: `setAsideLeft` looks after it.
      if (/^swept-[0-9a-f]{64}-/.test(name)) continue;
      if (await removeIfOlder(path.join(this.files.incomingDir, name), cutoff)) temporaries++;
    }
    temporaries += await store.removeTemporaries(cutoff);
    let documents = 0;
    let candidates: string[] = [];
    const sweep = async () => {
      const referenced = await this.referenced(candidates);
      for (const sha256 of candidates) {
        if (referenced.has(sha256)) continue;
        const aside = await store.setAside(sha256);
        if (aside && (await this.settle(aside, cutoff))) documents++;
      }
      candidates = [];
    };
    for await (const file of store.list()) {
      if (file.modifiedAt >= cutoff) continue;
      candidates.push(file.sha256);
      if (candidates.length >= CHUNK) await sweep();
    }
    if (candidates.length > 0) await sweep();
    if (temporaries + documents > 0) {
      this.logger.info({ temporaries, documents }, "orphan sweep: deleted files nothing references");
    }
    return temporaries + documents;
  }

  private async referenced(sha256s: string[]): Promise<Set<string>> {
    const [attachments, uploads] = await Promise.all([
      this.db.selectFrom("attachments").select("sha256").where("sha256", "in", sha256s).execute(),
      // The /portal-api's uploads waiting for their supplement reference their files too (migration 0008).
      portalApiDb(this.db).selectFrom("portal_api_uploads").select("sha256").where("sha256", "in", sha256s).execute(),
    ]);
    return new Set([...attachments, ...uploads].map((r) => r.sha256));
  }

  /**
   * A document taken away: back if the copy taken is fresh (a filing put it) or a row references it now (a filing
   * committed while we took it), else deleted; whether it was deleted.
   */
  private async settle(aside: SetAside, cutoff: number): Promise<boolean> {
    if (aside.modifiedAt >= cutoff || (await this.referenced([aside.sha256])).size > 0) {
      await aside.restore();
      return false;
    }
    await aside.discard();
    return true;
  }
}

async function names(dir: string): Promise<string[]> {
  try {
    return await fs.promises.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

async function modifiedAt(file: string): Promise<number> {
  try {
    const stat = await fs.promises.stat(file);
    return stat.isFile() ? stat.mtimeMs : Number.POSITIVE_INFINITY;
  } catch {
    return Number.POSITIVE_INFINITY; // gone meanwhile: nothing to do
  }
}

async function removeIfOlder(file: string, cutoff: number): Promise<boolean> {
  if ((await modifiedAt(file)) >= cutoff) return false;
  await fs.promises.rm(file, { force: true });
  return true;
}
