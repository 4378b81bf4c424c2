/**
 * Every policy in policies/ is in canonical form: formatting it changes nothing. A file that is
 * not would be rewritten by the next `tiaowen fmt --write`, and its diff would mix layout with
 * real changes; keeping the library canonical keeps reviews of policy changes to what changed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPolicy, hasErrors, parsePolicy } from '../../dsl/index.ts';

const ROOT = join(import.meta.dirname, '../..');
const POLICIES = join(ROOT, 'policies');

function policyFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return policyFiles(path);
    return d.name.endsWith('.policy') ? [path] : [];
  });
}

/** The first line where `a` and `b` differ (1-based), with both versions, for the failure message. */
function firstDifference(a: string, b: string): string {
  const [x, y] = [a.split('\n'), b.split('\n')];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1}:\n  written:   ${JSON.stringify(x[i] ?? '')}\n  canonical: ${JSON.stringify(y[i] ?? '')}`;
  }
  return '';
}

const files = policyFiles(POLICIES)
  .map((f) => relative(ROOT, f))
  .sort();

describe('policies/ are in canonical form', () => {
  it('finds the policy files', () => expect(files.length).toBeGreaterThan(0));

  it.each(files)('%s', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const parsed = parsePolicy(text, { file });
    expect(hasErrors(parsed.diagnostics), `${file} does not parse`).toBe(false);
    const canonical = formatPolicy(parsed.value!);
    const message = `${file} is not in canonical form; run \`npm run tiaowen -- fmt --write ${file}\` (${firstDifference(text, canonical)})`;
    expect(text === canonical, message).toBe(true);
  });
});
