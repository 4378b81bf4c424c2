/**
 * An internal error is exit code 4 with one line on standard error, never a stack trace, from
 * every language command and from the `tiaowen` entry point; every --help states the codes.
 */
import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../../server/cli/main.ts';
import { EXIT } from '../../../engine/cli/command.ts';

const POLICY = `policy "demo/x"
  title "x"
  jurisdiction demo
  version "1"
  effective from 2015-06-01
  source 指南 "指南"

facts
  a "a": boolean

rule r "r"
  cites 指南 "一"
  when a
  then notice
    message "m"
`;

const STACK_LINE = /^\s+at /m;

describe('exit code 4: internal error', () => {
  it.each([
    ['check', (f: string) => ['check', f]],
    ['fmt', (f: string) => ['fmt', f]],
    ['eval', (f: string) => ['eval', f, '--facts', '-', '--as-of', '2018-06-30']],
    ['test', (f: string) => ['test', path.dirname(f)]],
    ['catalog', (f: string) => ['catalog', '--policies', path.dirname(f), '--out', '-']],
  ])('%s answers an exception with 4 and one line, no stack', async (_name, argv) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tiaowen-exit-'));
    const file = path.join(dir, 'x.policy');
    await writeFile(file, POLICY);
    await writeFile(path.join(dir, 'x.cases.yaml'), 'cases:\n  - { note: n, asOf: 2018-06-30, facts: {}, want: { fired: [] } }\n');
    let err = '';
    // Writing the result fails: a stand-in for any bug the command does not expect.
    const io = { out: () => { throw new TypeError('out is broken'); }, err: (s: string) => (err += s + '\n'), stdin: async () => '{}' };
    const code = await main(argv(file), io);
    expect(code).toBe(EXIT.internal);
    expect(code).toBe(4);
    expect(err).toMatch(/internal error \(please report it\): TypeError: out is broken/);
    expect(err).not.toMatch(STACK_LINE);
  });

  it.each(['check', 'fmt', 'eval', 'test', 'catalog'])('%s --help states exit code 4', async (name) => {
    let out = '';
    await main([name, '--help'], { out: (s) => (out += s), err: () => {} });
    expect(out).toMatch(/4 internal error/);
  });

  it('the tiaowen entry point prints one line and exits 4 when the dispatcher throws', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tiaowen-exit-'));
    const preload = path.join(dir, 'break-stdout.mjs');
    await writeFile(preload, "process.stdout.write = () => { throw new Error('stdout is broken'); };\n");
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['--import', 'tsx', '--import', preload, 'server/cli/main.ts', '--version'], (_e, _out, stderr) =>
        resolve({ code: child.exitCode, stderr }),
      );
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/internal error \(please report it\): stdout is broken/);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});
