/**
 * The worker side of the pool: holds compiled policies by hash and runs tasks on chunks of
 * records. Records arrive as JSON lines (one string is cheap to pass between threads) or as
 * values. Node-only.
 */
import { parentPort } from 'node:worker_threads';
import { compilePolicy, type CompiledPolicy } from '../compiled/index.ts';
import type { ResolvedPolicy } from '../library/library.ts';
import { simulateChunk } from './simulate.ts';
import type { ToWorker, FromWorker, TaskResult } from './protocol.ts';

const policies = new Map<string, CompiledPolicy>();

function recordsOf(task: { lines?: string; records?: unknown[] }): unknown[] {
  if (task.records) return task.records;
  const text = task.lines ?? '';
  const out: unknown[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end > start) out.push(JSON.parse(text.slice(start, end)));
    start = end + 1;
  }
  return out;
}

function compiled(hash: string): CompiledPolicy {
  const c = policies.get(hash);
  if (!c) throw new Error(`engine bug: policy ${hash} was not sent to the worker`);
  return c;
}

parentPort!.on('message', (m: ToWorker) => {
  if (m.type === 'policy') {
    if (!policies.has(m.policy.stamp.hash)) policies.set(m.policy.stamp.hash, compilePolicy(m.policy as ResolvedPolicy));
    return;
  }
  let reply: FromWorker;
  try {
    const records = recordsOf(m.task);
    let result: TaskResult;
    if (m.task.op === 'decide') {
      const p = compiled(m.task.policy);
      const asOf = m.task.asOf;
      result = { op: 'decide', decisions: records.map((r) => p.decide(r, { asOf })) };
    } else {
      const a = compiled(m.task.baseline);
      const b = compiled(m.task.candidate);
      const asOf = m.task.asOf;
      result = { op: 'simulate', ...simulateChunk(records, (r) => a.decide(r, { asOf }), (r) => b.decide(r, { asOf })), count: records.length };
    }
    reply = { id: m.id, ok: true, result };
  } catch (e) {
    reply = { id: m.id, ok: false, error: String((e as Error).stack ?? e) };
  }
  parentPort!.postMessage(reply);
});
