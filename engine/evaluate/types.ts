/**
 * What evaluation returns. A `Decision` is the product's verdict: what fired, with the article it
 * rests on; what could not be decided for lack of facts; and, on request, why.
 * These are wire types too: the server returns them as JSON unchanged.
 */
import type { Citation, LocalizedText, OutcomeKind, RuleProvenance, Severity, IsoDate } from '../ir/types.ts';
import type { Diagnostic } from '../../dsl/diagnostics.ts';

export interface PolicyStamp {
  id: string;
  version: string;
  jurisdiction: string;
  /** sha256 of the canonical IR JSON of the resolved policy (base merged in), hex. */
  hash: string;
}

/** A citation made concrete for the reader: which jurisdiction's which document. */
export interface ResolvedCitation extends Citation {
  policyId: string;
  jurisdiction: string;
  documentTitle: string;
  documentNumber?: string;
}

export type ComputedResult =
  | { type: 'money'; yuan: string } // decimal string with two places, exact, e.g. "1234.50"
  | { type: 'number' | 'integer' | 'percent'; value: number } // percent as written: 3 means 3%
  | { type: 'boolean'; value: boolean }
  | { type: 'date' | 'string'; value: string }
  | { type: 'undetermined'; missingFacts: string[] };

export interface FiredOutcome {
  ruleId: string;
  title: string;
  kind: OutcomeKind;
  severity?: Severity;
  message: LocalizedText;
  consequences: string[];
  citation: ResolvedCitation;
  computed: Record<string, { label?: string; labelEn?: string; result: ComputedResult }>;
  /** For a rule written as a decision-table row: its table and row (the UI highlights the row hit). */
  from?: RuleProvenance;
}

export interface UndeterminedRule {
  ruleId: string;
  title: string;
  citation: ResolvedCitation;
  /** Facts (paths like `贷款[3].逾期天数` or plain names) whose absence kept the rule undecided. */
  missingFacts: string[];
  /** Other reasons, e.g. division by zero, in both languages. */
  reasons?: LocalizedText[];
}

export interface SuppressedRule {
  ruleId: string;
  /** The exception rule that fired and takes priority. */
  byRuleId: string;
  citation: ResolvedCitation;
}

export interface Conflict {
  code: 'engine.contradictory-outcomes';
  rules: [string, string];
  citations: [ResolvedCitation, ResolvedCitation];
  message: LocalizedText;
}

export interface FactError {
  /** JSON pointer into the facts, e.g. `/贷款/3/逾期天数`. */
  path: string;
  message: LocalizedText;
  code: string;
}

export interface ConditionTrace {
  /** Human-readable condition, printed back in the DSL, e.g. `不良贷款率 > 不良贷款率红线`. */
  condition: string;
  /** The values seen, by name (facts, parameters, definitions), as JSON. */
  values: Record<string, unknown>;
  result: boolean | 'undetermined';
  /**
   * A comparison leaf's sides as evaluated, in the order written: `a > b` gives a and b,
   * `a between lo and hi` gives a, lo and hi, `a in [...]` gives a. Each is printed as DSL with
   * its value as in `values` (unknown `null`), so a trace shows what `贷款金额 - 额度上限` came to,
   * not only whether the comparison held. Absent on other leaves and on all/any nodes.
   */
  operands?: { expr: string; value: unknown }[];
  children?: ConditionTrace[];
}

export interface RuleTrace {
  ruleId: string;
  result: 'fired' | 'not-fired' | 'undetermined' | 'suppressed' | 'disabled';
  condition: ConditionTrace;
}

export interface Decision {
  policy: PolicyStamp;
  asOf: IsoDate;
  /** 'invalid-facts': facts failed validation; no rule was evaluated. */
  status: 'ok' | 'invalid-facts';
  factErrors: FactError[];
  outcomes: FiredOutcome[];
  undetermined: UndeterminedRule[];
  suppressed: SuppressedRule[];
  conflicts: Conflict[];
  /** Ids of rules evaluated to false. */
  notFired: string[];
  trace?: RuleTrace[];
}

export interface EvaluateOptions {
  /** Date the facts are judged on; picks parameter values and `asOf`. Default: today in Asia/Shanghai. */
  asOf?: IsoDate;
  explain?: boolean;
}

export type { Diagnostic };
