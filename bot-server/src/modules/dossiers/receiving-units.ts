import { currentCommunes, PROVINCE_CODE } from "@qn/shared";
import type { Db } from "../../db/database";

/**
 * The units that receive dossiers: each commune's one-stop counter for commune-level procedures, and the provincial
 * Public Administration Centre (Trung tâm Phục vụ hành chính công tỉnh, unit "22") for province-level ones.
 *
 * Agency codes prefix dossier codes. The provincial portal assigns its own codes; until it is connected (issue 7)
 * these are local: `<commune code>.H49` for communes and `000.00.00.H49` for the province (docs/decisions/0005).
 */
export const PROVINCE_AGENCY_CODE = "000.00.00.H49";

export async function seedReceivingUnits(db: Db): Promise<void> {
  const units = [
    {
      code: PROVINCE_CODE,
      name: "Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh",
      agency_code: PROVINCE_AGENCY_CODE,
      level: "province",
    },
    ...currentCommunes().map((c) => ({
      code: c.code,
      name: `UBND ${c.fullName.replace(/^(Phường|Xã|Đặc khu) /, (m) => m.toLowerCase())}`,
      agency_code: `${c.code}.H49`,
      level: "commune",
    })),
  ];
  for (const unit of units) {
    await db
      .insertInto("receiving_units")
      .values(unit)
      .onConflict((oc) => oc.column("code").doNothing())
      .execute();
  }
}

export async function receivingUnit(db: Db, code: string) {
  return db.selectFrom("receiving_units").selectAll().where("code", "=", code).executeTakeFirst();
}
