/**
 * Personal facts declared by the policy (server/privacy.ts, engine/privacy/): unread personal
 * facts masked before storage, read ones kept and shown only to roles allowed personal data, the
 * subject stored as a keyed hash (nowhere in the database as written) and found by exact value,
 * replay and integrity unaffected, and the batch path still in the worker threads. Runs on
 * SQLite, and on PostgreSQL in the `postgres` project.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, prepareDeps, type AppDeps } from '../../server/app.ts';
import { command as auditCommand } from '../../server/cli/audit.ts';
import { forReader, mayReadPersonal } from '../../server/privacy.ts';
import type { Actor } from '../../server/context.ts';
import { Store, type Role } from '../../server/store/store.ts';
import { checkResponses, sharedEngine, STORE_KIND, testStoreSpec } from './helpers.ts';

const POLICIES = join(import.meta.dirname, '../fixtures/server/privacy');
const ID = '620102199001011234';
const PHONE = '13912345678';
const MEMBER = '王小二';
const HEAD = '王大';
const FACTS = { 身份证号: ID, 户主姓名: HEAD, 联系电话: PHONE, 人均纯收入: 5000, 家庭成员: [{ 姓名: MEMBER, 年龄: 72 }, { 姓名: '王小三', 年龄: 12 }] };

interface Rec {
  id: string;
  facts: { 身份证号: string; 户主姓名: string; 联系电话: string; 家庭成员: { 姓名: string; 年龄: number }[] };
  masked: string[];
  personal?: string[];
  subjectKey?: string;
  personalHidden?: boolean;
  intact?: boolean;
  caller: string;
}

let deps: AppDeps;
let store: Store;
let spec: string;
let dir: string;
let drop: () => Promise<void>;
const tokens: Record<string, string> = {};
const PEOPLE: Record<string, Role> = { admin: 'admin', 李四: 'reviewer', ingest: 'system', other: 'system', 赵六: 'viewer', 张三: 'author' };
let req: (method: string, path: string, as: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>;
let decisionId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tiaowen-privacy-'));
  const where = await testStoreSpec(dir);
  spec = where.spec;
  drop = where.drop;
  const clock = { now: () => new Date() };
  store = await Store.open(spec, clock);
  deps = await prepareDeps({ store, clock, engine: await sharedEngine(), policiesDir: POLICIES });
  const app = createApp(deps, { outermost: [checkResponses] });
  for (const [name, role] of Object.entries(PEOPLE)) tokens[name] = (await deps.auth.create(role, name, 'test')).token;
  req = (method, path, as, body, headers = {}) =>
    Promise.resolve(
      app.request(path, {
        method,
        headers: { authorization: `Bearer ${tokens[as]}`, ...(typeof body === 'string' ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );
  const res = await req('POST', '/api/v1/evaluate', 'ingest', { policy: 'demo/household', asOf: '2024-06-30', facts: FACTS });
  expect(res.status).toBe(200);
  decisionId = ((await res.json()) as { decisionId: string }).decisionId;
});

afterAll(async () => {
  await deps.jobs.close();
  await deps.decisions.close();
  await store.close();
  await drop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A reader without personal access. Every role that may read decisions over HTTP today may see
 * personal data (admin, reviewer, a system its own decisions; another system's decisions are not
 * found at all), so the masked view is checked on the stored record through the routes' own function.
 */
const VIEWER: Actor = { name: 'viewer', role: 'viewer', tokenId: 0, personId: 0, scope: '*', pending: false };
const maskedFor = (rec: Rec) => forReader(rec as never, VIEWER, deps.decisions.maskSalt) as unknown as Rec & { personalHidden?: boolean; decision: { trace?: unknown[] } };

const read = async (id: string, as: string): Promise<Rec> => {
  const res = await req('GET', `/api/v1/decisions/${id}`, as);
  expect(res.status).toBe(200);
  return (await res.json()) as Rec;
};

