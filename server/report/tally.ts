/**
 * What a simulation keeps for its impact report while it runs (jobs.ts feeds it every record and
 * every changed record): records per value of each column one may group by, the computed amounts
 * of the changed records under both sides, and — at the end — the policy change and the rules'
 * names. Stored with the finished job (`job_reports`), so the report does not depend on the
 * dataset (deleted when the job ends) nor on a draft edited since.
 */
import { diffPolicies, type PolicyDiff } from '../../engine/diff/index.ts';
import type { FactDecl, PolicyIR } from '../../engine/ir/types.ts';
import type { ChunkReport } from '../../engine/parallel/protocol.ts';
import type { EnginePort, ResolvedPolicyLike } from '../engine.ts';

/** Distinct values counted per column while running; later values go to `other`. */
export const TRACK_MAX = 2000;
/** Groups a report shows per column at most (the largest); the rest are summed as 其他/other. */
export const GROUPS_MAX = 200;

/**
 * Fact types a report may group by: few distinct values, or values people group by (a year, a
 * county code). Not dates: a day is rarely a group, and counting every date fact's values cost as
 * much as the rest together (bench/simulate.ts --report).
 */
const GROUPABLE = new Set(['enum', 'boolean', 'string', 'integer']);

export interface ColumnCounts {
  /** A fact of the policy, or a column the reviewer kept for grouping (not a fact). */
  source: 'fact' | 'column';
  label: string;
  labelEn?: string;
  /** Records per value (the largest GROUPS_MAX after the run). */
  values: Record<string, number>;
  /** Records with a value not in `values`. */
  other: number;
  /** Enum values' labels, for the report to show words. */
  valueLabels?: Record<string, { zh: string; en?: string }>;
}

export interface RuleName {
  title: string;
  titleEn?: string;
  article: string;
  kind: string;
  /** Which side has the rule. */
  in: 'both' | 'baseline' | 'candidate';
}

export interface AmountTotals {
  label: string;
  labelEn?: string;
  /** Totals in fen (分), exact; the report shows 元. */
  baselineFen: number;
  candidateFen: number;
}

export interface ReportBasis {
  total: number;
  columns: Record<string, ColumnCounts>;
  /** Money computed by the rules that fired, over the records whose verdict changed. */
  amounts: Record<string, AmountTotals>;
  rules: Record<string, RuleName>;
  change: {
    added: string[];
    removed: string[];
    changed: { id: string; fields: string[] }[];
    parameters: { name: string; label: string; values: { from: string; old?: string; new?: string }[] }[];
    facts: { added: string[]; removed: string[] };
  };
}

/** A money amount as the engine writes it ("1234.50") in fen, exactly. */
export function fenOf(yuan: string): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(yuan);
  if (!m) return 0;
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -fen : fen;
}

export class ReportTally {
  private counts = new Map<string, { source: 'fact' | 'column'; values: Map<string, number>; other: number }>();
  private facts: FactDecl[];
  private groupable: FactDecl[];
  private amounts = new Map<string, AmountTotals>();

  constructor(
    private readonly engine: EnginePort,
    private readonly baseline: ResolvedPolicyLike,
    private readonly candidate: ResolvedPolicyLike,
    private readonly asOf: string,
  ) {
    this.facts = [...candidate.ir.facts, ...baseline.ir.facts.filter((f) => !candidate.ir.facts.some((g) => g.name === f.name))];
    this.groupable = this.facts.filter((f) => GROUPABLE.has(f.type.kind));
  }

  /** The facts a worker counts records by (engine/parallel ReportAsk). */
  get groupFacts(): string[] {
    return this.groupable.map((f) => f.name);
  }

  private add(name: string, source: 'fact' | 'column', value: string, by = 1): void {
    let c = this.counts.get(name);
    if (!c) this.counts.set(name, (c = { source, values: new Map(), other: 0 }));
    const n = c.values.get(value);
    if (n !== undefined) c.values.set(value, n + by);
    else if (c.values.size < TRACK_MAX) c.values.set(value, by);
    else c.other += by;
  }

  /** Every record of the dataset, once (where this thread has it parsed: the SQL path). */
  record(facts: unknown, columns: Record<string, string> | undefined): void {
    if (facts && typeof facts === 'object') {
      const f = facts as Record<string, unknown>;
      for (const d of this.groupable) {
        const v = f[d.name];
        if (v !== undefined && v !== null && typeof v !== 'object') this.add(d.name, 'fact', String(v));
      }
    }
    this.columns(columns);
  }

  /** A record's kept columns (records read here, whose facts a worker counted). */
  columns(columns: Record<string, string> | undefined): void {
    if (columns) for (const [k, v] of Object.entries(columns)) this.add(k, 'column', v);
  }

