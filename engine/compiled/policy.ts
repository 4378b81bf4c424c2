/**
 * A resolved policy compiled for fast, repeated decisions: the generated evaluator (./generate.ts)
 * made a function once per policy version with `new Function`, cached by content, and wrapped here
 * into whole `Decision`s identical to `engine/evaluate` (`evaluate` / `evaluateSync`), without the
 * explain trace. The decision's static parts (citations, titles, messages, consequences) are built
 * once per version and shared by every decision. Where runtime code generation is forbidden
 * (`codegen: false`, `TIAOWEN_NO_CODEGEN=1`, `--no-codegen`) or the generator does not cover a
 * policy, the interpreter decides.
 */
import { CONTRADICTORY_KINDS, type OutcomeKind, type RuleIR } from '../ir/types.ts';
import type { ResolvedPolicy } from '../library/library.ts';
import type { ValidateFunction } from 'ajv';
import { registerFactsValidator, validateFacts, type NormalizedFacts } from '../facts/validate.ts';
import { MSG } from '../messages.ts';
import { parameterValue } from '../evaluate/interpret.ts';
import { computedResult, evaluateNormalizedSync, evaluateSync, resolveCitation, sameSubject, setOwn } from '../evaluate/decide.ts';
import type { Conflict, Decision, FiredOutcome, ResolvedCitation, SuppressedRule, UndeterminedRule } from '../evaluate/types.ts';
import { mergeUnknown, parseDate, unknown, type Unknown } from '../values/index.ts';
import { generate, Unsupported, type Generated, type Statics } from './generate.ts';
import { box, rt, unbox, type Runtime } from './runtime.ts';

export interface DecideOptions {
  /** Date the facts are judged on, `YYYY-MM-DD`. */
  asOf: string;
}

export interface CompileOptions {
  /**
   * false: never generate code (a deployment that forbids `new Function`); the interpreter decides.
   * Default: true unless the environment variable TIAOWEN_NO_CODEGEN is `1` (set by `--no-codegen`,
   * inherited by worker threads).
   */
  codegen?: boolean;
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
   * caller that reads them before its next call; the result's `codes` is then `into`. `reuse` is
   * accepted for callers of the former closure compiler and ignored: reading a record is one pass.
   */
  decideCompact(facts: unknown, opts: DecideOptions, reuse?: object, into?: Uint8Array): CompactDecision;
  /** Rule ids and outcome kinds, in the order of `CompactDecision.codes`. */
  readonly rules: readonly { id: string; kind: OutcomeKind }[];
  /** Whether decisions come from generated code (false: the interpreter). */
  readonly generated: boolean;
}

export interface CompactDecision {
  status: 'ok' | 'invalid-facts';
  codes: Uint8Array;
}

/** What the generated source returns. Its state (facts, memo) lives in the factory's closure. */
interface GeneratedApi {
  /** Reads raw facts into the slots; false: the reference validator must judge them. */
  load(facts: unknown): boolean;
  loadNormalized(facts: NormalizedFacts): void;
  /** Verdicts of the loaded facts: st 0/1/2, un the unknown of undetermined rules. */
  judge(params: unknown[], day: number, st: Uint8Array, un: unknown[]): void;
  /** Rule i's k-th computed value for the last `judge` (unboxed). */
  computed(i: number, k: number): unknown;
}

export type Factory = (rt: Runtime, S: Statics) => GeneratedApi;

interface RuleEntry {
  rule: RuleIR;
  citation: ResolvedCitation;
  kind: OutcomeKind;
  exceptions: number[];
}

const NOT_FIRED = 0;
const FIRED = 1;
const UNDETERMINED = 2;
const SUPPRESSED = 3;
const MAX_AS_OF_CACHE = 64;
const MAX_FACTORIES = 256;

/** Generated evaluators by content key: one `new Function` per policy version, reused. */
const factories = new Map<string, { gen: Generated; factory: Factory } | Unsupported>();

function codegenDefault(): boolean {
  // Browser-safe: no `process` there.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.TIAOWEN_NO_CODEGEN !== '1';
}

/**
 * What identifies a generated evaluator: the merged IR's hash (`stamp.hash`, engine/ir/hash.ts)
 * and what citations read besides it (the stamp and the owners of inherited rules).
 */
