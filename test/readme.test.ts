/**
 * The README's five-minute tour must stay true: its policy compiles, its facts give the verdict
 * the README describes, and its decision cases pass.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { main } from '../server/cli/main.ts';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n') });
  return { code, out, err };
}

/** The fenced block that follows the first line matching `after`. */
function blockAfter(readme: string, after: RegExp, lang = ''): string {
  const start = readme.search(after);
  expect(start, `README has ${after}`).toBeGreaterThanOrEqual(0);
  const fence = '```' + lang + '\n';
  const open = readme.indexOf(fence, start);
  const close = readme.indexOf('```', open + fence.length);
  return readme.slice(open + fence.length, close);
}

describe('README tour', () => {
  let dir: string;
  beforeAll(async () => {
    const readme = await readFile('README.md', 'utf8');
    dir = await mkdtemp(path.join(os.tmpdir(), 'tiaowen-readme-'));
    await writeFile(path.join(dir, 'loan.policy'), blockAfter(readme, /Write a policy, `loan.policy`/));
    await writeFile(path.join(dir, 'loan.cases.yaml'), blockAfter(readme, /Put decision cases beside the policy/, 'yaml'));
    await writeFile(path.join(dir, 'facts.json'), JSON.stringify({ 贷款金额: 60000 }));
  });

  it('the policy checks clean', async () => {
    const r = await run('check', path.join(dir, 'loan.policy'));
    expect(r.out).toMatch(/0 error/);
    expect(r.code).toBe(0);
  });

  it('eval gives what the README says: amount_cap fires, cites 指南 二, 超出金额 10000.00', async () => {
    const r = await run('eval', path.join(dir, 'loan.policy'), '--facts', path.join(dir, 'facts.json'), '--as-of', '2018-06-30', '--json');
    const decision = JSON.parse(r.out);
    expect(decision.outcomes).toHaveLength(1);
    expect(decision.outcomes[0].ruleId).toBe('amount_cap');
    expect(decision.outcomes[0].citation.article).toBe('二');
    expect(decision.outcomes[0].computed['超出'].result).toEqual({ type: 'money', yuan: '10000.00' });
  });

  it('leaving the amount out makes the rule undetermined', async () => {
    await writeFile(path.join(dir, 'empty.json'), '{}');
    const r = await run('eval', path.join(dir, 'loan.policy'), '--facts', path.join(dir, 'empty.json'), '--as-of', '2018-06-30', '--json');
    const decision = JSON.parse(r.out);
    expect(decision.undetermined.map((u: { ruleId: string }) => u.ruleId)).toEqual(['amount_cap']);
    expect(decision.undetermined[0].missingFacts).toContain('贷款金额');
  });

  it('its decision cases pass', async () => {
    const r = await run('test', dir);
    expect(r.out).toMatch(/^2 passed, 0 failed$/m);
  });
});
