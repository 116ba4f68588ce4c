import { FEE_KIND_LABELS, toVietnamWallClock } from "@qn/shared";
import PDFDocument from "pdfkit";
import QRCode from "qrcode";
import { type PdfFont, registerFonts } from "../../pdf/fonts";
import { formatVnd, vndInWords } from "./receipt-words";

export { formatVnd, vndInWords } from "./receipt-words";

/**
 * The electronic receipt (biên lai thu phí, lệ phí điện tử) as a PDF, drawn on the server with pdfkit: A4 portrait,
 * laid out like an administrative document (Nghị định 30/2020/NĐ-CP: the unit on the left, the national motto on the
 * right) with what Nghị định 11/2020/NĐ-CP asks of a receipt: the unit, number and date, the payer, each fee with
 * its kind, the amount in figures and in words. Decision record: docs/decisions/0015-receipt-pdf.md.
 *
 * The text is in DejaVu Sans from npm (every Vietnamese letter with its marks), embedded as a subset; pdfkit's
 * standard fonts have none of them. The same data gives the same bytes: the creation date is the receipt's own.
 */
export type ReceiptData = {
  /** Our receipt number, e.g. "BL-2025-000123". */
  receiptNumber: string;
  /** Printed in Vietnam time (UTC+7): "17:30 ngày 01/10/2025". */
  issuedAt: Date;
  /** The receiving unit (đơn vị thu). */
  issuer: { name: string; unitCode: string };
  payer: { name: string; identityNumberMasked: string | null; address: string | null };
  dossier: { code: string; procedureName: string };
  /** `amount` is the line's total in đồng. */
  lines: { name: string; kind: "phi" | "le-phi"; quantity: number; amount: number }[];
  total: number;
  /** e.g. "Cổng thử nghiệm (không thu tiền thật)", "Thanh toán trong Zalo". */
  provider: string;
  transactionId: string;
  /** Our payment reference. */
  reference: string;
  /** Printed as a QR code and as text when present. */
  verifyUrl: string | null;
  /** A sandbox payment: the receipt says, big, that it is worth nothing. */
  test: boolean;
};

/** What prints where the receipt says which system made it (README's name of the system). */
const SYSTEM_NAME = "Dịch vụ công Quảng Ninh trên Zalo";
export const TEST_BANNER = "BẢN THỬ NGHIỆM — KHÔNG CÓ GIÁ TRỊ THANH TOÁN";
const KIND_LABEL = FEE_KIND_LABELS;

// A4 in points, and the margins of the page's content.
const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = { top: 40, bottom: 50, left: 50, right: 50 };
const LEFT = MARGIN.left;
const WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
const BOTTOM = PAGE.height - MARGIN.bottom;

const INK = "#111111";
const MUTED = "#555555";
const RULE = "#888888";
const HEAD_FILL = "#eeeeee";
const TEST_RED = "#c62828";
const TEST_FILL = "#fdecea";

type FontName = Extract<PdfFont, "regular" | "bold" | "italic">;

/** `17:30 ngày 01/10/2025`, in Vietnam time (UTC+7 all year) whatever the server's zone. */
export function formatReceiptTime(at: Date): string {
  const iso = new Date(toVietnamWallClock(at.getTime())).toISOString(); // Vietnam's clock, read in UTC fields
  return `${iso.slice(11, 16)} ngày ${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

/** Text as it is drawn: composed (NFC), so that a decomposed "ế" still finds its one glyph. */
function nfc(text: string): string {
  return text.normalize("NFC");
}

/**
 * The figures a receipt prints must agree: whole đồng from 0, whole quantities from 1, and a total that is the sum
 * of the lines. A receipt whose numbers disagree is a bug upstream, and is refused rather than handed to a citizen.
 */
function checkFigures(data: ReceiptData) {
  const whole = (n: number) => Number.isSafeInteger(n) && n >= 0;
  for (const line of data.lines) {
    if (!whole(line.amount) || !whole(line.quantity) || line.quantity < 1) {
      throw new RangeError(`Receipt ${data.receiptNumber}: a line's amount or quantity is not a whole number`);
    }
  }
  const sum = data.lines.reduce((s, line) => s + line.amount, 0);
  if (!whole(data.total) || sum !== data.total) {
    throw new RangeError(`Receipt ${data.receiptNumber}: the total ${data.total} is not the lines' sum ${sum}`);
  }
}

