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

/** Loads the real engine. */
export async function loadEngine(): Promise<EnginePort> {
  // Imported by computed path while the engine entry points are being written; the interface
  // above is the contract both sides keep.
  const indexPath = '../engine/index.ts';
  const nodePath = '../engine/node.ts';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- module typed by EnginePort below
  const e: any = await import(indexPath);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- same
  const n: any = await import(nodePath);
  return {
    compileSource: e.compileSource,
    policyHash: e.policyHash,
    printPolicy: e.printPolicy,
    newLibrary: () => new e.PolicyLibrary(),
    evaluate: e.evaluate,
    evaluateSync: e.evaluateSync,
    validateFacts: e.validateFacts,
    factSchema: e.factSchema,
    loadPolicyDir: n.loadPolicyDir,
  };
}
