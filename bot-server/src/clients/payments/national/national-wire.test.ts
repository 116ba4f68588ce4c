import { describe, expect, it } from "vitest";
import type { ProviderAttempt } from "../provider";
import {
  CONFIRM_SIGNED_FIELDS,
  fromThoiGianGD,
  INIT_SIGNED_FIELDS,
  initMessage,
  LOAI_PHI_LE_PHI,
  looksLikePdf,
  maXacThuc,
  NationalWireError,
  QUERY_SIGNED_FIELDS,
  queryMessage,
  RECEIPT_SIGNED_FIELDS,
  readInitAnswer,
  readQueryAnswer,
  receiptMessage,
  toThoiGianGD,
  verifyConfirm,
} from "./national-wire";

/*
 * Known-answer vectors, computed by hand and independently of the code under test: each string below was typed out
 * field by field (UTF-8, NFC) and hashed in a shell with
 *     printf '%s' '<the string>' | sha256sum
 * and again with python3 `hashlib.sha256(s.encode("utf-8")).hexdigest()`; both gave the hex written next to it.
 */
const SECRET = "s3cr3t-QN";
const PARTNER = "QNINH01";
const settings = { partnerCode: PARTNER, secret: SECRET, version: "1.0.6" as const };

const INIT_STRING =
  "INIT|1.0.6|QNINH01|TT20251001173005123456|30000|PAY|1|1|vi-VN|VND|PAYMENT|Nộp phí hồ sơ 000.00.20.H49-251001-0007|20251002003005|203.113.130.5|s3cr3t-QN";
const INIT_HEX = "420c70cb408da2c5353e1fab61f9bddd6fa857382478df5f137522b8044e5815";

const CONFIRM_STRING =
  "CONFIRM|00|QNINH01|TT20251001173005123456|30000|VND|GD0001234567|VCB|20251002003512|Nộp phí hồ sơ 000.00.20.H49-251001-0007|s3cr3t-QN";
const CONFIRM_HEX = "8873ce423c6f8a2d3ee605d5e03b86b5cd6a254fd291ba552c05a73e5f37eee5";

/** A failed payment: MaLoi 24, no MaGiaoDich and no MaNganHang (two empty fields between the pipes). */
const CONFIRM_FAILED_STRING =
  "CONFIRM|24|QNINH01|TT20251001173005123456|30000|VND|||20251002003900|Nộp phí hồ sơ 000.00.20.H49-251001-0007|s3cr3t-QN";
const CONFIRM_FAILED_HEX = "4248a9e9aa4e3e3338aad97644dad8e9a563132fe90e61824deef60a149e8a04";

const QUERY_STRING = "QUERY|1.0.6|QNINH01|TT20251001173005123456|20251002010000|s3cr3t-QN";
const QUERY_HEX = "93c4c3f3ddd1a1c30328d468ee972cd901f04de6e9aa7262832439860dd18382";

const BILL_STRING = "GET_BILL|1.0.6|QNINH01|TT20251001173005123456|20251002003005|s3cr3t-QN";
const BILL_HEX = "f4eaa0b1a8b91c8b2322e08e87e04e49152e3f76348cb53d726d14b418cba67b";

/** ASCII only, across Vietnam's New Year (2025-12-31T17:00:00Z), from an IPv4-mapped IPv6 address. */
const INIT_ASCII_STRING =
  "INIT|1.0.6|QNINH01|TT20251231170000000001|10000|PAY|1|1|vi-VN|VND|PAYMENT|THANH TOAN HO SO 000.00.20.H49-251231-0001|20260101000000|10.0.0.1|s3cr3t-QN";
const INIT_ASCII_HEX = "ca4704fb3f9bb7f2556a2300010712f6132beb3cebbf6b610b851b174f7c0bdd";

