import { describe, expect, it } from "vitest";
import { computePaymentRate } from "./indicators";
import { feeKindOf, paidAtFiling, quoteFees } from "./payment";
import type { ProcedureFee } from "./procedure";

/** Đăng ký thường trú as the catalogue has it: 20.000 đ at the counter, 10.000 đ online, an exemption case. */
const residence = {
  fees: [{ name: "Lệ phí đăng ký thường trú", amount: 20000, onlineAmount: 10000 }] as ProcedureFee[],
  exemptions: [{ name: "Trường hợp thuộc diện miễn lệ phí theo Điều 4 Thông tư số 75/2022/TT-BTC" }],
};
/** Cấp bản sao trích lục: 8.000 đ per copy, and a line whose figure the unit sets. */
const copies = {
  fees: [
    { name: "Phí cấp bản sao Trích lục hộ tịch", amount: 8000, unit: "bản" },
    { name: "Lệ phí đăng ký khai sinh không đúng hạn", amount: null },
    { name: "Phí cấp bản sao Trích lục kết hôn (nếu có yêu cầu)", amount: 8000, optional: true, unit: "bản" },
  ] as ProcedureFee[],
  exemptions: [{ name: "Hộ nghèo", appliesTo: "le-phi" as const }],
};

describe("what a dossier owes (quoteFees, the one fee rule)", () => {
  it("when filed online, then the online amount applies; at the counter, the counter's", () => {
    expect(quoteFees(residence, "online")).toMatchObject({ total: 10000, fixed: true });
    expect(quoteFees(residence, "counter")).toMatchObject({ total: 20000, fixed: true });
    expect(quoteFees(residence, "online").lines).toEqual([
      { index: 0, name: "Lệ phí đăng ký thường trú", kind: "le-phi", quantity: 1, amount: 10000 },
    ]);
  });

  it("when an exemption is claimed, then its lines are waived and the claim is named", () => {
    const quote = quoteFees(residence, "online", { exemption: { index: 0, reason: "Người khuyết tật" } });
    expect(quote).toMatchObject({ total: 0, lines: [], fixed: true });
    expect(quote.exemption).toEqual({ index: 0, name: residence.exemptions[0]?.name, reason: "Người khuyết tật" });
  });

  it("when a line counts copies, then the quantity multiplies it; an optional line only when asked for", () => {
    // 3 copies × 8.000 = 24.000; the optional copy of the marriage extract, 2 × 8.000 = 16.000, only when chosen.
    expect(
      quoteFees(copies, "online", { quantities: { "0": 3 } }).lines.map((l) => [l.index, l.quantity, l.amount]),
    ).toEqual([[0, 3, 24000]]);
    expect(quoteFees(copies, "online", { quantities: { "0": 3, "2": 2 } }).total).toBe(40000);
    expect(quoteFees(copies, "online", { quantities: { "0": 1 }, optional: [2] }).total).toBe(16000);
  });

  it("when a line that applies has no figure, then the fees are not fixed and nothing is paid at filing", () => {
    const quote = quoteFees(copies, "online");
    expect(quote).toMatchObject({ fixed: false, total: 8000 });
    expect(paidAtFiling({ onlineLevel: 4 }, quote)).toBe(false);
    // The exemption waives lệ phí only: the unknown lệ phí goes, the phí stays, the rest is fixed.
    const waived = quoteFees(copies, "online", { exemption: { index: 0, reason: "Sổ hộ nghèo số 12" } });
    expect(waived).toMatchObject({ fixed: true, total: 8000 });
    expect(paidAtFiling({ onlineLevel: 4 }, waived)).toBe(true);
    expect(paidAtFiling({ onlineLevel: 3 }, waived)).toBe(false);
  });

  it("when a line's kind is not written, then it is read from its name", () => {
    expect(feeKindOf({ name: "Phí chứng thực bản sao" })).toBe("phi");
    expect(feeKindOf({ name: "Lệ phí đăng ký kết hôn" })).toBe("le-phi");
    expect(feeKindOf({ name: "Phíxyz" })).toBe("le-phi");
    expect(feeKindOf({ name: "Lệ phí", kind: "phi" })).toBe("phi");
  });
});

describe("the online-payment rate", () => {
  it("when 3 of 4 dossiers with fees were paid online in a unit, then its rate is 0.75 and another unit's is apart", () => {
    const groups = [
      { unitCode: "06652", withFees: 4, paidOnline: 3 },
      { unitCode: "06658", withFees: 2, paidOnline: 0 },
    ];
    expect(computePaymentRate(groups, { kind: "unit", unitCode: "06652", level: "commune" })).toMatchObject({
      numeratorValue: 3,
      denominatorValue: 4,
      ratio: 0.75,
    });
    expect(computePaymentRate(groups, { kind: "province" }).ratio).toBe(0.5);
    expect(computePaymentRate([], { kind: "province" }).ratio).toBeNull();
  });
});
