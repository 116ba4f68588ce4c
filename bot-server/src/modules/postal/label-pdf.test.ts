import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type PostalLabel, renderPostalLabels } from "./label-pdf";

// poppler-utils (pdfinfo, pdftotext, pdftoppm) reads the PDFs back; .ci/run installs it. zbarimg (zbar-tools), where
// present, decodes the printed barcodes from a rendering of the page.
const hasPoppler = spawnSync("pdftotext", ["-v"]).status === 0;
const hasZbar = spawnSync("zbarimg", ["--version"]).status === 0;

const AGENCY = {
  name: "Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh",
  phone: "0203 3636 333",
  addressLines: ["Tầng 1, Trụ sở Liên cơ quan số 3", "Phường Hồng Gai, tỉnh Quảng Ninh"],
};

const delivery: PostalLabel = {
  waybill: "EB123456789VN",
  dossierCode: "000.00.22.H40-261204-0042",
  kind: "delivery",
  sender: AGENCY,
  receiver: {
    name: "Nguyễn Thị Thuỳ Dương",
    phone: "0912 345 678",
    addressLines: ["Số 12, ngõ 34, đường Nguyễn Văn Cừ", "Khu 5, phường Hồng Hà", "Tỉnh Quảng Ninh"],
  },
  codAmount: 30_000,
  description: "Kết quả hồ sơ Đăng ký khai sinh (bản chính)",
  createdAt: new Date("2026-12-04T07:05:00Z"),
  pickupWindow: null,
  qrText: "https://example.test/tra-cuu/000.00.22.H40-261204-0042",
};

const pickup: PostalLabel = {
  waybill: "EB987654321VN",
  dossierCode: "000.00.22.H40-261204-0043",
  kind: "pickup",
  sender: {
    name: "Trần Văn Đức",
    phone: "0987 654 321",
    addressLines: ["Thôn Đồng Cầu, xã Quảng Đức", "Tỉnh Quảng Ninh"],
  },
  receiver: AGENCY,
  codAmount: 0,
  description: "Hồ sơ gốc: Cấp đổi giấy phép lái xe",
  createdAt: new Date("2026-12-04T09:40:00Z"),
  pickupWindow: { date: "2026-12-05", from: "08:00", to: "11:00" },
  qrText: null,
};

const LONG_NAME =
  "Công ty Trách nhiệm hữu hạn Một thành viên Thương mại Dịch vụ Xuất nhập khẩu Nuôi trồng Thủy sản Vịnh Hạ Long";
const longNames: PostalLabel = {
  ...delivery,
  waybill: "EB000000017VN",
  dossierCode: "000.00.22.H40-261204-0044",
  sender: { ...AGENCY, name: `${AGENCY.name} — Bộ phận Một cửa` },
  receiver: {
    name: LONG_NAME,
    phone: "0203 3825 111 (máy lẻ 204)",
    addressLines: [
      "Lô CN-12, Khu công nghiệp Cái Lân, đường Ngô Quyền kéo dài, phường Bãi Cháy",
      "Đối diện cổng chính Cảng nước sâu Cái Lân, cạnh trạm biến áp",
      "Tỉnh Quảng Ninh",
    ],
  },
  codAmount: 1_250_000,
  description: `Kết quả hồ sơ Cấp giấy chứng nhận đăng ký đầu tư cho ${LONG_NAME}`,
};

function oneLine(text: string): string {
  return text.normalize("NFC").replace(/\s+/g, " ");
}

/** The text of one page (1-based), or of all of them. */
function pageText(pdf: Buffer, page?: number): string {
  const range = page ? ["-f", String(page), "-l", String(page)] : [];
  return oneLine(execFileSync("pdftotext", ["-enc", "UTF-8", ...range, "-", "-"], { input: pdf }).toString("utf8"));
}

function pdfInfo(pdf: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of execFileSync("pdfinfo", ["-"], { input: pdf }).toString("utf8").split("\n")) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m?.[1] && m[2] !== undefined) out[m[1]] = m[2];
  }
  return out;
}

