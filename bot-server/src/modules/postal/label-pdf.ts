import { formatVietnamDate, formatVietnamDateTime, formatVnd } from "@qn/shared";
// The default export: its `raw` gives the bars; the module's own named `raw` is the "raw" symbology, not this.
import bwipjs from "bwip-js/node";
import PDFDocument from "pdfkit";
import QRCode from "qrcode";
import { type PdfFont, registerFonts } from "../../pdf/fonts";

/**
 * The printable label (nhãn bưu gửi) of a postal order of the public postal service (bưu chính công ích), drawn on
 * the server with pdfkit: one A6 page (105 × 148 mm) per label, so that an official prints a day's orders at once on
 * an office printer or a label printer. Decision record: docs/decisions/0016-postal-label.md.
 *
 * On each page, from the top: the header and the kind of order (with the pick-up window), the waybill as a large
 * Code 128 with its number under it and a QR code beside it, the sender ("Người gửi"), the receiver ("Người nhận",
 * the largest), the cash on delivery, what the parcel holds, and at the foot the dossier code as text and as a
 * second, smaller Code 128. The bars come from bwip-js (pure JavaScript) and are drawn as vector rectangles, like the
 * QR code's squares, so they are sharp on any printer. The text is DejaVu Sans from npm, as on the e-receipt
 * (decision 0015): every Vietnamese letter with its marks.
 *
 * Nothing leaves its page: long names and addresses wrap; when the page's middle cannot hold them all, its text is
 * made smaller step by step, and past the smallest step each text keeps to a few lines and ends in "…".
 */
export type PostalLabel = {
  waybill: string; // e.g. "EB123456789VN"
  dossierCode: string; // e.g. "000.00.22.H40-261204-0042"
  kind: "pickup" | "delivery";
  sender: { name: string; phone: string; addressLines: string[] };
  receiver: { name: string; phone: string; addressLines: string[] };
  codAmount: number; // VND, 0 = none
  description: string; // "Kết quả hồ sơ …"
  createdAt: Date;
  pickupWindow: { date: string; from: string; to: string } | null;
  /** A short link or text for the QR beside the waybill (the public lookup of the dossier); null → QR of the waybill. */
  qrText: string | null;
};

const SYSTEM_NAME = "Dịch vụ công Quảng Ninh trên Zalo";
export const LABEL_HEADER = "Bưu chính công ích";
export const KIND_TITLES: Record<PostalLabel["kind"], string> = {
  delivery: "Chuyển phát kết quả",
  pickup: "Thu gom hồ sơ",
};

// A6 portrait in points. The margin (5 mm) is wider than most printers' unprintable edge, and is the barcodes' quiet
// zone on the left and right.
const PAGE = { width: 297.64, height: 419.53 };
const MARGIN = 14;
const LEFT = MARGIN;
const WIDTH = PAGE.width - 2 * MARGIN;
const TOP = MARGIN;
const BOTTOM = PAGE.height - MARGIN;

const INK = "#000000";
const MUTED = "#444444";
const LINE_GAP = 1;

/** Bars are a whole number of dots of a 203 dpi label printer (the coarsest in use), so each prints the same width. */
const DOT = 72 / 203;
const WAYBILL_BAR = { height: 58, maxModule: 4 * DOT };
const DOSSIER_BAR = { height: 24, maxModule: 3 * DOT };
const QR_SIZE = 74;

type FontName = Extract<PdfFont, "regular" | "bold" | "mono">;

/** Text as it is drawn: composed (NFC), so that a decomposed "ế" still finds its one glyph. */
function nfc(text: string): string {
  return text.normalize("NFC");
}

/** Code 128 takes ASCII; a waybill or dossier code is printable ASCII, and anything else is a bug upstream. */
function checkCode(what: string, code: string) {
  if (!/^[\x20-\x7e]+$/.test(code)) throw new RangeError(`${what} "${code}" is not printable ASCII`);
}

