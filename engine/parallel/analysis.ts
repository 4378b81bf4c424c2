/**
 * The editor's analysis off the event loop: one worker thread running `analyzeDraft` (Z3 plus the
 * interpreter's probe, both CPU-bound), one job at a time, each bounded and cancellable.
 *
 * - Bounded: a job's deadline is `budgetMs` after the thread takes it (once Z3 is loaded, so a
 *   cold start never eats the budget); queries past it are answered
 *   "unknown (timeout)" by the analysis itself. Should the thread still not answer by the deadline
 *   plus `graceMs` (a long synchronous step), it is stopped and the answer is one
 *   `analysis.solver-unknown` naming every rule; the next job starts a fresh thread.
 * - Stale requests: a job with the `key` of one queued or running (the same person's same editor)
 *   supersedes it; an aborted `signal` (the client went away) drops it. The running one is told to
 *   stop at its next query.
 * Node-only. The thread is unref'd while idle, so it never keeps a process alive.
 */
import { Worker } from 'node:worker_threads';
import type { DraftAnalysisJob } from '../analysis/draft.ts';
import { unansweredFinding } from '../analysis/draft.ts';
import type { Finding } from '../analysis/types.ts';
import type { AnalysisFromWorker, AnalysisToWorker } from './analysis-protocol.ts';

export type AnalysisOutcome =
  | { status: 'done'; findings: Finding[]; elapsedMs: number }
  | { status: 'superseded' }
  | { status: 'cancelled' };

export interface AnalysisRequest {
  job: Omit<DraftAnalysisJob, 'deadline'>;
  /** Wall-clock bound from now (ms). */
  budgetMs: number;
  /** Jobs with the same key: the newer supersedes the older. */
  key?: string;
  signal?: AbortSignal;
}

/** More jobs waiting than this: refused (the server answers 503), so a burst cannot pile up work. */
export const MAX_QUEUED = 16;

export class AnalysisBusy extends Error {}

interface Job {
  id: number;
  req: AnalysisRequest;
  started: number;
  deadline: number;
  settle: (o: AnalysisOutcome) => void;
  settled: boolean;
  backstop?: ReturnType<typeof setTimeout>;
}

export class AnalysisWorker {
  private worker?: Worker;
  /** The current thread has loaded Z3. */
  private ready = false;
  private readonly queue: Job[] = [];
  private running?: Job;
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: { graceMs?: number } = {}) {}

  /** Jobs waiting (not counting the one running). */
  get queued(): number {
    return this.queue.length;
  }

  analyze(req: AnalysisRequest): Promise<AnalysisOutcome> {
    if (this.closed) return Promise.reject(new Error('analysis worker is closed'));
    if (req.signal?.aborted) return Promise.resolve({ status: 'cancelled' });
    if (req.key !== undefined) {
      for (const old of this.queue.filter((j) => j.req.key === req.key)) {
        this.queue.splice(this.queue.indexOf(old), 1);
        this.finish(old, { status: 'superseded' });
      }
      if (this.running?.req.key === req.key) this.stopRunning({ status: 'superseded' });
    }
    if (this.queue.length >= MAX_QUEUED) return Promise.reject(new AnalysisBusy(`${this.queue.length} analyses waiting`));
    const started = Date.now();
    return new Promise<AnalysisOutcome>((resolve) => {
      const job: Job = { id: this.nextId++, req, started, deadline: Infinity, settle: resolve, settled: false };
      req.signal?.addEventListener(
        'abort',
        () => {
          const i = this.queue.indexOf(job);
          if (i >= 0) {
            this.queue.splice(i, 1);
            this.finish(job, { status: 'cancelled' });
          } else if (this.running === job) this.stopRunning({ status: 'cancelled' });
        },
        { once: true },
      );
      this.queue.push(job);
      this.pump();
    });
  }

  /** Starts the thread, which loads Z3 at once: the first request then waits for neither. */
  warm(): void {
    if (!this.closed) this.thread();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.queue.splice(0)) this.finish(j, { status: 'cancelled' });
    if (this.running) this.finish(this.running, { status: 'cancelled' });
    this.running = undefined;
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    // A build (dist/, this file is .js) runs its compiled worker; sources go through tsx.
    const url = import.meta.url.endsWith('.js') ? new URL('./analysis-worker.js', import.meta.url) : new URL('./analysis-entry.mjs', import.meta.url);
    const w = new Worker(url);
    w.on('message', (m: AnalysisFromWorker) => {
      if (m.type === 'ready') {
        if (this.worker === w) this.ready = true;
        this.pump();
      } else this.answer(m);
    });
    w.on('error', (e) => this.crashed(w, e));
    w.unref();
    this.worker = w;
    this.ready = false;
    return w;
  }

  private pump(): void {
    if (this.running || this.closed) return;
    if (this.queue.length === 0) {
      this.worker?.unref();
      return;
    }
    const w = this.thread();
    if (!this.ready) {
      w.ref(); // waiting for Z3 with work queued: keep the process alive until it answers
      return;
    }
    const job = this.queue.shift()!;
    this.running = job;
    w.ref();
    job.deadline = Date.now() + job.req.budgetMs;
    const grace = this.opts.graceMs ?? 3000;
    job.backstop = setTimeout(() => this.overdue(job), Math.max(0, job.deadline - Date.now()) + grace);
    w.postMessage({ type: 'analyze', id: job.id, job: { ...job.req.job, deadline: job.deadline } } satisfies AnalysisToWorker);
  }

  private answer(m: Extract<AnalysisFromWorker, { type: 'result' }>): void {
    const job = this.running;
    if (!job || job.id !== m.id) return; // a stopped job's late answer
    this.running = undefined;
    if (m.ok) this.finish(job, { status: 'done', findings: m.findings, elapsedMs: Date.now() - job.started });
    else if (m.cancelled) this.finish(job, { status: 'cancelled' });
    else this.finish(job, { status: 'done', findings: [unansweredFinding(job.req.job.ir, `error: ${m.message}`)], elapsedMs: Date.now() - job.started });
    this.pump();
  }

  /** Tells the running job to stop at its next query; its answer, when it comes, is ignored. */
  private stopRunning(outcome: AnalysisOutcome): void {
    const job = this.running;
    if (!job) return;
    this.worker?.postMessage({ type: 'cancel', id: job.id } satisfies AnalysisToWorker);
    this.running = undefined;
    this.finish(job, outcome);
    // The thread may still be busy until its next query; the next job waits in its message queue.
    this.pump();
  }

  /** Past deadline and grace with no answer: stop the thread and say so. */
  private overdue(job: Job): void {
    if (this.running !== job) return;
    this.running = undefined;
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
    this.finish(job, { status: 'done', findings: [unansweredFinding(job.req.job.ir, 'timeout')], elapsedMs: Date.now() - job.started });
    this.pump();
  }

  private crashed(w: Worker, e: Error): void {
    if (this.worker !== w) return;
    const loaded = this.ready;
    this.worker = undefined;
    this.ready = false;
    const failed = (job: Job) => this.finish(job, { status: 'done', findings: [unansweredFinding(job.req.job.ir, `error: ${e.message}`)], elapsedMs: Date.now() - job.started });
    if (this.running) failed(this.running);
    this.running = undefined;
    // A thread that died loading Z3 would die again: answer the waiting jobs instead of looping.
    if (!loaded) this.queue.splice(0).forEach(failed);
    this.pump();
  }

  private finish(job: Job, outcome: AnalysisOutcome): void {
    if (job.settled) return;
    job.settled = true;
    if (job.backstop) clearTimeout(job.backstop);
    job.settle(outcome);
  }
}
