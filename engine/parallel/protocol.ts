/** Messages between the pool and its workers. */
import type { Decision } from '../evaluate/types.ts';
import type { ResolvedPolicy } from '../library/library.ts';
import type { ChunkSimulation } from './simulate.ts';

/** Records as JSON lines (`lines`) or as values (`records`). */
interface Records {
  lines?: string;
  records?: unknown[];
}

export type Task =
  | ({ op: 'decide'; policy: string; asOf: string } & Records)
  | ({ op: 'simulate'; baseline: string; candidate: string; asOf: string } & Records);

export type TaskResult = { op: 'decide'; decisions: Decision[] } | ({ op: 'simulate'; count: number } & ChunkSimulation);

export type ToWorker = { type: 'policy'; policy: ResolvedPolicy } | { type: 'task'; id: number; task: Task };

export type FromWorker = { id: number; ok: true; result: TaskResult } | { id: number; ok: false; error: string };
