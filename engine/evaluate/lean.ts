/**
 * A decision split in two for storage: what a policy version says about each of its rules (title,
 * kind, message, consequences, the resolved citation, computed-value labels) is the same in every
 * decision made with it, so it is kept once as `DecisionTexts`, content-addressed; what varies per
 * decision (which rules fired, computed values, missing facts) is the `LeanDecision`.
 * `expandDecision(leanDecision(d, texts), texts)` gives back `d` exactly; `leanDecision` answers
 * undefined for a decision it cannot split that way, which is then stored whole.
 *
 * The decision log uses this: a logged decision is ~0.6 KB instead of ~4.5 KB, and the single
 * SQLite writer commits that many more decisions per second.
 */
import type { LocalizedText, OutcomeKind, Severity } from '../ir/types.ts';
import type { ResolvedPolicy } from '../library/library.ts';
import { canonicalJson, sha256Hex } from '../ir/hash.ts';
import { resolveCitation } from './decide.ts';
import type { ComputedResult, Conflict, Decision, FactError, FiredOutcome, PolicyStamp, ResolvedCitation, RuleTrace } from './types.ts';

export interface RuleTexts {
  title: string;
  kind: OutcomeKind;
  severity?: Severity;
  message: LocalizedText;
  consequences: string[];
  citation: ResolvedCitation;
  /** Computed values in the rule's order, with their labels. */
  computed: { name: string; label?: string; labelEn?: string }[];
}

export interface DecisionTexts {
  /** sha256 of the canonical JSON of the rest: equal texts, equal id. */
  id: string;
  policy: PolicyStamp;
  /** Rule ids in evaluation order (the order `notFired` lists them in). */
  order: string[];
  rules: Record<string, RuleTexts>;
}

/** What varies per decision; rule texts are referred to by rule id. */
export interface LeanDecision {
  v: 1;
  /** `DecisionTexts.id`. */
  texts: string;
  asOf: string;
  status: Decision['status'];
  factErrors?: FactError[];
  /** Fired rules: id and computed results in the order of `RuleTexts.computed`. */
  fired: [string, ComputedResult[]][];
  undetermined: ([string, string[]] | [string, string[], LocalizedText[]])[];
  suppressed: [string, string][];
  conflicts?: Conflict[];
  /** Only when it is not every remaining rule in order (it always is for status ok). */
  notFired?: string[];
  trace?: RuleTrace[];
}

/** The texts of every rule of a resolved policy, as `evaluate` and `decide` put them in decisions. */
export function decisionTexts(policy: Pick<ResolvedPolicy, 'stamp' | 'ir' | 'chain' | 'ruleOrigin'>): DecisionTexts {
  const rules: Record<string, RuleTexts> = {};
  for (const rule of policy.ir.rules) {
    const t: RuleTexts = {
      title: rule.title,
      kind: rule.then.kind,
      ...(rule.then.severity ? { severity: rule.then.severity } : {}),
      message: rule.then.message,
      consequences: rule.then.consequences,
      citation: resolveCitation(policy as ResolvedPolicy, rule),
      computed: rule.then.computed.map((c) => ({
        name: c.name,
        ...(c.label !== undefined ? { label: c.label } : {}),
        ...(c.labelEn !== undefined ? { labelEn: c.labelEn } : {}),
      })),
    };
    rules[rule.id] = t;
  }
  const body = { policy: policy.stamp, order: policy.ir.rules.map((r) => r.id), rules };
  return { id: sha256Hex(canonicalJson(body)), ...body };
}

/**
 * The lean form of `d`, or undefined when `d` does not match `texts` (another policy, or a rule
 * whose texts differ): such a decision is kept whole. The checks are cheap (ids, titles, kinds,
 * computed names, the cited article); the exact round trip is proven by tests.
 */
