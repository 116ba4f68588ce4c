import type { OfficialPostalOrder, PostalDispatchResult, PostalSender } from "@qn/shared";
import { describe, expect, it } from "vitest";
import {
  addressText,
  cancellable,
  chunks,
  dispatchSummary,
  labelsPath,
  latestNote,
  notPrintableReason,
  parseWaybills,
  printable,
  problemLine,
  readSender,
  selectAllState,
  senderDraft,
  sendingLine,
  statusTone,
  stillListed,
  toggled,
} from "./postal";

const CONTACT = {
  name: "Nguyễn Văn An",
  phone: "0912345678",
  address: { communeCode: "06652", street: "Số 5, tổ 3, khu 4" },
};

type Order = Pick<OfficialPostalOrder, "kind" | "status" | "chosen" | "contact" | "sending" | "waybill">;
const order = (over: Partial<Order> = {}): Order => ({
  kind: "delivery",
  status: "created",
  chosen: null,
  contact: CONTACT,
  sending: null,
  waybill: "EB123456785VN",
  ...over,
});
const at = (iso: string | null) => (iso ? `lúc-${iso}` : "—");

describe("an order's status as an official sees it", () => {
  it("when an order waits for the post and the post answered with an error, then its chip is red like a failed delivery", () => {
    const sending = { attempts: 3, lastError: "Hệ thống bưu điện đang lỗi, sẽ thử lại", nextAttemptAt: "T" };
    expect(statusTone(order({ status: "waiting", sending }))).toBe("wait");
    expect(statusTone(order({ status: "waiting", sending: { ...sending, lastError: null, attempts: 0 } }))).toBe("new");
    expect(statusTone(order({ status: "in-transit" }))).toBe("run");
    expect(statusTone(order({ status: "delivered" }))).toBe("done");
    expect(statusTone(order({ status: "failed" }))).toBe("wait");
    expect(statusTone(order({ status: "cancelled" }))).toBe("closed");
  });

  it("when the post is down, then the sending line gives its error, the tries and the next try", () => {
    const line = sendingLine(
      order({
        status: "waiting",
        waybill: null,
        sending: {
          attempts: 2,
          lastError: "Hệ thống bưu điện đang lỗi, sẽ thử lại",
          nextAttemptAt: "2026-03-02T03:00:00Z",
        },
      }),
      at,
    );
    expect(line).toEqual({
      tone: "wait",
      text: "Bưu điện chưa nhận đơn: Hệ thống bưu điện đang lỗi, sẽ thử lại. Đã thử 2 lần. Hệ thống tự thử lại lúc lúc-2026-03-02T03:00:00Z.",
    });
  });

  it("when an order has not been tried yet, then it is only on its way; an order that needs nothing has no line", () => {
    expect(
      sendingLine(order({ status: "waiting", sending: { attempts: 0, lastError: null, nextAttemptAt: "T" } }), at),
    ).toEqual({ tone: "new", text: "Đang gửi đơn tới bưu điện…" });
    expect(sendingLine(order(), at)).toBeNull();
  });

  it("when an instruction waits for the post, then it is named: another delivery after the citizen's choice, else a cancel", () => {
    const sending = { attempts: 0, lastError: "Không kết nối được tới bưu điện, sẽ thử lại", nextAttemptAt: "N" };
    expect(sendingLine(order({ status: "failed", chosen: "redeliver", sending }), at)?.text).toBe(
      "Chưa gửi được yêu cầu giao lại tới bưu điện: Không kết nối được tới bưu điện, sẽ thử lại. Hệ thống tự thử lại lúc lúc-N.",
    );
    expect(sendingLine(order({ status: "created", sending: { ...sending, lastError: null } }), at)).toEqual({
      tone: "run",
      text: "Đang gửi yêu cầu hủy đơn tới bưu điện…",
    });
  });
});

