/** Starts a server in its own process for the end-to-end tests; prints {url, adminToken} as one JSON line. */
import { startServer } from '../../server/main.ts';
import { FIXTURE_POLICIES } from './helpers.ts';

const running = await startServer({ dataDir: process.argv[2], port: 0, policiesDir: FIXTURE_POLICIES, handleSignals: true });
process.stdout.write(JSON.stringify({ url: running.url, adminToken: running.adminToken ?? null }) + '\n');
