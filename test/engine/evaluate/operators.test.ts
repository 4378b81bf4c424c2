/**
 * Every operator and function, table-driven, with unknown propagation. Each boolean case is also
 * run as a rule through both evaluation paths (json-rules-engine and the interpreter), which must
 * agree on the status and the missing facts, negated as well (exercising the NNF rewrite).
 */
import { describe, expect, it } from 'vitest';
import type { Expr } from '../../../engine/ir/types.ts';
import { createContext, evalExpr } from '../../../engine/evaluate/interpret.ts';
import { evaluate, evaluateSync } from '../../../engine/evaluate/decide.ts';
import { validateFacts } from '../../../engine/facts/validate.ts';
import { displayValue } from '../../../engine/evaluate/interpret.ts';
import { FLD, F, P, N, M, PCT, D, S, B, DUR, cmp, ar, and, or, not, call, between, agg, policy, rule, resolveOne } from './ir.ts';

type Want = unknown | { unknown: string[]; reason?: string };

interface Case {
  note: string;
  expr: Expr;
  facts?: Record<string, unknown>;
  asOf?: string;
  /** As shown in traces (money "1.00元", percent "3%", dates as text), or an unknown with its missing facts. */
  want: Want;
}

const ASOF = '2020-06-30';
const T = { f: true };
const FF = { f: false };

function run(c: Case): unknown {
  const ir = policy();
  const checked = validateFacts(ir, c.facts ?? {});
  if (!checked.facts) throw new Error(JSON.stringify(checked.errors));
  const v = evalExpr(c.expr, createContext(ir, checked.facts, c.asOf ?? ASOF));
  if (v.kind === 'unknown') {
    const out: { unknown: string[]; reason?: string } = { unknown: v.missing };
    if (v.reasons.length > 0) out.reason = v.reasons.map((r) => r.en).join('; ');
    return out;
  }
  return displayValue(v);
}

const U = (...missing: string[]): Want => ({ unknown: missing });

// Kleene truth tables: T, F and ? (a missing fact).
const tv = { T: true, F: false, '?': undefined } as const;
type TV = keyof typeof tv;
const kleeneCases: Case[] = [];
for (const l of ['T', 'F', '?'] as TV[]) {
  for (const r of ['T', 'F', '?'] as TV[]) {
    const facts: Record<string, unknown> = {};
    if (tv[l] !== undefined) facts.f = tv[l];
    if (tv[r] !== undefined) facts.g = tv[r];
    const missing = [...(l === '?' ? ['f'] : []), ...(r === '?' ? ['g'] : [])];
    const andWant = l === 'F' || r === 'F' ? false : missing.length ? U(...missing) : true;
    const orWant = l === 'T' || r === 'T' ? true : missing.length ? U(...missing) : false;
    kleeneCases.push({ note: `${l} and ${r}`, expr: and(F('f'), F('g')), facts, want: andWant });
    kleeneCases.push({ note: `${l} or ${r}`, expr: or(F('f'), F('g')), facts, want: orWant });
  }
  const facts = tv[l] === undefined ? {} : { f: tv[l] };
  kleeneCases.push({ note: `not ${l}`, expr: not(F('f')), facts, want: l === '?' ? U('f') : !tv[l] });
}

// between: both sides of each bound, for each inclusive combination.
const betweenCases: Case[] = [];
for (const lowInc of [true, false]) {
  for (const highInc of [true, false]) {
    for (const a of [9, 10, 15, 20, 21]) {
      const want = (lowInc ? a >= 10 : a > 10) && (highInc ? a <= 20 : a < 20);
      const tag = `${a} between 10${lowInc ? '' : ' exclusive'} and 20${highInc ? '' : ' exclusive'}`;
      betweenCases.push({ note: tag, expr: between(F('a'), N(10), N(20), lowInc, highInc), facts: { a }, want });
      betweenCases.push({ note: `not ${tag}`, expr: not(between(F('a'), N(10), N(20), lowInc, highInc)), facts: { a }, want: !want });
    }
  }
}
betweenCases.push(
  { note: 'between, value missing', expr: between(F('a'), N(10), N(20)), want: U('a') },
  { note: 'between, low missing but value above high', expr: between(F('a'), F('b'), N(20)), facts: { a: 25 }, want: false },
  { note: 'between, low missing and value inside high', expr: between(F('a'), F('b'), N(20)), facts: { a: 5 }, want: U('b') },
  { note: 'not between, high missing and value below low', expr: not(between(F('a'), N(10), F('b'))), facts: { a: 5 }, want: true },
  { note: 'between money', expr: between(F('m'), M(100), M(200)), facts: { m: '200.00' }, want: true },
  { note: 'between dates, exclusive', expr: between(F('d'), D('2020-01-01'), D('2020-12-31'), false, false), facts: { d: '2020-01-01' }, want: false },
);

