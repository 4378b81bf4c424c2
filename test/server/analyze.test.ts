/**
 * POST /api/v1/analyze: the editor's analysis of an unsaved text — findings with counterexamples
 * the interpreter confirms, a bounded answer that says "unknown (timeout)" and names the rules
 * rather than "no conflict", stale requests superseded, and the event loop free meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSource, evaluateSync } from '../../engine/index.ts';
import type { AnalyzeResponse } from '../../server/wire.ts';
import { expectError, makeApp, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
});
afterAll(async () => t.close());

const SOURCE = `policy "demo/analyze-me"
  title "分析示例"
  jurisdiction demo
  version "1"
  effective from 2025-01-01
  source 办法 "示例办法"

facts
  x "得分": integer

rule dead_one "不可能的条件"
  cites 办法 "第一条"
  when x > 10 and x < 5
  then ineligible severity medium
    message "不可能" en "never"

rule yes "得分高于三分的可以享受"
  cites 办法 "第二条"
  when x > 3
  then eligible
    message "可以享受" en "eligible"

rule no "得分高于四分的不能享受"
  cites 办法 "第三条"
  when x > 4
  then ineligible severity low
    message "不能享受" en "not eligible"
`;

type Ok = Extract<AnalyzeResponse, { ok: true }>;

async function analyze(json: Record<string, unknown>, as = '张三'): Promise<Ok> {
  const res = await t.req('POST', '/api/v1/analyze', { as, json });
  expect(res.status).toBe(200);
  const body = (await res.json()) as AnalyzeResponse;
  expect(body.ok).toBe(true);
  return body as Ok;
}

describe('POST /api/v1/analyze', () => {
  it('reports the dead condition on its `when` line and the conflict with a counterexample the interpreter confirms', async () => {
    const body = await analyze({ source: SOURCE, format: 'dsl', budgetMs: 30_000 });
    expect(body.timedOut).toBe(false);
    const dead = body.findings.find((f) => f.code === 'analysis.unsatisfiable-condition');
    expect(dead?.rules).toEqual(['dead_one']);
    expect(dead?.range?.start.line).toBe(13); // `when x > 10 and x < 5`
    const conflict = body.findings.find((f) => f.code === 'analysis.conflict');
    expect(conflict?.rules).toEqual(['yes', 'no']);
    expect(conflict?.message.zh).toContain('yes');
    // Replayed through the reference interpreter, both rules fire.
    const ir = compileSource(SOURCE, { file: 'draft' }).value!;
    const ce = conflict!.counterexample!;
    const d = evaluateSync({ stamp: { id: ir.id, version: ir.version, jurisdiction: ir.jurisdiction, hash: '' }, ir, chain: [ir], ruleOrigin: {} }, ce.facts, { asOf: ce.asOf });
    expect(d.outcomes.map((o) => o.ruleId).sort()).toEqual(['no', 'yes']);
  });

  it('out of time: the dead-rule question is "unknown (timeout)" naming the rule, and no pair goes unmentioned', async () => {
    const body = await analyze({ source: SOURCE, budgetMs: 0 });
    expect(body.timedOut).toBe(true);
    expect(body.findings.some((f) => f.code === 'analysis.unsatisfiable-condition')).toBe(false);
    const unknown = body.findings.filter((f) => f.code === 'analysis.solver-unknown');
    expect(unknown.some((f) => f.rules.join() === 'dead_one' && f.message.en.includes('(timeout)'))).toBe(true);
    // dead_one (ineligible) against yes (eligible): not proved either way, so it must be said.
    const pair = body.findings.find((f) => f.rules.includes('dead_one') && f.rules.includes('yes'));
    expect(pair?.code).toBe('analysis.solver-unknown');
  });

  it('a newer request with the same key supersedes one still waiting or running (409)', async () => {
    // Sent together, the two reach the analyzer in either order (each first awaits its token
    // lookup and its body): whichever arrives second supersedes the other, so exactly one is
    // refused with 409 and the other answers.
    const both = await Promise.all([
      t.req('POST', '/api/v1/analyze', { as: '张三', json: { source: SOURCE, key: 'draft:new', budgetMs: 30_000 } }),
      t.req('POST', '/api/v1/analyze', { as: '张三', json: { source: SOURCE, key: 'draft:new', budgetMs: 30_000 } }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    await expectError(both.find((r) => r.status === 409)!, 409, 'analysis.superseded');
    const res = both.find((r) => r.status === 200)!;
    expect(((await res.json()) as Ok).findings.some((f) => f.code === 'analysis.unsatisfiable-condition')).toBe(true);
  });

  it('another person with the same key is not superseded', async () => {
    const mine = t.req('POST', '/api/v1/analyze', { as: '张三', json: { source: SOURCE, key: 'draft:new', budgetMs: 30_000 } });
    const theirs = t.req('POST', '/api/v1/analyze', { as: '王五', json: { source: SOURCE, key: 'draft:new', budgetMs: 30_000 } });
    expect((await mine).status).toBe(200);
    expect((await theirs).status).toBe(200);
  });

  it('the server answers other requests while an analysis runs (the solver is on its own thread)', async () => {
    let analysed = false;
    const running = t.req('POST', '/api/v1/analyze', { as: '张三', json: { source: SOURCE, budgetMs: 30_000 } }).then((r) => {
      analysed = true;
      return r;
    });
    const live = await t.req('GET', '/api/v1/me', { as: '李四' });
    expect(live.status).toBe(200);
    expect(analysed).toBe(false);
    expect((await running).status).toBe(200);
  });

  it('a text that does not compile gives its diagnostics and no analysis', async () => {
    const res = await t.req('POST', '/api/v1/analyze', { as: '李四', json: { source: SOURCE.replace('when x > 3', 'when x >') } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as AnalyzeResponse;
    expect(body.ok).toBe(false);
    expect(body.diagnostics.some((d) => d.severity === 'error')).toBe(true);
  });

  it('a variant is analysed with its base from the library', async () => {
    const variant = `policy "demo3/loan"
  title "变体"
  jurisdiction demo3
  version "1"
  extends "demo/loan"
  effective from 2016-01-01
  source 细则 "示例细则"

rule never_here "不可能"
  cites 细则 "第一条"
  when 贴息金额 > 10元 and 贴息金额 < 5元
  then ineligible severity low
    message "不可能" en "never"
`;
    const body = await analyze({ source: variant, budgetMs: 30_000 });
    expect(body.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const dead = body.findings.filter((f) => f.code === 'analysis.unsatisfiable-condition');
    expect(dead.map((f) => f.rules[0])).toEqual(['never_here']);
    // Findings are about what the variant itself says, never the base's rules.
    expect(body.findings.every((f) => f.policy.id === 'demo3/loan')).toBe(true);
  });

  it('viewers may not ask; bad bodies are refused', async () => {
    await expectError(await t.req('POST', '/api/v1/analyze', { as: '赵六', json: { source: SOURCE } }), 403, 'auth.forbidden');
    await expectError(await t.req('POST', '/api/v1/analyze', { as: '张三', json: { source: SOURCE, budgetMs: -1 } }), 400, 'http.invalid-body');
  });
});
