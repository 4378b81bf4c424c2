/**
 * Run-time values. Every expression evaluates to a `Value`; a missing fact, a parameter without a
 * value on the as-of date or a division by zero evaluates to `Unknown`, which carries why, so a
 * decision can say which facts it lacked instead of silently reading `false`.
 */
import type { DurationUnit, LocalizedText } from '../ir/types.ts';

export type Value =
  | { kind: 'boolean'; value: boolean }
  /** integer and number alike; `integer` is static information only. */
  | { kind: 'number'; value: number }
  /** A ratio (3% is 0.03); kept apart from number so results can be shown as written. */
  | { kind: 'percent'; ratio: number }
  /** Exact money as an integer number of fen. */
  | { kind: 'money'; fen: number }
  /** Days since 1970-01-01 of the plain calendar date. */
  | { kind: 'date'; day: number }
  | { kind: 'duration'; amount: number; unit: DurationUnit }
  /** Strings and enum values. */
  | { kind: 'string'; value: string }
  | { kind: 'list'; records: Record<string, Value>[] }
  | Unknown;

/** A value that could not be determined: the fact paths it lacks and any other reasons. */
export interface Unknown {
  kind: 'unknown';
  /** Sorted, distinct: plain fact names or record paths like `贷款[3].逾期天数`. */
  missing: string[];
  /** Other reasons (division by zero, parameter without a value), deduplicated by zh text. */
  reasons: LocalizedText[];
}

export type Known = Exclude<Value, Unknown>;

export const bool = (value: boolean): Value => ({ kind: 'boolean', value });
export const num = (value: number): Value => ({ kind: 'number', value });
export const pct = (ratio: number): Value => ({ kind: 'percent', ratio });
export const money = (fen: number): Value => ({ kind: 'money', fen });
export const date = (day: number): Value => ({ kind: 'date', day });
export const str = (value: string): Value => ({ kind: 'string', value });

export function unknown(missing: readonly string[] = [], reasons: readonly LocalizedText[] = []): Unknown {
  return { kind: 'unknown', missing: [...new Set(missing)].sort(), reasons: dedupeReasons(reasons) };
}

export function isUnknown(v: Value): v is Unknown {
  return v.kind === 'unknown';
}

/** Union of the unknowns among `vs` (callers use it when at least one is unknown). */
export function mergeUnknown(vs: readonly Value[]): Unknown {
  const missing: string[] = [];
  const reasons: LocalizedText[] = [];
  for (const v of vs) {
    if (v.kind !== 'unknown') continue;
    missing.push(...v.missing);
    reasons.push(...v.reasons);
  }
  return unknown(missing, reasons);
}

function dedupeReasons(reasons: readonly LocalizedText[]): LocalizedText[] {
  const seen = new Map<string, LocalizedText>();
  for (const r of reasons) if (!seen.has(r.zh)) seen.set(r.zh, r);
  return [...seen.values()];
}

/** The numeric magnitude of a number-like value (number or percent). */
export function numeric(v: Known): number | undefined {
  if (v.kind === 'number') return v.value;
  if (v.kind === 'percent') return v.ratio;
  return undefined;
}
