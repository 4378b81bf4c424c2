/**
 * The surface tree of a policy, as written: what the DSL parser and the YAML reader both produce
 * and what the formatter prints. It keeps source locations and leaves names unresolved
 * (`name` nodes); engine/ir/fromAst.ts resolves them, type-checks and lowers to the IR.
 *
 * Shapes deliberately follow engine/ir/types.ts so that lowering is mostly name resolution.
 */
import type { Range } from './diagnostics.ts';

export interface Node {
  /** Where the node was written; absent for nodes built from the IR (formatter input). */
  loc?: Range;
  /** `#` comments written around the node's line, so the formatter can print them back. */
  comments?: Comments;
}

/**
 * Comments attached to one printed line. Texts are what follows `#`, trailing blanks removed
 * (`# 不超过3%` is ` 不超过3%`), the form the `yaml` package also uses.
 * `leading` are whole-line comments above the line; `trailing` is the comment at its end.
 * A comment inside a multi-line expression or enum body becomes a leading comment of its clause.
 */
export interface Comments {
  leading?: string[];
  trailing?: string;
}

export interface PolicyAst extends Node {
  id: string;
  title: string;
  titleEn?: string;
  jurisdiction: string;
  version: string;
  effectiveFrom: string;
  effectiveUntil?: string;
  extends?: PolicyRefAst;
  supersedes: PolicyRefAst[];
  sources: SourceAst[];
  facts: FactDeclAst[];
  parameters: ParameterAst[];
  definitions: DefinitionAst[];
  rules: RuleAst[];
  disabled: DisabledAst[];
  /** Outcomes declared complete: on every fact set one of the rules fires (the analysis looks for gaps). */
  complete?: CompleteAst[];
  /** Decision tables (`table …`); lowering turns each into rules (engine/ir/tables.ts). */
  tables?: TableAst[];
  /** Scorecards (`scorecard …`); lowering turns each into rules and definitions. */
  scorecards?: ScorecardAst[];
  /** Comments of header lines that are not nodes, and of the `facts` keyword line. */
  clauseComments?: { title?: Comments; jurisdiction?: Comments; version?: Comments; effective?: Comments; facts?: Comments };
  /** Comments after the last line of the file. */
  trailingComments?: string[];
}

export interface PolicyRefAst extends Node {
  policy: string;
  version?: string;
}

export interface SourceAst extends Node {
  key: string;
  title: string;
  number?: string;
}

export interface CitationAst extends Node {
  source: string;
  article: string;
  quote?: string;
}

export type TypeAst =
  | (Node & { kind: 'boolean' | 'integer' | 'number' | 'money' | 'percent' | 'date' | 'string' | 'duration' })
  | (Node & { kind: 'enum'; values: { value: string; label: string; labelEn?: string; loc?: Range }[] })
  | (Node & { kind: 'list'; fields: FactDeclAst[] });

export interface FactDeclAst extends Node {
  name: string;
  label: string;
  labelEn?: string;
  type: TypeAst;
  description?: string;
  /** Personal data (an ID number, a name, a phone): masked in the decision log unless a rule reads it. */
  personal?: boolean;
  /** The case's identifier: stored only as a keyed hash, found by exact value. At most one fact. */
  subject?: boolean;
  /**
   * The author left a blank line (or several) between the previous fact or field of the same
   * list and this one; the formatter prints one. The only layout the formatter takes from the
   * input. Never set on the first fact of a list; absent from the YAML form.
   */
  blankLineBefore?: boolean;
}

export interface ParameterAst extends Node {
  name: string;
  label: string;
  labelEn?: string;
  type: TypeAst;
  values: { from: string; value: ExprAst; cites?: CitationAst; loc?: Range; comments?: Comments }[];
}

export interface DefinitionAst extends Node {
  name: string;
  label?: string;
  labelEn?: string;
  expr: ExprAst;
}

export interface OutcomeAst extends Node {
  kind: string; // checked against OutcomeKind when lowering, so a typo is a diagnostic, not a parse error
  severity?: string;
  message: { zh: string; en?: string };
  consequences: string[];
  computed: DefinitionAst[];
  /** Comments of the `message` and `consequences` lines (the outcome's own are on `comments`). */
  clauseComments?: { message?: Comments; consequences?: Comments };
}

export interface RuleAst extends Node {
  id: string;
  title: string;
  titleEn?: string;
  cites?: CitationAst; // optional here so a missing citation is a semantic diagnostic with a hint
  lets: DefinitionAst[];
  when: ExprAst;
  then: OutcomeAst;
  exceptionTo?: string;
  overrides?: boolean;
  /**
   * Comments of the `exception to` and `overrides` lines. The other clauses are nodes and carry
   * their own: `cites`, each `let`, `when` (on the condition), `then` (on the outcome).
   */
  clauseComments?: { exceptionTo?: Comments; overrides?: Comments };
}

