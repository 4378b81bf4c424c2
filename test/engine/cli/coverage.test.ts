/** `tiaowen test --coverage / --min / --coverage-out`: rule and condition coverage of the decision cases. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../server/cli/main.ts';

const dir = mkdtempSync(join(tmpdir(), 'tiaowen-cov-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(
  join(dir, 'cov.policy'),
  `policy "demo/cov"
  title "覆盖率"
  jurisdiction demo
  version "1"
  effective from 2020-01-01
  source 办法 "测试办法"

facts
  金额 "金额": money
  违规 "违规": boolean

rule big "金额过大"
  cites 办法 "第一条"
  when 金额 > 100元
  then violation
    message "过大"

rule cheat "违规"
  cites 办法 "第二条"
  when 违规
  then violation
    message "违规"
`,
);
// Only the first rule ever fires: half the rules covered.
writeFileSync(
  join(dir, 'cov.cases.yaml'),
  `cases:
  - note: 过大
    asOf: 2021-01-01
    facts: { 金额: 200, 违规: false }
    want: { fired: [big], notFired: [cheat] }
  - note: 不大
    asOf: 2021-01-01
    facts: { 金额: 50, 违规: false }
    want: { fired: [] }
`,
);

async function run(argv: string[]) {
  const out: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => out.push(s) });
  return { code, out: out.join('\n') };
}

describe('tiaowen test --coverage', () => {
  it('reports rule and condition coverage per version and in total', async () => {
    const r = await run(['test', dir, '--coverage', '--policies', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/2 passed, 0 failed/);
    expect(r.out).toMatch(/demo\/cov@1: rules 50\.0%, conditions \d+\.\d%/);
    expect(r.out).toMatch(/total: rules 50\.0% \(1\/2\)/);
  });

  it('fails under --min and writes the reports as JSON', async () => {
    const file = join(dir, 'coverage.json');
    const r = await run(['test', dir, '--min', '60', '--coverage-out', file, '--policies', dir]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/below --min 60%/);
    const json = JSON.parse(readFileSync(file, 'utf8')) as { total: { ruleCoverage: number }; policies: { rules: Record<string, { fired: number }> }[] };
    expect(json.total.ruleCoverage).toBe(0.5);
    expect(json.policies[0]!.rules.big!.fired).toBe(1);
    expect((await run(['test', dir, '--min', '50', '--policies', dir])).code).toBe(0);
  });

  it('writes JUnit XML for CI systems, failures with their problems', async () => {
    const bad = join(dir, 'bad');
    const { mkdirSync, copyFileSync } = await import('node:fs');
    mkdirSync(bad, { recursive: true });
    copyFileSync(join(dir, 'cov.policy'), join(bad, 'cov.policy'));
    writeFileSync(join(bad, 'cov.cases.yaml'), `cases:\n  - note: 写错的期望 <&>\n    asOf: 2021-01-01\n    facts: { 金额: 200, 违规: false }\n    want: { fired: [cheat] }\n`);
    const file = join(dir, 'junit.xml');
    const r = await run(['test', bad, '--junit', file, '--policies', bad]);
    expect(r.code).toBe(1);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/<testsuites name="tiaowen" tests="1" failures="1">/);
    expect(text).toMatch(/<testcase classname="demo\/cov" name="#1 \[demo\/cov\] 写错的期望 &lt;&amp;&gt;">/);
    expect(text).toMatch(/<failure message="fired: missing \[cheat\]/);
  });
});
