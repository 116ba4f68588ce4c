import type { ProcedureLevel } from "./procedure";
import { fromVietnamWallClock } from "./vietnam-time";

/**
 * The indicators of Chỉ thị 07/CT-UBND (docs/domain.md §2), written down once. The server feeds them counts grouped by
 * unit, procedure, level and channel (one SQL pass); the fixtures in indicators.test.ts feed them single dossiers whose
 * answers were computed by hand. The `formula` texts are printed on every report so that an official can check a figure.
 *
 * Times are instants (ISO strings, UTC) compared as strings; a reporting period is a range of Vietnamese calendar
 * days, turned into instants by `periodInstants`.
 */

export type IndicatorId =
  | "online-procedures-used"
  | "level3-online"
  | "level4-online"
  | "postal-procedures-used"
  | "postal-received"
  | "postal-returned";

export type IndicatorDefinition = {
  id: IndicatorId;
  /** The number in the directive's list (1–6). */
  no: number;
  group: "online" | "postal";
  title: string;
  numerator: string;
  denominator: string;
  /** Target ratio, 0–1. */
  target: number;
};

export const INDICATORS: readonly IndicatorDefinition[] = [
  {
    id: "online-procedures-used",
    no: 1,
    group: "online",
    title: "Tỷ lệ thủ tục mức độ 3, 4 có phát sinh hồ sơ trực tuyến",
    numerator: "Số thủ tục mức độ 3, 4 có ít nhất một hồ sơ nộp trực tuyến trong kỳ (nộp khi thủ tục đang ở mức 3, 4)",
    denominator: "Số thủ tục của đơn vị ở mức độ 3 hoặc 4 vào bất kỳ ngày nào trong kỳ",
    target: 0.6,
  },
  {
    id: "level3-online",
    no: 2,
    group: "online",
    title: "Tỷ lệ hồ sơ thủ tục mức độ 3 được tiếp nhận và xử lý trực tuyến",
    numerator: "Số hồ sơ nộp trực tuyến trong kỳ của thủ tục đang ở mức độ 3 khi nộp",
    denominator: "Số hồ sơ tiếp nhận trong kỳ (mọi kênh) của thủ tục đang ở mức độ 3 khi nộp",
    target: 0.4,
  },
  {
    id: "level4-online",
    no: 3,
    group: "online",
    title: "Tỷ lệ hồ sơ thủ tục mức độ 4 được tiếp nhận và xử lý trực tuyến",
    numerator: "Số hồ sơ nộp trực tuyến trong kỳ của thủ tục đang ở mức độ 4 khi nộp",
    denominator: "Số hồ sơ tiếp nhận trong kỳ (mọi kênh) của thủ tục đang ở mức độ 4 khi nộp",
    target: 0.3,
  },
  {
    id: "postal-procedures-used",
    no: 4,
    group: "postal",
    title: "Tỷ lệ thủ tục triển khai dịch vụ bưu chính công ích có phát sinh hồ sơ qua bưu chính",
    numerator:
      "Số thủ tục trong mẫu số có ít nhất một hồ sơ nộp trong kỳ được bưu điện thu gom hoặc một kết quả được bưu điện phát trong kỳ (theo đơn bưu chính)",
    denominator: "Số thủ tục của đơn vị được tiếp nhận/trả kết quả qua bưu chính vào bất kỳ ngày nào trong kỳ",
    target: 0.7,
  },
  {
    id: "postal-received",
    no: 5,
    group: "postal",
    title: "Tỷ lệ hồ sơ tiếp nhận qua dịch vụ bưu chính công ích",
    numerator:
      "Số hồ sơ nộp trong kỳ có hồ sơ gốc được bưu điện thu gom (theo đơn bưu chính; hồ sơ trước khi có dịch vụ: nộp qua kênh bưu chính)",
    denominator: "Tổng số hồ sơ tiếp nhận trong kỳ (mọi kênh)",
    target: 0.1,
  },
  {
    id: "postal-returned",
    no: 6,
    group: "postal",
    title: "Tỷ lệ kết quả trả qua dịch vụ bưu chính công ích",
    numerator:
      "Số kết quả được bưu điện phát tới công dân trong kỳ (theo đơn bưu chính, không tính mã vận đơn nhập tay; hồ sơ trước khi có dịch vụ: trả qua bưu chính)",
    denominator: "Tổng số hồ sơ trả kết quả trong kỳ (mọi hình thức)",
    target: 0.3,
  },
];

