/**
 * Change impact between two versions: each rule whose verdict can change comes with a witness
 * record, replayed here through both versions; a proof when nothing changes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { compileSource, evaluateSync, PolicyLibrary, type PolicyIR } from '../../../engine/index.ts';
import { changeImpact, rangeWords, shutdownSolver, type FactRange } from '../../../engine/analysis/index.ts';
import type { FactDecl } from '../../../engine/ir/types.ts';

afterAll(async () => {
  await shutdownSolver();
});

function version(label: string, from: string, body: string): PolicyIR {
  const text = `policy "t/impact"
  title "影响"
  jurisdiction t
  version "${label}"
  effective from ${from}
  source 指南 "指南"

facts
  不良贷款率 "不良贷款率": percent
  弄虚作假 "弄虚作假": boolean
${body}`;
  const r = compileSource(text, { file: `${label}.policy` });
  if (!r.value) throw new Error(r.diagnostics.map((d) => d.message.en).join('\n'));
  return r.value;
}

const redLine = (pct: string, from: string, message = '超过红线') => `
parameter 红线 "不良贷款率红线": percent
  ${pct} from ${from}

rule npl "不良贷款率超过红线"
  cites 指南 "三(六)"
  when 不良贷款率 > 红线
  then violation
    message "${message}"
`;

const fraud = `
rule fraud "弄虚作假"
  cites 指南 "三(六)"
  when 弄虚作假
  then accountability
    message "处罚"
`;

function statusOf(ir: PolicyIR, rule: string, c: { asOf: string; facts: Record<string, unknown> }): string {
  const lib = new PolicyLibrary();
  lib.add(ir);
  const d = evaluateSync(lib.resolve(ir.id, { version: ir.version, asOf: c.asOf }).value!, c.facts, { asOf: c.asOf });
  if (d.outcomes.some((o) => o.ruleId === rule)) return 'fired';
  if (d.notFired.includes(rule)) return 'not-fired';
  if (d.undetermined.some((u) => u.ruleId === rule)) return 'undetermined';
  return d.suppressed.some((s) => s.ruleId === rule) ? 'suppressed' : 'absent';
}

describe('change impact', () => {
  it('a red line raised from 3% to 5% changes the verdict only when 3% < 不良贷款率 ≤ 5%', async () => {
    const before = version('2015', '2015-06-01', redLine('3%', '2015-06-01') + fraud);
    const after = version('2021', '2021-01-01', redLine('5%', '2021-01-01') + fraud);
    const r = await changeImpact(before, after);
    expect(r.identical).toBe(false);
    expect(r.undecided).toEqual([]);
    expect(r.changes.map((c) => [c.rule, c.before, c.after])).toEqual([['npl', 'fired', 'not-fired']]);
    const w = r.changes[0]!.witness;
    const rate = w.facts['不良贷款率'] as number;
    expect(rate).toBeGreaterThan(3);
    expect(rate).toBeLessThanOrEqual(5);
    expect(statusOf(before, 'npl', w)).toBe('fired');
    expect(statusOf(after, 'npl', w)).toBe('not-fired');
    expect(r.conditions.npl).toEqual({ before: '不良贷款率 > 红线', after: '不良贷款率 > 红线' });
    // The region worked out: exactly 3% < 不良贷款率 ≤ 5%, the rate given.
    expect(r.changes[0]!.region).toEqual({
      facts: [{ fact: '不良贷款率', missing: 'never', min: { value: 3, strict: true }, max: { value: 5, strict: false } }],
      partial: false,
    });
  });

  it('works out a money range and a boolean it needs, and leaves out a fact that is free there', async () => {
    const loan = (cap: string, label: string, from: string) =>
      version(label, from, `
  贷款金额 "贷款金额": money
  用途合规 "用途合规": boolean
  年龄 "年龄": integer

parameter 上限 "单户贷款上限": money
  ${cap} from ${from}

rule over_cap "超过单户上限"
  cites 指南 "二(三)"
  when 用途合规 and 贷款金额 > 上限 and (年龄 >= 18 or 弄虚作假)
  then ineligible
    message "超过上限"
`);
    const r = await changeImpact(loan('5万元', '1', '2015-06-01'), loan('8万元', '2', '2016-01-01'));
    expect(r.changes.map((c) => c.rule)).toEqual(['over_cap']);
    const region = r.changes[0]!.region!;
    expect(region.partial).toBe(false);
    const by = Object.fromEntries(region.facts.map((f) => [f.fact, f]));
    expect(by['贷款金额']).toEqual({ fact: '贷款金额', missing: 'never', min: { value: '50000.01', strict: false }, max: { value: '80000.00', strict: false } });
    // Missing, it leaves the rule undetermined before and not fired after, for amounts between the caps.
    expect(by['用途合规']).toEqual({ fact: '用途合规', missing: 'possible', values: [true] });
    // 年龄 is free where the verdict changes (弄虚作假 can stand in for it), so it is not listed.
    expect(by['年龄']).toBeUndefined();
    // The whole-number search (the optimiser's fallback) finds the same region.
    const searched = await changeImpact(loan('5万元', '1', '2015-06-01'), loan('8万元', '2', '2016-01-01'), { regionBounds: 'search' });
    expect(searched.changes[0]!.region).toEqual(region);
    // And in words, as the CLI and the review page show it.
    const decls = new Map(loan('8万元', '2', '2016-01-01').facts.map((f) => [f.name, f]));
    expect(region.facts.map((f) => rangeWords(f, decls.get(f.fact)).zh)).toEqual(['用途合规为是(或未提供)', '5万元 < 贷款金额 ≤ 8万元']);
  });

  it.each([
    [{ fact: 'r', missing: 'never', min: { value: 3, strict: true }, max: { value: 5, strict: false } }, 'percent', '3% < 比率 ≤ 5%', '3% < rate ≤ 5%'],
    [{ fact: 'r', missing: 'possible', min: { value: 3, strict: false } }, 'percent', '比率 ≥ 3%(或未提供)', 'rate ≥ 3% (or not given)'],
    [{ fact: 'r', missing: 'never', max: { value: '80000.00', strict: false } }, 'money', '比率 ≤ 8万元', 'rate ≤ CNY 80,000'],
    [{ fact: 'r', missing: 'never', min: { value: '50000.01', strict: false } }, 'money', '比率 > 5万元', 'rate > CNY 50,000'],
    [{ fact: 'r', missing: 'never', min: { value: 19, strict: false } }, 'integer', '比率 ≥ 19', 'rate ≥ 19'],
    [{ fact: 'r', missing: 'never', max: { value: 59, strict: false } }, 'integer', '比率 < 60', 'rate < 60'],
    [{ fact: 'r', missing: 'always' }, 'integer', '未提供比率', 'rate not given'],
    [{ fact: 'r', missing: 'never', values: [false] }, 'boolean', '比率为否', 'rate is no'],
  ] as const)('region words %#: %s', (range, kind, zh, en) => {
    const decl = { name: 'r', label: '比率', labelEn: 'rate', type: { kind } } as FactDecl;
    expect(rangeWords(range as FactRange, decl)).toEqual({ zh, en });
  });

  it('a version compared with itself is identical, list rules included, with no solver call left undecided', async () => {
    const { loadPolicyDir } = await import('../../../engine/node.ts');
    const loaded = await loadPolicyDir('policies/gansu/poverty-loan-book');
    const book = loaded.files.find((f) => f.ir)!.ir!;
    expect(JSON.stringify(book)).toMatch(/"aggregate"/); // it has list rules
    const r = await changeImpact(book, structuredClone(book));
    expect(r).toMatchObject({ identical: true, changes: [], undecided: [] });
  });

  it('versions that differ in wording only decide identically, proved', async () => {
    const before = version('1', '2015-06-01', redLine('3%', '2015-06-01') + fraud);
    const after = version('2', '2016-01-01', redLine('3%', '2015-06-01', '不良贷款率超过3%红线') + fraud);
    const r = await changeImpact(before, after);
    expect(r).toMatchObject({ identical: true, changes: [], undecided: [] });
  });

  it('a rule the new version adds is an impact where it fires; one it drops, where it fired', async () => {
    const before = version('1', '2015-06-01', redLine('3%', '2015-06-01'));
    const after = version('2', '2016-01-01', fraud + `
parameter 红线 "不良贷款率红线": percent
  3% from 2015-06-01
`);
    const r = await changeImpact(before, after);
    expect(r.changes.map((c) => [c.rule, c.before, c.after]).sort()).toEqual([
      ['fraud', 'absent', 'fired'],
      ['npl', 'fired', 'absent'],
    ]);
    for (const c of r.changes) {
      expect(statusOf(before, c.rule, c.witness)).toBe(c.before);
      expect(statusOf(after, c.rule, c.witness)).toBe(c.after);
    }
  });
});
