/**
 * What the server sends, as the UI reads it: the types of server/wire.ts, which the routes are
 * checked against. That file is types only (it may import types from engine/ and dsl/ alone, and
 * test/server/wire.test.ts holds it to that), so nothing of server/ reaches the bundle.
 */
import type { CompareItem as CompareSide, Decision, DraftMarker } from '../../server/wire.ts';

export type {
  AuthConfig,
  AnalysisFinding,
  AnalyzeRequest,
  AnalyzeResponse,
  ImpactReport,
  ReportGroup,
  DraftSimulationView,
  DraftSimulations,
  AuditEntry,
  AuditPage,
  CancelResponse,
  ChangeFilter,
  ChangesPage,
  CompareDecided,
  CompareFailed,
  CompareRequest,
  Coverage,
  CompareResponse,
  CreateDraft,
  Decision,
  DecisionList,
  DecisionRecord,
  Diagnostic,
  DiffResponse,
  DiffSide,
  Draft,
  DraftDetail,
  DraftListResponse,
  DraftMarker,
  DraftRef,
  DraftStatus,
  ErrorBody,
  ErrorDetail,
  EvaluateRequest,
  EvaluateResponse,
  Facts,
  ItemList,
  Job,
  JobChange,
  JobError,
  JobParams,
  JobStatus,
  JsonSchema,
  LibrarySyncResponse,
  Me,
  Person,
  Page,
  PolicyDetail,
  PolicyDiff,
  PolicyIR,
  PolicyListResponse,
  PolicySummary,
  ProgressEvent,
  PublishResponse,
  RecordOutcome,
  ReplayResponse,
  Review,
  Role,
  SavedDraft,
  SideCounts,
  SimulationResult,
  Text,
  TextDiff,
  UpdateDraft,
  ValidateResponse,
  VersionDetail,
  VersionSummary,
} from '../../server/wire.ts';

export type { CompareSide };

/**
 * A result card of Try it: a side of a comparison (what `/evaluate/compare` sends), or a single
 * evaluation shown the same way (`/evaluate` sends no jurisdiction and no ignored facts).
 */
export type CompareItem = CompareSide | SingleResult;

/** A single evaluation as a result card. */
export interface SingleResult {
  policy: string;
  version?: string;
  decisionId: string;
  decision: Decision;
  draft?: DraftMarker;
  status?: never;
  error?: never;
}
