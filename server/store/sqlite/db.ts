/**
 * The embedded store's database: a small promise wrapper over one `sqlite3` connection. Every
 * statement goes through one queue so that a transaction (BEGIN IMMEDIATE … COMMIT) never
 * interleaves with statements of another request on the same connection. One process owns the
 * file (server/main.ts holds a lock on the data folder), so notifications stay in process.
 */
import { EventEmitter } from 'node:events';
import sqlite3 from 'sqlite3';
import type { ChangeChannel, Queryable, Row, SqlDatabase, SqlValue } from '../sql.ts';

export type { Queryable, Row, SqlValue };

export class Db implements SqlDatabase {
  readonly dialect = 'sqlite' as const;
  private readonly changes = new EventEmitter();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private checkpointer: sqlite3.Database | undefined;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private checkpointing: Promise<void> | undefined;

  private constructor(private readonly raw: sqlite3.Database) {}

  static async open(file: string, opts: { checkpointEveryMs?: number } = {}): Promise<Db> {
    const db = new Db(await openRaw(file));
    // WAL: readers never block the writer and a crash mid-write leaves the last commit intact.
    // synchronous=FULL: an acknowledged commit survives power loss, not only a process crash.
    // wal_autocheckpoint=0: the commit that crosses the WAL threshold would otherwise copy the WAL
    // into the database file and fsync it before returning, which made one decision-log commit in
    // thirty several times slower than the rest; a second connection checkpoints in the background.
    await db.exec(
      'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA wal_autocheckpoint = 0;',
    );
    db.checkpointer = await openRaw(file);
    await rawExec(db.checkpointer, 'PRAGMA busy_timeout = 5000;');
    db.checkpointTimer = setInterval(() => void db.checkpoint(), opts.checkpointEveryMs ?? 1000);
    db.checkpointTimer.unref();
    return db;
  }

  /**
   * Copies committed WAL frames into the database file without blocking the writer (PASSIVE), on
   * the checkpoint connection; `TRUNCATE` (at close) also empties the WAL file. One at a time.
   */
  checkpoint(mode: 'PASSIVE' | 'TRUNCATE' = 'PASSIVE'): Promise<void> {
    const c = this.checkpointer;
    if (!c || this.checkpointing) return this.checkpointing ?? Promise.resolve();
    this.checkpointing = rawExec(c, `PRAGMA wal_checkpoint(${mode});`)
      // A busy database only postpones the checkpoint to the next tick.
      .catch(() => undefined)
      .finally(() => (this.checkpointing = undefined));
    return this.checkpointing;
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

  /** One process owns the file: nothing else can be starting at the same time. */
  withLock<T>(_key: number, fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  async notify(channel: ChangeChannel, payload: string): Promise<void> {
    this.changes.emit('change', channel, payload);
  }

  listen(listener: (channel: ChangeChannel, payload: string) => void): () => void {
    this.changes.on('change', listener);
    return () => this.changes.off('change', listener);
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
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    await this.exclusive(async () => {
      if (this.checkpointer) {
        await this.checkpointing;
        await this.checkpoint('TRUNCATE');
        const c = this.checkpointer;
        this.checkpointer = undefined;
        await new Promise<void>((resolve, reject) => c.close((err) => (err ? reject(err) : resolve())));
      }
      await new Promise<void>((resolve, reject) => this.raw.close((err) => (err ? reject(err) : resolve())));
    });
  }
}

function openRaw(file: string): Promise<sqlite3.Database> {
  return new Promise<sqlite3.Database>((resolve, reject) => {
    const d = new sqlite3.Database(file, (err) => (err ? reject(err) : resolve(d)));
  });
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
