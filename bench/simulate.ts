/**
 * Simulation benchmark, run as its own process so its peak RSS is its own: N synthetic records
 * (a JSONL file generated once, outside the timing) streamed from disk in chunks of lines through
 * the worker pool, which parses them and decides each under the baseline and the candidate.
 * Prints one JSON line: records, wall time, records/s, peak RSS, changed records.
 *
 *   npx tsx bench/simulate.ts [--count 1000000] [--chunk-bytes 1048576] [--workers N] [--report]
 *
 * `--report` asks the workers for what the impact report needs, as server/jobs.ts does (records
 * per value of each groupable fact, the changed records' computed amounts), merged here by
 * server/report/tally.ts. Compare with and without it for that cost.
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WorkerPool, addCounts, emptyCounts, type Task } from '../engine/parallel/index.ts';
import { DEFAULT_SEED, GENERATOR_VERSION, takeRecords } from './generate-loans.ts';
import { AS_OF, benchPolicies } from './load.ts';
import { ReportTally } from '../server/report/tally.ts';
import { loadEngine } from '../server/engine.ts';

const argv = process.argv.slice(2);
const opt = (name: string, d: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : d;
};
const count = opt('--count', 1_000_000);
/** Bytes read per task; the chunk is cut at its last newline, so ~2,000 records of ~500 bytes. */
const chunkBytes = opt('--chunk-bytes', 1 << 20);

/** The records as a JSONL file, made once per count (generation is not what is measured). */
async function dataset(): Promise<string> {
  const dir = path.join(tmpdir(), 'tiaowen-bench');
  const file = path.join(dir, `loans-v${GENERATOR_VERSION}-${DEFAULT_SEED}-${count}.jsonl`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  let buf = '';
  for (const rec of takeRecords(count)) {
    buf += JSON.stringify(rec) + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.end(buf);
  await new Promise<void>((r) => out.once('finish', () => r()));
  renameSync(tmp, file);
  return file;
}

const file = await dataset();
const { baseline, candidate } = benchPolicies();
const pool = new WorkerPool(argv.includes('--workers') ? { size: opt('--workers', 2) } : {});
const b = pool.register(baseline);
const c = pool.register(candidate);

const tally = argv.includes('--report') ? new ReportTally(await loadEngine(), baseline, candidate, AS_OF) : undefined;
const ask = tally ? { report: { facts: tally.groupFacts } } : {};
/** As the server does with an upload: the main thread only cuts the text at newlines. */
async function* tasks(): AsyncGenerator<Task> {
  let rest = '';
  for await (const piece of createReadStream(file, { encoding: 'utf8', highWaterMark: chunkBytes })) {
    const text = rest + (piece as string);
    const cut = text.lastIndexOf('\n') + 1;
    rest = text.slice(cut);
    if (cut > 0) yield { op: 'simulate', baseline: b, candidate: c, asOf: AS_OF, lines: text.slice(0, cut), ...ask };
  }
  if (rest) yield { op: 'simulate', baseline: b, candidate: c, asOf: AS_OF, lines: rest, ...ask };
}

const started = performance.now();
const cpuBefore = process.cpuUsage();
const sides = { baseline: emptyCounts(), candidate: emptyCounts() };
let done = 0;
let changed = 0;
for await (const r of pool.ordered(tasks())) {
  if (r.op !== 'simulate') throw new Error('engine bug: wrong task result');
  if (tally && r.report) tally.addChunk(r.report);
  done += r.count;
  changed += r.changes.length;
  addCounts(sides.baseline, r.baseline);
  addCounts(sides.candidate, r.candidate);
}
const wallMs = performance.now() - started;
// CPU of every thread of this process (workers included): steadier than wall time on a busy machine.
const cpu = process.cpuUsage(cpuBefore);
await pool.close();
const maxRssKb = process.resourceUsage().maxRSS;
process.stdout.write(
  JSON.stringify({
    records: done,
    workers: pool.size,
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    recordsPerSec: Math.round(done / (wallMs / 1000)),
    peakRssMiB: Math.round(maxRssKb / 1024),
    changed,
    report: tally ? Object.keys(tally.finish(done).columns).length : undefined,
    redLineFired: { baseline: sides.baseline.byRule.npl_red_line?.fired ?? 0, candidate: sides.candidate.byRule.npl_red_line?.fired ?? 0 },
  }) + '\n',
);
