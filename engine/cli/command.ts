/**
 * The shape of one `tiaowen` sub-command. The dispatcher (server/cli/main.ts) registers the
 * language commands from engine/cli and the server commands from server/cli.
 */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Standard input, read whole (for \`-\`); the process's own when absent. Tests pass text. */
  stdin?: () => Promise<string>;
  /** Ends a long-running command (\`test --watch\`); without it, it runs until the process ends. */
  signal?: AbortSignal;
}

export interface CliCommand {
  name: string;
  summary: { zh: string; en: string };
  /** Full `--help` text: usage line, options, exit codes, an example. */
  usage: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

/** Exit codes scripts can rely on; documented in README and in every `--help`. */
export const EXIT = {
  ok: 0,
  /** The input has errors: diagnostics, failing cases, invalid facts. */
  failed: 1,
  /** The command was called wrongly: unknown option, missing argument. */
  usage: 2,
  /** A file could not be read or written. */
  io: 3,
  /** A bug in tiaowen: reported in one line, never as a stack trace. */
  internal: 4,
} as const;

/** The one line an unexpected exception is reported as (set TIAOWEN_DEBUG=1 for the stack). */
export function internalErrorText(e: unknown): string {
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const stack = process.env.TIAOWEN_DEBUG && e instanceof Error && e.stack ? `\n${e.stack}` : '';
  return `内部错误(请报告此问题)/ internal error (please report it): ${what}${stack}`;
}

/**
 * A command's run that answers an unexpected exception with EXIT.internal and one line on
 * standard error, so no entry point (npm run tiaowen, bin/tiaowen.js, tests) shows a stack trace.
 */
export function guarded(run: CliCommand['run']): CliCommand['run'] {
  return async (argv, io) => {
    try {
      return await run(argv, io);
    } catch (e) {
      // A failed read or write (EACCES, EISDIR, ENOSPC…) is the file's fault, not a bug.
      if (e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === 'string') {
        const err = e as NodeJS.ErrnoException;
        io.err(`无法读写 / cannot ${err.syscall === 'open' || err.syscall === 'read' ? 'read' : err.syscall} ${err.path ?? ''}: ${err.code ?? err.message}`);
        return EXIT.io;
      }
      io.err(internalErrorText(e));
      return EXIT.internal;
    }
  };
}
