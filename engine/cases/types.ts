/**
 * Decision cases: the `*.cases.yaml` files beside policies (OPA's test/cases, OpenFisca's YAML
 * tests). `tiaowen test` and `npm test` run them.
 */
import type { IsoDate } from '../ir/types.ts';

export interface Want {
  status?: 'ok' | 'invalid-facts';
  /** Exactly these rule ids fired (order-free). Omitted: nothing fired. */
  fired?: string[];
  /** At least these evaluated to false. */
  notFired?: string[];
  /** Exactly these were undetermined, when given. */
  undetermined?: string[];
  /** Exactly these were suppressed by an exception, when given. */
  suppressed?: string[];
  /** Exactly these pairs conflicted, when given (each pair order-free). */
  conflicts?: [string, string][];
  /** JSON pointers that must be among the fact errors. */
  factErrors?: string[];
  /** Expected computed values by rule id and name: money in yuan, percent as written. */
  computed?: Record<string, Record<string, number | string | boolean>>;
}

export interface DecisionCase {
  note: string;
  asOf: IsoDate;
  facts: Record<string, unknown>;
  /** For single-policy files, the expectation; for shared files, keyed by policy id. */
  want: Want | Record<string, Want>;
  /** Per-case policy override (single-policy files only). */
  policy?: string;
}

export interface CasesFile {
  /** The policy the cases are for; may be inferred when the folder holds one policy. */
  policy?: string;
  /** Shared findings: the same facts evaluated under several policies, `want` keyed by id. */
  policies?: string[];
  cases: DecisionCase[];
}
