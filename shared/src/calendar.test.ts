import { describe, expect, it } from "vitest";
import { endOfVietnamDay, vietnamDate, WorkingCalendar } from "./calendar";

// Real 2025 days: 30/4 (Wed) and 1/5 (Thu) holidays, 2/5 (Fri) off, swapped with Saturday 26/4 worked.
const calendar = new WorkingCalendar([
  { date: "2025-04-30", name: "Ngày Chiến thắng", kind: "holiday" },
  { date: "2025-05-01", name: "Quốc tế Lao động", kind: "holiday" },
  { date: "2025-05-02", name: "Nghỉ bù", kind: "compensatory-day-off" },
  { date: "2025-04-26", name: "Làm bù cho ngày 02/5", kind: "working-day" },
]);

describe("working-day calendar", () => {
  it("when counting from a Monday, then the day of receipt does not count and weekends are skipped", () => {
    expect(calendar.addWorkingDays("2025-03-03", 3)).toBe("2025-03-06");
    expect(calendar.addWorkingDays("2025-03-06", 3)).toBe("2025-03-11");
  });

  it("when holidays and a swapped Saturday fall in the period, then days off are skipped and the Saturday counts", () => {
    // Received Friday 25/4: Sat 26/4 is worked (1), Mon 28 (2), Tue 29 (3), 30/4–2/5 off, Mon 5/5 (4).
    expect(calendar.addWorkingDays("2025-04-25", 4)).toBe("2025-05-05");
    expect(calendar.isWorkingDay("2025-04-26")).toBe(true);
    expect(calendar.isWorkingDay("2025-05-02")).toBe(false);
    expect(calendar.workingDaysBetween("2025-04-25", "2025-05-05")).toBe(4);
  });

  it("when the time is 0 days, then it is due the same day, or the next working day if received on a day off", () => {
    expect(calendar.addWorkingDays("2025-03-05", 0)).toBe("2025-03-05");
    expect(calendar.addWorkingDays("2025-04-30", 0)).toBe("2025-05-05");
  });

  it("when an instant is late in the evening UTC, then its Vietnamese date is the next day", () => {
    expect(vietnamDate(new Date("2025-03-05T18:30:00Z"))).toBe("2025-03-06");
    expect(endOfVietnamDay("2025-03-06").toISOString()).toBe("2025-03-06T16:59:59.999Z");
  });
});
