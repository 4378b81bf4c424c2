/**
 * The JSON the HTTP API sends and takes (`/api/v1`), as one set of types shared by the routes
 * (`server/routes/*.ts` annotate what they send with these) and the admin UI (`admin-ui/src/wire.ts`
 * re-exports them). `tsc` therefore fails when a route and the UI disagree.
 *
 * Types only: the admin UI bundles whatever this file imports, so it may `import type` from
 * `engine/` and `dsl/` and nothing else (no sqlite3, no hono, no `node:` modules);
 * test/server/wire.test.ts checks it. Request bodies are validated against the schemas in
 * server/openapi.ts (their `…V1` names are given below).
 */
import type { Diagnostic } from '../dsl/diagnostics.ts';
import type { PolicyDiff, TextDiff } from '../engine/diff/index.ts';
import type { Coverage, RuleCoverage } from '../engine/sql/simulate.ts';
import type { ImpactReportWithText } from '../engine/analysis/impact.ts';
import type { DecisionTexts, LeanDecision } from '../engine/evaluate/lean.ts';
import type { Decision } from '../engine/evaluate/types.ts';
import type { PolicyIR, PolicyRef } from '../engine/ir/types.ts';
import type { RecordOutcome } from '../engine/parallel/simulate.ts';

// ---- common ---------------------------------------------------------------------------------

/** A user-facing text in both languages. */
export interface Text {
  zh: string;
  en: string;
}

/** One reason of a failure: where and what. */
export interface ErrorDetail {
  /** JSON pointer (body), `query.<name>`, `header.<name>`, `line:<n>` or a source range. */
  path: string;
  message: Text;
  code?: string;
}

/** Every failure the API reports (any status ≥ 400), rendered by `app.onError`. */
export interface ErrorBody {
  /** `requestId`: the request's id (also the `X-Request-Id` header), to quote to an operator. */
  error: { code: string; message: Text; details?: ErrorDetail[]; requestId?: string };
}

/** A whole list, wrapped so fields can be added beside it later. */
export interface ItemList<T> {
  items: T[];
}

/** One page of a long list; `total` counts every item the filters let through. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** How a policy's source is written. */
export type SourceFormat = 'dsl' | 'yaml';

/** A token's role; what each may do is server/auth/permissions.ts. */
export type Role = 'admin' | 'author' | 'reviewer' | 'system' | 'viewer';

/** `GET /api/v1/me`: who the bearer token belongs to. */
export interface Me {
  name: string;
  role: Role;
}

/** `GET /healthz` when the database answers (503 with an `ErrorBody` when it does not). */
export interface Health {
  status: 'ok';
  /** Published versions held in memory. */
  policies: number;
}

/**
 * `GET /readyz` for a load balancer: the store answers and has every migration this server
 * needs, and the instance is not shutting down (503 with an `ErrorBody` otherwise).
 */
export interface Ready {
  status: 'ready';
  store: 'sqlite' | 'postgres';
  /** This instance, as simulation jobs show who ran them. */
  instance: string;
}

// ---- policies -------------------------------------------------------------------------------

/** One published version, as policy lists show it. */
export interface VersionSummary {
  version: string;
  hash: string;
  title: string;
  effectiveFrom: string;
  effectiveUntil?: string;
  /** The base policy of a variant. */
  extends?: PolicyRef;
  format: SourceFormat;
  publishedAt: string;
  publishedBy: string;
  /** Who wrote the draft this version came from; `system` for the seed library. */
  author: string;
  /** Who approved that draft; null for the seed library. */
  approvedBy: string | null;
}

/** One policy with all its published versions, oldest first (`GET /api/v1/policies` items). */
export interface PolicySummary {
  id: string;
  jurisdiction: string;
  topic: string;
  /** The latest version's title. */
  title: string;
  titleEn?: string;
  versions: VersionSummary[];
  /** The version in force on `inForceOn`, when that query was given. */
  inForce?: string;
}

/** `GET /api/v1/policies`. */
export type PolicyListResponse = ItemList<PolicySummary>;

/** A draft of a policy, as the policy's page lists it (published drafts left out). */
export interface DraftRef {
  id: number;
  status: DraftStatus;
  author: string;
  updatedAt: string;
  updatedBy: string;
}