describe("what may be done with an order", () => {
  it("when an order has no waybill or is cancelled, then its label cannot be printed, and the button says why", () => {
    expect(printable(order())).toBe(true);
    expect(notPrintableReason(order())).toBeNull();
    expect(printable(order({ waybill: null, status: "waiting" }))).toBe(false);
    expect(notPrintableReason(order({ waybill: null }))).toBe("Chưa có mã vận đơn: bưu điện chưa nhận đơn");
    expect(notPrintableReason(order({ status: "cancelled" }))).toBe("Đơn đã hủy");
  });

  it("when the post has picked the parcel up, then it can no longer be cancelled; a cancel already on its way is not offered twice", () => {
    expect(
      cancellable(order({ status: "waiting", sending: { attempts: 1, lastError: "x", nextAttemptAt: null } })),
    ).toBe(true);
    expect(cancellable(order({ status: "created" }))).toBe(true);
    expect(
      cancellable(order({ status: "created", sending: { attempts: 1, lastError: null, nextAttemptAt: null } })),
    ).toBe(false);
    for (const status of ["picked-up", "in-transit", "delivered", "failed", "returned", "cancelled"] as const) {
      expect(cancellable(order({ status })), status).toBe(false);
    }
  });
});

describe("after a failed delivery or a return", () => {
  it("when the citizen has not chosen yet, then the official is told so and what to do meanwhile", () => {
    expect(problemLine(order({ status: "failed" }))).toEqual({
      chosen: "Công dân chưa chọn cách nhận lại kết quả (đã được báo qua Zalo).",
      todo: "Chờ công dân chọn giao lại, đổi địa chỉ hoặc nhận tại bộ phận một cửa.",
    });
    expect(problemLine(order({ status: "returned" }))?.todo).toBe(
      "Giữ kết quả tại bộ phận một cửa đến khi công dân chọn gửi lại hoặc đến nhận.",
    );
  });

  it("when the citizen chose, then the choice is shown with the new address, and the counter asks for the handover", () => {
    expect(problemLine(order({ status: "failed", chosen: "redeliver" }))?.chosen).toBe("Công dân chọn: Giao lại.");
    expect(problemLine(order({ status: "failed", chosen: "change-address" }))?.chosen).toBe(
      "Công dân chọn: Giao tới địa chỉ khác (Nguyễn Văn An, Số 5, tổ 3, khu 4, Phường Hà Tu).",
    );
    expect(problemLine(order({ status: "returned", chosen: "redeliver" }))?.todo).toBe(
      "Gửi lại kết quả ở mục “Chờ gửi kết quả”.",
    );
    expect(problemLine(order({ status: "failed", chosen: "counter" }))).toEqual({
      chosen: "Công dân chọn: Nhận tại bộ phận một cửa.",
      todo: "Trả kết quả khi công dân đến quầy (nút “Trả kết quả” ở trang hồ sơ).",
    });
  });

  it("when a pick-up failed, then the official is asked to call the citizen; an order on its way has no problem", () => {
    expect(problemLine(order({ kind: "pickup", status: "failed" }))?.todo).toContain("0912345678");
    expect(problemLine(order({ status: "in-transit" }))).toBeNull();
  });

  it("when the post wrote a note on a step, then the latest one is shown", () => {
    const step = (note: string | null) => ({ status: "failed" as const, label: "", at: "", note });
    expect(latestNote({ events: [step("Đã nhận"), step("Không liên lạc được với người nhận"), step(null)] })).toBe(
      "Không liên lạc được với người nhận",
    );
    expect(latestNote({ events: [step(null)] })).toBeNull();
  });

  it("when an address is shown, then its commune is named, or its code when unknown", () => {
    expect(addressText(CONTACT.address)).toBe("Số 5, tổ 3, khu 4, Phường Hà Tu");
    expect(addressText({ communeCode: "99999", street: "Thôn 1" })).toBe("Thôn 1, Mã xã 99999");
  });
});

describe("a bulk dispatch", () => {
  const results: PostalDispatchResult[] = [
    { code: "A", outcome: "created", reference: "BC1", message: null },
    { code: "B", outcome: "created", reference: "BC2", message: null },
    { code: "C", outcome: "already", reference: "BC0", message: null },
    { code: "D", outcome: "refused", reference: null, message: "Hồ sơ chưa ở trạng thái Đã xử lý xong" },
  ];

  it("when some are created, some had an order and some are refused, then the summary says each count and lists the labels to print", () => {
    expect(dispatchSummary(results)).toEqual({
      created: 2,
      already: 1,
      refused: 1,
      text: "Đã tạo 2 đơn gửi kết quả, 1 hồ sơ đã có đơn từ trước, 1 hồ sơ không gửi được.",
      references: ["BC1", "BC2", "BC0"],
    });
    expect(dispatchSummary([]).text).toBe("Không có hồ sơ nào được gửi.");
    expect(dispatchSummary([results[3] as PostalDispatchResult]).text).toBe("1 hồ sơ không gửi được.");
  });

  it("when more than 200 are chosen, then they go in runs of 200", () => {
    const codes = Array.from({ length: 450 }, (_, i) => `c${i}`);
    expect(chunks(codes, 200).map((c) => c.length)).toEqual([200, 200, 50]);
    expect(chunks([], 200)).toEqual([]);
  });

  it("when rows are selected and the list is read again, then only listed rows count and select-all follows", () => {
    let selected = toggled(new Set(), "a", true);
    selected = toggled(selected, "gone", true);
    expect(selectAllState(["a", "b"], selected)).toBe("some");
    expect(stillListed(["a", "b"], selected)).toEqual(["a"]);
    selected = toggled(selected, "b", true);
    expect(selectAllState(["a", "b"], selected)).toBe("all");
    expect(selectAllState(["a", "b"], toggled(toggled(selected, "a", false), "b", false))).toBe("none");
  });

  it("when labels are asked for, then the references go in the path, separated by commas", () => {
    expect(labelsPath(["BC1", "BC2"])).toBe("/officials/postal/labels.pdf?refs=BC1,BC2");
  });
});

