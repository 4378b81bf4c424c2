import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, type CliCommand, type CliIo } from './command.ts';
import { parse, oneOf, usageError as usageErrorFor, EXIT_CODES_HELP } from './args.ts';
import { parseDate, todayInShanghai } from '../values/dates.ts';
import { userPath } from './files.ts';
import { parseDataArg } from '../sql/dataset.ts';
import { runSqlSimulation, SqlSimulationError, type Coverage, type SqlProgress } from '../sql/simulate.ts';
import { simulateInProcess } from '../sql/inprocess.ts';
import { addPolicyFile, isPolicyFile, libraryFor, renderSqlDiagnostics, resolveOrErrors } from '../sql/cliPolicy.ts';
import type { SideCounts } from '../parallel/simulate.ts';

const usage = `tiaowen simulate <policy id | policy file> --data <file | postgres://…#table> --baseline <version> --candidate <version | file> [options]

What a rule change does to a whole dataset: every record judged under the baseline and the
candidate version. Prints the counts per outcome and rule, which records changed, and each rule's
coverage (fired / not fired / undetermined and the fact missing most; rules that never fire).
Runs as SQL in DuckDB (Parquet, CSV, XLSX files) or inside PostgreSQL (a table), or in process.
模拟政策修改对整个数据集的影响。

Dataset: a row per record, a column per fact named by the fact (or its Chinese label), money in
yuan, percent as written, dates YYYY-MM-DD; lists as LIST<STRUCT> (Parquet) or JSON text (CSV,
XLSX); rid column optional. PostgreSQL: table with rid, lists in <table>__<fact> (rid, idx, fields).

Options:
  --data FILE|URL       the dataset (.parquet, .csv, .xlsx, or postgres://user@host/db#table)  (required)
  --baseline V          baseline version of the policy                                        (required)
  --candidate V|FILE    candidate version, or a policy file (e.g. a draft)                   (required)
  --as-of DATE          judge as on this date, YYYY-MM-DD (default: today in Asia/Shanghai)
  --engine duckdb|node  duckdb (default): SQL where the data is; node: the compiled evaluator in process
  --out FILE            write the changed records with their facts (.parquet or .csv)
  --coverage-out FILE   write the rule coverage of both versions (.csv, or JSON otherwise),
                        either engine (--coverage FILE is the same)
  --json                print the result as JSON
  --policies DIR        where policy ids and bases are looked up (default ./policies)
  --threads N           DuckDB threads (default: all cores)
  --memory-limit SIZE   DuckDB memory limit, e.g. 1.5GB
  -h, --help            this help

${EXIT_CODES_HELP}

Example: tiaowen simulate gansu/poverty-loan --data households.parquet --baseline 2015.1 --candidate draft.policy --out changed.parquet`;

const usageError = (io: { err: (s: string) => void }, message: string) => usageErrorFor(io, message, usage);

/** A progress bar on a terminal; nothing otherwise (logs stay clean). */
function progressBar(io: CliIo): ((p: SqlProgress) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  const names: Record<SqlProgress['phase'], string> = { load: '读取 load', judge: '判定 judge', changes: '变化 changes', write: '写出 write' };
  let last = '';
  return (p) => {
    const f = p.fraction ?? 0;
    const width = 30;
    const bar = '█'.repeat(Math.round(f * width)).padEnd(width, '░');
    const line = `\r${names[p.phase].padEnd(12)} ${bar} ${String(Math.round(f * 100)).padStart(3)}%`;
    if (line !== last) process.stderr.write(line);
    last = line;
    if (p.phase === 'write' || (p.phase === 'changes' && f === 1)) process.stderr.write('\n');
    void io;
  };
}

function countsTable(b: SideCounts, c: SideCounts): string[] {
  const lines = ['', '按结论 by outcome           baseline   candidate   Δ'];
  const keys = [...new Set([...Object.keys(b.byOutcome), ...Object.keys(c.byOutcome)])].sort();
  for (const k of keys) {
    const x = b.byOutcome[k] ?? 0;
    const y = c.byOutcome[k] ?? 0;
    lines.push(`  ${k.padEnd(24)} ${String(x).padStart(10)} ${String(y).padStart(11)}   ${y - x >= 0 ? '+' : ''}${y - x}`);
  }
  lines.push('', '按规则触发 fired by rule');
  const ids = [...new Set([...Object.keys(b.byRule), ...Object.keys(c.byRule)])].sort();
  for (const id of ids) {
    const x = b.byRule[id]?.fired ?? 0;
    const y = c.byRule[id]?.fired ?? 0;
    lines.push(`  ${id.padEnd(34)} ${String(x).padStart(10)} ${String(y).padStart(11)}   ${y - x >= 0 ? '+' : ''}${y - x}`);
  }
  return lines;
}

