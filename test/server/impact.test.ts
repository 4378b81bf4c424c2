/**
 * Change impact through the diff API: the rules whose verdict changes between two versions, each
 * with a witness record that the evaluate route confirms, or a proof that they decide identically.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, makeApp, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
});
afterAll(async () => t.close());

type Impact = {
  identical: boolean;
  changes: { rule: string; before: string; after: string; witness: { asOf: string; facts: Record<string, unknown> } }[];
  conditions: Record<string, { before?: string; after?: string }>;
};

describe('GET /api/v1/diff?impact=true', () => {
  it('names the rule the variant changes, with a witness both versions replay as said', async () => {
    // demo2/loan moves the NPL red line from 3% to 5%.
    const res = await t.req('GET', '/api/v1/diff?a=demo/loan@2015.1&b=demo2/loan@2016.1&impact=true', { as: '李四' });
    expect(res.status).toBe(200);
    const { impact } = (await res.json()) as { impact: Impact };
    expect(impact.identical).toBe(false);
    const red = impact.changes.find((c) => c.rule === 'npl_red_line');
    expect(red).toBeDefined();
    expect([red!.before, red!.after]).toEqual(['fired', 'not-fired']);
    // The witness, sent to each version, gets the verdicts the impact says.
    const fired = async (policy: string, version: string) => {
      const r = await t.req('POST', '/api/v1/evaluate', { as: 'ingest', json: { policy, version, asOf: red!.witness.asOf, facts: red!.witness.facts } });
      expect(r.status).toBe(200);
      return ((await r.json()) as { decision: { outcomes: { ruleId: string }[] } }).decision.outcomes.map((o) => o.ruleId);
    };
    expect(await fired('demo/loan', '2015.1')).toContain('npl_red_line');
    expect(await fired('demo2/loan', '2016.1')).not.toContain('npl_red_line');
  });

  it('proves a version identical to itself, and is left out unless asked', async () => {
    const same = (await (await t.req('GET', '/api/v1/diff?a=demo/loan@2015.1&b=demo/loan@2015.1&impact=true', { as: '李四' })).json()) as {
      impact: Impact & { undecided: { rule: string; reason: string }[] };
    };
    // No rule changes; what the solver could not settle (list aggregates beyond its bounded model)
    // is named with its reason, never counted as a change or as proved.
    expect(same.impact.changes).toEqual([]);
    expect(same.impact.identical).toBe(same.impact.undecided.length === 0);
    for (const u of same.impact.undecided) expect(u.reason.length).toBeGreaterThan(0);
    const plain = (await (await t.req('GET', '/api/v1/diff?a=demo/loan@2015.1&b=demo2/loan@2016.1', { as: '李四' })).json()) as { impact?: unknown };
    expect(plain.impact).toBeUndefined();
    await expectError(await t.req('GET', '/api/v1/diff?a=demo/loan@2015.1&b=demo/loan@2015.1&impact=yes', { as: '李四' }), 400, 'http.invalid-query');
  });
});
