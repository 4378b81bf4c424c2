/**
 * The curl examples of server/README.md ("API with curl") run as written, in order, in bash,
 * against a real server on a port with the policy library loaded: each answers 2xx, or the
 * status its comment names (`# → 412`). The only edits are the tokens and the address the
 * first block says to fill in (the second admin's made with the CLI, as it says). So the examples cannot drift from the API again.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../server/main.ts';
import { STORE_KIND, testStoreSpec } from '../helpers.ts';
import { main as cliMain } from '../../../server/cli/main.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const README = join(ROOT, 'server/README.md');

/** The sh blocks of a section (from its heading to the next `## `) that call curl. */
export function curlBlocks(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(heading);
  if (start < 0) throw new Error(`no section ${heading}`);
  const end = markdown.indexOf('\n## ', start + heading.length);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => /\bcurl\b/.test(b));
}

/** `EXPECT=NNN` before the curl of a line whose comment says `# → NNN`. */
export function withExpectations(block: string): string {
  return block
    .split('\n')
    .map((line) => {
      const m = /#\s*→\s*(\d{3})\b/.exec(line);
      return m ? line.replace(/(^|[|;&(]\s*|\s)curl /, `$1EXPECT=${m[1]} curl `) : line;
    })
    .join('\n');
}

const dirs: string[] = [];
let server: RunningServer;
let drop: () => Promise<void>;
let dataDir: string;
let storeUrl: string;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tiaowen-docs-'));
  dirs.push(dir);
  const where = await testStoreSpec(dir);
  drop = where.drop;
  dataDir = dir;
  storeUrl = where.spec;
  server = await startServer({ dataDir: dir, store: STORE_KIND === 'postgres' ? where.spec : undefined, port: 0, policiesDir: join(ROOT, 'policies') });
});
afterAll(async () => {
  await server?.close();
  await drop?.();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('server/README.md curl examples', () => {
  it('extracts the examples and reads their expected statuses', () => {
    const blocks = curlBlocks(readFileSync(README, 'utf8'), '## API with curl');
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    expect(withExpectations('curl -X DELETE "$S/x"   # → 409 job.finished')).toBe('EXPECT=409 curl -X DELETE "$S/x"   # → 409 job.finished');
    expect(withExpectations('printf x | curl "$S/y"  # → 412')).toBe('printf x | EXPECT=412 curl "$S/y"  # → 412');
    expect(withExpectations('curl "$S/z"  # 201; 409 if the label exists')).toBe('curl "$S/z"  # 201; 409 if the label exists');
  });

  it('runs every block as written, in order, and each call answers as documented', async () => {
    const blocks = curlBlocks(readFileSync(README, 'utf8'), '## API with curl');
    const first = blocks[0]!;
    expect(first).toMatch(/^T=tw_\.\.\./m);
    expect(first).toMatch(/^S=http:\/\/127\.0\.0\.1:8080$/m);
    // The second admin the first block says the operator makes with the CLI, made so.
    const printed: string[] = [];
    const made = await cliMain(['token', 'create', '--role', 'admin', '--name', '王主任', ...(STORE_KIND === 'postgres' ? ['--store', storeUrl] : ['--data', dataDir])], { out: (s) => printed.push(s), err: (s) => printed.push(s) });
    expect(made, printed.join('\n')).toBe(0);
    const second = printed.find((l) => l.startsWith('tw_'))!;
    const filled = [first.replace(/^T=tw_\.\.\..*$/m, `T=${server.adminToken}`).replace(/^T2=tw_\.\.\..*$/m, `T2=${second}`).replace(/^S=http:\/\/127\.0\.0\.1:8080$/m, `S=${server.url}`), ...blocks.slice(1)];
    const work = mkdtempSync(join(tmpdir(), 'tiaowen-docs-run-'));
    dirs.push(work);
    const log = join(work, 'curl.log');
    // jq where the machine has it; else the small part of it the README uses.
    const bin = join(work, 'bin');
    const hasJq = spawnSync('sh', ['-c', 'command -v jq'], { encoding: 'utf8' }).status === 0;
    if (!hasJq) {
      spawnSync('mkdir', ['-p', bin]);
      writeFileSync(join(bin, 'jq'), `#!/bin/sh\nexec "${process.execPath}" "${join(import.meta.dirname, 'jq-fallback.mjs')}" "$@"\n`);
      chmodSync(join(bin, 'jq'), 0o755);
    }
    const script = [
      'set -euo pipefail',
      // Each call appends `__STATUS__ <code> <expected>` to the log, its body goes where the example sends it.
      `curl() { command curl -sS --write-out '%{stderr}__STATUS__ %{http_code} '"\${EXPECT:-2xx}"'\\n' "$@" 2>>"$CURL_LOG"; }`,
      ...filled.map(withExpectations),
    ].join('\n');
    // Asynchronously: the server answering these calls runs in this process.
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn('bash', ['-c', script], { cwd: work, env: { ...process.env, CURL_LOG: log, PATH: `${hasJq ? '' : `${bin}:`}${process.env.PATH}` } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.on('close', (status) => {
        clearTimeout(timer);
        done({ status, stdout, stderr });
      });
    });
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    const context = `exit ${run.status}\nstderr: ${run.stderr.slice(-2000)}\nlog:\n${calls.join('\n')}`;
    expect(run.status, context).toBe(0);
    // Every line is a status: anything else is curl's own error.
    expect(calls.every((l) => l.startsWith('__STATUS__ ')), context).toBe(true);
    const wrong = calls
      .map((l, i) => ({ i, code: l.split(' ')[1]!, want: l.split(' ')[2]! }))
      .filter((c) => (c.want === '2xx' ? !/^2\d\d$/.test(c.code) : c.code !== c.want));
    expect(wrong, context).toEqual([]);
    expect(calls.length).toBeGreaterThanOrEqual(40);
    // The walk-through really published the edited draft.
    expect(run.stdout).toMatch(/"version":\{"id":"gansu\/poverty-loan-book","version":"2019\.1"/);
  });
});
