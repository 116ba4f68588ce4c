import type { LedgerEntry, Procedure } from "@qn/shared";
import { describe, expect, it } from "vitest";
import {
  blankLine,
  catalogueExtras,
  detailTarget,
  type FeeLineDraft,
  lineAmount,
  parseVnd,
  prefillLines,
  readLines,
  refundLabel,
  shiftDay,
  summarise,
  validDay,
} from "./payments";

type Fees = Pick<Procedure, "fees" | "exemptions">;

const COPIES: Fees = {
  fees: [{ name: "Phí cấp bản sao Trích lục hộ tịch", amount: 8000, unit: "bản" }],
  exemptions: [{ name: "Hộ nghèo" }],
};
const NO_FIGURE: Fees = {
  fees: [{ name: "Lệ phí cấp Giấy xác nhận tình trạng hôn nhân", amount: null, note: "Mức thu do HĐND tỉnh quy định" }],
  exemptions: [{ name: "Người thuộc hộ nghèo, người khuyết tật" }],
};
const MIXED: Fees = {
  fees: [
    { name: "Phí thẩm định", amount: 50000 },
    { name: "Lệ phí cấp giấy", amount: 20000, onlineAmount: 10000 },
    { name: "Lệ phí đúng hạn", amount: 0 },
    { name: "Phí bản sao (nếu có yêu cầu)", amount: 5000, unit: "bản", optional: true },
  ],
  exemptions: [{ name: "Hộ nghèo (miễn lệ phí)", appliesTo: "le-phi" }],
};

const shape = (drafts: FeeLineDraft[]) =>
  drafts.map(({ index, name, kind, quantity, unitPrice }) => ({ index, name, kind, quantity, unitPrice }));

const draft = (patch: Partial<FeeLineDraft>): FeeLineDraft => ({ ...blankLine(), ...patch });

describe("the lines a request for payment starts with", () => {
  it("when the catalogue has a per-copy fee, then one copy at its amount, its kind read from its name", () => {
    const [line, ...rest] = prefillLines(COPIES, "online");
    expect(rest).toEqual([]);
    expect(line).toMatchObject({
      index: 0,
      name: "Phí cấp bản sao Trích lục hộ tịch",
      kind: "phi",
      quantity: "1",
      unitPrice: "8000",
      unit: "bản",
      hint: undefined,
    });
  });

  it("when a line has a lower online amount, then the dossier's channel decides which; free and optional lines are left out", () => {
    expect(shape(prefillLines(MIXED, "online"))).toEqual([
      { index: 0, name: "Phí thẩm định", kind: "phi", quantity: "1", unitPrice: "50000" },
      { index: 1, name: "Lệ phí cấp giấy", kind: "le-phi", quantity: "1", unitPrice: "10000" },
    ]);
    expect(prefillLines(MIXED, "counter")[1]?.unitPrice).toBe("20000");
  });

  it("when the catalogue has no figure for a line, then it comes empty with a hint for the official to fill", () => {
    const [line] = prefillLines(NO_FIGURE, "online");
    expect(line).toMatchObject({ index: 0, kind: "le-phi", unitPrice: "" });
    expect(line?.hint).toMatch(/^Danh mục chưa ghi mức thu: nhập số tiền theo quy định hiện hành\. Mức thu do HĐND/);
  });

  it("when an official accepted the exemption, then its lines are waived; refused or not yet checked, they stay", () => {
    const claim = { index: 0, name: "Hộ nghèo (miễn lệ phí)", reason: "Sổ hộ nghèo 2026" };
    const accepted = { ...claim, check: { accepted: true, by: "Trần Thị Hà", at: "2026-03-12T03:00:00Z", note: null } };
    const refused = { ...claim, check: { ...accepted.check, accepted: false } };
    expect(prefillLines(MIXED, "online", accepted).map((l) => l.name)).toEqual(["Phí thẩm định"]);
    expect(prefillLines(MIXED, "online", refused)).toHaveLength(2);
    expect(prefillLines(MIXED, "online", { ...claim, check: null })).toHaveLength(2);
    // Waiving every line of a fully exempt procedure leaves one empty line, never an empty editor.
    const all = { index: 0, name: "Hộ nghèo", reason: "x", check: accepted.check };
    expect(shape(prefillLines(COPIES, "online", all))).toEqual([
      { index: null, name: "", kind: "le-phi", quantity: "1", unitPrice: "" },
    ]);
  });

  it("when the procedure has no fees at all, then one empty line", () => {
    expect(shape(prefillLines({ fees: [] }, "online"))).toEqual([
      { index: null, name: "", kind: "le-phi", quantity: "1", unitPrice: "" },
    ]);
  });

  it("when lines are in the editor, then the catalogue's other charged lines (the optional copy) may be added", () => {
    const drafts = prefillLines(MIXED, "online");
    const extras = catalogueExtras(MIXED, "online", drafts);
    expect(extras.map((x) => x.name)).toEqual(["Phí bản sao (nếu có yêu cầu)"]);
    expect(extras[0]?.draft()).toMatchObject({ index: 3, unitPrice: "5000", unit: "bản", kind: "phi" });
    expect(catalogueExtras(NO_FIGURE, "online", [])[0]?.draft().unitPrice).toBe("");
  });
});

