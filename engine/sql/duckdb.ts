/**
 * DuckDB, embedded (node only): a database with the SQL stage's helpers and calendar installed,
 * and queries read back as plain rows.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { setupSql } from './dialect.ts';

export interface DuckDb {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  run(sql: string): Promise<void>;
  /** Rows as objects of JSON-ready values (BIGINT and DECIMAL as strings, DATE as YYYY-MM-DD). */
  all<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  close(): void;
}

export interface DuckDbOptions {
  /** A database file, or ':memory:' (default). */
  path?: string;
  threads?: number;
  memoryLimit?: string;
  /** Where DuckDB spills what does not fit in memory. */
  tempDirectory?: string;
}

export async function openDuckDb(opts: DuckDbOptions = {}): Promise<DuckDb> {
  const config: Record<string, string> = {};
  if (opts.threads) config.threads = String(opts.threads);
  if (opts.memoryLimit) config.memory_limit = opts.memoryLimit;
  if (opts.tempDirectory) config.temp_directory = opts.tempDirectory;
  const instance = await DuckDBInstance.create(opts.path ?? ':memory:', config);
  const connection = await instance.connect();
  const db: DuckDb = {
    instance,
    connection,
    async run(sql) {
      await connection.run(sql);
    },
    async all<T>(sql: string) {
      const r = await connection.runAndReadAll(sql);
      return r.getRowObjectsJson() as T[];
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
  for (const s of setupSql('duckdb')) await db.run(s);
  return db;
}
