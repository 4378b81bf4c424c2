/**
 * A real client process deciding in process on a bundle from a real server process: a version
 * published on the server (draft → review → approve → publish) reaches the client within its
 * poll interval; the client's decisions equal the server's /api/v1/evaluate answers; with the
 * server stopped the client keeps deciding on its bundle, also after its own restart (the cache
 * folder); its reported decisions appear in GET /api/v1/decisions marked with the client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../support/pg.ts';
import { STORE_KIND } from '../helpers.ts';
import { call, exited, operatorToken, startInstance, until, type Instance } from '../instances/procs.ts';

const POLICY = 'bundle/relief';
const POLL_MS = 500;
const source = (version: string, from: string, days: number, article: string) => `policy "${POLICY}"
  title "捆绑包测试"
  jurisdiction bundle
  version "${version}"
  effective from ${from}
  source 办法 "测试办法"

facts
  逾期天数 "逾期天数": integer

rule overdue "逾期${days}天以上"
  cites 办法 "${article}"
  when 逾期天数 >= ${days}
  then violation severity high
    message "逾期" en "Overdue"
`;

interface ClientProc {
  child: ChildProcess;
  ask(cmd: Record<string, unknown>): Promise<Record<string, unknown>>;
  ready: Record<string, unknown>;
}

function startClient(opts: Record<string, unknown>): Promise<ClientProc> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'client-child.ts'), JSON.stringify(opts)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: Interface = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (l) => waiting.shift()?.(l));
  const next = () => new Promise<Record<string, unknown>>((r) => waiting.push((l) => r(JSON.parse(l) as Record<string, unknown>)));
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`client exited ${code}: ${err}`)));
    void next().then((ready) =>
      resolve({
        child,
        ready,
        ask(cmd) {
          const answer = next();
          child.stdin!.write(JSON.stringify(cmd) + '\n');
          return answer;
        },
      }),
    );
  });
}

async function stopClient(c: ClientProc): Promise<void> {
  c.child.stdin!.end();
  await exited(c.child);
}

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tiaowen-bundle-'));
  dirs.push(d);
  return d;
};
let server: Instance;
let author: string;
let reviewer: string;
let system: string;
let publicKey: string;
let cacheDir: string;
const clients: ClientProc[] = [];

async function publish(text: string): Promise<void> {
  const d = await call<{ id: number }>(server.url, author, 'POST', '/api/v1/drafts', { source: text, format: 'dsl' });
  expect(d.status).toBe(201);
  expect((await call(server.url, author, 'POST', `/api/v1/drafts/${d.body.id}/submit`)).status).toBe(200);
  expect((await call(server.url, reviewer, 'POST', `/api/v1/drafts/${d.body.id}/approve`)).status).toBe(200);
  expect((await call(server.url, author, 'POST', `/api/v1/drafts/${d.body.id}/publish`)).status).toBe(201);
}

let pg: TestDatabase | undefined;

beforeAll(async () => {
  // In the postgres project the server process keeps its store (and the signing key) in PostgreSQL.
  if (STORE_KIND === 'postgres') pg = await freshDatabase('bundle');
  const serverDir = tmp();
  server = await startInstance(serverDir, pg?.url ?? '');
  const admin = server.adminToken!;
  author = (await call(server.url, admin, 'POST', '/api/v1/tokens', { role: 'author', name: '作者' })).body.token as string;
  // A reviewer made over the API by the only admin would wait for a second admin: the operator makes it.
  reviewer = await operatorToken(serverDir, pg?.url ?? '', 'reviewer', '审核');
  system = (await call(server.url, admin, 'POST', '/api/v1/tokens', { role: 'system', name: '县级系统' })).body.token as string;
  publicKey = (await fetch(`${server.url}/api/v1/bundles/key`).then((r) => r.json()) as { publicKey: string }).publicKey;
  await publish(source('1', '2020-01-01', 90, '第一条'));
  cacheDir = tmp();
}, 120_000);

afterAll(async () => {
  for (const c of clients) if (c.child.exitCode === null) c.child.kill('SIGTERM');
  if (server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await exited(server.child);
  }
  await pg?.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const clientOpts = () => ({ url: server.url, token: system, policy: POLICY, publicKey, cacheDir, pollMs: POLL_MS, report: { client: '县级系统-A', batchSize: 1000, flushMs: 60_000 } });
const TODAY = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
const CASES = [0, 45, 60, 89, 90, 120].map((days) => ({ 逾期天数: days }));

async function serverDecision(facts: unknown, asOf: string): Promise<unknown> {
  const r = await call<{ decision: unknown }>(server.url, system, 'POST', '/api/v1/evaluate', { policy: POLICY, facts, asOf });
  expect(r.status).toBe(200);
  return r.body.decision;
}

describe('a client process deciding on a bundle', () => {
  it('decides as the server does, switches to a newly published version within its poll interval, and reports its decisions', async () => {
    const client = await startClient(clientOpts());
    clients.push(client);
    expect((client.ready.ready as { source: string; versions: string[] }).versions).toEqual(['1@2020-01-01']);

    for (const facts of CASES) {
      const mine = (await client.ask({ cmd: 'decide', facts, asOf: TODAY, subject: `v1-${facts.逾期天数}` })).decision;
      expect(mine).toEqual(await serverDecision(facts, TODAY));
    }

    // Version 2 lowers the threshold to 60 days from a date already passed: in force today.
    await publish(source('2', '2024-01-01', 60, '第二条'));
    const published = Date.now();
    const switched = await until('the client holding version 2', async () => {
      const s = (await client.ask({ cmd: 'status' })).status as { versions: string[] };
      return s.versions.includes('2@2024-01-01') ? Date.now() : undefined;
    }, 30_000);
    // Within a poll interval, with room for a loaded machine (the refresh itself, the process hop).
    expect(switched - published).toBeLessThan(POLL_MS + 2_000);
    for (const facts of CASES) {
      const mine = (await client.ask({ cmd: 'decide', facts, asOf: TODAY, subject: `v2-${facts.逾期天数}` })).decision as { policy: { version: string } };
      expect(mine.policy.version).toBe('2');
      expect(mine).toEqual(await serverDecision(facts, TODAY));
    }
    // An earlier date still decides on version 1, as the server would.
    const old = (await client.ask({ cmd: 'decide', facts: { 逾期天数: 70 }, asOf: '2022-06-01' })).decision as { policy: { version: string }; outcomes: unknown[] };
    expect(old.policy.version).toBe('1');
    expect(old).toEqual(await serverDecision({ 逾期天数: 70 }, '2022-06-01'));

    expect((await client.ask({ cmd: 'flush' })).sent).toBe(CASES.length * 2 + 1);
    const logged = await call<{ items: { subject?: string; reportedBy?: string; caller: string; version: string }[] }>(server.url, reviewer, 'GET', `/api/v1/decisions?policy=${POLICY}&caller=${encodeURIComponent('县级系统')}&limit=100`);
    const reported = logged.body.items.filter((i) => i.reportedBy === '县级系统-A');
    expect(reported).toHaveLength(CASES.length * 2 + 1);
    expect(reported.filter((i) => i.subject?.startsWith('v2-')).every((i) => i.version === '2')).toBe(true);
    // The server's own evaluate answers are in the log too, without the mark.
    expect(logged.body.items.some((i) => i.reportedBy === undefined)).toBe(true);
    await stopClient(client);
  }, 120_000);

  it('keeps deciding on its bundle with the server stopped, also after a restart of the client (the cache)', async () => {
    const client = await startClient(clientOpts());
    clients.push(client);
    const before = (await client.ask({ cmd: 'decide', facts: { 逾期天数: 75 }, asOf: TODAY })).decision;

    server.child.kill('SIGTERM');
    await exited(server.child);
    // A poll fails against the stopped server; the bundle held still decides.
    await until('a failed refresh', async () => {
      const s = (await client.ask({ cmd: 'status' })).status as { lastRefresh?: { result: string } };
      return s.lastRefresh?.result === 'unreachable';
    }, 30_000);
    expect((await client.ask({ cmd: 'decide', facts: { 逾期天数: 75 }, asOf: TODAY })).decision).toEqual(before);
    // Reports wait for the server instead of failing the decision.
    expect((await client.ask({ cmd: 'flush' })).sent).toBe(0);
    expect(((await client.ask({ cmd: 'status' })).status as { queued: number }).queued).toBe(2);
    await stopClient(client);

    // A new client process, the server still down: it starts from the cached bundle.
    const restarted = await startClient(clientOpts());
    clients.push(restarted);
    const ready = restarted.ready.ready as { source: string; versions: string[] };
    expect(ready.source).toBe('cache');
    expect(ready.versions).toEqual(['1@2020-01-01', '2@2024-01-01']);
    expect((await restarted.ask({ cmd: 'decide', facts: { 逾期天数: 75 }, asOf: TODAY })).decision).toEqual(before);
    await stopClient(restarted);
  }, 120_000);
});
