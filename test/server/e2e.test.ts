/**
 * A real server on an ephemeral port, in a child process: first start prints an admin token,
 * SIGTERM closes cleanly, and a SIGKILL in the middle of publishing loses nothing that was
 * acknowledged as published.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { command as tokenCommand } from '../../server/cli/token.ts';
import { command as serveCommand } from '../../server/cli/serve.ts';
import { STORE_KIND, testStoreSpec } from './helpers.ts';
import { operatorToken, startInstance, type Instance } from './instances/procs.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Each data folder's store: the SQLite file in it, or (postgres project) its own database. */
const stores = new Map<string, string>();
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const d of drops) await d();
});

async function start(dataDir: string): Promise<Instance> {
  let store = stores.get(dataDir);
  if (store === undefined) {
    const where = await testStoreSpec(dataDir);
    store = STORE_KIND === 'postgres' ? where.spec : '';
    drops.push(where.drop);
    stores.set(dataDir, store);
  }
  return startInstance(dataDir, store);
}

const exited = (child: ChildProcess) => new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (c) => r(c))));

async function call(url: string, token: string, method: string, path: string, json?: unknown) {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(json ? { 'content-type': 'application/json' } : {}) },
    body: json ? JSON.stringify(json) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const policySource = (i: number) => `policy "crash/p${i}"
  title "崩溃测试 ${i}"
  jurisdiction crash
  version "1.${i}"
  effective from 2020-01-01
  source 办法 "测试办法"

facts
  违规 "违规": boolean

rule r${i} "规则 ${i}"
  cites 办法 "第${i}条"
  when 违规
  then violation
    message "违规 ${i}"
`;

describe('end to end', () => {
  it('first start prints an admin token once; SIGTERM shuts down cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiaowen-e2e-'));
    dirs.push(dir);
    const first = await start(dir);
    expect(first.adminToken).toMatch(/^tw_/);
    expect((await fetch(first.url + '/healthz')).status).toBe(200);
    const me = await call(first.url, first.adminToken!, 'GET', '/api/v1/me');
    expect(me.body).toMatchObject({ name: 'admin', role: 'admin', scope: '*', pending: false });
    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    const again = await start(dir);
    expect(again.adminToken).toBeNull();
    const policies = await call(again.url, first.adminToken!, 'GET', '/api/v1/policies');
    expect((policies.body.items as unknown[]).length).toBe(2);
    again.child.kill('SIGTERM');
    await exited(again.child);
  });

  it('a SIGKILL mid-publish loses nothing that was acknowledged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiaowen-crash-'));
    dirs.push(dir);
    const s = await start(dir);
    const admin = s.adminToken!;
    const author = (await call(s.url, admin, 'POST', '/api/v1/tokens', { role: 'author', name: '作者' })).body.token as string;
    // A reviewer made over the API by the only admin would wait for a second admin: the operator makes it.
    const reviewer = await operatorToken(dir, stores.get(dir)!, 'reviewer', '审核');
    const acknowledged: { id: string; version: string; hash: string }[] = [];
    const inFlight: Promise<unknown>[] = [];
    for (let i = 1; i <= 6; i++) {
      const d = (await call(s.url, author, 'POST', '/api/v1/drafts', { source: policySource(i), format: 'dsl' })).body as { id: number };
      await call(s.url, author, 'POST', `/api/v1/drafts/${d.id}/submit`);
      await call(s.url, reviewer, 'POST', `/api/v1/drafts/${d.id}/approve`);
      const publish = call(s.url, author, 'POST', `/api/v1/drafts/${d.id}/publish`).then((r) => {
        if (r.status === 201) acknowledged.push(r.body.version as { id: string; version: string; hash: string });
      });
      if (i < 6) await publish;
      else inFlight.push(publish.catch(() => undefined)); // the last one races the kill
    }
    s.child.kill('SIGKILL');
    await exited(s.child);
    await Promise.all(inFlight);
    expect(acknowledged.length).toBeGreaterThanOrEqual(5);

    const back = await start(dir);
    for (const v of acknowledged) {
      const [j, topic] = v.id.split('/');
      const got = await call(back.url, admin, 'GET', `/api/v1/policies/${j}/${topic}/versions/${v.version}`);
      expect(got.status).toBe(200);
      expect(got.body.hash).toBe(v.hash);
      expect((got.body.source as { text: string }).text).toContain(`policy "${v.id}"`);
    }
    back.child.kill('SIGTERM');
    await exited(back.child);
  });
});

describe('cli', () => {
  it('token create prints a token once; both commands answer --help', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiaowen-cli-'));
    dirs.push(dir);
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
    expect(await tokenCommand.run(['create', '--role', 'viewer', '--name', '访客', '--data', dir], io)).toBe(0);
    expect(out.some((l) => /^tw_/.test(l))).toBe(true);
    expect(await tokenCommand.run(['create', '--role', 'king', '--name', 'x', '--data', dir], io)).toBe(2);
    expect(await tokenCommand.run(['--help'], io)).toBe(0);
    expect(await serveCommand.run(['--help'], io)).toBe(0);
    expect(await serveCommand.run(['--nope'], io)).toBe(2);
    expect(out.join('\n')).toMatch(/Usage: tiaowen serve/);
  });
});
