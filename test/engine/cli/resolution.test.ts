/**
 * Which policy a command judges and where `extends` finds bases (issue #17): a file named on the
 * command line is the policy evaluated; bases come from `--policies DIR`, by default `./policies`
 * when it exists; a directory walk skips node_modules, test/fixtures and `_error_` folders.
 */
import { describe, it, expect, beforeAll, afterEach } from 'vitest';
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

/** Runs as `npm run tiaowen -- …` typed in `dir` does: npm starts the script in the package root. */
async function runIn(dir: string, ...argv: string[]) {
  process.env.npm_lifecycle_event = 'tiaowen';
  process.env.INIT_CWD = dir;
  return run(...argv);
}
const saved = { event: process.env.npm_lifecycle_event, init: process.env.INIT_CWD };
afterEach(() => {
  for (const [k, v] of [['npm_lifecycle_event', saved.event], ['INIT_CWD', saved.init]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const policy = (cap: string, extra = '') => `policy "demo/loan"
  title "专项贷款额度"
  jurisdiction demo
  version "1"
  effective from 2015-06-01
  source 指南 "指南"
${extra}
facts
  贷款金额 "贷款金额": money

parameter 额度上限 "单户贷款上限": money
  ${cap} from 2015-06-01 cites 指南 "二"

rule amount_cap "单户贷款不超过上限"
  cites 指南 "二"
  when 贷款金额 > 额度上限
  then ineligible severity medium
    message "超过上限"
`;

const VARIANT = `policy "demo/county"
  title "县级办法"
  jurisdiction demo
  version "1"
  effective from 2015-06-01
  extends "demo/loan"
  source 县 "县办法"

parameter 额度上限 "单户贷款上限": money
  3万元 from 2015-06-01 cites 县 "一"
`;

const CASES = (policyId: string, fired: string) => `policy: ${policyId}
cases:
  - note: 四万元
    asOf: 2018-06-30
    facts: { 贷款金额: 40000 }
    want: { fired: [${fired}] }
`;

let root: string;
let elsewhere: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'tiaowen-resolve-'));
  // A repository-like root: a library in policies/, a fixture with the same id, the tour's file.
  await mkdir(path.join(root, 'policies/demo/loan'), { recursive: true });
  await writeFile(path.join(root, 'policies/demo/loan/loan.policy'), policy('5万元'));
  await mkdir(path.join(root, 'test/fixtures/demo'), { recursive: true });
  await writeFile(path.join(root, 'test/fixtures/demo/loan.policy'), policy('1元'));
  await writeFile(path.join(root, 'test/fixtures/demo/loan.cases.yaml'), CASES('demo/loan', 'amount_cap'));
  await mkdir(path.join(root, 'cases/_error_/broken'), { recursive: true });
  await writeFile(path.join(root, 'cases/_error_/broken/broken.policy'), 'policy "demo/broken"\n  nonsense\n');
  await mkdir(path.join(root, 'node_modules/dep'), { recursive: true });
  await writeFile(path.join(root, 'node_modules/dep/x.cases.yaml'), 'not: cases\n');
  await writeFile(path.join(root, 'loan.policy'), policy('3万元'));
  await writeFile(path.join(root, 'loan.cases.yaml'), CASES('demo/loan', 'amount_cap'));
  await writeFile(path.join(root, 'policies/demo/loan/loan.cases.yaml'), CASES('demo/loan', ''));
  await writeFile(path.join(root, 'facts.json'), JSON.stringify({ 贷款金额: 40000 }));
  // A base and a variant outside any folder named policies/.
  elsewhere = await mkdtemp(path.join(os.tmpdir(), 'tiaowen-elsewhere-'));
  await mkdir(path.join(elsewhere, 'base'), { recursive: true });
  await mkdir(path.join(elsewhere, 'county'), { recursive: true });
  await writeFile(path.join(elsewhere, 'base/loan.policy'), policy('5万元'));
  await writeFile(path.join(elsewhere, 'county/county.policy'), VARIANT);
  await writeFile(path.join(elsewhere, 'county/county.cases.yaml'), CASES('demo/county', 'amount_cap'));
  await writeFile(path.join(root, 'facts.json'), JSON.stringify({ 贷款金额: 40000 }));
});

