/**
 * Arithmetic and comparison on run-time values. Unknown operands propagate (the union of their
 * missing facts); operand kinds the type checker rules out are bugs and throw.
 */
import type { ArithOp, CompareOp, DurationUnit } from '../ir/types.ts';
import { MSG } from '../messages.ts';
import { addMonths, addYears } from './dates.ts';
import { divMoney, mulMoney, roundHalfAway, roundMoneyToYuan } from './money.ts';
import { addWorkdays } from './workdays.ts';
import { bool, isUnknown, mergeUnknown, money, num, pct, unknown, type Known, type Value } from './value.ts';

function bug(what: string): never {
  throw new Error(`engine bug: ${what}`);
}

/** Number-like magnitude for comparisons and mixed arithmetic; durations in days count as days. */
function magnitude(v: Known): number | undefined {
  switch (v.kind) {
    case 'number':
      return v.value;
    case 'percent':
      return v.ratio;
    case 'duration':
      return v.unit === 'days' ? v.amount : undefined;
    default:
      return undefined;
  }
}

/** Orders two known values of comparable kinds: negative, zero, positive. */
export function compareKnown(a: Known, b: Known): number {
  if (a.kind === 'money' && b.kind === 'money') return a.fen - b.fen;
  if (a.kind === 'date' && b.kind === 'date') return a.day - b.day;
  if (a.kind === 'string' && b.kind === 'string') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  if (a.kind === 'boolean' && b.kind === 'boolean') return Number(a.value) - Number(b.value);
  const x = magnitude(a);
  const y = magnitude(b);
  if (x !== undefined && y !== undefined) return x - y;
  return bug(`cannot compare ${a.kind} with ${b.kind}`);
}

export function equalKnown(a: Known, b: Known): boolean {
  return compareKnown(a, b) === 0;
}

export function compare(op: CompareOp, a: Value, b: Value): Value {
  if (isUnknown(a) || isUnknown(b)) return mergeUnknown([a, b]);
  const c = compareKnown(a, b);
  switch (op) {
    case '==':
      return bool(c === 0);
    case '!=':
      return bool(c !== 0);
    case '<':
      return bool(c < 0);
    case '<=':
      return bool(c <= 0);
    case '>':
      return bool(c > 0);
    case '>=':
      return bool(c >= 0);
  }
}

export const divisionByZero = () => unknown([], [MSG.divisionByZero()]);

export function arith(op: ArithOp, a: Value, b: Value): Value {
  if (isUnknown(a) || isUnknown(b)) return mergeUnknown([a, b]);
  // Dates: date ± duration, date − date.
  if (a.kind === 'date') {
    if (b.kind === 'duration' && (op === '+' || op === '-')) {
      return { kind: 'date', day: shiftDate(a.day, op === '+' ? b.amount : -b.amount, b.unit) };
    }
    if (b.kind === 'date' && op === '-') return num(a.day - b.day);
    if (op === '+' || op === '-') {
      // date ± a number of days, which the type checker allows as a days count.
      const n = magnitude(b);
      if (n !== undefined) return { kind: 'date', day: a.day + (op === '+' ? n : -n) };
    }
    return bug(`date ${op} ${b.kind}`);
  }
  if (a.kind === 'money' || b.kind === 'money') return moneyArith(op, a, b);
  if (a.kind === 'duration' && b.kind === 'duration' && a.unit === b.unit && (op === '+' || op === '-')) {
    return { kind: 'duration', unit: a.unit, amount: op === '+' ? a.amount + b.amount : a.amount - b.amount };
  }
  const x = magnitude(a);
  const y = magnitude(b);
  if (x === undefined || y === undefined) return bug(`${a.kind} ${op} ${b.kind}`);
  // percent ± percent stays a percent (shown as written); any other mix is a plain number.
  const keepPercent = a.kind === 'percent' && b.kind === 'percent' && (op === '+' || op === '-');
  let r: number;
  switch (op) {
    case '+':
      r = x + y;
      break;
    case '-':
      r = x - y;
      break;
    case '*':
      r = x * y;
      break;
    case '/':
      if (y === 0) return divisionByZero();
      r = x / y;
      break;
  }
  return keepPercent ? pct(r) : num(r);
}

function moneyArith(op: ArithOp, a: Known, b: Known): Value {
  if (a.kind === 'money' && b.kind === 'money') {
    switch (op) {
      case '+':
        return money(a.fen + b.fen);
      case '-':
        return money(a.fen - b.fen);
      case '/':
        return b.fen === 0 ? divisionByZero() : num(a.fen / b.fen);
      case '*':
        return bug('money * money');
    }
  }
  if (a.kind === 'money') {
    const y = magnitude(b);
    if (y === undefined) return bug(`money ${op} ${b.kind}`);
    if (op === '*') return money(mulMoney(a.fen, y));
    if (op === '/') return y === 0 ? divisionByZero() : money(divMoney(a.fen, y));
    return bug(`money ${op} number`);
  }
  if (b.kind === 'money' && op === '*') {
    const x = magnitude(a);
    if (x === undefined) return bug(`${a.kind} * money`);
    return money(mulMoney(b.fen, x));
  }
  return bug(`${a.kind} ${op} ${b.kind}`);
}

export function shiftDate(day: number, amount: number, unit: DurationUnit): number {
  switch (unit) {
    case 'days':
      return day + amount;
    case 'workdays':
      return addWorkdays(day, amount);
    case 'months':
      return addMonths(day, amount);
    case 'years':
      return addYears(day, amount);
  }
}

export function negate(a: Value): Value {
  switch (a.kind) {
    case 'unknown':
      return a;
    case 'number':
      return num(-a.value);
    case 'percent':
      return pct(-a.ratio);
    case 'money':
      return money(-a.fen);
    case 'duration':
      return { ...a, amount: -a.amount };
    default:
      return bug(`-${a.kind}`);
  }
}

export function abs(a: Value): Value {
  switch (a.kind) {
    case 'unknown':
      return a;
    case 'number':
      return num(Math.abs(a.value));
    case 'percent':
      return pct(Math.abs(a.ratio));
    case 'money':
      return money(Math.abs(a.fen));
    default:
      return bug(`abs(${a.kind})`);
  }
}

/** round: half away from zero to an integer; money to the whole yuan. A percent is a number (3% is 0.03), so it rounds as one. */
export function round(a: Value): Value {
  switch (a.kind) {
    case 'unknown':
      return a;
    case 'number':
      return num(roundHalfAway(a.value));
    case 'percent':
      return num(roundHalfAway(a.ratio));
    case 'money':
      return money(roundMoneyToYuan(a.fen));
    default:
      return bug(`round(${a.kind})`);
  }
}

/** min/max of several values: unknown if any argument is unknown. */
export function extreme(which: 'min' | 'max', args: readonly Value[]): Value {
  if (args.some(isUnknown)) return mergeUnknown(args);
  let best = args[0] as Known | undefined;
  if (best === undefined) return bug(`${which}() without arguments`);
  for (const v of args.slice(1) as Known[]) {
    const c = compareKnown(v, best);
    if (which === 'min' ? c < 0 : c > 0) best = v;
  }
  // A percent mixed with plain numbers reads as a number.
  if (best.kind === 'percent' && args.some((v) => v.kind === 'number')) return num(best.ratio);
  return best;
}
