import {
  type AdministrativeLevel,
  type DeliveryGroup,
  fromVietnamWallClock,
  type PaymentGroup,
  type PostalGroup,
  type ProcedureHistory,
  type ProcedureLevel,
  type ReportScope,
  type SubmissionGroup,
  toVietnamWallClock,
} from "@qn/shared";
import { type RawBuilder, type SelectQueryBuilder, sql } from "kysely";
import type { Db } from "../../db/database";
import { dialectOf, vietnamYearOf } from "../../db/dialect";
import type { Database } from "../../db/schema";

export type ReceivingUnit = { code: string; name: string; level: AdministrativeLevel };

const DAY = 86_400_000;

/**
 * Periods up to this long are read through the instant-led indexes of migration 0005 and sorted for GROUP BY: they hold
 * few dossiers. Longer ones are read a Vietnamese year at a time through the indexes of migration 0007, whose order is
 * the GROUP BY's, so nothing is sorted (sorting 2 million dossiers for a year's report took SQLite ~4 s; see
 * docs/benchmarks/reports-2026-11-27.txt). A month is cheaper sorted; a quarter is cheaper read in order.
 */
const SHORT_PERIOD_MS = 45 * DAY;
const isShort = (start: string, end: string) => Date.parse(end) - Date.parse(start) <= SHORT_PERIOD_MS;

/**
 * The year of an instant in Vietnam, as SQL: the same expression as in the indexes of migration 0007 (SQLite uses an
 * expression index only for the identical expression, so the literals stay literals here, not parameters). It agrees
 * with comparing the ISO strings because every instant is written by `toISOString()`; an instant SQLite could not
 * parse would have no year and be left out of long periods.
 */

/**
 * The Vietnamese years that [start, end) touches, each with whether the period covers the whole of it (then the year
 * alone selects the dossiers, and the instants need not be compared row by row).
 */
function vietnameseYears(start: string, end: string): { year: string; whole: boolean }[] {
  const from = Date.parse(start);
  const to = Date.parse(end);
  if (!(from < to)) return [];
  const first = new Date(toVietnamWallClock(from)).getUTCFullYear();
  const last = new Date(toVietnamWallClock(to - 1)).getUTCFullYear();
  const out: { year: string; whole: boolean }[] = [];
  for (let y = first; y <= last; y++) {
    const yearStart = fromVietnamWallClock(Date.UTC(y, 0, 1));
    const yearEnd = fromVietnamWallClock(Date.UTC(y + 1, 0, 1));
    out.push({ year: String(y).padStart(4, "0"), whole: from <= yearStart && to >= yearEnd });
  }
  return out;
}

/**
 * What the indicators are computed from, read with grouped queries over covering indexes. A long period (a quarter, a
 * year) is read one Vietnamese year at a time from the indexes of migration 0007 — unit, year of the instant, then the
 * grouped columns — in the GROUP BY's order: for the whole province, every unit's entries for that year one after the
 * other (`unit_code IN (...)`, the units found by a skip over an index). A short period uses the indexes of migration
 * 0005, led by the instant for a province report and by the unit for one unit's. Groups of different years are not
 * merged: the formulas add counts up. Nothing here knows the formulas; they are in shared/src/indicators.ts.
 */
/** The grouped counts less the spam dossiers, one per dossier in its group; emptied groups left out. */
function withoutSpam<R extends { n: number }, S>(rows: R[], spam: S[], key: (r: R | S) => string): R[] {
  if (spam.length === 0) return rows;
  const marked = new Map<string, number>();
  for (const s of spam) marked.set(key(s), (marked.get(key(s)) ?? 0) + 1);
  const out: R[] = [];
  for (const row of rows) {
    const k = key(row);
    const take = Math.min(Number(row.n), marked.get(k) ?? 0);
    if (take > 0) marked.set(k, (marked.get(k) ?? 0) - take);
    if (Number(row.n) - take > 0) out.push({ ...row, n: Number(row.n) - take });
  }
  return out;
}

export class ReportRepository {
  private readonly submittedYear: RawBuilder<string>;
  private readonly deliveredYear: RawBuilder<string>;

  constructor(private readonly db: Db) {
    // The year indexes' own expressions (migration 0007), as this database spells them.
    this.submittedYear = vietnamYearOf(dialectOf(db), "submitted_at");
    this.deliveredYear = vietnamYearOf(dialectOf(db), "delivered_at");
  }

  async units(): Promise<ReceivingUnit[]> {
    const rows = await this.db
      .selectFrom("receiving_units")
      .select(["code", "name", "level"])
      .orderBy("code")
      .execute();
    return rows.map((r) => ({ code: r.code, name: r.name, level: r.level as AdministrativeLevel }));
  }

