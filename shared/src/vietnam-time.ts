/**
 * Vietnam time (Asia/Ho_Chi_Minh): UTC+7 all year, no daylight saving. The one place the offset is written, and the
 * date and time formats the screens show, computed by arithmetic on the offset: never from the machine's time zone
 * (a server in UTC, an official's laptop abroad) nor from the WebView's locale data. Plain functions without zod,
 * so the mini-app pays almost nothing for them.
 *
 * A "wall-clock" value below is what Vietnam's clocks read, written as a UTC timestamp: read its fields with
 * `getUTC…` (or its ISO string), never with the local getters.
 */

export const VIETNAM_UTC_OFFSET_MS = 7 * 60 * 60 * 1000;

/** What Vietnam's clocks read at an instant (UTC milliseconds), as a wall-clock value. */
export function toVietnamWallClock(instantMs: number): number {
  return instantMs + VIETNAM_UTC_OFFSET_MS;
}

/** The instant (UTC milliseconds) at which Vietnam's clocks read a wall-clock value. */
export function fromVietnamWallClock(wallMs: number): number {
  return wallMs - VIETNAM_UTC_OFFSET_MS;
}

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * UTC milliseconds of an instant: a Date, a timestamp, or an ISO 8601 date-time string. A string without a zone is
 * read as UTC, as the server writes its instants (`Date.parse` would read it in the machine's zone). Undefined when
 * it is not an instant.
 */
function instantMs(value: Date | number | string): number | undefined {
  let ms: number;
  if (typeof value === "number") ms = value;
  else if (value instanceof Date) ms = value.getTime();
  else {
    const text = value.trim();
    if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(text)) return undefined;
    ms = Date.parse(HAS_ZONE.test(text) ? text : `${text.replace(" ", "T")}Z`);
  }
  return Number.isFinite(ms) ? ms : undefined;
}

/** The wall-clock fields, two digits each (four for the year). */
function wallClock(ms: number) {
  const iso = new Date(toVietnamWallClock(ms)).toISOString(); // yyyy-mm-ddTHH:mm:ss.sssZ
  return {
    date: iso.slice(0, 10),
    y: iso.slice(0, 4),
    mo: iso.slice(5, 7),
    d: iso.slice(8, 10),
    time: iso.slice(11, 16),
  };
}

/** The calendar date in Vietnam of an instant, `yyyy-mm-dd` (a dossier filed at 06:30 on 12/03 → 2026-03-12). */
export function vietnamDate(instant: Date | number | string): string {
  const ms = instantMs(instant);
  if (ms === undefined) throw new RangeError(`Not an instant: ${String(instant)}`);
  return wallClock(ms).date;
}

/** Today's calendar date in Vietnam, `yyyy-mm-dd`. */
export function vietnamToday(now: Date | number = Date.now()): string {
  return vietnamDate(now);
}

/**
 * The instant at which Vietnam's clocks read a wall-clock time typed as `yyyy-mm-ddTHH:mm` (what an
 * `<input type="datetime-local">` gives), whatever the machine's own zone. Undefined when it is not such a time.
 */
export function fromVietnamDateTimeInput(value: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?$/.test(value)) return undefined;
  const wall = Date.parse(`${value}Z`);
  return Number.isFinite(wall) ? new Date(fromVietnamWallClock(wall)) : undefined;
}

/**
 * A date as Vietnamese write it, `dd/mm/yyyy`, in Vietnam time. A calendar date (`yyyy-mm-dd`: a due date, a birth
 * date) is that date; an instant is the date in Vietnam when it happened (2026-03-11T23:30:00Z → 12/03/2026). Anything
 * else is returned as it came, rather than a wrong date.
 */
export function formatVietnamDate(value: Date | number | string): string {
  if (typeof value === "string") {
    const day = CALENDAR_DATE.exec(value.trim());
    if (day) return `${day[3]}/${day[2]}/${day[1]}`;
  }
  const ms = instantMs(value);
  if (ms === undefined) return String(value);
  const { y, mo, d } = wallClock(ms);
  return `${d}/${mo}/${y}`;
}

/** An instant as `HH:mm dd/mm/yyyy` in Vietnam time (a dossier's steps, the console's lists). */
export function formatVietnamDateTime(value: Date | number | string): string {
  const ms = instantMs(value);
  if (ms === undefined) return String(value);
  const { y, mo, d, time } = wallClock(ms);
  return `${time} ${d}/${mo}/${y}`;
}

/** An instant as `HH:mm dd-mm` in Vietnam time, without the year (the inbox, where everything is recent). */
export function formatVietnamDayTime(value: Date | number | string): string {
  const ms = instantMs(value);
  if (ms === undefined) return String(value);
  const { mo, d, time } = wallClock(ms);
  return `${time} ${d}-${mo}`;
}
