/**
 * What a simulation keeps of each decision: counts per outcome kind and per rule on each side,
 * and, for records whose outcome changed, both outcomes. The same tallies as server/jobs.ts, so a
 * job's result reads the same whichever path computed it.
 */
import type { Decision } from '../evaluate/types.ts';

export interface SideCounts {
  /** Records by outcome kind fired (a record counts once per kind), plus `none`, `undetermined`, `invalid-facts`. */
  byOutcome: Record<string, number>;
  byRule: Record<string, { fired: number; undetermined: number; suppressed: number }>;
}

export interface RecordOutcome {
  status: Decision['status'];
  fired: string[];
  undetermined: string[];
  kinds: string[];
}

export interface ChunkSimulation {
  baseline: SideCounts;
  candidate: SideCounts;
  /** Records (by index within the chunk) whose outcome differs between the two sides. */
  changes: { index: number; baseline: RecordOutcome; candidate: RecordOutcome }[];
}

export function emptyCounts(): SideCounts {
  return { byOutcome: {}, byRule: {} };
}

export function outcomeOf(d: Decision): RecordOutcome {
  return {
    status: d.status,
    fired: d.outcomes.map((o) => o.ruleId).sort(),
    undetermined: d.undetermined.map((u) => u.ruleId).sort(),
    kinds: [...new Set(d.outcomes.map((o) => o.kind))].sort(),
  };
}

export function countDecision(side: SideCounts, d: Decision, o: RecordOutcome = outcomeOf(d)): void {
  const inc = (k: string) => (side.byOutcome[k] = (side.byOutcome[k] ?? 0) + 1);
  const rule = (id: string) => (side.byRule[id] ??= { fired: 0, undetermined: 0, suppressed: 0 });
  if (d.status === 'invalid-facts') return void inc('invalid-facts');
  if (o.kinds.length) o.kinds.forEach(inc);
  else if (o.undetermined.length) inc('undetermined');
  else inc('none');
  for (const id of o.fired) rule(id).fired++;
  for (const id of o.undetermined) rule(id).undetermined++;
  for (const s of d.suppressed) rule(s.ruleId).suppressed++;
}

/** Adds `b`'s counts into `a`. */
export function addCounts(a: SideCounts, b: SideCounts): void {
  for (const [k, n] of Object.entries(b.byOutcome)) a.byOutcome[k] = (a.byOutcome[k] ?? 0) + n;
  for (const [id, r] of Object.entries(b.byRule)) {
    const t = (a.byRule[id] ??= { fired: 0, undetermined: 0, suppressed: 0 });
    t.fired += r.fired;
    t.undetermined += r.undetermined;
    t.suppressed += r.suppressed;
  }
}

