/**
 * What `tiaowen check` shows for one compiled file: its version-period errors (reported on the
 * later-starting version) and, unless turned off, the solver's findings; plus the text that
 * prints a finding's counterexample under its code frame.
 */
import type { PolicyIR } from '../ir/types.ts';
import type { PolicyLibrary } from '../library/library.ts';
import { sourceMap } from './analyze.ts';
import { analyzeResolved } from './library.ts';
import type { Finding } from './types.ts';
import { checkVersionPeriods } from './versions.ts';

export interface CheckFindingsOptions {
  text: string;
  file?: string;
  /** false: only the findings that need no solver (unused names, parameter and version periods). */
  solver: boolean;
  timeoutMs?: number;
  /** See `AnalyzeOptions.deadline` / `signal`: the editor's bounded, cancellable analysis. */
  deadline?: number;
  signal?: AbortSignal;
}

export async function checkFindings(library: PolicyLibrary, ir: PolicyIR, opts: CheckFindingsOptions): Promise<Finding[]> {
  const policyRange = sourceMap(opts.text, opts.file).policy;
  const periods = checkVersionPeriods(library.versions(ir.id).filter((v) => v.version !== ir.version).concat([ir]))
    .filter((f) => f.policy.version === ir.version)
    .map((f) => (policyRange ? { ...f, range: policyRange } : f));
  const sources = new Map([[`${ir.id}@${ir.version}`, { text: opts.text, ...(opts.file !== undefined ? { file: opts.file } : {}) }]]);
  const found = await analyzeResolved(library, ir, {
    sources,
    noSolver: !opts.solver,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.deadline !== undefined ? { deadline: opts.deadline } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return [...periods, ...found];
}

/** `反例 / counterexample: as of 2020-01-01, facts {…}` (replay it with `tiaowen eval`), or '' without one. */
export function counterexampleText(f: Finding): string {
  if (!f.counterexample) return '';
  return `反例 / counterexample: as of ${f.counterexample.asOf}, facts ${JSON.stringify(f.counterexample.facts)}\n`;
}