/** `GET /api/v1/policies/:jurisdiction/:topic`. */
export interface PolicyDetail extends PolicySummary {
  drafts: DraftRef[];
}

/** A JSON Schema for the facts (the draft-07 subset engine/facts/schema.ts emits). */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  format?: string;
  required?: string[];
  [k: string]: unknown;
}

/** `GET /api/v1/policies/:jurisdiction/:topic/versions/:version`. */
export interface VersionDetail extends VersionSummary {
  /** The policy id. */
  id: string;
  /** The source as published. */
  source: { format: SourceFormat; text: string };
  /** The source in each notation; absent when the printer cannot print this IR. */
  dsl?: string;
  yaml?: string;
  ir: PolicyIR;
  /** The facts form (base included); absent when the version cannot be resolved. */
  factSchema?: JsonSchema;
}

// ---- evaluation -----------------------------------------------------------------------------

/** Facts by name, as docs/language.md "How facts are given" says. */
export type Facts = Record<string, unknown>;

/** On a decision made on a draft: which draft text decided. */
export interface DraftMarker {
  id: number;
  revision: number;
  /** The draft's own IR hash. */
  hash: string;
}

/** `POST /api/v1/evaluate` body (schema `EvaluateRequestV1`). */
export interface EvaluateRequest {
  /** A policy id or `draft:<id>` (then no version). */
  policy: string;
  version?: string;
  asOf?: string;
  facts: Facts;
  explain?: boolean;
  /** The caller's own id of the case (a household, a loan); the decision log can be searched by it. */
  subject?: string;
}

/** `POST /api/v1/evaluate`: the decision, committed to the log under `decisionId`. */
export interface EvaluateResponse {
  decisionId: string;
  decision: Decision;
  draft?: DraftMarker;
}

/** `POST /api/v1/evaluate/compare` body (schema `CompareRequestV1`). */
export interface CompareRequest {
  policies: { policy: string; version?: string }[];
  asOf?: string;
  facts: Facts;
  explain?: boolean;
}

/** One side of a comparison that was decided. */
export interface CompareDecided {
  /** As asked (a policy id or `draft:<id>`). */
  policy: string;
  /** The version that decided. */
  version: string;
  jurisdiction: string;
  decisionId: string;
  decision: Decision;
  draft?: DraftMarker;
  /** Facts given that this side does not declare; left out for it. */
  ignoredFacts: string[];
  status?: never;
  error?: never;
}

/** One side of a comparison that failed: its HTTP status and the error shape beside it. */
export interface CompareFailed extends ErrorBody {
  policy: string;
  /** As asked, when it was. */
  version?: string;
  status: number;
  decisionId?: never;
  decision?: never;
  draft?: never;
  ignoredFacts?: never;
  jurisdiction?: never;
}

/** One side of a comparison, in the order asked. */
export type CompareItem = CompareDecided | CompareFailed;

/** `POST /api/v1/evaluate/compare`. */
export interface CompareResponse {
  asOf: string;
  results: CompareItem[];
}

/** `GET /api/v1/decisions/:id`: a logged decision, put back together. */
export interface DecisionRecord {
  id: string;
  /** When it was made (ISO time). */
  at: string;
  /** The token name that asked. */
  caller: string;
  policyId: string;
  version: string;
  /** Hash of the resolved policy (base merged in) that decided. */
  policyHash: string;
  asOf: string;
  /** The facts as logged: masked fields replaced by `masked:<hash>`. */
  facts: Facts;
  /** Names of the masked fields. */
  masked: string[];
  decision: Decision;
  draft?: DraftMarker;
  /** The caller's own id of the case, when it gave one (evaluate's `subject`, a batch line's `id`). */
  subject?: string;
  /** Set when a client decided in its own process with a policy bundle and reported it: the client's name. */
  reportedBy?: string;
}

/**
 * `GET /api/v1/decisions`: logged decisions, newest first. A page holds at most `limit` items;
 * `nextCursor`, when present, continues after the last decision looked at (filters on outcome
 * and rule are applied to what was read, so a page can hold fewer items and still have a next).
 */
