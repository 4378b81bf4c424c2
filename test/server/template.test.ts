import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, makeApp, type TestApp } from './helpers.ts';
import { sampleFacts } from '../../engine/facts/sample.ts';
import { readDataset } from '../../server/upload.ts';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
});
afterAll(async () => t.close());

const BASE = '/api/v1/policies/demo/loan/versions/2015.1';
const resolved = (policy: string, version: string) => t.deps.policies.library.resolve(policy, { version }).value!;

async function get(path: string) {
  const res = await t.req('GET', path, { as: '张三' });
  expect(res.status).toBe(200);
  return res;
}

async function upload(file: Blob, name: string, fields: Record<string, string> = {}) {
  const form = new FormData();
  form.set('file', file, name);
  form.set('baseline', 'demo/loan@2015.1');
  form.set('candidate', 'demo2/loan@2016.1');
  form.set('asOf', '2018-06-30');
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return t.app.request('/api/v1/simulate', { method: 'POST', headers: { authorization: `Bearer ${t.tokens['张三']}` }, body: form });
}

async function finish(id: string) {
  await (await t.req('GET', `/api/v1/jobs/${id}/events`, { as: '张三' })).text();
  return (await (await t.req('GET', `/api/v1/jobs/${id}`, { as: '张三' })).json()) as {
    status: string;
    params: { mapping?: Record<string, string> };
    result: { total: number; changed: number; baseline: { byOutcome: Record<string, number> } };
  };
}

async function sheets(bytes: ArrayBuffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.read(Readable.from([Buffer.from(bytes)]));
  return wb;
}

const rowValues = (ws: ExcelJS.Worksheet, n: number) => (ws.getRow(n).values as unknown[]).slice(1);

