/**
 * Simulation jobs: a dataset evaluated under a baseline and a candidate, in the background.
 * A job and its input (the upload and both resolved sides) are stored when it is created; any
 * instance claims it from the database (store.claimJob: `FOR UPDATE SKIP LOCKED` on PostgreSQL),
 * keeps a heartbeat while it runs, and a job whose instance died (no heartbeat for `staleMs`) is
 * claimed again by another and run from its first record. Progress is written to the store in
 * steps and pushed to this instance's SSE listeners (others poll the store); a cancel is a flag
 * in the store that the runner reads with its heartbeat. The result holds counts per outcome and
 * per rule under each side, and the records whose outcome changed are stored for paging and
 * download. Simulated decisions are hypothetical and are not written to the decision log.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { FactDecl } from '../engine/ir/types.ts';
import { addCounts, emptyCounts, type Task } from '../engine/parallel/index.ts';
import type { EnginePort, PoolLike, ResolvedPolicyLike } from './engine.ts';
import { ApiError, type ErrorBody, type ErrorDetail } from './errors.ts';
import type { Clock, JobChange, JobRecord, JobStatus, Store } from './store/store.ts';
import { keptColumnsOf, readDataset, type DatasetRecord, type UploadFormat } from './upload.ts';
import { ReportTally } from './report/tally.ts';
import type { Coverage, ProgressEvent } from './wire.ts';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PolicyIR } from '../engine/ir/types.ts';

export type { ProgressEvent };

export interface SideCounts {
  /** Records by outcome kind fired (a record counts once per kind), plus `none`, `undetermined`, `invalid-facts`. */
  byOutcome: Record<string, number>;
  byRule: Record<string, { fired: number; undetermined: number; suppressed: number }>;
}

