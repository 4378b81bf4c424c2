/**
 * Decision tables of a DSL text as grids of cell texts, for the grid editor (tw-table-grid): read
 * each table's columns and rows as the text writes them, write a grid back over the table's span
 * (the rest of the document untouched), paste rows copied from Excel (TSV) or import CSV, and say
 * in the browser, without the solver, which rows of a `hit unique` table certainly overlap.
 * Browser-safe: dsl/ only.
 */
import type { CellAst, ExprAst, TableAst } from '../../../dsl/ast.ts';
import type { Diagnostic } from '../../../dsl/diagnostics.ts';
import { keywordLanguage, parsePolicy } from '../../../dsl/parse.ts';
import { formatExpression, quote } from '../../../dsl/format.ts';
import { HIT_WORDS, FUNCTION_WORDS, KEYWORD_BY_NAME } from '../../../dsl/tokens.ts';

export interface GridRow {
  id: string;
  cells: string[];
  gives: string;
  source: string;
  article: string;
  /** The row's `then …` outcome as written (kept, not edited in the grid). */
  rest: string;
  /** Where the row is in the text (absent for a row added in the grid). */
  start?: number;
  end?: number;
  /** Where each cell is, to put diagnostics on it. */
  cellSpans?: ({ start: number; end: number } | undefined)[];
}

export interface Grid {
  /** Index among the text's tables. */
  index: number;
  table: TableAst;
  columns: string[];
  rows: GridRow[];
  /** The table's extent in the text. */
  start: number;
  end: number;
}

/** The fields a grid row shows, left to right: what a pasted row fills. */
export function rowFields(columns: number): string[] {
  return ['id', ...Array.from({ length: columns }, (_, k) => `cell${k}`), 'gives', 'source', 'article'];
}

export function getField(r: GridRow, f: string): string {
  if (f.startsWith('cell')) return r.cells[Number(f.slice(4))] ?? '';
  return (r as unknown as Record<string, string>)[f] ?? '';
}

export function setField(r: GridRow, f: string, v: string): GridRow {
  if (f.startsWith('cell')) {
    const cells = [...r.cells];
    cells[Number(f.slice(4))] = v;
    return { ...r, cells };
  }
  return { ...r, [f]: v };
}

/** The decision tables of a DSL text, as grids; [] when the text has none or does not parse at all. */
export function gridsOf(text: string): Grid[] {
  const ast = parsePolicy(text).value;
  if (!ast?.tables) return [];
  const lang = keywordLanguage(text);
  return ast.tables.flatMap((t, index) => {
    if (!t.loc) return [];
    const rows = t.rows.map((r): GridRow => {
      const cellEnd = r.cells.at(-1)?.loc?.end.offset;
      const afterCites = r.cites?.loc?.end.offset ?? r.gives?.loc?.end.offset ?? cellEnd;
      const rest = r.then && afterCites !== undefined && r.loc ? text.slice(afterCites, r.loc.end.offset).trim() : '';
      return {
        id: r.id ?? '',
        cells: r.cells.map((c) => (c.loc ? text.slice(c.loc.start.offset, c.loc.end.offset) : cellWords(c, lang))),
        gives: r.gives?.loc ? text.slice(r.gives.loc.start.offset, r.gives.loc.end.offset) : r.gives ? formatExpression(r.gives, { lang }) : '',
        source: r.cites?.source ?? '',
        article: r.cites?.article ?? '',
        rest,
        ...(r.loc ? { start: r.loc.start.offset, end: r.loc.end.offset } : {}),
        cellSpans: r.cells.map((c) => (c.loc ? { start: c.loc.start.offset, end: c.loc.end.offset } : undefined)),
      };
    });
    const columns = t.columns.map((c) => (c.loc ? text.slice(c.loc.start.offset, c.loc.end.offset) : formatExpression(c, { lang })));
    return [{ index, table: t, columns, rows, start: t.loc.start.offset, end: t.loc.end.offset }];
  });
}

function cellWords(c: CellAst, lang: 'en' | 'zh'): string {
  if (c.op === 'any') return lang === 'zh' ? '任意' : 'any';
  return '';
}

function kw(name: string, lang: 'en' | 'zh'): string {
  const k = KEYWORD_BY_NAME.get(name)!;
  return lang === 'zh' ? k.zh[0]! : k.en;
}

