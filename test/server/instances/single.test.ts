/**
 * The embedded store's guard rails and the store tools, with real processes: one SQLite data
 * folder has one server (a second is refused, exit 3); a port in use is a clear exit 3 that
 * wastes no first-start admin token; `tiaowen audit verify` finds an edited entry; `tiaowen store
 * copy` moves a data folder into PostgreSQL with every table verified.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command as auditCommand } from '../../../server/cli/audit.ts';
import { command as serveCommand } from '../../../server/cli/serve.ts';
import { command as storeCommand } from '../../../server/cli/store.ts';
import { Store } from '../../../server/store/store.ts';
import { TABLES } from '../../../server/store/copy.ts';
import { freshDatabase, type TestDatabase } from '../../support/pg.ts';
import { call, exited, policySource, startInstance, type Instance } from './procs.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tiaowen-single-'));
  dirs.push(d);
  return d;
};
let dir: string;
let first: Instance;
let pg: TestDatabase;

function cli() {
  const out: string[] = [];
  return { out, io: { out: (s: string) => out.push(s), err: (s: string) => out.push(s) } };
}

beforeAll(async () => {
  dir = tmp();
  first = await startInstance(dir);
  pg = await freshDatabase('copy');
});
afterAll(async () => {
  if (first.child.exitCode === null) {
    first.child.kill('SIGTERM');
    await exited(first.child);
  }
  await pg?.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('one SQLite data folder, one server', () => {
  it('refuses a second server on the same data folder, exit 3, naming the folder and the way out', async () => {
    const { out, io } = cli();
    expect(await serveCommand.run(['--data', dir, '--port', '0'], io)).toBe(3);
    const text = out.join('\n');
    expect(text).toContain(dir);
    expect(text).toMatch(/in use by another server/);
    expect(text).toMatch(/PostgreSQL/);
    // The data folder can come from TIAOWEN_DATA as well; the same refusal.
    const again = cli();
    process.env.TIAOWEN_DATA = dir;
    try {
      expect(await serveCommand.run(['--port', '0'], again.io)).toBe(3);
    } finally {
      delete process.env.TIAOWEN_DATA;
    }
    expect(again.out.join('\n')).toContain(dir);
  });

  it('a port in use is exit 3 with a clear message, and the first-start admin token is not spent', async () => {
    const port = new URL(first.url).port;
    const other = tmp();
    const { out, io } = cli();
    expect(await serveCommand.run(['--data', other, '--port', port], io)).toBe(3);
    expect(out.join('\n')).toMatch(/port 127\.0\.0\.1:\d+ is already in use; choose another with --port/);
    expect(out.join('\n')).not.toMatch(/tw_/);
    const started = await startInstance(other);
    expect(started.adminToken).toMatch(/^tw_/);
    started.child.kill('SIGTERM');
    expect(await exited(started.child)).toBe(0);
  });
});

describe('store tools', () => {
  it('audit verify passes on a whole chain and names the first edited entry', async () => {
    const admin = first.adminToken!;
    const d = await call<{ id: number }>(first.url, admin, 'POST', '/api/v1/drafts', { source: policySource('single/a', '1', '第一条'), format: 'dsl' });
    expect(d.status).toBe(201);
    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    const ok = cli();
    expect(await auditCommand.run(['verify', '--data', dir], ok.io)).toBe(0);
    expect(ok.out.join('\n')).toMatch(/the audit chain is whole: \d+ entries checked/);

    // Copy while the chain is whole; then edit the SQLite file by hand.
    const copied = cli();
    expect(await storeCommand.run(['copy', '--from', dir, '--to', pg.url], copied.io)).toBe(0);
    expect(copied.out.join('\n')).toMatch(/copied and verified/);

    const file = join(dir, 'tiaowen.sqlite');
    const raw = new sqlite3.Database(file);
    const target = await new Promise<number>((resolve, reject) =>
      raw.get('SELECT id FROM audit ORDER BY id LIMIT 1 OFFSET 2', (e: Error | null, r: { id: number }) => (e ? reject(e) : resolve(r.id))),
    );
    await new Promise<void>((resolve, reject) => raw.run("UPDATE audit SET target = 'draft:999' WHERE id = ?", [target], (e) => (e ? reject(e) : resolve())));
    await new Promise<void>((resolve) => raw.close(() => resolve()));
    const bad = cli();
    expect(await auditCommand.run(['verify', '--data', dir], bad.io)).toBe(1);
    expect(bad.out.join('\n')).toContain(`breaks at entry ${target}`);
  });

  it('store copy brought every table into PostgreSQL, and refuses a target that has rows', async () => {
    const from = await Store.open(join(dir, 'tiaowen.sqlite'));
    const to = await Store.open(pg.url);
    try {
      for (const t of TABLES) {
        const n = async (s: Store) => Number((await s.db.get<{ n: number }>(`SELECT count(*) AS n FROM ${t.name}`))!.n);
        expect([t.name, await n(to)]).toEqual([t.name, await n(from)]);
      }
      expect((await to.allVersions()).length).toBeGreaterThan(0);
      expect((await to.listTokens()).map((x) => x.name)).toContain('admin');
      // The copy's chain is whole on PostgreSQL (it was copied before the edit above).
      expect((await to.verifyAudit()).broken).toBeUndefined();
      // New entries continue the identity sequence and the chain.
      await to.createToken({ name: '新人', role: 'viewer', hash: 'h-new', createdBy: 'test' });
      expect((await to.verifyAudit()).broken).toBeUndefined();
    } finally {
      await from.close();
      await to.close();
    }
    const again = cli();
    expect(await storeCommand.run(['copy', '--from', dir, '--to', pg.url], again.io)).toBe(1);
    expect(again.out.join('\n')).toMatch(/already has rows/);
  });
});
