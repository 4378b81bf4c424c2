/**
 * The OpenAPI 3.1 document, as data. Request schemas here are also what the server validates
 * bodies with (server/validate.ts), so the document cannot drift from the checks; a test
 * compares its paths and methods with the routes Hono registered.
 */
import { bundlePaths, bundleSchemas } from './bundles/contract.ts';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date' };
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const ok = (description: string, schema: object = { type: 'object' }) => ({ description, ...json(schema) });
const err = (description: string) => ({ description, ...json(ref('Error')) });
const pathParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const query = (name: string, schema: object = { type: 'string' }, description?: string) => ({
  name,
  in: 'query',
  required: false,
  schema,
  ...(description ? { description } : {}),
});
/** Filters of a simulation's changed records, for the paged list and the download alike. */
const changeFilters = [
  query('rule', { type: 'string', minLength: 1 }, 'Only records whose outcome for this rule (fired, undetermined or neither) differs between the sides'),
  query('kind', { type: 'string', minLength: 1 }, "Only records where this outcome kind is on one side only: a kind (violation, eligible, …) or none, undetermined, invalid-facts as in the result's byOutcome"),
];
const policyParams = [pathParam('jurisdiction'), pathParam('topic')];
const secured = { security: [{ bearer: [] }] };
const commonErrors = { '400': err('Bad input'), '401': err('Missing or invalid token'), '403': err('Role may not call this') };
const paging = [query('page', { type: 'integer', minimum: 1 }), query('pageSize', { type: 'integer', minimum: 1, maximum: 1000 })];

