/**
 * The engine keeps its own interfaces and server/contract/engine.ts writes their schemas: `tsc`
 * holds each schema's Static type equal to the engine's type, so a field added, dropped or
 * retyped on one side fails the build until the other follows.
 */
import type { Static } from '@sinclair/typebox';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Diagnostic } from '../../../dsl/diagnostics.ts';
import type { ImpactReportWithText } from '../../../engine/analysis/impact.ts';
import type { PolicyDiff, TextDiff } from '../../../engine/diff/index.ts';
import type { DecisionTexts, LeanDecision } from '../../../engine/evaluate/lean.ts';
import type { ComputedResult, ConditionTrace, Decision, FiredOutcome, ResolvedCitation } from '../../../engine/evaluate/types.ts';
import type { PolicyIR } from '../../../engine/ir/types.ts';
import type { RecordOutcome } from '../../../engine/parallel/simulate.ts';
import type { Coverage } from '../../../engine/sql/simulate.ts';
import * as E from '../../../server/contract/engine.ts';

describe('engine schemas agree with the engine types', () => {
  it('Static<schema> equals the engine type', () => {
    expectTypeOf<Static<typeof E.ResolvedCitation>>().toEqualTypeOf<ResolvedCitation>();
    expectTypeOf<Static<typeof E.ComputedResult>>().toEqualTypeOf<ComputedResult>();
    expectTypeOf<Static<typeof E.FiredOutcome>>().toEqualTypeOf<FiredOutcome>();
    expectTypeOf<Static<typeof E.ConditionTrace>>().toEqualTypeOf<ConditionTrace>();
    expectTypeOf<Static<typeof E.Decision>>().toEqualTypeOf<Decision>();
    expectTypeOf<Static<typeof E.DecisionTexts>>().toEqualTypeOf<DecisionTexts>();
    expectTypeOf<Static<typeof E.LeanDecision>>().toEqualTypeOf<LeanDecision>();
    expectTypeOf<Static<typeof E.Diagnostic>>().toEqualTypeOf<Diagnostic>();
    expectTypeOf<Static<typeof E.PolicyDiff>>().toEqualTypeOf<PolicyDiff>();
    expectTypeOf<Static<typeof E.TextDiff>>().toEqualTypeOf<TextDiff>();
    expectTypeOf<Static<typeof E.ImpactReport>>().toEqualTypeOf<ImpactReportWithText>();
    expectTypeOf<Static<typeof E.RecordOutcome>>().toEqualTypeOf<RecordOutcome>();
    expectTypeOf<Static<typeof E.Coverage>>().toEqualTypeOf<Coverage>();
    expectTypeOf<Static<typeof E.PolicyIR>>().toEqualTypeOf<PolicyIR>();
    // The schemas are real: not a bare object, with their required fields.
    expect(E.Decision.required).toEqual(expect.arrayContaining(['policy', 'outcomes', 'undetermined', 'notFired']));
  });
});
