/**
 * The JSON the HTTP API sends and takes, one TypeBox schema per shape: server/wire.ts derives the
 * TypeScript types from these (`Static<>`), server/openapi.ts makes them the document's components,
 * and server/validate.ts checks request bodies with the same schemas through ajv. Names ending in
 * `V1` are request bodies (the names the document has always used).
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { Coverage, Decision, DecisionTexts, Diagnostic, ImpactReport, LeanDecision, PolicyDiff, PolicyIR, RecordOutcome, SourceRange, TextDiff } from './engine.ts';
import { AnyJson, Dict, IsoDate, Literals, named, Nullable } from './schema.ts';

const Str = (description?: string) => Type.String(description ? { description } : {});
const NonEmpty = (description?: string, maxLength?: number) =>
  Type.String({ minLength: 1, ...(maxLength ? { maxLength } : {}), ...(description ? { description } : {}) });
const Opt = Type.Optional;
/** A key the other members of a union have and this one must not (`k?: never`). */
const Absent = () => Type.Optional(Type.Never());

// ---- common ---------------------------------------------------------------------------------

export const Text = named('Text', Type.Object({ zh: Type.String(), en: Type.String() }, { description: 'A user-facing text in both languages' }));

export const ErrorDetail = named(
  'ErrorDetail',
  Type.Object({
    path: Str('JSON pointer (body), query.<name>, header.<name>, line:<n> or a source range'),
    message: Text,
    code: Opt(Type.String()),
  }),
);

export const ErrorInfo = named(
  'ErrorInfo',
  Type.Object({
    code: Str('Stable code, e.g. auth.invalid-token, draft.not-found'),
    message: Text,
    details: Opt(Type.Array(ErrorDetail)),
    requestId: Opt(Str('The request id (also the X-Request-Id header), to quote to an operator')),
  }),
);

/** Every failure the API reports (any status ≥ 400). */
export const ErrorBody = named('Error', Type.Object({ error: ErrorInfo }));

export const ItemList = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item) });
export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer({ minimum: 0 }), page: Type.Integer({ minimum: 1 }), pageSize: Type.Integer({ minimum: 1 }) });

export const SourceFormat = named('SourceFormat', Literals(['dsl', 'yaml']));
export const Role = named('Role', Literals(['admin', 'author', 'reviewer', 'system', 'viewer']));

export const Me = named(
  'Me',
  Type.Object({
    name: Type.String(),
    role: Role,
    // Persons and jurisdiction scopes (issue #16): what the admin UI shows or hides by.
    personId: Opt(Type.Integer()),
    scope: Opt(Type.Union([Type.Literal('*'), Type.Array(Type.String())], { description: 'Jurisdictions this token’s role covers; * for all' })),
    pending: Opt(Type.Boolean({ description: 'The person or this role’s grant awaits a second admin: nothing but GET /me answers' })),
    grants: Opt(Type.Array(Type.Object({ role: Role, jurisdictions: Type.Union([Type.Literal('*'), Type.Array(Type.String())]), status: Literals(['active', 'pending']) }))),
    // How the decision log treats personal data (server/privacy.ts), for the admin UI.
    privacy: Opt(
      Type.Object({
        retentionDays: Type.Integer({ minimum: 0, description: 'Decisions are deleted after this many days (0: kept forever)' }),
        maskFields: Type.Array(Type.String(), { description: 'Server-wide field names masked in every decision' }),
        personalData: Type.Boolean({ description: "Whether this role sees personal facts kept in decisions (system: its own decisions only)" }),
      }),
    ),
  }),
);
export const Live = named('Live', Type.Object({ status: Type.Literal('live') }));
export const Health = named('Health', Type.Object({ status: Type.Literal('ok'), policies: Type.Integer({ minimum: 0, description: 'Published versions held in memory' }) }));
export const Ready = named(
  'Ready',
  Type.Object({ status: Type.Literal('ready'), store: Literals(['sqlite', 'postgres']), instance: Str('This instance, as simulation jobs show who ran them') }),
);

// ---- policies -------------------------------------------------------------------------------

export const PolicyRef = named('PolicyRef', Type.Object({ policy: Type.String(), version: Opt(Type.String()) }));

