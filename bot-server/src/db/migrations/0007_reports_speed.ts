import { type Kysely, type Migration, sql } from "kysely";
import { dialectOf, vietnamYearOf } from "../dialect";

export const migration: Migration = {
  async up(db: Kysely<unknown>) {
    // Reports over a quarter or a year (bench:reports, docs/benchmarks/reports-2026-11-27.txt): the indexes of 0005
    // are led by the instant, so SQLite had to sort every dossier of the period for GROUP BY (~4 s per query for a
    // province-year of 2 million dossiers). These are in the GROUP BY's order after the unit and the year of the
    // instant in Vietnam, so one unit-year is read in order and nothing is sorted. The repository's queries use the
    // same strftime expression, literals included; SQLite matches an expression index only on the identical
    // expression: both come from db/dialect.ts (vietnamYearOf), which spells it for SQLite and for PostgreSQL.
    const dialect = dialectOf(db);
    await db.schema
      .createIndex("dossiers_report_year_idx")
      .on("dossiers")
      .column("unit_code")
      .expression(vietnamYearOf(dialect, "submitted_at"))
      .columns(["procedure_code", "online_level", "channel", "submitted_at"])
      .execute();
    await db.schema
      .createIndex("dossiers_report_delivered_year_idx")
      .on("dossiers")
      .column("unit_code")
      .expression(vietnamYearOf(dialect, "delivered_at"))
      .columns(["procedure_code", "result_method", "delivered_at"])
      .where(sql.ref("delivered_at"), "is not", null)
      .execute();
  },
};
