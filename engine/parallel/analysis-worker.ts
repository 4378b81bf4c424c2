/**
 * The worker side of `AnalysisWorker`: runs `analyzeDraft` (Z3 and the interpreter's probe) off the
 * server's event loop. One job at a time arrives; `cancel` aborts it at its next solver query.
 * Node-only.
 */
import { parentPort } from 'node:worker_threads';
import { analyzeDraft } from '../analysis/draft.ts';
import { solverContext } from '../analysis/solver.ts';
import type { AnalysisFromWorker, AnalysisToWorker } from './analysis-protocol.ts';

const port = parentPort;
if (!port) throw new Error('analysis-worker.ts runs as a worker thread');
const running = new Map<number, AbortController>();
// Loading Z3's Wasm takes seconds on a loaded machine: start at once, not with the first job.
void solverContext().then(() => port.postMessage({ type: 'ready' } satisfies AnalysisFromWorker));

port.on('message', (m: AnalysisToWorker) => {
  if (m.type === 'cancel') {
    running.get(m.id)?.abort(new Error('cancelled'));
    return;
  }
  const ac = new AbortController();
  running.set(m.id, ac);
  analyzeDraft(m.job, ac.signal).then(
    (findings) => port.postMessage({ type: 'result', id: m.id, ok: true, findings } satisfies AnalysisFromWorker),
    (e: unknown) => port.postMessage({ type: 'result', id: m.id, ok: false, cancelled: ac.signal.aborted, message: e instanceof Error ? e.message : String(e) } satisfies AnalysisFromWorker),
  ).finally(() => running.delete(m.id));
});
