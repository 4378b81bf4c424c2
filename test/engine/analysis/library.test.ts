/**
 * The analysis over the whole policy library: what it finds must be real. Conflicts are replayed
 * through the library (the runtime reports the same conflict on the counterexample), and each kind
 * of finding the library has is one its authors chose on purpose:
 * - commendation and accountability of the same unit reported together (the cases expect
 *   `conflicts` for 表彰与问责并存);
 * - the shared finding facts, declared identically in central/responsibility and
 *   panjin/inspection-accountability so one record runs under every accountability variant
 *   (policies/_shared), read by some variants only.
 * Anything else — a dead rule, a timeout, a version overlap — fails here and must be looked at.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateSync, type PolicyIR } from '../../../engine/index.ts';
import { loadPolicyDir } from '../../../engine/node.ts';
import { analyzeLibrary, shutdownSolver, type Finding } from '../../../engine/analysis/index.ts';
import { readFile } from 'node:fs/promises';

afterAll(async () => {
  await shutdownSolver();
});

const ROOT = path.resolve(import.meta.dirname, '../../../policies');

describe('the policy library', () => {
  it('is clean but for findings its authors chose, and every conflict replays in the runtime', { timeout: 180_000 }, async () => {
    const { library, files } = await loadPolicyDir(ROOT);
    const sources = new Map<string, { text: string; file: string }>();
    for (const f of files) if (f.ir) sources.set(`${f.ir.id}@${f.ir.version}`, { text: await readFile(f.file, 'utf8'), file: f.file });
    const findings = await analyzeLibrary(library, { sources });

    const byCode = new Map<string, Finding[]>();
    for (const f of findings) byCode.set(f.code, [...(byCode.get(f.code) ?? []), f]);
    expect([...byCode.keys()].sort()).toEqual(['analysis.conflict', 'analysis.not-proved', 'analysis.unused-fact']);

    // Declared complete (`complete … because`): no gap anywhere. The one "not proved" is the
    // public-opinion grades, proved for lists of up to listBound 重大情形 records (its file says so).
    expect(byCode.get('analysis.gap')).toBeUndefined();
    const notProved = byCode.get('analysis.not-proved') ?? [];
    expect(notProved.map((f) => `${f.policy.id} ${f.rules.join(',')}`)).toEqual([
      'gansu/public-opinion 舆情分级.特别重大,舆情分级.重大,舆情分级.敏感,舆情分级.一般,舆情分级.综合研判',
    ]);
    const declared = [...library.ids()].flatMap((id) => library.versions(id).flatMap((v) => (v.complete ?? []).map(() => id)));
    expect(declared).toEqual(expect.arrayContaining(['gansu/poverty-loan', 'gansu/public-opinion']));

    const rulesOf = new Map<string, PolicyIR['rules'][number]>();
    for (const f of findings.filter((x) => x.code === 'analysis.conflict')) {
      const resolved = library.resolve(f.policy.id, { asOf: f.counterexample!.asOf }).value!;
      for (const r of resolved.ir.rules) rulesOf.set(`${f.policy.id}/${r.id}`, r);
      const kinds = f.rules.map((id) => rulesOf.get(`${f.policy.id}/${id}`)?.then.kind).sort();
      expect(kinds, `${f.policy.id} ${f.rules.join(' ')}`).toEqual(['accountability', 'commendation']);
      const d = evaluateSync(resolved, f.counterexample!.facts, { asOf: f.counterexample!.asOf });
      expect(d.conflicts.map((c) => [...c.rules].sort()), `${f.policy.id} ${f.rules.join(' ')}`).toContainEqual([...f.rules].sort());
      expect(f.range?.file).toMatch(/\.policy$/);
    }

    // Unused facts: only shared finding facts, each declared in panjin and central alike.
    const central = library.versions('central/responsibility')[0]!;
    const panjin = library.versions('panjin/inspection-accountability')[0]!;
    const shared = new Set(panjin.facts.map((f) => f.name).filter((n) => central.facts.some((c) => c.name === n)));
    for (const f of byCode.get('analysis.unused-fact') ?? []) {
      expect(['central/responsibility', 'panjin/inspection-accountability']).toContain(f.policy.id);
      expect(shared.has(f.names![0]!), f.names![0]).toBe(true);
    }
  });
});
