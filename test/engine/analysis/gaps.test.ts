/** Gaps: records where none of the named rules fires, every fact they read known; replayed. */
import { afterAll, describe, expect, it } from 'vitest';
import { compileSource, evaluateSync, PolicyLibrary } from '../../../engine/index.ts';
import { findGap, shutdownSolver } from '../../../engine/analysis/index.ts';

afterAll(async () => {
  await shutdownSolver();
});

const policy = (lo: string, hi: string) => `policy "t/gap"
  title "缺口"
  jurisdiction t
  version "1"
  effective from 2020-01-01
  source 文 "文件"

facts
  年龄 "年龄": integer
  残疾 "残疾": boolean

rule adult "成年"
  cites 文 "一"
  when 年龄 >= ${hi} or 残疾
  then eligible
    message "符合"

rule minor "未成年"
  cites 文 "一"
  when 年龄 < ${lo} and not 残疾
  then ineligible
    message "不符合"
`;

describe('gaps', () => {
  it.each([
    { note: '16 and 17 year olds without a disability are decided by neither rule', lo: '16', hi: '18', gap: true },
    { note: 'complementary conditions leave no gap (with every fact known)', lo: '18', hi: '18', gap: false },
  ])('$note', async ({ lo, hi, gap }) => {
    const ir = compileSource(policy(lo, hi), { file: 'g.policy' }).value!;
    const r = await findGap(ir, ['adult', 'minor']);
    if (!gap) return expect(r).toEqual({ status: 'complete' });
    expect(r.status).toBe('gap');
    const c = (r as { counterexample: { asOf: string; facts: Record<string, unknown> } }).counterexample;
    expect(c.facts['年龄']).toBeGreaterThanOrEqual(16);
    expect(c.facts['年龄']).toBeLessThan(18);
    expect(c.facts['残疾']).toBe(false);
    const lib = new PolicyLibrary();
    lib.add(ir);
    const d = evaluateSync(lib.resolve('t/gap', { asOf: c.asOf }).value!, c.facts, { asOf: c.asOf });
    expect(d.outcomes).toEqual([]);
    expect(d.undetermined).toEqual([]);
  });
});
