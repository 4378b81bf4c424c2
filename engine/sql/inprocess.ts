/**
 * The same simulation in process (node only), for `tiaowen simulate --engine node` and for checking
 * the SQL: the dataset is read through DuckDB in pages of records turned back into JSON facts
 * (money as yuan text, dates as text, lists as arrays) and judged by the compiled evaluator.
 * Coverage counts come from the compact verdicts; which facts were missing is not counted here.
 */
import type { ResolvedPolicy } from '../library/library.ts';
import type { FactDecl } from '../ir/types.ts';
import { compilePolicy } from '../compiled/index.ts';
import { addCounts, emptyCounts, simulateCompactChunk, type SideCounts } from '../parallel/simulate.ts';
import { attachFile } from './dataset.ts';
import { openDuckDb, type DuckDb } from './duckdb.ts';
import { ident } from './dialect.ts';
import { unionFacts } from './records.ts';
import type { ChangedRecord } from './simulate.ts';

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
    const changed: ChangedRecord[] = [];
    let done = 0;
    for await (const page of readFacts(db, facts, attached.source.lists)) {
      const r = simulateCompactChunk(
        page.map((p) => p.facts),
        b,
        c,
        opts.asOf,
      );
      addCounts(sides.baseline, r.baseline);
      addCounts(sides.candidate, r.candidate);
      for (const ch of r.changes) changed.push({ rid: page[ch.index]!.rid, baseline: ch.baseline, candidate: ch.candidate });
      done += page.length;
      opts.onProgress?.({ phase: 'judge', fraction: attached.records ? done / attached.records : 1 });
    }
    return { records: done, ...sides, changed, wallMs: performance.now() - started };
  } finally {
    db.close();
  }
}
