/**
 * The README's five-minute tour must stay true, walked literally: every `npm run tiaowen -- …`
 * command of the tour runs as written (as npm runs it: in the package root, with the folder it
 * was typed in as INIT_CWD) in an empty folder and in a copy of the repository root (which holds
 * policies/ and test fixtures with the same policy id), and gives what the README says.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFile, writeFile, mkdtemp, cp, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { main } from '../server/cli/main.ts';

/** The fenced block that follows the first line matching `after`. */
function blockAfter(readme: string, after: RegExp, lang = ''): string {
  const start = readme.search(after);
  expect(start, `README has ${after}`).toBeGreaterThanOrEqual(0);
  const fence = '```' + lang + '\n';
  const open = readme.indexOf(fence, start);
  const close = readme.indexOf('```', open + fence.length);
  return readme.slice(open + fence.length, close);
}

/** The tour section: from its heading to the next. */
function tour(readme: string): string {
  const start = readme.indexOf('## A five-minute tour');
  expect(start).toBeGreaterThanOrEqual(0);
  return readme.slice(start, readme.indexOf('\n## ', start + 1));
}

/** Every `npm run tiaowen -- …` command in the text (in sh blocks and inline code), in order. */
function commands(text: string): string[] {
  return [...text.matchAll(/npm run tiaowen -- ([^`\n]+)/g)].map((m) => m[1]!.trim());
}

const saved = { event: process.env.npm_lifecycle_event, init: process.env.INIT_CWD };
afterAll(() => {
  for (const [k, v] of [['npm_lifecycle_event', saved.event], ['INIT_CWD', saved.init]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

/** Runs one command line of the tour as `npm run tiaowen -- <line>` typed in `dir`. */
async function shell(dir: string, line: string) {
  process.env.npm_lifecycle_event = 'tiaowen';
  process.env.INIT_CWD = dir;
  let out = '';
  let err = '';
  // The tour's commands need no quoting: plain words separated by spaces.
  const code = await main(line.split(/\s+/), { out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n') });
  return { code, out, err };
}

describe.each(['an empty folder', 'the repository root'])('README tour in %s', (where) => {
  let dir: string;
  let readme: string;
  beforeAll(async () => {
    readme = await readFile('README.md', 'utf8');
    dir = await mkdtemp(path.join(os.tmpdir(), 'tiaowen-readme-'));
    if (where === 'the repository root') {
      // What makes the root different: a library, fixtures reusing demo ids, examples, benches.
      for (const sub of ['policies', 'test/fixtures', 'docs/examples', 'bench/policy']) {
        await mkdir(path.dirname(path.join(dir, sub)), { recursive: true });
        await cp(sub, path.join(dir, sub), { recursive: true });
      }
    }
    await writeFile(path.join(dir, 'loan.policy'), blockAfter(readme, /Write a policy, `loan.policy`/));
    await writeFile(path.join(dir, 'loan.cases.yaml'), blockAfter(readme, /Put decision cases beside the policy/, 'yaml'));
    // The tour's `echo '…' > facts.json`, done as the shell would.
    const echo = /echo '([^']*)' > (\S+)/.exec(tour(readme));
    expect(echo, 'the tour writes facts.json with echo').not.toBeNull();
    await writeFile(path.join(dir, echo![2]!), echo![1]! + '\n');
  });

  it('names the commands this test runs, and no others', () => {
    expect(commands(tour(readme))).toEqual([
      'check loan.policy',
      'eval loan.policy --facts facts.json --as-of 2018-06-30 --explain',
      'test .',
      'fmt --to yaml loan.policy',
    ]);
  });

  it('check loan.policy checks clean', async () => {
    const r = await shell(dir, 'check loan.policy');
    expect(r.out).toMatch(/1 file\(s\) checked: 0 error\(s\), 0 warning\(s\)/);
    expect(r.code).toBe(0);
  });

  it('eval … --explain: amount_cap fires, cites 指南 二, 超出金额 10000.00 元, and the trace shows both sides', async () => {
    const r = await shell(dir, 'eval loan.policy --facts facts.json --as-of 2018-06-30 --explain');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('amount_cap');
    expect(r.out).toMatch(/《甘肃省精准扶贫专项贷款工程操作指南》 二/);
    expect(r.out).toContain('超出金额 = 10000.00 元');
    expect(r.out).toMatch(/贷款金额="60000.00元"/);
    expect(r.out).toMatch(/额度上限="50000.00元"/);
    expect(r.out).toContain('⟨贷款金额 → 60000.00元 ; 额度上限 → 50000.00元⟩');
  });

  it('leaving 贷款金额 out makes the rule undetermined, listing the missing fact', async () => {
    await writeFile(path.join(dir, 'empty.json'), '{}');
    const r = await shell(dir, 'eval loan.policy --facts empty.json --as-of 2018-06-30 --json');
    const decision = JSON.parse(r.out);
    expect(decision.undetermined.map((u: { ruleId: string }) => u.ruleId)).toEqual(['amount_cap']);
    expect(decision.undetermined[0].missingFacts).toContain('贷款金额');
  });

  it('test . passes every case it finds, the tour\'s two among them', async () => {
    const r = await shell(dir, 'test . --verbose');
    expect(r.out).toMatch(/^✓ loan\.cases\.yaml #1 /m);
    expect(r.out).toMatch(/^✓ loan\.cases\.yaml #2 /m);
    expect(r.out).toMatch(/^\d+ passed, 0 failed$/m);
    if (where === 'an empty folder') expect(r.out).toMatch(/^2 passed, 0 failed$/m);
    expect(r.out).not.toContain('fixtures');
    expect(r.code).toBe(0);
  });

  it('fmt --to yaml loan.policy prints the same policy in YAML', async () => {
    const r = await shell(dir, 'fmt --to yaml loan.policy');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^policy: demo\/loan$/m);
    expect(r.out).toMatch(/when: 贷款金额 > 额度上限/);
  });
});
