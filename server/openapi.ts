/**
 * The OpenAPI 3.1 document, generated from the TypeBox schemas of server/contract/: every named
 * schema becomes a component and each nested use of it a `$ref`, so the document, the request
 * checks (server/validate.ts) and the TypeScript types (server/wire.ts) cannot drift. A test
 * compares the paths with the routes Hono registered; test/server/contract/ lints the document
 * with redocly, generates a client from it and validates every response the suite sees.
 *
 * Other modules add routes through `EXTENSIONS` (their path items and their schemas by name).
 */
import type { TSchema } from '@sinclair/typebox';
import { PERMISSIONS } from './auth/permissions.ts';
import * as E from './contract/engine.ts';
import * as W from './contract/wire.ts';
import irSchema from '../engine/ir/schema.json' with { type: 'json' };
import { bundlePaths, bundleSchemas } from './bundles/contract.ts';
import { reportPaths, reportSchemas } from './report/contract.ts';

/** Routes and schemas another module contributes (e.g. server/bundles/contract.ts). */
export interface OpenApiExtension {
  /** OpenAPI path items by path; schemas in them may be TypeBox values (named ones become `$ref`s). */
  paths: Record<string, object>;
  /** TypeBox schemas by component name. */
  schemas: Record<string, TSchema>;
}

/** Spread into the document: the policy bundles and reported decisions (server/bundles/). */
const EXTENSIONS: OpenApiExtension[] = [
  { paths: bundlePaths, schemas: bundleSchemas },
  { paths: reportPaths, schemas: reportSchemas },
];

// ---- schemas → components -------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const REF = (name: string) => `#/components/schemas/${name}`;
/** Components lifted from the IR schema's `$defs` are named `Ir<Def>` (PolicyIR keeps its name). */
const irName = (def: string) => (def === 'PolicyIR' ? 'PolicyIR' : `Ir${def}`);

/**
 * A plain JSON copy of `schema` (TypeBox's symbol keys dropped) in which every nested named schema
 * (`$id`) is a `$ref` to its component, bare `$ref`s (TypeBox recursion) point at components too,
 * and `#/$defs/X` (the IR schema) points at `IrX`.
 */
function toDoc(value: unknown, root: boolean): Json {
  if (Array.isArray(value)) return value.map((v) => toDoc(v, false));
  if (value === null || typeof value !== 'object') return value as Json;
  const o = value as Record<string, unknown>;
  if (!root && typeof o.$id === 'string') return { $ref: REF(o.$id) };
  // TypeBox's Never ({not: {}}) as the boolean schema `false`: generated clients read it as `never`
  // (a key the other members of a union have and this one must not), `{not: {}}` as unknown.
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === 'not' && typeof o.not === 'object' && o.not !== null && Object.keys(o.not).length === 0) return false;
  const out: Record<string, Json> = {};
  for (const k of Object.keys(o)) {
    if (k === '$id' || k === '$schema' || k === '$defs') continue;
    const v = o[k];
    if (k === '$ref' && typeof v === 'string') out.$ref = v.startsWith('#/$defs/') ? REF(irName(v.slice(8))) : v.startsWith('#') ? v : REF(v);
    else out[k] = toDoc(v, false);
  }
  return out;
}

/** Every named schema of the contract modules (and the extensions), by name; a name used twice for different schemas is an error. */
function namedSchemas(extra: Record<string, TSchema>): Map<string, TSchema> {
  const found = new Map<string, TSchema>();
  const add = (name: string, s: TSchema) => {
    const had = found.get(name);
    // TypeBox copies a schema it wraps (Type.Optional), so a component is recognised by content.
    if (had && had !== s && JSON.stringify(had) !== JSON.stringify(s)) throw new Error(`openapi: two schemas named ${name}`);
    if (had) return;
    found.set(name, s);
  };
  // Walk nested schemas too, so a named shape used only inside another still gets its component.
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.$id === 'string' && !o.$id.includes('/')) {
      if (found.has(o.$id)) return add(o.$id, v as TSchema);
      add(o.$id, v as TSchema);
    }
    for (const k of Object.keys(o)) if (k !== '$defs') visit(o[k]);
  };
  for (const mod of [E, W]) for (const v of Object.values(mod)) visit(v);
  for (const [name, s] of Object.entries(extra)) {
    const id = (s as { $id?: unknown }).$id;
    if (id !== undefined && id !== name) throw new Error(`openapi: schema ${name} carries $id ${String(id)}`);
    add(name, s);
    visit(s);
  }
  return found;
}

function withoutDiscriminators(v: Json): Json {
  if (Array.isArray(v)) return v.map(withoutDiscriminators);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'discriminator').map(([k, x]) => [k, withoutDiscriminators(x)]));
}

function components(extra: Record<string, TSchema>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [name, s] of namedSchemas(extra)) {
    if (name === 'PolicyIR') continue;
    out[name] = toDoc(s, true);
  }
  // The IR schema is the engine's: its definitions become components of their own.
  const defs = (irSchema as unknown as { $defs: Record<string, unknown> }).$defs;
  // Its `discriminator`s sit beside inline `oneOf` members, which OpenAPI tools cannot select by
  // it (redocly warns); the `const` tags in the members decide the `oneOf` alone, so they go.
  for (const [def, s] of Object.entries(defs)) out[irName(def)] = withoutDiscriminators(toDoc(s, true));
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

// ---- operations -----------------------------------------------------------------------------

