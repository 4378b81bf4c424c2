/**
 * Simulation as SQL (node only): a baseline and a candidate policy version judged in one query over
 * a dataset, in DuckDB (files) or in PostgreSQL (a table). One pass counts what the in-process
 * simulation counts (engine/parallel/simulate.ts `SideCounts`) and each rule's coverage; a second
 * keeps the records whose outcome changed, which are written out (Parquet or CSV) and can be read
 * back page by page.
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PolicyIR } from '../ir/types.ts';
import type { RecordOutcome, SideCounts } from '../parallel/simulate.ts';
import { compileSql } from './compile.ts';
import { attachFile, attachPostgresTable, type DatasetSpec } from './dataset.ts';
import { openDuckDb, type DuckDb } from './duckdb.ts';
import { str } from './dialect.ts';
import { factsOfRow } from './inprocess.ts';
import type { FactDecl } from '../ir/types.ts';
import { openPostgres } from './postgres.ts';
import pg from 'pg';

async function openPostgresPlain(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}
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
  /** The record as JSON facts (file datasets; the row's columns for a PostgreSQL table). */
  facts?: Record<string, unknown>;
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
  /** The changed records, in rid order, a page at a time (with their facts for file datasets). */
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
  /** Aborting interrupts the running query (DuckDB) or cancels it (PostgreSQL); the promise rejects. */
  signal?: AbortSignal;
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


/** Query results by column name (each column's values in group order). */
type Columns = Record<string, unknown[]>;

/** Verdict codes of this many rules share a group key (two bits each, below 2^52: exact as a double). */
const RULES_PER_WORD = 26;
const MAX_EXACT = 2n ** 53n - 1n;

type SummaryPart = Omit<SqlSimulationResult, 'changes' | 'close' | 'absent' | 'wallMs'> & {
  /** Outcomes of the groups whose records changed, by group id. */
  changedGroups: { gid: number; baseline: RecordOutcome; candidate: RecordOutcome }[];
};

/**
 * The summary and coverage query: one pass grouping records by their verdicts (each side's rule
 * codes packed two bits a rule, each undetermined rule's mask) and counting them; what the groups
 * mean is worked out here. Far cheaper than a filtered count per rule and fact: the distinct
 * verdict patterns are few.
 */
