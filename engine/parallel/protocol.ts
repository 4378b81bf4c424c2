/** Messages between the pool and its workers. */
import type { Decision } from '../evaluate/types.ts';
import type { ResolvedPolicy } from '../library/library.ts';
import type { ChunkSimulation } from './simulate.ts';
import type { MaskSpec } from '../privacy/mask.ts';

/**
 * Records as JSON lines (`lines`) or as values (`records`). A line holds a facts object or a
 * batch-style `{"facts": {...}}`; blank lines are skipped. For `lines`, every index in a result
 * (changes, errors) is the line's offset within the chunk, blank lines counted, so the sender maps
 * it back to a line number without parsing anything.
 */
interface Records {
  lines?: string;
  records?: unknown[];
}

export type Task =
  | ({ op: 'decide'; policy: string; asOf: string } & Records)
  | ({ op: 'simulate'; baseline: string; candidate: string; asOf: string; report?: ReportAsk } & Records)
  /** Parses the lines only: how many records, and which lines are not JSON objects. */
  | { op: 'check'; lines: string }
  /**
   * Batch lines `{"facts": {...}, "id": …}` decided with one policy, answered as JSON text ready
   * to store and send: the facts, the lean decision, and with `full` the whole decision. Any other
   * line (not JSON, other members, invalid facts) comes back as `defer` for the sender to judge,
   * so its errors are the sender's own.
   */
  | { op: 'batch'; policy: string; asOf: string; lines: string; full: boolean; mask?: MaskSpec };

/**
 * One non-blank line of a `batch` task, by its offset in the chunk (blank lines counted). With
 * `full`, `decision` is where the whole decision's JSON lies in the result's `decisions` bytes.
 */
export type BatchLineResult =
  | { at: number; defer: true }
  | {
      at: number;
      defer?: false;
      id?: unknown;
      /** The facts as they are to be stored: with `mask`, masked (`masked` names what, `subjectKey` the subject's keyed hash). */
      facts: string;
      lean: string;
      decision?: [start: number, end: number];
      masked?: string[];
      subjectKey?: string;
    };

/**
 * What a simulation counts for an impact report (server/report/), here where the lines are parsed
 * anyway: records per value of the `facts` named (scalar values), records per value of each
 * `columns` member of `{"facts":…, "columns":…}` lines, and the money the fired rules compute for
 * the changed records under each side.
 */
export interface ReportAsk {
  facts: string[];
}

export interface ChunkReport {
  /** fact name → value → records. */
  facts: Record<string, Record<string, number>>;
  /** kept column → value → records. */
  columns: Record<string, Record<string, number>>;
  /** Each changed record's kept columns, by its index in `changes`. */
  changeColumns: (Record<string, string> | undefined)[];
  /** computed name → totals in fen over the changed records. */
  amounts: Record<string, { label: string; labelEn?: string; baselineFen: number; candidateFen: number }>;
}

export type TaskResult =
  | { op: 'decide'; decisions: Decision[] }
  | ({ op: 'simulate'; count: number; report?: ChunkReport } & ChunkSimulation)
  | { op: 'check'; count: number; errors: { index: number; message: string }[] }
  /**
   * `texts`: the id of the rule texts the lean decisions refer to. `decisions` (with `full`): the
   * whole decisions' JSON as UTF-8, one buffer moved (not copied) to the sender, ready to write.
   */
  | { op: 'batch'; texts: string; results: BatchLineResult[]; decisions?: Uint8Array };

export type ToWorker = { type: 'policy'; policy: ResolvedPolicy } | { type: 'task'; id: number; task: Task };

export type FromWorker = { id: number; ok: true; result: TaskResult } | { id: number; ok: false; error: string };
