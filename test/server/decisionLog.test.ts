/**
 * Group commit in the decision log: decisions queued in one turn of the event loop share a
 * commit; decisions arriving while a commit runs form the next one; nobody's promise resolves
 * before the commit holding its row.
 */
import { describe, expect, it } from 'vitest';
import { DecisionLog, type LogEntry } from '../../server/decisionLog.ts';
import type { DecisionInsert, Store } from '../../server/store/store.ts';
import { decisionTexts } from '../../engine/evaluate/lean.ts';
import { compilePolicy } from '../../engine/compiled/index.ts';
import { takeRecords } from '../../bench/generate-loans.ts';
import { AS_OF, benchPolicies } from '../../bench/load.ts';

/** A store that only logs: each insert waits until the test lets it finish. */
function slowStore() {
  const commits: DecisionInsert[][] = [];
  const release: (() => void)[] = [];
  const meta = new Map<string, string>();
  const store = {
    getMeta: async (k: string) => meta.get(k),
    setMeta: async (k: string, v: string) => void meta.set(k, v),
    claimMeta: async (k: string, v: string) => (meta.has(k) ? meta.get(k)! : (meta.set(k, v), v)),
    insertDecisions: (records: DecisionInsert[]) =>
      new Promise<void>((resolve) => {
        commits.push(records);
        release.push(resolve);
      }),
  };
  // The log uses only these methods of the store.
  return { store: store as unknown as Store, commits, release };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('decision log group commit', () => {
  const { baseline } = benchPolicies();
  const compiled = compilePolicy(baseline);
  const entries: LogEntry[] = [...takeRecords(12)].map((facts) => ({ caller: 'test', policy: baseline, decision: compiled.decide(facts, { asOf: AS_OF }), facts }));

  it('commits one turn’s decisions together, and what comes during a commit in the next', async () => {
    const { store, commits, release } = slowStore();
    const log = new DecisionLog(store, { now: () => new Date('2026-01-01T00:00:00Z') }, { retentionDays: 0, maskFields: [] }, decisionTexts);
    await log.init();
    let done = 0;
    const first = entries.slice(0, 5).map((e) => log.record(e).then((id) => (done++, id)));
    await turn();
    expect(commits.map((c) => c.length)).toEqual([5]);
    // While the first commit runs, more decisions arrive: they wait for a second commit.
    const second = log.recordMany(entries.slice(5)).then((ids) => ((done += ids.length), ids));
    await turn();
    expect(commits.map((c) => c.length)).toEqual([5]);
    expect(done).toBe(0);
    release[0]!();
    const ids = await Promise.all(first);
    expect(done).toBe(5);
    await turn();
    expect(commits.map((c) => c.length)).toEqual([5, 7]);
    expect(done).toBe(5); // not before its own commit
    release[1]!();
    const more = await second;
    expect(done).toBe(12);
    // Ids sort in the order the decisions were logged (time-ordered, same millisecond aside).
    expect(new Set([...ids, ...more]).size).toBe(12);
    // Rows are lean, with the texts they refer to.
    expect(commits[0]![0]!.texts?.id).toBe(decisionTexts(baseline).id);
    expect(commits[0]![0]!.decisionJson).toBe(JSON.stringify(commits[0]![0]!.decision));
    await log.close();
  });

  it('a quiet log commits without waiting for company', async () => {
    const { store, commits, release } = slowStore();
    const log = new DecisionLog(store, { now: () => new Date() }, { retentionDays: 0, maskFields: [] }, decisionTexts);
    await log.init();
    const one = log.record(entries[0]!);
    await turn();
    expect(commits.length).toBe(1);
    release[0]!();
    await expect(one).resolves.toMatch(/^dec_/);
    await log.close();
  });
});