const compareCases: Case[] = (['==', '!=', '<', '<=', '>', '>='] as const).flatMap((op) => {
  const js = { '==': (x: number, y: number) => x === y, '!=': (x: number, y: number) => x !== y, '<': (x: number, y: number) => x < y, '<=': (x: number, y: number) => x <= y, '>': (x: number, y: number) => x > y, '>=': (x: number, y: number) => x >= y }[op];
  return [
    ...[
      [1, 2],
      [2, 2],
      [3, 2],
    ].map(([x, y]) => ({ note: `${x} ${op} ${y}`, expr: cmp(op, F('a'), N(y!)), facts: { a: x }, want: js(x!, y!) })),
    { note: `? ${op} 1`, expr: cmp(op, F('a'), N(1)), want: U('a') },
    { note: `1 ${op} ?`, expr: cmp(op, N(1), F('b')), want: U('b') },
    { note: `not (? ${op} 1)`, expr: not(cmp(op, F('a'), N(1))), want: U('a') },
    { note: `not (3 ${op} 2)`, expr: not(cmp(op, F('a'), N(2))), facts: { a: 3 }, want: !js(3, 2) },
  ];
});

const mixedCompare: Case[] = [
  { note: 'money == money across number and string input', expr: cmp('==', F('m'), F('n')), facts: { m: 10, n: '10.00' }, want: true },
  { note: 'percent vs ratio', expr: cmp('==', F('p'), PCT(3)), facts: { p: 3 }, want: true },
  { note: 'percent compares with number', expr: cmp('>', F('p'), N(0.02)), facts: { p: 3 }, want: true },
  { note: 'percent x 100 compares as written', expr: cmp('==', ar('*', F('p'), N(100)), N(3)), facts: { p: 3 }, want: true },
  { note: 'dates', expr: cmp('<', F('d'), F('e')), facts: { d: '2020-01-01', e: '2020-01-02' }, want: true },
  { note: 'enum equality', expr: cmp('==', F('s'), S('种植')), facts: { s: '种植' }, want: true },
  { note: 'day count vs duration in days', expr: cmp('>', call('daysBetween', F('d'), F('e')), DUR(30, 'days')), facts: { d: '2020-01-01', e: '2020-02-01' }, want: true },
  { note: 'boolean equality', expr: cmp('==', F('f'), B(true)), facts: { f: true }, want: true },
];

const inCases: Case[] = [
  { note: 'in, hit', expr: { type: 'in', value: F('s'), options: [S('种植'), S('养殖')] }, facts: { s: '养殖' }, want: true },
  { note: 'in, miss', expr: { type: 'in', value: F('s'), options: [S('种植'), S('养殖')] }, facts: { s: '其他' }, want: false },
  { note: 'not in, hit', expr: { type: 'in', value: F('s'), options: [S('种植')], negated: true }, facts: { s: '种植' }, want: false },
  { note: 'not in, miss', expr: { type: 'in', value: F('s'), options: [S('种植')], negated: true }, facts: { s: '其他' }, want: true },
  { note: 'in, value missing', expr: { type: 'in', value: F('s'), options: [S('种植')] }, want: U('s') },
  { note: 'not in, value missing', expr: { type: 'in', value: F('s'), options: [S('种植')], negated: true }, want: U('s') },
  { note: 'not (not in)', expr: not({ type: 'in', value: F('s'), options: [S('种植')], negated: true }), facts: { s: '种植' }, want: true },
  { note: 'in numbers', expr: { type: 'in', value: F('a'), options: [N(1), N(2)] }, facts: { a: 2 }, want: true },
];

