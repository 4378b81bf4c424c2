import { readFile } from 'node:fs/promises';
import { statSync, watch as fsWatch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { renderDiagnostic } from '../../dsl/index.ts';
import { readCasesFile, runCases, type CaseResult } from '../cases/run.ts';
import { PolicyLibrary, type PolicyIR } from '../index.ts';
import { EXIT, guarded, internalErrorText, type CliCommand, type CliIo } from './command.ts';
import { parse, usageError as usageErrorFor, EXIT_CODES_HELP, type Parsed } from './args.ts';
import { collectOrReport, libraryDir, policiesOf, isIoError, userPath, CASES_FILE, POLICY_FILE, LIBRARY_HELP } from './files.ts';
import { loadLibraries, loadNamed, relative, type LoadedLibrary } from './library.ts';

const usage = `tiaowen test <dir|file>... [options]

Run the decision cases (*.cases.yaml) beside policies and report each that fails.
运行政策旁的判定用例(*.cases.yaml),报告未通过的用例。

Options:
  --filter TEXT   only cases whose note or policy id contains TEXT
  --verbose       list passing cases too
  --json          print results as JSON
  --watch         run again whenever a policy or cases file under the folders (or the library)
                  changes; stop with Ctrl-C
  --coverage      after the results, rule coverage (rules that fired in some case) and condition
                  coverage (each condition seen true, false and undetermined) per policy version
                  and in total (on standard error when --json)
  --coverage-out FILE   the coverage reports as JSON
  --min N         fail (exit 1) when total rule coverage is below N percent
  --junit FILE    also write the results as JUnit XML (one testsuite per cases file), for CI systems
${LIBRARY_HELP}
  -h, --help      this help

A folder is searched recursively for *.cases.yaml and policy files, skipping node_modules, hidden
folders, test/fixtures (test inputs, not policies) and folders named _error_ (inputs expected to
fail). The cases run against those policies, with bases from the library. A cases file without
\`policy:\` belongs to the one policy in its folder.
The last line reads "N passed, N failed".
${EXIT_CODES_HELP}

Example: tiaowen test policies/`;

const usageError = (io: { err: (s: string) => void }, message: string) => usageErrorFor(io, message, usage);

export const command: CliCommand = {
  name: 'test',
  summary: { zh: '运行判定用例', en: 'run decision cases' },
  usage,
  run: guarded(async (argv, io) => {
    const args = parse(argv, {
      filter: { type: 'string' },
      verbose: { type: 'boolean' },
      json: { type: 'boolean' },
      policies: { type: 'string' },
      watch: { type: 'boolean' },
      coverage: { type: 'boolean' },
      junit: { type: 'string' },
      'coverage-out': { type: 'string' },
      min: { type: 'string' },
    });
    if ('error' in args) return usageError(io, args.error);
    if (args.values.help) return io.out(usage), EXIT.ok;
    if (!args.positionals.length) return usageError(io, 'name at least one folder or cases file');
    if (args.values.watch) return watch(args, io);
    return runOnce(args, io);
  }),
};

/** One run of the cases named by the arguments; the exit code. */
async function runOnce(args: Parsed, io: CliIo): Promise<number> {
  const casesFiles = await collectOrReport(args.positionals, CASES_FILE, io);
  if (typeof casesFiles === 'number') return casesFiles;
  const lib = libraryDir(args.values.policies);
  if ('missing' in lib) return io.err(`无法读取 / cannot read policy library ${lib.missing}`), EXIT.io;
  const wantsCoverage = Boolean(args.values.coverage) || args.values.min !== undefined || args.values['coverage-out'] !== undefined;
  const results = await runCasesWith(casesFiles, await loadNamed(await policiesOf(args.positionals), lib.dir), io, wantsCoverage);
  const filter = args.values.filter as string | undefined;
  const shown = filter ? results.filter((r) => r.note.includes(filter) || r.policy.includes(filter)) : results;
  const failed = shown.filter((r) => r.problems.length);
  if (args.values.json) {
    io.out(JSON.stringify(shown, null, 2));
  } else {
    for (const r of shown) {
      if (r.problems.length) {
        io.out(`✗ ${r.file} #${r.index + 1} [${r.policy}] ${r.note}`);
        for (const p of r.problems) io.out(`    ${p}`);
      } else if (args.values.verbose) {
        io.out(`✓ ${r.file} #${r.index + 1} [${r.policy}] ${r.note}`);
      }
    }
    io.out(`${shown.length - failed.length} passed, ${failed.length} failed`);
  }
  const junit = args.values.junit as string | undefined;
  if (junit) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(userPath(junit), junitXml(shown));
  }
  if (wantsCoverage) {
    const below = await reportCoverage(results, args, io);
    if (below) return EXIT.failed;
  }
  return failed.length || !shown.length ? EXIT.failed : EXIT.ok;
}

