/**
 * The analysis stage on small inline policies: each finding's code, rules and line; every
 * counterexample replayed through the reference interpreter; "never" answers checked on random
 * facts; undetermined facts modelled (a missing fact never reads as false).
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileSource, evaluateSync, PolicyLibrary, type PolicyIR } from '../../../engine/index.ts';
import { analyzePolicy, shutdownSolver, type AnalyzeOptions, type Finding } from '../../../engine/analysis/index.ts';

afterAll(async () => {
  await shutdownSolver();
});

const HEADER = `policy "t/analysis"
  title "分析测试"
  jurisdiction t
  version "1"
  effective from 2020-01-01
  source 文 "测试文件"
`;

function compile(body: string, header = HEADER): { ir: PolicyIR; text: string } {
  const text = header + body;
  const r = compileSource(text, { file: 't.policy' });
  if (!r.value) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message.en}`).join('\n'));
  return { ir: r.value, text };
}

async function analyze(body: string, opts: AnalyzeOptions = {}): Promise<{ ir: PolicyIR; text: string; findings: Finding[] }> {
  const { ir, text } = compile(body);
  const findings = await analyzePolicy(ir, { ...opts, source: { text, file: 't.policy' } });
  return { ir, text, findings };
}

/** The reference interpreter's decision on a counterexample. */
function replay(ir: PolicyIR, c: { asOf: string; facts: Record<string, unknown> }) {
  const lib = new PolicyLibrary();
  lib.add(ir);
  const resolved = lib.resolve(ir.id, { version: ir.version, asOf: c.asOf });
  if (!resolved.value) throw new Error(JSON.stringify(resolved.diagnostics));
  return evaluateSync(resolved.value, c.facts, { asOf: c.asOf });
}

/** The line of the first line in `text` containing `marker`. */
const lineOf = (text: string, marker: string) => text.split('\n').findIndex((l) => l.includes(marker)) + 1;

const codes = (fs: Finding[]) => fs.map((f) => `${f.code} ${[...f.rules, ...(f.names ?? [])].join(',')}`).sort();

interface Case {
  note: string;
  body: string;
  /** Exactly these `code rule,rule` (or `code name`) findings. */
  want: string[];
  /** A line marker per finding code whose range must start on that line. */
  lines?: Record<string, string>;
  /** The approximations a finding (by code) names; others name none. */
  approx?: Record<string, string[]>;
}

const FACTS = `
facts
  x "x": integer
  y "y": boolean
  z "z": boolean
  d "d": date
  e "e": date
  m "m": money
  用途 "用途": enum { 种植 "种植"  养殖 "养殖"  消费 "消费" }
  台账 "台账": list of {
    金额 "金额": money
    逾期天数 "逾期天数": integer
  }
`;

const rule = (id: string, when: string, kind: string, article = '一', extra = '') => `
rule ${id} "${id}"
  cites 文 "${article}"${extra}
  when ${when}
  then ${kind}
    message "${id}"
`;

