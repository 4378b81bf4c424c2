/**
 * Getting started with a version: a dataset template (one column per fact headed by its Chinese
 * label, the allowed values, one example row valid for the version) and a generated sample
 * dataset, as XLSX, CSV or JSONL. Both read back through upload.ts: labels are accepted as
 * headers, enum labels and 是/否 as values, `#` lines of a CSV are comments.
 *
 * List facts (e.g. a county's loan book) cannot be one flat column: they get one column holding
 * a JSON array of records (`[{"金额":96,"逾期天数":0}]`), which the upload parses; the notes name
 * each record field.
 */
import ExcelJS from 'exceljs';
import type { FactDecl, PolicyIR } from '../engine/ir/types.ts';

export type TemplateFormat = 'xlsx' | 'csv';
export type SampleFormat = 'jsonl' | 'csv' | 'xlsx';

const KIND_ZH: Record<string, string> = {
  boolean: '是/否',
  integer: '整数',
  number: '数值',
  money: '金额(元)',
  percent: '百分比(3 即 3%)',
  date: '日期 YYYY-MM-DD',
  string: '文本',
  enum: '枚举',
  list: '列表(单元格内 JSON 数组)',
};
const KIND_EN: Record<string, string> = {
  boolean: 'yes/no (是/否)',
  integer: 'integer',
  number: 'number',
  money: 'money (yuan)',
  percent: 'percent (3 means 3%)',
  date: 'date YYYY-MM-DD',
  string: 'text',
  enum: 'enum',
  list: 'list (JSON array in the cell)',
};

/** What a column accepts, in words: the enum values, or a list's record fields. */
function allowed(f: FactDecl): string {
  const t = f.type;
  if (t.kind === 'enum') return t.values.map((v) => `${v.label}(${v.value})`).join('、');
  if (t.kind === 'boolean') return '是、否';
  if (t.kind === 'list') return t.fields.map((x) => `${x.name}:${KIND_ZH[x.type.kind]}${x.type.kind === 'enum' ? ' ' + x.type.values.map((v) => v.value).join('/') : ''}`).join(';');
  return '';
}

/** A fact's value as a spreadsheet cell: enum and boolean in words, lists as JSON. */
function cell(f: FactDecl, v: unknown): string | number | undefined {
  if (v === undefined || v === null) return undefined;
  const t = f.type;
  if (t.kind === 'enum') return t.values.find((x) => x.value === v)?.label ?? String(v);
  if (t.kind === 'boolean') return v ? '是' : '否';
  if (t.kind === 'list') return JSON.stringify(v);
  if (typeof v === 'number') return v;
  return String(v);
}

export interface NoteRow {
  column: string;
  name: string;
  labelEn: string;
  type: string;
  typeEn: string;
  allowed: string;
  description: string;
}

export function notes(facts: readonly FactDecl[]): NoteRow[] {
  return facts.map((f) => ({
    column: f.label,
    name: f.name,
    labelEn: f.labelEn ?? '',
    type: KIND_ZH[f.type.kind],
    typeEn: KIND_EN[f.type.kind],
    allowed: allowed(f),
    description: f.description ?? '',
  }));
}

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\n\r#]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV (UTF-8 with BOM, for Excel) with optional `#` comment lines before the header. */
export function toCsv(ir: Pick<PolicyIR, 'id' | 'version' | 'title' | 'facts'>, records: readonly Record<string, unknown>[], withNotes: boolean): string {
  const lines: string[] = [];
  if (withNotes) {
    lines.push(`# ${ir.title} ${ir.id} ${ir.version}:数据模板 / dataset template. 以 # 开头的行是说明,上传时忽略 / lines starting with # are notes, ignored on upload.`);
    lines.push('# 列 / column | 事实名 / fact | 类型 / type | 允许值 / allowed values');
    for (const n of notes(ir.facts)) lines.push(`# ${n.column} | ${n.name} | ${n.type} / ${n.typeEn} | ${n.allowed.replace(/[\r\n]/g, ' ')}`);
  }
  lines.push(ir.facts.map((f) => csvCell(f.label)).join(','));
  for (const r of records) lines.push(ir.facts.map((f) => csvCell(cell(f, r[f.name]))).join(','));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

/** Excel's limit on a list validation written inline. */
const INLINE_LIST_MAX = 255;

/** An XLSX: the data sheet (labels, records, dropdowns for enums and yes/no) and a notes sheet. */
export async function toXlsx(ir: Pick<PolicyIR, 'id' | 'version' | 'title' | 'facts'>, records: readonly Record<string, unknown>[], dropdownRows: number): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'tiaowen';
  const data = wb.addWorksheet('数据');
  data.addRow(ir.facts.map((f) => f.label));
  data.getRow(1).font = { bold: true };
  for (const r of records) data.addRow(ir.facts.map((f) => cell(f, r[f.name]) ?? null));
  ir.facts.forEach((f, i) => {
    const col = data.getColumn(i + 1);
    col.width = Math.max(12, Math.min(40, f.label.length * 2 + 4));
    const options = f.type.kind === 'enum' ? f.type.values.map((v) => v.label) : f.type.kind === 'boolean' ? ['是', '否'] : undefined;
    const list = options ? `"${options.join(',')}"` : undefined;
    // A label with a comma cannot be listed inline; such columns go without a dropdown.
    if (!list || list.length > INLINE_LIST_MAX || options!.some((o) => o.includes(',') || o.includes('"'))) return;
    for (let row = 2; row <= Math.max(dropdownRows, records.length + 1); row++) {
      data.getCell(row, i + 1).dataValidation = { type: 'list', allowBlank: true, formulae: [list], showErrorMessage: true, errorTitle: '不在允许值中', error: `允许值:${options!.join('、')}` };
    }
  });
  const sheet = wb.addWorksheet('说明');
  sheet.addRow(['列 column', '事实名 fact', 'English', '类型', 'type', '允许值 allowed values', '说明 description']);
  sheet.getRow(1).font = { bold: true };
  for (const n of notes(ir.facts)) sheet.addRow([n.column, n.name, n.labelEn, n.type, n.typeEn, n.allowed, n.description]);
  sheet.addRow([]);
  sheet.addRow([`${ir.title}(${ir.id} ${ir.version})。第一张表是数据:第一行是列名(中文名或事实名均可),每行一条记录;空单元格表示缺少该事实。`]);
  sheet.addRow(['The first sheet holds the data: row 1 the headers (label or fact name), one record per row; an empty cell means the fact is missing.']);
  sheet.columns.forEach((c, i) => (c.width = [16, 16, 20, 18, 22, 40, 30][i] ?? 16));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export function toJsonl(records: readonly Record<string, unknown>[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

export const CONTENT_TYPES: Record<SampleFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
};

/** An ASCII file name: `gansu-poverty-loan-2015.1-template.xlsx`. */
export function fileName(ir: Pick<PolicyIR, 'id' | 'version'>, what: string, format: SampleFormat): string {
  return `${ir.id.replace(/[^A-Za-z0-9._-]+/g, '-')}-${ir.version.replace(/[^A-Za-z0-9._-]+/g, '-')}-${what}.${format}`;
}
