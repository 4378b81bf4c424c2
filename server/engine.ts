/**
 * What the server needs from the engine, as one interface. The default implementation loads
 * `engine/index.ts` and `engine/node.ts`; tests may pass their own.
 */
import type { PolicyIR, PolicyRef } from '../engine/ir/types.ts';
import type { Decision, EvaluateOptions, FactError, PolicyStamp } from '../engine/evaluate/types.ts';
import type { Diagnostic, Result } from '../dsl/diagnostics.ts';

export interface ResolvedPolicyLike {
  stamp: PolicyStamp;
  ir: PolicyIR;
  chain: PolicyIR[];
  ruleOrigin: Record<string, { policyId: string; jurisdiction: string; version: string }>;
}

export interface LibraryLike {
  add(ir: PolicyIR): Diagnostic[];
  ids(): string[];
  versions(id: string): PolicyIR[];
  get(id: string, version: string): PolicyIR | undefined;
  resolve(id: string, opts: { version?: string; asOf?: string }): Result<ResolvedPolicyLike>;
}

export interface EnginePort {
  compileSource(
    text: string,
    opts: { file?: string; format?: 'dsl' | 'yaml'; resolveBase?: (ref: PolicyRef) => PolicyIR | undefined },
  ): Result<PolicyIR>;
  policyHash(ir: PolicyIR): string;
  printPolicy(ir: PolicyIR, format: 'dsl' | 'yaml'): string;
  newLibrary(): LibraryLike;
  evaluate(policy: ResolvedPolicyLike, facts: unknown, opts?: EvaluateOptions): Promise<Decision>;
  evaluateSync(policy: ResolvedPolicyLike, facts: unknown, opts?: EvaluateOptions): Decision;
  validateFacts(ir: PolicyIR, facts: unknown): { errors: FactError[] };
  factSchema(ir: PolicyIR): object;
  loadPolicyDir(dir: string): Promise<{ files: { file: string; ir?: PolicyIR; diagnostics: Diagnostic[] }[] }>;
}

/** Loads the real engine (node entry: it adds `loadPolicyDir`). */
export async function loadEngine(): Promise<EnginePort> {
  const e = await import('../engine/node.ts');
  return {
    compileSource: (text, opts) => e.compileSource(text, opts),
    policyHash: (ir) => e.policyHash(ir),
    printPolicy: (ir, format) => e.printPolicy(ir, format),
    newLibrary: () => new e.PolicyLibrary(),
    evaluate: (p, facts, opts) => e.evaluate(p, facts, opts),
    evaluateSync: (p, facts, opts) => e.evaluateSync(p, facts, opts),
    validateFacts: (ir, facts) => e.validateFacts(ir, facts),
    factSchema: (ir) => e.factSchema(ir),
    loadPolicyDir: (dir) => e.loadPolicyDir(dir),
  };
}
