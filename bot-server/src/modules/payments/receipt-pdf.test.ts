import { execFileSync, spawnSync } from "node:child_process";
import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { formatReceiptTime, type ReceiptData, renderReceiptPdf, TEST_BANNER } from "./receipt-pdf";
import { formatVnd, vndInWords } from "./receipt-words";

describe("vndInWords", () => {
  it.each([
    [0, "Không đồng"],
    [10, "Mười đồng"],
    [11, "Mười một đồng"],
    [15, "Mười lăm đồng"],
    [21, "Hai mươi mốt đồng"],
    [25, "Hai mươi lăm đồng"],
    [40, "Bốn mươi đồng"],
    [101, "Một trăm linh một đồng"],
    [105, "Một trăm linh năm đồng"],
    [110, "Một trăm mười đồng"],
    [1_000, "Một nghìn đồng"],
    [1_005, "Một nghìn không trăm linh năm đồng"],
    [10_000, "Mười nghìn đồng"],
    [15_500, "Mười lăm nghìn năm trăm đồng"],
    [1_000_000, "Một triệu đồng"],
    [1_000_050, "Một triệu không trăm năm mươi đồng"],
    [1_001_000, "Một triệu không trăm linh một nghìn đồng"],
    [2_500_000, "Hai triệu năm trăm nghìn đồng"],
    [2_551_005, "Hai triệu năm trăm năm mươi mốt nghìn không trăm linh năm đồng"],
    [1_000_000_000, "Một tỷ đồng"],
    [2_000_000_001, "Hai tỷ không trăm linh một đồng"],
    [3_200_000_000, "Ba tỷ hai trăm triệu đồng"],
    [1_234_567_891, "Một tỷ hai trăm ba mươi bốn triệu năm trăm sáu mươi bảy nghìn tám trăm chín mươi mốt đồng"],
    [1_000_000_000_000, "Một nghìn tỷ đồng"],
  ])("when the amount is %i đồng, then it reads “%s”", (amount, words) => {
    expect(vndInWords(amount)).toBe(words);
  });

  it("when the amount is negative, fractional or not a number, then it is refused", () => {
    for (const amount of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => vndInWords(amount)).toThrow(RangeError);
    }
  });
});

describe("formatVnd and formatReceiptTime", () => {
  it("when an amount is printed in figures, then thousands are separated by dots and it ends in đ", () => {
    expect(formatVnd(0)).toBe("0 đ");
    expect(formatVnd(10_000)).toBe("10.000 đ");
    expect(formatVnd(2_551_005)).toBe("2.551.005 đ");
  });

  it("when the receipt's time is printed, then it is Vietnam's (UTC+7), the next day after 17:00 UTC", () => {
    expect(formatReceiptTime(new Date("2025-10-01T10:30:00Z"))).toBe("17:30 ngày 01/10/2025");
    expect(formatReceiptTime(new Date("2025-09-30T20:05:00Z"))).toBe("03:05 ngày 01/10/2025");
  });
});

const receipt: ReceiptData = {
  receiptNumber: "BL-2025-000123",
  issuedAt: new Date("2025-10-01T10:30:00Z"),
  issuer: { name: "Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh", unitCode: "G12.QN.001" },
  payer: { name: "Nguyễn Thị Thuỳ Dương", identityNumberMasked: "0221•••••789", address: "Phường Hồng Gai, Hạ Long" },
  dossier: { code: "000.00.12.H47-251001-0001", procedureName: "Đăng ký khai sinh" },
  lines: [{ name: "Lệ phí đăng ký khai sinh", kind: "le-phi", quantity: 1, amount: 10_000 }],
  total: 10_000,
  provider: "Thanh toán trong Zalo",
  transactionId: "251001000123456",
  reference: "TT-000.00.12.H47-251001-0001-01",
  verifyUrl: "https://example.test/bien-lai/BL-2025-000123",
  test: false,
};

const LONG_PROCEDURE =
  "Cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất lần đầu cho hộ gia " +
  "đình, cá nhân đã được giao đất, cho thuê đất để sử dụng vào mục đích nông nghiệp, lâm nghiệp, nuôi trồng thủy sản";

const hasPoppler = spawnSync("pdftotext", ["-v"]).status === 0;

