/**
 * Route × role × jurisdiction: every route of the permission table that names a policy (the small
 * SCOPED table below says how a request to it targets `demo/loan`), asked by a person of each role
 * whose grant covers `demo`, and one whose grant covers only `demo2`. Expected: the role table's 403
 * where the role may not call the route; else 403 auth.out-of-scope (404 for a decision by id) out
 * of scope, and neither in scope. Lists are filtered; a system sees only its own decisions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowed, PERMISSIONS, type RouteKey } from '../../server/auth/permissions.ts';
import { ROLES, type Role } from '../../server/store/store.ts';
import { makeApp, NPL_4, type TestApp } from './helpers.ts';

let t: TestApp;
let draftId: number;
let decisionId: string;
/** A decision on demo/loan as a client with a bundle would report it. */
let reportable: unknown;
/** Token of `<role>@<jurisdiction>`. */
const who: Record<string, string> = {};

beforeAll(async () => {
  t = await makeApp();
  for (const role of ROLES) {
    for (const j of ['demo', 'demo2']) who[`${role}@${j}`] = (await t.deps.auth.create(role, `${role}-${j}`, 'test', [j])).token;
  }
  const d = (await (await t.req('POST', '/api/v1/drafts', { as: who['author@demo'], json: { from: { policy: 'demo/loan', version: '2015.1' } } })).json()) as { id: number };
  draftId = d.id;
  // Made by the demo system itself, so that system (and only it among systems) may read it back.
  const e = await t.req('POST', '/api/v1/evaluate', { as: who['system@demo'], json: { policy: 'demo/loan', asOf: '2018-06-30', facts: NPL_4 } });
  const answered = (await e.json()) as { decisionId: string; decision: unknown };
  decisionId = answered.decisionId;
  reportable = answered.decision;
});
afterAll(async () => t.close());

type Target = { path: (p: string) => string; json?: () => unknown; outStatus?: number };
const at = (p: string) =>
  p
    .replace(':jurisdiction', 'demo')
    .replace(':topic', 'loan')
    .replace(':version', '2015.1')
    .replace('/drafts/:id', `/drafts/${draftId}`)
    .replace('/decisions/:id', `/decisions/${decisionId}`);

/** How each scoped route targets demo/loan; the rest of the table names no policy. */
const SCOPED: Partial<Record<RouteKey, Target>> = {
  'POST /api/v1/evaluate': { path: at, json: () => ({ policy: 'demo/loan', asOf: '2018-06-30', facts: NPL_4 }) },
  'POST /api/v1/drafts': { path: at, json: () => ({ from: { policy: 'demo/loan', version: '2015.1' } }) },
  'POST /api/v1/decisions/replay': { path: at, json: () => ({ filter: { policy: 'demo/loan', version: '2015.1' }, candidate: 'demo/loan@2015.1' }) },
  'GET /api/v1/decisions/:id': { path: at, outStatus: 404 },
  'GET /api/v1/diff': { path: (p) => `${p}?a=${encodeURIComponent('demo/loan@2015.1')}&b=${encodeURIComponent('demo/loan@2015.1')}` },
  'POST /api/v1/decisions/reported': { path: at, json: () => ({ client: 'county-app', decisions: [{ facts: NPL_4, decision: reportable }] }) },
  'POST /api/v1/decisions/:id/replay': { path: at, outStatus: 404 },
};
for (const key of Object.keys(PERMISSIONS) as RouteKey[]) {
  if (key.includes('/:jurisdiction/:topic') || key.includes('/drafts/:id')) SCOPED[key] = { path: at };
}

describe('route × role × jurisdiction', () => {
  const cases = (Object.keys(SCOPED) as RouteKey[]).flatMap((key) => ROLES.filter((r) => r !== 'admin').flatMap((role) => [[key, role, 'demo'] as const, [key, role, 'demo2'] as const]));
  it.each(cases)('%s as %s for %s', async (key, role: Role, j) => {
    const [method, path] = key.split(' ');
    const target = SCOPED[key]!;
    const res = await t.req(method, target.path(path), { as: who[`${role}@${j}`], json: target.json?.() });
    const body = res.headers.get('content-type')?.split(';')[0] === 'application/json' ? ((await res.json()) as { error?: { code: string } }) : {};
    if (!allowed(key, role)) {
      expect([res.status, body.error?.code]).toEqual([403, 'auth.forbidden']);
    } else if (j === 'demo2') {
      const status = target.outStatus ?? 403;
      expect([res.status, body.error?.code]).toEqual([status, status === 404 ? 'decision.not-found' : 'auth.out-of-scope']);
    } else {
      expect(res.status).not.toBe(401);
      expect(body.error?.code ?? '').not.toMatch(/^auth\./);
    }
  });
});

