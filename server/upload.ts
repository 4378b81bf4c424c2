/**
 * Simulation datasets: JSONL, CSV or XLSX into fact records. CSV and XLSX columns map to facts by
 * name or Chinese label; cells are coerced by the fact's declared type (enum labels to values,
 * 是/否 to booleans, Excel dates to YYYY-MM-DD); list facts are given as JSON in a cell.
 */
import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import ExcelJS from 'exceljs';
import type { FactDecl } from '../engine/ir/types.ts';
import { ApiError, type ErrorDetail } from './errors.ts';
import { MAX_DOC_DEPTH, jsonTextTooDeep } from '../dsl/depth.ts';

export type UploadFormat = 'jsonl' | 'csv' | 'xlsx';

export interface DatasetRecord {
  /** 1-based line (JSONL/CSV data line numbers count the header) or sheet row. */
  line: number;
  facts: Record<string, unknown>;
}

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

export async function readDataset(bytes: Uint8Array, format: UploadFormat, facts: FactDecl[]): Promise<DatasetRecord[]> {
  const records = format === 'jsonl' ? readJsonl(bytes) : format === 'csv' ? await readCsv(bytes, facts) : await readXlsx(bytes, facts);
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
      out.push({ line: i + 1, facts });
    } catch (e) {
      if (errors.length < 20) errors.push({ path: `line:${i + 1}`, message: { zh: '此行不是 JSON 对象', en: `not a JSON object: ${(e as Error).message}` } });
    }
  });
  if (errors.length) throw broken(errors);
  return out;
}

/** Column header → fact, by name or Chinese (or English) label. */
function columnMap(headers: string[], facts: FactDecl[]): (FactDecl | undefined)[] {
  return headers.map((h) => {
    const t = h.trim();
    return facts.find((f) => f.name === t) ?? facts.find((f) => f.label === t) ?? facts.find((f) => f.labelEn === t);
  });
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

function rowToFacts(cells: unknown[], map: (FactDecl | undefined)[], headers: string[]): Record<string, unknown> {
  const facts: Record<string, unknown> = {};
  cells.forEach((cell, i) => {
    const f = map[i];
    if (f) {
      const v = coerce(cell, f);
      if (v !== undefined) facts[f.name] = v;
    } else if (headers[i] && cell !== undefined && cell !== null && cell !== '') {
      // Unknown columns are passed on so fact validation names them; blank ones are ignored.
      facts[headers[i].trim()] = cell;
    }
  });
  return facts;
}

async function readCsv(bytes: Uint8Array, facts: FactDecl[]): Promise<DatasetRecord[]> {
  const parser = Readable.from([Buffer.from(bytes)]).pipe(parseCsv({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: true }));
  const out: DatasetRecord[] = [];
  let headers: string[] | undefined;
  let map: (FactDecl | undefined)[] = [];
  try {
    for await (const row of parser as AsyncIterable<string[]>) {
      if (!headers) {
        headers = row;
        map = columnMap(headers, facts);
        continue;
      }
      out.push({ line: (parser as unknown as { info: { lines: number } }).info.lines, facts: rowToFacts(row, map, headers) });
    }
  } catch (e) {
    throw broken([{ path: 'file', message: { zh: 'CSV 无法解析', en: (e as Error).message } }]);
  }
  return out;
}

async function readXlsx(bytes: Uint8Array, facts: FactDecl[]): Promise<DatasetRecord[]> {
  const out: DatasetRecord[] = [];
  try {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([Buffer.from(bytes)]), {
      worksheets: 'emit',
      sharedStrings: 'cache',
      hyperlinks: 'ignore',
      styles: 'cache',
      entries: 'ignore',
    });
    for await (const sheet of reader) {
      let headers: string[] | undefined;
      let map: (FactDecl | undefined)[] = [];
      for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
        const values = (row.values as unknown[]).slice(1).map(cellValue);
        if (!headers) {
          headers = values.map((v) => String(v ?? ''));
          map = columnMap(headers, facts);
          continue;
        }
        if (values.every((v) => v === undefined || v === null || v === '')) continue;
        out.push({ line: row.number, facts: rowToFacts(values, map, headers) });
      }
      break; // the first sheet holds the data
    }
  } catch (e) {
    throw broken([{ path: 'file', message: { zh: 'XLSX 文件无法读取', en: (e as Error).message } }]);
  }
  return out;
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
