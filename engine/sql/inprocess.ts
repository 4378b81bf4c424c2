/**
 * The same simulation in process (node only), for `tiaowen simulate --engine node` and for checking
 * the SQL: the dataset is read through DuckDB in pages of records turned back into JSON facts
 * (money as yuan text, dates as text, lists as arrays) and judged by the compiled evaluator.
 * Coverage counts come from the compact verdicts; for a record with an undetermined rule the full
 * decision is made again to learn which facts were missing (paths at field granularity, as the SQL
 * path reports them), so both engines export the same coverage.
 */
import type { ResolvedPolicy } from '../library/library.ts';
import type { FactDecl } from '../ir/types.ts';
import { compilePolicy } from '../compiled/index.ts';
import { addCounts, emptyCounts, simulateCompactChunk, type SideCounts } from '../parallel/simulate.ts';
import { attachFile } from './dataset.ts';
import { openDuckDb, type DuckDb } from './duckdb.ts';
import { ident } from './dialect.ts';
import { unionFacts } from './records.ts';
import type { ChangedRecord, Coverage, RuleCoverage } from './simulate.ts';
import type { MaskBit } from './types.ts';
import type { CompiledPolicy } from '../compiled/index.ts';

type ReasonKind = Extract<MaskBit, { kind: 'reason' }>['reason'];

/** The kind of an undetermined rule's reason, from the engine's wording (engine/messages.ts). */
export function reasonKind(zh: string): ReasonKind | undefined {
  if (zh === '除数为零') return 'division-by-zero';
  if (zh.startsWith('参数')) return 'no-parameter-value';
  if (zh.includes('没有符合条件的记录')) return 'empty-aggregate';
  if (zh.startsWith('例外规则')) return 'exception-undetermined';
  return undefined;
}

/** Per-rule coverage tallies of one side, filled record by record. */
class CoverageTally {
  readonly counts: number[][];
  readonly missing: Map<string, number>[];
  readonly reasons: Map<string, number>[];
  readonly index: Map<string, number>;
  records = 0;
  constructor(readonly policy: ResolvedPolicy, readonly compiled: CompiledPolicy) {
    this.index = new Map(policy.ir.rules.map((r, i) => [r.id, i]));
    const n = policy.ir.rules.length;
    this.counts = Array.from({ length: n }, () => [0, 0, 0, 0]);
    this.missing = Array.from({ length: n }, () => new Map());
    this.reasons = Array.from({ length: n }, () => new Map());
  }
  add(facts: unknown, d: { status: 'ok' | 'invalid-facts'; codes: Uint8Array }, asOf: string): void {
    this.records++;
    // Invalid records have no verdicts, as in the SQL path's coverage.
    if (d.status !== 'ok') return;
    let undetermined = false;
    for (let i = 0; i < this.counts.length; i++) {
      const c = d.codes[i]!;
      this.counts[i]![c]!++;
      if (c === 2) undetermined = true;
    }
    if (!undetermined) return;
    const index = this.index;
    for (const u of this.compiled.decide(facts, { asOf }).undetermined) {
      const i = index.get(u.ruleId)!;
      // A record counts once per fact and reason, whichever list records lacked it.
      for (const f of new Set(u.missingFacts.map((p) => p.replace(/\[\d+\]/g, '[]')))) this.missing[i]!.set(f, (this.missing[i]!.get(f) ?? 0) + 1);
      for (const k of new Set((u.reasons ?? []).map((r) => reasonKind(r.zh)))) if (k) this.reasons[i]!.set(k, (this.reasons[i]!.get(k) ?? 0) + 1);
    }
  }
  coverage(): Coverage {
    const rules: RuleCoverage[] = this.policy.ir.rules.map((r, i) => {
      const [notFired, fired, undetermined, suppressed] = this.counts[i] as [number, number, number, number];
      return {
        rule: r.id,
        title: r.title,
        kind: r.then.kind,
        fired,
        notFired,
        undetermined,
        suppressed,
        missing: [...this.missing[i]!].map(([fact, count]) => ({ fact, count })).sort((p, q) => q.count - p.count || (p.fact < q.fact ? -1 : 1)),
        reasons: [...this.reasons[i]!].map(([reason, count]) => ({ reason, count })).sort((p, q) => q.count - p.count),
      };
    });
    return { policy: this.policy.ir.id, version: this.policy.ir.version, records: this.records, rules, neverFired: rules.filter((r) => r.fired === 0).map((r) => r.rule) };
  }
}

