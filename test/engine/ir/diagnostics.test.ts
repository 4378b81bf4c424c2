/**
 * One row per semantic diagnostic: a DSL snippet, the code it must raise and the line (marked in
 * the snippet with a `#!` comment). Each row also checks the diagnostic is bilingual and, when the
 * code promises one, carries a hint.
 */
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../../engine/ir/compile.ts';
import { lowerPolicy } from '../../../engine/ir/fromAst.ts';
import { parsePolicy, type ExprAst } from '../../../dsl/index.ts';
import type { PolicyIR, PolicyRef } from '../../../engine/ir/types.ts';

const HEADER = `policy "t/x"
  title "测试政策"
  jurisdiction t
  version "1"
  effective from 2020-01-01
  source 办法 "测试办法"

facts
  金额 "金额": money
  人数 "人数": integer
  比率 "比率": number
  日期 "日期": date
  截止 "截止日期": date
  名称 "名称": text_placeholder
  通过 "通过": boolean
  用途 "用途": enum { 种植 "种植业", 养殖 "养殖业" }
  贷款 "贷款": list of {
    本金 "本金": money
    逾期 "逾期天数": integer
  }
`.replace('text_placeholder', 'string');

const RULE = (when: string, extra = ''): string => `
rule r1 "规则"
  cites 办法 "第一条"${extra}
  when ${when}
  then violation severity high
    message "违规"
`;

const BASE = `policy "t/base"
  title "基础"
  jurisdiction t
  version "1"
  effective from 2019-01-01
  source 基础办法 "基础办法"

facts
  基础事实 "基础事实": integer

parameter 基础参数 "基础参数": integer
  5 from 2019-01-01

rule base_rule "基础规则"
  cites 基础办法 "第一条"
  when 基础事实 > 基础参数
  then violation
    message "基础"
`;

const baseIr: PolicyIR = (() => {
  const r = compileSource(BASE, { file: 'base.policy' });
  if (!r.value) throw new Error(JSON.stringify(r.diagnostics));
  return r.value;
})();
const resolveBase = (ref: PolicyRef): PolicyIR | undefined => (ref.policy === 't/base' ? baseIr : undefined);

const VARIANT = (body: string): string => `policy "t/variant"
  title "变体"
  jurisdiction t
  version "1"
  effective from 2020-01-01
  extends "t/base"
  source 办法 "变体办法"
${body}`;

interface Row {
  note: string;
  code: string;
  src: string;
  /** Expected extra codes that may accompany the main one (e.g. none). */
  hint?: RegExp;
}

