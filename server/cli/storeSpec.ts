/** The store a server command works on: `--store` (or TIAOWEN_STORE), else SQLite in `--data`. */
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DB_FILE, isPostgresUrl } from '../store/sql.ts';

/**
 * A `postgres://…` URL as it is; a data folder as the SQLite file inside it; a path ending in
 * `.sqlite` as that file.
 */
export function storeSpec(value: string | undefined, dataDir: string | undefined, opts: { create?: boolean } = {}): string {
  const v = value ?? process.env.TIAOWEN_STORE;
  if (v && isPostgresUrl(v)) return v;
  const path = resolve(v || dataDir || process.env.TIAOWEN_DATA || 'data');
  if (/\.sqlite$/i.test(path)) return path;
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    if (!opts.create) throw new Error(`${path} does not exist`);
    mkdirSync(path, { recursive: true });
    isDir = true;
  }
  return isDir ? join(path, DB_FILE) : path;
}
