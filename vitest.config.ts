import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real PostgreSQL server for the run (test/support/postgres-setup.ts).
    globalSetup: ['test/support/postgres-setup.ts'],
    // End-to-end tests start real servers and browsers; a slow shared machine needs room.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
