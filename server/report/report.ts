/**
 * The impact report of a finished simulation: what changed in the policy, how many records
 * changed verdict and which way (per rule, per outcome), the computed amounts before and after,
 * and a breakdown by one column. Built from the job's result, its stored basis (tally.ts) and its
 * changed records; the JSON route, the XLSX and the print page all render this one object.
 */
import { ApiError } from '../errors.ts';
import type { Text } from '../messages.ts';
import type { JobChange, JobRecord } from '../store/store.ts';
import { DIRECTION_WORDS, OUTCOME_WORDS, sentence } from './sentences.ts';
import type { ReportBasis } from './tally.ts';

export const DIRECTIONS = ['not>fired', 'fired>not', 'fired>undetermined', 'not>undetermined', 'undetermined>fired', 'undetermined>not'] as const;
export type Direction = (typeof DIRECTIONS)[number];
export type DirectionCounts = Record<Direction, number>;

interface Outcome {
  status: string;
  fired: string[];
  undetermined: string[];
  kinds: string[];
}

interface SideResult {
  policy: string;
  version: string;
  hash: string;
  byOutcome: Record<string, number>;
  byRule: Record<string, { fired: number; undetermined: number; suppressed: number }>;
}

export interface RuleRef {
  rule: string;
  title: string;
  titleEn?: string;
  article: string;
}

export interface ReportGroup {
  /** The value as stored; null: records without one; `other`: the values past the largest 200. */
  value: string | null;
  other?: true;
  label: Text;
  records: number;
  changed: number;
  /** Changed records with at least one rule moving this way (a record may count in several). */
  directions: DirectionCounts;
}

export interface ImpactReport {
  job: string;
  baseline: { policy: string; version: string; hash: string };
  candidate: { policy: string; version: string; hash: string };
  asOf: string;
  total: number;
  changed: number;
  change: {
    added: RuleRef[];
    removed: RuleRef[];
    changed: (RuleRef & { fields: string[] })[];
    parameters: ReportBasis['change']['parameters'];
  };
  rules: (RuleRef & { kind: string; baseline: { fired: number; undetermined: number }; candidate: { fired: number; undetermined: number }; directions: DirectionCounts })[];
  outcomes: { kind: string; label: Text; baseline: number; candidate: number; gained: number; lost: number }[];
  amounts: { name: string; label: Text; baselineYuan: string; candidateYuan: string; deltaYuan: string }[];
  /** Columns one may group by: the policy's facts with few values, and the columns kept on upload. */
  columns: { name: string; label: Text; source: 'fact' | 'column'; groups: number }[];
  breakdown?: { by: string; label: Text; source: 'fact' | 'column'; groups: ReportGroup[] };
  summary: Text[];
}

const emptyDirections = (): DirectionCounts => Object.fromEntries(DIRECTIONS.map((d) => [d, 0])) as DirectionCounts;

function state(o: Outcome, rule: string): 'fired' | 'not' | 'undetermined' {
  return o.fired.includes(rule) ? 'fired' : o.undetermined.includes(rule) ? 'undetermined' : 'not';
}

/** A record's outcome classes as `byOutcome` counts them. */
export function outcomeClasses(o: Outcome): string[] {
  if (o.status === 'invalid-facts') return ['invalid-facts'];
  if (o.kinds.length) return o.kinds;
  return o.undetermined.length ? ['undetermined'] : ['none'];
}

/** Each rule whose verdict on the record moved, and which way. */
export function ruleMoves(b: Outcome, c: Outcome): { rule: string; direction: Direction }[] {
  const rules = new Set([...b.fired, ...b.undetermined, ...c.fired, ...c.undetermined]);
  const out: { rule: string; direction: Direction }[] = [];
  for (const rule of [...rules].sort()) {
    const from = state(b, rule);
    const to = state(c, rule);
    if (from !== to) out.push({ rule, direction: `${from}>${to}` as Direction });
  }
  return out;
}

