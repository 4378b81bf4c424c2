/**
 * Public API of the engine, for the CLI, the server and the admin UI (browser-safe: nothing here
 * touches node:fs; `node.ts` adds loading policies from disk).
 */
export * from './ir/types.ts';
export type * from './evaluate/types.ts';
export type { Diagnostic, Result } from '../dsl/diagnostics.ts';
export { compileSource, type CompileOptions } from './ir/compile.ts';
export { validateIr } from './ir/validate.ts';
export { policyHash, canonicalJson } from './ir/hash.ts';
export { printPolicy, printExpr } from './ir/print.ts';
export { PolicyLibrary, mergeChain, type ResolvedPolicy, type ResolveOptions, type RuleOrigin } from './library/library.ts';
export { evaluate, evaluateSync } from './evaluate/decide.ts';
export { validateFacts, factSchema, type NormalizedFacts, type JsonSchema } from './facts/index.ts';
// Explain (a decision as text, with the trace when evaluated with `explain: true`) and diff: pure
// functions over IR and decisions, exported so embedding programs need no deep imports.
export { formatDecision as explainDecision } from './cli/decisionText.ts';
export { diffPolicies, textDiff, type PolicyDiff, type TextDiff } from './diff/index.ts';
