/**
 * Simulation jobs: a dataset evaluated under a baseline and a candidate, in the background.
 * Progress is written to SQLite in steps and pushed to SSE listeners; cancel stops at the next
 * step; the result holds counts per outcome and per rule under each side, and the records whose
 * outcome changed are stored for paging and download. Simulated decisions are hypothetical and
 * are not written to the decision log.
 */
import { EventEmitter } from 'node:events';
import type { Decision } from '../engine/evaluate/types.ts';
import type { EnginePort, ResolvedPolicyLike } from './engine.ts';
import type { Clock, JobChange, JobStatus, Store } from './store/store.ts';
import type { DatasetRecord } from './upload.ts';

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

export interface RecordOutcome {
  status: Decision['status'];
  fired: string[];
  undetermined: string[];
  kinds: string[];
}

export interface ProgressEvent {
  type: 'progress' | 'end';
  done: number;
  total: number;
  /** Records per second so far. */
  rate: number;
  status: JobStatus;
}

export function outcomeOf(d: Decision): RecordOutcome {
  return {
    status: d.status,
    fired: d.outcomes.map((o) => o.ruleId).sort(),
    undetermined: d.undetermined.map((u) => u.ruleId).sort(),
    kinds: [...new Set(d.outcomes.map((o) => o.kind))].sort(),
  };
}

function count(side: SideCounts, d: Decision): void {
  const inc = (k: string) => (side.byOutcome[k] = (side.byOutcome[k] ?? 0) + 1);
  const rule = (id: string) => (side.byRule[id] ??= { fired: 0, undetermined: 0, suppressed: 0 });
  if (d.status === 'invalid-facts') return void inc('invalid-facts');
  const o = outcomeOf(d);
  if (o.kinds.length) o.kinds.forEach(inc);
  else if (o.undetermined.length) inc('undetermined');
  else inc('none');
  for (const id of o.fired) rule(id).fired++;
  for (const id of o.undetermined) rule(id).undetermined++;
  for (const s of d.suppressed) rule(s.ruleId).suppressed++;
}

export class JobRunner {
  private events = new Map<string, EventEmitter>();
  private cancelled = new Set<string>();
  private active = new Map<string, Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly engine: EnginePort,
    private readonly clock: Clock,
    /** Records between progress writes and yields to the event loop. */
    private readonly step = 200,
  ) {}

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

  start(id: string, records: DatasetRecord[], baseline: ResolvedPolicyLike, candidate: ResolvedPolicyLike, asOf: string): void {
    const em = new EventEmitter();
    em.setMaxListeners(100);
    this.events.set(id, em);
    const run = this.run(id, records, baseline, candidate, asOf, em)
      .catch(async (e: unknown) => {
        await this.store.updateJob(id, { status: 'failed', error: { code: 'job.failed', message: String((e as Error).message ?? e) } }).catch(() => undefined);
        em.emit('event', { type: 'end', done: 0, total: records.length, rate: 0, status: 'failed' } satisfies ProgressEvent);
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
    records: DatasetRecord[],
    baseline: ResolvedPolicyLike,
    candidate: ResolvedPolicyLike,
    asOf: string,
    em: EventEmitter,
  ): Promise<void> {
    const started = this.clock.now().getTime();
    const total = records.length;
    const sides = { baseline: { byOutcome: {}, byRule: {} } as SideCounts, candidate: { byOutcome: {}, byRule: {} } as SideCounts };
    let changed = 0;
    let seq = 0;
    await this.store.updateJob(id, { status: 'running' });
    for (let i = 0; i < total; i += this.step) {
      if (this.cancelled.has(id)) {
        await this.store.updateJob(id, { status: 'cancelled', done: i });
        em.emit('event', { type: 'end', done: i, total, rate: rate(i, started, this.clock), status: 'cancelled' } satisfies ProgressEvent);
        return;
      }
      const changes: JobChange[] = [];
      for (const rec of records.slice(i, i + this.step)) {
        const a = this.engine.evaluateSync(baseline, rec.facts, { asOf });
        const b = this.engine.evaluateSync(candidate, rec.facts, { asOf });
        count(sides.baseline, a);
        count(sides.candidate, b);
        const oa = outcomeOf(a);
        const ob = outcomeOf(b);
        if (JSON.stringify(oa) !== JSON.stringify(ob)) {
          changed++;
          changes.push({ seq: seq++, line: rec.line, record: rec.facts, baseline: oa, candidate: ob });
        }
      }
      const done = Math.min(total, i + this.step);
      await this.store.updateJob(id, { done, changes });
      em.emit('event', { type: 'progress', done, total, rate: rate(done, started, this.clock), status: 'running' } satisfies ProgressEvent);
      // Let requests in between steps: the machine has few cores and the API must stay responsive.
      await new Promise((r) => setImmediate(r));
    }
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

  /** Waits for running jobs to stop (after cancelling them) at shutdown. */
  async close(): Promise<void> {
    for (const id of this.active.keys()) this.cancel(id);
    await Promise.allSettled([...this.active.values()]);
  }
}

function rate(done: number, started: number, clock: Clock): number {
  const secs = Math.max(0.001, (clock.now().getTime() - started) / 1000);
  return Math.round((done / secs) * 10) / 10;
}
