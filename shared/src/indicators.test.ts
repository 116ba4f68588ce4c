import { describe, expect, it } from "vitest";
import {
  computeIndicators,
  type DeliveryGroup,
  type IndicatorReport,
  type Period,
  type PostalGroup,
  type ProcedureHistory,
  periodInstants,
  reminderState,
  type SubmissionGroup,
  splitPeriod,
} from "./indicators";

/*
 * A hand-computed fixture (the answers below were worked out on paper from this table, not by running the code).
 *
 * Period: Q1 2026 = 01/01/2026 – 31/03/2026 in Vietnam = [2025-12-31T17:00Z, 2026-03-31T17:00Z).
 *
 * Procedures (commune level unless noted)
 *   A  level 4 since 2025-06-01, postal
 *   B  level 3 since 2025-06-01, no postal
 *   C  level 2 since 2025-06-01; level 3 and postal from 2026-02-10T03:00Z   (changed mid-period)
 *   D  level 3 since 2025-01-01; level 2 from 2025-12-31T16:00Z (23:00 on 31/12 in Vietnam: before the period)
 *   E  level 2, postal
 *   F  level 4 and postal from 2026-04-01T00:00Z (after the period)
 *   P  province level, level 4, postal
 *
 * Dossiers submitted in the period: unit X (commune) #1 A online L4, #2 A counter L4, #3 A postal L4, #4 B counter L3,
 * #5 B counter L3, #6 C online L3, #7 C counter L2, #8 E postal L2, #9 E counter L2; unit Y (commune) #10 B online L3,
 * #11 A counter L4; the province's centre #12 P online L4, #13 P counter L4.
 * Results delivered in the period (all at X): A by post, B by post, A at the counter, C online.
 */
const Q1: Period = { from: "2026-01-01", to: "2026-03-31" };

const rev = (validFrom: string, onlineLevel: number, postal: boolean) => ({ validFrom, onlineLevel, postal });
const procedures: ProcedureHistory[] = [
  { code: "A", level: "commune", revisions: [rev("2025-06-01T00:00:00.000Z", 4, true)] },
  { code: "B", level: "commune", revisions: [rev("2025-06-01T00:00:00.000Z", 3, false)] },
  {
    code: "C",
    level: "commune",
    // Given out of order on purpose: the formula must sort them.
    revisions: [rev("2026-02-10T03:00:00.000Z", 3, true), rev("2025-06-01T00:00:00.000Z", 2, false)],
  },
  {
    code: "D",
    level: "commune",
    revisions: [rev("2025-01-01T00:00:00.000Z", 3, false), rev("2025-12-31T16:00:00.000Z", 2, false)],
  },
  { code: "E", level: "commune", revisions: [rev("2025-06-01T00:00:00.000Z", 2, true)] },
  { code: "F", level: "commune", revisions: [rev("2026-04-01T00:00:00.000Z", 4, true)] },
  { code: "P", level: "province", revisions: [rev("2025-06-01T00:00:00.000Z", 4, true)] },
];

const sub = (
  unitCode: string,
  procedureCode: string,
  onlineLevel: number,
  channel: SubmissionGroup["channel"],
): SubmissionGroup => ({
  unitCode,
  unitLevel: unitCode === "22" ? "province" : "commune",
  procedureCode,
  onlineLevel,
  channel,
  count: 1,
});
const submissions: SubmissionGroup[] = [
  sub("X", "A", 4, "online"),
  sub("X", "A", 4, "counter"),
  sub("X", "A", 4, "postal"),
  sub("X", "B", 3, "counter"),
  sub("X", "B", 3, "counter"),
  sub("X", "C", 3, "online"),
  sub("X", "C", 2, "counter"),
  sub("X", "E", 2, "postal"),
  sub("X", "E", 2, "counter"),
  sub("Y", "B", 3, "online"),
  sub("Y", "A", 4, "counter"),
  sub("22", "P", 4, "online"),
  sub("22", "P", 4, "counter"),
];
const del = (procedureCode: string, method: DeliveryGroup["method"]): DeliveryGroup => ({
  unitCode: "X",
  procedureCode,
  method,
  count: 1,
});
const deliveries: DeliveryGroup[] = [del("A", "post"), del("B", "post"), del("A", "counter"), del("C", "online")];