export const OVERALL_FORMULA = {
  title: "Tỷ lệ hồ sơ nộp trực tuyến chung, theo cấp hành chính",
  numerator: "Số hồ sơ nộp trực tuyến trong kỳ",
  denominator: "Tổng số hồ sơ tiếp nhận trong kỳ (mọi kênh), theo cấp của đơn vị tiếp nhận",
} as const;

/** The administrative level of a receiving unit (the province's centre, or a commune). District is history only. */
export type AdministrativeLevel = "province" | "district" | "commune";
export const ADMINISTRATIVE_LEVEL_LABELS: Record<AdministrativeLevel, string> = {
  province: "Cấp tỉnh",
  district: "Cấp huyện",
  commune: "Cấp xã",
};

/** One change of a procedure's online level or postal availability, in force from `validFrom` (an instant). */
export type ProcedureRevision = { validFrom: string; onlineLevel: number; postal: boolean };

export type ProcedureHistory = {
  code: string;
  /** Cấp thực hiện: which units offer it (province-level ones at the province's centre, commune-level at communes). */
  level: ProcedureLevel;
  /** In any order; sorted here. */
  revisions: readonly ProcedureRevision[];
};

/** Dossiers submitted in the period, counted by unit, procedure, the procedure's online level when filed, channel. */
export type SubmissionGroup = {
  unitCode: string;
  unitLevel: AdministrativeLevel;
  procedureCode: string;
  onlineLevel: number;
  channel: "counter" | "online" | "postal";
  count: number;
};

/** Results delivered in the period, counted by unit, procedure and how the result went out. */
export type DeliveryGroup = {
  unitCode: string;
  procedureCode: string;
  method: "counter" | "online" | "post";
  count: number;
};

/**
 * The postal records (issue 15), counted by unit and procedure: dossiers submitted in the period whose originals the
 * post picked up (`received`, indicator 5), and results the post delivered in the period (`returned`, indicator 6).
 * Dossiers from before the postal service was built carry records made from their channel and result method
 * (migration 0019), so that they keep counting as they did; a tracking number typed by an official makes none.
 */
export type PostalGroup = {
  unitCode: string;
  procedureCode: string;
  kind: "received" | "returned";
  count: number;
};

/** Whose report: the whole province (every unit), or one receiving unit with its administrative level. */
export type ReportScope = { kind: "province" } | { kind: "unit"; unitCode: string; level: AdministrativeLevel };

export type Period = { from: string; to: string };

export type IndicatorFigure = IndicatorDefinition & {
  numeratorValue: number;
  denominatorValue: number;
  /** null when the denominator is 0: nothing to measure, neither met nor missed. */
  ratio: number | null;
  met: boolean | null;
};

export type OverallFigure = {
  level: AdministrativeLevel | "all";
  label: string;
  online: number;
  total: number;
  ratio: number | null;
};

export type IndicatorReport = {
  period: Period;
  indicators: IndicatorFigure[];
  overall: OverallFigure[];
  totals: { submitted: number; delivered: number; procedures: number };
};

const DAY = 86_400_000;

