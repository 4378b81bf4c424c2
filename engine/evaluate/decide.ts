/**
 * Decisions: validate the facts, judge every rule, then apply exceptions, find conflicts, compute
 * the values fired rules report and resolve each citation to the document of the policy that owns
 * the rule. `evaluate` judges rules through json-rules-engine (the reference path); `evaluateSync`
 * through the interpreter alone. Both give the same decision.
 */
import { CONTRADICTORY_KINDS, type PolicyIR, type RuleIR } from '../ir/types.ts';
import type { ResolvedPolicy } from '../library/library.ts';
import { validateFacts, type NormalizedFacts } from '../facts/validate.ts';
import { MSG } from '../messages.ts';
import { fenToYuan, formatDate, mergeUnknown, parseDate, todayInShanghai, unknown, type Unknown, type Value } from '../values/index.ts';
import { cleanNumber, createContext, evalExpr, ruleContext, staticKind, type EvalContext } from './interpret.ts';
import { judgeRulesInterp, judgeRulesJre, type RuleStatus, type RuleVerdict } from './jre.ts';
import type {
  ComputedResult,
  Conflict,
  Decision,
  EvaluateOptions,
  FiredOutcome,
  ResolvedCitation,
  RuleTrace,
  SuppressedRule,
  UndeterminedRule,
} from './types.ts';

/** Evaluates facts against a resolved policy (rules judged through json-rules-engine). */
export async function evaluate(policy: ResolvedPolicy, facts: unknown, opts: EvaluateOptions = {}): Promise<Decision> {
  const prepared = prepare(policy, facts, opts);
  if ('decision' in prepared) return prepared.decision;
  const verdicts = await judgeRulesJre(policy.stamp.hash, prepared.ctx, Boolean(opts.explain));
  return decide(policy, prepared.ctx, prepared.asOf, verdicts, Boolean(opts.explain));
}

/** The same decision, synchronously, with the interpreter alone. */
export function evaluateSync(policy: ResolvedPolicy, facts: unknown, opts: EvaluateOptions = {}): Decision {
  const prepared = prepare(policy, facts, opts);
  if ('decision' in prepared) return prepared.decision;
  const verdicts = judgeRulesInterp(prepared.ctx, Boolean(opts.explain));
  return decide(policy, prepared.ctx, prepared.asOf, verdicts, Boolean(opts.explain));
}

/** What engine/analysis reads of a decision on a sampled record: no citations, messages or computed values built. */
export interface RawVerdicts {
  status: 'ok' | 'invalid-facts';
  /** Each rule's condition alone (before exceptions). */
  raw: ReadonlyMap<string, RuleStatus>;
  /** Rules that fire after exceptions, in rule order (the decision's outcomes). */
  fired: string[];
  /** The decision's conflicts, as rule id pairs in the same order. */
  conflicts: [string, string][];
}

/**
 * The interpreter's verdicts without a decision: the same fired rules and conflicts as
 * `evaluateSync`, but nothing a caller reads is built (the analysis judges hundreds of records per policy).
 */
export function judgeSyncRaw(policy: ResolvedPolicy, facts: unknown, asOf: string): RawVerdicts {
  const prepared = prepare(policy, facts, { asOf });
  if ('decision' in prepared) return { status: 'invalid-facts', raw: new Map(), fired: [], conflicts: [] };
  const ir = policy.ir;
  const list = judgeRulesInterp(prepared.ctx, false);
  const verdicts = new Map(list.map((v) => [v.rule.id, v]));
  const finals = finalStatuses(ir, verdicts);
  const firedRules = ir.rules.filter((r) => finals.get(r.id)!.status === 'fired');
  const conflicts: [string, string][] = [];
  for (let i = 0; i < firedRules.length; i++) {
    for (let j = i + 1; j < firedRules.length; j++) {
      const a = firedRules[i]!;
      const b = firedRules[j]!;
      // As conflicts() below: contradictory kinds, neither an exception to the other, same subject.
      if (!CONTRADICTORY_KINDS.some(([x, y]) => (a.then.kind === x && b.then.kind === y) || (a.then.kind === y && b.then.kind === x))) continue;
      if (a.exceptionTo === b.id || b.exceptionTo === a.id || !sameSubject(a, b)) continue;
      conflicts.push([a.id, b.id]);
    }
  }
  return { status: 'ok', raw: new Map(list.map((v) => [v.rule.id, v.status])), fired: firedRules.map((r) => r.id), conflicts };
}

