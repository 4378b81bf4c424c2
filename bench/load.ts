/** Loads the benchmark policy and its candidate (bench/policy/) into a library. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { compileSource, PolicyLibrary, type ResolvedPolicy } from '../engine/index.ts';

export const POLICY_DIR = path.resolve(import.meta.dirname, 'policy');
export const BASELINE = 'gansu/loan-book-bench';
export const CANDIDATE = 'gansu/loan-book-bench-npl5';
export const AS_OF = '2019-12-31';

export function benchPolicies(): { baseline: ResolvedPolicy; candidate: ResolvedPolicy } {
  const lib = new PolicyLibrary();
  // Base first: the candidate extends it.
  for (const f of readdirSync(POLICY_DIR).filter((f) => f.endsWith('.policy')).sort((a, b) => a.length - b.length)) {
    const r = compileSource(readFileSync(path.join(POLICY_DIR, f), 'utf8'), { file: f, resolveBase: (ref) => lib.get(ref.policy, ref.version ?? '') });
    if (!r.value) throw new Error(`${f}: ${r.diagnostics.map((d) => d.message.en).join('; ')}`);
    lib.add(r.value);
  }
  const get = (id: string) => {
    const r = lib.resolve(id, { asOf: AS_OF });
    if (!r.value) throw new Error(`${id}: ${r.diagnostics.map((d) => d.message.en).join('; ')}`);
    return r.value;
  };
  return { baseline: get(BASELINE), candidate: get(CANDIDATE) };
}
