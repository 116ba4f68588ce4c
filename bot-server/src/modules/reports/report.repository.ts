import type {
  AdministrativeLevel,
  DeliveryGroup,
  ProcedureHistory,
  ProcedureLevel,
  ReportScope,
  SubmissionGroup,
} from "@qn/shared";
import { sql } from "kysely";
import type { Db } from "../../db/database";

export type ReceivingUnit = { code: string; name: string; level: AdministrativeLevel };

/**
 * What the indicators are computed from, read with three grouped queries. Each query is answered from a covering
 * index (migration 0005): the submission and delivery instants lead for a province report, the unit leads for one
 * unit's. Nothing here knows the formulas; they are in shared/src/indicators.ts.
 */
export class ReportRepository {
  constructor(private readonly db: Db) {}

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
    let query = this.db
      .selectFrom("dossiers")
      .select(["unit_code", "procedure_code", "online_level", "channel", sql<number>`count(*)`.as("n")])
      .where("submitted_at", ">=", start)
      .where("submitted_at", "<", end)
      .groupBy(["unit_code", "procedure_code", "online_level", "channel"]);
    if (scope.kind === "unit") query = query.where("unit_code", "=", scope.unitCode);
    const rows = await query.execute();
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
    let query = this.db
      .selectFrom("dossiers")
      .select(["unit_code", "procedure_code", "result_method", sql<number>`count(*)`.as("n")])
      .where("delivered_at", "is not", null)
      .where("delivered_at", ">=", start)
      .where("delivered_at", "<", end)
      .groupBy(["unit_code", "procedure_code", "result_method"]);
    if (scope.kind === "unit") query = query.where("unit_code", "=", scope.unitCode);
    const rows = await query.execute();
    return rows.map((r) => ({
      unitCode: r.unit_code,
      procedureCode: r.procedure_code,
      method: (r.result_method ?? "counter") as DeliveryGroup["method"],
      count: Number(r.n),
    }));
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
