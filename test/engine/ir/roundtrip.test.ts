/**
 * Round trips over random valid IR (arbitraries.ts): the IR is schema-valid; IR → AST → lowering
 * gives the same IR; and, through the printers, IR → DSL text (both keyword languages) / YAML →
 * compileSource gives the same IR again.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lowerPolicy } from '../../../engine/ir/fromAst.ts';
import { irToAst } from '../../../engine/ir/toAst.ts';
import { validateIr } from '../../../engine/ir/validate.ts';
import { envForPolicy, typeOf } from '../../../engine/ir/typecheck.ts';
import { arbEnvOf, arbExpr, arbPolicyIr, arbVariantPair } from './arbitraries.ts';
import { compileSource } from '../../../engine/ir/compile.ts';
import { printExpr, printPolicy } from '../../../engine/ir/print.ts';

const RUNS = Number(process.env.IR_RUNS ?? 100);

describe('random IR', () => {
  it('is valid against schema.json and well typed', () => {
    fc.assert(
      fc.property(arbPolicyIr({ durationParams: true }), (ir) => {
        expect(validateIr(ir).diagnostics).toEqual([]);
        for (const r of ir.rules) expect(typeOf(r.when, envForPolicy(ir, r))).toEqual({ kind: 'boolean' });
      }),
      { numRuns: RUNS },
    );
  });

  it('arbExpr over an existing policy gives well-typed expressions of the asked family', () => {
    const families = { numeric: ['integer', 'number', 'percent'], money: ['money'], date: ['date'], boolean: ['boolean'] } as const;
    fc.assert(
      fc.property(
        arbPolicyIr({ durationParams: true }).chain((ir) => fc.constantFrom(...(Object.keys(families) as (keyof typeof families)[])).chain((f) => arbExpr(arbEnvOf(ir), f).map((e) => [ir, f, e] as const))),
        ([ir, family, e]) => {
          expect(families[family] as readonly string[]).toContain(typeOf(e, envForPolicy(ir)).kind);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('IR → AST → lowerPolicy is the identity', () => {
    fc.assert(
      fc.property(arbPolicyIr({ durationParams: true }), (ir) => {
        const r = lowerPolicy(irToAst(ir));
        expect(r.diagnostics).toEqual([]);
        expect(r.value).toEqual(ir);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('printing and compiling again', () => {
  const cases: [string, 'dsl' | 'yaml', 'en' | 'zh'][] = [
    ['DSL, English keywords', 'dsl', 'en'],
    ['DSL, Chinese keywords', 'dsl', 'zh'],
    ['YAML', 'yaml', 'en'],
  ];
  it.each(cases)('%s: printPolicy → compileSource gives the same IR', (_note, format, lang) => {
    fc.assert(
      fc.property(arbPolicyIr({ durationParams: true }), (ir) => {
        const text = printPolicy(ir, format, { lang });
        const r = compileSource(text, { format });
        expect(r.diagnostics, text).toEqual([]);
        expect(r.value).toEqual(ir);
      }),
      { numRuns: RUNS },
    );
  });

  it.each(['dsl', 'yaml'] as const)('variants (%s): overrides, exceptions and disables survive printing', (format) => {
    fc.assert(
      fc.property(arbVariantPair(), ({ base, variant }) => {
        const text = printPolicy(variant, format);
        const r = compileSource(text, { format, resolveBase: (ref) => (ref.policy === base.id ? base : undefined) });
        expect(r.diagnostics, text).toEqual([]);
        expect(r.value).toEqual(variant);
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });

  it.each(['en', 'zh'] as const)('printExpr (%s) prints a condition that reads back as the same expression', (lang) => {
    const src = (when: string): string =>
      `policy "t/x"\n  title "t"\n  jurisdiction t\n  version "1"\n  effective from 2020-01-01\n  source 办法 "办法"\nfacts\n  金额 "金额": money\n  贷款 "贷款": list of { 逾期 "逾期": integer }\nrule r "r"\n  cites 办法 "1"\n  when ${when}\n  then notice\n    message "m"\n`;
    const first = compileSource(src('金额 > 0元 and count(贷款 where 逾期 >= 90) > 0 and not (金额 between 1元 and 2元)'), { file: 'x.policy' });
    expect(first.diagnostics).toEqual([]);
    const when = first.value!.rules[0]!.when;
    const printed = printExpr(when, { lang });
    expect(printed).toMatch(/^金额 > 0/);
    const again = compileSource(src(printed), { file: 'x.policy' });
    expect(again.diagnostics).toEqual([]);
    expect(again.value!.rules[0]!.when).toEqual(when);
  });
});
