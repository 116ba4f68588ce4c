import { describe, expect, it } from "vitest";
import { endOfVietnamDay } from "./calendar";
import { fromPortalDateTime, toPortalDateTime } from "./portal-wire";
import {
  formatVietnamDate,
  formatVietnamDateTime,
  formatVietnamDayTime,
  fromVietnamDateTimeInput,
  vietnamDate,
  vietnamToday,
} from "./vietnam-time";

// Nothing here may depend on the machine's zone: run also with TZ=America/New_York (a zone behind UTC, with DST).

describe("Vietnam time", () => {
  it("when a dossier is filed at 06:30 on 12/03/2026 in Vietnam (23:30 UTC the day before), then it shows 12/03", () => {
    const filed = "2026-03-11T23:30:00.000Z";
    expect(formatVietnamDate(filed)).toBe("12/03/2026");
    expect(vietnamDate(new Date(filed))).toBe("2026-03-12");
    expect(formatVietnamDateTime(filed)).toBe("06:30 12/03/2026");
    expect(formatVietnamDayTime(filed)).toBe("06:30 12-03");
  });

  it("when the instant is 23:59 or 00:00 in Vietnam, then the date turns at Vietnam's midnight, not UTC's", () => {
    // 23:59 on 12/03 in Vietnam is 16:59 UTC; 00:00 on 13/03 is 17:00 UTC.
    expect(formatVietnamDate("2026-03-12T16:59:59.999Z")).toBe("12/03/2026");
    expect(formatVietnamDateTime("2026-03-12T16:59:00Z")).toBe("23:59 12/03/2026");
    expect(formatVietnamDate("2026-03-12T17:00:00Z")).toBe("13/03/2026");
    expect(formatVietnamDateTime("2026-03-12T17:00:00Z")).toBe("00:00 13/03/2026");
    // 00:00 UTC is already 07:00 in Vietnam, the same date.
    expect(formatVietnamDateTime("2026-03-12T00:00:00Z")).toBe("07:00 12/03/2026");
    // The year turns too.
    expect(formatVietnamDate("2026-12-31T17:00:00Z")).toBe("01/01/2027");
    expect(vietnamToday(Date.parse("2026-12-31T16:59:59Z"))).toBe("2026-12-31");
    expect(vietnamToday(Date.parse("2026-12-31T17:00:00Z"))).toBe("2027-01-01");
  });

  it("when the value is a yyyy-mm-dd calendar date (a due date, a birth date), then it stays that date", () => {
    expect(formatVietnamDate("2026-03-12")).toBe("12/03/2026");
    expect(formatVietnamDate("2026-12-03")).toBe("03/12/2026");
    expect(formatVietnamDate("1990-01-01")).toBe("01/01/1990");
  });

  it("when the instant comes with an offset, as a Date or a timestamp, or without a zone, then it is read alike", () => {
    expect(formatVietnamDateTime("2026-03-12T06:30:00+07:00")).toBe("06:30 12/03/2026");
    expect(formatVietnamDateTime(new Date("2026-03-11T23:30:00Z"))).toBe("06:30 12/03/2026");
    expect(formatVietnamDateTime(Date.parse("2026-03-11T23:30:00Z"))).toBe("06:30 12/03/2026");
    // A zone-less date-time is UTC, as the server writes instants (not the machine's zone).
    expect(formatVietnamDateTime("2026-03-11T23:30:00")).toBe("06:30 12/03/2026");
    expect(formatVietnamDateTime("2026-03-11 23:30:00")).toBe("06:30 12/03/2026");
  });

  it("when the value is not a date, then it is shown as it came and vietnamDate refuses it", () => {
    expect(formatVietnamDate("")).toBe("");
    expect(formatVietnamDate("không rõ")).toBe("không rõ");
    expect(formatVietnamDateTime("2026-13-45T99:00:00Z")).toBe("2026-13-45T99:00:00Z");
    expect(() => vietnamDate(new Date(Number.NaN))).toThrow(RangeError);
  });

  it("when an official types a time in a datetime-local input, then it is that time in Vietnam", () => {
    expect(fromVietnamDateTimeInput("2026-03-12T06:30")?.toISOString()).toBe("2026-03-11T23:30:00.000Z");
    expect(fromVietnamDateTimeInput("2026-03-13T00:00")?.toISOString()).toBe("2026-03-12T17:00:00.000Z");
    expect(fromVietnamDateTimeInput("")).toBeUndefined();
    expect(fromVietnamDateTimeInput("12/03/2026 06:30")).toBeUndefined();
  });

  it("when the calendar and the portal wire use the one offset, then they agree with the formatters", () => {
    const end = endOfVietnamDay("2026-03-12");
    expect(end.toISOString()).toBe("2026-03-12T16:59:59.999Z");
    expect(formatVietnamDate(end)).toBe("12/03/2026");
    expect(toPortalDateTime("2026-03-11T23:30:00Z")).toBe("20260312063000");
    expect(formatVietnamDateTime(fromPortalDateTime("20260312063000"))).toBe("06:30 12/03/2026");
  });
});