const attempt: ProviderAttempt = {
  reference: "TT20251001173005123456",
  dossierCode: "000.00.20.H49-251001-0007",
  procedure: { code: "1.000894", name: "Đăng ký kết hôn" },
  unit: { code: "000.00.20.H49", name: "UBND phường Hồng Gai" },
  amount: 30000,
  lines: [
    { index: 0, name: "Lệ phí đăng ký kết hôn", kind: "le-phi", quantity: 1, amount: 20000 },
    { index: 1, name: "Phí cấp bản sao trích lục", kind: "phi", quantity: 2, amount: 10000 },
  ],
  payer: { name: "Nguyễn Thị Hoa", identityNumber: "022090001234", address: "Số 5, tổ 3, khu 4, Hồng Gai" },
  description: "Nộp phí hồ sơ 000.00.20.H49-251001-0007",
  createdAt: new Date("2025-10-01T17:30:05Z"),
  clientIp: "203.113.130.5",
  providerOrderId: null,
  returnUrl: "https://zalo.me/s/123/payment-return",
};

const confirm = {
  LoaiBanTin: "CONFIRM",
  MaLoi: "00",
  MaDoiTac: PARTNER,
  MaThamChieu: "TT20251001173005123456",
  SoTien: 30000,
  MaTienTe: "VND",
  MaGiaoDich: "GD0001234567",
  MaNganHang: "VCB",
  ThoiGianGD: "20251002003512",
  ThongTinGiaoDich: "Nộp phí hồ sơ 000.00.20.H49-251001-0007",
  MaXacThuc: CONFIRM_HEX,
};

describe("MaXacThuc", () => {
  it("is the plain SHA-256 of the fields and the secret joined by |", () => {
    const fields = INIT_STRING.split("|").slice(0, -1);
    expect(maXacThuc(fields, SECRET)).toBe(INIT_HEX);
    expect(maXacThuc(CONFIRM_STRING.split("|").slice(0, -1), SECRET)).toBe(CONFIRM_HEX);
    expect(maXacThuc(QUERY_STRING.split("|").slice(0, -1), SECRET)).toBe(QUERY_HEX);
  });

  it("counts a missing value as empty text", () => {
    const fields = CONFIRM_FAILED_STRING.split("|").slice(0, -1);
    expect(maXacThuc(fields, SECRET)).toBe(CONFIRM_FAILED_HEX);
    expect(maXacThuc([...fields.slice(0, 6), null, undefined, ...fields.slice(8)], SECRET)).toBe(CONFIRM_FAILED_HEX);
  });

  it("lists each message's signed fields in the documented order", () => {
    expect(INIT_SIGNED_FIELDS.join("|")).toBe(
      "LoaiBanTin|PhienBan|MaDoiTac|MaThamChieu|SoTien|LoaiHinhThanhToan|MaKenhThanhToan|MaThietBi|NgonNgu|MaTienTe|MaNganHang|ThongTinGiaoDich|ThoiGianGD|Ip",
    );
    expect(CONFIRM_SIGNED_FIELDS.join("|")).toBe(
      "LoaiBanTin|MaLoi|MaDoiTac|MaThamChieu|SoTien|MaTienTe|MaGiaoDich|MaNganHang|ThoiGianGD|ThongTinGiaoDich",
    );
    expect(QUERY_SIGNED_FIELDS.join("|")).toBe("LoaiBanTin|PhienBan|MaDoiTac|MaThamChieu|ThoiGianGD");
    expect(RECEIPT_SIGNED_FIELDS).toEqual(QUERY_SIGNED_FIELDS);
  });
});

describe("ThoiGianGD", () => {
  it("is yyyyMMddHHmmss in Vietnam time (UTC+7), 24-hour clock", () => {
    expect(toThoiGianGD(new Date("2025-10-01T17:30:05Z"))).toBe("20251002003005");
    expect(toThoiGianGD(new Date("2025-10-01T06:00:00Z"))).toBe("20251001130000");
    expect(toThoiGianGD(new Date("2025-12-31T17:00:00Z"))).toBe("20260101000000");
  });

  it("reads back as the same instant, and refuses an impossible time", () => {
    expect(fromThoiGianGD("20251002003005")?.toISOString()).toBe("2025-10-01T17:30:05.000Z");
    expect(fromThoiGianGD("20250231120000")).toBeUndefined();
    expect(fromThoiGianGD("2025-10-02")).toBeUndefined();
  });
});

