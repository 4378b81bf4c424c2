import { writeFile } from 'node:fs/promises';
import { parsePolicySource, formatPolicy, policyToYaml, renderDiagnostic, hasErrors, keywordLanguage } from '../../dsl/index.ts';
import { EXIT, guarded, type CliCommand } from './command.ts';
import { parse, oneOf, usageError as usageErrorFor, EXIT_CODES_HELP } from './args.ts';
import { collectOrReport, POLICY_FILE, STDIN, readSource, sourceFormat } from './files.ts';
import { relative } from './library.ts';

const usage = `tiaowen fmt <file|dir|->... [options]

Print policies in canonical form, or convert between the DSL and YAML.
将政策文件排成规范格式,或在 DSL 与 YAML 之间转换。
- reads one policy from standard input (DSL or YAML, told apart by its first line) and prints it.

Options:
  --to dsl|yaml   output form (default: the form of the input)
  --lang en|zh    keywords of DSL output (default: the language most of the file's keywords are
                  written in; English for YAML input). YAML output has no keywords: --lang with
                  YAML output is a usage error.
  --write         rewrite the files in place (with --to, writes <name>.policy / <name>.policy.yaml beside them)
  --check         print nothing on standard output; name each file not in canonical form on
                  standard error and exit 1 if there is any
  -h, --help      this help

Comments are kept: a comment above a line stays above it, one at the end of a line stays there
(comments inside a multi-line expression move above its clause). YAML output does not carry them.

${EXIT_CODES_HELP}

Examples: tiaowen fmt --to yaml policies/gansu/poverty-loan/poverty-loan.policy
          tiaowen fmt --lang zh --write loan.policy          # rewrite with Chinese keywords
          cat loan.policy | tiaowen fmt -`;

const usageError = (io: { err: (s: string) => void }, message: string) => usageErrorFor(io, message, usage);

export const command: CliCommand = {
  name: 'fmt',
  summary: { zh: '格式化与 DSL/YAML 互转', en: 'format policies; convert DSL ↔ YAML' },
  usage,
  run: guarded(async (argv, io) => {
    const args = parse(argv, { to: { type: 'string' }, lang: { type: 'string' }, write: { type: 'boolean' }, check: { type: 'boolean' } });
    if ('error' in args) return usageError(io, args.error);
    if (args.values.help) return io.out(usage), EXIT.ok;
    const to = oneOf(args.values.to, ['dsl', 'yaml'] as const, 'to');
    const lang = oneOf(args.values.lang, ['en', 'zh'] as const, 'lang');
    if (typeof to === 'object') return usageError(io, to.error);
    if (typeof lang === 'object') return usageError(io, lang.error);
    if (!args.positionals.length) return usageError(io, 'name at least one policy file or folder (or - for standard input)');
    if (args.values.write && args.positionals.includes(STDIN)) return usageError(io, '--write cannot rewrite standard input; leave out --write to print the result');
    if (args.values.write && args.values.check) return usageError(io, '--write and --check do not go together');

    const files = await collectOrReport(args.positionals, POLICY_FILE, io);
    if (typeof files === 'number') return files;
    const texts = new Map<string, string>();
    for (const file of files) texts.set(file, await readSource(file, io));
    // Decided before anything is written, so a wrong --lang changes no file.
    if (lang && files.some((f) => (to ?? sourceFormat(f, texts.get(f)!)) === 'yaml')) {
      return usageError(io, '--lang sets the keywords of DSL output; YAML output has none (add --to dsl to print YAML input as DSL)');
    }
    let failed = false;
    for (const file of files) {
      const text = texts.get(file)!;
      const inputFormat = sourceFormat(file, text);
      const parsed = parsePolicySource(text, { file: relative(file), format: inputFormat });
      if (!parsed.value || hasErrors(parsed.diagnostics)) {
        for (const d of parsed.diagnostics) io.err(renderDiagnostic(d, text));
        failed = true;
        continue;
      }
      const format = to ?? inputFormat;
      const keywords = lang ?? (inputFormat === 'dsl' ? keywordLanguage(text) : 'en');
      const output = format === 'yaml' ? policyToYaml(parsed.value) : formatPolicy(parsed.value, { lang: keywords });
      if (args.values.check) {
        if (format === inputFormat && output !== text) {
          io.err(`${relative(file)}: not in canonical form (run tiaowen fmt --write)`);
          failed = true;
        }
      } else if (args.values.write) {
        const target = format === inputFormat ? file : file.replace(/\.policy(\.ya?ml)?$/, format === 'yaml' ? '.policy.yaml' : '.policy');
        await writeFile(target, output);
        io.err(`wrote ${relative(target)}`);
      } else {
        io.out(output.endsWith('\n') ? output.slice(0, -1) : output); // io.out ends the line itself
      }
    }
    return failed ? EXIT.failed : EXIT.ok;
  }),
};