describe('a policy with personal facts', () => {
  it('masks unread personal facts, keeps read ones, stores the subject as a keyed hash', async () => {
    const rec = await read(decisionId, '李四');
    expect(rec.facts.户主姓名).toBe(HEAD); // read by rule no_head: kept, and the reviewer may see it
    expect(rec.facts.联系电话).toMatch(/^masked:[0-9a-f]{24}$/);
    expect(rec.facts.家庭成员.map((m) => m.姓名)).toEqual([expect.stringMatching(/^masked:/), expect.stringMatching(/^masked:/)]);
    expect(rec.facts.家庭成员.map((m) => m.年龄)).toEqual([72, 12]); // read by rule elderly
    expect(rec.facts.身份证号).toMatch(/^hmac-sha256:[0-9a-f]{32}$/);
    expect(rec.subjectKey).toBe(rec.facts.身份证号);
    expect(rec.masked).toEqual(['姓名', '联系电话', '身份证号'].sort());
    expect(rec.personal).toEqual(['户主姓名']);
    expect(rec.personalHidden).toBeUndefined();
    expect(rec.intact).toBe(true);
    for (const raw of [ID, PHONE, MEMBER]) expect(JSON.stringify(rec)).not.toContain(raw);
  });

  it('shows kept personal facts to admin, reviewer and the system that decided; another system finds nothing; masked to a reader without personal access', async () => {
    for (const who of ['admin', '李四', 'ingest']) expect((await read(decisionId, who)).facts.户主姓名).toBe(HEAD);
    expect((await req('GET', `/api/v1/decisions/${decisionId}`, 'other')).status).toBe(404);
    const other = maskedFor(await read(decisionId, 'admin'));
    expect(other.facts.户主姓名).toMatch(/^masked:/);
    expect(other.personalHidden).toBe(true);
    // Lists and exports too.
    const list = (await (await req('GET', '/api/v1/decisions?policy=demo/household', 'other')).json()) as { items: Rec[] };
    expect(list.items.find((r) => r.id === decisionId)).toBeUndefined();
    const csv = await (await req('GET', '/api/v1/decisions?policy=demo/household&format=csv', 'other')).text();
    expect(csv).not.toContain(HEAD);
    const csvReviewer = await (await req('GET', '/api/v1/decisions?policy=demo/household&format=csv', '李四')).text();
    expect(csvReviewer).toContain(HEAD);
    const nd = await (await req('GET', '/api/v1/decisions?policy=demo/household&format=ndjson', 'other')).text();
    expect(nd).not.toContain(HEAD);
    // Viewer and author may not read decisions at all; were they let in, they would not see personal data.
    expect((await req('GET', `/api/v1/decisions/${decisionId}`, '赵六')).status).toBe(403);
    expect(mayReadPersonal('viewer')).toBe(false);
    expect(mayReadPersonal('author')).toBe(false);
    expect(mayReadPersonal('system')).toBe(false);
    expect(mayReadPersonal('system', true)).toBe(true);
    expect(mayReadPersonal('reviewer')).toBe(true);
    // /me says so, with the retention period.
    const me = (await (await req('GET', '/api/v1/me', '赵六')).json()) as { privacy: { retentionDays: number; personalData: boolean } };
    expect(me.privacy).toMatchObject({ retentionDays: 365, personalData: false });
    expect(((await (await req('GET', '/api/v1/me', '李四')).json()) as { privacy: { personalData: boolean } }).privacy.personalData).toBe(true);
  });

  it('leaves the trace out for a reader who sees personal facts masked (it shows compared values)', async () => {
    const res = await req('POST', '/api/v1/evaluate', 'ingest', { policy: 'demo/household', asOf: '2024-06-30', explain: true, facts: FACTS });
    const id = ((await res.json()) as { decisionId: string }).decisionId;
    const full = (await (await req('GET', `/api/v1/decisions/${id}`, '李四')).json()) as { decision: { trace?: unknown[] } };
    expect(JSON.stringify(full.decision.trace)).toContain(HEAD);
    // The trace shows the member list whole; its unread names were masked before storing.
    expect(JSON.stringify(full.decision.trace)).toContain('家庭成员');
    expect(JSON.stringify(full.decision.trace)).not.toContain(MEMBER);
    const hidden = maskedFor((await (await req('GET', `/api/v1/decisions/${id}`, 'admin')).json()) as Rec);
    expect(hidden.personalHidden).toBe(true);
    expect(hidden.decision.trace).toBeUndefined();
    expect(JSON.stringify(hidden)).not.toContain(HEAD);
  });

  it('finds decisions by the exact subject value, and by nothing else', async () => {
    const found = (await (await req('GET', `/api/v1/decisions?subject=${ID}`, '李四')).json()) as { items: Rec[] };
    expect(found.items.map((r) => r.id)).toContain(decisionId);
    expect(found.items.every((r) => r.subjectKey === found.items[0]!.subjectKey)).toBe(true);
    const none = (await (await req('GET', `/api/v1/decisions?subject=${ID.slice(0, -1)}9`, '李四')).json()) as { items: Rec[] };
    expect(none.items).toEqual([]);
  });

  it('replays: masked facts no rule reads replay as missing, with the same decision', async () => {
    const replay = (await (await req('POST', `/api/v1/decisions/${decisionId}/replay`, '李四')).json()) as { replayable: boolean; same: boolean };
    expect(replay).toMatchObject({ replayable: true, same: true });
  });

  it('keeps the raw subject, phone and masked names out of the database; the log still verifies', async () => {
    await deps.decisions.flush();
    if (STORE_KIND === 'sqlite') {
      // The file and its write-ahead log, byte for byte.
      const bytes = [spec, `${spec}-wal`].filter(existsSync).map((f) => readFileSync(f));
      const all = Buffer.concat(bytes);
      expect(all.includes(Buffer.from(HEAD))).toBe(true); // the kept name is there: the check can see
      for (const raw of [ID, PHONE, MEMBER]) expect(all.includes(Buffer.from(raw))).toBe(false);
    } else {
      const rows = await store.db.all('SELECT * FROM decisions');
      const text = JSON.stringify(rows);
      expect(text).toContain(HEAD);
      for (const raw of [ID, PHONE, MEMBER]) expect(text).not.toContain(raw);
    }
    const out: string[] = [];
    const code = await auditCommand.run(['verify', '--store', spec], { out: (t) => out.push(t), err: (t) => out.push(t) });
    expect(out.join('\n')).not.toMatch(/edited|inserted|deleted/);
    expect(code).toBe(0);
  });

  it('a batch with personal facts still runs in the worker threads, masked the same way', async () => {
    const pool = deps.jobs.workers();
    const run = pool.run.bind(pool);
    const tasks: { op: string; mask: boolean }[] = [];
    pool.run = (task) => (tasks.push({ op: task.op, mask: task.op === 'batch' && task.mask !== undefined }), run(task));
    try {
      const lines = Array.from({ length: 64 }, (_, i) => JSON.stringify({ id: `b-${i}`, facts: { ...FACTS, 身份证号: `${ID.slice(0, -2)}${String(i).padStart(2, '0')}` } }));
      const res = await req('POST', '/api/v1/evaluate/batch?policy=demo/household&asOf=2024-06-30', 'ingest', lines.join('\n') + '\n', { 'content-type': 'application/x-ndjson' });
      const out = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { decisionId: string });
      expect(out).toHaveLength(64);
      expect(tasks.length).toBeGreaterThan(0);
      expect(tasks.every((t) => t.op === 'batch' && t.mask)).toBe(true);
      const rec = await read(out[7]!.decisionId, '李四');
      expect(rec.facts.联系电话).toMatch(/^masked:/);
      expect(rec.facts.户主姓名).toBe(HEAD);
      expect(rec.personal).toEqual(['户主姓名']);
      expect(rec.masked).toEqual(['姓名', '联系电话', '身份证号'].sort());
      // The worker's keyed hash is the main thread's: found by the exact value.
      const found = (await (await req('GET', `/api/v1/decisions?subject=${ID.slice(0, -2)}07`, '李四')).json()) as { items: Rec[] };
      expect(found.items.map((r) => r.id)).toEqual([out[7]!.decisionId]);
      expect(maskedFor(await read(out[7]!.decisionId, 'admin')).facts.户主姓名).toMatch(/^masked:/);
    } finally {
      pool.run = run;
    }
  });
});