describe('lists show only what a person may touch', () => {
  it('policies, drafts and decisions are filtered by jurisdiction; a central reader (*) sees all', async () => {
    const ids = async (as: string, path: string) => ((await (await t.req('GET', path, { as })).json()) as { items: { id: string | number; policyId?: string }[] }).items;
    expect((await ids(who['viewer@demo2'], '/api/v1/policies')).map((p) => p.id)).toEqual(['demo2/loan']);
    expect((await ids(who['viewer@demo'], '/api/v1/policies')).map((p) => p.id)).toEqual(['demo/loan']);
    expect((await ids('赵六', '/api/v1/policies')).map((p) => p.id).sort()).toEqual(['demo/loan', 'demo2/loan']);
    expect((await ids(who['author@demo2'], '/api/v1/drafts')).some((d) => d.id === draftId)).toBe(false);
    expect((await ids(who['author@demo'], '/api/v1/drafts')).some((d) => d.id === draftId)).toBe(true);
    expect((await ids(who['reviewer@demo2'], '/api/v1/decisions')).some((d) => d.id === decisionId)).toBe(false);
    expect((await ids(who['reviewer@demo'], '/api/v1/decisions')).some((d) => d.id === decisionId)).toBe(true);
    expect((await ids('李四', '/api/v1/decisions')).some((d) => d.id === decisionId)).toBe(true);
  });

  it('an author cannot move a draft to another jurisdiction by editing its source', async () => {
    const d = (await (await t.req('POST', '/api/v1/drafts', { as: who['author@demo'], json: { from: { policy: 'demo/loan', version: '2015.1' } } })).json()) as { id: number; etag: string; source: string };
    const moved = d.source.replace('policy "demo/loan"', 'policy "demo2/loan"');
    expect(moved).not.toBe(d.source);
    const res = await t.req('PUT', `/api/v1/drafts/${d.id}`, { as: who['author@demo'], json: { source: moved }, headers: { 'if-match': d.etag } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('auth.out-of-scope');
  });
});

describe('batch evaluation', () => {
  it('a query policy out of scope refuses the request; a line naming one, that line', async () => {
    const nd = { 'content-type': 'application/x-ndjson' };
    const whole = await t.req('POST', '/api/v1/evaluate/batch?policy=demo/loan&asOf=2018-06-30', { as: who['system@demo2'], body: JSON.stringify({ facts: NPL_4 }) + '\n', headers: nd });
    expect(whole.status).toBe(403);
    const lines = [{ policy: 'demo/loan', facts: NPL_4 }, { policy: 'demo2/loan', facts: NPL_4 }].map((l) => JSON.stringify(l)).join('\n') + '\n';
    const res = await t.req('POST', '/api/v1/evaluate/batch?asOf=2018-06-30', { as: who['system@demo2'], body: lines, headers: nd });
    expect(res.status).toBe(200);
    const answers = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { line: number; status?: number; error?: { code: string }; decisionId?: string });
    expect(answers.find((a) => a.line === 1)).toMatchObject({ status: 403, error: { code: 'auth.out-of-scope' } });
    expect(answers.find((a) => a.line === 2)?.decisionId).toMatch(/^dec_/);
  });
});

describe('system tokens see their own decisions only', () => {
  it('another system, even over every jurisdiction, neither lists, reads nor replays them', async () => {
    const mine = await t.req('GET', `/api/v1/decisions/${decisionId}`, { as: who['system@demo'] });
    expect(mine.status).toBe(200);
    expect(((await mine.json()) as { caller: string }).caller).toBe('system-demo');
    for (const [method, path] of [['GET', `/api/v1/decisions/${decisionId}`], ['POST', `/api/v1/decisions/${decisionId}/replay`]]) {
      expect((await t.req(method, path, { as: 'ingest' })).status).toBe(404);
    }
    const listed = ((await (await t.req('GET', '/api/v1/decisions', { as: 'ingest' })).json()) as { items: { id: string; caller: string }[] }).items;
    expect(listed.some((d) => d.id === decisionId)).toBe(false);
    // Its own are listed: one made now by ingest.
    const own = ((await (await t.req('POST', '/api/v1/evaluate', { as: 'ingest', json: { policy: 'demo/loan', asOf: '2018-06-30', facts: NPL_4 } })).json()) as { decisionId: string }).decisionId;
    const again = ((await (await t.req('GET', '/api/v1/decisions', { as: 'ingest' })).json()) as { items: { id: string; caller: string }[] }).items;
    expect(again.map((d) => d.id)).toContain(own);
    expect(new Set(again.map((d) => d.caller))).toEqual(new Set(['ingest']));
    expect((await t.req('POST', `/api/v1/decisions/${own}/replay`, { as: 'ingest' })).status).toBe(200);
  });
});