const ref = (s: TSchema) => toDoc(s, false);
const json = (schema: Json, example?: unknown) => ({ 'application/json': { schema, ...(example !== undefined ? { example: example as Json } : {}) } });
const ok = (description: string, schema: TSchema, example?: unknown) => ({ description, content: json(ref(schema), example) });
const err = (description: string) => ({ description, content: json(ref(W.ErrorBody)) });
/** A page for a person in a browser (the OpenID Connect login's refusals); other clients get the error body. */
const htmlPage = (description: string) => ({ description: `${description} (a page when Accept names text/html, else the error body)`, content: { 'text/html': { schema: { type: 'string' } }, ...json(ref(W.ErrorBody)) } });
/**
 * A streamed body (NDJSON, SSE): a string whose `contentSchema` is the schema of each line (each
 * event's data). OpenAPI 3.2's `itemSchema` says this directly; 3.1 tools reject it, while
 * `contentSchema` is JSON Schema 2020-12 that redocly, ajv and openapi-typescript accept.
 */
const streamed = (mediaType: string, item: TSchema, description: string) => ({
  [mediaType]: { schema: { type: 'string', contentMediaType: mediaType, contentSchema: ref(item), description } as Json },
});
const ndjson = (line: TSchema, description: string) => ({ description, content: streamed('application/x-ndjson', line, 'NDJSON: one line per answer, each as contentSchema') });
const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const query = (name: string, description: string, schema: Json = { type: 'string' }, required = false) => ({ name, in: 'query', required, description, schema });
const date = { type: 'string', format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };
const idParam = (what: string) => pathParam('id', what);
const policyParams = [pathParam('jurisdiction', 'e.g. gansu'), pathParam('topic', 'e.g. poverty-loan')];
const paging = [query('page', 'Page number, from 1', { type: 'integer', minimum: 1 }), query('pageSize', 'Items per page', { type: 'integer', minimum: 1, maximum: 1000 })];
const changeFilters = [
  query('rule', 'Only records whose outcome for this rule (fired, undetermined or neither) differs between the sides', { type: 'string', minLength: 1 }),
  query('kind', "Only records where this outcome kind is on one side only: a kind (violation, eligible, …) or none, undetermined, invalid-facts as in the result's byOutcome", {
    type: 'string',
    minLength: 1,
  }),
];

/** What every authenticated route may answer besides its own statuses. */
const AUTH_ERRORS = {
  '400': err('Bad input: malformed JSON, wrong types, a bad query'),
  '401': err('Missing or invalid token'),
  '403': err('The role may not call this'),
  '429': err('Too many failed authentications from this address, or requests on this token (Retry-After)'),
};

/** What every route with a JSON body may answer: the body limit and the content type check. */
const JSON_BODY_ERRORS = { '413': err('Body too large'), '415': err('Not JSON') };

interface OpSpec {
  id: string;
  summary: string;
  description?: string;
  tag: string;
  parameters?: object[];
  requestBody?: object;
  responses: Record<string, object>;
}

const TAGS = [
  { name: 'meta', description: 'Health, readiness, metrics, this document, who am I' },
  { name: 'policies', description: 'Published policies and their versions (immutable, content-addressed)' },
  { name: 'evaluate', description: 'Decisions: evaluate, compare, batch (NDJSON), the decision log and replay' },
  { name: 'analysis', description: 'Diffs between versions and drafts, and simulations over datasets as background jobs' },
  { name: 'drafts', description: 'Drafts and their review: edit, validate, submit, approve (four eyes), reject, publish' },
  { name: 'admin', description: 'Audit trail and tokens' },
];

/** One operation; `key` is the route as in server/auth/permissions.ts (its roles go into the description). */
function op(key: keyof typeof PERMISSIONS, spec: OpSpec): object {
  const who = PERMISSIONS[key];
  const isPublic = who === 'public';
  const roles = isPublic ? 'Public: no token needed.' : `Roles: ${who.join(', ')}.`;
  const hasJsonBody = Boolean((spec.requestBody as { content?: Record<string, unknown> } | undefined)?.content?.['application/json']);
  return {
    operationId: spec.id,
    summary: spec.summary,
    description: spec.description ? `${spec.description}\n\n${roles}` : roles,
    tags: [spec.tag],
    security: isPublic ? [] : [{ bearer: [] }],
    ...(spec.parameters ? { parameters: spec.parameters } : {}),
    ...(spec.requestBody ? { requestBody: spec.requestBody } : {}),
    responses: isPublic ? spec.responses : { ...AUTH_ERRORS, ...(hasJsonBody ? JSON_BODY_ERRORS : {}), ...spec.responses },
  };
}

const jsonBody = (schema: TSchema, example: unknown, required = true) => ({ required, content: json(ref(schema), example) });

// Examples: each is validated against its schema by test/server/contract/openapi.test.ts.
const FACTS_EXAMPLE = { 贷款: [{ 金额: 96, 逾期天数: 0 }, { 金额: 4, 逾期天数: 90 }] };
const ERROR_EXAMPLE = { error: { code: 'draft.not-found', message: { zh: '草稿不存在', en: 'Draft not found' }, requestId: '0190c8a2-6b1e-7000-8000-000000000001' } };
const TEXT_DIFF_EXAMPLE = { lines: [{ op: '-', a: 12, text: '  3% from 2015-06-01' }, { op: '+', b: 12, text: '  5% from 2019-01-01' }], added: 1, removed: 1, unchanged: 40 };
const DECISION_EXAMPLE = {
  policy: { id: 'gansu/poverty-loan-book', version: '2015.1', jurisdiction: 'gansu', hash: '3f5a…' },
  asOf: '2018-06-30',
  status: 'ok',
  factErrors: [],
  outcomes: [
    {
      ruleId: 'npl_red_line',
      title: '不良贷款率超过红线',
      kind: 'violation',
      severity: 'high',
      message: { zh: '不良贷款率 4% 超过 3% 红线', en: 'NPL ratio 4% exceeds the 3% red line' },
      consequences: ['暂停新增贷款'],
      citation: { source: '操作指南', article: '第十八条', policyId: 'gansu/poverty-loan-book', jurisdiction: 'gansu', documentTitle: '甘肃省扶贫小额信贷操作指南' },
      computed: { 不良贷款率: { label: '不良贷款率', result: { type: 'percent', value: 4 } } },
    },
  ],
  undetermined: [],
  suppressed: [],
  conflicts: [],
  notFired: [],
};

