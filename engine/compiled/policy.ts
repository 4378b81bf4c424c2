/**
 * A resolved policy compiled for fast, repeated decisions: fact checking and normalisation, rule
 * conditions, lets, definitions and computed values as closures (./expr.ts), citations resolved
 * once, parameters resolved once per as-of date. `decide` gives the same `Decision` as
 * `engine/evaluate` (`evaluate` / `evaluateSync`), without the explain trace.
 */
import { CONTRADICTORY_KINDS, type OutcomeKind, type RuleIR } from '../ir/types.ts';
import type { ResolvedPolicy } from '../library/library.ts';
import { validateFacts, type NormalizedFacts } from '../facts/validate.ts';
import { MSG } from '../messages.ts';
import { createContext, parameterValue, ruleContext, staticKind } from '../evaluate/interpret.ts';
import { computedResult, resolveCitation, sameSubject } from '../evaluate/decide.ts';
import type { ComputedResult, Conflict, Decision, FiredOutcome, ResolvedCitation, SuppressedRule, UndeterminedRule } from '../evaluate/types.ts';
import { mergeUnknown, parseDate, unknown, type Unknown, type Value } from '../values/index.ts';
import { ExprCompiler, type Ev, type Frame } from './expr.ts';
import { compileNormalizer, type FastNormalizer } from './facts.ts';
import { compileFast, type FastJudge, type UFacts } from './fast.ts';

export interface DecideOptions {
  /** Date the facts are judged on, `YYYY-MM-DD`. */
  asOf: string;
}

export interface CompiledPolicy {
  readonly policy: ResolvedPolicy;
  /** Validates and normalises `facts` (errors exactly as `validateFacts`), then decides. */
  decide(facts: unknown, opts: DecideOptions): Decision;
  /** Decides facts already normalised (`validateFacts(...).facts` or `normalize`): no checking at all. */
  decideNormalized(facts: NormalizedFacts, opts: DecideOptions): Decision;
  /** Normalised facts, or the fact errors, exactly as `validateFacts`. */
  normalize(facts: unknown): { facts?: NormalizedFacts; errors: Decision['factErrors'] };
  /**
   * The verdicts only, for simulation and counting: per rule (in `rules` order) 0 not fired,
   * 1 fired, 2 undetermined, 3 suppressed, after exceptions, exactly the statuses `decide` reports;
   * no outcome objects, citations or computed values are built. `invalid-facts` has no codes.
   * `into`: write the codes there (length ≥ the number of rules) instead of a new array, for a
   * caller that reads them before its next call; the result's `codes` is then `into`.
   */
  decideCompact(facts: unknown, opts: DecideOptions, reuse?: CompactReuse, into?: Uint8Array): CompactDecision;
  /** Rule ids and outcome kinds, in the order of `CompactDecision.codes`. */
  readonly rules: readonly { id: string; kind: OutcomeKind }[];
  /** Whether `decideCompact` runs on unboxed values (./fast.ts) for valid input; else it takes the boxed path. */
  readonly unboxed: boolean;
}

/**
 * Lets two policies with the same fact declarations (a baseline and its candidate) check and unbox
 * one record once: pass the same fresh object to both `decideCompact` calls for that record.
 */
export interface CompactReuse {
  src?: unknown;
  key?: string;
  unboxed?: UFacts;
  /** `unboxed.stamp` when `src` was unboxed: the buffers are reused, so they hold `src` only while it matches. */
  stamp?: number;
}

export interface CompactDecision {
  status: 'ok' | 'invalid-facts';
  codes: Uint8Array;
}

interface CompiledComputed {
  name: string;
  label?: string;
  labelEn?: string;
  ev: Ev;
  kind: string | undefined;
}

interface CompiledRuleEntry {
  rule: RuleIR;
  when: Ev;
  citation: ResolvedCitation;
  computed: CompiledComputed[];
  kind: OutcomeKind;
  /** Indexes of rules that are exceptions to this one. */
  exceptions: number[];
  /** Index of the rule this one is an exception to, if any. */
  exceptionTo: string | undefined;
}

type Status = 0 | 1 | 2 | 3; // not-fired, fired, undetermined, suppressed
const NOT_FIRED = 0;
const FIRED = 1;
const UNDETERMINED = 2;
const SUPPRESSED = 3;

const MAX_AS_OF_CACHE = 64;