/**
 * `--watch`: a run, then another after each change to a policy or cases file under the folders
 * named (a file's folder) and the library, until `io.signal` aborts (in a terminal: Ctrl-C ends
 * the process). Changes that arrive during a run give one more run after it. Node's recursive
 * fs.watch (Linux since Node 20), so no dependency.
 */
async function watch(args: Parsed, io: CliIo): Promise<number> {
  const lib = libraryDir(args.values.policies);
  if ('missing' in lib) return runOnce(args, io); // which reports it
  const roots = new Set(args.positionals.map((p) => userPath(p)).map((p) => (statSync(p, { throwIfNoEntry: false })?.isDirectory() ? p : path.dirname(p))));
  if (lib.dir) roots.add(lib.dir);
  let code = await runOnce(args, io);
  if (code === EXIT.io) return code; // a folder that cannot be read cannot be watched either
  let dirty: string | undefined;
  let wake: (() => void) | undefined;
  const watchers: FSWatcher[] = [];
  for (const root of roots) {
    try {
      watchers.push(
        fsWatch(root, { recursive: true }, (_event, name) => {
          const file = name ? String(name) : '';
          if (file && !POLICY_FILE.test(file) && !CASES_FILE.test(file)) return;
          dirty ??= file ? path.join(root, file) : root;
          wake?.();
        }),
      );
    } catch (e) {
      if (!isIoError(e)) throw e;
      io.err(`无法监视 / cannot watch ${root}: ${e.code}`);
    }
  }
  io.err(`监视中 / watching ${[...roots].map(relative).join(', ')} (Ctrl-C 结束 / to stop)`);
  try {
    for (;;) {
      if (io.signal?.aborted) break;
      if (dirty === undefined) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          io.signal?.addEventListener('abort', () => resolve(), { once: true });
        });
        wake = undefined;
        continue;
      }
      // Editors write a file in several steps: let them finish before reading.
      await new Promise((resolve) => setTimeout(resolve, 150));
      const changed = dirty;
      dirty = undefined;
      io.out(`\n— ${relative(changed)} 已修改,重新运行 / changed, running again —`);
      try {
        code = await runOnce(args, io);
      } catch (e) {
        // A file removed or half-written mid-run: say so and keep watching.
        io.err(isIoError(e) ? `无法读取 / cannot read ${e.path ?? ''}: ${e.code}` : internalErrorText(e));
      }
    }
  } finally {
    for (const w of watchers) w.close();
  }
  return code;
}

/**
 * Loads the libraries the cases need and runs every file. Broken policies and cases files count as
 * failed results, so nothing is silently skipped.
 */
export async function runCaseFiles(casesFiles: string[], roots: string[], io?: { err: (s: string) => void }): Promise<CaseResult[]> {
  return runCasesWith(casesFiles, await loadLibraries(roots), io);
}

/** runCaseFiles over a library already loaded; errors are reported for its \`files\`. */
export async function runCasesWith(casesFiles: string[], loaded: LoadedLibrary, io?: { err: (s: string) => void }, explain = false): Promise<CaseResult[]> {
  const { library, files } = loaded;
  const results: CaseResult[] = [];
  for (const f of files) {
    const errors = f.diagnostics.filter((d) => d.severity === 'error');
    if (!errors.length) continue;
    const source = await readFile(f.file, 'utf8').catch(() => '');
    io?.err(errors.map((d) => renderDiagnostic(d, source)).join('\n'));
    results.push({ file: relative(f.file), index: -1, note: 'policy compiles', policy: f.ir?.id ?? '?', problems: errors.map((d) => `${d.code}: ${d.message.en}`) });
  }
  for (const casesFile of casesFiles) {
    const { file, problems } = readCasesFile(await readFile(casesFile, 'utf8'));
    if (!file) {
      results.push({ file: relative(casesFile), index: -1, note: 'cases file is well-formed', policy: '?', problems });
      continue;
    }
    // A folder holding exactly one policy id is the default policy of its cases.
    const dir = path.resolve(path.dirname(casesFile));
    const own = files.filter((f) => f.ir && path.dirname(path.resolve(f.file)) === dir).map((f) => f.ir!);
    const here = new Set(own.map((ir) => ir.id));
    const defaultPolicy = here.size === 1 ? [...here][0] : undefined;
    results.push(...(await runCases(file, { fileName: relative(casesFile), library: folderLibrary(library, own), defaultPolicy, explain })));
  }
  return results;
}

