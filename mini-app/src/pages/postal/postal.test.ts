import { PickupRequest, quotePostal } from "@qn/shared";
import { describe, expect, it } from "vitest";
import {
  contactFrom,
  contactProblems,
  deliveryChargeText,
  emptyPickup,
  fieldProblems,
  orderTone,
  type PickupForm,
  pickupChargeText,
  pickupDateLabel,
  pickupProblems,
  toContact,
  toPickupRequest,
  withApplicant,
} from "./postal";

const tariff = quotePostal({ pickup: 25_000, delivery: 25_000, cod: 5_000 });

const filled = (patch: Partial<PickupForm> = {}): PickupForm => ({
  name: "Nguyễn Văn An",
  phone: "0912 345 678",
  communeCode: "06652",
  street: "Số 5, tổ 3, khu 4",
  date: "2026-03-16",
  slot: "morning",
  note: "",
  ...patch,
});

describe("the citizen's postal words and forms", () => {
  it("when a pick-up day is shown, then it is the Vietnamese weekday and dd/mm/yyyy of that calendar day", () => {
    expect(pickupDateLabel("2026-03-16")).toBe("Thứ Hai, 16/03/2026");
    expect(pickupDateLabel("2026-03-21")).toBe("Thứ Bảy, 21/03/2026");
    expect(pickupDateLabel("2026-03-22")).toBe("Chủ nhật, 22/03/2026");
    expect(pickupDateLabel("2026-12-31")).toBe("Thứ Năm, 31/12/2026");
    // Not a day: shown as it came, never "Invalid Date".
    expect(pickupDateLabel("16/03/2026")).toBe("16/03/2026");
  });

  it("when a day is shown on a machine behind UTC, then it is still that day (no time zone shifts it)", () => {
    const zone = process.env.TZ;
    process.env.TZ = "America/New_York";
    try {
      expect(pickupDateLabel("2026-03-16")).toBe("Thứ Hai, 16/03/2026");
    } finally {
      process.env.TZ = zone;
    }
  });

  it("when the charges are quoted, then the delivery's COD and the pick-up's cash are said in full", () => {
    expect(deliveryChargeText(tariff)).toBe("Cước chuyển phát 25.000 đ + phí thu hộ 5.000 đ, trả khi nhận: 30.000 đ");
    expect(pickupChargeText(tariff.pickup)).toBe("Cước thu gom 25.000 đ, trả cho nhân viên bưu điện khi đến lấy");
    expect(deliveryChargeText(quotePostal({ pickup: 0, delivery: 22_000, cod: 0 }))).toBe(
      "Cước chuyển phát 22.000 đ, trả khi nhận",
    );
    expect(deliveryChargeText(quotePostal({ pickup: 0, delivery: 0, cod: 0 }))).toBe("Miễn cước chuyển phát kết quả");
    expect(pickupChargeText(0)).toBe("Miễn cước thu gom hồ sơ");
  });

  it("when the applicant's details fill a form, then a masked or missing phone is left for the citizen to type", () => {
    const applicant = contactFrom({
      name: "Nguyễn Văn An",
      phone: "84912345678",
      address: { communeCode: "06652", street: "Số 5" },
    });
    expect(applicant).toEqual({ name: "Nguyễn Văn An", phone: "0912345678", communeCode: "06652", street: "Số 5" });
    expect(
      contactFrom({ name: "An", phone: "09****678", address: { communeCode: "06652", street: "Số 5" } }).phone,
    ).toBe("");
    expect(contactFrom({ name: "An", phone: null, address: { communeCode: "06652", street: "Số 5" } }).phone).toBe("");
    // "Dùng địa chỉ người nộp" keeps a phone already typed when the applicant's is not known.
    const typed = { name: "", phone: "0987654321", communeCode: "", street: "" };
    expect(withApplicant(typed, { ...applicant, phone: "" })).toEqual({ ...applicant, phone: "0987654321" });
  });

  it("when a contact or a pick-up is incomplete, then each field says what is missing, in Vietnamese", () => {
    expect(contactProblems({ name: " ", phone: "123", communeCode: "", street: "" }, "người nhận")).toEqual({
      name: "Cần nhập họ tên người nhận",
      phone: "Số điện thoại di động không hợp lệ (ví dụ 0912345678)",
      communeCode: "Cần chọn xã, phường",
      street: "Cần nhập địa chỉ (số nhà, thôn, tổ)",
    });
    expect(pickupProblems(emptyPickup(), ["2026-03-16"])).toMatchObject({
      name: "Cần nhập họ tên người giao hồ sơ",
      date: "Cần chọn ngày bưu điện đến lấy",
      slot: "Cần chọn buổi bưu điện đến lấy",
    });
    expect(pickupProblems(filled(), ["2026-03-16", "2026-03-17"])).toEqual({});
    // A day no longer offered (the form stayed open overnight) is chosen again.
    expect(pickupProblems(filled(), ["2026-03-17"]).date).toBe("Ngày này không còn nhận hẹn, vui lòng chọn ngày khác");
    expect(pickupProblems(filled({ note: "x".repeat(301) }), undefined).note).toBe("Ghi chú tối đa 300 ký tự");
  });

  it("when a pick-up is sent, then it is the shared PickupRequest: trimmed, the phone normalised, no empty note", () => {
    const request = toPickupRequest(filled({ name: " Nguyễn Văn An ", street: " Số 5, tổ 3, khu 4 " }));
    expect(request).toEqual({
      name: "Nguyễn Văn An",
      phone: "0912345678",
      address: { communeCode: "06652", street: "Số 5, tổ 3, khu 4" },
      date: "2026-03-16",
      slot: "morning",
    });
    expect(PickupRequest.parse(request)).toEqual(request);
    expect(toPickupRequest(filled({ note: "  Gọi trước 30 phút " })).note).toBe("Gọi trước 30 phút");
    expect(toContact(filled()).phone).toBe("0912345678");
  });

  it("when the server refuses a field, then its message shows under that field of the form", () => {
    expect(
      fieldProblems([
        { path: "pickup.date", message: "Ngày hẹn lấy hồ sơ phải từ ngày mai trở đi" },
        { path: "receiver.address.street", message: "Cần nhập địa chỉ" },
        { path: "phone", message: "Số điện thoại không hợp lệ" },
        { path: "unknown", message: "…" },
      ]),
    ).toEqual({
      date: "Ngày hẹn lấy hồ sơ phải từ ngày mai trở đi",
      street: "Cần nhập địa chỉ",
      phone: "Số điện thoại không hợp lệ",
    });
  });

  it("when an order's status is shown, then a failure waiting for the citizen's choice stands out from a final one", () => {
    expect(orderTone({ status: "delivered", choices: [] })).toBe("good");
    expect(orderTone({ status: "failed", choices: ["redeliver", "change-address", "counter"] })).toBe("action");
    expect(orderTone({ status: "failed", choices: [] })).toBe("bad");
    expect(orderTone({ status: "in-transit", choices: [] })).toBe("info");
    expect(orderTone({ status: "cancelled", choices: [] })).toBe("muted");
  });
});
