/**
 * Rows (g) and (h) of `npm run bench`: simulation as SQL on DuckDB (bench/sql.ts, one child process
 * each, so each peak RSS is its own).
 *   (g) national scale: N households (default 30,000,000) × 2 versions of gansu/poverty-loan,
 *       generation timed apart; targets ≤ 30 s wall, ≤ 2 GiB peak RSS.
 *   (h) the loan books of row (e), same records, as SQL; target ≥ 10× row (e)'s records/s.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

interface Row {
  name: string;
  rate: string;
  p50: string;
  p99: string;
  notes: string;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function child(args: string[]): Promise<{ code: number | null; out: string }> {
  const c = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'sql.ts'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  c.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const code = await new Promise<number | null>((r) => c.once('exit', r));
  return { code, out };
}

export async function sqlRows(o: { g: boolean; h: boolean; households: number; loanBooks: number; inProcessRate?: number; log: (s: string) => void }): Promise<Row[]> {
  const rows: Row[] = [];
  if (o.g) {
    o.log(`(g) ${fmt(o.households)} households as SQL on DuckDB …`);
    const { code, out } = await child(['--households', String(o.households)]);
    try {
      const s = JSON.parse(out) as { records: number; generateMs: number; wallMs: number; recordsPerSec: number; peakRssMiB: number; changed: number; eligible: { baseline: number; candidate: number } };
      rows.push({
        name: `(g) simulation as SQL (DuckDB), ${fmt(s.records)} households × 2 versions (cap 5万 → 8万), gansu/poverty-loan`,
        rate: `${fmt(s.recordsPerSec)} records/s`,
        p50: `wall ${(s.wallMs / 1000).toFixed(1)} s`,
        p99: `peak RSS ${s.peakRssMiB} MiB`,
        notes: `generated in ${(s.generateMs / 1000).toFixed(1)} s (Parquet, in DuckDB); ${fmt(s.changed)} changed outcome; eligible ${fmt(s.eligible.baseline)} → ${fmt(s.eligible.candidate)}; coverage and changed records (Parquet) included`,
      });
    } catch {
      rows.push({ name: '(g) simulation as SQL, households', rate: 'n/a', p50: 'n/a', p99: 'n/a', notes: `child exited ${code}: ${out.slice(0, 200)}` });
    }
  }
  if (o.h) {
    o.log(`(h) ${fmt(o.loanBooks)} loan books as SQL on DuckDB …`);
    const { code, out } = await child(['--loan-books', String(o.loanBooks)]);
    try {
      const s = JSON.parse(out) as { records: number; wallMs: number; recordsPerSec: number; peakRssMiB: number; changed: number; avgLoans: number; redLineFired: { baseline: number; candidate: number } };
      const ratio = o.inProcessRate ? ` = ${(s.recordsPerSec / o.inProcessRate).toFixed(1)}× row (e)` : '';
      rows.push({
        name: `(h) simulation as SQL (DuckDB), ${fmt(s.records)} loan books (${s.avgLoans} loans each, a LIST<STRUCT> column) × 2 versions (red line 3% → 5%)`,
        rate: `${fmt(s.recordsPerSec)} records/s`,
        p50: `wall ${(s.wallMs / 1000).toFixed(1)} s`,
        p99: `peak RSS ${s.peakRssMiB} MiB`,
        notes: `same records as (e)${ratio}; ${fmt(s.changed)} changed outcome; npl_red_line fired ${fmt(s.redLineFired.baseline)} → ${fmt(s.redLineFired.candidate)}`,
      });
    } catch {
      rows.push({ name: '(h) simulation as SQL, loan books', rate: 'n/a', p50: 'n/a', p99: 'n/a', notes: `child exited ${code}: ${out.slice(0, 200)}` });
    }
  }
  return rows;
}