/** The receipt as PDF bytes. Throws a RangeError when its figures disagree (see `checkFigures`). */
export async function renderReceiptPdf(data: ReceiptData): Promise<Buffer> {
  checkFigures(data);
  const qr = data.verifyUrl ? QRCode.create(data.verifyUrl, { errorCorrectionLevel: "M" }) : null;
  const doc = new PDFDocument({
    size: "A4",
    layout: "portrait",
    margins: MARGIN,
    bufferPages: true,
    autoFirstPage: false,
    lang: "vi-VN",
    displayTitle: true,
    info: {
      Title: nfc(`Biên lai thu phí, lệ phí điện tử số ${data.receiptNumber}`),
      Author: nfc(data.issuer.name),
      Subject: nfc(`Hồ sơ ${data.dossier.code}: ${data.dossier.procedureName}`),
      Creator: SYSTEM_NAME,
      CreationDate: data.issuedAt,
      ModDate: data.issuedAt,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });

  registerFonts(doc, ["regular", "bold", "italic"]);
  if (data.test) doc.on("pageAdded", () => drawWatermark(doc));
  doc.addPage();

  const draw = new Drawer(doc);
  drawHeader(draw, data);
  if (data.test) drawTestBanner(draw);
  drawParties(draw, data);
  drawLines(draw, data);
  drawPayment(draw, data, qr);
  drawFooter(draw, data);
  drawPageNumbers(doc, data);

  doc.end();
  return done;
}

type TextOptions = { font?: FontName; size?: number; color?: string; align?: "left" | "center" | "right" };

/** Text at a position and width, with the page's running y kept here rather than in pdfkit's cursor. */
class Drawer {
  y = MARGIN.top;
  constructor(readonly doc: PDFKit.PDFDocument) {}

  private set(o: TextOptions) {
    this.doc
      .font(o.font ?? "regular")
      .fontSize(o.size ?? 10)
      .fillColor(o.color ?? INK);
  }

  height(text: string, width: number, o: TextOptions = {}): number {
    this.set(o);
    return this.doc.heightOfString(nfc(text), { width, lineGap: 1.5 });
  }

  width(text: string, o: TextOptions = {}): number {
    this.set(o);
    return this.doc.widthOfString(nfc(text));
  }

  /** Draws text in a box starting at (x, y); returns its height. Long words break inside the width. */
  text(text: string, x: number, y: number, width: number, o: TextOptions = {}): number {
    this.set(o);
    const t = nfc(text);
    const h = this.doc.heightOfString(t, { width, lineGap: 1.5 });
    this.doc.text(t, x, y, { width, align: o.align ?? "left", lineGap: 1.5 });
    return h;
  }

  /** The current page's index among the buffered pages. */
  pageIndex(): number {
    const range = this.doc.bufferedPageRange();
    return range.start + range.count - 1;
  }

  /** Starts a new page when `height` points do not fit below the running y. */
  ensure(height: number): boolean {
    if (this.y + height <= BOTTOM) return false;
    this.doc.addPage();
    this.y = MARGIN.top;
    return true;
  }

  rule(y: number, x1 = LEFT, x2 = LEFT + WIDTH, color = RULE, width = 0.6) {
    this.doc.save().moveTo(x1, y).lineTo(x2, y).lineWidth(width).strokeColor(color).stroke().restore();
  }
}

/** The unit on the left, the national motto on the right, then the title, number and time. */
function drawHeader(d: Drawer, data: ReceiptData) {
  const leftWidth = 200;
  const rightWidth = 275;
  const rightX = LEFT + WIDTH - rightWidth;
  const top = d.y;

  let ly = top;
  ly += d.text(data.issuer.name.toLocaleUpperCase("vi"), LEFT, ly, leftWidth, {
    font: "bold",
    size: 10,
    align: "center",
  });
  d.rule(ly + 3, LEFT + leftWidth / 2 - 30, LEFT + leftWidth / 2 + 30, INK, 0.6);
  ly += 8;
  ly += d.text(`Mã đơn vị: ${data.issuer.unitCode}`, LEFT, ly, leftWidth, { size: 9, align: "center", color: MUTED });

  let ry = top;
  ry += d.text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", rightX, ry, rightWidth, {
    font: "bold",
    size: 10,
    align: "center",
  });
  const motto = "Độc lập - Tự do - Hạnh phúc";
  ry += d.text(motto, rightX, ry, rightWidth, { font: "bold", size: 10.5, align: "center" });
  const mottoWidth = d.width(motto, { font: "bold", size: 10.5 });
  const mid = rightX + rightWidth / 2;
  d.rule(ry + 2, mid - mottoWidth / 2, mid + mottoWidth / 2, INK, 0.6);
  ry += 4;

  d.y = Math.max(ly, ry) + 18;
  d.y += d.text("BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ", LEFT, d.y, WIDTH, { font: "bold", size: 15, align: "center" });
  d.y += 2;
  d.y += d.text("(Bản thể hiện của biên lai điện tử)", LEFT, d.y, WIDTH, {
    font: "italic",
    size: 9,
    align: "center",
    color: MUTED,
  });
  d.y += 6;
  d.y += d.text(`Số: ${data.receiptNumber}`, LEFT, d.y, WIDTH, { font: "bold", size: 10.5, align: "center" });
  d.y += d.text(`Lập lúc ${formatReceiptTime(data.issuedAt)}`, LEFT, d.y, WIDTH, {
    font: "italic",
    size: 10,
    align: "center",
  });
  d.y += 12;
}