/** The labels as one PDF, a page each. Throws a RangeError for no labels, or a code Code 128 cannot carry. */
export async function renderPostalLabels(labels: PostalLabel[]): Promise<Buffer> {
  const first = labels[0];
  if (!first) throw new RangeError("No postal labels to render");
  for (const label of labels) {
    checkCode("Waybill", label.waybill);
    checkCode("Dossier code", label.dossierCode);
    if (!Number.isSafeInteger(label.codAmount) || label.codAmount < 0) {
      throw new RangeError(`Waybill ${label.waybill}: the COD amount ${label.codAmount} is not whole đồng`);
    }
  }
  const doc = new PDFDocument({
    size: [PAGE.width, PAGE.height],
    layout: "portrait",
    margins: { top: 0, bottom: 0, left: 0, right: 0 }, // the layout keeps its own margins; pdfkit never breaks a page
    autoFirstPage: false,
    lang: "vi-VN",
    displayTitle: true,
    info: {
      Title: nfc(labels.length === 1 ? `Nhãn bưu gửi ${first.waybill}` : `Nhãn bưu gửi (${labels.length} bưu gửi)`),
      Subject: nfc(labels.map((l) => l.waybill).join(", ")),
      Creator: SYSTEM_NAME,
      CreationDate: first.createdAt,
      ModDate: first.createdAt,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  registerFonts(doc, ["regular", "bold", "mono"]);

  for (const label of labels) {
    doc.addPage();
    drawLabel(doc, label);
  }
  doc.end();
  return done;
}

// ─── Text ──────────────────────────────────────────────────────────────────────────────────────────────────────────

type Run = {
  text: string;
  font: FontName;
  size: number;
  color?: string;
  align?: "left" | "center" | "right";
  /** At most this many lines; the last ends in "…" when the text goes on. */
  maxLines: number;
  /** Space above the run. */
  before?: number;
};

function setFont(doc: PDFKit.PDFDocument, font: FontName, size: number, color = INK) {
  doc.font(font).fontSize(size).fillColor(color);
}

/** The height a run takes in `width` (its lines' advance, at most `maxLines` of them). */
function runHeight(doc: PDFKit.PDFDocument, run: Run, width: number): number {
  setFont(doc, run.font, run.size);
  const lineAdvance = doc.currentLineHeight(true) + LINE_GAP;
  const full = doc.heightOfString(nfc(run.text), { width, lineGap: LINE_GAP });
  return Math.min(full, run.maxLines * lineAdvance);
}

/** Draws a run at (x, y) in `width`, cut to its lines; returns its height. */
function drawRun(doc: PDFKit.PDFDocument, run: Run, x: number, y: number, width: number): number {
  setFont(doc, run.font, run.size, run.color);
  const lh = doc.currentLineHeight(true);
  const height = runHeight(doc, run, width);
  setFont(doc, run.font, run.size, run.color);
  doc.text(nfc(run.text), x, y, {
    width,
    align: run.align ?? "left",
    lineGap: LINE_GAP,
    // pdfkit stops at `height`: room for maxLines lines and not one more, the last with an ellipsis.
    height: run.maxLines * lh + (run.maxLines - 1) * LINE_GAP + 0.01,
    ellipsis: true,
  });
  return height;
}

/** One line of text at (x, y), its size lowered until it fits `width`. Returns the line's height. */
function drawFitLine(
  doc: PDFKit.PDFDocument,
  text: string,
  x: number,
  y: number,
  width: number,
  o: { font: FontName; size: number; minSize?: number; color?: string; align?: "left" | "center" | "right" },
): number {
  const t = nfc(text);
  let size = o.size;
  setFont(doc, o.font, size, o.color);
  while (size > (o.minSize ?? 5) && doc.widthOfString(t) > width) {
    size -= 0.25;
    setFont(doc, o.font, size, o.color);
  }
  doc.text(t, x, y, { width, align: o.align ?? "left", lineBreak: false, height: doc.currentLineHeight(true) });
  return doc.currentLineHeight(true);
}

// ─── The page ──────────────────────────────────────────────────────────────────────────────────────────────────────

function drawLabel(doc: PDFKit.PDFDocument, label: PostalLabel) {
  let y = drawHeader(doc, label, TOP);
  y = drawWaybill(doc, label, y + 7);
  doc
    .save()
    .moveTo(LEFT, y)
    .lineTo(LEFT + WIDTH, y)
    .lineWidth(0.8)
    .strokeColor(INK)
    .stroke()
    .restore();
  const footTop = drawFoot(doc, label);
  drawMiddle(doc, label, y + 6, footTop - 6);
}

/** "Bưu chính công ích" and the date; the kind on a black band; the pick-up window under it. Returns the y below. */
function drawHeader(doc: PDFKit.PDFDocument, label: PostalLabel, top: number): number {
  const date = `Ngày ${formatVietnamDate(label.createdAt)}`;
  setFont(doc, "bold", 8.5);
  const dateWidth = doc.widthOfString(date);
  const titleHeight = drawFitLine(doc, LABEL_HEADER, LEFT, top, WIDTH - dateWidth - 8, { font: "bold", size: 13 });
  setFont(doc, "bold", 8.5);
  doc.text(date, LEFT + WIDTH - dateWidth, top + 4, { lineBreak: false });
  let y = top + titleHeight + 3;

  const band = 18;
  doc.save().rect(LEFT, y, WIDTH, band).fill(INK).restore();
  drawFitLine(doc, KIND_TITLES[label.kind], LEFT + 6, y + 3, WIDTH - 12, {
    font: "bold",
    size: 10.5,
    color: "#ffffff",
  });
  y += band;
  if (label.pickupWindow) {
    const w = label.pickupWindow;
    const what = label.kind === "pickup" ? "Hẹn lấy hồ sơ" : "Hẹn giao";
    y += 3;
    y += drawFitLine(doc, `${what}: ${w.from}–${w.to} ngày ${formatVietnamDate(w.date)}`, LEFT, y, WIDTH, {
      font: "bold",
      size: 9.5,
    });
  }
  return y;
}

/** The waybill's Code 128 with its number under it, and the QR code at the right. Returns the y below. */
function drawWaybill(doc: PDFKit.PDFDocument, label: PostalLabel, top: number): number {
  const qrX = LEFT + WIDTH - QR_SIZE;
  const bars = code128(label.waybill);
  // The bars' room: from the left margin (their left quiet zone) to the QR code, less ten modules of quiet zone.
  const module = moduleWidth(bars, qrX - LEFT, WAYBILL_BAR.maxModule, 10);
  const barsWidth = bars.modules * module;
  const barsX = LEFT + (qrX - LEFT - 10 * module - barsWidth) / 2;
  drawBars(doc, bars, barsX, top, module, WAYBILL_BAR.height);
  let below = top + WAYBILL_BAR.height + 2;
  below += drawFitLine(doc, label.waybill, barsX - 6, below, barsWidth + 12, {
    font: "mono",
    size: 13,
    align: "center",
  });

  const qr = QRCode.create(label.qrText ?? label.waybill, { errorCorrectionLevel: "M" });
  drawQr(doc, qr, qrX, top - 4, QR_SIZE);
  const caption = label.qrText ? "Tra cứu hồ sơ" : "Mã vận đơn";
  const captionY = top - 4 + QR_SIZE;
  const captionHeight = drawFitLine(doc, caption, qrX - 4, captionY, QR_SIZE + 8, {
    font: "regular",
    size: 6.5,
    align: "center",
    color: MUTED,
  });
  return Math.max(below, captionY + captionHeight) + 4;
}

/** At the foot: the dossier code as text and as a smaller Code 128, then the system's name. Returns the y above it. */
function drawFoot(doc: PDFKit.PDFDocument, label: PostalLabel): number {
  const bars = code128(label.dossierCode);
  const module = moduleWidth(bars, WIDTH, DOSSIER_BAR.maxModule, 0);
  setFont(doc, "regular", 6);
  const footerHeight = doc.currentLineHeight(true);
  const footerY = BOTTOM - footerHeight;
  const barsY = footerY - 3 - DOSSIER_BAR.height;
  setFont(doc, "mono", 10);
  const codeHeight = doc.currentLineHeight(true);
  const codeY = barsY - 2 - codeHeight;
  const top = codeY - 5;

  doc
    .save()
    .moveTo(LEFT, top)
    .lineTo(LEFT + WIDTH, top)
    .lineWidth(0.8)
    .strokeColor(INK)
    .stroke()
    .restore();
  setFont(doc, "regular", 7.5, MUTED);
  const prefix = nfc("Mã hồ sơ: ");
  const prefixWidth = doc.widthOfString(prefix);
  doc.text(prefix, LEFT, codeY + 2, { lineBreak: false });
  drawFitLine(doc, label.dossierCode, LEFT + prefixWidth, codeY, WIDTH - prefixWidth, { font: "mono", size: 10 });
  drawBars(doc, bars, LEFT + (WIDTH - bars.modules * module) / 2, barsY, module, DOSSIER_BAR.height);
  drawFitLine(doc, `${SYSTEM_NAME} · Tạo lúc ${formatVietnamDateTime(label.createdAt)}`, LEFT, footerY, WIDTH, {
    font: "regular",
    size: 6,
    align: "center",
    color: MUTED,
  });
  return top;
}

type Block = { runs: Run[]; boxed: boolean; gapAfter: number };

/** The scales tried for the middle's text, largest first: 100 % down to 66 % in steps of 2 %. */
const SCALES = Array.from({ length: 18 }, (_, i) => 1 - i * 0.02);

/**
 * The sender, the receiver, COD and the contents, between `top` and `bottom`: at the largest scale that fits, and
 * when even the smallest does not, cut short (`tight`) at the largest scale that then fits.
 */
function drawMiddle(doc: PDFKit.PDFDocument, label: PostalLabel, top: number, bottom: number) {
  const room = bottom - top;
  const blocks = fitBlocks(doc, label, room);
  // Cut short at 66 %, the middle fits the room the header and foot leave; the clip is there should it ever not.
  doc.save().rect(0, top, PAGE.width, room).clip();
  let y = top;
  for (const block of blocks) {
    const pad = block.boxed ? 5 : 0;
    const inner = WIDTH - 2 * pad;
    const height = blockHeight(doc, block);
    if (y + height > bottom + 0.5) break; // what cannot fit is left out rather than drawn over the foot
    if (block.boxed) doc.save().rect(LEFT, y, WIDTH, height).lineWidth(1.4).strokeColor(INK).stroke().restore();
    let ry = y + pad;
    for (const run of block.runs) {
      ry += run.before ?? 0;
      ry += drawRun(doc, run, LEFT + pad, ry, inner);
    }
    y += height + block.gapAfter;
  }
  doc.restore();
}

function fitBlocks(doc: PDFKit.PDFDocument, label: PostalLabel, room: number): Block[] {
  for (const tight of [false, true]) {
    for (const scale of SCALES) {
      const blocks = middleBlocks(label, scale, tight);
      if (blocksHeight(doc, blocks) <= room) return blocks;
    }
  }
  return middleBlocks(label, SCALES[SCALES.length - 1] ?? 1, true);
}

function blockHeight(doc: PDFKit.PDFDocument, block: Block): number {
  const pad = block.boxed ? 5 : 0;
  const inner = WIDTH - 2 * pad;
  return block.runs.reduce((h, run) => h + (run.before ?? 0) + runHeight(doc, run, inner), 2 * pad);
}

function blocksHeight(doc: PDFKit.PDFDocument, blocks: Block[]): number {
  return blocks.reduce((h, b, i) => h + blockHeight(doc, b) + (i < blocks.length - 1 ? b.gapAfter : 0), 0);
}

/**
 * The middle's blocks at a scale. `tight` (the last resort, for text no label was meant to hold): each name keeps to
 * two lines, each address is joined into one text of a few lines, and the contents to one line, which fits whatever
 * the input.
 */
function middleBlocks(label: PostalLabel, scale: number, tight: boolean): Block[] {
  const s = (n: number) => Math.round(n * scale * 4) / 4;
  const address = (addressLines: string[], size: number, tightLines: number): Run[] => {
    const lines = addressLines.map((line) => line.trim()).filter((line) => line !== "");
    if (tight) return [{ text: lines.join(", "), font: "regular", size, maxLines: tightLines }];
    return lines.map((text) => ({ text, font: "regular", size, maxLines: 3 }));
  };
  const { sender, receiver } = label;
  const cod = label.codAmount > 0 ? `Thu hộ (COD): ${formatVnd(label.codAmount)}` : "Không thu hộ";
  return [
    {
      boxed: false,
      gapAfter: s(6),
      runs: [
        { text: "Người gửi", font: "bold", size: s(7.5), color: MUTED, maxLines: 1 },
        { text: sender.name, font: "bold", size: s(9.5), maxLines: tight ? 2 : 3, before: 1 },
        { text: `ĐT: ${sender.phone}`, font: "regular", size: s(8.5), maxLines: 1 },
        ...address(sender.addressLines, s(8.5), 2),
      ],
    },
    {
      boxed: true,
      gapAfter: s(6),
      runs: [
        { text: "Người nhận", font: "bold", size: s(8.5), color: MUTED, maxLines: 1 },
        { text: receiver.name, font: "bold", size: s(12.5), maxLines: tight ? 2 : 3, before: 1 },
        { text: `ĐT: ${receiver.phone}`, font: "bold", size: s(10.5), maxLines: 1 },
        ...address(receiver.addressLines, s(10.5), 3),
      ],
    },
    {
      boxed: false,
      gapAfter: 0,
      runs: [
        { text: cod, font: "bold", size: s(11), maxLines: 1 },
        { text: `Nội dung: ${label.description}`, font: "regular", size: s(8), maxLines: tight ? 1 : 3, before: 2 },
      ],
    },
  ];
}

// ─── Codes ─────────────────────────────────────────────────────────────────────────────────────────────────────────

type Bars = { widths: number[]; modules: number };

/** The Code 128 of `text` as bwip-js encodes it (the shortest of code sets A, B and C): bar, space, bar… in modules. */
function code128(text: string): Bars {
  const [symbol] = bwipjs.raw({ bcid: "code128", text });
  if (!symbol || !("sbs" in symbol)) throw new Error(`bwip-js gave no Code 128 for "${text}"`);
  return { widths: symbol.sbs, modules: symbol.sbs.reduce((a, b) => a + b, 0) };
}

/**
 * A module's width so that the bars and `quiet` more modules fit `room`: whole printer dots, unless that would thin
 * the bars by more than a sixth (a long code on a narrow page), where the exact fit reads better.
 */
function moduleWidth(bars: Bars, room: number, max: number, quiet: number): number {
  const fit = Math.min(max, room / (bars.modules + quiet));
  const dots = Math.floor(fit / DOT) * DOT;
  return dots >= fit * (5 / 6) ? dots : fit;
}

function drawBars(doc: PDFKit.PDFDocument, bars: Bars, x: number, y: number, module: number, height: number) {
  doc.save();
  let at = x;
  for (const [i, w] of bars.widths.entries()) {
    if (i % 2 === 0) doc.rect(at, y, w * module, height);
    at += w * module;
  }
  doc.fill(INK);
  doc.restore();
}

/** The QR code as squares of vector ink, with its quiet zone (as on the e-receipt). */
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
  doc.fill(INK);
  doc.restore();
}
