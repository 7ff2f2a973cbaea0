/**
 * The generator's clock: times are whole seconds since 2025-01-01 00:00:00 local time
 * (Asia/Shanghai, no daylight saving), days are whole days since that date. Formatting goes through
 * UTC arithmetic only, so the process time zone never matters.
 */
export const DAY = 86_400;
const EPOCH_MS = Date.UTC(2025, 0, 1);
const TABLE_FROM = -1500;
const TABLE_TO = 1500;

const dayTable: string[] = [];

function computeDay(day: number): string {
  return new Date(EPOCH_MS + day * DAY * 1000).toISOString().slice(0, 10);
}

/** "YYYY-MM-DD" of a day number (0 = 2025-01-01). */
export function formatDay(day: number): string {
  if (day < TABLE_FROM || day > TABLE_TO) return computeDay(day);
  if (dayTable.length === 0) for (let d = TABLE_FROM; d <= TABLE_TO; d++) dayTable.push(computeDay(d));
  return dayTable[day - TABLE_FROM] as string;
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