export function leanDecision(d: Decision, texts: DecisionTexts): LeanDecision | undefined {
  const p = d.policy;
  const tp = texts.policy;
  if (p.hash !== tp.hash || p.id !== tp.id || p.version !== tp.version || p.jurisdiction !== tp.jurisdiction) return undefined;
  const fired: LeanDecision['fired'] = [];
  for (const o of d.outcomes) {
    const t = texts.rules[o.ruleId];
    if (!t || !sameTexts(o, t)) return undefined;
    const results: ComputedResult[] = [];
    const names = Object.keys(o.computed);
    if (names.length !== t.computed.length) return undefined;
    for (let i = 0; i < names.length; i++) {
      const c = o.computed[names[i]!]!;
      const tc = t.computed[i]!;
      if (names[i] !== tc.name || c.label !== tc.label || c.labelEn !== tc.labelEn) return undefined;
      results.push(c.result);
    }
    fired.push([o.ruleId, results]);
  }
  const undetermined: LeanDecision['undetermined'] = [];
  for (const u of d.undetermined) {
    const t = texts.rules[u.ruleId];
    if (!t || t.title !== u.title || !sameCitation(u.citation, t.citation)) return undefined;
    undetermined.push(u.reasons !== undefined ? [u.ruleId, u.missingFacts, u.reasons] : [u.ruleId, u.missingFacts]);
  }
  const suppressed: LeanDecision['suppressed'] = [];
  for (const s of d.suppressed) {
    const t = texts.rules[s.ruleId];
    if (!t || !sameCitation(s.citation, t.citation)) return undefined;
    suppressed.push([s.ruleId, s.byRuleId]);
  }
  const lean: LeanDecision = { v: 1, texts: texts.id, asOf: d.asOf, status: d.status, fired, undetermined, suppressed };
  if (d.factErrors.length > 0) lean.factErrors = d.factErrors;
  if (d.conflicts.length > 0) lean.conflicts = d.conflicts;
  if (!sameList(d.notFired, derivedNotFired(lean, texts))) lean.notFired = d.notFired;
  if (d.trace !== undefined) lean.trace = d.trace;
  return lean;
}

/** The decision `lean` was made from. Key order is the engine's, so its JSON is the same too. */
export function expandDecision(lean: LeanDecision, texts: DecisionTexts): Decision {
  const ruleTexts = (id: string): RuleTexts => {
    const t = texts.rules[id];
    // Texts are stored with the decisions that refer to them; a missing one is a storage bug.
    if (!t) throw new Error(`decision texts ${texts.id} have no rule ${id}`);
    return t;
  };
  const outcomes: FiredOutcome[] = lean.fired.map(([ruleId, results]) => {
    const t = ruleTexts(ruleId);
    const computed: FiredOutcome['computed'] = {};
    t.computed.forEach((c, i) => {
      computed[c.name] = {
        ...(c.label !== undefined ? { label: c.label } : {}),
        ...(c.labelEn !== undefined ? { labelEn: c.labelEn } : {}),
        result: results[i]!,
      };
    });
    return {
      ruleId,
      title: t.title,
      kind: t.kind,
      ...(t.severity !== undefined ? { severity: t.severity } : {}),
      message: t.message,
      consequences: t.consequences,
      citation: t.citation,
      computed,
    };
  });
  const decision: Decision = {
    policy: texts.policy,
    asOf: lean.asOf,
    status: lean.status,
    factErrors: lean.factErrors ?? [],
    outcomes,
    undetermined: lean.undetermined.map(([ruleId, missingFacts, reasons]) => {
      const t = ruleTexts(ruleId);
      return reasons !== undefined
        ? { ruleId, title: t.title, citation: t.citation, missingFacts, reasons }
        : { ruleId, title: t.title, citation: t.citation, missingFacts };
    }),
    suppressed: lean.suppressed.map(([ruleId, byRuleId]) => ({ ruleId, byRuleId, citation: ruleTexts(ruleId).citation })),
    conflicts: lean.conflicts ?? [],
    notFired: lean.notFired ?? derivedNotFired(lean, texts),
  };
  if (lean.trace !== undefined) decision.trace = lean.trace;
  return decision;
}

/** Every rule neither fired, undetermined nor suppressed, in order; none when facts were invalid. */
function derivedNotFired(lean: LeanDecision, texts: DecisionTexts): string[] {
  if (lean.status !== 'ok') return [];
  const decided = new Set<string>();
  for (const f of lean.fired) decided.add(f[0]);
  for (const u of lean.undetermined) decided.add(u[0]);
  for (const s of lean.suppressed) decided.add(s[0]);
  return texts.order.filter((id) => !decided.has(id));
}

function sameTexts(o: FiredOutcome, t: RuleTexts): boolean {
  return (
    o.title === t.title &&
    o.kind === t.kind &&
    o.severity === t.severity &&
    o.message.zh === t.message.zh &&
    o.message.en === t.message.en &&
    sameList(o.consequences, t.consequences) &&
    sameCitation(o.citation, t.citation)
  );
}

// The compiled path shares one citation object per rule across decisions: compare its JSON once.
const citationJson = new WeakMap<ResolvedCitation, string>();
function jsonOf(c: ResolvedCitation): string {
  let s = citationJson.get(c);
  if (s === undefined) citationJson.set(c, (s = canonicalJson(c)));
  return s;
}

function sameCitation(a: ResolvedCitation, b: ResolvedCitation): boolean {
  return a === b || jsonOf(a) === jsonOf(b);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