export interface SimulationResult {
  /** Results stored before these existed have neither. */
  engine?: 'pool' | 'duckdb';
  coverage?: { baseline: Coverage; candidate: Coverage };
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

/** One JSONL line's facts and the columns kept for the report (`{facts, columns}` lines). */
function lineEntry(text: string): { facts: Record<string, unknown>; columns?: Record<string, string> } {
  const v = JSON.parse(text) as Record<string, unknown>;
  if (!('facts' in v && typeof v.facts === 'object')) return { facts: v };
  const columns = keptColumnsOf(v.columns);
  return columns ? { facts: v.facts as Record<string, unknown>, columns } : { facts: v.facts as Record<string, unknown> };
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

export interface JobTiming {
  /** How often a running job's heartbeat is written (and its cancel flag read), ms. */
  heartbeatMs: number;
  /** A running job whose heartbeat is older than this is taken over by another instance, ms. */
  staleMs: number;
  /** How often an idle instance looks for work besides being notified, ms. */
  pollMs: number;
  /** Jobs one instance runs at once. */
  concurrency: number;
  /**
   * From this many records a simulation runs as one SQL query in DuckDB instead of on the worker
   * pool (engine/sql; below it, starting DuckDB costs more than the pool spends). Default 200,000.
   */
  sqlThreshold: number;
}

export const DEFAULT_JOB_TIMING: JobTiming = { heartbeatMs: 2000, staleMs: 15_000, pollMs: 2000, concurrency: 1, sqlThreshold: 200_000 };

export class JobRunner {
  private events = new Map<string, EventEmitter>();
  private cancelled = new Set<string>();
  private active = new Map<string, Promise<void>>();
  private pool: PoolLike | undefined;
  /** Datasets this instance read at upload, so the job it then claims is not read twice. */
  private prepared = new Map<string, Dataset>();
  /** This instance, as `claimed_by` shows it. */
  readonly runnerId = `runner_${randomUUID()}`;
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => void) | undefined;
  private kicking: Promise<void> | undefined;
  private kickAgain = false;
  private closed = false;
  /** SQLite: this process owns the store, so a job left running at start is stale at once. */
  private startedExclusive = false;

  constructor(
    private readonly store: Store,
    private readonly engine: EnginePort,
    private readonly clock: Clock,
    /** Records per chunk handed to a worker. */
    private readonly step = CHUNK_LINES,
    private readonly timing: JobTiming = DEFAULT_JOB_TIMING,
  ) {}

  /** Starts taking jobs: now, whenever a job is announced, and every `pollMs`. */
  startClaiming(): void {
    if (this.timer || this.closed) return;
    this.startedExclusive = this.store.dialect === 'sqlite';
    this.unlisten = this.store.onChange((channel) => {
      if (channel === 'jobs') this.kick();
    });
    this.timer = setInterval(() => this.kick(), this.timing.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Claims jobs while this instance has room; one claim loop at a time. */
  kick(): void {
    if (this.closed) return;
    if (this.kicking) {
      this.kickAgain = true;
      return;
    }
    this.kicking = (async () => {
      do {
        this.kickAgain = false;
        while (!this.closed && this.active.size < this.timing.concurrency) {
          const staleBefore = this.startedExclusive
            ? this.clock.now().toISOString()
            : new Date(this.clock.now().getTime() - this.timing.staleMs).toISOString();
          const job = await this.store.claimJob(this.runnerId, staleBefore);
          if (!job) break;
          this.launch(job);
        }
        this.startedExclusive = false;
      } while (this.kickAgain && !this.closed);
    })()
      .catch((e: unknown) => console.error(`[tiaowen] claiming jobs: ${(e as Error).message}`))
      .finally(() => (this.kicking = undefined));
  }

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

  /**
   * A person cancelled the job (on this instance or, read with the heartbeat, on another). Also
   * before this instance starts it: a claim in flight when the cancel arrived starts cancelled.
   */
  cancel(id: string): void {
    this.userCancelled.add(id);
    this.cancelled.add(id);
    if (!this.active.has(id)) {
      setTimeout(() => {
        if (!this.active.has(id)) (this.userCancelled.delete(id), this.cancelled.delete(id));
      }, 60_000).unref();
    }
  }
  private userCancelled = new Set<string>();
  /** Jobs another instance took over: this one stops without writing. */
  private lost = new Set<string>();

  /** Keeps the dataset read at upload for this instance's run of the job. */
  keepPrepared(id: string, dataset: Dataset): void {
    this.prepared.set(id, dataset);
    // Another instance may claim it instead: don't keep it for long.
    setTimeout(() => this.prepared.delete(id), 60_000).unref();
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

  /** Runs a claimed job here: reads its stored input, keeps its heartbeat, frees the slot at the end. */
  private launch(job: JobRecord): void {
    const id = job.id;
    const em = new JobEvents();
    em.setMaxListeners(100);
    this.events.set(id, em);
    const heartbeat = setInterval(() => {
      void this.store.heartbeatJob(id, this.runnerId).then(
        (h) => {
          if (h.cancelRequested) this.cancel(id);
          else if (!h.stillMine) (this.lost.add(id), this.cancelled.add(id));
        },
        () => undefined,
      );
    }, this.timing.heartbeatMs);
    heartbeat.unref();
    const run = (async () => {
      const input = await this.store.jobInput(id);
      if (!input) throw ApiError.of(500, 'job.interrupted');
      const baseline = input.baseline as ResolvedPolicyLike;
      const candidate = input.candidate as ResolvedPolicyLike;
      let dataset = this.prepared.get(id);
      this.prepared.delete(id);
      if (!dataset) {
        const facts = [...candidate.ir.facts, ...baseline.ir.facts.filter((f) => !candidate.ir.facts.some((g) => g.name === f.name))];
        dataset = await this.prepareDataset(new Uint8Array(input.bytes), input.format as UploadFormat, facts);
      }
      await this.run(id, dataset, baseline, candidate, input.asOf, em);
    })()
      .catch(async (e: unknown) => {
        await this.store.updateJob(id, { status: 'failed', error: jobFailure(e, id) }).catch(() => undefined);
        em.emit('event', { type: 'end', done: 0, total: job.total, rate: 0, status: 'failed' } satisfies ProgressEvent);
      })
      .finally(() => {
        clearInterval(heartbeat);
        this.active.delete(id);
        this.cancelled.delete(id);
        this.userCancelled.delete(id);
        this.lost.delete(id);
        // Late SSE subscribers read the final state from the store.
        setTimeout(() => this.events.delete(id), 1000).unref();
        // A slot is free: take the next job, if any.
        this.kick();
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
    if (total >= this.timing.sqlThreshold && (await this.runAsSql(id, dataset, baseline, candidate, asOf, em, started))) return;
    const sides = { baseline: emptyCounts(), candidate: emptyCounts() };
    let changed = 0;
    let seq = 0;
    const pool = this.workers();
    const b = pool.register(baseline);
    const c = pool.register(candidate);
    // Tasks in order, each with what maps its results back to lines and records.
    type Sent = { chunk?: LineChunk; records?: DatasetRecord[] };
    const sent: Sent[] = [];
    const cancelled = () => this.cancelled.has(id);
    const step = this.step;
    // The workers count what the impact report needs where they parse the lines anyway.
    const tally = new ReportTally(this.engine, baseline, candidate, asOf);
    const report = { facts: tally.groupFacts };
    const tasks = (function* (): Generator<Task> {
      if (dataset.kind === 'jsonl') {
        for (const chunk of dataset.chunks) {
          if (cancelled()) return;
          sent.push({ chunk });
          yield { op: 'simulate', baseline: b, candidate: c, asOf, lines: chunk.text, report };
        }
      } else {
        for (let i = 0; i < dataset.records.length; i += step) {
          if (cancelled()) return;
          const records = dataset.records.slice(i, i + step);
          sent.push({ records });
          yield { op: 'simulate', baseline: b, candidate: c, asOf, records: records.map((r) => r.facts), report };
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
      if (r.report) tally.addChunk(r.report);
      // Records read here (CSV, XLSX) keep their columns here; the workers saw their facts only.
      if (s.records) for (const rec of s.records) tally.columns(rec.columns);
      const lines = s.chunk && r.changes.length ? s.chunk.text.split('\n') : undefined;
      r.changes.forEach((ch, k) => {
        changed++;
        const line = s.chunk ? s.chunk.firstLine + ch.index : s.records![ch.index]!.line;
        const record = lines ? lineEntry(lines[ch.index] ?? '').facts : s.records![ch.index]!.facts;
        const columns = s.chunk ? r.report?.changeColumns[k] : s.records![ch.index]!.columns;
        changes.push({ seq: seq++, line, record, baseline: ch.baseline, candidate: ch.candidate, ...(columns ? { columns } : {}) });
      });
      done += r.count;
      if (cancelled()) return this.stopped(id, em, done, total, started, changes);
      if (performance.now() - lastWrite >= PROGRESS_MS || changes.length >= 1000) {
        await this.store.updateJob(id, { done, changes });
        changes = [];
        lastWrite = performance.now();
        em.emit('event', { type: 'progress', done, total, rate: rate(done, started, this.clock), status: 'running' } satisfies ProgressEvent);
      }
    }
    if (cancelled()) return this.stopped(id, em, done, total, started, changes);
    if (changes.length) await this.store.updateJob(id, { done, changes });
    const stamp = (p: ResolvedPolicyLike) => ({ policy: p.stamp.id, version: p.stamp.version, hash: p.stamp.hash });
    const result: SimulationResult = {
      engine: 'pool',
      coverage: { baseline: coverageOf(baseline.ir, sides.baseline, total), candidate: coverageOf(candidate.ir, sides.candidate, total) },
      total,
      changed,
      baseline: { ...stamp(baseline), ...sides.baseline },
      candidate: { ...stamp(candidate), ...sides.candidate },
    };
    const status = await this.store.finishJob(id, total, result, tally.finish(total));
    em.emit('event', { type: 'end', done: total, total, rate: rate(total, started, this.clock), status } satisfies ProgressEvent);
  }

  /**
   * A large dataset as one SQL query in DuckDB (engine/sql): the records are written to a
   * temporary JSONL file (row n of it is the dataset's nth record), judged under both versions in
   * one pass, and the changed records paged back into the store with the facts as uploaded.
   * Progress comes from DuckDB's own query progress. False when the SQL stage refuses the
   * policies (a construct it cannot compile exactly): the worker pool runs the job instead.
   */
  private async runAsSql(
    id: string,
    dataset: Dataset,
    baseline: ResolvedPolicyLike,
    candidate: ResolvedPolicyLike,
    asOf: string,
    em: EventEmitter,
    started: number,
  ): Promise<boolean> {
    const { runSqlSimulation, SqlSimulationError } = await import('../engine/sql/node.ts');
    const total = dataset.total;
    const dir = mkdtempSync(join(tmpdir(), 'tiaowen-sql-job-'));
    const abort = new AbortController();
    const watch = setInterval(() => this.cancelled.has(id) && abort.abort(), 200);
    try {
      const file = join(dir, 'records.jsonl');
      const out = createWriteStream(file);
      // Row n (from 1) of the file is the record on line lineOfRow[n - 1]; only the numbers are
      // kept, the facts of a changed record are read again from the upload (few records change).
      const lineOfRow: number[] = [];
      const tally = new ReportTally(this.engine, baseline, candidate, asOf);
      const write = async (line: number, facts: unknown, columns?: Record<string, string>) => {
        lineOfRow.push(line);
        tally.record(facts, columns);
        if (!out.write(JSON.stringify(facts) + '\n')) await once(out, 'drain');
      };
      if (dataset.kind === 'jsonl') {
        for (const chunk of dataset.chunks) {
          const lines = chunk.text.split('\n');
          for (let k = 0; k < lines.length; k++) {
            if (!lines[k]!.trim()) continue;
            const e = lineEntry(lines[k]!);
            await write(chunk.firstLine + k, e.facts, e.columns);
          }
        }
      } else for (const r of dataset.records) await write(r.line, r.facts, r.columns);
      const recordOfRow = (row: number): { facts: Record<string, unknown>; columns?: Record<string, string> } => {
        if (dataset.kind === 'records') return dataset.records[row]!;
        const line = lineOfRow[row]!;
        // The chunk holding the line: the last whose first line is not after it.
        let lo = 0;
        let hi = dataset.chunks.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (dataset.chunks[mid]!.firstLine <= line) lo = mid;
          else hi = mid - 1;
        }
        const chunk = dataset.chunks[lo]!;
        return lineEntry(chunk.text.split('\n')[line - chunk.firstLine] ?? '');
      };
      out.end();
      await once(out, 'finish');
      let lastWrite = 0;
      const r = await runSqlSimulation({
        dataset: { kind: 'file', file },
        baseline: baseline.ir as PolicyIR,
        candidate: candidate.ir as PolicyIR,
        asOf,
        signal: abort.signal,
        tempDirectory: dir,
        memoryLimit: '1GB',
        onProgress: (p) => {
          if (p.phase !== 'judge' || p.fraction === undefined || performance.now() - lastWrite < PROGRESS_MS) return;
          lastWrite = performance.now();
          const done = Math.min(total, Math.round(p.fraction * total));
          void this.store.updateJob(id, { done }).catch(() => undefined);
          em.emit('event', { type: 'progress', done, total, rate: rate(done, started, this.clock), status: 'running' } satisfies ProgressEvent);
        },
      });
      try {
        let seq = 0;
        for await (const page of r.changes(1000)) {
          if (this.cancelled.has(id)) break;
          const changes: JobChange[] = page.map((c) => {
            const e = recordOfRow(c.rid - 1);
            tally.changed(e.facts);
            return { seq: seq++, line: lineOfRow[c.rid - 1]!, record: e.facts, baseline: c.baseline, candidate: c.candidate, ...(e.columns ? { columns: e.columns } : {}) };
          });
          await this.store.updateJob(id, { changes });
        }
        if (this.cancelled.has(id)) {
          await this.stopped(id, em, 0, total, started, []);
          return true;
        }
        const stamp = (p: ResolvedPolicyLike) => ({ policy: p.stamp.id, version: p.stamp.version, hash: p.stamp.hash });
        const result: SimulationResult = {
          engine: 'duckdb',
          coverage: { baseline: r.coverage.baseline, candidate: r.coverage.candidate },
          total,
          changed: r.changed,
          baseline: { ...stamp(baseline), ...r.baseline },
          candidate: { ...stamp(candidate), ...r.candidate },
        };
        const status = await this.store.finishJob(id, total, result, tally.finish(total));
        em.emit('event', { type: 'end', done: total, total, rate: rate(total, started, this.clock), status } satisfies ProgressEvent);
        return true;
      } finally {
        await r.close();
      }
    } catch (e) {
      if (e instanceof SqlSimulationError) return false;
      if (this.cancelled.has(id)) {
        await this.stopped(id, em, 0, total, started, []);
        return true;
      }
      throw e;
    } finally {
      clearInterval(watch);
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * A job stopped before its end: cancelled by a person (what was computed is kept, as it was
   * counted in `done`); handed back at shutdown (queued again for any instance, from the start);
   * or taken over by another instance that thought this one dead (nothing more is written).
   */
  private async stopped(id: string, em: EventEmitter, done: number, total: number, started: number, changes: JobChange[]): Promise<void> {
    if (this.lost.has(id)) return;
    if (this.closed && !this.userCancelled.has(id)) {
      await this.store.releaseJob(id, this.runnerId);
      em.emit('event', { type: 'end', done, total, rate: rate(done, started, this.clock), status: 'queued' } satisfies ProgressEvent);
      return;
    }
    await this.store.updateJob(id, { status: 'cancelled', done, changes });
    em.emit('event', { type: 'end', done, total, rate: rate(done, started, this.clock), status: 'cancelled' } satisfies ProgressEvent);
  }

  /** Stops running jobs at shutdown, handing them back to the queue, then stops the workers. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.unlisten?.();
    await this.kicking;
    for (const id of this.active.keys()) this.cancelled.add(id);
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
 * else as `job.failed` with a reference to quote to an operator. The exception's own text (which
 * may name internal files) goes to the server's log under that reference, never to the caller.
 */
export function jobFailure(e: unknown, jobId = 'job'): ErrorBody['error'] {
  if (e instanceof ApiError) return e.body().error;
  const reference = `${jobId}/${Date.now().toString(36)}`;
  console.error(`[tiaowen] job failed (${reference}):`, e);
  return {
    ...ApiError.of(500, 'job.failed', [{ path: 'job', message: { zh: `错误编号 ${reference}(请告知管理员)`, en: `reference ${reference} (quote it to an administrator)` } }]).body().error,
    requestId: reference,
  };
}

/** Rule coverage from the worker pool's counts (which facts were missing is counted by the SQL path only). */
function coverageOf(ir: { id: string; version: string; rules: { id: string; title: string; then: { kind: string } }[] }, counts: SideCounts, total: number): Coverage {
  const rules = ir.rules.map((r) => {
    const c = counts.byRule[r.id] ?? { fired: 0, undetermined: 0, suppressed: 0 };
    return {
      rule: r.id,
      title: r.title,
      kind: r.then.kind,
      fired: c.fired,
      undetermined: c.undetermined,
      suppressed: c.suppressed,
      notFired: total - c.fired - c.undetermined - c.suppressed,
      // The pool counts verdicts only; which facts were missing is counted on the SQL path.
      missing: [],
      reasons: [],
    };
  });
  return { policy: ir.id, version: ir.version, records: total, rules, neverFired: rules.filter((r) => r.fired === 0).map((r) => r.rule) };
}