describe("renderReceiptPdf", () => {
  it("when a receipt is rendered, then it is one A4 page of PDF with the receipt's words, correctly accented", async () => {
    const pdf = await renderReceiptPdf(receipt);

    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdf.subarray(-6).toString("latin1")).toContain("%%EOF");
    const text = oneLine(pdfText(pdf));
    for (const expected of [
      "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
      "Độc lập - Tự do - Hạnh phúc",
      "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH QUẢNG NINH",
      "BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ",
      "Số: BL-2025-000123",
      "Lập lúc 17:30 ngày 01/10/2025",
      "Nguyễn Thị Thuỳ Dương",
      "0221•••••789",
      "000.00.12.H47-251001-0001",
      "Đăng ký khai sinh",
      "Lệ phí đăng ký khai sinh",
      "Tổng cộng",
      "10.000 đ",
      "Bằng chữ: Mười nghìn đồng",
      "Thanh toán trong Zalo",
      "251001000123456",
      "TT-000.00.12.H47-251001-0001-01",
      "https://example.test/bien-lai/BL-2025-000123",
      "Biên lai điện tử được lập từ hệ thống",
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).not.toContain("THỬ NGHIỆM");
    expect(pageCount(pdf)).toBe(1);
    expect(pdf.toString("latin1")).toContain("/MediaBox [0 0 595.28 841.89]");
  });

  it("when the payment was a sandbox one, then the receipt says so in a banner and behind the text", async () => {
    const text = oneLine(pdfText(await renderReceiptPdf({ ...receipt, test: true })));

    expect(TEST_BANNER).toBe("BẢN THỬ NGHIỆM — KHÔNG CÓ GIÁ TRỊ THANH TOÁN");
    expect(text).toContain(TEST_BANNER);
    expect(text).toContain("không có khoản tiền thật nào được thu");
  });

  it("when names are long and there are three lines, then every word is printed (wrapped) and the total adds up", async () => {
    const data: ReceiptData = {
      ...receipt,
      dossier: { ...receipt.dossier, procedureName: LONG_PROCEDURE },
      lines: [
        { name: `Lệ phí ${LONG_PROCEDURE}`, kind: "le-phi", quantity: 1, amount: 50_000 },
        { name: "Phí thẩm định hồ sơ", kind: "phi", quantity: 1, amount: 1_005 },
        { name: "Phí cung cấp thông tin đất đai", kind: "phi", quantity: 2, amount: 2_500_000 },
      ],
      total: 2_551_005,
      transactionId: "SANDBOX-7f3a9c2e41b84d7e9a610c5f2b8e3d14-an-identifier-with-no-space-to-break-at",
    };
    const pdf = await renderReceiptPdf(data);
    const text = oneLine(pdfText(pdf));

    expect(text).toContain(LONG_PROCEDURE);
    for (const line of [
      "Phí thẩm định hồ sơ",
      "Phí cung cấp thông tin đất đai",
      "50.000 đ",
      "1.005 đ",
      "2.500.000 đ",
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toContain("2.551.005 đ");
    expect(text).toContain("Bằng chữ: Hai triệu năm trăm năm mươi mốt nghìn không trăm linh năm đồng");
    expect(text.replace(/ /g, "")).toContain(data.transactionId);
    expect(pageCount(pdf)).toBe(1);
  });

  it("when there are more lines than a page holds, then the table goes on to the next page and pages are numbered", async () => {
    const lines = Array.from({ length: 30 }, (_, i) => ({
      name: `Khoản phí số ${i + 1}`,
      kind: "phi" as const,
      quantity: 1,
      amount: 1_000,
    }));
    const pdf = await renderReceiptPdf({ ...receipt, lines, total: 30_000 });
    const text = oneLine(pdfText(pdf));

    expect(pageCount(pdf)).toBe(2);
    expect(text).toContain("Khoản phí số 30");
    expect(text).toContain("Trang 1/2");
    expect(text).toContain("Trang 2/2");
    expect(text.match(/Thành tiền/g)).toHaveLength(2); // the header row again on page 2
  });

  it("when names come decomposed (NFD), then they are printed composed", async () => {
    const text = oneLine(
      pdfText(
        await renderReceiptPdf({ ...receipt, payer: { ...receipt.payer, name: "Trần Thị Ngọc Ánh".normalize("NFD") } }),
      ),
    );

    expect(text).toContain("Trần Thị Ngọc Ánh");
  });

  it("when there is no verification address, then the footer points to the dossier's page instead", async () => {
    const pdf = await renderReceiptPdf({ ...receipt, verifyUrl: null, payer: { ...receipt.payer, address: null } });
    const text = oneLine(pdfText(pdf));

    expect(text).toContain("tra cứu tại trang của hồ sơ 000.00.12.H47-251001-0001");
    expect(text).not.toContain("https://");
    expect(text).not.toContain("Địa chỉ:");
  });

  it("when the total is not the lines' sum, or an amount is not whole đồng, then no receipt is made", async () => {
    await expect(renderReceiptPdf({ ...receipt, total: 20_000 })).rejects.toThrow(RangeError);
    const half = { name: "Lệ phí", kind: "le-phi" as const, quantity: 1, amount: 0.5 };
    await expect(renderReceiptPdf({ ...receipt, lines: [half], total: 0.5 })).rejects.toThrow(RangeError);
    await expect(renderReceiptPdf({ ...receipt, lines: [], total: 0 })).resolves.toBeInstanceOf(Buffer);
  });

  it("when the same receipt is rendered twice, then the bytes are the same and the metadata names it", async () => {
    const [a, b] = await Promise.all([renderReceiptPdf(receipt), renderReceiptPdf(receipt)]);

    expect(a.equals(b)).toBe(true);
    const info = pdfInfo(a);
    expect(
      pdfInfo(await renderReceiptPdf({ ...receipt, issuer: { ...receipt.issuer, name: "Ủy ban (Ĩ) \\ Ĩ" } })).Author,
    ).toBe("Ủy ban (Ĩ) \\ Ĩ");
    expect(info.Title).toBe("Biên lai thu phí, lệ phí điện tử số BL-2025-000123");
    expect(info.Author).toBe("Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh");
    expect(info.CreationDate).toBe("D:20251001103000Z");
  });

  it("when no poppler is installed, then the built-in reader (the fallback) finds the same words", async () => {
    const pdf = await renderReceiptPdf({ ...receipt, test: true, payer: { ...receipt.payer, name: "Lê Văn Ĩnh (Ĩ)" } });
    const text = oneLine(pdfTextWithoutPoppler(pdf));

    for (const expected of [
      "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
      "BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ",
      "000.00.12.H47-251001-0001",
      "Lê Văn Ĩnh (Ĩ)",
      "10.000 đ",
      "Bằng chữ: Mười nghìn đồng",
      TEST_BANNER,
    ]) {
      expect(text).toContain(expected);
    }
    if (hasPoppler) expect(oneLine(pdfText(pdf))).toContain("Lê Văn Ĩnh (Ĩ)");
  });
});

// ─── Reading the PDF back ─────────────────────────────────────────────────────────────────────────────────────────
// The text comes from poppler's pdftotext where it is installed, and otherwise from the small reader below, so that
// these tests check the words on every machine. pdfkit writes each run of text as glyph ids (`[<0012 0034> …] TJ`)
// of a subset font, and a ToUnicode CMap per font that maps them back: the reader inflates the streams and applies it.

function oneLine(text: string): string {
  return text.normalize("NFC").replace(/\s+/g, " ");
}

function pdfText(pdf: Buffer): string {
  if (hasPoppler) return execFileSync("pdftotext", ["-enc", "UTF-8", "-", "-"], { input: pdf }).toString("utf8");
  return pdfTextWithoutPoppler(pdf);
}

type PdfObject = { dict: string; stream: Buffer | null };

function pdfObjects(pdf: Buffer): Map<number, PdfObject> {
  const raw = pdf.toString("latin1");
  const objects = new Map<number, PdfObject>();
  for (const m of raw.matchAll(/(?:^|\n)(\d+) 0 obj\n([\s\S]*?)\nendobj/g)) {
    const body = m[2] ?? "";
    const at = body.indexOf("\nstream\n");
    if (at < 0) {
      objects.set(Number(m[1]), { dict: body, stream: null });
      continue;
    }
    const dict = body.slice(0, at);
    let bytes = Buffer.from(body.slice(at + "\nstream\n".length, body.lastIndexOf("\nendstream")), "latin1");
    if (dict.includes("/FlateDecode")) bytes = inflateSync(bytes);
    objects.set(Number(m[1]), { dict, stream: bytes });
  }
  return objects;
}

/** A ToUnicode CMap as pdfkit writes it: `<start> <end> [<utf16> …]` ranges, plus plain bfchar pairs. */
function parseCmap(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  const utf16 = (hex: string) => String.fromCharCode(...(hex.match(/[0-9a-f]{4}/gi) ?? []).map((h) => parseInt(h, 16)));
  for (const m of cmap.matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>\s*\[([^\]]*)\]/gi)) {
    const start = parseInt(m[1] ?? "0", 16);
    for (const [i, entry] of [...(m[3] ?? "").matchAll(/<([0-9a-f ]*)>/gi)].entries()) {
      map.set(start + i, utf16((entry[1] ?? "").replace(/ /g, "")));
    }
  }
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const m of (block[1] ?? "").matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>/gi)) {
      map.set(parseInt(m[1] ?? "0", 16), utf16(m[2] ?? ""));
    }
  }
  return map;
}

