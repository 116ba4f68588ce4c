import {
  formatRatio,
  INDICATORS,
  type IndicatorReport,
  periodLabel,
  quarterOf,
  quarterPeriod,
  vietnamToday,
} from "@qn/shared";
import {
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  Legend,
  LinearScale,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";
import { useMemo, useState } from "react";
import { Bar, Line } from "react-chartjs-2";
import { useAsync } from "../../hooks/useAsync";
import { fetchBlob, get, post, query, saveBlob } from "../api";
import { ErrorBox, formatDateTime, formatDay, Loading, PageHeader, useAction } from "../common";
import { useSession } from "../session";

ChartJS.register(CategoryScale, LinearScale, PointElement, LineElement, BarElement, Tooltip, Legend);

type Unit = { code: string; name: string; level: string };
type Report = IndicatorReport & {
  unit: Unit;
  generatedAt: string;
  overallFormula: { title: string; numerator: string; denominator: string };
};
type Series = {
  points: { period: { from: string; to: string }; indicators: { no: number; ratio: number | null }[] }[];
};
type ByUnit = {
  units: {
    unit: Unit;
    indicators: { no: number; ratio: number | null; numeratorValue: number; denominatorValue: number }[];
  }[];
};
type Due = {
  year: number;
  quarter: number;
  deadline: string;
  showing: boolean;
  overdue: boolean;
  units: { code: string; name: string; submittedAt: string | null; submittedBy: string | null }[];
};

const COLOURS = ["#b3261e", "#1a73e8", "#188038", "#e37400", "#9334e6", "#007b83"];
const ROMAN = ["I", "II", "III", "IV"];

type PeriodChoice =
  | { kind: "quarter"; year: number; quarter: number }
  | { kind: "ytd"; year: number }
  | { kind: "custom"; from: string; to: string };

function resolve(choice: PeriodChoice, today: string): { from: string; to: string } {
  const clip = (to: string) => (to < today ? to : today);
  if (choice.kind === "quarter") {
    const q = quarterPeriod(choice.year, choice.quarter);
    return { from: q.from, to: q.from > today ? q.to : clip(q.to) };
  }
  if (choice.kind === "ytd") return { from: `${choice.year}-01-01`, to: clip(`${choice.year}-12-31`) };
  return { from: choice.from, to: choice.to };
}

export default function ReportsPage() {
  const { session } = useSession();
  const official = session?.official;
  const seesAll = official?.role === "admin" || official?.unitCode === "22";
  const today = vietnamToday();
  const current = quarterOf(today);
  const [choice, setChoice] = useState<PeriodChoice>({ kind: "quarter", ...current });
  const [custom, setCustom] = useState({ from: `${current.year}-01-01`, to: today });
  const [unit, setUnit] = useState(seesAll ? "all" : (official?.unitCode ?? ""));
  const [chartIndicator, setChartIndicator] = useState(1);
  const period = resolve(choice, today);
  const params = query({ from: period.from, to: period.to, unit });

  const [report, reload] = useAsync(() => get<Report>(`/reports/indicators${params}`), [params]);
  const [series] = useAsync(
    () =>
      get<Series>(
        `/reports/indicators/series${query({ from: `${period.to.slice(0, 4)}-01-01`, to: period.to, unit, by: "quarter" })}`,
      ),
    [period.to, unit],
  );
  const [byUnit] = useAsync(
    () =>
      seesAll
        ? get<ByUnit>(`/reports/indicators/by-unit${query({ from: period.from, to: period.to })}`)
        : Promise.resolve(null),
    [seesAll, period.from, period.to],
  );
  const [due, reloadDue] = useAsync(() => get<Due>("/reports/due"), []);
  const [units] = useAsync(
    () => (seesAll ? get<{ units: Due["units"] }>("/reports/due").then((d) => d.units) : Promise.resolve([])),
    [seesAll],
  );
  const exporting = useAction();
  const sending = useAction();

  const download = (format: "xlsx" | "csv") =>
    exporting.run(async () => {
      const { blob, fileName } = await fetchBlob(
        `/reports/indicators/export${query({ from: period.from, to: period.to, unit, format })}`,
      );
      saveBlob(blob, fileName ?? `bao-cao.${format}`);
    });

  const years = [current.year, current.year - 1, current.year - 2];

  return (
    <>
      <PageHeader title="Báo cáo chỉ tiêu Chỉ thị 07/CT-UBND">
        <button
          type="button"
          className="btn"
          onClick={() => download("xlsx")}
          disabled={exporting.busy || report.status !== "done"}
        >
          Xuất Excel (XLSX)
        </button>
        <button
          type="button"
          className="btn"
          onClick={() => download("csv")}
          disabled={exporting.busy || report.status !== "done"}
        >
          Xuất CSV
        </button>
      </PageHeader>
      {exporting.error && <ErrorBox error={exporting.error} />}

      {due.value && (
        <Reminder
          due={due.value}
          seesAll={seesAll}
          ownUnit={official?.unitCode ?? ""}
          sending={sending}
          onSend={async () => {
            const ok = await sending.run(() => post("/reports/submissions", {}));
            if (ok !== undefined) reloadDue();
          }}
        />
      )}

      <section className="panel filters" aria-label="Kỳ báo cáo và đơn vị" style={{ marginBottom: "1rem" }}>
        <label>
          Kỳ báo cáo
          <select
            value={
              choice.kind === "quarter"
                ? `q-${choice.year}-${choice.quarter}`
                : choice.kind === "ytd"
                  ? `y-${choice.year}`
                  : "custom"
            }
            onChange={(e) => {
              const v = e.target.value;
              if (v === "custom") setChoice({ kind: "custom", ...custom });
              else if (v.startsWith("y-")) setChoice({ kind: "ytd", year: Number(v.slice(2)) });
              else {
                const [, y, q] = v.split("-");
                setChoice({ kind: "quarter", year: Number(y), quarter: Number(q) });
              }
            }}
          >
            {years.map((y) => (
              <optgroup key={y} label={`Năm ${y}`}>
                <option value={`y-${y}`}>{y === current.year ? `Từ đầu năm ${y} đến nay` : `Cả năm ${y}`}</option>
                {[4, 3, 2, 1]
                  .filter((q) => y < current.year || q <= current.quarter)
                  .map((q) => (
                    <option key={q} value={`q-${y}-${q}`}>
                      Quý {ROMAN[q - 1]}/{y}
                      {y === current.year && q === current.quarter ? " (đến nay)" : ""}
                    </option>
                  ))}
              </optgroup>
            ))}
            <option value="custom">Khoảng thời gian khác…</option>
          </select>
        </label>
        {choice.kind === "custom" && (
          <>
            <label>
              Từ ngày
              <input
                type="date"
                value={custom.from}
                max={custom.to}
                onChange={(e) => {
                  const next = { ...custom, from: e.target.value };
                  setCustom(next);
                  if (next.from && next.to && next.from <= next.to) setChoice({ kind: "custom", ...next });
                }}
              />
            </label>
            <label>
              Đến ngày
              <input
                type="date"
                value={custom.to}
                min={custom.from}
                onChange={(e) => {
                  const next = { ...custom, to: e.target.value };
                  setCustom(next);
                  if (next.from && next.to && next.from <= next.to) setChoice({ kind: "custom", ...next });
                }}
              />
            </label>
          </>
        )}
        <label>
          Đơn vị
          <select value={unit} onChange={(e) => setUnit(e.target.value)} disabled={!seesAll}>
            {seesAll && <option value="all">Toàn tỉnh Quảng Ninh</option>}
            {seesAll ? (
              (units.value ?? []).map((u) => (
                <option key={u.code} value={u.code}>
                  {u.name}
                </option>
              ))
            ) : (
              <option value={official?.unitCode}>{report.value?.unit.name ?? official?.unitCode}</option>
            )}
          </select>
        </label>
      </section>

      {report.status === "error" && <ErrorBox error={report.error} onRetry={reload} />}
      {!report.value && report.status === "loading" && <Loading label="Đang tính chỉ tiêu…" />}
      {report.value && <ReportTables report={report.value} busy={report.status === "loading"} />}

      {report.value && (
        <section className="panel" aria-labelledby="h-charts">
          <div className="page-header" style={{ marginBottom: "0.5rem" }}>
            <h2 id="h-charts">Biểu đồ</h2>
            <label className="filters" style={{ margin: 0 }}>
              <span className="sr-only">Chỉ tiêu cho biểu đồ theo đơn vị</span>
              <select value={chartIndicator} onChange={(e) => setChartIndicator(Number(e.target.value))}>
                {INDICATORS.map((i) => (
                  <option key={i.no} value={i.no}>
                    Chỉ tiêu {i.no}: {i.title}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div className="charts">
            <div>
              <h3>
                Theo quý, năm {period.to.slice(0, 4)} ({report.value.unit.name})
              </h3>
              {series.value ? (
                <SeriesChart series={series.value} />
              ) : series.status === "error" ? (
                <ErrorBox error={series.error} />
              ) : (
                <Loading />
              )}
            </div>
            {seesAll && (
              <div>
                <h3>
                  Theo đơn vị: chỉ tiêu {chartIndicator} ({periodLabel(period)})
                </h3>
                {byUnit.value ? (
                  <UnitChart byUnit={byUnit.value} no={chartIndicator} />
                ) : byUnit.status === "error" ? (
                  <ErrorBox error={byUnit.error} />
                ) : (
                  <Loading />
                )}
              </div>
            )}
          </div>
        </section>
      )}
    </>
  );
}

function Reminder({
  due,
  seesAll,
  ownUnit,
  sending,
  onSend,
}: {
  due: Due;
  seesAll: boolean;
  ownUnit: string;
  sending: ReturnType<typeof useAction>;
  onSend: () => void;
}) {
  const [open, setOpen] = useState(false);
  const missing = due.units.filter((u) => !u.submittedAt);
  const own = due.units.find((u) => u.code === ownUnit);
  const label = `quý ${ROMAN[due.quarter - 1]}/${due.year}`;
  // The centre and administrators see the reminder in its window; a unit can always send its own quarter's report.
  if (!due.showing && !own) {
    return null;
  }
  return (
    <section
      className={`alert ${missing.length === 0 ? "alert--ok" : due.overdue ? "alert--error" : "alert--warn"}`}
      aria-label="Nhắc báo cáo quý"
      style={{ display: "block" }}
    >
      <strong>
        Báo cáo {label}: hạn gửi {formatDay(due.deadline)}
        {due.overdue ? " — đã quá hạn" : ""}.
      </strong>{" "}
      {seesAll ? (
        missing.length === 0 ? (
          "Tất cả đơn vị đã gửi."
        ) : (
          <>
            {missing.length}/{due.units.length} đơn vị chưa gửi.{" "}
            <button type="button" className="btn btn--small" onClick={() => setOpen(!open)} aria-expanded={open}>
              {open ? "Ẩn danh sách" : "Xem đơn vị chưa gửi"}
            </button>
            {open && (
              <ul className="small" style={{ columns: 3, marginTop: "0.5rem" }}>
                {missing.map((u) => (
                  <li key={u.code}>{u.name}</li>
                ))}
              </ul>
            )}
          </>
        )
      ) : own?.submittedAt ? (
        `Đơn vị đã gửi lúc ${formatDateTime(own.submittedAt)} (${own.submittedBy}).`
      ) : (
        <>Đơn vị bạn chưa gửi báo cáo quý này. </>
      )}
      {own && !own.submittedAt && (
        <button
          type="button"
          className="btn btn--primary btn--small"
          onClick={onSend}
          disabled={sending.busy}
          style={{ marginLeft: "0.5rem" }}
        >
          Gửi báo cáo {label} của đơn vị
        </button>
      )}
      {sending.error && <div>{sending.error.message}</div>}
    </section>
  );
}

function ReportTables({ report, busy }: { report: Report; busy: boolean }) {
  return (
    <section className="panel" aria-labelledby="h-report" aria-busy={busy}>
      <h2 id="h-report">
        {report.unit.name} · {periodLabel(report.period)}
      </h2>
      <p className="muted small">
        Tiếp nhận {report.totals.submitted.toLocaleString("vi-VN")} hồ sơ, trả kết quả{" "}
        {report.totals.delivered.toLocaleString("vi-VN")} hồ sơ; {report.totals.procedures.toLocaleString("vi-VN")} thủ
        tục thuộc đơn vị. Thủ tục được tính theo mức độ và việc nhận qua bưu chính của chính thời gian trong kỳ. Lập lúc{" "}
        {formatDateTime(report.generatedAt)}.
      </p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>TT</th>
              <th>Chỉ tiêu và cách tính</th>
              <th className="num">Tử số</th>
              <th className="num">Mẫu số</th>
              <th className="num">Tỷ lệ</th>
              <th className="num">Mục tiêu</th>
              <th>Kết quả</th>
            </tr>
          </thead>
          <tbody>
            {report.indicators.map((i) => (
              <tr key={i.id} data-indicator={i.no}>
                <td>{i.no}</td>
                <td>
                  <strong>{i.title}</strong>
                  <div className="formula">Tử số: {i.numerator}</div>
                  <div className="formula">Mẫu số: {i.denominator}</div>
                </td>
                <td className="num" data-field="numerator">
                  {i.numeratorValue.toLocaleString("vi-VN")}
                </td>
                <td className="num" data-field="denominator">
                  {i.denominatorValue.toLocaleString("vi-VN")}
                </td>
                <td className="num">{formatRatio(i.ratio)}</td>
                <td className="num">≥ {Math.round(i.target * 100)}%</td>
                <td>
                  {i.met === null ? (
                    <span className="muted">Chưa có dữ liệu</span>
                  ) : i.met ? (
                    <span className="met">Đạt</span>
                  ) : (
                    <span className="not-met">Chưa đạt</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3 style={{ marginTop: "1.25rem" }}>{report.overallFormula.title}</h3>
      <p className="formula">
        {report.overallFormula.numerator} / {report.overallFormula.denominator}
      </p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Cấp</th>
              <th className="num">Hồ sơ trực tuyến</th>
              <th className="num">Tổng số hồ sơ</th>
              <th className="num">Tỷ lệ</th>
            </tr>
          </thead>
          <tbody>
            {report.overall.map((o) => (
              <tr key={o.level}>
                <td>{o.label}</td>
                <td className="num">{o.online.toLocaleString("vi-VN")}</td>
                <td className="num">{o.total.toLocaleString("vi-VN")}</td>
                <td className="num">{formatRatio(o.ratio)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function SeriesChart({ series }: { series: Series }) {
  const data = useMemo(
    () => ({
      labels: series.points.map((p) => {
        const { quarter, year } = quarterOf(p.period.from);
        return `Quý ${ROMAN[quarter - 1]}/${year}`;
      }),
      datasets: INDICATORS.map((def, k) => ({
        label: `CT${def.no}`,
        data: series.points.map((p) => {
          const r = p.indicators.find((i) => i.no === def.no)?.ratio;
          return r === null || r === undefined ? null : Math.round(r * 1000) / 10;
        }),
        borderColor: COLOURS[k],
        backgroundColor: COLOURS[k],
        spanGaps: true,
      })),
    }),
    [series],
  );
  const text = series.points
    .map((p) => `${periodLabel(p.period)}: ${p.indicators.map((i) => `CT${i.no} ${formatRatio(i.ratio)}`).join(", ")}`)
    .join("; ");
  return (
    <div className="chart-box">
      <Line
        data={data}
        aria-label={`Tỷ lệ các chỉ tiêu theo quý. ${text}`}
        role="img"
        options={{
          maintainAspectRatio: false,
          animation: false,
          scales: { y: { min: 0, max: 100, ticks: { callback: (v) => `${v}%` } } },
          plugins: { legend: { position: "bottom" } },
        }}
      />
    </div>
  );
}

function UnitChart({ byUnit, no }: { byUnit: ByUnit; no: number }) {
  const target = INDICATORS.find((i) => i.no === no)?.target ?? 0;
  const rows = byUnit.units
    .map((u) => ({
      name: u.unit.name
        .replace(/^UBND /, "")
        .replace("Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh", "TT Phục vụ HCC tỉnh"),
      ratio: u.indicators.find((i) => i.no === no)?.ratio ?? null,
    }))
    .filter((r) => r.ratio !== null)
    .sort((a, b) => (b.ratio ?? 0) - (a.ratio ?? 0));
  if (rows.length === 0) return <p className="muted">Chưa đơn vị nào có dữ liệu cho chỉ tiêu này trong kỳ.</p>;
  const data = {
    labels: rows.map((r) => r.name),
    datasets: [
      {
        label: `Chỉ tiêu ${no} (%)`,
        data: rows.map((r) => Math.round((r.ratio ?? 0) * 1000) / 10),
        backgroundColor: rows.map((r) => ((r.ratio ?? 0) >= target ? "#188038" : "#b3261e")),
      },
    ],
  };
  return (
    <div className="chart-box" style={{ height: Math.max(300, rows.length * 18 + 60) }}>
      <Bar
        data={data}
        role="img"
        aria-label={`Chỉ tiêu ${no} theo đơn vị, mục tiêu ${Math.round(target * 100)}%: ${rows
          .map((r) => `${r.name} ${formatRatio(r.ratio)}`)
          .join(", ")}`}
        options={{
          indexAxis: "y",
          maintainAspectRatio: false,
          animation: false,
          scales: {
            x: { min: 0, max: 100, ticks: { callback: (v) => `${v}%` } },
            y: { ticks: { autoSkip: false, font: { size: 11 } } },
          },
          plugins: { legend: { display: false } },
        }}
      />
    </div>
  );
}
