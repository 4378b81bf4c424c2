/**
 * A duration parameter's value in the IR: the text `<whole amount> <unit>` ("30 days",
 * "20 workdays"). Kept a string so `ParameterValue.value` stays a `Literal` for every consumer (a
 * diff shows "30 days → 20 workdays"; a UI that does not know durations still shows readable
 * text), and each value may use its own unit, as a new regulation may change 30天 to 20个工作日.
 * The schema holds duration parameters' values to this pattern.
 */
import type { DurationUnit, Literal } from './types.ts';

export const DURATION_VALUE_PATTERN = '^(0|[1-9][0-9]*) (days|workdays|months|years)$';
const DURATION_VALUE = new RegExp(DURATION_VALUE_PATTERN);

export function durationValueText(amount: number, unit: DurationUnit): string {
  return `${amount} ${unit}`;
}

/** The amount and unit of a duration parameter value; undefined for anything else. */
export function parseDurationValue(v: Literal): { amount: number; unit: DurationUnit } | undefined {
  if (typeof v !== 'string') return undefined;
  const m = DURATION_VALUE.exec(v);
  return m ? { amount: Number(m[1]), unit: m[2] as DurationUnit } : undefined;
}
