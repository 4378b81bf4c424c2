/** Gaps: records where none of the named rules fires, every fact they read known; replayed. */
import { afterAll, describe, expect, it } from 'vitest';
import { compileSource, evaluateSync, PolicyLibrary } from '../../../engine/index.ts';
import { findGap, shutdownSolver } from '../../../engine/analysis/index.ts';

afterAll(async () => {
  await shutdownSolver();
});

const policy = (lo: string, hi: string) => `policy "t/gap"
  title "缺口"
  jurisdiction t
  version "1"
  effective from 2020-01-01
  source 文 "文件"

facts
  年龄 "年龄": integer
  残疾 "残疾": boolean

rule adult "成年"
  cites 文 "一"
  when 年龄 >= ${hi} or 残疾
  then eligible
    message "符合"

rule minor "未成年"
  cites 文 "一"
  when 年龄 < ${lo} and not 残疾
  then ineligible
    message "不符合"
`;

describe('gaps', () => {
  it.each([
    { note: '16 and 17 year olds without a disability are decided by neither rule', lo: '16', hi: '18', gap: true },
    { note: 'complementary conditions leave no gap (with every fact known)', lo: '18', hi: '18', gap: false },
  ])('$note', async ({ lo, hi, gap }) => {
    const ir = compileSource(policy(lo, hi), { file: 'g.policy' }).value!;
    const r = await findGap(ir, ['adult', 'minor']);
    if (!gap) return expect(r).toEqual({ status: 'complete' });
    expect(r.status).toBe('gap');
    const c = (r as { counterexample: { asOf: string; facts: Record<string, unknown> } }).counterexample;
    expect(c.facts['年龄']).toBeGreaterThanOrEqual(16);
    expect(c.facts['年龄']).toBeLessThan(18);
    expect(c.facts['残疾']).toBe(false);
    const lib = new PolicyLibrary();
    lib.add(ir);
    const d = evaluateSync(lib.resolve('t/gap', { asOf: c.asOf }).value!, c.facts, { asOf: c.asOf });
    expect(d.outcomes).toEqual([]);
    expect(d.undetermined).toEqual([]);
  });
});

describe('gaps through lists', () => {
  // A record without its field leaves `any` undetermined: the decision says so; it is no gap.
  const listPolicy = `policy "t/gap-list"
  title "列表"
  jurisdiction t
  version "1"
  effective from 2020-01-01
  source 文 "文件"

facts
  成员 "成员": list of { 身份 "身份": enum { 户主 "户主", 其他 "其他" } }

rule has_head "有户主"
  cites 文 "一"
  when any(成员 where 身份 == "户主")
  then eligible
    message "有"

rule no_head "无户主"
  cites 文 "一"
  when not any(成员 where 身份 == "户主")
  then ineligible
    message "无"
`;

  it('complementary conditions over a list leave no gap with every record given in full', async () => {
    const ir = compileSource(listPolicy, { file: 'l.policy' }).value!;
    const r = await findGap(ir, ['has_head', 'no_head']);
    // Bounded model: no gap; beyond the bound the abstract model may not prove it, never a gap.
    expect(['complete', 'not-proved']).toContain(r.status);
    // A record missing its field is what the bounded model must not call a gap: the interpreter leaves both undetermined.
    const lib = new PolicyLibrary();
    lib.add(ir);
    const d = evaluateSync(lib.resolve('t/gap-list', { asOf: '2020-01-01' }).value!, { 成员: [{}] }, { asOf: '2020-01-01' });
    expect(d.undetermined.map((u) => u.ruleId).sort()).toEqual(['has_head', 'no_head']);
  });
});

describe('an outcome declared complete in the language', () => {
  const declared = (lo: string, hi: string, clause: string) => `${policy(lo, hi)}
${clause}
`;

  it.each([
    ['English', 'complete adult, minor because "每人都须判定是否符合"'],
    ['Chinese', '完备 adult、minor 理由 "每人都须判定是否符合"'],
  ])('%s keywords: the declaration reaches the IR, and the formatter and YAML keep it', async (_lang, clause) => {
    const r = compileSource(declared('16', '18', clause), { file: 'g.policy' });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.value!.complete).toEqual([{ rules: ['adult', 'minor'], reason: '每人都须判定是否符合' }]);
    const { printPolicy } = await import('../../../engine/ir/print.ts');
    for (const [format, file] of [['dsl', 'back.policy'], ['yaml', 'back.policy.yaml']] as const) {
      const again = compileSource(printPolicy(r.value!, format), { file, format });
      expect(again.value?.complete, format).toEqual(r.value!.complete);
    }
  });

  it('names an unknown rule with a diagnostic', () => {
    const r = compileSource(declared('16', '18', 'complete adult, elder because "x"'), { file: 'g.policy' });
    expect(r.diagnostics.map((d) => d.code)).toContain('ir.complete-unknown-rule');
  });

  it.each([
    { note: 'a gap is a finding with facts that replay to no verdict', lo: '16', gap: true },
    { note: 'complementary rules give no gap finding', lo: '18', gap: false },
  ])('tiaowen check: $note', async ({ lo, gap }) => {
    const { analyzePolicy } = await import('../../../engine/analysis/index.ts');
    const ir = compileSource(declared(lo, '18', 'complete adult, minor because "每人都须判定"'), { file: 'g.policy' }).value!;
    const findings = (await analyzePolicy(ir)).filter((f) => f.code === 'analysis.gap');
    if (!gap) return expect(findings).toEqual([]);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.rules).toEqual(['adult', 'minor']);
    expect(findings[0]!.message.zh).toMatch(/有遗漏/);
    const c = findings[0]!.counterexample!;
    const lib = new PolicyLibrary();
    lib.add(ir);
    const d = evaluateSync(lib.resolve('t/gap', { asOf: c.asOf }).value!, c.facts, { asOf: c.asOf });
    expect(d.outcomes).toEqual([]);
    expect(d.undetermined).toEqual([]);
  });
});
