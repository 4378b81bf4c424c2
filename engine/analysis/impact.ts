/**
 * Change impact between two versions: for each rule, whether some fact set gets a different
 * verdict (fired / not-fired / undetermined / suppressed, or a rule only one version has that
 * fires) under the two versions on the same as-of date, with a witness record the interpreter
 * confirms; or a proof that none does. Both versions are encoded against one world, so a fact of
 * the same name and type is the same variable in both.
 */
import type { PolicyIR, RuleIR } from '../ir/types.ts';
import { printExpr } from '../ir/print.ts';
import { canonicalJson } from '../ir/hash.ts';
import { parseDate } from '../values/index.ts';
import { finalStatuses, type FinalSym } from './analyze.ts';
import { replay } from './replay.ts';
import { Encoder, Unsupported, World } from './encode.ts';
import { checkSat, solverContext, type B, type Z3 } from './solver.ts';
import type { Approximation, Counterexample, ImpactItem, ImpactReport, RuleStatus } from './types.ts';
import { conditionReads } from './usage.ts';
import { regionOf } from './region.ts';
import { DEFAULT_LIST_BOUND, DEFAULT_TIMEOUT_MS } from './analyze.ts';
import type { Decision } from '../evaluate/types.ts';

/** Per query while working out a region. */
const REGION_TIMEOUT_MS = 1500;

export interface ImpactOptions {
  /** Compare on this date only; default: any day from `after`'s first day to `periodEnd` (or 50 years on). */
  asOf?: string;
  periodEnd?: string;
  timeoutMs?: number;
  listBound?: number;
  /** Work out each changed rule's region fact by fact (default true; a few solver calls per fact). */
  regions?: boolean;
  /** How whole-number bounds are found: Z3's optimiser with a search as fallback (default), or the search alone (tests compare the two). */
  regionBounds?: 'optimize' | 'search';
}

/** A rule's status in a decision. */
function statusIn(d: Decision, rule: string): RuleStatus | 'absent' {
  if (d.outcomes.some((o) => o.ruleId === rule)) return 'fired';
  if (d.notFired.includes(rule)) return 'not-fired';
  if (d.undetermined.some((u) => u.ruleId === rule)) return 'undetermined';
  if (d.suppressed.some((s) => s.ruleId === rule)) return 'suppressed';
  return 'absent';
}

const STATUSES: readonly RuleStatus[] = ['fired', 'not-fired', 'undetermined', 'suppressed'];
const symOf = (f: FinalSym, s: RuleStatus): B => (s === 'fired' ? f.fired : s === 'not-fired' ? f.notFired : s === 'undetermined' ? f.undetermined : f.suppressed);

interface Side {
  enc: Encoder;
  finals: Map<string, FinalSym>;
}

/** The verdict of `rule` differs between the two sides (a rule one side lacks counts when it fires). */
function differs(z: Z3, a: Side, b: Side, rule: string): B {
  const fa = a.finals.get(rule);
  const fb = b.finals.get(rule);
  if (fa && fb) return z.Or(...STATUSES.map((s) => z.And(symOf(fa, s), z.Not(symOf(fb, s)))));
  if (fa) return fa.fired;
  if (fb) return fb.fired;
  return z.Bool.val(false);
}

/** Pretty text of a rule's condition, for describing where the verdict changes. */
function conditionText(rule: RuleIR | undefined): string | undefined {
  return rule ? printExpr(rule.when) : undefined;
}

/**
 * Everything a rule's status is decided from: its condition and lets, the declarations of the
 * facts, parameters (with their dated values) and definitions the condition reads, and the same
 * of the rules that are exceptions to it. Equal on both sides, the status cannot differ, with no
 * solver (a list rule would otherwise be "not proved for longer lists" even against itself).
 */
function statusFingerprint(ir: PolicyIR, id: string, seen: Set<string> = new Set()): string | undefined {
  const rule = ir.rules.find((r) => r.id === id);
  if (!rule) return undefined;
  if (seen.has(id)) return `cycle:${id}`;
  seen.add(id);
  const reads = conditionReads(ir, rule);
  const pick = <T extends { name: string }>(xs: readonly T[], names: ReadonlySet<string>) => xs.filter((x) => names.has(x.name)).sort((a, b) => a.name.localeCompare(b.name));
  const exceptions = ir.rules
    .filter((r) => r.exceptionTo === id)
    .map((r) => statusFingerprint(ir, r.id, seen))
    .sort();
  return canonicalJson({
    when: rule.when,
    lets: rule.lets,
    facts: pick(ir.facts, reads.facts),
    params: pick(ir.parameters, reads.params),
    defs: pick(ir.definitions, reads.defs),
    exceptions,
  });
}

export interface ImpactReportWithText extends ImpactReport {
  /** For each changed rule, its condition before and after (absent when the rule is new or gone). */
  conditions: Record<string, { before?: string; after?: string }>;
}

