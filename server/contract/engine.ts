/**
 * Schemas of the engine's types that travel over the wire (Decision, Diagnostic, PolicyDiff, …),
 * written once here. The engine keeps its own TypeScript interfaces (engine/ must not depend on
 * server/); test/server/contract/types.test.ts holds each schema's `Static` type equal to the
 * engine's, so neither can change without the other. PolicyIR's schema is the engine's own
 * (engine/ir/schema.json, which engine/ir/validate.ts checks every IR with).
 */
import { Type, type TUnsafe } from '@sinclair/typebox';
import irSchema from '../../engine/ir/schema.json' with { type: 'json' };
import type { PolicyIR as EnginePolicyIR } from '../../engine/ir/types.ts';
import { AnyJson, Dict, IsoDate, Literals, named, Tuple } from './schema.ts';

// ---- text, citations ------------------------------------------------------------------------

/** engine/ir/types.ts LocalizedText: Chinese always, English where written. */
export const LocalizedText = named('LocalizedText', Type.Object({ zh: Type.String(), en: Type.Optional(Type.String()) }));
export const OutcomeKind = named('OutcomeKind', Literals(['violation', 'accountability', 'eligible', 'ineligible', 'notice', 'commendation', 'computation']));
export const OutcomeSeverity = named('OutcomeSeverity', Literals(['info', 'low', 'medium', 'high', 'critical']));

export const PolicyStamp = named(
  'PolicyStamp',
  Type.Object({
    id: Type.String(),
    version: Type.String(),
    jurisdiction: Type.String(),
    hash: Type.String({ description: 'sha256 of the canonical IR JSON of the resolved policy (base merged in), hex' }),
  }),
);

export const ResolvedCitation = named(
  'ResolvedCitation',
  Type.Object({
    source: Type.String({ description: 'Key of the source document' }),
    article: Type.String({ description: 'As written in the document: 第十八条, 三(六)' }),
    quote: Type.Optional(Type.String({ description: "The article's own words" })),
    policyId: Type.String(),
    jurisdiction: Type.String(),
    documentTitle: Type.String(),
    documentNumber: Type.Optional(Type.String()),
  }),
);

// ---- decisions ------------------------------------------------------------------------------

export const ComputedResult = named(
  'ComputedResult',
  Type.Union([
    Type.Object({ type: Type.Literal('money'), yuan: Type.String({ pattern: '^-?\\d+\\.\\d{2}$', description: 'Exact decimal yuan, two places' }) }),
    Type.Object({ type: Literals(['number', 'integer', 'percent']), value: Type.Number({ description: 'percent as written: 3 means 3%' }) }),
    Type.Object({ type: Type.Literal('boolean'), value: Type.Boolean() }),
    Type.Object({ type: Literals(['date', 'string']), value: Type.String() }),
    Type.Object({ type: Type.Literal('undetermined'), missingFacts: Type.Array(Type.String()) }),
  ]),
);

export const ComputedEntry = named('ComputedEntry', Type.Object({ label: Type.Optional(Type.String()), labelEn: Type.Optional(Type.String()), result: ComputedResult }));

/** engine/ir/types.ts RuleProvenance: the decision-table row a rule was written as (display only). */
export const RuleProvenance = named(
  'RuleProvenance',
  Type.Object({
    table: Type.String({ description: "The table's or scorecard's id" }),
    part: Type.Optional(Type.String({ description: 'In a scorecard: the indicator id, or grades' })),
    row: Type.Optional(Type.Integer({ minimum: 1, description: '1-based row number; absent for a total' })),
    hit: Literals(['unique', 'first', 'collect']),
  }),
);

export const FiredOutcome = named(
  'FiredOutcome',
  Type.Object({
    ruleId: Type.String(),
    title: Type.String(),
    kind: OutcomeKind,
    severity: Type.Optional(OutcomeSeverity),
    message: LocalizedText,
    consequences: Type.Array(Type.String()),
    citation: ResolvedCitation,
    computed: Dict(ComputedEntry, { description: 'Computed values by name' }),
    from: Type.Optional(RuleProvenance),
  }),
);

