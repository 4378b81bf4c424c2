/**
 * `tiaowen audit verify`: walks the audit trail's hash chain and reports the first broken link,
 * then the decision log's batches (store/ledger.ts), naming each edited, deleted or inserted decision.
 */
import { EXIT, type CliCommand } from './command.ts';
import { parseFlags } from './serve.ts';
import { storeSpec } from './storeSpec.ts';

const USAGE = `Usage: tiaowen audit verify [--data ./data | --store postgres://…]

Checks that the audit trail has not been edited: every entry carries the SHA-256 of the entry
before it and of its own fields, so a changed, removed or reordered entry breaks the chain from
there on. Prints how many entries were checked, or the first broken one.
Then checks the decision log: each commit batch is hashed (SHA-256 or SM3) over its decisions and
chained to the batch before it in its partition (one server instance and day); every edited,
deleted or inserted decision is named, and so are missing batches and partitions.
校验审计记录未被篡改:每条记录都带有前一条记录的哈希与自身内容的哈希;修改、删除或调换任何一条
都会使链从该处断开。输出已校验的条数,或第一处断开的记录。
随后校验决定日志:每次提交的批次对其中的决定计算哈希(SHA-256 或 SM3),并与同一分区(一个服务实例、一天)
的前一批次相链;逐条指出被修改、删除或插入的决定,以及缺失的批次和分区。

Options:
  --data DIR    data directory of a SQLite store          default ./data (or TIAOWEN_DATA)
  --store URL   a PostgreSQL store (or TIAOWEN_STORE)

Exit codes: 0 the chain and the log are whole; 1 either is not; 2 wrong usage; 3 the store cannot be opened;
4 internal error.
Example: tiaowen audit verify --data ./data`;

export const command: CliCommand = {
  name: 'audit',
  summary: { zh: '校验审计记录与决定日志的哈希链', en: "Verify the audit trail's and the decision log's hash chains" },
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') return (io.out(USAGE), sub ? EXIT.ok : EXIT.usage);
    if (sub !== 'verify') return (io.err(`unknown sub-command ${sub}\n\n${USAGE}`), EXIT.usage);
    const { flags, error, help } = parseFlags(rest, ['data', 'store']);
    if (help) return (io.out(USAGE), EXIT.ok);
    if (error) return (io.err(`${error}\n\n${USAGE}`), EXIT.usage);
    const { Store } = await import('../store/store.ts');
    const { PROBLEM_TEXT } = await import('../store/ledger.ts');
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
      let ok = true;
      if (!broken) {
        io.out(`审计链完整,已校验 ${checked} 条 / the audit chain is whole: ${checked} entries checked`);
      } else {
        ok = false;
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
      }
      // The decision log: every batch of every partition, and what the audit trail says of them.
      const log = await store.verifyDecisions((n) => tty && process.stderr.write(`\r${n} …`));
      if (tty) process.stderr.write('\r');
      const summary = `${log.decisions} 条决定、${log.batches} 个批次、${log.partitions} 个分区、${log.checkpoints} 个检查点`;
      const summaryEn = `${log.decisions} decisions, ${log.batches} batches, ${log.partitions} partitions, ${log.checkpoints} checkpoints`;
      if (log.problems.length === 0) {
        io.out(`决定日志完整:${summary} / the decision log is whole: ${summaryEn}`);
      } else {
        ok = false;
        io.out(`决定日志有 ${log.problems.length} 处问题(${summary})/ the decision log has ${log.problems.length} problem(s) (${summaryEn}):`);
        for (const p of log.problems) {
          const [zh, en] = PROBLEM_TEXT[p.kind];
          const where = [p.decisionId ? `decision ${p.decisionId}` : '', p.part ? `partition ${p.part}` : '', p.seq !== undefined ? `batch ${p.seq}` : ''].filter(Boolean).join(', ');
          io.out(`  ${p.kind}: ${where}`);
          io.out(`    ${zh} / ${en}`);
          if (p.expected !== undefined) io.out(`    expected ${p.expected}, found ${p.found ?? '(none)'}`);
        }
      }
      return ok ? EXIT.ok : EXIT.failed;
    } finally {
      await store.close();
    }
  },
};