  /** Every procedure with its history of online levels and postal availability. */
  async procedures(): Promise<ProcedureHistory[]> {
    const procedures = await this.db.selectFrom("procedures").select(["code", "level"]).execute();
    const revisions = await this.db
      .selectFrom("procedure_revisions")
      .select(["code", "online_level", "postal", "valid_from"])
      .orderBy("code")
      .orderBy("valid_from")
      .execute();
    const byCode = new Map<string, ProcedureHistory & { revisions: ProcedureHistory["revisions"][number][] }>();
    for (const p of procedures) byCode.set(p.code, { code: p.code, level: p.level as ProcedureLevel, revisions: [] });
    for (const r of revisions) {
      byCode
        .get(r.code)
        ?.revisions.push({ validFrom: r.valid_from, onlineLevel: r.online_level, postal: r.postal === 1 });
    }
    return [...byCode.values()];
  }

  /** Dossiers submitted in [start, end), counted by unit, procedure, online level when filed and channel. */
  async submissions(
    start: string,
    end: string,
    scope: ReportScope,
    levels: Map<string, AdministrativeLevel>,
  ): Promise<SubmissionGroup[]> {
    const grouped = () =>
      this.db
        .selectFrom("dossiers")
        .select(["unit_code", "procedure_code", "online_level", "channel", sql<number>`count(*)`.as("n")])
        .groupBy(["unit_code", "procedure_code", "online_level", "channel"]);
    const [counted, spam] = await Promise.all([
      this.inPeriod(grouped, "submitted_at", this.submittedYear, start, end, scope),
      this.spam("submitted_at", start, end, scope),
    ]);
    const key = (r: { unit_code: string; procedure_code: string; online_level: number | null; channel: string }) =>
      `${r.unit_code}|${r.procedure_code}|${r.online_level}|${r.channel}`;
    const rows = withoutSpam(counted, spam, key);
    return rows.map((r) => ({
      unitCode: r.unit_code,
      unitLevel: levels.get(r.unit_code) ?? "commune",
      procedureCode: r.procedure_code,
      onlineLevel: r.online_level ?? 0,
      channel: r.channel as SubmissionGroup["channel"],
      count: Number(r.n),
    }));
  }

  /** Results delivered in [start, end), counted by unit, procedure and delivery method. */
  async deliveries(start: string, end: string, scope: ReportScope): Promise<DeliveryGroup[]> {
    const grouped = () =>
      this.db
        .selectFrom("dossiers")
        .select(["unit_code", "procedure_code", "result_method", sql<number>`count(*)`.as("n")])
        .where("delivered_at", "is not", null)
        .groupBy(["unit_code", "procedure_code", "result_method"]);
    const [counted, spam] = await Promise.all([
      this.inPeriod(grouped, "delivered_at", this.deliveredYear, start, end, scope),
      this.spam("delivered_at", start, end, scope),
    ]);
    const key = (r: { unit_code: string; procedure_code: string; result_method: string | null }) =>
      `${r.unit_code}|${r.procedure_code}|${r.result_method}`;
    const rows = withoutSpam(counted, spam, key);
    return rows.map((r) => ({
      unitCode: r.unit_code,
      procedureCode: r.procedure_code,
      method: (r.result_method ?? "counter") as DeliveryGroup["method"],
      count: Number(r.n),
    }));
  }

  /**
   * The postal records (issue 15) for indicators 4–6: dossiers submitted in [start, end) whose originals the post
   * picked up, and results the post delivered in [start, end); not spam. Read through the partial indexes of migration
   * 0019, which hold only the dossiers with such a record (a small share), with every column these counts read.
   */
  async postal(start: string, end: string, scope: ReportScope): Promise<PostalGroup[]> {
    let received = this.db
      .selectFrom("dossiers")
      .select(["unit_code", "procedure_code", sql<number>`count(*)`.as("n")])
      .where("postal_received_at", "is not", null)
      .where("submitted_at", ">=", start)
      .where("submitted_at", "<", end)
      .where("spam_at", "is", null)
      .groupBy(["unit_code", "procedure_code"]);
    let returned = this.db
      .selectFrom("dossiers")
      .select(["unit_code", "procedure_code", sql<number>`count(*)`.as("n")])
      .where("postal_delivered_at", "is not", null)
      .where("postal_delivered_at", ">=", start)
      .where("postal_delivered_at", "<", end)
      .where("spam_at", "is", null)
      .groupBy(["unit_code", "procedure_code"]);
    if (scope.kind === "unit") {
      received = received.where("unit_code", "=", scope.unitCode);
      returned = returned.where("unit_code", "=", scope.unitCode);
    }
    const [r, d] = await Promise.all([received.execute(), returned.execute()]);
    const group = (kind: PostalGroup["kind"]) => (row: { unit_code: string; procedure_code: string; n: number }) => ({
      unitCode: row.unit_code,
      procedureCode: row.procedure_code,
      kind,
      count: Number(row.n),
    });
    return [...r.map(group("received")), ...d.map(group("returned"))];
  }

