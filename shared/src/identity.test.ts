import { describe, expect, it } from "vitest";
import { IdentityNumber, identityNumberProblem, maskIdentityNumber, maskName, normalisePhone } from "./identity";

describe("identification numbers, names and phones", () => {
  it("when a number has 12 digits, a real province code and a past birth year, then it is valid", () => {
    expect(identityNumberProblem("022090001234")).toBeUndefined(); // Quảng Ninh, man born 1990
    expect(identityNumberProblem("001305012345")).toBeUndefined(); // Hà Nội, woman born 2005
  });

  it("when a number is malformed, then the reason is precise", () => {
    expect(identityNumberProblem("02209000123")).toBe("format");
    expect(identityNumberProblem("02209000123a")).toBe("format");
    expect(identityNumberProblem("003090001234")).toBe("province"); // 003 is no province code
    expect(identityNumberProblem("022490001234")).toBe("year"); // born in the 2100s
    expect(identityNumberProblem("022299001234", new Date("2026-01-01"))).toBe("year"); // born 2099
    expect(IdentityNumber.safeParse("123").error?.issues[0]?.message).toContain("12 chữ số");
  });

  it("when personal data is shown to others, then it is masked", () => {
    expect(maskIdentityNumber("022090001234")).toBe("022*******34");
    expect(maskName("Nguyễn Văn An")).toBe("Nguyễn V** A*");
  });

  it("when a phone comes from Zalo or is typed with spaces, then it is normalised; landlines and junk are refused", () => {
    expect(normalisePhone("84912345678")).toBe("0912345678");
    expect(normalisePhone("0912 345 678")).toBe("0912345678");
    expect(normalisePhone("+84 33 123 4567")).toBe("0331234567");
    expect(normalisePhone("02033123456")).toBeUndefined();
    expect(normalisePhone("hello")).toBeUndefined();
  });
});
