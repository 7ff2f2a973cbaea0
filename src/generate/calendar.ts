/**
 * The generator's clock: times are whole seconds since 2025-01-01 00:00:00 local time
 * (Asia/Shanghai, no daylight saving), days are whole days since that date. Formatting goes through
 * UTC arithmetic only, so the process time zone never matters.
 */
export const DAY = 86_400;
/** Days from 1970-01-01 to 2025-01-01. */
const EPOCH_DAYS = 20_089;

/**
 * "YYYY-MM-DD" of a day number (0 = 2025-01-01), by Howard Hinnant's civil_from_days algorithm
 * (proleptic Gregorian calendar, integer arithmetic only).
 */
export function formatDay(day: number): string {
  const z = day + EPOCH_DAYS + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y}-${two(m)}-${two(d)}`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** "YYYY-MM-DD HH:MM:SS" of a second count (0 = 2025-01-01 00:00:00). */
export function formatTimestamp(sec: number): string {
  const day = Math.floor(sec / DAY);
  const rem = sec - day * DAY;
  const h = Math.floor(rem / 3600);
  const m = Math.floor((rem - h * 3600) / 60);
  const s = rem - h * 3600 - m * 60;
  return `${formatDay(day)} ${two(h)}:${two(m)}:${two(s)}`;
}

export function dayOf(sec: number): number {
  return Math.floor(sec / DAY);
}

/** "YYYYMMDD" of a day number, as used inside resident ID numbers. */
export function compactDay(day: number): string {
  return formatDay(day).replaceAll("-", "");
}
