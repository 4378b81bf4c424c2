/**
 * The tiaowen intermediate representation (IR): what the DSL and the YAML form both compile to,
 * what is stored, hashed, diffed and evaluated. `schema.json` beside this file is its JSON Schema
 * and must be kept in step with these types (a test checks every example policy against it).
 *
 * Invariants the compiler (engine/ir/fromAst.ts) guarantees before an IR is handed on:
 * - every name in an expression is resolved: a fact, a record field, a parameter, or a definition;
 * - expressions are well typed (see `ValueType`), enum literals are declared values;
 * - rule ids are unique within a policy; every rule cites a declared source.
 */

export const IR_VERSION = 1 as const;

/** Dates are plain calendar dates in Asia/Shanghai, written `YYYY-MM-DD`. */
export type IsoDate = string;

export interface PolicyIR {
  irVersion: typeof IR_VERSION;
  /** `<jurisdiction>/<topic>`, e.g. `gansu/poverty-loan`. */
  id: string;
  title: string;
  titleEn?: string;
  /** central, gansu, shanxi, panjin, … */
  jurisdiction: string;
  /** Free-form version label, unique per policy id, e.g. `2017.1`. */
  version: string;
  /** First day in force. */
  effectiveFrom: IsoDate;
  /** Last day in force (inclusive). Absent: open-ended. */
  effectiveUntil?: IsoDate;
  /** Base policy this one is a variant of; without a version, the base version in force on the as-of date. */
  extends?: PolicyRef;
  /** Earlier versions or policies this one replaces (informational; resolution is by dates). */
  supersedes?: PolicyRef[];
  sources: SourceDocument[];
  facts: FactDecl[];
  parameters: ParameterDecl[];
  /** Named intermediate values shared by all rules (`let` at policy level). */
  definitions: Definition[];
  rules: RuleIR[];
  /** Base rules switched off in this variant, by id, each with the reason. */
  disabled?: DisabledRule[];
  /**
   * Outcomes declared complete (`complete r1, r2 because "…"`): on every fact set, with every fact
   * these rules read given, one of them fires. The analysis looks for a gap and gives one.
   */
  complete?: CompleteDecl[];
}

export interface PolicyRef {
  policy: string;
  version?: string;
}

export interface SourceDocument {
  /** Short key that citations use, e.g. `操作指南`. */
  key: string;
  title: string;
  /** 文号, e.g. `甘财农二〔2017〕41号`. */
  number?: string;
  /** Issuing body, date, etc. may be added later; keep optional. */
  issuedBy?: string;
  issuedOn?: IsoDate;
}

export interface Citation {
  /** Key of a `SourceDocument` of this policy (or of its base, for inherited rules). */
  source: string;
  /** As written in the document: `第十八条`, `三(六)`, `第三十三条第(二)项`. */
  article: string;
  /** The article's own words, shown beside the verdict. */
  quote?: string;
}

// ---------------------------------------------------------------------------------------------
// Types of values

export type ScalarKind = 'boolean' | 'integer' | 'number' | 'money' | 'percent' | 'date' | 'string';

export interface EnumValue {
  value: string;
  label: string;
  labelEn?: string;
}

export type FactType =
  | { kind: ScalarKind }
  | { kind: 'enum'; values: EnumValue[] }
  | { kind: 'list'; fields: FactDecl[] };

export interface FactDecl {
  name: string;
  /** Chinese label shown to officials and in error messages. */
  label: string;
  labelEn?: string;
  type: FactType;
  description?: string;
  /** Personal data: the decision log masks it unless a rule reads it (server/privacy.ts). */
  personal?: true;
  /** The case's id (string or integer, top-level, one per policy): logged only as a keyed hash. */
  subject?: true;
}

/**
 * Static types of expressions. `percent` values are ratios at run time (3% is 0.03) and mix
 * freely with `number`; `money` is exact to the fen (held as integer fen at run time);
 * `duration` only appears as the right operand of date ± duration or compared with day counts.
 */
export type ValueType =
  | { kind: ScalarKind }
  | { kind: 'enum'; fact: string; values: string[] }
  | { kind: 'duration' }
  | { kind: 'list'; fact: string };

// ---------------------------------------------------------------------------------------------
// Parameters: dated values with their legal reference (OpenFisca-style)

export interface ParameterDecl {
  name: string;
  label: string;
  labelEn?: string;
  /** `duration`: a time limit such as 30天 or 20个工作日; its values are texts like "30 days" (see duration.ts). */
  type: { kind: 'boolean' | 'integer' | 'number' | 'money' | 'percent' | 'date' | 'string' | 'duration' };
  /** Sorted by `from`, ascending; each value holds from its date until the next one's. */
  values: ParameterValue[];
}

export interface ParameterValue {
  from: IsoDate;
  value: Literal;
  cites?: Citation;
}

export interface Definition {
  name: string;
  label?: string;
  labelEn?: string;
  expr: Expr;
}

// ---------------------------------------------------------------------------------------------
// Rules and outcomes

export type OutcomeKind =
  | 'violation'
  | 'accountability'
  | 'eligible'
  | 'ineligible'
  | 'notice'
  | 'commendation'
  | 'computation';

