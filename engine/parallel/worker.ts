/**
 * The worker side of the pool: holds compiled policies by hash and runs tasks on chunks of
 * records. Records arrive as JSON lines (one string is cheap to pass between threads, and parsing
 * happens here, off the sender's thread) or as values. Node-only.
 */
import { parentPort } from 'node:worker_threads';
import { compilePolicy, type CompiledPolicy } from '../compiled/index.ts';
import type { ResolvedPolicy } from '../library/library.ts';
import { simulateCompactChunk } from './simulate.ts';
import { decisionTexts, expandedJson, leanDecision, type DecisionTexts } from '../evaluate/lean.ts';
import type { BatchLineResult, ChunkReport, ToWorker, FromWorker, TaskResult } from './protocol.ts';
import { maskFacts } from '../privacy/mask.ts';

const policies = new Map<string, CompiledPolicy>();
const textsByPolicy = new Map<string, DecisionTexts>();

/** A line's facts: the object itself, or its `facts` member for batch-style lines. */
function factsOf(v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
  const f = (v as { facts?: unknown }).facts;
  return 'facts' in v && typeof f === 'object' ? f : v;
}

/** Non-blank lines of a chunk: their offsets (blank lines counted) and their text. */
function eachLine(text: string, fn: (line: string, offset: number) => void): void {
  let start = 0;
  let offset = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    if (line.trim() !== '') fn(line, offset);
    start = end + 1;
    offset++;
  }
}

/** Records of a task, and for `lines` the offset of each record's line within the chunk. */
function recordsOf(task: { lines?: string; records?: unknown[] }, keepRaw = false): { records: unknown[]; at?: number[]; raw?: unknown[] } {
  if (task.records) return { records: task.records };
  const records: unknown[] = [];
  const at: number[] = [];
  const raw: unknown[] | undefined = keepRaw ? [] : undefined;
  eachLine(task.lines ?? '', (line, offset) => {
    const v = JSON.parse(line) as unknown;
    records.push(factsOf(v));
    raw?.push(v);
    at.push(offset);
  });
  return { records, at, raw };
}

/** A kept column's cell as a group's name: as server/upload.ts bounds them. */
const KEPT_MAX = 20;
const KEPT_CELL_MAX = 100;

function keptColumns(raw: unknown): Record<string, string> | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const cols = (raw as { columns?: unknown }).columns;
  if (!cols || typeof cols !== 'object' || Array.isArray(cols)) return undefined;
  let out: Record<string, string> | undefined;
  let n = 0;
  for (const [k, v] of Object.entries(cols)) {
    if (n >= KEPT_MAX) break;
    if (v === null || typeof v === 'object') continue;
    const text = String(v).trim().slice(0, KEPT_CELL_MAX);
    if (text === '') continue;
    (out ??= {})[k.slice(0, KEPT_CELL_MAX)] = text;
    n++;
  }
  return out;
}

/** A money amount as the engine writes it ("1234.50") in fen, exactly. */
function fenOf(yuan: string): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(yuan);
  if (!m) return 0;
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -fen : fen;
}

/** The impact report's counts of one chunk (protocol.ts ReportAsk). */
function chunkReport(
  facts: readonly string[],
  records: readonly unknown[],
  raw: readonly unknown[] | undefined,
  changes: readonly { index: number }[],
  sides: readonly [CompiledPolicy, CompiledPolicy],
  asOf: string,
): ChunkReport {
  const out: ChunkReport = { facts: {}, columns: {}, changeColumns: [], amounts: {} };
  const inc = (into: Record<string, Record<string, number>>, name: string, value: string) => {
    const m = (into[name] ??= {});
    m[value] = (m[value] ?? 0) + 1;
  };
  const kept = raw?.map(keptColumns);
  records.forEach((r, i) => {
    if (r && typeof r === 'object') {
      for (const name of facts) {
        const v = (r as Record<string, unknown>)[name];
        if (v !== undefined && v !== null && typeof v !== 'object') inc(out.facts, name, String(v));
      }
    }
    const cols = kept?.[i];
    if (cols) for (const [k, v] of Object.entries(cols)) inc(out.columns, k, v);
  });
  for (const ch of changes) {
    out.changeColumns.push(kept?.[ch.index]);
    sides.forEach((p, side) => {
      let d;
      try {
        d = p.decide(records[ch.index], { asOf });
      } catch {
        return; // facts this side cannot read compute nothing
      }
      for (const o of d.outcomes) {
        for (const [name, c] of Object.entries(o.computed ?? {})) {
          if (c.result.type !== 'money') continue;
          const t = (out.amounts[name] ??= { label: c.label ?? name, ...(c.labelEn ? { labelEn: c.labelEn } : {}), baselineFen: 0, candidateFen: 0 });
          if (side === 0) t.baselineFen += fenOf(c.result.yuan);
          else t.candidateFen += fenOf(c.result.yuan);
        }
      }
    });
  }
  return out;
}

