/**
 * Decision tables and scorecards in the language: golden formatter output (en, zh) and IR for each
 * folder of test/fixtures/tables/, golden diagnostics (parsing and lowering) for `_error_/`, YAML
 * round trips of the fixtures, and random tables through the printers (fast-check).
 * `UPDATE_GOLDEN=1` rewrites the expected files; review the diff.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPolicy, parsePolicy, parsePolicySource, parseYamlPolicy, policyToYaml, renderDiagnostics, type PolicyAst } from '../../dsl/index.ts';
import { compileSource } from '../../engine/ir/compile.ts';
import { validateIr } from '../../engine/ir/validate.ts';
import { stripLoc, stripLocAndComments, tablePolicyArb } from './arbitraries.ts';

const ROOT = join(import.meta.dirname, '../fixtures/tables');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function golden(path: string, actual: string): void {
  if (UPDATE || !existsSync(path)) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

const cases = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
  .map((d) => d.name)
  .sort();

describe('table fixtures', () => {
  it('cover every hit policy and a scorecard', () => {
    expect(cases).toEqual(expect.arrayContaining(['public-opinion', 'deductions', 'unique-overlap', 'scorecard']));
  });

  it.each(cases)('%s: formats in both keyword languages, idempotently', (name) => {
    const source = readFileSync(join(ROOT, name, 'input.policy'), 'utf8');
    const parsed = parsePolicy(source, { file: 'input.policy' });
    expect(parsed.diagnostics).toEqual([]);
    for (const lang of ['en', 'zh'] as const) {
      const out = formatPolicy(parsed.value!, { lang });
      golden(join(ROOT, name, lang === 'en' ? 'expected.policy' : 'expected.zh.policy'), out);
      const again = parsePolicy(out);
      expect(again.diagnostics).toEqual([]);
      expect(formatPolicy(again.value!, { lang })).toBe(out);
      expect(stripLoc(again.value!)).toEqual(stripLoc(parsed.value!));
    }
  });

  it.each(cases)('%s: compiles to the golden IR, valid against schema.json', (name) => {
    const r = compileSource(readFileSync(join(ROOT, name, 'input.policy'), 'utf8'), { file: 'input.policy' });
    expect(r.diagnostics).toEqual([]);
    const text = JSON.stringify(r.value, null, 2) + '\n';
    golden(join(ROOT, name, 'ir.json'), text);
    expect(validateIr(r.value).diagnostics).toEqual([]);
    // Every rule of a table keeps where it was written.
    for (const rule of r.value!.rules) expect(rule.from?.table).toBeDefined();
  });

  it.each(cases)('%s: YAML form gives the same tree and the same IR', (name) => {
    const source = readFileSync(join(ROOT, name, 'input.policy'), 'utf8');
    const ast = parsePolicy(source).value!;
    const yaml = policyToYaml(ast);
    const back = parseYamlPolicy(yaml);
    expect(back.diagnostics).toEqual([]);
    expect(stripLocAndComments(back.value!)).toEqual(stripLocAndComments(ast));
    expect(compileSource(yaml, { format: 'yaml' }).value).toEqual(compileSource(source).value);
  });
});

describe('golden table diagnostics', () => {
  const names = readdirSync(join(ROOT, '_error_')).sort();
  it.each(names)('%s', (name) => {
    const dir = join(ROOT, '_error_', name);
    const file = readdirSync(dir).find((f) => f.startsWith('input.'))!;
    const source = readFileSync(join(dir, file), 'utf8');
    const parsed = parsePolicySource(source, { file });
    // Parse errors when the text does not parse; otherwise what lowering finds.
    const diagnostics = parsed.diagnostics.length > 0 ? parsed.diagnostics : compileSource(source, { file }).diagnostics;
    expect(diagnostics.length).toBeGreaterThan(0);
    golden(join(dir, 'expected.txt'), renderDiagnostics(diagnostics, source, { lang: 'both' }));
  });
});

describe('random tables and scorecards', () => {
  const RUNS = Number(process.env.DSL_RUNS ?? 60);
  const same = (a: PolicyAst, b: PolicyAst) => expect(stripLocAndComments(b)).toEqual(stripLocAndComments(a));

  it('DSL (en and zh) → parse gives the tree back', () => {
    fc.assert(
      fc.property(tablePolicyArb, (ast) => {
        for (const lang of ['en', 'zh'] as const) {
          const text = formatPolicy(ast, { lang });
          const r = parsePolicy(text);
          expect(r.diagnostics, text).toEqual([]);
          same(ast, r.value!);
          expect(formatPolicy(r.value!, { lang })).toBe(text);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('YAML ↔ DSL: the YAML form gives the tree back', () => {
    fc.assert(
      fc.property(tablePolicyArb, (ast) => {
        const yaml = policyToYaml(ast);
        const r = parseYamlPolicy(yaml);
        expect(r.diagnostics, yaml).toEqual([]);
        same(ast, r.value!);
        expect(formatPolicy(r.value!)).toBe(formatPolicy(stripLocAndComments(ast)));
      }),
      { numRuns: RUNS },
    );
  });
});