  /** What a worker counted for one chunk (engine/parallel ReportAsk): values and amounts. */
  addChunk(r: ChunkReport): void {
    for (const [name, values] of Object.entries(r.facts)) for (const [v, n] of Object.entries(values)) this.add(name, 'fact', v, n);
    for (const [name, values] of Object.entries(r.columns)) for (const [v, n] of Object.entries(values)) this.add(name, 'column', v, n);
    for (const [name, a] of Object.entries(r.amounts)) {
      const t = this.amounts.get(name);
      if (!t) this.amounts.set(name, { ...a });
      else (t.baselineFen += a.baselineFen, t.candidateFen += a.candidateFen);
    }
  }

  /**
   * A record whose verdict changed: its computed money under both sides (decided again here, in
   * this thread; few records change, and the workers return verdicts without amounts).
   */
  changed(facts: unknown): void {
    const side = (p: ResolvedPolicyLike, into: 'baselineFen' | 'candidateFen') => {
      let d;
      try {
        d = this.engine.decide(p, facts, { asOf: this.asOf });
      } catch {
        return; // facts this side cannot read: it computes nothing for them
      }
      for (const o of d.outcomes) {
        for (const [name, c] of Object.entries(o.computed ?? {})) {
          if (c.result.type !== 'money') continue;
          let t = this.amounts.get(name);
          if (!t) this.amounts.set(name, (t = { label: c.label ?? name, ...(c.labelEn ? { labelEn: c.labelEn } : {}), baselineFen: 0, candidateFen: 0 }));
          t[into] += fenOf(c.result.yuan);
        }
      }
    };
    side(this.baseline, 'baselineFen');
    side(this.candidate, 'candidateFen');
  }

  finish(total: number): ReportBasis {
    const columns: Record<string, ColumnCounts> = {};
    for (const [name, c] of this.counts) {
      const sorted = [...c.values].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      const kept = sorted.slice(0, GROUPS_MAX);
      const folded = sorted.slice(GROUPS_MAX).reduce((n, [, k]) => n + k, 0);
      const fact = c.source === 'fact' ? this.facts.find((f) => f.name === name) : undefined;
      const valueLabels =
        fact?.type.kind === 'enum'
          ? Object.fromEntries(fact.type.values.map((v) => [v.value, { zh: v.label ?? v.value, ...(v.labelEn ? { en: v.labelEn } : {}) }]))
          : fact?.type.kind === 'boolean'
            ? { true: { zh: '是', en: 'yes' }, false: { zh: '否', en: 'no' } }
            : undefined;
      columns[name] = {
        source: c.source,
        label: fact?.label ?? name,
        ...(fact?.labelEn ? { labelEn: fact.labelEn } : {}),
        values: Object.fromEntries(kept),
        other: c.other + folded,
        ...(valueLabels ? { valueLabels } : {}),
      };
    }
    return {
      total,
      columns,
      amounts: Object.fromEntries(this.amounts),
      rules: ruleNames(this.baseline.ir, this.candidate.ir),
      change: policyChange(diffPolicies(this.baseline.ir, this.candidate.ir), [...this.candidate.ir.parameters, ...this.baseline.ir.parameters]),
    };
  }
}

function ruleNames(a: PolicyIR, b: PolicyIR): Record<string, RuleName> {
  const out: Record<string, RuleName> = {};
  for (const r of a.rules) out[r.id] = { title: r.title, ...(r.titleEn ? { titleEn: r.titleEn } : {}), article: r.cites.article, kind: r.then.kind, in: 'baseline' };
  for (const r of b.rules) {
    const had = out[r.id];
    out[r.id] = { title: r.title, ...(r.titleEn ? { titleEn: r.titleEn } : {}), article: r.cites.article, kind: r.then.kind, in: had ? 'both' : 'candidate' };
  }
  return out;
}

function policyChange(d: PolicyDiff, params: { name: string; label: string }[]): ReportBasis['change'] {
  const text = (v: { zh: string } | undefined, raw: unknown) => v?.zh ?? (raw === undefined ? undefined : String(raw));
  return {
    added: d.rules.added.map((r) => r.id),
    removed: d.rules.removed.map((r) => r.id),
    changed: d.rules.changed.map((r) => ({ id: r.id, fields: r.changes.map((c) => c.field) })),
    parameters: d.parameters.changed.map((p) => ({
      name: p.name,
      label: params.find((x) => x.name === p.name)?.label ?? p.name,
      values: p.values.map((v) => {
        const old = text(v.display?.old, v.old);
        const nu = text(v.display?.new, v.new);
        return { from: v.from, ...(old !== undefined ? { old } : {}), ...(nu !== undefined ? { new: nu } : {}) };
      }),
    })),
    facts: { added: d.facts.added.map((f) => f.name), removed: d.facts.removed.map((f) => f.name) },
  };
}
