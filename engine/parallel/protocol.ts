/** Messages between the pool and its workers. */
import type { Decision } from '../evaluate/types.ts';
import type { ResolvedPolicy } from '../library/library.ts';
import type { ChunkSimulation } from './simulate.ts';

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
  | ({ op: 'simulate'; baseline: string; candidate: string; asOf: string } & Records)
  /** Parses the lines only: how many records, and which lines are not JSON objects. */
  | { op: 'check'; lines: string };

export type TaskResult =
  | { op: 'decide'; decisions: Decision[] }
  | ({ op: 'simulate'; count: number } & ChunkSimulation)
  | { op: 'check'; count: number; errors: { index: number; message: string }[] };

export type ToWorker = { type: 'policy'; policy: ResolvedPolicy } | { type: 'task'; id: number; task: Task };

export type FromWorker = { id: number; ok: true; result: TaskResult } | { id: number; ok: false; error: string };
