/**
 * GET …/versions/{v}/schema?of=decision: a standalone JSON Schema of what that version answers.
 * Real decisions (plain, explained, of a variant) validate against it; a decision naming a rule
 * the version lacks, or missing a computed value, does not. The facts schema stays the default.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision, EvaluateResponse } from '../../../server/wire.ts';
import { expectError, makeApp, NPL_4, type TestApp } from '../helpers.ts';

// ajv-formats is CommonJS; under ESM its default export may arrive wrapped.
type AddFormats = (a: Ajv2020, formats: string[]) => void;
const addFormats: AddFormats = (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

describe('the decision schema of a version', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp();
  });
  afterAll(async () => t.close());

  const get = async (path: string) => {
    const res = await t.req('GET', path, { as: 'ingest' });
    expect(res.status, path).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  };
  // 4% bad loans trips the base's 3% red line; the variant's is 5%, so it gets 6%.
  const NPL_6 = { ...NPL_4, 贷款: [{ 金额: 94, 逾期天数: 0 }, { 金额: 6, 逾期天数: 90 }] };
  const decide = async (policy: string, explain: boolean): Promise<Decision> => {
    const facts = policy === 'demo2/loan' ? NPL_6 : NPL_4;
    const res = await t.req('POST', `/api/v1/evaluate${explain ? '?explain=true' : ''}`, { as: 'ingest', json: { policy, asOf: '2018-06-30', facts } });
    expect(res.status).toBe(200);
    return ((await res.json()) as EvaluateResponse).decision;
  };
  const validatorOf = (schema: object) => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv, ['date']);
    return ajv.compile(schema);
  };

  it('leaves the facts schema the default, unchanged', async () => {
    const plain = await get('/api/v1/policies/demo/loan/versions/2015.1/schema');
    expect(await get('/api/v1/policies/demo/loan/versions/2015.1/schema?of=facts')).toEqual(plain);
    expect(plain.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(plain.properties).toHaveProperty('贷款');
    await expectError(await t.req('GET', '/api/v1/policies/demo/loan/versions/2015.1/schema?of=answers', { as: 'ingest' }), 400, 'http.invalid-query');
  });

  it.each([
    ['demo/loan', '2015.1'],
    ['demo2/loan', '2016.1'],
  ])('validates what %s %s answers, and refuses what it cannot answer', async (policy, version) => {
    const schema = await get(`/api/v1/policies/${policy}/versions/${version}/schema?of=decision`);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const valid = validatorOf(schema);
    const decision = await decide(policy, false);
    expect(decision.outcomes.length).toBeGreaterThan(0);
    for (const d of [decision, await decide(policy, true)]) expect(valid(d) ? [] : valid.errors).toEqual([]);

    const foreign = structuredClone(decision);
    foreign.outcomes[0].ruleId = 'no_such_rule';
    expect(valid(foreign)).toBe(false);
    const wrongVersion = structuredClone(decision);
    wrongVersion.policy.version = '1999.1';
    expect(valid(wrongVersion)).toBe(false);
    const withComputed = decision.outcomes.findIndex((o) => Object.keys(o.computed).length > 0);
    if (withComputed >= 0) {
      const lacking = structuredClone(decision);
      delete lacking.outcomes[withComputed].computed[Object.keys(lacking.outcomes[withComputed].computed)[0]];
      expect(valid(lacking)).toBe(false);
    }
    const notADecision = { ...decision, outcomes: 'none' };
    expect(valid(notADecision)).toBe(false);
  });
});
