/** File discovery shared by the language commands. Node-only. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export const POLICY_FILE = /\.policy(\.ya?ml)?$/;
export const CASES_FILE = /\.cases\.ya?ml$/;

/** Every file under the given files/directories whose name matches, sorted, deduplicated. */
export async function collectFiles(inputs: string[], pattern: RegExp): Promise<string[]> {
  const found = new Set<string>();
  for (const input of inputs) {
    const info = await stat(input); // a missing path throws ENOENT: the caller reports it as an I/O error
    if (info.isDirectory()) {
      for (const entry of await readdir(input, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !pattern.test(entry.name)) continue;
        const dir = entry.parentPath ?? (entry as unknown as { path: string }).path; // Node 20.12+ has parentPath
        if (dir.split(path.sep).includes('node_modules')) continue;
        found.add(path.join(dir, entry.name));
      }
    } else {
      found.add(input);
    }
  }
  return [...found].sort();
}

/**
 * The library root for some paths: the nearest ancestor folder named `policies`, so a variant
 * tested alone still finds the policy it extends. Falls back to the folder itself (or the folder
 * a file is in).
 */
export function libraryRoots(inputs: string[]): string[] {
  const roots = new Set<string>();
  for (const input of inputs) {
    const abs = path.resolve(input);
    const parts = abs.split(path.sep);
    const at = parts.lastIndexOf('policies');
    if (at > 0) roots.add(parts.slice(0, at + 1).join(path.sep));
    else roots.add(POLICY_FILE.test(abs) || CASES_FILE.test(abs) ? path.dirname(abs) : abs);
  }
  return [...roots];
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