export interface DecisionList {
  items: DecisionRecord[];
  nextCursor?: string;
}

/** `POST /api/v1/decisions/replay`: re-decide logged decisions under another version, as a simulation job. */
export interface BulkReplayRequest {
  /** Which logged decisions: `policy` and `version` are required (the side they were decided on). */
  filter: { policy: string; version: string; from?: string; to?: string; caller?: string; subject?: string };
  /** What to decide them under: `<policy>@<version>` or `draft:<id>`. */
  candidate: string;
  /** One date for the run (default: today in Asia/Shanghai). */
  asOf?: string;
}

/** `POST /api/v1/decisions/:id/replay` when the decision can be made again. */
export interface Replayed {
  decisionId: string;
  replayable: true;
  /** Same outcome (trace aside) from the same policy hash. */
  same: boolean;
  policyHashSame: boolean;
  original: Decision;
  replayed: Decision;
}

/** `POST /api/v1/decisions/:id/replay` when it cannot (masked facts, draft changed since). */
export interface NotReplayable {
  decisionId: string;
  replayable: false;
  same: null;
  reason: Text;
}

/** `POST /api/v1/decisions/:id/replay`. */
export type ReplayResponse = Replayed | NotReplayable;

// ---- batches (NDJSON) -----------------------------------------------------------------------

/** One line of a `POST /api/v1/evaluate/batch` body (schema `BatchLineV1`); what it leaves out comes from the query. */
export interface BatchLine {
  /** Echoed on the line's answer, as given (any JSON value). */
  id?: unknown;
  /** A policy id or `draft:<id>` (then no version). */
  policy?: string;
  version?: string;
  asOf?: string;
  facts: Facts;
}

/** A line decided with `view=full` (the default), committed to the decision log under `decisionId`. */
export interface BatchDecided {
  /** 1-based number of the input line (blank lines count, and get no answer). */
  line: number;
  id?: unknown;
  draft?: DraftMarker;
  decisionId: string;
  decision: Decision;
  lean?: never;
  texts?: never;
  status?: never;
  error?: never;
}

/**
 * A line decided with `view=lean`: the decision's lean form, whose rule texts came on an earlier
 * `BatchTexts` line (`expandDecision(lean, texts)` in engine/evaluate/lean.ts gives the decision).
 * A decision the decision log keeps whole (one that does not match its texts) is answered as a
 * `BatchDecided` even here.
 */
export interface BatchDecidedLean {
  line: number;
  id?: unknown;
  draft?: DraftMarker;
  decisionId: string;
  lean: LeanDecision;
  decision?: never;
  texts?: never;
  status?: never;
  error?: never;
}

/** `view=lean`: a policy version's (or draft's) rule texts, once per request, before the first answer referring to them. */
export interface BatchTexts {
  texts: DecisionTexts;
  line?: never;
  decision?: never;
  lean?: never;
  error?: never;
}

/** A line that was read but not decided: the HTTP status it would have had alone, and the error shape beside it. */
export interface BatchFailed extends ErrorBody {
  line: number;
  id?: unknown;
  status: number;
  decisionId?: never;
  decision?: never;
  lean?: never;
  texts?: never;
}

/** A line that could not be read: not JSON (`batch.malformed-line`) or too long (`http.payload-too-large`). */
export interface BatchUnreadable extends ErrorBody {
  line: number;
  id?: never;
  status?: never;
  decisionId?: never;
  decision?: never;
  lean?: never;
  texts?: never;
}

/** One line of the `POST /api/v1/evaluate/batch` answer (NDJSON, in input line order). */
export type BatchAnswerLine = BatchDecided | BatchDecidedLean | BatchTexts | BatchFailed | BatchUnreadable;

// ---- diff -----------------------------------------------------------------------------------

/** A side of a diff: `<policy>@<version>` or `draft:<id>`, with the version's hash. */
export interface DiffSide {
  ref: string;
  /** Published versions only. */
  hash?: string;
}

