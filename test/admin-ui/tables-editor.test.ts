/**
 * The grid editor's text side (admin-ui/src/editor/tables.ts) and the editor's notation switch
 * with tables, without a browser: a grid written back changes only the table; pasted TSV and an
 * imported sheet fill the fields in order; overlaps of unique tables are found from literal cells
 * (and only certain ones); DSL ⇄ YAML keeps a table a table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gridsOf, importSheet, overlapDiagnostics, parseDelimited, pasteRows, withGrid } from '../../admin-ui/src/editor/tables.ts';
import { convert, lintPolicy } from '../../admin-ui/src/editor/lint.ts';
import { compileSource } from '../../engine/ir/compile.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/tables');
const unique = readFileSync(join(FIXTURES, 'unique-overlap', 'input.policy'), 'utf8');
const opinion = readFileSync(join(FIXTURES, 'public-opinion', 'input.policy'), 'utf8');

describe('grids of a DSL text', () => {
  it('read cells as written, and writing the grid back unchanged keeps the policy', () => {
    const [g] = gridsOf(opinion);
    expect(g!.columns).toEqual(['转发量', '涉及人数', '涉及领域']);
    expect(g!.rows[1]).toMatchObject({ id: '重大', cells: ['between 10000 inclusive and 100000 exclusive', 'any', 'in ["资金"]'], gives: '"重大"', source: '办法', article: '第五条第二项' });
    expect(g!.rows[0]!.rest).toMatch(/^then accountability severity critical\n\s+message/);
    const back = withGrid(opinion, g!);
    expect(compileSource(back).value).toEqual(compileSource(opinion).value);
    // Only the table's span is rewritten: the text before it is untouched.
    expect(back.slice(0, g!.start)).toBe(opinion.slice(0, g!.start));
  });

  it('paste TSV from the focused field on, adding rows; import a sheet whose headers name the facts', () => {
    const [g] = gridsOf(unique);
    const pasted = pasteRows(g!, 1, 'cell0', '>= 2\t"二"\n>= 3\t"三"\n>= 4\t"四"\n');
    expect(pasted.rows.map((r) => [r.id, r.cells[0], r.gives])).toEqual([
      ['正常', '< 1', '"正常"'],
      ['关注', '>= 2', '"二"'],
      ['不良', '>= 3', '"三"'],
      ['', '>= 4', '"四"'],
    ]);
    const sheet = parseDelimited('行,逾期天数,取值,条款\n正常,< 1,"""正常""",第三条\n"不良, 损失",>= 90,"""不良""",第四条\n');
    expect(sheet[2]).toEqual(['不良, 损失', '>= 90', '"不良"', '第四条']);
    const imported = importSheet(g!, sheet);
    expect(imported.columns).toEqual(['逾期天数']);
    expect(imported.rows.map((r) => [r.id, r.cells, r.gives, r.article])).toEqual([
      ['正常', ['< 1'], '"正常"', '第三条'],
      ['不良, 损失', ['>= 90'], '"不良"', '第四条'],
    ]);
  });

  it('overlaps of hit unique tables: certain ones only, on the later row', () => {
    const ds = overlapDiagnostics(unique);
    expect(ds.map((d) => [d.code, d.message.en, d.range?.start.line])).toEqual([
      ['table.overlap', 'table 分类 is hit unique, but rows 关注 and 不良 can both hold', unique.split('\n').findIndex((l) => l.includes('row 不良')) + 1],
    ]);
    expect(overlapDiagnostics(unique.replace('90 inclusive', '90 exclusive'))).toEqual([]);
    // A cell that is not a literal proves nothing: no warning.
    expect(overlapDiagnostics(unique.replace('>= 90', '>= 逾期天数'))).toEqual([]);
    // The editor's lint shows it beside the compiler's diagnostics.
    expect(lintPolicy(unique, 'dsl').diagnostics.map((d) => d.code)).toEqual(['table.overlap']);
  });

  it('DSL ⇄ YAML in the editor keeps a table a table', () => {
    const yaml = convert(opinion, 'dsl', 'yaml')!;
    expect(yaml).toContain('tables:');
    expect(yaml).not.toContain('rules:\n  - id');
    const dsl = convert(yaml, 'yaml', 'dsl')!;
    expect(dsl).toContain('table 舆情分级 "舆情事件分级"');
    expect(compileSource(dsl).value).toEqual(compileSource(opinion).value);
  });
});
