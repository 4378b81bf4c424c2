/**
 * The JSON the HTTP API sends and takes (`/api/v1`), as one set of types shared by the routes
 * (`server/routes/*.ts` annotate what they send with these) and the admin UI (`admin-ui/src/wire.ts`
 * re-exports them). `tsc` therefore fails when a route and the UI disagree.
 *
 * Each type is the `Static` of its TypeBox schema in server/contract/wire.ts: one definition gives
 * the type here, the JSON Schema ajv checks request bodies (and, in tests, every response) with,
 * and the OpenAPI component. Types only: the admin UI bundles whatever this file imports, so it
 * may `import type` from server/contract/, @sinclair/typebox, engine/ and dsl/ and nothing else
 * (type imports are erased: TypeBox stays out of the bundle); test/server/wire.test.ts checks it.
 */
import type { Static } from '@sinclair/typebox';
import type * as C from './contract/wire.ts';
import type * as R from './contract/report.ts';
import type { Diagnostic } from '../dsl/diagnostics.ts';
import type { PolicyDiff, TextDiff } from '../engine/diff/index.ts';
import type { Coverage, RuleCoverage } from '../engine/sql/simulate.ts';
import type { DecisionTexts, LeanDecision } from '../engine/evaluate/lean.ts';
import type { Decision } from '../engine/evaluate/types.ts';
import type { PolicyIR, PolicyRef } from '../engine/ir/types.ts';
import type { RecordOutcome } from '../engine/parallel/simulate.ts';

// ---- common ---------------------------------------------------------------------------------

/** A user-facing text in both languages. */
export type Text = Static<typeof C.Text>;
/** One reason of a failure: where and what. */
export type ErrorDetail = Static<typeof C.ErrorDetail>;
/** Every failure the API reports (any status ≥ 400), rendered by `app.onError` (component `Error`). */
export type ErrorBody = Static<typeof C.ErrorBody>;

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
export type SourceFormat = Static<typeof C.SourceFormat>;
/** A token's role; what each may do is server/auth/permissions.ts. */
export type Role = Static<typeof C.Role>;
/** `GET /api/v1/me`: who the bearer token belongs to. */
export type Me = Static<typeof C.Me>;
/** `GET /healthz` when the database answers (503 with an `ErrorBody` when it does not). */
/** `GET /livez`: the process answers (nothing else is touched: a load balancer's liveness probe). */
export type Live = Static<typeof C.Live>;
export type Health = Static<typeof C.Health>;
/** `GET /readyz`: store reachable, migrations done, not shutting down (503 with an `ErrorBody` otherwise). */
export type Ready = Static<typeof C.Ready>;

// ---- policies -------------------------------------------------------------------------------

/** One published version, as policy lists show it. */
export type VersionSummary = Static<typeof C.VersionSummary>;
/** One policy with all its published versions, oldest first (`GET /api/v1/policies` items). */
export type PolicySummary = Static<typeof C.PolicySummary>;
/** `GET /api/v1/policies`. */
export type PolicyListResponse = Static<typeof C.PolicyListResponse>;
/** A draft of a policy, as the policy's page lists it (published drafts left out). */
export type DraftRef = Static<typeof C.DraftRef>;
/** `GET /api/v1/policies/:jurisdiction/:topic`. */
export type PolicyDetail = Static<typeof C.PolicyDetail>;
/** A JSON Schema: the facts (the draft-07 subset engine/facts/schema.ts emits) or a version's decision. */
export type JsonSchema = Static<typeof C.JsonSchema>;
/** `GET /api/v1/policies/:jurisdiction/:topic/versions/:version`. */
export type VersionDetail = Static<typeof C.VersionDetail>;

// ---- evaluation -----------------------------------------------------------------------------

/** Facts by name, as docs/language.md "How facts are given" says. */
export type Facts = Static<typeof C.Facts>;
/** On a decision made on a draft: which draft text decided. */
export type DraftMarker = Static<typeof C.DraftMarker>;
/** `POST /api/v1/evaluate` body (schema `EvaluateRequestV1`). */
export type EvaluateRequest = Static<typeof C.EvaluateRequest>;
/** `POST /api/v1/evaluate`: the decision, committed to the log under `decisionId`. */
export type EvaluateResponse = Static<typeof C.EvaluateResponse>;
/** `POST /api/v1/evaluate/compare` body (schema `CompareRequestV1`). */
export type CompareRequest = Static<typeof C.CompareRequest>;
/** One side of a comparison that was decided. */
export type CompareDecided = Static<typeof C.CompareDecided>;
/** One side of a comparison that failed: its HTTP status and the error shape beside it. */
export type CompareFailed = Static<typeof C.CompareFailed>;
/** One side of a comparison, in the order asked. */
export type CompareItem = CompareDecided | CompareFailed;
/** `POST /api/v1/evaluate/compare`. */
export type CompareResponse = Static<typeof C.CompareResponse>;
/** `GET /api/v1/decisions/:id`: a logged decision, put back together (facts as logged, masked fields replaced). */
export type DecisionRecord = Static<typeof C.DecisionRecord>;
/**
 * `GET /api/v1/decisions`: logged decisions, newest first. A page holds at most `limit` items;
 * `nextCursor`, when present, continues after the last decision looked at (filters on outcome
 * and rule are applied to what was read, so a page can hold fewer items and still have a next).
 */
