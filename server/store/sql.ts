/**
 * What the store needs from a SQL database, whichever one it is: statements with `?` (or `?N`)
 * placeholders, transactions, change notifications between server instances, and a lock for
 * start-up work that several instances may attempt at once. Two implementations:
 * sqlite/db.ts (the embedded default, one process) and postgres/db.ts (any number of stateless
 * instances on one PostgreSQL). Only the store knows the SQL of the server's own tables.
 */
export type SqlValue = string | number | null | Buffer;
export type Row = Record<string, unknown>;
export type Dialect = 'sqlite' | 'postgres';

export interface Queryable {
  run(sql: string, params?: SqlValue[]): Promise<{ changes: number }>;
  get<T = Row>(sql: string, params?: SqlValue[]): Promise<T | undefined>;
  all<T = Row>(sql: string, params?: SqlValue[]): Promise<T[]>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** Channels other instances are told about after a commit. */
export type ChangeChannel = 'versions' | 'jobs' | 'drafts';

export interface SqlDatabase extends Queryable {
  readonly dialect: Dialect;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. On
   * SQLite the writer is taken at BEGIN (IMMEDIATE); on PostgreSQL rows are locked as read with
   * `FOR UPDATE` (see `forUpdate`) and the audit chain takes an advisory lock.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` while holding a database-wide lock named by `key`, so that of several instances
   * starting at once only one migrates; a no-op lock on SQLite (one process owns the file).
   */
  withLock<T>(key: number, fn: () => Promise<T>): Promise<T>;
  /** Tells every instance (this one included) that `channel` changed, with a short payload. */
  notify(channel: ChangeChannel, payload: string): Promise<void>;
  /** Listens for notifications; returns a function that stops listening. */
  listen(listener: (channel: ChangeChannel, payload: string) => void): () => void;
  close(): Promise<void>;
}

/** A unique-key violation, whichever database raised it. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === '23505' || (err?.code === 'SQLITE_CONSTRAINT' && /UNIQUE|PRIMARY KEY/i.test(err.message ?? ''));
}

const translated = new Map<string, string>();

/**
 * `?` placeholders (numbered in order) and `?N` (by number) as PostgreSQL's `$N`, outside quoted
 * strings and identifiers. The store's SQL is written once with SQLite's placeholders.
 */
export function toPgPlaceholders(sql: string): string {
  const hit = translated.get(sql);
  if (hit !== undefined) return hit;
  let out = '';
  let n = 0;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      const end = sql.indexOf(ch, i + 1);
      const stop = end < 0 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (ch === '?') {
      let j = i + 1;
      while (j < sql.length && sql.charCodeAt(j) >= 48 && sql.charCodeAt(j) <= 57) j++;
      out += j > i + 1 ? `$${sql.slice(i + 1, j)}` : `$${++n}`;
      i = j - 1;
    } else out += ch;
  }
  if (translated.size < 2000) translated.set(sql, out);
  return out;
}

/** The SQLite file's name inside the data directory. */
export const DB_FILE = 'tiaowen.sqlite';

/** A `--store` / TIAOWEN_STORE value naming a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

/** Where a store's connection string may be shown: the password replaced. */
export function redactStoreSpec(spec: string): string {
  if (!isPostgresUrl(spec)) return spec;
  try {
    const u = new URL(spec);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

