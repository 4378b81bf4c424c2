#!/usr/bin/env node
// The installed `tiaowen` command: registers the TypeScript loader, then runs the dispatcher.
import { register } from 'tsx/esm/api';

register();
// An exception outside the command's promise (a timer, a stream callback): one line, exit 4, as below.
const die = (e) => {
  const stack = process.env.TIAOWEN_DEBUG && e instanceof Error ? `\n${e.stack}` : '';
  process.stderr.write(`内部错误(请报告此问题)/ internal error (please report it): ${e instanceof Error ? e.message : String(e)}${stack}\n`);
  process.exit(4);
};
process.on('uncaughtException', die);
process.on('unhandledRejection', die);
const { main } = await import('../server/cli/main.ts');
try {
  process.exitCode = await main(process.argv.slice(2), {
    out: (s) => process.stdout.write(s + '\n'),
    err: (s) => process.stderr.write(s + '\n'),
  });
} catch (e) {
  // One line and exit 4, as `npm run tiaowen` does (server/cli/main.ts); TIAOWEN_DEBUG=1 shows the stack.
  const stack = process.env.TIAOWEN_DEBUG && e instanceof Error ? `\n${e.stack}` : '';
  process.stderr.write(`内部错误(请报告此问题)/ internal error (please report it): ${e instanceof Error ? e.message : String(e)}${stack}\n`);
  process.exitCode = 4;
}
