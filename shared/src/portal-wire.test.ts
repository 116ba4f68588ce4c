import fs from "node:fs";
import { describe, expect, it } from "vitest";
import {
  applicantFromPortal,
  applicantToPortal,
  attachmentUploadFields,
  attachmentUploadMetaFromFields,
  type CatalogueEntry,
  channelFromPortal,
  channelToPortal,
  type DossierForwarding,
  type DossierOnPortal,
  type DossierStateChange,
  fromPortalAttachment,
  fromPortalDateTime,
  fromPortalDossier,
  fromPortalDossierCreate,
  fromPortalDueDate,
  fromPortalPage,
  fromPortalProcedure,
  fromPortalStateChange,
  PortalDateTime,
  PortalDossier,
  PortalDossierCreate,
  PortalMappingError,
  PortalProcedure,
  PortalStateChange,
  resultDeliveryFromPortal,
  resultDeliveryToPortal,
  toPortalAttachment,
  toPortalDateTime,
  toPortalDossier,
  toPortalDossierCreate,
  toPortalDueDate,
  toPortalProcedure,
  toPortalStateChange,
} from "./portal-wire";
import { Procedure } from "./procedure";

const applicant = {
  type: "citizen" as const,
  name: "Nguyễn Thị Hoa",
  identityNumber: "022090001234",
  phone: "0912345678",
  email: "hoa@example.vn",
  address: { communeCode: "06652", street: "Số 5, tổ 3, khu 4" },
};

const byPost = {
  method: "post" as const,
  recipientName: "Nguyễn Thị Hoa",
  phone: "0912345678",
  address: { communeCode: "06652", street: "Số 5, tổ 3, khu 4" },
};

const forwarding: DossierForwarding = {
  reference: "06652.H49-251001-0007",
  procedureCode: "1.001193",
  unitCode: "06652.H49",
  channel: "online",
  submittedAt: "2025-10-01T01:30:05.000Z",
  applicant,
  resultDelivery: byPost,
  formData: { tenTre: "Nguyễn Minh An", ngaySinh: "2025-09-20", sinhDoi: false, soBanSao: 2 },
  filedBy: { name: "Trần Văn Bình", role: "volunteer", consent: { method: "in-person", note: "Tại nhà văn hoá" } },
};

const onPortal: DossierOnPortal = {
  code: "000.00.20.H49-251001-0001",
  reference: "06652.H49-251001-0007",
  procedureCode: "1.001193",
  procedureName: "Đăng ký khai sinh",
  unitCode: "06652.H49",
  channel: "postal",
  state: 4,
  submittedAt: "2025-10-01T01:30:05.000Z",
  acceptedAt: "2025-10-01T02:00:00.000Z",
  dueDate: "2025-10-02",
  completedAt: null,
  deliveredAt: null,
  applicant: { ...applicant, type: "business" },
  resultDelivery: { method: "online" },
  formData: {},
  trackingNumber: null,
  feesDue: 8000,
  missingDocuments: [],
  note: null,
};

const change: DossierStateChange = {
  eventId: "evt-000123",
  code: "000.00.20.H49-251001-0001",
  reference: "06652.H49-251001-0007",
  fromState: 4,
  toState: 5,
  at: "2025-10-01T09:15:00.000Z",
  action: "request-supplement",
  actorName: "Lê Thu Trang",
  unitCode: "06652.H49",
  note: "Thiếu giấy chứng sinh",
  dueDate: null,
  missingDocuments: ["Giấy chứng sinh (bản chính)"],
  amount: null,
  trackingNumber: null,
};

