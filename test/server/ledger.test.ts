/**
 * Tamper evidence of the decision log (server/store/ledger.ts): each commit batch is hashed over
 * its rows and chained per partition (writer and day). `tiaowen audit verify` names an edited,
 * deleted or inserted decision; reading and replaying flag an edited one; retention drops whole
 * partitions and keeps checkpoints; the hash may be SM3; an unavailable hash refuses the start.
 * Runs on SQLite, and on PostgreSQL in the `postgres` project.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, prepareDeps, type ServerConfig } from '../../server/app.ts';
import { command as auditCommand } from '../../server/cli/audit.ts';
import { startServer, StartupError } from '../../server/main.ts';
import { Store, type Clock } from '../../server/store/store.ts';
import { checkResponses, expectError, FIXTURE_POLICIES, NPL_4, sharedEngine, testStoreSpec } from './helpers.ts';

interface Harness {
  spec: string;
  store: Store;
  req(method: string, path: string, json?: unknown): Promise<Response>;
  decide(n: number): Promise<string[]>;
  close(): Promise<void>;
}

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

/** A server app on a fresh store whose spec the CLI can open while the app runs. */
async function harness(opts: { clock?: Clock; config?: Partial<ServerConfig> } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'tiaowen-ledger-'));
  const where = await testStoreSpec(dir);
  const clock = opts.clock ?? { now: () => new Date() };
  const store = await Store.open(where.spec, clock);
  const deps = await prepareDeps({ store, clock, engine: await sharedEngine(), policiesDir: FIXTURE_POLICIES, config: opts.config });
  const app = createApp(deps, { outermost: [checkResponses] });
  const token = (await deps.auth.create('admin', 'admin', 'test')).token;
  const req = (method: string, path: string, json?: unknown) =>
    Promise.resolve(app.request(path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: json === undefined ? undefined : JSON.stringify(json) }));
  let closed = false;
  const h: Harness = {
    spec: where.spec,
    store,
    req,
    // `n` decisions asked at once (one commit batch), then one more on its own (the next batch).
    async decide(n) {
      const ask = (i: number) =>
        req('POST', '/api/v1/evaluate', { policy: 'demo/loan', asOf: '2018-06-30', subject: `case-${i}`, facts: { ...NPL_4, 贴息金额: 100 + i } }).then(async (r) => {
          expect(r.status).toBe(200);
          return ((await r.json()) as { decisionId: string }).decisionId;
        });
      const ids = await Promise.all(Array.from({ length: n }, (_, i) => ask(i)));
      ids.push(await ask(n));
      return ids;
    },
    async close() {
      if (closed) return;
      closed = true;
      await deps.jobs.close();
      await deps.decisions.close();
      await store.close();
      await where.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  open.push(h);
  return h;
}

async function verify(spec: string): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await auditCommand.run(['verify', '--store', spec], { out: (t) => out.push(t), err: (t) => out.push(t) });
  return { code, out: out.join('\n') };
}

