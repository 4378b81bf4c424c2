/** The reference interpreter's decision on a counterexample: how every finding is confirmed. */
import { evaluateSync, judgeSyncRaw, type RawVerdicts } from '../evaluate/decide.ts';
import type { Decision } from '../evaluate/types.ts';
import type { PolicyIR } from '../ir/types.ts';
import type { ResolvedPolicy } from '../library/library.ts';
import type { Counterexample } from './types.ts';

function resolvedOf(ir: PolicyIR): ResolvedPolicy {
  return { stamp: { id: ir.id, version: ir.version, jurisdiction: ir.jurisdiction, hash: '' }, ir, chain: [ir], ruleOrigin: {} };
}

/** `ir` as the evaluator reads it (merged); `explain` adds the trace (raw condition results). */
export function replay(ir: PolicyIR, c: Counterexample, explain = false): Decision {
  return evaluateSync(resolvedOf(ir), c.facts, { asOf: c.asOf, explain });
}

/** Each rule's raw status, the rules fired and the conflicts, as the decision has them; nothing else built, so cheap. */
export function replayRaw(ir: PolicyIR, c: Counterexample): RawVerdicts {
  return judgeSyncRaw(resolvedOf(ir), c.facts, c.asOf);
}
