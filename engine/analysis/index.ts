/**
 * The analysis stage: what can be proved about policies with an SMT solver (Z3). See README.md.
 * Node and browsers with cross-origin isolation (Z3's Wasm build uses threads); the editor may
 * ask the server instead. `versions.ts`, `usage.ts` and `regionWords.ts` need no solver and may be
 * imported alone.
 */
export type * from './types.ts';
export { analyzePolicy, sourceMap, DEFAULT_LIST_BOUND, DEFAULT_TIMEOUT_MS, type SourceMap } from './analyze.ts';
export { analyzeLibrary, analyzeResolved, type LibraryAnalyzeOptions } from './library.ts';
export { changeImpact, type ImpactOptions, type ImpactReportWithText } from './impact.ts';
export type { Bound, FactRange, Region } from './region.ts';
export { rangeWords, tidyBound } from './regionWords.ts';
export { coverage, toLcov, type CoverageReport, type RuleCoverage } from './coverage.ts';
export { findGap, type GapResult } from './gaps.ts';
export { checkVersionPeriods, checkPublish, periodEnd } from './versions.ts';
export { unusedNames, conditionReads, ruleReads } from './usage.ts';
export { sameSubject } from './subject.ts';
export { shutdownSolver } from './solver.ts';
export { checkFindings, counterexampleText, type CheckFindingsOptions } from './check.ts';
