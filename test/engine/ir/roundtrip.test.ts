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
import { arbPolicyIr } from './arbitraries.ts';

const RUNS = 150;

describe('random IR', () => {
  it('is valid against schema.json and well typed', () => {
    fc.assert(
      fc.property(arbPolicyIr(), (ir) => {
        expect(validateIr(ir).diagnostics).toEqual([]);
        for (const r of ir.rules) expect(typeOf(r.when, envForPolicy(ir, r))).toEqual({ kind: 'boolean' });
      }),
      { numRuns: RUNS },
    );
  });

  it('IR → AST → lowerPolicy is the identity', () => {
    fc.assert(
      fc.property(arbPolicyIr(), (ir) => {
        const r = lowerPolicy(irToAst(ir));
        expect(r.diagnostics).toEqual([]);
        expect(r.value).toEqual(ir);
      }),
      { numRuns: RUNS },
    );
  });
});
