/**
 * Micro-benchmark of the compiled evaluator alone: decisions per second for `decide`,
 * `decideNormalized` (facts normalised beforehand) and `decideCompact` on the benchmark policy and
 * seeded records (parsed from JSON text, as a service gets them), one core, in memory. With
 * `--jre N` it also times the reference (json-rules-engine `evaluate`) on the first N records, for
 * the ratio in the same run.
 *
 *   npx tsx bench/compiled.ts [--records N] [--passes P] [--only decide,normalized,compact] [--jre N]
 *
 * Prints one line per entry point; the last line is JSON: {"records", "passes", "decide",
 * "decideNormalized", "decideCompact", "jre"?, "decidePerCpuSecond", "decideCompactPerCpuSecond"}
 * in decisions/s (per second of wall time, and per second of this process's CPU time).
 */
import { compilePolicy } from '../engine/compiled/index.ts';
import { evaluate } from '../engine/evaluate/decide.ts';
import { parsedRecords } from './generate-loans.ts';
import { AS_OF, BASELINE, benchPolicies } from './load.ts';

const USAGE = `usage: npx tsx bench/compiled.ts [--records N] [--passes P] [--only LIST] [--jre N]
  --records N   records judged per pass (default 20000)
  --passes P    timed passes over the records, best pass reported (default 5)
  --only LIST   comma-separated subset of decide,normalized,compact (default all)
  --jre N       also time json-rules-engine on the first N records (default 0: skip)
`;

const argv = process.argv.slice(2);
if (argv.includes('--help')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const N = Number(opt('--records') ?? 20_000);
const PASSES = Number(opt('--passes') ?? 5);
const JRE_N = Number(opt('--jre') ?? 0);
const only = new Set((opt('--only') ?? 'decide,normalized,compact').split(','));
if (!(N > 0) || !(PASSES > 0) || !(JRE_N >= 0)) {
  process.stderr.write(USAGE);
  process.exit(2);
}

const { baseline } = benchPolicies();
const compiled = compilePolicy(baseline);
const records = parsedRecords(N);
const opts = { asOf: AS_OF };

// A sink the optimiser cannot see through, so no call is dropped as dead code.
let sink = 0;

/**
 * Best decisions/s over `PASSES` timed passes, after two untimed warm-up passes. Also, in
 * `perCpu[name]`, the best decisions per second of this process's CPU time (user + system): on a
 * machine shared with other work, wall time counts the time the scheduler gave to others.
 */
const perCpu: Record<string, number> = {};
function rate(items: readonly unknown[], fn: (r: unknown) => number, name = ''): number {
  for (let w = 0; w < 2; w++) for (let i = 0; i < items.length; i++) sink += fn(items[i]);
  let best = 0;
  let bestCpu = 0;
  for (let p = 0; p < PASSES; p++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < items.length; i++) sink += fn(items[i]);
    const s = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    best = Math.max(best, items.length / s);
    bestCpu = Math.max(bestCpu, items.length / ((c.user + c.system) / 1e6));
  }
  if (name) perCpu[name] = bestCpu;
  return best;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const result: Record<string, number> = { records: N, passes: PASSES };
process.stdout.write(`policy ${BASELINE} (${baseline.ir.rules.length} rules, generated ${compiled.generated}), ${N} records, as of ${AS_OF}\n`);

if (only.has('decide')) {
  result.decide = rate(records, (r) => compiled.decide(r, opts).outcomes.length, 'decide');
  process.stdout.write(`decide            ${fmt(result.decide)}/s (${fmt(perCpu.decide!)} per CPU second)\n`);
}
if (only.has('normalized')) {
  const normalized = records.map((r) => compiled.normalize(r).facts!);
  result.decideNormalized = rate(normalized, (r) => compiled.decideNormalized(r as never, opts).outcomes.length);
  process.stdout.write(`decideNormalized  ${fmt(result.decideNormalized)}/s\n`);
}
if (only.has('compact')) {
  const codes = new Uint8Array(compiled.rules.length); // reused, as the simulation reuses it
  result.decideCompact = rate(records, (r) => compiled.decideCompact(r, opts, undefined, codes).codes[0]!, 'decideCompact');
  process.stdout.write(`decideCompact     ${fmt(result.decideCompact)}/s (${fmt(perCpu.decideCompact!)} per CPU second)\n`);
}
if (JRE_N > 0) {
  const few = records.slice(0, JRE_N);
  for (const r of few.slice(0, 50)) await evaluate(baseline, r, opts);
  const t0 = performance.now();
  for (const r of few) sink += (await evaluate(baseline, r, opts)).outcomes.length;
  result.jre = few.length / ((performance.now() - t0) / 1000);
  process.stdout.write(`json-rules-engine ${fmt(result.jre)}/s`);
  for (const k of ['decide', 'decideCompact'] as const) if (result[k]) process.stdout.write(`; ${k} ${fmt(result[k] / result.jre)}x`);
  process.stdout.write('\n');
}
if (sink === -1) process.stdout.write('\n'); // keeps `sink` live
for (const [k, v] of Object.entries(perCpu)) result[`${k}PerCpuSecond`] = v;
for (const k of Object.keys(result)) result[k] = Math.round(result[k]!);
process.stdout.write(JSON.stringify(result) + '\n');
