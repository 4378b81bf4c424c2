/** `tiaowen persons list|create|approve|disable|enable`: persons and their grants, as the operator (the store in hand). */
import { storeSpec } from './storeSpec.ts';
import { EXIT, type CliCommand } from './command.ts';
import { parseFlags } from './serve.ts';
import { ApiError } from '../errors.ts';

const USAGE = `Usage:
  tiaowen persons list    [--data ./data | --store postgres://…]
  tiaowen persons create  --name <name> --role <role> [--jurisdictions gansu,shanxi | '*'] [--data … | --store …]
  tiaowen persons approve --name <name> [--data … | --store …]
  tiaowen persons disable --name <name> [--data … | --store …]
  tiaowen persons enable  --name <name> [--data … | --store …]

Persons are identities (names compared NFKC, trimmed, case-folded); tokens are issued to them
(tiaowen token create). A grant is a role over jurisdictions (* for all). Over the API, a reviewer
or admin grant one admin asks for waits for a second admin; the operator, who holds the store,
grants at once and may approve what waits (e.g. on an install with one admin).
Disabling stops a person's tokens at once (grants are kept); the last active admin is not
disabled. Enabling over the API puts reviewer and admin grants back to wait for a second admin;
the operator's enable counts at once.
人员即身份(名称按 NFKC、去空白、忽略大小写比较),令牌发给人员。授权为角色及其辖区(* 为全部)。
通过 API 由一位管理员申请的审核员或管理员授权须另一位管理员批准;运维者(持有数据库)直接授权,也可批准待批授权。
停用人员后其令牌立即失效(授权保留);不能停用最后一位有效的管理员。通过 API 重新启用时,审核员与管理员授权
须另一位管理员再次批准;运维者启用立即生效。

Roles: admin, author, reviewer, system, viewer.
Exit codes: 0 done; 2 wrong usage (a bad name, an unknown person, nothing to approve, or a
disable/enable refused: already so, or the last active admin); 3 the store cannot be opened;
4 internal error.
Example: tiaowen persons create --name 李四 --role reviewer --jurisdictions shanxi`;

const ROLES = ['admin', 'author', 'reviewer', 'system', 'viewer'] as const;

/** `*` or a comma list of jurisdictions; undefined when malformed. */
export function parseScope(raw: string | undefined): '*' | string[] | undefined {
  if (raw === undefined || raw.trim() === '*') return '*';
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  return list.length && list.every((j) => /^[a-z0-9][a-z0-9_-]{0,63}$/.test(j)) ? list : undefined;
}

export const command: CliCommand = {
  name: 'persons',
  summary: { zh: '人员与授权', en: 'Persons and their grants' },
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') return (io.out(USAGE), sub ? EXIT.ok : EXIT.usage);
    if (!['list', 'create', 'approve', 'disable', 'enable'].includes(sub)) return (io.err(`unknown sub-command ${sub}\n\n${USAGE}`), EXIT.usage);
    const { flags, error, help } = parseFlags(rest, ['name', 'role', 'jurisdictions', 'data', 'store']);
    if (help) return (io.out(USAGE), EXIT.ok);
    if (error) return (io.err(`${error}\n\n${USAGE}`), EXIT.usage);
    if (sub !== 'list' && !flags.name?.trim()) return (io.err(`--name is required\n\n${USAGE}`), EXIT.usage);
    const role = flags.role as (typeof ROLES)[number];
    if (sub === 'create' && !ROLES.includes(role)) return (io.err(`--role must be one of ${ROLES.join(', ')}\n\n${USAGE}`), EXIT.usage);
    const scope = parseScope(flags.jurisdictions);
    if (!scope) return (io.err(`--jurisdictions must be * or a comma list of names like gansu,shanxi\n\n${USAGE}`), EXIT.usage);
    const { Store } = await import('../store/store.ts');
    const { Persons } = await import('../store/persons.ts');
    const { personName } = await import('../auth/person.ts');
    let store;
    try {
      store = await Store.open(storeSpec(flags.store, flags.data, { create: sub === 'create' }));
    } catch (e) {
      io.err(`无法打开数据目录 / cannot open the data directory: ${(e as Error).message}`);
      return EXIT.io;
    }
    const operator = { kind: 'operator', name: 'cli' } as const;
    try {
      const persons = new Persons(store);
      const show = (p: { id: number; name: string; status: string; grants: { role: string; jurisdictions: '*' | string[]; status: string }[] }) =>
        `${p.id}\t${p.name}\t${p.status}\t${p.grants.map((g) => `${g.role}:${g.jurisdictions === '*' ? '*' : g.jurisdictions.join(',')}${g.status === 'pending' ? '(pending)' : ''}`).join(' ')}`;
      if (sub === 'list') {
        for (const p of await persons.list()) io.out(show(p));
        return EXIT.ok;
      }
      const name = personName(flags.name!);
      if ('error' in name) return (io.err(`名称不合要求:${name.error.zh}\nnot an acceptable name: ${name.error.en}`), EXIT.usage);
      if (sub === 'create') {
        const p = await store.db.transaction((tx) => persons.grantIn(tx, name.name, role, scope, operator));
        io.out(show(p));
        return EXIT.ok;
      }
      if (sub === 'disable' || sub === 'enable') {
        const who = await persons.byKey(name.key);
        if (!who) return (io.err(`没有此人 / no person ${name.name}`), EXIT.usage);
        try {
          io.out(show((await (sub === 'disable' ? persons.disable(who.id, operator) : persons.enable(who.id, operator)))!));
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          const m = e.details?.[0]?.message ?? e.text;
          return (io.err(`${e.code}: ${m.zh} / ${m.en}`), EXIT.usage);
        }
        return EXIT.ok;
      }
      const p = await persons.byKey(name.key);
      if (!p || !p.grants.some((g) => g.status === 'pending')) return (io.err(`没有待批准的人员 / nothing awaits approval for ${name.name}`), EXIT.usage);
      // The operator is not a person: id 0 is no person's, so the four-eyes check lets it approve.
      io.out(show((await persons.approve(p.id, { id: 0, name: 'cli' }))!));
      return EXIT.ok;
    } finally {
      await store.close();
    }
  },
};
