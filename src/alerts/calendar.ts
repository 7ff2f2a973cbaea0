/**
 * Working days in Asia/Shanghai (pure). A day is a working day when it is a Monday–Friday that is not a
 * listed holiday, or a listed make-up working day (调休上班, usually a Saturday or Sunday next to a long
 * holiday). Dates are civil dates "YYYY-MM-DD"; a `Date` is first turned into its Shanghai date (UTC+8,
 * no daylight saving since 1991), so the process time zone never matters.
 *
 * Counting convention: `workingDaysBetween(a, b)` counts the working days d with a < d ≤ b (the day of
 * the event itself does not count, the day you look does), negative when b < a; and
 * `workingDaysBetween(a, addWorkingDays(a, n)) === n` for every n ≥ 0.
 */
import { BidwatchError } from "../errors.ts";

/** "YYYY-MM-DD", a calendar date in Asia/Shanghai. */
export type CivilDate = string;

export interface WorkCalendar {
  /** Days off that would otherwise be working days (法定节假日 and the days moved next to them). */
  readonly holidays: readonly CivilDate[];
  /** Weekend days that are working days (调休上班). */
  readonly workdays: readonly CivilDate[];
}

export class CalendarError extends BidwatchError {
  constructor(message: string) {
    super("E_CALENDAR", `calendar: ${message}`);
    this.name = "CalendarError";
  }
}

const MS_PER_DAY = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const CIVIL_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a civil date; throws on anything that is not a real date. */
function dayNumber(date: CivilDate): number {
  const m = CIVIL_RE.exec(date);
  if (!m) throw new CalendarError(`"${date}" is not a date (expected YYYY-MM-DD)`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new CalendarError(`"${date}" is not a valid date`);
  }
  return Math.round(ms / MS_PER_DAY);
}

function civilOf(day: number): CivilDate {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Weekends only, no holidays. */
export const WEEKENDS_ONLY: WorkCalendar = { holidays: [], workdays: [] };

function span(from: CivilDate, to: CivilDate): CivilDate[] {
  const out: CivilDate[] = [];
  for (let d = dayNumber(from); d <= dayNumber(to); d++) out.push(civilOf(d));
  return out;
}

/**
 * The mainland public-holiday arrangement for 2025 and 2026 as published by the General Office of the
 * State Council (国务院办公厅关于2025年/2026年部分节假日安排的通知). Later years must be added to the
 * configuration when the State Council publishes them (usually in November of the year before).
 */
export const CN_CALENDAR_2025_2026: WorkCalendar = {
  holidays: [
    // 2025
    "2025-01-01",
    ...span("2025-01-28", "2025-02-04"),
    ...span("2025-04-04", "2025-04-06"),
    ...span("2025-05-01", "2025-05-05"),
    ...span("2025-05-31", "2025-06-02"),
    ...span("2025-10-01", "2025-10-08"),
    // 2026
    ...span("2026-01-01", "2026-01-03"),
    ...span("2026-02-15", "2026-02-23"),
    ...span("2026-04-04", "2026-04-06"),
    ...span("2026-05-01", "2026-05-05"),
    ...span("2026-06-19", "2026-06-21"),
    ...span("2026-09-25", "2026-09-27"),
    ...span("2026-10-01", "2026-10-07"),
  ],
  workdays: [
    "2025-01-26",
    "2025-02-08",
    "2025-04-27",
    "2025-09-28",
    "2025-10-11",
    "2026-01-04",
    "2026-02-14",
    "2026-02-28",
    "2026-05-09",
    "2026-09-20",
    "2026-10-10",
  ],
};

/** The Shanghai calendar date of an instant. */
export function shanghaiDate(d: Date): CivilDate {
  return new Date(d.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** "YYYY-MM-DD HH:MM:SS" Shanghai local time of an instant (for CSV cells). */
export function shanghaiTimestamp(d: Date): string {
  return new Date(d.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19).replace("T", " ");
}

/** ISO 8601 with the +08:00 offset, e.g. "2025-03-03T10:00:00.000+08:00" (for JSON). */
export function shanghaiIso(d: Date): string {
  return `${new Date(d.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 23)}+08:00`;
}

function toDay(date: Date | CivilDate): number {
  return dayNumber(typeof date === "string" ? date : shanghaiDate(date));
}

interface Compiled {
  readonly holidays: ReadonlySet<number>;
  readonly workdays: ReadonlySet<number>;
}

const compiled = new WeakMap<WorkCalendar, Compiled>();

function compile(cal: WorkCalendar): Compiled {
  let c = compiled.get(cal);
  if (!c) {
    const holidays = new Set(cal.holidays.map(dayNumber));
    const workdays = new Set(cal.workdays.map(dayNumber));
    for (const d of workdays) {
      if (holidays.has(d)) throw new CalendarError(`${civilOf(d)} is listed both as a holiday and a workday`);
    }
    c = { holidays, workdays };
    compiled.set(cal, c);
  }
  return c;
}

function isWorking(day: number, c: Compiled): boolean {
  if (c.workdays.has(day)) return true;
  if (c.holidays.has(day)) return false;
  const weekday = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  return weekday !== 0 && weekday !== 6;
}

export function isWorkingDay(date: Date | CivilDate, cal: WorkCalendar = WEEKENDS_ONLY): boolean {
  return isWorking(toDay(date), compile(cal));
}

/** Bound on the days walked, so a calendar with no working days cannot loop forever. */
const MAX_WALK_DAYS = 366 * 200;

/**
 * The n-th working day after `date` (before it when n < 0). n = 0 returns the date itself, working day or
 * not. Example: Friday 2025-03-07 + 1 → Monday 2025-03-10.
 */
export function addWorkingDays(
  date: Date | CivilDate,
  n: number,
  cal: WorkCalendar = WEEKENDS_ONLY,
): CivilDate {
  if (!Number.isInteger(n)) throw new CalendarError(`working-day count must be an integer, not ${n}`);
  const c = compile(cal);
  let day = toDay(date);
  const step = n < 0 ? -1 : 1;
  let left = Math.abs(n);
  for (let walked = 0; left > 0; walked++) {
    if (walked > MAX_WALK_DAYS) throw new CalendarError("no working days in the calendar range");
    day += step;
    if (isWorking(day, c)) left--;
  }
  return civilOf(day);
}

/**
 * Working days d with a < d ≤ b; the negated count of b < d ≤ a when b is before a.
 * Example: from Monday 2025-03-03 to Tuesday 2025-03-11 is 6 working days.
 */
export function workingDaysBetween(
  a: Date | CivilDate,
  b: Date | CivilDate,
  cal: WorkCalendar = WEEKENDS_ONLY,
): number {
  const c = compile(cal);
  const from = toDay(a);
  const to = toDay(b);
  const [lo, hi, sign] = from <= to ? [from, to, 1] : [to, from, -1];
  if (hi - lo > MAX_WALK_DAYS) throw new CalendarError("date range too long");
  let n = 0;
  for (let d = lo + 1; d <= hi; d++) if (isWorking(d, c)) n++;
  return sign * n;
}