/** The table as DSL text from its grid (canonical layout; comments inside the table are not kept). */
export function tableText(g: Grid, lang: 'en' | 'zh'): string {
  const t = g.table;
  const k = (n: string) => kw(n, lang);
  const hitWord = lang === 'zh' ? (HIT_WORDS[t.hit]?.[0] ?? t.hit) : t.hit;
  const agg = t.aggregate === undefined ? '' : ` ${lang === 'zh' ? (FUNCTION_WORDS[t.aggregate]?.[0] ?? t.aggregate) : t.aggregate}`;
  const lines = [`${k('Table')} ${t.id} ${quote(t.title)}${t.titleEn !== undefined ? ` ${k('En')} ${quote(t.titleEn)}` : ''}`, `  ${k('Hit')} ${hitWord}${agg}`];
  if (g.columns.length) lines.push(`  ${k('Columns')} ${g.columns.map((c) => c.trim() || '?').join(', ')}`);
  for (const r of g.rows) {
    const cells = r.cells.map((c) => c.trim() || (lang === 'zh' ? '任意' : 'any')).join(', ');
    lines.push(`  ${k('Row')}${r.id.trim() ? ` ${r.id.trim()}` : ''}: ${cells}${r.gives.trim() ? ` ${k('Gives')} ${r.gives.trim()}` : ''}`);
    if (r.source.trim() || r.article.trim()) lines.push(`    ${k('Cites')} ${r.source.trim()} ${quote(r.article.trim())}`);
    if (r.rest) lines.push(`    ${r.rest}`);
  }
  if (t.complete !== undefined) lines.push(`  ${k('Complete')} ${k('Because')} ${quote(t.complete)}`);
  return lines.join('\n');
}

/** The text with one table replaced by its grid. */
export function withGrid(text: string, g: Grid): string {
  return text.slice(0, g.start) + tableText(g, keywordLanguage(text)) + text.slice(g.end);
}

/**
 * Rows pasted from a spreadsheet (tab-separated lines, as Excel puts them on the clipboard)
 * written into the grid from row `row`, field `field` on, adding rows as needed.
 */
export function pasteRows(g: Grid, row: number, field: string, tsv: string): Grid {
  const fields = rowFields(g.columns.length);
  const from = Math.max(0, fields.indexOf(field));
  const lines = tsv.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  const rows = [...g.rows];
  lines.forEach((line, i) => {
    const at = row + i;
    let r = rows[at] ?? emptyRow(g.columns.length);
    line.split('\t').forEach((v, j) => {
      const f = fields[from + j];
      if (f) r = setField(r, f, v.trim());
    });
    rows[at] = r;
  });
  return { ...g, rows };
}

export function emptyRow(columns: number): GridRow {
  return { id: '', cells: Array.from({ length: columns }, () => ''), gives: '', source: '', article: '', rest: '' };
}

/** Header words of an imported sheet that are not columns: what each fills. */
const SPECIAL_HEADERS: Record<string, keyof GridRow> = {
  id: 'id',
  行: 'id',
  gives: 'gives',
  取值: 'gives',
  source: 'source',
  来源: 'source',
  article: 'article',
  条款: 'article',
};

/** Reads CSV (RFC 4180 quotes) or TSV into rows of fields. */
export function parseDelimited(text: string): string[][] {
  const sep = text.includes('\t') && !text.split('\n')[0]!.includes(',') ? '\t' : ',';
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === sep) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      out.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    out.push(row);
  }
  return out.filter((r) => r.some((f) => f.trim() !== ''));
}

/**
 * A sheet (first row: headers naming the facts, or id/行, gives/取值, source/来源, article/条款)
 * as the grid's columns and rows, replacing them.
 */
export function importSheet(g: Grid, rows: string[][]): Grid {
  const [header, ...body] = rows;
  if (!header) return g;
  const columns: string[] = [];
  const place: ({ kind: 'cell'; k: number } | { kind: 'field'; f: keyof GridRow })[] = header.map((h) => {
    const name = h.trim();
    const special = SPECIAL_HEADERS[name.toLowerCase()] ?? SPECIAL_HEADERS[name];
    if (special) return { kind: 'field', f: special };
    columns.push(name);
    return { kind: 'cell', k: columns.length - 1 };
  });
  const gridRows = body.map((cols) => {
    let r = emptyRow(columns.length);
    cols.forEach((v, j) => {
      const p = place[j];
      if (!p) return;
      r = p.kind === 'cell' ? setField(r, `cell${p.k}`, v.trim()) : { ...r, [p.f]: v.trim() };
    });
    return r;
  });
  return { ...g, columns, rows: gridRows };
}

// ------------------------------------------------------------------------------------------------
// Overlapping rows of `hit unique` tables, from literal cells (the solver's check is on the server)

type ValueSet =
  | { kind: 'all' }
  | { kind: 'range'; lo: number; loIn: boolean; hi: number; hiIn: boolean }
  | { kind: 'values'; values: Set<string>; negated: boolean }
  | { kind: 'unknown' };

