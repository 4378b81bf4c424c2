/**
 * Working-day counts by table lookup. `engine/values/workdays.ts` walks day by day and formats
 * each date to look it up; a batch reads the same few years millions of times, so this keeps a
 * prefix count of working days over a fixed window (built once, from the same `isWorkday`) and
 * answers inside it in constant time. Outside the window it defers to the reference function, so
 * both always give the same count.
 */
import { fromYmd, isWorkday, workdaysBetween as referenceWorkdaysBetween } from '../values/index.ts';

const START = fromYmd(1990, 1, 1);
const END = fromYmd(2100, 1, 1);

/** prefix[i]: working days in [START, START + i). */
let prefix: Int32Array | undefined;

function table(): Int32Array {
  if (prefix) return prefix;
  const p = new Int32Array(END - START + 1);
  for (let d = START; d < END; d++) p[d - START + 1] = p[d - START]! + (isWorkday(d) ? 1 : 0);
  prefix = p;
  return p;
}

/** Working days after a up to and including b (negative when b is before a), as `values.workdaysBetween`. */
export function workdaysBetweenFast(a: number, b: number): number {
  if (b < a) return -workdaysBetweenFast(b, a);
  // Days counted are a+1 … b; both ends must lie inside the table.
  if (a + 1 < START || b >= END) return referenceWorkdaysBetween(a, b);
  const p = table();
  return p[b + 1 - START]! - p[a + 1 - START]!;
}