describe("INIT", () => {
  it("carries the fields in order, signed with the hand-computed vector", () => {
    const message = initMessage(attempt, settings);
    expect(INIT_SIGNED_FIELDS.map((f) => message[f]).join("|")).toBe(INIT_STRING.slice(0, -`|${SECRET}`.length));
    expect(message).toMatchObject({
      LoaiBanTin: "INIT",
      PhienBan: "1.0.6",
      MaDoiTac: PARTNER,
      MaThamChieu: attempt.reference,
      SoTien: "30000",
      LoaiHinhThanhToan: "PAY",
      NgonNgu: "vi-VN",
      MaTienTe: "VND",
      ThoiGianGD: "20251002003005",
      Ip: "203.113.130.5",
      MaXacThuc: INIT_HEX,
    });
  });

  it("puts the receipt block together from the attempt's lines", () => {
    expect(initMessage(attempt, settings).ThongTinBienLai).toEqual({
      MaTTHC: "1.000894",
      TenTTHC: "Đăng ký kết hôn",
      MaDonVi: "000.00.20.H49",
      TenDonVi: "UBND phường Hồng Gai",
      MaHoSo: "000.00.20.H49-251001-0007",
      HoTenNguoiNop: "Nguyễn Thị Hoa",
      SoCMNDNguoiNop: "022090001234",
      DiaChiNguoiNop: "Số 5, tổ 3, khu 4, Hồng Gai",
      PhiLePhi: [
        { LoaiPhiLePhi: "LePhi", MaPhiLePhi: "1.000894.01", TenPhiLePhi: "Lệ phí đăng ký kết hôn", SoTien: "20000" },
        { LoaiPhiLePhi: "Phi", MaPhiLePhi: "1.000894.02", TenPhiLePhi: "Phí cấp bản sao trích lục", SoTien: "10000" },
      ],
    });
    expect(LOAI_PHI_LE_PHI).toEqual({ phi: "Phi", "le-phi": "LePhi" });
  });

  it("writes the time in Vietnam, the IPv4 of a mapped address, and the ASCII vector", () => {
    const message = initMessage(
      {
        ...attempt,
        reference: "TT20251231170000000001",
        amount: 10000,
        lines: [{ index: null, name: "Phí khác", kind: "phi", quantity: 1, amount: 10000 }],
        description: "THANH TOAN HO SO 000.00.20.H49-251231-0001",
        createdAt: new Date("2025-12-31T17:00:00Z"),
        clientIp: "::ffff:10.0.0.1",
        payer: { name: "Trần Văn Nam", identityNumber: null, address: null },
      },
      settings,
    );
    expect(message.ThoiGianGD).toBe("20260101000000");
    expect(message.Ip).toBe("10.0.0.1");
    expect(message.MaXacThuc).toBe(INIT_ASCII_HEX);
    expect(INIT_SIGNED_FIELDS.map((f) => message[f]).join("|")).toBe(INIT_ASCII_STRING.slice(0, -`|${SECRET}`.length));
    expect(message.ThongTinBienLai).toMatchObject({ SoCMNDNguoiNop: "", DiaChiNguoiNop: "" });
    expect(message.ThongTinBienLai.PhiLePhi[0]?.MaPhiLePhi).toBe("1.000894.00");
  });

  it("signs a description typed in decomposed Unicode as its NFC form, and never carries a |", () => {
    expect(initMessage({ ...attempt, description: attempt.description.normalize("NFD") }, settings).MaXacThuc).toBe(
      INIT_HEX,
    );
    expect(initMessage({ ...attempt, description: "Nộp phí|hồ sơ" }, settings).ThongTinGiaoDich).toBe("Nộp phí/hồ sơ");
  });

  it("uses the configured channel, device and bank codes, which change the signature", () => {
    const message = initMessage(attempt, { ...settings, channelCode: "2", deviceCode: "3", bankCode: "VCB" });
    expect(message).toMatchObject({ MaKenhThanhToan: "2", MaThietBi: "3", MaNganHang: "VCB" });
    expect(message.MaXacThuc).not.toBe(INIT_HEX);
  });

  it("refuses amounts that are not whole VND or do not add up", () => {
    expect(() => initMessage({ ...attempt, amount: 30000.5 }, settings)).toThrow(RangeError);
    expect(() => initMessage({ ...attempt, amount: 0, lines: [] }, settings)).toThrow(RangeError);
    expect(() => initMessage({ ...attempt, amount: 25000 }, settings)).toThrow(/add up/);
  });
});

