/**
 * Row (f) of `npm run bench`: the same HTTP evaluate load as row (d), on the embedded store and on
 * PostgreSQL with one and with two server processes behind no balancer (each client pair sends
 * to its own instance), every decision committed to the shared decision log before its answer.
 * Plus how long a publish on one instance takes to be served by another (LISTEN/NOTIFY).
 * On two shared cores these rows show correctness and overhead, not scaling: the servers, the
 * load generator and PostgreSQL all share the same two cores.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { AS_OF, BASELINE, POLICY_DIR } from './load.ts';

export interface ScalingRow {
  name: string;
  rate: string;
  p50: string;
  p99: string;
  notes: string;
}

const ROOT = path.resolve(import.meta.dirname, '..');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** A throwaway PostgreSQL for the benchmark: the tests' own (test/support/pg-server.mjs), in its own process. */
async function startPostgres(): Promise<{ url: string; stop: () => Promise<void> }> {
  const { startPostgres: start } = await import('../test/support/start-postgres.ts');
  const server = await start();
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('CREATE DATABASE tiaowen');
  await admin.end();
  const u = new URL(server.url);
  u.pathname = '/tiaowen';
  return { url: u.toString(), stop: server.stop };
}

interface Started {
  child: ChildProcess;
  url: string;
  token?: string;
  data: string;
}

