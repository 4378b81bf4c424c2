/**
 * The PostgreSQL dialect run inside PostgreSQL (node only): a client with the SQL stage's helpers and
 * calendar installed, values read back as DuckDB's rows are (BIGINT and NUMERIC as text, DATE as
 * YYYY-MM-DD), so the same code reads both.
 */
import pg from 'pg';
import { setupSql } from './dialect.ts';

const DATE_OID = 1082;

/** Dates stay text: a JS Date would shift by the process's time zone. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === DATE_OID) return (v: string) => v;
    // pg's own parsers for the rest (bigint and numeric stay text).
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;

export interface PgSql {
  client: pg.Client;
  run(sql: string): Promise<void>;
  all<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

export async function openPostgres(url: string): Promise<PgSql> {
  const client = new pg.Client({ connectionString: url, types });
  await client.connect();
  const db: PgSql = {
    client,
    async run(sql) {
      await client.query(sql);
    },
    async all<T>(sql: string) {
      const r = await client.query(sql);
      return r.rows as T[];
    },
    close: () => client.end(),
  };
  await installHelpers(db);
  return db;
}

/** The calendar and helper functions, once per database (concurrent installers wait on a lock). */
export async function installHelpers(db: { run(sql: string): Promise<void> }): Promise<void> {
  await db.run('BEGIN');
  try {
    await db.run(`SELECT pg_advisory_xact_lock(7420151)`);
    for (const s of setupSql('postgres')) await db.run(s);
    await db.run('COMMIT');
  } catch (e) {
    await db.run('ROLLBACK');
    throw e;
  }
}