function contentKey(policy: ResolvedPolicy): string {
  const s = policy.stamp;
  return JSON.stringify([s.hash, s.id, s.version, s.jurisdiction, policy.ruleOrigin, policy.chain.map((c) => [c.id, c.version, c.sources])]);
}

/** The generated source of a policy's evaluator (throws `Unsupported` for what it does not cover). */
export function generatedFor(policy: ResolvedPolicy): { gen: Generated; factory: Factory } {
  const key = contentKey(policy);
  let hit = factories.get(key);
  if (hit === undefined) {
    try {
      const gen = generate(policy.ir);
      // The source is the generator's own text over the validated IR (see generate.ts for the rules).
      const factory = new Function('rt', 'S', gen.source) as Factory;
      hit = { gen, factory };
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      hit = e;
    }
    if (factories.size >= MAX_FACTORIES) factories.delete(factories.keys().next().value!);
    factories.set(key, hit);
  }
  if (hit instanceof Unsupported) throw hit;
  return hit;
}

/** Compiles a resolved policy: generated code, or the interpreter where codegen is off or does not cover it. */
export function compilePolicy(policy: ResolvedPolicy, opts: CompileOptions = {}): CompiledPolicy {
  if (opts.codegen ?? codegenDefault()) {
    try {
      const { gen, factory } = generatedFor(policy);
      return fromFactory(policy, { statics: gen.statics, factory });
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
    }
  }
  return interpreted(policy);
}

function invalid(policy: ResolvedPolicy, asOf: string, errors: Decision['factErrors']): Decision {
  return { policy: policy.stamp, asOf, status: 'invalid-facts', factErrors: errors, outcomes: [], undetermined: [], suppressed: [], conflicts: [], notFired: [] };
}

function checkAsOf(asOf: string): number {
  const day = parseDate(asOf);
  // The as-of date is checked by callers (CLI, server) as request input; a bad one here is a bug.
  if (day === undefined) throw new TypeError(`asOf must be a date written YYYY-MM-DD, got ${asOf}`);
  return day;
}

/** The interpreter behind the same interface (no code generation). */
function interpreted(policy: ResolvedPolicy): CompiledPolicy {
  const ir = policy.ir;
  const index = new Map(ir.rules.map((r, i) => [r.id, i]));
  const codesOf = (d: Decision, into?: Uint8Array): Uint8Array => {
    const codes = into ?? new Uint8Array(ir.rules.length);
    codes.fill(NOT_FIRED, 0, ir.rules.length);
    for (const o of d.outcomes) codes[index.get(o.ruleId)!] = FIRED;
    for (const u of d.undetermined) codes[index.get(u.ruleId)!] = UNDETERMINED;
    for (const s of d.suppressed) codes[index.get(s.ruleId)!] = SUPPRESSED;
    return codes;
  };
  return {
    policy,
    decide: (facts, o) => evaluateSync(policy, facts, { asOf: o.asOf }),
    decideNormalized: (facts, o) => (checkAsOf(o.asOf), evaluateNormalizedSync(policy, facts, o.asOf)),
    normalize: (facts) => validateFacts(ir, facts),
    decideCompact: (facts, o, _reuse, into) => {
      const d = evaluateSync(policy, facts, { asOf: o.asOf });
      return d.status === 'ok' ? { status: 'ok', codes: codesOf(d, into) } : { status: 'invalid-facts', codes: new Uint8Array(0) };
    },
    rules: ir.rules.map((r) => ({ id: r.id, kind: r.then.kind })),
    generated: false,
  };
}

/**
 * The evaluator from a generated factory: the runtime path and a standalone module (`tiaowen
 * build`) share it. The factory's state is per evaluator, so two evaluators of one policy do not
 * share slots; one evaluator runs one decision at a time (decisions are synchronous).
 */