/** The sandbox's banner: red, boxed, across the page, under the title where the eye lands first. */
function drawTestBanner(d: Drawer) {
  const pad = 9;
  const note = "Biên lai này được lập từ cổng thanh toán thử nghiệm: không có khoản tiền thật nào được thu.";
  const bannerHeight = d.height(TEST_BANNER, WIDTH - 2 * pad, { font: "bold", size: 14 });
  const noteHeight = d.height(note, WIDTH - 2 * pad, { size: 9 });
  const height = pad + bannerHeight + 3 + noteHeight + pad;
  d.ensure(height);
  d.doc.save().rect(LEFT, d.y, WIDTH, height).lineWidth(2).fillAndStroke(TEST_FILL, TEST_RED).restore();
  let y = d.y + pad;
  y += d.text(TEST_BANNER, LEFT + pad, y, WIDTH - 2 * pad, {
    font: "bold",
    size: 14,
    color: TEST_RED,
    align: "center",
  });
  y += 3;
  d.text(note, LEFT + pad, y, WIDTH - 2 * pad, { size: 9, color: TEST_RED, align: "center" });
  d.y += height + 12;
}

/** A light diagonal "BẢN THỬ NGHIỆM" behind each page of a sandbox receipt, so no crop of it looks real. */
function drawWatermark(doc: PDFKit.PDFDocument) {
  const x = doc.x;
  const y = doc.y;
  doc.save();
  doc.rotate(-35, { origin: [PAGE.width / 2, PAGE.height / 2] });
  doc.font("bold").fontSize(64).fillColor(TEST_RED).fillOpacity(0.08);
  const text = "BẢN THỬ NGHIỆM";
  const w = doc.widthOfString(text);
  doc.text(text, PAGE.width / 2 - w / 2, PAGE.height / 2 - 32, { lineBreak: false });
  doc.restore();
  doc.x = x;
  doc.y = y;
}

type Field = { label: string; value: string | null; bold?: boolean };

/** Label–value rows in `width`; the value wraps in its column. Rows whose value is null are left out. */
function drawFields(d: Drawer, rows: Field[], width = WIDTH, labelWidth = 135) {
  const valueWidth = width - labelWidth;
  for (const { label, value, bold = true } of rows) {
    if (value === null || value.trim() === "") continue;
    const font: FontName = bold ? "bold" : "regular";
    const h = Math.max(d.height(`${label}:`, labelWidth - 8), d.height(value, valueWidth, { font }));
    d.ensure(h);
    d.text(`${label}:`, LEFT, d.y, labelWidth - 8, { color: MUTED });
    d.text(value, LEFT + labelWidth, d.y, valueWidth, { font });
    d.y += h + 4;
  }
}

function drawSectionTitle(d: Drawer, title: string) {
  const h = d.height(title, WIDTH, { font: "bold", size: 10.5 });
  d.ensure(h + 40); // a title is never left alone at the foot of a page
  d.text(title, LEFT, d.y, WIDTH, { font: "bold", size: 10.5 });
  d.y += h + 5;
}

