/**
 * Tamper evidence for the decision log. Each group commit of the log is one *batch*: its rows'
 * digests are hashed together with the hash of the batch before it in the same *partition* (one
 * writer process and one UTC day), so batches are chained without any decision waiting for
 * another instance's, and without a hash chain through every row. A batch row keeps each
 * decision's id and a digest prefix, so verification can name the decision that was edited,
 * deleted or inserted. Retention drops whole partitions and keeps their last hash as a checkpoint.
 * The hash is SHA-256, or SM3 (GB/T 32905) where a deployment requires it; each batch records its
 * algorithm, so a log written under both still verifies.
 */
import { createHash, getHashes } from 'node:crypto';

export const LEDGER_ALGS = ['sha256', 'sm3'] as const;
export type LedgerAlg = (typeof LEDGER_ALGS)[number];

/** Whether this Node's OpenSSL provides the algorithm (SM3 is missing from some builds). */
export function ledgerAlgAvailable(alg: string): alg is LedgerAlg {
  return (LEDGER_ALGS as readonly string[]).includes(alg) && getHashes().includes(alg);
}

/** The hash of a partition's first batch's predecessor. */
export const LEDGER_GENESIS = '0'.repeat(64);

/** Hex digits of a row's digest kept in the batch row: enough to name an edited row, not to forge one. */
const PREFIX = 16;

/** A decision row's stored columns, in this order, as the database returns them. */
export type LedgerRow = [
  id: string,
  at: string,
  caller: string,
  policyId: string,
  version: string,
  policyHash: string,
  asOf: string,
  facts: string,
  masked: string,
  decision: string,
  draft: string | null,
  texts: string | null,
  subject: string | null,
  reportedBy: string | null,
  // Added later (migration SQLite 10 / PostgreSQL 7): present only when either is set, so rows
  // logged before keep the digest they were committed with.
  subjectKey?: string | null,
  personal?: string | null,
];

export function ledgerRowOf(r: Record<string, unknown>): LedgerRow {
  const s = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return [
    String(r.id),
    String(r.at),
    String(r.caller),
    String(r.policy_id),
    String(r.version),
    String(r.policy_hash),
    String(r.as_of),
    String(r.facts),
    String(r.masked),
    String(r.decision),
    s(r.draft),
    s(r.texts),
    s(r.subject),
    s(r.reported_by),
    ...privacyColumns(s(r.subject_key), s(r.personal)),
  ];
}

/** The privacy columns' part of a row: nothing when both are empty (every row before them). */
export function privacyColumns(subjectKey: string | null, personal: string | null): [] | [string | null, string | null] {
  return subjectKey === null && personal === null ? [] : [subjectKey, personal];
}

export function rowDigest(alg: LedgerAlg, row: LedgerRow): string {
  return createHash(alg).update(JSON.stringify(row)).digest('hex');
}

export interface BatchHeader {
  part: string;
  seq: number;
  alg: LedgerAlg;
  prev: string;
}

/** A batch's hash over its header and its rows' full digests, rows in id order. */
export function batchHash(h: BatchHeader, digests: string[]): string {
  return createHash(h.alg)
    .update(JSON.stringify([h.prev, h.part, h.seq, h.alg, digests.length]))
    .update('\n')
    .update(digests.join('\n'))
    .digest('hex');
}

/** The batch row's `entries`: `id prefix` a line, in id order. */
export function entriesOf(ids: string[], digests: string[]): string {
  return ids.map((id, i) => `${id} ${digests[i]!.slice(0, PREFIX)}`).join('\n');
}

export function parseEntries(entries: string): { id: string; prefix: string }[] {
  if (!entries) return [];
  return entries.split('\n').map((l) => {
    const [id, prefix] = l.split(' ');
    return { id: id!, prefix: prefix ?? '' };
  });
}

export function prefixOf(digest: string): string {
  return digest.slice(0, PREFIX);
}

/** A partition's name: the UTC day first (retention drops by it), then the writer. */
export function partitionOf(at: Date, writer: string): string {
  return `${at.toISOString().slice(0, 10)}/${writer}`;
}

export function dayOfPartition(part: string): string {
  return part.slice(0, 10);
}

/** What `tiaowen audit verify` found wrong in the decision log. */
export interface LedgerProblem {
  kind:
    | 'edited' // a decision's stored columns do not match its digest
    | 'deleted' // a decision its batch lists is missing
    | 'inserted' // a decision no batch lists
    | 'batch-edited' // a batch's hash does not match its rows and predecessor
    | 'batch-missing' // a gap in a partition's sequence
    | 'partition-missing' // the audit trail names a partition that is neither present nor checkpointed
    | 'truncated' // a partition ends before the batch the audit trail sealed it at
    | 'checkpoint-mismatch'; // a checkpoint differs from the one the retention sweep recorded
  part?: string;
  seq?: number;
  decisionId?: string;
  expected?: string;
  found?: string;
}

export const PROBLEM_TEXT: Record<LedgerProblem['kind'], [zh: string, en: string]> = {
  edited: ['决定记录的内容与其摘要不符(被修改过)', "the decision's stored fields do not match its digest (it was edited)"],
  deleted: ['批次登记的决定已不在日志中(被删除)', 'a decision its batch lists is missing (it was deleted)'],
  inserted: ['日志中有未被任何批次登记的决定(被插入)', 'a decision no batch lists (it was inserted)'],
  'batch-edited': ['批次的哈希与其内容或前一批次不符', "the batch's hash does not match its rows or the batch before it"],
  'batch-missing': ['分区的批次序号有缺口(批次被删除)', "a gap in the partition's batches (a batch was removed)"],
  'partition-missing': ['审计记录中登记的分区既不存在也无检查点', 'a partition the audit trail names is neither present nor checkpointed'],
  truncated: ['分区末尾的批次被删除(短于审计记录封存时)', 'batches at the end of the partition were removed (shorter than when the audit trail sealed it)'],
  'checkpoint-mismatch': ['检查点与保留期清理时记录的不符', 'the checkpoint differs from the one the retention sweep recorded'],
};
