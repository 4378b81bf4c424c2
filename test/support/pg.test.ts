import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { freshDatabase, type TestDatabase } from './pg.ts';

describe('the test PostgreSQL server', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => db?.drop());

  it('gives each file its own empty database on a real server', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const r = await c.query<{ db: string; v: string; n: string }>(
      "SELECT current_database() AS db, current_setting('server_version_num') AS v, (SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public') AS n",
    );
    await c.end();
    expect(r.rows[0].db).toBe(db.name);
    expect(Number(r.rows[0].v)).toBeGreaterThanOrEqual(140000);
    expect(Number(r.rows[0].n)).toBe(0);
  });
});