const arithCases: Case[] = [
  { note: 'integer +', expr: ar('+', F('a'), F('b')), facts: { a: 2, b: 3 }, want: 5 },
  { note: 'integer -', expr: ar('-', F('a'), F('b')), facts: { a: 2, b: 3 }, want: -1 },
  { note: 'integer *', expr: ar('*', F('a'), F('b')), facts: { a: 2, b: 3 }, want: 6 },
  { note: 'integer /', expr: ar('/', F('a'), F('b')), facts: { a: 3, b: 2 }, want: 1.5 },
  { note: '+ missing left', expr: ar('+', F('a'), N(1)), want: U('a') },
  { note: '- missing right', expr: ar('-', N(1), F('b')), want: U('b') },
  { note: '* both missing', expr: ar('*', F('a'), F('b')), want: U('a', 'b') },
  { note: '/ by zero', expr: ar('/', F('a'), F('b')), facts: { a: 1, b: 0 }, want: { unknown: [], reason: 'division by zero' } },
  { note: '/ missing and by zero', expr: ar('/', F('a'), F('b')), facts: { b: 0 }, want: U('a') },
  { note: 'unary minus', expr: { type: 'neg', arg: F('m') }, facts: { m: 5 }, want: '-5.00元' },
  { note: 'unary minus missing', expr: { type: 'neg', arg: F('a') }, want: U('a') },
  { note: 'money + money', expr: ar('+', F('m'), F('n')), facts: { m: 0.1, n: 0.2 }, want: '0.30元' },
  { note: 'money * 10', expr: ar('*', F('m'), N(10)), facts: { m: '1234.56' }, want: '12345.60元' },
  { note: 'money * percent rounds half away', expr: ar('*', F('m'), PCT(3)), facts: { m: 0.5 }, want: '0.02元' },
  { note: 'money / 3 rounds', expr: ar('/', F('m'), N(3)), facts: { m: 10 }, want: '3.33元' },
  { note: 'money / money', expr: ar('/', F('m'), F('n')), facts: { m: 1, n: 4 }, want: 0.25 },
  { note: 'money / 0元', expr: ar('/', F('m'), F('n')), facts: { m: 1, n: 0 }, want: { unknown: [], reason: 'division by zero' } },
  { note: 'percent + percent stays percent', expr: ar('+', F('p'), PCT(2)), facts: { p: 3 }, want: '5%' },
  { note: 'date + days', expr: ar('+', F('d'), DUR(30, 'days')), facts: { d: '2023-01-31' }, want: '2023-03-02' },
  { note: 'date + months clamps', expr: ar('+', F('d'), DUR(1, 'months')), facts: { d: '2023-01-31' }, want: '2023-02-28' },
  { note: 'date - years', expr: ar('-', F('d'), DUR(1, 'years')), facts: { d: '2024-02-29' }, want: '2023-02-28' },
  { note: 'date + workdays over 国庆 (9-28, 10-07, 10-08, 10-09, 10-10)', expr: ar('+', F('d'), DUR(5, 'workdays')), facts: { d: '2023-09-27' }, want: '2023-10-10' },
  { note: 'date - workdays', expr: ar('-', F('d'), DUR(2, 'workdays')), facts: { d: '2023-10-09' }, want: '2023-10-07' },
  { note: 'date - date', expr: ar('-', F('e'), F('d')), facts: { d: '2023-01-01', e: '2023-03-01' }, want: 59 },
  { note: 'date + duration, date missing', expr: ar('+', F('d'), DUR(1, 'days')), want: U('d') },
];