describe("portal dates (yyyyMMddHHmmss, Vietnam time)", () => {
  it("when an instant goes to the portal, then it is written in Vietnam wall-clock time and comes back the same", () => {
    expect(toPortalDateTime("2025-10-01T01:30:05Z")).toBe("20251001083005");
    expect(toPortalDateTime("2025-12-31T20:00:00.000Z")).toBe("20260101030000"); // already New Year in Hạ Long
    expect(toPortalDateTime("2025-10-01T08:30:05+07:00")).toBe("20251001083005");
    expect(toPortalDateTime(new Date("2025-10-01T01:30:05.999Z"))).toBe("20251001083005"); // milliseconds dropped
    expect(fromPortalDateTime("20251001083005")).toBe("2025-10-01T01:30:05.000Z");
    expect(fromPortalDateTime("20240229000000")).toBe("2024-02-28T17:00:00.000Z");
    for (const instant of ["2024-02-29T16:59:59.000Z", "2000-01-01T00:00:00.000Z", "2099-12-31T23:59:59.000Z"]) {
      expect(fromPortalDateTime(toPortalDateTime(instant))).toBe(instant);
    }
  });

  it("when a date does not exist, has the wrong shape or no time zone, then it is refused", () => {
    for (const bad of [
      "20250230120000", // 30 February
      "20250229120000", // 2025 is not a leap year
      "20251301000000", // month 13
      "20251001240000", // 24:00
      "20251001236000", // minute 60
      "20251001235960", // second 60
      "00991001000000", // year 99
      "2025100108300", // 13 digits
      "2025-10-01 08:30:05",
      "",
    ]) {
      expect(() => fromPortalDateTime(bad), bad).toThrow(RangeError);
      expect(PortalDateTime.safeParse(bad).success, bad).toBe(false);
    }
    for (const bad of ["2025-02-30T00:00:00Z", "2025-10-01T08:30:05", "yesterday", "2025-10-01T08:30:05+15:00"]) {
      expect(() => toPortalDateTime(bad), bad).toThrow(RangeError);
    }
    expect(() => toPortalDateTime(new Date(Number.NaN))).toThrow(RangeError);
  });

  it("when a due date goes to the portal, then it is the last second of that Vietnamese day, and back", () => {
    expect(toPortalDueDate("2025-10-02")).toBe("20251002235959");
    expect(fromPortalDueDate("20251002235959")).toBe("2025-10-02");
    expect(fromPortalDueDate("20251002170000")).toBe("2025-10-02");
    expect(() => toPortalDueDate("2025-02-30")).toThrow(RangeError);
    expect(() => fromPortalDueDate("20250230000000")).toThrow(RangeError);
  });
});

