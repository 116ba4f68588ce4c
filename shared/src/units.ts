import { z } from "zod";
import unitsData from "../data/units.json" with { type: "json" };
import { vietnamToday } from "./vietnam-time";

/**
 * Administrative units of Quảng Ninh as data (docs/domain.md §8): the province, the 54 commune-level units in force since
 * 1 July 2025 (NQ 1679/NQ-UBTVQH15; codes of the national list, Quyết định 19/2025/QĐ-TTg) and the 13 former
 * district-level units, kept so that history before July 2025 can still be reported.
 */
export const UnitType = z.enum(["province", "district", "phuong", "xa", "dac-khu"]);
export type UnitType = z.infer<typeof UnitType>;

export const UNIT_TYPE_LABELS: Record<UnitType, string> = {
  province: "Tỉnh",
  district: "Cấp huyện (đến 30/6/2025)",
  phuong: "Phường",
  xa: "Xã",
  "dac-khu": "Đặc khu",
};

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const AdministrativeUnit = z.object({
  /** National administrative unit code (mã đơn vị hành chính): "22" for the province, 5 digits for communes. */
  code: z.string().regex(/^\d{2,5}$/),
  name: z.string().min(1),
  fullName: z.string().min(1),
  type: UnitType,
  parentCode: z.string().nullable(),
  validFrom: IsoDate.optional(),
  validTo: IsoDate.optional(),
  /** For communes formed on 1 July 2025: the district the unit whose code it kept belonged to. */
  formerDistrictCode: z.string().nullable().optional(),
});
export type AdministrativeUnit = z.infer<typeof AdministrativeUnit>;

export const PROVINCE_CODE = "22";

export const ADMINISTRATIVE_UNITS: readonly AdministrativeUnit[] = z.array(AdministrativeUnit).parse(unitsData);

/** Units in force on a date (ISO `yyyy-mm-dd`); today by default. */
export function unitsInForce(onDate: string = vietnamToday()): AdministrativeUnit[] {
  return ADMINISTRATIVE_UNITS.filter(
    (u) => (u.validFrom === undefined || u.validFrom <= onDate) && (u.validTo === undefined || onDate <= u.validTo),
  );
}

/** The commune-level units (phường, xã, đặc khu) in force since 1 July 2025. */
export function currentCommunes(): AdministrativeUnit[] {
  return unitsInForce("2025-07-01").filter((u) => u.type === "phuong" || u.type === "xa" || u.type === "dac-khu");
}

export function findUnit(code: string): AdministrativeUnit | undefined {
  return ADMINISTRATIVE_UNITS.find((u) => u.code === code);
}