/** The instants that bound a period of Vietnamese calendar days: [start of `from`, start of the day after `to`). */
export function periodInstants(period: Period): { start: string; end: string } {
  const start = fromVietnamWallClock(Date.parse(`${period.from}T00:00:00Z`));
  const end = fromVietnamWallClock(Date.parse(`${period.to}T00:00:00Z`) + DAY);
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

/** Does the procedure belong to this scope's catalogue? */
function offeredBy(scope: ReportScope, procedure: ProcedureHistory): boolean {
  if (scope.kind === "province") return true;
  return procedure.level === scope.level;
}

function inScope(scope: ReportScope, unitCode: string): boolean {
  return scope.kind === "province" || scope.unitCode === unitCode;
}

/** Was `test` true of the procedure on at least one instant of [start, end)? */
export function heldDuring(
  revisions: readonly ProcedureRevision[],
  start: string,
  end: string,
  test: (r: ProcedureRevision) => boolean,
): boolean {
  const sorted = [...revisions].sort((a, b) => (a.validFrom < b.validFrom ? -1 : a.validFrom > b.validFrom ? 1 : 0));
  return sorted.some((r, i) => {
    const until = sorted[i + 1]?.validFrom;
    return test(r) && r.validFrom < end && (until === undefined || until > start) && r.validFrom !== until;
  });
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

function figure(definition: IndicatorDefinition, numeratorValue: number, denominatorValue: number): IndicatorFigure {
  const r = ratio(numeratorValue, denominatorValue);
  // Compared in whole parts per ten thousand so that 0.3 of 10 dossiers (3/10) meets a 30% target despite floats.
  const met = r === null ? null : Math.round(r * 10_000) >= Math.round(definition.target * 10_000);
  return { ...definition, numeratorValue, denominatorValue, ratio: r, met };
}

/**
 * Computes the six indicators and the overall online rate for one scope. `submissions` and `deliveries` must already
 * be limited to the period (by submission instant and by delivery instant); extra units are ignored.
 */
export function computeIndicators(input: {
  period: Period;
  scope: ReportScope;
  procedures: readonly ProcedureHistory[];
  submissions: readonly SubmissionGroup[];
  deliveries: readonly DeliveryGroup[];
  postal: readonly PostalGroup[];
}): IndicatorReport {
  const { scope, period } = input;
  const { start, end } = periodInstants(period);
  const onlineOffered = new Set<string>();
  const postalOffered = new Set<string>();
  const offered = new Set<string>();
  for (const p of input.procedures) {
    if (!offeredBy(scope, p)) continue;
    offered.add(p.code);
    if (heldDuring(p.revisions, start, end, (r) => r.onlineLevel >= 3)) onlineOffered.add(p.code);
    if (heldDuring(p.revisions, start, end, (r) => r.postal)) postalOffered.add(p.code);
  }

  const usedOnline = new Set<string>();
  const usedPostal = new Set<string>();
  let l3 = 0;
  let l3Online = 0;
  let l4 = 0;
  let l4Online = 0;
  let submitted = 0;
  let postalReceived = 0;
  const byLevel = new Map<AdministrativeLevel, { online: number; total: number }>();
  for (const g of input.submissions) {
    if (!inScope(scope, g.unitCode)) continue;
    submitted += g.count;
    const online = g.channel === "online";
    if (g.onlineLevel === 3) {
      l3 += g.count;
      if (online) l3Online += g.count;
    } else if (g.onlineLevel >= 4) {
      l4 += g.count;
      if (online) l4Online += g.count;
    }
    if (online && g.onlineLevel >= 3 && onlineOffered.has(g.procedureCode)) usedOnline.add(g.procedureCode);
    const level = byLevel.get(g.unitLevel) ?? { online: 0, total: 0 };
    level.total += g.count;
    if (online) level.online += g.count;
    byLevel.set(g.unitLevel, level);
  }

  let delivered = 0;
  let postalReturned = 0;
  for (const g of input.deliveries) {
    if (!inScope(scope, g.unitCode)) continue;
    delivered += g.count;
  }
  for (const g of input.postal) {
    if (!inScope(scope, g.unitCode)) continue;
    if (g.kind === "received") postalReceived += g.count;
    else postalReturned += g.count;
    if (postalOffered.has(g.procedureCode)) usedPostal.add(g.procedureCode);
  }

  const [d1, d2, d3, d4, d5, d6] = INDICATORS as [
    IndicatorDefinition,
    IndicatorDefinition,
    IndicatorDefinition,
    IndicatorDefinition,
    IndicatorDefinition,
    IndicatorDefinition,
  ];
  const levels: AdministrativeLevel[] = scope.kind === "province" ? ["province", "district", "commune"] : [scope.level];
  const overall: OverallFigure[] = levels
    .filter((l) => l !== "district" || byLevel.has("district"))
    .map((level) => {
      const counts = byLevel.get(level) ?? { online: 0, total: 0 };
      return { level, label: ADMINISTRATIVE_LEVEL_LABELS[level], ...counts, ratio: ratio(counts.online, counts.total) };
    });
  if (scope.kind === "province") {
    const online = overall.reduce((s, o) => s + o.online, 0);
    overall.push({ level: "all", label: "Toàn tỉnh", online, total: submitted, ratio: ratio(online, submitted) });
  }

  return {
    period,
    indicators: [
      figure(d1, usedOnline.size, onlineOffered.size),
      figure(d2, l3Online, l3),
      figure(d3, l4Online, l4),
      figure(d4, usedPostal.size, postalOffered.size),
      figure(d5, postalReceived, submitted),
      figure(d6, postalReturned, delivered),
    ],
    overall,
    totals: { submitted, delivered, procedures: offered.size },
  };
}

/** Quarter `q` (1–4) of `year` as a period of calendar days. */
export function quarterPeriod(year: number, q: number): Period {
  const firstMonth = (q - 1) * 3 + 1;
  const lastMonth = firstMonth + 2;
  const lastDay = new Date(Date.UTC(year, lastMonth, 0)).getUTCDate();
  const mm = (m: number) => String(m).padStart(2, "0");
  return { from: `${year}-${mm(firstMonth)}-01`, to: `${year}-${mm(lastMonth)}-${lastDay}` };
}

/** The quarter a calendar day belongs to. */
export function quarterOf(date: string): { year: number; quarter: number } {
  const [y, m] = date.split("-").map(Number) as [number, number];
  return { year: y, quarter: Math.floor((m - 1) / 3) + 1 };
}

/**
 * The directive's deadline for a quarter's report: the 15th of the quarter's last month (Chỉ thị 07, item 9).
 */
export function reportDeadline(year: number, quarter: number): string {
  return `${year}-${String(quarter * 3).padStart(2, "0")}-15`;
}

/** Days before the deadline when the console starts reminding units whose report is not in. */
export const REMINDER_DAYS = 30;

/** Whether, on `today`, the reminder for the current quarter is showing, and whether the deadline has passed. */
export function reminderState(today: string): {
  year: number;
  quarter: number;
  deadline: string;
  showing: boolean;
  overdue: boolean;
} {
  const { year, quarter } = quarterOf(today);
  const deadline = reportDeadline(year, quarter);
  const opens = new Date(Date.parse(`${deadline}T00:00:00Z`) - REMINDER_DAYS * DAY).toISOString().slice(0, 10);
  // After the deadline it keeps showing (as overdue) until the quarter ends: a missing report is still missing.
  return { year, quarter, deadline, showing: today >= opens, overdue: today > deadline };
}

/** Splits a period into quarters (or months) clipped to it, for charts over time. */
export function splitPeriod(period: Period, by: "quarter" | "month"): Period[] {
  const out: Period[] = [];
  let cursor = period.from;
  while (cursor <= period.to) {
    const [y, m] = cursor.split("-").map(Number) as [number, number];
    const lastMonth = by === "month" ? m : Math.ceil(m / 3) * 3;
    const lastDay = new Date(Date.UTC(y, lastMonth, 0)).getUTCDate();
    const end = `${y}-${String(lastMonth).padStart(2, "0")}-${String(lastDay).padStart(2, "0")}`;
    out.push({ from: cursor, to: end < period.to ? end : period.to });
    const next = new Date(Date.parse(`${end}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
    cursor = next;
  }
  return out;
}

export function periodLabel(period: Period): string {
  const fmt = (d: string) => d.split("-").reverse().join("/");
  return `${fmt(period.from)} – ${fmt(period.to)}`;
}

export function formatRatio(r: number | null): string {
  return r === null ? "—" : `${(r * 100).toFixed(1).replace(".", ",")}%`;
}

/**
 * Beyond the directive's six (issue 14; Quyết định 766/QĐ-TTg's payment group): the share of dossiers with fees whose
 * fees were paid online. Shown beside the six with its formula, without a target (the directive sets none).
 */
export const ONLINE_PAYMENT_RATE = {
  id: "online-payment",
  title: "Tỷ lệ hồ sơ có phí, lệ phí được thanh toán trực tuyến",
  numerator: "Số hồ sơ tiếp nhận trong kỳ có khoản phí, lệ phí đã được thanh toán trực tuyến",
  denominator: "Số hồ sơ tiếp nhận trong kỳ có phí, lệ phí phải nộp (mọi kênh, trừ hồ sơ rác)",
  source: "Quyết định 766/QĐ-TTg, nhóm chỉ số thanh toán trực tuyến",
} as const;

/** Dossiers submitted in the period that owed fees, and those of them paid online, per unit. */
export type PaymentGroup = { unitCode: string; withFees: number; paidOnline: number };

export type PaymentRateFigure = typeof ONLINE_PAYMENT_RATE & {
  numeratorValue: number;
  denominatorValue: number;
  ratio: number | null;
};

export function computePaymentRate(groups: readonly PaymentGroup[], scope: ReportScope): PaymentRateFigure {
  let withFees = 0;
  let paidOnline = 0;
  for (const g of groups) {
    if (!inScope(scope, g.unitCode)) continue;
    withFees += g.withFees;
    paidOnline += g.paidOnline;
  }
  return {
    ...ONLINE_PAYMENT_RATE,
    numeratorValue: paidOnline,
    denominatorValue: withFees,
    ratio: ratio(paidOnline, withFees),
  };
}
