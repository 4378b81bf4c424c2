/**
 * Deep input through every language command: "the input has errors" (exit 1) with the
 * `*.too-deep` diagnostic, never a stack trace or exit 4; and the installed entry point too.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../../server/cli/main.ts';
import { EXIT } from '../../../engine/cli/command.ts';

const policy = (when: string) => `policy "demo/x"
  title "x"
  jurisdiction demo
  version "1"
  effective from 2015-06-01
  source 指南 "指南"

facts
  a "a": boolean

rule r "r"
  cites 指南 "一"
  when ${when}
  then notice
    message "m"
`;

const STACK_LINE = /^\s+at /m;
const DEEP = '('.repeat(10_000) + 'a' + ')'.repeat(10_000);

async function files() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tiaowen-deep-'));
  const deep = path.join(dir, 'x.policy');
  await writeFile(deep, policy(DEEP));
  const ok = path.join(await mkdtemp(path.join(os.tmpdir(), 'tiaowen-ok-')), 'ok.policy');
  await writeFile(ok, policy('a'));
  await writeFile(path.join(dir, 'x.cases.yaml'), 'cases:\n  - { note: n, asOf: 2018-06-30, facts: { a: true }, want: { fired: [r] } }\n');
  const yaml = path.join(dir, 'y.policy.yaml');
  await writeFile(yaml, `policy: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`);
  return { dir, deep, ok, yaml };
}

describe('deep input on the command line', () => {
  it.each([
    ['check', (f: Awaited<ReturnType<typeof files>>) => ['check', f.deep], 'dsl.too-deep'],
    ['check (YAML)', (f: Awaited<ReturnType<typeof files>>) => ['check', f.yaml], 'yaml.too-deep'],
    ['fmt', (f: Awaited<ReturnType<typeof files>>) => ['fmt', f.deep], 'dsl.too-deep'],
    ['eval', (f: Awaited<ReturnType<typeof files>>) => ['eval', f.deep, '--facts', '-', '--as-of', '2018-06-30'], 'dsl.too-deep'],
    ['eval (deep facts)', (f: Awaited<ReturnType<typeof files>>) => ['eval', f.ok, '--facts', '-', '--as-of', '2018-06-30'], 'facts nested more than'],
    ['diff', (f: Awaited<ReturnType<typeof files>>) => ['diff', f.deep, f.deep], 'dsl.too-deep'],
    ['sql', (f: Awaited<ReturnType<typeof files>>) => ['sql', f.deep], 'dsl.too-deep'],
    ['test', (f: Awaited<ReturnType<typeof files>>) => ['test', f.dir], 'dsl.too-deep'],
  ])('%s: exit 1 with the diagnostic, no stack', async (_name, argv, code) => {
    const f = await files();
    let out = '';
    const io = { out: (s: string) => (out += s + '\n'), err: (s: string) => (out += s + '\n'), stdin: async () => `{"a": ${'['.repeat(10_000)}${']'.repeat(10_000)}}` };
    const exit = await main(argv(f), io);
    expect(out).toContain(code);
    expect(exit).toBe(EXIT.failed);
    expect(out).not.toMatch(STACK_LINE);
    expect(out).not.toMatch(/internal error|Maximum call stack/);
  });

  it('bin/tiaowen.js check: exit 1, the diagnostic, no stack', async () => {
    const f = await files();
    const bin = path.join(import.meta.dirname, '../../../bin/tiaowen.js');
    const r = await new Promise<{ code: number | null; out: string }>((resolve) =>
      execFile(process.execPath, [bin, 'check', f.deep], (err, stdout, stderr) => resolve({ code: err ? (err as { code?: number }).code ?? null : 0, out: stdout + stderr })),
    );
    expect(r.out).toContain('dsl.too-deep');
    expect(r.code).toBe(1);
    expect(r.out).not.toMatch(STACK_LINE);
  });
});
