/**
 * The four accountability variants read one fact vocabulary for an inspection finding: central
 * declares it, gansu and shanxi inherit it, panjin (older than the central text) declares it again.
 * The shared decision cases catch a missing name or a changed type or enum value; this test also
 * catches a drifting label, which an official would read differently.
 */
import { describe, it, expect } from 'vitest';
import { loadLibraries } from '../../engine/cli/library.ts';
import type { FactDecl } from '../../engine/ir/types.ts';

const AS_OF = '2019-06-30'; // all four in force
const CENTRAL = 'central/responsibility';
const VARIANTS = ['gansu/responsibility', 'shanxi/responsibility', 'panjin/inspection-accountability'];

describe('shared inspection-finding vocabulary', async () => {
  const { library } = await loadLibraries(['policies']);
  const factsOf = (id: string): Map<string, FactDecl> => {
    const resolved = library.resolve(id, { asOf: AS_OF });
    expect(resolved.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    return new Map((resolved.value?.ir.facts ?? []).map((f) => [f.name, f]));
  };
  const central = factsOf(CENTRAL);

  it('central declares the finding facts the variants rely on', () => {
    for (const name of ['问题类型', '对象类别', '人员身份', '层级', '年度', '减贫目标人数', '实际减贫人数', '考核等次']) {
      expect(central.has(name), name).toBe(true);
    }
  });

  it.each(VARIANTS)('%s reads every shared fact with the same type and label', (id) => {
    const facts = factsOf(id);
    for (const [name, decl] of central) {
      expect(facts.get(name), `${id}: ${name}`).toEqual(decl);
    }
  });

  it('panjin declares nothing beyond the shared facts', () => {
    const panjin = factsOf('panjin/inspection-accountability');
    expect([...panjin.keys()].sort()).toEqual([...central.keys()].sort());
  });
});