/** Compiles a resolved policy. Walks the IR once; the result is reused for every decision. */
export function compilePolicy(policy: ResolvedPolicy): CompiledPolicy {
  const ir = policy.ir;
  const rootCtx = createContext(ir, {}, ir.effectiveFrom);
  const compiler = new ExprCompiler(ir, rootCtx);
  const index = new Map(ir.rules.map((r, i) => [r.id, i]));
  const rules: CompiledRuleEntry[] = ir.rules.map((rule) => {
    const typeCtx = ruleContext(rootCtx, rule);
    const scope = compiler.ruleScope(rule, typeCtx);
    return {
      rule,
      when: compiler.compile(rule.when, scope),
      citation: resolveCitation(policy, rule),
      computed: rule.then.computed.map((c) => ({
        name: c.name,
        ...(c.label !== undefined ? { label: c.label } : {}),
        ...(c.labelEn !== undefined ? { labelEn: c.labelEn } : {}),
        ev: compiler.compile(c.expr, scope),
        kind: staticKind(c.expr, typeCtx),
      })),
      kind: rule.then.kind,
      exceptions: [],
      exceptionTo: rule.exceptionTo,
    };
  });
  let hasExceptions = false;
  ir.rules.forEach((r, i) => {
    if (r.exceptionTo === undefined) return;
    const target = index.get(r.exceptionTo);
    // An exception to a rule not in the merged policy has no effect, as in the reference.
    if (target !== undefined) {
      rules[target]!.exceptions.push(i);
      hasExceptions = true;
    }
  });
  const contradictory = new Set(CONTRADICTORY_KINDS.flatMap(([a, b]) => [`${a}\u0000${b}`, `${b}\u0000${a}`]));
  const mayConflict = ir.rules.some((a) => ir.rules.some((b) => contradictory.has(`${a.then.kind}\u0000${b.then.kind}`)));

  const normalizeFast: FastNormalizer = compileNormalizer(ir.facts);
  const params = new Map<string, { day: Value; params: Value[] }>();
  const nDefs = ir.definitions.length;

  // A batch judges every record on one date: remember the last one before asking the Map.
  let lastAsOf = '';
  let lastParams: { day: Value; params: Value[] } | undefined;
  const forAsOf = (asOf: string): { day: Value; params: Value[] } => {
    if (asOf === lastAsOf && lastParams !== undefined) return lastParams;
    let p = params.get(asOf);
    if (p) {
      lastAsOf = asOf;
      lastParams = p;
      return p;
    }
    const day = parseDate(asOf);
    // The as-of date is checked by callers (CLI, server) as request input; a bad one here is a bug.
    if (day === undefined) throw new TypeError(`asOf must be a date written YYYY-MM-DD, got ${asOf}`);
    p = { day: { kind: 'date', day }, params: ir.parameters.map((d) => parameterValue(d, day, asOf)) };
    if (params.size >= MAX_AS_OF_CACHE) params.delete(params.keys().next().value!);
    params.set(asOf, p);
    return p;
  };

  const normalize = (facts: unknown): { facts?: NormalizedFacts; errors: Decision['factErrors'] } => {
    const fast = normalizeFast(facts);
    return fast ? { facts: fast, errors: [] } : validateFacts(ir, facts);
  };

  /** Every rule's verdict after exceptions; the frame is kept for computed values. */
  const judge = (facts: NormalizedFacts, opts: DecideOptions) => {
    const asOf = forAsOf(opts.asOf);
    const f: Frame = {
      facts,
      asOf: asOf.day,
      params: asOf.params,
      defs: new Array<Value | undefined>(nDefs),
      lets: new Array<Value | undefined>(compiler.letCount),
      rec: undefined,
      recIndex: -1,
      recList: '',
    };
    const n = rules.length;
    const status = new Array<Status>(n);
    const unknowns = new Array<Unknown | undefined>(n);
    for (let i = 0; i < n; i++) {
      const v = rules[i]!.when(f);
      if (v.kind === 'boolean') status[i] = v.value ? FIRED : NOT_FIRED;
      else if (v.kind === 'unknown') {
        status[i] = UNDETERMINED;
        unknowns[i] = v;
      } else throw new Error(`engine bug: condition evaluated to ${v.kind}`);
    }
    const by = hasExceptions ? applyExceptions(rules, status, unknowns) : undefined;
    return { f, status, unknowns, by };
  };

  const decideNormalized = (facts: NormalizedFacts, opts: DecideOptions): Decision => {
    const { f, status, unknowns, by } = judge(facts, opts);
    return assemble(opts, status, unknowns, by, (_i, c) => c.ev(f));
  };

  // Unboxed verdicts when every condition is covered (./fast.ts); otherwise the boxed path.
  const fast = compileFast(ir, rootCtx);
  // Per rule, the slots of the facts its condition reads (through lets and definitions), and the
  // condition's unknown when none of them is given, per as-of parameters. Shared unknowns are
  // copied into decisions (missingFacts.slice()), never handed out.
  const factSlot = new Map(ir.facts.map((d, i) => [d.name, i]));
  const defExprs = new Map(ir.definitions.map((d) => [d.name, d.expr]));
  const ruleFacts = ir.rules.map((r) => {
    const names = new Set<string>();
    factsRead(r.when, names, new Map(r.lets.map((l) => [l.name, l.expr])), defExprs, new Set());
    return [...names].flatMap((name) => {
      const slot = factSlot.get(name);
      return slot === undefined ? [] : [slot];
    });
  });
  const missCache = new Array<Unknown | undefined>(ir.rules.length);
  // Read into an array at once, so one buffer serves every decision.
  const rawScratch = new Uint8Array(ir.rules.length);
  // clash[i * n + j]: rules i and j contradict each other when both fire and neither is an exception to the other.
  const nRules = rules.length;
  const clash = new Uint8Array(nRules * nRules);
  for (let i = 0; i < nRules; i++)
    for (let j = 0; j < nRules; j++) {
      const a = rules[i]!;
      const b = rules[j]!;
      if (contradictory.has(`${a.kind}\u0000${b.kind}`) && a.exceptionTo !== b.rule.id && b.exceptionTo !== a.rule.id && sameSubject(a.rule, b.rule)) clash[i * nRules + j] = 1;
    }
  let missParams: readonly Value[] | undefined;

  /**
   * The full decision from unboxed verdicts (./fast.ts): boxed values are built only where the
   * reference's exact words are needed, i.e. the missing facts and reasons of undetermined rules and
   * computed values the unboxed path does not cover or finds unknown. Those are evaluated on boxed
   * facts normalised on first need, rule by rule (definitions and lets memoised in that frame).
   */
  const decideUnboxed = (facts: unknown, u: UFacts, opts: DecideOptions, fj: FastJudge): Decision => {
    const asOf = forAsOf(opts.asOf);
    const n = rules.length;
    const raw = rawScratch;
    fj.judge(u, (asOf.day as { day: number }).day, asOf.params, raw);
    // A plain loop: Array.from on a typed array goes through its iterator and costs more than judging.
    const status = new Array<Status>(n);
    for (let i = 0; i < n; i++) status[i] = raw[i] as Status;
    const unknowns = new Array<Unknown | undefined>(n);
    let bf: Frame | undefined;
    const boxed = (): Frame => {
      if (bf) return bf;
      // Unboxed input is input the boxed normaliser accepts; validateFacts only as a safety net.
      const normalized = normalizeFast(facts) ?? validateFacts(ir, facts).facts;
      if (!normalized) throw new Error('engine bug: unboxed facts the validator rejects');
      bf = {
        facts: normalized,
        asOf: asOf.day,
        params: asOf.params,
        defs: new Array<Value | undefined>(nDefs),
        lets: new Array<Value | undefined>(compiler.letCount),
        rec: undefined,
        recIndex: -1,
        recList: '',
      };
      return bf;
    };
    if (missParams !== asOf.params) {
      missCache.fill(undefined);
      missParams = asOf.params;
    }
    for (let i = 0; i < n; i++) {
      if (status[i] !== UNDETERMINED) continue;
      // A rule none of whose facts is given is undetermined the same way on every such record.
      const refs = ruleFacts[i]!;
      let none = true;
      for (let j = 0; j < refs.length; j++) if (!fj.absent(u, refs[j]!)) none = false;
      if (none) {
        const c = missCache[i];
        if (c !== undefined) {
          unknowns[i] = c;
          continue;
        }
      }
      const v = rules[i]!.when(boxed());
      if (v.kind !== 'unknown') throw new Error(`engine bug: unboxed verdict undetermined, boxed ${v.kind}`);
      unknowns[i] = v;
      if (none) missCache[i] = v;
    }
    const by = hasExceptions ? applyExceptions(rules, status, unknowns) : undefined;
    return assemble(opts, status, unknowns, by, (i, c, k) => fj.computed(i, k) ?? c.ev(boxed()));
  };

  /**
   * The `Decision` from every rule's final verdict; `valueOf` gives rule i's k-th computed value
   * (boxed, or unboxed where that path has it).
   */
  const assemble = (
    opts: DecideOptions,
    status: readonly Status[],
    unknowns: readonly (Unknown | undefined)[],
    by: readonly (string | undefined)[] | undefined,
    valueOf: (i: number, c: CompiledComputed, k: number) => Value,
  ): Decision => {
    const outcomes: FiredOutcome[] = [];
    const undetermined: UndeterminedRule[] = [];
    const suppressed: SuppressedRule[] = [];
    const notFired: string[] = [];
    const firedAt: number[] = [];
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      switch (status[i]) {
        case FIRED:
          outcomes.push(firedOutcome(r, (c, k) => valueOf(i, c, k)));
          firedAt.push(i);
          break;
        case NOT_FIRED:
          notFired.push(r.rule.id);
          break;
        case SUPPRESSED:
          suppressed.push({ ruleId: r.rule.id, byRuleId: by![i]!, citation: r.citation });
          break;
        case UNDETERMINED: {
          const un = unknowns[i]!;
          // Copied: the unknown may be a value shared between decisions.
          const u: UndeterminedRule = { ruleId: r.rule.id, title: r.rule.title, citation: r.citation, missingFacts: un.missing.slice() };
          if (un.reasons.length > 0) u.reasons = un.reasons.slice();
          undetermined.push(u);
          break;
        }
      }
    }
    return {
      policy: policy.stamp,
      asOf: opts.asOf,
      status: 'ok',
      factErrors: [],
      outcomes,
      undetermined,
      suppressed,
      conflicts: mayConflict && outcomes.length > 1 ? clashes(firedAt, outcomes) : [],
      notFired,
    };
  };

  /** `conflicts` by rule index over the precomputed clash table: the same conflicts, in the same order. */
  const clashes = (firedAt: readonly number[], outcomes: readonly FiredOutcome[]): Conflict[] => {
    const out: Conflict[] = [];
    for (let i = 0; i < firedAt.length; i++) {
      for (let j = i + 1; j < firedAt.length; j++) {
        if (clash[firedAt[i]! * nRules + firedAt[j]!] === 0) continue;
        const a = outcomes[i]!;
        const b = outcomes[j]!;
        out.push({
          code: 'engine.contradictory-outcomes',
          rules: [a.ruleId, b.ruleId],
          citations: [a.citation, b.citation],
          message: MSG.contradictory({ a: a.ruleId, b: b.ruleId, kindA: a.kind, kindB: b.kind }),
        });
      }
    }
    return out;
  };

  const decide = (facts: unknown, opts: DecideOptions): Decision => {
    if (fast) {
      const u = fast.unbox(facts);
      if (u) return decideUnboxed(facts, u, opts, fast);
    }
    const nf = normalizeFast(facts);
    if (nf) return decideNormalized(nf, opts);
    forAsOf(opts.asOf); // the as-of date is checked before the facts, as in the reference
    const checked = validateFacts(ir, facts);
    if (checked.facts) return decideNormalized(checked.facts, opts);
    return {
      policy: policy.stamp,
      asOf: opts.asOf,
      status: 'invalid-facts',
      factErrors: checked.errors,
      outcomes: [],
      undetermined: [],
      suppressed: [],
      conflicts: [],
      notFired: [],
    };
  };

  const NO_CODES = new Uint8Array(0);
  const factsKey = JSON.stringify(ir.facts);
  const decideCompact = (facts: unknown, opts: DecideOptions, reuse?: CompactReuse, into?: Uint8Array): CompactDecision => {
    if (fast) {
      let u: UFacts | undefined;
      if (reuse !== undefined && reuse.src === facts && reuse.key === factsKey && (reuse.unboxed === undefined || reuse.unboxed.stamp === reuse.stamp))
        u = reuse.unboxed;
      else {
        u = fast.unbox(facts);
        if (reuse !== undefined) {
          reuse.src = facts;
          reuse.key = factsKey;
          reuse.unboxed = u;
          reuse.stamp = u?.stamp;
        }
      }
      if (u) {
        const asOf = forAsOf(opts.asOf);
        const codes = into ?? new Uint8Array(rules.length);
        fast.judge(u, (asOf.day as { day: number }).day, asOf.params, codes);
        if (hasExceptions) {
          const status = Array.from(codes) as Status[];
          applyExceptions(rules, status, new Array<Unknown | undefined>(rules.length));
          codes.set(status);
        }
        return { status: 'ok', codes };
      }
    }
    let normalized = normalizeFast(facts);
    if (!normalized) {
      forAsOf(opts.asOf);
      normalized = validateFacts(ir, facts).facts;
      if (!normalized) return { status: 'invalid-facts', codes: NO_CODES };
    }
    const status = judge(normalized, opts).status;
    if (into === undefined) return { status: 'ok', codes: Uint8Array.from(status) };
    into.set(status);
    return { status: 'ok', codes: into };
  };

  const ruleList = rules.map((r) => ({ id: r.rule.id, kind: r.kind }));
  return { policy, decide, decideNormalized, normalize, decideCompact, rules: ruleList, unboxed: fast !== undefined };
}