export function coverageLines(cov: Coverage, title: string): string[] {
  const lines = ['', `${title}: ${cov.policy}@${cov.version} 规则覆盖 rule coverage (${cov.records} records)`, '  rule                               fired  not-fired  undetermined  suppressed  missing most'];
  for (const r of cov.rules) {
    const top = r.missing[0] ? `${r.missing[0].fact} (${r.missing[0].count})` : r.reasons[0] ? `${r.reasons[0].reason} (${r.reasons[0].count})` : '';
    lines.push(`  ${r.rule.padEnd(32)} ${String(r.fired).padStart(8)} ${String(r.notFired).padStart(10)} ${String(r.undetermined).padStart(13)} ${String(r.suppressed).padStart(11)}  ${top}`);
  }
  lines.push(`  从未触发 never fired: ${cov.neverFired.length ? cov.neverFired.join(', ') : '—'}`);
  return lines;
}

function coverageCsv(covs: Coverage[]): string {
  const cell = (s: string | number) => (/[",\n]/.test(String(s)) ? `"${String(s).replaceAll('"', '""')}"` : String(s));
  const rows = [['policy', 'version', 'rule', 'title', 'kind', 'fired', 'not_fired', 'undetermined', 'suppressed', 'missing_most', 'missing_most_count', 'never_fired']];
  for (const c of covs) {
    for (const r of c.rules) {
      rows.push([c.policy, c.version, r.rule, r.title, r.kind, String(r.fired), String(r.notFired), String(r.undetermined), String(r.suppressed), r.missing[0]?.fact ?? '', String(r.missing[0]?.count ?? ''), String(r.fired === 0)]);
    }
  }
  return rows.map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

export const command: CliCommand = {
  name: 'simulate',
  summary: { zh: '在整个数据集上模拟政策修改', en: 'simulate a policy change on a whole dataset' },
  usage,
  async run(argv, io) {
    const args = parse(argv, {
      data: { type: 'string' },
      baseline: { type: 'string' },
      candidate: { type: 'string' },
      'as-of': { type: 'string' },
      engine: { type: 'string' },
      out: { type: 'string' },
      'coverage-out': { type: 'string' },
      coverage: { type: 'string' },
      json: { type: 'boolean' },
      policies: { type: 'string' },
      threads: { type: 'string' },
      'memory-limit': { type: 'string' },
    });
    if ('error' in args) return usageError(io, args.error);
    if (args.values.help) return io.out(usage), EXIT.ok;
    const engine = oneOf(args.values.engine, ['duckdb', 'node'] as const, 'engine');
    if (typeof engine === 'object') return usageError(io, engine.error);
    const [target, ...rest] = args.positionals;
    if (!target || rest.length) return usageError(io, 'name exactly one policy id or policy file');
    for (const required of ['data', 'baseline', 'candidate'] as const) if (typeof args.values[required] !== 'string') return usageError(io, `--${required} is required`);
    const data = parseDataArg(args.values.data as string);
    if ('error' in data) return usageError(io, data.error);
    if (data.kind === 'file') data.file = userPath(data.file);
    if (engine === 'node' && data.kind !== 'file') return usageError(io, '--engine node reads files only');
    const asOf = (args.values['as-of'] as string | undefined) ?? todayInShanghai();
    if (parseDate(asOf) === undefined) return usageError(io, `--as-of must be a real date like 2018-06-30 (got ${asOf})`);
    const threads = args.values.threads === undefined ? undefined : Number(args.values.threads);
    if (threads !== undefined && !(Number.isInteger(threads) && threads > 0)) return usageError(io, '--threads must be a positive integer');

    const library = await libraryFor(args.values.policies as string | undefined);
    let id = target;
    let baselineVersion = args.values.baseline as string;
    if (isPolicyFile(target)) {
      const added = await addPolicyFile(library, target);
      if ('errors' in added) return io.err(added.errors.join('\n')), EXIT.failed;
      id = added.id;
    }
    const baseline = resolveOrErrors(library, id, { asOf, version: baselineVersion });
    if ('errors' in baseline) return io.err(baseline.errors.join('\n')), EXIT.failed;
    let candidateId = id;
    let candidateVersion = args.values.candidate as string;
    if (isPolicyFile(candidateVersion)) {
      const added = await addPolicyFile(library, candidateVersion);
      if ('errors' in added) return io.err(added.errors.join('\n')), EXIT.failed;
      candidateId = added.id;
      candidateVersion = added.version;
    }
    const candidate = resolveOrErrors(library, candidateId, { asOf, version: candidateVersion });
    if ('errors' in candidate) return io.err(candidate.errors.join('\n')), EXIT.failed;
    baselineVersion = baseline.stamp.version;

    const coverageOut = (args.values['coverage-out'] ?? args.values.coverage) as string | undefined;
    const writeCoverage = async (coverage: { baseline: Coverage; candidate: Coverage }) => {
      if (!coverageOut) return;
      const file = userPath(coverageOut);
      await writeFile(file, path.extname(file).toLowerCase() === '.csv' ? coverageCsv([coverage.baseline, coverage.candidate]) : JSON.stringify(coverage, null, 2) + '\n');
    };
    const progress = progressBar(io);
    const head = `${baseline.stamp.id}@${baselineVersion} → ${candidate.stamp.id}@${candidate.stamp.version}, as of ${asOf}`;
    if (engine === 'node') {
      if (data.kind !== 'file') return EXIT.usage;
      const r = await simulateInProcess({ file: data.file, baseline, candidate, asOf, onProgress: progress });
      if (progress) process.stderr.write('\n');
      await writeCoverage(r.coverage);
      if (args.values.json) io.out(JSON.stringify({ records: r.records, changed: r.changed.length, baseline: r.baseline, candidate: r.candidate, coverage: r.coverage, wallMs: Math.round(r.wallMs) }, null, 2));
      else
        io.out(
          [head, `records ${r.records}, changed ${r.changed.length}, ${(r.wallMs / 1000).toFixed(1)} s (in process)`, ...countsTable(r.baseline, r.candidate), ...coverageLines(r.coverage.baseline, 'baseline'), ...coverageLines(r.coverage.candidate, 'candidate')].join('\n'),
        );
      if (args.values.out) {
        const out = userPath(args.values.out as string);
        await writeFile(out, ['rid,baseline_fired,baseline_undetermined,candidate_fired,candidate_undetermined', ...r.changed.map((c) => [c.rid, c.baseline.fired.join(';'), c.baseline.undetermined.join(';'), c.candidate.fired.join(';'), c.candidate.undetermined.join(';')].join(','))].join('\n') + '\n');
      }
      return EXIT.ok;
    }
    try {
      const r = await runSqlSimulation({
        dataset: data,
        baseline: baseline.ir,
        candidate: candidate.ir,
        asOf,
        onProgress: progress,
        changedOut: args.values.out ? userPath(args.values.out as string) : undefined,
        threads,
        memoryLimit: args.values['memory-limit'] as string | undefined,
      });
      try {
        await writeCoverage(r.coverage);
        if (args.values.json) {
          io.out(JSON.stringify({ records: r.records, changed: r.changed, baseline: r.baseline, candidate: r.candidate, coverage: r.coverage, absent: r.absent, wallMs: Math.round(r.wallMs) }, null, 2));
        } else {
          const lines = [head, `records ${r.records}, changed ${r.changed}, ${(r.wallMs / 1000).toFixed(1)} s (${data.kind === 'file' ? 'DuckDB' : 'PostgreSQL'})`];
          if (r.absent.length) lines.push(`数据集中没有这些事实的列,按缺失处理 / no column for these facts, read as missing: ${r.absent.join(', ')}`);
          lines.push(...countsTable(r.baseline, r.candidate), ...coverageLines(r.coverage.baseline, 'baseline'), ...coverageLines(r.coverage.candidate, 'candidate'));
          if (args.values.out) lines.push('', `变化的记录已写入 changed records written to ${args.values.out as string}`);
          io.out(lines.join('\n'));
        }
      } finally {
        await r.close();
      }
      return EXIT.ok;
    } catch (e) {
      if (e instanceof SqlSimulationError) {
        io.err(renderSqlDiagnostics(e.diagnostics));
        return EXIT.failed;
      }
      throw e;
    }
  },
};
