import { quoteFees } from "@qn/shared";
import { describe, expect, it } from "vitest";
import { feesTiming, unitPrice } from "./fees";

describe("the wizard's fee words", () => {
  it("when a line is priced, then online amounts, free lines and lines set later read apart", () => {
    expect(unitPrice({ name: "Phí cấp bản sao", amount: 8000, unit: "bản" })).toBe(8000);
    expect(unitPrice({ name: "Lệ phí", amount: 20000, onlineAmount: 10000 })).toBe(10000);
    expect(unitPrice({ name: "Phí bản sao (nếu có yêu cầu)", amount: 8000, optional: true, unit: "bản" })).toBe(8000);
    expect(unitPrice({ name: "Lệ phí đúng hạn", amount: 0 })).toBe("free");
    expect(unitPrice({ name: "Lệ phí quá hạn", amount: null })).toBe("later");
  });

  it("when the quote is known, then the citizen is told when it is paid", () => {
    const copies = { fees: [{ name: "Phí cấp bản sao", amount: 8000, unit: "bản" }] };
    expect(feesTiming({ onlineLevel: 4 }, quoteFees(copies, "online"))).toMatch(/ngay sau khi nộp hồ sơ/);
    expect(feesTiming({ onlineLevel: 3 }, quoteFees(copies, "online"))).toMatch(/khi cán bộ tiếp nhận/);
    const later = { fees: [{ name: "Lệ phí", amount: null }] };
    expect(feesTiming({ onlineLevel: 4 }, quoteFees(later, "online"))).toMatch(/cán bộ sẽ báo số tiền/);
    const exempt = { ...copies, exemptions: [{ name: "Hộ nghèo" }] };
    expect(
      feesTiming({ onlineLevel: 4 }, quoteFees(exempt, "online", { exemption: { index: 0, reason: "Hộ nghèo" } })),
    ).toMatch(/nếu cán bộ xác nhận/);
    expect(feesTiming({ onlineLevel: 4 }, quoteFees({ fees: [{ name: "Lệ phí", amount: 0 }] }, "online"))).toBe(
      "Bạn không phải nộp phí, lệ phí.",
    );
  });
});