const callCases: Case[] = [
  { note: 'min', expr: call('min', F('a'), F('b'), N(7)), facts: { a: 5, b: 3 }, want: 3 },
  { note: 'max', expr: call('max', F('a'), F('b')), facts: { a: 5, b: 3 }, want: 5 },
  { note: 'min money', expr: call('min', F('m'), M(100)), facts: { m: 250 }, want: '100.00元' },
  { note: 'max missing', expr: call('max', F('a'), N(1)), want: U('a') },
  { note: 'abs', expr: call('abs', F('a')), facts: { a: -4 }, want: 4 },
  { note: 'abs missing', expr: call('abs', F('a')), want: U('a') },
  { note: 'round half away', expr: call('round', F('x')), facts: { x: -2.5 }, want: -3 },
  { note: 'round money to yuan', expr: call('round', F('m')), facts: { m: 10.5 }, want: '11.00元' },
  { note: 'round missing', expr: call('round', F('x')), want: U('x') },
  { note: 'daysBetween', expr: call('daysBetween', F('d'), F('e')), facts: { d: '2023-09-28', e: '2023-10-09' }, want: 11 },
  { note: 'daysBetween missing', expr: call('daysBetween', F('d'), F('e')), facts: { d: '2023-09-28' }, want: U('e') },
  { note: 'workdaysBetween over 国庆 with 调休 Saturday', expr: call('workdaysBetween', F('d'), F('e')), facts: { d: '2023-09-28', e: '2023-10-07' }, want: 1 },
  { note: 'workdaysBetween missing', expr: call('workdaysBetween', F('d'), F('e')), want: U('d', 'e') },
  { note: 'monthsBetween', expr: call('monthsBetween', F('d'), F('e')), facts: { d: '2023-01-31', e: '2023-02-28' }, want: 1 },
  { note: 'yearsBetween on the birthday', expr: call('yearsBetween', F('d'), F('e')), facts: { d: '2000-06-15', e: '2018-06-15' }, want: 18 },
  { note: 'yearsBetween the day before', expr: call('yearsBetween', F('d'), F('e')), facts: { d: '2000-06-15', e: '2018-06-14' }, want: 17 },
  { note: 'known present', expr: call('known', F('a')), facts: { a: 1 }, want: true },
  { note: 'known absent is false, never unknown', expr: call('known', F('a')), want: false },
  { note: 'known null is false', expr: call('known', F('a')), facts: { a: null }, want: false },
  { note: 'not known', expr: not(call('known', F('a'))), want: true },
  { note: 'as_of', expr: { type: 'asOf' }, want: ASOF },
  { note: 'if then', expr: { type: 'if', cond: F('f'), then: N(1), else: N(2) }, facts: T, want: 1 },
  { note: 'if else', expr: { type: 'if', cond: F('f'), then: N(1), else: N(2) }, facts: FF, want: 2 },
  { note: 'if unknown condition', expr: { type: 'if', cond: F('f'), then: N(1), else: F('a') }, want: U('f') },
  { note: 'if branch unknown', expr: { type: 'if', cond: F('f'), then: F('a'), else: N(2) }, facts: T, want: U('a') },
];

const paramCases: Case[] = [
  { note: 'parameter on its first day', expr: P('红线'), asOf: '2015-06-01', want: '3%' },
  { note: 'parameter before its first value', expr: P('红线'), asOf: '2015-05-31', want: { unknown: [], reason: 'parameter 红线 has no value on 2015-05-31' } },
  { note: 'parameter the day before a change', expr: P('红线'), asOf: '2020-12-31', want: '3%' },
  { note: 'parameter on the change', expr: P('红线'), asOf: '2021-01-01', want: '5%' },
  { note: 'money parameter', expr: P('上限'), want: '50000.00元' },
  { note: 'comparison with unvalued parameter', expr: cmp('>', F('p'), P('红线')), facts: { p: 4 }, asOf: '2010-01-01', want: { unknown: [], reason: 'parameter 红线 has no value on 2010-01-01' } },
];

