/**
 * Simulation as SQL on DuckDB, run as its own process so its peak RSS is its own. Prints one JSON line.
 *
 *   npx tsx bench/sql.ts --households 30000000   national scale: gansu/poverty-loan, cap 5万 → 8万.
 *       The households are generated (timed) into a Parquet file, then simulated; the file is removed.
 *   npx tsx bench/sql.ts --loan-books 1000000    the 20-rule bench policy, red line 3% → 5%, on the
 *       same records as the in-process simulation (bench/simulate.ts: the JSONL of generate-loans.ts,
 *       seed 20150601), converted to Parquet outside the timing, loans as a LIST<STRUCT> column.
 *   --threads N, --memory-limit 1.2GB (DuckDB; default 1.2GB so the whole process stays under 2 GiB)
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compileSource, PolicyLibrary } from '../engine/index.ts';
import { openDuckDb } from '../engine/sql/duckdb.ts';
import { runSqlSimulation } from '../engine/sql/simulate.ts';
import { columnType, unionFacts } from '../engine/sql/records.ts';
import { ident, str } from '../engine/sql/dialect.ts';
import type { FactDecl } from '../engine/ir/types.ts';
import { DEFAULT_SEED, GENERATOR_VERSION, takeRecords } from './generate-loans.ts';
import { AS_OF, benchPolicies } from './load.ts';
import { HOUSEHOLD_SEED, povertyLoanIr, writeHouseholds } from './households.ts';

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
if (argv.includes('--help') || argv.includes('-h') || (!opt('--households') && !opt('--loan-books'))) {
  process.stdout.write('usage: tsx bench/sql.ts (--households N | --loan-books N) [--threads N] [--memory-limit 1.2GB]\n');
  process.exit(argv.includes('--help') || argv.includes('-h') ? 0 : 2);
}
const threads = opt('--threads') ? Number(opt('--threads')) : undefined;
const memoryLimit = opt('--memory-limit') ?? '1.2GB';
const dir = path.join(tmpdir(), 'tiaowen-bench');
mkdirSync(dir, { recursive: true });
const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function households(count: number): Promise<void> {
  const file = path.join(dir, `households-${HOUSEHOLD_SEED}-${count}.${process.pid}.parquet`);
  const generateMs = await writeHouseholds(file, count);
  const rssAfterGenerate = peakRssMiB();
  try {
    const lib = new PolicyLibrary();
    lib.add(povertyLoanIr());
    const candFile = path.join(import.meta.dirname, 'sql', 'poverty-loan-cap8.policy');
    const cand = compileSource(readFileSync(candFile, 'utf8'), { file: candFile, resolveBase: (r) => lib.get(r.policy, r.version ?? '') });
    if (!cand.value) throw new Error(cand.diagnostics.map((d) => d.message.en).join('; '));
    lib.add(cand.value);
    const asOf = '2019-12-31';
    const baseline = lib.resolve('gansu/poverty-loan', { asOf }).value!.ir;
    const candidate = lib.resolve(cand.value.id, { asOf }).value!.ir;
    const out = path.join(dir, `households-changed.${process.pid}.parquet`);
    const started = performance.now();
    const r = await runSqlSimulation({ dataset: { kind: 'file', file }, baseline, candidate, asOf, changedOut: out, threads, memoryLimit, tempDirectory: path.join(dir, 'duckdb-tmp') });
    const wallMs = performance.now() - started;
    await r.close();
    rmSync(out, { force: true });
    process.stdout.write(
      JSON.stringify({
        records: r.records,
        generateMs: Math.round(generateMs),
        wallMs: Math.round(wallMs),
        recordsPerSec: Math.round(r.records / (wallMs / 1000)),
        peakRssMiB: peakRssMiB(),
        rssAfterGenerateMiB: rssAfterGenerate,
        changed: r.changed,
        eligible: { baseline: r.baseline.byRule.application_eligible?.fired ?? 0, candidate: r.candidate.byRule.application_eligible?.fired ?? 0 },
      }) + '\n',
    );
  } finally {
    rmSync(file, { force: true });
  }
}

/** The JSONL bench/simulate.ts reads (made the same way if it is not there yet). */
async function loanJsonl(count: number): Promise<string> {
  const file = path.join(dir, `loans-v${GENERATOR_VERSION}-${DEFAULT_SEED}-${count}.jsonl`);
  if (existsSync(file)) return file;
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

const jsonType = (f: FactDecl): string =>
  f.type.kind === 'list' ? `STRUCT(${f.type.fields.map((x) => `${ident(x.name)} ${columnType(x, 'duckdb')}`).join(', ')})[]` : columnType(f, 'duckdb');

async function loanBooks(count: number): Promise<void> {
  const { baseline, candidate } = benchPolicies();
  const jsonl = await loanJsonl(count);
  const parquet = jsonl.replace(/\.jsonl$/, '.parquet');
  if (!existsSync(parquet)) {
    // Conversion is not what is measured: the same records, typed by the policy's facts.
    const db = await openDuckDb();
    try {
      const facts = unionFacts([baseline.ir, candidate.ir]);
      const columns = `{${facts.map((f) => `${str(f.name)}: ${str(jsonType(f))}`).join(', ')}}`;
      await db.run(`COPY (SELECT row_number() OVER () AS rid, * FROM read_json(${str(jsonl)}, format = 'newline_delimited', columns = ${columns})) TO ${str(parquet + '.tmp')} (FORMAT parquet)`);
      renameSync(parquet + '.tmp', parquet);
    } finally {
      db.close();
    }
  }
  const started = performance.now();
  const r = await runSqlSimulation({ dataset: { kind: 'file', file: parquet }, baseline: baseline.ir, candidate: candidate.ir, asOf: AS_OF, threads, memoryLimit, tempDirectory: path.join(dir, 'duckdb-tmp') });
  const wallMs = performance.now() - started;
  await r.close();
  const db = await openDuckDb();
  const [{ loans }] = await db.all<{ loans: number }>(`SELECT avg(len("贷款")) AS loans FROM read_parquet(${str(parquet)})`);
  db.close();
  process.stdout.write(
    JSON.stringify({
      records: r.records,
      wallMs: Math.round(wallMs),
      recordsPerSec: Math.round(r.records / (wallMs / 1000)),
      peakRssMiB: peakRssMiB(),
      changed: r.changed,
      avgLoans: Math.round(Number(loans) * 10) / 10,
      redLineFired: { baseline: r.baseline.byRule.npl_red_line?.fired ?? 0, candidate: r.candidate.byRule.npl_red_line?.fired ?? 0 },
    }) + '\n',
  );
}

if (opt('--households')) await households(Number(opt('--households')));
else await loanBooks(Number(opt('--loan-books')));
