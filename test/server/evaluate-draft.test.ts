/** Evaluating drafts: `policy: "draft:<id>"` on evaluate and compare, who may, what the log keeps. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editedDemoDraft, expectError, makeApp, NPL_4, type TestApp } from './helpers.ts';

let t: TestApp;
let draftId: number;
let etag: string;
let source: string;
beforeAll(async () => {
  t = await makeApp();
  // A draft of demo/loan whose red line is 5%: NPL_4 (4%) no longer trips it.
  ({ id: draftId, etag, source } = await editedDemoDraft(t, (src) => src.replace('3% from 2015-06-01', '5% from 2015-06-01')));
});
afterAll(async () => t.close());

interface Answer {
  decisionId: string;
  decision: { outcomes: { ruleId: string }[]; policy: { id: string; hash: string } };
  draft?: { id: number; revision: number; hash: string };
}

describe('evaluate a draft', () => {
  it.each(['张三', '李四', 'admin'])('%s may; the answer and the log carry the draft marker and its IR hash', async (who) => {
    const res = await t.req('POST', '/api/v1/evaluate', { as: who, json: { policy: `draft:${draftId}`, asOf: '2018-06-30', facts: NPL_4 } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Answer;
    expect(body.decision.outcomes).toEqual([]);
    const validated = (await (await t.req('POST', `/api/v1/drafts/${draftId}/validate`, { as: '张三' })).json()) as { hash: string };
    expect(body.draft).toEqual({ id: draftId, revision: 2, hash: validated.hash });
    const stored = (await (await t.req('GET', `/api/v1/decisions/${body.decisionId}`, { as: '李四' })).json()) as { policyHash: string; draft?: unknown };
    expect(stored.draft).toEqual(body.draft);
    expect(stored.policyHash).toBe(body.decision.policy.hash);
    // The published version is untouched and still trips the red line; its decision has no marker.
    const published = (await (await t.req('POST', '/api/v1/evaluate', { as: who, json: { policy: 'demo/loan', asOf: '2018-06-30', facts: NPL_4 } })).json()) as Answer;
    expect(published.decision.outcomes.map((o) => o.ruleId)).toEqual(['npl_red_line']);
    expect(published.draft).toBeUndefined();
    expect(published.decision.policy.hash).not.toBe(body.decision.policy.hash);
  });

  it('refuses system (published versions only) and viewer', async () => {
    const body = await expectError(await t.req('POST', '/api/v1/evaluate', { as: 'ingest', json: { policy: `draft:${draftId}`, facts: NPL_4 } }), 403, 'auth.forbidden');
    expect(body.error.details?.[0].path).toBe('/policy');
    await expectError(await t.req('POST', '/api/v1/evaluate', { as: '赵六', json: { policy: `draft:${draftId}`, facts: NPL_4 } }), 403, 'auth.forbidden');
    await expectError(
      await t.req('POST', '/api/v1/evaluate/compare', { as: 'ingest', json: { policies: [{ policy: 'demo/loan' }, { policy: `draft:${draftId}` }], facts: NPL_4 } }),
      403,
      'auth.forbidden',
    );
  });

  it.each([
    ['an unknown draft', { policy: 'draft:999999', facts: {} }, 404, 'draft.not-found'],
    ['a version with a draft', { policy: `draft:1`, version: '2015.1', facts: {} }, 400, 'http.invalid-body'],
  ])('answers %s with %i %s', async (_n, json, status, code) => {
    await expectError(await t.req('POST', '/api/v1/evaluate', { as: '张三', json }), status, code);
  });

  it('refuses a draft with errors', async () => {
    const bad = (await (await t.req('POST', '/api/v1/drafts', { as: '张三', json: { source: 'policy "demo/broken"\n  title' } })).json()) as { id: number };
    await expectError(await t.req('POST', '/api/v1/evaluate', { as: '张三', json: { policy: `draft:${bad.id}`, facts: {} } }), 422, 'draft.has-errors');
  });

  it('compares a draft with the version it came from, side by side', async () => {
    const res = await t.req('POST', '/api/v1/evaluate/compare', {
      as: '李四',
      json: { policies: [{ policy: 'demo/loan', version: '2015.1' }, { policy: `draft:${draftId}` }, { policy: 'draft:999999' }], asOf: '2018-06-30', facts: NPL_4 },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: (Answer & { policy: string; version?: string; error?: { code: string } })[] };
    expect(body.results[0].decision.outcomes.map((o) => o.ruleId)).toEqual(['npl_red_line']);
    expect(body.results[0].draft).toBeUndefined();
    expect(body.results[1]).toMatchObject({ policy: `draft:${draftId}`, version: '2015.1', draft: { id: draftId } });
    expect(body.results[1].decision.outcomes).toEqual([]);
    expect(body.results[2].error?.code).toBe('draft.not-found');
  });

  it('replays a draft decision while the draft text is unchanged, and says so once it changed', async () => {
    const first = (await (await t.req('POST', '/api/v1/evaluate', { as: '张三', json: { policy: `draft:${draftId}`, asOf: '2018-06-30', facts: NPL_4 } })).json()) as Answer;
    const replay = (await (await t.req('POST', `/api/v1/decisions/${first.decisionId}/replay`, { as: '李四' })).json()) as { same: boolean; replayable: boolean };
    expect(replay).toMatchObject({ replayable: true, same: true });
    // A system sees only the decisions it made (this one is 张三's): as if there were none.
    await expectError(await t.req('POST', `/api/v1/decisions/${first.decisionId}/replay`, { as: 'ingest' }), 404, 'decision.not-found');

    const changed = await t.req('PUT', `/api/v1/drafts/${draftId}`, { as: '张三', json: { source: source.replace('5% from 2015-06-01', '4% from 2015-06-01') }, headers: { 'if-match': etag } });
    expect(changed.status).toBe(200);
    const after = (await (await t.req('POST', `/api/v1/decisions/${first.decisionId}/replay`, { as: '李四' })).json()) as { replayable: boolean; reason: { en: string } };
    expect(after.replayable).toBe(false);
    expect(after.reason.en).toMatch(/draft \d+ has changed/);
  });

  it('serves the fact schema of a draft, base facts included', async () => {
    const v = (await (await t.req('GET', '/api/v1/policies/demo2/loan/versions/2016.1', { as: '张三' })).json()) as { source: { text: string } };
    const variant = (await (await t.req('POST', '/api/v1/drafts', { as: '张三', json: { source: v.source.text.replace('version "2016.1"', 'version "2017.1"') } })).json()) as { id: number };
    const res = await t.req('GET', `/api/v1/drafts/${variant.id}/schema`, { as: '赵六' });
    expect(res.status).toBe(200);
    const schema = (await res.json()) as { properties: Record<string, { title?: string }> };
    expect(schema.properties['贴息金额'].title).toBe('已拨付贴息');
    await expectError(await t.req('GET', '/api/v1/drafts/999999/schema', { as: '张三' }), 404, 'draft.not-found');
  });
});