const L = (...records: Record<string, unknown>[]) => ({ 贷款: records });
const overdue = cmp('>=', FLD('逾期天数'), N(90));
const aggCases: Case[] = [
  { note: 'count where', expr: agg('count', '贷款', undefined, overdue), facts: L({ 逾期天数: 90 }, { 逾期天数: 10 }, { 逾期天数: 100 }), want: 2 },
  { note: 'count all', expr: agg('count', '贷款'), facts: L({}, {}), want: 2 },
  { note: 'count with a missing field', expr: agg('count', '贷款', undefined, overdue), facts: L({ 逾期天数: 90 }, {}), want: U('贷款[1].逾期天数') },
  { note: 'count, list missing', expr: agg('count', '贷款'), want: U('贷款') },
  { note: 'count of empty list', expr: agg('count', '贷款', undefined, overdue), facts: L(), want: 0 },
  { note: 'sum money', expr: agg('sum', '贷款', FLD('金额')), facts: L({ 金额: 0.1 }, { 金额: '0.2' }), want: '0.30元' },
  { note: 'sum where, skipped record may lack the value', expr: agg('sum', '贷款', FLD('金额'), overdue), facts: L({ 金额: 5, 逾期天数: 90 }, { 逾期天数: 1 }), want: '5.00元' },
  { note: 'sum with a missing value', expr: agg('sum', '贷款', FLD('金额')), facts: L({ 金额: 5 }, {}), want: U('贷款[1].金额') },
  { note: 'sum of nothing is 0元', expr: agg('sum', '贷款', FLD('金额')), facts: L(), want: '0.00元' },
  { note: 'min', expr: agg('min', '贷款', FLD('逾期天数')), facts: L({ 逾期天数: 4 }, { 逾期天数: 2 }), want: 2 },
  { note: 'max money', expr: agg('max', '贷款', FLD('金额')), facts: L({ 金额: 4 }, { 金额: 20 }), want: '20.00元' },
  { note: 'max of nothing', expr: agg('max', '贷款', FLD('金额')), facts: L(), want: { unknown: [], reason: 'max over 贷款: no record qualifies' } },
  { note: 'avg', expr: agg('avg', '贷款', FLD('逾期天数')), facts: L({ 逾期天数: 1 }, { 逾期天数: 2 }), want: 1.5 },
  { note: 'avg money rounds to the fen', expr: agg('avg', '贷款', FLD('金额')), facts: L({ 金额: 0.01 }, { 金额: 0.02 }), want: '0.02元' },
  { note: 'ratio with value (exactly 3%)', expr: agg('ratio', '贷款', FLD('金额'), overdue), facts: L({ 金额: 97, 逾期天数: 0 }, { 金额: 3, 逾期天数: 90 }), want: '3%' },
  { note: 'ratio without value', expr: agg('ratio', '贷款', undefined, overdue), facts: L({ 逾期天数: 0 }, { 逾期天数: 90 }, { 逾期天数: 0 }, { 逾期天数: 100 }), want: '50%' },
  { note: 'ratio of empty list', expr: agg('ratio', '贷款', undefined, overdue), facts: L(), want: { unknown: [], reason: 'division by zero' } },
  { note: 'ratio: an excluded record still needs its value', expr: agg('ratio', '贷款', FLD('金额'), overdue), facts: L({ 金额: 1, 逾期天数: 90 }, { 逾期天数: 0 }), want: U('贷款[1].金额') },
  { note: 'ratio equals 3% literal', expr: cmp('>', agg('ratio', '贷款', FLD('金额'), overdue), PCT(3)), facts: L({ 金额: 97, 逾期天数: 0 }, { 金额: 3, 逾期天数: 90 }), want: false },
  { note: 'any true', expr: agg('any', '贷款', undefined, overdue), facts: L({ 逾期天数: 1 }, { 逾期天数: 95 }), want: true },
  { note: 'any false', expr: agg('any', '贷款', undefined, overdue), facts: L({ 逾期天数: 1 }), want: false },
  { note: 'any: another record true absorbs a missing field', expr: agg('any', '贷款', undefined, overdue), facts: L({}, { 逾期天数: 95 }), want: true },
  { note: 'any: a missing field and no record true', expr: agg('any', '贷款', undefined, overdue), facts: L({ 逾期天数: 1 }, {}, {}), want: U('贷款[1].逾期天数', '贷款[2].逾期天数') },
  { note: 'any with value', expr: agg('any', '贷款', FLD('核销'), overdue), facts: L({ 逾期天数: 95, 核销: false }, { 逾期天数: 1, 核销: true }), want: false },
  { note: 'any of empty list', expr: agg('any', '贷款', undefined, overdue), facts: L(), want: false },
  { note: 'all true', expr: agg('all', '贷款', undefined, overdue), facts: L({ 逾期天数: 91 }, { 逾期天数: 95 }), want: true },
  { note: 'all: another record false absorbs a missing field', expr: agg('all', '贷款', undefined, overdue), facts: L({}, { 逾期天数: 5 }), want: false },
  { note: 'all: missing field, rest true', expr: agg('all', '贷款', undefined, overdue), facts: L({}, { 逾期天数: 95 }), want: U('贷款[0].逾期天数') },
  { note: 'all with value: records failing where are exempt', expr: agg('all', '贷款', FLD('核销'), overdue), facts: L({ 逾期天数: 95, 核销: true }, { 逾期天数: 1 }), want: true },
  { note: 'all of empty list', expr: agg('all', '贷款', undefined, overdue), facts: L(), want: true },
  { note: 'all, list missing', expr: agg('all', '贷款', undefined, overdue), want: U('贷款') },
  { note: 'aggregate reads facts beside fields', expr: agg('count', '贷款', undefined, cmp('>', FLD('逾期天数'), F('a'))), facts: { 贷款: [{ 逾期天数: 5 }, { 逾期天数: 1 }], a: 2 }, want: 1 },
];

