/**
 * What the analysis stage gives: findings. A finding is a `Diagnostic` (stable code, severity,
 * zh/en message, range, hint) with what a machine needs beside it: the rules involved, a concrete
 * counterexample the reference interpreter can replay, and what the solver had to approximate.
 */
import type { Region } from './region.ts';
import type { Diagnostic, Range } from '../../dsl/diagnostics.ts';
import type { IsoDate } from '../ir/types.ts';

/** Parts of the language the encoding does not model exactly; a finding names those it relied on. */
export type Approximation =
  /** Lists are modelled with at most `listBound` records (a proof of "never" holds up to that length). */
  | 'list-bound'
  /**
   * money × number and money ÷ number round the exact rational product; the engine first cuts the
   * double product to 15 significant digits, which differs only where binary noise meets a half fen.
   */
  | 'money-rounding';

/** A fact set and as-of date: feed them to `evaluateSync` to see the finding for yourself. */
export interface Counterexample {
  asOf: IsoDate;
  /** Facts as JSON a caller would send (money in yuan as a string, percent as written, dates as text). */
  facts: Record<string, unknown>;
}

export interface Finding extends Diagnostic {
  code: AnalysisCode;
  /** The policy version the finding is about. */
  policy: { id: string; version: string };
  /** Rule ids involved, in the policy's rule order (empty for facts, parameters, versions). */
  rules: string[];
  /** Where each involved rule is written (a conflict has two), when the source was given. */
  ruleRanges?: Record<string, Range>;
  /** Names of facts, parameters or definitions involved (unused-* findings). */
  names?: string[];
  /** Version labels involved (version-period findings), earlier first. */
  versions?: string[];
  counterexample?: Counterexample;
  approximated?: Approximation[];
}

export type AnalysisCode =
  | 'analysis.unsatisfiable-condition'
  | 'analysis.never-fires'
  | 'analysis.conflict'
  | 'analysis.conflicting-computation'
  | 'analysis.table-overlap'
  | 'analysis.redundant-rule'
  | 'analysis.unused-fact'
  | 'analysis.unused-parameter'
  | 'analysis.unused-definition'
  | 'analysis.parameter-gap'
  | 'analysis.parameter-value-unread'
  | 'analysis.same-start'
  | 'analysis.overlapping-versions'
  | 'analysis.solver-unknown'
  | 'analysis.not-proved'
  | 'analysis.unsupported'
  | 'analysis.gap';

export interface AnalyzeOptions {
  /** Per solver query, in milliseconds (default 5000). A timeout is reported, never taken as "no". */
  timeoutMs?: number;
  /** Records per list in the bounded model (default 3). */
  listBound?: number;
  /** The policy text, to give findings line ranges (rules, facts, parameters). */
  source?: { text: string; file?: string };
  /**
   * Last day the version is in force when it has no `until`: the day before the next version
   * starts (a version without an end runs until the next one starts). Default: 50 years on.
   */
  periodEnd?: IsoDate;
  /** Which rules belong to this version (variants: the merged IR holds base rules too). Default: all. */
  ownRules?: ReadonlySet<string>;
  /** Which declarations (facts, parameters, definitions) this version declares itself. Default: all. */
  ownNames?: ReadonlySet<string>;
  /** Names read elsewhere (by variants that extend this policy): not reported as unused. */
  alsoUsed?: ReadonlySet<string>;
  /** Concrete records tried through the interpreter before any query (default 240; 0: ask Z3 everything). */
  probeSamples?: number;
  /** Skip the solver-backed checks (unused names and parameter periods only). */
  noSolver?: boolean;
  /**
   * Wall-clock bound for the whole analysis (epoch ms): each query gets at most what is left, and
   * once it has passed every remaining question is reported `analysis.solver-unknown` (timeout),
   * naming its rules — never as "no problem". For the editor, which must answer in seconds.
   */
  deadline?: number;
  /** Aborted: the analysis stops at its next query and rejects with the signal's reason (a stale editor request). */
  signal?: AbortSignal;
}

/** One rule whose verdict differs between two versions, with a record that shows it. */
export interface ImpactItem {
  rule: string;
  before: RuleStatus | 'absent';
  after: RuleStatus | 'absent';
  witness: Counterexample;
  /** Each fact's range where the verdict changes (engine/analysis/region.ts). */
  region?: Region;
}

export type RuleStatus = 'fired' | 'not-fired' | 'undetermined' | 'suppressed';

export interface ImpactReport {
  /** Rules whose verdict can change, each with a witness; empty with `identical` true when proved. */
  changes: ImpactItem[];
  /** True when the solver proved that every rule gets the same verdict on every fact set (within the approximations). */
  identical: boolean;
  /** Rules the solver could not decide (timeout or unknown): neither changed nor proved unchanged. */
  undecided: { rule: string; reason: string }[];
  approximated: Approximation[];
}
