/**
 * Several server processes on one real PostgreSQL (the scale-out deployment): they start
 * together (migrations, seeding and the first admin token happen once), see each other's
 * publishes, keep four eyes across instances, take over a simulation whose instance was killed,
 * and lose nothing acknowledged when instances are killed under load. The audit trail they
 * wrote together is one unbroken chain, and their decision log verifies (a chain per instance).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../../server/store/store.ts';
import { freshDatabase, type TestDatabase } from '../../support/pg.ts';
import { call, exited, operatorToken, policySource, startInstance, until, type Instance } from './procs.ts';

let db: TestDatabase;
const dirs: string[] = [];
const running: Instance[] = [];
let admin: string;
let author: string;
let reviewer: string;
let ingest: string;

async function instance(): Promise<Instance> {
  const dir = mkdtempSync(join(tmpdir(), 'tiaowen-scale-'));
  dirs.push(dir);
  const i = await startInstance(dir, db.url);
  running.push(i);
  return i;
}

async function kill9(i: Instance): Promise<void> {
  i.child.kill('SIGKILL');
  await exited(i.child);
  running.splice(running.indexOf(i), 1);
}

beforeAll(async () => {
  db = await freshDatabase('scale');
  // Three at once: they race to migrate, seed and make the first admin token.
  const three = await Promise.all([instance(), instance(), instance()]);
  const tokens = three.map((i) => i.adminToken).filter((t): t is string => t !== null);
  expect(tokens).toHaveLength(1);
  admin = tokens[0]!;
  const a = three[0]!.url;
  author = (await call(a, admin, 'POST', '/api/v1/tokens', { role: 'author', name: '作者' })).body.token as string;
  // A reviewer made over the API by the only admin would wait for a second admin: the operator makes it.
  reviewer = await operatorToken('', db.url, 'reviewer', '审核');
  ingest = (await call(a, admin, 'POST', '/api/v1/tokens', { role: 'system', name: '接入' })).body.token as string;
});

afterAll(async () => {
  for (const i of running) {
    i.child.kill('SIGTERM');
    await exited(i.child);
  }
  await db?.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A draft of `id@version` made and submitted on `on`. */
async function submitted(on: string, id: string, version: string, article = '第一条'): Promise<number> {
  const d = await call<{ id: number }>(on, author, 'POST', '/api/v1/drafts', { source: policySource(id, version, article), format: 'dsl' });
  expect(d.status).toBe(201);
  expect((await call(on, author, 'POST', `/api/v1/drafts/${d.body.id}/submit`)).status).toBe(200);
  return d.body.id;
}

