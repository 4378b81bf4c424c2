/**
 * engine/privacy: which personal facts a policy version masks, keeps or hashes (the plan, from
 * what its rules read, record fields included), and masking facts by a plan.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getHashes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../../engine/ir/compile.ts';
import { PolicyLibrary } from '../../../engine/library/library.ts';
import { privacyPlan } from '../../../engine/privacy/plan.ts';
import { hidePaths, maskFacts, subjectKeyOf, subjectKeysOf, type MaskSpec } from '../../../engine/privacy/mask.ts';
import type { PolicyIR } from '../../../engine/ir/types.ts';

const FIXTURE = join(import.meta.dirname, '../../fixtures/ir/personal');

function compile(text: string, base?: PolicyIR): PolicyIR {
  const r = compileSource(text, { resolveBase: () => base });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.value!;
}

const HEADER = `policy "demo/p"
  title "T"
  jurisdiction demo
  version "1"
  effective from 2020-01-01
  source 办法 "办法"
`;

describe('privacy plan', () => {
  it('masks personal facts and fields no rule reads, keeps those read in conditions, aggregates, known() and computed values', () => {
    const ir = compile(`${HEADER}
facts
  身份证号 "身份证号": string subject
  姓名 "姓名": string personal
  电话 "电话": string personal
  住址 "住址": string personal
  备注 "备注": string
  成员 "成员": list of {
    名字 "名字": string personal
    证号 "证号": string personal
    年龄 "年龄": integer
  }

let 有名字 = count(成员 where known(名字))

rule a "a"
  cites 办法 "一"
  when 有名字 > 0 and 姓名 != ""
  then notice
    message "m"
    compute 地 = if known(住址) then 1 else 0
`);
    const plan = privacyPlan(ir);
    expect(plan.subject).toBe('身份证号');
    expect(plan.kept.sort()).toEqual(['住址', '姓名', '成员[].名字'].sort());
    expect(plan.masked).toEqual(['电话']);
    expect(plan.maskedFields).toEqual({ 成员: ['证号'] });
    expect(privacyPlan(ir)).toBe(plan); // once per IR object
  });

  it('a variant inherits the base subject and personal facts', () => {
    const base = compileSource(readFileSync(join(FIXTURE, 'base.policy'), 'utf8')).value!;
    const variant = compile(readFileSync(join(FIXTURE, 'input.policy'), 'utf8'), base);
    const lib = new PolicyLibrary();
    lib.add(base);
    lib.add(variant);
    const resolved = lib.resolve('gansu/household-check', { version: '2017' }).value!;
    const plan = privacyPlan(resolved.ir);
    expect(plan.subject).toBe('身份证号');
    expect(plan.masked.sort()).toEqual(['户主姓名', '联系电话'].sort());
    expect(plan.maskedFields).toEqual({ 家庭成员: ['姓名'] });
    expect(plan.kept).toEqual([]);
  });
});

describe('masking facts', () => {
  const spec = (over: Partial<MaskSpec> = {}): MaskSpec => ({
    names: [],
    plan: { masked: ['电话'], maskedFields: { 成员: ['证号'] }, subject: '身份证号' },
    salt: 'salt',
    key: 'ab'.repeat(32),
    alg: 'sha256',
    ...over,
  });
  const facts = { 身份证号: '620102199001011234', 电话: '13912345678', 姓名: '王大', 成员: [{ 证号: 'X1', 年龄: 3 }, { 年龄: 5 }], 其他: { 备注: 'n' } };

  it('masks by the plan and the server-wide names together, the subject as an HMAC', () => {
    const m = maskFacts(facts, spec({ names: ['备注'] }));
    const f = m.facts as typeof facts;
    expect(f.电话).toMatch(/^masked:[0-9a-f]{24}$/);
    expect(f.成员[0]!.证号).toMatch(/^masked:/);
    expect(f.成员[1]).toEqual({ 年龄: 5 });
    expect(f.其他.备注).toMatch(/^masked:/); // any depth, as maskFields always did
    expect(f.姓名).toBe('王大');
    expect(f.身份证号).toBe(m.subjectKey);
    expect(m.subjectKey).toBe(subjectKeyOf('sha256', 'ab'.repeat(32), '620102199001011234'));
    expect(m.subjectKey).toMatch(/^hmac-sha256:[0-9a-f]{32}$/);
    expect(subjectKeysOf('ab'.repeat(32), '620102199001011234')).toContain(m.subjectKey);
    expect(subjectKeyOf('sha256', 'cd'.repeat(32), '620102199001011234')).not.toBe(m.subjectKey); // keyed
    expect(m.masked).toEqual(['备注', '电话', '证号', '身份证号'].sort());
    expect(JSON.stringify(m.facts)).not.toMatch(/620102199001011234|13912345678|X1/);
  });

  it('an integer subject is found by its digits', () => {
    const m = maskFacts({ 身份证号: 12345 }, spec());
    expect(subjectKeysOf('ab'.repeat(32), '12345')).toContain(m.subjectKey);
  });

  it.runIf(getHashes().includes('sm3'))('uses SM3 for the subject when the log hashes with SM3', () => {
    const m = maskFacts(facts, spec({ alg: 'sm3' }));
    expect(m.subjectKey).toMatch(/^hmac-sm3:[0-9a-f]{32}$/);
    expect(subjectKeysOf('ab'.repeat(32), '620102199001011234')).toContain(m.subjectKey);
  });

  it('leaves the facts untouched when there is nothing to mask', () => {
    const m = maskFacts(facts, spec({ plan: { masked: [], maskedFields: {} } }));
    expect(m.facts).toBe(facts);
    expect(m.masked).toEqual([]);
  });

  it('hides kept paths for a reader, top-level and in records', () => {
    const hidden = hidePaths(facts, ['姓名', '成员[].证号'], 'salt') as typeof facts;
    expect(hidden.姓名).toMatch(/^masked:/);
    expect(hidden.成员[0]!.证号).toMatch(/^masked:/);
    expect(hidden.成员[1]).toEqual({ 年龄: 5 });
    expect(facts.姓名).toBe('王大'); // not changed in place
  });
});
