import { sql } from "kysely";
import type { Db } from "../../db/database";
import { storageQuotaExceeded } from "./files.errors";

/**
 * What one citizen's documents may take (CITIZEN_STORAGE_QUOTA_MB, issue 13, finding 4): the sum of the sizes of the
 * attachments of their dossiers (the same photo in two dossiers counts twice: it is what they sent), plus what their
 * filings in flight in this process are about to add. Reservations are taken one at a time per citizen, so two
 * filings at once cannot both fit in the same room; one released while another is checked is at worst counted twice.
 */
export class CitizenStorageQuota {
  private readonly inFlight = new Map<number, number>();
  private readonly turns = new Map<number, Promise<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly limitBytes: number,
  ) {}

  /** Reserves `bytes` for the citizen, or throws STORAGE_QUOTA_EXCEEDED. Call the result when the filing is over. */
  reserve(citizenId: number, bytes: number): Promise<() => void> {
    const previous = this.turns.get(citizenId) ?? Promise.resolve();
    const turn = previous.then(() => this.take(citizenId, bytes));
    const settled = turn.catch(() => undefined);
    this.turns.set(citizenId, settled);
    void settled.then(() => {
      if (this.turns.get(citizenId) === settled) this.turns.delete(citizenId);
    });
    return turn;
  }

  async used(citizenId: number): Promise<number> {
    const row = await this.db
      .selectFrom("attachments")
      .innerJoin("dossiers", "dossiers.id", "attachments.dossier_id")
      .select(sql<number>`coalesce(sum(attachments.size), 0)`.as("bytes"))
      .where("dossiers.citizen_id", "=", citizenId)
      .executeTakeFirstOrThrow();
    return Number(row.bytes);
  }

  private async take(citizenId: number, bytes: number): Promise<() => void> {
    const reserved = this.inFlight.get(citizenId) ?? 0;
    const used = (await this.used(citizenId)) + reserved;
    if (used + bytes > this.limitBytes) throw storageQuotaExceeded(this.limitBytes, used, bytes);
    this.inFlight.set(citizenId, (this.inFlight.get(citizenId) ?? 0) + bytes);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(citizenId) ?? 0) - bytes;
      if (left > 0) this.inFlight.set(citizenId, left);
      else this.inFlight.delete(citizenId);
    };
  }
}
