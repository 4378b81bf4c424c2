/**
 * The classic checks of a decision table, by the analysis that knows only rules: overlapping rows
 * of a `hit unique` table (with a replayed counterexample, on the row's line), a gap in a table
 * declared complete, a row no fact set reaches in a `hit first` table; and no false alarm for the
 * rows of a `collect` table, which compute one output together by design.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileSource } from '../../../engine/index.ts';
import { analyzePolicy, shutdownSolver } from '../../../engine/analysis/index.ts';

afterAll(async () => {
  await shutdownSolver();
});

const ROOT = join(import.meta.dirname, '../../fixtures/tables');

async function findings(text: string) {
  const r = compileSource(text, { file: 't.policy' });
  expect(r.diagnostics).toEqual([]);
  return analyzePolicy(r.value!, { source: { text, file: 't.policy' } });
}

const uniqueText = readFileSync(join(ROOT, 'unique-overlap', 'input.policy'), 'utf8');

describe('decision tables in the analysis', () => {
  it('hit unique: rows that can both hold are reported, with facts on which they do, on the later row', async () => {
    const fs = await findings(uniqueText);
    const overlaps = fs.filter((f) => f.code === 'analysis.table-overlap');
    expect(overlaps.map((f) => f.rules)).toEqual([['分类.关注', '分类.不良']]);
    const [o] = overlaps;
    expect(o!.message.en).toBe('table 分类 is hit unique, but rows 关注 and 不良 can both hold');
    expect(o!.counterexample?.facts).toEqual({ 逾期天数: 90 });
    expect(o!.range?.start.line).toBe(uniqueText.split('\n').findIndex((l) => l.includes('row 不良')) + 1);
  });

  it('hit unique: disjoint rows are not reported', async () => {
    const fixed = uniqueText.replace('between 1 inclusive and 90 inclusive', 'between 1 inclusive and 90 exclusive');
    const fs = await findings(fixed);
    expect(fs.filter((f) => f.code === 'analysis.table-overlap')).toEqual([]);
  });

  it('complete: a table whose rows leave values undecided has a gap', async () => {
    const text = uniqueText.replace('  row 正常: < 1 gives "正常"', '  row 正常: < 0 gives "正常"').replace(/\n$/, '\n  complete because "每笔贷款都须分类"\n');
    const gaps = (await findings(text)).filter((f) => f.code === 'analysis.gap');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.counterexample?.facts).toEqual({ 逾期天数: 0 });
    // The table as written covers every value.
    const none = (await findings(uniqueText.replace(/\n$/, '\n  complete because "每笔贷款都须分类"\n'))).filter((f) => f.code === 'analysis.gap');
    expect(none).toEqual([]);
  });

  it('hit first: a row after a catch-all row can never fire', async () => {
    const text = uniqueText.replace('hit unique', 'hit first').replace('  row 正常: < 1 gives "正常"', '  row 全部: any gives "全部"\n    cites 办法 "第三条"\n  row 正常: < 1 gives "正常"');
    const dead = (await findings(text)).filter((f) => f.code === 'analysis.unsatisfiable-condition').map((f) => f.rules);
    expect(dead).toEqual([['分类.正常'], ['分类.关注'], ['分类.不良']]);
  });

  it('collect: rows computing the total together are no conflict', async () => {
    const fs = await findings(readFileSync(join(ROOT, 'deductions', 'input.policy'), 'utf8'));
    expect(fs.filter((f) => f.code === 'analysis.conflicting-computation')).toEqual([]);
  });
});
