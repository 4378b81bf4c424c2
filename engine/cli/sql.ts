import { EXIT, type CliCommand } from './command.ts';
import { parse, oneOf, usageError as usageErrorFor, EXIT_CODES_HELP } from './args.ts';
import { parseDate, todayInShanghai } from '../values/dates.ts';
import { compileSql, policyQuery } from '../sql/compile.ts';
import { addPolicyFile, isPolicyFile, libraryFor, renderSqlDiagnostics, resolveOrErrors } from '../sql/cliPolicy.ts';

const usage = `tiaowen sql <policy file | policy id> [options]

Print the SQL that judges every record of a table under the policy: one row per record with each
rule's verdict (0 not fired, 1 fired, 2 undetermined, 3 suppressed), the missing-facts mask of an
undetermined rule and the computed amounts. The setup statements (calendar, helper functions) come
first. Records are read from tw_records (rid + a column per fact) and tw_list_<fact> (rid, idx, fields).
打印按政策逐条判定整张表的 SQL。

Options:
  --dialect duckdb|postgres   SQL dialect (default duckdb)
  --as-of DATE        parameters and as_of read on this date, YYYY-MM-DD (default: today in Asia/Shanghai)
  --version V         a specific version (default: the one in force on the as-of date)
  --policies DIR      where policy ids and bases are looked up (default ./policies)
  --no-setup          print the query only
  -h, --help          this help

${EXIT_CODES_HELP}
(A construct the SQL cannot express exits 1 with a diagnostic naming it.)

Example: tiaowen sql gansu/poverty-loan --dialect postgres --as-of 2019-12-31`;

const usageError = (io: { err: (s: string) => void }, message: string) => usageErrorFor(io, message, usage);

export const command: CliCommand = {
  name: 'sql',
  summary: { zh: '把政策编译为 SQL', en: 'compile a policy to SQL' },
  usage,
  async run(argv, io) {
    const args = parse(argv, {
      dialect: { type: 'string' },
      'as-of': { type: 'string' },
      version: { type: 'string' },
      policies: { type: 'string' },
      'no-setup': { type: 'boolean' },
    });
    if ('error' in args) return usageError(io, args.error);
    if (args.values.help) return io.out(usage), EXIT.ok;
    const dialect = oneOf(args.values.dialect, ['duckdb', 'postgres'] as const, 'dialect');
    if (typeof dialect === 'object') return usageError(io, dialect.error);
    const [target, ...rest] = args.positionals;
    if (!target || rest.length) return usageError(io, 'name exactly one policy file or policy id');
    const asOf = (args.values['as-of'] as string | undefined) ?? todayInShanghai();
    if (parseDate(asOf) === undefined) return usageError(io, `--as-of must be a real date like 2018-06-30 (got ${asOf})`);
    const library = await libraryFor(args.values.policies as string | undefined);
    let id = target;
    let version = args.values.version as string | undefined;
    if (isPolicyFile(target)) {
      const added = await addPolicyFile(library, target);
      if ('errors' in added) return io.err(added.errors.join('\n')), EXIT.failed;
      id = added.id;
      version ??= added.version;
    }
    const resolved = resolveOrErrors(library, id, { asOf, version });
    if ('errors' in resolved) return io.err(resolved.errors.join('\n')), EXIT.failed;
    const plan = compileSql([{ ir: resolved.ir, prefix: '' }], { dialect: dialect ?? 'duckdb', asOf });
    if (!plan.value) return io.err(renderSqlDiagnostics(plan.diagnostics)), EXIT.failed;
    const header = `-- ${resolved.stamp.id}@${resolved.stamp.version} (${resolved.stamp.hash.slice(0, 12)}) as of ${asOf}, ${plan.value.dialect}`;
    const setup = args.values['no-setup'] ? [] : ['-- setup (once per database)', ...plan.value.setup.map((s) => `${s};`)];
    io.out([header, ...setup, '-- query', `${policyQuery(plan.value)};`].join('\n'));
    return EXIT.ok;
  },
};
