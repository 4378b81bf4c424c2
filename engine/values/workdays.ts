/**
 * Working days by the Chinese official calendar (public holidays and make-up working days, 调休),
 * from the `chinese-days` package's published table (2004 onwards, updated with each year's State
 * Council notice). Outside the table's years, Monday to Friday are working days.
 *
 * We read the package's table rather than call its `isWorkday`: that function parses dates as UTC
 * midnight but reads weekday and table keys in the local time zone, so west of UTC every answer
 * shifts by a day. Day numbers here are time-zone free.
 */
import table from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { formatDate, weekday } from './dates.ts';

const holidays: Record<string, string> = table.holidays;
const workdays: Record<string, string> = table.workdays;

/** Whether the day is an official working day. */
export function isWorkday(day: number): boolean {
  const key = formatDate(day);
  if (workdays[key] !== undefined) return true; // make-up working day, even on a weekend
  if (holidays[key] !== undefined) return false;
  const wd = weekday(day);
  return wd >= 1 && wd <= 5;
}

/** Working days after a up to and including b; negative when b is before a. */
export function workdaysBetween(a: number, b: number): number {
  if (b < a) return -workdaysBetween(b, a);
  let n = 0;
  for (let d = a + 1; d <= b; d++) if (isWorkday(d)) n++;
  return n;
}

/**
 * The n-th working day after `day` (n > 0), or before it (n < 0); n = 0 is the day itself.
 * So `workdaysBetween(d, addWorkdays(d, n)) === n` for n > 0.
 */
export function addWorkdays(day: number, n: number): number {
  const step = n < 0 ? -1 : 1;
  let left = Math.abs(Math.trunc(n));
  let d = day;
  while (left > 0) {
    d += step;
    if (isWorkday(d)) left--;
  }
  return d;
}
