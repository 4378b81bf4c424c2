/**
 * A decision split in two for storage: what a policy version says about each of its rules (title,
 * kind, message, consequences, the resolved citation, computed-value labels) is the same in every
 * decision made with it, so it is kept once as `DecisionTexts`, content-addressed; what varies per
 * decision (which rules fired, computed values, missing facts) is the `LeanDecision`.
 * `expandDecision(leanDecision(d, texts), texts)` gives back `d` exactly; `leanDecision` answers
 * undefined for a decision it cannot split that way, which is then stored whole.
 *
 * Rules are referred to by their position in `DecisionTexts.order`, and missing facts that are
 * declared top-level facts by their position in `DecisionTexts.facts` (other paths, such as
 * `贷款[3].逾期天数`, stay text): a lean decision is short and plain ASCII, cheap to serialise.
 *
 * The decision log uses this: a logged decision is ~0.2 KB instead of ~4.5 KB, and the single
 * SQLite writer commits that many more decisions per second.
 */
import type { LocalizedText, OutcomeKind, RuleProvenance, Severity } from '../ir/types.ts';
import type { ResolvedPolicy } from '../library/library.ts';
import { canonicalJson, sha256Hex } from '../ir/hash.ts';
import { resolveCitation, setOwn } from './decide.ts';
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
  /** A decision-table row's table and row, as fired outcomes carry it. */
  from?: RuleProvenance;
}

export interface DecisionTexts {
  /** sha256 of the canonical JSON of the rest: equal texts, equal id. */
  id: string;
  policy: PolicyStamp;
  /** Rule ids in evaluation order (the order `notFired` lists them in); lean decisions refer to rules by position here. */
  order: string[];
  /** Declared top-level fact names; lean decisions refer to missing facts by position here. */
  facts: string[];
  rules: Record<string, RuleTexts>;
}

/** A missing fact: its position in `DecisionTexts.facts`, or its path as text. */
export type LeanFact = number | string;

