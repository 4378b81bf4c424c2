/**
 * `tiaowen library sync` against a real server (listening on a free port): new policies and new
 * versions become drafts, a second run proposes nothing, a published version is never touched,
 * and a changed file is proposed only under a new version label.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from '../../../server/cli/library.ts';
import { startServer, type RunningServer } from '../../../server/main.ts';
import type { SyncRow } from '../../../server/library/sync.ts';
import { STORE_KIND, testStoreSpec } from '../helpers.ts';

const policy = (id: string, version: string, article: string, extra = '') => `policy "${id}"
  title "同步测试"
  jurisdiction sync
  version "${version}"
  effective from ${version === '2' ? '2021-01-01' : '2020-01-01'}
  source 办法 "测试办法"

facts
  违规 "违规": boolean

rule r1 "规则"
  cites 办法 "${article}"
  when 违规${extra}
  then violation
    message "违规"
`;

let server: RunningServer;
let dir: string;
let drop: () => Promise<void>;
const tokens: Record<string, string> = {};

async function api<T>(who: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${tokens[who]}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** One run with --json (plus `extra`): its exit code, rows and standard error. */
async function sync(...extra: string[]): Promise<{ code: number; err: string; rows: SyncRow[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command.run(['sync', '--server', server.url, '--token', tokens.张三, '--policies', join(dir, 'library'), '--json', ...extra], {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
  });
  return { code, err: err.join('\n'), rows: JSON.parse(out.join('\n')) as SyncRow[] };
}

/** One run printing the table. */
async function table(...extra: string[]): Promise<string> {
  const out: string[] = [];
  await command.run(['sync', '--server', server.url, '--token', tokens.张三, '--policies', join(dir, 'library'), ...extra], { out: (s) => out.push(s), err: (s) => out.push(s) });
  return out.join('\n');
}

const drafts = async () => (await api<{ items: { id: number; policyId: string; status: string; source: string }[] }>('张三', 'GET', '/api/v1/drafts')).body.items;
const status = (rows: SyncRow[]) => Object.fromEntries(rows.map((r) => [`${r.policy}@${r.version}`, r.status]));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tiaowen-sync-'));
  // The deployment starts from a seed with sync/a@1; the library on disk has more.
  mkdirSync(join(dir, 'seed/sync/a'), { recursive: true });
  writeFileSync(join(dir, 'seed/sync/a/a.policy'), policy('sync/a', '1', '第一条'));
  const where = await testStoreSpec(dir);
  drop = where.drop;
  server = await startServer({ dataDir: join(dir, 'data'), store: STORE_KIND === 'postgres' ? where.spec : undefined, port: 0, policiesDir: join(dir, 'seed') });
  tokens.张三 = (await server.deps.auth.create('author', '张三', 'test')).token;
  tokens.李四 = (await server.deps.auth.create('reviewer', '李四', 'test')).token;
  tokens.赵六 = (await server.deps.auth.create('viewer', '赵六', 'test')).token;
  cpSync(join(dir, 'seed'), join(dir, 'library'), { recursive: true });
  writeFileSync(join(dir, 'library/sync/a/a-2.policy'), policy('sync/a', '2', '第二条'));
  mkdirSync(join(dir, 'library/sync/b'), { recursive: true });
  writeFileSync(join(dir, 'library/sync/b/b.policy'), policy('sync/b', '1', '第一条'));
});
afterAll(async () => {
  await server?.close();
  await drop?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('tiaowen library sync', () => {
  it('--dry-run says what it would propose and creates nothing', async () => {
    const r = await sync('--dry-run');
    expect(r.code).toBe(0);
    expect(status(r.rows)).toEqual({ 'sync/a@1': 'up-to-date', 'sync/a@2': 'would-propose', 'sync/b@1': 'would-propose' });
    expect(r.rows.find((x) => x.policy === 'sync/b')!.change).toBe('new-policy');
    expect(r.rows.find((x) => x.version === '2')!.change).toBe('new-version');
    const printed = await table('--dry-run');
    expect(printed).toContain('dry run, nothing changed: to propose 2');
    expect(printed).toMatch(/sync\/b\s+1\s+new-policy\s+would-propose/);
    expect(await drafts()).toEqual([]);
  });

  it('proposes each new policy and new version as a draft; a second run proposes nothing new', async () => {
    const first = await sync();
    expect(first.code).toBe(0);
    expect(status(first.rows)).toEqual({ 'sync/a@1': 'up-to-date', 'sync/a@2': 'proposed', 'sync/b@1': 'proposed' });
    const made = await drafts();
    expect(made.map((d) => [d.policyId, d.status]).sort()).toEqual([
      ['sync/a', 'editing'],
      ['sync/b', 'editing'],
    ]);
    expect(made.find((d) => d.policyId === 'sync/b')!.source).toBe(readFileSync(join(dir, 'library/sync/b/b.policy'), 'utf8'));

    const again = await sync();
    expect(again.code).toBe(0);
    expect(status(again.rows)).toEqual({ 'sync/a@1': 'up-to-date', 'sync/a@2': 'already-proposed', 'sync/b@1': 'already-proposed' });
    expect(await table()).toMatch(/proposed 0 drafts; already proposed 2, up to date 1/);
    expect((await drafts()).length).toBe(2);
  });

  it('never overwrites a published version; a change is proposed under a new version label only', async () => {
    const b = (await drafts()).find((d) => d.policyId === 'sync/b')!;
    expect((await api('张三', 'POST', `/api/v1/drafts/${b.id}/submit`, {})).status).toBe(200);
    expect((await api('李四', 'POST', `/api/v1/drafts/${b.id}/approve`, {})).status).toBe(200);
    const published = await api<{ version: { hash: string } }>('李四', 'POST', `/api/v1/drafts/${b.id}/publish`);
    expect(published.status).toBe(201);
    expect(status((await sync()).rows)['sync/b@1']).toBe('up-to-date');

    // Same label, other content: reported, nothing proposed, the published version unchanged.
    const file = join(dir, 'library/sync/b/b.policy');
    writeFileSync(file, policy('sync/b', '1', '第一条', ' and 违规'));
    const taken = await sync();
    expect(taken.code).toBe(1);
    expect(status(taken.rows)['sync/b@1']).toBe('version-taken');
    expect((await drafts()).length).toBe(2);

    // A new label: a draft for the new version only.
    writeFileSync(file, policy('sync/b', '2', '第一条', ' and 违规'));
    const bumped = await sync();
    expect(bumped.code).toBe(0);
    expect(status(bumped.rows)).toEqual({ 'sync/a@1': 'up-to-date', 'sync/a@2': 'already-proposed', 'sync/b@2': 'proposed' });
    expect(status((await sync()).rows)['sync/b@2']).toBe('already-proposed');
    const now = await drafts();
    expect(now.length).toBe(3);
    expect(now.filter((d) => d.policyId === 'sync/b' && d.status === 'editing').length).toBe(1);
    const v1 = await api<{ hash: string }>('赵六', 'GET', '/api/v1/policies/sync/b/versions/1');
    expect(v1.body.hash).toBe(published.body.version.hash);
  });

  it('a token that may not create drafts is refused with exit 3; a bad option is exit 2', async () => {
    const err: string[] = [];
    const io = { out: () => undefined, err: (s: string) => err.push(s) };
    const writeLib = join(dir, 'library');
    mkdirSync(join(writeLib, 'sync/c'), { recursive: true });
    writeFileSync(join(writeLib, 'sync/c/c.policy'), policy('sync/c', '1', '第一条'));
    expect(await command.run(['sync', '--server', server.url, '--token', tokens.赵六, '--policies', writeLib], io)).toBe(3);
    expect(err.join('\n')).toMatch(/403/);
    expect(await command.run(['sync', '--frobnicate'], io)).toBe(2);
    rmSync(join(writeLib, 'sync/c'), { recursive: true, force: true });
  });
});