describe("amounts typed in đồng", () => {
  it.each([
    ["10000", 10000],
    ["10.000", 10000],
    ["1.250.000", 1250000],
    ["10 000", 10000],
    [" 10.000 đ ", 10000],
    ["0", 0],
  ])("when %j is typed, then it is %d", (text, value) => {
    expect(parseVnd(text)).toBe(value);
  });

  it.each(["", "abc", "10,5", "1.00", "10.0000", "-5", "1e4", "10.000,00"])(
    "when %j is typed, then it is not an amount",
    (text) => {
      expect(parseVnd(text)).toBeNull();
    },
  );
});

describe("reading the editor's lines before they are sent", () => {
  it("when every line is filled, then the lines carry quantity × unit price and the total is their sum", () => {
    const read = readLines([
      draft({ index: 0, name: " Lệ phí cấp giấy ", kind: "le-phi", quantity: "1", unitPrice: "15.000" }),
      draft({ index: null, name: "Phí cấp bản sao", kind: "phi", quantity: "2", unitPrice: "5000" }),
    ]);
    expect(read).toMatchObject({ ok: true, overall: null, total: 25000 });
    expect(read.lines).toEqual([
      { index: 0, name: "Lệ phí cấp giấy", kind: "le-phi", quantity: 1, amount: 15000 },
      { index: null, name: "Phí cấp bản sao", kind: "phi", quantity: 2, amount: 10000 },
    ]);
  });

  it("when a line is incomplete, then each field says what is wrong and nothing is ready to send", () => {
    const read = readLines([
      draft({ name: "", quantity: "0", unitPrice: "" }),
      draft({ name: "Phí", quantity: "51", unitPrice: "10,5" }),
      draft({ name: "Phí", quantity: "1.5", unitPrice: "2000000000" }),
    ]);
    expect(read.ok).toBe(false);
    expect(read.problems).toEqual([
      {
        name: "Cần ghi tên khoản phí, lệ phí.",
        quantity: "Số lượng là số nguyên từ 1 đến 50.",
        unitPrice: "Cần nhập số tiền.",
      },
      {
        quantity: "Số lượng là số nguyên từ 1 đến 50.",
        unitPrice: "Số tiền là số nguyên, đơn vị đồng (VD: 10000 hoặc 10.000).",
      },
      { quantity: "Số lượng là số nguyên từ 1 đến 50." },
    ]);
    expect(readLines([draft({ name: "Phí", unitPrice: "2.000.000.000" })]).problems[0]).toEqual({
      unitPrice: "Số tiền của một khoản tối đa 1.000.000.000 đ.",
    });
  });

  it("when the lines add up to nothing, are none or too many, then the whole request says so", () => {
    expect(readLines([draft({ name: "Lệ phí", unitPrice: "0" })])).toMatchObject({
      ok: false,
      overall: "Tổng số tiền phải lớn hơn 0 đồng.",
    });
    expect(readLines([])).toMatchObject({ ok: false, overall: "Cần ít nhất một khoản phí, lệ phí." });
    const many = Array.from({ length: 21 }, () => draft({ name: "Phí", unitPrice: "1000" }));
    expect(readLines(many)).toMatchObject({ ok: false, overall: "Tối đa 20 khoản trong một lần yêu cầu." });
  });

  it("when typing, then a line's amount shows as soon as it is a number", () => {
    expect(lineAmount(draft({ quantity: "3", unitPrice: "8.000" }))).toBe(24000);
    expect(lineAmount(draft({ quantity: "", unitPrice: "8000" }))).toBeNull();
    expect(lineAmount(draft({ quantity: "2", unitPrice: "8,0" }))).toBeNull();
  });

  it("when the server names a line's field, then the editor shows it under that field", () => {
    expect(detailTarget("lines.2.amount")).toEqual({ row: 2, field: "unitPrice" });
    expect(detailTarget("lines.0.name")).toEqual({ row: 0, field: "name" });
    expect(detailTarget("lines.10.quantity")).toEqual({ row: 10, field: "quantity" });
    expect(detailTarget("amount")).toBeNull();
    expect(detailTarget("note")).toBeNull();
  });
});

