/**
 * The solver-backed checks of one policy version: dead rules, rules always suppressed, conflicts,
 * redundant rules; plus the checks that need no solver (unused names, parameter periods).
 */
import { findGap } from './gaps.ts';
import { parsePolicySource } from '../../dsl/index.ts';
import { desugarTables } from '../ir/tables.ts';
import type { Range } from '../../dsl/diagnostics.ts';
import type { PolicyIR, RuleIR } from '../ir/types.ts';
import { formatDate, parseDate } from '../values/index.ts';
import { probe } from './probe.ts';
import { replay, replayRaw } from './replay.ts';
import { Encoder, Unsupported, World, type Sym, type Tri } from './encode.ts';
import type { Decision } from '../evaluate/types.ts';
import { FINDINGS, QUESTIONS, approximationText } from './messages.ts';
import { checkSat, queryBudget, solverContext, type B, type CheckResult, type Z3 } from './solver.ts';
import { contradictoryKinds, sameSubject } from './subject.ts';
import type { AnalysisCode, AnalyzeOptions, Approximation, Counterexample, Finding } from './types.ts';
import { conditionReads, parameterPeriods, ruleReads, unusedNames } from './usage.ts';

type Bilingual = { zh: string; en: string };

export const DEFAULT_TIMEOUT_MS = 5000;
/** TW_ANALYSIS_DEBUG=1 prints each query with its answer and time (no `process` in browsers). */
const DEBUG = Boolean((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.TW_ANALYSIS_DEBUG);
export const DEFAULT_LIST_BOUND = 3;

/** Where rules, facts and parameters are written, from the policy text. */
export interface SourceMap {
  rules: Map<string, { rule?: Range; when?: Range }>;
  facts: Map<string, Range>;
  params: Map<string, Range>;
  defs: Map<string, Range>;
  policy?: Range;
}

/** The last map made: `checkFindings` and `analyzePolicy` ask for the same text in turn (parsing is not free). */
let lastMap: { text: string; file?: string; map: SourceMap } | undefined;

export function sourceMap(text: string, file?: string): SourceMap {
  if (lastMap && lastMap.text === text && lastMap.file === file) return lastMap.map;
  const map = buildSourceMap(text, file);
  lastMap = { text, ...(file !== undefined ? { file } : {}), map };
  return map;
}

function buildSourceMap(text: string, file?: string): SourceMap {
  const parsed = parsePolicySource(text, file !== undefined ? { file } : {});
  const ast = parsed.value;
  const map: SourceMap = { rules: new Map(), facts: new Map(), params: new Map(), defs: new Map() };
  if (!ast) return map;
  if (ast.loc) map.policy = ast.loc;
  // Rules written as table rows are placed on their row (desugared as lowering does).
  for (const r of desugarTables(ast).ast.rules) map.rules.set(r.id, { ...(r.loc ? { rule: r.loc } : {}), ...(r.when.loc ? { when: r.when.loc } : {}) });
  for (const f of ast.facts) if (f.loc) map.facts.set(f.name, f.loc);
  for (const p of ast.parameters) if (p.loc) map.params.set(p.name, p.loc);
  for (const d of ast.definitions) if (d.loc) map.defs.set(d.name, d.loc);
  return map;
}

/** Symbolic final statuses after exceptions, as engine/evaluate/decide.ts `finalStatuses` computes them. */
export interface FinalSym {
  fired: B;
  undetermined: B;
  suppressed: B;
  notFired: B;
}

export function finalStatuses(z: Z3, enc: Encoder, ir: PolicyIR, skip: ReadonlySet<string> = new Set()): Map<string, FinalSym> {
  const exceptionsOf = new Map<string, RuleIR[]>();
  for (const r of ir.rules) {
    if (r.exceptionTo === undefined) continue;
    exceptionsOf.set(r.exceptionTo, [...(exceptionsOf.get(r.exceptionTo) ?? []), r]);
  }
  const out = new Map<string, FinalSym>();
  const visiting = new Set<string>();
  const rawOf = (c: Tri): FinalSym => ({
    fired: c.t,
    notFired: c.f,
    undetermined: z.And(z.Not(c.t), z.Not(c.f)),
    suppressed: z.Bool.val(false),
  });
  const finalOf = (rule: RuleIR): FinalSym => {
    const done = out.get(rule.id);
    if (done) return done;
    const c = enc.condition(rule);
    if (visiting.has(rule.id)) return rawOf(c);
    visiting.add(rule.id);
    const excs = (exceptionsOf.get(rule.id) ?? []).filter((e) => !skip.has(e.id)).map(finalOf);
    visiting.delete(rule.id);
    const raw = rawOf(c);
    let f = raw;
    if (excs.length > 0) {
      const firedExc = z.Or(...excs.map((e) => e.fired));
      const openExc = z.Or(...excs.map((e) => e.undetermined));
      f = {
        suppressed: z.And(firedExc, z.Not(raw.notFired)),
        fired: z.And(z.Not(firedExc), z.Not(openExc), raw.fired),
        undetermined: z.And(z.Not(firedExc), z.Or(raw.undetermined, z.And(openExc, raw.fired))),
        notFired: raw.notFired,
      };
    }
    out.set(rule.id, f);
    return f;
  };
  for (const r of ir.rules) if (!skip.has(r.id)) finalOf(r);
  return out;
}

/** Two computed values differ (one known and the other not, or both known and unequal); undefined when their kinds do not compare. */
function valuesDiffer(z: Z3, x: Sym, y: Sym): B | undefined {
  if (x.k === 'bool' && y.k === 'bool') return z.Or(x.t.neq(y.t), x.f.neq(y.f));
  if ((x.k === 'num' && y.k === 'num') || (x.k === 'str' && y.k === 'str')) return z.Or(x.def.neq(y.def), z.And(x.def, x.v.neq(y.v)));
  return undefined;
}

function addYears(date: string, n: number): string {
  const d = parseDate(date)!;
  const next = formatDate(d + Math.round(n * 365.25));
  return next;
}

interface Query {
  rules: string[];
  question: Bilingual;
  /** Which goal to assert, given an encoder and the statuses in that world. */
  goal: (enc: Encoder, finals: Map<string, FinalSym>) => B;
  /** Whether a list is read: then an unsat answer of the bounded model is checked again abstractly. */
  lists: boolean;
  /** For findings drawn from a model: does the reference interpreter agree on the counterexample? */
  verify?: (c: Counterexample) => boolean;
}

type Answer = { status: 'sat'; counterexample: Counterexample } | { status: 'unsat' } | { status: 'unknown'; reason: string } | { status: 'not-proved' };

/**
 * Runs queries against one policy: the bounded model first; an unsat answer where lists are read
 * is confirmed in the abstract model (aggregates free), else it is "not proved".
 */
class Prover {
  private readonly worlds: { w: World; enc: Encoder; finals: Map<string, FinalSym> }[] = [];

  constructor(
    private readonly z: Z3,
    private readonly ir: PolicyIR,
    private readonly period: { from: number; until: number },
    private readonly opts: { timeoutMs: number; listBound: number; deadline?: number; signal?: AbortSignal },
    private readonly skip: ReadonlySet<string>,
    /** Whether any condition reads working days (then the quick weekdays model is worth a try). */
    private readonly usesWorkdays: boolean,
  ) {}

  private world(mode: 'bounded' | 'abstract' | 'quick') {
    const i = mode === 'bounded' ? 0 : mode === 'abstract' ? 1 : 2;
    let got = this.worlds[i];
    if (!got) {
      const w = mode === 'quick' ? new World(this.z, this.opts.listBound, 'bounded', 'weekdays') : new World(this.z, this.opts.listBound, mode);
      const enc = new Encoder(this.ir, w);
      got = { w, enc, finals: finalStatuses(this.z, enc, this.ir, this.skip) };
      this.worlds[i] = got;
    }
    return got;
  }

  private async check(mode: 'bounded' | 'abstract' | 'quick', q: Query): Promise<CheckResult & { world: World }> {
    const { w, enc, finals } = this.world(mode);
    const budget = queryBudget(this.opts.timeoutMs, this.opts.deadline, this.opts.signal);
    if (budget <= 0) return { status: 'unknown', reason: 'timeout', world: w };
    const goal = q.goal(enc, finals);
    const period = [w.asOf.ge(w.real(this.period.from)), w.asOf.le(w.real(this.period.until))];
    const r = await checkSat(this.z, [...w.constraints, ...w.relevant(goal), ...period, goal], budget);
    return { ...r, world: w };
  }

  async ask(q: Query): Promise<Answer> {
    const t0 = Date.now();
    if (q.verify && this.usesWorkdays) {
      // Working days through the official table are slow to search: a Monday–Friday model first,
      // kept only when the interpreter confirms it on the real calendar.
      const quick = await this.check('quick', { ...q });
      if (quick.status === 'sat') {
        const counterexample = quick.world.counterexample(quick.model);
        if (q.verify(counterexample)) {
          if (DEBUG) console.error(`[analysis] ${q.question.en}: sat (weekdays model) ${Date.now() - t0} ms`);
          return { status: 'sat', counterexample };
        }
      }
    }
    const r = await this.check('bounded', q);
    if (DEBUG) console.error(`[analysis] ${q.question.en}: ${r.status} ${Date.now() - t0} ms`);
    if (r.status === 'sat') {
      const counterexample = r.world.counterexample(r.model);
      // A model can lean on an approximation (a date past 2099, a rational the JSON number rounds):
      // only a counterexample the interpreter confirms is a finding.
      if (q.verify && !q.verify(counterexample)) return { status: 'not-proved' };
      return { status: 'sat', counterexample };
    }
    if (r.status === 'unknown') return r;
    if (!q.lists) return { status: 'unsat' };
    const a = await this.check('abstract', q);
    if (a.status === 'unsat') return { status: 'unsat' };
    if (a.status === 'unknown') return a;
    return { status: 'not-proved' };
  }
}

/**
 * Analyses one policy version. `ir` is what the evaluator reads: for a variant, the merged IR
 * (`PolicyLibrary.resolve(...).value.ir`), with `ownRules` / `ownNames` saying what this version
 * itself declares so that findings about the base are reported once, at the base.
 */
export async function analyzePolicy(ir: PolicyIR, opts: AnalyzeOptions = {}): Promise<Finding[]> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const listBound = opts.listBound ?? DEFAULT_LIST_BOUND;
  const map = opts.source ? sourceMap(opts.source.text, opts.source.file) : undefined;
  const ownRule = (id: string) => !opts.ownRules || opts.ownRules.has(id);
  const ownName = (n: string) => !opts.ownNames || opts.ownNames.has(n);
  const unusedOwn = (n: string) => ownName(n) && !opts.alsoUsed?.has(n);
  const policy = { id: ir.id, version: ir.version };
  const findings: Finding[] = [];
  const push = (
    code: AnalysisCode,
    severity: Finding['severity'],
    entry: { message: Bilingual; hint?: Bilingual },
    extra: { rules?: string[]; names?: string[]; range?: Range; counterexample?: Counterexample; approximated?: Approximation[] },
  ) => {
    const f: Finding = { code, severity, message: entry.message, policy, rules: extra.rules ?? [] };
    const ranges = Object.fromEntries((extra.rules ?? []).flatMap((id) => (map?.rules.get(id)?.rule ? [[id, map.rules.get(id)!.rule!]] : [])));
    if (Object.keys(ranges).length > 0) f.ruleRanges = ranges;
    if (entry.hint) f.hint = entry.hint;
    if (extra.range) f.range = extra.range;
    if (extra.names) f.names = extra.names;
    if (extra.counterexample) f.counterexample = extra.counterexample;
    if (extra.approximated && extra.approximated.length > 0) {
      f.approximated = extra.approximated;
      const t = approximationText(extra.approximated, listBound);
      f.hint = f.hint ? { zh: `${f.hint.zh};${t.zh}`, en: `${f.hint.en}; ${t.en}` } : t;
    }
    findings.push(f);
  };
  const ruleRange = (id: string, part: 'rule' | 'when' = 'rule') => map?.rules.get(id)?.[part] ?? map?.rules.get(id)?.rule;

  // --- No solver: unused names, parameter periods.
  const unused = unusedNames(ir);
  for (const n of unused.facts.filter(unusedOwn)) push('analysis.unused-fact', 'warning', FINDINGS['analysis.unused-fact']({ name: n }), { names: [n], range: map?.facts.get(n) });
  for (const n of unused.params.filter(unusedOwn)) push('analysis.unused-parameter', 'warning', FINDINGS['analysis.unused-parameter']({ name: n }), { names: [n], range: map?.params.get(n) });
  for (const n of unused.defs.filter(unusedOwn)) push('analysis.unused-definition', 'warning', FINDINGS['analysis.unused-definition']({ name: n }), { names: [n], range: map?.defs.get(n) });
  const until = ir.effectiveUntil ?? opts.periodEnd;
  const usedParams = new Set(ir.parameters.map((p) => p.name).filter((n) => !unused.params.includes(n)));
  for (const issue of parameterPeriods(ir, until, usedParams)) {
    if (!ownName(issue.param)) continue;
    const range = map?.params.get(issue.param);
    if (issue.kind === 'gap') {
      push('analysis.parameter-gap', 'warning', FINDINGS['analysis.parameter-gap']({ name: issue.param, from: issue.from, first: issue.other }), { names: [issue.param], range });
    } else {
      push('analysis.parameter-value-unread', 'info', FINDINGS['analysis.parameter-value-unread']({ name: issue.param, from: issue.from, until: issue.other }), { names: [issue.param], range });
    }
  }
  if (opts.noSolver) return findings;

  // --- Solver.
  const z = await solverContext();
  const untilText = until ?? addYears(ir.effectiveFrom, 50);
  const period = { from: parseDate(ir.effectiveFrom)!, until: parseDate(untilText)! };
  if (period.until < period.from) return findings; // engine.invalid-period says so already

  // Rules the encoding cannot take are reported and left out (with their exceptions' effect).
  const skip = new Set<string>();
  {
    const probe = new Encoder(ir, new World(z, 1, 'bounded'));
    for (const r of ir.rules) {
      try {
        probe.condition(r);
      } catch (e) {
        if (!(e instanceof Unsupported)) throw e;
        skip.add(r.id);
        if (ownRule(r.id)) push('analysis.unsupported', 'info', FINDINGS['analysis.unsupported']({ rules: [r.id], what: e.message }), { rules: [r.id], range: ruleRange(r.id) });
      }
    }
  }
  // Concrete records first: what they show needs no query.
  const seen = probe(ir, period, opts.probeSamples ?? 240);
  const bounds = { ...(opts.deadline !== undefined ? { deadline: opts.deadline } : {}), ...(opts.signal ? { signal: opts.signal } : {}) };
  const prover = new Prover(z, ir, period, { timeoutMs, listBound, ...bounds }, skip, JSON.stringify(ir).includes('workday'));
  const rules = ir.rules.filter((r) => !skip.has(r.id));
  const reads = new Map(rules.map((r) => [r.id, conditionReads(ir, r)]));
  const approx = (...ids: string[]): Approximation[] => {
    const s = new Set<Approximation>();
    for (const id of ids) reads.get(id)?.approximations.forEach((a) => s.add(a));
    return [...s].sort();
  };
  const usesLists = (...ids: string[]) => ids.some((id) => reads.get(id)?.approximations.has('list-bound'));
  const unknownFinding = (ids: string[], question: Bilingual, a: Answer) => {
    if (a.status === 'unknown') {
      push('analysis.solver-unknown', 'warning', FINDINGS['analysis.solver-unknown']({ rules: ids, question, reason: a.reason }), { rules: ids, range: ruleRange(ids[0]!) });
    } else if (a.status === 'not-proved') {
      push('analysis.not-proved', 'info', FINDINGS['analysis.not-proved']({ rules: ids, question, bound: listBound }), { rules: ids, range: ruleRange(ids[0]!), approximated: ['list-bound'] });
    }
  };

  // Dead rules: the condition can never be true on any day of the period.
  const dead = new Set<string>();
  for (const r of rules) {
    if (!ownRule(r.id) || seen.heldRaw.has(r.id)) continue;
    const question = QUESTIONS.canFire(r.id);
    const a = await prover.ask({
      rules: [r.id],
      question,
      lists: usesLists(r.id),
      goal: (enc) => enc.condition(r).t,
      verify: (c) => replayRaw(ir, c).raw.get(r.id) === 'fired',
    });
    if (a.status === 'unsat') {
      dead.add(r.id);
      push('analysis.unsatisfiable-condition', 'warning', FINDINGS['analysis.unsatisfiable-condition']({ rule: r.id, from: ir.effectiveFrom, ...(until !== undefined ? { until } : {}) }), {
        rules: [r.id],
        range: ruleRange(r.id, 'when'),
        approximated: approx(r.id).filter((x) => x !== 'list-bound'),
      });
    } else if (a.status === 'unknown') unknownFinding([r.id], question, a);
    // not-proved for a dead-rule question is no finding: "not shown dead" claims nothing.
  }

  // Rules that can hold but are always suppressed by their exceptions.
  const exceptionsOf = new Map<string, string[]>();
  for (const r of rules) if (r.exceptionTo !== undefined) exceptionsOf.set(r.exceptionTo, [...(exceptionsOf.get(r.exceptionTo) ?? []), r.id]);
  for (const r of rules) {
    const excs = exceptionsOf.get(r.id);
    if (!excs || dead.has(r.id) || !ownRule(r.id) || seen.fired.has(r.id)) continue;
    const ids = [r.id, ...excs];
    const question = QUESTIONS.canFire(r.id);
    const a = await prover.ask({ rules: ids, question, lists: usesLists(...ids), goal: (_enc, finals) => finals.get(r.id)!.fired });
    if (a.status === 'unsat') {
      push('analysis.never-fires', 'warning', FINDINGS['analysis.never-fires']({ rule: r.id, by: excs }), { rules: ids, range: ruleRange(r.id), approximated: approx(...ids).filter((x) => x !== 'list-bound') });
    } else if (a.status === 'unknown') unknownFinding(ids, question, a);
  }

  // Conflicts: contradictory outcomes about the same subject that can both fire (after exceptions).
  for (let i = 0; i < rules.length; i++) {
    for (let j = i + 1; j < rules.length; j++) {
      const a = rules[i]!;
      const b = rules[j]!;
      if (!contradictoryKinds(a, b) || a.exceptionTo === b.id || b.exceptionTo === a.id) continue;
      if (!ownRule(a.id) && !ownRule(b.id)) continue;
      if (dead.has(a.id) || dead.has(b.id)) continue;
      const subject = sameSubject(a, b);
      if (!subject.same) continue;
      const ids = [a.id, b.id];
      const question = QUESTIONS.conflict(a.id, b.id);
      const record = seen.conflicts.get(`${a.id}\u0000${b.id}`);
      const ans = record ? { status: 'sat' as const, counterexample: record } : await prover.ask({
        rules: ids,
        question,
        lists: usesLists(...ids),
        goal: (_enc, finals) => z.And(finals.get(a.id)!.fired, finals.get(b.id)!.fired),
        verify: (c) => {
          const fired = new Set(replay(ir, c).outcomes.map((o) => o.ruleId));
          return fired.has(a.id) && fired.has(b.id);
        },
      });
      if (ans.status === 'sat') {
        push('analysis.conflict', 'warning', FINDINGS['analysis.conflict']({ a: a.id, b: b.id, kindA: a.then.kind, kindB: b.then.kind, subject: subject.label }), {
          rules: ids,
          range: ruleRange(ownRule(b.id) ? b.id : a.id),
          counterexample: ans.counterexample,
          approximated: approx(...ids).filter((x) => x !== 'list-bound'),
        });
      } else unknownFinding(ids, question, ans);
    }
  }

  // The same computed output: two `computation` rules (whose outcome is the value they compute)
  // that can fire together computing one name to different values. Other kinds' computed values
  // describe their own outcome (each deadline rule's 用时 is its own), so they never clash.
  for (let i = 0; i < rules.length; i++) {
    for (let j = i + 1; j < rules.length; j++) {
      const a = rules[i]!;
      const b = rules[j]!;
      if (a.then.kind !== 'computation' || b.then.kind !== 'computation') continue;
      // The rows of one `collect` table (and its total) compute its output together by design.
      if (a.from?.hit === 'collect' && b.from?.hit === 'collect' && a.from.table === b.from.table && a.from.part === b.from.part) continue;
      if ((!ownRule(a.id) && !ownRule(b.id)) || dead.has(a.id) || dead.has(b.id)) continue;
      for (const ca of a.then.computed) {
        const cb = b.then.computed.find((x) => x.name === ca.name);
        if (!cb) continue;
        const ids = [a.id, b.id];
        const question = QUESTIONS.conflict(a.id, b.id);
        const valueOf = (d: Decision, id: string) => JSON.stringify(d.outcomes.find((o) => o.ruleId === id)?.computed[ca.name]?.result);
        let encodable = true;
        const ans = await prover.ask({
          rules: ids,
          question,
          lists: usesLists(...ids),
          goal: (enc, finals) => {
            let differ: B | undefined;
            try {
              differ = valuesDiffer(z, enc.computed(a, ca.expr), enc.computed(b, cb.expr));
            } catch (e) {
              if (!(e instanceof Unsupported)) throw e;
            }
            if (!differ) encodable = false;
            return z.And(finals.get(a.id)!.fired, finals.get(b.id)!.fired, differ ?? z.Bool.val(false));
          },
          verify: (c) => {
            const d = replay(ir, c);
            return d.outcomes.some((o) => o.ruleId === a.id) && d.outcomes.some((o) => o.ruleId === b.id) && valueOf(d, a.id) !== valueOf(d, b.id);
          },
        });
        if (!encodable) continue;
        if (ans.status === 'sat') {
          push('analysis.conflicting-computation', 'warning', FINDINGS['analysis.conflicting-computation']({ a: a.id, b: b.id, name: ca.name }), {
            rules: ids,
            range: ruleRange(ownRule(b.id) ? b.id : a.id),
            counterexample: ans.counterexample,
            // The computed values count too, not only the conditions.
            approximated: [...new Set([...approx(...ids), ...ids.flatMap((id) => [...ruleReads(ir, ir.rules.find((r) => r.id === id)!).approximations])])]
              .filter((x) => x !== 'list-bound')
              .sort(),
          });
        } else unknownFinding(ids, question, ans);
      }
    }
  }

  // Rows of a `hit unique` table that can both hold (their cells, not their final status).
  for (let i = 0; i < rules.length; i++) {
    const a = rules[i]!;
    if (a.from?.hit !== 'unique' || !ownRule(a.id) || dead.has(a.id)) continue;
    for (let j = i + 1; j < rules.length; j++) {
      const b = rules[j]!;
      if (b.from?.hit !== 'unique' || b.from.table !== a.from.table || b.from.part !== a.from.part || dead.has(b.id)) continue;
      const ids = [a.id, b.id];
      const question = QUESTIONS.conflict(a.id, b.id);
      const ans = await prover.ask({
        rules: ids,
        question,
        lists: usesLists(...ids),
        goal: (enc) => z.And(enc.condition(a).t, enc.condition(b).t),
        verify: (c) => {
          const trace = replay(ir, c, true).trace;
          const holds = (id: string) => trace?.find((t) => t.ruleId === id)?.condition.result === true;
          return holds(a.id) && holds(b.id);
        },
      });
      if (ans.status === 'sat') {
        const row = (r: RuleIR) => r.id.slice(r.from!.table.length + 1);
        push('analysis.table-overlap', 'warning', FINDINGS['analysis.table-overlap']({ table: a.from.table, a: row(a), b: row(b) }), {
          rules: ids,
          range: ruleRange(b.id, 'rule'),
          counterexample: ans.counterexample,
          approximated: approx(...ids).filter((x) => x !== 'list-bound'),
        });
      } else unknownFinding(ids, question, ans);
    }
  }

  // Redundant rules: whenever the later fires raw, an earlier one with the same outcome fires too.
  const sameOutcome = (a: RuleIR, b: RuleIR) =>
    a.then.kind === b.then.kind &&
    a.then.message.zh === b.then.message.zh &&
    a.then.consequences.join('\u0000') === b.then.consequences.join('\u0000') &&
    a.then.computed.length === 0 &&
    b.then.computed.length === 0 &&
    a.exceptionTo === b.exceptionTo;
  const redundant = new Set<string>();
  for (const r of rules) {
    if (!ownRule(r.id) || dead.has(r.id) || exceptionsOf.has(r.id)) continue;
    const rf = reads.get(r.id)!.facts;
    // Implication between conditions on disjoint facts would need the other to hold for any value of its facts: skipped.
    const others = rules.filter(
      (o) =>
        o !== r &&
        !redundant.has(o.id) &&
        !dead.has(o.id) &&
        !seen.holdsWithout.has(`${r.id}\u0000${o.id}`) &&
        sameOutcome(r, o) &&
        [...reads.get(o.id)!.facts].some((f) => rf.has(f)),
    );
    if (others.length === 0) continue;
    // One query against all of them first: when r can fire with none of them, it is implied by none.
    const ids = [r.id, ...others.map((o) => o.id)];
    const any = await prover.ask({
      rules: ids,
      question: QUESTIONS.redundant(r.id, others.map((o) => o.id).join('|')),
      lists: usesLists(...ids),
      goal: (enc) => z.And(enc.condition(r).t, ...others.map((o) => z.Not(enc.condition(o).t))),
    });
    if (any.status !== 'unsat') continue; // sat: not redundant; unknown/not-proved: no claim either way
    for (const other of others) {
      const pair = [r.id, other.id];
      const ans = await prover.ask({
        rules: pair,
        question: QUESTIONS.redundant(r.id, other.id),
        lists: usesLists(...pair),
        goal: (enc) => z.And(enc.condition(r).t, z.Not(enc.condition(other).t)),
      });
      if (ans.status === 'unsat') {
        redundant.add(r.id);
        push('analysis.redundant-rule', 'info', FINDINGS['analysis.redundant-rule']({ rule: r.id, by: other.id }), { rules: pair, range: ruleRange(r.id), approximated: approx(...pair).filter((x) => x !== 'list-bound') });
        break;
      }
      if (ans.status === 'unknown') unknownFinding(pair, QUESTIONS.redundant(r.id, other.id), ans);
    }
  }

  // Declared complete: with the facts those rules read given, one of them fires on every fact set.
  for (const c of ir.complete ?? []) {
    const ids = c.rules.filter((id) => rules.some((r) => r.id === id));
    if (ids.length < c.rules.length) continue; // a rule left out (unsupported) was reported already
    const question = QUESTIONS.complete(ids);
    const g = await findGap(ir, ids, { ...(until !== undefined ? { periodEnd: until } : {}), timeoutMs, listBound, ...bounds });
    if (g.status === 'gap') {
      push('analysis.gap', 'warning', FINDINGS['analysis.gap']({ rules: ids, reason: c.reason }), {
        rules: ids,
        range: ruleRange(ids[0]!),
        counterexample: g.counterexample,
        approximated: approx(...ids).filter((x) => x !== 'list-bound'),
      });
    } else if (g.status === 'unknown') unknownFinding(ids, question, { status: 'unknown', reason: g.reason });
    else if (g.status === 'not-proved') unknownFinding(ids, question, { status: 'not-proved' });
  }
  return findings;
}