describe("the INIT answer", () => {
  it("gives the https payment page, flat or in the {error_code, message} envelope", () => {
    const url = "https://thanhtoan.dichvucong.gov.vn/pay?token=abc";
    expect(readInitAnswer({ MaLoi: "00", UrlThanhToan: url })).toEqual({ kind: "url", url });
    expect(readInitAnswer({ UrlThanhToan: url })).toEqual({ kind: "url", url });
    expect(readInitAnswer({ error_code: "0", message: JSON.stringify({ UrlThanhToan: url }) })).toEqual({
      kind: "url",
      url,
    });
  });

  it("gives the platform's refusal code", () => {
    expect(readInitAnswer({ MaLoi: "07", MoTaLoi: "Sai mã xác thực" })).toEqual({
      kind: "refused",
      code: "07",
      message: "Sai mã xác thực",
    });
    expect(readInitAnswer({ error_code: "-1", message: "Lỗi" })).toMatchObject({ kind: "refused", code: "-1" });
  });

  it("is malformed without an https UrlThanhToan", () => {
    expect(() => readInitAnswer({ MaLoi: "00" })).toThrow(NationalWireError);
    expect(() => readInitAnswer({ UrlThanhToan: "http://thanhtoan.example/pay" })).toThrow(/https/);
    expect(() => readInitAnswer({ UrlThanhToan: "javascript:alert(1)" })).toThrow(NationalWireError);
    expect(() => readInitAnswer({ UrlThanhToan: "not a url" })).toThrow(NationalWireError);
    expect(() => readInitAnswer("<html>")).toThrow(NationalWireError);
    expect(() => readInitAnswer({ error_code: "0", message: "{not json" })).toThrow(NationalWireError);
  });
});