function pdfTextWithoutPoppler(pdf: Buffer): string {
  const objects = pdfObjects(pdf);
  const cmaps = new Map<string, Map<number, string>>(); // font resource name (F2) → its ToUnicode map
  for (const { dict } of objects.values()) {
    for (const m of dict.matchAll(/\/(F\d+) (\d+) 0 R/g)) {
      const font = objects.get(Number(m[2]));
      const toUnicode = font && /\/ToUnicode (\d+) 0 R/.exec(font.dict);
      const cmap = toUnicode && objects.get(Number(toUnicode[1]))?.stream;
      if (m[1] && cmap) cmaps.set(m[1], parseCmap(cmap.toString("latin1")));
    }
  }
  const out: string[] = [];
  for (const { dict, stream } of objects.values()) {
    if (!stream || /\/(Length1|Subtype|Type)\b/.test(dict) || !stream.includes("BT")) continue; // page contents only
    let font: Map<number, string> | undefined;
    for (const m of stream
      .toString("latin1")
      .matchAll(/\/(F\d+) [\d.]+ Tf|\[((?:[^\]])*)\] TJ|<([0-9a-f]*)> Tj|ET/gi)) {
      if (m[1]) font = cmaps.get(m[1]);
      else if (m[0] === "ET") out.push("\n");
      else {
        const hex = [...(m[2] ?? m[3] ?? "").matchAll(/<([0-9a-f]*)>/gi)].map((h) => h[1]).join("") || (m[3] ?? "");
        for (const code of hex.match(/[0-9a-f]{4}/gi) ?? []) out.push(font?.get(parseInt(code, 16)) ?? "\uFFFD");
      }
    }
  }
  return out.join("");
}

