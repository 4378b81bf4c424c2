/**
 * Duration parameters in the IR (issue #17): the schema holds their values to "<amount> <unit>",
 * IR written before them still validates, and all three evaluators read them the same way.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateIr } from '../../../engine/ir/validate.ts';
import { compileSource } from '../../../engine/ir/compile.ts';
import { parseDurationValue } from '../../../engine/ir/duration.ts';
import type { PolicyIR } from '../../../engine/ir/types.ts';
import { evaluate, evaluateSync } from '../../../engine/evaluate/decide.ts';
import { compilePolicy } from '../../../engine/compiled/index.ts';
import { resolveOne } from '../evaluate/ir.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/ir');
const golden = (name: string): PolicyIR => JSON.parse(readFileSync(join(FIXTURES, name, 'ir.json'), 'utf8')) as PolicyIR;

describe('schema', () => {
  it('accepts IR written before duration parameters', () => {
    for (const name of ['parameters', 'dates', 'aggregates', 'enums']) expect(validateIr(golden(name)).diagnostics).toEqual([]);
  });

  it.each([
    ['"30 days"', '30 days', true],
    ['"5 workdays"', '5 workdays', true],
    ['"0 months"', '0 months', true],
    ['a number', 30, false],
    ['a unit that is not one', '30 weeks', false],
    ['a negative amount', '-3 days', false],
    ['a fraction', '1.5 years', false],
    ['Chinese text', '30天', false],
  ] as const)('a duration parameter value %s is %s', (_name, value, ok) => {
    const ir = golden('duration-parameters');
    ir.parameters[0]!.values[0]!.value = value;
    expect(validateIr(ir).diagnostics.length === 0).toBe(ok);
  });

  it('parseDurationValue reads only the schema form', () => {
    expect(parseDurationValue('20 workdays')).toEqual({ amount: 20, unit: 'workdays' });
    expect(parseDurationValue('20')).toBeUndefined();
    expect(parseDurationValue(20)).toBeUndefined();
  });
});

describe('evaluation', () => {
  const text = readFileSync(join(FIXTURES, 'duration-parameters', 'input.policy'), 'utf8');
  const ir = compileSource(text).value!;
  const policy = resolveOne(ir, [], ir.effectiveFrom);
  const compiled = compilePolicy(policy);

  it.each([
    // 30 days until 2020-12-31: 2020-03-01 + 30 = 2020-03-31; from 2021 the limit is 20 days.
    ['the old value: on time', '2020-12-31', { 下达日期: '2020-03-01', 分配日期: '2020-03-31' }, [], '2020-03-31'],
    ['the new value: late', '2021-01-01', { 下达日期: '2020-03-01', 分配日期: '2020-03-31' }, ['allocation_late', 'allocation_days'], '2020-03-21'],
    // 5 workdays from 2023-09-27 is 2023-10-10 (国庆 and the 调休 weekend).
    ['working days: on time', '2023-12-31', { 接到日期: '2023-09-27', 通知日期: '2023-10-10' }, [], undefined],
    ['working days: late', '2023-12-31', { 接到日期: '2023-09-27', 通知日期: '2023-10-11' }, ['notice_late'], undefined],
  ] as const)('%s (as of %s)', async (_name, asOf, facts, fired, deadline) => {
    const reference = await evaluate(policy, facts, { asOf });
    expect(reference.outcomes.map((o) => o.ruleId)).toEqual(fired);
    if (deadline && fired.length) expect(reference.outcomes[0]!.computed['截止日期']!.result).toEqual({ type: 'date', value: deadline });
    expect(evaluateSync(policy, facts, { asOf })).toEqual(reference);
    expect(compiled.decide(facts, { asOf })).toEqual(reference);
  });
});
