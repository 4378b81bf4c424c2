/** Hand-written IR for engine tests: small constructors so tables stay readable. */
import type { CompareOp, Expr, FactDecl, ParameterDecl, PolicyIR, RuleIR, ScalarKind } from '../../../engine/ir/types.ts';
import { PolicyLibrary, type ResolvedPolicy } from '../../../engine/library/library.ts';

export const F = (name: string): Expr => ({ type: 'fact', name });
export const FLD = (name: string): Expr => ({ type: 'field', name });
export const P = (name: string): Expr => ({ type: 'param', name });
export const R = (name: string): Expr => ({ type: 'ref', name });
export const N = (value: number): Expr => ({ type: 'number', value, ...(Number.isInteger(value) ? { integer: true } : {}) });
export const M = (yuan: number): Expr => ({ type: 'money', yuan });
export const PCT = (value: number): Expr => ({ type: 'percent', value });
export const D = (value: string): Expr => ({ type: 'date', value });
export const S = (value: string): Expr => ({ type: 'string', value });
export const B = (value: boolean): Expr => ({ type: 'boolean', value });
export const DUR = (amount: number, unit: 'days' | 'workdays' | 'months' | 'years'): Expr => ({ type: 'duration', amount, unit });
export const cmp = (op: CompareOp, left: Expr, right: Expr): Expr => ({ type: 'compare', op, left, right });
export const ar = (op: '+' | '-' | '*' | '/', left: Expr, right: Expr): Expr => ({ type: 'arith', op, left, right });
export const and = (...args: Expr[]): Expr => ({ type: 'and', args });
export const or = (...args: Expr[]): Expr => ({ type: 'or', args });
export const not = (arg: Expr): Expr => ({ type: 'not', arg });
export const call = (fn: Extract<Expr, { type: 'call' }>['fn'], ...args: Expr[]): Expr => ({ type: 'call', fn, args });
export const between = (value: Expr, low: Expr, high: Expr, lowInclusive = true, highInclusive = true): Expr => ({
  type: 'between',
  value,
  low,
  high,
  lowInclusive,
  highInclusive,
});
export const agg = (
  fn: Extract<Expr, { type: 'aggregate' }>['fn'],
  list: string,
  value?: Expr,
  where?: Expr,
): Expr => ({ type: 'aggregate', fn, list, ...(value ? { value } : {}), ...(where ? { where } : {}) });

export const fact = (name: string, kind: ScalarKind, label = name): FactDecl => ({ name, label, type: { kind } });

/** The facts every operator table reads. */
export const TABLE_FACTS: FactDecl[] = [
  fact('a', 'integer', '甲数'),
  fact('b', 'integer', '乙数'),
  fact('x', 'number', '数值'),
  fact('m', 'money', '金额甲'),
  fact('n', 'money', '金额乙'),
  fact('p', 'percent', '比率'),
  fact('d', 'date', '日期甲'),
  fact('e', 'date', '日期乙'),
  fact('f', 'boolean', '条件甲'),
  fact('g', 'boolean', '条件乙'),
  { name: 's', label: '用途', type: { kind: 'enum', values: [{ value: '种植', label: '种植业' }, { value: '养殖', label: '养殖业' }, { value: '其他', label: '其他' }] } },
  {
    name: '贷款',
    label: '县贷款台账',
    labelEn: 'Loan ledger',
    type: {
      kind: 'list',
      fields: [fact('金额', 'money', '贷款本金'), fact('逾期天数', 'integer', '逾期天数'), fact('核销', 'boolean', '已核销')],
    },
  },
];

export const TABLE_PARAMS: ParameterDecl[] = [
  {
    name: '红线',
    label: '不良贷款率红线',
    type: { kind: 'percent' },
    values: [
      { from: '2015-06-01', value: 3 },
      { from: '2021-01-01', value: 5 },
    ],
  },
  { name: '上限', label: '贷款上限', type: { kind: 'money' }, values: [{ from: '2015-01-01', value: 50000 }] },
];

export function rule(id: string, when: Expr, over: Partial<RuleIR> = {}): RuleIR {
  return {
    id,
    title: `规则 ${id}`,
    cites: { source: '指南', article: `第${id}条` },
    lets: [],
    when,
    then: { kind: 'violation', message: { zh: `违反 ${id}` }, consequences: [], computed: [] },
    ...over,
  };
}

export function policy(over: Partial<PolicyIR> = {}): PolicyIR {
  return {
    irVersion: 1,
    id: 'test/table',
    title: '测试政策',
    jurisdiction: 'test',
    version: '1',
    effectiveFrom: '2000-01-01',
    sources: [{ key: '指南', title: '测试指南', number: '测〔2020〕1号' }],
    facts: TABLE_FACTS,
    parameters: TABLE_PARAMS,
    definitions: [],
    rules: [],
    ...over,
  };
}

/** Resolves a single policy (plus optional others it extends) through a fresh library. */
export function resolveOne(ir: PolicyIR, others: PolicyIR[] = [], asOf = '2020-06-30'): ResolvedPolicy {
  const lib = new PolicyLibrary();
  for (const o of others) lib.add(o);
  lib.add(ir);
  const r = lib.resolve(ir.id, { version: ir.version, asOf });
  if (!r.value) throw new Error(r.diagnostics.map((d) => d.message.en).join('; '));
  return r.value;
}
