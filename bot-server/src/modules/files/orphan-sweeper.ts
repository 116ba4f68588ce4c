import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Db } from "../../db/database";
import type { Logger } from "../../logger";
import { portalApiDb } from "../portal-api/tables";
import type { AttachmentStore } from "./attachment-store";

const EVERY_MS = 15 * 60_000;
const STORED = /^[0-9a-f]{64}$/;
/** What AttachmentStore.write left while it wrote a file, before uploads were streamed (`<sha>.<uuid>.tmp`). */
const LEGACY_TEMPORARY = /^[0-9a-f]{64}\.[0-9a-f-]{36}\.tmp$/;
const CHUNK = 500;

/**
 * Deletes what a crash or a refused filing leaves (issue 13, finding 9: a SIGKILL mid-filing left 3 files nothing
 * references): upload temporaries, and stored documents that no attachment and no /portal-api upload references,
 * once they are older than the grace period (ORPHAN_GRACE_MINUTES). Runs at start and every 15 minutes.
 *
 * Why it never deletes a file a filing in flight is about to reference:
 * - A filing streams each part to its temporary (written up to its last byte, so its modification time is fresh),
 *   renames it into the store — over an existing copy of the same content too — and only then commits the rows that
 *   reference it (AttachmentStore.store). A rename keeps the temporary's time, so a document a filing is about to
 *   reference is as young as that filing's last byte; the grace period is longer than any filing from its last byte
 *   to its commit (at least 5 minutes, an hour by default).
 * - So a document older than the grace period was not moved in by a filing in flight, and if no row references it
 *   when we look, none will: a filing that needed it would have moved its own fresh copy in.
 * - The one race left is a filing that moves its copy in after we looked and before we delete. So we first take
 *   the document away (a rename into `.incoming`) and look at what we took: a fresh copy is the filing's, and goes
 *   back (over any newer copy: the same bytes); an old one is deleted. The path is absent for the moment between.
 * - Temporaries are deleted by age alone: an upload under way keeps writing its own, a finished one is moved or
 *   discarded within its request (and requests time out long before the grace period).
 */
export class OrphanSweeper {
  private timer: NodeJS.Timeout | undefined;
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly store: Pick<AttachmentStore, "root" | "incomingDir" | "pathOf">,
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
    const pass = this.last.then(() => this.pass(now.getTime() - this.graceMs));
    this.last = pass.catch(() => undefined);
    return pass;
  }

  /** Resolves when no pass is running. */
  async idle(): Promise<void> {
    await this.last;
  }

  private async pass(cutoff: number): Promise<number> {
    let temporaries = 0;
    for (const name of await names(this.store.incomingDir)) {
      if (await removeIfOlder(path.join(this.store.incomingDir, name), cutoff)) temporaries++;
    }
    const candidates: string[] = [];
    for (const folder of await names(this.store.root)) {
      if (!/^[0-9a-f]{2}$/.test(folder)) continue;
      for (const name of await names(path.join(this.store.root, folder))) {
        const file = path.join(this.store.root, folder, name);
        if (LEGACY_TEMPORARY.test(name)) {
          if (await removeIfOlder(file, cutoff)) temporaries++;
        } else if (STORED.test(name) && name.startsWith(folder) && (await modifiedAt(file)) < cutoff) {
          candidates.push(name);
        }
      }
    }
    let documents = 0;
    for (let i = 0; i < candidates.length; i += CHUNK) {
      const chunk = candidates.slice(i, i + CHUNK);
      const referenced = await this.referenced(chunk);
      for (const sha256 of chunk) {
        if (!referenced.has(sha256) && (await this.removeDocument(sha256, cutoff))) documents++;
      }
    }
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

  /** Takes the document away, then deletes it if it is still the old copy, or puts back a filing's fresh one. */
  private async removeDocument(sha256: string, cutoff: number): Promise<boolean> {
    const target = this.store.pathOf(sha256);
    const taken = path.join(this.store.incomingDir, `swept-${randomUUID()}`);
    try {
      await fs.promises.rename(target, taken);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw error;
    }
    if ((await modifiedAt(taken)) >= cutoff) {
      await fs.promises.rename(taken, target);
      return false;
    }
    await fs.promises.rm(taken, { force: true });
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
