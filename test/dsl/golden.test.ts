/**
 * Golden files. `UPDATE_GOLDEN=1 npx vitest run test/dsl` rewrites the expected files from the
 * current output; review the diff before committing.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPolicy, parsePolicy, parsePolicySource, renderDiagnostics } from '../../dsl/index.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/dsl');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function golden(path: string, actual: string): void {
  if (UPDATE || !existsSync(path)) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

function cases(dir: string): string[] {
  return readdirSync(join(FIXTURES, dir), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

describe('golden parser errors', () => {
  const names = cases('_error_');
  it('has at least 12 cases', () => expect(names.length).toBeGreaterThanOrEqual(12));
  it.each(names)('%s', (name) => {
    const dir = join(FIXTURES, '_error_', name);
    const file = readdirSync(dir).find((f) => f.startsWith('input.'));
    expect(file).toBeDefined();
    const source = readFileSync(join(dir, file!), 'utf8');
    const r = parsePolicySource(source, { file: file! });
    expect(r.diagnostics.length).toBeGreaterThan(0);
    golden(join(dir, 'expected.txt'), renderDiagnostics(r.diagnostics, source, { lang: 'both' }));
  });
});

describe('golden formatter output', () => {
  it.each(cases('format'))('%s', (name) => {
    const dir = join(FIXTURES, 'format', name);
    const source = readFileSync(join(dir, 'input.policy'), 'utf8');
    const parsed = parsePolicy(source, { file: 'input.policy' });
    expect(parsed.diagnostics).toEqual([]);
    for (const lang of ['en', 'zh'] as const) {
      const out = formatPolicy(parsed.value!, { lang });
      golden(join(dir, lang === 'en' ? 'expected.policy' : 'expected.zh.policy'), out);
      // Idempotent: formatting the output changes nothing.
      const again = parsePolicy(out);
      expect(again.diagnostics).toEqual([]);
      expect(formatPolicy(again.value!, { lang })).toBe(out);
    }
  });
});
