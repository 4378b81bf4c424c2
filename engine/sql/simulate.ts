/**
 * Simulation as SQL (node only): a baseline and a candidate policy version judged in one query over
 * a dataset, in DuckDB (files) or in PostgreSQL (a table). One pass counts what the in-process
 * simulation counts (engine/parallel/simulate.ts `SideCounts`) and each rule's coverage; a second
 * keeps the records whose outcome changed, which are written out (Parquet or CSV) and can be read
 * back page by page.
 */
import { writeFile, appendFile } from 'node:fs/promises';
import path from 'node:path';
import type { PolicyIR } from '../ir/types.ts';
import type { RecordOutcome, SideCounts } from '../parallel/simulate.ts';
import { compileSql } from './compile.ts';
import { attachFile, attachPostgresTable, type DatasetSpec } from './dataset.ts';
import { openDuckDb, type DuckDb } from './duckdb.ts';
import { ident, str } from './dialect.ts';
import { openPostgres } from './postgres.ts';
import { unionFacts } from './records.ts';
import type { SideLayout, SqlDiagnostic, SqlPlan } from './types.ts';

export interface RuleCoverage {
  rule: string;
  title: string;
  kind: string;
  fired: number;
  notFired: number;
  undetermined: number;
  suppressed: number;
  /** Facts missing in undetermined records, most often first (paths as `L[].field` for list fields). */
  missing: { fact: string; count: number }[];
  /** Undetermined for another reason: division by zero, a parameter without value, an empty aggregate, an exception. */
  reasons: { reason: string; count: number }[];
}

export interface Coverage {
  policy: string;
  version: string;
  records: number;
  rules: RuleCoverage[];
  /** Rules that fired on no record of the dataset. */
  neverFired: string[];
}

export interface ChangedRecord {
  rid: number;
  baseline: RecordOutcome;
  candidate: RecordOutcome;
}

export interface SqlSimulationResult {
  records: number;
  baseline: SideCounts;
  candidate: SideCounts;
  changed: number;
  coverage: { baseline: Coverage; candidate: Coverage };
  /** Facts no column of the dataset holds (read as missing everywhere). */
  absent: string[];
  wallMs: number;
  /** The changed records, in rid order, a page at a time. */
  changes(pageSize?: number): AsyncIterable<ChangedRecord[]>;
  close(): Promise<void>;
}

export interface SqlProgress {
  phase: 'load' | 'judge' | 'changes' | 'write';
  /** 0–1 within the phase, when the database reports it. */
  fraction?: number;
}

export interface RunSqlSimulationOptions {
  dataset: DatasetSpec;
  /** The merged IR of each resolved version (`ResolvedPolicy.ir`). */
  baseline: PolicyIR;
  candidate: PolicyIR;
  asOf: string;
  onProgress?: (p: SqlProgress) => void;
  /** Writes the changed records with their facts here (.parquet or .csv). */
  changedOut?: string;
  /** DuckDB settings for file datasets. */
  threads?: number;
  memoryLimit?: string;
  tempDirectory?: string;
}

export class SqlSimulationError extends Error {
  constructor(readonly diagnostics: SqlDiagnostic[]) {
    super(diagnostics.map((d) => `${d.code}: ${d.message.en}`).join('; '));
  }
}

interface Db {
  run(sql: string): Promise<void>;
  all<T = Record<string, unknown>>(sql: string): Promise<T[]>;
}

const q = (x: string) => ident(x);

