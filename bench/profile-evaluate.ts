/**
 * Where a one-decision request's time goes (issue #18, row (d″)): starts `tiaowen serve` under
 * `--cpu-prof`, drives POST /api/v1/evaluate with autocannon (32 connections), stops the server,
 * and sums the main thread's CPU profile by part of the request (authentication, validation,
 * deciding, serialising, the decision log, HTTP and the rest), by self time.
 *
 *   npx tsx bench/profile-evaluate.ts [--seconds 10] [--connections 32] [--keep DIR]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parsedRecords } from './generate-loans.ts';
import { AS_OF, BASELINE } from './load.ts';
import { startBenchServer } from './server.ts';

const HELP = `usage: npx tsx bench/profile-evaluate.ts [--seconds N] [--connections N] [--keep DIR]
  --seconds N      how long to drive POST /api/v1/evaluate (default 10)
  --connections N  concurrent connections (default 32)
  --keep DIR       write the .cpuprofile there (open it in Chrome DevTools) instead of deleting it
Prints the server main thread's self time by part of the request, and the top functions.`;

const { values } = parseArgs({ options: { seconds: { type: 'string' }, connections: { type: 'string' }, keep: { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  process.stdout.write(HELP + '\n');
  process.exit(0);
}
const seconds = Number(values.seconds ?? 10);
const connections = Number(values.connections ?? 32);
if (!(seconds > 0) || !(connections > 0)) {
  process.stderr.write('--seconds and --connections take a number above 0\n');
  process.exit(2);
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The part of a request a frame belongs to, by the file it runs in (first match wins). */
const PARTS: [string, RegExp][] = [
  // @hono/node-server materialises a WHATWG Request (undici, with an AbortSignal) when the body is read.
  ['Request/Response objects (undici, AbortSignal)', /undici|abort_controller|js_transferable|webidl|fetch\/|headers/],
  ['decision log (serialise, hash, SQLite)', /server\/(decisionLog|store)|sqlite3|node:crypto|ledger/],
  ['authentication', /server\/auth/],
  ['facts validation (ajv)', /facts\/validate|ajv/],
  ['deciding (generated code)', /engine\/(compiled|evaluate|values)|<anonymous>|eval/],
  ['request/answer JSON', /JSON|json/],
  ['routing, middleware, access log (Hono)', /hono|server\/(app|routes|requests|metrics|context|errors|engine|policies)/],
  ['HTTP (node:http, sockets)', /node:(http|net|_http|stream|internal\/streams)|_http_|net\.js|stream/],
];

/**
 * Only the samples of the measured run count: the profile covers start-up (module loading) and
 * warm-up too, so it is cut to `windowUs` before the last sample, less the shutdown margin.
 */
function summarise(p: Profile, windowUs: number, marginUs: number, requests: number): void {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let t = p.startTime;
  const times = p.timeDeltas.map((d) => (t += d));
  const last = times[times.length - 1] ?? p.endTime;
  const from = last - marginUs - windowUs;
  const to = last - marginUs;
  p.samples.forEach((id, i) => {
    if (times[i]! < from || times[i]! > to) return;
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const parts = new Map<string, number>();
  const fns = new Map<string, number>();
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    const where = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules\/)?/, '')}:${f.lineNumber + 1}`;
    fns.set(where, (fns.get(where) ?? 0) + us);
    const name = f.functionName;
    const part =
      name === '(idle)' ? 'idle' : name === '(garbage collector)' ? 'garbage collection' : name === '(program)' ? 'V8/native (program)' : (PARTS.find(([, re]) => re.test(f.url) || re.test(name))?.[0] ?? 'other');
    parts.set(part, (parts.get(part) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1)}%`;
  process.stdout.write(`\nserver main thread, ${(total / 1e6).toFixed(1)} s sampled\n\n| Part | self time | share |\n|---|---|---|\n`);
  for (const [k, us] of [...parts].sort((a, b) => b[1] - a[1])) process.stdout.write(`| ${k} | ${(us / 1e6).toFixed(2)} s | ${pct(us)} |\n`);
  const busy = total - (parts.get('idle') ?? 0);
  process.stdout.write(`\nbusy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s; per request: ${requests > 0 ? ((busy / requests) | 0) : '?'} µs of main-thread CPU\n`);
  process.stdout.write('\nTop functions by self time:\n');
  for (const [k, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, 25)) process.stdout.write(`  ${pct(us).padStart(6)}  ${k}\n`);
}

let doneAt: number | undefined;
let shutdownUs = 0;
let requestCount = 0;
const data = mkdtempSync(path.join(tmpdir(), 'tiaowen-prof-'));
const profDir = values.keep ?? mkdtempSync(path.join(tmpdir(), 'tiaowen-cpuprof-'));
const started = await startBenchServer(data, { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir], stderr: 'inherit' });
const server = started.child;
try {
  const { url, token } = started;
  const { default: autocannon } = await import('autocannon');
  const body = JSON.stringify({ policy: BASELINE, asOf: AS_OF, facts: parsedRecords(1)[0] });
  const drive = (duration: number) =>
    autocannon({ url: `${url}/api/v1/evaluate`, method: 'POST', connections, duration, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
  await drive(2); // warm-up: generated code, caches, JIT
  const r = await drive(seconds);
  doneAt = performance.now();
  requestCount = r.requests.total;
  process.stdout.write(`POST /api/v1/evaluate: ${Math.round(r.requests.average)} requests/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${r.non2xx} non-2xx (${connections} connections, ${seconds} s)\n`);
} finally {
  server.kill('SIGINT');
  await new Promise((r) => server.once('exit', r));
  shutdownUs = doneAt === undefined ? 0 : (performance.now() - doneAt) * 1000;
  rmSync(data, { recursive: true, force: true });
}
const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
if (!file) {
  process.stderr.write(`no profile was written in ${profDir}\n`);
  process.exit(1);
}
summarise(JSON.parse(readFileSync(path.join(profDir, file), 'utf8')) as Profile, seconds * 1e6, shutdownUs, requestCount);
if (values.keep) process.stdout.write(`\nprofile: ${path.join(profDir, file)}\n`);
else rmSync(profDir, { recursive: true, force: true });
