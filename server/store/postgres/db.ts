/**
 * The scale-out store's database: a node-postgres pool on one PostgreSQL shared by any number of
 * server instances. Statements are written with SQLite's `?` placeholders and translated
 * (../sql.ts). Instances tell each other about changes with LISTEN/NOTIFY on one channel; a
 * dropped listening connection is re-opened and reported as a change of everything, since
 * notifications sent while it was down are lost.
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { toPgPlaceholders, type ChangeChannel, type Queryable, type Row, type SqlDatabase, type SqlValue } from '../sql.ts';

/** The one NOTIFY channel; the payload says which part changed. */
const CHANNEL = 'tiaowen_changes';
const INT8 = 20;

// count(*) and other bigints arrive as strings by default; every count the store reads fits a double.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

function queryable(q: pg.Pool | pg.PoolClient): Queryable {
  return {
    async run(sql, params = []) {
      const r = await q.query(toPgPlaceholders(sql), params);
      return { changes: r.rowCount ?? 0 };
    },
    async get<T = Row>(sql: string, params: SqlValue[] = []) {
      const r = await q.query(toPgPlaceholders(sql), params);
      return r.rows[0] as T | undefined;
    },
    async all<T = Row>(sql: string, params: SqlValue[] = []) {
      const r = await q.query(toPgPlaceholders(sql), params);
      return r.rows as T[];
    },
    async exec(sql) {
      await q.query(sql);
    },
  };
}

export class PgDb implements SqlDatabase {
  readonly dialect = 'postgres' as const;
  private readonly q: Queryable;
  private readonly changes = new EventEmitter();
  private listener: pg.Client | undefined;
  private listening = 0;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
  ) {
    this.q = queryable(pool);
    this.changes.setMaxListeners(100);
  }

  static async open(url: string, opts: { max?: number } = {}): Promise<PgDb> {
    const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, types, application_name: 'tiaowen' });
    // An idle connection that the server drops (restart, failover) must not crash the process;
    // the pool replaces it on the next query.
    pool.on('error', (e) => console.error(`[tiaowen] PostgreSQL connection lost: ${e.message}`));
    const db = new PgDb(pool, url);
    await db.q.get('SELECT 1');
    return db;
  }

  run(sql: string, params?: SqlValue[]) {
    return this.q.run(sql, params);
  }
  get<T = Row>(sql: string, params?: SqlValue[]) {
    return this.q.get<T>(sql, params);
  }
  all<T = Row>(sql: string, params?: SqlValue[]) {
    return this.q.all<T>(sql, params);
  }
  exec(sql: string) {
    return this.q.exec(sql);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const value = await fn(queryable(client));
        await client.query('COMMIT');
        return value;
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw err;
      }
    } finally {
      // A connection whose ROLLBACK failed is in an unknown state: the pool discards it.
      client.release(broken);
    }
  }

  async withLock<T>(key: number, fn: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [key]);
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [key]);
      }
    } finally {
      client.release();
    }
  }

  async notify(channel: ChangeChannel, payload: string): Promise<void> {
    await this.q.run('SELECT pg_notify(?, ?)', [CHANNEL, JSON.stringify({ channel, payload })]);
  }

  listen(listener: (channel: ChangeChannel, payload: string) => void): () => void {
    this.changes.on('change', listener);
    if (this.listening++ === 0) void this.connectListener();
    return () => {
      this.changes.off('change', listener);
      if (--this.listening === 0) void this.dropListener();
    };
  }

  /** Resolves once LISTEN is in place (tests and start-up wait for it). */
  listenerReady: Promise<void> = Promise.resolve();

  private connectListener(): Promise<void> {
    this.listenerReady = (async () => {
      if (this.closed || this.listening === 0) return;
      const client = new pg.Client({ connectionString: this.url, application_name: 'tiaowen-listen' });
      const retry = (e: Error) => {
        if (this.closed) return;
        console.error(`[tiaowen] change notifications interrupted (${e.message}); reconnecting`);
        client.removeAllListeners();
        client.end().catch(() => undefined);
        if (this.listener === client) this.listener = undefined;
        this.reconnectTimer = setTimeout(() => void this.connectListener(), 1000);
        this.reconnectTimer.unref();
      };
      client.on('error', retry);
      client.on('notification', (n) => {
        if (n.channel !== CHANNEL || !n.payload) return;
        try {
          const { channel, payload } = JSON.parse(n.payload) as { channel: ChangeChannel; payload: string };
          this.changes.emit('change', channel, payload);
        } catch {
          // Not ours: ignore.
        }
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${CHANNEL}`);
      } catch (e) {
        retry(e as Error);
        return;
      }
      const wasDown = this.listener === undefined && this.everListened;
      this.listener = client;
      this.everListened = true;
      // Whatever was notified while the connection was down is lost: everything may have changed.
      if (wasDown) for (const ch of ['versions', 'jobs', 'drafts'] as const) this.changes.emit('change', ch, '*');
    })();
    return this.listenerReady;
  }
  private everListened = false;

  private async dropListener(): Promise<void> {
    const c = this.listener;
    this.listener = undefined;
    this.everListened = false;
    if (c) {
      c.removeAllListeners();
      await c.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.dropListener();
    await this.pool.end();
  }
}
