/**
 * Dates are plain calendar dates held as day numbers (days since 1970-01-01). All arithmetic goes
 * through UTC so no local time zone can shift a day.
 */

const MS_PER_DAY = 86_400_000;

/** `YYYY-MM-DD` to a day number; undefined when the text is not a real date. */
export function parseDate(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return fromYmd(y, mo, d);
}

export function fromYmd(y: number, month: number, d: number): number {
  return Math.round(Date.UTC(y, month - 1, d) / MS_PER_DAY);
}

export function toYmd(day: number): { y: number; m: number; d: number } {
  const dt = new Date(day * MS_PER_DAY);
  return { y: dt.getUTCFullYear(), m: dt.getUTCMonth() + 1, d: dt.getUTCDate() };
}

export function formatDate(day: number): string {
  const { y, m, d } = toYmd(day);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: number): number {
  // 1970-01-01 was a Thursday.
  return (((day + 4) % 7) + 7) % 7;
}

export function daysInMonth(y: number, month: number): number {
  return new Date(Date.UTC(y, month, 0)).getUTCDate();
}

/** Adds calendar months; a day past the end of the target month clamps to its last day (01-31 + 1 month = 02-28/29). */
export function addMonths(day: number, months: number): number {
  const { y, m, d } = toYmd(day);
  const total = y * 12 + (m - 1) + months;
  const ty = Math.floor(total / 12);
  const tm = total - ty * 12 + 1;
  return fromYmd(ty, tm, Math.min(d, daysInMonth(ty, tm)));
}

export function addYears(day: number, years: number): number {
  return addMonths(day, years * 12);
}

/** b − a in days. */
export function daysBetween(a: number, b: number): number {
  return b - a;
}

/**
 * Whole months from a to b: the largest n with a + n months ≤ b (month-end clamped), so the
 * anniversary day itself counts. Negative when b is before a: −monthsBetween(b, a).
 */
export function monthsBetween(a: number, b: number): number {
  if (b < a) return -monthsBetween(b, a);
  const ya = toYmd(a);
  const yb = toYmd(b);
  let n = (yb.y - ya.y) * 12 + (yb.m - ya.m);
  while (n > 0 && addMonths(a, n) > b) n--;
  return n;
}

/** Whole years from a to b (age: on the birthday the new year of age counts). */
export function yearsBetween(a: number, b: number): number {
  const months = monthsBetween(a, b);
  return months < 0 ? -Math.floor(-months / 12) : Math.floor(months / 12);
}

/** Today's date in Asia/Shanghai, the default as-of date. */
export function todayInShanghai(now: Date = new Date()): string {
  // UTC+8 all year: China has no daylight saving time.
  return formatDate(Math.floor((now.getTime() + 8 * 3_600_000) / MS_PER_DAY));
}
