import { z } from "zod";
import { line } from "./text/safe-text";
import { fromVietnamWallClock } from "./vietnam-time";

/**
 * Working days (ngày làm việc) for due dates: Monday to Friday, minus public holidays and compensatory days off, plus
 * the Saturdays the government makes working days when it swaps a day. Holidays are data that administrators keep
 * per year (DOMAIN.md §5), not a formula: Tết and Giỗ Tổ follow the lunar calendar and the swaps follow decisions.
 *
 * All dates are calendar dates in Vietnam (Asia/Ho_Chi_Minh, UTC+7 all year), written `yyyy-mm-dd`.
 */

export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Ngày phải có dạng yyyy-mm-dd");

export const CalendarDayKind = z.enum(["holiday", "compensatory-day-off", "working-day"]);
export type CalendarDayKind = z.infer<typeof CalendarDayKind>;

/** One exception to the Monday–Friday rule: a day off on a weekday, or a weekend day worked because of a swap. */
export const CalendarDay = z.object({
  date: IsoDate,
  name: line().trim().min(1, "Cần ghi tên ngày nghỉ hoặc ngày làm bù").max(200),
  kind: CalendarDayKind,
});
export type CalendarDay = z.infer<typeof CalendarDay>;

/** The calendar date in Vietnam of an instant (defined with the offset, in vietnam-time.ts). */
export { vietnamDate } from "./vietnam-time";

/** The last millisecond of a Vietnamese calendar date, as an instant (a dossier due on that date is late after it). */
export function endOfVietnamDay(date: string): Date {
  return new Date(fromVietnamWallClock(Date.parse(`${date}T23:59:59.999Z`)));
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

export class WorkingCalendar {
  private readonly daysOff = new Set<string>();
  private readonly extraWorkingDays = new Set<string>();

  constructor(days: readonly CalendarDay[]) {
    for (const day of days) {
      if (day.kind === "working-day") this.extraWorkingDays.add(day.date);
      else this.daysOff.add(day.date);
    }
  }

  isWorkingDay(date: string): boolean {
    if (this.extraWorkingDays.has(date)) return true;
    if (this.daysOff.has(date)) return false;
    const d = weekday(date);
    return d !== 0 && d !== 6;
  }

  /**
   * The date `days` working days after `start`: the day of receipt does not count, so a dossier received on a Monday
   * with 3 working days is due on Thursday. With 0 days it is due the same day (or, when received on a day off, the
   * next working day).
   */
  addWorkingDays(start: string, days: number): string {
    let date = start;
    if (days === 0) {
      while (!this.isWorkingDay(date)) date = addDays(date, 1);
      return date;
    }
    let left = days;
    while (left > 0) {
      date = addDays(date, 1);
      if (this.isWorkingDay(date)) left--;
    }
    return date;
  }

  /** Working days from `from` (excluded) to `to` (included); negative when `to` is before `from`. */
  workingDaysBetween(from: string, to: string): number {
    if (to < from) return -this.workingDaysBetween(to, from);
    let n = 0;
    for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (this.isWorkingDay(d)) n++;
    return n;
  }
}
