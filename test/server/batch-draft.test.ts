/** NDJSON batches on a draft: `policy=draft:<id>` in the query or `"policy": "draft:<id>"` on a line. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandDecision, type DecisionTexts, type LeanDecision } from '../../engine/evaluate/lean.ts';
import { editedDemoDraft, expectError, makeApp, NPL_4, type TestApp } from './helpers.ts';

let t: TestApp;
let draftId: number;
/** The draft's marker as evaluate answers it: what every batch decision on it must carry. */
let marker: { id: number; revision: number; hash: string };
beforeAll(async () => {
  t = await makeApp();
  // A draft of demo/loan whose red line is 5% (NPL_4, at 4%, no longer trips it) and whose fraud
  // penalty is 5 times the subsidy, its message saying so (the draft's own rule texts).
  draftId = (
    await editedDemoDraft(t, (src) => src.replace('3% from 2015-06-01', '5% from 2015-06-01').replace('按贴息额的10倍处罚', '按贴息额的5倍处罚').replace('贴息金额 * 10', '贴息金额 * 5'))
  ).id;
  const single = (await (await t.req('POST', '/api/v1/evaluate', { as: '李四', json: { policy: `draft:${draftId}`, asOf: '2018-06-30', facts: NPL_4 } })).json()) as { draft: typeof marker };
  marker = single.draft;
  expect(marker).toMatchObject({ id: draftId, revision: 2 });
});
afterAll(async () => t.close());

interface Line {
  line: number;
  id?: unknown;
  decisionId?: string;
  decision?: { outcomes: { ruleId: string; message: { zh: string } }[]; policy: { id: string; hash: string } };
  lean?: LeanDecision;
  texts?: DecisionTexts;
  draft?: typeof marker;
  status?: number;
  error?: { code: string; message: { zh: string; en: string }; details?: { path: string }[] };
}

