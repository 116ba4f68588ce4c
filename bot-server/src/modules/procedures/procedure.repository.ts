import { Procedure } from "@qn/shared";
import { sql } from "kysely";
import type { Db } from "../../db/database";

export type UpsertOutcome = { inserted: number; updated: number; unchanged: number };

/** Data access for the catalogue. The whole record is stored as JSON beside the columns that queries filter on. */
export class ProcedureRepository {
  constructor(private readonly db: Db) {}

  async all(): Promise<Procedure[]> {
    const rows = await this.db.selectFrom("procedures").select("record").orderBy("code").execute();
    return rows.map((r) => Procedure.parse(JSON.parse(r.record)));
  }

  async findByCode(code: string): Promise<Procedure | undefined> {
    const row = await this.db.selectFrom("procedures").select("record").where("code", "=", code).executeTakeFirst();
    return row ? Procedure.parse(JSON.parse(row.record)) : undefined;
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom("procedures")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Bumped in the same transaction as every catalogue change, so that running servers notice imports. */
  async revision(): Promise<number> {
    const row = await this.db
      .selectFrom("meta")
      .select("value")
      .where("key", "=", "catalogue_revision")
      .executeTakeFirst();
    return row ? Number(row.value) : 0;
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom("meta").select("value").where("key", "=", key).executeTakeFirst();
    return row?.value;
  }

  /** What `upsertAll` would do with these records, without writing (a dry run of an import). */
  async preview(records: Procedure[]): Promise<UpsertOutcome> {
    const rows = await this.db.selectFrom("procedures").select(["code", "record"]).execute();
    const stored = new Map(rows.map((r) => [r.code, r.record]));
    const outcome: UpsertOutcome = { inserted: 0, updated: 0, unchanged: 0 };
    for (const p of records) {
      const existing = stored.get(p.code);
      if (existing === undefined) outcome.inserted++;
      else if (existing === JSON.stringify(p)) outcome.unchanged++;
      else outcome.updated++;
    }
    return outcome;
  }

  /**
   * Upserts records by code in one transaction: all or nothing. Records a revision whenever a procedure's online level
   * or postal availability is new or changed, and bumps the catalogue revision once if anything changed.
   */
  async upsertAll(records: Procedure[], meta: Record<string, string> = {}): Promise<UpsertOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const outcome: UpsertOutcome = { inserted: 0, updated: 0, unchanged: 0 };
      const now = new Date().toISOString();
      for (const p of records) {
        const json = JSON.stringify(p);
        const existing = await trx
          .selectFrom("procedures")
          .select(["record", "online_level", "postal"])
          .where("code", "=", p.code)
          .executeTakeFirst();
        const row = {
          name: p.name,
          field: p.field,
          level: p.level,
          agency: p.agency,
          online_level: p.onlineLevel,
          processing_days: p.processingDays,
          postal: p.postal ? 1 : 0,
          record: json,
          updated_at: now,
        };
        if (!existing) {
          await trx
            .insertInto("procedures")
            .values({ code: p.code, ...row, created_at: now })
            .execute();
          outcome.inserted++;
        } else if (existing.record === json) {
          outcome.unchanged++;
          continue;
        } else {
          await trx.updateTable("procedures").set(row).where("code", "=", p.code).execute();
          outcome.updated++;
        }
        if (!existing || existing.online_level !== row.online_level || existing.postal !== row.postal) {
          await trx
            .insertInto("procedure_revisions")
            .values({ code: p.code, online_level: row.online_level, postal: row.postal, valid_from: now })
            .execute();
        }
      }
      for (const [key, value] of Object.entries(meta)) {
        await trx
          .insertInto("meta")
          .values({ key, value })
          .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
          .execute();
      }
      if (outcome.inserted + outcome.updated > 0) {
        await trx
          .updateTable("meta")
          .set({ value: sql<string>`CAST(CAST(value AS INTEGER) + 1 AS TEXT)` })
          .where("key", "=", "catalogue_revision")
          .execute();
      }
      return outcome;
    });
  }
}
