import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { renderDiagnostic, hasErrors, type Diagnostic } from '../../dsl/index.ts';
import { PolicyLibrary, evaluate } from '../index.ts';
import { EXIT, guarded, type CliCommand } from './command.ts';
import { parse, oneOf, usageError as usageErrorFor, EXIT_CODES_HELP } from './args.ts';
import { parseDate } from '../values/dates.ts';
import { isIoError, libraryDir, userPath, readSource, POLICY_FILE } from './files.ts';
import { loadNamed, unreachableBaseNote } from './library.ts';
import { formatDecision } from './decisionText.ts';

const usage = `tiaowen eval <policy file | policy id> --facts <facts.json> [options]

Evaluate facts against a policy and print the decision with citations. A policy file named here
is the policy judged, even when the library holds the same id and version.
用事实评估政策,输出带条文依据的结论。命令行上给出的政策文件即被评估的政策。

Options:
  --facts FILE        the facts as JSON (- for standard input)        (required)
  --as-of DATE        judge as on this date, YYYY-MM-DD (default: today in Asia/Shanghai)
  --version V         with a policy id: a specific version (default: the one in force on the as-of date)
  --policies DIR      the policy library: where a policy id is looked up and \`extends\` is resolved
                      (default ./policies when it exists)
  --explain           add the trace: every condition, whether it held, what each side of a
                      comparison came to, and the facts and parameters it read
  --json              print the decision as JSON
  --lang zh|en|both   language of the text output (default both)
  -h, --help          this help

${EXIT_CODES_HELP}
(Invalid facts or no version in force on the date exit 1; rules that fired do not.)

Example: tiaowen eval gansu/poverty-loan --facts loan.json --as-of 2018-06-30 --explain`;

const usageError = (io: { err: (s: string) => void }, message: string) => usageErrorFor(io, message, usage);

export const command: CliCommand = {
  name: 'eval',
  summary: { zh: '用事实评估政策', en: 'evaluate facts against a policy' },
  usage,
  run: guarded(async (argv, io) => {
    const args = parse(argv, {
      facts: { type: 'string' },
      'as-of': { type: 'string' },
      version: { type: 'string' },
      policies: { type: 'string' },
      explain: { type: 'boolean' },
      json: { type: 'boolean' },
      lang: { type: 'string' },
    });
    if ('error' in args) return usageError(io, args.error);
    if (args.values.help) return io.out(usage), EXIT.ok;
    const lang = oneOf(args.values.lang, ['zh', 'en', 'both'] as const, 'lang');
    if (typeof lang === 'object') return usageError(io, lang.error);
    const [target, ...rest] = args.positionals;
    if (!target || rest.length) return usageError(io, 'name exactly one policy file or policy id');
    const factsPath = args.values.facts;
    if (typeof factsPath !== 'string') return usageError(io, '--facts is required');
    const asOf = (args.values['as-of'] as string | undefined) ?? todayInShanghai();
    if (parseDate(asOf) === undefined) return usageError(io, `--as-of must be a real date like 2018-06-30 (got ${asOf})`);

    let factsText: string;
    try {
      factsText = await readSource(userPath(factsPath), io);
    } catch (e) {
      if (isIoError(e)) return io.err(`cannot read facts file ${factsPath}: ${e.code}`), EXIT.io;
      throw e;
    }
    let facts: unknown;
    try {
      facts = JSON.parse(factsText);
    } catch (e) {
      io.err(`事实文件不是合法的 JSON / the facts file is not valid JSON: ${(e as Error).message}`);
      return EXIT.failed;
    }

    const isFile = POLICY_FILE.test(target);
    const lib = libraryDir(args.values.policies);
    if ('missing' in lib) return io.err(`无法读取 / cannot read policy library ${lib.missing}`), EXIT.io;
    if (!isFile && !lib.dir) return usageError(io, `${target} is not a policy file, and there is no policy library to look the id up in (give --policies DIR)`);
    const file = isFile ? userPath(target) : undefined;
    if (file && !existsSync(file)) return io.err(`无法读取 / cannot read ${target}: ENOENT`), EXIT.io;
    if (file && args.values.version !== undefined) return usageError(io, '--version selects a version of a policy id; a policy file is its own version');
    const { library, files } = await loadNamed(file ? [file] : [], lib.dir);
    let policyId = target;
    let version = args.values.version as string | undefined;
    if (file) {
      const compiled = files[0]!;
      if (!compiled.ir || hasErrors(compiled.diagnostics)) {
        const text = await readFile(file, 'utf8');
        for (const d of compiled.diagnostics) io.err(renderDiagnostic(d, text));
        const note = unreachableBaseNote(compiled.diagnostics, lib.dir);
        if (note) io.err(note);
        return EXIT.failed;
      }
      policyId = compiled.ir.id;
      version = compiled.ir.version;
      // The file is judged only on dates it is in force, like a version picked from the library.
      const alone = new PolicyLibrary();
      alone.add(compiled.ir);
      const inForce = alone.inForce(policyId, asOf);
      if (!inForce.value) return reportDiagnostics(io, inForce.diagnostics), EXIT.failed;
    }
    const resolved = library.resolve(policyId, { asOf, version });
    if (!resolved.value) return reportDiagnostics(io, resolved.diagnostics), EXIT.failed;
    const decision = await evaluate(resolved.value, facts, { asOf, explain: Boolean(args.values.explain) });
    io.out(args.values.json ? JSON.stringify(decision, null, 2) : formatDecision(decision, lang ?? 'both'));
    return decision.status === 'ok' ? EXIT.ok : EXIT.failed;
  }),
};

function reportDiagnostics(io: { err: (s: string) => void }, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) io.err(`${d.code}: ${d.message.zh} / ${d.message.en}${d.hint ? `\n  hint: ${d.hint.zh} / ${d.hint.en}` : ''}`);
}

export function todayInShanghai(now = new Date()): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(now);
}
