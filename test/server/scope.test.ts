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
/** A finished simulation of demo/loan against the demo draft, made by the demo author. */
let jobId: string;
/** The DSL text of demo/loan 2015.1, as the editor would send it for analysis. */
let source: string;
/** A decision on demo/loan as a client with a bundle would report it. */
let reportable: unknown;
/** Token of `<role>@<jurisdiction>`. */
const who: Record<string, string> = {};

beforeAll(async () => {
  t = await makeApp();
  for (const role of ROLES) {
    for (const j of ['demo', 'demo2']) who[`${role}@${j}`] = (await t.deps.auth.create(role, `${role}-${j}`, 'test', [j])).token;
  }
  const d = (await (await t.req('POST', '/api/v1/drafts', { as: who['author@demo'], json: { from: { policy: 'demo/loan', version: '2015.1' } } })).json()) as { id: number; source: string };
  draftId = d.id;
  source = d.source;
  // Made by the demo system itself, so that system (and only it among systems) may read it back.
  const e = await t.req('POST', '/api/v1/evaluate', { as: who['system@demo'], json: { policy: 'demo/loan', asOf: '2018-06-30', facts: NPL_4 } });
  const answered = (await e.json()) as { decisionId: string; decision: unknown };
  decisionId = answered.decisionId;
  reportable = answered.decision;
  const made = await t.req('POST', '/api/v1/simulate', { as: who['author@demo'], body: simulation('demo/loan@2015.1', `draft:${draftId}`) });
  expect(made.status).toBe(202);
  jobId = ((await made.json()) as { id: string }).id;
  // The event stream closes when the job ends.
  expect(await (await t.req('GET', `/api/v1/jobs/${jobId}/events`, { as: who['author@demo'] })).text()).toMatch(/event: end/);
});
afterAll(async () => t.close());

/** A simulation upload of two records (NPL 4%) under two references. */
function simulation(baseline: string, candidate: string): FormData {
  const form = new FormData();
  form.set('file', new Blob([`${JSON.stringify(NPL_4)}\n${JSON.stringify(NPL_4)}`]), 'data.jsonl');
  form.set('baseline', baseline);
  form.set('candidate', candidate);
  form.set('asOf', '2018-06-30');
  return form;
}

type Target = { path: (p: string) => string; json?: () => unknown; body?: () => BodyInit; outStatus?: number; outCode?: string };
const at = (p: string) =>
  p
    .replace(':jurisdiction', 'demo')
    .replace(':topic', 'loan')
    .replace(':version', '2015.1')
    .replace('/drafts/:id', `/drafts/${draftId}`)
    .replace('/decisions/:id', `/decisions/${decisionId}`)
    .replace('/jobs/:id', `/jobs/${jobId}`);

/** How each scoped route targets demo/loan; the rest of the table names no policy. */
const SCOPED: Partial<Record<RouteKey, Target>> = {
  'POST /api/v1/evaluate': { path: at, json: () => ({ policy: 'demo/loan', asOf: '2018-06-30', facts: NPL_4 }) },
  'POST /api/v1/drafts': { path: at, json: () => ({ from: { policy: 'demo/loan', version: '2015.1' } }) },
  'POST /api/v1/decisions/replay': { path: at, json: () => ({ filter: { policy: 'demo/loan', version: '2015.1' }, candidate: 'demo/loan@2015.1' }) },
  'GET /api/v1/decisions/:id': { path: at, outStatus: 404 },
  'GET /api/v1/diff': { path: (p) => `${p}?a=${encodeURIComponent('demo/loan@2015.1')}&b=${encodeURIComponent('demo/loan@2015.1')}` },
  'POST /api/v1/decisions/reported': { path: at, json: () => ({ client: 'county-app', decisions: [{ facts: NPL_4, decision: reportable }] }) },
  'POST /api/v1/decisions/:id/replay': { path: at, outStatus: 404 },
  'POST /api/v1/simulate': { path: at, body: () => simulation('demo/loan@2015.1', `draft:${draftId}`) },
  'POST /api/v1/analyze': { path: at, json: () => ({ source, budgetMs: 2000 }) },
};
for (const key of Object.keys(PERMISSIONS) as RouteKey[]) {
  if (key.includes('/:jurisdiction/:topic') || key.includes('/drafts/:id')) SCOPED[key] = { path: at };
  // A job out of scope is as if absent (its status, events, changes, download, report, cancel).
  if (key.includes('/jobs/:id')) SCOPED[key] = { path: at, outStatus: 404, outCode: 'job.not-found' };
}

