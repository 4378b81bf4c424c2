/**
 * The decision log as a list: filters (policy, version, time, caller, subject, outcome, rule),
 * newest first with a cursor, NDJSON and CSV export, and bulk replay as a job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, makeApp, NPL_4, type TestApp } from './helpers.ts';

let t: TestApp;
const made: { id: string; subject: string; fired: string[] }[] = [];
beforeAll(async () => {
  t = await makeApp();
  // Six single decisions with subjects, alternating between two facts.
  for (let i = 0; i < 6; i++) {
    const facts = i % 2 === 0 ? NPL_4 : { ...NPL_4, 贷款: [{ 金额: 100, 逾期天数: 0 }] };
    const res = await t.req('POST', '/api/v1/evaluate', { as: 'ingest', json: { policy: 'demo/loan', asOf: '2018-06-30', facts, subject: `户-${i}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { decisionId: string; decision: { outcomes: { ruleId: string }[] } };
    made.push({ id: body.decisionId, subject: `户-${i}`, fired: body.decision.outcomes.map((o) => o.ruleId) });
  }
  // Batch lines' ids are their subjects; one decided by the admin.
  const lines = [JSON.stringify({ id: 'B-1', facts: NPL_4 }), JSON.stringify({ id: 2, facts: NPL_4 })].join('\n');
  const batch = await t.req('POST', '/api/v1/evaluate/batch?policy=demo/loan&asOf=2018-06-30', { as: 'admin', body: lines, headers: { 'content-type': 'application/x-ndjson' } });
  expect(batch.status).toBe(200);
  await batch.text();
});
afterAll(async () => t.close());

type List = { items: { id: string; subject?: string; caller: string; decision: { outcomes: { ruleId: string; kind: string }[] } }[]; nextCursor?: string };
const list = async (q: string, as = 'admin') => {
  const res = await t.req('GET', `/api/v1/decisions?${q}`, { as });
  expect(res.status).toBe(200);
  return (await res.json()) as List;
};

describe('GET /api/v1/decisions', () => {
  it('lists newest first and filters by policy, caller and subject', async () => {
    const all = await list('policy=demo/loan&limit=500');
    expect(all.items.length).toBe(8);
    expect(all.items.map((d) => d.id)).toEqual([...all.items.map((d) => d.id)].sort().reverse());
    expect((await list('caller=ingest')).items.map((d) => d.id).sort()).toEqual(made.map((m) => m.id).sort());
    expect((await list(`subject=${encodeURIComponent('户-3')}`)).items.map((d) => d.id)).toEqual([made[3]!.id]);
    expect((await list('subject=B-1')).items).toHaveLength(1);
    expect((await list('subject=2')).items[0]!.caller).toBe('admin');
    expect((await list('policy=nobody/here')).items).toEqual([]);
    expect((await list('version=2015.1&policy=demo/loan')).items.length).toBe(8);
  });

  it('filters by the rule that fired and by outcome kind', async () => {
    const fired = made.filter((m) => m.fired.includes('npl_red_line'));
    expect(fired.length).toBe(3);
    const byRule = await list('caller=ingest&rule=npl_red_line');
    expect(byRule.items.map((d) => d.id).sort()).toEqual(fired.map((m) => m.id).sort());
    const byKind = await list('caller=ingest&outcome=violation');
    expect(byKind.items.every((d) => d.decision.outcomes.some((o) => o.kind === 'violation'))).toBe(true);
    expect(byKind.items.length).toBe(3);
  });

  it('walks pages by cursor without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const p = await list(`policy=demo/loan&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...p.items.map((d) => d.id));
      cursor = p.nextCursor;
      if (!cursor) break;
    }
    expect(seen.length).toBe(8);
    expect(new Set(seen).size).toBe(8);
  });

  it('takes a time range', async () => {
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    expect((await list(`from=${tomorrow}`)).items).toEqual([]);
    expect((await list(`to=${tomorrow}&policy=demo/loan`)).items.length).toBe(8);
    await expectError(await t.req('GET', '/api/v1/decisions?from=yesterday', { as: 'admin' }), 400, 'http.invalid-query');
  });

  it('exports every match as NDJSON and CSV', async () => {
    const nd = await t.req('GET', '/api/v1/decisions?caller=ingest&format=ndjson', { as: 'admin' });
    expect(nd.headers.get('content-type')).toMatch(/x-ndjson/);
    const rows = (await nd.text()).trim().split('\n').map((l) => JSON.parse(l) as { id: string; subject: string });
    expect(rows.map((r) => r.subject).sort()).toEqual(made.map((m) => m.subject).sort());
    const bytes = new Uint8Array(await (await t.req('GET', '/api/v1/decisions?caller=ingest&rule=npl_red_line&format=csv', { as: 'admin' })).arrayBuffer());
    // A byte-order mark first, so Excel reads the Chinese as UTF-8.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes).trim().split('\n');
    expect(lines[0]).toMatch(/^id,at,caller,subject,policy,version,as_of,status,outcomes,fired_rules/);
    expect(lines).toHaveLength(4);
    expect(lines.slice(1).every((l) => l.includes('npl_red_line'))).toBe(true);
    await expectError(await t.req('GET', '/api/v1/decisions?format=xml', { as: 'admin' }), 400, 'http.invalid-query');
  });

  it('is for the roles that read decisions', async () => {
    await expectError(await t.req('GET', '/api/v1/decisions', { as: '张三' }), 403, 'auth.forbidden');
    expect((await t.req('GET', '/api/v1/decisions', { as: '李四' })).status).toBe(200);
  });
});

describe('POST /api/v1/decisions/replay', () => {
  it('re-decides the filtered decisions under another version as a job and says what changes', async () => {
    const res = await t.req('POST', '/api/v1/decisions/replay', {
      as: '李四',
      json: { filter: { policy: 'demo/loan', version: '2015.1', caller: 'ingest' }, candidate: 'demo2/loan@2016.1', asOf: '2018-06-30' },
    });
    expect(res.status).toBe(202);
    const job = (await res.json()) as { id: string; kind: string; total: number };
    expect(job.kind).toBe('replay');
    expect(job.total).toBe(6);
    // The events stream ends with the job.
    expect(await (await t.req('GET', `/api/v1/jobs/${job.id}/events`, { as: '李四' })).text()).toMatch(/event: end/);
    const done = (await (await t.req('GET', `/api/v1/jobs/${job.id}`, { as: '李四' })).json()) as { status: string; result: { total: number; changed: number } };
    expect(done.status).toBe('done');
    // NPL 4% trips the base red line (3%), not the variant's (5%): the three such decisions change.
    expect(done.result).toMatchObject({ total: 6, changed: 3 });
    await expectError(
      await t.req('POST', '/api/v1/decisions/replay', { as: '李四', json: { filter: { policy: 'demo/loan', version: '2015.1', caller: 'nobody' }, candidate: 'demo2/loan@2016.1', asOf: '2018-06-30' } }),
      422,
      'upload.empty',
    );
    await expectError(await t.req('POST', '/api/v1/decisions/replay', { as: '李四', json: { filter: { policy: 'demo/loan' }, candidate: 'x' } }), 400, 'http.invalid-body');
    await expectError(await t.req('POST', '/api/v1/decisions/replay', { as: 'ingest', json: { filter: { policy: 'demo/loan', version: '2015.1' }, candidate: 'demo2/loan@2016.1' } }), 403, 'auth.forbidden');
  });
});