/** Each page as a PNG at `dpi`, decoded by zbarimg: the symbols it read, as "CODE-128:…" / "QR-Code:…". */
function decodePages(pdf: Buffer, dpi: number): string[][] {
  const dir = mkdtempSync(join(tmpdir(), "label-"));
  try {
    writeFileSync(join(dir, "labels.pdf"), pdf);
    execFileSync("pdftoppm", ["-png", "-gray", "-r", String(dpi), join(dir, "labels.pdf"), join(dir, "page")]);
    return readdirSync(dir)
      .filter((f) => f.endsWith(".png"))
      .sort()
      .map((f) => {
        const r = spawnSync("zbarimg", ["-q", join(dir, f)]);
        return r.stdout.toString("utf8").trim().split("\n").filter(Boolean);
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("renderPostalLabels", () => {
  it("when three labels are rendered, then the PDF has three A6 pages", async () => {
    const pdf = await renderPostalLabels([delivery, pickup, longNames]);

    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdf.toString("latin1").match(/\/Type \/Page\n/g)).toHaveLength(3);
    expect(pdf.toString("latin1")).toContain("/MediaBox [0 0 297.64 419.53]"); // 105 × 148 mm
  });

  it.skipIf(!hasPoppler)(
    "when three labels are rendered, then each page carries its waybill, dossier code and parties, accented",
    async () => {
      const pdf = await renderPostalLabels([delivery, pickup, longNames]);

      const info = pdfInfo(pdf);
      expect(info.Pages).toBe("3");
      expect(info["Page size"]).toMatch(/^297\.64 x 419\.53 pts/);
      expect(info.Title).toBe("Nhãn bưu gửi (3 bưu gửi)");
      for (const [i, label] of [delivery, pickup, longNames].entries()) {
        const text = pageText(pdf, i + 1);
        for (const expected of [
          "Bưu chính công ích",
          label.waybill,
          `Mã hồ sơ: ${label.dossierCode}`,
          "Người gửi",
          "Người nhận",
          label.sender.name,
          `ĐT: ${label.receiver.phone}`,
          "Ngày 04/12/2026",
        ]) {
          expect(text).toContain(expected);
        }
      }

      const first = pageText(pdf, 1);
      expect(first).toContain("Chuyển phát kết quả");
      expect(first).toContain("Nguyễn Thị Thuỳ Dương");
      expect(first).toContain("Số 12, ngõ 34, đường Nguyễn Văn Cừ Khu 5, phường Hồng Hà Tỉnh Quảng Ninh");
      expect(first).toContain("Thu hộ (COD): 30.000 đ");
      expect(first).toContain("Nội dung: Kết quả hồ sơ Đăng ký khai sinh (bản chính)");
      expect(first).toContain("Tra cứu hồ sơ");
      expect(first).toContain("Tạo lúc 14:05 04/12/2026"); // Vietnam time

      const second = pageText(pdf, 2);
      expect(second).toContain("Thu gom hồ sơ");
      expect(second).toContain("Hẹn lấy hồ sơ: 08:00–11:00 ngày 05/12/2026");
      expect(second).toContain("Không thu hộ");
      expect(second).toContain("Thôn Đồng Cầu, xã Quảng Đức");
      expect(second).not.toContain("Thu hộ (COD)");
    },
  );

  it.skipIf(!hasPoppler)(
    "when a name and an address are long, then they wrap on the same page, printed whole, and the foot stays",
    async () => {
      const pdf = await renderPostalLabels([longNames]);

      expect(pdfInfo(pdf).Pages).toBe("1");
      const text = pageText(pdf);
      expect(text).toContain(LONG_NAME);
      for (const line of longNames.receiver.addressLines) expect(text).toContain(line);
      expect(text).toContain("Thu hộ (COD): 1.250.000 đ");
      expect(text).toContain(`Mã hồ sơ: ${longNames.dossierCode}`);
    },
  );

  it.skipIf(!hasPoppler)(
    "when names and addresses are far too long for a label, then it is still one page per label, cut with “…”",
    async () => {
      const huge = `${LONG_NAME} ${LONG_NAME} ${LONG_NAME} ${LONG_NAME}`;
      const overlong: PostalLabel = {
        ...longNames,
        sender: { name: huge, phone: "0203".repeat(30), addressLines: Array(8).fill(huge) },
        receiver: { name: huge, phone: "0912 345 678", addressLines: Array(8).fill(huge) },
        description: huge,
        pickupWindow: { date: "2026-12-05", from: "buổi sáng, từ 07:30 sau giờ tan tầm", to: "11:30" },
        qrText: `https://example.test/${"x".repeat(600)}`,
      };
      const pdf = await renderPostalLabels([overlong, delivery]);

      expect(pdfInfo(pdf).Pages).toBe("2");
      const text = pageText(pdf, 1);
      expect(text).toContain(overlong.waybill);
      expect(text).toContain(`Mã hồ sơ: ${overlong.dossierCode}`);
      expect(text).toContain("Người nhận");
      expect(text).toContain("…");
      expect(pageText(pdf, 2)).toContain(delivery.waybill);
    },
  );

  it.skipIf(!hasPoppler || !hasZbar)(
    "when a page is printed at 203 dpi, then a scanner reads the waybill, the dossier code and the QR code",
    async () => {
      const pages = decodePages(await renderPostalLabels([delivery, pickup, longNames]), 203);

      expect(pages).toHaveLength(3);
      expect(pages[0]).toEqual(
        expect.arrayContaining([
          `CODE-128:${delivery.waybill}`,
          `CODE-128:${delivery.dossierCode}`,
          `QR-Code:${delivery.qrText}`,
        ]),
      );
      expect(pages[1]).toEqual(
        expect.arrayContaining([
          `CODE-128:${pickup.waybill}`,
          `CODE-128:${pickup.dossierCode}`,
          `QR-Code:${pickup.waybill}`,
        ]),
      );
      expect(pages[2]).toEqual(
        expect.arrayContaining([`CODE-128:${longNames.waybill}`, `CODE-128:${longNames.dossierCode}`]),
      );
    },
  );

  it("when the same labels are rendered twice, then the bytes are the same", async () => {
    const [a, b] = await Promise.all([renderPostalLabels([delivery, pickup]), renderPostalLabels([delivery, pickup])]);

    expect(a.equals(b)).toBe(true);
  });

  it("when there is no label, a code Code 128 cannot carry, or a fractional COD, then no PDF is made", async () => {
    await expect(renderPostalLabels([])).rejects.toThrow(RangeError);
    await expect(renderPostalLabels([{ ...delivery, waybill: "EB12345678ĐVN" }])).rejects.toThrow(RangeError);
    await expect(renderPostalLabels([{ ...delivery, codAmount: 0.5 }])).rejects.toThrow(RangeError);
  });
});