describe("the confirm callback", () => {
  it("verifies the hand-computed vector and reads the payment", () => {
    const check = verifyConfirm(confirm, SECRET, PARTNER);
    expect(check).toEqual({
      ok: true,
      reference: "TT20251001173005123456",
      transactionId: "GD0001234567",
      amount: 30000,
      outcome: "paid",
      at: new Date("2025-10-01T17:35:12Z"),
      reason: null,
      fields: {
        LoaiBanTin: "CONFIRM",
        MaLoi: "00",
        MaDoiTac: PARTNER,
        MaThamChieu: "TT20251001173005123456",
        SoTien: 30000,
        MaTienTe: "VND",
        MaGiaoDich: "GD0001234567",
        MaNganHang: "VCB",
        ThoiGianGD: "20251002003512",
        ThongTinGiaoDich: "Nộp phí hồ sơ 000.00.20.H49-251001-0007",
      },
    });
  });

  it("accepts SoTien as a string of digits, and uppercase hex", () => {
    expect(verifyConfirm({ ...confirm, SoTien: "30000" }, SECRET, PARTNER)).toMatchObject({ ok: true, amount: 30000 });
    expect(verifyConfirm({ ...confirm, MaXacThuc: CONFIRM_HEX.toUpperCase() }, SECRET, PARTNER)).toMatchObject({
      ok: true,
    });
  });

  it("reads a failure (MaLoi other than 00), whose empty fields are signed as empty", () => {
    const failed = {
      ...confirm,
      MaLoi: "24",
      MaGiaoDich: "",
      MaNganHang: null,
      ThoiGianGD: "20251002003900",
      MaXacThuc: CONFIRM_FAILED_HEX,
    };
    expect(verifyConfirm(failed, SECRET, PARTNER)).toMatchObject({
      ok: true,
      outcome: "failed",
      transactionId: null,
      reason: "MaLoi 24",
    });
    const { MaGiaoDich: _, MaNganHang: __, ...absent } = failed;
    expect(verifyConfirm(absent, SECRET, PARTNER)).toMatchObject({ ok: true, outcome: "failed" });
  });

  it("fails when any signed field is changed", () => {
    const changes: Record<string, unknown> = {
      LoaiBanTin: "INIT",
      MaLoi: "01",
      MaThamChieu: "TT20251001173005123457",
      SoTien: 30001,
      MaTienTe: "USD",
      MaGiaoDich: "GD0001234568",
      MaNganHang: "BIDV",
      ThoiGianGD: "20251002003513",
      ThongTinGiaoDich: "Nộp phí hồ sơ khác",
    };
    for (const [field, value] of Object.entries(changes)) {
      expect(verifyConfirm({ ...confirm, [field]: value }, SECRET, PARTNER), field).toEqual({
        ok: false,
        reason: "signature",
      });
    }
    expect(verifyConfirm(confirm, "another-secret", PARTNER)).toEqual({ ok: false, reason: "signature" });
    expect(verifyConfirm({ ...confirm, MaXacThuc: "" }, SECRET, PARTNER)).toEqual({ ok: false, reason: "signature" });
    expect(verifyConfirm({ ...confirm, MaXacThuc: "zz" }, SECRET, PARTNER)).toEqual({ ok: false, reason: "signature" });
    const { MaXacThuc: _, ...unsigned } = confirm;
    expect(verifyConfirm(unsigned, SECRET, PARTNER)).toEqual({ ok: false, reason: "signature" });
    expect(verifyConfirm({ ...confirm, MaXacThuc: null }, SECRET, PARTNER)).toEqual({ ok: false, reason: "signature" });
  });

  it("refuses a correctly signed confirm for another partner", () => {
    const other = { ...confirm, MaDoiTac: "OTHER01" };
    other.MaXacThuc = maXacThuc(
      CONFIRM_SIGNED_FIELDS.map((f) => other[f]),
      SECRET,
    );
    expect(verifyConfirm(other, SECRET, PARTNER)).toEqual({ ok: false, reason: "partner" });
  });

  it("calls a wrong shape malformed", () => {
    const { MaThamChieu: _, ...withoutReference } = confirm;
    for (const body of [
      null,
      "text",
      [],
      withoutReference,
      { ...confirm, SoTien: -1 },
      { ...confirm, SoTien: "3e4" },
    ]) {
      expect(verifyConfirm(body, SECRET, PARTNER)).toEqual({ ok: false, reason: "malformed" });
    }
    expect(verifyConfirm({ ...confirm, SoTien: 300.5 }, SECRET, PARTNER)).toEqual({ ok: false, reason: "malformed" });
  });

  it("calls malformed a signed confirm with a |, an impossible time, another currency or a payment without id", () => {
    const signedWith = (changes: Partial<typeof confirm>) => {
      const body = { ...confirm, ...changes };
      return {
        ...body,
        MaXacThuc: maXacThuc(
          CONFIRM_SIGNED_FIELDS.map((f) => body[f]),
          SECRET,
        ),
      };
    };
    for (const changes of [
      { MaGiaoDich: "GD1|VCB", MaNganHang: "" },
      { ThoiGianGD: "20251302003512" },
      { MaTienTe: "USD" },
      { MaGiaoDich: "" },
    ]) {
      expect(verifyConfirm(signedWith(changes), SECRET, PARTNER), JSON.stringify(changes)).toEqual({
        ok: false,
        reason: "malformed",
      });
    }
  });
});