/** The decision on facts already normalised (`validateFacts(...).facts`), by the interpreter: the fallback of engine/compiled. */
export function evaluateNormalizedSync(policy: ResolvedPolicy, facts: NormalizedFacts, asOf: string): Decision {
  const ctx = createContext(policy.ir, facts, asOf);
  return decide(policy, ctx, asOf, judgeRulesInterp(ctx, false), false);
}

function prepare(
  policy: ResolvedPolicy,
  facts: unknown,
  opts: EvaluateOptions,
): { decision: Decision } | { ctx: EvalContext; asOf: string } {
  const asOf = opts.asOf ?? todayInShanghai();
  // The as-of date is checked by callers (CLI, server) as request input; a bad one here is a bug.
  if (parseDate(asOf) === undefined) throw new TypeError(`asOf must be a date written YYYY-MM-DD, got ${asOf}`);
  const checked = validateFacts(policy.ir, facts);
  if (!checked.facts) {
    return {
      decision: {
        policy: policy.stamp,
        asOf,
        status: 'invalid-facts',
        factErrors: checked.errors,
        outcomes: [],
        undetermined: [],
        suppressed: [],
        conflicts: [],
        notFired: [],
      },
    };
  }
  return { ctx: createContext(policy.ir, checked.facts, asOf), asOf };
}

type Final =
  | { status: 'fired' | 'not-fired' }
  | { status: 'undetermined'; unknown: Unknown }
  | { status: 'suppressed'; by: string };

/** Applies exceptions: a fired exception suppresses its target; an undetermined one leaves a fired target undetermined. */
function finalStatuses(ir: PolicyIR, verdicts: ReadonlyMap<string, RuleVerdict>): Map<string, Final> {
  const exceptionsOf = new Map<string, RuleIR[]>();
  for (const r of ir.rules) {
    if (r.exceptionTo === undefined) continue;
    exceptionsOf.set(r.exceptionTo, [...(exceptionsOf.get(r.exceptionTo) ?? []), r]);
  }
  const out = new Map<string, Final>();
  const visiting = new Set<string>();
  const finalOf = (id: string): Final => {
    const done = out.get(id);
    if (done) return done;
    const v = verdicts.get(id);
    if (!v) throw new Error(`engine bug: no verdict for ${id}`);
    // Exception chains are acyclic in compiled IR; a cycle here falls back to the raw verdict.
    if (visiting.has(id)) return raw(v);
    visiting.add(id);
    const excs = (exceptionsOf.get(id) ?? []).map((e) => ({ id: e.id, f: finalOf(e.id) }));
    visiting.delete(id);
    let f = raw(v);
    const firedExc = excs.find((e) => e.f.status === 'fired');
    if (firedExc && f.status !== 'not-fired') {
      f = { status: 'suppressed', by: firedExc.id };
    } else if (!firedExc && f.status === 'fired') {
      const open = excs.filter((e) => e.f.status === 'undetermined');
      if (open.length > 0) {
        const u = mergeUnknown(open.map((e) => (e.f as { unknown: Unknown }).unknown));
        f = { status: 'undetermined', unknown: unknown(u.missing, [...u.reasons, ...open.map((e) => MSG.exceptionUndetermined({ rule: e.id }))]) };
      }
    }
    out.set(id, f);
    return f;
  };
  for (const r of ir.rules) finalOf(r.id);
  return out;
}

