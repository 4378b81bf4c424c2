/**
 * The wire contract of impact reports and of simulations attached to drafts (TypeBox: the type,
 * the schema bodies are checked with, the OpenAPI component). `reportPaths` are spread into the
 * OpenAPI document by server/openapi.ts (EXTENSIONS).
 */
import { Type, type Static } from '@sinclair/typebox';
import { named } from '../contract/schema.ts';

const Component = (name: string) => Type.Unsafe<Record<string, unknown>>({ $ref: `#/components/schemas/${name}` });
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

export const ReportGroupV1 = Type.Object(
  {
    value: Type.Union([Type.String(), Type.Null()], { description: 'The value; null for records without one, or (with other) the values past the 200 largest groups' }),
    other: Type.Optional(Type.Literal(true)),
    label: Words,
    records: Count,
    changed: Count,
    directions: Directions,
  },
  { additionalProperties: false },
);

export const ImpactReportV1 = Type.Object(
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
        { by: Type.String(), label: Words, source: Type.Union([Type.Literal('fact'), Type.Literal('column')]), groups: Type.Array(Component('ReportGroupV1')) },
        { additionalProperties: false },
      ),
    ),
    summary: Type.Array(Words, { description: 'The report in sentences, built from the figures' }),
  },
  { additionalProperties: false, description: "A finished simulation's impact report" },
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

export const DraftSimulationV1 = Type.Object(
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
);

export const DraftSimulationsV1 = Type.Object(
  { items: Type.Array(Type.Object({ attachment: Component('DraftSimulationV1'), report: Component('ImpactReportV1') }, { additionalProperties: false })) },
  { additionalProperties: false },
);

export type AttachSimulation = Static<typeof AttachSimulationV1>;
export type DraftSimulationView = Static<typeof DraftSimulationV1>;

export const reportSchemas = { ReportGroupV1, ImpactReportV1, AttachSimulationV1, DraftSimulationV1, DraftSimulationsV1 };

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const err = (description: string) => ({ description, ...json(ref('Error')) });
const idParam = (example: string) => ({ name: 'id', in: 'path', required: true, schema: { type: 'string' }, example });
const byParam = { name: 'by', in: 'query', required: false, schema: { type: 'string' }, description: 'A column to group by: a fact name, or a column kept on upload (`@keep`)', example: '县区' };
const secured = { security: [{ bearer: [] }] };
const commonErrors = { '400': err('Bad input'), '401': err('Missing or invalid token'), '403': err('Role may not call this'), '429': err('Too many failed authentications or requests; see Retry-After') };

export const reportPaths = {
  '/api/v1/jobs/{id}/report': {
    get: {
      ...secured,
      operationId: 'getImpactReport',
      summary: "A finished simulation's impact report: policy change, verdicts moved per rule and outcome, amounts, breakdown by a column",
      tags: ['simulate'],
      parameters: [idParam('job_0193f1c2-5a00-7abc-9def-0123456789ab'), byParam],
      responses: {
        '200': { description: 'The report', ...json(ref('ImpactReportV1')) },
        '404': err('No such job'),
        '409': err('The job has not finished, or ended without a report (cancelled, failed, or run before reports existed)'),
        '422': err('`by` names no column of this dataset'),
        ...commonErrors,
      },
    },
  },
  '/api/v1/jobs/{id}/report.xlsx': {
    get: {
      ...secured,
      operationId: 'getImpactReportXlsx',
      summary: 'The impact report as XLSX: sheets 摘要 Summary, 分组 Breakdown, 变化记录 Changed records',
      tags: ['simulate'],
      parameters: [idParam('job_0193f1c2-5a00-7abc-9def-0123456789ab'), byParam],
      responses: {
        '200': { description: 'The workbook', content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } } } },
        '404': err('No such job'),
        '409': err('The job has not finished, or ended without a report'),
        '422': err('`by` names no column of this dataset'),
        ...commonErrors,
      },
    },
  },
  '/api/v1/drafts/{id}/simulations': {
    get: {
      ...secured,
      operationId: 'listDraftSimulations',
      summary: 'The simulations attached to a draft, each with its impact report (for the approver)',
      tags: ['drafts'],
      parameters: [idParam('7')],
      responses: {
        '200': { description: 'Attached simulations, oldest first', ...json(ref('DraftSimulationsV1')) },
        '404': err('No such draft'),
        ...commonErrors,
      },
    },
    post: {
      ...secured,
      operationId: 'attachDraftSimulation',
      summary: 'Attach a finished simulation run with this draft as candidate, so the approver sees its report',
      tags: ['drafts'],
      parameters: [idParam('7')],
      requestBody: { required: true, ...json(ref('AttachSimulationV1')) },
      responses: {
        '201': { description: 'Attached (in the audit trail as draft.attach-simulation)', ...json(ref('DraftSimulationV1')) },
        '404': err('No such draft or job'),
        '409': err('The draft is not being edited or reviewed, the job has not finished, it was attached already, or the draft changed since it ran'),
        '413': err('Body too large'),
        '415': err('Not JSON'),
        '422': err('The simulation was not run with this draft as candidate, or `by` names no column of its dataset'),
        ...commonErrors,
      },
    },
  },
};
