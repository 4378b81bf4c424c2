/**
 * The policies in policies/ are full of comments that explain legal bounds; formatting must keep
 * every one of them (the same multiset of comment texts, in English and Chinese keywords) and
 * must be idempotent, so `tiaowen fmt --write` is safe on them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPolicy, parsePolicy } from '../../dsl/index.ts';
import { policyLexer } from '../../dsl/tokens.ts';

const ROOT = join(import.meta.dirname, '../..');
const POLICIES = join(ROOT, 'policies');

function policyFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return policyFiles(path);
    return d.name.endsWith('.policy') ? [path] : [];
  });
}

/** Comment texts as the lexer sees them (what follows `#`, trailing blanks removed), sorted. */
function commentTexts(text: string): string[] {
  const lexed = policyLexer.tokenize(text);
  return (lexed.groups.comments ?? []).map((t) => t.image.slice(1).replace(/[ \t\u3000\uFEFF]+$/, '')).sort();
}

const files = policyFiles(POLICIES)
  .map((f) => relative(ROOT, f))
  .sort();

describe('formatting policies/ keeps their comments', () => {
  it('finds the policy files', () => expect(files.length).toBeGreaterThan(0));

  it.each(files)('%s', (file) => {
    const source = readFileSync(join(ROOT, file), 'utf8');
    const parsed = parsePolicy(source, { file });
    expect(parsed.value).toBeDefined();
    const before = commentTexts(source);
    expect(before.length).toBeGreaterThan(0);
    for (const lang of ['en', 'zh'] as const) {
      const out = formatPolicy(parsed.value!, { lang });
      expect(commentTexts(out)).toEqual(before);
      const again = parsePolicy(out);
      expect(again.diagnostics).toEqual([]);
      expect(formatPolicy(again.value!, { lang })).toBe(out);
    }
  });
});