/** Kinds that contradict each other when both fire for one set of facts. */
export const CONTRADICTORY_KINDS: ReadonlyArray<readonly [OutcomeKind, OutcomeKind]> = [
  ['eligible', 'ineligible'],
  ['commendation', 'accountability'],
];

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

export interface LocalizedText {
  zh: string;
  en?: string;
}

export interface ComputedValue {
  name: string;
  label?: string;
  labelEn?: string;
  expr: Expr;
}

export interface Outcome {
  kind: OutcomeKind;
  severity?: Severity;
  message: LocalizedText;
  /** Consequences named by the article, e.g. 约谈, 通报批评, 免职. */
  consequences: string[];
  computed: ComputedValue[];
}

export interface RuleIR {
  id: string;
  title: string;
  titleEn?: string;
  cites: Citation;
  /** Rule-local named values, evaluated in order; each may use the ones before it. */
  lets: Definition[];
  when: Expr;
  then: Outcome;
  /**
   * Catala-style exception: when this rule fires, the named base rule is suppressed for these
   * facts. The named rule may be in this policy or in the policy it extends.
   */
  exceptionTo?: string;
  /** This rule replaces the base policy's rule with the same id. */
  overrides?: boolean;
  /** Where a rule desugared from a decision table or scorecard was written (display only). */
  from?: RuleProvenance;
}

/**
 * The table row a rule came from (engine/ir/tables.ts). Evaluation ignores it; the admin UI
 * highlights the row, and the analysis checks the rows of a `unique` table for overlaps.
 */
export interface RuleProvenance {
  /** The table's or scorecard's id. */
  table: string;
  /** In a scorecard: the indicator's id, or `grades`. */
  part?: string;
  /** 1-based row number within the table (or indicator, or grades); absent for a total. */
  row?: number;
  hit: 'unique' | 'first' | 'collect';
}

export interface DisabledRule {
  rule: string;
  reason: string;
}

export interface CompleteDecl {
  rules: string[];
  reason: string;
}

// ---------------------------------------------------------------------------------------------
// Expressions. Every node has `type`; consumers switch on it exhaustively.

export type Literal = boolean | number | string;

export type Expr =
  | { type: 'boolean'; value: boolean }
  /** Plain number; `integer` tells the type checker it has no fraction. */
  | { type: 'number'; value: number; integer?: boolean }
  /** Money literal in yuan, at most two decimals (5万元 is 50000). */
  | { type: 'money'; yuan: number }
  /** Percent literal as written: 3 means 3% (0.03 at run time). */
  | { type: 'percent'; value: number }
  | { type: 'date'; value: IsoDate }
  | { type: 'string'; value: string }
  | { type: 'duration'; amount: number; unit: DurationUnit }
  /** A top-level fact. */
  | { type: 'fact'; name: string }
  /** A field of the current record, inside an aggregate over a list fact. */
  | { type: 'field'; name: string }
  /** A parameter's value on the as-of date. */
  | { type: 'param'; name: string }
  /** A definition (policy-level) or rule-level `let`. */
  | { type: 'ref'; name: string }
  /** The evaluation's as-of date. */
  | { type: 'asOf' }
  | { type: 'not'; arg: Expr }
  | { type: 'neg'; arg: Expr }
  | { type: 'and'; args: Expr[] }
  | { type: 'or'; args: Expr[] }
  | { type: 'compare'; op: CompareOp; left: Expr; right: Expr }
  | { type: 'arith'; op: ArithOp; left: Expr; right: Expr }
  | { type: 'in'; value: Expr; options: Expr[]; negated?: boolean }
  | {
      type: 'between';
      value: Expr;
      low: Expr;
      high: Expr;
      /** Whether each bound itself is inside the range (含 / 不含). */
      lowInclusive: boolean;
      highInclusive: boolean;
    }
  | { type: 'if'; cond: Expr; then: Expr; else: Expr }
  | { type: 'call'; fn: FunctionName; args: Expr[] }
  | {
      type: 'aggregate';
      fn: AggregateFn;
      /** Name of a list fact. */
      list: string;
      /** Per-record value (fields resolve to the record); required for sum/min/max/avg. */
      value?: Expr;
      /** Per-record filter. */
      where?: Expr;
    };

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type ArithOp = '+' | '-' | '*' | '/';
export type DurationUnit = 'days' | 'workdays' | 'months' | 'years';

export type FunctionName =
  | 'min'
  | 'max'
  | 'abs'
  | 'round'
  /** Whole days from the first date to the second (b - a). */
  | 'daysBetween'
  /** Working days after a up to and including b, by the Chinese official calendar. */
  | 'workdaysBetween'
  /** Whole months from a to b (anniversary semantics). */
  | 'monthsBetween'
  /** Whole years from a to b (age semantics). */
  | 'yearsBetween'
  /** true when the fact (or field) is present; never undetermined. */
  | 'known';

/**
 * Aggregates over a list fact. count: records passing `where`. sum/min/max/avg: of `value` over
 * records passing `where`. ratio: with `value`, sum(value where)/sum(value); without, count(where)/count.
 * any: some record passes `where` (and has `value` true, if given). all: every record that passes
 * `where` (all records if absent) has `value` true (or passes `where` itself if no value).
 */
export type AggregateFn = 'count' | 'sum' | 'min' | 'max' | 'avg' | 'ratio' | 'any' | 'all';
