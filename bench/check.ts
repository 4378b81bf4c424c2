/**
 * Row (i): `tiaowen check policies` with every analysis on, as a person runs it, in this process
 * (started by bench/run.ts as `node --import tsx bench/check.ts`): wall time and the CPU time of
 * the whole process (every thread, Z3's included) from process start — module loading, compiling,
 * the probe and the solver. Prints one JSON line.
 */
import path from 'node:path';
import { main } from '../server/cli/main.ts';
import { shutdownSolver } from '../engine/analysis/index.ts';

const root = path.resolve(import.meta.dirname, '..');
process.chdir(root);
let lines = 0;
let summary = '';
const code = await main(['check', 'policies'], {
  out: (s) => {
    lines++;
    if (s.includes('file(s) checked')) summary = s;
  },
  err: () => undefined,
});
// Measured before Z3's threads are stopped: what `check` itself cost.
const wallMs = performance.now();
const cpu = process.cpuUsage();
await shutdownSolver();
process.stdout.write(JSON.stringify({ code, wallMs: Math.round(wallMs), userMs: Math.round(cpu.user / 1000), systemMs: Math.round(cpu.system / 1000), lines, summary }) + '\n');