/**
 * Names of the facts and lists an expression reads, through the lets and definitions it refers to
 * (a name that is both is followed both ways: a superset is safe, it only asks more facts absent).
 */
function factsRead(e: unknown, out: Set<string>, lets: ReadonlyMap<string, unknown>, defs: ReadonlyMap<string, unknown>, seen: Set<string>): void {
  if (Array.isArray(e)) {
    for (const x of e) factsRead(x, out, lets, defs, seen);
    return;
  }
  if (typeof e !== 'object' || e === null) return;
  const node = e as { type?: unknown; name?: unknown; list?: unknown };
  if (node.type === 'fact' && typeof node.name === 'string') out.add(node.name);
  if (node.type === 'aggregate' && typeof node.list === 'string') out.add(node.list);
  if (node.type === 'ref' && typeof node.name === 'string' && !seen.has(node.name)) {
    seen.add(node.name);
    factsRead(lets.get(node.name), out, lets, defs, seen);
    factsRead(defs.get(node.name), out, lets, defs, seen);
  }
  for (const v of Object.values(e)) if (typeof v === 'object' && v !== null) factsRead(v, out, lets, defs, seen);
}

function firedOutcome(r: CompiledRuleEntry, valueOf: (c: CompiledComputed, k: number) => Value): FiredOutcome {
  const computed: FiredOutcome['computed'] = {};
  for (let k = 0; k < r.computed.length; k++) {
    const c = r.computed[k]!;
    const result: ComputedResult = computedResult(valueOf(c, k), c.kind);
    if (result.type === 'undetermined') result.missingFacts = result.missingFacts.slice();
    computed[c.name] =
      c.label !== undefined
        ? c.labelEn !== undefined
          ? { label: c.label, labelEn: c.labelEn, result }
          : { label: c.label, result }
        : c.labelEn !== undefined
          ? { labelEn: c.labelEn, result }
          : { result };
  }
  const then = r.rule.then;
  const o: FiredOutcome =
    then.severity !== undefined
      ? {
          ruleId: r.rule.id,
          title: r.rule.title,
          kind: then.kind,
          severity: then.severity,
          message: then.message,
          consequences: then.consequences,
          citation: r.citation,
          computed,
        }
      : { ruleId: r.rule.id, title: r.rule.title, kind: then.kind, message: then.message, consequences: then.consequences, citation: r.citation, computed };
  return o;
}

