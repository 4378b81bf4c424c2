/**
 * Hostile policy texts through the generator (issue #18): names, enum values, string literals,
 * rule ids and messages holding quote-breaking code, line terminators, `__proto__`, `constructor`,
 * backticks and `${}` are compiled and evaluated; nothing runs (process.exit is watched, a global
 * canary stays unset) and the verdicts are right, and the reference's.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PolicyIR } from '../../../engine/ir/types.ts';
import { evaluate } from '../../../engine/evaluate/decide.ts';
import { compilePolicy, generate, standaloneModule } from '../../../engine/compiled/index.ts';
import { validateIr } from '../../../engine/ir/validate.ts';
import { F, FLD, N, P, R, S, agg, and, ar, call, cmp, resolveOne, rule } from '../evaluate/ir.ts';

const EXIT = '"); process.exit(1);//';
const EXIT1 = "'); process.exit(1);//";
const LINE = 'a\u2028b\u2029c';
const TICK = '`${process.exit(1)}`';
const TPL = '${globalThis.__twPwned = 1}';
const COMMENT = '*/ globalThis.__twPwned = 1; /*';
const NL = 'x\n}); globalThis.__twPwned = 1; (function(){//';

const hostile: PolicyIR = {
  irVersion: 1,
  id: 'test/hostile',
  title: EXIT,
  jurisdiction: 'test',
  version: '1',
  effectiveFrom: '2000-01-01',
  sources: [{ key: EXIT1, title: TICK, number: LINE }],
  facts: [
    { name: EXIT, label: EXIT1, type: { kind: 'integer' } },
    { name: '__proto__', label: TPL, type: { kind: 'boolean' } },
    { name: 'constructor', label: 'c', type: { kind: 'enum', values: [{ value: LINE, label: LINE }, { value: TICK, label: TICK }, { value: NL, label: NL }] } },
    {
      name: 'toString',
      label: COMMENT,
      type: {
        kind: 'list',
        fields: [
          { name: '__proto__', label: 'p', type: { kind: 'money' } },
          { name: EXIT, label: 'e', type: { kind: 'integer' } },
          { name: 'constructor', label: 'k', type: { kind: 'string' } },
        ],
      },
    },
    { name: TPL, label: TPL, type: { kind: 'string' } },
  ],
  parameters: [{ name: TPL, label: COMMENT, type: { kind: 'integer' }, values: [{ from: '2000-01-01', value: 10 }] }],
  definitions: [{ name: COMMENT, expr: ar('*', F(EXIT), N(2)) }],
  rules: [
    rule(EXIT, cmp('>', F(EXIT), P(TPL)), { cites: { source: EXIT1, article: TICK }, title: NL }),
    rule('__proto__', cmp('==', F('__proto__'), { type: 'boolean', value: true })),
    rule('constructor', { type: 'in', value: F('constructor'), options: [S(TICK), S(LINE)] }),
    rule(TICK, cmp('>=', agg('count', 'toString', undefined, cmp('>', FLD(EXIT), N(1))), N(1)), {
      then: {
        kind: 'computation',
        message: { zh: TPL, en: NL },
        consequences: [COMMENT, EXIT],
        computed: [
          { name: EXIT, label: LINE, expr: agg('sum', 'toString', FLD('__proto__')) },
          { name: '__proto__', expr: ar('+', R(COMMENT), N(1)) },
        ],
      },
    }),
    rule(COMMENT, and(cmp('>', R(COMMENT), N(5)), cmp('==', F(TPL), S(NL)), call('known', F('toString')))),
    rule(NL, cmp('==', agg('any', 'toString', cmp('==', FLD('constructor'), S(EXIT))), { type: 'boolean', value: true }), { exceptionTo: EXIT }),
  ],
};

const factsText = JSON.stringify({
  [EXIT]: 12,
  constructor: LINE,
  toString: [
    { ['__proto__']: 5, [EXIT]: 3, constructor: EXIT },
    { ['__proto__']: '1.5', [EXIT]: 0, constructor: 'y' },
  ],
  [TPL]: NL,
}).replace('{', '{"__proto__": true, ');

/** The source with every double-quoted string literal emptied: what would run as code. */
function codeOutsideStrings(src: string): string {
  return src.replace(/"(?:[^"\\\n]|\\.)*"/g, '""');
}

