import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { href, parseHash, policyFromSegments, policyHref, PAGES } from '../../admin-ui/src/router.ts';

describe('hash router', () => {
  it.each([
    ['', { page: 'library', segments: [], query: {} }],
    ['#/', { page: 'library', segments: [], query: {} }],
    ['#/policy/gansu/poverty-loan/2015.1', { page: 'policy', segments: ['gansu', 'poverty-loan', '2015.1'], query: {} }],
    ['#/diff?a=x%40y&b=draft%3A3', { page: 'diff', segments: [], query: { a: 'x@y', b: 'draft:3' } }],
    ['#/nowhere', { page: 'not-found', segments: [], query: {} }],
    ['#/editor/%E0%A4', { page: 'editor', segments: ['%E0%A4'], query: {} }],
  ])('%s', (hash, want) => {
    expect(parseHash(hash)).toEqual(want);
  });

  it('reads back every link it builds', () => {
    const segment = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes('/'));
    fc.assert(
      fc.property(fc.constantFrom(...PAGES), fc.array(segment, { maxLength: 3 }), fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.string({ minLength: 1, maxLength: 10 })), (page, segments, query) => {
        const r = parseHash(href(page, segments, query));
        expect(r.page).toBe(page);
        expect(r.segments).toEqual(segments);
        expect(r.query).toEqual(query);
      }),
    );
  });

  it('keeps the policy id and the version apart', () => {
    const r = parseHash(policyHref('gansu/扶贫贷款', 'v1.2'));
    expect(policyFromSegments(r.segments)).toEqual({ id: 'gansu/扶贫贷款', version: 'v1.2' });
    expect(policyFromSegments(parseHash(policyHref('a/b')).segments)).toEqual({ id: 'a/b', version: undefined });
  });
});