/** The summary and coverage query: one pass, one row. */
function summarySql(plan: SqlPlan): { sql: string; read: (row: Record<string, unknown>) => Omit<SqlSimulationResult, 'changes' | 'close' | 'absent' | 'wallMs' | 'records'> & { records: number } } {
  const cols: string[] = ['count(*) AS n'];
  let k = 0;
  const col = (sql: string): string => {
    const name = `c${k++}`;
    cols.push(`${sql} AS ${name}`);
    return name;
  };
  const sideReaders = plan.sides.map((s) => {
    const valid = `t.${s.valid}`;
    const fired = (ids: typeof s.rules) => (ids.length ? ids.map((r) => `t.${r.status} = 1`).join(' OR ') : 'FALSE');
    const kinds = [...new Set(s.rules.map((r) => r.kind))].sort();
    const kindCols = kinds.map((kind) => ({ kind, c: col(`count(*) FILTER (WHERE ${valid} AND (${fired(s.rules.filter((r) => r.kind === kind))}))`) }));
    const anyFired = fired(s.rules);
    const anyUndet = s.rules.length ? s.rules.map((r) => `t.${r.status} = 2`).join(' OR ') : 'FALSE';
    const undetC = col(`count(*) FILTER (WHERE ${valid} AND NOT (${anyFired}) AND (${anyUndet}))`);
    const noneC = col(`count(*) FILTER (WHERE ${valid} AND NOT (${anyFired}) AND NOT (${anyUndet}))`);
    const invalidC = col(`count(*) FILTER (WHERE NOT ${valid})`);
    const rules = s.rules.map((r) => ({
      r,
      counts: [0, 1, 2, 3].map((code) => col(`count(*) FILTER (WHERE ${valid} AND t.${r.status} = ${code})`)),
      bits: r.bits.map((b) => ({ b, c: col(`count(*) FILTER (WHERE ${valid} AND t.${r.status} = 2 AND (t.${r.mask} & CAST(${2 ** b} AS BIGINT)) <> 0)`) })),
    }));
    return (row: Record<string, unknown>): { counts: SideCounts; coverage: Coverage } => {
      const num = (c: string) => Number(row[c] ?? 0);
      const byOutcome: Record<string, number> = {};
      for (const { kind, c } of kindCols) if (num(c)) byOutcome[kind] = num(c);
      if (num(undetC)) byOutcome.undetermined = num(undetC);
      if (num(noneC)) byOutcome.none = num(noneC);
      if (num(invalidC)) byOutcome['invalid-facts'] = num(invalidC);
      const byRule: SideCounts['byRule'] = {};
      const cov: RuleCoverage[] = [];
      for (const { r, counts, bits } of rules) {
        const [notFired, firedN, undetermined, suppressed] = counts.map(num) as [number, number, number, number];
        if (firedN || undetermined || suppressed) byRule[r.id] = { fired: firedN, undetermined, suppressed };
        const missing: RuleCoverage['missing'] = [];
        const reasons: RuleCoverage['reasons'] = [];
        for (const { b, c } of bits) {
          const n = num(c);
          if (!n) continue;
          const bit = s.bits[b]!;
          if (bit.kind === 'fact') missing.push({ fact: bit.path, count: n });
          else reasons.push({ reason: bit.reason, count: n });
        }
        missing.sort((a, b) => b.count - a.count || (a.fact < b.fact ? -1 : 1));
        cov.push({ rule: r.id, title: r.title, kind: r.kind, fired: firedN, notFired, undetermined, suppressed, missing, reasons });
      }
      return {
        counts: { byOutcome, byRule },
        coverage: { policy: s.policyId, version: s.version, records: Number(row.n), rules: cov, neverFired: cov.filter((c) => c.fired === 0).map((c) => c.rule) },
      };
    };
  });
  const changedC = col(`count(*) FILTER (WHERE ${changedSql(plan.sides[0]!, plan.sides[1]!)})`);
  return {
    sql: `WITH ${plan.ctes.join(',\n')}\nSELECT ${cols.join(',\n  ')}\nFROM ${plan.last} t`,
    read(row) {
      const [b, c] = sideReaders.map((f) => f(row));
      return { records: Number(row.n), baseline: b!.counts, candidate: c!.counts, changed: Number(row[changedC] ?? 0), coverage: { baseline: b!.coverage, candidate: c!.coverage } };
    },
  };
}

/** Whether a record's outcome differs, as engine/parallel/simulate.ts sameOutcome: validity, fired and undetermined rules by id, kinds fired. */
function changedSql(a: SideLayout, b: SideLayout): string {
  const ids = [...new Set([...a.rules.map((r) => r.id), ...b.rules.map((r) => r.id)])];
  const code = (s: SideLayout, id: string) => {
    const r = s.rules.find((x) => x.id === id);
    return r ? `t.${r.status}` : '0';
  };
  const parts = [`t.${a.valid} <> t.${b.valid}`];
  const same: string[] = [];
  for (const id of ids) {
    const x = code(a, id);
    const y = code(b, id);
    same.push(`((${x} = 1) <> (${y} = 1))`, `((${x} = 2) <> (${y} = 2))`);
  }
  const kinds = [...new Set([...a.rules, ...b.rules].map((r) => r.kind))];
  for (const kind of kinds) {
    const f = (s: SideLayout) => {
      const rs = s.rules.filter((r) => r.kind === kind);
      return rs.length ? `(${rs.map((r) => `t.${r.status} = 1`).join(' OR ')})` : 'FALSE';
    };
    same.push(`(${f(a)} <> ${f(b)})`);
  }
  parts.push(`(t.${a.valid} AND (${same.join(' OR ')}))`);
  return `(${parts.join(' OR ')})`;
}

