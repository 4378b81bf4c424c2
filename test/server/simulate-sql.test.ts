/**
 * Large simulations run as one SQL query in DuckDB (engine/sql) instead of on the worker pool.
 * With the threshold lowered, the same uploads give the same counts and the same changed records
 * (line numbers, facts, both sides) as the pool, plus rule coverage with the facts missing most.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from './helpers.ts';

let pool: TestApp;
let sql: TestApp;
beforeAll(async () => {
  pool = await makeApp();
  sql = await makeApp({ config: { jobs: { sqlThreshold: 1 } } });
});
afterAll(async () => {
  await pool?.close();
  await sql?.close();
});

/** 60 records: NPL i% of 0..9, some without overdue days (undetermined), a blank line, fraud on a few. */
const lines = Array.from({ length: 60 }, (_, i) => {
  const npl = i % 10;
  const loans = i % 7 === 3 ? [{ 金额: 100 - npl }, { 金额: npl }] : [{ 金额: 100 - npl, 逾期天数: 0 }, { 金额: npl, 逾期天数: 120 }];
  return JSON.stringify(i % 11 === 5 ? { facts: { 贷款: loans, 弄虚作假: true } } : { 贷款: loans, 弄虚作假: false });
});
lines.splice(20, 0, '');

type Result = {
  engine: string;
  total: number;
  changed: number;
  baseline: { byOutcome: Record<string, number>; byRule: Record<string, unknown> };
  candidate: { byOutcome: Record<string, number>; byRule: Record<string, unknown> };
  coverage: { baseline: { rules: { rule: string; fired: number; notFired: number; undetermined: number; missing?: { fact: string; count: number }[] }[]; neverFired: string[] } };
};

async function simulate(t: TestApp, text: string, name: string): Promise<{ result: Result; changes: { line: number; record: unknown; baseline: unknown; candidate: unknown }[] }> {
  const form = new FormData();
  form.set('file', new Blob([text]), name);
  form.set('baseline', 'demo/loan@2015.1');
  form.set('candidate', 'demo2/loan@2016.1');
  form.set('asOf', '2018-06-30');
  const res = await t.app.request('/api/v1/simulate', { method: 'POST', headers: { authorization: `Bearer ${t.tokens['张三']}` }, body: form });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  expect(await (await t.req('GET', `/api/v1/jobs/${id}/events`, { as: '张三' })).text()).toMatch(/event: end/);
  const job = (await (await t.req('GET', `/api/v1/jobs/${id}`, { as: '张三' })).json()) as { status: string; result: Result; error?: unknown };
  expect(job.status, JSON.stringify(job.error)).toBe('done');
  const changes = (await (await t.req('GET', `/api/v1/jobs/${id}/changes?pageSize=1000`, { as: '张三' })).json()) as { items: { line: number; record: unknown; baseline: unknown; candidate: unknown }[] };
  return { result: job.result, changes: changes.items };
}

describe('simulation as SQL', () => {
  it('gives the pool’s counts and changed records, and coverage with missing facts', async () => {
    const text = lines.join('\n');
    const a = await simulate(pool, text, 'data.jsonl');
    const b = await simulate(sql, text, 'data.jsonl');
    expect(a.result.engine).toBe('pool');
    expect(b.result.engine).toBe('duckdb');
    expect(b.result.total).toBe(60);
    expect({ ...b.result, engine: undefined, coverage: undefined }).toEqual({ ...a.result, engine: undefined, coverage: undefined });
    expect(b.result.changed).toBeGreaterThan(0);
    const norm = (c: { line: number; record: unknown; baseline: unknown; candidate: unknown }[]) => c.map((x) => ({ ...x, seq: undefined }));
    expect(norm(b.changes)).toEqual(norm(a.changes));
    // Coverage: the same counts from both; the SQL path also names the fact missing most.
    const rule = (r: Result, id: string) => r.coverage.baseline.rules.find((x) => x.rule === id)!;
    for (const id of ['npl_red_line']) {
      const [x, y] = [rule(a.result, id), rule(b.result, id)];
      expect([y.fired, y.notFired, y.undetermined]).toEqual([x.fired, x.notFired, x.undetermined]);
      expect(y.fired + y.notFired + y.undetermined).toBe(60);
    }
    expect(rule(b.result, 'npl_red_line').undetermined).toBeGreaterThan(0);
    expect(rule(b.result, 'npl_red_line').missing?.[0]?.fact).toMatch(/逾期天数/);
    expect(b.result.coverage.baseline.neverFired).toEqual(a.result.coverage.baseline.neverFired);
  });

  it('reads CSV uploads the same way', async () => {
    const csv = ['弄虚作假,贷款', ...Array.from({ length: 12 }, (_, i) => `${i % 4 === 0 ? '是' : '否'},"${JSON.stringify([{ 金额: 100 - (i % 10), 逾期天数: 0 }, { 金额: i % 10, 逾期天数: 120 }]).replace(/"/g, '""')}"`)].join('\n');
    const a = await simulate(pool, csv, 'data.csv');
    const b = await simulate(sql, csv, 'data.csv');
    expect(b.result.engine).toBe('duckdb');
    expect({ ...b.result, engine: undefined, coverage: undefined }).toEqual({ ...a.result, engine: undefined, coverage: undefined });
    expect(b.changes.map((c) => c.line)).toEqual(a.changes.map((c) => c.line));
  });
});
