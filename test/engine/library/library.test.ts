import { describe, expect, it } from 'vitest';
import { PolicyLibrary } from '../../../engine/library/library.ts';
import { DIAGNOSTICS, diagnostic, type EngineCode } from '../../../engine/messages.ts';
import { evaluate } from '../../../engine/evaluate/decide.ts';
import type { PolicyIR } from '../../../engine/ir/types.ts';
import { F, P, cmp, N, fact, policy, rule } from '../evaluate/ir.ts';

const v = (version: string, effectiveFrom: string, effectiveUntil?: string, over: Partial<PolicyIR> = {}): PolicyIR =>
  policy({ id: 'gansu/loan', version, effectiveFrom, ...(effectiveUntil ? { effectiveUntil } : {}), ...over });

describe('temporal resolution', () => {
  const lib = new PolicyLibrary();
  lib.add(v('2015', '2015-06-01', '2017-12-31'));
  lib.add(v('2019', '2019-01-01', '2020-12-31'));

  it.each([
    ['2015-05-31', undefined, 'before the first version'],
    ['2015-06-01', '2015', 'on the first day'],
    ['2017-12-31', '2015', 'on the last day (inclusive)'],
    ['2018-01-01', undefined, 'after until, in the gap'],
    ['2019-07-01', '2019', 'inside the second'],
    ['2021-01-01', undefined, 'after the last until'],
  ] as [string, string | undefined, string][])('%s → %s (%s)', (asOf, version) => {
    const r = lib.resolve('gansu/loan', { asOf });
    if (version) {
      expect(r.value?.stamp.version).toBe(version);
      expect(r.diagnostics).toEqual([]);
    } else {
      expect(r.value).toBeUndefined();
      expect(r.diagnostics[0]?.code).toBe('engine.no-version-in-force');
      expect(r.diagnostics[0]?.message.en).toBe(`no version of gansu/loan in force on ${asOf}`);
      expect(r.diagnostics[0]?.hint?.en).toContain('2015: 2015-06-01 – 2017-12-31');
      expect(r.diagnostics[0]?.hint?.zh).toContain('2019: 2019-01-01 – 2020-12-31');
    }
  });

  it('lists versions by effectiveFrom and looks them up', () => {
    const l = new PolicyLibrary();
    l.add(v('b', '2019-01-01'));
    l.add(v('a', '2015-01-01', '2018-12-31'));
    expect(l.versions('gansu/loan').map((x) => x.version)).toEqual(['a', 'b']);
    expect(l.get('gansu/loan', 'b')?.effectiveFrom).toBe('2019-01-01');
    expect(l.ids()).toEqual(['gansu/loan']);
  });

  it('warns about overlapping periods and lets the later start win', () => {
    const l = new PolicyLibrary();
    expect(l.add(v('old', '2015-01-01'))).toEqual([]);
    const d = l.add(v('new', '2018-01-01'));
    expect(d.map((x) => [x.code, x.severity])).toEqual([['engine.overlapping-periods', 'warning']]);
    expect(l.resolve('gansu/loan', { asOf: '2017-12-31' }).value?.stamp.version).toBe('old');
    expect(l.resolve('gansu/loan', { asOf: '2018-01-01' }).value?.stamp.version).toBe('new');
  });

  it('replaces a version added twice, with a warning', () => {
    const l = new PolicyLibrary();
    l.add(v('1', '2015-01-01'));
    const d = l.add(v('1', '2016-01-01'));
    expect(d.map((x) => x.code)).toEqual(['engine.duplicate-version']);
    expect(l.versions('gansu/loan')).toHaveLength(1);
    expect(l.get('gansu/loan', '1')?.effectiveFrom).toBe('2016-01-01');
  });

  it('resolves a pinned version and reports unknown ones', () => {
    expect(lib.resolve('gansu/loan', { version: '2015', asOf: '2030-01-01' }).value?.stamp.version).toBe('2015');
    expect(lib.resolve('gansu/loan', { version: '2099' }).diagnostics[0]?.code).toBe('engine.unknown-version');
    expect(lib.resolve('nowhere/x', { asOf: '2020-01-01' }).diagnostics[0]?.code).toBe('engine.unknown-policy');
  });

  it('merges and hashes once per chain, whatever the as-of date', () => {
    const a = lib.resolve('gansu/loan', { asOf: '2019-07-01' }).value;
    expect(lib.resolve('gansu/loan', { asOf: '2020-01-01' }).value).toBe(a);
  });

  it('stamps the resolved policy with its hash', () => {
    const r = lib.resolve('gansu/loan', { asOf: '2019-07-01' }).value!;
    expect(r.stamp).toMatchObject({ id: 'gansu/loan', version: '2019', jurisdiction: 'test' });
    expect(r.stamp.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

// A central base and a provincial variant.
const central = (version: string, from: string, until?: string, threshold = 10): PolicyIR =>
  policy({
    id: 'central/duty',
    jurisdiction: 'central',
    version,
    effectiveFrom: from,
    ...(until ? { effectiveUntil: until } : {}),
    sources: [{ key: '办法', title: '中央办法', number: '厅字〔2016〕33号' }],
    facts: [fact('a', 'integer', '问题数'), fact('f', 'boolean', '成效显著'), fact('g', 'boolean', '不负责任')],
    parameters: [{ name: '阈值', label: '问题阈值', type: { kind: 'integer' }, values: [{ from: '2000-01-01', value: threshold }] }],
    rules: [
      rule('too_many', cmp('>', F('a'), P('阈值')), { cites: { source: '办法', article: '第二十五条' } }),
      rule('commend', F('f'), {
        cites: { source: '办法', article: '第二十五条' },
        then: { kind: 'commendation', message: { zh: '表彰' }, consequences: [], computed: [] },
      }),
      rule('legacy', F('g'), { cites: { source: '办法', article: '第三十条' } }),
    ],
  });

const gansu = (over: Partial<PolicyIR> = {}): PolicyIR =>
  policy({
    id: 'gansu/duty',
    jurisdiction: 'gansu',
    version: '2017',
    effectiveFrom: '2017-03-09',
    extends: { policy: 'central/duty' },
    sources: [{ key: '办法', title: '甘肃实施办法' }],
    facts: [fact('h', 'boolean', '数字脱贫')],
    parameters: [],
    rules: [
      rule('too_many', cmp('>', F('a'), N(5)), { overrides: true, cites: { source: '办法', article: '第三十三条' } }),
      rule('fake_exit', F('h'), {
        exceptionTo: 'commend',
        cites: { source: '办法', article: '第三十三条第(四)项' },
        then: { kind: 'accountability', message: { zh: '问责' }, consequences: [], computed: [] },
      }),
      rule('blame', F('g'), {
        cites: { source: '办法', article: '第三十四条' },
        then: { kind: 'accountability', message: { zh: '问责' }, consequences: [], computed: [] },
      }),
    ],
    disabled: [{ rule: 'legacy', reason: '甘肃另有规定' }],
    ...over,
  });

function library(...irs: PolicyIR[]): PolicyLibrary {
  const l = new PolicyLibrary();
  for (const ir of irs) l.add(ir);
  return l;
}

describe('extends', () => {
  const lib = library(central('2016', '2016-01-01'), gansu());
  const resolved = lib.resolve('gansu/duty', { asOf: '2018-01-01' }).value!;

  it('inherits facts, parameters and sources; applies overrides and disables', () => {
    expect(resolved.ir.facts.map((f) => f.name)).toEqual(['a', 'f', 'g', 'h']);
    expect(resolved.ir.parameters.map((p) => p.name)).toEqual(['阈值']);
    expect(resolved.ir.rules.map((r) => r.id)).toEqual(['too_many', 'commend', 'fake_exit', 'blame']);
    expect(resolved.ir.rules[0]?.cites.article).toBe('第三十三条');
    expect(resolved.ir.disabled).toEqual([{ rule: 'legacy', reason: '甘肃另有规定' }]);
    expect(resolved.chain.map((c) => c.id)).toEqual(['central/duty', 'gansu/duty']);
    expect(resolved.ruleOrigin).toEqual({
      too_many: { policyId: 'gansu/duty', jurisdiction: 'gansu', version: '2017' },
      commend: { policyId: 'central/duty', jurisdiction: 'central', version: '2016' },
      fake_exit: { policyId: 'gansu/duty', jurisdiction: 'gansu', version: '2017' },
      blame: { policyId: 'gansu/duty', jurisdiction: 'gansu', version: '2017' },
    });
  });

  it('cites the base document for inherited rules and its own for overrides', async () => {
    const d = await evaluate(resolved, { a: 6, f: true, g: false, h: false }, { asOf: '2018-01-01' });
    const byId = Object.fromEntries(d.outcomes.map((o) => [o.ruleId, o.citation]));
    expect(byId.too_many).toMatchObject({ policyId: 'gansu/duty', jurisdiction: 'gansu', documentTitle: '甘肃实施办法', article: '第三十三条' });
    expect(byId.commend).toMatchObject({
      policyId: 'central/duty',
      jurisdiction: 'central',
      documentTitle: '中央办法',
      documentNumber: '厅字〔2016〕33号',
      article: '第二十五条',
    });
  });

  it('does not run a disabled rule', async () => {
    const d = await evaluate(resolved, { g: true }, { asOf: '2018-01-01', explain: true });
    expect(d.outcomes.map((o) => o.ruleId)).toEqual(['blame']);
    expect(d.trace?.find((t) => t.ruleId === 'legacy')?.result).toBe('disabled');
  });

  it('suppresses the rule an exception is to, when the exception fires', async () => {
    const d = await evaluate(resolved, { f: true, h: true, a: 0, g: false }, { asOf: '2018-01-01' });
    expect(d.outcomes.map((o) => o.ruleId)).toEqual(['fake_exit']);
    expect(d.suppressed).toEqual([{ ruleId: 'commend', byRuleId: 'fake_exit', citation: expect.objectContaining({ policyId: 'central/duty' }) }]);
    // commendation vs accountability, but one is an exception to the other: no conflict.
    expect(d.conflicts).toEqual([]);
  });

  it('leaves a fired rule undetermined while its exception is undetermined', async () => {
    const d = await evaluate(resolved, { f: true, a: 0, g: false }, { asOf: '2018-01-01' });
    expect(d.outcomes).toEqual([]);
    const u = Object.fromEntries(d.undetermined.map((x) => [x.ruleId, x]));
    expect(u.fake_exit?.missingFacts).toEqual(['h']);
    expect(u.commend?.missingFacts).toEqual(['h']);
    expect(u.commend?.reasons?.[0]?.en).toContain('exception fake_exit');
  });

  it('reports contradictory outcomes with both articles', async () => {
    const d = await evaluate(resolved, { f: true, g: true, h: false, a: 0 }, { asOf: '2018-01-01' });
    expect(d.outcomes.map((o) => o.ruleId)).toEqual(['commend', 'blame']);
    expect(d.conflicts).toHaveLength(1);
    const c = d.conflicts[0]!;
    expect(c.code).toBe('engine.contradictory-outcomes');
    expect(c.rules).toEqual(['commend', 'blame']);
    expect(c.citations.map((x) => `${x.jurisdiction} ${x.documentTitle} ${x.article}`)).toEqual([
      'central 中央办法 第二十五条',
      'gansu 甘肃实施办法 第三十四条',
    ]);
    expect(c.message.zh).toContain('相互矛盾');
  });

  it('takes the base version in force on the as-of date, or the pinned one', () => {
    const l = library(central('2016', '2016-01-01', '2019-12-31', 10), central('2020', '2020-01-01', undefined, 20), gansu());
    const p = (asOf: string) => l.resolve('gansu/duty', { asOf }).value!;
    expect(p('2019-06-01').chain[0]?.version).toBe('2016');
    expect(p('2020-06-01').chain[0]?.version).toBe('2020');
    expect(p('2020-06-01').ir.parameters[0]?.values[0]?.value).toBe(20);
    expect(p('2019-06-01').stamp.hash).not.toBe(p('2020-06-01').stamp.hash);
    const pinned = library(central('2016', '2016-01-01', '2019-12-31'), central('2020', '2020-01-01'), gansu({ extends: { policy: 'central/duty', version: '2016' } }));
    expect(pinned.resolve('gansu/duty', { asOf: '2021-01-01' }).value?.chain[0]?.version).toBe('2016');
  });

  it('reports a base not in force, a missing base and a cycle', () => {
    const early = library(central('2016', '2018-01-01'), gansu());
    expect(early.resolve('gansu/duty', { asOf: '2017-06-01' }).diagnostics[0]?.code).toBe('engine.no-version-in-force');
    expect(library(gansu()).resolve('gansu/duty', { asOf: '2018-01-01' }).diagnostics[0]?.code).toBe('engine.unknown-base');
    const a = policy({ id: 'x/a', extends: { policy: 'x/b' } });
    const b = policy({ id: 'x/b', extends: { policy: 'x/a' } });
    const cyc = library(a, b).resolve('x/a', { asOf: '2018-01-01' });
    expect(cyc.value).toBeUndefined();
    expect(cyc.diagnostics[0]?.code).toBe('engine.extends-cycle');
    expect(cyc.diagnostics[0]?.message.en).toContain('x/a → x/b → x/a');
  });

  it('warns when a variant disables or overrides a rule its base lacks', () => {
    const bad = gansu({ disabled: [{ rule: 'nope', reason: '—' }], rules: [rule('ghost', F('h'), { overrides: true })] });
    const r = library(central('2016', '2016-01-01'), bad).resolve('gansu/duty', { asOf: '2018-01-01' });
    expect(r.diagnostics.map((d) => d.code).sort()).toEqual(['engine.disable-unknown-rule', 'engine.override-unknown-rule']);
  });
});

describe('message catalogue', () => {
  it.each(Object.keys(DIAGNOSTICS) as EngineCode[])('%s has Chinese and English text', (code) => {
    const d = diagnostic(code, { policy: 'p', version: 'v', date: '2020-01-01', periods: [], known: [], a: 'a', b: 'b', winner: 'b', chain: ['p', 'p'], base: 'q', rule: 'r' } as never);
    expect(d.code).toBe(code);
    expect(d.message.zh).toMatch(/[\u4e00-\u9fff]/);
    expect(d.message.en).toMatch(/[a-z]/);
    if (d.hint) expect(d.hint.zh.length * d.hint.en.length).toBeGreaterThan(0);
  });
});
