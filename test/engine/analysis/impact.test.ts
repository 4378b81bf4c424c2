/**
 * Change impact between two versions: each rule whose verdict can change comes with a witness
 * record, replayed here through both versions; a proof when nothing changes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { compileSource, evaluateSync, PolicyLibrary, type PolicyIR } from '../../../engine/index.ts';
import { changeImpact, shutdownSolver } from '../../../engine/analysis/index.ts';

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