export function summarySql(plan: SqlPlan): { sql: string; keyNames: string[]; read: (rows: Columns) => SummaryPart } {
  const keys: string[] = [];
  // A key whose expression another key already has (a rule both versions decide from the same
  // columns) is that key: fewer columns to hash, group and fetch.
  const byExpr = new Map<string, string>();
  const key = (expr: string, name: string): string => {
    const hit = byExpr.get(expr);
    if (hit) return hit;
    byExpr.set(expr, name);
    keys.push(`${expr} AS ${name}`);
    return name;
  };
  const sides = plan.sides.map((s, si) => {
    const packs: string[][] = [];
    s.rules.forEach((r, i) => {
      const w = Math.floor(i / RULES_PER_WORD);
      const j = i % RULES_PER_WORD;
      (packs[w] ??= []).push(j === 0 ? `CAST(t.${r.status} AS BIGINT)` : `CAST(t.${r.status} AS BIGINT) * ${4 ** j}`);
    });
    const packCols = packs.map((p, w) => key(`(${p.join(' + ')})`, `s${si}p${w}`));
    const maskCols = s.rules.map((r, i) => key(`CASE WHEN t.${r.status} = 2 THEN t.${r.mask} ELSE 0 END`, `s${si}m${i}`));
    const valid = key(`t.${s.valid}`, `s${si}v`);
    return { s, packCols, maskCols, valid };
  });
  const keyNames = keys.map((k) => k.slice(k.lastIndexOf(' AS ') + 4));
  // The changed records' ids travel with their group: the verdicts are evaluated once.
  const agg = plan.dialect === 'duckdb' ? 'list' : 'array_agg';
  const grouped = `SELECT ${keys.join(',\n  ')}, count(*) AS n, ${agg}(t.rid) FILTER (WHERE ${changedSql(plan.sides[0]!, plan.sides[1]!)}) AS rids\nFROM ${plan.last} t\nGROUP BY ${keys.map((_, i) => i + 1).join(', ')}`;
  const sql = `WITH ${plan.ctes.join(',\n')},\ngroups AS (${grouped})\nSELECT row_number() OVER () AS gid, groups.* FROM groups`;
  return {
    sql,
    keyNames,
    read(cols) {
      let records = 0;
      let changed = 0;
      const changedGroups: SummaryPart['changedGroups'] = [];
      const acc = sides.map(({ s }) => ({
        byOutcome: {} as Record<string, number>,
        counts: s.rules.map(() => [0, 0, 0, 0]),
        bits: s.rules.map(() => new Map<number, number>()),
      }));
      // Decoding is per group and per rule (tens of thousands of groups × rules): what does not
      // depend on the group is worked out once.
      const ids = [...new Set(sides.flatMap(({ s }) => s.rules.map((r) => r.id)))].sort();
      const kinds = [...new Set(sides.flatMap(({ s }) => s.rules.map((r) => r.kind)))].sort();
      const idIndex = new Map(ids.map((id, i) => [id, i]));
      const kindIndex = new Map(kinds.map((k, i) => [k, i]));
      const layout = sides.map(({ s }) => ({
        slot: s.rules.map((r) => idIndex.get(r.id)!),
        kind: s.rules.map((r) => kindIndex.get(r.kind)!),
      }));
      const col = (name: string): unknown[] => cols[name] ?? [];
      const gidCol = col('gid');
      const nCol = col('n');
      const sideCols = sides.map(({ packCols, maskCols, valid }) => ({ words: packCols.map(col), masks: maskCols.map(col), valid: col(valid) }));
      const wordOf = Array.from({ length: Math.max(0, ...sides.map(({ s }) => s.rules.length)) }, (_, i) => Math.floor(i / RULES_PER_WORD));
      const placeOf = wordOf.map((_, i) => 4 ** (i % RULES_PER_WORD));
      const codeBufs = sides.map(() => new Uint8Array(ids.length));
      const firedBufs = sides.map(() => new Uint8Array(kinds.length));
      type Decoded = { status: 'ok' | 'invalid-facts'; codes: Uint8Array; kinds: Uint8Array; undet: boolean };
      for (let g = 0; g < nCol.length; g++) {
        const n = Number(nCol[g]);
        records += n;
        const outcomes = sides.map(({ s }, si): Decoded => {
          const a = acc[si]!;
          const sc = sideCols[si]!;
          // Reused from group to group (typed arrays are slow to allocate; tens of thousands of groups).
          const codes = codeBufs[si]!.fill(0);
          const fired = firedBufs[si]!.fill(0);
          if (sc.valid[g] === false) {
            a.byOutcome['invalid-facts'] = (a.byOutcome['invalid-facts'] ?? 0) + n;
            return { status: 'invalid-facts', codes, kinds: fired, undet: false };
          }
          // Each word holds RULES_PER_WORD rules' codes, two bits each: below 2^52, exact as a double.
          const words = sc.words.map((w) => Number(w[g]));
          let undet = false;
          const { slot, kind } = layout[si]!;
          for (let i = 0; i < s.rules.length; i++) {
            // `| 0`: a small integer, not a double, as an array index (a double index is a slow lookup).
            const code = (Math.floor(words[wordOf[i]!]! / placeOf[i]!) % 4) | 0;
            codes[slot[i]!] = code;
            a.counts[i]![code]! += n;
            if (code === 1) fired[kind[i]!] = 1;
            if (code === 2) {
              undet = true;
              const raw = sc.masks[i]![g] ?? 0;
              const m = typeof raw === 'number' ? raw : BigInt(String(raw));
              const bitCounts = a.bits;
              if (typeof m === 'bigint' && m > MAX_EXACT) {
                for (const b of s.rules[i]!.bits) if ((m >> BigInt(b)) & 1n) a.bits[i]!.set(b, (a.bits[i]!.get(b) ?? 0) + n);
              } else if (m) {
                // Below 2^53 (every mask of a policy with fewer than 50 facts and fields): bit tests as doubles.
                const x = Number(m);
                for (const b of s.rules[i]!.bits) if (Math.floor(x / 2 ** b) % 2 === 1) bitCounts[i]!.set(b, (bitCounts[i]!.get(b) ?? 0) + n);
              }
            }
          }
          const inc = (k: string) => (a.byOutcome[k] = (a.byOutcome[k] ?? 0) + n);
          let any = false;
          fired.forEach((f, k) => {
            if (f) (any = true), inc(kinds[k]!);
          });
          if (!any) inc(undet ? 'undetermined' : 'none');
          return { status: 'ok', codes, kinds: fired, undet };
        });
        const [x, y] = outcomes as [Decoded, Decoded];
        let differs = x.status !== y.status;
        if (!differs && x.status === 'ok') {
          for (let j = 0; j < ids.length && !differs; j++) {
            const p = x.codes[j]!;
            const q = y.codes[j]!;
            differs = (p === 1) !== (q === 1) || (p === 2) !== (q === 2);
          }
          for (let k = 0; k < kinds.length && !differs; k++) differs = x.kinds[k] !== y.kinds[k];
        }
        if (differs) {
          changed += n;
          const outcome = (o: Decoded): RecordOutcome =>
            o.status === 'invalid-facts'
              ? { status: 'invalid-facts', fired: [], undetermined: [], kinds: [] }
              : { status: 'ok', fired: ids.filter((_, j) => o.codes[j] === 1), undetermined: ids.filter((_, j) => o.codes[j] === 2), kinds: kinds.filter((_, k) => o.kinds[k]) };
          changedGroups.push({ gid: Number(gidCol[g]), baseline: outcome(x), candidate: outcome(y) });
        }
      }
      const out = sides.map(({ s }, si) => {
        const a = acc[si]!;
        const byRule: SideCounts['byRule'] = {};
        const rules: RuleCoverage[] = s.rules.map((r, i) => {
          const [notFired, fired, undetermined, suppressed] = a.counts[i] as [number, number, number, number];
          if (fired || undetermined || suppressed) byRule[r.id] = { fired, undetermined, suppressed };
          const missing: RuleCoverage['missing'] = [];
          const reasons: RuleCoverage['reasons'] = [];
          for (const [b, count] of a.bits[i]!) {
            const bit = s.bits[b]!;
            if (bit.kind === 'fact') missing.push({ fact: bit.path, count });
            else reasons.push({ reason: bit.reason, count });
          }
          missing.sort((p, q) => q.count - p.count || (p.fact < q.fact ? -1 : 1));
          reasons.sort((p, q) => q.count - p.count);
          return { rule: r.id, title: r.title, kind: r.kind, fired, notFired, undetermined, suppressed, missing, reasons };
        });
        const coverage: Coverage = { policy: s.policyId, version: s.version, records, rules, neverFired: rules.filter((r) => r.fired === 0).map((r) => r.rule) };
        return { counts: { byOutcome: a.byOutcome, byRule }, coverage };
      });
      return { records, baseline: out[0]!.counts, candidate: out[1]!.counts, changed, coverage: { baseline: out[0]!.coverage, candidate: out[1]!.coverage }, changedGroups };
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
    // Both versions read the same verdict column (compileSql shares equal columns): never differs.
    if (x === y) continue;
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

function toColumns(rows: Record<string, unknown>[]): Columns {
  const out: Columns = {};
  for (const name of Object.keys(rows[0] ?? {})) out[name] = rows.map((r) => r[name]);
  return out;
}

function toChanged(row: Record<string, unknown>): ChangedRecord {
  const split = (x: unknown): string[] => (typeof x === 'string' && x !== '' ? x.split(',') : []);
  const side = (p: 'baseline' | 'candidate'): RecordOutcome =>
    row[`${p}_status`] === 'invalid-facts'
      ? { status: 'invalid-facts', fired: [], undetermined: [], kinds: [] }
      : { status: 'ok', fired: split(row[`${p}_fired`]), undetermined: split(row[`${p}_undetermined`]), kinds: split(row[`${p}_kinds`]) };
  return { rid: Number(row.rid), baseline: side('baseline'), candidate: side('candidate') };
}

/** Runs a statement while reporting DuckDB's own progress (it counts rows scanned). */
async function withProgress<T>(db: DuckDb | undefined, phase: SqlProgress['phase'], onProgress: RunSqlSimulationOptions['onProgress'], work: () => Promise<T>): Promise<T> {
  if (!onProgress) return work();
  onProgress({ phase, fraction: 0 });
  const timer = db
    ? setInterval(() => {
        const p = db.connection.progress;
        if (p.percentage >= 0) onProgress({ phase, fraction: Math.min(1, p.percentage / 100) });
      }, 250)
    : undefined;
  try {
    return await work();
  } finally {
    if (timer) clearInterval(timer);
    onProgress({ phase, fraction: 1 });
  }
}

const joinIds = (xs: string[]) => str(xs.join(','));

/**
 * The one pass and what follows it, on either database: group the verdicts (with the changed
 * records' ids), read the groups, then spell out the changed groups' outcomes and list the changed
 * records with them (`tw_changed`, rid order).
 */
async function judge(db: Db, duck: DuckDb | undefined, plan: SqlPlan, opts: RunSqlSimulationOptions): Promise<SummaryPart> {
  opts.signal?.throwIfAborted();
  const summary = summarySql(plan);
  await withProgress(duck, 'judge', opts.onProgress, () => db.run(`CREATE TEMP TABLE tw_groups AS ${summary.sql}`));
  const fetch = `SELECT gid, ${summary.keyNames.join(', ')}, n FROM tw_groups`;
  // Tens of thousands of groups: DuckDB's columns as JS values (numbers, bigints) cost a fraction
  // of row objects of JSON text.
  const columns: Columns = duck ? ((await duck.connection.runAndReadAll(fetch)).getColumnsObjectJS() as Columns) : toColumns(await db.all(fetch));
  const result = summary.read(columns);
  opts.signal?.throwIfAborted();
  opts.onProgress?.({ phase: 'changes' });
  const outcomeColumns = 'gid BIGINT, baseline_status VARCHAR, baseline_fired VARCHAR, baseline_undetermined VARCHAR, baseline_kinds VARCHAR, candidate_status VARCHAR, candidate_fired VARCHAR, candidate_undetermined VARCHAR, candidate_kinds VARCHAR';
  if (duck) {
    // DuckDB's appender: thousands of changed groups cost more as parsed VALUES text than the
    // rest of this step (the database is the simulation's own, so the table need not be TEMP).
    await db.run(`CREATE TABLE tw_outcomes (${outcomeColumns})`);
    const app = await duck.connection.createAppender('tw_outcomes');
    for (const g of result.changedGroups) {
      app.appendBigInt(BigInt(g.gid));
      for (const o of [g.baseline, g.candidate]) for (const v of [o.status, o.fired.join(','), o.undetermined.join(','), o.kinds.join(',')]) app.appendVarchar(v);
      app.endRow();
    }
    app.flushSync();
    app.closeSync();
  } else {
    await db.run(`CREATE TEMP TABLE tw_outcomes (${outcomeColumns})`);
    for (let i = 0; i < result.changedGroups.length; i += 500) {
      const values = result.changedGroups
        .slice(i, i + 500)
        .map((g) => `(${g.gid}, ${[g.baseline, g.candidate].map((o) => [str(o.status), joinIds(o.fired), joinIds(o.undetermined), joinIds(o.kinds)].join(', ')).join(', ')})`);
      await db.run(`INSERT INTO tw_outcomes VALUES ${values.join(', ')}`);
    }
  }
  await db.run(`CREATE TEMP TABLE tw_changed AS SELECT u.rid AS rid, o.* FROM (SELECT gid, unnest(rids) AS rid FROM tw_groups) u JOIN tw_outcomes o ON o.gid = u.gid`);
  return result;
}

function pages(db: Db, pageSize: number, facts?: { decls: readonly FactDecl[]; select: string[] }): AsyncIterable<ChangedRecord[]> {
  return {
    async *[Symbol.asyncIterator]() {
      for (let after = -1; ; ) {
        const sql = facts
          ? `SELECT ${CHANGED_COLUMNS}${facts.select.map((c) => `, ${c}`).join('')} FROM tw_changed ch JOIN tw_src s ON s.rid = ch.rid WHERE ch.rid > ${after} ORDER BY ch.rid LIMIT ${pageSize}`
          : `SELECT * FROM tw_changed WHERE rid > ${after} ORDER BY rid LIMIT ${pageSize}`;
        const rows = await db.all(sql);
        if (!rows.length) return;
        const page = rows.map((row) => (facts ? { ...toChanged(row), facts: factsOfRow(row, facts.decls) } : toChanged(row)));
        after = page[page.length - 1]!.rid;
        yield page;
      }
    },
  };
}

const CHANGED_COLUMNS = 'ch.rid, ch.baseline_status, ch.baseline_fired, ch.baseline_undetermined, ch.baseline_kinds, ch.candidate_status, ch.candidate_fired, ch.candidate_undetermined, ch.candidate_kinds';

/**
 * Judges every record of the dataset under both versions, where the data lives. Throws
 * `SqlSimulationError` (with the diagnostics) when a version cannot be compiled to SQL.
 */
export async function runSqlSimulation(opts: RunSqlSimulationOptions): Promise<SqlSimulationResult> {
  const started = performance.now();
  const facts = unionFacts([opts.baseline, opts.candidate]);
  const sides = [
    { ir: opts.baseline, prefix: 'b_' },
    { ir: opts.candidate, prefix: 'c_' },
  ];
  if (opts.dataset.kind === 'postgres') {
    const db = await openPostgres(opts.dataset.url);
    const cancel = async () => {
      // The query runs on db's connection: cancel it from another one.
      const other = await openPostgresPlain(opts.dataset.kind === 'postgres' ? opts.dataset.url : '');
      try {
        // pg sets processID on connect; its type declarations leave it out.
        await other.query('SELECT pg_cancel_backend($1)', [(db.client as unknown as { processID: number }).processID]);
      } finally {
        await other.end();
      }
    };
    opts.signal?.addEventListener('abort', () => void cancel().catch(() => undefined), { once: true });
    try {
      opts.onProgress?.({ phase: 'load' });
      const attached = await attachPostgresTable(db, opts.dataset.table, facts);
      const plan = compileSql(sides, { dialect: 'postgres', asOf: opts.asOf, source: attached.source });
      if (!plan.value) throw new SqlSimulationError(plan.diagnostics);
      const result = await judge(db, undefined, plan.value, opts);
      if (opts.changedOut) {
        opts.onProgress?.({ phase: 'write' });
        await writeChangedFromPostgres(db, opts.changedOut);
      }
      return { ...result, absent: attached.absent, wallMs: performance.now() - started, changes: (n = 1000) => pages(db, n), close: () => db.close() };
    } catch (e) {
      await db.close();
      throw e;
    }
  }
  const db = await openDuckDb({ threads: opts.threads, memoryLimit: opts.memoryLimit, tempDirectory: opts.tempDirectory });
  opts.signal?.addEventListener('abort', () => db.connection.interrupt(), { once: true });
  try {
    await db.run('SET enable_progress_bar = true');
    await db.run('SET enable_progress_bar_print = false');
    // Groups and the changed records need no order; leaving it free lets DuckDB write in parallel.
    await db.run('SET preserve_insertion_order = false');
    opts.onProgress?.({ phase: 'load' });
    const attached = await attachFile(db, opts.dataset.file, facts);
    const plan = compileSql(sides, { dialect: 'duckdb', asOf: opts.asOf, source: attached.source });
    if (!plan.value) throw new SqlSimulationError(plan.diagnostics);
    const result = await judge(db, db, plan.value, opts);
    // Written in whatever order the scan finds them (sorting millions of rows costs more than the
    // join); `changes()` pages are in rid order.
    if (opts.changedOut) {
      opts.onProgress?.({ phase: 'write' });
      const csv = path.extname(opts.changedOut).toLowerCase() === '.csv';
      const extra = (await hasColumn(db, 'tw_src', 'file_row_number')) ? ', file_row_number' : '';
      await withProgress(db, 'write', opts.onProgress, () =>
        db.run(
          `COPY (SELECT ${CHANGED_COLUMNS}, s.* EXCLUDE (rid${extra}) FROM tw_src s JOIN tw_changed ch ON ch.rid = s.rid) TO ${str(path.resolve(opts.changedOut!))} (FORMAT ${csv ? 'csv, HEADER true' : 'parquet'})`,
        ),
      );
    }
    const { changedGroups: _groups, ...rest } = result;
    const present = { decls: facts.filter((f) => !attached.absent.includes(f.name)), select: attached.factColumns };
    return { ...rest, absent: attached.absent, wallMs: performance.now() - started, changes: (n = 1000) => pages(db, n, present), close: async () => db.close() };
  } catch (e) {
    db.close();
    throw e;
  }
}

async function hasColumn(db: Db, rel: string, col: string): Promise<boolean> {
  const rows = await db.all<{ column_name: string }>(`DESCRIBE SELECT * FROM ${rel}`);
  return rows.some((r) => r.column_name === col);
}

/** The changed records with their row from the table, written as CSV text or (through DuckDB) Parquet. */
async function writeChangedFromPostgres(db: Db, out: string): Promise<void> {
  const rows = await db.all<Record<string, unknown>>(`SELECT ${CHANGED_COLUMNS}, to_jsonb(s) - 'rid' AS record FROM tw_changed ch JOIN tw_src s ON s.rid = ch.rid ORDER BY ch.rid`);
  const flat = rows.map(({ record, ...rest }) => ({ ...rest, ...(record as Record<string, unknown>) }));
  const header = [...new Set(flat.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const t = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n]/.test(t) ? `"${t.replaceAll('"', '""')}"` : t;
  };
  const csv = [header.map(cell).join(','), ...flat.map((r) => header.map((h) => cell(r[h])).join(','))].join('\n') + '\n';
  if (path.extname(out).toLowerCase() === '.csv') {
    await writeFile(out, csv);
    return;
  }
  const tmp = `${out}.${process.pid}.csv`;
  await writeFile(tmp, csv);
  const duck = await openDuckDb();
  try {
    await duck.run(`COPY (SELECT * FROM read_csv(${str(path.resolve(tmp))}, header = true)) TO ${str(path.resolve(out))} (FORMAT parquet)`);
  } finally {
    duck.close();
    await rm(tmp, { force: true });
  }
}
