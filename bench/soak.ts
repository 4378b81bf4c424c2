/**
 * `npm run soak`: the long run of the fuzz suite (test/fuzz/) against a real server process run
 * with a heap limit, plus kill -9 during writes. Not a timed test: it prints what it saw, and
 * docs/reliability.md records the figures of the last run.
 *
 *   1. malformed requests over every route of the served OpenAPI document, route by route, with
 *      the server's RSS after each route's share (so memory growth can be bisected by route);
 *   2. mutated policy texts through every stage, in this process;
 *   3. kill -9 during writes: drafts created as fast as the server acknowledges them, the server
 *      killed at a random moment, restarted on the same data, and every acknowledged draft read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import fc from 'fast-check';
import { checkAnswer, malformedRequest, operationsOf, rng } from '../test/fuzz/requests.ts';
import { mutate, mutationArb, throughEveryStage } from '../test/fuzz/mutate.ts';
import { policySource } from '../test/server/instances/procs.ts';
import { compileSource } from '../engine/index.ts';

const HELP = `npm run soak -- [options]

  --requests N   malformed requests in all (default 100000)
  --policies N   mutated policy texts (default 100000)
  --kills N      kill -9 during writes, then check acknowledged writes (default 100)
  --heap MB      the server's --max-old-space-size (default 256; 0: V8's default)
  --seed N       seed of every generator (default 20261206)
  --help         this text

Exit codes: 0 nothing wrong; 1 a problem was found (5xx, a leak, a thrown exception, a lost
write, the server died); 2 wrong usage.
长时间稳定性测试:向真实服务器进程发送畸形请求、变异政策文本,并在写入中途 kill -9。`;

function args(argv: string[]): { requests: number; policies: number; kills: number; heap: number; seed: number } | undefined {
  const o = { requests: 100_000, policies: 100_000, kills: 100, heap: 256, seed: 20261206 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') return undefined;
    const key = a.replace(/^--/, '') as keyof typeof o;
    const v = Number(argv[++i]);
    if (!(key in o) || !Number.isFinite(v) || v < 0) throw new Error(`bad option ${a} ${argv[i] ?? ''}`);
    o[key] = v;
  }
  return o;
}

interface Server {
  child: ChildProcess;
  url: string;
  adminToken: string | null;
}

const CHILD = join(import.meta.dirname, '../test/server/serve-child.ts');

function startServer(dataDir: string, heapMb: number): Promise<Server> {
  // --heap 0: V8's own default limit, to compare what the limit changes.
  const heap = heapMb > 0 ? [`--max-old-space-size=${heapMb}`] : [];
  const child = spawn(process.execPath, [...heap, '--import', 'tsx', CHILD, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d) => (err = (err + String(d)).slice(-4000)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve({ child, ...(JSON.parse(line) as { url: string; adminToken: string | null }) }));
    child.once('exit', (code, signal) => reject(new Error(`server exited ${code ?? signal}: ${err}`)));
  });
}

function rssMb(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

const stopped = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));

async function api(url: string, token: string, method: string, path: string, json?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${token}`, ...(json ? { 'content-type': 'application/json' } : {}) }, body: json ? JSON.stringify(json) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function malformed(n: number, heap: number, seed: number): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tiaowen-soak-'));
  const s = await startServer(dir, heap);
  const problems: string[] = [];
  try {
    const tokens: Record<string, string> = { admin: s.adminToken! };
    for (const role of ['author', 'reviewer', 'system', 'viewer']) {
      const r = await api(s.url, s.adminToken!, 'POST', '/api/v1/tokens', { role, name: `soak-${role}` });
      tokens[role] = r.body.token as string;
    }
    const doc = (await (await fetch(`${s.url}/api/v1/openapi.json`)).json()) as Parameters<typeof operationsOf>[0];
    const ops = operationsOf(doc);
    const per = Math.max(1, Math.ceil(n / ops.length));
    const random = rng(seed);
    const start = rssMb(s.child.pid);
    console.log(`malformed requests: ${ops.length} operations × ${per}, server heap limit ${heap} MB, RSS at start ${start} MB`);
    console.log('  RSS (MB) after each operation\'s share:');
    let sent = 0;
    const t0 = Date.now();
    for (const op of ops) {
      const before = rssMb(s.child.pid);
      for (let i = 0; i < per; i++) {
        const r = malformedRequest(op, random, tokens);
        try {
          const res = await fetch(s.url + r.path, { method: r.method, headers: r.headers, body: r.body });
          const text = await res.text();
          const p = checkAnswer(res.status, res.headers.get('content-type'), text);
          if (p && problems.length < 50) {
            problems.push(`${r.method} ${r.path.slice(0, 100)} [${r.what}] → ${res.status}: ${p}`);
            // At once, so a long run that is stopped early still says what it found.
            console.log(`  PROBLEM ${problems.at(-1)}`);
          }
        } catch (e) {
          // A reset connection is how the server refuses some oversized input; a dead server is not.
          if (s.child.exitCode !== null || s.child.signalCode !== null) {
            problems.push(`server died after ${sent} requests (${op.method} ${op.path})`);
            return problems;
          }
          if (!/fetch failed|other side closed|ECONNRESET|UND_ERR/.test(String((e as Error).cause ?? e))) {
            problems.push(`${r.method} ${r.path.slice(0, 80)} [${r.what}]: ${String(e)} (${String((e as Error).cause)})`);
            console.log(`  PROBLEM ${problems.at(-1)}`);
          }
        }
        sent++;
      }
      console.log(`  ${String(rssMb(s.child.pid)).padStart(5)} (${rssMb(s.child.pid) - before >= 0 ? '+' : ''}${rssMb(s.child.pid) - before})  ${op.method} ${op.path}`);
    }
    const end = rssMb(s.child.pid);
    await new Promise((r) => setTimeout(r, 5000));
    console.log(`  ${sent} requests in ${Math.round((Date.now() - t0) / 1000)} s; RSS ${start} → ${end} MB, ${rssMb(s.child.pid)} MB after 5 s idle; problems: ${problems.length}`);
  } finally {
    s.child.kill('SIGKILL');
    await stopped(s.child);
    rmSync(dir, { recursive: true, force: true });
  }
  return problems;
}

function policies(n: number, seed: number): string[] {
  const files = ['gansu/poverty-loan/poverty-loan.policy', 'central/responsibility/responsibility.policy', 'gansu/special-fund/special-fund.policy', 'panjin/inspection-accountability/inspection-accountability.policy'];
  const seeds = files.map((f) => {
    const text = readFileSync(join(import.meta.dirname, '../policies', f), 'utf8');
    return { text, ir: compileSource(text).value };
  });
  const problems: string[] = [];
  const reached = new Map<string, number>();
  const t0 = Date.now();
  const samples = fc.sample(fc.tuple(fc.nat(seeds.length - 1), fc.array(mutationArb, { minLength: 1, maxLength: 4 })), { seed, numRuns: n });
  samples.forEach(([i, ms], k) => {
    const text = mutate(seeds[i]!.text, ms);
    try {
      const r = throughEveryStage(text, 'dsl', seeds[i]!.ir);
      reached.set(r.reached, (reached.get(r.reached) ?? 0) + 1);
    } catch (e) {
      if (problems.length < 50) problems.push(`policy #${k}: ${String(e).slice(0, 200)} (mutations ${JSON.stringify(ms).slice(0, 200)})`);
    }
    if ((k + 1) % 1000 === 0) console.log(`  ${k + 1} policies, ${Math.round((Date.now() - t0) / 1000)} s, RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`);
  });
  console.log(`mutated policies: ${n} in ${Math.round((Date.now() - t0) / 1000)} s; furthest stage reached: ${JSON.stringify(Object.fromEntries(reached))}; problems: ${problems.length}`);
  return problems;
}

async function kills(n: number, heap: number, seed: number): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tiaowen-soak-kill-'));
  const random = rng(seed);
  const acknowledged: number[] = [];
  const problems: string[] = [];
  let admin = '';
  let author = '';
  try {
    for (let k = 0; k < n; k++) {
      const s = await startServer(dir, heap);
      if (k === 0) {
        admin = s.adminToken!;
        author = (await api(s.url, admin, 'POST', '/api/v1/tokens', { role: 'author', name: 'soak-author' })).body.token as string;
      }
      // Every draft acknowledged before any earlier kill must have survived it.
      for (const id of acknowledged.slice(-200)) {
        const r = await api(s.url, author, 'GET', `/api/v1/drafts/${id}`);
        if (r.status !== 200) problems.push(`cycle ${k}: acknowledged draft ${id} answered ${r.status}`);
      }
      // Four writers until killed at a random moment 0.3–2 s in: long enough that most cycles
      // acknowledge drafts (a draft is compiled and committed before its 201), short enough that
      // the kill lands mid-write.
      let alive = true;
      const writer = (w: number) =>
        (async () => {
          for (let i = 0; alive; i++) {
            try {
              const r = await api(s.url, author, 'POST', '/api/v1/drafts', { source: policySource(`soak/p${k}w${w}`, `${k}.${i}`, `第${i}条`) });
              if (r.status === 201) acknowledged.push(r.body.id as number);
            } catch {
              return; // killed mid-request: not acknowledged
            }
          }
        })();
      const writers = Promise.all([0, 1, 2, 3].map(writer));
      await new Promise((r) => setTimeout(r, 300 + random() * 1700));
      s.child.kill('SIGKILL');
      alive = false;
      await stopped(s.child);
      await writers;
      if ((k + 1) % 10 === 0) console.log(`  ${k + 1} kills, ${acknowledged.length} acknowledged drafts, problems so far: ${problems.length}`);
    }
    // The last check covers every acknowledged write.
    const s = await startServer(dir, heap);
    let missing = 0;
    for (const id of acknowledged) if ((await api(s.url, author, 'GET', `/api/v1/drafts/${id}`)).status !== 200) missing++;
    if (missing > 0) problems.push(`${missing} of ${acknowledged.length} acknowledged drafts missing after the last kill`);
    s.child.kill('SIGKILL');
    await stopped(s.child);
    console.log(`kill -9 during writes: ${n} kills, ${acknowledged.length} acknowledged drafts, ${missing} missing`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return problems;
}

async function soak(): Promise<number> {
  let o: ReturnType<typeof args>;
  try {
    o = args(process.argv.slice(2));
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (!o) {
    console.log(HELP);
    return 0;
  }
  console.log(`soak: ${JSON.stringify(o)}, node ${process.version}, started ${new Date().toISOString()}`);
  const problems: string[] = [];
  if (o.requests > 0) problems.push(...(await malformed(o.requests, o.heap, o.seed)));
  if (o.policies > 0) problems.push(...policies(o.policies, o.seed));
  if (o.kills > 0) problems.push(...(await kills(o.kills, o.heap, o.seed)));
  for (const p of problems) console.log(`PROBLEM ${p}`);
  console.log(`soak finished ${new Date().toISOString()}: ${problems.length} problem(s)`);
  return problems.length > 0 ? 1 : 0;
}

process.exitCode = await soak();