export function fromFactory(policy: ResolvedPolicy, made: { statics: Statics; factory: Factory; factsValidator?: ValidateFunction }): CompiledPolicy {
  const ir = policy.ir;
  // A standalone module brings its facts validator, precompiled: facts the generated reader
  // leaves to the reference are then checked without compiling anything at run time.
  if (made.factsValidator) registerFactsValidator(ir.facts, made.factsValidator);
  const S = made.statics;
  const g = made.factory(rt, S);
  const n = ir.rules.length;
  if (S.nRules !== n) throw new Error('engine bug: generated evaluator of another policy');
  const index = new Map(ir.rules.map((r, i) => [r.id, i]));
  const rules: RuleEntry[] = ir.rules.map((rule) => ({ rule, citation: resolveCitation(policy, rule), kind: rule.then.kind, exceptions: [] }));
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
  // clash[i * n + j]: rules i and j contradict each other when both fire and neither is an exception to the other.
  const clash = new Uint8Array(n * n);
  let mayConflict = false;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const a = rules[i]!.rule;
      const b = rules[j]!.rule;
      if (contradictory.has(`${a.then.kind}\u0000${b.then.kind}`) && a.exceptionTo !== b.id && b.exceptionTo !== a.id && sameSubject(a, b)) {
        clash[i * n + j] = 1;
        mayConflict = true;
      }
    }
  // Shared static parts of outcomes: everything but `computed`.
  const labels: { label?: string; labelEn?: string }[][] = ir.rules.map((r) => r.then.computed.map((c) => ({ label: c.label, labelEn: c.labelEn })));

  // Parameter values per as-of date, unboxed; a batch judges every record on one date.
  const byAsOf = new Map<string, { day: number; params: unknown[] }>();
  let last: { asOf: string; day: number; params: unknown[] } | undefined;
  const forAsOf = (asOf: string): { day: number; params: unknown[] } => {
    if (last !== undefined && last.asOf === asOf) return last;
    let p = byAsOf.get(asOf);
    if (!p) {
      const day = checkAsOf(asOf);
      p = { day, params: ir.parameters.map((d) => unbox(parameterValue(d, day, asOf))) };
      if (byAsOf.size >= MAX_AS_OF_CACHE) byAsOf.delete(byAsOf.keys().next().value!);
      byAsOf.set(asOf, p);
    }
    last = { asOf, ...p };
    return p;
  };

  const scratch = new Uint8Array(n);
  const unScratch = new Array<unknown>(n);

  /** Verdicts after exceptions into `st`/`un`; returns who suppressed whom. */
  const judge = (a: { day: number; params: unknown[] }, st: Uint8Array, un: unknown[]): (string | undefined)[] | undefined => {
    g.judge(a.params, a.day, st, un);
    return hasExceptions ? applyExceptions(rules, st, un) : undefined;
  };

  const assemble = (asOf: string, st: Uint8Array, un: unknown[], by: (string | undefined)[] | undefined): Decision => {
    const outcomes: FiredOutcome[] = [];
    const undetermined: UndeterminedRule[] = [];
    const suppressed: SuppressedRule[] = [];
    const notFired: string[] = [];
    const firedAt: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = rules[i]!;
      switch (st[i]) {
        case FIRED: {
          const computed: FiredOutcome['computed'] = {};
          const cs = r.rule.then.computed;
          for (let k = 0; k < cs.length; k++) {
            const spec = S.computed[i]![k]!;
            const result = computedResult(box(spec.rk, g.computed(i, k)), spec.sk);
            // Copied: an unknown may be a constant shared between decisions.
            if (result.type === 'undetermined') result.missingFacts = result.missingFacts.slice();
            const l = labels[i]![k]!;
            setOwn(computed, cs[k]!.name, l.label !== undefined ? (l.labelEn !== undefined ? { label: l.label, labelEn: l.labelEn, result } : { label: l.label, result }) : l.labelEn !== undefined ? { labelEn: l.labelEn, result } : { result });
          }
          const then = r.rule.then;
          const fired: FiredOutcome =
            then.severity !== undefined
              ? { ruleId: r.rule.id, title: r.rule.title, kind: then.kind, severity: then.severity, message: then.message, consequences: then.consequences, citation: r.citation, computed }
              : { ruleId: r.rule.id, title: r.rule.title, kind: then.kind, message: then.message, consequences: then.consequences, citation: r.citation, computed };
          // Last, as the interpreter puts it: decisions are compared as JSON text too.
          if (r.rule.from) fired.from = r.rule.from;
          outcomes.push(fired);
          firedAt.push(i);
          break;
        }
        case NOT_FIRED:
          notFired.push(r.rule.id);
          break;
        case SUPPRESSED:
          suppressed.push({ ruleId: r.rule.id, byRuleId: by![i]!, citation: r.citation });
          break;
        case UNDETERMINED: {
          const u0 = un[i] as Unknown;
          const u: UndeterminedRule = { ruleId: r.rule.id, title: r.rule.title, citation: r.citation, missingFacts: u0.missing.slice() };
          if (u0.reasons.length > 0) u.reasons = u0.reasons.slice();
          undetermined.push(u);
          break;
        }
      }
    }
    return {
      policy: policy.stamp,
      asOf,
      status: 'ok',
      factErrors: [],
      outcomes,
      undetermined,
      suppressed,
      conflicts: mayConflict && firedAt.length > 1 ? clashes(firedAt, outcomes) : [],
      notFired,
    };
  };

  const clashes = (firedAt: readonly number[], outcomes: readonly FiredOutcome[]): Conflict[] => {
    const out: Conflict[] = [];
    for (let i = 0; i < firedAt.length; i++)
      for (let j = i + 1; j < firedAt.length; j++) {
        if (clash[firedAt[i]! * n + firedAt[j]!] === 0) continue;
        const a = outcomes[i]!;
        const b = outcomes[j]!;
        out.push({
          code: 'engine.contradictory-outcomes',
          rules: [a.ruleId, b.ruleId],
          citations: [a.citation, b.citation],
          message: MSG.contradictory({ a: a.ruleId, b: b.ruleId, kindA: a.kind, kindB: b.kind }),
        });
      }
    return out;
  };

  const decide = (facts: unknown, o: DecideOptions): Decision => {
    const a = forAsOf(o.asOf); // the as-of date is checked before the facts, as in the reference
    if (!g.load(facts)) {
      // Unsure input: the reference validator gives the errors, or (input this reader is too strict for) the interpreter decides.
      const checked = validateFacts(ir, facts);
      return checked.facts ? evaluateNormalizedSync(policy, checked.facts, o.asOf) : invalid(policy, o.asOf, checked.errors);
    }
    // Scratch buffers: assemble reads an unknown only for a rule this judgement left undetermined.
    const by = judge(a, scratch, unScratch);
    return assemble(o.asOf, scratch, unScratch, by);
  };

  const decideNormalized = (facts: NormalizedFacts, o: DecideOptions): Decision => {
    const a = forAsOf(o.asOf);
    g.loadNormalized(facts);
    const by = judge(a, scratch, unScratch);
    return assemble(o.asOf, scratch, unScratch, by);
  };

  const NO_CODES = new Uint8Array(0);
  const decideCompact = (facts: unknown, o: DecideOptions, _reuse?: object, into?: Uint8Array): CompactDecision => {
    const a = forAsOf(o.asOf);
    const codes = into ?? new Uint8Array(n);
    if (!g.load(facts)) {
      const checked = validateFacts(ir, facts);
      if (!checked.facts) return { status: 'invalid-facts', codes: NO_CODES };
      g.loadNormalized(checked.facts);
    }
    judge(a, codes, unScratch);
    return { status: 'ok', codes };
  };

  return {
    policy,
    decide,
    decideNormalized,
    normalize: (facts) => validateFacts(ir, facts),
    decideCompact,
    rules: ir.rules.map((r) => ({ id: r.id, kind: r.then.kind })),
    generated: true,
  };
}

/**
 * Exceptions, as the reference's finalStatuses: a fired exception suppresses its target (unless the
 * target did not fire); an undetermined exception leaves a fired target undetermined. Updates
 * `status` and `unknowns` in place; returns, per suppressed rule, the exception that suppressed it.
 */
function applyExceptions(rules: readonly RuleEntry[], status: Uint8Array, unknowns: unknown[]): (string | undefined)[] {
  const n = rules.length;
  const done = new Array<boolean>(n).fill(false);
  const visiting = new Array<boolean>(n).fill(false);
  const by = new Array<string | undefined>(n);
  const raw = status.slice(0, n);
  const rawUnknowns = unknowns.slice();
  const finalOf = (i: number): void => {
    if (done[i]) return;
    // Exception chains are acyclic in compiled IR; a cycle here falls back to the raw verdict.
    if (visiting[i]) return;
    visiting[i] = true;
    const excs = rules[i]!.exceptions;
    for (const e of excs) finalOf(e);
    visiting[i] = false;
    const finalExc = (e: number): number => (done[e] ? status[e]! : raw[e]!);
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
        const u = mergeUnknown(open.map((e) => ((done[e] ? unknowns[e] : rawUnknowns[e]) as Unknown | undefined) ?? unknown()));
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