function pageCount(pdf: Buffer): number {
  return pdf.toString("latin1").match(/\/Type \/Page\n/g)?.length ?? 0;
}

/** The Info dictionary's strings (pdfkit writes them as objects of their own, UTF-16BE with a byte-order mark). */
function pdfInfo(pdf: Buffer): Record<string, string> {
  const objects = pdfObjects(pdf);
  const info = [...objects.values()].find((o) => o.dict.includes("/Producer"));
  const out: Record<string, string> = {};
  for (const m of info?.dict.matchAll(/\/(\w+) (\d+) 0 R/g) ?? []) {
    const literal = /^\(([\s\S]*)\)$/.exec(objects.get(Number(m[2]))?.dict.trim() ?? "");
    if (!m[1] || !literal) continue;
    const escapes: Record<string, string> = { n: "\n", r: "\r", t: "\t", b: "\b", f: "\f" };
    const unescaped = (literal[1] ?? "").replace(/\\([nrtbf()\\])/g, (_, c: string) => escapes[c] ?? c);
    const bytes = Buffer.from(unescaped, "latin1");
    out[m[1]] =
      bytes[0] === 0xfe && bytes[1] === 0xff
        ? bytes.subarray(2).swap16().toString("utf16le")
        : bytes.toString("latin1");
  }
  return out;
}
