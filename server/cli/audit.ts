/** `tiaowen audit verify`: walks the audit trail's hash chain and reports the first broken link. */
import { EXIT, type CliCommand } from './command.ts';
import { parseFlags } from './serve.ts';
import { storeSpec } from './storeSpec.ts';

const USAGE = `Usage: tiaowen audit verify [--data ./data | --store postgres://…]

Checks that the audit trail has not been edited: every entry carries the SHA-256 of the entry
before it and of its own fields, so a changed, removed or reordered entry breaks the chain from
there on. Prints how many entries were checked, or the first broken one.
校验审计记录未被篡改:每条记录都带有前一条记录的哈希与自身内容的哈希;修改、删除或调换任何一条
都会使链从该处断开。输出已校验的条数,或第一处断开的记录。

Options:
  --data DIR    data directory of a SQLite store          default ./data (or TIAOWEN_DATA)
  --store URL   a PostgreSQL store (or TIAOWEN_STORE)

Exit codes: 0 the chain is whole; 1 the chain is broken; 2 wrong usage; 3 the store cannot be opened;
4 internal error.
Example: tiaowen audit verify --data ./data`;

export const command: CliCommand = {
  name: 'audit',
  summary: { zh: '校验审计记录的哈希链', en: "Verify the audit trail's hash chain" },
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') return (io.out(USAGE), sub ? EXIT.ok : EXIT.usage);
    if (sub !== 'verify') return (io.err(`unknown sub-command ${sub}\n\n${USAGE}`), EXIT.usage);
    const { flags, error, help } = parseFlags(rest, ['data', 'store']);
    if (help) return (io.out(USAGE), EXIT.ok);
    if (error) return (io.err(`${error}\n\n${USAGE}`), EXIT.usage);
    const { Store } = await import('../store/store.ts');
    let store;
    try {
      store = await Store.open(storeSpec(flags.store, flags.data));
    } catch (e) {
      io.err(`无法打开存储 / cannot open the store: ${(e as Error).message}`);
      return EXIT.io;
    }
    try {
      const tty = process.stderr.isTTY;
      const { checked, broken } = await store.verifyAudit((n) => tty && process.stderr.write(`\r${n} …`));
      if (tty) process.stderr.write('\r');
      if (!broken) {
        io.out(`审计链完整,已校验 ${checked} 条 / the audit chain is whole: ${checked} entries checked`);
        return EXIT.ok;
      }
      const why = {
        'hash-mismatch': ['该条记录的内容与其哈希不符(被修改过)', "the entry's fields do not match its hash (it was edited)"],
        'prev-mismatch': ['该条记录指向的前一条哈希不符(前面有记录被删除、插入或修改)', 'it does not follow the entry before it (an entry before was removed, inserted or edited)'],
        unchained: ['该条记录没有哈希', 'the entry has no hash'],
      }[broken.reason];
      io.out(`审计链在第 ${broken.id} 条断开:${why[0]}`);
      io.out(`the audit chain breaks at entry ${broken.id}: ${why[1]}`);
      io.out(`  expected ${broken.expected}`);
      io.out(`  found    ${broken.found ?? '(none)'}`);
      io.out(`  ${checked} entries before it are whole`);
      return EXIT.failed;
    } finally {
      await store.close();
    }
  },
};