const PATHS: Record<string, Record<string, object>> = {
  '/livez': {
    get: op('GET /livez', { id: 'getLive', tag: 'meta', summary: 'Liveness: the process answers; touches no store (a constant answer)', responses: { '200': ok('Alive', W.Live, { status: 'live' }) } }),
  },
  '/healthz': {
    get: op('GET /healthz', { id: 'getHealth', tag: 'meta', summary: 'Liveness and database check', responses: { '200': ok('Healthy', W.Health, { status: 'ok', policies: 12 }), '503': err('The store does not answer') } }),
  },
  '/readyz': {
    get: op('GET /readyz', {
      id: 'getReady',
      tag: 'meta',
      summary: 'Readiness for a load balancer',
      description: 'The store answers, migrations are done, the instance is not shutting down.',
      responses: { '200': ok('Ready', W.Ready, { status: 'ready', store: 'sqlite', instance: 'host-1:4242' }), '503': err('Not ready: starting, draining or the store unreachable') },
    }),
  },
  '/metrics': {
    get: op('GET /metrics', {
      id: 'getMetrics',
      tag: 'meta',
      summary: 'Prometheus metrics',
      responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } },
    }),
  },
  '/api/v1/openapi.json': {
    get: op('GET /api/v1/openapi.json', {
      id: 'getOpenApi',
      tag: 'meta',
      summary: 'This document',
      responses: { '200': { description: 'OpenAPI 3.1', content: json({ type: 'object', additionalProperties: true }) } },
    }),
  },
  '/api/v1/me': { get: op('GET /api/v1/me', { id: 'getMe', tag: 'meta', summary: 'Who the token belongs to', responses: { '200': ok('Name and role', W.Me, { name: '张三', role: 'author' }) } }) },
  '/api/v1/policies': {
    get: op('GET /api/v1/policies', {
      id: 'listPolicies',
      tag: 'policies',
      summary: 'List policies with their versions',
      parameters: [query('jurisdiction', 'e.g. gansu'), query('topic', 'e.g. poverty-loan'), query('inForceOn', 'Only policies with a version in force on this date', date)],
      responses: { '200': ok('Policies with their versions', W.PolicyListResponse) },
    }),
  },
  '/api/v1/policies/{jurisdiction}/{topic}': {
    get: op('GET /api/v1/policies/:jurisdiction/:topic', {
      id: 'getPolicy',
      tag: 'policies',
      summary: 'One policy with its versions and its open drafts',
      parameters: policyParams,
      responses: { '200': ok('Policy', W.PolicyDetail), '404': err('Unknown policy') },
    }),
  },
  '/api/v1/policies/{jurisdiction}/{topic}/versions/{version}': {
    get: op('GET /api/v1/policies/:jurisdiction/:topic/versions/:version', {
      id: 'getVersion',
      tag: 'policies',
      summary: 'One published version',
      description: 'Source as written, DSL and YAML, IR, hash, fact schema.',
      parameters: [...policyParams, pathParam('version', 'Version label, e.g. 2015.1')],
      responses: { '200': ok('Version', W.VersionDetail), '404': err('Unknown policy or version') },
    }),
  },
  '/api/v1/policies/{jurisdiction}/{topic}/versions/{version}/schema': {
    get: op('GET /api/v1/policies/:jurisdiction/:topic/versions/:version/schema', {
      id: 'getVersionSchema',
      tag: 'policies',
      summary: "JSON Schema of the version's facts, or of its decisions",
      description:
        'of=facts (default): the facts (draft-07, Chinese titles, base facts included). of=decision: a 2020-12 schema of the Decision this version gives, its rule ids, kinds and computed values spelled out, to validate answers with.',
      parameters: [...policyParams, pathParam('version', 'Version label, e.g. 2015.1'), query('of', 'Which end: facts (default) or decision', { type: 'string', enum: ['facts', 'decision'], default: 'facts' })],
      responses: { '200': ok('JSON Schema', W.JsonSchema), '404': err('Unknown policy or version'), '422': err('No version of the base is in force') },
    }),
  },
  '/api/v1/policies/{jurisdiction}/{topic}/versions/{version}/template': {
    get: op('GET /api/v1/policies/:jurisdiction/:topic/versions/:version/template', {
      id: 'getVersionTemplate',
      tag: 'policies',
      summary: 'A dataset template for simulating on this version (XLSX or CSV)',
      description:
        "One column per fact headed by its Chinese label (the upload takes labels or names), one example row valid for the version; list facts as one column holding a JSON array of records. XLSX: a second sheet `说明` lists each column's fact name, type and allowed values, enum and yes/no columns have dropdowns. CSV: the same notes as `#` lines before the header, which the upload skips.",
      parameters: [...policyParams, pathParam('version', 'Version label, e.g. 2015.1'), query('format', 'xlsx (default) or csv', { type: 'string', enum: ['xlsx', 'csv'], default: 'xlsx' })],
      responses: {
        '200': {
          description: 'The template file (Content-Disposition: attachment)',
          content: {
            'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', contentMediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } },
            'text/csv': { schema: { type: 'string' } },
          },
        },
        '404': err('Unknown policy or version'),
        '422': err('No version of the base is in force'),
      },
    }),
  },
  '/api/v1/policies/{jurisdiction}/{topic}/versions/{version}/sample': {
    get: op('GET /api/v1/policies/:jurisdiction/:topic/versions/:version/sample', {
      id: 'getVersionSample',
      tag: 'policies',
      summary: 'A generated sample dataset for this version (JSONL, CSV or XLSX)',
      description:
        'Made-up records, the same for the same seed and count (a record does not depend on the count); values fall near the thresholds the rules compare with, and some facts are missing, so a simulation of two versions on it shows changes. CSV and XLSX as the template (labels as headers).',
      parameters: [
        ...policyParams,
        pathParam('version', 'Version label, e.g. 2015.1'),
        query('count', 'Records (default 200; at most 2000 as XLSX)', { type: 'integer', minimum: 1, maximum: 10000, default: 200 }),
        query('seed', 'Seed (default 1)', { type: 'integer', minimum: 0, maximum: 2147483647, default: 1 }),
        query('format', 'jsonl (default), csv or xlsx', { type: 'string', enum: ['jsonl', 'csv', 'xlsx'], default: 'jsonl' }),
      ],
      responses: {
        '200': {
          description: 'The sample file (Content-Disposition: attachment)',
          content: {
            'application/x-ndjson': { schema: { type: 'string', contentMediaType: 'application/x-ndjson', contentSchema: { type: 'object', description: 'One facts object per line' }, description: 'NDJSON: one facts object per line' } },
            'text/csv': { schema: { type: 'string' } },
            'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', contentMediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } },
          },
        },
        '404': err('Unknown policy or version'),
        '422': err('No version of the base is in force'),
      },
    }),
  },
  '/api/v1/evaluate': {
    post: op('POST /api/v1/evaluate', {
      id: 'evaluate',
      tag: 'evaluate',
      summary: 'Evaluate facts under a policy or a draft',
      description: "The decision is logged before the answer (a draft's with its `draft` marker). `explain=true` adds the trace.",
      parameters: [query('explain', 'true: add the trace', { type: 'string', enum: ['true', 'false'] })],
      requestBody: jsonBody(W.EvaluateRequest, { policy: 'gansu/poverty-loan-book', asOf: '2018-06-30', subject: '县-001', facts: FACTS_EXAMPLE }),
      responses: {
        '200': ok('Decision and its id', W.EvaluateResponse, { decisionId: 'dec_0190c8a2-6b1e-7000-8000-000000000001', decision: DECISION_EXAMPLE }),
        '403': err('The role may not call this, or may not evaluate drafts (system)'),
        '404': err('Unknown policy, version or draft'),
        '413': err('Body too large'),
        '415': err('Not JSON'),
        '422': err('Facts invalid, no version in force, or the draft has errors'),
      },
    }),
  },
  '/api/v1/evaluate/compare': {
    post: op('POST /api/v1/evaluate/compare', {
      id: 'compare',
      tag: 'evaluate',
      summary: 'Evaluate one finding under several policies, variants or drafts',
      description: 'One result per side, in the order asked; a side that fails carries its status and error inline.',
      requestBody: jsonBody(W.CompareRequest, { policies: [{ policy: 'gansu/poverty-loan-book' }, { policy: 'draft:7' }], asOf: '2018-06-30', facts: FACTS_EXAMPLE }),
      responses: {
        '200': ok('One result per policy', W.CompareResponse),
        '403': err('The role may not call this, or a side is a draft and the role may not evaluate drafts (system)'),
        '413': err('Body too large'),
        '415': err('Not JSON'),
      },
    }),
  },
  '/api/v1/evaluate/batch': {
    post: op('POST /api/v1/evaluate/batch', {
      id: 'evaluateBatch',
      tag: 'evaluate',
      summary: 'Evaluate many records: NDJSON in, NDJSON out, streamed',
      description:
        'One BatchLineV1 per line; one answer line per non-blank input line, in order (BatchAnswerLine): decided, refused (status and error) or unreadable. view=lean answers with LeanDecision and sends each policy version\'s rule texts once, on a line of their own, before the first answer that needs them.',
      parameters: [
        query('policy', 'Policy id or draft:<id> for lines without their own (a draft: admin, author, reviewer)'),
        query('version', 'Not with a draft (400)'),
        query('asOf', 'The as-of date of lines without their own', date),
        query('view', 'full: whole decisions. lean: LeanDecision, with {texts} lines', { type: 'string', enum: ['full', 'lean'], default: 'full' }),
      ],
      requestBody: {
        required: true,
        content: {
          'application/x-ndjson': {
            ...streamed('application/x-ndjson', W.BatchLine, 'NDJSON: one BatchLineV1 per line')['application/x-ndjson'],
            example: `{"id":1,"facts":{"弄虚作假":true,"贴息金额":100}}\n{"id":2,"facts":{}}\n`,
          },
        },
      },
      responses: {
        '200': ndjson(W.BatchAnswerLine, 'One BatchAnswerLine per non-blank input line, in order'),
        '400': err('Bad query (view; version with a draft in policy)'),
        '403': err('The role may not call this, or the query names a draft and the role may not evaluate drafts (system); a line naming one is refused on its line'),
        '415': err('Not NDJSON'),
      },
    }),
  },
  '/api/v1/diff': {
    get: op('GET /api/v1/diff', {
      id: 'diff',
      tag: 'analysis',
      summary: 'Semantic and textual diff between two versions or a draft and a version',
      parameters: [
        query('a', '<policy>@<version> or draft:<id>', { type: 'string' }, true),
        query('b', '<policy>@<version> or draft:<id>', { type: 'string' }, true),
        query('impact', 'true: also the change impact (rules whose verdict changes, each with a witness record; solver-backed)', { type: 'string', enum: ['true', 'false'] }),
      ],
      responses: { '200': ok('PolicyDiff and text diff', W.DiffResponse), '404': err('Unknown reference'), '422': err('A draft does not compile') },
    }),
  },
  '/api/v1/simulate': {
    post: op('POST /api/v1/simulate', {
      id: 'simulate',
      tag: 'analysis',
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
                candidate: { type: 'string', description: 'As baseline' },
                asOf: date,
                mapping: {
                  type: 'string',
                  contentMediaType: 'application/json',
                  description:
                    'CSV/XLSX: JSON object, column header → fact name ("" ignores the column), for headers that are not fact names or labels. Without it such headers are refused with 422 upload.unmapped-columns, one detail per header (path column:<header>).',
                },
              },
            },
          },
        },
      },
      responses: {
        '202': ok('Job created', W.Job),
        '404': err('Unknown reference'),
        '413': err('Upload too large'),
        '415': err('Not multipart'),
        '400': err('Bad input, or a mapping that is not a JSON object of strings'),
        '422': err('Broken upload, columns matching no fact (upload.unmapped-columns), or a draft with errors'),
      },
    }),
  },
  '/api/v1/jobs/{id}': {
    get: op('GET /api/v1/jobs/:id', { id: 'getJob', tag: 'analysis', summary: 'Job status and, when done, its result', parameters: [idParam('Job id')], responses: { '200': ok('Job', W.Job), '404': err('Unknown job') } }),
    delete: op('DELETE /api/v1/jobs/:id', {
      id: 'cancelJob',
      tag: 'analysis',
      summary: 'Cancel a running job',
      parameters: [idParam('Job id')],
      responses: { '200': ok('Cancelling', W.CancelResponse, { id: 'job_0190c8a2', cancelling: true }), '404': err('Unknown job'), '409': err('Already ended') },
    }),
  },
  '/api/v1/jobs/{id}/events': {
    get: op('GET /api/v1/jobs/:id/events', {
      id: 'jobEvents',
      tag: 'analysis',
      summary: 'Progress as server-sent events',
      description: '`event: progress` then `event: end`; each `data:` is a ProgressEvent.',
      parameters: [idParam('Job id')],
      responses: {
        '200': { description: 'SSE stream', content: streamed('text/event-stream', W.ProgressEvent, 'Server-sent events; each data is a ProgressEvent (contentSchema)') },
        '404': err('Unknown job'),
      },
    }),
  },
  '/api/v1/jobs/{id}/changes': {
    get: op('GET /api/v1/jobs/:id/changes', {
      id: 'jobChanges',
      tag: 'analysis',
      summary: 'Records whose outcome changed, paged',
      description: 'Filters narrow every page and the total.',
      parameters: [idParam('Job id'), ...paging, ...changeFilters],
      responses: { '200': ok('A page of changed records', W.ChangesPage), '404': err('Unknown job'), '409': err('Not finished') },
    }),
  },
  '/api/v1/jobs/{id}/download': {
    get: op('GET /api/v1/jobs/:id/download', {
      id: 'jobDownload',
      tag: 'analysis',
      summary: 'The changed records as JSONL or CSV',
      description: 'All of them, or those passing the same filters as /changes.',
      parameters: [idParam('Job id'), query('format', 'jsonl (default) or csv', { type: 'string', enum: ['jsonl', 'csv'] }), ...changeFilters],
      responses: {
        '200': {
          description: 'File',
          content: {
            ...streamed('application/x-ndjson', W.JobChange, 'One JobChange per line'),
            'text/csv': { schema: { type: 'string' } },
          },
        },
        '404': err('Unknown job'),
        '409': err('Not finished'),
      },
    }),
  },
  '/api/v1/drafts': {
    get: op('GET /api/v1/drafts', {
      id: 'listDrafts',
      tag: 'drafts',
      summary: 'List drafts',
      parameters: [query('status', 'Only drafts in this state', ref(W.DraftStatus)), query('policy', 'Only drafts of this policy id')],
      responses: { '200': ok('Drafts', W.DraftListResponse) },
    }),
    post: op('POST /api/v1/drafts', {
      id: 'createDraft',
      tag: 'drafts',
      summary: 'Create a draft from a version or from source',
      requestBody: jsonBody(W.CreateDraft, { from: { policy: 'gansu/poverty-loan-book', version: '2015.1' } }),
      responses: { '201': ok('The draft (ETag header)', W.DraftDetail), '404': err('Unknown version'), '413': err('Body too large'), '415': err('Not JSON'), '422': err('The source nests deeper than the language allows (draft.too-deep); nothing is saved') },
    }),
  },
  '/api/v1/drafts/{id}': {
    get: op('GET /api/v1/drafts/:id', { id: 'getDraft', tag: 'drafts', summary: 'One draft with its reviews; ETag header', parameters: [idParam('Draft id')], responses: { '200': ok('Draft', W.DraftDetail), '404': err('Unknown draft') } }),
    put: op('PUT /api/v1/drafts/:id', {
      id: 'updateDraft',
      tag: 'drafts',
      summary: 'Edit a draft; needs If-Match with the ETag',
      parameters: [idParam('Draft id'), { name: 'If-Match', in: 'header', required: true, description: 'The ETag of the revision edited', schema: { type: 'string' } }],
      requestBody: jsonBody(W.UpdateDraft, { source: 'policy "gansu/poverty-loan-book" …', format: 'dsl' }),
      responses: {
        '200': ok('Draft with diagnostics', W.SavedDraft),
        '404': err('Unknown draft'),
        '409': err('Not editable in this state'),
        '412': err('Stale ETag'),
        '413': err('Body too large'),
        '415': err('Not JSON'),
        '422': err('The source nests deeper than the language allows (draft.too-deep); the draft is unchanged'),
        '428': err('If-Match missing'),
      },
    }),
  },
  '/api/v1/drafts/{id}/schema': {
    get: op('GET /api/v1/drafts/:id/schema', {
      id: 'getDraftSchema',
      tag: 'drafts',
      summary: "JSON Schema of the draft's facts (its base's included)",
      parameters: [idParam('Draft id')],
      responses: { '200': ok('JSON Schema', W.JsonSchema), '404': err('Unknown draft'), '422': err('The draft has errors or its base is not in force') },
    }),
  },
  '/api/v1/drafts/{id}/validate': {
    post: op('POST /api/v1/drafts/:id/validate', {
      id: 'validateDraft',
      tag: 'drafts',
      summary: 'Compile the draft and return its diagnostics',
      parameters: [idParam('Draft id')],
      responses: { '200': ok('Diagnostics, and the IR when it compiles', { anyOf: [W.ValidateOk, W.ValidateFailed] } as unknown as TSchema), '404': err('Unknown draft') },
    }),
  },
  '/api/v1/analyze': {
    post: op('POST /api/v1/analyze', {
      id: 'analyze',
      tag: 'drafts',
      summary: 'Prove things about an unsaved policy text: dead rules, conflicts, redundancy, gaps (Z3)',
      description:
        "For the editor: the text is compiled as a draft (a variant's base from the library) and analysed like `tiaowen check` in a worker thread, bounded by `budgetMs`; a question not answered in time is an `analysis.solver-unknown` finding naming its rules, never silence. A newer request with the same `key` supersedes an older one. Findings carry a counterexample (facts and as-of date) to evaluate.",
      requestBody: jsonBody(W.AnalyzeRequest, { source: 'policy "demo/new-policy" …', format: 'dsl', key: 'draft:7', budgetMs: 8000 }),
      responses: {
        '200': ok('Findings, or the compile errors that stop the analysis', { anyOf: [W.AnalyzeOk, W.AnalyzeFailed] } as unknown as TSchema),
        '409': err('Superseded by a newer request with the same key (analysis.superseded), or cancelled (analysis.cancelled)'),
        '503': err('Too many analyses waiting (analysis.busy)'),
      },
    }),
  },
  '/api/v1/drafts/{id}/submit': {
    post: op('POST /api/v1/drafts/:id/submit', {
      id: 'submitDraft',
      tag: 'drafts',
      summary: 'Submit for review',
      parameters: [idParam('Draft id')],
      requestBody: jsonBody(W.ReviewRequest, { comment: '请审核' }, false),
      responses: { '200': ok('Draft', W.DraftDetail), '404': err('Unknown draft'), '409': err('Wrong state'), '412': err('Stale ETag'), '422': err('Draft has errors') },
    }),
  },
  '/api/v1/drafts/{id}/approve': {
    post: op('POST /api/v1/drafts/:id/approve', {
      id: 'approveDraft',
      tag: 'drafts',
      summary: 'Approve (four eyes: not by an author or editor of the draft)',
      parameters: [idParam('Draft id')],
      requestBody: jsonBody(W.ReviewRequest, { comment: '同意' }, false),
      responses: { '200': ok('Draft', W.DraftDetail), '403': err('The role may not approve, or four eyes (draft.four-eyes)'), '404': err('Unknown draft'), '409': err('Wrong state') },
    }),
  },
  '/api/v1/drafts/{id}/reject': {
    post: op('POST /api/v1/drafts/:id/reject', {
      id: 'rejectDraft',
      tag: 'drafts',
      summary: 'Reject with a comment',
      parameters: [idParam('Draft id')],
      requestBody: jsonBody(W.RejectRequest, { comment: '引用条款有误' }),
      responses: { '200': ok('Draft', W.DraftDetail), '404': err('Unknown draft'), '409': err('Wrong state') },
    }),
  },
  '/api/v1/drafts/{id}/publish': {
    post: op('POST /api/v1/drafts/:id/publish', {
      id: 'publishDraft',
      tag: 'drafts',
      summary: 'Publish an approved draft as an immutable version',
      parameters: [idParam('Draft id')],
      responses: { '201': ok('The draft and the version it became', W.PublishResponse), '404': err('Unknown draft'), '409': err('Wrong state or version label taken'), '422': err('Draft has errors') },
    }),
  },
  '/api/v1/library/sync': {
    post: op('POST /api/v1/library/sync', {
      id: 'syncLibrary',
      tag: 'drafts',
      summary: "Propose the server's library folder as drafts",
      description:
        'Each policy or version in the library folder (--policies) that the deployment has not published becomes a draft for review. A published version is never overwritten (a label published with other content is reported as version-taken); content a draft already proposes is skipped.',
      requestBody: jsonBody(W.LibrarySyncRequest, { dryRun: true }, false),
      responses: { '200': ok('What was proposed, line by line', W.LibrarySyncResponse), '409': err('The server was started without a library folder (library.none)') },
    }),
  },
  '/api/v1/decisions': {
    get: op('GET /api/v1/decisions', {
      id: 'listDecisions',
      tag: 'evaluate',
      summary: 'Logged decisions, newest first',
      description: 'Filters, cursor pagination; format=ndjson|csv streams every match.',
      parameters: [
        query('policy', 'Policy id'),
        query('version', 'Version label'),
        query('from', 'YYYY-MM-DD (a day in Asia/Shanghai) or an ISO time'),
        query('to', 'YYYY-MM-DD (through that day) or an ISO time'),
        query('caller', 'Token name that asked'),
        query('subject', "The caller's own id of the case, or the exact value of the policy's subject fact (matched by its keyed hash)"),
        query('outcome', 'An outcome kind fired, or undetermined, none, invalid-facts'),
        query('rule', 'A rule id that fired'),
        query('limit', 'Items per page', { type: 'integer', minimum: 1, maximum: 500 }),
        query('cursor', 'nextCursor of the page before'),
        query('format', 'json (default), ndjson or csv', { type: 'string', enum: ['json', 'ndjson', 'csv'] }),
      ],
      responses: {
        '200': {
          description: 'A page, or the export',
          content: {
            ...json(ref(W.DecisionList)),
            ...streamed('application/x-ndjson', W.DecisionRecord, 'One DecisionRecord per line'),
            'text/csv': { schema: { type: 'string' } },
          },
        },
      },
    }),
  },
  '/api/v1/decisions/replay': {
    post: op('POST /api/v1/decisions/replay', {
      id: 'replayDecisions',
      tag: 'evaluate',
      summary: 'Re-decide logged decisions under another version or a draft, as a simulation job',
      requestBody: jsonBody(W.BulkReplayRequest, { filter: { policy: 'gansu/poverty-loan-book', version: '2015.1' }, candidate: 'draft:7', asOf: '2018-06-30' }),
      responses: {
        '202': ok('The job', W.Job),
        '404': err('Unknown policy, version or draft'),
        '413': err('Body too large'),
        '415': err('Not JSON'),
        '422': err('No decisions to replay, the draft has errors, or matching decisions were edited after logging (decision.tampered)'),
      },
    }),
  },
  '/api/v1/decisions/{id}': {
    get: op('GET /api/v1/decisions/:id', { id: 'getDecision', tag: 'evaluate', summary: 'One logged decision', parameters: [idParam('Decision id (dec_…)')], responses: { '200': ok('Decision record', W.DecisionRecord), '404': err('Unknown decision') } }),
  },
  '/api/v1/decisions/{id}/replay': {
    post: op('POST /api/v1/decisions/:id/replay', {
      id: 'replayDecision',
      tag: 'evaluate',
      summary: 'Evaluate the logged facts again and compare',
      parameters: [idParam('Decision id (dec_…)')],
      responses: { '200': ok('Replay result', { anyOf: [W.Replayed, W.NotReplayable] } as unknown as TSchema), '404': err('Unknown decision') },
    }),
  },
  '/api/v1/audit': {
    get: op('GET /api/v1/audit', {
      id: 'listAudit',
      tag: 'admin',
      summary: 'Audit trail, newest first',
      parameters: [
        query('actor', 'Who made the change'),
        query('target', 'Exact target or prefix, e.g. draft:3 or policy:gansu/'),
        query('action', 'e.g. draft.edit'),
        query('from', 'YYYY-MM-DD or an ISO time'),
        query('to', 'YYYY-MM-DD or an ISO time'),
        ...paging,
      ],
      responses: { '200': ok('Page of audit entries', W.AuditPage) },
    }),
  },
  '/api/v1/tokens': {
    get: op('GET /api/v1/tokens', { id: 'listTokens', tag: 'admin', summary: 'List tokens (never their secrets)', responses: { '200': ok('Tokens', W.TokenList) } }),
    post: op('POST /api/v1/tokens', {
      id: 'createToken',
      tag: 'admin',
      summary: 'Create a token; the secret is shown once',
      requestBody: jsonBody(W.CreateTokenRequest, { role: 'reviewer', name: '李四' }),
      responses: { '201': ok('Token', W.CreatedToken), '413': err('Body too large'), '415': err('Not JSON') },
    }),
  },
  '/api/v1/tokens/{id}': {
    delete: op('DELETE /api/v1/tokens/:id', { id: 'revokeToken', tag: 'admin', summary: 'Revoke a token', parameters: [idParam('Token id')], responses: { '200': ok('Revoked', W.TokenInfo), '404': err('Unknown token'), '409': err('The last admin token cannot be revoked') } }),
  },
  // Persons (issue #16).
  '/api/v1/persons': {
    get: op('GET /api/v1/persons', { id: 'listPersons', tag: 'admin', summary: 'List persons and their grants', responses: { '200': ok('Persons', W.PersonList) } }),
    post: op('POST /api/v1/persons', {
      id: 'createPerson',
      tag: 'admin',
      summary: 'Create a person; a reviewer or admin grant waits for a second admin’s approval',
      requestBody: jsonBody(W.CreatePersonRequest, { name: '李四', grants: [{ role: 'reviewer', jurisdictions: ['shanxi'] }] }),
      responses: { '201': ok('Person', W.Person), '409': err('A person with this identity exists') },
    }),
  },
  '/api/v1/persons/{id}': {
    get: op('GET /api/v1/persons/:id', { id: 'getPerson', tag: 'admin', summary: 'One person', parameters: [idParam('Person id')], responses: { '200': ok('Person', W.Person), '404': err('Unknown person') } }),
  },
  '/api/v1/persons/{id}/grants': {
    post: op('POST /api/v1/persons/:id/grants', {
      id: 'grantPerson',
      tag: 'admin',
      summary: 'Add or widen a grant; a reviewer or admin grant waits for a second admin’s approval',
      parameters: [idParam('Person id')],
      requestBody: jsonBody(W.GrantRequest, { role: 'author', jurisdictions: ['gansu'] }),
      responses: { '200': ok('Person', W.Person), '404': err('Unknown person') },
    }),
  },
  '/api/v1/persons/{id}/approve': {
    post: op('POST /api/v1/persons/:id/approve', {
      id: 'approvePerson',
      tag: 'admin',
      summary: 'Approve a person’s pending grants: an admin other than the person and than whoever asked for them',
      parameters: [idParam('Person id')],
      responses: { '200': ok('Person', W.Person), '404': err('Unknown person'), '409': err('Nothing awaits approval') },
    }),
  },
  '/api/v1/persons/{id}/disable': {
    post: op('POST /api/v1/persons/:id/disable', {
      id: 'disablePerson',
      tag: 'admin',
      summary: 'Disable a person: their tokens answer 401 auth.disabled; grants are kept. One admin suffices',
      parameters: [idParam('Person id')],
      responses: { '200': ok('Person', W.Person), '404': err('Unknown person'), '409': err('Disabled already (person.disabled), or the last active admin (person.last-admin)') },
    }),
  },
  '/api/v1/persons/{id}/enable': {
    post: op('POST /api/v1/persons/:id/enable', {
      id: 'enablePerson',
      tag: 'admin',
      summary: 'Enable a disabled person; their reviewer and admin grants wait for a second admin’s approval',
      parameters: [idParam('Person id')],
      responses: { '200': ok('Person', W.Person), '404': err('Unknown person'), '409': err('Not disabled (person.not-disabled)') },
    }),
  },
  '/api/v1/persons/{id}/tokens': {
    post: op('POST /api/v1/persons/:id/tokens', {
      id: 'issuePersonToken',
      tag: 'admin',
      summary: 'Issue a token to a person for one of their roles; the secret is shown once',
      parameters: [idParam('Person id')],
      requestBody: jsonBody(W.IssueTokenRequest, { role: 'reviewer' }),
      responses: { '201': ok('Token', W.CreatedToken), '404': err('Unknown person'), '409': err('The person holds no grant of this role') },
    }),
  },
  // OpenID Connect login for the admin UI (server/routes/oidc.ts): browser navigations, refused with a page.
  '/api/v1/auth/config': {
    get: op('GET /api/v1/auth/config', { id: 'getAuthConfig', tag: 'meta', summary: 'How the admin UI signs in: the OpenID Connect provider, if one is configured', responses: { '200': ok('Sign-in options', W.AuthConfig, { oidc: { issuer: 'https://sso.example.gov.cn' } }) } }),
  },
  '/api/v1/auth/oidc/login': {
    get: op('GET /api/v1/auth/oidc/login', {
      id: 'oidcLogin',
      tag: 'meta',
      summary: 'Start signing in with the OpenID Connect provider (authorization code, PKCE, state, nonce)',
      // A redirect is the success here; `default` (the internal error) also satisfies linters asking for a 2XX.
      responses: { '302': { description: 'To the provider; sets the signed state cookie' }, '404': htmlPage('No provider configured'), '502': htmlPage('The provider cannot be reached'), default: err('Internal error') },
    }),
  },
  '/api/v1/auth/oidc/callback': {
    get: op('GET /api/v1/auth/oidc/callback', {
      id: 'oidcCallback',
      tag: 'meta',
      summary: 'The provider sends the browser back here: the code is exchanged, the ID token verified and mapped to an active person',
      description: 'On success redirects to the admin UI with a session token (expiring) in the fragment: `/#session=tw_…`.',
      parameters: [query('code', 'Authorization code'), query('state', 'Must match the state cookie')],
      responses: {
        '302': { description: 'To the admin UI with the session token in the fragment' },
        '400': htmlPage('State missing or not matching, or the provider refused the login'),
        '403': htmlPage('No active person matches the account'),
        '404': htmlPage('No provider configured'),
        '502': htmlPage('The provider cannot be reached'),
        default: err('Internal error'),
      },
    }),
  },
};

/** The document with the extensions spread in. */
export function buildOpenApi(extensions: readonly OpenApiExtension[] = EXTENSIONS) {
  const extraSchemas = Object.assign({}, ...extensions.map((e) => e.schemas)) as Record<string, TSchema>;
  const paths: Record<string, Record<string, Json>> = {};
  for (const [p, item] of Object.entries(Object.assign({}, PATHS, ...extensions.map((e) => e.paths)) as Record<string, object>)) {
    paths[p] = toDoc(item, false) as Record<string, Json>;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'tiaowen API',
      version: '1.0.0',
      summary: '条文: regulations as data',
      description:
        'Poverty-alleviation supervision rules as versioned, citable policies: evaluate facts and get verdicts that cite the article, batch, compare, diff, simulate, and review drafts with four eyes. Every error has the `Error` shape.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/', description: 'The server that serves this document' }],
    tags: TAGS,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A tw_… token; roles admin, author, reviewer, system, viewer' } },
      schemas: components(extraSchemas),
    },
    paths,
  };
}

export const OPENAPI = buildOpenApi();
export type OpenApiDocument = typeof OPENAPI;