/** `tiaowen serve` as a process; on PostgreSQL all instances share `store`. */
async function serve(store?: string): Promise<Started> {
  const data = mkdtempSync(path.join(tmpdir(), 'tiaowen-bench-'));
  const args = ['--import', 'tsx', 'server/cli/main.ts', 'serve', '--port', '0', '--data', data, '--policies', POLICY_DIR, ...(store ? ['--store', store] : [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000);
    const done = () => {
      const u = /listening on (http:\/\/\S+)/.exec(out);
      // The first instance on a new store prints the admin token; the others log in with it.
      if (u && (/Bearer (tw_\S+)/.test(out) || /Log in with an existing token/.test(out))) {
        clearTimeout(timer);
        // From here on the server writes its access log: drained, not kept.
        child.stdout!.removeAllListeners('data');
        child.stderr!.removeAllListeners('data');
        child.stdout!.resume();
        child.stderr!.resume();
        resolve({ child, url: u[1]!, token: /Bearer (tw_\S+)/.exec(out)?.[1], data });
      }
    };
    child.stdout!.on('data', (b: Buffer) => ((out += b.toString()), done()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', () => reject(new Error(`server exited: ${out}`)));
  });
}

async function stop(s: Started): Promise<void> {
  s.child.kill('SIGTERM');
  await new Promise((r) => (s.child.exitCode !== null ? r(null) : s.child.once('exit', r)));
  rmSync(s.data, { recursive: true, force: true });
}

type Autocannon = (opts: Record<string, unknown>) => Promise<{ requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number }>;

async function load(autocannon: Autocannon, targets: Started[], token: string, body: string, batch: number, seconds: number, connections: number) {
  const runs = targets.map((t) =>
    autocannon({
      url: `${t.url}/api/v1/evaluate/batch?policy=${encodeURIComponent(BASELINE)}&asOf=${AS_OF}&view=lean`,
      method: 'POST',
      connections,
      duration: seconds,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      body,
    }),
  );
  const results = await Promise.all(runs);
  return {
    rate: results.reduce((n, r) => n + r.requests.average * batch, 0),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
  };
}

async function api(url: string, token: string, method: string, p: string, json?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(url + p, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: json ? JSON.stringify(json) : undefined });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** Publishes on `a`, then polls `b` every 2 ms until it serves the version: the delay, ms. */
async function publishDelays(a: Started, b: Started, admin: string, times: number, store: string): Promise<number[]> {
  const author = (await api(a.url, admin, 'POST', '/api/v1/tokens', { role: 'author', name: 'bench-author' })).body.token as string;
  // A reviewer made over the API by the only admin waits for a second admin: the operator (CLI) makes it.
  const { main } = await import('../server/cli/main.ts');
  const printed: string[] = [];
  await main(['token', 'create', '--role', 'reviewer', '--name', 'bench-reviewer', '--store', store], { out: (s) => printed.push(s), err: (s) => printed.push(s) });
  const reviewer = printed.find((l) => l.startsWith('tw_'))!;
  const delays: number[] = [];
  for (let i = 0; i < times; i++) {
    const source = `policy "bench/notify${i}"\n  title "通知延迟"\n  jurisdiction bench\n  version "1"\n  effective from 2020-01-01\n  source 办法 "测试"\n\nfacts\n  违规 "违规": boolean\n\nrule r "规则"\n  cites 办法 "一"\n  when 违规\n  then violation\n    message "违规"\n`;
    const d = (await api(a.url, author, 'POST', '/api/v1/drafts', { source, format: 'dsl' })).body.id as number;
    await api(a.url, author, 'POST', `/api/v1/drafts/${d}/submit`);
    await api(a.url, reviewer, 'POST', `/api/v1/drafts/${d}/approve`);
    const published = await api(a.url, author, 'POST', `/api/v1/drafts/${d}/publish`);
    if (published.status !== 201) throw new Error(`publish answered ${published.status}`);
    const t0 = performance.now();
    // Asks by listing (no read-through on a miss): what B has heard, not what it can look up.
    for (;;) {
      const list = (await api(b.url, admin, 'GET', '/api/v1/policies')).body.items as { id: string }[];
      if (list.some((p) => p.id === `bench/notify${i}`)) break;
      if (performance.now() - t0 > 30_000) throw new Error('the other instance never saw the publish');
      await new Promise((r) => setTimeout(r, 2));
    }
    delays.push(performance.now() - t0);
  }
  return delays.sort((x, y) => x - y);
}

export async function scalingRows(opts: { records: unknown[]; batch: number; connections: number; seconds: number; log: (s: string) => void }): Promise<ScalingRow[]> {
  const { default: autocannon } = (await import('autocannon')) as unknown as { default: Autocannon };
  const body = opts.records.slice(0, opts.batch).map((facts) => JSON.stringify({ facts })).join('\n') + '\n';
  const rows: ScalingRow[] = [];
  const note = (r: { non2xx: number }, instances: number, store: string) =>
    `${opts.batch} records per request, ${opts.connections} connections per instance, ${opts.seconds} s, view=lean; ${r.non2xx} non-2xx; ${instances} server process${instances > 1 ? 'es' : ''} on ${store}; each decision committed to the decision log before its answer`;

  opts.log('(f) SQLite, one server …');
  const lite = await serve();
  try {
    await load(autocannon, [lite], lite.token!, body, opts.batch, 1, opts.connections);
    const r = await load(autocannon, [lite], lite.token!, body, opts.batch, opts.seconds, opts.connections);
    rows.push({ name: '(f1) evaluate over HTTP, SQLite (embedded), 1 server', rate: fmt(r.rate), p50: `${r.p50} ms / request`, p99: `${r.p99} ms / request`, notes: note(r, 1, 'SQLite (WAL, synchronous=FULL)') });
  } finally {
    await stop(lite);
  }

  opts.log('(f) PostgreSQL …');
  const pgServer = await startPostgres();
  try {
    const a = await serve(pgServer.url);
    const token = a.token!;
    try {
      await load(autocannon, [a], token, body, opts.batch, 1, opts.connections);
      const r1 = await load(autocannon, [a], token, body, opts.batch, opts.seconds, opts.connections);
      rows.push({ name: '(f2) evaluate over HTTP, PostgreSQL, 1 server', rate: fmt(r1.rate), p50: `${r1.p50} ms / request`, p99: `${r1.p99} ms / request`, notes: note(r1, 1, 'PostgreSQL 18 (fsync on, synchronous_commit on)') });
      const b = await serve(pgServer.url);
      try {
        await load(autocannon, [a, b], token, body, opts.batch, 1, opts.connections);
        const r2 = await load(autocannon, [a, b], token, body, opts.batch, opts.seconds, opts.connections);
        rows.push({ name: '(f3) evaluate over HTTP, PostgreSQL, 2 servers', rate: fmt(r2.rate), p50: `${r2.p50} ms / request`, p99: `${r2.p99} ms / request`, notes: `${note(r2, 2, 'one PostgreSQL 18')}; p50/p99 are the worse of the two instances` });
        opts.log('(f) publish → other instance …');
        const delays = await publishDelays(a, b, token, 7, pgServer.url);
        rows.push({
          name: '(f4) a publish on one instance, served by another (LISTEN/NOTIFY)',
          rate: '—',
          p50: `${delays[Math.floor(delays.length / 2)]!.toFixed(1)} ms`,
          p99: `max ${delays.at(-1)!.toFixed(1)} ms`,
          notes: `${delays.length} publishes; measured from the publish's answer to the other instance listing the policy (polled every 2 ms)`,
        });
      } finally {
        await stop(b);
      }
    } finally {
      await stop(a);
    }
  } finally {
    await pgServer.stop();
  }
  return rows;
}