function raw(v: RuleVerdict): Final {
  if (v.status === 'undetermined') return { status: 'undetermined', unknown: v.unknown ?? unknown() };
  return { status: v.status };
}

function decide(policy: ResolvedPolicy, ctx: EvalContext, asOf: string, verdictList: RuleVerdict[], explain: boolean): Decision {
  const ir = policy.ir;
  const verdicts = new Map(verdictList.map((v) => [v.rule.id, v]));
  const finals = finalStatuses(ir, verdicts);
  const outcomes: FiredOutcome[] = [];
  const undetermined: UndeterminedRule[] = [];
  const suppressed: SuppressedRule[] = [];
  const notFired: string[] = [];
  for (const rule of ir.rules) {
    const f = finals.get(rule.id)!;
    const citation = resolveCitation(policy, rule);
    switch (f.status) {
      case 'fired':
        outcomes.push(firedOutcome(rule, citation, ruleContext(ctx, rule)));
        break;
      case 'not-fired':
        notFired.push(rule.id);
        break;
      case 'suppressed':
        suppressed.push({ ruleId: rule.id, byRuleId: f.by, citation });
        break;
      case 'undetermined': {
        const u: UndeterminedRule = { ruleId: rule.id, title: rule.title, citation, missingFacts: f.unknown.missing };
        if (f.unknown.reasons.length > 0) u.reasons = f.unknown.reasons;
        undetermined.push(u);
        break;
      }
    }
  }
  const decision: Decision = {
    policy: policy.stamp,
    asOf,
    status: 'ok',
    factErrors: [],
    outcomes,
    undetermined,
    suppressed,
    conflicts: conflicts(ir, outcomes),
    notFired,
  };
  if (explain) decision.trace = traces(ir, finals, verdicts);
  return decision;
}

function conflicts(ir: PolicyIR, outcomes: readonly FiredOutcome[]): Conflict[] {
  const rules = new Map(ir.rules.map((r) => [r.id, r]));
  const out: Conflict[] = [];
  for (let i = 0; i < outcomes.length; i++) {
    for (let j = i + 1; j < outcomes.length; j++) {
      const a = outcomes[i]!;
      const b = outcomes[j]!;
      const contradictory = CONTRADICTORY_KINDS.some(([x, y]) => (a.kind === x && b.kind === y) || (a.kind === y && b.kind === x));
      if (!contradictory) continue;
      if (rules.get(a.ruleId)?.exceptionTo === b.ruleId || rules.get(b.ruleId)?.exceptionTo === a.ruleId) continue;
      if (!sameSubject(rules.get(a.ruleId)!, rules.get(b.ruleId)!)) continue;
      out.push({
        code: 'engine.contradictory-outcomes',
        rules: [a.ruleId, b.ruleId],
        citations: [a.citation, b.citation],
        message: MSG.contradictory({ a: a.ruleId, b: b.ruleId, kindA: a.kind, kindB: b.kind }),
      });
    }
  }
  return out;
}

/**
 * Whether two outcomes of contradictory kinds are about the same subject. The IR names no subject,
 * so: commendation and accountability are about the unit or person the facts describe (always the
 * same); an eligible/ineligible outcome is about what its `consequences` name, or, naming none,
 * about the policy's own benefit. Two outcomes naming disjoint consequences (自愿退休 and 一年内不得
 * 提拔) are about different benefits and never conflict. engine/analysis uses the same test.
 */
export function sameSubject(a: RuleIR, b: RuleIR): boolean {
  const kinds = [a.then.kind, b.then.kind];
  if (kinds.includes('commendation') || kinds.includes('accountability')) return true;
  const ca = a.then.consequences;
  const cb = b.then.consequences;
  if (ca.length === 0 || cb.length === 0) return ca.length === cb.length;
  return ca.some((c) => cb.includes(c));
}

/**
 * Sets an own, enumerable property, so a computed value named `__proto__` is a key of the
 * decision like any other name (plain assignment would replace the object's prototype).
 */