export interface DisabledAst extends Node {
  rule: string;
  reason: string;
}

export interface CompleteAst extends Node {
  rules: string[];
  reason: string;
}

export type ExprAst = Node &
  (
    | { type: 'boolean'; value: boolean }
    | { type: 'number'; value: number; integer?: boolean }
    | { type: 'money'; yuan: number }
    | { type: 'percent'; value: number }
    | { type: 'date'; value: string }
    | { type: 'string'; value: string }
    | { type: 'duration'; amount: number; unit: 'days' | 'workdays' | 'months' | 'years' }
    /** Any identifier: fact, field, parameter, definition or let; resolved when lowering. */
    | { type: 'name'; name: string }
    | { type: 'asOf' }
    | { type: 'not'; arg: ExprAst }
    | { type: 'neg'; arg: ExprAst }
    | { type: 'and'; args: ExprAst[] }
    | { type: 'or'; args: ExprAst[] }
    | { type: 'compare'; op: '==' | '!=' | '<' | '<=' | '>' | '>='; left: ExprAst; right: ExprAst }
    | { type: 'arith'; op: '+' | '-' | '*' | '/'; left: ExprAst; right: ExprAst }
    | { type: 'in'; value: ExprAst; options: ExprAst[]; negated?: boolean }
    | { type: 'between'; value: ExprAst; low: ExprAst; high: ExprAst; lowInclusive: boolean; highInclusive: boolean }
    | { type: 'if'; cond: ExprAst; then: ExprAst; else: ExprAst }
    /**
     * A call as written: `min(a, b)`, `count(贷款 where 逾期天数 >= 90)`, `sum(贷款, 金额 where …)`.
     * `fn` is the canonical English name (Chinese aliases are mapped by the parser); whether it is
     * a function or an aggregate over a list is decided when lowering.
     */
    | { type: 'call'; fn: string; args: ExprAst[]; where?: ExprAst }
  );

// ---------------------------------------------------------------------------------------------
// Decision tables and scorecards: surface forms only; engine/ir/tables.ts desugars them to rules.

/**
 * One input cell of a row, a DMN unary test on its column: `any`, `>= 90`, `between 1 and 3`,
 * `in ["a", "b"]`, `not in [...]`, or a bare value (`op: '=='`, printed without the operator).
 */
export type CellAst = Node &
  (
    | { op: 'any' }
    | { op: '==' | '!=' | '<' | '<=' | '>' | '>='; value: ExprAst }
    | { op: 'between'; low: ExprAst; high: ExprAst; lowInclusive: boolean; highInclusive: boolean }
    | { op: 'in' | 'not in'; options: ExprAst[] }
  );

export interface TableRowAst extends Node {
  /** Row id (`row 严重:`); absent: the row's 1-based number names it. */
  id?: string;
  cells: CellAst[];
  /** The row's output value (`gives …`): the table's computed value, or its contribution (collect). */
  gives?: ExprAst;
  cites?: CitationAst;
  /** The row's outcome; absent: a `computation` outcome titled after the table. */
  then?: OutcomeAst;
}

export interface TableAst extends Node {
  id: string;
  title: string;
  titleEn?: string;
  /** `unique`, `first` or `collect`, canonical English; an unknown word passes through for lowering to report. */
  hit: string;
  /** With `collect`: `sum`, `min`, `max` or `count`. */
  aggregate?: string;
  columns: ExprAst[];
  rows: TableRowAst[];
  /** `complete because "…"`: the rows together always decide (the analysis looks for a gap). */
  complete?: string;
  clauseComments?: { hit?: Comments; columns?: Comments; complete?: Comments };
}

/** One indicator of a scorecard: a first-hit table whose rows give points. */
export interface IndicatorAst extends Node {
  /** Also the name of its score, usable in expressions. */
  id: string;
  label: string;
  labelEn?: string;
  columns: ExprAst[];
  rows: TableRowAst[];
  clauseComments?: { columns?: Comments };
}

export interface ScorecardAst extends Node {
  /** Also the name of the total, usable in expressions. */
  id: string;
  title: string;
  titleEn?: string;
  indicators: IndicatorAst[];
  /** Grade bands over the total, first hit: each row has one cell and `gives` the grade. */
  grades: TableRowAst[];
  clauseComments?: { grades?: Comments };
}
