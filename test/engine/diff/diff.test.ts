import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffPolicies, displayValue, textDiff } from '../../../engine/diff/index.ts';
import type { PolicyIR, RuleIR } from '../../../engine/ir/types.ts';

const rule = (id: string, over: Partial<RuleIR> = {}): RuleIR => ({
  id,
  title: `规则 ${id}`,
  cites: { source: '指南', article: '三(六)' },
  lets: [],
  when: { type: 'compare', op: '>', left: { type: 'fact', name: '比率' }, right: { type: 'param', name: '红线' } },
  then: { kind: 'violation', severity: 'high', message: { zh: '超过红线' }, consequences: [], computed: [] },
  ...over,
});

const base: PolicyIR = {
  irVersion: 1,
  id: 'demo/loan',
  title: '演示',
  jurisdiction: 'demo',
  version: '1',
  effectiveFrom: '2015-01-01',
  sources: [{ key: '指南', title: '操作指南' }],
  facts: [
    { name: '比率', label: '不良率', type: { kind: 'percent' } },
    { name: '用途', label: '用途', type: { kind: 'enum', values: [{ value: '种植', label: '种植业' }] } },
  ],
  parameters: [{ name: '红线', label: '红线', type: { kind: 'percent' }, values: [{ from: '2015-01-01', value: 3 }] }],
  definitions: [],
  rules: [rule('a'), rule('b')],
};

const change = (f: (p: PolicyIR) => void): PolicyIR => {
  const p = structuredClone(base);
  f(p);
  return p;
};

describe('diffPolicies', () => {
  it('finds nothing between a policy and itself', () => {
    expect(diffPolicies(base, structuredClone(base)).same).toBe(true);
  });

  it.each<[string, PolicyIR, (d: ReturnType<typeof diffPolicies>) => unknown, unknown]>([
    ['a threshold, per date', change((p) => p.parameters[0].values.push({ from: '2021-01-01', value: 5 })), (d) => d.parameters.changed[0].values, [{ from: '2021-01-01', new: 5, display: { new: { zh: '5%', en: '5%' } } }]],
    ['a changed value', change((p) => (p.parameters[0].values[0].value = 4)), (d) => d.parameters.changed[0].values, [{ from: '2015-01-01', old: 3, new: 4, display: { old: { zh: '3%', en: '3%' }, new: { zh: '4%', en: '4%' } } }]],
    ['a rule added', change((p) => p.rules.push(rule('c'))), (d) => d.rules.added.map((r) => r.id), ['c']],
    ['a rule removed', change((p) => p.rules.pop()), (d) => d.rules.removed.map((r) => r.id), ['b']],
    ['an outcome severity', change((p) => (p.rules[0].then.severity = 'low')), (d) => d.rules.changed[0].changes, [{ field: 'outcome.severity', old: 'high', new: 'low' }]],
    ['a citation', change((p) => (p.rules[1].cites.article = '四')), (d) => d.rules.changed.map((r) => [r.id, r.changes[0].field]), [['b', 'citation']]],
    ['an exception', change((p) => (p.rules[1].exceptionTo = 'a')), (d) => d.rules.changed[0].changes[0], { field: 'exceptionTo', new: 'a' }],
    ['an enum value', change((p) => p.facts[1].type.kind === 'enum' && p.facts[1].type.values.push({ value: '养殖', label: '养殖业' })), (d) => d.facts.changed[0].changes, [{ field: 'enum.养殖', new: '养殖业' }]],
    ['a fact type', change((p) => (p.facts[0].type = { kind: 'number' })), (d) => d.facts.changed[0].changes, [{ field: 'type', old: 'percent', new: 'number' }]],
    ['the period', change((p) => (p.effectiveUntil = '2020-12-31')), (d) => d.header, [{ field: 'effectiveUntil', new: '2020-12-31' }]],
    ['a disabled rule', change((p) => (p.disabled = [{ rule: 'a', reason: '废止' }])), (d) => d.disabled, { added: ['a'], removed: [] }],
  ])('reports %s', (_note, b, pick, want) => {
    const d = diffPolicies(base, b);
    expect(d.same).toBe(false);
    expect(pick(d)).toEqual(want);
  });

  it('prints a changed condition as DSL text on both sides', () => {
    const b = change((p) => (p.rules[0].when = { type: 'compare', op: '>=', left: { type: 'fact', name: '比率' }, right: { type: 'param', name: '红线' } }));
    const c = diffPolicies(base, b).rules.changed[0].changes[0];
    expect(c.field).toBe('condition');
    expect(String(c.old)).toMatch(/比率\s*>\s*红线/);
    expect(String(c.new)).toMatch(/比率\s*(>=|≥)\s*红线/);
  });

  it('diffing is antisymmetric in added/removed', () => {
    fc.assert(
      fc.property(fc.subarray(['a', 'b', 'c', 'd', 'e']), fc.subarray(['a', 'b', 'c', 'd', 'e']), (xs, ys) => {
        const a = change((p) => (p.rules = xs.map((x) => rule(x))));
        const b = change((p) => (p.rules = ys.map((y) => rule(y))));
        const ab = diffPolicies(a, b).rules;
        const ba = diffPolicies(b, a).rules;
        expect(ab.added.map((r) => r.id)).toEqual(ba.removed.map((r) => r.id).sort((m, n) => ys.indexOf(m) - ys.indexOf(n)));
        expect(ab.removed.length).toBe(ba.added.length);
      }),
      { numRuns: 50 },
    );
  });
});

