/** The reference interpreter's decision on a counterexample: how every finding is confirmed. */
import { evaluateSync, evaluateSyncRaw } from '../evaluate/decide.ts';
import type { RuleStatus } from '../evaluate/jre.ts';
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

/** The decision and each rule's raw status (condition alone, before exceptions); no trace, so cheap. */
export function replayRaw(ir: PolicyIR, c: Counterexample): { decision: Decision; raw: ReadonlyMap<string, RuleStatus> } {
  return evaluateSyncRaw(resolvedOf(ir), c.facts, c.asOf);
}
