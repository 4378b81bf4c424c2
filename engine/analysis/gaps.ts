/**
 * Gaps: records, with every fact the given rules read known (a list: each record's fields too),
 * on which none of them fires. A
 * policy declares such a set with `complete r1, r2 because "…"` (IR `complete`); `analyzePolicy`
 * (and so `tiaowen check`) asks this for each declaration.
 */
import type { PolicyIR } from '../ir/types.ts';
import { parseDate } from '../values/index.ts';
import { DEFAULT_LIST_BOUND, DEFAULT_TIMEOUT_MS, finalStatuses } from './analyze.ts';
import { Encoder, World } from './encode.ts';
import { replay } from './replay.ts';
import { checkSat, queryBudget, solverContext, type CheckResult } from './solver.ts';
import type { Counterexample } from './types.ts';
import { conditionReads } from './usage.ts';

export type GapResult =
  | { status: 'gap'; counterexample: Counterexample }
  | { status: 'complete' }
  | { status: 'unknown'; reason: string }
  /** No gap with lists of up to `listBound` records; longer lists not proved. */
  | { status: 'not-proved' };

export async function findGap(
  ir: PolicyIR,
  rules: readonly string[],
  opts: { periodEnd?: string; timeoutMs?: number; listBound?: number; deadline?: number; signal?: AbortSignal } = {},
): Promise<GapResult> {
  const z = await solverContext();
  const chosen = ir.rules.filter((r) => rules.includes(r.id));
  const facts = new Set<string>();
  let lists = false;
  for (const r of chosen) {
    const reads = conditionReads(ir, r);
    reads.facts.forEach((f) => facts.add(f));
    if (reads.approximations.has('list-bound')) lists = true;
  }
  const from = parseDate(ir.effectiveFrom)!;
  const untilText = ir.effectiveUntil ?? opts.periodEnd;
  const until = untilText !== undefined ? parseDate(untilText)! : from + Math.round(50 * 365.25);
  const ask = async (mode: 'bounded' | 'abstract') => {
    const w = new World(z, opts.listBound ?? DEFAULT_LIST_BOUND, mode);
    const enc = new Encoder(ir, w);
    const finals = finalStatuses(z, enc, ir);
    const known = ir.facts.filter((f) => facts.has(f.name)).map((f) => w.given(f));
    const goal = z.And(...known, ...chosen.map((r) => z.Not(finals.get(r.id)!.fired)));
    const period = [w.asOf.ge(w.real(from)), w.asOf.le(w.real(until))];
    const budget = queryBudget(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, opts.deadline, opts.signal);
    const r: CheckResult = budget <= 0 ? { status: 'unknown', reason: 'timeout' } : await checkSat(z, [...w.constraints, ...w.relevant(goal), ...period, goal], budget);
    return { w, r };
  };
  const { w, r } = await ask('bounded');
  if (r.status === 'sat') {
    const counterexample = w.counterexample(r.model);
    const fired = new Set(replay(ir, counterexample).outcomes.map((o) => o.ruleId));
    return chosen.some((x) => fired.has(x.id)) ? { status: 'not-proved' } : { status: 'gap', counterexample };
  }
  if (r.status === 'unknown') return { status: 'unknown', reason: r.reason };
  if (!lists) return { status: 'complete' };
  const a = await ask('abstract');
  if (a.r.status === 'unsat') return { status: 'complete' };
  return a.r.status === 'unknown' ? { status: 'unknown', reason: a.r.reason } : { status: 'not-proved' };
}
