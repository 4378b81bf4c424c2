/**
 * Synthetic household loan applications for `gansu/poverty-loan` (the national-scale benchmark),
 * generated inside DuckDB and written to Parquet: every declared fact a column, a few percent of
 * each missing, amounts spread so that a good share lie between 5万 and 8万 (where raising the
 * per-household cap changes decisions). Same seed, same rows, at any size.
 *
 *   npx tsx bench/households.ts [--count 1000000] [--seed 20150601] [--out households.parquet]
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { compileSource } from '../engine/index.ts';
import type { PolicyIR } from '../engine/ir/types.ts';
import { openDuckDb } from '../engine/sql/duckdb.ts';
import { generateSql, type FactShape } from '../engine/sql/generate.ts';
import { str } from '../engine/sql/dialect.ts';

export const HOUSEHOLD_SEED = 20_150_601;
export const POLICY_FILE = path.resolve(import.meta.dirname, '../policies/gansu/poverty-loan/poverty-loan.policy');

export function povertyLoanIr(): PolicyIR {
  const r = compileSource(readFileSync(POLICY_FILE, 'utf8'), { file: POLICY_FILE });
  if (!r.value) throw new Error(r.diagnostics.map((d) => d.message.en).join('; '));
  return r.value;
}

/** Most applicants are households borrowing for themselves, most facts are in order; some are not. */
const SHAPES: Record<string, FactShape> = {
  借款人类型: { missing: 0.01, sql: (u) => `CASE WHEN ${u(0)} < 0.8 THEN '贫困户' WHEN ${u(0)} < 0.9 THEN '合作组织' ELSE '致富能人' END` },
  建档立卡贫困户: { missing: 0.02, sql: (u) => `(${u(0)} < 0.95)` },
  贷款用途: { missing: 0.02, sql: (u) => `['种植', '养殖', '农副产品加工', '流通', '其他农林牧渔', '非生产经营'][1 + CAST(floor(pow(${u(0)}, 1.5) * 6) AS INTEGER)]` },
  // 5,000–90,000 yuan in steps of 1,000, a fifth with fen; a few percent between 5万 and 8万.
  贷款金额: { missing: 0.03, sql: (u) => `CAST(CASE WHEN ${u(0)} < 0.93 THEN 10000 + floor(${u(1)} * 41) * 1000 WHEN ${u(0)} < 0.97 THEN 50000 + floor(${u(1)} * 31) * 1000 ELSE 5000 + floor(${u(1)} * 86) * 1000 END + CASE WHEN ${u(2)} < 0.2 THEN floor(${u(3)} * 100) / 100 ELSE 0 END AS DECIMAL(18,2))` },
  贷款期限月数: { missing: 0.02, sql: (u) => `CAST(CASE WHEN ${u(0)} < 0.9 THEN 12 + floor(${u(1)} * 25) ELSE 1 + floor(${u(1)} * 60) END AS INTEGER)` },
  签订带动协议: { missing: 0.05, sql: (u) => `(${u(0)} < 0.9)` },
  贫困户事先同意: { missing: 0.05, sql: (u) => `(${u(0)} < 0.92)` },
  县政府书面审批: { missing: 0.05, sql: (u) => `(${u(0)} < 0.9)` },
  带动户应享受贷款总额: { missing: 0.1, sql: (u) => `CAST((5 + floor(${u(0)} * 60)) * 50000 AS DECIMAL(18,2))` },
  资金支付方式: { missing: 0.05, sql: (u) => `CASE WHEN ${u(0)} < 0.97 THEN '转账' ELSE '现金' END` },
  代签或非当面签署: { missing: 0.05, sql: (u) => `(${u(0)} < 0.02)` },
  贷款到期日: { missing: 0.03, sql: (u) => `CAST(DATE '2016-06-01' + CAST(floor(${u(0)} * 1500) AS INTEGER) AS DATE)` },
  委托资金到期日: { missing: 0.03, sql: (u) => `CAST(DATE '2018-06-01' + CAST(floor(${u(0)} * 1000) AS INTEGER) AS DATE)` },
};

/** The generating SELECT for `count` households. */
export function householdsSql(count: number, seed = HOUSEHOLD_SEED, ir = povertyLoanIr()): string {
  return generateSql(ir, { count, seed, shapes: SHAPES });
}

/** Writes `count` households to a Parquet file; returns the wall time in ms. */
export async function writeHouseholds(out: string, count: number, seed = HOUSEHOLD_SEED): Promise<number> {
  const started = performance.now();
  const db = await openDuckDb();
  try {
    // Rows are written in parallel (their order is free: rid says which is which); zstd writes
    // faster here than the default snappy, and smaller.
    await db.run('SET preserve_insertion_order = false');
    await db.run(`COPY (${householdsSql(count, seed)}) TO ${str(path.resolve(out))} (FORMAT parquet, COMPRESSION zstd)`);
  } finally {
    db.close();
  }
  return performance.now() - started;
}

async function main(argv: string[]): Promise<void> {
  const opt = (name: string, d: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1]! : d;
  };
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write('usage: tsx bench/households.ts [--count N] [--seed S] [--out file.parquet]\n');
    return;
  }
  const count = Number(opt('--count', '1000000'));
  const out = opt('--out', 'households.parquet');
  const ms = await writeHouseholds(out, count, Number(opt('--seed', String(HOUSEHOLD_SEED))));
  process.stdout.write(`${count} households → ${out} in ${(ms / 1000).toFixed(1)} s\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