/** A row read back from DuckDB as the JSON facts a service would receive: nulls dropped. */
export function factsOfRow(row: Record<string, unknown>, facts: readonly FactDecl[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of facts) {
    const v = row[f.name];
    if (v === null || v === undefined) continue;
    if (f.type.kind === 'list' && Array.isArray(v)) {
      out[f.name] = v.map((rec: Record<string, unknown>) => {
        const r: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(rec ?? {})) if (x !== null && x !== undefined) r[k] = x;
        return r;
      });
    } else out[f.name] = v;
  }
  return out;
}

/** Pages of (rid, facts) from an attached dataset, lists gathered from their views. */
export async function* readFacts(db: DuckDb, facts: readonly FactDecl[], lists: Record<string, string>, page = 20_000): AsyncGenerator<{ rid: number; facts: Record<string, unknown> }[]> {
  const cols = facts.map((f) => {
    if (f.type.kind !== 'list') return `r.${ident(f.name)}`;
    const rel = lists[f.name]!;
    const fields = f.type.fields.map((x) => `${ident(x.name)} := l.${ident(x.name)}`).join(', ');
    return `CASE WHEN r.${ident(f.name)} IS NULL THEN NULL ELSE COALESCE((SELECT list(struct_pack(${fields}) ORDER BY l.idx) FROM ${rel} l WHERE l.rid = r.rid), []) END AS ${ident(f.name)}`;
  });
  for (let after = -1; ; ) {
    const rows = await db.all(`SELECT r.rid${cols.map((c) => `, ${c}`).join('')} FROM tw_records r WHERE r.rid > ${after} ORDER BY r.rid LIMIT ${page}`);
    if (!rows.length) return;
    after = Number(rows[rows.length - 1]!.rid);
    yield rows.map((row) => ({ rid: Number(row.rid), facts: factsOfRow(row, facts) }));
  }
}

export interface InProcessResult {
  records: number;
  baseline: SideCounts;
  candidate: SideCounts;
  changed: ChangedRecord[];
  coverage: { baseline: Coverage; candidate: Coverage };
  wallMs: number;
}

export async function simulateInProcess(opts: {
  file: string;
  baseline: ResolvedPolicy;
  candidate: ResolvedPolicy;
  asOf: string;
  onProgress?: (p: { phase: 'judge'; fraction: number }) => void;
}): Promise<InProcessResult> {
  const started = performance.now();
  const facts = unionFacts([opts.baseline.ir, opts.candidate.ir]);
  const db = await openDuckDb();
  try {
    const attached = await attachFile(db, opts.file, facts);
    const b = compilePolicy(opts.baseline);
    const c = compilePolicy(opts.candidate);
    const sides = { baseline: emptyCounts(), candidate: emptyCounts() };
    const tallies = [new CoverageTally(opts.baseline, b), new CoverageTally(opts.candidate, c)] as const;
    const changed: ChangedRecord[] = [];
    let done = 0;
    for await (const page of readFacts(db, facts, attached.source.lists)) {
      const r = simulateCompactChunk(
        page.map((p) => p.facts),
        b,
        c,
        opts.asOf,
        (i, side, d) => tallies[side].add(page[i]!.facts, d, opts.asOf),
      );
      addCounts(sides.baseline, r.baseline);
      addCounts(sides.candidate, r.candidate);
      for (const ch of r.changes) changed.push({ rid: page[ch.index]!.rid, baseline: ch.baseline, candidate: ch.candidate });
      done += page.length;
      opts.onProgress?.({ phase: 'judge', fraction: attached.records ? done / attached.records : 1 });
    }
    return { records: done, ...sides, changed, coverage: { baseline: tallies[0].coverage(), candidate: tallies[1].coverage() }, wallMs: performance.now() - started };
  } finally {
    db.close();
  }
}
