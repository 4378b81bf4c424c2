import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addMonths,
  addWorkdays,
  addYears,
  arith,
  compare,
  fenToYuan,
  formatDate,
  isWorkday,
  money,
  monthsBetween,
  num,
  parseDate,
  pct,
  round,
  roundHalfAway,
  todayInShanghai,
  unknown,
  workdaysBetween,
  yearsBetween,
  yuanToFen,
  type Value,
} from '../../../engine/values/index.ts';

const day = (s: string): number => {
  const d = parseDate(s);
  if (d === undefined) throw new Error(`bad date ${s}`);
  return d;
};

describe('money', () => {
  it.each([
    // [yuan in, fen]
    [0, 0],
    [12345.67, 1234567],
    ['12345.67', 1234567],
    ['0.5', 50],
    [-0.05, -5],
    ['100', 10000],
    [1.1, 110],
  ] as const)('yuanToFen(%s) = %s', (y, fen) => {
    expect(yuanToFen(y)).toBe(fen);
  });

  it.each([[0.001], ['1.234'], ['abc'], ['1e5'], [Number.NaN]])('yuanToFen(%s) is not money', (y) => {
    expect(yuanToFen(y)).toBeUndefined();
  });

  it.each([
    [123450, '1234.50'],
    [5, '0.05'],
    [-5, '-0.05'],
    [0, '0.00'],
    [100, '1.00'],
  ])('fenToYuan(%s) = %s', (fen, yuan) => {
    expect(fenToYuan(fen)).toBe(yuan);
  });

  it('round-trips yuan strings', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (fen) => {
        expect(yuanToFen(fenToYuan(fen))).toBe(fen);
      }),
    );
  });

  it.each([
    // [x, half away from zero]
    [2.5, 3],
    [-2.5, -3],
    [2.4999, 2],
    [0.5, 1],
    [-0.5, -1],
    [1.15 * 100, 115], // 114.99999999999999 in binary
  ])('roundHalfAway(%s) = %s', (x, r) => {
    expect(roundHalfAway(x)).toBe(r);
  });

  // money × number and money ÷ number round half away from zero to the fen; money ÷ money is a number.
  it.each<[string, Value, '*' | '/' | '+' | '-', Value, Value]>([
    ['1.05元 × 0.5 = 0.53元', money(105), '*', num(0.5), money(53)],
    ['-1.05元 × 0.5 = -0.53元', money(-105), '*', num(0.5), money(-53)],
    ['1.04元 × 0.5 = 0.52元', money(104), '*', num(0.5), money(52)],
    ['10元 ÷ 3 = 3.33元', money(1000), '/', num(3), money(333)],
    ['0.05元 ÷ 2 = 0.03元', money(5), '/', num(2), money(3)],
    ['100元 × 3% = 3元', money(10000), '*', pct(0.03), money(300)],
    ['0.1元 + 0.2元 = 0.3元 exactly', money(10), '+', money(20), money(30)],
    ['30元 ÷ 60元 = 0.5', money(3000), '/', money(6000), num(0.5)],
    ['2 × 1.15元 = 2.30元', num(2), '*', money(115), money(230)],
  ])('%s', (_note, a, op, b, want) => {
    expect(arith(op, a, b)).toEqual(want);
  });

  it('divides by zero into an unknown with the reason', () => {
    const r = arith('/', money(100), num(0));
    expect(r.kind).toBe('unknown');
    expect(r.kind === 'unknown' && r.reasons[0]?.en).toBe('division by zero');
    expect(arith('/', num(1), num(0)).kind).toBe('unknown');
    expect(arith('/', money(1), money(0)).kind).toBe('unknown');
  });

  it('rounds money to the whole yuan', () => {
    expect(round(money(150))).toEqual(money(200));
    expect(round(money(149))).toEqual(money(100));
    expect(round(money(-150))).toEqual(money(-200));
    expect(round(num(2.5))).toEqual(num(3));
  });
});

describe('unknown propagation in arithmetic and comparison', () => {
  const u = unknown(['a']);
  it.each(['+', '-', '*', '/'] as const)('%s with a missing operand is unknown with its path', (op) => {
    expect(arith(op, u, num(1))).toEqual(unknown(['a']));
    expect(arith(op, num(1), u)).toEqual(unknown(['a']));
    expect(arith(op, u, unknown(['b']))).toEqual(unknown(['a', 'b']));
  });
  it.each(['==', '!=', '<', '<=', '>', '>='] as const)('%s with a missing operand is unknown', (op) => {
    expect(compare(op, u, num(1))).toEqual(unknown(['a']));
    expect(compare(op, num(1), u)).toEqual(unknown(['a']));
  });
});

