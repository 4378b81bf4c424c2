/**
 * Deep nesting, entrance by entrance: past MAX_DEPTH every way in gives a `*.too-deep` diagnostic
 * (never a thrown RangeError), and just under it every stage still works.
 */
import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, MAX_DOC_DEPTH, MAX_PARSE_DEPTH } from '../../dsl/depth.ts';
import { formatPolicy, parseExpression, parsePolicy, parseYamlPolicy, policyToYaml, type Diagnostic } from '../../dsl/index.ts';
import { compileSource, evaluateSync, PolicyLibrary, printPolicy, validateFacts, validateIr, type PolicyIR } from '../../engine/index.ts';
import { compilePolicy } from '../../engine/compiled/index.ts';
import { compileSql } from '../../engine/sql/index.ts';
import { diffPolicies } from '../../engine/diff/index.ts';
import { unusedNames } from '../../engine/analysis/index.ts';

const HUGE = 10_000;

/** A small policy whose one rule's condition is `when`, with an extra fact declaration `extraFact`. */
function policy(when: string, extraFact = ''): string {
  return `policy "t/deep"
  title "深"
  jurisdiction t
  version "1"
  effective from 2020-01-01
  source 指南 "指南"

facts
  数 "数": integer
  贫困 "贫困": boolean${extraFact}

rule r "规则"
  cites 指南 "一"
  when ${when}
  then violation
    message "违规"
`;
}

function nestedList(n: number): string {
  let t = 'integer';
  for (let i = 0; i < n; i++) t = `list of { 项 "项": ${t} }`;
  return `\n  表 "表": ${t}`;
}

/** Expressions `n` levels deep, each a different way to nest. */
const DEEP: Record<string, (n: number) => string> = {
  parentheses: (n) => '('.repeat(n) + '数 > 1' + ')'.repeat(n),
  not: (n) => 'not '.repeat(n) + '贫困',
  'unary minus': (n) => '数 > ' + '-'.repeat(n) + '1',
  'a chain of +': (n) => '数 > 0' + ' + 1'.repeat(n),
  'else-if chain': (n) => 'if 贫困 then true else '.repeat(n) + 'false',
  'nested calls': (n) => '数 > ' + 'abs('.repeat(n) + '1' + ')'.repeat(n),
  'nested lists': (n) => '数 in [' + '数 in ['.repeat(n) + '1' + ']'.repeat(n) + ']',
};

function expectTooDeep(diags: Diagnostic[], code: string, withRange = true): void {
  const d = diags.find((x) => x.code === code);
  expect(d, JSON.stringify(diags.map((x) => x.code))).toBeDefined();
  expect(d!.severity).toBe('error');
  expect(d!.message.zh).toMatch(/嵌套超过/);
  expect(d!.message.en).toMatch(/nested more than/);
  expect(d!.hint?.zh.length).toBeGreaterThan(0);
  expect(d!.hint?.en).toMatch(/Nesting limit/);
  if (withRange) expect(d!.range?.start.line).toBeGreaterThan(0);
}

