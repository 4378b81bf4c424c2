/** The unboxed path's date reading against the reference `parseDate`. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fastDay } from '../../../engine/compiled/fast.ts';
import { parseDate } from '../../../engine/values/index.ts';

const pad = (n: number, w: number) => String(n).padStart(w, '0');

describe('fastDay', () => {
  it.each([
    ['1970-01-01', 0],
    ['2000-02-29', parseDate('2000-02-29')],
    ['1900-02-29', undefined],
    ['2019-12-31', parseDate('2019-12-31')],
    ['2020-02-30', undefined],
    ['2020-13-01', undefined],
    ['2020-00-10', undefined],
    ['2020-1-01', undefined],
    ['２020-01-01', undefined],
    ['0099-01-01', undefined],
    ['0100-03-01', parseDate('0100-03-01')],
    ['9999-12-31', parseDate('9999-12-31')],
  ])('%s', (text, want) => {
    expect(fastDay(text)).toBe(want);
  });

  it('reads every YYYY-MM-DD from year 100 on as parseDate does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), (y, m, d) => {
        const text = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
        expect(fastDay(text)).toBe(parseDate(text));
      }),
      { numRuns: 5000 },
    );
  });
});