/** Comma-separated sorted rule ids with the given code, as SQL. */
function idsSql(s: SideLayout, code: number): string {
  const rules = [...s.rules].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  if (!rules.length) return `''`;
  return `concat_ws(',', ${rules.map((r) => `CASE WHEN t.${r.status} = ${code} THEN ${str(r.id)} END`).join(', ')})`;
}

function kindsSql(s: SideLayout): string {
  const kinds = [...new Set(s.rules.map((r) => r.kind))].sort();
  if (!kinds.length) return `''`;
  return `concat_ws(',', ${kinds.map((k) => `CASE WHEN ${s.rules.filter((r) => r.kind === k).map((r) => `t.${r.status} = 1`).join(' OR ')} THEN ${str(k)} END`).join(', ')})`;
}

/** The changed records' outcomes, one row each. */
function changesSql(plan: SqlPlan): string {
  const [a, b] = plan.sides as [SideLayout, SideLayout];
  const sel = [
    't.rid AS rid',
    `t.${a.valid} AS baseline_valid`,
    `${idsSql(a, 1)} AS baseline_fired`,
    `${idsSql(a, 2)} AS baseline_undetermined`,
    `${kindsSql(a)} AS baseline_kinds`,
    `t.${b.valid} AS candidate_valid`,
    `${idsSql(b, 1)} AS candidate_fired`,
    `${idsSql(b, 2)} AS candidate_undetermined`,
    `${kindsSql(b)} AS candidate_kinds`,
  ];
  return `WITH ${plan.ctes.join(',\n')}\nSELECT ${sel.join(', ')}\nFROM ${plan.last} t\nWHERE ${changedSql(a, b)}`;
}

const split = (s: unknown): string[] => (typeof s === 'string' && s !== '' ? s.split(',') : []);

function outcome(valid: unknown, fired: unknown, undet: unknown, kinds: unknown): RecordOutcome {
  if (valid === false) return { status: 'invalid-facts', fired: [], undetermined: [], kinds: [] };
  return { status: 'ok', fired: split(fired), undetermined: split(undet), kinds: split(kinds) };
}

function toChanged(row: Record<string, unknown>): ChangedRecord {
  return {
    rid: Number(row.rid),
    baseline: outcome(row.baseline_valid, row.baseline_fired, row.baseline_undetermined, row.baseline_kinds),
    candidate: outcome(row.candidate_valid, row.candidate_fired, row.candidate_undetermined, row.candidate_kinds),
  };
}

/** Runs a statement while reporting DuckDB's own progress (it counts rows scanned). */
async function withProgress<T>(db: DuckDb, phase: SqlProgress['phase'], onProgress: RunSqlSimulationOptions['onProgress'], work: () => Promise<T>): Promise<T> {
  if (!onProgress) return work();
  onProgress({ phase, fraction: 0 });
  const timer = setInterval(() => {
    const p = db.connection.progress;
    if (p.percentage >= 0) onProgress({ phase, fraction: Math.min(1, p.percentage / 100) });
  }, 250);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    onProgress({ phase, fraction: 1 });
  }
}

/**
 * Judges every record of the dataset under both versions, where the data lives. Throws
 * `SqlSimulationError` (with the diagnostics) when a version cannot be compiled to SQL.
 */
export async function runSqlSimulation(opts: RunSqlSimulationOptions): Promise<SqlSimulationResult> {
  const started = performance.now();
  const facts = unionFacts([opts.baseline, opts.candidate]);
  const progress = opts.onProgress;
  if (opts.dataset.kind === 'postgres') return runOnPostgres(opts, started);
  const db = await openDuckDb({ threads: opts.threads, memoryLimit: opts.memoryLimit, tempDirectory: opts.tempDirectory });
  try {
    await db.run('SET enable_progress_bar = true');
    await db.run('SET enable_progress_bar_print = false');
    progress?.({ phase: 'load' });
    const attached = await attachFile(db, opts.dataset.file, facts);
    const plan = compileSql(
      [
        { ir: opts.baseline, prefix: 'b_' },
        { ir: opts.candidate, prefix: 'c_' },
      ],
      { dialect: 'duckdb', asOf: opts.asOf, source: attached.source },
    );
    if (!plan.value) throw new SqlSimulationError(plan.diagnostics);
    const summary = summarySql(plan.value);
    const [row] = await withProgress(db, 'judge', progress, () => db.all(summary.sql));
    const result = summary.read(row!);
    await withProgress(db, 'changes', progress, () => db.run(`CREATE TEMP TABLE tw_changed AS ${changesSql(plan.value!)}`));
    if (opts.changedOut) {
      progress?.({ phase: 'write' });
      const csv = path.extname(opts.changedOut).toLowerCase() === '.csv';
      await db.run(
        `COPY (SELECT ch.*, s.* EXCLUDE (rid${(await hasColumn(db, 'tw_src', 'file_row_number')) ? ', file_row_number' : ''}) FROM tw_changed ch JOIN tw_src s ON s.rid = ch.rid ORDER BY ch.rid) TO ${str(path.resolve(opts.changedOut))} (FORMAT ${csv ? 'csv, HEADER true' : 'parquet'})`,
      );
    }
    return {
      ...result,
      absent: attached.absent,
      wallMs: performance.now() - started,
      async *changes(pageSize = 1000) {
        for (let after = -Infinity; ; ) {
          const rows = await db.all(`SELECT * FROM tw_changed WHERE rid > ${Number.isFinite(after) ? after : -1} ORDER BY rid LIMIT ${pageSize}`);
          if (!rows.length) return;
          const page = rows.map(toChanged);
          after = page[page.length - 1]!.rid;
          yield page;
        }
      },
      async close() {
        db.close();
      },
    };
  } catch (e) {
    db.close();
    throw e;
  }
}

