/**
 * A fresh, empty PostgreSQL database for one test file, on the server the global setup started
 * (./postgres-setup.ts). Dropped by `drop()`; names are random so files run side by side.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export function pgAdminUrl(): string {
  return inject('pgAdminUrl');
}

export async function freshDatabase(prefix = 't'): Promise<TestDatabase> {
  const admin = pgAdminUrl();
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    async drop() {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      try {
        await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await d.end();
      }
    },
  };
}