export type DecisionList = Static<typeof C.DecisionList>;
/** `POST /api/v1/decisions/replay`: re-decide logged decisions under another version, as a simulation job. */
export type BulkReplayRequest = Static<typeof C.BulkReplayRequest>;
/** `POST /api/v1/decisions/:id/replay` when the decision can be made again. */
export type Replayed = Static<typeof C.Replayed>;
/** `POST /api/v1/decisions/:id/replay` when it cannot (masked facts, draft changed since). */
export type NotReplayable = Static<typeof C.NotReplayable>;
/** `POST /api/v1/decisions/:id/replay`. */
export type ReplayResponse = Replayed | NotReplayable;

// ---- batches (NDJSON) -----------------------------------------------------------------------

/** One line of a `POST /api/v1/evaluate/batch` body (schema `BatchLineV1`); what it leaves out comes from the query. */
export type BatchLine = Static<typeof C.BatchLine>;
/** A line decided with `view=full` (the default), committed to the decision log under `decisionId`. */
export type BatchDecided = Static<typeof C.BatchDecided>;
/**
 * A line decided with `view=lean`: the decision's lean form, whose rule texts came on an earlier
 * `BatchTexts` line (`expandDecision(lean, texts)` in engine/evaluate/lean.ts gives the decision).
 * A decision the decision log keeps whole (one that does not match its texts) is answered as a
 * `BatchDecided` even here.
 */
export type BatchDecidedLean = Static<typeof C.BatchDecidedLean>;
/** `view=lean`: a policy version's (or draft's) rule texts, once per request, before the first answer referring to them. */
export type BatchTexts = Static<typeof C.BatchTexts>;
/** A line that was read but not decided: the HTTP status it would have had alone, and the error shape beside it. */
export type BatchFailed = Static<typeof C.BatchFailed>;
/** A line that could not be read: not JSON (`batch.malformed-line`) or too long (`http.payload-too-large`). */
export type BatchUnreadable = Static<typeof C.BatchUnreadable>;
/** One line of the `POST /api/v1/evaluate/batch` answer (NDJSON, in input line order). */
export type BatchAnswerLine = BatchDecided | BatchDecidedLean | BatchTexts | BatchFailed | BatchUnreadable;

// ---- diff -----------------------------------------------------------------------------------

/** A side of a diff: `<policy>@<version>` or `draft:<id>`, with the version's hash. */
export type DiffSide = Static<typeof C.DiffSide>;
/**
 * `GET /api/v1/diff?a=&b=`: the semantic diff, the line diff of the sources (printed as DSL when
 * the two are in different notations) and, with `impact=true`, the rules whose verdict changes,
 * each with a witness record, or a proof that the two decide identically (engine/analysis, Z3).
 */
export type DiffResponse = Static<typeof C.DiffResponse>;

// ---- drafts and review ----------------------------------------------------------------------

export type DraftStatus = Static<typeof C.DraftStatus>;
/** A draft (`GET /api/v1/drafts` items). */
export type Draft = Static<typeof C.Draft>;
/** `GET /api/v1/drafts`. */
export type DraftListResponse = Static<typeof C.DraftListResponse>;
/** One review step of a draft. */
export type Review = Static<typeof C.Review>;
/** A draft with its review steps: `GET`, `POST` (create) and the review actions on `/drafts/:id`. */
export type DraftDetail = Static<typeof C.DraftDetail>;
/** `PUT /api/v1/drafts/:id`: the saved draft and what the compiler says of it. */
export type SavedDraft = Static<typeof C.SavedDraft>;
/** `POST /api/v1/drafts` body (schema `CreateDraftV1`): from a version, or from source. */
export type CreateDraft = Static<typeof C.CreateDraft>;
/** `PUT /api/v1/drafts/:id` body (schema `UpdateDraftV1`), with `If-Match`. */
export type UpdateDraft = Static<typeof C.UpdateDraft>;
/** Body of submit and approve (schema `ReviewV1`; the body itself is optional). */
export type ReviewRequest = Static<typeof C.ReviewRequest>;
/** Body of reject (schema `RejectV1`): the reason is required. */
export type RejectRequest = Static<typeof C.RejectRequest>;
/** `POST /api/v1/drafts/:id/validate`. */
export type ValidateResponse = Static<typeof C.ValidateOk> | Static<typeof C.ValidateFailed>;
/** `POST /api/v1/analyze`: the solver's findings on an unsaved text, or its compile errors. */
export type AnalyzeRequest = Static<typeof C.AnalyzeRequest>;
export type AnalyzeResponse = Static<typeof C.AnalyzeOk> | Static<typeof C.AnalyzeFailed>;
export type AnalysisFinding = Static<typeof C.Finding>;
/** The version a publish created. */
export type PublishedVersion = Static<typeof C.PublishedVersion>;
/** `POST /api/v1/drafts/:id/publish` (201). */
export type PublishResponse = Static<typeof C.PublishResponse>;