describe('past the nesting limit, every entrance answers with a diagnostic', () => {
  for (const [name, make] of Object.entries(DEEP)) {
    it(`DSL: ${name} ×${HUGE}`, () => {
      const text = policy(make(HUGE));
      const r = compileSource(text);
      expect(r.value).toBeUndefined();
      expectTooDeep(r.diagnostics, 'dsl.too-deep');
      // The diagnostic points into the rule's condition (line 14), not at the file.
      expect(r.diagnostics.find((d) => d.code === 'dsl.too-deep')!.range!.start.line).toBe(14);
    });
    it(`one expression: ${name} ×${HUGE}`, () => {
      const r = parseExpression(make(HUGE));
      expect(r.value).toBeUndefined();
      expectTooDeep(r.diagnostics, 'dsl.too-deep');
    });
  }

  it(`DSL: list of { … } ×${HUGE}`, () => {
    const r = parsePolicy(policy('贫困', nestedList(HUGE)));
    expectTooDeep(r.diagnostics, 'dsl.too-deep');
    expect(r.diagnostics.find((d) => d.code === 'dsl.too-deep')!.message.en).toMatch(/list type/);
  });

  it(`YAML: a flow sequence ×${HUGE}`, () => {
    const r = parseYamlPolicy(`policy: t/deep\ntitle: ${'['.repeat(HUGE)}${']'.repeat(HUGE)}\n`);
    expect(r.value).toBeUndefined();
    expectTooDeep(r.diagnostics, 'yaml.too-deep');
  });

  it(`YAML: block mappings ×${MAX_DOC_DEPTH + 10}`, () => {
    const lines = Array.from({ length: MAX_DOC_DEPTH + 10 }, (_, i) => `${' '.repeat(i)}a:`);
    const r = parseYamlPolicy(`${lines.join('\n')} 1\n`);
    expectTooDeep(r.diagnostics, 'yaml.too-deep');
  });

  it('YAML: a deep expression string and deep list types', () => {
    const ast = parsePolicy(policy('贫困', nestedList(MAX_DEPTH))).value!;
    const yaml = policyToYaml(ast);
    expect(parseYamlPolicy(yaml).diagnostics).toEqual([]);
    const deepWhen = yaml.replace(/when: .*/, `when: "${DEEP.parentheses!(HUGE)}"`);
    expectTooDeep(parseYamlPolicy(deepWhen).diagnostics, 'dsl.too-deep');
    // One more list around the innermost field's type (the last `type: integer`).
    const at = yaml.lastIndexOf('type: integer');
    const deeperList = `${yaml.slice(0, at)}type: { list: [ { name: 项, label: 项, type: integer } ] }${yaml.slice(at + 'type: integer'.length)}`;
    expectTooDeep(parseYamlPolicy(deeperList).diagnostics, 'dsl.too-deep');
  });

  it(`IR JSON: a condition nested ×${HUGE}, and ×${MAX_DEPTH + 1} (within the JSON limit)`, () => {
    const ir = compileSource(policy('贫困')).value!;
    const wrap = (n: number): PolicyIR => {
      let when: unknown = ir.rules[0]!.when;
      for (let i = 0; i < n; i++) when = { type: 'not', arg: when };
      return { ...ir, rules: [{ ...ir.rules[0]!, when } as PolicyIR['rules'][number]] };
    };
    const huge = validateIr(wrap(HUGE));
    expect(huge.value).toBeUndefined();
    expectTooDeep(huge.diagnostics, 'ir.too-deep', false);
    const over = validateIr(wrap(MAX_DEPTH));
    expectTooDeep(over.diagnostics, 'ir.too-deep', false);
    expect(over.diagnostics[0]!.message.en).toMatch(/expression nested .* at \/rules\/0\/when/);
    expect(validateIr(JSON.parse(JSON.stringify(wrap(MAX_DEPTH - 1)))).diagnostics).toEqual([]);
  });

  it(`facts: nested arrays ×${HUGE}`, () => {
    const ir = compileSource(policy('贫困')).value!;
    let deep: unknown = 1;
    for (let i = 0; i < HUGE; i++) deep = [deep];
    const r = validateFacts(ir, { 数: 1, 贫困: true, 表: deep });
    expect(r.facts).toBeUndefined();
    expect(r.errors[0]).toMatchObject({ code: 'facts.too-deep', path: expect.stringMatching(/^\/表(\/0)+$/) });
    expect(r.errors[0]!.message.zh).toMatch(/嵌套超过/);
    const lib = new PolicyLibrary();
    lib.add(ir);
    const d = evaluateSync(lib.resolve('t/deep').value!, { 数: 1, 表: deep }, { asOf: '2021-01-01' });
    expect(d.status).toBe('invalid-facts');
  });
});

describe('just under the limit, every stage works', () => {
  // At the limit by both measures: parser levels (MAX_PARSE_DEPTH; the condition itself is one)
  // and tree depth (MAX_DEPTH; every node, leaves too).
  const UNDER: Record<string, string> = {
    parentheses: DEEP.parentheses!(MAX_PARSE_DEPTH - 1),
    not: DEEP.not!(MAX_DEPTH - 1),
    'unary minus': DEEP['unary minus']!(MAX_DEPTH - 2),
    'a chain of +': DEEP['a chain of +']!(MAX_DEPTH - 2),
    'else-if chain': DEEP['else-if chain']!(MAX_DEPTH - 1),
    'nested calls': DEEP['nested calls']!(MAX_DEPTH - 2),
  };
  for (const [name, when] of Object.entries(UNDER)) {
    it(name, () => {
      const text = policy(when, nestedList(MAX_DEPTH));
      const c = compileSource(text);
      expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const ir = c.value!;
      expect(validateIr(JSON.parse(JSON.stringify(ir))).diagnostics).toEqual([]);

      const lib = new PolicyLibrary();
      lib.add(ir);
      const resolved = lib.resolve('t/deep').value!;
      const facts = { 数: 5, 贫困: true };
      const slow = evaluateSync(resolved, facts, { asOf: '2021-01-01' });
      expect(slow.status).toBe('ok');
      expect(slow.outcomes.length + slow.notFired.length).toBe(1);
      const fast = compilePolicy(resolved).decide(facts, { asOf: '2021-01-01' });
      expect(fast.outcomes).toEqual(slow.outcomes);
      expect(fast.notFired).toEqual(slow.notFired);

      // Formatting and printing give text that reads back and decides the same.
      const texts: [string, 'dsl' | 'yaml'][] = [
        [formatPolicy(parsePolicy(text).value!), 'dsl'],
        [printPolicy(ir, 'dsl'), 'dsl'],
        [printPolicy(ir, 'yaml'), 'yaml'],
        [policyToYaml(parsePolicy(text).value!), 'yaml'],
      ];
      for (const [t, format] of texts) {
        const again = compileSource(t, { format });
        expect(again.diagnostics.filter((d) => d.severity === 'error'), `${format}:\n${t.slice(0, 400)}`).toEqual([]);
        const l2 = new PolicyLibrary();
        l2.add(again.value!);
        expect(evaluateSync(l2.resolve('t/deep').value!, facts, { asOf: '2021-01-01' }).outcomes).toEqual(slow.outcomes);
      }

      const sql = compileSql([{ ir, prefix: '' }], { dialect: 'duckdb', asOf: '2021-01-01' });
      expect(sql.value, JSON.stringify(sql.diagnostics)).toBeDefined();
      expect(diffPolicies(ir, ir).same).toBe(true);
      expect(unusedNames(ir)).toBeDefined();
    });
  }
});