describe('displayValue', () => {
  it.each<[Parameters<typeof displayValue>[0], unknown, { zh: string; en: string }]>([
    ['money', 50000, { zh: '5万元', en: 'CNY 50,000' }],
    ['money', 1234.5, { zh: '1,234.5元', en: 'CNY 1,234.5' }],
    ['percent', 3, { zh: '3%', en: '3%' }],
    ['boolean', true, { zh: '是', en: 'yes' }],
    ['integer', 30, { zh: '30', en: '30' }],
    ['duration', '30 days', { zh: '30天', en: '30 days' }],
    ['duration', '20 workdays', { zh: '20个工作日', en: '20 working days' }],
  ])('%s %s', (kind, v, want) => expect(displayValue(kind, v)).toEqual(want));
});

describe('textDiff', () => {
  it('sends the hunks only: changes with three lines of context, the rest counted', () => {
    const a = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    const b = a.replace('line 10\n', 'line ten\n').replace('line 30\n', 'line thirty\n');
    const d = textDiff(a, b);
    expect(d.lines.filter((l) => l.op === ' ').map((l) => l.a)).toEqual([7, 8, 9, 11, 12, 13, 27, 28, 29, 31, 32, 33]);
    expect(d.lines.filter((l) => l.op !== ' ').map((l) => l.text)).toEqual(['line 10', 'line ten', 'line 30', 'line thirty']);
    expect(d.unchanged).toBe(40 - 2 - 12);
    expect(textDiff(a, a)).toMatchObject({ lines: [], added: 0, removed: 0, unchanged: 40 });
  });

  it('numbers lines on each side', () => {
    const d = textDiff('a\nb\nc\n', 'a\nB\nc\nd\n');
    expect(d.lines).toEqual([
      { op: ' ', a: 1, b: 1, text: 'a' },
      { op: '-', a: 2, text: 'b' },
      { op: '+', b: 2, text: 'B' },
      { op: ' ', a: 3, b: 3, text: 'c' },
      { op: '+', b: 4, text: 'd' },
    ]);
    expect([d.added, d.removed]).toEqual([2, 1]);
  });

  it('rebuilds both texts from the lines', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('x', 'y', 'z', '条文'), { maxLength: 12 }), fc.array(fc.constantFrom('x', 'y', 'z', '条文'), { maxLength: 12 }), (as, bs) => {
        const a = as.map((l) => l + '\n').join('');
        const b = bs.map((l) => l + '\n').join('');
        const d = textDiff(a, b, Infinity);
        expect(d.lines.filter((l) => l.op !== '+').map((l) => l.text + '\n').join('')).toBe(a);
        expect(d.lines.filter((l) => l.op !== '-').map((l) => l.text + '\n').join('')).toBe(b);
      }),
      { numRuns: 100 },
    );
  });
});
