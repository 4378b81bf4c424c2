import { describe, expect, it } from 'vitest';
import { parseExpression, type ExprAst } from '../../dsl/index.ts';
import { stripLoc } from './arbitraries.ts';

const n = (name: string): ExprAst => ({ type: 'name', name });
const int = (value: number): ExprAst => ({ type: 'number', value, integer: true });

/** [written, expected tree] — each operator, precedence, units, Chinese aliases, between bounds. */
const CASES: [string, ExprAst][] = [
  // literals and units
  ['3', int(3)],
  ['2.5', { type: 'number', value: 2.5 }],
  ['5万', int(50000)],
  ['2亿', int(200000000)],
  ['1.1万', int(11000)],
  ['3%', { type: 'percent', value: 3 }],
  ['2.5%', { type: 'percent', value: 2.5 }],
  // fractions as officials write them (issue #17): exact, by shifting the decimal text
  ['3‰', { type: 'percent', value: 0.3 }],
  ['0.5‰', { type: 'percent', value: 0.05 }],
  ['百分之五', { type: 'percent', value: 5 }],
  ['百分之十五', { type: 'percent', value: 15 }],
  ['百分之2.5', { type: 'percent', value: 2.5 }],
  ['千分之三', { type: 'percent', value: 0.3 }],
  ['万分之五', { type: 'percent', value: 0.05 }],
  ['万分之零点五', { type: 'percent', value: 0.005 }],
  ['万分之一百零五', { type: 'percent', value: 1.05 }],
  ['-万分之五', { type: 'percent', value: -0.05 }],
  ['百分之五十以上', n('百分之五十以上')],
  ['500元', { type: 'money', yuan: 500 }],
  ['5万元', { type: 'money', yuan: 50000 }],
  ['1.5亿元', { type: 'money', yuan: 150000000 }],
  ['12.34元', { type: 'money', yuan: 12.34 }],
  ['500 yuan', { type: 'money', yuan: 500 }],
  ['-500元', { type: 'money', yuan: -500 }],
  ['30天', { type: 'duration', amount: 30, unit: 'days' }],
  ['30 days', { type: 'duration', amount: 30, unit: 'days' }],
  ['1 day', { type: 'duration', amount: 1, unit: 'days' }],
  ['5个工作日', { type: 'duration', amount: 5, unit: 'workdays' }],
  ['5 workdays', { type: 'duration', amount: 5, unit: 'workdays' }],
  ['6个月', { type: 'duration', amount: 6, unit: 'months' }],
  ['6 months', { type: 'duration', amount: 6, unit: 'months' }],
  ['3年', { type: 'duration', amount: 3, unit: 'years' }],
  ['3 years', { type: 'duration', amount: 3, unit: 'years' }],
  ['2017-08-01', { type: 'date', value: '2017-08-01' }],
  ['"种植"', { type: 'string', value: '种植' }],
  ['“种植”', { type: 'string', value: '种植' }],
  ['"a \\"b\\" \\\\"', { type: 'string', value: 'a "b" \\' }],
  ['true', { type: 'boolean', value: true }],
  ['是', { type: 'boolean', value: true }],
  ['否', { type: 'boolean', value: false }],
  ['as_of', { type: 'asOf' }],
  ['评估日', { type: 'asOf' }],
  // names: a keyword glued to letters is one name
  ['当年人数', n('当年人数')],
  ['index', n('index')],
  ['是否贫困户', n('是否贫困户')],
  ['第33条_1', n('第33条_1')],
  // comparison operators
  ['a == b', { type: 'compare', op: '==', left: n('a'), right: n('b') }],
  ['a != b', { type: 'compare', op: '!=', left: n('a'), right: n('b') }],
  ['a ≠ b', { type: 'compare', op: '!=', left: n('a'), right: n('b') }],
  ['a < b', { type: 'compare', op: '<', left: n('a'), right: n('b') }],
  ['a <= b', { type: 'compare', op: '<=', left: n('a'), right: n('b') }],
  ['a ≤ b', { type: 'compare', op: '<=', left: n('a'), right: n('b') }],
  ['a > b', { type: 'compare', op: '>', left: n('a'), right: n('b') }],
  ['a >= b', { type: 'compare', op: '>=', left: n('a'), right: n('b') }],
  ['a ≥ b', { type: 'compare', op: '>=', left: n('a'), right: n('b') }],
  // arithmetic and precedence
  ['a + b * c', { type: 'arith', op: '+', left: n('a'), right: { type: 'arith', op: '*', left: n('b'), right: n('c') } }],
  ['(a + b) * c', { type: 'arith', op: '*', left: { type: 'arith', op: '+', left: n('a'), right: n('b') }, right: n('c') }],
  ['a - b - c', { type: 'arith', op: '-', left: { type: 'arith', op: '-', left: n('a'), right: n('b') }, right: n('c') }],
  ['a / b', { type: 'arith', op: '/', left: n('a'), right: n('b') }],
  ['-a', { type: 'neg', arg: n('a') }],
  ['-3', int(-3)],
  ['-(3)', { type: 'neg', arg: int(3) }],
  ['d + 30 days', { type: 'arith', op: '+', left: n('d'), right: { type: 'duration', amount: 30, unit: 'days' } }],
  ['a + 1 > b', { type: 'compare', op: '>', left: { type: 'arith', op: '+', left: n('a'), right: int(1) }, right: n('b') }],
  // logic
  ['a and b and c', { type: 'and', args: [n('a'), n('b'), n('c')] }],
  ['a 且 b 并且 c', { type: 'and', args: [n('a'), n('b'), n('c')] }],
  ['a or b and c', { type: 'or', args: [n('a'), { type: 'and', args: [n('b'), n('c')] }] }],
  ['a 或 b 或者 c', { type: 'or', args: [n('a'), n('b'), n('c')] }],
  ['(a or b) and c', { type: 'and', args: [{ type: 'or', args: [n('a'), n('b')] }, n('c')] }],
  ['not a > b', { type: 'not', arg: { type: 'compare', op: '>', left: n('a'), right: n('b') } }],
  ['非 a and b', { type: 'and', args: [{ type: 'not', arg: n('a') }, n('b')] }],
  ['不是 a', { type: 'not', arg: n('a') }],
  ['if a then 1 else 2', { type: 'if', cond: n('a'), then: int(1), else: int(2) }],
  ['如果 a 则 1 否则 2', { type: 'if', cond: n('a'), then: int(1), else: int(2) }],
  // membership
  ['a in ["x", "y"]', { type: 'in', value: n('a'), options: [{ type: 'string', value: 'x' }, { type: 'string', value: 'y' }] }],
  ['a 属于 ["x"]', { type: 'in', value: n('a'), options: [{ type: 'string', value: 'x' }] }],
  ['a not in []', { type: 'in', value: n('a'), options: [], negated: true }],
  ['a 不属于 ["x"]', { type: 'in', value: n('a'), options: [{ type: 'string', value: 'x' }], negated: true }],
  // between: both bounds included unless written otherwise
  ['a between 1 and 3', { type: 'between', value: n('a'), low: int(1), high: int(3), lowInclusive: true, highInclusive: true }],
  ['a between 1 exclusive and 3', { type: 'between', value: n('a'), low: int(1), high: int(3), lowInclusive: false, highInclusive: true }],
  ['a between 1 inclusive and 3 exclusive', { type: 'between', value: n('a'), low: int(1), high: int(3), lowInclusive: true, highInclusive: false }],
  [
    '贷款期限 介于 1年 含 and 3年 不含',
    {
      type: 'between',
      value: n('贷款期限'),
      low: { type: 'duration', amount: 1, unit: 'years' },
      high: { type: 'duration', amount: 3, unit: 'years' },
      lowInclusive: true,
      highInclusive: false,
    },
  ],
  [
    'a between 1 and 3 and b',
    { type: 'and', args: [{ type: 'between', value: n('a'), low: int(1), high: int(3), lowInclusive: true, highInclusive: true }, n('b')] },
  ],
  // calls and Chinese function aliases
  ['min(a, b)', { type: 'call', fn: 'min', args: [n('a'), n('b')] }],
  ['count(贷款 where 逾期天数 >= 90)', { type: 'call', fn: 'count', args: [n('贷款')], where: { type: 'compare', op: '>=', left: n('逾期天数'), right: int(90) } }],
  ['计数(贷款 其中 x)', { type: 'call', fn: 'count', args: [n('贷款')], where: n('x') }],
  ['合计(L, v)', { type: 'call', fn: 'sum', args: [n('L'), n('v')] }],
  ['比例(L, v 其中 c)', { type: 'call', fn: 'ratio', args: [n('L'), n('v')], where: n('c') }],
  ['任一(L 其中 c)', { type: 'call', fn: 'any', args: [n('L')], where: n('c') }],
  ['全部(L, c)', { type: 'call', fn: 'all', args: [n('L'), n('c')] }],
  ['最小(a, b)', { type: 'call', fn: 'min', args: [n('a'), n('b')] }],
  ['最大(a, b)', { type: 'call', fn: 'max', args: [n('a'), n('b')] }],
  ['平均(L, v)', { type: 'call', fn: 'avg', args: [n('L'), n('v')] }],
  ['天数(a, b)', { type: 'call', fn: 'daysBetween', args: [n('a'), n('b')] }],
  ['工作日数(a, b)', { type: 'call', fn: 'workdaysBetween', args: [n('a'), n('b')] }],
  ['月数(a, b)', { type: 'call', fn: 'monthsBetween', args: [n('a'), n('b')] }],
  ['周岁(a, as_of)', { type: 'call', fn: 'yearsBetween', args: [n('a'), { type: 'asOf' }] }],
  ['已知(x)', { type: 'call', fn: 'known', args: [n('x')] }],
  ['取整(x)', { type: 'call', fn: 'round', args: [n('x')] }],
  ['绝对值(x)', { type: 'call', fn: 'abs', args: [n('x')] }],
  ['最大（a，b）', { type: 'call', fn: 'max', args: [n('a'), n('b')] }],
  ['天数', n('天数')],
];

