/**
 * The fixed helpers generated evaluators call (`rt` in the generated source, ./generate.ts). Values
 * in generated code are unboxed by static kind: money in fen, percents as ratios, numbers, dates as
 * day numbers (all JS numbers), strings, booleans; durations stay boxed `Value`s (their unit can
 * vary with the as-of date); an unknown is the `Unknown` object of engine/values. The arithmetic is
 * engine/values' own, so rounding is the reference's.
 */
import { MONEY_PATTERN } from '../facts/schema.ts';
import { MSG } from '../messages.ts';
import {
  arith,
  compare,
  divMoney,
  monthsBetween,
  mulMoney,
  negate,
  parseDate,
  roundHalfAway,
  roundMoneyToYuan,
  shiftDate,
  unknown,
  yearsBetween,
  yuanToFen,
  mergeUnknown,
  type Unknown,
  type Value,
} from '../values/index.ts';
import { workdaysBetweenFast } from './workdays.ts';

/** Sentinel: the input may be invalid; the reference validator must judge it. */
export const UNSURE = Symbol('unsure');

const MONEY_RE = new RegExp(MONEY_PATTERN);

/**
 * A money fact in fen, or UNSURE where the reference validator must judge it (then it gives the
 * errors, or for the rare valid input this is too strict for, the interpreter decides).
 */
export function moneyFen(raw: unknown): number | typeof UNSURE {
  if (typeof raw === 'number') {
    // Whole yuan in int32 range: exactly raw × 100 fen (-0 reads as 0, as below).
    if ((raw | 0) === raw) return raw === 0 ? 0 : raw * 100;
    if (!Number.isFinite(raw)) return UNSURE;
    // ajv's multipleOf with multipleOfPrecision 2, as configured in engine/facts/validate.ts.
    const q = raw / 0.01;
    if (Math.abs(Math.round(q) - q) > 1e-2) return UNSURE;
    // d / 100 === raw exactly means raw's shortest decimal form has at most two decimals and is
    // d fen, which is what yuanToFen reads from its text (-0 reads as 0).
    if (Math.abs(raw) < 1e13) {
      const d = Math.round(raw * 100);
      if (d / 100 === raw) return d === 0 ? 0 : d;
    }
  } else if (typeof raw === 'string') {
    if (!MONEY_RE.test(raw)) return UNSURE;
  } else return UNSURE;
  const fen = yuanToFen(raw);
  return fen === undefined ? UNSURE : fen;
}

// Dates repeat a lot across records; parsing is the costly part of reading them.
const dayCache = new Map<string, number | undefined>();

/** A date fact as a day number, or undefined where the reference validator must judge it. */
export function factDay(raw: unknown): number | undefined {
  if (typeof raw !== 'string') return undefined;
  let day = dayCache.get(raw);
  if (day === undefined && !dayCache.has(raw)) {
    day = parseDate(raw);
    if (dayCache.size >= 100_000) dayCache.clear();
    dayCache.set(raw, day);
  }
  // Years before 100 go through Date.UTC's two-digit-year mapping; leave them to the validator.
  if (day === undefined || (raw.charCodeAt(0) === 48 /* '0' */ && raw.charCodeAt(1) === 48)) return undefined;
  return day;
}

export function isUnk(v: unknown): v is Unknown {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'unknown';
}

/** The union of the unknowns among a and b (at least one is unknown); one unknown is its own union. */
function mu(a: unknown, b: unknown): Unknown {
  const ua = isUnk(a);
  const ub = isUnk(b);
  if (ua && (!ub || a === b)) return a;
  if (ub && !ua) return b as Unknown;
  const x = a as Unknown;
  const y = b as Unknown;
  // Both unknown: the sorted, distinct union of two sorted, distinct lists (what `unknown()` makes of
  // the concatenation: `<` is the default sort's code-unit order); reasons when only one has any.
  if (x.reasons.length === 0 || y.reasons.length === 0) {
    const m1 = x.missing;
    const m2 = y.missing;
    const missing: string[] = [];
    let i = 0;
    let j = 0;
    while (i < m1.length && j < m2.length) {
      const p = m1[i]!;
      const q = m2[j]!;
      if (p === q) {
        missing.push(p);
        i++;
        j++;
      } else if (p < q) {
        missing.push(p);
        i++;
      } else {
        missing.push(q);
        j++;
      }
    }
    while (i < m1.length) missing.push(m1[i++]!);
    while (j < m2.length) missing.push(m2[j++]!);
    return { kind: 'unknown', missing, reasons: x.reasons.length === 0 ? y.reasons : x.reasons };
  }
  return mergeUnknown([x, y]);
}

