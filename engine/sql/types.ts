/**
 * Types of the SQL stage: what `compileSql` takes and gives. Browser-safe (no node imports).
 */
import type { Diagnostic } from '../../dsl/diagnostics.ts';
import type { OutcomeKind } from '../ir/types.ts';

export type SqlDialect = 'duckdb' | 'postgres';

/**
 * Where the records are. `records`: one row per record, a `rid` column (BIGINT, unique) and one
 * column per scalar fact, named by the fact, holding the value as JSON facts would (money in yuan,
 * percent as written, dates as DATE, enums as text); a list fact's column holds the number of its
 * records, NULL when the list itself is missing. `lists`: per list fact a relation
 * (`rid`, `idx` from 1, one column per field, named by the field).
 * Both are SQL text (a table name, a view, a quoted identifier).
 */
export interface SqlSource {
  records: string;
  lists: Record<string, string>;
  /**
   * DuckDB: per list fact, a column of `records` holding the list itself as LIST<STRUCT> (fields
   * named by the fields). When given, aggregates over that list are list functions with lambdas
   * over the column (no unnest, no GROUP BY); `lists` is then unused for it.
   */
  listColumns?: Record<string, string>;
}

/** What one bit of a missing-facts mask stands for. */
export type MaskBit =
  | { kind: 'fact'; path: string }
  | { kind: 'reason'; reason: 'division-by-zero' | 'no-parameter-value' | 'empty-aggregate' | 'exception-undetermined' };

/** Static kind of a computed amount, as `Decision` computed values are typed. */
export type ComputedKind = 'money' | 'number' | 'integer' | 'percent' | 'date' | 'string' | 'boolean';

export interface RuleColumns {
  id: string;
  kind: OutcomeKind;
  title: string;
  /** Column with the final verdict: 0 not fired, 1 fired, 2 undetermined, 3 suppressed (as `decideCompact`). */
  status: string;
  /** Column with the missing-facts mask (BIGINT) of an undetermined rule; 0 otherwise. */
  mask: string;
  /** Bits this rule can report (its facts, transitively, and reasons): what coverage counts. */
  bits: number[];
  computed: { name: string; kind: ComputedKind; column: string; mask: string }[];
}

/** The columns one policy version contributes to a query. */
export interface SideLayout {
  policyId: string;
  version: string;
  prefix: string;
  /** Bit i of every mask column means `bits[i]`. */
  bits: MaskBit[];
  rules: RuleColumns[];
  /** BOOLEAN column: false when a value breaks the fact declarations (an enum outside its values, a fraction in an integer). */
  valid: string;
}

/**
 * A compiled plan: `WITH <ctes> SELECT … FROM <last> t` reads every side's columns (each row also
 * has `rid`). `setup` are the statements that must have run once in the database (calendar table,
 * helper functions); they are idempotent.
 */
export interface SqlPlan {
  dialect: SqlDialect;
  asOf: string;
  setup: string[];
  ctes: string[];
  last: string;
  sides: SideLayout[];
}

export type SqlDiagnostic = Diagnostic;
