/**
 * Mutated policy texts through every stage (compile → IR validation → evaluate, both evaluators →
 * format → print → diff against the original → SQL → usage analysis): diagnostics, never a thrown
 * exception. Seeded (FUZZ_SEED) and bounded (FUZZ_POLICY_RUNS) for CI; `npm run soak` runs more.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePolicy, policyToYaml } from '../../dsl/index.ts';
import { compileSource } from '../../engine/index.ts';
import { mutate, mutationArb, throughEveryStage } from './mutate.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const RUNS = Number(process.env.FUZZ_POLICY_RUNS ?? 50);

function policyFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? policyFiles(p) : n.endsWith('.policy') ? [p] : [];
  });
}

/** The library's policies, each also in its YAML form. */
export const SEEDS = policyFiles(path.join(import.meta.dirname, '../../policies')).flatMap((f) => {
  const text = readFileSync(f, 'utf8');
  const ast = parsePolicy(text).value!;
  const ir = compileSource(text).value;
  return [
    { name: path.basename(f), text, format: 'dsl' as const, ir },
    { name: `${path.basename(f)}.yaml`, text: policyToYaml(ast), format: 'yaml' as const, ir },
  ];
});

describe('mutated policies through every stage', () => {
  it('the seeds compile', () => {
    expect(SEEDS.length).toBeGreaterThanOrEqual(20);
    // Variants (`extends`) compile only with their base; the others must compile on their own.
    const alone = SEEDS.filter((s) => s.format === 'dsl' && !/^\s*extends /m.test(s.text));
    expect(alone.filter((s) => s.ir === undefined).map((s) => s.name)).toEqual([]);
  });

  it(`${RUNS} mutated texts (seed ${SEED}): diagnostics, never an exception`, () => {
    const reached = new Map<string, number>();
    fc.assert(
      fc.property(fc.nat(SEEDS.length - 1), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (i, ms) => {
        const s = SEEDS[i]!;
        const r = throughEveryStage(mutate(s.text, ms), s.format, s.ir);
        reached.set(r.reached, (reached.get(r.reached) ?? 0) + 1);
        for (const d of r.diagnostics) {
          expect(typeof d.code).toBe('string');
          expect(d.message.zh.length * d.message.en.length).toBeGreaterThan(0);
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // The mutations both break texts and leave some whole, so every stage is exercised.
    expect(reached.get('parse') ?? 0).toBeGreaterThan(0);
    expect(reached.get('sql') ?? 0).toBeGreaterThan(0);
  });
});
