/**
 * Simulation benchmark, run as its own process so its peak RSS is its own: N synthetic records
 * streamed in chunks through the worker pool, each decided under the baseline and the candidate.
 * Prints one JSON line: records, wall time, records/s, peak RSS, changed records.
 *
 *   npx tsx bench/simulate.ts [--count 1000000] [--chunk 2000] [--workers N]
 */
import { WorkerPool, addCounts, emptyCounts, type Task } from '../engine/parallel/index.ts';
import { takeRecords } from './generate-loans.ts';
import { AS_OF, benchPolicies } from './load.ts';

const argv = process.argv.slice(2);
const opt = (name: string, d: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : d;
};
const count = opt('--count', 1_000_000);
const chunk = opt('--chunk', 2000);
const { baseline, candidate } = benchPolicies();
const pool = new WorkerPool(argv.includes('--workers') ? { size: opt('--workers', 2) } : {});
const b = pool.register(baseline);
const c = pool.register(candidate);

function* tasks(): Generator<Task> {
  let lines = '';
  let n = 0;
  for (const rec of takeRecords(count)) {
    lines += JSON.stringify(rec) + '\n';
    if (++n === chunk) {
      yield { op: 'simulate', baseline: b, candidate: c, asOf: AS_OF, lines };
      lines = '';
      n = 0;
    }
  }
  if (n) yield { op: 'simulate', baseline: b, candidate: c, asOf: AS_OF, lines };
}

const started = performance.now();
const sides = { baseline: emptyCounts(), candidate: emptyCounts() };
let done = 0;
let changed = 0;
for await (const r of pool.ordered(tasks())) {
  if (r.op !== 'simulate') throw new Error('engine bug: wrong task result');
  done += r.count;
  changed += r.changes.length;
  addCounts(sides.baseline, r.baseline);
  addCounts(sides.candidate, r.candidate);
}
const wallMs = performance.now() - started;
await pool.close();
const maxRssKb = process.resourceUsage().maxRSS;
process.stdout.write(
  JSON.stringify({
    records: done,
    workers: pool.size,
    wallMs: Math.round(wallMs),
    recordsPerSec: Math.round(done / (wallMs / 1000)),
    peakRssMiB: Math.round(maxRssKb / 1024),
    changed,
    redLineFired: { baseline: sides.baseline.byRule.npl_red_line?.fired ?? 0, candidate: sides.candidate.byRule.npl_red_line?.fired ?? 0 },
  }) + '\n',
);