const rows: Row[] = [
  { note: 'unknown fact with a suggestion', code: 'ir.unknown-name', src: HEADER + RULE('人数x > 3 #!'), hint: /人数/ },
  { note: 'unknown name inside an aggregate', code: 'ir.unknown-name', src: HEADER + RULE('count(贷款 where 逾期天 >= 90) > 0 #!'), hint: /逾期/ },
  { note: 'money compared with a plain number', code: 'ir.type-mismatch', src: HEADER + RULE('金额 > 0 #!'), hint: /0元/ },
  { note: 'date compared with a number', code: 'ir.type-mismatch', src: HEADER + RULE('日期 > 3 #!') },
  { note: 'date plus a plain number', code: 'ir.type-mismatch', src: HEADER + RULE('日期 + 3 > 截止 #!'), hint: /30/ },
  { note: 'string fact compared with an enum', code: 'ir.type-mismatch', src: HEADER + RULE('名称 == 用途 #!') },
  { note: 'non-boolean condition', code: 'ir.type-mismatch', src: HEADER + RULE('人数 + 1 #!') },
  { note: 'arithmetic on booleans', code: 'ir.type-mismatch', src: HEADER + RULE('通过 + 1 > 2 #!'), hint: /arithmetic|算术/ },
  { note: 'months compared with a day count', code: 'ir.type-mismatch', src: HEADER + RULE('daysBetween(日期, 截止) > 6 months #!') },
  { note: 'a duration as a definition', code: 'ir.type-mismatch', src: HEADER + `\nlet 期限 = 30 days #!\n` + RULE('日期 + 期限 < 截止') },
  { note: 'a day count equal to months', code: 'ir.type-mismatch', src: HEADER + RULE('daysBetween(日期, 截止) == 1 months #!') },
  { note: 'list used as a value', code: 'ir.type-mismatch', src: HEADER + RULE('贷款 > 3 #!'), hint: /count/ },
  { note: 'duplicate rule id', code: 'ir.duplicate-rule', src: HEADER + RULE('通过') + `
rule r1 "again" #!
  cites 办法 "第二条"
  when 通过
  then notice
    message "x"
` },
  { note: 'duplicate fact', code: 'ir.duplicate-fact', src: HEADER + `  人数 "again": integer #!\n` + RULE('通过') },
  { note: 'a fact named __proto__', code: 'ir.reserved-name', src: HEADER + `  __proto__ "原型": integer #!\n` + RULE('通过') },
  { note: 'missing citation', code: 'ir.missing-citation', src: HEADER + `
rule r1 "规则" #!
  when 通过
  then notice
    message "x"
` },
  { note: 'unknown source', code: 'ir.unknown-source', src: HEADER + `
rule r1 "规则"
  cites 细则 "第一条" #!
  when 通过
  then notice
    message "x"
`, hint: /办法/ },
  { note: 'unknown enum value lists the declared ones', code: 'ir.unknown-enum-value', src: HEADER + RULE('用途 == "渔业" #!'), hint: /种植.*养殖/ },
  { note: 'unknown enum value in a list', code: 'ir.unknown-enum-value', src: HEADER + RULE('用途 in ["种植", "林业"] #!'), hint: /种植/ },
  { note: 'unknown outcome kind', code: 'ir.unknown-outcome-kind', src: HEADER + RULE('通过').replace('then violation', 'then violaton #!'), hint: /violation/ },
  { note: 'unknown severity', code: 'ir.unknown-severity', src: HEADER + RULE('通过').replace('severity high', 'severity hihg #!'), hint: /high/ },
  { note: 'unknown function', code: 'ir.unknown-function', src: HEADER + RULE('dayBetween(日期, 截止) > 3 #!'), hint: /daysBetween/ },
  { note: 'wrong arity of a function', code: 'ir.wrong-arity', src: HEADER + RULE('daysBetween(日期) > 3 #!') },
  { note: 'wrong arity of an aggregate', code: 'ir.wrong-arity', src: HEADER + RULE('sum(贷款) > 0元 #!') },
  { note: 'definition cycle', code: 'ir.definition-cycle', src: HEADER + `
let 甲 = 乙 + 1 #!
let 乙 = 甲 + 1
` + RULE('甲 > 0') },
  { note: 'unreachable base', code: 'ir.unreachable-extends', src: HEADER.replace('  source', '  extends "t/nowhere" #!\n  source') + RULE('通过') },
  { note: 'exception to an unknown rule', code: 'ir.unknown-base-rule', src: VARIANT(`
rule r2 "例外" #!
  cites 办法 "第二条"
  exception to no_such_rule
  when 基础事实 > 1
  then notice
    message "x"
`), hint: /base_rule/ },
  { note: 'disable an unknown rule', code: 'ir.unknown-base-rule', src: VARIANT(`
disable no_such_rule because "不适用" #!
`) },
  { note: 'same id as a base rule without overrides', code: 'ir.override-needs-keyword', src: VARIANT(`
rule base_rule "重写" #!
  cites 办法 "第二条"
  when 基础事实 > 1
  then notice
    message "x"
`), hint: /overrides/ },
  { note: 'overrides without a base rule', code: 'ir.unknown-base-rule', src: VARIANT(`
rule other_rule "重写" #!
  cites 办法 "第二条"
  overrides
  when 基础事实 > 1
  then notice
    message "x"
`) },
  { note: 'parameter values out of order', code: 'ir.parameter-dates', src: HEADER + `
parameter 上限 "上限": integer
  5 from 2021-01-01
  6 from 2020-06-01 #!
` + RULE('人数 > 上限') },
  // The header has no range of its own in the AST: the period is reported at the policy line.
  { note: 'period ends before it starts', code: 'ir.bad-period', src: HEADER.replace('policy "t/x"', 'policy "t/x" #!').replace('effective from 2020-01-01', 'effective from 2020-01-01 until 2019-12-31') + RULE('通过') },
];

function markedLine(src: string): number {
  const i = src.split('\n').findIndex((l) => l.includes('#!'));
  if (i < 0) throw new Error('row without a #! marker');
  return i + 1;
}

