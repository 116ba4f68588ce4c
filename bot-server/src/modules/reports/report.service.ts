import {
  computeIndicators,
  computePaymentRate,
  type IndicatorReport,
  OVERALL_FORMULA,
  type PaymentRateFigure,
  type Period,
  PROVINCE_CODE,
  periodInstants,
  quarterPeriod,
  type ReportScope,
  reminderState,
  splitPeriod,
  vietnamDate,
} from "@qn/shared";
import { ConflictError, ForbiddenError, ValidationError } from "../../errors/app-error";
import type { OfficialActor } from "../auth/actor";
import type { ReceivingUnit, ReportRepository } from "./report.repository";

export const ALL_UNITS = "all";

/** The earlier of two calendar days (ISO strings compare in date order). */
const earlier = (a: string, b: string) => (a < b ? a : b);

export type ReportUnit = { code: string; name: string; level: ReceivingUnit["level"] | "all" };

export type ReportView = IndicatorReport & {
  /** Beside the directive's six, with their formulas: the online-payment rate (issue 14). */
  beyond: PaymentRateFigure[];
  unit: ReportUnit;
  generatedAt: string;
  overallFormula: typeof OVERALL_FORMULA;
};

export type UnitRow = {
  unit: ReportUnit;
  indicators: {
    id: string;
    no: number;
    numeratorValue: number;
    denominatorValue: number;
    ratio: number | null;
    met: boolean | null;
  }[];
  overall: IndicatorReport["overall"];
  totals: IndicatorReport["totals"];
  beyond: { id: string; numeratorValue: number; denominatorValue: number; ratio: number | null }[];
};

/** The directive's reports: who may read which unit's, the figures, their history and the quarterly submissions. */
export class ReportService {
  constructor(
    private readonly repo: ReportRepository,
    private readonly now: () => Date = () => new Date(),
  ) {}

  today(): string {
    return vietnamDate(this.now());
  }

  /** The current quarter up to today: what a unit reports when nothing else is asked for. */
  defaultPeriod(): Period {
    const today = this.today();
    const { year, quarter } = reminderState(today);
    const q = quarterPeriod(year, quarter);
    return { from: q.from, to: earlier(today, q.to) };
  }

  /**
   * The provincial centre's officials and administrators read every unit's figures and the whole province's; a
   * commune's officials read their own unit's. Volunteers read none.
   */
  private seesAll(official: OfficialActor): boolean {
    if (official.role === "volunteer") throw new ForbiddenError("Tình nguyện viên không xem báo cáo chỉ tiêu.");
    return official.role === "admin" || official.unitCode === PROVINCE_CODE;
  }

  async resolveUnit(
    official: OfficialActor,
    requested: string | undefined,
  ): Promise<{ unit: ReportUnit; scope: ReportScope }> {
    const all = this.seesAll(official);
    const code = requested ?? (all ? ALL_UNITS : official.unitCode);
    if (code === ALL_UNITS) {
      if (!all) throw new ForbiddenError("Bạn chỉ xem được báo cáo của đơn vị mình.");
      return { unit: { code: ALL_UNITS, name: "Toàn tỉnh Quảng Ninh", level: "all" }, scope: { kind: "province" } };
    }
    if (!all && code !== official.unitCode) throw new ForbiddenError("Bạn chỉ xem được báo cáo của đơn vị mình.");
    const unit = (await this.repo.units()).find((u) => u.code === code);
    if (!unit) {
      throw new ValidationError(`Đơn vị không hợp lệ: unit — không có đơn vị tiếp nhận mã "${code}"`, [
        { path: "unit", message: `Không có đơn vị tiếp nhận mã "${code}"` },
      ]);
    }
    return { unit, scope: { kind: "unit", unitCode: unit.code, level: unit.level } };
  }

  private async compute(
    period: Period,
    scope: ReportScope,
  ): Promise<IndicatorReport & { beyond: PaymentRateFigure[] }> {
    const { start, end } = periodInstants(period);
    const units = await this.repo.units();
    const levels = new Map(units.map((u) => [u.code, u.level]));
    const [procedures, submissions, deliveries, payments, postal] = await Promise.all([
      this.repo.procedures(),
      this.repo.submissions(start, end, scope, levels),
      this.repo.deliveries(start, end, scope),
      this.repo.payments(start, end, scope),
      this.repo.postal(start, end, scope),
    ]);
    return {
      ...computeIndicators({ period, scope, procedures, submissions, deliveries, postal }),
      beyond: [computePaymentRate(payments, scope)],
    };
  }

  async report(official: OfficialActor, period: Period, unitCode: string | undefined): Promise<ReportView> {
    const { unit, scope } = await this.resolveUnit(official, unitCode);
    const report = await this.compute(period, scope);
    return { ...report, unit, generatedAt: this.now().toISOString(), overallFormula: OVERALL_FORMULA };
  }

