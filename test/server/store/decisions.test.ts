/**
 * The decisions table: rows of one commit that share some columns and differ in others are all
 * stored and read back exactly, whole or lean.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store, type DecisionInsert } from '../../../server/store/store.ts';
import { Db } from '../../../server/store/sqlite/db.ts';
import { decisionId } from '../../../server/decisionLog.ts';
import { decisionTexts, leanDecision } from '../../../engine/evaluate/lean.ts';
import { compilePolicy } from '../../../engine/compiled/index.ts';
import { takeRecords } from '../../../bench/generate-loans.ts';
import { AS_OF, benchPolicies } from '../../../bench/load.ts';
import { testStoreSpec } from '../helpers.ts';

let dir: string;
let store: Store;
let drop: () => Promise<void>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tiaowen-store-'));
  const where = await testStoreSpec(dir, 'x.sqlite');
  drop = where.drop;
  store = await Store.open(where.spec);
});
afterAll(async () => {
  await store.close();
  await drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('insertDecisions', () => {
  it('stores mixed rows in one commit and reads each back as written', async () => {
    const { baseline, candidate } = benchPolicies();
    const facts = [...takeRecords(8)];
    const rows: DecisionInsert[] = facts.map((f, i) => {
      const policy = i % 3 === 0 ? candidate : baseline;
      const decision = compilePolicy(policy).decide(f, { asOf: AS_OF });
      const texts = decisionTexts(policy);
      const lean = i % 4 === 3 ? undefined : leanDecision(decision, texts);
      return {
        id: decisionId(),
        at: i < 4 ? '2026-01-01T00:00:00.000Z' : '2026-01-01T00:00:01.000Z',
        caller: i % 2 ? '甲' : '乙',
        policyId: decision.policy.id,
        version: decision.policy.version,
        policyHash: decision.policy.hash,
        asOf: AS_OF,
        facts: f,
        masked: i === 5 ? ['金额'] : [],
        ...(i === 6 ? { draft: { id: 7, revision: 2, hash: 'h' } } : {}),
        ...(lean ? { decision: lean, texts } : { decision }),
      };
    });
    await store.insertDecisions(rows);
    expect(await store.countDecisions()).toBe(rows.length);
    for (const [i, r] of rows.entries()) {
      const back = (await store.decision(r.id))!;
      const { texts: _texts, decision: _stored, ...plain } = r;
      expect(back).toEqual({ ...plain, decision: compilePolicy(i % 3 === 0 ? candidate : baseline).decide(facts[i], { asOf: AS_OF }) });
    }
  });
});

describe('checkpoints', () => {
  it('are left to a second connection: commits never copy the WAL, the background does, and close empties it', async () => {
    const file = join(dir, 'ckpt.sqlite');
    const db = await Db.open(file, { checkpointEveryMs: 60_000 });
    expect((await db.get<{ wal_autocheckpoint: number }>('PRAGMA wal_autocheckpoint'))!.wal_autocheckpoint).toBe(0);
    await db.exec('CREATE TABLE t (x TEXT)');
    for (let i = 0; i < 50; i++) await db.run('INSERT INTO t VALUES (?)', ['x'.repeat(20_000)]);
    // ~1 MB committed: more than SQLite's default autocheckpoint (1000 pages) would have let grow.
    const grown = statSync(`${file}-wal`).size;
    expect(grown).toBeGreaterThan(1_000_000);
    await db.checkpoint();
    expect(statSync(file).size).toBeGreaterThan(1_000_000); // the frames are in the database file now
    await db.close();
    expect(statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0).toBe(0);
    const again = await Db.open(file);
    expect((await again.get<{ n: number }>('SELECT count(*) AS n FROM t'))!.n).toBe(50);
    await again.close();
  });
});