export const UndeterminedRule = named(
  'UndeterminedRule',
  Type.Object({
    ruleId: Type.String(),
    title: Type.String(),
    citation: ResolvedCitation,
    missingFacts: Type.Array(Type.String(), { description: 'Facts (paths like 贷款[3].逾期天数 or names) whose absence kept the rule undecided' }),
    reasons: Type.Optional(Type.Array(LocalizedText)),
  }),
);

export const SuppressedRule = named('SuppressedRule', Type.Object({ ruleId: Type.String(), byRuleId: Type.String(), citation: ResolvedCitation }));

export const Conflict = named(
  'Conflict',
  Type.Object({
    code: Type.Literal('engine.contradictory-outcomes'),
    rules: Tuple([Type.String(), Type.String()]),
    citations: Tuple([ResolvedCitation, ResolvedCitation]),
    message: LocalizedText,
  }),
);

export const FactError = named('FactError', Type.Object({ path: Type.String({ description: 'JSON pointer into the facts' }), message: LocalizedText, code: Type.String() }));

export const ConditionTrace = Type.Recursive(
  (This) =>
    Type.Object({
      condition: Type.String(),
      values: Dict(AnyJson()),
      result: Type.Union([Type.Boolean(), Type.Literal('undetermined')]),
      operands: Type.Optional(Type.Array(Type.Object({ expr: Type.String(), value: AnyJson() }))),
      children: Type.Optional(Type.Array(This)),
    }),
  { $id: 'ConditionTrace' },
);

export const RuleTrace = named(
  'RuleTrace',
  Type.Object({
    ruleId: Type.String(),
    result: Literals(['fired', 'not-fired', 'undetermined', 'suppressed', 'disabled']),
    condition: ConditionTrace,
  }),
);

export const DecisionStatus = Literals(['ok', 'invalid-facts'], { description: 'invalid-facts: facts failed validation; no rule was evaluated' });

/** The fields of a Decision, apart, so the per-version schema can specialise some of them. */
export const decisionFields = {
  policy: PolicyStamp,
  asOf: IsoDate(),
  status: DecisionStatus,
  factErrors: Type.Array(FactError),
  outcomes: Type.Array(FiredOutcome),
  undetermined: Type.Array(UndeterminedRule),
  suppressed: Type.Array(SuppressedRule),
  conflicts: Type.Array(Conflict),
  notFired: Type.Array(Type.String(), { description: 'Ids of rules evaluated to false' }),
  trace: Type.Optional(Type.Array(RuleTrace)),
};
export const Decision = named('Decision', Type.Object(decisionFields, { description: 'engine/evaluate/types.ts Decision: what fired with its article, what could not be decided, and (explain) why' }));

// ---- lean decisions (batch view=lean) -------------------------------------------------------

export const RuleTexts = named(
  'RuleTexts',
  Type.Object({
    title: Type.String(),
    kind: OutcomeKind,
    severity: Type.Optional(OutcomeSeverity),
    message: LocalizedText,
    consequences: Type.Array(Type.String()),
    citation: ResolvedCitation,
    computed: Type.Array(Type.Object({ name: Type.String(), label: Type.Optional(Type.String()), labelEn: Type.Optional(Type.String()) })),
    from: Type.Optional(RuleProvenance),
  }),
);

export const DecisionTexts = named(
  'DecisionTexts',
  Type.Object({
    id: Type.String({ description: 'sha256 of the canonical JSON of the rest' }),
    policy: PolicyStamp,
    order: Type.Array(Type.String(), { description: 'Rule ids in evaluation order; lean decisions refer to rules by position here' }),
    facts: Type.Array(Type.String()),
    rules: Dict(RuleTexts),
  }),
);

