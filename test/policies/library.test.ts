/**
 * The shipped policy library: every policy compiles, every decision case passes, and the
 * catalogue in docs/policies.md is current.
 */
import { describe, it, expect } from 'vitest';
import { readFile } from 'node:fs/promises';
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
});
