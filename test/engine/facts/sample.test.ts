import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicyDir, validateFacts } from '../../../engine/node.ts';
import { exampleFacts, sampleFacts } from '../../../engine/facts/sample.ts';
import { matchColumn, suggestFacts } from '../../../engine/facts/columns.ts';
import type { PolicyLibrary } from '../../../engine/library/library.ts';
import type { FactDecl } from '../../../engine/ir/types.ts';

let library: PolicyLibrary;
beforeAll(async () => {
  library = (await loadPolicyDir(path.join(import.meta.dirname, '../../../policies'))).library;
});

describe('sampleFacts', () => {
  it('gives records valid under every version of every library policy, some facts missing, and a complete example row', () => {
    let checked = 0;
    for (const id of library.ids()) {
      for (const v of library.versions(id)) {
        const r = library.resolve(id, { version: v.version });
        if (!r.value) continue; // a variant whose base is not in force on its own dates
        const ir = r.value.ir;
        const records = sampleFacts(ir, { count: 60, seed: 7 });
        for (const rec of records) expect(validateFacts(ir, rec).errors, `${id}@${v.version}`).toEqual([]);
        expect(records.some((rec) => Object.keys(rec).length < ir.facts.length), `${id}@${v.version} has missing facts`).toBe(true);
        const example = exampleFacts(ir);
        expect(Object.keys(example).sort()).toEqual(ir.facts.map((f) => f.name).sort());
        expect(validateFacts(ir, example).errors).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('is deterministic, independent of the count, and differs by seed', () => {
    const ir = library.resolve('gansu/poverty-loan-book').value!.ir;
    const a = sampleFacts(ir, { count: 30, seed: 3 });
    expect(sampleFacts(ir, { count: 30, seed: 3 })).toEqual(a);
    expect(sampleFacts(ir, { count: 10, seed: 3 })).toEqual(a.slice(0, 10));
    expect(sampleFacts(ir, { count: 30, seed: 4 })).not.toEqual(a);
  });

  it('puts values near the thresholds the rules compare with: NPL ratios straddle the red line', () => {
    const ir = library.resolve('gansu/poverty-loan-book').value!.ir;
    const ratios = sampleFacts(ir, { count: 200 })
      .map((r) => r['贷款'] as { 金额?: number; 逾期天数?: number }[] | undefined)
      .filter((l): l is { 金额: number; 逾期天数: number }[] => Array.isArray(l) && l.length > 0)
      .map((l) => l.filter((x) => x.逾期天数 >= 90).reduce((s, x) => s + x.金额, 0) / l.reduce((s, x) => s + x.金额, 0));
    // The library's red line is 3%: ratios both sides of it and between 3% and 5%.
    expect(ratios.filter((x) => x <= 0.03).length).toBeGreaterThan(10);
    expect(ratios.filter((x) => x > 0.05).length).toBeGreaterThan(10);
    expect(ratios.filter((x) => x > 0.03 && x <= 0.05).length).toBeGreaterThan(5);
  });
});

describe('columns', () => {
  const facts: FactDecl[] = [
    { name: '逾期天数', label: '逾期天数', type: { kind: 'integer' } },
    { name: '弄虚作假', label: '查实弄虚作假', labelEn: 'Fraud found', type: { kind: 'boolean' } },
    { name: '贴息金额', label: '已拨付贴息', type: { kind: 'money' } },
  ];
  it('matches by name, label or English label', () => {
    expect(matchColumn(' 查实弄虚作假 ', facts)?.name).toBe('弄虚作假');
    expect(matchColumn('Fraud found', facts)?.name).toBe('弄虚作假');
    expect(matchColumn('备注', facts)).toBeUndefined();
  });
  it('suggests the most similar facts for a ledger header, none for an unrelated one', () => {
    expect(suggestFacts('逾期天数(天)', facts)[0]).toEqual({ fact: '逾期天数', score: 1 });
    expect(suggestFacts('是否弄虚作假', facts)[0].fact).toBe('弄虚作假');
    expect(suggestFacts('拨付贴息(元)', facts)[0].fact).toBe('贴息金额');
    expect(suggestFacts('备注', facts)).toEqual([]);
  });
});
