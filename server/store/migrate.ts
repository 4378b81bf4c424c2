/**
 * Applies a dialect's numbered migrations in order, each in its own transaction, under a
 * database-wide lock: several servers starting at once on one PostgreSQL wait for the first one
 * to finish instead of racing to create the same tables.
 */
import type { SqlDatabase } from './sql.ts';

export interface Migration {
  id: number;
  sql: string;
}

/** Advisory-lock key for schema migrations (any constant shared by every instance). */
export const MIGRATION_LOCK = 7_301_001;

export function migrate(db: SqlDatabase, migrations: Migration[]): Promise<number> {
  return db.withLock(MIGRATION_LOCK, async () => {
    await db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    const done = new Set((await db.all<{ id: number }>('SELECT id FROM schema_migrations')).map((r) => r.id));
    let applied = 0;
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      await db.transaction(async (tx) => {
        await tx.exec(m.sql);
        await tx.run('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)', [m.id, new Date().toISOString()]);
      });
      applied++;
    }
    return applied;
  });
}

/** The newest migration id of a list: what `/readyz` expects the database to have. */
export function latest(migrations: Migration[]): number {
  return Math.max(...migrations.map((m) => m.id));
}