describe('parseExpression', () => {
  it.each(CASES)('%s', (text, want) => {
    const r = parseExpression(text);
    expect(r.diagnostics).toEqual([]);
    expect(stripLoc(r.value)).toEqual(want);
  });

  it('gives 1-based ranges, shifted by `at`', () => {
    const r = parseExpression('a >\n  b', { file: 'f.yaml', at: { line: 10, column: 7, offset: 100 } });
    expect(r.value?.loc).toEqual({
      start: { line: 10, column: 7, offset: 100 },
      end: { line: 11, column: 4, offset: 107 },
      file: 'f.yaml',
    });
    const right = r.value?.type === 'compare' ? r.value.right : undefined;
    expect(right?.loc?.start).toEqual({ line: 11, column: 3, offset: 106 });
  });

  const ERRORS: [string, string][] = [
    ['1,000', 'dsl.bad-number'],
    ['1.2.3', 'dsl.bad-number'],
    ['5.123元', 'dsl.bad-number'],
    ['1.5天', 'dsl.bad-number'],
    ['2017-13-01', 'dsl.bad-date'],
    ['2017-8-1', 'dsl.bad-date'],
    ['2017-02-30', 'dsl.bad-date'],
    ['"abc', 'dsl.unterminated-string'],
    ['a @ b', 'dsl.unexpected-character'],
    ['a > > b', 'dsl.unexpected-token'],
    ['a >', 'dsl.unexpected-end'],
    ['a < b < c', 'dsl.unexpected-token'],
  ];
  it.each(ERRORS)('%s reports %s', (text, code) => {
    const r = parseExpression(text);
    expect(r.diagnostics.map((d) => d.code)).toContain(code);
  });
});
