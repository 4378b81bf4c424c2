/**
 * Synthetic county loan-book records for the benchmark policy (bench/policy/), from a seeded PRNG
 * so every run judges the same records. A record is one county position: 2–6 outstanding loans
 * (four on average, as issue #15 specifies for the national-scale row; before 2026-12 it was 3–12)
 * (a few with a field missing), fraud findings, subsidy-settlement and risk-compensation dates.
 * NPL ratios are spread so that a good share of counties lie between 3% and 5%, which is where
 * moving the red line changes decisions.
 *
 *   npx tsx bench/generate-loans.ts [--count N] [--seed S] [--out file.jsonl]   (default: stdout)
 */
import { createWriteStream } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** mulberry32: small, fast, good enough for synthetic data; same sequence on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DEFAULT_SEED = 20_150_601;
/** Bumped when the records a seed gives change, so files cached under $TMPDIR/tiaowen-bench are not reused. */
export const GENERATOR_VERSION = 2;

const BASE_DAY = Date.UTC(2018, 0, 2) / 86_400_000;
function dateText(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

export type LoanRecord = Record<string, unknown>;

/** An endless stream of records for one seed; take as many as needed. */
export function* loanRecords(seed = DEFAULT_SEED): Generator<LoanRecord> {
  const r = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const chance = (p: number) => r() < p;
  for (;;) {
    const n = int(2, 6);
    // Target NPL share for this county: most below 3%, many between 3% and 5%, some above.
    const target = chance(0.5) ? r() * 0.03 : chance(0.6) ? 0.03 + r() * 0.02 : 0.05 + r() * 0.1;
    const loans: Record<string, unknown>[] = [];
    const amounts = Array.from({ length: n }, () => int(5, 60) * 1000 + (chance(0.2) ? int(1, 99) / 100 : 0));
    const total = amounts.reduce((a, b) => a + b, 0);
    let npl = 0;
    for (let i = 0; i < n; i++) {
      const amount = amounts[i]!;
      const bad = npl + amount <= total * target * 1.6 && chance(target * 4);
      if (bad) npl += amount;
      const loan: Record<string, unknown> = {
        金额: amount,
        逾期天数: bad ? int(90, 400) : chance(0.2) ? int(1, 89) : 0,
        纳入黑名单: bad ? chance(0.9) : false,
      };
      if (chance(0.01)) delete loan.逾期天数;
      if (chance(0.02)) delete loan.纳入黑名单;
      loans.push(loan);
    }
    const settle = BASE_DAY + int(0, 700);
    const report = settle + int(0, 4);
    const toProvince = report + int(2, 14);
    const cleared = toProvince + int(1, 9);
    const claimed = int(10, 200) * 100;
    const rec: LoanRecord = {
      贷款: loans,
      弄虚作假: chance(0.03),
      贴息金额: claimed - (chance(0.9) ? 0 : int(1, 50) * 10),
      申报贴息额: claimed,
      其中逾期利息: chance(0.1) ? int(1, 500) : 0,
      结息日: dateText(settle),
      贴息报表报送日期: dateText(report),
      清算报告报省日期: dateText(toProvince),
      清算完成日期: dateText(cleared),
      贴息拨付日期: dateText(cleared + int(0, 3)),
    };
    if (chance(0.3)) {
      const filed = BASE_DAY + int(0, 700);
      Object.assign(rec, {
        补偿本金: int(5, 50) * 1000,
        补偿利息: int(100, 3000),
        补偿逾期利息: int(0, 500),
        本金逾期天数: int(60, 400),
        追索无果: chance(0.7),
        补偿申请提交日期: dateText(filed),
        补偿审核完成日期: dateText(filed + int(5, 30)),
        划为不良日期: dateText(filed - int(0, 90)),
        补偿资金已拨付: chance(0.6),
      });
    }
    if (chance(0.05)) delete rec.清算完成日期;
    yield rec;
  }
}

/** The first `count` records of a seed. */
export function* takeRecords(count: number, seed = DEFAULT_SEED): Generator<LoanRecord> {
  let i = 0;
  for (const rec of loanRecords(seed)) {
    if (i++ >= count) return;
    yield rec;
  }
}

/**
 * The first `count` records as a service reads them: each written as JSON text and parsed back,
 * so objects have the shapes JSON.parse gives (the generator's deleted fields leave other shapes).
 */
export function parsedRecords(count: number, seed = DEFAULT_SEED): LoanRecord[] {
  const out: LoanRecord[] = [];
  for (const rec of takeRecords(count, seed)) out.push(JSON.parse(JSON.stringify(rec)) as LoanRecord);
  return out;
}

async function main(argv: string[]): Promise<void> {
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (argv.includes('--help')) {
    process.stdout.write('usage: tsx bench/generate-loans.ts [--count N] [--seed S] [--out file.jsonl]\n');
    return;
  }
  const count = Number(opt('--count') ?? 1000);
  const seed = Number(opt('--seed') ?? DEFAULT_SEED);
  const outPath = opt('--out');
  const out = outPath ? createWriteStream(outPath) : process.stdout;
  let buf = '';
  for (const rec of takeRecords(count, seed)) {
    buf += JSON.stringify(rec) + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.write(buf);
  if (outPath) await new Promise<void>((r) => (out as ReturnType<typeof createWriteStream>).end(() => r()));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv.slice(2));