const LeanFact = Type.Union([Type.Integer({ minimum: 0 }), Type.String()], { description: 'Position in DecisionTexts.facts, or a path' });

export const LeanDecision = named(
  'LeanDecision',
  Type.Object({
    v: Type.Literal(1),
    texts: Type.String({ description: 'DecisionTexts.id' }),
    asOf: Type.String(),
    status: DecisionStatus,
    factErrors: Type.Optional(Type.Array(FactError)),
    fired: Type.Array(Tuple([Type.Integer({ minimum: 0 }), Type.Array(ComputedResult)])),
    undetermined: Type.Array(Type.Union([Tuple([Type.Integer({ minimum: 0 }), Type.Array(LeanFact)]), Tuple([Type.Integer({ minimum: 0 }), Type.Array(LeanFact), Type.Array(LocalizedText)])])),
    suppressed: Type.Array(Tuple([Type.Integer({ minimum: 0 }), Type.Integer({ minimum: 0 })])),
    conflicts: Type.Optional(Type.Array(Conflict)),
    notFired: Type.Optional(Type.Array(Type.String())),
    trace: Type.Optional(Type.Array(RuleTrace)),
  }),
);

// ---- diagnostics ----------------------------------------------------------------------------

const Position = Type.Object({ line: Type.Integer(), column: Type.Integer(), offset: Type.Integer() });
export const SourceRange = named('SourceRange', Type.Object({ start: Position, end: Position, file: Type.Optional(Type.String()) }));
const Bilingual = Type.Object({ zh: Type.String(), en: Type.String() });

export const Diagnostic = named(
  'Diagnostic',
  Type.Object({
    code: Type.String({ description: 'Stable code, e.g. dsl.unexpected-token' }),
    severity: Literals(['error', 'warning', 'info']),
    message: Bilingual,
    range: Type.Optional(SourceRange),
    hint: Type.Optional(Bilingual),
    expected: Type.Optional(Type.Array(Type.String())),
  }),
);

// ---- diffs ----------------------------------------------------------------------------------

const FieldChange = Type.Object({ field: Type.String(), old: Type.Optional(AnyJson()), new: Type.Optional(AnyJson()) });
const NamedChanges = Type.Object({ name: Type.String(), changes: Type.Array(FieldChange) });
const ParameterValueChange = Type.Object({
  from: Type.String(),
  old: Type.Optional(AnyJson()),
  new: Type.Optional(AnyJson()),
  display: Type.Optional(Type.Object({ old: Type.Optional(Bilingual), new: Type.Optional(Bilingual) })),
  citesChanged: Type.Optional(Type.Boolean()),
});
const section = <A extends Parameters<typeof Type.Array>[0], C extends Parameters<typeof Type.Array>[0]>(added: A, changed: C) =>
  Type.Object({ added: Type.Array(added), removed: Type.Array(added), changed: Type.Array(changed) });
const VersionOf = Type.Object({ id: Type.String(), version: Type.String() });

export const PolicyDiff = named(
  'PolicyDiff',
  Type.Object({
    a: VersionOf,
    b: VersionOf,
    same: Type.Boolean({ description: 'True when nothing below changed' }),
    header: Type.Array(FieldChange),
    facts: section(Type.Object({ name: Type.String(), label: Type.String(), type: Type.String() }), NamedChanges),
    parameters: section(Type.Object({ name: Type.String(), label: Type.String() }), Type.Object({ name: Type.String(), changes: Type.Array(FieldChange), values: Type.Array(ParameterValueChange) })),
    definitions: section(Type.Object({ name: Type.String(), expr: Type.String() }), NamedChanges),
    rules: section(Type.Object({ id: Type.String(), title: Type.String(), kind: Type.String(), citation: Type.String() }), Type.Object({ id: Type.String(), title: Type.String(), changes: Type.Array(FieldChange) })),
    disabled: Type.Object({ added: Type.Array(Type.String()), removed: Type.Array(Type.String()) }),
  }),
);

