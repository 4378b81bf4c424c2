/**
 * Datasets for the SQL stage (node only): a Parquet, CSV or XLSX file opened in DuckDB, or a
 * PostgreSQL table, presented as the relations `SqlSource` describes (`tw_records` with a `rid`,
 * one `tw_list_<fact>` per list fact).
 *
 * File layout: one row per record, a column per fact named by the fact (or, in XLSX and CSV
 * headers, by its Chinese label), values as JSON facts hold them (money in yuan, percent as
 * written, dates YYYY-MM-DD); a list fact is a column of LIST<STRUCT> in Parquet, JSON text in CSV
 * and XLSX. A `rid` column identifies records; without one, the row number (from 1) does.
 * PostgreSQL layout: a table with `rid` and a column per scalar fact; a list fact's records in the
 * table `<table>__<fact>` (`rid`, `idx` from 1, a column per field); a column named by the list
 * fact, if present, holds its record count (NULL: the list is missing).
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { FactDecl } from '../ir/types.ts';
import type { DuckDb } from './duckdb.ts';
import { defaultListRelation } from './compile.ts';
import { ident, str } from './dialect.ts';
import { columnType } from './records.ts';
import type { SqlSource } from './types.ts';

export type DatasetSpec = { kind: 'file'; file: string } | { kind: 'postgres'; url: string; table: string };

/** `--data` text: a file, or `postgres://…#table`. */
export function parseDataArg(arg: string): DatasetSpec | { error: string } {
  if (/^postgres(ql)?:\/\//.test(arg)) {
    const hash = arg.lastIndexOf('#');
    if (hash < 0 || hash === arg.length - 1) return { error: 'a PostgreSQL dataset is written postgres://…/db#table' };
    return { kind: 'postgres', url: arg.slice(0, hash), table: arg.slice(hash + 1) };
  }
  const ext = path.extname(arg).toLowerCase();
  if (!['.parquet', '.csv', '.xlsx', '.jsonl', '.ndjson'].includes(ext)) return { error: `a dataset file is .parquet, .csv, .xlsx or .jsonl (got ${arg})` };
  return { kind: 'file', file: arg };
}

export interface AttachedDataset {
  source: SqlSource;
  records: number;
  /** SELECT items over `tw_src s` giving each present fact as JSON facts hold it (lists as LIST<STRUCT>). */
  factColumns: string[];
  /** Facts no column holds: read as missing in every record. */
  absent: string[];
}

const quoteFile = (f: string) => str(path.resolve(f));

/** The STRUCT type of a list fact's records, for JSON text cast to rows. */
function structType(decl: FactDecl): string {
  if (decl.type.kind !== 'list') throw new Error('engine bug: not a list');
  return `STRUCT(${decl.type.fields.map((f) => `${ident(f.name)} ${columnType(f, 'duckdb')}`).join(', ')})[]`;
}

