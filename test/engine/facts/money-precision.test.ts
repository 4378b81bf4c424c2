/**
 * Money facts given as JSON numbers: large amounts with fen are valid (binary floating point must
 * not decide), more than two decimals are not, at any size.
 */
import { describe, expect, it } from 'vitest';
import { validateFacts } from '../../../engine/index.ts';
import type { PolicyIR } from '../../../engine/ir/types.ts';

const ir = {
  id: 't/money',
  title: '金额',
  facts: [{ name: '投资额', label: '投资额', type: { kind: 'money' } }],
} as unknown as PolicyIR; // only what validateFacts reads

const codes = (v: unknown) => validateFacts(ir, { 投资额: v }).errors.map((e) => e.code);

describe('money facts as numbers', () => {
  it.each([318373237.97, 612540106.06, 9999999999.99, 12345.67, 0.01, 500000000])('%s yuan is valid', (v) => {
    expect(codes(v)).toEqual([]);
  });
  it.each([1.005, 318373237.975, 12345.6789, 0.001])('%s yuan has more than two decimals', (v) => {
    expect(codes(v)).toEqual(['facts.money']);
  });
});
