import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderDiagnostic, hasErrors } from '../../dsl/index.ts';
import { generate, standaloneModule, Unsupported } from '../compiled/index.ts';
import { parseDate } from '../values/dates.ts';
import { factsValidatorSource } from '../facts/validate.ts';
import { EXIT, guarded, type CliCommand } from './command.ts';
import { parse, usageError as usageErrorFor, EXIT_CODES_HELP } from './args.ts';
import { isIoError, libraryDir, userPath, POLICY_FILE } from './files.ts';
import { loadNamed, unreachableBaseNote } from './library.ts';
import { todayInShanghai } from './eval.ts';

const usage = `tiaowen build <policy file | policy id> --out <file.mjs> [options]

Write a policy version's generated evaluator as a standalone ES module, for deployments that
forbid runtime code generation: \`import evaluator from './file.mjs'\`, then
\`evaluator.decide(facts, { asOf })\` gives the same decision as \`tiaowen eval\` (without --explain).
把政策版本生成的求值代码写成独立的 ES 模块,供禁止运行时生成代码的部署直接导入。

Options:
  --out FILE          the module to write                                  (required)
  --as-of DATE        the version in force on this date, and its bases (default: today in Asia/Shanghai)
  --version V         with a policy id: a specific version
  --policies DIR      the policy library (default ./policies when it exists)
  --runtime SPEC      what the module imports its runtime from (default: a relative path to this
                      checkout's engine/compiled/index.ts)
  -h, --help          this help

${EXIT_CODES_HELP}

Example: tiaowen build gansu/poverty-loan-book --out build/loan-book.mjs`;

const usageError = (io: { err: (s: string) => void }, message: string) => usageErrorFor(io, message, usage);

/** The runtime module of this checkout, as a specifier relative to the written module. */
function defaultRuntime(out: string): string {
  const runtime = fileURLToPath(new URL('../compiled/index.ts', import.meta.url));
  const rel = path.relative(path.dirname(out), runtime).split(path.sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

export const command: CliCommand = {
  name: 'build',
  summary: { zh: '把政策写成独立的求值模块', en: 'write a policy as a standalone evaluator module' },
  usage,
  run: guarded(async (argv, io) => {
    const args = parse(argv, {
      out: { type: 'string' },
      'as-of': { type: 'string' },
      version: { type: 'string' },
      policies: { type: 'string' },
      runtime: { type: 'string' },
    });
    if ('error' in args) return usageError(io, args.error);
    if (args.values.help) return io.out(usage), EXIT.ok;
    const [target, ...rest] = args.positionals;
    if (!target || rest.length) return usageError(io, 'name exactly one policy file or policy id');
    if (typeof args.values.out !== 'string') return usageError(io, '--out is required');
    const out = userPath(args.values.out);
    const asOf = (args.values['as-of'] as string | undefined) ?? todayInShanghai();
    if (parseDate(asOf) === undefined) return usageError(io, `--as-of must be a real date like 2018-06-30 (got ${asOf})`);

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
    }
    const resolved = library.resolve(policyId, { asOf, version });
    if (!resolved.value) {
      for (const d of resolved.diagnostics) io.err(`${d.code}: ${d.message.zh} / ${d.message.en}`);
      return EXIT.failed;
    }
    let source: string;
    try {
      const gen = generate(resolved.value.ir);
      source = standaloneModule(gen, JSON.stringify(resolved.value), (args.values.runtime as string | undefined) ?? defaultRuntime(out), factsValidatorSource(resolved.value.ir));
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      io.err(`生成器不支持此政策的写法 / the generator does not cover this policy (${e.message}); it is evaluated by the interpreter`);
      return EXIT.failed;
    }
    try {
      await writeFile(out, source);
    } catch (e) {
      if (isIoError(e)) return io.err(`cannot write ${args.values.out}: ${e.code}`), EXIT.io;
      throw e;
    }
    const s = resolved.value.stamp;
    io.out(`${s.id}@${s.version} (${resolved.value.ir.rules.length} rules) → ${args.values.out}`);
    return EXIT.ok;
  }),
};
