/** Smaller contracts of the stage: schema diagnostics, hashing, typeOf, the stage driver, base chains. */
import { describe, expect, it } from 'vitest';
import { validateIr } from '../../../engine/ir/validate.ts';
import { canonicalJson, policyHash, sha256Hex } from '../../../engine/ir/hash.ts';
import { envForPolicy, typeOf } from '../../../engine/ir/typecheck.ts';
import { compileSource, compileStages, STAGES } from '../../../engine/ir/compile.ts';
import { editDistance, nearest } from '../../../engine/ir/fromAst.ts';
import type { Expr, PolicyIR, PolicyRef } from '../../../engine/ir/types.ts';

const minimal = (): PolicyIR => ({
  irVersion: 1,
  id: 't/x',
  title: 't',
  jurisdiction: 't',
  version: '1',
  effectiveFrom: '2020-01-01',
  sources: [{ key: '办法', title: '办法' }],
  facts: [
    { name: '金额', label: '金额', type: { kind: 'money' } },
    { name: '人数', label: '人数', type: { kind: 'integer' } },
    { name: '日期', label: '日期', type: { kind: 'date' } },
    { name: '用途', label: '用途', type: { kind: 'enum', values: [{ value: '种植', label: '种植业' }] } },
    { name: '贷款', label: '贷款', type: { kind: 'list', fields: [{ name: '本金', label: '本金', type: { kind: 'money' } }] } },
  ],
  parameters: [{ name: '红线', label: '红线', type: { kind: 'percent' }, values: [{ from: '2020-01-01', value: 3 }] }],
  definitions: [{ name: '总额', expr: { type: 'aggregate', fn: 'sum', list: '贷款', value: { type: 'field', name: '本金' } } }],
  rules: [],
});

describe('validateIr', () => {
  it('accepts a minimal policy', () => {
    expect(validateIr(minimal())).toEqual({ value: minimal(), diagnostics: [] });
  });

  it('accepts every optional field types.ts declares', () => {
    const ir: PolicyIR = {
      ...minimal(),
      titleEn: 'T',
      effectiveUntil: '2021-01-01',
      extends: { policy: 't/base', version: '1' },
      supersedes: [{ policy: 't/old' }],
      sources: [{ key: '办法', title: '办法', number: '甘财农〔2017〕41号', issuedBy: '甘肃省财政厅', issuedOn: '2017-08-01' }],
      facts: [{ name: '甲', label: '甲', labelEn: 'A', description: '说明', type: { kind: 'enum', values: [{ value: 'x', label: 'x', labelEn: 'X' }] } }],
      parameters: [{ name: '乙', label: '乙', labelEn: 'B', type: { kind: 'date' }, values: [{ from: '2020-01-01', value: '2020-02-02', cites: { source: '办法', article: '一', quote: 'q' } }] }],
      definitions: [{ name: '丙', label: '丙', labelEn: 'C', expr: { type: 'in', value: { type: 'fact', name: '甲' }, options: [{ type: 'string', value: 'x' }], negated: true } }],
      rules: [
        {
          id: 'r',
          title: 'r',
          titleEn: 'R',
          cites: { source: '办法', article: '一', quote: 'q' },
          lets: [{ name: '丁', expr: { type: 'between', value: { type: 'number', value: 1, integer: true }, low: { type: 'percent', value: 3 }, high: { type: 'money', yuan: 2 }, lowInclusive: true, highInclusive: false } }],
          when: { type: 'if', cond: { type: 'boolean', value: true }, then: { type: 'asOf' }, else: { type: 'duration', amount: 3, unit: 'workdays' } },
          then: { kind: 'computation', severity: 'critical', message: { zh: 'm', en: 'M' }, consequences: ['c'], computed: [{ name: 'x', label: 'x', labelEn: 'X', expr: { type: 'neg', arg: { type: 'param', name: '乙' } } }] },
          exceptionTo: 'q',
          overrides: true,
        },
      ],
      disabled: [{ rule: 'z', reason: 'why' }],
    };
    // Schema validity only: this IR is deliberately not well typed.
    expect(validateIr(ir).diagnostics).toEqual([]);
  });

  const bad: [string, (ir: Record<string, unknown>) => void, string][] = [
    ['extra property', (ir) => (ir.extra = 1), '/'],
    ['missing property', (ir) => delete ir.sources, '/'],
    ['wrong irVersion', (ir) => (ir.irVersion = 2), '/irVersion'],
    ['bad date', (ir) => (ir.effectiveFrom = '2020/01/01'), '/effectiveFrom'],
    ['unknown expression node', (ir) => ((ir.definitions as { expr: unknown }[])[0]!.expr = { type: 'bogus' }), '/definitions/0/expr'],
    ['nested bad operand', (ir) => ((ir.definitions as { expr: unknown }[])[0]!.expr = { type: 'not', arg: { type: 'number', value: '3' } }), '/definitions/0/expr/arg/value'],
    ['unknown fact kind', (ir) => ((ir.facts as { type: unknown }[])[0]!.type = { kind: 'decimal' }), '/facts/0/type'],
  ];
  it.each(bad)('%s → ir.schema at the JSON pointer', (_note, mutate, pointer) => {
    const ir = structuredClone(minimal()) as unknown as Record<string, unknown>;
    mutate(ir);
    const r = validateIr(ir);
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.length).toBeGreaterThan(0);
    const d = r.diagnostics[0]!;
    expect(d.code).toBe('ir.schema');
    expect(d.severity).toBe('error');
    expect(d.message.en).toContain(`at ${pointer}`);
    expect(d.message.zh).toContain(`位置 ${pointer}`);
    expect(d.hint?.zh).toContain(pointer);
  });

  it('rejects non-objects without throwing', () => {
    for (const v of [null, 3, 'x', []]) expect(validateIr(v).diagnostics[0]?.code).toBe('ir.schema');
  });
});

