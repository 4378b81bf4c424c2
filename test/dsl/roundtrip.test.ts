import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatExpression, formatPolicy, hasErrors, parseExpression, parsePolicy, parseYamlPolicy, policyToYaml } from '../../dsl/index.ts';
import { commentedPolicyArb, exprArb, policyArb, stripLoc, stripLocAndComments, wideExprArb } from './arbitraries.ts';

const runs = { numRuns: 200 };

describe('round trips', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`expression → formatExpression(${lang}) → parseExpression is the same tree`, () => {
      fc.assert(
        fc.property(fc.oneof(exprArb, wideExprArb), (e) => {
          const text = formatExpression(e, { lang });
          const back = parseExpression(text);
          expect(back.diagnostics, text).toEqual([]);
          expect(stripLoc(back.value), text).toEqual(e);
        }),
        runs,
      );
    });

    it(`policy → formatPolicy(${lang}) → parsePolicy is the same tree`, () => {
      fc.assert(
        fc.property(policyArb, (p) => {
          const text = formatPolicy(p, { lang });
          const back = parsePolicy(text);
          expect(back.diagnostics, text).toEqual([]);
          expect(stripLoc(back.value), text).toEqual(p);
          // Formatting is stable: the printed text prints itself.
          expect(formatPolicy(back.value!, { lang })).toBe(text);
        }),
        { numRuns: 100 },
      );
    });

    it(`commented policy → formatPolicy(${lang}) → parsePolicy keeps every comment in place`, () => {
      fc.assert(
        fc.property(commentedPolicyArb, (p) => {
          const text = formatPolicy(p, { lang });
          const back = parsePolicy(text);
          expect(back.diagnostics, text).toEqual([]);
          expect(stripLoc(back.value), text).toEqual(p);
          expect(formatPolicy(back.value!, { lang })).toBe(text);
        }),
        { numRuns: 100 },
      );
    });
  }

  it('policy → policyToYaml → parseYamlPolicy is the same tree', () => {
    fc.assert(
      fc.property(policyArb, (p) => {
        const text = policyToYaml(p);
        const back = parseYamlPolicy(text);
        expect(hasErrors(back.diagnostics), text + JSON.stringify(back.diagnostics)).toBe(false);
        // YAML keeps no layout: `blankLineBefore` goes the way of comments.
        expect(stripLocAndComments(back.value), text).toEqual(stripLocAndComments(p));
      }),
      { numRuns: 100 },
    );
  });
});
