/** Computed numbers on the wire: 12 significant digits, the integer fast path the same as the slow one. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cleanNumber } from '../../../engine/evaluate/interpret.ts';

const slow = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(12)) : x);

describe('cleanNumber', () => {
  it.each([
    [0.1 + 0.2, 0.3],
    [-0, 0],
    [999_999_999_999, 999_999_999_999],
    [1_234_567_890_123, 1_234_567_890_120],
    [-42, -42],
    [Infinity, Infinity],
  ])('%s → %s', (x, want) => {
    expect(Object.is(cleanNumber(x), want)).toBe(true);
  });

  it('agrees with 12 significant digits everywhere', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.integer({ min: -2e12, max: 2e12 })), (x) => {
        expect(Object.is(cleanNumber(x), slow(x))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
