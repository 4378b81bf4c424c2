/**
 * `tiaowen`: one command line for the language (check, fmt, eval, test, catalog) and the server
 * (serve, token). Commands load lazily so `tiaowen check` does not pay for the server's imports.
 */
import { pathToFileURL } from 'node:url';
import type { CliCommand, CliIo } from './command.ts';
import { internalErrorText } from '../../engine/cli/command.ts';

const COMMANDS: Record<string, () => Promise<{ command: CliCommand }>> = {
  check: () => import('../../engine/cli/check.ts'),
  fmt: () => import('../../engine/cli/fmt.ts'),
  eval: () => import('../../engine/cli/eval.ts'),
  diff: () => import('../../engine/cli/diff.ts'),
  sql: () => import('../../engine/cli/sql.ts'),
  simulate: () => import('../../engine/cli/simulate.ts'),
  test: () => import('../../engine/cli/test.ts'),
  catalog: () => import('../../engine/cli/catalog.ts'),
  build: () => import('../../engine/cli/build.ts'),
  serve: () => import('./serve.ts'),
  token: () => import('./token.ts'),
  persons: () => import('./persons.ts'),
  audit: () => import('./audit.ts'),
  store: () => import('./store.ts'),
  library: () => import('./library.ts'),
};

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(await overview());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.out('tiaowen 0.1.0');
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.err(`未知命令 / unknown command: ${name}\n\n${await overview()}`);
    return 2;
  }
  // --no-codegen (serve, eval, simulate, any command): the interpreter instead of generated code,
  // through the environment so worker threads started later inherit it.
  const at = rest.indexOf('--no-codegen');
  if (at >= 0) {
    rest.splice(at, 1);
    process.env.TIAOWEN_NO_CODEGEN = '1';
  }
  const { command } = await load();
  return command.run(rest, io);
}

async function overview(): Promise<string> {
  const lines = ['tiaowen — 条文: regulations as data / 法规即数据', '', 'Usage: tiaowen <command> [options]   (tiaowen <command> --help for details)', ''];
  for (const [name, load] of Object.entries(COMMANDS)) {
    const { command } = await load();
    lines.push(`  ${name.padEnd(9)} ${command.summary.en} / ${command.summary.zh}`);
  }
  lines.push('', 'Exit codes: 0 ok; 1 the input has errors; 2 wrong usage; 3 a file, store or port could not be used; 4 internal error (a bug: please report it).');
  return lines.join('\n');
}

// Run when executed directly (npm start, npm run tiaowen, bin/tiaowen.js), not when imported by tests.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // An exception outside the command's promise (a timer, a stream callback) is a bug too: one line, exit 4.
  const die = (e: unknown) => {
    process.stderr.write(`${internalErrorText(e)}\n`);
    process.exit(4);
  };
  process.on('uncaughtException', die);
  process.on('unhandledRejection', die);
  main(process.argv.slice(2), { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') }).then(
    (code) => {
      // Setting exitCode (not calling exit) lets `serve` keep running on its open server.
      process.exitCode = code;
    },
    (e: unknown) => {
      // One line, never a stack trace; 4 is EXIT.internal (engine/cli/command.ts), set TIAOWEN_DEBUG=1 for the stack.
      const stack = process.env.TIAOWEN_DEBUG && e instanceof Error ? `\n${e.stack}` : '';
      process.stderr.write(`内部错误(请报告此问题)/ internal error (please report it): ${e instanceof Error ? e.message : String(e)}${stack}\n`);
      process.exitCode = 4;
    },
  );
}