function drawParties(d: Drawer, data: ReceiptData) {
  drawSectionTitle(d, "NGƯỜI NỘP TIỀN");
  drawFields(d, [
    { label: "Họ và tên", value: data.payer.name },
    { label: "Số định danh cá nhân", value: data.payer.identityNumberMasked },
    { label: "Địa chỉ", value: data.payer.address, bold: false },
  ]);
  d.y += 6;
  drawSectionTitle(d, "HỒ SƠ");
  drawFields(d, [
    { label: "Mã hồ sơ", value: data.dossier.code },
    { label: "Thủ tục hành chính", value: data.dossier.procedureName, bold: false },
  ]);
  d.y += 8;
}

type Column = { title: string; width: number; align: "left" | "center" | "right" };

/** The fee lines: STT, Nội dung, Loại, Số lượng, Thành tiền; the header row again on each new page; then the total. */
function drawLines(d: Drawer, data: ReceiptData) {
  const fixed = { stt: 34, kind: 58, quantity: 62, amount: 104 };
  const columns: Column[] = [
    { title: "STT", width: fixed.stt, align: "center" },
    { title: "Nội dung", width: WIDTH - fixed.stt - fixed.kind - fixed.quantity - fixed.amount, align: "left" },
    { title: "Loại", width: fixed.kind, align: "center" },
    { title: "Số lượng", width: fixed.quantity, align: "center" },
    { title: "Thành tiền", width: fixed.amount, align: "right" },
  ];
  const pad = 4.5;

  const row = (cells: string[], o: { font?: FontName; fill?: string; spanTo?: number } = {}) => {
    // `spanTo`: the first cell spans the columns up to that index (the total row).
    const spans: { x: number; width: number; text: string; align: Column["align"] }[] = [];
    let x = LEFT;
    let ci = 0;
    for (const [i, text] of cells.entries()) {
      const last = i === 0 && o.spanTo !== undefined ? o.spanTo : ci;
      let width = 0;
      for (let k = ci; k <= last; k++) width += columns[k]?.width ?? 0;
      const align = i === 0 && o.spanTo !== undefined ? "right" : (columns[ci]?.align ?? "left");
      spans.push({ x, width, text, align });
      x += width;
      ci = last + 1;
    }
    const font = o.font ?? "regular";
    const height = Math.max(...spans.map((s) => d.height(s.text, s.width - 2 * pad, { font }))) + 2 * pad;
    return {
      height,
      draw(y: number) {
        const { doc } = d;
        doc.save();
        if (o.fill) doc.rect(LEFT, y, WIDTH, height).fill(o.fill);
        doc.lineWidth(0.6).strokeColor(RULE);
        for (const s of spans) doc.rect(s.x, y, s.width, height).stroke();
        doc.restore();
        for (const s of spans) d.text(s.text, s.x + pad, y + pad, s.width - 2 * pad, { font, align: s.align });
      },
    };
  };

  drawSectionTitle(d, "CÁC KHOẢN PHÍ, LỆ PHÍ");
  const header = row(
    columns.map((c) => c.title),
    { font: "bold", fill: HEAD_FILL },
  );
  const drawHeaderRow = () => {
    header.draw(d.y);
    d.y += header.height;
  };
  d.ensure(header.height * 2);
  drawHeaderRow();
  for (const [i, line] of data.lines.entries()) {
    const r = row([String(i + 1), line.name, KIND_LABEL[line.kind], String(line.quantity), formatVnd(line.amount)]);
    if (d.ensure(r.height)) drawHeaderRow();
    r.draw(d.y);
    d.y += r.height;
  }
  const total = row(["Tổng cộng", formatVnd(data.total)], { font: "bold", spanTo: 3 });
  d.ensure(total.height);
  total.draw(d.y);
  d.y += total.height + 6;

  const label = "Bằng chữ: ";
  const labelWidth = d.width(label, { font: "bold" });
  const words = vndInWords(data.total);
  const h = d.height(words, WIDTH - labelWidth, { font: "italic" });
  d.ensure(h);
  d.text(label, LEFT, d.y, labelWidth, { font: "bold" });
  d.text(words, LEFT + labelWidth, d.y, WIDTH - labelWidth, { font: "italic" });
  d.y += h + 12;
}

