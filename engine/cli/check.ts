import { readFile } from 'node:fs/promises';
import { renderDiagnostic, hasErrors, type Diagnostic } from '../../dsl/index.ts';
import { compileSource } from '../index.ts';
import { compileStages } from '../ir/compile.ts';
import { EXIT, guarded, type CliCommand } from './command.ts';
import { parse, oneOf, usageError as usageErrorFor, EXIT_CODES_HELP } from './args.ts';
import { collectOrReport, libraryDir, LIBRARY_HELP, POLICY_FILE, STDIN, readSource, sourceFormat } from './files.ts';
import { loadNamed, baseResolver, relative, unreachableBaseNote } from './library.ts';
import { checkFindings, counterexampleText } from '../analysis/index.ts';

const usage = `tiaowen check <file|dir|->... [options]

Compile policies and report every diagnostic (lexing, parsing, names, types, citations, extends).
检查政策文件,报告全部错误(词法、语法、名称、类型、引用、继承)。
- reads one policy (DSL or YAML) from standard input. / - 表示从标准输入读取。

Options:
  --dump ast|ir   print the output of that stage as JSON instead of diagnostics
  --lang zh|en|both   language of messages (default both)
  --json          print diagnostics as JSON
  --no-analysis   skip the solver's analysis (dead rules, conflicts, redundant rules); unused names,
                  parameter gaps and overlapping versions are still reported
  --strict        warnings fail the check too (exit code 1). Analysis findings are warnings (info
                  for redundant rules), except versions with the same start or overlapping explicit
                  periods, which are errors. A conflict prints a counterexample: facts and an as-of
                  date to replay with \`tiaowen eval\`.
${LIBRARY_HELP}
  -h, --help      this help

${EXIT_CODES_HELP}

Example: tiaowen check policies/gansu/poverty-loan`;

const usageError = (io: { err: (s: string) => void }, message: string) => usageErrorFor(io, message, usage);

export const command: CliCommand = {
  name: 'check',
  summary: { zh: '检查政策文件', en: 'check policy files and report diagnostics' },
  usage,
  run: guarded(async (argv, io) => {
    const args = parse(argv, { dump: { type: 'string' }, lang: { type: 'string' }, json: { type: 'boolean' }, policies: { type: 'string' }, 'no-analysis': { type: 'boolean' }, strict: { type: 'boolean' } });
    if ('error' in args) return usageError(io, args.error);
    if (args.values.help) return io.out(usage), EXIT.ok;
    const dump = oneOf(args.values.dump, ['ast', 'ir'] as const, 'dump');
    const lang = oneOf(args.values.lang, ['zh', 'en', 'both'] as const, 'lang');
    if (typeof dump === 'object') return usageError(io, dump.error);
    if (typeof lang === 'object') return usageError(io, lang.error);
    if (!args.positionals.length) return usageError(io, 'name at least one policy file or folder');

    const files = await collectOrReport(args.positionals, POLICY_FILE, io);
    if (typeof files === 'number') return files;
    if (!files.length) return io.err('no .policy or .policy.yaml files found in ' + args.positionals.join(', ')), EXIT.failed;

    // Bases come from the files checked together and the library (--policies, default ./policies).
    const lib = libraryDir(args.values.policies);
    if ('missing' in lib) return io.err(`无法读取 / cannot read policy library ${lib.missing}`), EXIT.io;
    const texts = new Map<string, string>();
    if (files.includes(STDIN)) texts.set(STDIN, await readSource(STDIN, io));
    const { library } = await loadNamed(files, lib.dir, texts);
    const resolveBase = baseResolver(library);
    let failed = false;
    const all: { file: string; diagnostics: Diagnostic[] }[] = [];
    for (const file of files) {
      const text = texts.get(file) ?? (await readFile(file, 'utf8'));
      if (dump) {
        const opts = { file: relative(file), format: sourceFormat(file, text), resolveBase };
        const staged = dump === 'ast' ? compileStages(text, opts, 'ast') : compileStages(text, opts, 'ir');
        io.out(JSON.stringify(staged.value ?? null, null, 2));
        if (hasErrors(staged.diagnostics)) failed = true;
        for (const d of staged.diagnostics) io.err(renderDiagnostic(d, text, { lang: lang ?? 'both' }));
        continue;
      }
      const result = compileSource(text, { file: relative(file), format: sourceFormat(file, text), resolveBase });
      if (hasErrors(result.diagnostics)) failed = true;
      // The analysis stage runs on what compiled cleanly (see engine/analysis/README.md).
      const findings = result.value && !hasErrors(result.diagnostics) ? await checkFindings(library, result.value, { text, file: relative(file), solver: !args.values['no-analysis'] }) : [];
      if (hasErrors(findings) || (args.values.strict && [...result.diagnostics, ...findings].some((d) => d.severity === 'warning'))) failed = true;
      all.push({ file: relative(file), diagnostics: [...result.diagnostics, ...findings] });
      if (!args.values.json) {
        for (const d of result.diagnostics) io.out(renderDiagnostic(d, text, { lang: lang ?? 'both' }) + '\n');
        for (const f of findings) io.out(renderDiagnostic(f, text, { lang: lang ?? 'both' }) + counterexampleText(f) + '\n');
      }
    }
    const note = unreachableBaseNote(all.flatMap((f) => f.diagnostics), lib.dir);
    if (note && !args.values.json) io.err(note);
    if (args.values.json && !dump) io.out(JSON.stringify(all, null, 2));
    else if (!dump) {
      const errors = all.reduce((n, f) => n + f.diagnostics.filter((d) => d.severity === 'error').length, 0);
      const warnings = all.reduce((n, f) => n + f.diagnostics.filter((d) => d.severity === 'warning').length, 0);
      io.out(`${files.length} file(s) checked: ${errors} error(s), ${warnings} warning(s) / 检查 ${files.length} 个文件:${errors} 个错误,${warnings} 个警告`);
    }
    return failed ? EXIT.failed : EXIT.ok;
  }),
};
