/**
 * What the server sends, as the UI reads it (see server/routes/ and server/openapi.ts). Kept
 * here rather than imported because admin-ui/ must not pull server/ (SQLite) into the bundle.
 * Fields the UI does not read are left out.
 */
import type { Decision } from '../../engine/evaluate/types.ts';
import type { PolicyIR, PolicyRef } from '../../engine/ir/types.ts';
import type { Diagnostic } from '../../dsl/diagnostics.ts';

export type Role = 'admin' | 'author' | 'reviewer' | 'system' | 'viewer';

export interface Me {
  name: string;
  role: Role;
}

export interface VersionSummary {
  version: string;
  hash: string;
  title: string;
  effectiveFrom: string;
  effectiveUntil?: string;
  extends?: PolicyRef;
  format: 'dsl' | 'yaml';
  publishedAt: string;
  publishedBy: string;
  /** Who wrote the draft this version came from; `system` for the seed library. */
  author: string;
  /** Who approved that draft; null for the seed library. */
  approvedBy: string | null;
  status?: string;
}

export interface PolicySummary {
  id: string;
  jurisdiction: string;
  topic: string;
  title: string;
  titleEn?: string;
  versions: VersionSummary[];
  /** The version in force on `inForceOn`, when that query was given. */
  inForce?: string;
}

export type PolicyList = PolicySummary[] | { items?: PolicySummary[]; policies?: PolicySummary[] };

export interface PolicyDetail extends PolicySummary {
  drafts?: { id: number; status: string; author: string; updatedAt: string; updatedBy: string }[];
}

export interface VersionDetail extends VersionSummary {
  id: string;
  source: { format: 'dsl' | 'yaml'; text: string };
  dsl?: string;
  yaml?: string;
  ir: PolicyIR;
  factSchema?: JsonSchema;
}

/** A JSON Schema for the facts (draft 2020-12 subset the engine emits). */
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

/** On a decision made on a draft: which draft text decided. */
export interface DraftMarker {
  id: number;
  revision: number;
  hash: string;
}

export interface EvaluateRequest {
  /** A policy id or `draft:<id>` (then no version). */
  policy: string;
  version?: string;
  asOf?: string;
  facts: unknown;
  explain?: boolean;
}

export interface EvaluateResponse {
  decisionId: string;
  decision: Decision;
  draft?: DraftMarker;
}

export interface CompareRequest {
  policies: { policy: string; version?: string }[];
  asOf?: string;
  facts: unknown;
  explain?: boolean;
}

export interface CompareItem {
  policy: string;
  version?: string;
  jurisdiction?: string;
  decisionId?: string;
  decision?: Decision;
  draft?: DraftMarker;
  ignoredFacts?: string[];
  /** HTTP status of this side's failure; the error shape beside it. */
  status?: number;
  error?: { code: string; message: { zh: string; en: string }; details?: { path: string; message: { zh: string; en: string } }[] };
}

export interface CompareResponse {
  asOf: string;
  results: CompareItem[];
}

export interface DiffResponse {
  a: { ref: string; hash?: string };
  b: { ref: string; hash?: string };
  /** engine/diff `diffPolicies` result. */
  semantic: unknown;
  /** engine/diff `textDiff` result. */
  text: unknown;
}

export type DraftStatus = 'editing' | 'in-review' | 'approved' | 'rejected' | 'published';

export interface Draft {
  id: number;
  policyId?: string;
  baseHash?: string;
  format: 'dsl' | 'yaml';
  source?: string;
  revision: number;
  status: DraftStatus;
  author: string;
  editors?: string[];
  createdAt?: string;
  /** When the source was last saved (review steps do not move it). */
  updatedAt: string;
  /** Who saved the source last. */
  updatedBy: string;
}

export type DraftList = Draft[] | { items?: Draft[]; drafts?: Draft[] };

export interface Review {
  id: number;
  actor: string;
  action: 'submit' | 'approve' | 'reject';
  comment?: string;
  revision: number;
  at: string;
}

export interface DraftDetail extends Draft {
  source: string;
  etag?: string;
  reviews?: Review[];
  /** After a save: the compiler's diagnostics for the saved source. */
  diagnostics?: Diagnostic[];
}

export interface CreateDraft {
  from?: { policy: string; version: string };
  source?: string;
  format?: 'dsl' | 'yaml';
}

export interface UpdateDraft {
  source: string;
  format?: 'dsl' | 'yaml';
}

export interface Page<T> {
  items: T[];
  total: number;
  page?: number;
  pageSize?: number;
}

/** Filters of a job's changed records (server-side, across all pages). */
export interface ChangeFilter {
  /** Records whose outcome for this rule changed. */
  rule?: string;
  /** Records where this outcome kind (or none / undetermined / invalid-facts) is on one side only. */
  kind?: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  before?: unknown;
  after?: unknown;
}

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface Job {
  id: string;
  kind?: string;
  status: JobStatus;
  total: number;
  done: number;
  rate?: number;
  result?: SimulationResult;
  error?: { code?: string; message?: { zh: string; en: string } } | unknown;
  createdAt?: string;
  finishedAt?: string;
  params?: { baseline?: string; candidate?: string; asOf?: string; file?: { name: string; format: string; size: number } };
  links?: { self: string; events: string; changes: string; download: string };
}

export interface SideCounts {
  policy: string;
  version: string;
  hash: string;
  /** Records by outcome kind fired, plus `none`, `undetermined`, `invalid-facts`. */
  byOutcome: Record<string, number>;
  byRule: Record<string, { fired: number; undetermined: number; suppressed: number }>;
}

export interface SimulationResult {
  total: number;
  changed: number;
  baseline: SideCounts;
  candidate: SideCounts;
}

export interface RecordOutcome {
  status: 'ok' | 'invalid-facts';
  fired: string[];
  undetermined: string[];
  kinds: string[];
}

export interface ProgressEvent {
  type: 'progress' | 'end';
  done: number;
  total: number;
  rate: number;
  status: JobStatus;
}

export interface JobChange {
  seq: number;
  line: number;
  record: Record<string, unknown>;
  baseline: RecordOutcome;
  candidate: RecordOutcome;
}

export type { Decision, PolicyIR };