/** Fen as 元 with two decimals, exactly. */
export function yuanOf(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const a = Math.abs(fen);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

/** The value a changed record has in column `by` (a fact, or a kept column). */
export function groupValue(ch: JobChange, by: string, source: 'fact' | 'column'): string | null {
  if (source === 'column') return ch.columns?.[by] ?? null;
  const v = (ch.record as Record<string, unknown> | null)?.[by];
  return v === undefined || v === null || typeof v === 'object' ? null : String(v);
}

const NO_VALUE: Text = { zh: '(空)', en: '(blank)' };
const OTHER: Text = { zh: '其他', en: 'other' };

export async function buildReport(job: JobRecord, basis: ReportBasis, changes: AsyncIterable<JobChange>, by: string | undefined): Promise<ImpactReport> {
  const result = job.result as { total: number; changed: number; baseline: SideResult; candidate: SideResult };
  const params = job.params as { asOf: string };
  const column = by === undefined ? undefined : basis.columns[by];
  if (by !== undefined && !column) {
    throw ApiError.of(422, 'report.unknown-column', [
      {
        path: 'query.by',
        message: {
          zh: `没有可分组的列「${by}」;可选:${Object.keys(basis.columns).join('、') || '(无)'}`,
          en: `no column "${by}" to group by; available: ${Object.keys(basis.columns).join(', ') || '(none)'}`,
        },
      },
    ]);
  }
  const ref = (rule: string): RuleRef => {
    const n = basis.rules[rule];
    return { rule, title: n?.title ?? rule, ...(n?.titleEn ? { titleEn: n.titleEn } : {}), article: n?.article ?? '' };
  };

  // One pass over the changed records: rule moves, outcome classes gained and lost, groups.
  const byRule = new Map<string, DirectionCounts>();
  const gained = new Map<string, number>();
  const lost = new Map<string, number>();
  const groups = new Map<string | null, { changed: number; directions: DirectionCounts }>();
  const otherKey = '\u0000other';
  for await (const ch of changes) {
    const b = ch.baseline as Outcome;
    const c = ch.candidate as Outcome;
    const moves = ruleMoves(b, c);
    for (const m of moves) {
      let d = byRule.get(m.rule);
      if (!d) byRule.set(m.rule, (d = emptyDirections()));
      d[m.direction]++;
    }
    const cb = outcomeClasses(b);
    const cc = outcomeClasses(c);
    for (const k of cc) if (!cb.includes(k)) gained.set(k, (gained.get(k) ?? 0) + 1);
    for (const k of cb) if (!cc.includes(k)) lost.set(k, (lost.get(k) ?? 0) + 1);
    if (column && by !== undefined) {
      const raw = groupValue(ch, by, column.source);
      const key = raw === null ? null : Object.hasOwn(column.values, raw) ? raw : otherKey;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { changed: 0, directions: emptyDirections() }));
      g.changed++;
      for (const d of new Set(moves.map((m) => m.direction))) g.directions[d]++;
    }
  }

  const ruleIds = new Set([...Object.keys(result.baseline.byRule), ...Object.keys(result.candidate.byRule), ...byRule.keys(), ...basis.change.added, ...basis.change.removed]);
  const rules = [...ruleIds]
    .map((id) => ({
      ...ref(id),
      kind: basis.rules[id]?.kind ?? '',
      baseline: { fired: result.baseline.byRule[id]?.fired ?? 0, undetermined: result.baseline.byRule[id]?.undetermined ?? 0 },
      candidate: { fired: result.candidate.byRule[id]?.fired ?? 0, undetermined: result.candidate.byRule[id]?.undetermined ?? 0 },
      directions: byRule.get(id) ?? emptyDirections(),
    }))
    .sort((x, y) => total(y.directions) - total(x.directions) || x.rule.localeCompare(y.rule));

  const kinds = new Set([...Object.keys(result.baseline.byOutcome), ...Object.keys(result.candidate.byOutcome)]);
  const outcomes = [...kinds].sort().map((kind) => ({
    kind,
    label: OUTCOME_WORDS[kind] ?? { zh: kind, en: kind },
    baseline: result.baseline.byOutcome[kind] ?? 0,
    candidate: result.candidate.byOutcome[kind] ?? 0,
    gained: gained.get(kind) ?? 0,
    lost: lost.get(kind) ?? 0,
  }));

  const amounts = Object.entries(basis.amounts).map(([name, a]) => ({
    name,
    label: { zh: a.label, en: a.labelEn ?? a.label },
    baselineYuan: yuanOf(a.baselineFen),
    candidateYuan: yuanOf(a.candidateFen),
    deltaYuan: yuanOf(a.candidateFen - a.baselineFen),
  }));

  const columns = Object.entries(basis.columns)
    .map(([name, c]) => ({ name, label: { zh: c.label, en: c.labelEn ?? c.label }, source: c.source, groups: Object.keys(c.values).length + (c.other ? 1 : 0) }))
    .sort((a, b) => (a.source === b.source ? a.name.localeCompare(b.name) : a.source === 'column' ? -1 : 1));

  let breakdown: ImpactReport['breakdown'];
  if (column && by !== undefined) {
    const label = (v: string): Text => column.valueLabels?.[v] ? { zh: column.valueLabels[v].zh, en: column.valueLabels[v].en ?? column.valueLabels[v].zh } : { zh: v, en: v };
    const rows: ReportGroup[] = Object.entries(column.values).map(([v, n]) => {
      const g = groups.get(v);
      return { value: v, label: label(v), records: n, changed: g?.changed ?? 0, directions: g?.directions ?? emptyDirections() };
    });
    const counted = Object.values(column.values).reduce((a, b) => a + b, 0);
    const other = groups.get(otherKey);
    if (column.other > 0 || other) rows.push({ value: null, other: true, label: OTHER, records: column.other, changed: other?.changed ?? 0, directions: other?.directions ?? emptyDirections() });
    const blank = result.total - counted - column.other;
    const none = groups.get(null);
    if (blank > 0 || none) rows.push({ value: null, label: NO_VALUE, records: blank, changed: none?.changed ?? 0, directions: none?.directions ?? emptyDirections() });
    rows.sort((a, b) => b.changed - a.changed || b.records - a.records || String(a.value).localeCompare(String(b.value)));
    breakdown = { by, label: { zh: column.label, en: column.labelEn ?? column.label }, source: column.source, groups: rows };
  }

  const side = (s: SideResult) => ({ policy: s.policy, version: s.version, hash: s.hash });
  const report: Omit<ImpactReport, 'summary'> = {
    job: job.id,
    baseline: side(result.baseline),
    candidate: side(result.candidate),
    asOf: params.asOf,
    total: result.total,
    changed: result.changed,
    change: {
      added: basis.change.added.map(ref),
      removed: basis.change.removed.map(ref),
      changed: basis.change.changed.map((c) => ({ ...ref(c.id), fields: c.fields })),
      parameters: basis.change.parameters,
    },
    rules,
    outcomes,
    amounts,
    columns,
    ...(breakdown ? { breakdown } : {}),
  };
  return { ...report, summary: summarise(report) };
}