describe('decision log integrity', () => {
  it('an untouched log verifies; an edited, a deleted and an inserted decision are each named', async () => {
    const h = await harness();
    const ids = await h.decide(6);
    const clean = await verify(h.spec);
    expect(clean.out).toMatch(/the decision log is whole: 7 decisions, [2-7] batches, 1 partitions/);
    expect(clean.code).toBe(0);

    const [edited, deleted, kept] = [ids[1]!, ids[2]!, ids[3]!];
    // Edited facts: the read and the replay no longer pass it off as genuine.
    const before = (await (await h.req('GET', `/api/v1/decisions/${edited}`)).json()) as { intact: boolean };
    expect(before.intact).toBe(true);
    const replayedBefore = (await (await h.req('POST', `/api/v1/decisions/${edited}/replay`)).json()) as { same: boolean; intact: boolean };
    expect(replayedBefore).toMatchObject({ same: true, intact: true });
    // A name changed: the outcome stays the same, so only the hash tells the record was edited.
    await h.store.db.run("UPDATE decisions SET facts = replace(facts, '王大', '李二') WHERE id = ?", [edited]);
    expect(((await h.store.decision(edited))!.facts as { 户主姓名: string }).户主姓名).toBe('李二');
    const read = (await (await h.req('GET', `/api/v1/decisions/${edited}`)).json()) as { intact: boolean };
    expect(read.intact).toBe(false);
    const replayed = (await (await h.req('POST', `/api/v1/decisions/${edited}/replay`)).json()) as { same: boolean; intact: boolean };
    expect(replayed).toMatchObject({ same: false, intact: false });
    await expectError(await h.req('POST', '/api/v1/decisions/replay', { filter: { policy: 'demo/loan', version: '2015.1' }, candidate: 'demo/loan@2015.1' }), 422, 'decision.tampered');

    // Deleted, and inserted twice: a copy under a new id in an existing batch, and one outside any batch.
    await h.store.db.run('DELETE FROM decisions WHERE id = ?', [deleted]);
    const intoBatch = `${kept.slice(0, -4)}ffff`;
    const stray = `${kept.slice(0, -4)}eeee`;
    const cols = 'at, caller, policy_id, version, policy_hash, as_of, facts, masked, decision, draft, texts, subject, reported_by';
    await h.store.db.run(`INSERT INTO decisions (id, ${cols}, ledger, ledger_seq) SELECT ?, ${cols}, ledger, ledger_seq FROM decisions WHERE id = ?`, [intoBatch, kept]);
    await h.store.db.run(`INSERT INTO decisions (id, ${cols}) SELECT ?, ${cols} FROM decisions WHERE id = ?`, [stray, kept]);

    const bad = await verify(h.spec);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(new RegExp(`edited: decision ${edited}`));
    expect(bad.out).toMatch(new RegExp(`deleted: decision ${deleted}`));
    expect(bad.out).toMatch(new RegExp(`inserted: decision ${intoBatch}`));
    expect(bad.out).toMatch(new RegExp(`inserted: decision ${stray}`));
    expect(bad.out).not.toMatch(new RegExp(`decision ${kept}`));
    expect(bad.out).toMatch(/the audit chain is whole/);
  });

  it('a removed batch, a partition deleted whole, and a cut tail are found', async () => {
    let now = new Date('2026-03-01T10:00:00Z');
    const h = await harness({ clock: { now: () => now } });
    await h.decide(3);
    now = new Date('2026-03-02T10:00:00Z'); // the day turns: a new partition; the first is sealed in the audit trail
    await h.decide(3);
    now = new Date('2026-03-03T10:00:00Z');
    await h.decide(2);
    expect((await verify(h.spec)).code).toBe(0);
    const parts = (await h.store.db.all<{ part: string }>('SELECT DISTINCT part FROM decision_batches ORDER BY part')).map((r) => r.part);
    expect(parts).toHaveLength(3);
    // First partition: its last batch goes (rows and batch) — shorter than sealed.
    const last = (await h.store.db.get<{ seq: number }>('SELECT max(seq) AS seq FROM decision_batches WHERE part = ?', [parts[0]!]))!;
    await h.store.db.run('DELETE FROM decisions WHERE ledger = ? AND ledger_seq = ?', [parts[0]!, Number(last.seq)]);
    await h.store.db.run('DELETE FROM decision_batches WHERE part = ? AND seq = ?', [parts[0]!, Number(last.seq)]);
    // Second partition: gone whole.
    await h.store.db.run('DELETE FROM decisions WHERE ledger = ?', [parts[1]!]);
    await h.store.db.run('DELETE FROM decision_batches WHERE part = ?', [parts[1]!]);
    // Third: its first batch goes.
    await h.store.db.run('DELETE FROM decisions WHERE ledger = ? AND ledger_seq = 1', [parts[2]!]);
    await h.store.db.run('DELETE FROM decision_batches WHERE part = ? AND seq = 1', [parts[2]!]);
    const bad = await verify(h.spec);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`truncated: partition ${parts[0]}`);
    expect(bad.out).toContain(`partition-missing: partition ${parts[1]}`);
    expect(bad.out).toContain(`batch-missing: partition ${parts[2]}, batch 1`);
  });

  it('retention drops whole partitions and keeps their checkpoints: the log still verifies', async () => {
    let now = new Date('2026-01-01T08:00:00Z');
    const h = await harness({ clock: { now: () => now }, config: { decisionLog: { retentionDays: 10, maskFields: [] } } });
    const old = await h.decide(3);
    now = new Date('2026-01-12T08:00:00Z');
    const fresh = await h.decide(2);
    // Cutoff 2026-01-02T08:00: the 2026-01-01 partition is dropped whole.
    const store = h.store;
    expect(await store.deleteDecisionsBefore(new Date(now.getTime() - 10 * 86_400_000).toISOString())).toBe(old.length);
    expect((await h.req('GET', `/api/v1/decisions/${old[0]}`)).status).toBe(404);
    expect((await h.req('GET', `/api/v1/decisions/${fresh[0]}`)).status).toBe(200);
    const cps = await store.db.all<{ part: string; count: number }>('SELECT part, count FROM decision_checkpoints');
    expect(cps.map((c) => [c.part.slice(0, 10), Number(c.count)])).toEqual([['2026-01-01', old.length]]);
    const ok = await verify(h.spec);
    expect(ok.out).toMatch(/the decision log is whole: 3 decisions, \d+ batches, 1 partitions, 1 checkpoints/);
    expect(ok.code).toBe(0);
    // A checkpoint edited afterwards no longer matches the one the sweep wrote into the audit trail.
    await store.db.run("UPDATE decision_checkpoints SET last_hash = 'f00d'");
    const bad = await verify(h.spec);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('checkpoint-mismatch');
  });

  it('decisions logged before the chain existed are chained once, at the first start of this version', async () => {
    const h = await harness();
    const [kept] = await h.decide(1);
    // As an older version wrote them: no batch. Then the store is opened as if for the first time since.
    const cols = 'at, caller, policy_id, version, policy_hash, as_of, facts, masked, decision, draft, texts, subject, reported_by';
    const old = ['dec_00000000-0001-7000-8000-000000000001', 'dec_00000000-0002-7000-8000-000000000002'];
    for (const id of old) await h.store.db.run(`INSERT INTO decisions (id, ${cols}) SELECT ?, ${cols} FROM decisions WHERE id = ?`, [id, kept!]);
    expect((await verify(h.spec)).out).toContain(`inserted: decision ${old[0]}`);
    // As migration 7 marks the rows an older version wrote.
    await h.store.db.run("UPDATE decisions SET ledger = 'unchained' WHERE ledger IS NULL");
    const ok = await verify(h.spec);
    expect(ok.out).toMatch(/the decision log is whole: 4 decisions, \d+ batches, 2 partitions/);
    expect(ok.code).toBe(0);
    expect((await h.store.db.all<{ ledger: string }>('SELECT ledger FROM decisions WHERE id IN (?, ?)', old)).map((r) => r.ledger.split('/')[1])).toEqual(['legacy', 'legacy']);
  });

  it('hashes with SM3 when configured, stored with each batch', async () => {
    const h = await harness({ config: { decisionLog: { retentionDays: 0, maskFields: [], hash: 'sm3' } } });
    const ids = await h.decide(2);
    const algs = await h.store.db.all<{ alg: string }>('SELECT DISTINCT alg FROM decision_batches');
    expect(algs.map((a) => a.alg)).toEqual(['sm3']);
    expect((await verify(h.spec)).code).toBe(0);
    await h.store.db.run("UPDATE decisions SET subject = 'x' WHERE id = ?", [ids[0]!]);
    const bad = await verify(h.spec);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`edited: decision ${ids[0]}`);
  });

  it('refuses to start with a hash this Node does not provide', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiaowen-ledger-'));
    try {
      // 'md5' stands for an algorithm missing from the build (SM3 on some OpenSSL builds): the check is the same.
      const started = startServer({ dataDir: dir, port: 0, config: { decisionLog: { retentionDays: 0, maskFields: [], hash: 'md5' as 'sm3' } } });
      await expect(started).rejects.toBeInstanceOf(StartupError);
      await expect(started).rejects.toMatchObject({ code: 'config.hash-unavailable', en: expect.stringContaining('decisionLog.hash is md5') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