const versionSummaryFields = {
  version: Type.String(),
  hash: Type.String(),
  title: Type.String(),
  effectiveFrom: Type.String(),
  effectiveUntil: Opt(Type.String()),
  extends: Opt(PolicyRef),
  format: SourceFormat,
  publishedAt: Type.String(),
  publishedBy: Type.String(),
  author: Str('Who wrote the draft this version came from; system for the seed library'),
  approvedBy: Nullable(Type.String(), { description: 'Who approved that draft; null for the seed library' }),
};
export const VersionSummary = named('VersionSummary', Type.Object(versionSummaryFields));

const policySummaryFields = {
  id: Type.String(),
  jurisdiction: Type.String(),
  topic: Type.String(),
  title: Str("The latest version's title"),
  titleEn: Opt(Type.String()),
  versions: Type.Array(VersionSummary),
  inForce: Opt(Str('The version in force on inForceOn, when that query was given')),
};
export const PolicySummary = named('PolicySummary', Type.Object(policySummaryFields));
export const PolicyListResponse = named('PolicyList', ItemList(PolicySummary));

export const DraftStatus = named('DraftStatus', Literals(['editing', 'in-review', 'approved', 'rejected', 'published']));
export const DraftRef = named('DraftRef', Type.Object({ id: Type.Integer(), status: DraftStatus, author: Type.String(), updatedAt: Type.String(), updatedBy: Type.String() }));
export const PolicyDetail = named('PolicyDetail', Type.Object({ ...policySummaryFields, drafts: Type.Array(DraftRef) }));

/** A JSON Schema document: the facts' (the draft-07 subset engine/facts/schema.ts emits) or a decision's (2020-12). */
export interface JsonSchemaDoc {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchemaDoc>;
  items?: JsonSchemaDoc;
  enum?: unknown[];
  oneOf?: JsonSchemaDoc[];
  anyOf?: JsonSchemaDoc[];
  format?: string;
  required?: string[];
  [k: string]: unknown;
}
export const JsonSchema = named('JsonSchema', Type.Unsafe<JsonSchemaDoc>({ type: 'object', additionalProperties: true, description: 'A JSON Schema' }));

export const VersionDetail = named(
  'VersionDetail',
  Type.Object({
    ...versionSummaryFields,
    id: Str('The policy id'),
    source: Type.Object({ format: SourceFormat, text: Type.String() }, { description: 'The source as published' }),
    dsl: Opt(Str('The source as DSL; absent when the printer cannot print this IR')),
    yaml: Opt(Type.String()),
    ir: PolicyIR,
    factSchema: Opt(JsonSchema),
  }),
);

// ---- evaluation -----------------------------------------------------------------------------

export const Facts = named('Facts', Dict(AnyJson(), { description: 'Facts by name, as docs/language.md "How facts are given" says' }));

export const DraftMarker = named(
  'DraftMarker',
  Type.Object(
    { id: Type.Integer(), revision: Type.Integer(), hash: Str("The draft's own IR hash") },
    { description: 'On decisions made on a draft (answer and decision log): which draft text decided' },
  ),
);

export const EvaluateRequest = named(
  'EvaluateRequestV1',
  Type.Object(
    {
      policy: NonEmpty('Policy id, e.g. gansu/poverty-loan, or draft:<id> (admin, author, reviewer; not system; no `version` then)'),
      version: Opt(NonEmpty()),
      asOf: Opt(IsoDate()),
      facts: Facts,
      explain: Opt(Type.Boolean()),
      subject: Opt(NonEmpty("The caller's own id of the case; the decision log can be searched by it", 200)),
    },
    { additionalProperties: false },
  ),
);

export const EvaluateResponse = named('EvaluateResponse', Type.Object({ decisionId: Type.String(), decision: Decision, draft: Opt(DraftMarker) }));