/**
 * The postal records of the fixture: as migration 0019 makes them for dossiers from before the postal service —
 * #3 and #8 came on the postal channel, and the results of A and B went by post.
 */
const rec = (procedureCode: string, kind: PostalGroup["kind"]): PostalGroup => ({
  unitCode: "X",
  procedureCode,
  kind,
  count: 1,
});
const postal: PostalGroup[] = [rec("A", "received"), rec("E", "received"), rec("A", "returned"), rec("B", "returned")];

function figures(report: IndicatorReport) {
  return report.indicators.map((i) => [i.no, i.numeratorValue, i.denominatorValue, i.met]);
}

describe("the indicators of Chỉ thị 07, on a fixture computed by hand", () => {
  it("when the scope is commune X, then each numerator and denominator is the hand-computed one", () => {
    const report = computeIndicators({
      period: Q1,
      scope: { kind: "unit", unitCode: "X", level: "commune" },
      procedures,
      submissions,
      deliveries,
      postal,
    });
    expect(figures(report)).toEqual([
      [1, 2, 3, true], // {A, C} of {A, B, C}: 66.7% ≥ 60%
      [2, 1, 3, false], // #6 of #4 #5 #6: 33.3% < 40%
      [3, 1, 3, true], // #1 of #1 #2 #3: 33.3% ≥ 30%
      [4, 2, 3, false], // {A, E} of {A, C, E}: 66.7% < 70%
      [5, 2, 9, true], // #3 #8 of 9: 22.2% ≥ 10%
      [6, 2, 4, true], // 2 of 4 results by post: 50% ≥ 30%
    ]);
    expect(report.indicators[0]?.ratio).toBeCloseTo(2 / 3, 10);
    expect(report.overall).toEqual([{ level: "commune", label: "Cấp xã", online: 2, total: 9, ratio: 2 / 9 }]);
    expect(report.totals).toEqual({ submitted: 9, delivered: 4, procedures: 6 });
  });

  it("when the scope is the whole province, then every unit counts and the overall rate is split by level", () => {
    const report = computeIndicators({
      period: Q1,
      scope: { kind: "province" },
      procedures,
      submissions,
      deliveries,
      postal,
    });
    expect(figures(report)).toEqual([
      [1, 4, 4, true], // A C B P each have an online dossier
      [2, 2, 4, true], // #6 #10 of #4 #5 #6 #10
      [3, 2, 6, true], // #1 #12 of #1 #2 #3 #11 #12 #13
      [4, 2, 4, false], // {A, E} of {A, C, E, P}
      [5, 2, 13, true],
      [6, 2, 4, true],
    ]);
    expect(report.overall.map((o) => [o.level, o.online, o.total])).toEqual([
      ["province", 1, 2],
      ["commune", 3, 11],
      ["all", 4, 13],
    ]);
  });

  it("when the province's centre is the scope, then only province-level procedures are offered", () => {
    const report = computeIndicators({
      period: Q1,
      scope: { kind: "unit", unitCode: "22", level: "province" },
      procedures,
      submissions,
      deliveries,
      postal,
    });
    expect(figures(report)).toEqual([
      [1, 1, 1, true],
      [2, 0, 0, null],
      [3, 1, 2, true],
      [4, 0, 1, false],
      [5, 0, 2, false],
      [6, 0, 0, null],
    ]);
  });

  it("when the period has no dossiers, then ratios over nothing are empty, not 0% and not met", () => {
    const report = computeIndicators({
      period: { from: "2025-07-01", to: "2025-09-30" },
      scope: { kind: "unit", unitCode: "X", level: "commune" },
      procedures,
      submissions: [],
      deliveries: [],
      postal: [],
    });
    // In Q3 2025: A (4), B (3) and D (3) were online; A and E offered the post.
    expect(figures(report)).toEqual([
      [1, 0, 3, false],
      [2, 0, 0, null],
      [3, 0, 0, null],
      [4, 0, 2, false],
      [5, 0, 0, null],
      [6, 0, 0, null],
    ]);
    expect(report.indicators[1]?.ratio).toBeNull();
    expect(report.overall[0]?.ratio).toBeNull();
  });

  it("when a unit has no procedures at its level, then the procedure indicators have nothing to measure", () => {
    const report = computeIndicators({
      period: Q1,
      scope: { kind: "unit", unitCode: "H", level: "district" },
      procedures,
      submissions,
      deliveries,
      postal,
    });
    expect(report.totals.procedures).toBe(0);
    expect(report.indicators.every((i) => i.denominatorValue === 0 && i.met === null)).toBe(true);
  });

  it("when a procedure changes level mid-period, then it counts by the level it had, not today's", () => {
    // The same dossiers of C, but C is level 2 all period long (as if judged by a later downgrade): C drops out.
    const cLowered = procedures.map((p) =>
      p.code === "C" ? { ...p, revisions: [rev("2025-06-01T00:00:00.000Z", 2, false)] } : p,
    );
    const before = computeIndicators({
      period: { from: "2026-01-01", to: "2026-02-09" },
      scope: { kind: "unit", unitCode: "X", level: "commune" },
      procedures,
      submissions: [],
      deliveries: [],
      postal: [],
    });
    const after = computeIndicators({
      period: { from: "2026-02-11", to: "2026-03-31" },
      scope: { kind: "unit", unitCode: "X", level: "commune" },
      procedures,
      submissions: [],
      deliveries: [],
      postal: [],
    });
    // Before 10/02 C was level 2: A, B online. From 10/02 (10:00 in Vietnam) on, C too.
    expect(before.indicators[0]?.denominatorValue).toBe(2);
    expect(after.indicators[0]?.denominatorValue).toBe(3);
    const lowered = computeIndicators({
      period: Q1,
      scope: { kind: "unit", unitCode: "X", level: "commune" },
      procedures: cLowered,
      submissions,
      deliveries,
      postal,
    });
    expect(lowered.indicators[0]?.denominatorValue).toBe(2);
    expect(lowered.indicators[0]?.numeratorValue).toBe(1);
  });
});

