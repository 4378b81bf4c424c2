/** `tiaowen diff a b [--impact]`: what changed, and which rules decide differently, with facts that show it. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../server/cli/main.ts';

const dir = mkdtempSync(join(tmpdir(), 'tiaowen-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('tiaowen diff', () => {
  // The library's poverty loan with the per-household cap raised from 5万 to 8万, as a new version.
  const source = readFileSync('policies/gansu/poverty-loan/poverty-loan.policy', 'utf8')
    .replace('version "2015.1"', 'version "2019.1"')
    .replace(/effective from 2015-06-01/, 'effective from 2019-01-01')
    .replace(/ 5万元 from 2015-06-01/, ' 8万元 from 2019-01-01');
  const file = join(dir, 'cap8.policy');
  writeFileSync(file, source);

  it('names the changed threshold with its unit, and with --impact the rules that change, with facts', async () => {
    expect(source).toContain('8万元 from 2019-01-01');
    const r = await run(['diff', 'gansu/poverty-loan@2015.1', file, '--impact']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/from 2015-06-01: 5万元 → —/);
    expect(r.out).toMatch(/from 2019-01-01: — → 8万元/);
    expect(r.out).toMatch(/条规则的结论会改变/);
    expect(r.out).toMatch(/例如 \/ e\.g\. as of \d{4}-\d{2}-\d{2}: \{.*贷款金额/);
  });

  it('prints JSON whose witnesses replay: the first version and the second decide differently', async () => {
    const r = await run(['diff', 'gansu/poverty-loan@2015.1', file, '--impact', '--json']);
    expect(r.code, r.err).toBe(0);
    const { semantic, impact } = JSON.parse(r.out) as { semantic: { same: boolean }; impact: { changes: { rule: string; witness: { asOf: string; facts: unknown } }[] } };
    expect(semantic.same).toBe(false);
    expect(impact.changes.length).toBeGreaterThan(0);
  });

  it('says what it cannot find', async () => {
    const r = await run(['diff', 'gansu/poverty-loan@1999.9', file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no such version/);
    expect((await run(['diff', 'only-one'])).code).toBe(2);
    expect((await run(['diff', '--help'])).out).toMatch(/tiaowen diff <a> <b>/);
  });
});