const CASES: Case[] = [
  {
    note: 'a condition that can never hold (x > 10 and x < 5) is a dead rule, on its when line',
    body: FACTS + rule('dead', 'x > 10 and x < 5', 'violation') + rule('alive', 'x > 10', 'violation'),
    want: ['analysis.unsatisfiable-condition dead', ...unusedBut(['x'])],
    lines: { 'analysis.unsatisfiable-condition': 'when x > 10 and x < 5' },
  },
  {
    note: 'the same condition with contradictory outcomes is a conflict, with a counterexample',
    body: FACTS + rule('grant', 'y and x >= 3', 'eligible') + rule('deny', 'y and x >= 3', 'ineligible'),
    want: ['analysis.conflict grant,deny', ...unusedBut(['x', 'y'])],
    lines: { 'analysis.conflict': 'rule deny' },
  },
  {
    note: 'an exception relation is not a conflict',
    body: FACTS + rule('grant', 'y', 'eligible') + rule('deny', 'y and z', 'ineligible', '一', '\n  exception to grant'),
    want: unusedBut(['y', 'z']),
  },
  {
    note: 'eligibility outcomes naming different consequences are about different benefits',
    body:
      FACTS +
      rule('retire', 'y', 'eligible', '第六条').replace('message "retire"', 'message "retire"\n    consequences "自愿退休"') +
      rule('no_promotion', 'y', 'ineligible', '第二十条').replace('message "no_promotion"', 'message "no_promotion"\n    consequences "一年内不得提拔"'),
    want: unusedBut(['y']),
  },
  {
    note: 'eligibility outcomes naming no consequence are about the policy\'s benefit, whatever they cite',
    body: FACTS + rule('registered', 'y', 'eligible', '二(一)') + rule('over_cap', 'm > 5万元', 'ineligible', '第三条'),
    want: ['analysis.conflict registered,over_cap', ...unusedBut(['y', 'm'])],
  },
  {
    note: 'commendation and accountability are about the same unit across articles',
    body: FACTS + rule('commend', 'y', 'commendation', '第十八条') + rule('blame', 'z', 'accountability', '第十九条'),
    want: ['analysis.conflict commend,blame', ...unusedBut(['y', 'z'])],
  },
  {
    note: 'undetermined is modelled: `not (x > 5)` is not true when x is missing, so it never meets `not known(x)`',
    body: FACTS + rule('small', 'not (x > 5)', 'eligible') + rule('unknown_x', 'not known(x)', 'ineligible'),
    want: unusedBut(['x']),
  },
  {
    note: 'an undetermined exception leaves its rule undetermined: the conflict needs the exception known false',
    body:
      FACTS +
      rule('grant', 'y', 'eligible') +
      rule('relief', 'z', 'notice', '一', '\n  exception to grant') +
      rule('deny', 'y', 'ineligible'),
    want: ['analysis.conflict grant,deny', ...unusedBut(['y', 'z'])],
  },
  {
    note: 'a rule always suppressed by its exception never fires',
    body: FACTS + rule('base', 'y', 'violation') + rule('always', 'y', 'notice', '一', '\n  exception to base'),
    want: ['analysis.never-fires base,always', ...unusedBut(['y'])],
  },
  {
    note: 'a rule implied by another with the same outcome is redundant',
    body: FACTS + rule('wide', 'x > 3', 'violation').replace('message "wide"', 'message "超限"') + rule('narrow', 'x > 5 and y', 'violation').replace('message "narrow"', 'message "超限"'),
    want: ['analysis.redundant-rule narrow,wide', ...unusedBut(['x', 'y'])],
  },
  {
    note: 'two computation rules that can fire together computing one output to different values; other kinds\' values are their own',
    body:
      FACTS +
      rule('own_a', 'y', 'violation').replace('message "own_a"', 'message "own_a"\n    compute 用时 "用时" = x') +
      rule('own_b', 'y', 'violation').replace('message "own_b"', 'message "own_b"\n    compute 用时 "用时" = x + 1') +
      rule('fine_a', 'y', 'computation').replace('message "fine_a"', 'message "fine_a"\n    compute 罚款 "罚款" = m * 2') +
      rule('fine_b', 'y and x > 1', 'computation').replace('message "fine_b"', 'message "fine_b"\n    compute 罚款 "罚款" = m * 3') +
      rule('age_a', 'x > 5', 'computation').replace('message "age_a"', 'message "age_a"\n    compute 年数 "年数" = x') +
      rule('age_b', 'x > 6', 'computation').replace('message "age_b"', 'message "age_b"\n    compute 年数 "年数" = x + 0'),
    want: ['analysis.conflicting-computation fine_a,fine_b', ...unusedBut(['x', 'y', 'm'])],
    approx: { 'analysis.conflicting-computation': ['money-rounding'] },
  },
  {
    note: 'unused facts, parameters and definitions (no solver needed)',
    body: `
facts
  x "x": integer
  spare "spare": boolean

parameter 上限 "上限": integer
  10 from 2020-01-01

parameter 没用 "没用": integer
  1 from 2020-01-01

let 闲置 "闲置" = x + 1
${rule('r', 'x > 上限', 'violation')}`,
    want: ['analysis.unused-definition 闲置', 'analysis.unused-fact spare', 'analysis.unused-parameter 没用'],
    lines: { 'analysis.unused-parameter': 'parameter 没用', 'analysis.unused-fact': 'spare "spare"' },
  },
  {
    note: 'parameter values by date: a threshold raised in 2021 makes `x > 上限 and x < 15` dead from then on only',
    body: `
facts
  x "x": integer

parameter 上限 "上限": integer
  10 from 2020-01-01
  20 from 2021-01-01
${rule('early', 'x > 上限 and x < 15', 'violation')}${rule('late', 'x > 上限 and x < 15 and as_of >= 2021-01-01', 'violation')}`,
    want: ['analysis.unsatisfiable-condition late'],
  },
  {
    note: 'a parameter whose first value starts after the version leaves a gap',
    body: `
facts
  x "x": integer

parameter 上限 "上限": integer
  10 from 2020-06-01
${rule('r', 'x > 上限', 'violation')}`,
    want: ['analysis.parameter-gap 上限'],
  },
  {
    note: 'month arithmetic clamps to the month end: 01-31 + 1 month is 02-29 in 2020',
    body: FACTS + rule('month_end', 'd + 1 month > 2020-03-30 and d < 2020-03-01', 'violation') + rule('ok', 'd + 1 month > 2020-03-28 and d < 2020-03-01', 'notice'),
    want: ['analysis.unsatisfiable-condition month_end', ...unusedBut(['d'])],
  },
  {
    note: 'years between dates: an age below 18 and a birth date 20 years back cannot both hold',
    body: FACTS + rule('age', 'yearsBetween(d, e) < 18 and e - d > 7400', 'violation') + rule('age_ok', 'yearsBetween(d, e) >= 18', 'notice'),
    want: ['analysis.unsatisfiable-condition age', ...unusedBut(['d', 'e'])],
  },
  {
    note: 'working days: four calendar days hold at most three working days after the first',
    body: FACTS + rule('wd', 'workdaysBetween(d, e) > 3 and e < d + 4 days', 'violation') + rule('wd_ok', 'workdaysBetween(d, e) > 3', 'notice'),
    want: ['analysis.unsatisfiable-condition wd', ...unusedBut(['d', 'e'])],
  },
  {
    note: 'lists: count can not be above 3 and below 2 for a list of any length',
    body: FACTS + rule('counts', 'count(台账) > 3 and count(台账) < 2', 'violation') + rule('many', 'count(台账 where 逾期天数 >= 90) >= 2', 'notice'),
    want: ['analysis.unsatisfiable-condition counts', ...unusedBut(['台账'])],
  },
  {
    note: 'lists: a conflict through aggregates has a list counterexample',
    body: FACTS + rule('healthy', 'known(台账) and not any(台账 where 逾期天数 >= 90)', 'eligible') + rule('too_much', 'sum(台账, 金额) > 10万元', 'ineligible'),
    want: ['analysis.conflict healthy,too_much', ...unusedBut(['台账'])],
  },
  {
    note: 'money rounding: 1元 × 0.005 rounds half away from zero to 0.01元, never 0',
    body: FACTS + rule('round', 'm == 1元 and m * 0.005 < 0.01元', 'violation') + rule('round_ok', 'm * 0.005 >= 0.01元', 'notice'),
    want: ['analysis.unsatisfiable-condition round', ...unusedBut(['m'])],
    approx: { 'analysis.unsatisfiable-condition': ['money-rounding'] },
  },
  {
    note: 'enum ranges are known: 用途 not in any declared value never holds',
    body: FACTS + rule('enum_gap', '用途 != "种植" and 用途 != "养殖" and 用途 != "消费"', 'violation') + rule('enum_ok', '用途 == "种植"', 'notice'),
    want: ['analysis.unsatisfiable-condition enum_gap', ...unusedBut(['用途'])],
  },
];

