/**
 * The wire contract of policy bundles and reported decisions, one TypeBox definition per shape:
 * the TypeScript type, the JSON Schema the route checks bodies with, and the OpenAPI component.
 * `bundlePaths` are OpenAPI 3.1 path items; server/openapi.ts spreads them into the document.
 */
import { Type, type Static } from '@sinclair/typebox';

/** A reference to another component, as OpenAPI writes it (TypeBox's Type.Ref would write the bare name). */
const Component = (name: string) => Type.Unsafe<Record<string, unknown>>({ $ref: `#/components/schemas/${name}` });
const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date' });

export const BundleVersionV1 = Type.Object(
  {
    policyId: Type.String({ examples: ['central/responsibility'] }),
    version: Type.String(),
    hash: Type.String({ description: 'sha256 of the canonical IR of this version (bases not merged in)' }),
    effectiveFrom: IsoDate,
    effectiveUntil: Type.Optional(IsoDate),
    ir: Type.Object({}, { additionalProperties: true, description: 'The policy IR (engine/ir/schema.json), data only' }),
  },
  { additionalProperties: false },
);

export const BundleV1 = Type.Object(
  {
    bundle: Type.Object(
      {
        format: Type.Literal('tiaowen.bundle/1'),
        policy: Type.String({ description: 'jurisdiction/topic' }),
        versions: Type.Array(Component('BundleVersionV1'), { description: 'Versions in force or scheduled on issuedFor, by effectiveFrom' }),
        bases: Type.Array(Component('BundleVersionV1'), { description: 'Every version of each policy extended, directly or not' }),
        issuedFor: IsoDate,
      },
      { additionalProperties: false },
    ),
    signature: Type.String({ description: 'Ed25519 signature (base64) of the canonical JSON of `bundle` (keys sorted, no whitespace, UTF-8)' }),
    keyId: Type.String({ description: 'First 16 hex digits of sha256 of the public key (SPKI DER)' }),
  },
  { additionalProperties: false, description: 'A signed policy bundle: IR as data, to decide in the client process' },
);

export const BundleKeyV1 = Type.Object(
  {
    algorithm: Type.Literal('Ed25519'),
    keyId: Type.String(),
    publicKey: Type.String({ description: 'PEM (SPKI); pin it in the client' }),
  },
  { additionalProperties: false },
);

export const ReportedDecisionV1 = Type.Object(
  {
    facts: Type.Object({}, { additionalProperties: true }),
    decision: Type.Object(
      {
        policy: Type.Object({ id: Type.String(), version: Type.String(), jurisdiction: Type.String(), hash: Type.String() }, { additionalProperties: true }),
        asOf: IsoDate,
        status: Type.String(),
        outcomes: Type.Array(Type.Object({}, { additionalProperties: true })),
      },
      { additionalProperties: true, description: 'The Decision as the client evaluated it (engine/evaluate/types.ts)' },
    ),
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "The client's own id of the case" })),
  },
  { additionalProperties: false },
);

export const ReportedDecisionsV1 = Type.Object(
  {
    client: Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\s]', description: 'Name of the reporting client, kept as reportedBy', examples: ['county-app-1'] }),
    decisions: Type.Array(Component('ReportedDecisionV1'), { minItems: 1, maxItems: 1000 }),
  },
  { additionalProperties: false },
);

export const ReportedDecisionsResultV1 = Type.Object(
  {
    recorded: Type.Integer({ minimum: 0 }),
    ids: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);

export type ReportedDecisions = Static<typeof ReportedDecisionsV1> & { decisions: Static<typeof ReportedDecisionV1>[] };
export type BundleKey = Static<typeof BundleKeyV1>;

/** Components by name, as `#/components/schemas/<name>` refers to them. */
export const bundleSchemas = { BundleVersionV1, BundleV1, BundleKeyV1, ReportedDecisionV1, ReportedDecisionsV1, ReportedDecisionsResultV1 };

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object, example?: unknown) => ({ content: { 'application/json': { schema, ...(example !== undefined ? { example } : {}) } } });
const err = (description: string) => ({ description, ...json(ref('Error')) });
const pathParam = (name: string, example: string) => ({ name, in: 'path', required: true, schema: { type: 'string' }, example });
const secured = { security: [{ bearer: [] }] };
const commonErrors = { '400': err('Bad input'), '401': err('Missing or invalid token'), '403': err('Role may not call this'), '429': err('Too many failed authentications or requests; see Retry-After') };

export const bundlePaths = {
  '/api/v1/bundles/key': {
    get: {
      operationId: 'getBundleKey',
      // Public: an explicit empty requirement, so linters do not read it as forgotten.
      security: [],
      summary: 'The public key bundles are signed with (Ed25519); pin it in clients',
      tags: ['bundles'],
      responses: { '200': { description: 'The public key', ...json(ref('BundleKeyV1')) } },
    },
  },
  '/api/v1/bundles/{jurisdiction}/{topic}': {
    get: {
      ...secured,
      operationId: 'getBundle',
      summary: "A policy's versions in force and scheduled, with their bases, as signed IR for deciding in process",
      tags: ['bundles'],
      parameters: [
        pathParam('jurisdiction', 'central'),
        pathParam('topic', 'responsibility'),
        { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'The ETag of the bundle held: 304 when unchanged' },
      ],
      responses: {
        '200': {
          description: 'The signed bundle',
          headers: { ETag: { schema: { type: 'string' }, description: 'Strong tag of the signed content' } },
          ...json(ref('BundleV1')),
        },
        '304': { description: 'Unchanged since the ETag sent in If-None-Match (no body)' },
        '404': err('Unknown policy, or none of its versions in force or scheduled'),
        ...commonErrors,
      },
    },
  },
  '/api/v1/decisions/reported': {
    post: {
      ...secured,
      operationId: 'reportDecisions',
      summary: 'Decisions a client made in its own process with a bundle, recorded in the decision log as reported by it',
      tags: ['bundles'],
      requestBody: { required: true, ...json(ref('ReportedDecisionsV1')) },
      responses: {
        '201': { description: 'Recorded', ...json(ref('ReportedDecisionsResultV1'), { recorded: 1, ids: ['dec_0193f1c2-5a00-7abc-9def-0123456789ab'] }) },
        '404': err('A decision names a policy or version the server does not have'),
        '413': err('Body too large'),
        '415': err('Not JSON'),
        '422': err("A decision's policy hash is not the one the server resolves for its version and date"),
        ...commonErrors,
      },
    },
  },
};
