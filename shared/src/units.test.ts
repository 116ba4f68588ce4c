import { describe, expect, it } from "vitest";
import { ADMINISTRATIVE_UNITS, currentCommunes, findUnit, PROVINCE_CODE, unitsInForce } from "./units";

describe("administrative units of Quảng Ninh", () => {
  it("when the units in force after 1 July 2025 are listed, then there are 54 communes: 30 phường, 22 xã, 2 đặc khu", () => {
    const communes = currentCommunes();
    expect(communes).toHaveLength(54);
    expect(communes.filter((u) => u.type === "phuong")).toHaveLength(30);
    expect(communes.filter((u) => u.type === "xa")).toHaveLength(22);
    expect(communes.filter((u) => u.type === "dac-khu").map((u) => u.name)).toEqual(["Vân Đồn", "Cô Tô"]);
    expect(new Set(communes.map((u) => u.code)).size).toBe(54);
    expect(communes.every((u) => u.parentCode === PROVINCE_CODE)).toBe(true);
  });

  it("when history before July 2025 is needed, then the 13 former district-level units are there and out of force", () => {
    const districts = ADMINISTRATIVE_UNITS.filter((u) => u.type === "district");
    expect(districts).toHaveLength(13);
    expect(unitsInForce("2025-06-30").filter((u) => u.type === "district")).toHaveLength(13);
    expect(unitsInForce("2025-07-01").filter((u) => u.type === "district")).toHaveLength(0);
    expect(unitsInForce("2025-06-30").some((u) => u.type === "phuong")).toBe(false);
  });

  it("when a commune is looked up by code, then its district of origin is known", () => {
    const haTu = findUnit("06652");
    expect(haTu?.fullName).toBe("Phường Hà Tu");
    expect(findUnit(haTu?.formerDistrictCode ?? "")?.name).toBe("Hạ Long");
    expect(findUnit("22")?.type).toBe("province");
  });
});
