import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, makeApp, type TestApp } from './helpers.ts';
import { jobFailure } from '../../server/jobs.ts';
import { ApiError } from '../../server/errors.ts';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
});
afterAll(async () => t.close());

/** Record i: NPL of i% (0..9) — 4% and 5% trip the base line (3%) but not the variant's (5%). */
const rows = Array.from({ length: 10 }, (_, i) => ({ 贷款: [{ 金额: 100 - i, 逾期天数: 0 }, { 金额: i, 逾期天数: 120 }], 弄虚作假: i === 9 }));

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
  // SSE: progress events, then `end`; the stream closes when the job ends.
  const res = await t.req('GET', `/api/v1/jobs/${id}/events`, { as: '张三' });
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const text = await res.text();
  expect(text).toMatch(/event: end/);
  return (await (await t.req('GET', `/api/v1/jobs/${id}`, { as: '张三' })).json()) as {
    status: string;
    result: { total: number; changed: number; baseline: { byOutcome: Record<string, number>; byRule: Record<string, { fired: number }> }; candidate: { byOutcome: Record<string, number> } };
  };
}

describe('simulate', () => {
  it('runs a JSONL dataset under baseline and candidate; counts, changed records, downloads', async () => {
    const jsonl = rows.map((r) => JSON.stringify(r)).join('\n');
    const res = await upload(new Blob([jsonl]), 'data.jsonl');
    expect(res.status).toBe(202);
    const job = (await res.json()) as { id: string; total: number };
    expect(job.total).toBe(10);
    const done = await finish(job.id);
    expect(done.status).toBe('done');
    // Base: NPL 4..9% > 3% → 6 violations; variant: 6..9% > 5% → 4. Records 4 and 5 change.
    expect(done.result.baseline.byRule.npl_red_line.fired).toBe(6);
    expect(done.result.candidate.byOutcome.violation).toBe(4);
    expect(done.result.baseline.byOutcome.accountability).toBe(1);
    expect(done.result.changed).toBe(2);
    const page = (await (await t.req('GET', `/api/v1/jobs/${job.id}/changes?page=1&pageSize=1`, { as: '张三' })).json()) as { total: number; items: { line: number }[] };
    expect(page.total).toBe(2);
    expect(page.items.map((c) => c.line)).toEqual([5]);
    const csv = await (await t.req('GET', `/api/v1/jobs/${job.id}/download?format=csv`, { as: '张三' })).text();
    expect(csv.trim().split('\n')).toHaveLength(3);
    const dl = await (await t.req('GET', `/api/v1/jobs/${job.id}/download`, { as: '张三' })).text();
    expect(dl.trim().split('\n').map((l) => (JSON.parse(l) as { line: number }).line)).toEqual([5, 6]);
  });

  it('filters changed records by rule and by outcome kind across pages', async () => {
    // Candidate: a draft with the red line at 5% and the fraud rule needing 贴息金额 (missing here → undetermined).
    const v = (await (await t.req('GET', '/api/v1/policies/demo/loan/versions/2015.1', { as: '张三' })).json()) as { source: { text: string } };
    const source = v.source.text.replace('3% from 2015-06-01', '5% from 2015-06-01').replace('when 弄虚作假\n', 'when 弄虚作假 and 贴息金额 > 50元\n');
    expect(source).toContain('贴息金额 > 50元');
    const draft = await t.req('POST', '/api/v1/drafts', { as: '张三', json: { source } });
    expect(draft.status).toBe(201);
    const { id: draftId } = (await draft.json()) as { id: number };
    const res = await upload(new Blob([rows.map((r) => JSON.stringify(r)).join('\n')]), 'data.jsonl', { candidate: `draft:${draftId}` });
    expect(res.status).toBe(202);
    const job = (await res.json()) as { id: string };
    expect((await finish(job.id)).result.changed).toBe(3);
    // Records 4 and 5 (lines 5, 6) lose the red line; record 9 (line 10) loses the penalty to undetermined.
    const lines = async (query: string) => {
      const r = await t.req('GET', `/api/v1/jobs/${job.id}/changes?${query}`, { as: '张三' });
      expect(r.status).toBe(200);
      const page = (await r.json()) as { total: number; items: { line: number }[] };
      return { total: page.total, lines: page.items.map((c) => c.line) };
    };
    for (const [query, want] of [
      ['', { total: 3, lines: [5, 6, 10] }],
      ['rule=npl_red_line', { total: 2, lines: [5, 6] }],
      ['rule=fraud_penalty', { total: 1, lines: [10] }],
      ['rule=no_such_rule', { total: 0, lines: [] }],
      ['kind=violation', { total: 2, lines: [5, 6] }],
      ['kind=none', { total: 2, lines: [5, 6] }],
      ['kind=accountability', { total: 1, lines: [10] }],
      ['kind=undetermined', { total: 0, lines: [] }],
      ['rule=npl_red_line&kind=accountability', { total: 0, lines: [] }],
      ['rule=npl_red_line&page=2&pageSize=1', { total: 2, lines: [6] }],
    ] as const) {
      expect({ query, ...(await lines(query)) }).toEqual({ query, ...want });
      // The download holds the same records as the filtered list (all pages of it).
      if (query.includes('page=')) continue;
      const dl = await (await t.req('GET', `/api/v1/jobs/${job.id}/download?${query}`, { as: '张三' })).text();
      expect({ query, lines: dl.trim() === '' ? [] : dl.trim().split('\n').map((l) => (JSON.parse(l) as { line: number }).line) }).toEqual({ query, lines: want.lines });
      const csv = await (await t.req('GET', `/api/v1/jobs/${job.id}/download?format=csv&${query}`, { as: '张三' })).text();
      expect(csv.trim().split('\n')).toHaveLength(1 + want.total);
    }
  });

  it('filters undetermined and invalid-facts as the result counts them', async () => {
    // 贴息金额 missing under the draft above makes undetermined the only class of a record without other outcomes.
    const v = (await (await t.req('GET', '/api/v1/policies/demo/loan/versions/2015.1', { as: '张三' })).json()) as { source: { text: string } };
    const source = v.source.text.replace('when 弄虚作假\n', 'when 弄虚作假 and 贴息金额 > 50元\n');
    const { id: draftId } = (await (await t.req('POST', '/api/v1/drafts', { as: '张三', json: { source } })).json()) as { id: number };
    const data = [{ 弄虚作假: true }, { 弄虚作假: true, 贴息金额: 100 }, { 弄虚作假: 'maybe' }];
    const res = await upload(new Blob([data.map((r) => JSON.stringify(r)).join('\n')]), 'data.jsonl', { candidate: `draft:${draftId}` });
    const job = (await res.json()) as { id: string };
    const done = await finish(job.id);
    expect(done.result.changed).toBe(1);
    const page = async (q: string) => ((await (await t.req('GET', `/api/v1/jobs/${job.id}/changes?${q}`, { as: '张三' })).json()) as { items: { line: number }[] }).items.map((c) => c.line);
    expect(await page('kind=undetermined')).toEqual([1]);
    expect(await page('kind=accountability')).toEqual([1]);
    expect(await page('kind=invalid-facts')).toEqual([]);
  });

  it('maps CSV columns by Chinese label and coerces 是/否', async () => {
    const lines = ['查实弄虚作假,已拨付贴息', '是,100', '否,100', ',100'];
    const res = await upload(new Blob([lines.join('\n')], { type: 'text/csv' }), 'data.csv', { candidate: 'demo/loan@2015.1' });
    expect(res.status).toBe(202);
    const done = await finish(((await res.json()) as { id: string }).id);
    expect(done.result.baseline.byOutcome.accountability).toBe(1);
    expect(done.result.changed).toBe(0);
  });

  it('reads XLSX', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('数据');
    ws.addRow(['弄虚作假', '贴息金额']);
    ws.addRow([true, 10]);
    ws.addRow(['否', 10]);
    const buf = await wb.xlsx.writeBuffer();
    const res = await upload(new Blob([buf as ArrayBuffer]), 'data.xlsx');
    expect(res.status).toBe(202);
    const done = await finish(((await res.json()) as { id: string }).id);
    expect(done.result.total).toBe(2);
    expect(done.result.baseline.byOutcome.accountability).toBe(1);
  });

  it.each([
    ['a broken JSONL line', new Blob(['{"弄虚作假": true}\n{oops']), 'x.jsonl', 422, 'upload.broken'],
    ['a broken XLSX', new Blob(['PK\u0003\u0004 not really a zip']), 'x.xlsx', 422, 'upload.broken'],
    ['an unknown format', new Blob(['hello']), 'x.txt', 415, 'upload.unsupported-format'],
    ['an empty file', new Blob(['\n']), 'x.jsonl', 422, 'upload.empty'],
  ])('refuses %s', async (_n, blob, name, status, code) => {
    await expectError(await upload(blob, name), status, code);
  });

  it('refuses unknown references, missing files and non-multipart bodies', async () => {
    await expectError(await upload(new Blob(['{}']), 'x.jsonl', { baseline: 'nope/x@1' }), 404, 'policy.not-found');
    const form = new FormData();
    form.set('baseline', 'demo/loan@2015.1');
    const res = await t.app.request('/api/v1/simulate', { method: 'POST', headers: { authorization: `Bearer ${t.tokens['张三']}` }, body: form });
    await expectError(res, 400, 'upload.missing-file');
    await expectError(await t.req('POST', '/api/v1/simulate', { as: '张三', json: {} }), 415, 'http.unsupported-media-type');
    await expectError(await t.req('GET', '/api/v1/jobs/job_x', { as: '张三' }), 404, 'job.not-found');
  });

  it('says why a job failed in both languages, for rows stored in any shape', async () => {
    const read = async (id: string) => ((await (await t.req('GET', `/api/v1/jobs/${id}`, { as: '张三' })).json()) as { status: string; error: { code: string; message: { zh: string; en: string }; details?: { path: string; message: { zh: string; en: string } }[] } }).error;
    const job = async (error: unknown, status: 'failed' | 'running' = 'failed') => {
      const id = `job_test_${Math.random().toString(36).slice(2)}`;
      await t.deps.store.createJob({ id, kind: 'simulate', createdBy: '张三', params: { baseline: 'demo/loan@2015.1', candidate: 'demo2/loan@2016.1', asOf: '2018-06-30', file: { name: 'data.jsonl', format: 'jsonl', size: 1 } }, total: 1 });
      await t.deps.store.updateJob(id, { status, ...(error ? { error } : {}) });
      return id;
    };
    const bothLanguages = (e: { message: { zh: string; en: string } }) => expect(e.message.zh && e.message.en && e.message.zh !== e.message.en).toBeTruthy();
    // A failure while running: a reference to quote, never the exception's text (it may name internal files).
    const failed = await read(await job(jobFailure(new Error('ENOENT: /srv/tiaowen/node_modules/x.js'), 'job_x')));
    expect(failed.code).toBe('job.failed');
    bothLanguages(failed);
    expect(JSON.stringify(failed)).not.toMatch(/ENOENT|node_modules|\/srv\//);
    expect(failed.details?.[0]?.message.en).toMatch(/^reference job_x\/\w+ \(quote it to an administrator\)$/);
    // A refusal of the job's input keeps its own code and details.
    const refused = await read(await job(jobFailure(ApiError.of(422, 'facts.invalid', [{ path: '/facts', message: { zh: '甲', en: 'a' } }]))));
    expect(refused.code).toBe('facts.invalid');
    bothLanguages(refused);
    // Rows stored before failures had this shape: a plain English reason, or none.
    const old = await read(await job({ code: 'job.failed', message: 'dataset vanished' }));
    expect(old.code).toBe('job.failed');
    bothLanguages(old);
    expect(old.details?.[0]?.message.en).toBe('dataset vanished');
    bothLanguages(await read(await job({ code: 'job.interrupted' })));
    // A job still running when the server stopped is failed at the next start, and says so.
    const running = await job(undefined, 'running');
    expect(await t.deps.store.failInterruptedJobs()).toBeGreaterThan(0);
    const interrupted = await read(running);
    expect(interrupted.code).toBe('job.interrupted');
    bothLanguages(interrupted);
  });

  it('cancels a running job', async () => {
    const many = Array.from({ length: 4000 }, (_, i) => JSON.stringify({ 弄虚作假: i % 2 === 0 })).join('\n');
    const res = await upload(new Blob([many]), 'many.jsonl');
    const { id } = (await res.json()) as { id: string };
    const del = await t.req('DELETE', `/api/v1/jobs/${id}`, { as: '张三' });
    expect(del.status).toBe(200);
    const done = await finish(id);
    expect(done.status).toBe('cancelled');
    await expectError(await t.req('DELETE', `/api/v1/jobs/${id}`, { as: '张三' }), 409, 'job.finished');
  });
});
