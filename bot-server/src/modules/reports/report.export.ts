import { formatRatio, periodLabel } from "@qn/shared";
import ExcelJS from "exceljs";
import type { ReportView, UnitRow } from "./report.service";

/** The report as rows: the same figures the console and the JSON show, with each indicator's formula beside it. */
function rows(report: ReportView): (string | number | null)[][] {
  const header = [
    "STT",
    "Chỉ tiêu",
    "Tử số",
    "Cách tính tử số",
    "Mẫu số",
    "Cách tính mẫu số",
    "Tỷ lệ (%)",
    "Mục tiêu (%)",
    "Kết quả",
  ];
  const percent = (r: number | null) => (r === null ? null : Math.round(r * 1000) / 10);
  const out: (string | number | null)[][] = [
    ["Báo cáo chỉ tiêu dịch vụ công trực tuyến và bưu chính công ích (Chỉ thị 07/CT-UBND)"],
    ["Đơn vị", report.unit.name],
    ["Kỳ báo cáo", periodLabel(report.period)],
    ["Lập lúc", report.generatedAt],
    [],
    header,
  ];
  for (const i of report.indicators) {
    out.push([
      i.no,
      i.title,
      i.numeratorValue,
      i.numerator,
      i.denominatorValue,
      i.denominator,
      percent(i.ratio),
      Math.round(i.target * 100),
      i.met === null ? "Không có dữ liệu" : i.met ? "Đạt" : "Không đạt",
    ]);
  }
  out.push([]);
  out.push(["", "Chỉ số ngoài Chỉ thị 07 (không có mục tiêu)"]);
  for (const b of report.beyond) {
    out.push([
      "",
      `${b.title} (${b.source})`,
      b.numeratorValue,
      b.numerator,
      b.denominatorValue,
      b.denominator,
      percent(b.ratio),
    ]);
  }
  out.push([]);
  out.push(["", report.overallFormula.title, "Hồ sơ trực tuyến", "", "Tổng số hồ sơ", "", "Tỷ lệ (%)"]);
  for (const o of report.overall) {
    out.push([
      "",
      o.label,
      o.online,
      report.overallFormula.numerator,
      o.total,
      report.overallFormula.denominator,
      percent(o.ratio),
    ]);
  }
  return out;
}

function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CSV in UTF-8 with a byte-order mark, so that Excel shows the Vietnamese letters. */
export function reportCsv(report: ReportView): Buffer {
  const text = rows(report)
    .map((r) => r.map(csvCell).join(","))
    .join("\r\n");
  return Buffer.from(`\uFEFF${text}\r\n`, "utf8");
}

export async function reportXlsx(report: ReportView, units?: UnitRow[]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = "Dịch vụ công Quảng Ninh";
  book.created = new Date(report.generatedAt);
  const sheet = book.addWorksheet("Báo cáo");
  for (const r of rows(report)) sheet.addRow(r);
  sheet.getRow(1).font = { bold: true, size: 13 };
  sheet.getRow(6).font = { bold: true };
  sheet.columns.forEach((c, i) => {
    c.width = [5, 60, 10, 50, 10, 50, 10, 12, 16][i] ?? 12;
  });
  sheet.getColumn(2).alignment = { wrapText: true, vertical: "top" };
  sheet.getColumn(4).alignment = { wrapText: true, vertical: "top" };
  sheet.getColumn(6).alignment = { wrapText: true, vertical: "top" };

  if (units) {
    const byUnit = book.addWorksheet("Theo đơn vị");
    byUnit.addRow([
      "Mã đơn vị",
      "Đơn vị",
      ...report.indicators.flatMap((i) => [`CT${i.no} tử số`, `CT${i.no} mẫu số`, `CT${i.no} tỷ lệ (%)`]),
      "Hồ sơ tiếp nhận",
      "Hồ sơ trực tuyến",
      "Hồ sơ có phí",
      "Thanh toán trực tuyến",
      "Tỷ lệ thanh toán trực tuyến (%)",
    ]).font = { bold: true };
    for (const u of units) {
      byUnit.addRow([
        u.unit.code,
        u.unit.name,
        ...u.indicators.flatMap((i) => [
          i.numeratorValue,
          i.denominatorValue,
          i.ratio === null ? null : Math.round(i.ratio * 1000) / 10,
        ]),
        u.totals.submitted,
        u.overall.reduce((s, o) => s + o.online, 0),
        ...u.beyond.flatMap((b) => [
          b.denominatorValue,
          b.numeratorValue,
          b.ratio === null ? null : Math.round(b.ratio * 1000) / 10,
        ]),
      ]);
    }
    byUnit.getColumn(2).width = 45;
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

export function exportFileName(report: ReportView, ext: "csv" | "xlsx"): string {
  return `bao-cao-chi-thi-07_${report.unit.code}_${report.period.from}_${report.period.to}.${ext}`;
}

/** For the on-screen summary line. */
export function summaryLine(report: ReportView): string {
  const met = report.indicators.filter((i) => i.met).length;
  return `${report.unit.name}, ${periodLabel(report.period)}: đạt ${met}/6 chỉ tiêu; tỷ lệ trực tuyến chung ${formatRatio(
    report.overall.at(-1)?.ratio ?? null,
  )}`;
}
