#!/usr/bin/env node
// The installed `tiaowen` command. An installed package (or a checkout after `npm run build`) runs
// the compiled JavaScript in dist/; a source checkout without a build registers tsx and runs the
// TypeScript sources, so `npm run tiaowen` and a fresh clone keep working.
import { existsSync } from 'node:fs';

// An exception outside the command's promise (a timer, a stream callback): one line, exit 4, as below.
const die = (e) => {
  const stack = process.env.TIAOWEN_DEBUG && e instanceof Error ? `\n${e.stack}` : '';
  process.stderr.write(`内部错误(请报告此问题)/ internal error (please report it): ${e instanceof Error ? e.message : String(e)}${stack}\n`);
  process.exit(4);
};
process.on('uncaughtException', die);
process.on('unhandledRejection', die);
const built = new URL('../dist/server/cli/main.js', import.meta.url);
// In a checkout with an old build, TIAOWEN_SOURCE=1 runs the sources instead (`npm run tiaowen`
// always does). A package has no sources, so it always runs dist.
const source = new URL('../server/cli/main.ts', import.meta.url);
const useBuilt = existsSync(built) && !(process.env.TIAOWEN_SOURCE === '1' && existsSync(source));
let main;
if (useBuilt) {
  ({ main } = await import(built.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
}
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
