/**
 * Simulation jobs: a dataset evaluated under a baseline and a candidate, in the background.
 * Progress is written to SQLite in steps and pushed to SSE listeners; cancel stops at the next
 * step; the result holds counts per outcome and per rule under each side, and the records whose
 * outcome changed are stored for paging and download. Simulated decisions are hypothetical and
 * are not written to the decision log.
 */
import { EventEmitter } from 'node:events';
import type { FactDecl } from '../engine/ir/types.ts';
import { addCounts, emptyCounts, type Task } from '../engine/parallel/index.ts';
import type { EnginePort, PoolLike, ResolvedPolicyLike } from './engine.ts';
import { ApiError, type ErrorBody, type ErrorDetail } from './errors.ts';
import type { Clock, JobChange, JobStatus, Store } from './store/store.ts';
import { readDataset, type DatasetRecord, type UploadFormat } from './upload.ts';
import type { ProgressEvent } from './wire.ts';

export type { ProgressEvent };

export interface SideCounts {
  /** Records by outcome kind fired (a record counts once per kind), plus `none`, `undetermined`, `invalid-facts`. */
  byOutcome: Record<string, number>;
  byRule: Record<string, { fired: number; undetermined: number; suppressed: number }>;
}

export interface SimulationResult {
  total: number;
  changed: number;
  baseline: SideCounts & { policy: string; version: string; hash: string };
  candidate: SideCounts & { policy: string; version: string; hash: string };
}

/** One record's outcome on one side: defined with the simulation it comes from. */
export type { RecordOutcome } from '../engine/parallel/index.ts';

/**
 * A dataset ready to simulate. JSONL stays text, cut into chunks of whole lines that the worker
 * threads parse; CSV and XLSX arrive as records (their columns are mapped to facts on upload).
 */
export type Dataset =
  | { kind: 'jsonl'; total: number; chunks: LineChunk[] }
  | { kind: 'records'; total: number; records: DatasetRecord[] };

export interface LineChunk {
  /** Whole lines joined by \n; blank lines kept so offsets map to line numbers. */
  text: string;
  /** 1-based number of the chunk's first line. */
  firstLine: number;
}

/** Lines per chunk sent to a worker: large enough to amortise a message, small enough to cancel soon. */
const CHUNK_LINES = 500;
/** Progress is written to SQLite at most this often (and at the end). */
const PROGRESS_MS = 250;

/** Cuts text into chunks of whole lines without looking inside them (the workers parse). */
export function splitLines(text: string, linesPerChunk = CHUNK_LINES): LineChunk[] {
  const chunks: LineChunk[] = [];
  let start = 0;
  let line = 1;
  while (start < text.length) {
    let end = start;
    let n = 0;
    while (n < linesPerChunk) {
      const nl = text.indexOf('\n', end);
      if (nl < 0) {
        end = text.length;
        n++;
        break;
      }
      end = nl + 1;
      n++;
    }
    chunks.push({ text: text.slice(start, end), firstLine: line });
    line += n;
    start = end;
  }
  return chunks;
}

/** The facts of one JSONL line, as upload.ts reads them (bare facts or `{facts: {...}}`). */
function lineFacts(chunk: LineChunk, offset: number): Record<string, unknown> {
  const text = chunk.text.split('\n')[offset] ?? '';
  const v = JSON.parse(text) as Record<string, unknown>;
  return 'facts' in v && typeof v.facts === 'object' ? (v.facts as Record<string, unknown>) : v;
}

/**
 * Job events that remember the `end`: a listener that subscribes after the job ended (a fast job
 * can end while an SSE stream is still sending its first event) is told at once.
 */
class JobEvents extends EventEmitter {
  private ended: ProgressEvent | undefined;

  override emit(name: string | symbol, ...args: unknown[]): boolean {
    const e = args[0] as ProgressEvent | undefined;
    if (name === 'event' && e?.type === 'end') this.ended = e;
    return super.emit(name, ...args);
  }

