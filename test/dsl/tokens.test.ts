import { describe, expect, it } from 'vitest';
import { KEYWORDS } from '../../dsl/index.ts';
import { ALL_TOKENS, Identifier, KEYWORD_TOKENS, policyLexer } from '../../dsl/tokens.ts';

describe('tokens', () => {
  it('orders keywords so no spelling is shadowed by a prefix spelled earlier', () => {
    const index = new Map(ALL_TOKENS.map((t, i) => [t, i]));
    for (const a of KEYWORD_TOKENS) {
      for (const b of KEYWORD_TOKENS) {
        if (a === b) continue;
        const shadows = a.spellings.some((sa) => b.spellings.some((sb) => sb.length > sa.length && sb.startsWith(sa)));
        if (shadows) expect(index.get(b.token)!, `${b.spellings} before ${a.spellings}`).toBeLessThan(index.get(a.token)!);
      }
    }
    for (const k of KEYWORD_TOKENS) expect(index.get(k.token)!).toBeLessThan(index.get(Identifier)!);
  });

  it('reads every keyword spelling as its keyword, and the spelling with letters glued on as a name', () => {
    for (const k of KEYWORD_TOKENS) {
      for (const s of k.spellings) {
        const alone = policyLexer.tokenize(s);
        expect(alone.errors).toEqual([]);
        expect(alone.tokens.map((t) => t.tokenType.name), s).toEqual([k.token.name]);
        const glued = policyLexer.tokenize(s.replace(' ', '_') + 'x');
        expect(glued.tokens.map((t) => t.tokenType.name), s + 'x').toEqual(['Identifier']);
      }
    }
  });

  it('tracks lines and columns across line breaks and comments', () => {
    const r = policyLexer.tokenize('# c\r\n  when\n\tx # y');
    expect(r.tokens.map((t) => [t.image, t.startLine, t.startColumn])).toEqual([
      ['when', 2, 3],
      ['x', 3, 2],
    ]);
    expect(r.groups.comments?.map((t) => t.image)).toEqual(['# c', '# y']);
  });

  it('lists every keyword for completion with a category and at least one Chinese spelling', () => {
    expect(KEYWORDS.length).toBeGreaterThan(60);
    for (const k of KEYWORDS) expect(k.zh.length, k.en).toBeGreaterThan(0);
    expect(KEYWORDS.find((k) => k.en === 'count')).toEqual({ en: 'count', zh: ['计数'], category: 'function' });
    expect(KEYWORDS.find((k) => k.en === 'when')).toEqual({ en: 'when', zh: ['当'], category: 'rule' });
  });
});
