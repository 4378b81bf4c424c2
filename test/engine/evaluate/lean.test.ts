/**
 * The lean decision form the decision log stores: rule texts once per policy version, what varies
 * per decision apart. Splitting and expanding must give back the decision exactly, as JSON text too
 * (replay compares the stored decision with a new one).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../engine/evaluate/decide.ts';
import { decisionTexts, expandDecision, expandedJson, leanDecision } from '../../../engine/evaluate/lean.ts';
import type { Decision } from '../../../engine/evaluate/types.ts';
import { compilePolicy } from '../../../engine/compiled/index.ts';
import { loadPolicyDir } from '../../../engine/node.ts';
import { readCasesFile } from '../../../engine/cases/run.ts';
import { takeRecords } from '../../../bench/generate-loans.ts';
import { AS_OF, benchPolicies } from '../../../bench/load.ts';

function roundTrip(d: Decision, texts: ReturnType<typeof decisionTexts>) {
  const lean = leanDecision(d, texts);
  expect(lean, 'a decision of the same policy always splits').toBeDefined();
  const back = expandDecision(JSON.parse(JSON.stringify(lean)), JSON.parse(JSON.stringify(texts)));
  expect(JSON.stringify(back)).toBe(JSON.stringify(d));
  // The same JSON text, built from fragments.
  expect(expandedJson(lean!, texts)).toBe(JSON.stringify(d));
  return lean!;
}

function casesFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return casesFiles(p);
    return name.endsWith('.cases.yaml') ? [p] : [];
  });
}

describe('lean decisions', async () => {
  const root = path.resolve(import.meta.dirname, '../../../policies');
  const { library } = await loadPolicyDir(root);

  it('round-trip every decision case in policies/, reference (with trace) and compiled', async () => {
    const seen = { fired: 0, computed: 0, undetermined: 0, reasons: 0, suppressed: 0, conflicts: 0 };
    for (const file of casesFiles(root)) {
      const { file: cases } = readCasesFile(readFileSync(file, 'utf8'));
      for (const c of cases!.cases) {
        for (const id of cases!.policies ?? [c.policy ?? cases!.policy ?? '']) {
          const resolved = library.resolve(id, { asOf: c.asOf });
          if (!resolved.value) continue;
          const texts = decisionTexts(resolved.value);
          const reference = await evaluate(resolved.value, c.facts, { asOf: c.asOf, explain: true });
          const lean = roundTrip(reference, texts);
          expect(lean.trace).toEqual(reference.trace);
          const compiled = compilePolicy(resolved.value).decide(c.facts, { asOf: c.asOf });
          roundTrip(compiled, texts);
          seen.fired += reference.outcomes.length;
          seen.computed += reference.outcomes.filter((o) => Object.keys(o.computed).length > 0).length;
          seen.undetermined += reference.undetermined.length;
          seen.reasons += reference.undetermined.filter((u) => u.reasons).length;
          seen.suppressed += reference.suppressed.length;
          seen.conflicts += reference.conflicts.length;
        }
      }
    }
    // The corpus exercises every part of the form.
    for (const [part, n] of Object.entries(seen)) expect(n, part).toBeGreaterThan(0);
  }, 120_000);

  it('round-trip the benchmark records and are far smaller than the decision', () => {
    const { baseline } = benchPolicies();
    const texts = decisionTexts(baseline);
    const compiled = compilePolicy(baseline);
    let full = 0;
    let lean = 0;
    const missing = new Set<string>();
    for (const r of takeRecords(300)) {
      const d = compiled.decide(r, { asOf: AS_OF });
      full += JSON.stringify(d).length;
      const l = roundTrip(d, texts);
      lean += JSON.stringify(l).length;
      for (const u of l.undetermined) for (const m of u[1]) missing.add(typeof m);
    }
    expect(lean * 10).toBeLessThan(full);
    // Declared facts by position, paths into lists (贷款[1].逾期天数) as text.
    expect([...missing].sort()).toEqual(['number', 'string']);
  });

  it('round-trip a decision on invalid facts', async () => {
    const { baseline } = benchPolicies();
    const texts = decisionTexts(baseline);
    const d = await evaluate(baseline, { 贴息金额: 'abc', 贷款: [{ 金额: -1, 逾期天数: 1.5 }] }, { asOf: AS_OF });
    expect(d.status).toBe('invalid-facts');
    expect(roundTrip(d, texts).factErrors!.length).toBeGreaterThan(0);
  });

  it('keep notFired only when it is not every remaining rule', async () => {
    const { baseline } = benchPolicies();
    const texts = decisionTexts(baseline);
    const d = compilePolicy(baseline).decide(takeRecords(1).next().value, { asOf: AS_OF });
    expect(leanDecision(d, texts)!.notFired).toBeUndefined();
    const odd = { ...d, notFired: d.notFired.slice().reverse() };
    expect(leanDecision(odd, texts)!.notFired).toEqual(odd.notFired);
    expect(expandDecision(leanDecision(odd, texts)!, texts)).toStrictEqual(odd);
  });

  it('refuse a decision the texts do not describe', () => {
    const { baseline, candidate } = benchPolicies();
    const d = compilePolicy(baseline).decide(takeRecords(1).next().value, { asOf: AS_OF });
    const texts = decisionTexts(baseline);
    // Another policy version.
    expect(leanDecision(d, decisionTexts(candidate))).toBeUndefined();
    // Same policy, a rule whose text differs from the texts.
    const fired = d.outcomes.length > 0 ? d : compilePolicy(baseline).decide({ ...(takeRecords(1).next().value as object), 弄虚作假: true }, { asOf: AS_OF });
    expect(fired.outcomes.length).toBeGreaterThan(0);
    const changed = { ...fired, outcomes: [{ ...fired.outcomes[0]!, title: '别的标题' }, ...fired.outcomes.slice(1)] };
    expect(leanDecision(changed, texts)).toBeUndefined();
    const otherCitation = { ...fired, outcomes: [{ ...fired.outcomes[0]!, citation: { ...fired.outcomes[0]!.citation, article: '九十九' } }, ...fired.outcomes.slice(1)] };
    expect(leanDecision(otherCitation, texts)).toBeUndefined();
    // An unknown rule id.
    const unknownRule = { ...d, undetermined: [{ ...d.undetermined[0]!, ruleId: 'no_such_rule' }] };
    expect(leanDecision(unknownRule, texts)).toBeUndefined();
  });

  it('give texts an id that changes with the texts', () => {
    const { baseline, candidate } = benchPolicies();
    const a = decisionTexts(baseline);
    expect(decisionTexts(baseline).id).toBe(a.id);
    expect(decisionTexts(candidate).id).not.toBe(a.id);
    expect(a.id).toMatch(/^[0-9a-f]{64}$/);
  });
});