describe('hashing', () => {
  it('sha256 matches the FIPS 180-4 test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(sha256Hex('a'.repeat(1000))).toBe('41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3');
    // UTF-8, not UTF-16: "条文" is 6 bytes.
    expect(sha256Hex('条文')).toBe(sha256Hex(new TextEncoder().encode('条文')));
  });

  it('canonical JSON sorts keys at every depth, drops undefined, keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: undefined, x: 2 }], c: 'é' } })).toBe('{"a":{"c":"é","d":[3,{"x":2,"z":1}]},"b":1}');
    expect(canonicalJson([undefined, null])).toBe('[null,null]');
  });

  it('policyHash depends on content, not key order', () => {
    const a = minimal();
    const reverseKeys = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reverseKeys) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)])) : v;
    const b = reverseKeys(a) as PolicyIR;
    expect(JSON.stringify(b)).not.toBe(JSON.stringify(a));
    expect(policyHash(b)).toBe(policyHash(a));
    expect(policyHash({ ...a, title: 'u' })).not.toBe(policyHash(a));
  });
});

describe('typeOf', () => {
  const env = envForPolicy(minimal());
  const cases: [string, Expr, string][] = [
    ['ratio is a percent', { type: 'aggregate', fn: 'ratio', list: '贷款' }, 'percent'],
    ['sum of money is money', { type: 'ref', name: '总额' }, 'money'],
    ['money / money is a number', { type: 'arith', op: '/', left: { type: 'fact', name: '金额' }, right: { type: 'fact', name: '金额' } }, 'number'],
    ['money * integer is money', { type: 'arith', op: '*', left: { type: 'fact', name: '金额' }, right: { type: 'number', value: 2, integer: true } }, 'money'],
    ['date - date is an integer', { type: 'arith', op: '-', left: { type: 'asOf' }, right: { type: 'fact', name: '日期' } }, 'integer'],
    ['date + duration is a date', { type: 'arith', op: '+', left: { type: 'fact', name: '日期' }, right: { type: 'duration', amount: 5, unit: 'workdays' } }, 'date'],
    ['integer + integer stays integer', { type: 'arith', op: '+', left: { type: 'fact', name: '人数' }, right: { type: 'number', value: 1, integer: true } }, 'integer'],
    ['integer / integer is a number', { type: 'arith', op: '/', left: { type: 'fact', name: '人数' }, right: { type: 'number', value: 2, integer: true } }, 'number'],
    ['round of a number is an integer', { type: 'call', fn: 'round', args: [{ type: 'number', value: 2.5 }] }, 'integer'],
    ['parameter of percent', { type: 'param', name: '红线' }, 'percent'],
    ['count is an integer', { type: 'aggregate', fn: 'count', list: '贷款' }, 'integer'],
    ['known is boolean', { type: 'call', fn: 'known', args: [{ type: 'fact', name: '金额' }] }, 'boolean'],
  ];
  it.each(cases)('%s', (_n, e, kind) => {
    expect(typeOf(e, env).kind).toBe(kind);
  });

  it('gives enums their declared values', () => {
    expect(typeOf({ type: 'fact', name: '用途' }, env)).toEqual({ kind: 'enum', fact: '用途', values: ['种植'] });
  });

  it('throws on ill-typed IR (a bug in whoever built it)', () => {
    expect(() => typeOf({ type: 'arith', op: '+', left: { type: 'fact', name: '金额' }, right: { type: 'number', value: 1, integer: true } }, env)).toThrow(TypeError);
  });
});

