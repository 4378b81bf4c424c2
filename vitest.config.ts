import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One real PostgreSQL server for the run (test/support/postgres-setup.ts).
    globalSetup: ['test/support/postgres-setup.ts'],
    // End-to-end tests start real servers and browsers; a slow shared machine needs room.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      // Everything, with the server on its embedded default store (SQLite).
      { extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'] } },
      // The whole server suite again, unchanged, on PostgreSQL.
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['test/server/**/*.test.ts'],
          // These start their own instances on the store each of them is about.
          exclude: ['test/server/instances/**'],
          env: { TIAOWEN_TEST_STORE: 'postgres' },
        },
      },
    ],
  },
});
