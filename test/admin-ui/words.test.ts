import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Expr, PolicyIR } from '../../engine/ir/types.ts';
import { lintPolicy } from '../../admin-ui/src/editor/lint.ts';
import { durationWords, exprWords, literalWords, moneyWords, periodStatus, readInput, todayInShanghai, wordsContext, type WordsContext } from '../../admin-ui/src/words.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const labels = new Map([
  ['贷款金额', '申请贷款金额'],
  ['上限', '单户上限'],
  ['贷款', '贷款台账'],
  ['逾期天数', '逾期天数'],
]);
const zh: WordsContext = { lang: 'zh', labels, paramValues: new Map([['上限', '5万元']]) };
const en: WordsContext = { lang: 'en', labels, paramValues: new Map([['上限', '¥50,000']]) };

const cases: { note: string; expr: Expr; zh: string; en: string }[] = [
  {
    note: 'comparison with a parameter shows its value',
    expr: { type: 'compare', op: '>', left: { type: 'fact', name: '贷款金额' }, right: { type: 'param', name: '上限' } },
    zh: '申请贷款金额 超过 单户上限(5万元)',
    en: '申请贷款金额 is more than 单户上限(¥50,000)',
  },
  {
    note: 'and inside or is bracketed',
    expr: {
      type: 'and',
      args: [
        { type: 'or', args: [{ type: 'boolean', value: true }, { type: 'fact', name: 'x' }] },
        { type: 'not', arg: { type: 'fact', name: 'y' } },
      ],
    },
    zh: '(是,或x),且并非y',
    en: '(true, or x), and not y',
  },
  {
    note: 'between keeps the bounds as written',
    expr: { type: 'between', value: { type: 'fact', name: '贷款金额' }, low: { type: 'money', yuan: 10000 }, high: { type: 'money', yuan: 50000 }, lowInclusive: true, highInclusive: true },
    zh: '申请贷款金额介于1万元与5万元(含)之间',
    en: '申请贷款金额 is between ¥10,000 and ¥50,000 (inclusive)',
  },
  {
    note: 'ratio aggregate over a list',
    expr: { type: 'aggregate', fn: 'ratio', list: '贷款', where: { type: 'compare', op: '>=', left: { type: 'field', name: '逾期天数' }, right: { type: 'number', value: 90, integer: true } } },
    zh: '贷款台账中逾期天数 不少于 90的记录占比',
    en: 'share of records in 贷款台账 where 逾期天数 is at least 90',
  },
  {
    note: 'arithmetic keeps precedence',
    expr: { type: 'arith', op: '*', left: { type: 'arith', op: '+', left: { type: 'number', value: 1 }, right: { type: 'number', value: 2 } }, right: { type: 'percent', value: 3 } },
    zh: '(1 + 2) × 3%',
    en: '(1 + 2) × 3%',
  },
  {
    note: 'membership and known()',
    expr: { type: 'and', args: [{ type: 'in', value: { type: 'fact', name: 'u' }, options: [{ type: 'string', value: '种植' }, { type: 'string', value: '养殖' }] }, { type: 'call', fn: 'known', args: [{ type: 'fact', name: 'v' }] }] },
    zh: 'u属于“种植”、“养殖”,且v已填写',
    en: 'u is one of “种植”, “养殖”, and v is given',
  },
];

describe('conditions in words', () => {
  for (const c of cases) {
    it(c.note, () => {
      expect(exprWords(c.expr, zh)).toBe(c.zh);
      expect(exprWords(c.expr, en)).toBe(c.en);
    });
  }

  // Golden: every rule of a real policy in words; regenerate with UPDATE_GOLDEN=1.
  it('reads the Gansu loan rules as the golden file says', () => {
    const text = readFileSync(join(ROOT, 'policies/gansu/poverty-loan/poverty-loan.policy'), 'utf8');
    const { ir } = lintPolicy(text, 'dsl');
    expect(ir).toBeDefined();
    const ctx = wordsContext(ir as PolicyIR, 'zh', '2017-06-30');
    const got = (ir as PolicyIR).rules.map((r) => `${r.id}: ${exprWords(r.when, ctx)}`).join('\n') + '\n';
    const dir = join(ROOT, 'test/fixtures/admin-ui');
    const file = join(dir, 'gansu-poverty-loan.rules.zh.txt');
    if (process.env.UPDATE_GOLDEN || !existsSync(file)) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, got);
    }
    expect(got).toBe(readFileSync(file, 'utf8'));
  });
});

describe('values in words', () => {
  it.each([
    [50000, 'zh', '5万元'],
    [12345.5, 'zh', '12,345.50元'],
    [50000, 'en', '¥50,000'],
    [-20000, 'zh', '-2万元'],
  ] as const)('money %s in %s is %s', (yuan, lang, want) => {
    expect(moneyWords(yuan, lang)).toBe(want);
  });

  it('writes literals as officials do', () => {
    expect(literalWords(3, 'percent', 'zh')).toBe('3%');
    expect(literalWords(true, 'boolean', 'zh')).toBe('是');
    expect(literalWords(false, 'boolean', 'en')).toBe('no');
  });

  it('reads typed input as the API expects; empty is missing', () => {
    expect(readInput('integer', ' 36 ')).toBe(36);
    expect(readInput('money', '50000.10')).toBe('50000.10');
    expect(readInput('boolean', 'false')).toBe(false);
    expect(readInput('number', 'abc')).toBe('abc');
    expect(readInput('date', '')).toBeUndefined();
  });

  it('says durations in both languages', () => {
    expect(durationWords(65, true)).toBe('1分5秒');
    expect(durationWords(5.4, false)).toBe('5 s');
  });
});

describe('dates', () => {
  it('takes today in Asia/Shanghai, not UTC', () => {
    expect(todayInShanghai(new Date('2024-12-31T17:00:00Z'))).toBe('2025-01-01');
    expect(todayInShanghai(new Date('2024-12-31T15:59:00Z'))).toBe('2024-12-31');
  });

  it.each([
    [{ effectiveFrom: '2020-01-01' }, '2019-12-31', 'future'],
    [{ effectiveFrom: '2020-01-01' }, '2020-01-01', 'inForce'],
    [{ effectiveFrom: '2020-01-01', effectiveUntil: '2020-12-31' }, '2020-12-31', 'inForce'],
    [{ effectiveFrom: '2020-01-01', effectiveUntil: '2020-12-31' }, '2021-01-01', 'expired'],
  ] as const)('%o on %s is %s', (p, today, want) => {
    expect(periodStatus(p, today)).toBe(want);
  });
});
