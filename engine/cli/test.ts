import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { renderDiagnostic } from '../../dsl/index.ts';
import { readCasesFile, runCases, type CaseResult } from '../cases/run.ts';
import { PolicyLibrary, type PolicyIR } from '../index.ts';
import { EXIT, guarded, type CliCommand } from './command.ts';
import { parse, usageError as usageErrorFor, EXIT_CODES_HELP } from './args.ts';
import { collectOrReport, libraryDir, policiesOf, CASES_FILE, LIBRARY_HELP } from './files.ts';
import { loadLibraries, loadNamed, relative, type LoadedLibrary } from './library.ts';

const usage = `tiaowen test <dir|file>... [options]

Run the decision cases (*.cases.yaml) beside policies and report each that fails.
运行政策旁的判定用例(*.cases.yaml),报告未通过的用例。

Options:
  --filter TEXT   only cases whose note or policy id contains TEXT
  --verbose       list passing cases too
  --json          print results as JSON
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
    const args = parse(argv, { filter: { type: 'string' }, verbose: { type: 'boolean' }, json: { type: 'boolean' }, policies: { type: 'string' } });
    if ('error' in args) return usageError(io, args.error);
    if (args.values.help) return io.out(usage), EXIT.ok;
    if (!args.positionals.length) return usageError(io, 'name at least one folder or cases file');
    const casesFiles = await collectOrReport(args.positionals, CASES_FILE, io);
    if (typeof casesFiles === 'number') return casesFiles;
    const lib = libraryDir(args.values.policies);
    if ('missing' in lib) return io.err(`无法读取 / cannot read policy library ${lib.missing}`), EXIT.io;
    const results = await runCasesWith(casesFiles, await loadNamed(await policiesOf(args.positionals), lib.dir), io);
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
    return failed.length || !shown.length ? EXIT.failed : EXIT.ok;
  }),
};

/**
 * Loads the libraries the cases need and runs every file. Broken policies and cases files count as
 * failed results, so nothing is silently skipped.
 */
export async function runCaseFiles(casesFiles: string[], roots: string[], io?: { err: (s: string) => void }): Promise<CaseResult[]> {
  return runCasesWith(casesFiles, await loadLibraries(roots), io);
}

/** runCaseFiles over a library already loaded; errors are reported for its \`files\`. */
export async function runCasesWith(casesFiles: string[], loaded: LoadedLibrary, io?: { err: (s: string) => void }): Promise<CaseResult[]> {
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
    results.push(...(await runCases(file, { fileName: relative(casesFile), library: folderLibrary(library, own), defaultPolicy })));
  }
  return results;
}

/**
 * The library a folder's cases run against: its own policies win over another file of the same
 * id and version elsewhere in the walk, so which file judges a case never depends on file order.
 */
function folderLibrary(library: PolicyLibrary, own: readonly PolicyIR[]): PolicyLibrary {
  const clash = own.some((ir) => library.get(ir.id, ir.version) !== ir);
  if (!clash) return library;
  const copy = new PolicyLibrary();
  for (const id of library.ids()) for (const ir of library.versions(id)) copy.add(ir);
  for (const ir of own) copy.add(ir);
  return copy;
}
