/**
 * Malformed requests over every operation of the served OpenAPI document, in process: wrong
 * types, huge strings, deep JSON, invalid UTF-8 and JSON, wrong content types, bad path
 * parameters and query values, under every role. Seeded (FUZZ_SEED) and bounded (FUZZ_API_RUNS
 * per operation) for CI; `npm run soak` runs the same generator far longer against a real server.
 *
 * Each answer: no 5xx; a 4xx carries `{error: {code, message: {zh, en}}}`; no internal path or
 * stack trace anywhere in it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../server/helpers.ts';
import { checkAnswer, malformedRequest, operationsOf, rng, type Operation } from './requests.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const RUNS = Number(process.env.FUZZ_API_RUNS ?? 6);

let t: TestApp;
let ops: Operation[];
beforeAll(async () => {
  t = await makeApp();
  const doc = (await (await t.req('GET', '/api/v1/openapi.json')).json()) as Parameters<typeof operationsOf>[0];
  ops = operationsOf(doc);
});
afterAll(async () => {
  await t.close();
});

describe('malformed requests over every route of the OpenAPI document', () => {
  it('the document lists the routes', () => {
    expect(ops.length).toBeGreaterThanOrEqual(30);
  });

  it(`${RUNS} malformed requests per operation (seed ${SEED}): no 5xx, the error body, no internals`, async () => {
    const random = rng(SEED);
    const problems: string[] = [];
    let sent = 0;
    for (const op of ops) {
      for (let i = 0; i < RUNS; i++) {
        const r = malformedRequest(op, random, t.tokens);
        const res = await t.app.request(r.path, { method: r.method, headers: r.headers, body: r.body });
        const text = r.method === 'HEAD' ? '' : await res.text();
        sent++;
        const problem = checkAnswer(res.status, res.headers.get('content-type'), text);
        if (problem) problems.push(`${r.method} ${r.path.slice(0, 120)} [${r.what}] → ${res.status}: ${problem}`);
      }
    }
    expect(sent).toBe(ops.length * RUNS);
    expect(problems.slice(0, 10)).toEqual([]);
  });
});