function literal(e: ExprAst): { num?: number; key?: string } {
  switch (e.type) {
    case 'number':
    case 'percent':
      return { num: e.value, key: `n:${e.value}` };
    case 'money':
      return { num: e.yuan, key: `n:${e.yuan}` };
    case 'string':
      return { key: `s:${e.value}` };
    case 'boolean':
      return { key: `b:${e.value}` };
    default:
      return {};
  }
}

function valueSet(c: CellAst): ValueSet {
  switch (c.op) {
    case 'any':
      return { kind: 'all' };
    case 'between': {
      const lo = literal(c.low).num;
      const hi = literal(c.high).num;
      return lo === undefined || hi === undefined ? { kind: 'unknown' } : { kind: 'range', lo, loIn: c.lowInclusive, hi, hiIn: c.highInclusive };
    }
    case 'in':
    case 'not in': {
      const keys = c.options.map((o) => literal(o).key);
      if (keys.some((k) => k === undefined)) return { kind: 'unknown' };
      return { kind: 'values', values: new Set(keys as string[]), negated: c.op === 'not in' };
    }
    default: {
      const l = literal(c.value);
      if (c.op === '==' || c.op === '!=') return l.key === undefined ? { kind: 'unknown' } : { kind: 'values', values: new Set([l.key]), negated: c.op === '!=' };
      if (l.num === undefined) return { kind: 'unknown' };
      const n = l.num;
      if (c.op === '<' || c.op === '<=') return { kind: 'range', lo: -Infinity, loIn: false, hi: n, hiIn: c.op === '<=' };
      return { kind: 'range', lo: n, loIn: c.op === '>=', hi: Infinity, hiIn: false };
    }
  }
}

/** True only when both sets certainly share a value. */
function meet(a: ValueSet, b: ValueSet): boolean {
  if (a.kind === 'unknown' || b.kind === 'unknown') return false;
  if (a.kind === 'all' || b.kind === 'all') return true;
  if (a.kind === 'range' && b.kind === 'range') {
    const lo = Math.max(a.lo, b.lo);
    const hi = Math.min(a.hi, b.hi);
    if (lo < hi) return true;
    if (lo > hi) return false;
    const loIn = (a.lo === lo ? a.loIn : true) && (b.lo === lo ? b.loIn : true);
    const hiIn = (a.hi === hi ? a.hiIn : true) && (b.hi === hi ? b.hiIn : true);
    return loIn && hiIn;
  }
  if (a.kind === 'range' && b.kind === 'values') return numbersMeet(a, b);
  if (a.kind === 'values' && b.kind === 'range') return numbersMeet(b, a);
  if (a.kind === 'values' && b.kind === 'values') {
    if (!a.negated && !b.negated) return [...a.values].some((v) => b.values.has(v));
    if (a.negated && b.negated) return true;
    const [pos, neg] = a.negated ? [b, a] : [a, b];
    return [...pos.values].some((v) => !neg.values.has(v));
  }
  return false;
}

function numbersMeet(r: Extract<ValueSet, { kind: 'range' }>, v: Extract<ValueSet, { kind: 'values' }>): boolean {
  if (v.negated) return false; // a range minus some points: not worth proving here
  return [...v.values].some((k) => {
    if (!k.startsWith('n:')) return false;
    const n = Number(k.slice(2));
    return (n > r.lo || (n === r.lo && r.loIn)) && (n < r.hi || (n === r.hi && r.hiIn));
  });
}

/** Warnings on rows of `hit unique` tables that certainly overlap another row (literal cells only). */
export function overlapDiagnostics(text: string): Diagnostic[] {
  const ast = parsePolicy(text, { file: 'draft' }).value;
  const out: Diagnostic[] = [];
  for (const t of ast?.tables ?? []) {
    if (t.hit !== 'unique') continue;
    const sets = t.rows.map((r) => (r.cells.length === t.columns.length ? r.cells.map(valueSet) : undefined));
    t.rows.forEach((r, j) => {
      for (let i = 0; i < j; i++) {
        const a = sets[i];
        const b = sets[j];
        if (!a || !b || !a.every((s, k) => meet(s, b[k]!))) continue;
        const name = (x: number) => t.rows[x]!.id ?? String(x + 1);
        out.push({
          code: 'table.overlap',
          severity: 'warning',
          message: {
            zh: `决策表 ${t.id} 命中规则为唯一,但行 ${name(i)} 与行 ${name(j)} 可以同时成立`,
            en: `table ${t.id} is hit unique, but rows ${name(i)} and ${name(j)} can both hold`,
          },
          hint: { zh: '收紧其中一行的单元格,或改为 命中 首条', en: 'narrow a cell of one row, or make the table hit first' },
          ...(r.loc ? { range: r.loc } : {}),
        });
        break;
      }
    });
  }
  return out;
}