/** The union of the unknowns in `vs`, in order (the interpreter's `mergeUnknown`). */
function mergeN(vs: readonly unknown[]): Unknown {
  return mergeUnknown(vs.filter(isUnk));
}

/** The unknown of a missing record field: `list[3].field`. */
function mf(list: string, i: number, field: string): Unknown {
  return { kind: 'unknown', missing: [`${list}[${i}].${field}`], reasons: [] };
}

export type UKind = 'number' | 'percent' | 'money' | 'date' | 'string' | 'boolean' | 'duration' | 'list';

/** A generated value as an engine `Value` of run-time kind `k`. */
export function box(k: UKind, x: unknown): Value {
  if (isUnk(x)) return x;
  switch (k) {
    case 'number':
      return { kind: 'number', value: x as number };
    case 'percent':
      return { kind: 'percent', ratio: x as number };
    case 'money':
      return { kind: 'money', fen: x as number };
    case 'date':
      return { kind: 'date', day: x as number };
    case 'string':
      return { kind: 'string', value: x as string };
    case 'boolean':
      return { kind: 'boolean', value: x as boolean };
    case 'duration':
      return x as Value;
    case 'list':
      throw new Error('engine bug: a list value boxed');
  }
}

/** An engine `Value` unboxed (durations and unknowns stay objects). */
export function unbox(v: Value): unknown {
  switch (v.kind) {
    case 'number':
    case 'boolean':
    case 'string':
      return v.value;
    case 'percent':
      return v.ratio;
    case 'money':
      return v.fen;
    case 'date':
      return v.day;
    case 'duration':
    case 'unknown':
      return v;
    case 'list':
      throw new Error('engine bug: a list value unboxed');
  }
}

const DIV0 = Object.freeze(unknown([], [MSG.divisionByZero()])) as Unknown;

/** What generated code calls; one object, passed in as `rt`. */
export const rt = {
  UNSURE,
  moneyFen,
  day: factDay,
  mu,
  mergeN,
  mf,
  DIV0,
  rha: roundHalfAway,
  rmy: roundMoneyToYuan,
  mulMoney,
  divMoney,
  wdb: workdaysBetweenFast,
  mb: monthsBetween,
  yb: yearsBetween,
  /** date ± duration (duration boxed, both known). */
  shift: (day: number, d: Value, sign: 1 | -1): number => {
    if (d.kind !== 'duration') throw new Error(`engine bug: date ± ${d.kind}`);
    return shiftDate(day, sign * d.amount, d.unit);
  },
  /** Any arithmetic with a duration operand, on boxed values (the reference's `arith`). */
  arithB: (op: '+' | '-' | '*' | '/', ka: UKind, a: unknown, kb: UKind, b: unknown): unknown => unbox(arith(op, box(ka, a), box(kb, b))),
  /** A comparison with a duration operand, on boxed values (the reference's `compare`). */
  cmpB: (op: '==' | '!=' | '<' | '<=' | '>' | '>=', ka: UKind, a: unknown, kb: UKind, b: unknown): unknown => unbox(compare(op, box(ka, a), box(kb, b))),
  negB: (a: unknown): unknown => unbox(negate(a as Value)),
  /** Array.isArray, so generated code names no global. */
  isArr: Array.isArray,
  isInt: Number.isInteger,
  isFin: Number.isFinite,
  abs: Math.abs,
};

export type Runtime = typeof rt;
