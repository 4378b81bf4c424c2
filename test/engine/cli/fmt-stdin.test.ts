/**
 * `fmt` keeps the keyword language a file is written in, `--check` does what its help says,
 * `--lang` is never silently ignored, and `check -` / `fmt -` / `eval --facts -` read standard input.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../../server/cli/main.ts';

async function run(argv: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: (s: string) => (out += s + '\n'), err: (s: string) => (err += s + '\n'), ...(stdin === undefined ? {} : { stdin: async () => stdin }) };
  const code = await main(argv, io);
  return { code, out, err };
}

const ZH = `政策 "demo/loan"
  标题 "专项贷款额度"
  辖区 demo
  版本 "1"
  生效 自 2015-06-01
  来源 指南 "指南"

事实
  贷款金额 "贷款金额": 金额

规则 amount_cap "单户贷款不超过5万元(含)"
  引用 指南 "二"
  当 贷款金额 > 5万元
  则 不符合 严重程度 一般
    提示 "超过上限"
`;

let dir: string;
let zhFile: string;
let enFile: string;
let yamlFile: string;
let messy: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tiaowen-fmt-'));
  zhFile = path.join(dir, 'zh.policy');
  await writeFile(zhFile, ZH);
  enFile = path.join(dir, 'en.policy');
  const en = await run(['fmt', '--lang', 'en', zhFile]);
  expect(en.code).toBe(0);
  await writeFile(enFile, en.out);
  yamlFile = path.join(dir, 'loan.policy.yaml');
  await writeFile(yamlFile, (await run(['fmt', '--to', 'yaml', zhFile])).out);
  messy = path.join(dir, 'messy.policy');
  await writeFile(messy, ZH.replace('当 贷款金额 > 5万元', '当   贷款金额>5万元'));
});

describe('fmt keeps the keyword language', () => {
  it.each([
    ['a Chinese-keyword file stays Chinese', () => zhFile, [] as string[], /^政策 "demo\/loan"$/m, /^policy /m],
    ['an English-keyword file stays English', () => enFile, [], /^policy "demo\/loan"$/m, /^政策 /m],
    ['--lang en turns Chinese keywords into English', () => zhFile, ['--lang', 'en'], /^rule amount_cap/m, /^规则 /m],
    ['--lang zh turns English keywords into Chinese', () => enFile, ['--lang', 'zh'], /^规则 amount_cap/m, /^rule /m],
    ['YAML input with --to dsl --lang zh is printed with Chinese keywords', () => yamlFile, ['--to', 'dsl', '--lang', 'zh'], /^  当 贷款金额 > 5万元$/m, /^  when /m],
  ])('%s', async (_name, file, opts, want, notWant) => {
    const r = await run(['fmt', ...opts, file()]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(want);
    expect(r.out).not.toMatch(notWant);
  });

  it('a canonical Chinese-keyword file passes --check (it used to be compared with English output)', async () => {
    expect(await run(['fmt', '--check', zhFile])).toEqual({ code: 0, out: '', err: '' });
  });

  it('--check prints nothing on standard output, names the file that is not canonical on standard error, exits 1', async () => {
    const r = await run(['fmt', '--check', zhFile, messy]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain('messy.policy: not in canonical form');
    expect(r.err).not.toContain('zh.policy');
  });

  it('--lang with YAML output is a usage error (2), not ignored, and writes nothing', async () => {
    const before = await readFile(yamlFile, 'utf8');
    const r = await run(['fmt', '--lang', 'zh', '--write', yamlFile]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--lang sets the keywords of DSL output/);
    expect(await readFile(yamlFile, 'utf8')).toBe(before);
    expect((await run(['fmt', '--to', 'yaml', '--lang', 'en', zhFile])).code).toBe(2);
  });

  it('formatted output written to a file is canonical (no extra blank line at the end)', async () => {
    const out = path.join(dir, 'out.policy');
    await writeFile(out, (await run(['fmt', messy])).out);
    expect((await run(['fmt', '--check', out])).code).toBe(0);
  });
});

describe('standard input', () => {
  it('fmt - formats the policy read from standard input, DSL or YAML', async () => {
    const dsl = await run(['fmt', '-'], ZH.replace('当 贷款金额 > 5万元', '当   贷款金额>5万元'));
    expect(dsl.code).toBe(0);
    expect(dsl.out).toBe(ZH);
    const yaml = await run(['fmt', '-', '--to', 'dsl'], await readFile(yamlFile, 'utf8'));
    expect(yaml.code).toBe(0);
    expect(yaml.out).toMatch(/^policy "demo\/loan"$/m);
  });

  it('check - reports diagnostics against <stdin>, and exits 1 on errors', async () => {
    const good = await run(['check', '-'], ZH);
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/1 file\(s\) checked: 0 error/);
    const bad = await run(['check', '-'], ZH.replace('则 不符合', '不符合'));
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/<stdin>:\d+:\d+/);
    const ir = await run(['check', '--dump', 'ir', '-'], await readFile(yamlFile, 'utf8'));
    expect(JSON.parse(ir.out).id).toBe('demo/loan');
  });

  it('fmt --write - is a usage error', async () => {
    expect((await run(['fmt', '--write', '-'], ZH)).code).toBe(2);
  });

  it('eval --facts - reads the facts from standard input', async () => {
    const r = await run(['eval', zhFile, '--facts', '-', '--as-of', '2018-06-30', '--json'], '{"贷款金额": 60000}');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).outcomes.map((o: { ruleId: string }) => o.ruleId)).toEqual(['amount_cap']);
  });
});