/** The hostile policy with every `__proto__` name renamed. */
const tameIr = (): PolicyIR => JSON.parse(JSON.stringify(hostile).replaceAll('"__proto__"', '"valueOf"')) as PolicyIR;

describe('hostile policy texts', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    delete (globalThis as { __twPwned?: unknown }).__twPwned;
  });

  it('compile to source holding them only as escaped literals, and evaluate with no side effect', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => {
      throw new Error('process.exit called');
    }) as never);
    const resolved = resolveOne(hostile, [], '2020-06-30');
    const gen = generate(resolved.ir);
    // No raw line terminator reaches the source; names appear only inside JSON string literals.
    expect(gen.source).not.toMatch(/[\u2028\u2029]/);
    expect(codeOutsideStrings(gen.source)).not.toMatch(/process|__twPwned|`/);
    expect(gen.source).toContain(JSON.stringify(EXIT));
    const compiled = compilePolicy(resolved, { codegen: true });
    expect(compiled.generated).toBe(true);

    const facts = JSON.parse(factsText) as unknown;
    const got = compiled.decide(facts, { asOf: '2020-06-30' });
    // Right verdicts: 12 > 10; own __proto__ true; constructor is LINE; a record with 3 > 1;
    // 24 > 5 and TPL equals NL and the list is known; the NL exception fires (a record's
    // constructor is EXIT) and suppresses rule EXIT.
    expect(got.status).toBe('ok');
    expect(got.outcomes.map((o) => o.ruleId)).toEqual(['__proto__', 'constructor', TICK, COMMENT, NL]);
    expect(got.suppressed.map((s) => [s.ruleId, s.byRuleId])).toEqual([[EXIT, NL]]);
    const computed = got.outcomes.find((o) => o.ruleId === TICK)!.computed;
    expect(computed[EXIT]!.result).toEqual({ type: 'money', yuan: '6.50' });
    // A computed value named __proto__ is an own key of the decision, not its prototype.
    expect(Object.keys(computed)).toEqual([EXIT, '__proto__']);
    expect(Object.getPrototypeOf(computed)).toBe(Object.prototype);
    // A fact or field cannot be named __proto__ (JSON Schema validators skip that property): the
    // IR schema refuses it. With those renamed, the reference reads only own properties, so an
    // absent `toString` or `constructor` is absent, never the inherited function.
    expect(validateIr(hostile).value).toBeUndefined();
    expect(validateIr(tameIr()).value).toBeDefined();
    const tame = tameIr();
    const tameResolved = resolveOne(tame, [], '2020-06-30');
    const tameCompiled = compilePolicy(tameResolved, { codegen: true });
    expect(tameCompiled.generated).toBe(true);
    const tameFacts = factsText.replaceAll('"__proto__"', '"valueOf"');
    for (const f of [tameFacts, '{}', '{"constructor": "nope"}', '{"valueOf": 1}', '{"toString": [{"constructor": 1}]}', '{"toString": [{"valueOf": 1, "constructor": "x"}]}']) {
      const a = tameCompiled.decide(JSON.parse(f), { asOf: '2020-06-30' });
      const b = await evaluate(tameResolved, JSON.parse(f), { asOf: '2020-06-30' });
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    }
    expect(tameCompiled.decide(JSON.parse(tameFacts), { asOf: '2020-06-30' }).outcomes.map((o) => o.ruleId)).toEqual(['valueOf', 'constructor', TICK, COMMENT, NL]);
    const empty = await evaluate(tameResolved, {}, { asOf: '2020-06-30' });
    expect(empty.status).toBe('ok');
    expect(empty.undetermined.map((u) => u.ruleId)).toEqual(expect.arrayContaining(['valueOf', 'constructor', TICK]));
    expect((await evaluate(tameResolved, JSON.parse('{"valueOf": 1}'), { asOf: '2020-06-30' })).status).toBe('invalid-facts');

    // The standalone module form quotes them the same way.
    const mod = standaloneModule(gen, JSON.stringify(resolved), './runtime.ts');
    expect(mod).not.toMatch(/[\u2028\u2029]/);
    expect(codeOutsideStrings(mod)).not.toMatch(/process|__twPwned|`/);
    expect(exit).not.toHaveBeenCalled();
    expect((globalThis as { __twPwned?: unknown }).__twPwned).toBeUndefined();
  });
});
