/**
 * Simulation datasets: JSONL, CSV or XLSX into fact records. CSV and XLSX columns map to facts by
 * name or Chinese label; cells are coerced by the fact's declared type (enum labels to values,
 * 是/否 to booleans, Excel dates to YYYY-MM-DD); list facts are given as JSON in a cell.
 */
import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import ExcelJS from 'exceljs';
import { matchColumn, suggestFacts } from '../engine/facts/columns.ts';
import type { FactDecl } from '../engine/ir/types.ts';
import { ApiError, type ErrorDetail } from './errors.ts';
import { MAX_DOC_DEPTH, jsonTextTooDeep } from '../dsl/depth.ts';

export type UploadFormat = 'jsonl' | 'csv' | 'xlsx';

export interface DatasetRecord {
  /** 1-based line (JSONL/CSV data line numbers count the header) or sheet row. */
  line: number;
  facts: Record<string, unknown>;
  /**
   * Columns the reviewer kept for grouping a report (mapped to `KEEP_COLUMN`): header → cell text.
   * Not facts, so no rule reads them; county/city/year of a 台账 often are such columns.
   */
  columns?: Record<string, string>;
}

/**
 * The mapping value that keeps a column for grouping the impact report instead of reading it as a
 * fact. Only columns so marked are stored (an ignored column, e.g. an ID number, is not kept).
 */
export const KEEP_COLUMN = '@keep';
/** A kept cell longer than this is cut: a group label, not a document. */
const KEPT_CELL_MAX = 100;
/** Kept columns per upload at most. */
export const KEPT_COLUMNS_MAX = 20;

export function detectFormat(fileName: string, contentType: string, head: Uint8Array): UploadFormat | undefined {
  const n = fileName.toLowerCase();
  if (n.endsWith('.jsonl') || n.endsWith('.ndjson')) return 'jsonl';
  if (n.endsWith('.csv')) return 'csv';
  if (n.endsWith('.xlsx')) return 'xlsx';
  if (/ndjson|jsonl/.test(contentType)) return 'jsonl';
  if (/csv/.test(contentType)) return 'csv';
  if (/spreadsheetml/.test(contentType)) return 'xlsx';
  if (head[0] === 0x50 && head[1] === 0x4b) return 'xlsx'; // PK: a zip container
  return undefined;
}

function broken(details: ErrorDetail[]): ApiError {
  return ApiError.of(422, 'upload.broken', details);
}

/**
 * A reviewer's column mapping for a 台账 whose headers are not the facts' names or labels:
 * header → fact name, or `""` to ignore the column. Headers it does not name match as usual.
 */
export type ColumnMapping = Record<string, string>;

export async function readDataset(bytes: Uint8Array, format: UploadFormat, facts: FactDecl[], mapping: ColumnMapping = {}): Promise<DatasetRecord[]> {
  const kept = Object.values(mapping).filter((v) => v === KEEP_COLUMN).length;
  if (kept > KEPT_COLUMNS_MAX) {
    throw ApiError.of(400, 'http.invalid-body', [
      { path: 'form.mapping', message: { zh: `最多保留 ${KEPT_COLUMNS_MAX} 列用于分组`, en: `at most ${KEPT_COLUMNS_MAX} columns may be kept for grouping` } },
    ]);
  }
  const records = format === 'jsonl' ? readJsonl(bytes) : format === 'csv' ? await readCsv(bytes, facts, mapping) : await readXlsx(bytes, facts, mapping);
  if (records.length === 0) throw ApiError.of(422, 'upload.empty');
  return records;
}

function readJsonl(bytes: Uint8Array): DatasetRecord[] {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes).replace(/^\uFEFF/, '');
  const out: DatasetRecord[] = [];
  const errors: ErrorDetail[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      // Deeper than any declared list fact could be: refused before the engine recurses into it.
      if (jsonTextTooDeep(raw, MAX_DOC_DEPTH) >= 0) throw new Error(`nested more than ${MAX_DOC_DEPTH} levels deep`);
      const v = JSON.parse(raw) as unknown;
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
      // Either a bare facts object or a batch-style line {facts: {...}}.
      const facts = 'facts' in v && typeof (v as { facts: unknown }).facts === 'object' ? (v as { facts: Record<string, unknown> }).facts : (v as Record<string, unknown>);
      const columns = facts !== v ? keptColumnsOf((v as { columns?: unknown }).columns) : undefined;
      out.push(columns ? { line: i + 1, facts, columns } : { line: i + 1, facts });
    } catch (e) {
      if (errors.length < 20) errors.push({ path: `line:${i + 1}`, message: { zh: '此行不是 JSON 对象', en: `not a JSON object: ${(e as Error).message}` } });
    }
  });
  if (errors.length) throw broken(errors);
  return out;
}