describe('route × role × jurisdiction', () => {
  const cases = (Object.keys(SCOPED) as RouteKey[]).flatMap((key) => ROLES.filter((r) => r !== 'admin').flatMap((role) => [[key, role, 'demo'] as const, [key, role, 'demo2'] as const]));
  it.each(cases)('%s as %s for %s', async (key, role: Role, j) => {
    const [method, path] = key.split(' ');
    const target = SCOPED[key]!;
    const res = await t.req(method, target.path(path), { as: who[`${role}@${j}`], json: target.json?.(), body: target.body?.() });
    const body = res.headers.get('content-type')?.split(';')[0] === 'application/json' ? ((await res.json()) as { error?: { code: string } }) : {};
    if (!allowed(key, role)) {
      expect([res.status, body.error?.code]).toEqual([403, 'auth.forbidden']);
    } else if (j === 'demo2') {
      const status = target.outStatus ?? 403;
      expect([res.status, body.error?.code]).toEqual([status, target.outCode ?? (status === 404 ? 'decision.not-found' : 'auth.out-of-scope')]);
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

describe('simulations and their jobs', () => {
  it('both sides must be in scope; a job over two jurisdictions is seen only by one covering both', async () => {
    // The baseline in scope, the candidate not (and the other way round): refused before anything runs.
    for (const [b, k, path] of [['demo/loan@2015.1', 'demo2/loan', 'form.candidate'], ['demo2/loan', `draft:${draftId}`, 'form.baseline']]) {
      const res = await t.req('POST', '/api/v1/simulate', { as: who['author@demo'], body: simulation(b, k) });
      const body = (await res.json()) as { error: { code: string; details: { path: string }[] } };
      expect([res.status, body.error.code, body.error.details[0].path]).toEqual([403, 'auth.out-of-scope', path]);
    }
    const made = await t.req('POST', '/api/v1/simulate', { as: '张三', body: simulation('demo2/loan', 'demo/loan@2015.1') });
    const job = (await made.json()) as { id: string; params: { jurisdictions: string[] } };
    expect(job.params.jurisdictions).toEqual(['demo', 'demo2']);
    expect((await t.req('GET', `/api/v1/jobs/${job.id}`, { as: who['reviewer@demo'] })).status).toBe(404);
    expect((await t.req('GET', `/api/v1/jobs/${job.id}`, { as: who['reviewer@demo2'] })).status).toBe(404);
    expect((await t.req('GET', `/api/v1/jobs/${job.id}`, { as: '张三' })).status).toBe(200);
  });

  it("a draft's attached simulations are listed to those who may see their jobs", async () => {
    // A fresh draft: the matrix above moved the shared one along its workflow.
    const d = (await (await t.req('POST', '/api/v1/drafts', { as: who['author@demo'], json: { from: { policy: 'demo/loan', version: '2015.1' } } })).json()) as { id: number };
    const made = (await (await t.req('POST', '/api/v1/simulate', { as: who['author@demo'], body: simulation('demo/loan@2015.1', `draft:${d.id}`) })).json()) as { id: string };
    expect(await (await t.req('GET', `/api/v1/jobs/${made.id}/events`, { as: who['author@demo'] })).text()).toMatch(/event: end/);
    // A central author simulates the draft against demo2: a job the demo author may not see.
    const wide = (await (await t.req('POST', '/api/v1/simulate', { as: '张三', body: simulation('demo2/loan', `draft:${d.id}`) })).json()) as { id: string };
    expect(await (await t.req('GET', `/api/v1/jobs/${wide.id}/events`, { as: '张三' })).text()).toMatch(/event: end/);
    const hidden = await t.req('POST', `/api/v1/drafts/${d.id}/simulations`, { as: who['author@demo'], json: { job: wide.id } });
    expect([hidden.status, ((await hidden.json()) as { error: { code: string } }).error.code]).toEqual([404, 'job.not-found']);
    expect((await t.req('POST', `/api/v1/drafts/${d.id}/simulations`, { as: '张三', json: { job: wide.id } })).status).toBe(201);
    const res = await t.req('POST', `/api/v1/drafts/${d.id}/simulations`, { as: who['author@demo'], json: { job: made.id } });
    expect(res.status).toBe(201);
    const listed = async (as: string) => ((await (await t.req('GET', `/api/v1/drafts/${d.id}/simulations`, { as })).json()) as { items: { attachment: { jobId: string } }[] }).items;
    // The demo reviewer reads the draft's simulations it may see; a central reader, both.
    expect((await listed(who['reviewer@demo'])).map((i) => i.attachment.jobId)).toEqual([made.id]);
    expect((await listed('张三')).map((i) => i.attachment.jobId).sort()).toEqual([made.id, wide.id].sort());
    // One scoped to demo2 may not open the draft at all.
    expect((await t.req('GET', `/api/v1/drafts/${d.id}/simulations`, { as: who['reviewer@demo2'] })).status).toBe(403);
  });
});

describe('audit trail', () => {
  it('entries about a draft or job out of scope are left out for a scoped reviewer; an admin sees all', async () => {
    type Page = { items: { target: string }[]; total: number };
    const audit = async (as: string, q = '') => (await (await t.req('GET', `/api/v1/audit${q}`, { as })).json()) as Page;
    for (const target of [`draft:${draftId}`, `job:${jobId}`]) {
      const q = `?target=${encodeURIComponent(target)}`;
      expect((await audit(who['reviewer@demo'], q)).total).toBeGreaterThan(0);
      expect((await audit(who['reviewer@demo2'], q)).total).toBe(0);
      expect((await audit(who['admin@demo2'], q)).total).toBeGreaterThan(0);
    }
    const all = await audit(who['reviewer@demo2'], '?pageSize=1000');
    expect(all.items.some((e) => e.target === `draft:${draftId}` || e.target === `job:${jobId}` || e.target.startsWith('policy:demo/'))).toBe(false);
    // Entries about no policy (persons, tokens) are not filtered by jurisdiction.
    expect(all.items.some((e) => e.target.startsWith('person:'))).toBe(true);
    expect(all.total).toBe(all.items.length);
  });
});
