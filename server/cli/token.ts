/** `tiaowen token create --role R --name N [--data DIR]`: prints a new token once. */
import { storeSpec } from './storeSpec.ts';
import { EXIT, type CliCommand } from './command.ts';
import { parseFlags } from './serve.ts';

const USAGE = `Usage: tiaowen token create --role <admin|author|reviewer|system|viewer> --name <name> [--jurisdictions gansu,shanxi | '*'] [--data ./data | --store postgres://…]

Creates an access token and prints it once (only its hash is stored). The name is the person or
system the token belongs to: the person (made if new, given the role over --jurisdictions, default *,
if they lack it); four eyes compares persons. The operator's grants count at once (see tiaowen persons).
新建访问令牌并只显示一次(数据库只保存其哈希)。名称即令牌持有人,审计与四眼原则据此判断。

Options: --data DIR (or TIAOWEN_DATA) for a SQLite store; --store URL (or TIAOWEN_STORE) for PostgreSQL.

Exit codes: 0 created; 2 wrong usage (including a name with invisible characters); 3 the store
cannot be opened; 4 internal error.
Example: tiaowen token create --role reviewer --name 李四`;

const ROLES = ['admin', 'author', 'reviewer', 'system', 'viewer'] as const;

export const command: CliCommand = {
  name: 'token',
  summary: { zh: '新建访问令牌', en: 'Create an access token' },
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') return (io.out(USAGE), sub ? EXIT.ok : EXIT.usage);
    if (sub !== 'create') return (io.err(`unknown sub-command ${sub}\n\n${USAGE}`), EXIT.usage);
    const { flags, error, help } = parseFlags(rest, ['role', 'name', 'jurisdictions', 'data', 'store']);
    if (help) return (io.out(USAGE), EXIT.ok);
    if (error) return (io.err(`${error}\n\n${USAGE}`), EXIT.usage);
    const role = flags.role as (typeof ROLES)[number];
    if (!ROLES.includes(role)) return (io.err(`--role must be one of ${ROLES.join(', ')}\n\n${USAGE}`), EXIT.usage);
    if (!flags.name?.trim()) return (io.err(`--name is required\n\n${USAGE}`), EXIT.usage);
    const { parseScope } = await import('./persons.ts');
    const scope = parseScope(flags.jurisdictions);
    if (!scope) return (io.err(`--jurisdictions must be * or a comma list of names like gansu,shanxi\n\n${USAGE}`), EXIT.usage);
    const { Store } = await import('../store/store.ts');
    const { Auth } = await import('../auth/auth.ts');
    let store;
    try {
      store = await Store.open(storeSpec(flags.store, flags.data, { create: true }));
    } catch (e) {
      io.err(`无法打开数据目录 / cannot open the data directory: ${(e as Error).message}`);
      return EXIT.io;
    }
    try {
      let created;
      try {
        created = await new Auth(store).create(role, flags.name, 'cli', flags.jurisdictions === undefined ? undefined : scope);
      } catch (e) {
        const d = (e as { details?: { message: { zh: string; en: string } }[] }).details?.[0];
        if (!d) throw e;
        io.err(`名称不合要求:${d.message.zh}\nnot an acceptable name: ${d.message.en}`);
        return EXIT.usage;
      }
      const { token, record } = created;
      io.out(`令牌已创建(只显示这一次)/ token created (shown only once): ${record.name} (${record.role})`);
      io.out(token);
      return EXIT.ok;
    } finally {
      await store.close();
    }
  },
};