/**
 * Where `before` and `after` (merged IRs, as the evaluator reads them) decide differently. Rules
 * are matched by id. A rule whose condition the encoding does not model is listed as undecided.
 */
export async function changeImpact(before: PolicyIR, after: PolicyIR, opts: ImpactOptions = {}): Promise<ImpactReportWithText> {
  const z = await solverContext();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const listBound = opts.listBound ?? DEFAULT_LIST_BOUND;
  const from = parseDate(opts.asOf ?? after.effectiveFrom)!;
  const untilText = opts.asOf ?? opts.periodEnd ?? after.effectiveUntil;
  const until = untilText !== undefined ? parseDate(untilText)! : from + Math.round(50 * 365.25);
  const ids = [...new Set([...before.rules.map((r) => r.id), ...after.rules.map((r) => r.id)])];
  const ruleIn = (ir: PolicyIR, id: string) => ir.rules.find((r) => r.id === id);

  const undecided: ImpactReport['undecided'] = [];
  const skip = new Set<string>();
  const sides = (mode: 'bounded' | 'abstract') => {
    const w = new World(z, listBound, mode);
    const make = (ir: PolicyIR, tag: string): Side => {
      const enc = new Encoder(ir, w, tag);
      for (const r of ir.rules) {
        try {
          enc.condition(r);
        } catch (e) {
          if (!(e instanceof Unsupported)) throw e;
          if (!skip.has(r.id)) undecided.push({ rule: r.id, reason: e.message });
          skip.add(r.id);
        }
      }
      return { enc, finals: finalStatuses(z, enc, ir, skip) };
    };
    const a = make(before, 'before:');
    const b = make(after, 'after:');
    return { w, a, b };
  };
  const bounded = sides('bounded');
  let abstract: ReturnType<typeof sides> | undefined;

  const approximated = new Set<Approximation>();
  for (const ir of [before, after]) for (const r of ir.rules) conditionReads(ir, r).approximations.forEach((x) => approximated.add(x));
  const usesLists = approximated.has('list-bound');

  const baseOf = (s: ReturnType<typeof sides>, goal: B) => [...s.w.constraints, ...s.w.relevant(goal), s.w.asOf.ge(s.w.real(from)), s.w.asOf.le(s.w.real(until))];
  const ask = async (s: ReturnType<typeof sides>, goal: B) => ({ ...(await checkSat(z, [...baseOf(s, goal), goal], timeoutMs)), w: s.w });

  const changes: ImpactItem[] = [];
  const conditions: ImpactReportWithText['conditions'] = {};
  const unchanged = new Set(ids.filter((id) => {
    const fp = statusFingerprint(before, id);
    return fp !== undefined && fp === statusFingerprint(after, id);
  }));
  for (const id of ids) {
    if (unchanged.has(id) || skip.has(id)) continue;
    const goal = differs(z, bounded.a, bounded.b, id);
    const r = await ask(bounded, goal);
    if (r.status === 'sat') {
      const witness: Counterexample = r.w.counterexample(r.model);
      const was = statusIn(replay(before, witness), id);
      const now = statusIn(replay(after, witness), id);
      if (was !== now) {
        const item: ImpactItem = { rule: id, before: was, after: now, witness };
        if (opts.regions !== false) {
          const reads = new Set<string>();
          for (const ir of [before, after]) {
            const rule = ruleIn(ir, id);
            if (rule) conditionReads(ir, rule).facts.forEach((f) => reads.add(f));
          }
          // Shorter queries than the verdicts': a fact left unbounded by a timeout only makes the region partial.
          item.region = await regionOf(z, bounded.w, goal, baseOf(bounded, goal), reads, Math.min(timeoutMs, REGION_TIMEOUT_MS), opts.regionBounds);
        }
        changes.push(item);
        const t: { before?: string; after?: string } = {};
        const cb = conditionText(ruleIn(before, id));
        const ca = conditionText(ruleIn(after, id));
        if (cb !== undefined) t.before = cb;
        if (ca !== undefined) t.after = ca;
        conditions[id] = t;
      } else {
        undecided.push({ rule: id, reason: 'the witness found did not replay (an approximation)' });
      }
      continue;
    }
    if (r.status === 'unknown') {
      undecided.push({ rule: id, reason: r.reason });
      continue;
    }
    if (!usesLists) continue;
    abstract ??= sides('abstract');
    const a = await ask(abstract, differs(z, abstract.a, abstract.b, id));
    if (a.status === 'sat') undecided.push({ rule: id, reason: `not proved for lists longer than ${listBound} records` });
    else if (a.status === 'unknown') undecided.push({ rule: id, reason: a.reason });
  }
  // A rule the encoding cannot model is still unchanged when its text and inputs are.
  const open = undecided.filter((u) => !unchanged.has(u.rule));
  return {
    changes,
    identical: changes.length === 0 && open.length === 0,
    undecided: open,
    approximated: [...approximated].sort(),
    conditions,
  };
}
