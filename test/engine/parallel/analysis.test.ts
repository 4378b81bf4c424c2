/**
 * The editor's analysis thread (engine/parallel/analysis.ts): answers off the caller's thread,
 * drops what is stale, and when the thread overruns its deadline stops it and says so — an
 * "unknown (timeout)" naming every rule, never silence — then serves the next job on a new thread.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { compileSource } from '../../../engine/index.ts';
import { AnalysisWorker } from '../../../engine/parallel/analysis.ts';

const TEXT = `policy "t/thread"
  title "线程"
  jurisdiction t
  version "1"
  effective from 2025-01-01
  source 文 "文件"

facts
  x "x": integer

rule dead_one "不可能"
  cites 文 "一"
  when x > 10 and x < 5
  then ineligible
    message "不可能"

rule yes "是"
  cites 文 "二"
  when x > 3
  then eligible
    message "是"
`;
const ir = compileSource(TEXT, { file: 'draft' }).value!;
const job = { ir, text: TEXT, file: 'draft', library: [], timeoutMs: 5000 };

const workers: AnalysisWorker[] = [];
const make = (graceMs?: number) => {
  const w = new AnalysisWorker(graceMs === undefined ? {} : { graceMs });
  workers.push(w);
  return w;
};
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
});

describe('AnalysisWorker', () => {
  it('answers with the findings, and drops a job superseded by its key or aborted while waiting', async () => {
    const w = make();
    const ac = new AbortController();
    const first = w.analyze({ job, budgetMs: 30_000, key: 'k' });
    const aborted = w.analyze({ job, budgetMs: 30_000, signal: ac.signal });
    const second = w.analyze({ job, budgetMs: 30_000, key: 'k' });
    ac.abort();
    expect(await first).toEqual({ status: 'superseded' });
    expect(await aborted).toEqual({ status: 'cancelled' });
    const done = await second;
    expect(done.status).toBe('done');
    if (done.status !== 'done') return;
    expect(done.findings.map((f) => `${f.code} ${f.rules.join(',')}`)).toContain('analysis.unsatisfiable-condition dead_one');
  });

  it('a thread past its deadline and grace is stopped; the answer names every rule; the next job gets a new thread', async () => {
    const w = make(0);
    const late = await w.analyze({ job, budgetMs: 0 });
    expect(late.status).toBe('done');
    if (late.status !== 'done') return;
    expect(late.findings).toHaveLength(1);
    expect(late.findings[0]).toMatchObject({ code: 'analysis.solver-unknown', rules: ['dead_one', 'yes'] });
    expect(late.findings[0]!.message.en).toContain('(timeout)');
    // The next job, with time, is answered in full.
    const next = await w.analyze({ job, budgetMs: 30_000 });
    expect(next.status === 'done' && next.findings.some((f) => f.code === 'analysis.unsatisfiable-condition')).toBe(true);
  });
});
