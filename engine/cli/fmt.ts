import { readFile, writeFile } from 'node:fs/promises';
import { parsePolicySource, formatPolicy, policyToYaml, renderDiagnostic, hasErrors } from '../../dsl/index.ts';
import { EXIT, type CliCommand } from './command.ts';
import { parse, oneOf, usageError as usageErrorFor, EXIT_CODES_HELP } from './args.ts';
import { collectOrReport, POLICY_FILE } from './files.ts';
import { relative } from './library.ts';

const usage = `tiaowen fmt <file|dir>... [options]

Print policies in canonical form, or convert between the DSL and YAML.
将政策文件排成规范格式,或在 DSL 与 YAML 之间转换。

Options:
  --to dsl|yaml   output form (default: the form of the input)
  --lang en|zh    keywords of DSL output (default en)
  --write         rewrite the files in place (with --to, writes <name>.policy / <name>.policy.yaml beside them)
  --check         print nothing, exit 1 if any file is not in canonical form
  -h, --help      this help

Comments are kept: a comment above a line stays above it, one at the end of a line stays there
(comments inside a multi-line expression move above its clause). YAML output does not carry them.

${EXIT_CODES_HELP}

Example: tiaowen fmt --to yaml policies/gansu/poverty-loan/poverty-loan.policy`;

const usageError = (io: { err: (s: string) => void }, message: string) => usageErrorFor(io, message, usage);

export const command: CliCommand = {
  name: 'fmt',
  summary: { zh: '格式化与 DSL/YAML 互转', en: 'format policies; convert DSL ↔ YAML' },
  usage,
  async run(argv, io) {
    const args = parse(argv, { to: { type: 'string' }, lang: { type: 'string' }, write: { type: 'boolean' }, check: { type: 'boolean' } });
    if ('error' in args) return usageError(io, args.error);
    if (args.values.help) return io.out(usage), EXIT.ok;
    const to = oneOf(args.values.to, ['dsl', 'yaml'] as const, 'to');
    const lang = oneOf(args.values.lang, ['en', 'zh'] as const, 'lang');
    if (typeof to === 'object') return usageError(io, to.error);
    if (typeof lang === 'object') return usageError(io, lang.error);
    if (!args.positionals.length) return usageError(io, 'name at least one policy file or folder');

    const files = await collectOrReport(args.positionals, POLICY_FILE, io);
    if (typeof files === 'number') return files;
    let failed = false;
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      const inputFormat = /\.ya?ml$/.test(file) ? 'yaml' : 'dsl';
      const parsed = parsePolicySource(text, { file: relative(file) });
      if (!parsed.value || hasErrors(parsed.diagnostics)) {
        for (const d of parsed.diagnostics) io.err(renderDiagnostic(d, text));
        failed = true;
        continue;
      }
      const format = to ?? inputFormat;
      const output = format === 'yaml' ? policyToYaml(parsed.value) : formatPolicy(parsed.value, { lang: lang ?? 'en' });
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
        io.out(output);
      }
    }
    return failed ? EXIT.failed : EXIT.ok;
  },
};
