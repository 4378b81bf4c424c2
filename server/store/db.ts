/**
 * A small promise wrapper over one `sqlite3` connection. Every statement goes through one queue so
 * that a transaction (BEGIN IMMEDIATE … COMMIT) never interleaves with statements of another
 * request on the same connection.
 */
import sqlite3 from 'sqlite3';

export type SqlValue = string | number | null | Buffer;
export type Row = Record<string, unknown>;

export interface Queryable {
  run(sql: string, params?: SqlValue[]): Promise<{ changes: number; lastID: number }>;
  get<T = Row>(sql: string, params?: SqlValue[]): Promise<T | undefined>;
  all<T = Row>(sql: string, params?: SqlValue[]): Promise<T[]>;
  exec(sql: string): Promise<void>;
}

export class Db implements Queryable {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(private readonly raw: sqlite3.Database) {}

  static async open(file: string): Promise<Db> {
    const raw = await new Promise<sqlite3.Database>((resolve, reject) => {
      const d = new sqlite3.Database(file, (err) => (err ? reject(err) : resolve(d)));
    });
    const db = new Db(raw);
    // WAL: readers never block the writer and a crash mid-write leaves the last commit intact.
    // synchronous=FULL: an acknowledged commit survives power loss, not only a process crash.
    await db.exec(
      'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;',
    );
    return db;
  }

  /** Runs `fn` alone on the connection: nothing else is queued in between. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  run(sql: string, params: SqlValue[] = []) {
    return this.exclusive(() => rawRun(this.raw, sql, params));
  }
  get<T = Row>(sql: string, params: SqlValue[] = []) {
    return this.exclusive(() => rawGet<T>(this.raw, sql, params));
  }
  all<T = Row>(sql: string, params: SqlValue[] = []) {
    return this.exclusive(() => rawAll<T>(this.raw, sql, params));
  }
  exec(sql: string) {
    return this.exclusive(() => rawExec(this.raw, sql));
  }

  /** BEGIN IMMEDIATE … COMMIT, or ROLLBACK when `fn` throws; serialised with every other statement. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      const raw = this.raw;
      const tx: Queryable = {
        run: (sql, params = []) => rawRun(raw, sql, params),
        get: (sql, params = []) => rawGet(raw, sql, params),
        all: (sql, params = []) => rawAll(raw, sql, params),
        exec: (sql) => rawExec(raw, sql),
      };
      await rawExec(raw, 'BEGIN IMMEDIATE');
      try {
        const value = await fn(tx);
        await rawExec(raw, 'COMMIT');
        return value;
      } catch (err) {
        await rawExec(raw, 'ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.exclusive(
      () => new Promise<void>((resolve, reject) => this.raw.close((err) => (err ? reject(err) : resolve()))),
    );
  }
}

function rawRun(raw: sqlite3.Database, sql: string, params: SqlValue[]) {
  return new Promise<{ changes: number; lastID: number }>((resolve, reject) => {
    raw.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
      if (err) reject(err);
      else resolve({ changes: this.changes, lastID: this.lastID });
    });
  });
}
function rawGet<T>(raw: sqlite3.Database, sql: string, params: SqlValue[]) {
  return new Promise<T | undefined>((resolve, reject) => {
    raw.get(sql, params, (err: Error | null, row: T | undefined) => (err ? reject(err) : resolve(row)));
  });
}
function rawAll<T>(raw: sqlite3.Database, sql: string, params: SqlValue[]) {
  return new Promise<T[]>((resolve, reject) => {
    raw.all(sql, params, (err: Error | null, rows: T[]) => (err ? reject(err) : resolve(rows)));
  });
}
function rawExec(raw: sqlite3.Database, sql: string) {
  return new Promise<void>((resolve, reject) => raw.exec(sql, (err) => (err ? reject(err) : resolve())));
}