describe("waybill numbers pasted by an administrator", () => {
  it("when the paste has lower case, repeats, separators and junk, then the good ones are kept once each and the rest named", () => {
    expect(parseWaybills("eb123456785vn\nEB123456799VN, EB123456785VN;  abc  \n\nEB-1")).toEqual({
      waybills: ["EB123456785VN", "EB123456799VN"],
      invalid: ["abc", "EB-1"],
      repeated: 1,
    });
    expect(parseWaybills("  \n ")).toEqual({ waybills: [], invalid: [], repeated: 0 });
  });
});

describe("the unit's sender form", () => {
  const SENDER: PostalSender = {
    name: "Bộ phận một cửa phường Hà Tu",
    phone: "0203 3835 123",
    address: { communeCode: "06652", street: "Tổ 1, khu 2" },
    customerCode: null,
    tariff: { pickup: 20000, delivery: 25000, cod: 5000 },
  };

  it("when a sender is edited, then the form shows its amounts as typed in Vietnam and reads back the same sender", () => {
    const draft = senderDraft(SENDER);
    expect(draft).toMatchObject({ pickup: "20.000", delivery: "25.000", cod: "5.000", customerCode: "" });
    expect(readSender(draft)).toEqual({ ok: true, sender: SENDER });
    expect(readSender({ ...draft, customerCode: " KH-01 ", delivery: "30000" })).toEqual({
      ok: true,
      sender: { ...SENDER, customerCode: "KH-01", tariff: { ...SENDER.tariff, delivery: 30000 } },
    });
  });

  it("when fields are wrong, then each says why in Vietnamese, with the schema's own messages where it has them", () => {
    const read = readSender({
      name: " ",
      phone: "12",
      communeCode: "",
      street: "",
      customerCode: "x".repeat(41),
      pickup: "",
      delivery: "hai mươi",
      cod: "20.000.000",
    });
    expect(read).toEqual({
      ok: false,
      problems: {
        name: "Cần nhập tên đơn vị gửi",
        phone: "Số điện thoại của đơn vị không hợp lệ",
        "address.communeCode": "Chọn xã, phường nơi đặt trụ sở",
        "address.street": "Cần nhập địa chỉ (số nhà, thôn, tổ)",
        customerCode: "Tối đa 40 ký tự",
        "tariff.pickup": "Cần nhập số tiền (nhập 0 nếu không thu)",
        "tariff.delivery": "Nhập số tiền bằng chữ số, VD 20.000",
        "tariff.cod": "Tối đa 10.000.000 đ",
      },
    });
  });

  it("when a name is too long or holds a hidden character, then the form refuses it as the server would", () => {
    const draft = senderDraft(SENDER);
    expect(readSender({ ...draft, name: "x".repeat(201) })).toEqual({
      ok: false,
      problems: { name: "Tối đa 200 ký tự" },
    });
    const hidden = readSender({ ...draft, street: "Tổ 1\u202E" });
    expect(hidden.ok).toBe(false);
    expect(hidden.ok ? "" : hidden.problems["address.street"]).toMatch(/ký tự ẩn/);
  });

  it("when a unit has no sender yet, then the form starts empty", () => {
    expect(senderDraft(null)).toEqual({
      name: "",
      phone: "",
      communeCode: "",
      street: "",
      customerCode: "",
      pickup: "",
      delivery: "",
      cod: "",
    });
  });
});
