/** The generated facts reader's date and money reading against the reference (`parseDate`, `yuanToFen`), and what it accepts. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { factDay as fastDay, moneyFen } from '../../../engine/compiled/runtime.ts';
import { parseDate, yuanToFen } from '../../../engine/values/index.ts';

const pad = (n: number, w: number) => String(n).padStart(w, '0');

describe('factDay', () => {
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
    // the edges of the year table, and the characters either side of the digits
    ['1899-12-31', parseDate('1899-12-31')],
    ['1900-01-01', parseDate('1900-01-01')],
    ['2199-12-31', parseDate('2199-12-31')],
    ['2200-01-01', parseDate('2200-01-01')],
    ['2100-02-29', undefined],
    ['2096-02-29', parseDate('2096-02-29')],
    ['2096-03-01', parseDate('2096-03-01')],
    ['2020-0/-01', undefined],
    ['2020-01-0:', undefined],
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

  it('reads every day of the years around the lookup table as parseDate does', () => {
    for (const y of [1899, 1900, 1901, 2000, 2099, 2100, 2199, 2200]) {
      for (let day = parseDate(`${y}-01-01`)!; day <= parseDate(`${y}-12-31`)!; day++) {
        const text = new Date(day * 86_400_000).toISOString().slice(0, 10);
        expect(fastDay(text)).toBe(day);
      }
    }
  });
});

describe('moneyFen', () => {
  it('reads whole yuan (the int32 fast path) and amounts with fen as yuanToFen does', () => {
    for (const x of [0, -0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 12.34, -0.01]) expect(moneyFen(x)).toBe(yuanToFen(x));
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.integer({ min: -1e9, max: 1e9 }).map((fen) => fen / 100)), (x) => {
        expect(moneyFen(x)).toBe(yuanToFen(x));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('the generated reader accepts what the validator accepts, and nothing else', async () => {
  const { compilePolicy } = await import('../../../engine/compiled/index.ts');
  const { evaluate } = await import('../../../engine/evaluate/decide.ts');
  const { AS_OF, benchPolicies } = await import('../../../bench/load.ts');
  const { baseline } = benchPolicies();
  const compiled = compilePolicy(baseline);
  const loan = { 金额: 60000, 逾期天数: 200, 纳入黑名单: false };
  const cases: [string, () => unknown][] = [
    ['a plain record', () => ({ 贷款: [loan], 弄虚作假: true })],
    ['keys in another order', () => ({ 弄虚作假: true, 贷款: [{ 纳入黑名单: false, 逾期天数: 200, 金额: 60000 }] })],
    ['null and undefined facts', () => ({ 贷款: null, 弄虚作假: undefined, 贴息金额: 10 })],
    ['an undeclared fact', () => ({ 贷款: [loan], 未声明: 1 })],
    ['an undeclared field', () => ({ 贷款: [{ ...loan, 备注: 'x' }] })],
    ['a record without prototype', () => Object.assign(Object.create(null) as object, { 贷款: [loan], 弄虚作假: true })],
    ['a loan without prototype', () => ({ 贷款: [Object.assign(Object.create(null) as object, loan)] })],
    ['an own __proto__ key from JSON', () => JSON.parse('{"__proto__": 1, "弄虚作假": true}') as unknown],
    ['a loan that is an array', () => ({ 贷款: [[1]] })],
    ['a sparse loan list', () => ({ 贷款: [loan, , loan] })],
    ['a money string', () => ({ 贴息金额: '12.34', 申报贴息额: 20 })],
    ['a bad money string', () => ({ 贴息金额: '12.345', 申报贴息额: 20 })],
    ['a bad date', () => ({ 结息日: '2019-02-30', 贴息报表报送日期: '2019-03-01' })],
    ['a date before year 100', () => ({ 结息日: '0099-02-03', 贴息报表报送日期: '2019-03-01' })],
    ['an integer as a string', () => ({ 贷款: [{ ...loan, 逾期天数: '200' }] })],
    ['a fractional integer', () => ({ 本金逾期天数: 90.5, 追索无果: true })],
    ['a number as a boolean', () => ({ 弄虚作假: 1 })],
    ['facts that are not an object', () => [1, 2]],
    ['no facts at all', () => null],
  ];
  it.each(cases)('%s', async (_, make) => {
    const want = await evaluate(baseline, make(), { asOf: AS_OF });
    const got = compiled.decideCompact(make(), { asOf: AS_OF });
    expect(got.status).toBe(want.status);
    const fired = compiled.rules.filter((_r, i) => got.codes[i] === 1).map((r) => r.id);
    expect(fired).toEqual(want.outcomes.map((o) => o.ruleId));
    expect(compiled.decide(make(), { asOf: AS_OF })).toStrictEqual(want);
  });
});