describe("indicators 4–6 from the postal records (issue 15)", () => {
  it("when the post picked up an online dossier's originals and delivered one result, then those count, and a dossier merely on the postal channel or a typed tracking number does not", () => {
    const report = computeIndicators({
      period: Q1,
      scope: { kind: "unit", unitCode: "X", level: "commune" },
      procedures,
      // The same dossiers and results: #3 and #8 on the postal channel, two results "by post" with typed numbers.
      submissions,
      deliveries,
      // …but the only postal records: #1 (A, filed online) picked up by the post, and one result of C delivered.
      postal: [rec("A", "received"), rec("C", "returned")],
    });
    expect(figures(report).slice(3)).toEqual([
      [4, 2, 3, false], // {A, C} of {A, C, E}
      [5, 1, 9, true], // 1 of 9: 11.1% ≥ 10%
      [6, 1, 4, false], // 1 of 4: 25% < 30%
    ]);
  });
});

describe("periods", () => {
  it("when a period is given in Vietnamese days, then its instants start at 00:00 in Vietnam (17:00 UTC)", () => {
    expect(periodInstants(Q1)).toEqual({ start: "2025-12-31T17:00:00.000Z", end: "2026-03-31T17:00:00.000Z" });
  });

  it("when a year is split, then quarters and months are clipped to the range", () => {
    expect(splitPeriod({ from: "2026-02-15", to: "2026-08-10" }, "quarter")).toEqual([
      { from: "2026-02-15", to: "2026-03-31" },
      { from: "2026-04-01", to: "2026-06-30" },
      { from: "2026-07-01", to: "2026-08-10" },
    ]);
    expect(splitPeriod({ from: "2024-01-20", to: "2024-03-05" }, "month").map((p) => p.to)).toEqual([
      "2024-01-31",
      "2024-02-29",
      "2024-03-05",
    ]);
  });

  it("when the 15th of the quarter's last month nears, then the reminder shows, and after it the report is overdue", () => {
    expect(reminderState("2026-11-10")).toMatchObject({ quarter: 4, deadline: "2026-12-15", showing: false });
    expect(reminderState("2026-11-27")).toMatchObject({ showing: true, overdue: false });
    expect(reminderState("2026-12-16")).toMatchObject({ showing: true, overdue: true });
    expect(reminderState("2026-02-20")).toMatchObject({ quarter: 1, deadline: "2026-03-15", showing: true });
  });
});