/**
 * Column header → fact, by the mapping, else by name or Chinese (or English) label; `null` for a
 * column to ignore (blank header, or mapped to ""). A header matching no fact is refused with
 * 422 `upload.unmapped-columns`, one detail per header (`column:<header>`, with the closest
 * facts), so the admin UI can ask for a mapping instead of every record failing validation.
 */
/** Where a column goes: a fact, a kept column (by its header), or nowhere. */
type ColumnTarget = FactDecl | { keep: string } | null;

function columnMap(headers: string[], facts: FactDecl[], mapping: ColumnMapping): ColumnTarget[] {
  const unmapped: ErrorDetail[] = [];
  const map = headers.map((h) => {
    const t = h.trim();
    if (t === '') return null;
    const to = Object.hasOwn(mapping, t) ? mapping[t] : Object.hasOwn(mapping, h) ? mapping[h] : undefined;
    if (to === '') return null;
    if (to === KEEP_COLUMN) return { keep: t };
    const f = to !== undefined ? facts.find((x) => x.name === to) : matchColumn(t, facts);
    if (!f) {
      const near = suggestFacts(t, facts, 1).map((s) => facts.find((x) => x.name === s.fact)!);
      const unknownTarget = to !== undefined ? { zh: `对照的事实 ${to} 不存在;`, en: `the mapped fact ${to} does not exist; ` } : { zh: '', en: '' };
      unmapped.push({
        path: `column:${t}`,
        code: 'upload.unmapped-column',
        message: {
          zh: `列「${t}」不对应任何事实;${unknownTarget.zh}${near.length ? `最接近:${near[0].label}(${near[0].name})` : '没有相近的事实'}`,
          en: `column "${t}" matches no fact; ${unknownTarget.en}${near.length ? `closest: ${near[0].labelEn ?? near[0].label} (${near[0].name})` : 'no similar fact'}`,
        },
      });
    }
    return f ?? null;
  });
  if (unmapped.length) throw ApiError.of(422, 'upload.unmapped-columns', unmapped);
  return map;
}

export function coerce(raw: unknown, fact: FactDecl): unknown {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw === 'string' && raw.trim() === '') return undefined;
  const t = fact.type;
  switch (t.kind) {
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).trim().toLowerCase();
      if (['true', '1', '是', 'yes', 'y', '√'].includes(s)) return true;
      if (['false', '0', '否', 'no', 'n', '×'].includes(s)) return false;
      return raw;
    }
    case 'integer':
    case 'number':
    case 'percent': {
      if (typeof raw === 'number') return raw;
      const s = String(raw).trim().replace(/,/g, '').replace(/%$/, '');
      const n = Number(s);
      return s !== '' && Number.isFinite(n) ? n : raw;
    }
    case 'money': {
      if (typeof raw === 'number') return raw;
      const s = String(raw).trim().replace(/,/g, '').replace(/元$/, '');
      return /^-?\d+(\.\d{1,2})?$/.test(s) ? s : raw;
    }
    case 'date': {
      if (raw instanceof Date) return raw.toISOString().slice(0, 10);
      const s = String(raw).trim().replace(/\//g, '-');
      const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
      return m ? `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}` : raw;
    }
    case 'enum': {
      const s = String(raw).trim();
      return t.values.find((v) => v.value === s)?.value ?? t.values.find((v) => v.label === s || v.labelEn === s)?.value ?? s;
    }
    case 'list': {
      if (Array.isArray(raw)) return raw;
      try {
        return JSON.parse(String(raw)) as unknown;
      } catch {
        return raw;
      }
    }
    default:
      return String(raw);
  }
}

function rowToRecord(line: number, cells: unknown[], map: ColumnTarget[]): DatasetRecord {
  const facts: Record<string, unknown> = {};
  let columns: Record<string, string> | undefined;
  cells.forEach((cell, i) => {
    const f = map[i];
    if (!f) return; // an ignored column, or a cell beyond the headers
    if ('keep' in f) {
      const text = keptText(cell);
      if (text !== '') (columns ??= {})[f.keep] = text;
      return;
    }
    const v = coerce(cell, f);
    if (v !== undefined) facts[f.name] = v;
  });
  return columns ? { line, facts, columns } : { line, facts };
}

/**
 * The `columns` of a `{facts, columns}` JSONL line (how a mapped upload is stored for its job, and
 * how a JSONL upload brings columns to group by): string-valued entries only, bounded.
 */