describe("portal codes and applicant", () => {
  it("when channels and result methods map, then counter/online/postal are KenhThucHien 1/2/3 and back", () => {
    expect([channelToPortal("counter"), channelToPortal("online"), channelToPortal("postal")]).toEqual([1, 2, 3]);
    for (const code of [1, 2, 3] as const) expect(channelToPortal(channelFromPortal(code))).toBe(code);
    expect(resultDeliveryToPortal({ method: "counter" })).toEqual({ HinhThucTra: 1 });
    expect(resultDeliveryToPortal({ method: "online" })).toEqual({ HinhThucTra: 2 });
    expect(resultDeliveryToPortal(byPost)).toEqual({
      HinhThucTra: 3,
      NguoiNhanKetQua: "Nguyễn Thị Hoa",
      SoDienThoaiNhanKetQua: "0912345678",
      MaXaNhanKetQua: "06652",
      DiaChiNhanKetQua: "Số 5, tổ 3, khu 4",
    });
    for (const delivery of [{ method: "counter" as const }, { method: "online" as const }, byPost]) {
      expect(resultDeliveryFromPortal(resultDeliveryToPortal(delivery))).toEqual(delivery);
    }
  });

  it("when the result goes by post without an address, or the method code is unknown, then it is refused", () => {
    expect(() => resultDeliveryFromPortal({ HinhThucTra: 3, NguoiNhanKetQua: "A" })).toThrow(PortalMappingError);
    expect(() => resultDeliveryFromPortal({ HinhThucTra: 4 })).toThrow(PortalMappingError);
  });

  it("when an applicant maps to ChuHoSo fields, then it comes back the same and the phone is normalised", () => {
    const wire = applicantToPortal(applicant);
    expect(wire).toEqual({
      ChuHoSo: "Nguyễn Thị Hoa",
      LoaiDoiTuong: 1,
      SoDinhDanhChuHoSo: "022090001234",
      SoDienThoaiChuHoSo: "0912345678",
      EmailChuHoSo: "hoa@example.vn",
      MaXaChuHoSo: "06652",
      DiaChiChuHoSo: "Số 5, tổ 3, khu 4",
    });
    expect(applicantFromPortal(wire)).toEqual(applicant);
    expect(applicantFromPortal({ ...wire, SoDienThoaiChuHoSo: "+84 912 345 678" }).phone).toBe("0912345678");
    const { SoDienThoaiChuHoSo: _phone, EmailChuHoSo: _email, ...bare } = wire;
    expect(applicantFromPortal({ ...bare, SoDienThoaiChuHoSo: null })).toEqual({
      ...applicant,
      phone: undefined,
      email: undefined,
    });
  });

  it("when the applicant's identity number, phone or type is wrong, then every bad field is named", () => {
    const wire = applicantToPortal(applicant);
    const error = (() => {
      try {
        applicantFromPortal({ ...wire, SoDinhDanhChuHoSo: "003090001234", SoDienThoaiChuHoSo: "12345" });
      } catch (e) {
        return e as PortalMappingError;
      }
      throw new Error("expected a mapping error");
    })();
    expect(error).toBeInstanceOf(PortalMappingError);
    expect(error.issues.map((i) => i.path).sort()).toEqual(["identityNumber", "phone"]);
    expect(error.message).not.toContain("003090001234"); // values stay out of messages and logs
    expect(() => applicantFromPortal({ ...wire, LoaiDoiTuong: 5 })).toThrow(PortalMappingError);
    expect(() => applicantFromPortal({ ...wire, SoDinhDanhChuHoSo: 22090001234 })).toThrow(PortalMappingError);
  });
});