/** Opens a file dataset in DuckDB as `tw_records` and the list views, for the given facts. */
export async function attachFile(db: DuckDb, file: string, facts: readonly FactDecl[]): Promise<AttachedDataset> {
  const ext = path.extname(file).toLowerCase();
  await db.run('DROP VIEW IF EXISTS tw_src_raw');
  await db.run('DROP TABLE IF EXISTS tw_src_table');
  let raw: string;
  if (ext === '.parquet') {
    raw = `read_parquet(${quoteFile(file)}, file_row_number = true)`;
  } else if (ext === '.csv') {
    // Text as written; each fact's column is cast to its type by the compiled query.
    await db.run(`CREATE TABLE tw_src_table AS SELECT row_number() OVER () - 1 AS file_row_number, * FROM read_csv(${quoteFile(file)}, header = true, all_varchar = true)`);
    raw = 'tw_src_table';
  } else if (ext === '.jsonl' || ext === '.ndjson') {
    // One facts object per line (the server's uploads), typed by the declarations; a value that
    // does not fit its fact's type fails the whole read (the caller then judges in process).
    const columns = `{${facts.map((f) => `${str(f.name)}: ${str(f.type.kind === 'list' ? structType(f) : columnType(f, 'duckdb'))}`).join(', ')}}`;
    await db.run(`CREATE TABLE tw_src_table AS SELECT row_number() OVER () - 1 AS file_row_number, * FROM read_json(${quoteFile(file)}, format = 'newline_delimited', columns = ${columns})`);
    raw = 'tw_src_table';
  } else if (ext === '.xlsx') {
    await loadXlsx(db, file);
    raw = 'tw_src_table';
  } else {
    throw new Error(`unsupported dataset ${file}`);
  }
  const described = await db.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${raw}`);
  const types = new Map(described.map((c) => [c.column_name, c.column_type]));
  // Headers may be labels (officials' 台账): map them to fact names.
  const byLabel = new Map<string, string>();
  for (const f of facts) if (!types.has(f.name) && types.has(f.label)) byLabel.set(f.name, f.label);
  const colOf = (f: FactDecl): string | undefined => (types.has(f.name) ? f.name : byLabel.get(f.name));
  const rid = types.has('rid') ? 'CAST(s.rid AS BIGINT)' : 'CAST(s.file_row_number + 1 AS BIGINT)';
  const absent: string[] = [];
  const listExpr = (f: FactDecl, col: string): string => {
    const t = types.get(col) ?? '';
    return /^(VARCHAR|JSON)$/i.test(t) ? `CAST(CAST(NULLIF(s.${ident(col)}, '') AS JSON) AS ${structType(f)})` : `s.${ident(col)}`;
  };
  const recordCols = facts.map((f) => {
    const col = colOf(f);
    if (col === undefined) {
      absent.push(f.name);
      return `CAST(NULL AS ${columnType(f, 'duckdb')}) AS ${ident(f.name)}`;
    }
    if (f.type.kind === 'list') return `len(${listExpr(f, col)}) AS ${ident(f.name)}`;
    return `s.${ident(col)} AS ${ident(f.name)}`;
  });
  await db.run(`CREATE OR REPLACE VIEW tw_src AS SELECT ${rid} AS rid, s.* FROM ${raw} s`);
  const factColumns = facts.flatMap((f) => {
    const col = colOf(f);
    if (col === undefined) return [];
    return [f.type.kind === 'list' ? `CAST(${listExpr(f, col)} AS ${structType(f)}) AS ${ident(f.name)}` : `CAST(s.${ident(col)} AS ${columnType(f, 'duckdb')}) AS ${ident(f.name)}`];
  });
  // Each present list also as itself (LIST<STRUCT>), so aggregates over it are list functions
  // over the row's own column: no unnest and no GROUP BY by record (engine/sql/README.md).
  const listColumns: Record<string, string> = {};
  for (const f of facts) {
    const col = colOf(f);
    if (f.type.kind !== 'list' || col === undefined) continue;
    listColumns[f.name] = `${f.name}[]`;
    recordCols.push(`CAST(${listExpr(f, col)} AS ${structType(f)}) AS ${ident(`${f.name}[]`)}`);
  }
  await db.run(`CREATE OR REPLACE VIEW tw_records AS SELECT ${rid} AS rid${recordCols.map((c) => `, ${c}`).join('')} FROM ${raw} s`);
  const lists: Record<string, string> = {};
  for (const f of facts) {
    if (f.type.kind !== 'list') continue;
    const rel = defaultListRelation(f.name);
    lists[f.name] = rel;
    const col = colOf(f);
    const fields = f.type.fields.map((x) => `e.${ident(x.name)} AS ${ident(x.name)}`).join(', ');
    if (col === undefined) {
      await db.run(`CREATE OR REPLACE VIEW ${rel} AS SELECT CAST(NULL AS BIGINT) AS rid, CAST(NULL AS INTEGER) AS idx, ${f.type.fields.map((x) => `CAST(NULL AS ${columnType(x, 'duckdb')}) AS ${ident(x.name)}`).join(', ')} WHERE FALSE`);
      continue;
    }
    await db.run(
      `CREATE OR REPLACE VIEW ${rel} AS SELECT u.rid AS rid, CAST(u.idx AS INTEGER) AS idx, ${fields.replaceAll('e.', 'u.e.')} FROM (SELECT l.rid, unnest(generate_series(1, len(l.lst))) AS idx, unnest(l.lst) AS e FROM (SELECT ${rid} AS rid, ${listExpr(f, col)} AS lst FROM ${raw} s) l) u`,
    );
  }
  const [{ n }] = await db.all<{ n: string }>('SELECT count(*) AS n FROM tw_records');
  return { source: { records: 'tw_records', lists, listColumns }, records: Number(n), absent, factColumns };
}

/** An XLSX workbook's first sheet into a text table (streamed: a 台账 of a million rows does not sit in memory). */
async function loadXlsx(db: DuckDb, file: string): Promise<void> {
  const { default: ExcelJS } = await import('exceljs');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(createReadStream(file), { sharedStrings: 'cache', worksheets: 'emit', hyperlinks: 'ignore', styles: 'ignore', entries: 'ignore' });
  let header: string[] | undefined;
  let appender: Awaited<ReturnType<DuckDb['connection']['createAppender']>> | undefined;
  let row = 0;
  for await (const sheet of reader) {
    for await (const r of sheet) {
      const values = (r.values as unknown[]).slice(1).map(cellText);
      if (!header) {
        header = values.map((v, i) => v ?? `column${i + 1}`);
        await db.run(`CREATE TABLE tw_src_table (file_row_number BIGINT${header.map((h) => `, ${ident(h)} VARCHAR`).join('')})`);
        appender = await db.connection.createAppender('tw_src_table');
        continue;
      }
      appender!.appendBigInt(BigInt(row++));
      for (let i = 0; i < header.length; i++) {
        const v = values[i];
        if (v === undefined || v === '') appender!.appendNull();
        else appender!.appendVarchar(v);
      }
      appender!.endRow();
    }
    break; // the first sheet only
  }
  if (!header) await db.run('CREATE TABLE tw_src_table (file_row_number BIGINT)');
  appender?.closeSync();
}

/** A cell as the text a CSV would hold: dates as YYYY-MM-DD, booleans as true/false, formulas by their result. */
function cellText(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    const o = v as { result?: unknown; text?: unknown; richText?: { text: string }[] };
    if ('result' in o) return cellText(o.result);
    if (Array.isArray(o.richText)) return o.richText.map((t) => t.text).join('');
    if (typeof o.text === 'string') return o.text;
    return JSON.stringify(v);
  }
  return String(v);
}

/** The PostgreSQL table as temporary views `tw_records` and the list views, on the given client. */
export async function attachPostgresTable(
  db: { run(sql: string): Promise<void>; all<T>(sql: string): Promise<T[]> },
  table: string,
  facts: readonly FactDecl[],
): Promise<AttachedDataset> {
  const cols = await db.all<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = ${str(table)}`);
  const have = new Set(cols.map((c) => c.column_name));
  if (!have.has('rid')) throw new Error(`table ${table} has no rid column`);
  const absent: string[] = [];
  const lists: Record<string, string> = {};
  const recordCols = facts.map((f) => {
    if (f.type.kind === 'list') {
      const child = ident(`${table}__${f.name}`);
      lists[f.name] = child;
      if (have.has(f.name)) return `s.${ident(f.name)} AS ${ident(f.name)}`;
      return `CAST((SELECT count(*) FROM ${child} c WHERE c.rid = s.rid) AS INTEGER) AS ${ident(f.name)}`;
    }
    if (!have.has(f.name)) {
      absent.push(f.name);
      return `CAST(NULL AS ${columnType(f, 'postgres')}) AS ${ident(f.name)}`;
    }
    return `s.${ident(f.name)} AS ${ident(f.name)}`;
  });
  await db.run(`CREATE OR REPLACE TEMP VIEW tw_src AS SELECT * FROM ${ident(table)}`);
  await db.run(`CREATE OR REPLACE TEMP VIEW tw_records AS SELECT s.rid AS rid${recordCols.map((c) => `, ${c}`).join('')} FROM ${ident(table)} s`);
  const [{ n }] = await db.all<{ n: string }>('SELECT count(*) AS n FROM tw_records');
  return { source: { records: 'tw_records', lists }, records: Number(n), absent, factColumns: [] };
}