  // Listener arguments are whatever `emit` sends; EventEmitter types them as any[].
  override on(name: string | symbol, listener: (...args: any[]) => void): this {
    super.on(name, listener);
    const ended = this.ended;
    if (name === 'event' && ended) queueMicrotask(() => this.listeners('event').includes(listener) && listener(ended));
    return this;
  }
}

export class JobRunner {
  private events = new Map<string, EventEmitter>();
  private cancelled = new Set<string>();
  private active = new Map<string, Promise<void>>();
  private pool: PoolLike | undefined;

  constructor(
    private readonly store: Store,
    private readonly engine: EnginePort,
    private readonly clock: Clock,
    /** Records per chunk handed to a worker. */
    private readonly step = CHUNK_LINES,
  ) {}

  /** Worker threads, started on first use; shared with the batch route. */
  workers(): PoolLike {
    return (this.pool ??= this.engine.createPool());
  }

  running(): number {
    return this.active.size;
  }

  emitter(id: string): EventEmitter | undefined {
    return this.events.get(id);
  }

  isActive(id: string): boolean {
    return this.active.has(id);
  }

  cancel(id: string): void {
    this.cancelled.add(id);
  }

  /**
   * Reads an upload into a dataset: JSONL is split into line chunks here and parsed by the workers
   * (a check pass: broken lines are reported as upload.broken before the job exists); CSV and XLSX
   * are read as records.
   */
  async prepareDataset(bytes: Uint8Array, format: UploadFormat, facts: FactDecl[]): Promise<Dataset> {
    if (format !== 'jsonl') {
      const records = await readDataset(bytes, format, facts);
      return { kind: 'records', total: records.length, records };
    }
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes).replace(/^\uFEFF/, '');
    const chunks = splitLines(text, this.step);
    let total = 0;
    const errors: ErrorDetail[] = [];
    const checks = (function* () {
      for (const c of chunks) yield { op: 'check', lines: c.text } satisfies Task;
    })();
    let i = 0;
    for await (const r of this.workers().ordered(checks)) {
      if (r.op !== 'check') throw new Error('engine bug: wrong task result');
      total += r.count;
      for (const e of r.errors) {
        const line = chunks[i]!.firstLine + e.index;
        if (errors.length < 20) errors.push({ path: `line:${line}`, message: { zh: '此行不是 JSON 对象', en: `not a JSON object: ${e.message}` } });
      }
      i++;
    }
    if (errors.length) throw ApiError.of(422, 'upload.broken', errors);
    if (total === 0) throw ApiError.of(422, 'upload.empty');
    return { kind: 'jsonl', total, chunks };
  }

  start(id: string, dataset: Dataset, baseline: ResolvedPolicyLike, candidate: ResolvedPolicyLike, asOf: string): void {
    const em = new JobEvents();
    em.setMaxListeners(100);
    this.events.set(id, em);
    const run = this.run(id, dataset, baseline, candidate, asOf, em)
      .catch(async (e: unknown) => {
        await this.store.updateJob(id, { status: 'failed', error: jobFailure(e) }).catch(() => undefined);
        em.emit('event', { type: 'end', done: 0, total: dataset.total, rate: 0, status: 'failed' } satisfies ProgressEvent);
      })
      .finally(() => {
        this.active.delete(id);
        this.cancelled.delete(id);
        // Late SSE subscribers read the final state from SQLite.
        setTimeout(() => this.events.delete(id), 1000).unref();
      });
    this.active.set(id, run);
  }

  private async run(
    id: string,
    dataset: Dataset,
    baseline: ResolvedPolicyLike,
    candidate: ResolvedPolicyLike,
    asOf: string,
    em: EventEmitter,
  ): Promise<void> {
    const started = this.clock.now().getTime();
    const total = dataset.total;
    const sides = { baseline: emptyCounts(), candidate: emptyCounts() };
    let changed = 0;
    let seq = 0;
    await this.store.updateJob(id, { status: 'running' });
    const pool = this.workers();
    const b = pool.register(baseline);
    const c = pool.register(candidate);
    // Tasks in order, each with what maps its results back to lines and records.
    type Sent = { chunk?: LineChunk; records?: DatasetRecord[] };
    const sent: Sent[] = [];
    const cancelled = () => this.cancelled.has(id);
    const step = this.step;
    const tasks = (function* (): Generator<Task> {
      if (dataset.kind === 'jsonl') {
        for (const chunk of dataset.chunks) {
          if (cancelled()) return;
          sent.push({ chunk });
          yield { op: 'simulate', baseline: b, candidate: c, asOf, lines: chunk.text };
        }
      } else {
        for (let i = 0; i < dataset.records.length; i += step) {
          if (cancelled()) return;
          const records = dataset.records.slice(i, i + step);
          sent.push({ records });
          yield { op: 'simulate', baseline: b, candidate: c, asOf, records: records.map((r) => r.facts) };
        }
      }
    })();
    let done = 0;
    let changes: JobChange[] = [];
    let lastWrite = performance.now();
    for await (const r of pool.ordered(tasks)) {
      if (r.op !== 'simulate') throw new Error('engine bug: wrong task result');
      const s = sent.shift()!;
      addCounts(sides.baseline, r.baseline);
      addCounts(sides.candidate, r.candidate);
      for (const ch of r.changes) {
        changed++;
        const line = s.chunk ? s.chunk.firstLine + ch.index : s.records![ch.index]!.line;
        const record = s.chunk ? lineFacts(s.chunk, ch.index) : s.records![ch.index]!.facts;
        changes.push({ seq: seq++, line, record, baseline: ch.baseline, candidate: ch.candidate });
      }
      done += r.count;
      if (cancelled()) {
        // Results already computed are kept, as they were counted in `done`.
        await this.store.updateJob(id, { status: 'cancelled', done, changes });
        em.emit('event', { type: 'end', done, total, rate: rate(done, started, this.clock), status: 'cancelled' } satisfies ProgressEvent);
        return;
      }
      if (performance.now() - lastWrite >= PROGRESS_MS || changes.length >= 1000) {
        await this.store.updateJob(id, { done, changes });
        changes = [];
        lastWrite = performance.now();
        em.emit('event', { type: 'progress', done, total, rate: rate(done, started, this.clock), status: 'running' } satisfies ProgressEvent);
      }
    }
    if (cancelled()) {
      await this.store.updateJob(id, { status: 'cancelled', done, changes });
      em.emit('event', { type: 'end', done, total, rate: rate(done, started, this.clock), status: 'cancelled' } satisfies ProgressEvent);
      return;
    }
    if (changes.length) await this.store.updateJob(id, { done, changes });
    const stamp = (p: ResolvedPolicyLike) => ({ policy: p.stamp.id, version: p.stamp.version, hash: p.stamp.hash });
    const result: SimulationResult = {
      total,
      changed,
      baseline: { ...stamp(baseline), ...sides.baseline },
      candidate: { ...stamp(candidate), ...sides.candidate },
    };
    await this.store.updateJob(id, { status: 'done', done: total, result });
    em.emit('event', { type: 'end', done: total, total, rate: rate(total, started, this.clock), status: 'done' } satisfies ProgressEvent);
  }

  /** Waits for running jobs to stop (after cancelling them) at shutdown, then stops the workers. */
  async close(): Promise<void> {
    for (const id of this.active.keys()) this.cancel(id);
    await Promise.allSettled([...this.active.values()]);
    await this.pool?.close();
    this.pool = undefined;
  }
}

function rate(done: number, started: number, clock: Clock): number {
  const secs = Math.max(0.001, (clock.now().getTime() - started) / 1000);
  return Math.round((done / secs) * 10) / 10;
}

/**
 * Why a job failed, in the API's error shape: an ApiError as it would have been answered, anything
 * else as `job.failed` with its reason (the error's message, never a stack) as the detail.
 */
export function jobFailure(e: unknown): ErrorBody['error'] {
  if (e instanceof ApiError) return e.body().error;
  const reason = String((e as Error)?.message ?? e);
  return ApiError.of(500, 'job.failed', [{ path: 'job', message: { zh: reason, en: reason } }]).body().error;
}
