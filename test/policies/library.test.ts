/**
 * The shipped policy library: every policy compiles, every decision case passes, and the
 * catalogue in docs/policies.md is current.
 */
import { describe, it, expect } from 'vitest';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFiles, CASES_FILE } from '../../engine/cli/files.ts';
import { runCaseFiles } from '../../engine/cli/test.ts';
import { renderCatalog } from '../../engine/cli/catalog.ts';

describe('policy library', async () => {
  const casesFiles = await collectFiles(['policies'], CASES_FILE);
  const results = await runCaseFiles(casesFiles, ['policies']);

  it('has decision cases', () => {
    expect(casesFiles.length).toBeGreaterThan(0);
    expect(results.length).toBeGreaterThan(0);
  });

  // One test per case, so a failure names the file, the policy and the note.
  it.each(results.map((r) => [`${r.file} #${r.index + 1} [${r.policy}] ${r.note}`, r] as const))('%s', (_name, r) => {
    expect(r.problems).toEqual([]);
  });

  it('docs/policies.md is current (npm run tiaowen -- catalog)', async () => {
    expect(await readFile('docs/policies.md', 'utf8')).toBe(await renderCatalog('policies'));
  });

  it('the catalogue reports what the cases cover: one case that fires one rule of three', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tiaowen-catalog-'));
    try {
      await cp('policies/central/responsibility/responsibility.policy', join(dir, 'responsibility.policy'));
      await writeFile(join(dir, 'responsibility.cases.yaml'), [
        'policy: central/responsibility',
        'cases:',
        '  - note: 表彰',
        '    asOf: 2017-03-31',
        '    facts: { 对象类别: 单位, 层级: 县, 年度: 2016, 责任落实到位: true, 工作成效显著: true, 不负责任: false, 造成不良影响: false }',
        '    want:',
        '      fired: [commend_effective_work]',
        '',
      ].join('\n'));
      const row = (await renderCatalog(dir)).split('\n').find((l) => l.includes('central/responsibility'))!;
      const cells = row.split('|').map((c) => c.trim());
      expect(cells.slice(-4, -1)).toEqual(['1', '1/3', expect.stringMatching(/^\d+%$/)]);
      expect(Number(cells.at(-2)!.replace('%', ''))).toBeLessThan(100);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