  /**
   * The online-payment rate's counts (issue 14): dossiers submitted in [start, end), not spam, that owed fees (a charge
   * with an amount), and those with a charge paid online. Read from the charges (a small table) joined to their dossier.
   */
  async payments(start: string, end: string, scope: ReportScope): Promise<PaymentGroup[]> {
    let query = this.db
      .selectFrom("dossier_charges as c")
      .innerJoin("dossiers as d", "d.id", "c.dossier_id")
      .select([
        "d.unit_code",
        sql<number>`count(distinct d.id)`.as("with_fees"),
        sql<number>`count(distinct case when c.status = 'paid' then d.id end)`.as("paid_online"),
      ])
      .where("c.amount", ">", 0)
      .where("d.submitted_at", ">=", start)
      .where("d.submitted_at", "<", end)
      .where("d.spam_at", "is", null)
      .groupBy("d.unit_code");
    if (scope.kind === "unit") query = query.where("d.unit_code", "=", scope.unitCode);
    const rows = await query.execute();
    return rows.map((r) => ({
      unitCode: r.unit_code,
      withFees: Number(r.with_fees),
      paidOnline: Number(r.paid_online),
    }));
  }

  /**
   * The dossiers an official marked as spam (issue 13, finding 3) whose `instant` falls in [start, end): junk is not a
   * dossier the directive counts. Read through their partial index (migration 0015) and taken out of the grouped
   * counts afterwards, so that the covering indexes the counts are read from stay covering.
   */
  private async spam(instant: "submitted_at" | "delivered_at", start: string, end: string, scope: ReportScope) {
    let query = this.db
      .selectFrom("dossiers")
      .select(["unit_code", "procedure_code", "online_level", "channel", "result_method", instant])
      .where("spam_at", "is not", null);
    if (scope.kind === "unit") query = query.where("unit_code", "=", scope.unitCode);
    const rows = await query.execute();
    return rows.filter((r) => {
      const at = r[instant];
      return at !== null && at >= start && at < end;
    });
  }

  /**
   * Every unit code that occurs on a dossier (not only today's receiving units), in a few milliseconds: a skip over
   * the unit index, one seek per unit, instead of reading 2 million entries for DISTINCT.
   */
  private async dossierUnits(): Promise<string[]> {
    const result = await sql<{ code: string }>`
      WITH RECURSIVE units(code) AS (
        SELECT min(unit_code) FROM dossiers
        UNION ALL
        SELECT (SELECT min(unit_code) FROM dossiers WHERE unit_code > units.code) FROM units WHERE units.code IS NOT NULL
      )
      SELECT code FROM units WHERE code IS NOT NULL`.execute(this.db);
    return result.rows.map((r) => r.code);
  }

  /**
   * A grouped query over the dossiers whose `instant` falls in [start, end): a short period through the instant-led
   * index of migration 0005, a longer one a Vietnamese year at a time through the unit-and-year index of 0007 (`year`
   * must be the index's own expression). Submissions and deliveries share this; only their columns differ.
   */
  private async inPeriod<R>(
    grouped: () => SelectQueryBuilder<Database, "dossiers", R>,
    instant: "submitted_at" | "delivered_at",
    year: RawBuilder<string>,
    start: string,
    end: string,
    scope: ReportScope,
  ): Promise<R[]> {
    if (isShort(start, end)) {
      let query = grouped().where(instant, ">=", start).where(instant, "<", end);
      if (scope.kind === "unit") query = query.where("unit_code", "=", scope.unitCode);
      return query.execute();
    }
    const units = scope.kind === "unit" ? [scope.unitCode] : await this.dossierUnits();
    const rows: R[] = [];
    for (const { year: y, whole } of vietnameseYears(start, end)) {
      if (units.length === 0) break;
      let query = grouped().where("unit_code", "in", units).where(year, "=", y);
      if (!whole) query = query.where(instant, ">=", start).where(instant, "<", end);
      for (const row of await query.execute()) rows.push(row);
    }
    return rows;
  }

  async submittedReports(year: number, quarter: number) {
    return this.db
      .selectFrom("report_submissions")
      .select(["id", "unit_code", "submitted_at", "submitted_by_name"])
      .where("year", "=", year)
      .where("quarter", "=", quarter)
      .execute();
  }

  async saveSubmission(row: {
    unit_code: string;
    year: number;
    quarter: number;
    figures: string;
    submitted_by: number;
    submitted_by_name: string;
    submitted_at: string;
  }): Promise<boolean> {
    const result = await this.db
      .insertInto("report_submissions")
      .values(row)
      .onConflict((oc) => oc.columns(["unit_code", "year", "quarter"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }
}
