/**
 * The wire shapes of impact reports and of simulations attached to drafts (TypeBox: the type in
 * server/wire.ts, the schema bodies are checked with, the OpenAPI component). Their paths are in
 * server/report/contract.ts.
 */
import { Type } from '@sinclair/typebox';
import { named } from './schema.ts';

const Words = Type.Object({ zh: Type.String(), en: Type.String() }, { additionalProperties: false });
const Count = Type.Integer({ minimum: 0 });
const Directions = Type.Object(
  {
    'not>fired': Count,
    'fired>not': Count,
    'fired>undetermined': Count,
    'not>undetermined': Count,
    'undetermined>fired': Count,
    'undetermined>not': Count,
  },
  { additionalProperties: false, description: 'Records per way a verdict moved: not fired → fired, fired → not fired, … → undetermined, undetermined → …' },
);
const Side = Type.Object({ policy: Type.String(), version: Type.String(), hash: Type.String() }, { additionalProperties: false });
const RuleRefProps = { rule: Type.String({ description: 'Rule id (small print; show the title)' }), title: Type.String(), titleEn: Type.Optional(Type.String()), article: Type.String() };
const Yuan = Type.String({ pattern: '^-?\\d+\\.\\d{2}$', description: '元, two decimals, exact' });

export const ReportGroupV1 = named(
  'ReportGroupV1',
  Type.Object(
  {
    value: Type.Union([Type.String(), Type.Null()], { description: 'The value; null for records without one, or (with other) the values past the 200 largest groups' }),
    other: Type.Optional(Type.Literal(true)),
    label: Words,
    records: Count,
    changed: Count,
    directions: Directions,
  },
  { additionalProperties: false },
  ),
);

export const ImpactReportV1 = named(
  'ImpactReportV1',
  Type.Object(
  {
    job: Type.String(),
    baseline: Side,
    candidate: Side,
    asOf: Type.String(),
    total: Count,
    changed: Count,
    change: Type.Object(
      {
        added: Type.Array(Type.Object(RuleRefProps, { additionalProperties: false })),
        removed: Type.Array(Type.Object(RuleRefProps, { additionalProperties: false })),
        changed: Type.Array(Type.Object({ ...RuleRefProps, fields: Type.Array(Type.String()) }, { additionalProperties: false })),
        parameters: Type.Array(
          Type.Object(
            {
              name: Type.String(),
              label: Type.String(),
              values: Type.Array(Type.Object({ from: Type.String(), old: Type.Optional(Type.String()), new: Type.Optional(Type.String()) }, { additionalProperties: false })),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false, description: 'What changed in the policy (the semantic diff, by rule title and article)' },
    ),
    rules: Type.Array(
      Type.Object(
        {
          ...RuleRefProps,
          kind: Type.String(),
          baseline: Type.Object({ fired: Count, undetermined: Count }, { additionalProperties: false }),
          candidate: Type.Object({ fired: Count, undetermined: Count }, { additionalProperties: false }),
          directions: Directions,
        },
        { additionalProperties: false },
      ),
    ),
    outcomes: Type.Array(
      Type.Object({ kind: Type.String(), label: Words, baseline: Count, candidate: Count, gained: Count, lost: Count }, { additionalProperties: false }),
    ),
    amounts: Type.Array(
      Type.Object({ name: Type.String(), label: Words, baselineYuan: Yuan, candidateYuan: Yuan, deltaYuan: Yuan }, { additionalProperties: false }),
      { description: 'Money the fired rules computed, totalled over the records that changed verdict' },
    ),
    columns: Type.Array(
      Type.Object({ name: Type.String(), label: Words, source: Type.Union([Type.Literal('fact'), Type.Literal('column')]), groups: Count }, { additionalProperties: false }),
      { description: 'What `by` may name' },
    ),
    breakdown: Type.Optional(
      Type.Object(
        { by: Type.String(), label: Words, source: Type.Union([Type.Literal('fact'), Type.Literal('column')]), groups: Type.Array(ReportGroupV1) },
        { additionalProperties: false },
      ),
    ),
    summary: Type.Array(Words, { description: 'The report in sentences, built from the figures' }),
  },
  { additionalProperties: false, description: "A finished simulation's impact report" },
  ),
);

export const AttachSimulationV1 = named(
  'AttachSimulationV1',
  Type.Object(
  {
    job: Type.String({ minLength: 1, maxLength: 100, description: 'A finished simulation with this draft as candidate' }),
    by: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'The column its report is grouped by' })),
  },
  { additionalProperties: false },
  ),
);

export const DraftSimulationV1 = named(
  'DraftSimulationV1',
  Type.Object(
  {
    draftId: Type.Integer(),
    jobId: Type.String(),
    by: Type.Optional(Type.String()),
    attachedBy: Type.String(),
    attachedAt: Type.String(),
    revision: Type.Integer({ description: "The draft's revision when attached" }),
    stale: Type.Boolean({ description: 'The draft changed since the simulation ran (its candidate hash differs)' }),
    links: Type.Object({ report: Type.String(), xlsx: Type.String() }, { additionalProperties: false }),
  },
  { additionalProperties: false },
  ),
);

export const DraftSimulationsV1 = named(
  'DraftSimulationsV1',
  Type.Object({ items: Type.Array(Type.Object({ attachment: DraftSimulationV1, report: ImpactReportV1 }, { additionalProperties: false })) }, { additionalProperties: false }),
);


export const reportSchemas = { ReportGroupV1, ImpactReportV1, AttachSimulationV1, DraftSimulationV1, DraftSimulationsV1 };