/** What varies per decision; rules are referred to by position in `DecisionTexts.order`. */
export interface LeanDecision {
  v: 1;
  /** `DecisionTexts.id`. */
  texts: string;
  asOf: string;
  status: Decision['status'];
  factErrors?: FactError[];
  /** Fired rules: position and computed results in the order of `RuleTexts.computed`. */
  fired: [number, ComputedResult[]][];
  /** Undetermined rules: position, missing facts, and reasons when there are any. */
  undetermined: ([number, LeanFact[]] | [number, LeanFact[], LocalizedText[]])[];
  /** Suppressed rules: position, and the position of the exception that suppressed it. */
  suppressed: [number, number][];
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
      ...(rule.from ? { from: rule.from } : {}),
    };
    rules[rule.id] = t;
  }
  const body = { policy: policy.stamp, order: policy.ir.rules.map((r) => r.id), facts: policy.ir.facts.map((f) => f.name), rules };
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
  const { ruleAt, factAt } = indexOf(texts);
  const fired: LeanDecision['fired'] = [];
  for (const o of d.outcomes) {
    const at = ruleAt.get(o.ruleId);
    if (at === undefined) return undefined;
    const t = texts.rules[o.ruleId]!;
    if (!sameTexts(o, t)) return undefined;
    const results: ComputedResult[] = [];
    const names = Object.keys(o.computed);
    if (names.length !== t.computed.length) return undefined;
    for (let i = 0; i < names.length; i++) {
      const c = o.computed[names[i]!]!;
      const tc = t.computed[i]!;
      if (names[i] !== tc.name || c.label !== tc.label || c.labelEn !== tc.labelEn) return undefined;
      results.push(c.result);
    }
    fired.push([at, results]);
  }
  const undetermined: LeanDecision['undetermined'] = [];
  for (const u of d.undetermined) {
    const at = ruleAt.get(u.ruleId);
    if (at === undefined) return undefined;
    const t = texts.rules[u.ruleId]!;
    if (t.title !== u.title || !sameCitation(u.citation, t.citation)) return undefined;
    const missing: LeanFact[] = u.missingFacts.map((name) => factAt.get(name) ?? name);
    undetermined.push(u.reasons !== undefined ? [at, missing, u.reasons] : [at, missing]);
  }
  const suppressed: LeanDecision['suppressed'] = [];
  for (const s of d.suppressed) {
    const at = ruleAt.get(s.ruleId);
    const by = ruleAt.get(s.byRuleId);
    if (at === undefined || by === undefined || !sameCitation(s.citation, texts.rules[s.ruleId]!.citation)) return undefined;
    suppressed.push([at, by]);
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
  const idAt = (at: number): string => {
    const id = texts.order[at];
    // Texts are stored with the decisions that refer to them; a missing rule is a storage bug.
    if (id === undefined || !texts.rules[id]) throw new Error(`decision texts ${texts.id} have no rule at ${at}`);
    return id;
  };
  const factName = (f: LeanFact): string => (typeof f === 'number' ? texts.facts[f] ?? String(f) : f);
  const outcomes: FiredOutcome[] = lean.fired.map(([at, results]) => {
    const ruleId = idAt(at);
    const t = texts.rules[ruleId]!;
    const computed: FiredOutcome['computed'] = {};
    t.computed.forEach((c, i) => {
      setOwn(computed, c.name, {
        ...(c.label !== undefined ? { label: c.label } : {}),
        ...(c.labelEn !== undefined ? { labelEn: c.labelEn } : {}),
        result: results[i]!,
      });
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
      ...(t.from ? { from: t.from } : {}),
    };
  });
  const decision: Decision = {
    policy: texts.policy,
    asOf: lean.asOf,
    status: lean.status,
    factErrors: lean.factErrors ?? [],
    outcomes,
    undetermined: lean.undetermined.map(([at, missing, reasons]) => {
      const ruleId = idAt(at);
      const t = texts.rules[ruleId]!;
      const missingFacts = missing.map(factName);
      return reasons !== undefined
        ? { ruleId, title: t.title, citation: t.citation, missingFacts, reasons }
        : { ruleId, title: t.title, citation: t.citation, missingFacts };
    }),
    suppressed: lean.suppressed.map(([at, by]) => {
      const ruleId = idAt(at);
      return { ruleId, byRuleId: idAt(by), citation: texts.rules[ruleId]!.citation };
    }),
    conflicts: lean.conflicts ?? [],
    notFired: lean.notFired ?? derivedNotFired(lean, texts),
  };
  if (lean.trace !== undefined) decision.trace = lean.trace;
  return decision;
}

/** Every rule neither fired, undetermined nor suppressed, in order; none when facts were invalid. */
function derivedNotFired(lean: LeanDecision, texts: DecisionTexts): string[] {
  if (lean.status !== 'ok') return [];
  const decided = new Uint8Array(texts.order.length);
  for (const f of lean.fired) decided[f[0]] = 1;
  for (const u of lean.undetermined) decided[u[0]] = 1;
  for (const s of lean.suppressed) decided[s[0]] = 1;
  const out: string[] = [];
  for (let i = 0; i < texts.order.length; i++) if (decided[i] === 0) out.push(texts.order[i]!);
  return out;
}

// Positions by name, built once per texts object (texts read back from storage get their own).
const indexes = new WeakMap<DecisionTexts, { ruleAt: Map<string, number>; factAt: Map<string, number> }>();
function indexOf(texts: DecisionTexts) {
  let ix = indexes.get(texts);
  if (!ix) {
    ix = { ruleAt: new Map(texts.order.map((id, i) => [id, i])), factAt: new Map(texts.facts.map((name, i) => [name, i])) };
    indexes.set(texts, ix);
  }
  return ix;
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

/**
 * `JSON.stringify(expandDecision(lean, texts))`, built from JSON fragments of the rule texts made
 * once per texts object: answering with a whole decision then costs string joins, not serialising
 * every title, message and citation again.
 */
export function expandedJson(lean: LeanDecision, texts: DecisionTexts): string {
  const f = fragmentsOf(texts);
  const q = JSON.stringify;
  let s = `{"policy":${f.policy},"asOf":${q(lean.asOf)},"status":${q(lean.status)},"factErrors":${lean.factErrors ? q(lean.factErrors) : '[]'},"outcomes":[`;
  for (let i = 0; i < lean.fired.length; i++) {
    const [at, results] = lean.fired[i]!;
    const r = f.rules[at]!;
    if (i > 0) s += ',';
    s += r.outcomeHead;
    for (let k = 0; k < r.computedHeads.length; k++) s += (k > 0 ? ',' : '') + r.computedHeads[k] + q(results[k]) + '}';
    s += r.outcomeTail;
  }
  s += '],"undetermined":[';
  for (let i = 0; i < lean.undetermined.length; i++) {
    const [at, missing, reasons] = lean.undetermined[i]!;
    if (i > 0) s += ',';
    s += f.rules[at]!.undeterminedHead;
    for (let k = 0; k < missing.length; k++) {
      const m = missing[k]!;
      s += (k > 0 ? ',' : '') + (typeof m === 'number' ? f.facts[m] ?? q(String(m)) : q(m));
    }
    s += reasons !== undefined ? `],"reasons":${q(reasons)}}` : ']}';
  }
  s += '],"suppressed":[';
  for (let i = 0; i < lean.suppressed.length; i++) {
    const [at, by] = lean.suppressed[i]!;
    const r = f.rules[at]!;
    s += `${i > 0 ? ',' : ''}{"ruleId":${r.id},"byRuleId":${f.rules[by]!.id},"citation":${r.citation}}`;
  }
  s += `],"conflicts":${lean.conflicts ? q(lean.conflicts) : '[]'},"notFired":${q(lean.notFired ?? derivedNotFired(lean, texts))}`;
  if (lean.trace !== undefined) s += `,"trace":${q(lean.trace)}`;
  return s + '}';
}

interface RuleFragments {
  id: string;
  citation: string;
  /** Up to the opening brace of `computed`. */
  outcomeHead: string;
  /** Per computed value, up to its `"result":`. */
  computedHeads: string[];
  /** After the last computed value: closes `computed` (and adds `from`, for a table row) and the outcome. */
  outcomeTail: string;
  /** Up to the opening bracket of `missingFacts`. */
  undeterminedHead: string;
}

const fragments = new WeakMap<DecisionTexts, { policy: string; facts: string[]; rules: RuleFragments[] }>();
function fragmentsOf(texts: DecisionTexts) {
  let f = fragments.get(texts);
  if (f) return f;
  const q = JSON.stringify;
  f = {
    policy: q(texts.policy),
    facts: texts.facts.map((name) => q(name)),
    rules: texts.order.map((ruleId) => {
      const t = texts.rules[ruleId]!;
      const id = q(ruleId);
      const citation = q(t.citation);
      const severity = t.severity !== undefined ? `,"severity":${q(t.severity)}` : '';
      return {
        id,
        citation,
        outcomeHead: `{"ruleId":${id},"title":${q(t.title)},"kind":${q(t.kind)}${severity},"message":${q(t.message)},"consequences":${q(t.consequences)},"citation":${citation},"computed":{`,
        computedHeads: t.computed.map(
          (c) => `${q(c.name)}:{${c.label !== undefined ? `"label":${q(c.label)},` : ''}${c.labelEn !== undefined ? `"labelEn":${q(c.labelEn)},` : ''}"result":`,
        ),
        outcomeTail: t.from ? `},"from":${q(t.from)}}` : '}}',
        undeterminedHead: `{"ruleId":${id},"title":${q(t.title)},"citation":${citation},"missingFacts":[`,
      };
    }),
  };
  fragments.set(texts, f);
  return f;
}
