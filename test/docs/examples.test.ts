/**
 * The small example policies in docs/examples: every one compiles cleanly, every decision case
 * passes, each construct folder has cases, and what the cases runner cannot express (an as-of date
 * outside every version's period) is checked here directly.
 */
import { describe, it, expect } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { collectFiles, CASES_FILE } from '../../engine/cli/files.ts';
import { runCaseFiles } from '../../engine/cli/test.ts';
import { loadLibraries } from '../../engine/cli/library.ts';
import { readCasesFile } from '../../engine/cases/run.ts';
import { checkDecision } from '../../engine/cases/check.ts';
import type { Want } from '../../engine/cases/types.ts';
import { evaluateSync } from '../../engine/index.ts';
import { compilePolicy } from '../../engine/compiled/index.ts';

const ROOT = 'docs/examples';

describe('docs/examples', async () => {
  const casesFiles = await collectFiles([ROOT], CASES_FILE);
  const results = await runCaseFiles(casesFiles, [ROOT]);
  const { library, files } = await loadLibraries([ROOT]);

  it('every construct folder has a policy and decision cases', async () => {
    const folders = (await readdir(ROOT, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.length).toBeGreaterThanOrEqual(11);
    for (const folder of folders) {
      expect(files.some((f) => f.file.includes(`/${folder}/`)), `${folder} has a policy`).toBe(true);
      expect(casesFiles.some((f) => f.includes(`/${folder}/`)), `${folder} has cases`).toBe(true);
    }
  });

  it('every example compiles without errors or warnings', () => {
    expect(files.length).toBeGreaterThanOrEqual(13);
    for (const f of files) expect(f.diagnostics.map((d) => `${f.file} ${d.code}`)).toEqual([]);
  });

  // One test per case, so a failure names the file, the policy and the note.
  it.each(results.map((r) => [`${r.file} #${r.index + 1} [${r.policy}] ${r.note}`, r] as const))('%s', (_name, r) => {
    expect(r.problems).toEqual([]);
  });

  // The runner uses the json-rules-engine path; the small cases are a cheap check that the
  // interpreter and the compiled evaluator answer the same.
  const others: [string, () => string[]][] = [];
  for (const cf of casesFiles) {
    const { file } = readCasesFile(await readFile(cf, 'utf8'));
    const dir = path.dirname(path.resolve(cf));
    const here = [...new Set(files.filter((f) => f.ir && path.dirname(path.resolve(f.file)) === dir).map((f) => f.ir!.id))];
    for (const [i, c] of (file?.cases ?? []).entries()) {
      const id = c.policy ?? file?.policy ?? (here.length === 1 ? here[0] : '?');
      others.push([
        `${cf} #${i + 1} ${c.note}`,
        () => {
          const resolved = library.resolve(id, { asOf: c.asOf }).value;
          if (!resolved) return [`${id} does not resolve on ${c.asOf}`];
          const want = c.want as Want; // the examples' cases files are single-policy
          return [
            ...checkDecision(evaluateSync(resolved, c.facts, { asOf: c.asOf }), want).map((p) => `interpreter: ${p}`),
            ...checkDecision(compilePolicy(resolved).decide(c.facts, { asOf: c.asOf }), want).map((p) => `compiled: ${p}`),
          ];
        },
      ]);
    }
  }
  it('the interpreter and the compiled evaluator run every case too', () => {
    expect(others.length).toBe(results.length);
  });
  it.each(others)('interpreter and compiled: %s', (_name, run) => {
    expect(run()).toEqual([]);
  });

  describe('10-versions: an as-of date outside both periods', () => {
    it.each([
      ['2018-12-31', 'the day before the 2019 version starts'],
      ['2023-01-01', 'the day after the 2021 version ends'],
    ])('%s (%s) is engine.no-version-in-force, with both periods in the hint', (asOf) => {
      const r = library.resolve('example/versions', { asOf });
      expect(r.value).toBeUndefined();
      expect(r.diagnostics.map((d) => d.code)).toEqual(['engine.no-version-in-force']);
      expect(r.diagnostics[0].severity).toBe('error');
      expect(r.diagnostics[0].message.en).toContain(asOf);
      // The hint lists the periods there are, so the reader sees the gap.
      expect(r.diagnostics[0].hint?.en).toContain('2019-01-01 – 2020-12-31');
      expect(r.diagnostics[0].hint?.en).toContain('2021-01-01 – 2022-12-31');
    });

    it.each([
      ['2019-01-01', '2019'],
      ['2020-12-31', '2019'],
      ['2021-01-01', '2021'],
      ['2022-12-31', '2021'],
    ])('on %s version %s is in force', (asOf, version) => {
      expect(library.resolve('example/versions', { asOf }).value?.stamp.version).toBe(version);
    });
  });

  it('11-yaml compiles to the same facts, parameters and rules as its DSL original', () => {
    const dsl = library.versions('example/dated-parameters')[0];
    const yaml = library.versions('example/dated-parameters-yaml')[0];
    expect(dsl && yaml).toBeTruthy();
    const pick = (ir: typeof dsl) => JSON.parse(JSON.stringify({ facts: ir.facts, parameters: ir.parameters, rules: ir.rules }));
    expect(pick(yaml)).toEqual(pick(dsl));
  });
});