function total(d: DirectionCounts): number {
  return DIRECTIONS.reduce((n, k) => n + d[k], 0);
}

/** The report in sentences, from its figures (the catalogue in sentences.ts). */
export function summarise(r: Omit<ImpactReport, 'summary'>): Text[] {
  const out: Text[] = [];
  const name = (s: { policy: string; version: string }) => `${s.policy}@${s.version}`;
  const c = r.change;
  if (c.added.length + c.removed.length + c.changed.length + c.parameters.length === 0) {
    out.push(sentence('report.policy-same', { candidate: name(r.candidate), baseline: name(r.baseline) }));
  } else {
    out.push(
      sentence('report.policy', {
        candidate: name(r.candidate),
        baseline: name(r.baseline),
        added: c.added.length,
        removed: c.removed.length,
        changed: c.changed.length,
        parameters: c.parameters.length,
      }),
    );
  }
  const pct = r.total ? `${((100 * r.changed) / r.total).toFixed(1)}%` : '0%';
  out.push(sentence('report.changed', { total: r.total, changed: r.changed, pct }));
  for (const rule of r.rules.filter((x) => total(x.directions) > 0).slice(0, 5)) {
    const d = rule.directions;
    out.push(
      sentence('report.rule', {
        title: { zh: rule.title, en: rule.titleEn ?? rule.title },
        article: rule.article,
        gained: d['not>fired'] + d['undetermined>fired'],
        lost: d['fired>not'] + d['undetermined>not'],
        toUndetermined: d['fired>undetermined'] + d['not>undetermined'],
        fromUndetermined: d['undetermined>fired'] + d['undetermined>not'],
      }),
    );
  }
  for (const o of r.outcomes.filter((x) => x.gained || x.lost)) {
    out.push(sentence('report.outcome', { kind: o.label, before: o.baseline, after: o.candidate, gained: o.gained, lost: o.lost }));
  }
  for (const a of r.amounts) out.push(sentence('report.amount', { label: a.label, before: a.baselineYuan, after: a.candidateYuan, delta: a.deltaYuan }));
  if (r.breakdown) {
    const top = r.breakdown.groups[0];
    if (top && top.changed > 0) out.push(sentence('report.breakdown', { column: r.breakdown.label, groups: r.breakdown.groups.length, top: top.label, n: top.changed }));
    else out.push(sentence('report.breakdown-none', { column: r.breakdown.label, groups: r.breakdown.groups.length }));
  }
  return out;
}

export { DIRECTION_WORDS, OUTCOME_WORDS };