/** `GET /api/v1/diff?a=&b=`. */
export interface DiffResponse {
  a: DiffSide;
  b: DiffSide;
  semantic: PolicyDiff;
  /** Line diff of the sources (printed as DSL when the two are in different notations). */
  text: TextDiff;
  /**
   * With `impact=true`: the rules whose verdict changes from a to b, each with a witness record
   * (facts and as-of date) that shows it, or a proof that the two decide identically
   * (engine/analysis, Z3), with each changed rule's condition before and after.
   */
  impact?: ImpactReportWithText;
}

// ---- drafts and review ----------------------------------------------------------------------

export type DraftStatus = 'editing' | 'in-review' | 'approved' | 'rejected' | 'published';

/** A draft (`GET /api/v1/drafts` items). */
export interface Draft {
  id: number;
  /** The policy id its source declares (absent while it does not compile that far). */
  policyId?: string;
  /** The hash of the version it was created from. */
  baseHash?: string;
  format: SourceFormat;
  source: string;
  revision: number;
  status: DraftStatus;
  author: string;
  /** Everyone who saved its source (four eyes: none of them may approve). */
  editors: string[];
  createdAt: string;
  /** When the source was last saved (review steps do not move it). */
  updatedAt: string;
  /** Who saved the source last. */
  updatedBy: string;
  /** The version it became, once published. */
  publishedHash?: string;
  /** What `If-Match` takes to save it (also the `ETag` header). */
  etag: string;
}

/** `GET /api/v1/drafts`. */
export type DraftListResponse = ItemList<Draft>;

/** One review step of a draft. */
export interface Review {
  id: number;
  draftId: number;
  actor: string;
  action: 'submit' | 'approve' | 'reject';
  comment?: string;
  /** The draft revision it was taken on. */
  revision: number;
  at: string;
}

/** A draft with its review steps: `GET`, `POST` (create) and the review actions on `/drafts/:id`. */
export interface DraftDetail extends Draft {
  reviews: Review[];
  /** Only in the answer to a save (`PUT`): the compiler's diagnostics for the saved source. */
  diagnostics?: Diagnostic[];
}

/** `PUT /api/v1/drafts/:id`: the saved draft and what the compiler says of it. */
export interface SavedDraft extends DraftDetail {
  diagnostics: Diagnostic[];
}

/** `POST /api/v1/drafts` body (schema `CreateDraftV1`): from a version, or from source. */
export interface CreateDraft {
  from?: { policy: string; version: string };
  source?: string;
  format?: SourceFormat;
}

/** `PUT /api/v1/drafts/:id` body (schema `UpdateDraftV1`), with `If-Match`. */
export interface UpdateDraft {
  source: string;
  format?: SourceFormat;
}

/** Body of submit and approve (schema `ReviewV1`; the body itself is optional). */
export interface ReviewRequest {
  comment?: string;
}

/** Body of reject (schema `RejectV1`): the reason is required. */
export interface RejectRequest {
  comment: string;
}

/** `POST /api/v1/drafts/:id/validate`. */
export type ValidateResponse =
  | { ok: true; revision: number; etag: string; diagnostics: Diagnostic[]; hash: string; ir: PolicyIR }
  | { ok: false; revision: number; etag: string; diagnostics: Diagnostic[] };

/** The version a publish created. */
export interface PublishedVersion {
  id: string;
  version: string;
  hash: string;
  publishedAt: string;
  publishedBy: string;
  author: string;
  approvedBy: string | null;
}

/** `POST /api/v1/drafts/:id/publish` (201). */
export interface PublishResponse {
  draft: DraftDetail;
  version: PublishedVersion;
}

// ---- simulation jobs ------------------------------------------------------------------------

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/**
 * Filters of a job's changed records (server-side, across all pages): `?rule=` and `?kind=`;
 * both given, both must hold.
 */
export interface ChangeFilter {
  /** Records whose outcome for this rule (fired, undetermined or neither) differs between the sides. */
  rule?: string;
  /**
   * Records where this outcome kind is on one side only; kinds as in the result's `byOutcome`:
   * an outcome kind fired, else `undetermined`, else `none`; or `invalid-facts`.
   */
  kind?: string;
}

/** What a simulation was asked to compare. */
export interface JobParams {
  /** References as given: `<policy>@<version>`, `<policy>` or `draft:<id>`. */
  baseline: string;
  candidate: string;
  asOf: string;
  file: { name: string; format: 'jsonl' | 'csv' | 'xlsx'; size: number };
}