function sameOutcome(a: RecordOutcome, b: RecordOutcome): boolean {
  const eq = (x: string[], y: string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return a.status === b.status && eq(a.fired, b.fired) && eq(a.undetermined, b.undetermined) && eq(a.kinds, b.kinds);
}

/** Simulates one chunk of records with two deciders (baseline, candidate). */
export function simulateChunk(records: readonly unknown[], baseline: (facts: unknown) => Decision, candidate: (facts: unknown) => Decision): ChunkSimulation {
  const out: ChunkSimulation = { baseline: emptyCounts(), candidate: emptyCounts(), changes: [] };
  records.forEach((facts, index) => {
    const a = baseline(facts);
    const b = candidate(facts);
    const oa = outcomeOf(a);
    const ob = outcomeOf(b);
    countDecision(out.baseline, a, oa);
    countDecision(out.candidate, b, ob);
    if (!sameOutcome(oa, ob)) out.changes.push({ index, baseline: oa, candidate: ob });
  });
  return out;
}

/** What a compiled policy offers for counting without building decisions (engine/compiled). */
export interface CompactDecider {
  readonly rules: readonly { id: string; kind: string }[];
  /**
   * `reuse`: one fresh object per record, shared by both sides (the generated evaluators of
   * engine/compiled ignore it: each reads a record in one pass into its own slots). `into`: a
   * buffer the codes are written to, read before the next call.
   */
  decideCompact(facts: unknown, opts: { asOf: string }, reuse?: object, into?: Uint8Array): { status: 'ok' | 'invalid-facts'; codes: Uint8Array };
}

const INVALID: RecordOutcome = Object.freeze({ status: 'invalid-facts', fired: [], undetermined: [], kinds: [] }) as unknown as RecordOutcome;

/** Outcomes from verdict codes: rule ids visited in id order so the lists come out sorted, as outcomeOf's. */
function compactSide(p: CompactDecider) {
  const order = p.rules.map((_, i) => i).sort((a, b) => (p.rules[a]!.id < p.rules[b]!.id ? -1 : p.rules[a]!.id > p.rules[b]!.id ? 1 : 0));
  const kindsSorted = [...new Set(p.rules.map((r) => r.kind))].sort();
  const kindBit = new Map(kindsSorted.map((k, i) => [k, i]));
  const bitOf = p.rules.map((r) => kindBit.get(r.kind)!);
  const kindsByMask = new Map<number, string[]>();
  const n = p.rules.length;
  const fired = new Int32Array(n);
  const undetermined = new Int32Array(n);
  const suppressed = new Int32Array(n);
  const byOutcome: Record<string, number> = {};
  const inc = (k: string) => (byOutcome[k] = (byOutcome[k] ?? 0) + 1);
  return {
    outcome(d: { status: 'ok' | 'invalid-facts'; codes: Uint8Array }): RecordOutcome {
      if (d.status === 'invalid-facts') {
        inc('invalid-facts');
        return INVALID;
      }
      const f: string[] = [];
      const u: string[] = [];
      let mask = 0;
      for (const i of order) {
        const c = d.codes[i];
        if (c === 1) {
          f.push(p.rules[i]!.id);
          fired[i]!++;
          mask |= 1 << bitOf[i]!;
        } else if (c === 2) {
          u.push(p.rules[i]!.id);
          undetermined[i]!++;
        } else if (c === 3) suppressed[i]!++;
      }
      let kinds = kindsByMask.get(mask);
      if (!kinds) kindsByMask.set(mask, (kinds = kindsSorted.filter((_, b) => mask & (1 << b))));
      if (kinds.length) kinds.forEach(inc);
      else if (u.length) inc('undetermined');
      else inc('none');
      return { status: 'ok', fired: f, undetermined: u, kinds };
    },
    counts(): SideCounts {
      const byRule: SideCounts['byRule'] = {};
      // Rules in decision order (key order may differ from countDecision's; the counts are the same).
      for (let i = 0; i < n; i++) {
        if (fired[i] || undetermined[i] || suppressed[i]) byRule[p.rules[i]!.id] = { fired: fired[i]!, undetermined: undetermined[i]!, suppressed: suppressed[i]! };
      }
      return { byOutcome, byRule };
    },
  };
}

/**
 * `simulateChunk` on verdict codes only: the same counts and changes, without building decisions.
 * `onCodes` sees each side's codes of each record (side 0 baseline, 1 candidate) before they are
 * overwritten: what a caller needs for per-rule coverage without deciding twice.
 */
export function simulateCompactChunk(
  records: readonly unknown[],
  baseline: CompactDecider,
  candidate: CompactDecider,
  asOf: string,
  onCodes?: (index: number, side: 0 | 1, d: { status: 'ok' | 'invalid-facts'; codes: Uint8Array }) => void,
): ChunkSimulation {
  const a = compactSide(baseline);
  const b = compactSide(candidate);
  const opts = { asOf };
  const changes: ChunkSimulation['changes'] = [];
  // Each side's codes are turned into its outcome before that side decides again.
  const codesA = new Uint8Array(baseline.rules.length);
  const codesB = new Uint8Array(candidate.rules.length);
  for (let index = 0; index < records.length; index++) {
    const facts = records[index];
    const reuse = {};
    const da = baseline.decideCompact(facts, opts, reuse, codesA);
    onCodes?.(index, 0, da);
    const oa = a.outcome(da);
    const db = candidate.decideCompact(facts, opts, reuse, codesB);
    onCodes?.(index, 1, db);
    const ob = b.outcome(db);
    if (!sameOutcome(oa, ob)) changes.push({ index, baseline: oa, candidate: ob });
  }
  return { baseline: a.counts(), candidate: b.counts(), changes };
}
