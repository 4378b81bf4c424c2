/** File discovery shared by the language commands. Node-only. */
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { formatOfFile } from '../../dsl/index.ts';

export const POLICY_FILE = /\.policy(\.ya?ml)?$/;
export const CASES_FILE = /\.cases\.ya?ml$/;

/**
 * The folder the user typed their paths in. `npm run tiaowen` runs the script in the package
 * root and passes the folder npm was started in as INIT_CWD; without this, `npm run tiaowen --
 * check loan.policy` in a sub-folder would look for loan.policy in the root.
 */
export function userDir(): string {
  return process.env.npm_lifecycle_event === 'tiaowen' && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
}

/** A path the user gave, made absolute against the folder they typed it in (`-` stays `-`). */
export function userPath(p: string): string {
  return p === '-' ? p : path.resolve(userDir(), p);
}

/**
 * Whether a directory walk skips this folder. Walks take what a user would call "the policies
 * here": not dependencies (`node_modules`), hidden folders, test fixtures (`test/fixtures`, which
 * hold deliberately odd and duplicate policies), or folders named `_error_` (inputs that are
 * expected to fail, beside the diagnostics they must give). `parents` are the folder names
 * between the walk's root and this folder; a folder named on the command line is always read.
 */
export function skippedFolder(name: string, parents: readonly string[]): boolean {
  if (name === 'node_modules' || name === '_error_' || name.startsWith('.')) return true;
  return name === 'fixtures' && parents[parents.length - 1] === 'test';
}

/** Every file under the given files/directories whose name matches, sorted, deduplicated, absolute. */
export async function collectFiles(inputs: string[], pattern: RegExp): Promise<string[]> {
  const found = new Set<string>();
  const walk = async (dir: string, parents: string[]): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!skippedFolder(entry.name, parents)) await walk(path.join(dir, entry.name), [...parents, entry.name]);
      } else if (entry.isFile() && pattern.test(entry.name)) {
        found.add(path.join(dir, entry.name));
      }
    }
  };
  for (const input of inputs) {
    if (input === STDIN) {
      found.add(STDIN);
      continue;
    }
    const abs = userPath(input);
    const info = await stat(abs); // a missing path throws ENOENT: the caller reports it as an I/O error
    if (info.isDirectory()) await walk(abs, [path.basename(abs)]);
    else found.add(abs);
  }
  return [...found].sort();
}

/**
 * The policy files that come with some command-line inputs: every policy under a folder, a
 * policy file itself, and the policies in the folder of a cases file.
 */
export async function policiesOf(inputs: string[]): Promise<string[]> {
  const dirs = inputs.map((i) => {
    const abs = userPath(i);
    return statSync(abs, { throwIfNoEntry: false })?.isDirectory() || POLICY_FILE.test(abs) ? abs : path.dirname(abs);
  });
  return collectFiles(dirs, POLICY_FILE);
}

/**
 * The policy library bases are looked up in (`extends`): `--policies DIR` when given, else
 * `./policies` when it exists, else none. A given folder that does not exist is an error the
 * caller reports; the default is only used when present.
 */
export function libraryDir(option: unknown): { dir?: string } | { missing: string } {
  if (typeof option === 'string') {
    const dir = userPath(option);
    return statSync(dir, { throwIfNoEntry: false })?.isDirectory() ? { dir } : { missing: option };
  }
  const dir = userPath('policies');
  return existsSync(dir) && statSync(dir).isDirectory() ? { dir } : {};
}

export const LIBRARY_HELP = `  --policies DIR  the policy library \`extends\` is resolved in (default ./policies when it
                  exists); policies named on the command line are added to it and win over it`;

/** `-` on the command line: the policy text comes from standard input. */
export const STDIN = '-';

/** The text of a file named on the command line, or of standard input for `-`. */
export async function readSource(file: string, io: { stdin?: () => Promise<string> }): Promise<string> {
  if (file !== STDIN) return readFile(file, 'utf8');
  return io.stdin ? io.stdin() : readProcessStdin();
}

export async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * DSL or YAML: by the file name, and for standard input by the first line that is not blank or a
 * comment (YAML starts with \`key:\` or \`---\`; the DSL with \`policy "…"\` / \`政策 "…"\`).
 */
export function sourceFormat(file: string, text: string): 'dsl' | 'yaml' {
  if (file !== STDIN) return formatOfFile(file);
  const first = text.split(/\r?\n/).find((l) => l.trim() !== '' && !l.trimStart().startsWith('#')) ?? '';
  return /^(---\s*$|[^\s"“]+\s*:(\s|$))/.test(first) ? 'yaml' : 'dsl';
}

export function isIoError(e: unknown): e is NodeJS.ErrnoException {
  return typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'string';
}

/**
 * collectFiles for a command: a path that cannot be read is reported on `err` and answered with
 * the I/O exit code (3) instead of the file list.
 */
export async function collectOrReport(inputs: string[], pattern: RegExp, io: { err: (s: string) => void }): Promise<string[] | number> {
  try {
    return await collectFiles(inputs, pattern);
  } catch (e) {
    if (!isIoError(e)) throw e;
    io.err(`无法读取 / cannot read ${e.path ?? ''}: ${e.code}`);
    return 3;
  }
}
