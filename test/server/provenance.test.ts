/** Who wrote and who approved each version; who saved a draft last and when. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db } from '../../server/store/sqlite/db.ts';
import { MIGRATIONS, migrate } from '../../server/store/sqlite/migrations.ts';
import * as C from '../../server/contract/wire.ts';
import { check } from '../../server/validate.ts';
import { makeApp, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
});
afterAll(async () => t.close());

interface VersionSummary {
  version: string;
  author: string;
  approvedBy: string | null;
  publishedBy: string;
}
interface DraftWire {
  id: number;
  etag: string;
  source: string;
  updatedAt: string;
  updatedBy: string;
  revision: number;
}

const newVersion = (src: string) =>
  src.replace('version "2015.1"', 'version "2022.1"').replace('effective from 2015-06-01 until 2020-12-31', 'effective from 2022-01-01').replace('3% from 2015-06-01', '4% from 2022-01-01');

async function json<T>(res: Response | Promise<Response>): Promise<T> {
  return (await (await res).json()) as T;
}

describe('version provenance', () => {
  it('says system wrote the seed library and nobody approved it', async () => {
    const list = await json<{ items: { id: string; versions: VersionSummary[] }[] }>(t.req('GET', '/api/v1/policies', { as: '赵六' }));
    const versions = list.items.flatMap((p) => p.versions);
    expect(versions.length).toBeGreaterThan(0);
    for (const v of versions) {
      expect(v).toMatchObject({ author: 'system', approvedBy: null, publishedBy: 'system' });
      check(C.VersionSummary, v, 'version');
    }
  });

  it('names the draft author (not the publisher) and the last approver, on the list and the one-policy route', async () => {
    const created = await t.req('POST', '/api/v1/drafts', { as: '张三', json: { from: { policy: 'demo/loan', version: '2015.1' } } });
    const d = (await created.json()) as DraftWire;
    const edit = await t.req('PUT', `/api/v1/drafts/${d.id}`, { as: '王五', json: { source: newVersion(d.source) }, headers: { 'if-match': d.etag } });
    expect(edit.status).toBe(200);
    expect((await t.req('POST', `/api/v1/drafts/${d.id}/submit`, { as: '张三' })).status).toBe(200);
    // Rejected once by the admin, then approved by the reviewer: the last approval counts.
    expect((await t.req('POST', `/api/v1/drafts/${d.id}/reject`, { as: 'admin', json: { comment: '再看看' } })).status).toBe(200);
    const again = await json<DraftWire>(t.req('GET', `/api/v1/drafts/${d.id}`, { as: '张三' }));
    expect((await t.req('PUT', `/api/v1/drafts/${d.id}`, { as: '张三', json: { source: again.source + '\n' }, headers: { 'if-match': again.etag } })).status).toBe(200);
    expect((await t.req('POST', `/api/v1/drafts/${d.id}/submit`, { as: '张三' })).status).toBe(200);
    expect((await t.req('POST', `/api/v1/drafts/${d.id}/approve`, { as: '李四' })).status).toBe(200);
    const pub = await t.req('POST', `/api/v1/drafts/${d.id}/publish`, { as: 'admin' });
    expect(pub.status).toBe(201);
    expect(((await pub.json()) as { version: VersionSummary }).version).toMatchObject({ author: '张三', approvedBy: '李四', publishedBy: 'admin' });

    const one = await json<{ versions: VersionSummary[] }>(t.req('GET', '/api/v1/policies/demo/loan', { as: '赵六' }));
    expect(one.versions.find((v) => v.version === '2022.1')).toMatchObject({ author: '张三', approvedBy: '李四', publishedBy: 'admin' });
    expect(one.versions.find((v) => v.version === '2015.1')).toMatchObject({ author: 'system', approvedBy: null });
    const list = await json<{ items: { id: string; versions: VersionSummary[] }[] }>(t.req('GET', '/api/v1/policies?jurisdiction=demo', { as: '赵六' }));
    const v = list.items[0].versions.find((x) => x.version === '2022.1')!;
    expect(v).toMatchObject({ author: '张三', approvedBy: '李四' });
    check(C.VersionSummary, v, 'version');

    // After a restart the library is rebuilt from SQLite with the same provenance.
    await t.deps.policies.load();
    const reloaded = t.deps.policies.record('demo/loan', '2022.1')!;
    expect({ author: reloaded.author, approvedBy: reloaded.approvedBy }).toEqual({ author: '张三', approvedBy: '李四' });
  });
});

describe('draft updatedBy / updatedAt', () => {
  it('moves on saves only, naming who saved', async () => {
    let now = new Date('2024-03-01T02:00:00Z');
    const clocked = await makeApp({ clock: { now: () => now } });
    try {
      const created = await clocked.req('POST', '/api/v1/drafts', { as: '张三', json: { from: { policy: 'demo/loan', version: '2015.1' } } });
      const d = (await created.json()) as DraftWire;
      expect(d).toMatchObject({ updatedBy: '张三', updatedAt: '2024-03-01T02:00:00.000Z' });
      check(C.Draft, d, 'draft');

      now = new Date('2024-03-02T02:00:00Z');
      const saved = await json<DraftWire>(clocked.req('PUT', `/api/v1/drafts/${d.id}`, { as: '王五', json: { source: d.source + '\n' }, headers: { 'if-match': d.etag } }));
      expect(saved).toMatchObject({ updatedBy: '王五', updatedAt: '2024-03-02T02:00:00.000Z' });

      // A review step is not a save.
      now = new Date('2024-03-03T02:00:00Z');
      const submitted = await json<DraftWire>(clocked.req('POST', `/api/v1/drafts/${d.id}/submit`, { as: '张三' }));
      expect(submitted).toMatchObject({ updatedBy: '王五', updatedAt: '2024-03-02T02:00:00.000Z' });

      const listed = await json<{ items: DraftWire[] }>(clocked.req('GET', '/api/v1/drafts', { as: '赵六' }));
      expect(listed.items.find((x) => x.id === d.id)).toMatchObject({ updatedBy: '王五' });
      const policy = await json<{ drafts: { id: number; updatedBy: string }[] }>(clocked.req('GET', '/api/v1/policies/demo/loan', { as: '赵六' }));
      expect(policy.drafts.find((x) => x.id === d.id)?.updatedBy).toBe('王五');
    } finally {
      await clocked.close();
    }
  });

  it('a stale save is refused and the draft then says who saved instead', async () => {
    const d = await json<DraftWire>(t.req('POST', '/api/v1/drafts', { as: '张三', json: { from: { policy: 'demo/loan', version: '2015.1' } } }));
    expect((await t.req('PUT', `/api/v1/drafts/${d.id}`, { as: '王五', json: { source: d.source + '\n# 王五\n' }, headers: { 'if-match': d.etag } })).status).toBe(200);
    expect((await t.req('PUT', `/api/v1/drafts/${d.id}`, { as: '张三', json: { source: d.source + '\n# 张三\n' }, headers: { 'if-match': d.etag } })).status).toBe(412);
    expect((await json<DraftWire>(t.req('GET', `/api/v1/drafts/${d.id}`, { as: '张三' }))).updatedBy).toBe('王五');
  });
});

describe('migration 2', () => {
  it('backfills who saved last from the audit trail, falling back to the author', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiaowen-mig-'));
    const db = await Db.open(join(dir, 'old.sqlite'));
    try {
      await db.exec('CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
      await db.exec(MIGRATIONS.find((m) => m.id === 1)!.sql);
      await db.run("INSERT INTO schema_migrations (id, applied_at) VALUES (1, 'x')");
      const draft = (id: number, updated: string) =>
        db.run(
          `INSERT INTO drafts (id, format, source, revision, status, author, editors, created_at, updated_at) VALUES (?, 'dsl', 's', 2, 'in-review', '甲', '["甲","乙"]', 't0', ?)`,
          [id, updated],
        );
      await draft(1, 't9');
      await draft(2, 't5');
      const audit = (at: string, actor: string, action: string, target: string) =>
        db.run('INSERT INTO audit (at, actor, action, target) VALUES (?, ?, ?, ?)', [at, actor, action, target]);
      await audit('t0', '甲', 'draft.create', 'draft:1');
      await audit('t3', '乙', 'draft.edit', 'draft:1');
      await audit('t9', '丙', 'draft.submit', 'draft:1');
      expect(await migrate(db)).toBeGreaterThan(0);
      const rows = await db.all<{ id: number; updated_by: string; updated_at: string }>('SELECT id, updated_by, updated_at FROM drafts ORDER BY id');
      expect(rows).toEqual([
        { id: 1, updated_by: '乙', updated_at: 't3' },
        { id: 2, updated_by: '甲', updated_at: 't5' },
      ]);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