export const SCHEMAS = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string' },
          message: ref('Text'),
          details: {
            type: 'array',
            items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: ref('Text'), code: { type: 'string' } } },
          },
        },
      },
    },
  },
  Text: { type: 'object', required: ['zh', 'en'], properties: { zh: { type: 'string' }, en: { type: 'string' } } },
  Facts: { type: 'object', description: 'Facts by name, as docs/language.md "How facts are given" says.' },
  EvaluateRequestV1: {
    type: 'object',
    required: ['policy', 'facts'],
    additionalProperties: false,
    properties: {
      policy: {
        type: 'string',
        minLength: 1,
        description: 'Policy id, e.g. gansu/poverty-loan, or draft:<id> (admin, author, reviewer; not system; no `version` then)',
      },
      version: { type: 'string', minLength: 1 },
      asOf: date,
      facts: ref('Facts'),
      explain: { type: 'boolean' },
      subject: { type: 'string', minLength: 1, maxLength: 200, description: "The caller's own id of the case; the decision log can be searched by it" },
    },
  },
  BulkReplayRequestV1: {
    type: 'object',
    required: ['filter', 'candidate'],
    additionalProperties: false,
    properties: {
      filter: {
        type: 'object',
        required: ['policy', 'version'],
        additionalProperties: false,
        properties: {
          policy: { type: 'string', minLength: 1 },
          version: { type: 'string', minLength: 1 },
          from: { type: 'string' },
          to: { type: 'string' },
          caller: { type: 'string' },
          subject: { type: 'string' },
        },
      },
      candidate: { type: 'string', minLength: 1, description: '<policy>@<version> or draft:<id>' },
      asOf: date,
    },
  },
  CompareRequestV1: {
    type: 'object',
    required: ['policies', 'facts'],
    additionalProperties: false,
    properties: {
      policies: {
        type: 'array',
        minItems: 1,
        maxItems: 50,
        items: {
          type: 'object',
          required: ['policy'],
          additionalProperties: false,
          properties: {
            policy: { type: 'string', minLength: 1, description: 'Policy id or draft:<id>, as in EvaluateRequestV1' },
            version: { type: 'string', minLength: 1 },
          },
        },
      },
      asOf: date,
      facts: ref('Facts'),
      explain: { type: 'boolean' },
    },
  },
  BatchLineV1: {
    type: 'object',
    required: ['facts'],
    additionalProperties: false,
    properties: {
      id: { description: 'Echoed back on the answer line' },
      policy: { type: 'string', minLength: 1, description: 'Policy id or draft:<id> (admin, author, reviewer), as in EvaluateRequestV1; overrides the query' },
      version: { type: 'string', minLength: 1, description: 'Not with a draft' },
      asOf: date,
      facts: ref('Facts'),
    },
  },
  CreateDraftV1: {
    type: 'object',
    additionalProperties: false,
    properties: {
      from: {
        type: 'object',
        required: ['policy', 'version'],
        additionalProperties: false,
        properties: { policy: { type: 'string', minLength: 1 }, version: { type: 'string', minLength: 1 } },
      },
      source: { type: 'string', minLength: 1, maxLength: 1_000_000 },
      format: { enum: ['dsl', 'yaml'] },
    },
    oneOf: [{ required: ['from'] }, { required: ['source'] }],
  },
  UpdateDraftV1: {
    type: 'object',
    required: ['source'],
    additionalProperties: false,
    properties: { source: { type: 'string', minLength: 1, maxLength: 1_000_000 }, format: { enum: ['dsl', 'yaml'] } },
  },
  ReviewV1: {
    type: 'object',
    additionalProperties: false,
    properties: { comment: { type: 'string', maxLength: 10_000 } },
  },
  RejectV1: {
    type: 'object',
    required: ['comment'],
    additionalProperties: false,
    properties: { comment: { type: 'string', minLength: 1, maxLength: 10_000 } },
  },
  CreateTokenV1: {
    type: 'object',
    required: ['role', 'name'],
    additionalProperties: false,
    properties: {
      role: { enum: ['admin', 'author', 'reviewer', 'system', 'viewer'] },
      name: { type: 'string', minLength: 1, maxLength: 200 },
    },
  },
  Decision: { type: 'object', description: 'engine/evaluate/types.ts Decision' },
  DraftMarker: {
    type: 'object',
    description: 'On decisions made on a draft (answer and decision log): which draft text decided',
    required: ['id', 'revision', 'hash'],
    properties: { id: { type: 'integer' }, revision: { type: 'integer' }, hash: { type: 'string', description: "The draft's own IR hash" } },
  },
  EvaluateResponseV1: {
    type: 'object',
    required: ['decisionId', 'decision'],
    properties: { decisionId: { type: 'string' }, decision: ref('Decision'), draft: ref('DraftMarker') },
  },
  VersionSummaryV1: {
    type: 'object',
    required: ['version', 'hash', 'title', 'effectiveFrom', 'format', 'publishedAt', 'publishedBy', 'author', 'approvedBy'],
    properties: {
      version: { type: 'string' },
      hash: { type: 'string' },
      title: { type: 'string' },
      effectiveFrom: date,
      effectiveUntil: date,
      extends: { type: 'object' },
      format: { enum: ['dsl', 'yaml'] },
      publishedAt: { type: 'string' },
      publishedBy: { type: 'string' },
      author: { type: 'string', description: 'Who wrote the draft the version came from; `system` for the seed library' },
      approvedBy: { type: ['string', 'null'], description: 'Who approved that draft; null for the seed library' },
    },
  },
  DraftV1: {
    type: 'object',
    required: ['id', 'format', 'source', 'revision', 'status', 'author', 'editors', 'createdAt', 'updatedAt', 'updatedBy', 'etag'],
    properties: {
      id: { type: 'integer' },
      policyId: { type: 'string' },
      baseHash: { type: 'string' },
      format: { enum: ['dsl', 'yaml'] },
      source: { type: 'string' },
      revision: { type: 'integer' },
      status: { enum: ['editing', 'in-review', 'approved', 'rejected', 'published'] },
      author: { type: 'string', description: 'Who created the draft' },
      editors: { type: 'array', items: { type: 'string' } },
      createdAt: { type: 'string' },
      updatedAt: { type: 'string', description: 'When the source was last saved (review steps do not move it)' },
      updatedBy: { type: 'string', description: 'Who saved the source last' },
      publishedHash: { type: 'string' },
      etag: { type: 'string' },
      reviews: { type: 'array', items: { type: 'object' } },
    },
  },
} as const;