  /** Each receiving unit's figures for one period, from one pass over the dossiers. */
  async byUnit(official: OfficialActor, period: Period): Promise<{ period: Period; units: UnitRow[] }> {
    if (!this.seesAll(official)) throw new ForbiddenError("Bạn chỉ xem được báo cáo của đơn vị mình.");
    const { start, end } = periodInstants(period);
    const units = await this.repo.units();
    const levels = new Map(units.map((u) => [u.code, u.level]));
    const province: ReportScope = { kind: "province" };
    const [procedures, submissions, deliveries, payments, postal] = await Promise.all([
      this.repo.procedures(),
      this.repo.submissions(start, end, province, levels),
      this.repo.deliveries(start, end, province),
      this.repo.payments(start, end, province),
      this.repo.postal(start, end, province),
    ]);
    const bucket = <T extends { unitCode: string }>(rows: T[]) => {
      const map = new Map<string, T[]>();
      for (const r of rows) {
        const list = map.get(r.unitCode);
        if (list) list.push(r);
        else map.set(r.unitCode, [r]);
      }
      return map;
    };
    const subsByUnit = bucket(submissions);
    const delsByUnit = bucket(deliveries);
    const postalByUnit = bucket(postal);
    return {
      period,
      units: units.map((unit) => {
        const report = computeIndicators({
          period,
          scope: { kind: "unit", unitCode: unit.code, level: unit.level },
          procedures,
          submissions: subsByUnit.get(unit.code) ?? [],
          deliveries: delsByUnit.get(unit.code) ?? [],
          postal: postalByUnit.get(unit.code) ?? [],
        });
        return {
          unit,
          indicators: report.indicators.map(({ id, no, numeratorValue, denominatorValue, ratio, met }) => ({
            id,
            no,
            numeratorValue,
            denominatorValue,
            ratio,
            met,
          })),
          overall: report.overall,
          totals: report.totals,
          beyond: [computePaymentRate(payments, { kind: "unit", unitCode: unit.code, level: unit.level })].map(
            ({ id, numeratorValue, denominatorValue, ratio }) => ({ id, numeratorValue, denominatorValue, ratio }),
          ),
        };
      }),
    };
  }

  /** The indicators quarter by quarter (or month by month) across a range, for charts over time. */
  async series(official: OfficialActor, period: Period, unitCode: string | undefined, by: "quarter" | "month") {
    const { unit, scope } = await this.resolveUnit(official, unitCode);
    const parts = splitPeriod(period, by);
    if (parts.length > 60) {
      throw new ValidationError("Khoảng thời gian quá dài cho biểu đồ: tối đa 60 kỳ", [
        { path: "by", message: "Tối đa 60 kỳ; hãy chọn theo quý hoặc rút ngắn khoảng thời gian" },
      ]);
    }
    const points = [];
    for (const part of parts) {
      const report = await this.compute(part, scope);
      points.push({
        period: part,
        indicators: report.indicators.map(({ id, no, ratio, numeratorValue, denominatorValue }) => ({
          id,
          no,
          ratio,
          numeratorValue,
          denominatorValue,
        })),
        overall: report.overall,
      });
    }
    return { unit, by, points };
  }

  /** Which units' quarterly reports are due (the directive: before the 15th of the quarter's last month). */
  async due(official: OfficialActor) {
    const all = this.seesAll(official);
    const state = reminderState(this.today());
    const sent = new Map((await this.repo.submittedReports(state.year, state.quarter)).map((s) => [s.unit_code, s]));
    const units = (await this.repo.units()).filter((u) => all || u.code === official.unitCode);
    return {
      ...state,
      units: units.map((u) => {
        const s = sent.get(u.code);
        return {
          code: u.code,
          name: u.name,
          level: u.level,
          submittedAt: s?.submitted_at ?? null,
          submittedBy: s?.submitted_by_name ?? null,
        };
      }),
    };
  }

  /** A unit sends its report for the current quarter: the figures are kept as they stand now. */
  async submit(official: OfficialActor, unitCode: string | undefined) {
    if (official.role === "volunteer") throw new ForbiddenError("Tình nguyện viên không gửi báo cáo.");
    const code = unitCode ?? official.unitCode;
    if (code === ALL_UNITS) {
      throw new ValidationError(
        "Yêu cầu không hợp lệ: unit — mỗi đơn vị gửi báo cáo của mình, không gửi cho toàn tỉnh",
        [{ path: "unit", message: "Mỗi đơn vị gửi báo cáo của mình, không gửi cho toàn tỉnh" }],
      );
    }
    if (official.role !== "admin" && code !== official.unitCode) {
      throw new ForbiddenError("Bạn chỉ gửi được báo cáo của đơn vị mình.");
    }
    const { unit, scope } = await this.resolveUnit(official, code);
    const today = this.today();
    const state = reminderState(today);
    const quarter = quarterPeriod(state.year, state.quarter);
    const period = { from: quarter.from, to: earlier(today, quarter.to) };
    const report = await this.compute(period, scope);
    const at = this.now().toISOString();
    const saved = await this.repo.saveSubmission({
      unit_code: unit.code,
      year: state.year,
      quarter: state.quarter,
      figures: JSON.stringify({ ...report, unit }),
      submitted_by: official.id,
      submitted_by_name: official.name,
      submitted_at: at,
    });
    if (!saved) {
      throw new ConflictError(
        "REPORT_ALREADY_SENT",
        `Đơn vị đã gửi báo cáo quý ${state.quarter}/${state.year}; số liệu đã gửi không sửa được.`,
      );
    }
    return { unit, year: state.year, quarter: state.quarter, submittedAt: at, report };
  }
}