const batch = (query: string, lines: unknown[], as = '李四') =>
  t.req('POST', `/api/v1/evaluate/batch?${query}`, { as, body: lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n', headers: { 'content-type': 'application/x-ndjson' } });

async function answers(res: Response): Promise<Line[]> {
  expect(res.status).toBe(200);
  return (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as Line);
}

const fired = (l: Line) => l.decision!.outcomes.map((o) => o.ruleId);

describe('batch on a draft', () => {
  it.each(['张三', '李四', 'admin'])('%s batches a draft named in the query; each decision carries the marker, is logged with it and replays', async (who) => {
    const out = await answers(await batch(`policy=draft:${draftId}&asOf=2018-06-30`, [{ id: 'a', facts: NPL_4 }, { id: 'b', facts: { ...NPL_4, 弄虚作假: true } }], who));
    expect(out.map((o) => [o.line, o.id])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(fired(out[0])).toEqual([]); // 4% is under the draft's 5%
    expect(fired(out[1])).toEqual(['fraud_penalty']);
    expect(out[1].decision!.outcomes[0].message.zh).toBe('按贴息额的5倍处罚');
    for (const o of out) {
      expect(o.draft).toEqual(marker);
      const stored = (await (await t.req('GET', `/api/v1/decisions/${o.decisionId}`, { as: '李四' })).json()) as { draft?: unknown; decision: unknown; caller: string };
      expect(stored).toMatchObject({ draft: marker, caller: who });
      expect(stored.decision).toEqual(o.decision);
    }
    const replay = (await (await t.req('POST', `/api/v1/decisions/${out[0].decisionId}/replay`, { as: '李四' })).json()) as { replayable: boolean; same: boolean };
    expect(replay).toMatchObject({ replayable: true, same: true });
  });

  it('takes a draft per line beside published policies, in order, with a bad draft answered on its line only', async () => {
    const lines = [
      { id: 'draft', policy: `draft:${draftId}`, facts: NPL_4 },
      { id: 'published', facts: NPL_4 },
      { id: 'missing', policy: 'draft:999999', facts: NPL_4 },
      { id: 'other', policy: 'demo2/loan', facts: NPL_4 },
      { id: 'draft again', policy: `draft:${draftId}`, facts: NPL_4 },
    ];
    // With the query's published policy (plain lines go to the workers) and without (all judged here).
    for (const query of ['policy=demo/loan&asOf=2018-06-30', 'asOf=2018-06-30']) {
      const out = await answers(await batch(query, query.startsWith('policy') ? lines : lines.map((l) => ({ policy: 'demo/loan', ...l }))));
      expect(out.map((o) => o.id)).toEqual(lines.map((l) => l.id));
      expect(fired(out[0])).toEqual([]);
      expect(out[0].draft).toEqual(marker);
      expect(fired(out[1])).toEqual(['npl_red_line']);
      expect(out[1].draft).toBeUndefined();
      expect(out[2]).toMatchObject({ line: 3, status: 404, error: { code: 'draft.not-found', details: [{ path: 'line:3/policy' }] } });
      expect(out[2].decisionId).toBeUndefined();
      expect(out[3].decision!.policy.id).toBe('demo2/loan');
      expect(out[4]).toMatchObject({ line: 5, draft: marker });
      expect(out[4].decision).toEqual(out[0].decision);
      expect(out[0].decision!.policy.hash).not.toBe(out[1].decision!.policy.hash);
      const stored = (await (await t.req('GET', `/api/v1/decisions/${out[1].decisionId}`, { as: 'admin' })).json()) as { draft?: unknown };
      expect(stored.draft).toBeUndefined();
    }
  });

  it('view=lean: the draft sends its own rule texts, and its lean answers expand to the full ones', async () => {
    const lines = [{ id: 1, facts: NPL_4 }, { id: 2, policy: 'demo/loan', facts: NPL_4 }, { id: 3, facts: { ...NPL_4, 弄虚作假: true } }];
    const full = await answers(await batch(`policy=draft:${draftId}&asOf=2018-06-30&view=full`, lines));
    const lean = await answers(await batch(`policy=draft:${draftId}&asOf=2018-06-30&view=lean`, lines));
    const textsLines = lean.filter((l) => l.texts);
    expect(textsLines).toHaveLength(2); // the draft's, then the published version's
    const [draftTexts, publishedTexts] = textsLines.map((l) => l.texts!);
    expect(draftTexts.id).not.toBe(publishedTexts.id);
    expect(draftTexts.policy.hash).toBe(full[0].decision!.policy.hash);
    // The draft's penalty message, not the published one.
    expect(draftTexts.rules.fraud_penalty.message.zh).toBe('按贴息额的5倍处罚');
    expect(publishedTexts.rules.fraud_penalty.message.zh).toBe('按贴息额的10倍处罚');
    const texts = new Map(textsLines.map((l) => [l.texts!.id, l.texts!]));
    const lean3 = lean.filter((l) => !l.texts);
    expect(lean3.map((l) => l.draft)).toEqual([marker, undefined, marker]);
    lean3.forEach((l, i) => {
      expect(l.decision).toBeUndefined();
      expect(expandDecision(l.lean!, texts.get(l.lean!.texts)!)).toEqual(full[i].decision);
    });
    const stored = (await (await t.req('GET', `/api/v1/decisions/${lean3[2].decisionId}`, { as: 'admin' })).json()) as { draft?: unknown; decision: unknown };
    expect(stored.draft).toEqual(marker);
    expect(stored.decision).toEqual(full[2].decision);
  });

  it('reads the draft once per request, however many lines name it', async () => {
    const store = t.deps.store;
    const read = store.draft.bind(store);
    let reads = 0;
    store.draft = (id) => (reads++, read(id));
    try {
      const lines = Array.from({ length: 40 }, (_, i) => ({ id: i, ...(i % 2 ? { policy: `draft:${draftId}` } : {}), facts: NPL_4 }));
      const out = await answers(await batch(`policy=draft:${draftId}&asOf=2018-06-30`, lines));
      expect(out).toHaveLength(40);
      expect(out.every((o) => o.draft?.hash === marker.hash)).toBe(true);
      expect(reads).toBe(1);
    } finally {
      store.draft = read;
    }
  });

  it('refuses the whole request when the query names a draft and the role may not evaluate drafts', async () => {
    const body = await expectError(await batch(`policy=draft:${draftId}&asOf=2018-06-30`, [{ facts: NPL_4 }], 'ingest'), 403, 'auth.forbidden');
    expect(body.error.details?.[0].path).toBe('query.policy');
    // viewer may not batch at all
    await expectError(await batch(`policy=draft:${draftId}&asOf=2018-06-30`, [{ facts: NPL_4 }], '赵六'), 403, 'auth.forbidden');
  });

  it('refuses a draft on a line of a system caller, on that line only', async () => {
    const out = await answers(await batch('policy=demo/loan&asOf=2018-06-30', [{ id: 1, policy: `draft:${draftId}`, facts: NPL_4 }, { id: 2, facts: NPL_4 }], 'ingest'));
    expect(out[0]).toMatchObject({ line: 1, id: 1, status: 403, error: { code: 'auth.forbidden', details: [{ path: 'line:1/policy' }] } });
    expect(out[0].decisionId).toBeUndefined();
    expect(fired(out[1])).toEqual(['npl_red_line']);
  });

  it('refuses a version with a draft: the whole request for the query, the line for a line', async () => {
    const body = await expectError(await batch(`policy=draft:${draftId}&version=2015.1`, [{ facts: NPL_4 }]), 400, 'http.invalid-query');
    expect(body.error.details?.[0].path).toBe('query.version');
    const out = await answers(await batch('asOf=2018-06-30', [{ policy: `draft:${draftId}`, version: '2015.1', facts: NPL_4 }, { policy: `draft:${draftId}`, facts: NPL_4 }]));
    expect(out[0]).toMatchObject({ line: 1, status: 400, error: { code: 'http.invalid-body', details: [{ path: 'line:1/version' }] } });
    expect(out[1].draft).toEqual(marker);
  });

  it.each([
    ['an unknown draft', () => 'draft:999999', 404, 'draft.not-found'],
    ['a draft with errors', async () => {
      const bad = (await (await t.req('POST', '/api/v1/drafts', { as: '张三', json: { source: 'policy "demo/broken"\n  title' } })).json()) as { id: number };
      return `draft:${bad.id}`;
    }, 422, 'draft.has-errors'],
  ])('answers %s in the query on every line, as evaluate does', async (_n, ref, status, code) => {
    const policy = await ref();
    const single = await t.req('POST', '/api/v1/evaluate', { as: '李四', json: { policy, facts: NPL_4 } });
    await expectError(single, status, code);
    const out = await answers(await batch(`policy=${policy}&asOf=2018-06-30`, [{ id: 1, facts: NPL_4 }, '{not json', { id: 3, facts: NPL_4 }]));
    expect(out.map((o) => [o.line, o.status, o.error?.code])).toEqual([
      [1, status, code],
      [2, undefined, 'batch.malformed-line'],
      [3, status, code],
    ]);
    expect(out[2].error!.message.en).toBeTruthy();
    if (code === 'draft.not-found') expect(out[2].error!.details).toEqual([{ path: 'line:3/policy', message: expect.anything() }]);
  });
});