describe('edit distance', () => {
  it.each([
    ['', 'abc', 3],
    ['贷款金额', '贷款金额', 0],
    ['贷款金额', '贷款余额', 1],
    ['kitten', 'sitting', 3],
  ] as const)('%s ↔ %s = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
  it('suggests only plausible typos', () => {
    expect(nearest('逾期天', ['逾期天数', '金额'])).toBe('逾期天数');
    expect(nearest('完全不同的名字', ['金额'])).toBeUndefined();
  });
});

const POLICY = `policy "t/x"
  title "t"
  jurisdiction t
  version "1"
  effective from 2020-01-01
  source 办法 "办法"

facts
  通过 "通过": boolean

rule r "r"
  cites 办法 "第一条"
  when 通过
  then notice
    message "m"
`;

describe('compileStages', () => {
  it('names its stages in order', () => {
    expect(STAGES).toEqual(['parse', 'lower', 'validate']);
  });

  it('stops at the AST for --dump ast', () => {
    const r = compileStages(POLICY, { file: 'x.policy' }, 'ast');
    expect(r.diagnostics).toEqual([]);
    expect(r.value?.rules[0]?.when).toMatchObject({ type: 'name', name: '通过' });
  });

  it('gives the IR for --dump ir', () => {
    const r = compileStages(POLICY, { file: 'x.policy' }, 'ir');
    expect(r.value?.rules[0]?.when).toEqual({ type: 'fact', name: '通过' });
  });

  it('does not lower after a syntax error', () => {
    const r = compileSource(POLICY.replace('when 通过', 'when 通过 >'), { file: 'x.policy' });
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.diagnostics.every((d) => !d.code.startsWith('ir.'))).toBe(true);
  });

  it('reads the YAML form by file name', () => {
    const yaml = `policy: t/x
title: t
jurisdiction: t
version: "1"
effective: { from: 2020-01-01 }
sources: [ { key: 办法, title: 办法 } ]
facts: [ { name: 通过, label: 通过, type: boolean } ]
rules:
  - id: r
    title: r
    cites: { source: 办法, article: 第一条 }
    when: 通过
    then: { kind: notice, message: { zh: m } }
`;
    const fromYaml = compileSource(yaml, { file: 'x.policy.yaml' });
    expect(fromYaml.diagnostics).toEqual([]);
    expect(fromYaml.value).toEqual(compileSource(POLICY, { file: 'x.policy' }).value);
  });
});

describe('extends: names resolve through the whole base chain', () => {
  const header = (id: string, ext?: string): string =>
    `policy "${id}"\n  title "t"\n  jurisdiction t\n  version "1"\n  effective from 2020-01-01\n${ext ? `  extends "${ext}"\n` : ''}  source 办法${id.length} "办法"\n`;
  const grand = compileSource(header('t/a') + `facts\n  甲 "甲": integer\nparameter 上限 "上限": integer\n  3 from 2020-01-01\nrule ra "ra"\n  cites 办法3 "1"\n  when 甲 > 上限\n  then notice\n    message "m"\n`, { file: 'a.policy' }).value!;
  const parent = compileSource(header('t/bb', 't/a') + `let 倍 = 甲 * 2\n`, { file: 'b.policy', resolveBase: () => grand }).value!;
  const bases: Record<string, PolicyIR> = { 't/a': grand, 't/bb': parent };
  const resolveBase = (ref: PolicyRef): PolicyIR | undefined => bases[ref.policy];

  it('compiles the chain', () => {
    expect(grand).toBeDefined();
    expect(parent).toBeDefined();
  });

  it('resolves facts, parameters, definitions, sources and rule ids of every ancestor', () => {
    const r = compileSource(
      header('t/ccc', 't/bb') +
        `rule rc "rc"\n  cites 办法3 "2"\n  exception to ra\n  when 倍 > 上限 and 甲 > 0\n  then notice\n    message "m"\n`,
      { file: 'c.policy', resolveBase },
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.value!.rules[0]!.when).toEqual({
      type: 'and',
      args: [
        { type: 'compare', op: '>', left: { type: 'ref', name: '倍' }, right: { type: 'param', name: '上限' } },
        { type: 'compare', op: '>', left: { type: 'fact', name: '甲' }, right: { type: 'number', value: 0, integer: true } },
      ],
    });
    // Only the policy's own declarations are kept.
    expect(r.value!.facts).toEqual([]);
    expect(r.value!.definitions).toEqual([]);
  });

  it('reports a fact the base already declares', () => {
    const r = compileSource(header('t/ccc', 't/bb') + `facts\n  甲 "甲": integer\n`, { file: 'c.policy', resolveBase });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['ir.duplicate-fact']);
  });

  it('lets a variant give a base parameter new values', () => {
    const r = compileSource(header('t/ccc', 't/bb') + `parameter 上限 "上限": integer\n  5 from 2021-01-01\n`, { file: 'c.policy', resolveBase });
    expect(r.diagnostics).toEqual([]);
    expect(r.value!.parameters[0]!.values).toEqual([{ from: '2021-01-01', value: 5 }]);
  });

  it('stays quiet about inherited names when the base cannot be found', () => {
    const r = compileSource(header('t/ccc', 't/missing') + `rule rc "rc"\n  cites 某办法 "2"\n  when 倍 > 上限\n  then notice\n    message "m"\n`, { file: 'c.policy', resolveBase });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['ir.unreachable-extends']);
  });
});
