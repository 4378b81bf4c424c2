/**
 * Deep nesting through the API: a draft, a JSON body and a batch line nested past the limits of
 * docs/language.md answer 4xx with the diagnostic, never 500; just under the limit works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DEPTH, MAX_DOC_DEPTH } from '../../dsl/depth.ts';
import { editedDemoDraft, expectError, makeApp, NPL_4, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
});
afterAll(async () => {
  await t.close();
});

/** The demo policy with its first condition replaced by `when`. */
const withCondition = (when: string) => (source: string) => source.replace(/when 不良贷款率 > 不良贷款率红线/, `when ${when}`);

function deepJson(n: number): string {
  return '['.repeat(n) + ']'.repeat(n);
}

describe('deep input through the API', () => {
  it('a draft with 250 nested parentheses is refused with 422 and the diagnostic', async () => {
    const created = await t.req('POST', '/api/v1/drafts', { as: '张三', json: { from: { policy: 'demo/loan', version: '2015.1' } } });
    const d = (await created.json()) as { id: number; etag: string; source: string };
    const deep = withCondition('('.repeat(250) + '不良贷款率 > 不良贷款率红线' + ')'.repeat(250))(d.source);
    expect(deep).not.toBe(d.source);
    const res = await t.req('PUT', `/api/v1/drafts/${d.id}`, { as: '张三', json: { source: deep }, headers: { 'if-match': d.etag } });
    const body = await expectError(res, 422, 'draft.too-deep');
    expect(body.error.details?.[0]).toMatchObject({ code: 'dsl.too-deep', path: expect.stringMatching(/:\d+:\d+$/) });
    // The same text as a new draft.
    await expectError(await t.req('POST', '/api/v1/drafts', { as: '张三', json: { source: deep } }), 422, 'draft.too-deep');
    // The draft was not changed.
    const still = (await (await t.req('GET', `/api/v1/drafts/${d.id}`, { as: '张三' })).json()) as { source: string };
    expect(still.source).toBe(d.source);
  });

  it('a draft just under the limit saves, validates and evaluates', async () => {
    const when = 'not '.repeat(MAX_DEPTH - 4) + '(不良贷款率 > 不良贷款率红线)';
    const d = await editedDemoDraft(t, withCondition(when));
    const v = (await (await t.req('POST', `/api/v1/drafts/${d.id}/validate`, { as: '李四' })).json()) as { ok: boolean; diagnostics: unknown[] };
    expect(v.diagnostics).toEqual([]);
    expect(v.ok).toBe(true);
    const res = await t.req('POST', '/api/v1/evaluate', { as: '张三', json: { policy: `draft:${d.id}`, asOf: '2018-06-30', facts: NPL_4 } });
    expect(res.status).toBe(200);
  });

  it('JSON bodies nested past the document limit answer 400 http.too-deep', async () => {
    const body = `{"policy":"demo/loan","asOf":"2018-06-30","facts":{"贷款":${deepJson(10_000)}}}`;
    const res = await t.req('POST', '/api/v1/evaluate', { as: 'ingest', body, headers: { 'content-type': 'application/json' } });
    const e = await expectError(res, 400, 'http.too-deep');
    expect(e.error.details?.[0]?.path).toBe('/');
    // Just within the document limit the body is read, and the facts are judged (422: not a loan list).
    const ok = `{"policy":"demo/loan","asOf":"2018-06-30","facts":{"贷款":${deepJson(MAX_DOC_DEPTH - 2)}}}`;
    const judged = await t.req('POST', '/api/v1/evaluate', { as: 'ingest', body: ok, headers: { 'content-type': 'application/json' } });
    expect(judged.status).toBe(422);
  });

  it('a batch line nested too deep is that line’s error; the other lines are judged', async () => {
    const lines = [JSON.stringify({ id: 'a', facts: NPL_4 }), `{"id":"b","facts":{"贷款":${deepJson(10_000)}}}`];
    const res = await t.req('POST', '/api/v1/evaluate/batch?policy=demo/loan&asOf=2018-06-30', { as: 'ingest', body: lines.join('\n') + '\n', headers: { 'content-type': 'application/x-ndjson' } });
    expect(res.status).toBe(200);
    const out = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { id?: string; line?: number; error?: { code: string; details?: { code?: string }[] } });
    expect(out.find((l) => l.id === 'a')?.error).toBeUndefined();
    const bad = out.find((l) => l.line === 2);
    expect(bad?.error?.code).toBe('batch.malformed-line');
    expect(bad?.error?.details?.[0]?.code).toBe('http.too-deep');
  });
});