export type SchemaName = keyof typeof SCHEMAS;

const body = (name: SchemaName, required = true) => ({ requestBody: { required, ...json(ref(name)) } });

export const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'tiaowen API',
    version: '1.0.0',
    description: '条文: poverty-alleviation supervision rules as versioned, citable policies. Every error has the `Error` shape.',
  },
  servers: [{ url: '/' }],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'tw_… token; roles admin, author, reviewer, system, viewer' } },
    // Bundle components are TypeBox schemas (server/bundles/contract.ts).
    schemas: { ...SCHEMAS, ...bundleSchemas },
  },
  paths: {
    '/healthz': { get: { summary: 'Liveness and database check', responses: { '200': ok('Healthy'), '503': err('Unhealthy') } } },
    '/readyz': {
      get: {
        summary: 'Readiness for a load balancer: store reachable, migrations done, not shutting down',
        responses: { '200': ok('Ready: {status, store, instance}'), '503': err('Not ready') },
      },
    },
    '/metrics': { get: { summary: 'Prometheus metrics', responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
    '/api/v1/openapi.json': { get: { summary: 'This document', responses: { '200': ok('OpenAPI 3.1') } } },
    '/api/v1/me': { get: { ...secured, summary: 'Who the token belongs to', responses: { '200': ok('Name and role'), ...commonErrors } } },
    '/api/v1/policies': {
      get: {
        ...secured,
        summary: 'List policies',
        parameters: [query('jurisdiction'), query('topic'), query('inForceOn', date, 'Only policies with a version in force on this date')],
        responses: {
          '200': ok('Policies with their versions', {
            type: 'object',
            required: ['items'],
            properties: { items: { type: 'array', items: { type: 'object', properties: { versions: { type: 'array', items: ref('VersionSummaryV1') } } } } },
          }),
          ...commonErrors,
        },
      },
    },
    '/api/v1/policies/{jurisdiction}/{topic}': {
      get: {
        ...secured,
        summary: 'One policy with its versions and its open drafts',
        parameters: policyParams,
        responses: {
          '200': ok('Policy', { type: 'object', properties: { versions: { type: 'array', items: ref('VersionSummaryV1') } } }),
          '404': err('Unknown policy'),
          ...commonErrors,
        },
      },
    },
    '/api/v1/policies/{jurisdiction}/{topic}/versions/{version}': {
      get: {
        ...secured,
        summary: 'One published version: source as written, DSL and YAML, IR, hash, fact schema',
        parameters: [...policyParams, pathParam('version')],
        responses: { '200': ok('Version'), '404': err('Unknown policy or version'), ...commonErrors },
      },
    },
    '/api/v1/policies/{jurisdiction}/{topic}/versions/{version}/schema': {
      get: {
        ...secured,
        summary: 'JSON Schema of the facts (Chinese titles), base facts included',
        parameters: [...policyParams, pathParam('version')],
        responses: { '200': ok('JSON Schema'), '404': err('Unknown policy or version'), ...commonErrors },
      },
    },
    '/api/v1/evaluate': {
      post: {
        ...secured,
        summary: 'Evaluate facts under a policy or a draft; the decision is logged before the answer (a draft\'s with its `draft` marker)',
        parameters: [query('explain', { enum: ['true', 'false'] })],
        ...body('EvaluateRequestV1'),
        responses: {
          '200': ok('Decision and its id', ref('EvaluateResponseV1')),
          ...commonErrors,
          '403': err('Role may not call this, or may not evaluate drafts (system)'),
          '404': err('Unknown policy, version or draft'),
          '413': err('Body too large'),
          '415': err('Not JSON'),
          '422': err('Facts invalid, no version in force, or the draft has errors'),
        },
      },
    },
    '/api/v1/evaluate/compare': {
      post: {
        ...secured,
        summary: 'Evaluate one finding under several policies, variants or drafts, side by side (per-side errors inline)',
        ...body('CompareRequestV1'),
        responses: {
          '200': ok('One result per policy'),
          '413': err('Body too large'),
          '415': err('Not JSON'),
          ...commonErrors,
          '403': err('Role may not call this, or a side is a draft and the role may not evaluate drafts (system)'),
        },
      },
    },
    '/api/v1/evaluate/batch': {
      post: {
        ...secured,
        summary: 'NDJSON in, NDJSON out, streamed: one BatchLineV1 per line; answers in order, errors per line; decisions on a draft are logged with its `draft` marker',
        parameters: [
          query('policy', { type: 'string' }, 'Policy id or draft:<id> for lines without their own (a draft: admin, author, reviewer; an unknown or broken draft is answered on each line)'),
          query('version', { type: 'string' }, 'Not with a draft (400)'),
          query('asOf', date),
          query(
            'view',
            { type: 'string', enum: ['full', 'lean'], default: 'full' },
            'full: each answer has the whole decision. lean: each answer has {decisionId, lean} (the LeanDecision of engine/evaluate/lean.ts) and a line {texts} with the rule texts comes once per policy version before the first answer that refers to it; expandDecision(lean, texts) gives the whole decision',
          ),
        ],
        requestBody: { required: true, content: { 'application/x-ndjson': { schema: ref('BatchLineV1') } } },
        responses: {
          '200': {
            description:
              'One line per non-blank input line, in order: {line, id?, draft?, decisionId, decision} (view=lean: {line, id?, draft?, decisionId, lean}, with a {texts} line before the first answer that refers to those rule texts), {line, id?, status, error} when the line was read but refused, or {line, error} when it could not be read (not JSON, or longer than batchLineLimit); draft is the DraftMarker of a decision made on a draft (its rule texts are its own)',
            content: { 'application/x-ndjson': { schema: { type: 'object' } } },
          },
          '415': err('Not NDJSON'),
          ...commonErrors,
          '400': err('Bad query (view; version with a draft in policy)'),
          '403': err('Role may not call this, or the query names a draft and the role may not evaluate drafts (system); a line naming one is refused on its line'),
        },
      },
    },
    '/api/v1/diff': {
      get: {
        ...secured,
        summary: 'Semantic and textual diff between two versions or a draft and a version',
        parameters: [
          { ...query('a', { type: 'string' }, '<policy>@<version> or draft:<id>'), required: true },
          { ...query('b', { type: 'string' }, '<policy>@<version> or draft:<id>'), required: true },
          query('impact', { enum: ['true', 'false'] }, 'true: also the change impact (rules whose verdict changes, each with a witness record; solver-backed)'),
        ],
        responses: { '200': ok('PolicyDiff and text diff'), '404': err('Unknown reference'), '422': err('A draft does not compile'), ...commonErrors },
      },
    },
    '/api/v1/simulate': {
      post: {
        ...secured,
        summary: 'Start a simulation: a dataset under a baseline and a candidate, as a background job',
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                required: ['file', 'baseline', 'candidate'],
                properties: {
                  file: { type: 'string', contentMediaType: 'application/octet-stream', description: '.jsonl, .csv or .xlsx' },
                  baseline: { type: 'string', description: '<policy>@<version>, <policy> (in force on asOf) or draft:<id>' },
                  candidate: { type: 'string' },
                  asOf: date,
                },
              },
            },
          },
        },
        responses: { '202': ok('Job created'), '404': err('Unknown reference'), '413': err('Upload too large'), '415': err('Not multipart'), '422': err('Broken upload'), ...commonErrors },
      },
    },
    '/api/v1/jobs/{id}': {
      get: { ...secured, summary: 'Job status and, when done, its result', parameters: [pathParam('id')], responses: { '200': ok('Job'), '404': err('Unknown job'), ...commonErrors } },
      delete: { ...secured, summary: 'Cancel a running job', parameters: [pathParam('id')], responses: { '200': ok('Cancelled'), '404': err('Unknown job'), '409': err('Already ended'), ...commonErrors } },
    },
    '/api/v1/jobs/{id}/events': {
      get: {
        ...secured,
        summary: 'Progress as server-sent events: `progress` {done,total,rate}, then `end` with the status',
        parameters: [pathParam('id')],
        responses: { '200': { description: 'SSE stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, '404': err('Unknown job'), ...commonErrors },
      },
    },
    '/api/v1/jobs/{id}/changes': {
      get: {
        ...secured,
        summary: 'Records whose outcome changed, paged; filters narrow every page and the total',
        parameters: [
          pathParam('id'),
          ...paging,
          ...changeFilters,
        ],
        responses: { '200': ok('Page: {items, total, page, pageSize, rule?, kind?}'), '404': err('Unknown job'), '409': err('Not finished'), ...commonErrors },
      },
    },
    '/api/v1/jobs/{id}/download': {
      get: {
        ...secured,
        summary: 'The changed records as JSONL or CSV: all of them, or those passing the same filters as /changes',
        parameters: [pathParam('id'), query('format', { enum: ['jsonl', 'csv'] }), ...changeFilters],
        responses: {
          '200': { description: 'File', content: { 'application/x-ndjson': { schema: { type: 'string' } }, 'text/csv': { schema: { type: 'string' } } } },
          '404': err('Unknown job'),
          '409': err('Not finished'),
          ...commonErrors,
        },
      },
    },
    '/api/v1/drafts': {
      get: { ...secured, summary: 'List drafts', parameters: [query('status'), query('policy')], responses: { '200': ok('Drafts'), ...commonErrors } },
      post: { ...secured, summary: 'Create a draft from a version or from source', ...body('CreateDraftV1'), responses: { '201': ok('Draft, with ETag header'), '404': err('Unknown version'), ...commonErrors } },
    },
    '/api/v1/drafts/{id}': {
      get: { ...secured, summary: 'One draft with its reviews; ETag header', parameters: [pathParam('id')], responses: { '200': ok('Draft', ref('DraftV1')), '404': err('Unknown draft'), ...commonErrors } },
      put: {
        ...secured,
        summary: 'Edit a draft; needs If-Match with the ETag',
        parameters: [pathParam('id'), { name: 'If-Match', in: 'header', required: true, schema: { type: 'string' } }],
        ...body('UpdateDraftV1'),
        responses: { '200': ok('Draft with diagnostics'), '404': err('Unknown draft'), '409': err('Not editable in this state'), '412': err('Stale ETag'), '428': err('If-Match missing'), ...commonErrors },
      },
    },
    '/api/v1/drafts/{id}/schema': {
      get: {
        ...secured,
        summary: "JSON Schema of the draft's facts (its base's included), for the Try it form",
        parameters: [pathParam('id')],
        responses: { '200': ok('JSON Schema'), '404': err('Unknown draft'), '422': err('The draft has errors or its base is not in force'), ...commonErrors },
      },
    },
    '/api/v1/drafts/{id}/validate': {
      post: { ...secured, summary: 'Compile the draft and return its diagnostics', parameters: [pathParam('id')], responses: { '200': ok('Diagnostics'), '404': err('Unknown draft'), ...commonErrors } },
    },
    '/api/v1/drafts/{id}/submit': {
      post: { ...secured, summary: 'Submit for review', parameters: [pathParam('id')], ...body('ReviewV1', false), responses: { '200': ok('Draft'), '404': err('Unknown draft'), '409': err('Wrong state'), '412': err('Stale ETag'), '422': err('Draft has errors'), ...commonErrors } },
    },
    '/api/v1/drafts/{id}/approve': {
      post: { ...secured, summary: 'Approve (four eyes: not by an author of the draft)', parameters: [pathParam('id')], ...body('ReviewV1', false), responses: { '200': ok('Draft'), '404': err('Unknown draft'), '409': err('Wrong state'), ...commonErrors } },
    },
    '/api/v1/drafts/{id}/reject': {
      post: { ...secured, summary: 'Reject with a comment', parameters: [pathParam('id')], ...body('RejectV1'), responses: { '200': ok('Draft'), '404': err('Unknown draft'), '409': err('Wrong state'), ...commonErrors } },
    },
    '/api/v1/drafts/{id}/publish': {
      post: { ...secured, summary: 'Publish an approved draft as an immutable version', parameters: [pathParam('id')], responses: { '201': ok('Published version'), '404': err('Unknown draft'), '409': err('Wrong state or version label taken'), '422': err('Draft has errors'), ...commonErrors } },
    },
    '/api/v1/decisions': {
      get: {
        ...secured,
        summary: 'Logged decisions, newest first: filters, cursor pagination; format=ndjson|csv streams every match',
        parameters: [
          query('policy'),
          query('version'),
          query('from', { type: 'string', description: 'YYYY-MM-DD (a day in Asia/Shanghai) or an ISO time' }),
          query('to', { type: 'string', description: 'YYYY-MM-DD (through that day) or an ISO time' }),
          query('caller'),
          query('subject'),
          query('outcome', { type: 'string', description: 'an outcome kind fired, or undetermined, none, invalid-facts' }),
          query('rule', { type: 'string', description: 'a rule id that fired' }),
          query('limit', { type: 'integer', minimum: 1, maximum: 500 }),
          query('cursor', { type: 'string', description: 'nextCursor of the page before' }),
          query('format', { enum: ['json', 'ndjson', 'csv'] }),
        ],
        responses: { '200': ok('{items, nextCursor?}, or the export'), ...commonErrors },
      },
    },
    '/api/v1/decisions/replay': {
      post: {
        ...secured,
        summary: 'Re-decide a filtered set of logged decisions under another version or a draft, as a simulation job',
        ...body('BulkReplayRequestV1'),
        responses: { '202': ok('The job'), '404': err('Unknown policy, version or draft'), '422': err('No decisions to replay, or the draft has errors'), ...commonErrors },
      },
    },
    '/api/v1/decisions/{id}': {
      get: { ...secured, summary: 'One logged decision', parameters: [pathParam('id')], responses: { '200': ok('Decision record'), '404': err('Unknown decision'), ...commonErrors } },
    },
    '/api/v1/decisions/{id}/replay': {
      post: { ...secured, summary: 'Evaluate the logged facts again and compare', parameters: [pathParam('id')], responses: { '200': ok('Replay result'), '404': err('Unknown decision'), ...commonErrors } },
    },
    '/api/v1/audit': {
      get: {
        ...secured,
        summary: 'Audit trail, newest first',
        parameters: [query('actor'), query('target', { type: 'string' }, 'Exact target or prefix, e.g. draft:3 or policy:gansu/'), query('action'), query('from'), query('to'), ...paging],
        responses: { '200': ok('Page of audit entries'), ...commonErrors },
      },
    },
    '/api/v1/tokens': {
      get: { ...secured, summary: 'List tokens (never their secrets)', responses: { '200': ok('Tokens'), ...commonErrors } },
      post: { ...secured, summary: 'Create a token; the secret is shown once', ...body('CreateTokenV1'), responses: { '201': ok('Token'), ...commonErrors } },
    },
    '/api/v1/tokens/{id}': {
      delete: { ...secured, summary: 'Revoke a token', parameters: [pathParam('id')], responses: { '200': ok('Revoked'), '404': err('Unknown token'), ...commonErrors } },
    },
    ...bundlePaths,
  },
} as const;
