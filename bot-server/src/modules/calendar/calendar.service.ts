import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CalendarDay, WorkingCalendar } from "@qn/shared";
import { z } from "zod";
import type { Db } from "../../db/database";

/** Vietnam's days off and swapped working days for 2025–2027, researched with their sources (docs/decisions/0005). */
export const SHIPPED_CALENDAR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../catalogue/calendar/vietnam-2025-2027.json",
);

/**
 * The holiday calendar that due dates count with. Administrators edit it (`/api/admin/calendar`); the shipped days
 * are loaded once into an empty database. The calendar is cached and reloaded after each edit.
 */
export class CalendarService {
  private cached: WorkingCalendar | undefined;

  constructor(private readonly db: Db) {}

  async seedIfEmpty(): Promise<void> {
    const any = await this.db.selectFrom("calendar_days").select("date").limit(1).executeTakeFirst();
    if (any) return;
    const days = z.array(CalendarDay.passthrough()).parse(JSON.parse(fs.readFileSync(SHIPPED_CALENDAR, "utf8")));
    const now = new Date().toISOString();
    await this.db
      .insertInto("calendar_days")
      .values(days.map((d) => ({ date: d.date, name: d.name, kind: d.kind, updated_by: "seed", updated_at: now })))
      .execute();
  }

  async calendar(): Promise<WorkingCalendar> {
    if (!this.cached) this.cached = new WorkingCalendar(await this.list());
    return this.cached;
  }

  async list(year?: number): Promise<CalendarDay[]> {
    let query = this.db.selectFrom("calendar_days").select(["date", "name", "kind"]).orderBy("date");
    if (year) query = query.where("date", ">=", `${year}-01-01`).where("date", "<=", `${year}-12-31`);
    const rows = await query.execute();
    return rows.map((r) => CalendarDay.parse(r));
  }

  async put(day: CalendarDay, by: string): Promise<void> {
    const now = new Date().toISOString();
    await this.db
      .insertInto("calendar_days")
      .values({ ...day, updated_by: by, updated_at: now })
      .onConflict((oc) =>
        oc.column("date").doUpdateSet({ name: day.name, kind: day.kind, updated_by: by, updated_at: now }),
      )
      .execute();
    this.cached = undefined;
  }

  async remove(date: string): Promise<boolean> {
    const result = await this.db.deleteFrom("calendar_days").where("date", "=", date).executeTakeFirst();
    this.cached = undefined;
    return Number(result.numDeletedRows) > 0;
  }
}