describe("QUERY and GET_BILL", () => {
  it("signs QUERY with the hand-computed vector", () => {
    expect(queryMessage("TT20251001173005123456", new Date("2025-10-01T18:00:00Z"), settings)).toEqual({
      LoaiBanTin: "QUERY",
      PhienBan: "1.0.6",
      MaDoiTac: PARTNER,
      MaThamChieu: "TT20251001173005123456",
      ThoiGianGD: "20251002010000",
      MaXacThuc: QUERY_HEX,
    });
  });

  it("signs GET_BILL with the hand-computed vector, dated at the INIT", () => {
    expect(receiptMessage("TT20251001173005123456", attempt.createdAt, settings)).toEqual({
      LoaiBanTin: "GET_BILL",
      PhienBan: "1.0.6",
      MaDoiTac: PARTNER,
      MaThamChieu: "TT20251001173005123456",
      ThoiGianGD: "20251002003005",
      MaXacThuc: BILL_HEX,
    });
    expect(BILL_STRING.endsWith(`|${SECRET}`)).toBe(true);
  });

  const asked = { reference: "TT20251001173005123456", at: new Date("2025-10-01T18:00:00Z") };

  it("reads TrangThaiGD 1 as paid, with the amount, MaGiaoDich and the time", () => {
    expect(
      readQueryAnswer(
        {
          MaLoi: "00",
          MaThamChieu: asked.reference,
          TrangThaiGD: "1",
          SoTien: "30000",
          MaGiaoDich: "GD0001234567",
          ThoiGianGD: "20251002003512",
        },
        asked,
      ),
    ).toEqual({
      state: "paid",
      transactionId: "GD0001234567",
      amount: 30000,
      paidAt: new Date("2025-10-01T17:35:12Z"),
    });
    expect(readQueryAnswer({ TrangThaiGD: 1, SoTien: 30000, MaGiaoDich: "GD1" }, asked)).toMatchObject({
      state: "paid",
      paidAt: asked.at,
    });
  });

  it("reads TrangThaiGD 4 as failed and anything else as pending", () => {
    expect(readQueryAnswer({ TrangThaiGD: "4", MaLoi: "24" }, asked)).toEqual({
      state: "failed",
      reason: "TrangThaiGD 4, MaLoi 24",
    });
    for (const body of [{ TrangThaiGD: "0" }, { TrangThaiGD: "2" }, {}, { MaLoi: "04", MoTaLoi: "Không tìm thấy" }]) {
      expect(readQueryAnswer(body, asked)).toEqual({ state: "pending" });
    }
    expect(readQueryAnswer({ error_code: "1", message: "Lỗi" }, asked)).toEqual({ state: "pending" });
    expect(readQueryAnswer({ error_code: "0", message: JSON.stringify({ TrangThaiGD: "4" }) }, asked)).toMatchObject({
      state: "failed",
    });
  });

  it("is malformed for a payment without amount or id, another reference, or a wrong shape", () => {
    expect(() => readQueryAnswer({ TrangThaiGD: "1", MaGiaoDich: "GD1" }, asked)).toThrow(/SoTien/);
    expect(() => readQueryAnswer({ TrangThaiGD: "1", SoTien: 30000 }, asked)).toThrow(/MaGiaoDich/);
    expect(() => readQueryAnswer({ TrangThaiGD: "1", SoTien: "30.000", MaGiaoDich: "GD1" }, asked)).toThrow(
      NationalWireError,
    );
    expect(() => readQueryAnswer({ MaThamChieu: "TT1", TrangThaiGD: "1" }, asked)).toThrow(/reference/);
    expect(() => readQueryAnswer("OK", asked)).toThrow(NationalWireError);
  });

  it("knows a PDF by its first bytes", () => {
    expect(looksLikePdf(Buffer.from("%PDF-1.7\n…"))).toBe(true);
    expect(looksLikePdf(Buffer.from("<html>"))).toBe(false);
    expect(looksLikePdf(Buffer.alloc(0))).toBe(false);
  });
});
