/** Messages between `AnalysisWorker` (analysis.ts) and its thread (analysis-worker.ts). */
import type { DraftAnalysisJob } from '../analysis/draft.ts';
import type { Finding } from '../analysis/types.ts';

export type AnalysisToWorker = { type: 'analyze'; id: number; job: DraftAnalysisJob } | { type: 'cancel'; id: number };

/** `ready`: Z3 is loaded (jobs are sent from then on, so loading never eats a job's budget). */
export type AnalysisFromWorker =
  | { type: 'ready' }
  | { type: 'result'; id: number; ok: true; findings: Finding[] }
  | { type: 'result'; id: number; ok: false; cancelled: boolean; message: string };
