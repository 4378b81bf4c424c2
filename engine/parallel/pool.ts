/**
 * A pool of worker threads that decide chunks of records with compiled policies. `ordered` runs a
 * stream of tasks with a bounded number in flight and yields results in the order the tasks came,
 * so a caller streaming records through it holds at most `maxInFlight` chunks at a time: memory is
 * constant in the number of records. Node-only.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { bundledWorker } from './bundle.ts';
import type { ResolvedPolicy } from '../library/library.ts';
import type { FromWorker, Task, TaskResult, ToWorker } from './protocol.ts';

export type { Task, TaskResult } from './protocol.ts';

interface Slot {
  worker: Worker;
  busy: number;
  policies: Set<string>;
}

export interface PoolOptions {
  /** Worker threads; default: the machine's cores. */
  size?: number;
}

export class WorkerPool {
  private readonly slots: Slot[];
  private readonly pending = new Map<number, { resolve: (r: TaskResult) => void; reject: (e: Error) => void }>();
  private readonly policies = new Map<string, ResolvedPolicy>();
  private nextId = 1;
  private closed = false;

  constructor(opts: PoolOptions = {}) {
    const size = Math.max(1, opts.size ?? availableParallelism());
    // Workers run one plain-JS bundle of worker.ts (built once, cached on disk): no TypeScript
    // loader in each thread means less memory and a faster start. Without esbuild, they load the
    // sources through tsx (`--import tsx` in execArgv does not reach worker threads on Node 20).
    // A build (dist/, this file is .js) runs its compiled worker.js as is.
    const url = import.meta.url.endsWith('.js') ? new URL('./worker.js', import.meta.url) : (bundledWorker() ?? new URL('./worker-entry.mjs', import.meta.url));
    this.slots = Array.from({ length: size }, () => {
      const worker = new Worker(url);
      worker.on('message', (m: FromWorker) => this.settle(m, slot));
      worker.on('error', (e) => this.failAll(e));
      worker.unref();
      const slot: Slot = { worker, busy: 0, policies: new Set() };
      return slot;
    });
  }

  get size(): number {
    return this.slots.length;
  }

  /** Makes a policy known to the pool; tasks name it by `policy.stamp.hash`. */
  register(policy: ResolvedPolicy): string {
    // Only the plain data crosses to the workers; they compile it once each.
    this.policies.set(policy.stamp.hash, { stamp: policy.stamp, ir: policy.ir, chain: policy.chain, ruleOrigin: policy.ruleOrigin });
    return policy.stamp.hash;
  }

  /** Runs one task on the least busy worker. */
  run(task: Task): Promise<TaskResult> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    for (const hash of task.op === 'decide' || task.op === 'batch' ? [task.policy] : task.op === 'simulate' ? [task.baseline, task.candidate] : []) {
      if (slot.policies.has(hash)) continue;
      const policy = this.policies.get(hash);
      if (!policy) return Promise.reject(new Error(`policy ${hash} is not registered with the pool`));
      slot.worker.postMessage({ type: 'policy', policy } satisfies ToWorker);
      slot.policies.add(hash);
    }
    const id = this.nextId++;
    slot.busy++;
    if (slot.busy === 1) slot.worker.ref();
    return new Promise<TaskResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ type: 'task', id, task } satisfies ToWorker);
    });
  }

  /**
   * Runs a stream of tasks, at most `maxInFlight` at once (default: two per worker, so a worker
   * never waits for the next chunk), yielding results in task order.
   */
  async *ordered(tasks: Iterable<Task> | AsyncIterable<Task>, maxInFlight = this.slots.length * 2): AsyncGenerator<TaskResult> {
    const inFlight: Promise<TaskResult>[] = [];
    for await (const t of tasks) {
      const p = this.run(t);
      p.catch(() => undefined); // surfaced when awaited in order below
      inFlight.push(p);
      if (inFlight.length >= maxInFlight) yield await inFlight.shift()!;
    }
    while (inFlight.length) yield await inFlight.shift()!;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.failAll(new Error('worker pool closed'));
  }

  private settle(m: FromWorker, slot: Slot): void {
    slot.busy--;
    if (slot.busy === 0) slot.worker.unref();
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(m.error));
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
