import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { renderDiagnostic, hasErrors } from '../../dsl/index.ts';
import { compileSource, evaluate } from '../index.ts';
import { EXIT, type CliCommand } from './command.ts';
import { parse, oneOf, usageError as usageErrorFor, EXIT_CODES_HELP } from './args.ts';
import { parseDate } from '../values/dates.ts';
import { libraryRoots, isIoError } from './files.ts';
import { loadLibraries, baseResolver, relative } from './library.ts';
import { formatDecision } from './decisionText.ts';

const usage = `tiaowen eval <policy file | policy id> --facts <facts.json> [options]

Evaluate facts against a policy and print the decision with citations.
用事实评估政策,输出带条文依据的结论。

Options:
  --facts FILE        the facts as JSON (- for standard input)        (required)
  --as-of DATE        judge as on this date, YYYY-MM-DD (default: today in Asia/Shanghai)
  --version V         a specific version (default: the one in force on the as-of date)
  --policies DIR      where policy ids are looked up (default ./policies)
  --explain           add the trace: every condition, the values it saw, whether it held
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
  async run(argv, io) {
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
      factsText = factsPath === '-' ? await readStdin() : await readFile(factsPath, 'utf8');
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

    const isFile = existsSync(target) && /\.policy(\.ya?ml)?$/.test(target);
    const roots = isFile ? libraryRoots([path.dirname(target)]) : [(args.values.policies as string | undefined) ?? 'policies'];
    const { library } = await loadLibraries(roots.filter((r) => existsSync(r)));
    let policyId = target;
    if (isFile) {
      const text = await readFile(target, 'utf8');
      const compiled = compileSource(text, { file: relative(target), resolveBase: baseResolver(library) });
      if (!compiled.value || hasErrors(compiled.diagnostics)) {
        for (const d of compiled.diagnostics) io.err(renderDiagnostic(d, text));
        return EXIT.failed;
      }
      library.add(compiled.value); // the file wins over a same id@version already in the library
      policyId = compiled.value.id;
    }
    const resolved = library.resolve(policyId, { asOf, version: args.values.version as string | undefined });
    if (!resolved.value) {
      for (const d of resolved.diagnostics) io.err(`${d.code}: ${d.message.zh} / ${d.message.en}${d.hint ? `\n  hint: ${d.hint.zh} / ${d.hint.en}` : ''}`);
      return EXIT.failed;
    }
    const decision = await evaluate(resolved.value, facts, { asOf, explain: Boolean(args.values.explain) });
    io.out(args.values.json ? JSON.stringify(decision, null, 2) : formatDecision(decision, lang ?? 'both'));
    return decision.status === 'ok' ? EXIT.ok : EXIT.failed;
  },
};

export function todayInShanghai(now = new Date()): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(now);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