async function hasColumn(db: Db, rel: string, col: string): Promise<boolean> {
  const rows = await db.all<{ column_name: string }>(`DESCRIBE SELECT * FROM ${rel}`);
  return rows.some((r) => r.column_name === col);
}

async function runOnPostgres(opts: RunSqlSimulationOptions, started: number): Promise<SqlSimulationResult> {
  if (opts.dataset.kind !== 'postgres') throw new Error('engine bug');
  const db = await openPostgres(opts.dataset.url);
  try {
    opts.onProgress?.({ phase: 'load' });
    const attached = await attachPostgresTable(db, opts.dataset.table, unionFacts([opts.baseline, opts.candidate]));
    const plan = compileSql(
      [
        { ir: opts.baseline, prefix: 'b_' },
        { ir: opts.candidate, prefix: 'c_' },
      ],
      { dialect: 'postgres', asOf: opts.asOf, source: attached.source },
    );
    if (!plan.value) throw new SqlSimulationError(plan.diagnostics);
    const summary = summarySql(plan.value);
    opts.onProgress?.({ phase: 'judge' });
    const [row] = await db.all(summary.sql);
    const result = summary.read(row!);
    opts.onProgress?.({ phase: 'changes' });
    await db.run(`CREATE TEMP TABLE tw_changed AS ${changesSql(plan.value)}`);
    if (opts.changedOut) {
      opts.onProgress?.({ phase: 'write' });
      await writeChangedFromPostgres(db, opts.changedOut);
    }
    return {
      ...result,
      absent: attached.absent,
      wallMs: performance.now() - started,
      async *changes(pageSize = 1000) {
        for (let after = -1; ; ) {
          const rows = await db.all(`SELECT * FROM tw_changed WHERE rid > ${after} ORDER BY rid LIMIT ${pageSize}`);
          if (!rows.length) return;
          const page = rows.map(toChanged);
          after = page[page.length - 1]!.rid;
          yield page;
        }
      },
      close: () => db.close(),
    };
  } catch (e) {
    await db.close();
    throw e;
  }
}

/** The changed records with their row from the table, written by DuckDB (Parquet) or as CSV text. */
async function writeChangedFromPostgres(db: Db, out: string): Promise<void> {
  const rows = await db.all<Record<string, unknown>>(`SELECT ch.*, to_jsonb(s) - 'rid' AS record FROM tw_changed ch JOIN tw_src s ON s.rid = ch.rid ORDER BY ch.rid`);
  const flat = rows.map(({ record, ...rest }) => ({ ...rest, ...(record as Record<string, unknown>) }));
  const header = [...new Set(flat.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const csv = [header.map(cell).join(','), ...flat.map((r) => header.map((h) => cell(r[h])).join(','))].join('\n') + '\n';
  if (path.extname(out).toLowerCase() === '.csv') {
    await writeFile(out, csv);
    return;
  }
  // Parquet: through DuckDB, from the CSV text.
  const tmp = `${out}.${process.pid}.csv`;
  await writeFile(tmp, '');
  await appendFile(tmp, csv);
  const duck = await openDuckDb();
  try {
    await duck.run(`COPY (SELECT * FROM read_csv(${str(path.resolve(tmp))}, header = true)) TO ${str(path.resolve(out))} (FORMAT parquet)`);
  } finally {
    duck.close();
    const { rm } = await import('node:fs/promises');
    await rm(tmp, { force: true });
  }
}

export { q as quoteIdent };