describe('dates', () => {
  it('parses only real dates', () => {
    expect(parseDate('2024-02-29')).toBeDefined();
    expect(parseDate('2023-02-29')).toBeUndefined();
    expect(parseDate('2023-13-01')).toBeUndefined();
    expect(parseDate('2023-1-01')).toBeUndefined();
    expect(formatDate(day('1970-01-01'))).toBe('1970-01-01');
    expect(day('1970-01-02')).toBe(1);
  });

  it('round-trips day numbers', () => {
    fc.assert(
      fc.property(fc.integer({ min: -200_000, max: 200_000 }), (d) => {
        expect(parseDate(formatDate(d))).toBe(d);
      }),
    );
  });

  it.each([
    // [date, months, want] month-end clamping
    ['2023-01-31', 1, '2023-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2023-03-31', -1, '2023-02-28'],
    ['2023-10-15', 3, '2024-01-15'],
    ['2023-12-31', 2, '2024-02-29'],
  ] as const)('addMonths(%s, %s) = %s', (d, n, want) => {
    expect(formatDate(addMonths(day(d), n))).toBe(want);
  });

  it('adds years with Feb 29 clamped', () => {
    expect(formatDate(addYears(day('2024-02-29'), 1))).toBe('2025-02-28');
    expect(formatDate(addYears(day('2024-02-29'), 4))).toBe('2028-02-29');
  });

  it.each([
    // [a, b, months, years] anniversary semantics: the anniversary day counts
    ['2000-06-15', '2018-06-14', 215, 17],
    ['2000-06-15', '2018-06-15', 216, 18],
    ['2000-02-29', '2001-02-28', 12, 1],
    ['2023-01-31', '2023-02-28', 1, 0],
    ['2023-01-31', '2023-02-27', 0, 0],
    ['2023-05-10', '2023-05-10', 0, 0],
    ['2018-06-15', '2000-06-15', -216, -18],
  ] as const)('monthsBetween/yearsBetween(%s, %s) = %s / %s', (a, b, months, years) => {
    expect(monthsBetween(day(a), day(b))).toBe(months);
    expect(yearsBetween(day(a), day(b))).toBe(years);
  });

  it('gives today in Asia/Shanghai whatever the local zone', () => {
    expect(todayInShanghai(new Date('2023-10-06T16:00:00Z'))).toBe('2023-10-07');
    expect(todayInShanghai(new Date('2023-10-06T15:59:59Z'))).toBe('2023-10-06');
  });
});

describe('working days by the official calendar', () => {
  it.each([
    ['2023-09-28', true], // Thursday before 中秋国庆
    ['2023-09-29', false], // 中秋
    ['2023-10-02', false], // 国庆, a Monday
    ['2023-10-06', false], // 国庆, a Friday
    ['2023-10-07', true], // Saturday, make-up working day (调休)
    ['2023-10-08', true], // Sunday, make-up working day
    ['2023-10-09', true], // Monday
    ['2023-10-14', false], // ordinary Saturday
    ['2035-01-08', true], // beyond the table: Monday to Friday
    ['2035-01-06', false],
  ] as const)('isWorkday(%s) = %s', (d, want) => {
    expect(isWorkday(day(d))).toBe(want);
  });

  it.each([
    // working days after a up to and including b
    ['2023-09-28', '2023-10-09', 3],
    ['2023-09-28', '2023-10-07', 1],
    ['2023-09-28', '2023-09-28', 0],
    ['2023-10-09', '2023-09-28', -3],
    ['2023-10-09', '2023-10-13', 4],
  ] as const)('workdaysBetween(%s, %s) = %s', (a, b, n) => {
    expect(workdaysBetween(day(a), day(b))).toBe(n);
  });

  it.each([
    ['2023-09-28', 1, '2023-10-07'],
    ['2023-09-28', 3, '2023-10-09'],
    ['2023-10-09', -1, '2023-10-08'],
    ['2023-10-09', -3, '2023-09-28'],
    ['2023-09-30', 0, '2023-09-30'],
  ] as const)('addWorkdays(%s, %s) = %s', (d, n, want) => {
    expect(formatDate(addWorkdays(day(d), n))).toBe(want);
  });

  it('addWorkdays and workdaysBetween agree', () => {
    fc.assert(
      fc.property(fc.integer({ min: day('2016-01-01'), max: day('2025-12-31') }), fc.integer({ min: 1, max: 40 }), (d, n) => {
        expect(workdaysBetween(d, addWorkdays(d, n))).toBe(n);
      }),
      { numRuns: 200 },
    );
  });
});