describe('semantic diagnostics', () => {
  it.each(rows)('$code: $note', ({ code, src, hint }) => {
    const r = compileSource(src, { file: 'case.policy', resolveBase });
    const parseErrors = r.diagnostics.filter((d) => d.code.startsWith('dsl.') || d.code.startsWith('yaml.'));
    expect(parseErrors).toEqual([]);
    const found = r.diagnostics.filter((d) => d.code === code);
    expect(found.length, JSON.stringify(r.diagnostics.map((d) => [d.code, d.message.en]))).toBeGreaterThan(0);
    const d = found[0]!;
    expect(r.value).toBeUndefined();
    expect(d.severity).toBe('error');
    expect(d.range?.start.line).toBe(markedLine(src));
    expect(d.range?.file).toBe('case.policy');
    expect(d.message.zh).not.toBe('');
    expect(d.message.en).not.toBe('');
    expect(d.hint?.zh).toBeTruthy();
    expect(d.hint?.en).toBeTruthy();
    if (hint) expect(`${d.hint!.zh} ${d.hint!.en}`).toMatch(hint);
  });

  it('covers every code the stage documents', () => {
    const codes = new Set(rows.map((r) => r.code));
    for (const c of [
      'ir.unknown-name', 'ir.type-mismatch', 'ir.duplicate-rule', 'ir.duplicate-fact', 'ir.reserved-name', 'ir.missing-citation',
      'ir.unknown-source', 'ir.unknown-enum-value', 'ir.unknown-outcome-kind', 'ir.unknown-severity',
      'ir.unknown-function', 'ir.wrong-arity', 'ir.definition-cycle', 'ir.unreachable-extends',
      'ir.unknown-base-rule', 'ir.override-needs-keyword', 'ir.parameter-dates', 'ir.bad-period',
    ]) {
      expect(codes.has(c), c).toBe(true);
    }
  });

  // The DSL reader already rejects 1.234元, so the check is reached with a tree built by hand.
  it('ir.money-precision: money with more than two decimals', () => {
    const parsed = parsePolicy(HEADER + RULE('金额 > 1元'), { file: 'case.policy' });
    const ast = structuredClone(parsed.value!);
    const when = ast.rules[0]!.when as Extract<ExprAst, { type: 'compare' }>;
    const loc = when.right.loc;
    when.right = { type: 'money', yuan: 1.234, loc };
    const r = lowerPolicy(ast, { file: 'case.policy' });
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, d.range?.start.line])).toEqual([['ir.money-precision', loc!.start.line]]);
    expect(r.diagnostics[0]!.hint?.zh).toMatch(/两位小数/);
  });

  it('reports all problems of a file, not only the first', () => {
    const src = HEADER + RULE('人数x > 3 and 金额 > 0 and 用途 == "渔业"');
    const r = compileSource(src, { file: 'case.policy' });
    expect(r.diagnostics.map((d) => d.code).sort()).toEqual(['ir.type-mismatch', 'ir.unknown-enum-value', 'ir.unknown-name']);
  });

  it('a parameter value before the policy takes effect is only a warning', () => {
    const src = HEADER + `
parameter 上限 "上限": integer
  5 from 2019-01-01
` + RULE('人数 > 上限');
    const r = compileSource(src, { file: 'case.policy' });
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([['ir.parameter-dates', 'warning']]);
    expect(r.value).toBeDefined();
  });
});

describe('names that hide other names are warned about', () => {
  const cases: [string, string][] = [
    ['a parameter named like a fact', HEADER + `\nparameter 人数 "人数上限": integer #!\n  5 from 2020-01-01\n` + RULE('通过')],
    ['a definition named like a fact', HEADER + `\nlet 金额 = 1元 #!\n` + RULE('通过')],
    ['a rule let named like a definition', HEADER + `\nlet 合计 = 人数 + 1\n` + RULE('合计 > 3').replace('  when', '  let 合计 = 2 #!\n  when')],
  ];
  it.each(cases)('%s', (_note, src) => {
    const r = compileSource(src, { file: 'case.policy' });
    expect(r.diagnostics.map((d) => [d.code, d.severity, d.range?.start.line])).toEqual([['ir.shadowed-name', 'warning', markedLine(src)]]);
    expect(r.value).toBeDefined();
  });
});

describe('well-typed expressions compile without diagnostics', () => {
  const ok = [
    '金额 > 0元',
    '金额 * 10 > 5万元',
    '金额 / 金额 > 0.5',
    'ratio(贷款, 本金 where 逾期 >= 90) > 3%',
    'ratio(贷款 where 逾期 >= 90) * 100 > 3',
    'count(贷款 where 逾期 >= 90) >= 1',
    'sum(贷款, 本金 where 逾期 > 0) <= 金额',
    'max(贷款, 逾期) > 30',
    'min(人数, 3) > 1',
    'any(贷款 where 逾期 > 90) or all(贷款, 逾期 == 0)',
    '日期 + 30 days < 截止',
    '日期 + 5 workdays <= 截止 and 截止 - 6 months > 日期',
    '截止 - 日期 > 30',
    'daysBetween(日期, 截止) > 30 days',
    '截止 - 日期 != 30 days',
    'workdaysBetween(日期, as_of) > 5',
    'yearsBetween(日期, as_of) >= 18',
    'known(金额) and not 通过',
    '用途 == "种植"',
    '用途 not in ["养殖"]',
    '人数 between 1 inclusive and 10 exclusive',
    '(if 通过 then 人数 else 0) > 2',
    'round(比率) == 3 and abs(-金额) > 1元',
  ];
  it.each(ok)('%s', (when) => {
    const r = compileSource(HEADER + RULE(when), { file: 'ok.policy' });
    expect(r.diagnostics).toEqual([]);
    expect(r.value?.rules[0]?.when).toBeDefined();
  });
});