export function setOwn<T>(o: Record<string, T>, name: string, value: T): void {
  if (name === '__proto__') Object.defineProperty(o, name, { value, enumerable: true, writable: true, configurable: true });
  else o[name] = value;
}

function firedOutcome(rule: RuleIR, citation: ResolvedCitation, ctx: EvalContext): FiredOutcome {
  const computed: FiredOutcome['computed'] = {};
  for (const c of rule.then.computed) {
    setOwn(computed, c.name, {
      ...(c.label !== undefined ? { label: c.label } : {}),
      ...(c.labelEn !== undefined ? { labelEn: c.labelEn } : {}),
      result: computedResult(evalExpr(c.expr, ctx), staticKind(c.expr, ctx)),
    });
  }
  return {
    ruleId: rule.id,
    title: rule.title,
    kind: rule.then.kind,
    ...(rule.then.severity ? { severity: rule.then.severity } : {}),
    message: rule.then.message,
    consequences: rule.then.consequences,
    citation,
    computed,
    ...(rule.from ? { from: rule.from } : {}),
  };
}

/**
 * A computed value for the wire: money as an exact yuan string, percent as written (3 for 3%),
 * numbers cut to 12 significant digits (no binary noise), integer or number by the static type.
 */
export function computedResult(v: Value, kind: string | undefined): ComputedResult {
  switch (v.kind) {
    case 'unknown':
      return { type: 'undetermined', missingFacts: v.missing };
    case 'money':
      return { type: 'money', yuan: fenToYuan(v.fen) };
    case 'percent':
      return kind === 'number' || kind === 'integer'
        ? { type: 'number', value: cleanNumber(v.ratio) }
        : { type: 'percent', value: cleanNumber(v.ratio * 100) };
    case 'number':
      if (kind === 'percent') return { type: 'percent', value: cleanNumber(v.value * 100) };
      return { type: kind === 'integer' || (kind === undefined && Number.isInteger(v.value)) ? 'integer' : 'number', value: cleanNumber(v.value) };
    case 'boolean':
      return { type: 'boolean', value: v.value };
    case 'date':
      return { type: 'date', value: formatDate(v.day) };
    case 'string':
      return { type: 'string', value: v.value };
    case 'duration':
      return { type: 'number', value: v.amount };
    case 'list':
      throw new Error('engine bug: a computed value is a list');
  }
}

/** The citation made concrete: the document of the policy version that owns the rule. */
export function resolveCitation(policy: ResolvedPolicy, rule: RuleIR): ResolvedCitation {
  const o = policy.ruleOrigin[rule.id] ?? { policyId: policy.ir.id, jurisdiction: policy.ir.jurisdiction, version: policy.ir.version };
  const owner = policy.chain.find((p) => p.id === o.policyId && p.version === o.version) ?? policy.ir;
  const doc = owner.sources.find((s) => s.key === rule.cites.source) ?? policy.ir.sources.find((s) => s.key === rule.cites.source);
  const c: ResolvedCitation = {
    ...rule.cites,
    policyId: o.policyId,
    jurisdiction: o.jurisdiction,
    documentTitle: doc?.title ?? rule.cites.source,
  };
  if (doc?.number !== undefined) c.documentNumber = doc.number;
  return c;
}

function traces(ir: PolicyIR, finals: ReadonlyMap<string, Final>, verdicts: ReadonlyMap<string, RuleVerdict>): RuleTrace[] {
  const out: RuleTrace[] = ir.rules.map((r) => ({
    ruleId: r.id,
    result: finals.get(r.id)!.status,
    condition: verdicts.get(r.id)!.trace!,
  }));
  // Disabled base rules are listed so a reader sees they were switched off, not forgotten.
  for (const d of ir.disabled ?? []) {
    out.push({ ruleId: d.rule, result: 'disabled', condition: { condition: d.reason, values: {}, result: 'undetermined' } });
  }
  return out;
}