/** How it was paid, with the QR code of `verifyUrl` at the right, beside the fields. */
function drawPayment(d: Drawer, data: ReceiptData, qr: QRCode.QRCode | null) {
  const qrSize = 80;
  const qrBox = qr ? qrSize + 16 : 0;
  // The title, the fields, the whole code and the footer that speaks of it, on one page.
  d.ensure(18 + (qr ? qrSize - 6 : 60) + 12 + footerHeight(d, data));
  drawSectionTitle(d, "THANH TOÁN");
  const top = d.y;
  const topPage = d.pageIndex();
  drawFields(
    d,
    [
      { label: "Hình thức thanh toán", value: data.provider },
      { label: "Mã giao dịch", value: data.transactionId },
      { label: "Mã tham chiếu", value: data.reference },
    ],
    WIDTH - qrBox,
  );
  if (qr) {
    // On the page where the fields began, should a very long value have pushed them onto the next.
    const lastPage = d.pageIndex();
    if (lastPage !== topPage) d.doc.switchToPage(topPage);
    const x = LEFT + WIDTH - qrSize;
    const y = top - 18; // level with the section's title
    drawQr(d.doc, qr, x, y, qrSize);
    d.text("Quét mã để tra cứu", x - 8, y + qrSize + 1, qrSize + 16, { size: 7.5, align: "center", color: MUTED });
    if (lastPage !== topPage) d.doc.switchToPage(lastPage);
    else d.y = Math.max(d.y, y + qrSize + 12);
  }
  d.y += 12;
}

const FOOTER_SIZE = 8.5;

/** Which system made the receipt and where to check it (the address on a line of its own, to copy whole). */
function footerLines(data: ReceiptData): { text: string; color: string }[] {
  const made = `Biên lai điện tử được lập từ hệ thống ${SYSTEM_NAME}`;
  const lines: { text: string; color: string }[] = data.verifyUrl
    ? [
        { text: `${made}; tra cứu tại địa chỉ sau hoặc quét mã QR ở trên:`, color: MUTED },
        { text: data.verifyUrl, color: INK },
      ]
    : [
        {
          text: `${made}; tra cứu tại trang của hồ sơ ${data.dossier.code} trong ứng dụng ${SYSTEM_NAME}.`,
          color: MUTED,
        },
      ];
  lines.push({ text: `Đơn vị thu: ${data.issuer.name} (mã đơn vị ${data.issuer.unitCode}).`, color: MUTED });
  return lines;
}

function footerHeight(d: Drawer, data: ReceiptData): number {
  return footerLines(data).reduce((h, l) => h + d.height(l.text, WIDTH, { size: FOOTER_SIZE }) + 3, 8);
}

function drawFooter(d: Drawer, data: ReceiptData) {
  d.ensure(footerHeight(d, data));
  d.rule(d.y);
  d.y += 8;
  for (const l of footerLines(data)) {
    d.y += d.text(l.text, LEFT, d.y, WIDTH, { size: FOOTER_SIZE, color: l.color }) + 3;
  }
}

/** The QR code as squares of vector ink (sharp at any zoom, and no image to decode), with its quiet zone. */
function drawQr(doc: PDFKit.PDFDocument, qr: QRCode.QRCode, x: number, y: number, size: number) {
  const quiet = 2;
  const count = qr.modules.size;
  const cell = size / (count + 2 * quiet);
  doc.save();
  for (let r = 0; r < count; r++) {
    for (let c = 0; c < count; c++) {
      if (qr.modules.get(r, c)) doc.rect(x + (c + quiet) * cell, y + (r + quiet) * cell, cell, cell);
    }
  }
  doc.fill("#000000");
  doc.restore();
}

/** "Biên lai số … · Trang i/n" at the foot of each page (drawn last, once the number of pages is known). */
function drawPageNumbers(doc: PDFKit.PDFDocument, data: ReceiptData) {
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    // Below the bottom margin pdfkit would start a new page: lift the margin while writing there.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font("regular")
      .fontSize(8)
      .fillColor(MUTED)
      .text(
        nfc(`Biên lai số ${data.receiptNumber} · Trang ${i + 1}/${range.count}`),
        LEFT,
        PAGE.height - MARGIN.bottom + 18,
        { width: WIDTH, align: "center", lineBreak: false },
      );
    doc.page.margins.bottom = bottom;
  }
}