const fired = (out: string) => (JSON.parse(out) as { outcomes: { ruleId: string }[] }).outcomes.map((o) => o.ruleId);

describe('eval judges the file it is given', () => {
  it('a named file wins over the library and the fixtures holding the same id and version', async () => {
    // The library's cap (5万元) would not fire on 40000; the named file's (3万元) does.
    const r = await runIn(root, 'eval', 'loan.policy', '--facts', 'facts.json', '--as-of', '2018-06-30', '--json');
    expect(r.err).toBe('');
    expect(fired(r.out)).toEqual(['amount_cap']);
    const lib = await runIn(root, 'eval', 'demo/loan', '--facts', 'facts.json', '--as-of', '2018-06-30', '--json');
    expect(fired(lib.out)).toEqual([]);
  });

  it('a named file outside its period is not judged', async () => {
    const r = await runIn(root, 'eval', 'loan.policy', '--facts', 'facts.json', '--as-of', '2010-01-01');
    expect(r.code).toBe(1);
    expect(r.err).toContain('engine.no-version-in-force');
  });

  it('a policy id without a library is a usage error; a --policies folder that does not exist an I/O error', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'tiaowen-empty-'));
    expect((await runIn(empty, 'eval', 'demo/loan', '--facts', path.join(root, 'facts.json'))).code).toBe(2);
    expect((await runIn(root, 'eval', 'loan.policy', '--facts', 'facts.json', '--policies', 'nowhere')).code).toBe(3);
  });
});

describe('extends outside a folder named policies/', () => {
  const variant = () => path.join(elsewhere, 'county/county.policy');

  it('check, eval and test resolve the base with --policies', async () => {
    const base = path.join(elsewhere, 'base');
    expect((await run('check', variant(), '--policies', base)).code).toBe(0);
    const e = await run('eval', variant(), '--policies', base, '--facts', path.join(root, 'facts.json'), '--as-of', '2018-06-30', '--json');
    expect(fired(e.out)).toEqual(['amount_cap']);
    const t = await run('test', path.join(elsewhere, 'county'), '--policies', base);
    expect(t.out).toMatch(/^1 passed, 0 failed$/m);
  });

  it('a base named beside the variant needs no --policies', async () => {
    const r = await run('check', elsewhere);
    expect(r.out).toMatch(/0 error/);
    expect((await run('test', elsewhere)).out).toMatch(/^1 passed, 0 failed$/m);
  });

  it('without a library that holds the base, check says the base cannot be found', async () => {
    const r = await run('check', variant());
    expect(r.code).toBe(1);
    expect(r.out).toContain('ir.unreachable-extends');
    expect(r.out).toContain('demo/loan');
    // …and where it looked, and how to point it elsewhere.
    expect(r.err).toMatch(/name the base's file too, or give --policies <dir>/);
    const e = await run('eval', variant(), '--facts', path.join(root, 'facts.json'), '--as-of', '2018-06-30');
    expect(e.code).toBe(1);
    expect(e.err).toMatch(/--policies <dir>/);
  });
});

describe('what a directory walk includes', () => {
  it('test . in a repository-like root skips test/fixtures, _error_ folders and node_modules', async () => {
    // The fixture's case would fail (its cap is 1元), the _error_ policy does not compile and the
    // node_modules cases file is not a cases file: none of them is read.
    const r = await runIn(root, 'test', '.', '--verbose');
    expect(r.out).not.toMatch(/fixtures|_error_|node_modules/);
    // ./loan.cases.yaml is judged by the named ./loan.policy (3万元), policies/ by its own (5万元):
    // both are demo/loan@1, and the walk reports the clash rather than hide it.
    expect(r.out).toMatch(/^2 passed, 0 failed$/m);
    expect(r.code).toBe(0);
  });

  it('check . compiles the same files, and a folder named on the command line is always read', async () => {
    const r = await runIn(root, 'check', '.', '--json');
    const files = (JSON.parse(r.out) as { file: string }[]).map((f) => f.file);
    expect(files).toEqual(['loan.policy', 'policies/demo/loan/loan.policy']);
    const fixtures = await runIn(root, 'check', 'test/fixtures', '--json');
    expect((JSON.parse(fixtures.out) as { file: string }[]).map((f) => f.file)).toEqual(['test/fixtures/demo/loan.policy']);
  });
});
