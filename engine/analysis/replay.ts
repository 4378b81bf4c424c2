/** The reference interpreter's decision on a counterexample: how every finding is confirmed. */
import { evaluateSync } from '../evaluate/decide.ts';
import type { Decision } from '../evaluate/types.ts';
import type { PolicyIR } from '../ir/types.ts';
import type { ResolvedPolicy } from '../library/library.ts';
import type { Counterexample } from './types.ts';

/** `ir` as the evaluator reads it (merged); `explain` adds the trace (raw condition results). */
export function replay(ir: PolicyIR, c: Counterexample, explain = false): Decision {
  const resolved: ResolvedPolicy = { stamp: { id: ir.id, version: ir.version, jurisdiction: ir.jurisdiction, hash: '' }, ir, chain: [ir], ruleOrigin: {} };
  return evaluateSync(resolved, c.facts, { asOf: c.asOf, explain });
}