/** Counts of one side of a simulation. */
export interface SideCounts {
  /** The resolved policy that decided. */
  policy: string;
  version: string;
  hash: string;
  /** Records by outcome kind fired (once per kind), plus `none`, `undetermined`, `invalid-facts`. */
  byOutcome: Record<string, number>;
  byRule: Record<string, { fired: number; undetermined: number; suppressed: number }>;
}

/**
 * Each side's rule coverage on a simulated dataset (engine/sql): fired / not fired / undetermined /
 * suppressed per rule, the facts missing most (counted when the job ran as SQL; empty on the worker
 * pool), and the rules that fired on no record.
 */
export type { Coverage, RuleCoverage };

/** A finished simulation's counts. */
export interface SimulationResult {
  /** Where it ran: the worker pool, or DuckDB as one SQL query (large datasets, docs/scaling.md). */
  engine?: 'pool' | 'duckdb';
  /** Rule coverage of each side on the dataset. */
  coverage?: { baseline: Coverage; candidate: Coverage };
  total: number;
  /** Records whose outcome differs between the sides. */
  changed: number;
  baseline: SideCounts;
  candidate: SideCounts;
}

/**
 * Why a job failed, in the shape of every API error: `job.failed` with the reason as a detail,
 * `job.interrupted` (the server restarted during the job), or the error the job's input got.
 */
export type JobError = ErrorBody['error'];

/** `GET /api/v1/jobs/:id`, and `POST /api/v1/simulate` (202). */
export interface Job {
  id: string;
  kind: string;
  createdBy: string;
  createdAt: string;
  status: JobStatus;
  params: JobParams;
  /** Records in the dataset, and those decided so far. */
  total: number;
  done: number;
  /** Once done. */
  result?: SimulationResult;
  /** Once failed. */
  error?: JobError;
  finishedAt?: string;
  /** The server instance that runs (or ran) it, as `/readyz` names instances. */
  runner?: string;
  /** How many times an instance started it: more than 1 when one took over from another that died. */
  attempts: number;
  links: { self: string; events: string; changes: string; download: string };
}

/** `DELETE /api/v1/jobs/:id`: cancelling; the job stops at its next step. */
export interface CancelResponse {
  id: string;
  cancelling: true;
}

/** `GET /api/v1/jobs/:id/events`: the data of each SSE event (`event:` is its `type`). */
export interface ProgressEvent {
  type: 'progress' | 'end';
  done: number;
  total: number;
  /** Records per second so far. */
  rate: number;
  status: JobStatus;
}

export type { RecordOutcome };

/** A record whose outcome changed; also each line of the JSONL download. */
export interface JobChange {
  seq: number;
  /** 1-based line (or row) of the dataset. */
  line: number;
  record: Facts;
  baseline: RecordOutcome;
  candidate: RecordOutcome;
}

/** `GET /api/v1/jobs/:id/changes`: a page, with the filters that made it. */
export interface ChangesPage extends Page<JobChange>, ChangeFilter {}

// ---- audit and tokens -----------------------------------------------------------------------

/** One change, written with it in the same transaction. */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  /** e.g. `draft.edit`, `version.publish`, `token.create`. */
  action: string;
  /** e.g. `draft:7`, `policy:gansu/poverty-loan@2015.1`. */
  target: string;
  before?: unknown;
  after?: unknown;
}

/** `GET /api/v1/audit`. */
export type AuditPage = Page<AuditEntry>;

/** A token, never its secret (`GET /api/v1/tokens` items, `DELETE /api/v1/tokens/:id`). */
export interface TokenInfo {
  id: number;
  name: string;
  role: Role;
  createdAt: string;
  createdBy: string;
  revokedAt?: string;
}

/** `POST /api/v1/tokens` body (schema `CreateTokenV1`). */
export interface CreateTokenRequest {
  role: Role;
  name: string;
}

/** `POST /api/v1/tokens` (201): the secret, shown this once. */
export interface CreatedToken extends TokenInfo {
  token: string;
}

export type { Decision, DecisionTexts, Diagnostic, LeanDecision, PolicyDiff, PolicyIR, PolicyRef, TextDiff };
