/**
 * A server app on a temporary store, seeded with the test policies, with a token per role. The
 * store is a SQLite file, or — when TIAOWEN_TEST_STORE=postgres (the `postgres` vitest project
 * runs the whole server suite so) — a fresh database on the test PostgreSQL server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MiddlewareHandler } from 'hono';
import { afterEach } from 'vitest';
import { createApp, prepareDeps, type AppDeps, type ServerConfig } from '../../server/app.ts';
import { responseProblems } from '../../server/contract/responses.ts';
import type { App } from '../../server/context.ts';
import { loadEngine, type EnginePort } from '../../server/engine.ts';
import { Store, type Clock, type Role } from '../../server/store/store.ts';
import { freshDatabase } from '../support/pg.ts';

/** Which store the server suite runs on in this process. */
export const STORE_KIND: 'sqlite' | 'postgres' = process.env.TIAOWEN_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

/** Where a test's store lives: a SQLite file in `dir`, or a new PostgreSQL database. */
export async function testStoreSpec(dir: string, file = 'test.sqlite'): Promise<{ spec: string; drop: () => Promise<void> }> {
  if (STORE_KIND === 'sqlite') return { spec: join(dir, file), drop: async () => undefined };
  const db = await freshDatabase('srv');
  return { spec: db.url, drop: db.drop };
}

export const FIXTURE_POLICIES = join(import.meta.dirname, '../fixtures/server/policies');

let engine: Promise<EnginePort> | undefined;
export const sharedEngine = () => (engine ??= loadEngine());

/** People behind the tokens; two authors so four-eyes can be checked both ways. */
export const PEOPLE: Record<string, Role> = {
  admin: 'admin',
  张三: 'author',
  王五: 'author',
  李四: 'reviewer',
  ingest: 'system',
  赵六: 'viewer',
};

export interface TestApp {
  app: App;
  deps: AppDeps;
  dir: string;
  tokens: Record<string, string>;
  /** Token of the first person with this role. */
  token(role: Role): string;
  req(method: string, path: string, opts?: { as?: string; json?: unknown; body?: BodyInit; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Every response a test app sends is checked against the OpenAPI document (route, status, content
 * type, body; NDJSON and SSE line by line). Streamed bodies are read from a copy as they arrive;
 * after each test, what was found fails that test.
 */
const contractProblems: string[] = [];
const pendingChecks = new Set<Promise<void>>();

export const checkResponses: MiddlewareHandler = async (c, next) => {
  await next();
  const res = c.res;
  const where = `${c.req.method} ${c.req.path} → ${res.status}`;
  const check = (body: string) => {
    for (const p of responseProblems(c.req.method, c.req.path, res.status, res.headers.get('content-type'), body)) contractProblems.push(`${where}: ${p}`);
  };
  const copy = res.clone();
  const p = copy.text().then(check, () => undefined);
  // A JSON body is complete: checked before the test sees the answer. A stream is checked as it ends.
  if (!/ndjson|event-stream|text\/csv/.test(res.headers.get('content-type') ?? '')) return void (await p);
  const tracked = p.finally(() => pendingChecks.delete(tracked));
  pendingChecks.add(tracked);
};

afterEach(async () => {
  // Streams a test left unread still end when the server ends them; wait a little for those.
  await Promise.race([Promise.all(pendingChecks), new Promise((r) => setTimeout(r, 3000).unref())]);
  const found = contractProblems.splice(0);
  if (found.length > 0) throw new Error(`responses that do not match the OpenAPI document:\n${found.slice(0, 20).join('\n')}`);
});

export async function makeApp(opts: { config?: Partial<ServerConfig>; clock?: Clock } = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'tiaowen-test-'));
  const clock = opts.clock ?? { now: () => new Date() };
  const where = await testStoreSpec(dir);
  const store = await Store.open(where.spec, clock);
  const deps = await prepareDeps({ store, clock, engine: await sharedEngine(), policiesDir: FIXTURE_POLICIES, config: opts.config });
  const app = createApp(deps, { outermost: [checkResponses] });
  const tokens: Record<string, string> = {};
  for (const [name, role] of Object.entries(PEOPLE)) tokens[name] = (await deps.auth.create(role, name, 'test')).token;
  const token = (role: Role) => tokens[Object.keys(PEOPLE).find((n) => PEOPLE[n] === role)!];
  const req: TestApp['req'] = (method, path, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.as) headers.authorization = `Bearer ${tokens[o.as] ?? o.as}`;
    let body = o.body;
    if (o.json !== undefined) {
      body = JSON.stringify(o.json);
      headers['content-type'] ??= 'application/json';
    }
    return Promise.resolve(app.request(path, { method, headers, body }));
  };
  return {
    app,
    deps,
    dir,
    tokens,
    token,
    req,
    async close() {
      await deps.jobs.close();
      await deps.decisions.close();
      await store.close();
      await where.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Facts that trip the red line (4% > 3%) and not the variant's (5%). */
export const NPL_4 = { 贷款: [{ 金额: 96, 逾期天数: 0 }, { 金额: 4, 逾期天数: 90 }], 弄虚作假: false, 贴息金额: 100, 户主姓名: '王大' };

export async function expectError(res: Response, status: number, code: string): Promise<{ error: { code: string; message: { zh: string; en: string }; details?: { path: string }[] } }> {
  const body = (await res.json()) as { error: { code: string; message: { zh: string; en: string }; details?: { path: string }[] } };
  if (res.status !== status || body.error?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${JSON.stringify(body)}`);
  }
  if (!body.error.message.zh || !body.error.message.en) throw new Error('error message must be in both languages');
  return body;
}

/**
 * A draft of demo/loan 2015.1 made by 张三 and saved once with `edit` applied to its source
 * (revision 2); what the save answered.
 */
export async function editedDemoDraft(t: TestApp, edit: (source: string) => string): Promise<{ id: number; etag: string; source: string }> {
  const created = await t.req('POST', '/api/v1/drafts', { as: '张三', json: { from: { policy: 'demo/loan', version: '2015.1' } } });
  const d = (await created.json()) as { id: number; etag: string; source: string };
  const saved = await t.req('PUT', `/api/v1/drafts/${d.id}`, { as: '张三', json: { source: edit(d.source) }, headers: { 'if-match': d.etag } });
  if (saved.status !== 200) throw new Error(`saving the draft answered ${saved.status}`);
  const s = (await saved.json()) as { etag: string; source: string };
  return { id: d.id, etag: s.etag, source: s.source };
}