describe("portal dossiers, state changes, procedures and attachments", () => {
  it("when a forwarding request maps to the wire and back, then nothing is lost", () => {
    const wire = toPortalDossierCreate(forwarding);
    expect(PortalDossierCreate.parse(wire)).toEqual(wire);
    expect(wire).toMatchObject({
      MaThamChieu: "06652.H49-251001-0007",
      MaTTHC: "1.001193",
      MaDonVi: "06652.H49",
      KenhThucHien: 2,
      NgayNopHoSo: "20251001083005",
      ChuHoSo: "Nguyễn Thị Hoa",
      HinhThucTra: 3,
      NguoiNopThay: { HoTen: "Trần Văn Bình", VaiTroNguoiNop: 1, HinhThucDongY: 2, GhiChuDongY: "Tại nhà văn hoá" },
    });
    expect(fromPortalDossierCreate(wire)).toEqual(forwarding);
    const own = {
      ...forwarding,
      filedBy: null,
      channel: "counter" as const,
      resultDelivery: { method: "counter" as const },
    };
    expect(fromPortalDossierCreate(toPortalDossierCreate(own))).toEqual(own);
  });

  it("when a dossier maps to HoSo and back, then both directions agree", () => {
    const wire = toPortalDossier(onPortal);
    expect(wire).toMatchObject({
      TrangThaiHoSo: 4,
      KenhThucHien: 3,
      LoaiDoiTuong: 2,
      NgayNopHoSo: "20251001083005",
      NgayTiepNhan: "20251001090000",
      NgayHenTra: "20251002235959",
      NgayTra: null,
      HinhThucTra: 2,
    });
    expect(PortalDossier.parse(wire)).toEqual(wire);
    expect(fromPortalDossier(wire)).toEqual(onPortal);
    expect(toPortalDossier(fromPortalDossier(wire))).toEqual(wire);
    const done = {
      ...onPortal,
      state: 10 as const,
      completedAt: "2025-10-02T03:00:00.000Z",
      deliveredAt: "2025-10-02T08:00:00.000Z",
      trackingNumber: "EB123456789VN",
      resultDelivery: byPost,
    };
    expect(fromPortalDossier(toPortalDossier(done))).toEqual(done);
  });

  it("when the portal leaves out optional fields, then they read as null or empty", () => {
    const {
      NgayTiepNhan: _a,
      NgayHenTra: _b,
      NgayKetThucXuLy: _c,
      NgayTra: _d,
      MaVanDon: _e,
      SoTienPhaiNop: _f,
      GiayToCanBoSung: _g,
      GhiChu: _h,
      MaThamChieu: _i,
      DuLieuToKhai: _j,
      ...minimal
    } = toPortalDossier(onPortal);
    expect(fromPortalDossier(minimal)).toMatchObject({
      reference: null,
      acceptedAt: null,
      dueDate: null,
      feesDue: null,
      missingDocuments: [],
      formData: {},
    });
  });

  it("when a dossier has an unknown state, an impossible date or a wrong channel, then it is refused with the field", () => {
    const wire = toPortalDossier(onPortal);
    const issues = (value: unknown) => {
      try {
        fromPortalDossier(value);
      } catch (e) {
        if (e instanceof PortalMappingError) return e.issues.map((i) => i.path);
        throw e;
      }
      return [];
    };
    expect(issues({ ...wire, TrangThaiHoSo: 11 })).toEqual(["TrangThaiHoSo"]);
    expect(issues({ ...wire, TrangThaiHoSo: "4" })).toEqual(["TrangThaiHoSo"]);
    expect(issues({ ...wire, NgayTiepNhan: "20251032090000" })).toEqual(["NgayTiepNhan"]);
    expect(issues({ ...wire, KenhThucHien: 0 })).toEqual(["KenhThucHien"]);
    expect(issues({ ...wire, MaTTHC: "1001193" })).toEqual(["MaTTHC"]);
    expect(issues(null)).toEqual([""]);
    expect(issues("<html>502 Bad Gateway</html>")).toEqual([""]);
  });

  it("when a state change maps to ThayDoiTrangThai and back, then both directions agree", () => {
    const wire = toPortalStateChange(change);
    expect(wire).toMatchObject({
      MaSuKien: "evt-000123",
      TrangThaiCu: 4,
      TrangThaiHoSo: 5,
      ThoiGian: "20251001161500",
    });
    expect(PortalStateChange.parse(wire)).toEqual(wire);
    expect(fromPortalStateChange(wire)).toEqual(change);
    const accepted = {
      ...change,
      fromState: 1 as const,
      toState: 2 as const,
      dueDate: "2025-10-03",
      missingDocuments: [],
    };
    expect(fromPortalStateChange(toPortalStateChange(accepted))).toEqual(accepted);
    expect(() => fromPortalStateChange({ ...wire, TrangThaiHoSo: 0 })).toThrow(PortalMappingError);
    expect(() => fromPortalStateChange({ ...wire, ThoiGian: "20251001" })).toThrow(PortalMappingError);
  });

  it("when every procedure of the starter catalogue maps to ThuTucHanhChinh and back, then it is unchanged", () => {
    const dir = new URL("../../bot-server/catalogue/starter/", import.meta.url);
    const procedures = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .flatMap((f) => Procedure.array().parse(JSON.parse(fs.readFileSync(new URL(f, dir), "utf8"))));
    expect(procedures.length).toBeGreaterThan(10);
    for (const procedure of procedures) {
      const { aliases: _aliases, sources: _sources, ...portable } = procedure;
      const entry: CatalogueEntry = {
        unitCode: "06652.H49",
        procedure: portable,
        inForce: true,
        updatedAt: "2025-09-30T10:00:00.000Z",
      };
      const wire = toPortalProcedure(entry);
      expect(PortalProcedure.parse(wire)).toEqual(wire);
      expect(fromPortalProcedure(wire), procedure.code).toEqual(entry);
    }
  });

  it("when a procedure has an unknown level or a negative fee, then it is refused", () => {
    const wire = {
      MaTTHC: "1.004222",
      TenTTHC: "Đăng ký thường trú",
      TenLinhVuc: "Đăng ký, quản lý cư trú",
      CapThucHien: 3,
      CoQuanThucHien: "Công an cấp xã",
      MucDo: 4,
      ThoiHanGiaiQuyet: 7,
      PhiLePhi: [{ TenPhiLePhi: "Lệ phí (trực tuyến)", MucPhi: 10000 }],
      BuuChinhCongIch: true,
      ThanhPhanHoSo: [{ TenGiayTo: "Tờ khai thay đổi thông tin cư trú (CT01)", SoBan: 1, BatBuoc: true }],
      KetQuaThucHien: "Thông tin cư trú được cập nhật",
      MaDonVi: "06652.H49",
      HieuLuc: false,
      NgayCapNhat: "20250930170000",
    };
    expect(fromPortalProcedure(wire)).toMatchObject({
      inForce: false,
      procedure: { level: "commune", processingDays: 7 },
    });
    expect(() => fromPortalProcedure({ ...wire, CapThucHien: 4 })).toThrow(PortalMappingError);
    expect(() => fromPortalProcedure({ ...wire, PhiLePhi: [{ TenPhiLePhi: "x", MucPhi: -1 }] })).toThrow(
      PortalMappingError,
    );
  });

  it("when an attachment and its upload fields map, then they come back the same", () => {
    const sha256 = "a".repeat(64);
    const meta = { documentName: "Giấy chứng sinh", documentIndex: 1, kind: "supplement" as const, sha256 };
    expect(attachmentUploadFields(meta)).toEqual({
      TenGiayTo: "Giấy chứng sinh",
      ViTriGiayTo: "1",
      LoaiDinhKem: "2",
      MaBam: sha256,
    });
    expect(attachmentUploadMetaFromFields(attachmentUploadFields(meta))).toEqual(meta);
    const other = { ...meta, documentIndex: null, kind: "initial" as const };
    expect(attachmentUploadMetaFromFields(attachmentUploadFields(other))).toEqual(other);
    const stored = {
      id: "tdk-91",
      documentName: "Giấy chứng sinh",
      documentIndex: 1,
      kind: "initial" as const,
      fileName: "giay-chung-sinh.pdf",
      mime: "application/pdf" as const,
      size: 52_113,
      sha256,
      uploadedAt: "2025-10-01T01:31:00.000Z",
    };
    expect(fromPortalAttachment(toPortalAttachment(stored))).toEqual(stored);
    expect(() => fromPortalAttachment({ ...toPortalAttachment(stored), KieuTep: "text/html" })).toThrow(
      PortalMappingError,
    );
    expect(() => attachmentUploadMetaFromFields({ TenGiayTo: "x", LoaiDinhKem: "1", MaBam: "abc" })).toThrow(
      PortalMappingError,
    );
  });

  it("when a page has a bad item, then the error names the item's index", () => {
    const good = toPortalStateChange(change);
    const page = fromPortalPage({ items: [good], nextCursor: "c-2", hasMore: false }, fromPortalStateChange);
    expect(page).toEqual({ items: [change], nextCursor: "c-2", hasMore: false });
    try {
      fromPortalPage(
        { items: [good, { ...good, ThoiGian: "x" }], nextCursor: "c", hasMore: true },
        fromPortalStateChange,
      );
      throw new Error("expected a mapping error");
    } catch (e) {
      expect((e as PortalMappingError).issues.map((i) => i.path)).toEqual(["items.1.ThoiGian"]);
    }
    expect(() => fromPortalPage({ items: [], hasMore: false }, fromPortalStateChange)).toThrow(PortalMappingError);
  });
});