export function keptColumnsOf(raw: unknown): Record<string, string> | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  let out: Record<string, string> | undefined;
  let n = 0;
  for (const [k, v] of Object.entries(raw)) {
    if (n >= KEPT_COLUMNS_MAX) break;
    const text = keptText(v);
    if (typeof v === 'object' || text === '') continue;
    (out ??= {})[k.slice(0, KEPT_CELL_MAX)] = text;
    n++;
  }
  return out;
}

/** A kept cell as the text a group is named by (dates as YYYY-MM-DD). */
function keptText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  const s = cell instanceof Date ? cell.toISOString().slice(0, 10) : String(cell).trim();
  return s.slice(0, KEPT_CELL_MAX);
}

async function readCsv(bytes: Uint8Array, facts: FactDecl[], mapping: ColumnMapping): Promise<DatasetRecord[]> {
  // Lines starting with # are notes (the template's column descriptions); # inside a line is data.
  const parser = Readable.from([Buffer.from(bytes)]).pipe(
    // info: each record with its own line count (the parser's running count is read ahead).
    parseCsv({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, comment: '#', comment_no_infix: true, info: true }),
  );
  const out: DatasetRecord[] = [];
  let headers: string[] | undefined;
  let map: ColumnTarget[] = [];
  try {
    for await (const { record: row, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!headers) {
        headers = row;
        map = columnMap(headers, facts, mapping);
        continue;
      }
      out.push(rowToRecord(info.lines, row, map));
    }
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw broken([{ path: 'file', message: { zh: 'CSV 无法解析', en: (e as Error).message } }]);
  }
  return out;
}

async function readXlsx(bytes: Uint8Array, facts: FactDecl[], mapping: ColumnMapping): Promise<DatasetRecord[]> {
  try {
    const streamed = await xlsxRecords(streamedRows(bytes), facts, mapping);
    if (!streamed.garbled) return streamed.records;
    // exceljs's streaming reader can cut a multi-byte character at a chunk boundary into U+FFFD
    // (exceljs#2084, open): Chinese text in long cells comes back garbled. Read the file whole.
    return (await xlsxRecords(loadedRows(bytes), facts, mapping)).records;
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw broken([{ path: 'file', message: { zh: 'XLSX 文件无法读取', en: (e as Error).message } }]);
  }
}

interface SheetRow {
  number: number;
  values: unknown[];
}

/** The first sheet's rows, streamed (memory stays flat for large uploads). */
async function* streamedRows(bytes: Uint8Array): AsyncGenerator<SheetRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([Buffer.from(bytes)]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    entries: 'ignore',
  });
  for await (const sheet of reader) {
    for await (const row of sheet as AsyncIterable<ExcelJS.Row>) yield { number: row.number, values: (row.values as unknown[]).slice(1).map(cellValue) };
    return; // the first sheet holds the data
  }
}

/** The first sheet's rows, from the whole workbook in memory. */
async function* loadedRows(bytes: Uint8Array): AsyncGenerator<SheetRow> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer); // exceljs types ask for its own Buffer type; a Node Buffer is what it reads
  const sheet = wb.worksheets[0];
  if (!sheet) return;
  const rows: SheetRow[] = [];
  sheet.eachRow((row, number) => rows.push({ number, values: (row.values as unknown[]).slice(1).map(cellValue) }));
  yield* rows;
}

const isGarbled = (v: unknown) => typeof v === 'string' && v.includes('\uFFFD');

async function xlsxRecords(rows: AsyncIterable<SheetRow>, facts: FactDecl[], mapping: ColumnMapping): Promise<{ records: DatasetRecord[]; garbled: boolean }> {
  const records: DatasetRecord[] = [];
  let headers: string[] | undefined;
  let map: ColumnTarget[] = [];
  for await (const { number, values } of rows) {
    if (values.some(isGarbled)) return { records, garbled: true };
    if (!headers) {
      headers = values.map((v) => String(v ?? ''));
      map = columnMap(headers, facts, mapping);
      continue;
    }
    if (values.every((v) => v === undefined || v === null || v === '')) continue;
    records.push(rowToRecord(number, values, map));
  }
  return { records, garbled: false };
}

/** Plain value of an ExcelJS cell (rich text, formulas with results, hyperlinks). */
function cellValue(v: unknown): unknown {
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const o = v as { result?: unknown; richText?: { text: string }[]; text?: string };
    if ('result' in o) return o.result;
    if (o.richText) return o.richText.map((r) => r.text).join('');
    if (typeof o.text === 'string') return o.text;
  }
  return v;
}