/**
 * Exceptions, as the reference's finalStatuses: a fired exception suppresses its target (unless the
 * target did not fire); an undetermined exception leaves a fired target undetermined. Updates
 * `status` and `unknowns` in place; returns, per suppressed rule, the exception that suppressed it.
 */
function applyExceptions(rules: readonly CompiledRuleEntry[], status: Status[], unknowns: (Unknown | undefined)[]): (string | undefined)[] {
  const n = rules.length;
  const done = new Array<boolean>(n).fill(false);
  const visiting = new Array<boolean>(n).fill(false);
  const by = new Array<string | undefined>(n);
  const raw = status.slice();
  const rawUnknowns = unknowns.slice();
  const finalOf = (i: number): void => {
    if (done[i]) return;
    // Exception chains are acyclic in compiled IR; a cycle here falls back to the raw verdict.
    if (visiting[i]) {
      return;
    }
    visiting[i] = true;
    const excs = rules[i]!.exceptions;
    for (const e of excs) finalOf(e);
    visiting[i] = false;
    const finalExc = (e: number): Status => (done[e] ? status[e]! : raw[e]!);
    let firedExc = -1;
    for (const e of excs) {
      if (finalExc(e) === FIRED) {
        firedExc = e;
        break;
      }
    }
    const s = raw[i]!;
    if (firedExc >= 0 && s !== NOT_FIRED) {
      status[i] = SUPPRESSED;
      by[i] = rules[firedExc]!.rule.id;
      unknowns[i] = undefined;
    } else if (firedExc < 0 && s === FIRED) {
      const open = excs.filter((e) => finalExc(e) === UNDETERMINED);
      if (open.length > 0) {
        const u = mergeUnknown(open.map((e) => (done[e] ? unknowns[e] : rawUnknowns[e]) ?? unknown()));
        status[i] = UNDETERMINED;
        unknowns[i] = unknown(u.missing, [...u.reasons, ...open.map((e) => MSG.exceptionUndetermined({ rule: rules[e]!.rule.id }))]);
      }
    } else {
      status[i] = s;
    }
    done[i] = true;
  };
  for (let i = 0; i < n; i++) finalOf(i);
  return by;
}