const entry = (patch: Partial<LedgerEntry>): LedgerEntry => ({
  reference: "TT202603120000000001",
  dossierCode: "06652-260312-0001",
  unitCode: "06652",
  procedureName: "Cấp bản sao Trích lục hộ tịch",
  payerName: "Nguyễn Văn An",
  method: "sandbox",
  amount: 8000,
  status: "paid",
  createdAt: "2026-03-12T02:00:00.000Z",
  paidAt: "2026-03-12T02:01:00.000Z",
  transactionId: "SB1",
  receiptNumber: "BL2026-0000001",
  refund: null,
  ...patch,
});

describe("the ledger's sums", () => {
  it("when a day has paid, open, failed and abandoned attempts, then only the paid ones count as collected", () => {
    const refund = {
      id: 1,
      reason: "Hồ sơ đã rút sau khi thanh toán",
      amount: 8000,
      dueAt: "2026-03-12T03:00:00Z",
      note: null,
      doneBy: null,
    };
    expect(
      summarise([
        entry({ amount: 16000 }),
        entry({ refund: { ...refund, doneAt: null } }),
        entry({ refund: { ...refund, id: 2, doneAt: "2026-03-12T04:00:00Z" } }),
        entry({ status: "open", paidAt: null }),
        entry({ status: "failed", paidAt: null }),
        entry({ status: "abandoned", paidAt: null }),
        entry({ status: "abandoned", paidAt: null }),
      ]),
    ).toEqual({
      paid: { count: 3, amount: 32000 },
      open: 1,
      failed: 1,
      abandoned: 2,
      refundsDue: { count: 1, amount: 8000 },
    });
    expect(summarise([])).toMatchObject({ paid: { count: 0, amount: 0 }, open: 0 });
  });

  it("when a row has a refund, then it reads as owed with its reason, or as paid back with its time", () => {
    const due = {
      id: 1,
      reason: "Hồ sơ đã rút sau khi thanh toán",
      amount: 8000,
      dueAt: "x",
      doneAt: null,
      note: null,
      doneBy: null,
    };
    const money = (n: number) => `${n} đ`;
    expect(refundLabel(due, (t) => t, money)).toEqual({
      tone: "wait",
      chip: "Cần hoàn 8000 đ",
      detail: "Hồ sơ đã rút sau khi thanh toán",
    });
    expect(refundLabel({ ...due, doneAt: "t" }, (t) => `10:00 ${t}`, money)).toEqual({
      tone: "done",
      chip: "Đã hoàn tiền",
      detail: "Lúc 10:00 t",
    });
    expect(refundLabel(null, (t) => t, money)).toBeNull();
  });
});

describe("the ledger's days", () => {
  it("when stepping a day, then months, leap years and years turn", () => {
    expect(shiftDay("2026-03-01", -1)).toBe("2026-02-28");
    expect(shiftDay("2024-03-01", -1)).toBe("2024-02-29");
    expect(shiftDay("2026-12-31", 1)).toBe("2027-01-01");
    expect(shiftDay("2026-03-12", 0)).toBe("2026-03-12");
  });

  it("when the address carries a day, then only a real calendar day is taken", () => {
    expect(validDay("2026-03-12")).toBe("2026-03-12");
    expect(validDay("2026-02-30")).toBeNull();
    expect(validDay("12/03/2026")).toBeNull();
    expect(validDay("")).toBeNull();
    expect(validDay(null)).toBeNull();
  });
});
