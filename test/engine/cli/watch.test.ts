/**
 * `tiaowen test --watch` runs the cases, then again after a policy or cases file changes, and
 * stops when told to (io.signal; Ctrl-C in a terminal). No timing assertions: the test waits for
 * output, with the suite's generous timeout as the only limit.
 */
import { describe, it, expect } from 'vitest';
import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../../server/cli/main.ts';

const POLICY = (cap: string) => `policy "demo/loan"
  title "额度"
  jurisdiction demo
  version "1"
  effective from 2015-06-01
  source 指南 "指南"

facts
  贷款金额 "贷款金额": money

parameter 额度上限 "单户贷款上限": money
  ${cap} from 2015-06-01 cites 指南 "二"

rule amount_cap "超过上限"
  cites 指南 "二"
  when 贷款金额 > 额度上限
  then ineligible
    message "超过上限"
`;

const CASES = `cases:
  - note: 六万元超过五万元上限
    asOf: 2018-06-30
    facts: { 贷款金额: 60000 }
    want: { fired: [amount_cap] }
`;

/** Resolves once `predicate` holds for the output so far; checked on every write. */
function waitFor(out: () => string, predicate: (s: string) => boolean, listeners: (() => void)[]): Promise<void> {
  return new Promise((resolve) => {
    const check = () => predicate(out()) && resolve();
    listeners.push(check);
    check();
  });
}

/** Does `act` now and again every half second until `done` settles. */
async function until(act: () => Promise<void>, done: Promise<void>): Promise<void> {
  let settled = false;
  void done.then(() => (settled = true));
  while (!settled) {
    await act();
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 500))]);
  }
}

describe('tiaowen test --watch', () => {
  it('runs, runs again when a policy changes, ignores other files, and stops on the signal', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tiaowen-watch-'));
    await mkdir(path.join(dir, 'loan'));
    const policyFile = path.join(dir, 'loan/loan.policy');
    await writeFile(policyFile, POLICY('5万元'));
    await writeFile(path.join(dir, 'loan/loan.cases.yaml'), CASES);

    let out = '';
    let err = '';
    const listeners: (() => void)[] = [];
    const notify = () => listeners.forEach((l) => l());
    const controller = new AbortController();
    const running = main(['test', dir, '--watch'], {
      out: (s) => ((out += s + '\n'), notify()),
      err: (s) => ((err += s + '\n'), notify()),
      signal: controller.signal,
    });

    await waitFor(() => err, (s) => s.includes('watching'), listeners);
    expect(out).toMatch(/^1 passed, 0 failed$/m);

    // A file that is neither a policy nor cases does not start a run.
    await writeFile(path.join(dir, 'loan/notes.txt'), 'not a policy');
    // Raising the cap to 10万元 makes the case fail: the rerun must see the new text. The write is
    // repeated until a run sees it, since a watcher may still be settling on a busy machine.
    await until(() => writeFile(policyFile, POLICY('10万元')), waitFor(() => out, (s) => /^0 passed, 1 failed$/m.test(s), listeners));
    expect(out).toMatch(/loan\.policy 已修改,重新运行 \/ changed, running again/);
    expect(out).not.toContain('notes.txt');

    // Changing it back passes again.
    const mark = out.length;
    await until(() => writeFile(policyFile, POLICY('5万元')), waitFor(() => out.slice(mark), (s) => /^1 passed, 0 failed$/m.test(s), listeners));

    controller.abort();
    expect(await running).toBe(0);
  });

  it('says in --help that it watches', async () => {
    let out = '';
    await main(['test', '--help'], { out: (s) => (out += s), err: () => {} });
    expect(out).toContain('--watch');
  });
});