export const TextDiff = named(
  'TextDiff',
  Type.Object({
    lines: Type.Array(
      Type.Object({
        op: Literals([' ', '+', '-']),
        a: Type.Optional(Type.Integer({ minimum: 1 })),
        b: Type.Optional(Type.Integer({ minimum: 1 })),
        text: Type.String(),
      }),
    ),
    added: Type.Integer(),
    removed: Type.Integer(),
    unchanged: Type.Integer({ description: 'Unchanged lines left out' }),
  }),
);

const RuleStatusOrAbsent = Literals(['fired', 'not-fired', 'undetermined', 'suppressed', 'absent']);
const Approximation = Literals(['list-bound', 'money-rounding']);

const RegionBound = Type.Object({ value: AnyJson(), strict: Type.Boolean() }, { description: 'As a caller writes the fact (yuan, percent as written, ISO date)' });

export const Region = named(
  'Region',
  Type.Object(
    {
      facts: Type.Array(
        Type.Object({
          fact: Type.String(),
          missing: Literals(['never', 'possible', 'always']),
          min: Type.Optional(RegionBound),
          max: Type.Optional(RegionBound),
          values: Type.Optional(Type.Array(AnyJson(), { description: 'Boolean or enum values possible there, when not all' })),
        }),
      ),
      partial: Type.Boolean({ description: 'Some fact could not be bounded (timeout, or a bound that did not check out)' }),
    },
    { description: "Each fact's range where the verdict changes (the hull of the region's projection on that fact)" },
  ),
);

export const ImpactReport = named(
  'ImpactReport',
  Type.Object({
    changes: Type.Array(
      Type.Object({
        rule: Type.String(),
        before: RuleStatusOrAbsent,
        after: RuleStatusOrAbsent,
        witness: Type.Object({ asOf: Type.String(), facts: Dict(AnyJson()) }, { description: 'Facts and as-of date that show the change' }),
        region: Type.Optional(Region),
      }),
    ),
    identical: Type.Boolean(),
    undecided: Type.Array(Type.Object({ rule: Type.String(), reason: Type.String() })),
    approximated: Type.Array(Approximation),
    conditions: Dict(Type.Object({ before: Type.Optional(Type.String()), after: Type.Optional(Type.String()) })),
  }),
);

// ---- simulation -----------------------------------------------------------------------------

export const RecordOutcome = named(
  'RecordOutcome',
  Type.Object({ status: DecisionStatus, fired: Type.Array(Type.String()), undetermined: Type.Array(Type.String()), kinds: Type.Array(Type.String()) }),
);

export const RuleCoverage = named(
  'RuleCoverage',
  Type.Object({
    rule: Type.String(),
    title: Type.String(),
    kind: Type.String(),
    fired: Type.Integer(),
    notFired: Type.Integer(),
    undetermined: Type.Integer(),
    suppressed: Type.Integer(),
    missing: Type.Array(Type.Object({ fact: Type.String(), count: Type.Integer() })),
    reasons: Type.Array(Type.Object({ reason: Type.String(), count: Type.Integer() })),
  }),
);

export const Coverage = named(
  'Coverage',
  Type.Object({ policy: Type.String(), version: Type.String(), records: Type.Integer(), rules: Type.Array(RuleCoverage), neverFired: Type.Array(Type.String()) }),
);

// ---- the IR ---------------------------------------------------------------------------------

/**
 * The engine's JSON Schema of the IR (2020-12, `$defs` inside). server/openapi.ts lifts its
 * `$defs` into components (`Ir…`) so its references resolve inside the OpenAPI document.
 */
export const PolicyIR: TUnsafe<EnginePolicyIR> = named('PolicyIR', Type.Unsafe<EnginePolicyIR>(structuredClone(irSchema) as object));