/** Unused-fact findings for every fact of FACTS except those read. */
function unusedBut(read: string[]): string[] {
  return ['x', 'y', 'z', 'd', 'e', 'm', '用途', '台账'].filter((n) => !read.includes(n)).map((n) => `analysis.unused-fact ${n}`);
}

// With probing (records tried through the interpreter first) and without (every question to Z3).
describe.each([{ path: 'probes, then the solver', probeSamples: 240 }, { path: 'the solver alone', probeSamples: 0 }])('analysis findings: $path', ({ probeSamples }) => {
  it.each(CASES)('$note', async (c) => {
    const { ir, text, findings } = await analyze(c.body, { probeSamples });
    expect(codes(findings)).toEqual([...c.want].sort());
    for (const f of findings) {
      expect(f.message.zh.length).toBeGreaterThan(0);
      expect(f.message.en.length).toBeGreaterThan(0);
      expect(f.policy).toEqual({ id: 't/analysis', version: '1' });
    }
    for (const [code, marker] of Object.entries(c.lines ?? {})) {
      const f = findings.find((x) => x.code === code);
      expect(f?.range?.start.line, code).toBe(lineOf(text, marker));
      expect(f?.range?.file).toBe('t.policy');
    }
    for (const f of findings) expect(f.approximated ?? [], f.code).toEqual(c.approx?.[f.code] ?? []);
    // Every counterexample, replayed through the reference interpreter, shows the conflict.
    for (const f of findings.filter((x) => x.code === 'analysis.conflict' || x.code === 'analysis.conflicting-computation')) {
      expect(Object.keys(f.ruleRanges ?? {}).sort()).toEqual([...f.rules].sort());
      expect(f.counterexample).toBeDefined();
      const d = replay(ir, f.counterexample!);
      expect(d.status).toBe('ok');
      expect(d.outcomes.map((o) => o.ruleId)).toEqual(expect.arrayContaining(f.rules));
    }
  });
});

