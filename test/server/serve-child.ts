/**
 * Starts a server in its own process for the end-to-end tests; prints {url, adminToken} as one
 * JSON line. Arguments: the data folder, and optionally a `postgres://…` store.
 */
import { join } from 'node:path';
import { startServer } from '../../server/main.ts';

// Not imported from helpers.ts: that module registers vitest hooks, and this runs outside vitest.
const FIXTURE_POLICIES = join(import.meta.dirname, '../fixtures/server/policies');

const running = await startServer({
  dataDir: process.argv[2],
  store: process.argv[3] || undefined,
  port: 0,
  policiesDir: FIXTURE_POLICIES,
  handleSignals: true,
  // Quick take-over for the tests that kill an instance mid-job.
  config: { jobs: { heartbeatMs: 300, staleMs: 1500, pollMs: 300 } },
});
process.stdout.write(JSON.stringify({ url: running.url, adminToken: running.adminToken ?? null }) + '\n');
