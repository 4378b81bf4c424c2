/** Every route × every role: 403 exactly where the permission table says, and the OpenAPI document matches the routes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, type RouteKey } from '../../server/auth/permissions.ts';
import { OPENAPI } from '../../server/openapi.ts';
import { ROLES } from '../../server/store/store.ts';
import { makeApp, NPL_4, PEOPLE, type TestApp } from './helpers.ts';

let t: TestApp;
let draftId: number;
let decisionId: string;
beforeAll(async () => {
  t = await makeApp();
  const d = (await (await t.req('POST', '/api/v1/drafts', { as: '张三', json: { from: { policy: 'demo/loan', version: '2015.1' } } })).json()) as { id: number };
  draftId = d.id;
  decisionId = ((await (await t.req('POST', '/api/v1/evaluate', { as: 'ingest', json: { policy: 'demo/loan', asOf: '2018-06-30', facts: NPL_4 } })).json()) as { decisionId: string }).decisionId;
});
afterAll(async () => t.close());

const concrete = (path: string) =>
  path
    .replace(':jurisdiction', 'demo')
    .replace(':topic', 'loan')
    .replace(':version', '2015.1')
    .replace('/drafts/:id', `/drafts/${draftId}`)
    .replace('/decisions/:id', `/decisions/${decisionId}`)
    .replace('/jobs/:id', '/jobs/job_none')
    .replace('/tokens/:id', '/tokens/999999');

describe('role walk', () => {
  const keys = Object.keys(PERMISSIONS) as RouteKey[];
  const cases = keys.flatMap((key) => ROLES.map((role) => [key, role] as const));
  it.each(cases)('%s as %s', async (key, role) => {
    const [method, path] = key.split(' ');
    const person = Object.keys(PEOPLE).find((n) => PEOPLE[n] === role)!;
    const res = await t.req(method, concrete(path), { as: person });
    const access = PERMISSIONS[key];
    // Only JSON bodies carry an error (NDJSON, e.g. a sample dataset, is data).
    const body = res.headers.get('content-type')?.split(';')[0] === 'application/json' ? ((await res.json()) as { error?: { code: string } }) : {};
    if (access !== 'public' && !access.includes(role)) {
      expect(res.status).toBe(403);
      expect(body.error?.code).toBe('auth.forbidden');
    } else {
      expect(res.status).not.toBe(401);
      expect(body.error?.code).not.toBe('auth.forbidden');
    }
  });

  it.each(Object.keys(PERMISSIONS).filter((k) => PERMISSIONS[k as RouteKey] !== 'public'))('%s without a token → 401', async (key) => {
    const [method, path] = key.split(' ');
    const res = await t.req(method, concrete(path));
    expect(res.status).toBe(401);
  });
});

describe('OpenAPI document', () => {
  const registered = () =>
    new Set(
      t.app.routes
        .filter((r) => r.method !== 'ALL' && !(r.method === 'GET' && r.path === '/*')) // the admin UI's static files
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
    );
  it('lists exactly the routes Hono registered', () => {
    const documented = new Set(Object.entries(OPENAPI.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
    expect([...documented].sort()).toEqual([...registered()].sort());
  });
  it('covers every route of the permission table and is served', async () => {
    const fromTable = Object.keys(PERMISSIONS).map((k) => k.replace(/:(\w+)/g, '{$1}'));
    expect(fromTable.sort()).toEqual([...registered()].sort());
    const served = (await (await t.req('GET', '/api/v1/openapi.json')).json()) as { openapi: string };
    expect(served.openapi).toBe('3.1.0');
  });
});
