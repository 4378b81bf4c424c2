/**
 * The shape of one `tiaowen` sub-command. The dispatcher (server/cli/main.ts) registers the
 * language commands from engine/cli and the server commands from server/cli.
 */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Standard input, read whole (for \`-\`); the process's own when absent. Tests pass text. */
  stdin?: () => Promise<string>;
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
} as const;
