/**
 * Conflicts are scoped by what the outcomes are about (engine/evaluate/decide.ts `sameSubject`):
 * the reference interpreter, the json-rules-engine path and the compiled evaluator report the
 * same conflicts, and two eligibility outcomes about different benefits are none.
 */
import { describe, expect, it } from 'vitest';
import { compileSource, evaluate, evaluateSync, PolicyLibrary } from '../../../engine/index.ts';
import { compilePolicy } from '../../../engine/compiled/index.ts';

const policy = `policy "t/subject"
  title "事项"
  jurisdiction t
  version "1"
  effective from 2020-01-01
  source 细则 "细则"

facts
  女55 "年满55周岁的女干部": boolean
  调整未满一年 "调整未满一年": boolean
  超上限 "超过上限": boolean
  业绩突出 "业绩突出": boolean
  弄虚作假 "弄虚作假": boolean

rule retire "可自愿退休"
  cites 细则 "第六条"
  when 女55
  then eligible
    message "可选择自愿退休"
    consequences "自愿退休"

rule no_promotion "一年内不得提拔"
  cites 细则 "第二十条"
  when 调整未满一年
  then ineligible
    message "一年内不得提拔"
    consequences "一年内不得提拔"

rule over_cap "超过上限"
  cites 细则 "第三条"
  when 超上限
  then ineligible
    message "超过上限"

rule promote "提拔重用"
  cites 细则 "第十五条"
  when 业绩突出
  then commendation
    message "提拔重用"
    consequences "提拔重用"

rule blame "问责"
  cites 细则 "第十五条"
  when 弄虚作假
  then accountability
    message "问责"
    consequences "问责"

rule retire_denied "不得退休"
  cites 细则 "第七条"
  when 超上限
  then ineligible
    message "不得自愿退休"
    consequences "自愿退休"
`;

describe('conflicts are about one subject', () => {
  const ir = compileSource(policy, { file: 's.policy' }).value!;
  const lib = new PolicyLibrary();
  lib.add(ir);
  const resolved = lib.resolve('t/subject', { asOf: '2020-06-01' }).value!;
  const compiled = compilePolicy(resolved);

  it.each([
    { note: 'retirement and a promotion bar are different benefits', facts: { 女55: true, 调整未满一年: true }, want: [] },
    { note: 'a denial naming the same consequence conflicts', facts: { 女55: true, 超上限: true }, want: [['retire', 'retire_denied']] },
    { note: 'outcomes naming no consequence and one naming some differ', facts: { 女55: true, 超上限: false, 调整未满一年: false }, want: [] },
    { note: 'commendation and accountability of the same unit always conflict', facts: { 业绩突出: true, 弄虚作假: true }, want: [['promote', 'blame']] },
  ])('$note', async ({ facts, want }) => {
    const sync = evaluateSync(resolved, facts, { asOf: '2020-06-01' });
    expect(sync.conflicts.map((c) => c.rules)).toEqual(want);
    expect((await evaluate(resolved, facts, { asOf: '2020-06-01' })).conflicts).toEqual(sync.conflicts);
    expect(compiled.decide(facts, { asOf: '2020-06-01' }).conflicts).toEqual(sync.conflicts);
  });
});