const logicCases: Case[] = [
  { note: 'nested not over and (De Morgan)', expr: not(and(F('f'), cmp('>', F('a'), N(1)))), facts: { f: true, a: 0 }, want: true },
  { note: 'not not', expr: not(not(F('f'))), facts: T, want: true },
  { note: 'false and ? (unknown absorbed)', expr: and(F('f'), cmp('>', F('a'), N(1))), facts: FF, want: false },
  { note: 'true or ? (unknown absorbed)', expr: or(F('f'), cmp('>', F('a'), N(1))), facts: T, want: true },
  { note: 'or of unknowns: union', expr: or(F('f'), F('g'), cmp('>', F('a'), N(1))), facts: { a: 0 }, want: U('f', 'g') },
  { note: 'unknown inside a decided subtree is not reported', expr: and(or(F('f'), F('g')), cmp('>', F('a'), N(1))), facts: { f: true }, want: U('a') },
  { note: 'boolean literal', expr: not(B(false)), want: true },
];

const groups: [string, Case[]][] = [
  ['Kleene and/or/not', kleeneCases],
  ['between', betweenCases],
  ['comparisons', compareCases],
  ['mixed comparisons', mixedCompare],
  ['in', inCases],
  ['arithmetic', arithCases],
  ['functions', callCases],
  ['parameters', paramCases],
  ['aggregates', aggCases],
  ['logic', logicCases],
];

for (const [name, cases] of groups) {
  describe(name, () => {
    it.each(cases.map((c) => [c.note, c] as const))('%s', (_note, c) => {
      expect(run(c)).toEqual(c.want);
    });
  });
}

/** Boolean cases become rules: both paths must give the same status and missing facts, and so must the negation. */
describe('the json-rules-engine path agrees with the interpreter on every boolean case', () => {
  const booleanCases = groups.flatMap(([, cs]) => cs).filter((c) => typeof c.want === 'boolean' || (isUnknownWant(c.want) && isCondition(c.expr)));
  it.each(booleanCases.map((c) => [c.note, c] as const))('%s', async (_note, c) => {
    for (const when of [c.expr, not(c.expr)]) {
      const resolved = resolveOne(policy({ rules: [rule('r', when)] }));
      const opts = { asOf: c.asOf ?? ASOF, explain: true };
      const viaJre = await evaluate(resolved, c.facts ?? {}, opts);
      const viaInterp = evaluateSync(resolved, c.facts ?? {}, opts);
      expect(viaJre).toEqual(viaInterp);
      const status = viaJre.outcomes.length ? 'fired' : viaJre.undetermined.length ? 'undetermined' : 'not-fired';
      const want = c.want;
      const truth = isUnknownWant(want) ? 'undetermined' : (when === c.expr) === want ? 'fired' : 'not-fired';
      expect(status).toBe(truth);
      if (isUnknownWant(want)) expect(viaJre.undetermined[0]?.missingFacts).toEqual(want.unknown);
    }
  });
});

function isUnknownWant(w: Want): w is { unknown: string[]; reason?: string } {
  return typeof w === 'object' && w !== null && 'unknown' in w;
}

function isCondition(e: Expr): boolean {
  return ['and', 'or', 'not', 'compare', 'in', 'between', 'fact', 'aggregate'].includes(e.type) && !(e.type === 'aggregate' && !['any', 'all'].includes(e.fn)) && !(e.type === 'fact' && !['f', 'g'].includes(e.name));
}