// ---- simulation jobs ------------------------------------------------------------------------

export type JobStatus = Static<typeof C.JobStatus>;

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
export type JobParams = Static<typeof C.JobParams>;
/** Counts of one side of a simulation. */
export type SideCounts = Static<typeof C.SideCounts>;
/**
 * Each side's rule coverage on a simulated dataset (engine/sql): fired / not fired / undetermined /
 * suppressed per rule, the facts missing most (counted when the job ran as SQL; empty on the worker
 * pool), and the rules that fired on no record.
 */
export type { Coverage, RuleCoverage };
/** A finished simulation's counts. */
export type SimulationResult = Static<typeof C.SimulationResult>;
/**
 * Why a job failed, in the shape of every API error: `job.failed` with the reason as a detail,
 * `job.interrupted` (the server restarted during the job), or the error the job's input got.
 */
export type JobError = ErrorBody['error'];
/** `GET /api/v1/jobs/:id`, and `POST /api/v1/simulate` (202). */
export type Job = Static<typeof C.Job>;
/** `DELETE /api/v1/jobs/:id`: cancelling; the job stops at its next step. */
export type CancelResponse = Static<typeof C.CancelResponse>;
/** `GET /api/v1/jobs/:id/events`: the data of each SSE event (`event:` is its `type`). */
export type ProgressEvent = Static<typeof C.ProgressEvent>;
export type { RecordOutcome };
/** A record whose outcome changed; also each line of the JSONL download. */
export type JobChange = Static<typeof C.JobChange>;
/** `GET /api/v1/jobs/:id/changes`: a page, with the filters that made it. */
export type ChangesPage = Static<typeof C.ChangesPage>;

// ---- audit and tokens -----------------------------------------------------------------------

/** One change, written with it in the same transaction. */
export type AuditEntry = Static<typeof C.AuditEntry>;
/** `GET /api/v1/audit`. */
export type AuditPage = Static<typeof C.AuditPage>;
/** A token, never its secret (`GET /api/v1/tokens` items, `DELETE /api/v1/tokens/:id`). */
export type TokenInfo = Static<typeof C.TokenInfo>;
/** `POST /api/v1/tokens` body (schema `CreateTokenV1`). */
export type CreateTokenRequest = Static<typeof C.CreateTokenRequest>;
/** `POST /api/v1/tokens` (201): the secret, shown this once. */
export type CreatedToken = Static<typeof C.CreatedToken>;

export type { Decision, DecisionTexts, Diagnostic, LeanDecision, PolicyDiff, PolicyIR, PolicyRef, TextDiff };

// ---- library sync ---------------------------------------------------------------------------

/** `POST /api/v1/library/sync` body (schema `LibrarySyncV1`). */
export type LibrarySyncRequest = Static<typeof C.LibrarySyncRequest>;
/** `POST /api/v1/library/sync`: one row per library version, what was (or would be) done. */
export type LibrarySyncResponse = Static<typeof C.LibrarySyncResponse>;
// ---- impact reports (server/report/) --------------------------------------------------------

/** A finished simulation's impact report (`GET /jobs/{id}/report`). */
export type ImpactReport = Static<typeof R.ImpactReportV1>;
/** One group of a report's breakdown. */
export type ReportGroup = Static<typeof R.ReportGroupV1>;
/** A simulation attached to a draft (`POST /drafts/{id}/simulations`). */
export type DraftSimulationView = Static<typeof R.DraftSimulationV1>;
/** The simulations attached to a draft, each with its report. */
export type DraftSimulations = Static<typeof R.DraftSimulationsV1>;
// Persons (issue #16).
export type Person = Static<typeof C.Person>;
export type PersonList = Static<typeof C.PersonList>;
export type CreatePersonRequest = Static<typeof C.CreatePersonRequest>;
export type GrantRequest = Static<typeof C.GrantRequest>;
export type IssueTokenRequest = Static<typeof C.IssueTokenRequest>;
export type AuthConfig = Static<typeof C.AuthConfig>;
