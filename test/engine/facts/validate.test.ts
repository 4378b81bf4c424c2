import { describe, expect, it } from 'vitest';
import { factSchema } from '../../../engine/facts/schema.ts';
import { validateFacts } from '../../../engine/facts/validate.ts';
import { policy } from '../evaluate/ir.ts';

const ir = policy();

describe('factSchema', () => {
  const schema = factSchema(ir) as { properties: Record<string, Record<string, unknown>>; additionalProperties: boolean };

  it('rejects undeclared facts and makes every fact optional', () => {
    expect(schema.additionalProperties).toBe(false);
    expect(schema).not.toHaveProperty('required');
  });

  it('titles facts with their Chinese label and keeps the English one', () => {
    expect(schema.properties['贷款']).toMatchObject({ title: '县贷款台账', 'x-label-en': 'Loan ledger' });
  });

  it.each([
    ['a', { type: ['integer', 'null'] }],
    ['x', { type: ['number', 'null'] }],
    ['f', { type: ['boolean', 'null'] }],
    ['m', { type: ['number', 'string', 'null'], multipleOf: 0.01, pattern: '^-?\\d+(\\.\\d{1,2})?$' }],
    ['d', { type: ['string', 'null'], format: 'date' }],
    ['p', { type: ['number', 'null'], 'x-kind': 'percent' }],
    ['s', { enum: ['种植', '养殖', '其他', null], 'x-labels': { 种植: '种植业', 养殖: '养殖业', 其他: '其他' } }],
  ])('%s', (name, want) => {
    expect(schema.properties[name]).toMatchObject(want);
  });

  it('describes lists as arrays of closed records', () => {
    expect(schema.properties['贷款']).toMatchObject({
      type: ['array', 'null'],
      items: { type: 'object', additionalProperties: false, properties: { 金额: { title: '贷款本金' } } },
    });
  });
});

describe('validateFacts errors', () => {
  it.each([
    // [facts, pointer, code, zh fragment, en fragment]
    [{ a: 1.5 }, '/a', 'facts.integer', '“甲数”应为整数', 'a must be an integer'],
    [{ a: '3' }, '/a', 'facts.integer', '甲数', 'integer'],
    [{ f: 'yes' }, '/f', 'facts.boolean', '“条件甲”应为是/否', 'must be true or false'],
    [{ m: 12.345 }, '/m', 'facts.money', '“金额甲”应为金额', 'at most two decimals'],
    [{ m: '12.345' }, '/m', 'facts.money', '金额甲', 'money in yuan'],
    [{ m: '1,000' }, '/m', 'facts.money', '金额甲', 'money in yuan'],
    [{ d: '2023-02-29' }, '/d', 'facts.date', '“日期甲”应为真实存在的日期', 'real date'],
    [{ d: '2023/02/01' }, '/d', 'facts.date', '日期甲', 'YYYY-MM-DD'],
    [{ s: '渔业' }, '/s', 'facts.enum', '种植(种植业)', 'must be one of: 种植, 养殖, 其他'],
    [{ 外来: 1 }, '/外来', 'facts.unknown-fact', '政策没有声明事实“外来”', 'declares no fact "外来"'],
    [{ 贷款: {} }, '/贷款', 'facts.list', '“县贷款台账”应为记录的数组', 'Loan ledger must be an array'],
    [{ 贷款: [{ 逾期天数: 1 }, { 逾期天数: 'x' }] }, '/贷款/1/逾期天数', 'facts.integer', '“县贷款台账[1].逾期天数”应为整数', 'Loan ledger[1].逾期天数'],
    [{ 贷款: [{ 金额: 0.001 }] }, '/贷款/0/金额', 'facts.money', '县贷款台账[0].贷款本金', 'money'],
    [{ 贷款: [{ 利率: 1 }] }, '/贷款/0/利率', 'facts.unknown-field', '没有字段“利率”', 'no field "利率"'],
    [{ 贷款: [5] }, '/贷款/0', 'facts.type', '县贷款台账[0]”应为一条记录', 'must be a record'],
  ] as const)('%j → %s %s', (facts, path, code, zh, en) => {
    const r = validateFacts(ir, facts);
    expect(r.facts).toBeUndefined();
    const e = r.errors.find((x) => x.path === path);
    expect(e, JSON.stringify(r.errors)).toBeDefined();
    expect(e!.code).toBe(code);
    expect(e!.message.zh).toContain(zh);
    expect(e!.message.en).toContain(en);
  });

  it('reports every error at once', () => {
    const r = validateFacts(ir, { a: 'x', d: '2023-02-30', 贷款: [{ 逾期天数: 1.5 }], 多余: true });
    expect(r.errors.map((e) => e.path).sort()).toEqual(['/a', '/d', '/多余', '/贷款/0/逾期天数']);
  });

  it('rejects facts that are not an object', () => {
    expect(validateFacts(ir, [1]).errors[0]).toMatchObject({ path: '', code: 'facts.type' });
    expect(validateFacts(ir, 'x').errors).toHaveLength(1);
  });

  it('escapes JSON pointers', () => {
    const odd = policy({ facts: [{ name: 'a/b', label: '斜杠', type: { kind: 'integer' } }] });
    expect(validateFacts(odd, { 'a/b': 'x' }).errors[0]?.path).toBe('/a~1b');
  });
});

describe('validateFacts normalization', () => {
  it('turns money into fen, percents into ratios, dates into day numbers, null into missing', () => {
    const r = validateFacts(ir, {
      m: '12345.67',
      n: 0.1,
      p: 3.5,
      d: '1970-01-11',
      a: null,
      s: '种植',
      贷款: [{ 金额: 5, 逾期天数: null }],
    });
    expect(r.errors).toEqual([]);
    expect(r.facts).toEqual({
      m: { kind: 'money', fen: 1234567 },
      n: { kind: 'money', fen: 10 },
      p: { kind: 'percent', ratio: 0.035 },
      d: { kind: 'date', day: 10 },
      s: { kind: 'string', value: '种植' },
      贷款: { kind: 'list', records: [{ 金额: { kind: 'money', fen: 500 } }] },
    });
  });

  it('treats undefined facts as none', () => {
    expect(validateFacts(ir, undefined)).toEqual({ facts: {}, errors: [] });
  });

  it('shares one compiled validator between policies declaring the same facts', () => {
    const other = policy({ id: 'test/other', version: '9' });
    expect(validateFacts(other, { a: 1 }).facts).toEqual({ a: { kind: 'number', value: 1 } });
  });
});
