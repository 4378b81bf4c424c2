/**
 * What the server needs from the engine, as one interface. The default implementation loads
 * `engine/index.ts` and `engine/node.ts`; tests may pass their own.
 */
import type { PolicyIR, PolicyRef } from '../engine/ir/types.ts';
import type { Decision, EvaluateOptions, FactError, PolicyStamp } from '../engine/evaluate/types.ts';
import type { Diagnostic, Result } from '../dsl/diagnostics.ts';
import type { Task, TaskResult } from '../engine/parallel/index.ts';
import type { DecisionTexts } from '../engine/evaluate/lean.ts';
import type { AnalysisOutcome, AnalysisRequest } from '../engine/parallel/analysis.ts';

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
  /**
   * The compiled fast path: the same `Decision` as `evaluateSync` without a trace. Each policy is
   * compiled once and cached by its stamp (hash, id, version), so repeated calls cost no compiling.
   */
  decide(policy: ResolvedPolicyLike, facts: unknown, opts: { asOf: string }): Decision;
  /** What a policy's rules say in every decision, kept once by the decision log; cached per policy. */
  decisionTexts(policy: ResolvedPolicyLike): DecisionTexts;
  /** A pool of worker threads deciding chunks of records with compiled policies; the caller closes it. */
  createPool(opts?: { size?: number }): PoolLike;
  validateFacts(ir: PolicyIR, facts: unknown): { errors: FactError[] };
  factSchema(ir: PolicyIR): object;
  loadPolicyDir(dir: string): Promise<{ files: { file: string; ir?: PolicyIR; diagnostics: Diagnostic[] }[] }>;
  /** The editor's analysis (Z3) on one worker thread, shared by the process; started on first use. */
  analyzer(): AnalyzerLike;
}

/** What the server uses of `engine/parallel`'s `AnalysisWorker`. */
export interface AnalyzerLike {
  analyze(req: AnalysisRequest): Promise<AnalysisOutcome>;
  /** Starts the thread and loads Z3 ahead of the first request (the server does at start). */
  warm(): void;
}

/** What the server uses of `engine/parallel`'s `WorkerPool`. */
export interface PoolLike {
  readonly size: number;
  register(policy: ResolvedPolicyLike): string;
  run(task: Task): Promise<TaskResult>;
  ordered(tasks: Iterable<Task> | AsyncIterable<Task>, maxInFlight?: number): AsyncGenerator<TaskResult>;
  close(): Promise<void>;
}

/** Compiled policies kept at most; a server holds far fewer versions in use at once. */
const MAX_COMPILED = 256;

/** Loads the real engine (node entry: it adds `loadPolicyDir`). */
export async function loadEngine(): Promise<EnginePort> {
  const e = await import('../engine/node.ts');
  const { compilePolicy } = await import('../engine/compiled/index.ts');
  const { WorkerPool } = await import('../engine/parallel/index.ts');
  const { decisionTexts } = await import('../engine/evaluate/lean.ts');
  const { AnalysisWorker } = await import('../engine/parallel/analysis.ts');
  let analyzer: InstanceType<typeof AnalysisWorker> | undefined;
  const compiled = perPolicy(compilePolicy);
  const texts = perPolicy(decisionTexts);
  return {
    compileSource: (text, opts) => e.compileSource(text, opts),
    policyHash: (ir) => e.policyHash(ir),
    printPolicy: (ir, format) => e.printPolicy(ir, format),
    newLibrary: () => new e.PolicyLibrary(),
    evaluate: (p, facts, opts) => e.evaluate(p, facts, opts),
    evaluateSync: (p, facts, opts) => e.evaluateSync(p, facts, opts),
    decide: (p, facts, opts) => compiled(p).decide(facts, opts),
    decisionTexts: (p) => texts(p),
    createPool: (opts) => new WorkerPool(opts),
    validateFacts: (ir, facts) => e.validateFacts(ir, facts),
    factSchema: (ir) => e.factSchema(ir),
    loadPolicyDir: (dir) => e.loadPolicyDir(dir),
    analyzer: () => (analyzer ??= new AnalysisWorker()),
  };
}

/**
 * `make(policy)`, made once per policy. Resolutions are cached by the library, so the same object
 * comes back for a version: a WeakMap hit avoids building the key; the key (stamp fields) catches
 * equal policies resolved anew. At most MAX_COMPILED are kept by key.
 */
function perPolicy<T>(make: (p: ResolvedPolicyLike) => T): (p: ResolvedPolicyLike) => T {
  const byObject = new WeakMap<ResolvedPolicyLike, T>();
  const byStamp = new Map<string, T>();
  return (p) => {
    let v = byObject.get(p);
    if (v !== undefined) return v;
    const s = p.stamp;
    const key = `${s.hash}\u0000${s.id}\u0000${s.version}\u0000${s.jurisdiction}`;
    v = byStamp.get(key);
    if (v === undefined) {
      v = make(p);
      if (byStamp.size >= MAX_COMPILED) byStamp.delete(byStamp.keys().next().value!);
      byStamp.set(key, v);
    }
    byObject.set(p, v);
    return v;
  };
}
