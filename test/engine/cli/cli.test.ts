/**
 * The tiaowen command line, driven in process through its dispatcher: exit codes, output, --help.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../../server/cli/main.ts';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n') });
  return { code, out, err };
}

const POLICY = `policy "demo/loan"
  title "专项贷款额度"
  jurisdiction demo
  version "1"
  effective from 2015-06-01 until 2020-12-31
  source 指南 "甘肃省精准扶贫专项贷款工程操作指南"

facts
  贷款金额 "贷款金额": money
  贫困户 "建档立卡贫困户": boolean

parameter 额度上限 "单户贷款上限": money
  5万元 from 2015-06-01 cites 指南 "二"

rule amount_cap "单户贷款不超过5万元(含)"
  cites 指南 "二"
  when 贷款金额 > 额度上限
  then ineligible severity medium
    message "贷款金额超过单户上限" en "Loan amount above the per-household cap"
    compute 超出 "超出金额" = 贷款金额 - 额度上限
`;

const CASES = `cases:
  - note: 恰为5万元不超限(含)
    asOf: 2018-06-30
    facts: { 贷款金额: 50000 }
    want: { fired: [], notFired: [amount_cap] }
  - note: 超过5万元
    asOf: 2018-06-30
    facts: { 贷款金额: 50000.01 }
    want: { fired: [amount_cap], computed: { amount_cap: { 超出: 0.01 } } }
  - note: 缺少贷款金额则不确定
    asOf: 2018-06-30
    facts: {}
    want: { fired: [], undetermined: [amount_cap] }
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tiaowen-cli-'));
  await mkdir(path.join(dir, 'policies', 'demo', 'loan'), { recursive: true });
  await writeFile(path.join(dir, 'policies/demo/loan/loan.policy'), POLICY);
  await writeFile(path.join(dir, 'policies/demo/loan/loan.cases.yaml'), CASES);
  await writeFile(path.join(dir, 'over.json'), JSON.stringify({ 贷款金额: 60000 }));
  await writeFile(path.join(dir, 'bad.json'), JSON.stringify({ 贷款金额: 'lots' }));
  await writeFile(path.join(dir, 'broken.policy'), POLICY.replace('then ineligible', 'ineligible'));
});

describe('tiaowen CLI', () => {
  it('lists commands with no arguments and exits 2; --help exits 0', async () => {
    const none = await run();
    expect(none.code).toBe(2);
    for (const name of ['check', 'fmt', 'eval', 'test', 'catalog', 'serve', 'token']) expect(none.out).toContain(name);
    expect((await run('--help')).code).toBe(0);
  });

  it.each(['check', 'fmt', 'eval', 'test', 'catalog', 'serve', 'token'])('%s --help prints usage and exits 0', async (name) => {
    const r = await run(name, '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/tiaowen /);
  });

  it('rejects an unknown command and an unknown option with exit 2', async () => {
    expect((await run('frobnicate')).code).toBe(2);
    const r = await run('check', '--nope', 'x');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/nope/);
  });

  it('check: a good policy exits 0, a broken one exits 1 with line:column and a hint', async () => {
    const good = await run('check', path.join(dir, 'policies'));
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/0 error/);
    const bad = await run('check', path.join(dir, 'broken.policy'));
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/broken\.policy:\d+:\d+/);
  });

  it('check --dump ir prints the IR as JSON', async () => {
    const r = await run('check', '--dump', 'ir', path.join(dir, 'policies/demo/loan/loan.policy'));
    expect(r.code).toBe(0);
    const ir = JSON.parse(r.out);
    expect(ir.id).toBe('demo/loan');
    expect(ir.rules[0].id).toBe('amount_cap');
  });

  it('eval: prints the decision with the citation and computed amount; --json is machine-readable', async () => {
    const file = path.join(dir, 'policies/demo/loan/loan.policy');
    const text = await run('eval', file, '--facts', path.join(dir, 'over.json'), '--as-of', '2018-06-30', '--lang', 'en');
    expect(text.code).toBe(0);
    expect(text.out).toContain('amount_cap');
    expect(text.out).toContain('10000.00');
    const json = await run('eval', 'demo/loan', '--policies', path.join(dir, 'policies'), '--facts', path.join(dir, 'over.json'), '--as-of', '2018-06-30', '--json');
    expect(json.code).toBe(0);
    const decision = JSON.parse(json.out);
    expect(decision.outcomes.map((o: { ruleId: string }) => o.ruleId)).toEqual(['amount_cap']);
    expect(decision.outcomes[0].computed['超出'].result).toEqual({ type: 'money', yuan: '10000.00' });
  });

  it('eval: invalid facts and a date with no version in force exit 1', async () => {
    const file = path.join(dir, 'policies/demo/loan/loan.policy');
    const bad = await run('eval', file, '--facts', path.join(dir, 'bad.json'), '--as-of', '2018-06-30');
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('/贷款金额');
    const late = await run('eval', file, '--facts', path.join(dir, 'over.json'), '--as-of', '2021-01-01');
    expect(late.code).toBe(1);
    expect(late.err).toContain('engine.no-version-in-force');
  });

  it('eval: a missing facts file is an I/O error (3), a missing --facts a usage error (2)', async () => {
    const file = path.join(dir, 'policies/demo/loan/loan.policy');
    expect((await run('eval', file, '--facts', path.join(dir, 'nope.json'))).code).toBe(3);
    expect((await run('eval', file)).code).toBe(2);
  });

  it('test: runs the cases and ends with "N passed, N failed"', async () => {
    const r = await run('test', path.join(dir, 'policies'));
    expect(r.out).toMatch(/^3 passed, 0 failed$/m);
    expect(r.code).toBe(0);
  });

  it('test: a wrong expectation fails with exit 1 and says what differed', async () => {
    // Its own folder (naming the policy), so the catalogue test below still counts three cases.
    await mkdir(path.join(dir, 'policies/demo/wrong'), { recursive: true });
    const wrong = path.join(dir, 'policies/demo/wrong/wrong.cases.yaml');
    await writeFile(wrong, 'policy: demo/loan\n' + CASES.replace('want: { fired: [], notFired: [amount_cap] }', 'want: { fired: [amount_cap] }'));
    const r = await run('test', wrong, '--policies', path.join(dir, 'policies'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/fired: missing \[amount_cap\]/);
    expect(r.out).toMatch(/^2 passed, 1 failed$/m);
  });

  it('fmt: DSL → YAML → DSL keeps the policy (same IR)', async () => {
    const file = path.join(dir, 'policies/demo/loan/loan.policy');
    const yaml = await run('fmt', '--to', 'yaml', file);
    expect(yaml.code).toBe(0);
    const yamlFile = path.join(dir, 'loan.policy.yaml');
    await writeFile(yamlFile, yaml.out);
    const fromYaml = await run('check', '--dump', 'ir', yamlFile);
    const fromDsl = await run('check', '--dump', 'ir', file);
    expect(JSON.parse(fromYaml.out)).toEqual(JSON.parse(fromDsl.out));
  });

  it('catalog --out - lists each policy with its rule and case counts', async () => {
    const r = await run('catalog', '--policies', path.join(dir, 'policies'), '--out', '-');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\| demo \| \[demo\/loan\]/);
    expect(r.out).toMatch(/\| 1 \| 3 \|/);
  });
});
