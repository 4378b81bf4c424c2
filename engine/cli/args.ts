/** Argument parsing on node:util's parseArgs, with usage errors as values. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;

export type Parsed = { values: Record<string, string | boolean | undefined>; positionals: string[] };

export function parse(argv: string[], options: Options): Parsed | { error: string } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals: true, strict: true });
    return { values: values as Parsed['values'], positionals };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T | { error: string } | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  return { error: `--${name} must be one of ${allowed.join(', ')} (got ${String(value)})` };
}

export const EXIT_CODES_HELP = `Exit codes: 0 ok; 1 the input has errors (diagnostics, failing cases, invalid facts);
            2 wrong usage; 3 a file could not be read or written; 4 internal error (a bug: please report it).`;

/** Prints what was wrong, then the command's usage, and returns the usage exit code. */
export function usageError(io: { err: (s: string) => void }, message: string, usage: string): number {
  io.err(`${message}\n\n${usage}`);
  return 2;
}