export const CompareRequest = named(
  'CompareRequestV1',
  Type.Object(
    {
      policies: Type.Array(
        Type.Object({ policy: NonEmpty('Policy id or draft:<id>, as in EvaluateRequestV1'), version: Opt(NonEmpty()) }, { additionalProperties: false }),
        { minItems: 1, maxItems: 50 },
      ),
      asOf: Opt(IsoDate()),
      facts: Facts,
      explain: Opt(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
);

export const CompareDecided = named(
  'CompareDecided',
  Type.Object({
    policy: Str('As asked (a policy id or draft:<id>)'),
    version: Str('The version that decided'),
    jurisdiction: Type.String(),
    decisionId: Type.String(),
    decision: Decision,
    draft: Opt(DraftMarker),
    ignoredFacts: Type.Array(Type.String(), { description: 'Facts given that this side does not declare; left out for it' }),
    status: Absent(),
    error: Absent(),
  }),
);

export const CompareFailed = named(
  'CompareFailed',
  Type.Object({
    error: ErrorInfo,
    policy: Type.String(),
    version: Opt(Type.String()),
    status: Type.Integer({ description: 'The HTTP status this side would have had alone' }),
    decisionId: Absent(),
    decision: Absent(),
    draft: Absent(),
    ignoredFacts: Absent(),
    jurisdiction: Absent(),
  }),
);

export const CompareItem = Type.Union([CompareDecided, CompareFailed]);
export const CompareResponse = named('CompareResponse', Type.Object({ asOf: Type.String(), results: Type.Array(CompareItem) }));

export const DecisionRecord = named(
  'DecisionRecord',
  Type.Object({
    id: Type.String(),
    at: Str('When it was made (ISO time)'),
    caller: Str('The token name that asked'),
    policyId: Type.String(),
    version: Type.String(),
    policyHash: Str('Hash of the resolved policy (base merged in) that decided'),
    asOf: Type.String(),
    facts: Facts,
    masked: Type.Array(Type.String(), { description: 'Names of the masked fields' }),
    decision: Decision,
    draft: Opt(DraftMarker),
    subject: Opt(Str("The caller's own id of the case, when it gave one")),
    reportedBy: Opt(Str('Set when a client decided in its own process with a policy bundle and reported it: the client name')),
    // Personal facts declared by the policy (server/privacy.ts).
    subjectKey: Opt(Str("The subject fact's keyed hash (hmac-sha256:… or hmac-sm3:…), when the policy declares a subject; its value is not stored")),
    personal: Opt(Type.Array(Type.String(), { description: 'Personal facts kept because a rule reads them (`name`, `list[].field`)' })),
    personalHidden: Opt(Type.Boolean({ description: "True when the reader's role may not see personal data and the kept personal facts are shown masked" })),
    intact: Opt(Type.Boolean({ description: 'On a single read: whether the record still matches the hash of the commit batch it was logged in (false: edited since)' })),
  }),
);

export const DecisionList = named('DecisionList', Type.Object({ items: Type.Array(DecisionRecord), nextCursor: Opt(Type.String()) }));

export const BulkReplayRequest = named(
  'BulkReplayRequestV1',
  Type.Object(
    {
      filter: Type.Object(
        {
          policy: NonEmpty(),
          version: NonEmpty(),
          from: Opt(Type.String()),
          to: Opt(Type.String()),
          caller: Opt(Type.String()),
          subject: Opt(Type.String()),
        },
        { additionalProperties: false },
      ),
      candidate: NonEmpty('<policy>@<version> or draft:<id>'),
      asOf: Opt(IsoDate()),
    },
    { additionalProperties: false },
  ),
);

export const Replayed = named(
  'Replayed',
  Type.Object({
    decisionId: Type.String(),
    replayable: Type.Literal(true),
    same: Type.Boolean({ description: 'Same outcome (trace aside) from the same policy hash, from a record that is intact' }),
    policyHashSame: Type.Boolean(),
    intact: Type.Boolean({ description: 'Whether the logged record still matches the hash of its commit batch; an edited record is never `same`' }),
    original: Decision,
    replayed: Decision,
  }),
);
export const NotReplayable = named('NotReplayable', Type.Object({ decisionId: Type.String(), replayable: Type.Literal(false), same: Type.Null(), reason: Text }));
export const ReplayResponse = Type.Union([Replayed, NotReplayable]);

// ---- batches (NDJSON) -----------------------------------------------------------------------

export const BatchLine = named(
  'BatchLineV1',
  Type.Object(
    {
      id: Opt(AnyJson('Echoed back on the answer line')),
      policy: Opt(NonEmpty('Policy id or draft:<id> (admin, author, reviewer), as in EvaluateRequestV1; overrides the query')),
      version: Opt(NonEmpty('Not with a draft')),
      asOf: Opt(IsoDate()),
      facts: Facts,
    },
    { additionalProperties: false },
  ),
);

const lineNo = () => Type.Integer({ minimum: 1, description: '1-based number of the input line (blank lines count, and get no answer)' });

export const BatchDecided = named(
  'BatchDecided',
  Type.Object({
    line: lineNo(),
    id: Opt(AnyJson()),
    draft: Opt(DraftMarker),
    decisionId: Type.String(),
    decision: Decision,
    lean: Absent(),
    texts: Absent(),
    status: Absent(),
    error: Absent(),
  }),
);
export const BatchDecidedLean = named(
  'BatchDecidedLean',
  Type.Object({
    line: lineNo(),
    id: Opt(AnyJson()),
    draft: Opt(DraftMarker),
    decisionId: Type.String(),
    lean: LeanDecision,
    decision: Absent(),
    texts: Absent(),
    status: Absent(),
    error: Absent(),
  }),
);
export const BatchTexts = named('BatchTexts', Type.Object({ texts: DecisionTexts, line: Absent(), decision: Absent(), lean: Absent(), error: Absent() }));
export const BatchFailed = named(
  'BatchFailed',
  Type.Object({
    error: ErrorInfo,
    line: lineNo(),
    id: Opt(AnyJson()),
    status: Type.Integer(),
    decisionId: Absent(),
    decision: Absent(),
    lean: Absent(),
    texts: Absent(),
  }),
);
export const BatchUnreadable = named(
  'BatchUnreadable',
  Type.Object({
    error: ErrorInfo,
    line: lineNo(),
    id: Absent(),
    status: Absent(),
    decisionId: Absent(),
    decision: Absent(),
    lean: Absent(),
    texts: Absent(),
  }),
);
export const BatchAnswerLine = named('BatchAnswerLine', Type.Union([BatchDecided, BatchDecidedLean, BatchTexts, BatchFailed, BatchUnreadable]));

// ---- diff -----------------------------------------------------------------------------------

export const DiffSide = named('DiffSide', Type.Object({ ref: Type.String(), hash: Opt(Str('Published versions only')) }));
export const DiffResponse = named(
  'DiffResponse',
  Type.Object({ a: DiffSide, b: DiffSide, semantic: PolicyDiff, text: TextDiff, impact: Opt(ImpactReport) }),
);

// ---- drafts and review ----------------------------------------------------------------------

const draftFields = {
  id: Type.Integer(),
  policyId: Opt(Str('The policy id its source declares (absent while it does not compile that far)')),
  baseHash: Opt(Str('The hash of the version it was created from')),
  format: SourceFormat,
  source: Type.String(),
  revision: Type.Integer(),
  status: DraftStatus,
  author: Str('Who created the draft'),
  editors: Type.Array(Type.String(), { description: 'Everyone who saved its source (four eyes: none of them may approve)' }),
  createdAt: Type.String(),
  updatedAt: Str('When the source was last saved (review steps do not move it)'),
  updatedBy: Str('Who saved the source last'),
  publishedHash: Opt(Str('The version it became, once published')),
  etag: Str('What If-Match takes to save it (also the ETag header)'),
};
export const Draft = named('Draft', Type.Object(draftFields));
export const DraftListResponse = named('DraftList', ItemList(Draft));

export const Review = named(
  'Review',
  Type.Object({
    id: Type.Integer(),
    draftId: Type.Integer(),
    actor: Type.String(),
    action: Literals(['submit', 'approve', 'reject']),
    comment: Opt(Type.String()),
    revision: Type.Integer(),
    at: Type.String(),
  }),
);
export const DraftDetail = named('DraftDetail', Type.Object({ ...draftFields, reviews: Type.Array(Review), diagnostics: Opt(Type.Array(Diagnostic)) }));
export const SavedDraft = named('SavedDraft', Type.Object({ ...draftFields, reviews: Type.Array(Review), diagnostics: Type.Array(Diagnostic) }));

const sourceText = () => Type.String({ minLength: 1, maxLength: 1_000_000 });
export const CreateDraft = named(
  'CreateDraftV1',
  Type.Object(
    {
      from: Opt(Type.Object({ policy: NonEmpty(), version: NonEmpty() }, { additionalProperties: false })),
      source: Opt(sourceText()),
      format: Opt(SourceFormat),
    },
    { additionalProperties: false, oneOf: [{ required: ['from'] }, { required: ['source'] }] },
  ),
);
export const UpdateDraft = named('UpdateDraftV1', Type.Object({ source: sourceText(), format: Opt(SourceFormat) }, { additionalProperties: false }));
export const ReviewRequest = named('ReviewV1', Type.Object({ comment: Opt(Type.String({ maxLength: 10_000 })) }, { additionalProperties: false }));
export const RejectRequest = named('RejectV1', Type.Object({ comment: Type.String({ minLength: 1, maxLength: 10_000 }) }, { additionalProperties: false }));

export const ValidateOk = named(
  'ValidateOk',
  Type.Object({ ok: Type.Literal(true), revision: Type.Integer(), etag: Type.String(), diagnostics: Type.Array(Diagnostic), hash: Type.String(), ir: PolicyIR }),
);
export const ValidateFailed = named('ValidateFailed', Type.Object({ ok: Type.Literal(false), revision: Type.Integer(), etag: Type.String(), diagnostics: Type.Array(Diagnostic) }));
export const ValidateResponse = Type.Union([ValidateOk, ValidateFailed]);

export const PublishedVersion = named(
  'PublishedVersion',
  Type.Object({
    id: Type.String(),
    version: Type.String(),
    hash: Type.String(),
    publishedAt: Type.String(),
    publishedBy: Type.String(),
    author: Type.String(),
    approvedBy: Nullable(Type.String()),
  }),
);
export const PublishResponse = named('PublishResponse', Type.Object({ draft: DraftDetail, version: PublishedVersion }));

// ---- simulation jobs ------------------------------------------------------------------------

export const JobStatus = named('JobStatus', Literals(['queued', 'running', 'done', 'failed', 'cancelled']));

export const JobParams = named(
  'JobParams',
  Type.Object({
    baseline: Str('As given: <policy>@<version>, <policy> or draft:<id>'),
    candidate: Type.String(),
    asOf: Type.String(),
    file: Type.Object({ name: Type.String(), format: Literals(['jsonl', 'csv', 'xlsx']), size: Type.Integer({ minimum: 0 }) }),
    mapping: Opt(Type.Record(Type.String(), Type.String(), { description: 'Column header → fact name ("" ignored), as sent with the upload' })),
    jurisdictions: Opt(
      Type.Array(Type.String(), { description: "Jurisdictions of both sides' policies: who may see the job (absent on jobs made before; those only a central reader sees)" }),
    ),
  }),
);

export const SideCounts = named(
  'SideCounts',
  Type.Object({
    policy: Str('The resolved policy that decided'),
    version: Type.String(),
    hash: Type.String(),
    byOutcome: Dict(Type.Integer(), { description: 'Records by outcome kind fired (once per kind), plus none, undetermined, invalid-facts' }),
    byRule: Dict(Type.Object({ fired: Type.Integer(), undetermined: Type.Integer(), suppressed: Type.Integer() })),
  }),
);

export const SimulationResult = named(
  'SimulationResult',
  Type.Object({
    engine: Opt(Literals(['pool', 'duckdb'], { description: 'Where it ran: the worker pool, or DuckDB as one SQL query' })),
    coverage: Opt(Type.Object({ baseline: Coverage, candidate: Coverage })),
    total: Type.Integer(),
    changed: Type.Integer({ description: 'Records whose outcome differs between the sides' }),
    baseline: SideCounts,
    candidate: SideCounts,
  }),
);

export const Job = named(
  'Job',
  Type.Object({
    id: Type.String(),
    kind: Type.String(),
    createdBy: Type.String(),
    createdAt: Type.String(),
    status: JobStatus,
    params: JobParams,
    total: Type.Integer({ description: 'Records in the dataset' }),
    done: Type.Integer({ description: 'Records decided so far' }),
    result: Opt(SimulationResult),
    error: Opt(ErrorInfo),
    finishedAt: Opt(Type.String()),
    runner: Opt(Str('The server instance that runs (or ran) it')),
    attempts: Type.Integer({ description: 'How many times an instance started it' }),
    links: Type.Object({ self: Type.String(), events: Type.String(), changes: Type.String(), download: Type.String() }),
  }),
);

export const CancelResponse = named('CancelResponse', Type.Object({ id: Type.String(), cancelling: Type.Literal(true) }));

export const ProgressEvent = named(
  'ProgressEvent',
  Type.Object(
    {
      type: Literals(['progress', 'end']),
      done: Type.Integer(),
      total: Type.Integer(),
      rate: Type.Number({ description: 'Records per second so far' }),
      status: JobStatus,
    },
    { description: 'The data of each server-sent event of /jobs/{id}/events (its `event:` is `type`)' },
  ),
);

export const JobChange = named(
  'JobChange',
  Type.Object({ seq: Type.Integer(), line: Type.Integer({ description: '1-based line (or row) of the dataset' }), record: Facts, baseline: RecordOutcome, candidate: RecordOutcome }),
);
export const ChangesPage = named('ChangesPage', Type.Object({ ...Page(JobChange).properties, rule: Opt(Type.String()), kind: Opt(Type.String()) }));

// ---- audit and tokens -----------------------------------------------------------------------

export const AuditEntry = named(
  'AuditEntry',
  Type.Object({
    id: Type.Integer(),
    at: Type.String(),
    actor: Type.String(),
    action: Str('e.g. draft.edit, version.publish, token.create'),
    target: Str('e.g. draft:7, policy:gansu/poverty-loan@2015.1'),
    before: Opt(AnyJson()),
    after: Opt(AnyJson()),
  }),
);
export const AuditPage = named('AuditPage', Page(AuditEntry));

const tokenFields = { id: Type.Integer(), name: Type.String(), role: Role, createdAt: Type.String(), createdBy: Type.String(), revokedAt: Opt(Type.String()), expiresAt: Opt(Type.String({ description: 'A login session (OpenID Connect) ends then; system tokens have none' })) };
export const TokenInfo = named('TokenInfo', Type.Object(tokenFields));
export const TokenList = named('TokenList', ItemList(TokenInfo));
export const CreateTokenRequest = named(
  'CreateTokenV1',
  Type.Object(
    { role: Role, name: NonEmpty(undefined, 200), jurisdictions: Opt(Type.Union([Type.Literal('*'), Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' }), { minItems: 1, maxItems: 100 })], { description: 'Jurisdictions of the grant when the person lacks this role; default *' })) },
    { additionalProperties: false },
  ),
);
export const CreatedToken = named('CreatedToken', Type.Object({ ...tokenFields, token: Str('The secret, shown this once') }));

// ---- library sync (server/library/) ---------------------------------------------------------

export const LibrarySyncRequest = named(
  'LibrarySyncV1',
  Type.Object({ dryRun: Opt(Type.Boolean({ description: 'Say what would be proposed; create nothing' })) }, { additionalProperties: false }),
);
export const LibrarySyncRow = named(
  'LibrarySyncRow',
  Type.Object({
    policy: Str('Policy id, or — for a file that does not compile'),
    version: Type.String(),
    file: Str('The file, relative to the library folder'),
    change: Literals(['new-policy', 'new-version', 'published', 'invalid']),
    status: Literals(['proposed', 'would-propose', 'up-to-date', 'already-proposed', 'version-taken', 'invalid']),
    draft: Opt(Type.Integer({ description: 'The draft proposed now, or the one already proposing the same content' })),
    draftStatus: Opt(Type.String()),
    note: Type.Object({ zh: Type.String(), en: Type.String() }),
  }),
);
export const LibrarySyncResponse = named('LibrarySync', ItemList(LibrarySyncRow));
// ---- analysis of an unsaved text (the editor) ------------------------------------------------

export const AnalyzeRequest = named(
  'AnalyzeV1',
  Type.Object(
    {
      source: Type.String({ minLength: 1, maxLength: 1_000_000 }),
      format: Opt(SourceFormat),
      key: Opt(NonEmpty('Which editor asks (e.g. draft:7): a newer request with the same key from the same person supersedes an older one still waiting or running (409 analysis.superseded)', 200)),
      budgetMs: Opt(Type.Integer({ minimum: 0, maximum: 60_000, description: 'Wall-clock bound for the whole analysis (default 10000). Questions left when it runs out are reported as analysis.solver-unknown (timeout), naming their rules' })),
    },
    { additionalProperties: false },
  ),
);

export const Counterexample = named(
  'Counterexample',
  Type.Object({ asOf: IsoDate(), facts: Facts }, { description: 'Facts and an as-of date: evaluate them to see the finding for yourself' }),
);

export const Finding = named(
  'Finding',
  Type.Object({
    code: Str('Stable code, e.g. analysis.conflict (engine/analysis/README.md)'),
    severity: Literals(['error', 'warning', 'info']),
    message: Text,
    range: Opt(SourceRange),
    hint: Opt(Text),
    policy: Type.Object({ id: Type.String(), version: Type.String() }),
    rules: Type.Array(Type.String(), { description: 'Rule ids involved' }),
    ruleRanges: Opt(Dict(SourceRange)),
    names: Opt(Type.Array(Type.String())),
    versions: Opt(Type.Array(Type.String())),
    counterexample: Opt(Counterexample),
    approximated: Opt(Type.Array(Literals(['list-bound', 'money-rounding']))),
  }),
);

export const AnalyzeOk = named(
  'AnalyzeOk',
  Type.Object({
    ok: Type.Literal(true),
    diagnostics: Type.Array(Diagnostic),
    findings: Type.Array(Finding),
    timedOut: Type.Boolean({ description: 'Some question was not answered in time (its finding says which rules)' }),
    elapsedMs: Type.Integer({ minimum: 0 }),
  }),
);
export const AnalyzeFailed = named('AnalyzeFailed', Type.Object({ ok: Type.Literal(false), diagnostics: Type.Array(Diagnostic) }));
// ---- persons (issue #16) --------------------------------------------------------------------

export const Scope = named(
  'Scope',
  Type.Union([Type.Literal('*'), Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' }), { minItems: 1, maxItems: 100 })], {
    description: 'Jurisdictions (the first segment of a policy id, e.g. gansu), or * for all',
  }),
);
export const Grant = named(
  'Grant',
  Type.Object({
    role: Role,
    jurisdictions: Scope,
    status: Literals(['active', 'pending']),
    requestedBy: Opt(Type.Integer({ description: 'Person id of the admin who asked for a pending grant (they may not approve it)' })),
  }),
);
export const Person = named(
  'Person',
  Type.Object({
    id: Type.Integer(),
    name: Type.String(),
    key: Str('The identity persons are compared by: NFKC, trimmed, case-folded'),
    grants: Type.Array(Grant),
    status: Literals(['pending', 'active', 'disabled']),
    createdAt: Type.String(),
    createdBy: Type.String(),
    approvedBy: Opt(Type.String()),
    approvedAt: Opt(Type.String()),
  }),
);
export const PersonList = named('PersonList', ItemList(Person));
const GrantRequestFields = { role: Role, jurisdictions: Opt(Scope) };
export const GrantRequest = named('GrantRequestV1', Type.Object(GrantRequestFields, { additionalProperties: false }));
export const CreatePersonRequest = named(
  'CreatePersonV1',
  Type.Object({ name: NonEmpty(undefined, 200), grants: Type.Array(Type.Object(GrantRequestFields, { additionalProperties: false }), { minItems: 1, maxItems: 5 }) }, { additionalProperties: false }),
);
export const IssueTokenRequest = named('IssueTokenV1', Type.Object({ role: Role }, { additionalProperties: false }));

// OpenID Connect login (server/routes/oidc.ts)
export const AuthConfig = named(
  'AuthConfig',
  Type.Object(
    {
      oidc: Type.Union([Type.Object({ issuer: Type.String({ description: 'The provider the admin UI signs in with' }) }, { additionalProperties: false }), Type.Null()], {
        description: 'null: no provider configured, sign in with a token',
      }),
    },
    { additionalProperties: false },
  ),
);