describe('"never" answers hold on random facts', () => {
  it('dead rules and always-suppressed rules never fire in the interpreter', async () => {
    const body =
      FACTS +
      rule('dead', 'x > 10 and x < 5', 'violation') +
      rule('month_end', 'd + 1 month > 2020-03-30 and d < 2020-03-01', 'violation') +
      rule('base', 'y', 'violation') +
      rule('always', 'y', 'notice', '一', '\n  exception to base');
    const { ir, findings } = await analyze(body);
    const never = findings.filter((f) => f.code === 'analysis.unsatisfiable-condition' || f.code === 'analysis.never-fires').map((f) => f.rules[0]!);
    expect(never.sort()).toEqual(['base', 'dead', 'month_end']);
    const day = fc.integer({ min: 18000, max: 18500 }).map((n) => new Date(n * 86_400_000).toISOString().slice(0, 10));
    fc.assert(
      fc.property(
        fc.record({ x: fc.option(fc.integer({ min: -20, max: 20 }), { nil: undefined }), y: fc.option(fc.boolean(), { nil: undefined }), d: fc.option(day, { nil: undefined }) }),
        day,
        (facts, asOf) => {
          const clean = Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined));
          const fired = replay(ir, { asOf: asOf < '2020-01-01' ? '2020-01-01' : asOf, facts: clean }).outcomes.map((o) => o.ruleId);
          return never.every((r) => !fired.includes(r));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('solver limits', () => {
  it('a timeout or "unknown" is reported as such, naming the rule, never as "no finding"', async () => {
    // a³ + b³ = c³ has no solution in positive integers, which Z3 (non-linear integers) cannot prove.
    const body = `
facts
  a "a": integer
  b "b": integer
  c "c": integer
${rule('fermat', 'a * a * a + b * b * b == c * c * c and a > 0 and b > 0', 'violation')}`;
    const { findings } = await analyze(body, { timeoutMs: 300 });
    const unknown = findings.filter((f) => f.code === 'analysis.solver-unknown');
    expect(unknown.map((f) => f.rules)).toEqual([['fermat']]);
    expect(unknown[0]!.message.en).toContain('does not mean there is no problem');
    expect(findings.some((f) => f.code === 'analysis.unsatisfiable-condition')).toBe(false);
  });

  it('noSolver gives the findings that need no solver only', async () => {
    const { findings } = await analyze(FACTS + rule('dead', 'x > 10 and x < 5', 'violation'), { noSolver: true });
    expect(codes(findings)).toEqual(unusedBut(['x']).sort());
  });
});
