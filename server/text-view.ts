/**
 * A stored policy in the other notation, for the text views (a version's `dsl`/`yaml`, the text
 * diff across formats). Decision tables and scorecards exist in the source tree only: the IR holds
 * the rules they desugar to, whose ids (`舆情分级.重大`) the DSL cannot write. So when the IR has
 * rules made from a table (`from`), convert the stored source's tree instead of printing the IR —
 * as the editor does (admin-ui/src/editor/lint.ts `convert`).
 */
import { formatPolicy, parsePolicySource, policyToYaml } from '../dsl/index.ts';
import { hasErrors } from '../dsl/diagnostics.ts';
import type { PolicyIR } from '../engine/ir/types.ts';

export type Notation = 'dsl' | 'yaml';

export interface StoredText {
  format: Notation;
  source: string;
  ir: PolicyIR;
}

/** `s` written in `to`; throws when neither the tree nor the IR can be printed (callers decide). */
export function textIn(s: StoredText, to: Notation, printIr: (ir: PolicyIR, to: Notation) => string): string {
  if (s.format === to) return s.source;
  if (s.ir.rules.some((r) => r.from)) {
    const parsed = parsePolicySource(s.source, { format: s.format });
    // A stored source compiled once; a parse failure here would be a front-end change since.
    if (parsed.value && !hasErrors(parsed.diagnostics)) return to === 'yaml' ? policyToYaml(parsed.value) : formatPolicy(parsed.value);
  }
  return printIr(s.ir, to);
}