/**
 * The library a folder's cases run against: its own policies win over another file of the same
 * id and version elsewhere in the walk, so which file judges a case never depends on file order.
 */
export function folderLibrary(library: PolicyLibrary, own: readonly PolicyIR[]): PolicyLibrary {
  const clash = own.some((ir) => library.get(ir.id, ir.version) !== ir);
  if (!clash) return library;
  const copy = new PolicyLibrary();
  for (const id of library.ids()) for (const ir of library.versions(id)) copy.add(ir);
  for (const ir of own) copy.add(ir);
  return copy;
}

/**
 * Rule and condition coverage of the cases (engine/analysis/coverage.ts), per policy version and
 * in total; true when total rule coverage is under `--min`.
 */
async function reportCoverage(results: CaseResult[], args: Parsed, io: CliIo): Promise<boolean> {
  const { coverage } = await import('../analysis/coverage.ts');
  const byVersion = new Map<string, { ir: PolicyIR; decisions: import('../evaluate/types.ts').Decision[] }>();
  for (const r of results) {
    if (!r.judged) continue;
    const key = `${r.judged.ir.id}@${r.judged.ir.version}`;
    const e = byVersion.get(key) ?? { ir: r.judged.ir, decisions: [] };
    e.decisions.push(r.judged.decision);
    byVersion.set(key, e);
  }
  const reports = [...byVersion.values()].map((e) => coverage(e.ir, e.decisions)).sort((a, b) => `${a.policy.id}@${a.policy.version}`.localeCompare(`${b.policy.id}@${b.policy.version}`));
  let rules = 0;
  let fired = 0;
  for (const rep of reports) {
    const ids = Object.keys(rep.rules);
    rules += ids.length;
    fired += ids.filter((id) => rep.rules[id]!.fired > 0).length;
  }
  const total = rules ? (100 * fired) / rules : 100;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const say = args.values.json ? io.err : io.out;
  say('');
  say('覆盖率 / coverage (rules fired in some case; conditions seen true, false and undetermined):');
  for (const rep of reports) say(`  ${rep.policy.id}@${rep.policy.version}: rules ${pct(rep.ruleCoverage)}, conditions ${pct(rep.conditionCoverage)} (${rep.decisions} cases)`);
  say(`  total: rules ${total.toFixed(1)}% (${fired}/${rules})`);
  const out = args.values['coverage-out'] as string | undefined;
  if (out) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(userPath(out), JSON.stringify({ total: { rules, fired, ruleCoverage: rules ? fired / rules : 1 }, policies: reports }, null, 2));
  }
  const min = args.values.min === undefined ? undefined : Number(args.values.min);
  if (min !== undefined && Number.isFinite(min) && total < min) {
    say(`规则覆盖率 ${total.toFixed(1)}% 低于 --min ${min}% / rule coverage ${total.toFixed(1)}% is below --min ${min}%`);
    return true;
  }
  return false;
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** The results as JUnit XML: a testsuite per cases file, a testcase per case and policy, failures with their problems. */
export function junitXml(results: readonly CaseResult[]): string {
  const byFile = new Map<string, CaseResult[]>();
  for (const r of results) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  const failures = results.filter((r) => r.problems.length).length;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="tiaowen" tests="${results.length}" failures="${failures}">`];
  for (const [file, rs] of byFile) {
    lines.push(`  <testsuite name="${xml(file)}" tests="${rs.length}" failures="${rs.filter((r) => r.problems.length).length}">`);
    for (const r of rs) {
      const name = `#${r.index + 1} [${r.policy}] ${r.note}`;
      if (!r.problems.length) lines.push(`    <testcase classname="${xml(r.policy)}" name="${xml(name)}"/>`);
      else lines.push(`    <testcase classname="${xml(r.policy)}" name="${xml(name)}">`, `      <failure message="${xml(r.problems[0]!)}">${xml(r.problems.join('\n'))}</failure>`, '    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}