function compiled(hash: string): CompiledPolicy {
  const c = policies.get(hash);
  if (!c) throw new Error(`engine bug: policy ${hash} was not sent to the worker`);
  return c;
}

function run(task: Extract<ToWorker, { type: 'task' }>['task']): TaskResult {
  if (task.op === 'check') {
    let count = 0;
    const errors: { index: number; message: string }[] = [];
    eachLine(task.lines, (line, offset) => {
      try {
        factsOf(JSON.parse(line));
        count++;
      } catch (e) {
        errors.push({ index: offset, message: (e as Error).message });
      }
    });
    return { op: 'check', count, errors };
  }
  if (task.op === 'batch') return batch(task);
  const { records, at, raw } = recordsOf(task, task.op === 'simulate' && task.report !== undefined);
  const asOf = task.asOf;
  if (task.op === 'decide') {
    const p = compiled(task.policy);
    return { op: 'decide', decisions: records.map((r) => p.decide(r, { asOf })) };
  }
  const a = compiled(task.baseline);
  const b = compiled(task.candidate);
  const sim = simulateCompactChunk(records, a, b, asOf);
  // Counted before indexes become line offsets: chunkReport reads records by their index.
  const report = task.report ? chunkReport(task.report.facts, records, raw, sim.changes, [a, b], asOf) : undefined;
  if (at) for (const c of sim.changes) c.index = at[c.index]!;
  return { op: 'simulate', ...sim, count: records.length, ...(report ? { report } : {}) };
}

/** A batch line this worker may decide: `{"facts": {...}}`, with an `id` at most. */
function plainBatchLine(v: unknown): v is { facts: object; id?: unknown } {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  for (const k in v) if (k !== 'facts' && k !== 'id') return false;
  const f = (v as { facts?: unknown }).facts;
  return typeof f === 'object' && f !== null && !Array.isArray(f);
}

function batch(task: Extract<ToWorker, { type: 'task' }>['task'] & { op: 'batch' }): TaskResult {
  const p = compiled(task.policy);
  let texts = textsByPolicy.get(task.policy);
  if (!texts) textsByPolicy.set(task.policy, (texts = decisionTexts(p.policy)));
  const results: BatchLineResult[] = [];
  const opts = { asOf: task.asOf };
  // Whole decisions (full): written as UTF-8 into one buffer; each line keeps its byte range.
  const full = task.full ? new Utf8Sink() : undefined;
  eachLine(task.lines, (line, at) => {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      results.push({ at, defer: true });
      return;
    }
    if (!plainBatchLine(v)) {
      results.push({ at, defer: true });
      return;
    }
    const d = p.decide(v.facts, opts);
    const lean = d.status === 'ok' ? leanDecision(d, texts) : undefined;
    if (!lean) {
      results.push({ at, defer: true });
      return;
    }
    // Masked here, so masking keeps the batch on the workers (engine/privacy/mask.ts).
    const m = task.mask ? maskFacts(v.facts, task.mask) : undefined;
    const r: BatchLineResult = { at, facts: JSON.stringify(m ? m.facts : v.facts), lean: JSON.stringify(lean) };
    if (m?.masked.length) r.masked = m.masked;
    if (m?.subjectKey !== undefined) r.subjectKey = m.subjectKey;
    if ('id' in v) r.id = v.id;
    if (full) r.decision = full.write(expandedJson(lean, texts));
    results.push(r);
  });
  if (!full) return { op: 'batch', texts: texts.id, results };
  return { op: 'batch', texts: texts.id, results, decisions: full.bytes() };
}

/**
 * Strings written one after another as UTF-8 into one growing buffer of its own (not Node's shared
 * pool), so it can be moved to another thread. One pass per string: measuring the byte length and
 * then encoding the joined text cost about twice as much.
 */
class Utf8Sink {
  private buf = Buffer.allocUnsafeSlow(1 << 16);
  private length = 0;

  /** Appends `s`; returns its byte range [start, end). */
  write(s: string): [start: number, end: number] {
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    if (this.buf.length - this.length < s.length * 3) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.length + s.length * 3));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    const start = this.length;
    this.length += this.buf.write(s, start, 'utf8');
    return [start, this.length];
  }

  /** What was written (a view of the buffer; the buffer itself is what moves). */
  bytes(): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.length);
  }
}

parentPort!.on('message', (m: ToWorker) => {
  if (m.type === 'policy') {
    if (!policies.has(m.policy.stamp.hash)) policies.set(m.policy.stamp.hash, compilePolicy(m.policy as ResolvedPolicy));
    return;
  }
  let reply: FromWorker;
  try {
    reply = { id: m.id, ok: true, result: run(m.task) };
  } catch (e) {
    reply = { id: m.id, ok: false, error: String((e as Error).stack ?? e) };
  }
  // A batch's encoded decisions move to the sender instead of being copied.
  const r = reply.ok ? reply.result : undefined;
  parentPort!.postMessage(reply, r?.op === 'batch' && r.decisions ? [r.decisions.buffer as ArrayBuffer] : []);
});