describe('dataset template', () => {
  it('XLSX: labels as headers, a notes sheet with names, types and enum values, dropdowns, an example row valid for the version', async () => {
    const res = await get(`${BASE}/template?format=xlsx`);
    expect(res.headers.get('content-type')).toMatch(/spreadsheetml/);
    expect(res.headers.get('content-disposition')).toContain('demo-loan-2015.1-template.xlsx');
    const wb = await sheets(await res.arrayBuffer());
    const [data, notes] = wb.worksheets;
    expect(data.name).toBe('数据');
    expect(rowValues(data, 1)).toEqual(['县贷款台账', '已拨付贴息', '查实弄虚作假', '户主姓名']);
    expect(data.actualRowCount).toBe(2);
    // The boolean column offers 是/否.
    expect(data.getCell(2, 3).dataValidation).toMatchObject({ type: 'list', formulae: ['"是,否"'] });
    expect(notes.name).toBe('说明');
    const noteRows = Array.from({ length: 4 }, (_, i) => rowValues(notes, i + 2));
    expect(noteRows.map((r) => r[1])).toEqual(['贷款', '贴息金额', '弄虚作假', '户主姓名']);
    expect(String(noteRows[0][5])).toContain('金额');
    expect(String(noteRows[0][3])).toContain('JSON');
    // The example row reads back through the upload and is valid under the version.
    const records = await readDataset(new Uint8Array(await (await get(`${BASE}/template?format=xlsx`)).arrayBuffer()), 'xlsx', resolved('demo/loan', '2015.1').ir.facts);
    expect(records).toHaveLength(1);
    expect(Object.keys(records[0].facts).sort()).toEqual(['户主姓名', '弄虚作假', '贴息金额', '贷款'].sort());
    expect(t.deps.engine.validateFacts(resolved('demo/loan', '2015.1').ir, records[0].facts).errors).toEqual([]);
  });

  it('CSV: notes as # lines (enum values too), then labels and an example row; parseable by csv-parse and by our upload', async () => {
    const res = await get(`${BASE}/template?format=csv`);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // a BOM, for Excel
    const text = new TextDecoder().decode(bytes);
    expect(text.startsWith('#')).toBe(true);
    expect(text).toMatch(/# 查实弄虚作假 \| 弄虚作假 \| 是\/否/);
    const rows = parseCsv(text, { bom: true, comment: '#', comment_no_infix: true }) as string[][];
    expect(rows[0]).toEqual(['县贷款台账', '已拨付贴息', '查实弄虚作假', '户主姓名']);
    expect(rows).toHaveLength(2);
    expect(Array.isArray(JSON.parse(rows[1][0]))).toBe(true);
    expect(['是', '否']).toContain(rows[1][2]);
    const ir = resolved('demo/loan', '2015.1').ir;
    const records = await readDataset(new TextEncoder().encode(text), 'csv', ir.facts);
    expect(t.deps.engine.validateFacts(ir, records[0].facts).errors).toEqual([]);
  });

  it('lists the allowed values of an enum fact', async () => {
    // The fixture policies have no enum; the library's four-forms policy has some.
    const ir = { ...resolved('demo/loan', '2015.1').ir, facts: [{ name: '形态', label: '处理形态', type: { kind: 'enum' as const, values: [{ value: 'first', label: '第一种形态' }, { value: 'second', label: '第二种形态' }] } }] };
    const { toXlsx, toCsv } = await import('../../server/template.ts');
    const wb = await sheets((await toXlsx(ir, [{ 形态: 'second' }], 3)).buffer as ArrayBuffer);
    expect(rowValues(wb.worksheets[0], 2)).toEqual(['第二种形态']);
    expect(wb.worksheets[0].getCell(3, 1).dataValidation).toMatchObject({ formulae: ['"第一种形态,第二种形态"'] });
    expect(String(rowValues(wb.worksheets[1], 2)[5])).toBe('第一种形态(first)、第二种形态(second)');
    expect(toCsv(ir, [], true)).toContain('第一种形态(first)、第二种形态(second)');
  });

  it('an uploaded template with its example row simulates', async () => {
    const bytes = await (await get(`${BASE}/template?format=xlsx`)).arrayBuffer();
    const res = await upload(new Blob([bytes]), 'template.xlsx');
    expect(res.status).toBe(202);
    const done = await finish(((await res.json()) as { id: string }).id);
    expect(done.status).toBe('done');
    expect(done.result.total).toBe(1);
    expect(done.result.baseline.byOutcome['invalid-facts'] ?? 0).toBe(0);
  });

  it('refuses an unknown format and an unknown version', async () => {
    await expectError(await t.req('GET', `${BASE}/template?format=pdf`, { as: '张三' }), 400, 'http.invalid-query');
    await expectError(await t.req('GET', '/api/v1/policies/demo/loan/versions/1999.1/template', { as: '张三' }), 404, 'policy.version-not-found');
    await expectError(await t.req('GET', `${BASE}/sample?count=2001&format=xlsx`, { as: '张三' }), 400, 'http.invalid-query');
    await expectError(await t.req('GET', `${BASE}/sample?count=0`, { as: '张三' }), 400, 'http.invalid-query');
  });
});

describe('sample dataset', () => {
  it('is deterministic, valid under the version, has missing facts, and a record does not depend on the count', async () => {
    const a = await (await get(`${BASE}/sample?count=50&format=jsonl`)).text();
    const b = await (await get(`${BASE}/sample?count=50&format=jsonl`)).text();
    expect(a).toBe(b);
    const records = a.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toHaveLength(50);
    const ir = resolved('demo/loan', '2015.1').ir;
    for (const r of records) expect(t.deps.engine.validateFacts(ir, r).errors).toEqual([]);
    expect(records.filter((r) => Object.keys(r).length < ir.facts.length).length).toBeGreaterThan(0);
    const fewer = (await (await get(`${BASE}/sample?count=10`)).text()).trim().split('\n');
    expect(fewer).toEqual(a.trim().split('\n').slice(0, 10));
    const other = await (await get(`${BASE}/sample?count=50&seed=2`)).text();
    expect(other).not.toBe(a);
    expect(sampleFacts(ir, { count: 50, seed: 1 })).toEqual(records);
  });

  it('simulates with changes between the versions, as JSONL, CSV and XLSX alike', async () => {
    const results = [];
    for (const format of ['jsonl', 'csv', 'xlsx'] as const) {
      const bytes = await (await get(`${BASE}/sample?count=200&format=${format}`)).arrayBuffer();
      const res = await upload(new Blob([bytes]), `sample.${format}`);
      expect(res.status).toBe(202);
      const done = await finish(((await res.json()) as { id: string }).id);
      expect(done.result.total).toBe(200);
      expect(done.result.baseline.byOutcome['invalid-facts'] ?? 0).toBe(0);
      results.push(done.result);
    }
    // The red line moves from 3% to 5%: some sampled ratios fall between.
    expect(results[0].changed).toBeGreaterThan(0);
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });
});

describe('column mapping', () => {
  const csv = ['县贷款台账(JSON),是否弄虚作假,拨付贴息(元),备注', '"[{""金额"":96,""逾期天数"":0},{""金额"":4,""逾期天数"":120}]",是,100,x', '"[{""金额"":99,""逾期天数"":0}]",否,100,'].join('\n');

  it('refuses headers that match no fact, naming each with the closest fact', async () => {
    const err = await expectError(await upload(new Blob([csv]), 'book.csv'), 422, 'upload.unmapped-columns');
    const details = err.error.details as { path: string; message: { zh: string } }[];
    expect(details.map((d) => d.path)).toEqual(['column:县贷款台账(JSON)', 'column:是否弄虚作假', 'column:拨付贴息(元)', 'column:备注']);
    expect(details[1].message.zh).toContain('查实弄虚作假');
  });

  it('simulates with a mapping (a column ignored), keeps the file lines, and records the mapping', async () => {
    const mapping = { '县贷款台账(JSON)': '贷款', 是否弄虚作假: '弄虚作假', '拨付贴息(元)': '贴息金额', 备注: '' };
    const res = await upload(new Blob([csv]), 'book.csv', { mapping: JSON.stringify(mapping) });
    expect(res.status).toBe(202);
    const job = (await res.json()) as { id: string };
    const done = await finish(job.id);
    expect(done.status).toBe('done');
    expect(done.params.mapping).toEqual(mapping);
    expect(done.result.total).toBe(2);
    expect(done.result.baseline.byOutcome.accountability).toBe(1);
    expect(done.result.baseline.byOutcome.violation).toBe(1);
    // The first record's 4% NPL trips 3% but not 5%: it changes, on line 2 of the file.
    const page = (await (await t.req('GET', `/api/v1/jobs/${job.id}/changes`, { as: '张三' })).json()) as { items: { line: number }[] };
    expect(page.items.map((c) => c.line)).toEqual([2]);
  });

  it('refuses a mapping that is not an object of strings, or names no fact', async () => {
    await expectError(await upload(new Blob([csv]), 'book.csv', { mapping: '[1]' }), 400, 'http.invalid-body');
    const err = await expectError(await upload(new Blob([csv]), 'book.csv', { mapping: JSON.stringify({ 备注: '没有这个事实' }) }), 422, 'upload.unmapped-columns');
    expect((err.error.details ?? []).map((d) => d.path)).toContain('column:备注');
  });
});