describe('instances on one PostgreSQL', () => {
  it('all three are ready, on PostgreSQL, each a different instance', async () => {
    const ready = await Promise.all(running.map(async (i) => (await fetch(`${i.url}/readyz`)).json() as Promise<{ status: string; store: string; instance: string }>));
    expect(ready.map((r) => r.status)).toEqual(['ready', 'ready', 'ready']);
    expect(ready.map((r) => r.store)).toEqual(['postgres', 'postgres', 'postgres']);
    expect(new Set(ready.map((r) => r.instance)).size).toBe(3);
    // The seed library was published once, not three times.
    const lists = await Promise.all(running.map((i) => call<{ items: unknown[] }>(i.url, admin, 'GET', '/api/v1/policies')));
    expect(new Set(lists.map((l) => l.body.items.length)).size).toBe(1);
  });

  it('four eyes hold across instances; a publish on A is served by B and C', async () => {
    const [A, B, C] = running as [Instance, Instance, Instance];
    const id = await submitted(A.url, 'scale/one', '1');
    // The author may not approve their own draft on any instance.
    for (const i of [A, B, C]) expect((await call(i.url, author, 'POST', `/api/v1/drafts/${id}/approve`)).status).toBe(403);
    expect((await call(B.url, reviewer, 'POST', `/api/v1/drafts/${id}/approve`)).status).toBe(200);
    expect((await call(A.url, author, 'POST', `/api/v1/drafts/${id}/publish`)).status).toBe(201);
    for (const i of [B, C]) {
      const v = await until(`scale/one@1 on ${i.url}`, async () => {
        const r = await call<{ hash: string }>(i.url, admin, 'GET', '/api/v1/policies/scale/one/versions/1');
        return r.status === 200 ? r.body : undefined;
      });
      expect(v.hash).toMatch(/^[0-9a-f]{64}$/);
      const decided = await call<{ decision: { outcomes: { ruleId: string }[] } }>(i.url, ingest, 'POST', '/api/v1/evaluate', {
        policy: 'scale/one',
        asOf: '2024-01-01',
        facts: { 违规: true },
      });
      expect(decided.status).toBe(200);
      expect(decided.body.decision.outcomes.map((f) => f.ruleId)).toEqual(['r1']);
    }
    // The same label published again, from another instance, is refused.
    const again = await submitted(C.url, 'scale/one', '1', '第二条');
    expect((await call(A.url, reviewer, 'POST', `/api/v1/drafts/${again}/approve`)).status).toBe(200);
    expect((await call(B.url, author, 'POST', `/api/v1/drafts/${again}/publish`)).status).toBe(409);
  });

  it('draft saves keep their etag check across instances', async () => {
    const [A, B] = running as [Instance, Instance];
    const d = await call<{ id: number; etag: string; source: string }>(A.url, author, 'POST', '/api/v1/drafts', { source: policySource('scale/etag', '1', '第一条'), format: 'dsl' });
    const save = (on: string, text: string) =>
      fetch(`${on}/api/v1/drafts/${d.body.id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${author}`, 'content-type': 'application/json', 'if-match': d.body.etag },
        body: JSON.stringify({ source: d.body.source + text }),
      }).then((r) => r.status);
    // Both saves name the same etag, at the same moment, on two instances: one wins.
    const statuses = await Promise.all([save(A.url, '\n# A\n'), save(B.url, '\n# B\n')]);
    expect(statuses.sort()).toEqual([200, 412]);
  });

  it('another instance finishes a simulation whose instance was killed', async () => {
    // 1 record in 100 trips the base red line (3%) and not the variant's (5%).
    const n = 300_000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      const npl = i % 100 === 4 ? 4 : 1;
      lines.push(JSON.stringify({ 贷款: [{ 金额: 100 - npl, 逾期天数: 0 }, { 金额: npl, 逾期天数: 120 }], 弄虚作假: false }));
    }
    const form = new FormData();
    form.set('file', new Blob([lines.join('\n')]), 'big.jsonl');
    form.set('baseline', 'demo/loan@2015.1');
    form.set('candidate', 'demo2/loan@2016.1');
    form.set('asOf', '2018-06-30');
    const first = running[0]!;
    const res = await fetch(`${first.url}/api/v1/simulate`, { method: 'POST', headers: { authorization: `Bearer ${author}` }, body: form });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    type JobView = { status: string; done: number; runner?: string; attempts: number; result?: { total: number; changed: number } };
    const started = await until('the job to start', async () => {
      const j = (await call<JobView>(first.url, author, 'GET', `/api/v1/jobs/${id}`)).body;
      return j.status === 'running' && j.runner ? j : undefined;
    });
    const ids = await Promise.all(running.map(async (i) => ((await (await fetch(`${i.url}/readyz`)).json()) as { instance: string }).instance));
    const victim = running[ids.indexOf(started.runner!)]!;
    expect(victim).toBeDefined();
    await kill9(victim);
    const survivor = running[0]!;
    const finished = await until(
      'another instance to finish the job',
      async () => {
        const j = (await call<JobView>(survivor.url, author, 'GET', `/api/v1/jobs/${id}`)).body;
        return j.status === 'done' ? j : undefined;
      },
      240_000,
    );
    expect(finished.attempts).toBe(2);
    expect(finished.runner).not.toBe(started.runner);
    expect(finished.result).toMatchObject({ total: n, changed: n / 100 });
    // The changed records are there once each, not twice.
    const page = (await call<{ total: number }>(survivor.url, author, 'GET', `/api/v1/jobs/${id}/changes?pageSize=1`)).body;
    expect(page.total).toBe(n / 100);
    await instance();
  });

  it('kill -9 of instances under evaluate and publish load loses nothing acknowledged', async () => {
    while (running.length < 3) await instance();
    const [A, B, C] = running as [Instance, Instance, Instance];
    // Drafts approved and ready, published from B while clients evaluate on B and C.
    const ready: number[] = [];
    for (let k = 0; k < 6; k++) {
      const id = await submitted(A.url, `scale/kill${k}`, '1');
      expect((await call(A.url, reviewer, 'POST', `/api/v1/drafts/${id}/approve`)).status).toBe(200);
      ready.push(id);
    }
    const decisions: string[] = [];
    const versions: string[] = [];
    let stop = false;
    const evaluator = (on: Instance) =>
      (async () => {
        while (!stop) {
          const r = await call<{ decisionId: string }>(on.url, ingest, 'POST', '/api/v1/evaluate', {
            policy: 'scale/one',
            asOf: '2024-01-01',
            facts: { 违规: decisions.length % 2 === 0 },
          }).catch(() => undefined);
          if (r?.status === 200) decisions.push(r.body.decisionId);
          if (!r) return; // its instance is gone
        }
      })();
    const publisher = (async () => {
      for (const id of ready) {
        const r = await call<{ version: { id: string } }>(B.url, author, 'POST', `/api/v1/drafts/${id}/publish`).catch(() => undefined);
        if (!r) return;
        if (r.status === 201) versions.push(r.body.version.id);
      }
    })();
    const loops = [evaluator(B), evaluator(C), evaluator(B), publisher];
    await until('some acknowledged decisions and a publish', async () => decisions.length >= 20 && versions.length >= 1);
    await kill9(B);
    await until('more decisions on C after the kill', async () => decisions.length >= 60);
    stop = true;
    await Promise.all(loops);
    expect(decisions.length).toBeGreaterThanOrEqual(60);
    // Every acknowledged decision and version is stored, as a fresh instance sees it.
    const fresh = await instance();
    for (const d of decisions) expect((await call(fresh.url, admin, 'GET', `/api/v1/decisions/${d}`)).status).toBe(200);
    for (const v of versions) expect((await call(fresh.url, admin, 'GET', `/api/v1/policies/${v}/versions/1`)).status).toBe(200);
  });

  it('the decision log the instances wrote concurrently verifies: one chain per instance and day', async () => {
    const store = await Store.open(db.url);
    try {
      const log = await store.verifyDecisions();
      expect(log.problems).toEqual([]);
      // B and C (and the fresh instance's reads aside) wrote their own partitions, each its own chain.
      expect(log.partitions).toBeGreaterThanOrEqual(2);
      expect(log.decisions).toBe(await store.countDecisions());
      // An edit in any instance's partition is named.
      const row = (await store.db.get<{ id: string }>('SELECT id FROM decisions ORDER BY id LIMIT 1 OFFSET 3'))!;
      await store.db.run("UPDATE decisions SET caller = 'mallory' WHERE id = ?", [row.id]);
      expect((await store.verifyDecisions()).problems).toMatchObject([{ kind: 'edited', decisionId: row.id }]);
    } finally {
      await store.close();
    }
  });

  it('the audit trail all instances wrote is one unbroken chain', async () => {
    const store = await Store.open(db.url);
    try {
      const { checked, broken } = await store.verifyAudit();
      expect(broken).toBeUndefined();
      expect(checked).toBeGreaterThan(20);
      // An edit anywhere is found, at that entry.
      const row = (await store.db.get<{ id: number }>('SELECT id FROM audit ORDER BY id LIMIT 1 OFFSET 5'))!;
      await store.db.run("UPDATE audit SET actor = 'mallory' WHERE id = ?", [row.id]);
      const after = await store.verifyAudit();
      expect(after.broken).toMatchObject({ id: row.id, reason: 'hash-mismatch' });
    } finally {
      await store.close();
    }
  });
});
