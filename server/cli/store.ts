/** `tiaowen store copy --from A --to B`: moves a deployment's data, e.g. SQLite into PostgreSQL. */
import { EXIT, type CliCommand } from './command.ts';
import { parseFlags } from './serve.ts';
import { storeSpec } from './storeSpec.ts';
import { redactStoreSpec } from '../store/sql.ts';

const USAGE = `Usage: tiaowen store copy --from <data folder | file.sqlite | postgres://…> --to <postgres://… | data folder>

Copies every table of one store into another that is still empty — versions, drafts, reviews,
the audit trail, tokens, decisions and jobs — in one transaction, then checks each table: the
row count and a SHA-256 over its rows must be the same on both sides. Typical use: an existing
SQLite data folder moving to a PostgreSQL shared by several servers. Stop the server first.
把一个存储的全部数据(版本、草稿、审核、审计、令牌、决定日志、任务)复制到另一个空存储,
并逐表核对行数与哈希。常用于把 SQLite 数据目录迁移到多实例共用的 PostgreSQL。请先停止服务。

Exit codes: 0 copied and verified; 1 the copy was refused or did not verify (the target is left
empty); 2 wrong usage; 3 a store could not be opened; 4 internal error.
Example: tiaowen store copy --from ./data --to postgres://tiaowen:secret@db:5432/tiaowen`;

export const command: CliCommand = {
  name: 'store',
  summary: { zh: '在存储之间复制数据(如 SQLite → PostgreSQL)', en: 'Copy data between stores (e.g. SQLite → PostgreSQL)' },
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') return (io.out(USAGE), sub ? EXIT.ok : EXIT.usage);
    if (sub !== 'copy') return (io.err(`unknown sub-command ${sub}\n\n${USAGE}`), EXIT.usage);
    const { flags, error, help } = parseFlags(rest, ['from', 'to']);
    if (help) return (io.out(USAGE), EXIT.ok);
    if (error) return (io.err(`${error}\n\n${USAGE}`), EXIT.usage);
    if (!flags.from || !flags.to) return (io.err(`--from and --to are both required\n\n${USAGE}`), EXIT.usage);
    const { Store } = await import('../store/store.ts');
    const { copyStore, CopyRefused } = await import('../store/copy.ts');
    let from;
    let to;
    try {
      from = await Store.open(storeSpec(flags.from, undefined));
      to = await Store.open(storeSpec(flags.to, undefined, { create: true }));
    } catch (e) {
      await from?.close();
      io.err(`无法打开存储 / cannot open a store: ${(e as Error).message}`);
      return EXIT.io;
    }
    try {
      io.err(`复制 / copying ${redactStoreSpec(storeSpec(flags.from, undefined))} → ${redactStoreSpec(storeSpec(flags.to, undefined))}`);
      const report = await copyStore(from, to, (table, rows) => io.err(`  ${table}: ${rows}`));
      for (const r of report) io.out(`${r.table.padEnd(15)} ${String(r.rows).padStart(9)} rows  sha256 ${r.targetHash.slice(0, 16)}  ✓`);
      io.out('已复制并核对 / copied and verified');
      return EXIT.ok;
    } catch (e) {
      if (e instanceof CopyRefused) {
        io.err(`未复制:${e.zh}\nnot copied: ${e.en}`);
        return EXIT.failed;
      }
      throw e;
    } finally {
      await from.close();
      await to.close();
    }
  },
};
