/**
 * Golden IR: each folder of test/fixtures/ir/ holds `input.policy` (and, for variants,
 * `base.policy`, handed to resolveBase) and the expected `ir.json`. `UPDATE_GOLDEN=1` rewrites
 * the expected files after a deliberate change; review the diff before committing it.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../../engine/ir/compile.ts';
import { validateIr } from '../../../engine/ir/validate.ts';
import { policyHash } from '../../../engine/ir/hash.ts';
import type { PolicyIR } from '../../../engine/ir/types.ts';
import { renderDiagnostic } from '../../../dsl/index.ts';
import { printPolicy } from '../../../engine/ir/print.ts';

const ROOT = join(import.meta.dirname, '../../fixtures/ir');
const cases = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
  .map((d) => d.name)
  .sort();

function compileCase(name: string): { ir?: PolicyIR; base?: PolicyIR; diagnostics: unknown[] } {
  const dir = join(ROOT, name);
  let base: PolicyIR | undefined;
  if (existsSync(join(dir, 'base.policy'))) {
    const b = compileSource(readFileSync(join(dir, 'base.policy'), 'utf8'), { file: 'base.policy' });
    expect(b.diagnostics).toEqual([]);
    base = b.value;
  }
  const r = compileSource(readFileSync(join(dir, 'input.policy'), 'utf8'), {
    file: 'input.policy',
    resolveBase: (ref) => (base && ref.policy === base.id && (!ref.version || ref.version === base.version) ? base : undefined),
  });
  return { ir: r.value, base, diagnostics: r.diagnostics };
}

describe('golden IR fixtures', () => {
  it('has at least one case per construct', () => {
    expect(cases).toEqual(expect.arrayContaining(['parameters', 'aggregates', 'dates', 'enums', 'extends']));
  });

  it.each(cases)('%s', (name) => {
    const { ir, diagnostics } = compileCase(name);
    expect(diagnostics).toEqual([]);
    expect(ir).toBeDefined();
    const file = join(ROOT, name, 'ir.json');
    const text = JSON.stringify(ir, null, 2) + '\n';
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, text);
    expect(JSON.parse(text)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });

  it.each(cases)('%s: the expected IR is valid against schema.json', (name) => {
    const json: unknown = JSON.parse(readFileSync(join(ROOT, name, 'ir.json'), 'utf8'));
    expect(validateIr(json).diagnostics).toEqual([]);
    const { base } = compileCase(name);
    if (base) expect(validateIr(base).diagnostics).toEqual([]);
  });

  it.each(cases.flatMap((c) => (['yaml', 'zh'] as const).map((f) => [c, f] as const)))('%s: printed as %s, compiles to the same IR', (name, form) => {
    const { ir, base } = compileCase(name);
    const text = form === 'yaml' ? printPolicy(ir!, 'yaml') : printPolicy(ir!, 'dsl', { lang: 'zh' });
    const again = compileSource(text, { format: form === 'yaml' ? 'yaml' : 'dsl', resolveBase: () => base });
    expect(again.diagnostics).toEqual([]);
    expect(again.value).toEqual(ir);
  });

  const ERRORS = join(ROOT, '_error_');
  const errorCases = readdirSync(ERRORS).sort();
  it.each(errorCases)('_error_/%s: rendered diagnostics', (name) => {
    const text = readFileSync(join(ERRORS, name, 'input.policy'), 'utf8');
    const r = compileSource(text, { file: 'input.policy' });
    expect(r.value).toBeUndefined();
    const rendered = r.diagnostics.map((d) => renderDiagnostic(d, text, { lang: 'both' })).join('\n') + '\n';
    const file = join(ERRORS, name, 'expected.txt');
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, rendered);
    expect(rendered).toBe(readFileSync(file, 'utf8'));
  });

  it('hashes are stable under key order and differ for different policies', () => {
    const a = JSON.parse(readFileSync(join(ROOT, 'parameters', 'ir.json'), 'utf8')) as PolicyIR;
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(a).reverse()))) as PolicyIR;
    expect(policyHash(reordered)).toBe(policyHash(a));
    expect(policyHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(policyHash({ ...a, version: 'other' })).not.toBe(policyHash(a));
  });
});
