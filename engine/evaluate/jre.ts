/**
 * The reference evaluation path through json-rules-engine. Each rule becomes a `Rule` whose
 * conditions mirror its condition in negation normal form (all/any over leaves); every leaf is a
 * condition on the dynamic fact `tw:leaf`, which the interpreter computes, under the custom
 * operator `tw:holds`.
 *
 * json-rules-engine is two-valued, our logic three-valued. The NNF tree is monotone in its leaves,
 * so each evaluation runs the engine pessimistically (unknown leaves fail): a rule that holds has
 * fired. Rules that did not hold run again optimistically (unknown leaves hold): a rule that still
 * fails did not fire; the rest are undetermined.
 */
import { Engine, type RuleResult } from 'json-rules-engine';
import type { PolicyIR, RuleIR } from '../ir/types.ts';
import type { ConditionTrace } from './types.ts';
import { evalExpr, ruleContext, truthOf, type EvalContext, type Truth } from './interpret.ts';
import { LeafValues, toNnf, type Nnf } from './nnf.ts';
import { printExpr } from '../ir/print.ts';
import type { Unknown } from '../values/index.ts';

export type RuleStatus = 'fired' | 'not-fired' | 'undetermined';

/** A rule's condition judged for one set of facts, before exceptions and conflicts. */
export interface RuleVerdict {
  rule: RuleIR;
  status: RuleStatus;
  /** Why the rule is undetermined (only then). */
  unknown?: Unknown;
  trace?: ConditionTrace;
}

interface CompiledRule {
  rule: RuleIR;
  root: Nnf;
  leaves: Nnf[];
}

interface CompiledPolicy {
  rules: Map<string, CompiledRule>;
  /**
   * Idle engines. An `Engine` keeps its run status on itself, and a run that finishes stops any
   * other run in progress on the same engine, so each evaluation borrows an engine of its own.
   */
  idle: Engine[];
  make(): Engine;
}

const MAX_IDLE = 4;

/** One evaluation: the leaf values of every rule, shared by both engine runs. */
class Session {
  private readonly byRule = new Map<string, LeafValues>();
  constructor(
    readonly compiled: CompiledPolicy,
    readonly ctx: EvalContext,
  ) {}

  leafValues(ruleId: string): LeafValues {
    let lv = this.byRule.get(ruleId);
    if (!lv) {
      const c = this.compiled.rules.get(ruleId);
      if (!c) throw new Error(`engine bug: no compiled rule ${ruleId}`);
      lv = new LeafValues(c.leaves, ruleContext(this.ctx, c.rule));
      this.byRule.set(ruleId, lv);
    }
    return lv;
  }
}

interface RunFact {
  session: Session;
  optimistic: boolean;
}

interface LeafFact {
  truth: Truth;
  optimistic: boolean;
}

const LEAF_FACT = 'tw:leaf';
const RUN_FACT = 'tw:run';
const HOLDS = 'tw:holds';

type JreCondition = Record<string, unknown>;

function conditionOf(n: Nnf, ruleId: string): JreCondition {
  if (n.type === 'leaf') {
    return { fact: LEAF_FACT, params: { rule: ruleId, leaf: n.id }, operator: HOLDS, value: true };
  }
  return { [n.type]: n.children.map((c) => conditionOf(c, ruleId)) };
}

function compilePolicy(ir: PolicyIR): CompiledPolicy {
  const rules = new Map<string, CompiledRule>();
  for (const rule of ir.rules) {
    const { root, leaves } = toNnf(rule.when);
    rules.set(rule.id, { rule, root, leaves });
  }
  return { rules, idle: [], make: () => makeEngine(rules) };
}

function makeEngine(rules: ReadonlyMap<string, CompiledRule>): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true });
  engine.addOperator<LeafFact, boolean>(HOLDS, (f) => f.truth === true || (f.truth === 'unknown' && f.optimistic));
  engine.addFact<Promise<LeafFact>>(LEAF_FACT, async (params, almanac) => {
    const run = await almanac.factValue<RunFact>(RUN_FACT);
    const p = params as { rule: string; leaf: number };
    const v = run.session.leafValues(p.rule).get(p.leaf);
    return { truth: truthOf(v), optimistic: run.optimistic };
  });
  for (const { rule, root } of rules.values()) {
    // The root must be all/any; a lone leaf is wrapped.
    const conditions = root.type === 'leaf' ? { all: [conditionOf(root, rule.id)] } : conditionOf(root, rule.id);
    // `conditions` is built to json-rules-engine's TopLevelCondition shape; its types are not exported.
    engine.addRule({ name: rule.id, conditions: conditions as never, event: { type: 'fired', params: { rule: rule.id } } });
  }
  return engine;
}

// Compiled engines per policy hash; bounded so a long-running server does not grow without end.
const MAX_CACHED = 64;
const cache = new Map<string, CompiledPolicy>();

function compiledFor(hash: string, ir: PolicyIR): CompiledPolicy {
  let c = cache.get(hash);
  if (c) {
    cache.delete(hash); // refresh its place in the LRU order
    cache.set(hash, c);
    return c;
  }
  c = compilePolicy(ir);
  cache.set(hash, c);
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  return c;
}

/** Judges every rule of `ir` through json-rules-engine. `hash` identifies `ir` (the policy hash). */
export async function judgeRulesJre(hash: string, ctx: EvalContext, explain: boolean): Promise<RuleVerdict[]> {
  const compiled = compiledFor(hash, ctx.shared.ir);
  const session = new Session(compiled, ctx);
  const engine = compiled.idle.pop() ?? compiled.make();
  const byRule = new Map<string, RuleResult>();
  const held = new Set<string>();
  const optimisticResult = new Map<string, boolean>();
  try {
    const pessimistic = await engine.run({ [RUN_FACT]: { session, optimistic: false } satisfies RunFact });
    for (const r of [...pessimistic.results, ...pessimistic.failureResults]) byRule.set(r.name, r);
    for (const r of pessimistic.results) held.add(r.name);
    if (held.size < ctx.shared.ir.rules.length) {
      const optimistic = await engine.run({ [RUN_FACT]: { session, optimistic: true } satisfies RunFact });
      for (const r of optimistic.results) optimisticResult.set(r.name, true);
      for (const r of optimistic.failureResults) optimisticResult.set(r.name, false);
    }
  } finally {
    if (compiled.idle.length < MAX_IDLE) compiled.idle.push(engine);
  }
  return ctx.shared.ir.rules.map((rule) => {
    const c = compiled.rules.get(rule.id)!;
    const lv = session.leafValues(rule.id);
    const status: RuleStatus = held.has(rule.id) ? 'fired' : optimisticResult.get(rule.id) === false ? 'not-fired' : 'undetermined';
    const kleene = lv.valueOf(c.root);
    // The two runs and the Kleene value of the tree must agree; a disagreement is a bug here.
    const expected: RuleStatus = kleene.kind === 'unknown' ? 'undetermined' : truthOf(kleene) ? 'fired' : 'not-fired';
    if (expected !== status) throw new Error(`engine bug: rule ${rule.id} is ${status} by the engine but ${expected} by Kleene logic`);
    const verdict: RuleVerdict = { rule, status };
    if (kleene.kind === 'unknown') verdict.unknown = kleene;
    if (explain) {
      const top = byRule.get(rule.id)?.conditions as unknown as JreCondition | undefined;
      verdict.trace = top ? traceFromResult(top, c.root, lv, true) : lv.trace(c.root);
    }
    return verdict;
  });
}

/**
 * Walks json-rules-engine's result tree beside the NNF tree (same shape by construction), taking
 * three-valued results from the leaf values and printing each node as DSL.
 */
function traceFromResult(node: JreCondition, n: Nnf, lv: LeafValues, isRoot: boolean): ConditionTrace {
  if (isRoot && n.type === 'leaf') {
    const inner = (node.all as JreCondition[] | undefined)?.[0];
    return inner ? traceFromResult(inner, n, lv, false) : lv.trace(n);
  }
  if (n.type === 'leaf') {
    const params = node.params as { leaf?: number } | undefined;
    if (params?.leaf !== n.id) throw new Error('engine bug: result tree and condition tree differ');
    return lv.trace(n);
  }
  const kids = node[n.type] as JreCondition[] | undefined;
  if (!kids || kids.length !== n.children.length) throw new Error('engine bug: result tree and condition tree differ');
  const t = truthOf(lv.valueOf(n));
  return {
    condition: printExpr(n.expr),
    values: {},
    result: t === 'unknown' ? 'undetermined' : t,
    children: n.children.map((c, i) => traceFromResult(kids[i]!, c, lv, false)),
  };
}

/** The same judgement with the interpreter alone (the synchronous path). */
export function judgeRulesInterp(ctx: EvalContext, explain: boolean): RuleVerdict[] {
  return ctx.shared.ir.rules.map((rule) => {
    const rctx = ruleContext(ctx, rule);
    // The condition as written, not its NNF: the JRE path must agree with this independently.
    const v = evalExpr(rule.when, rctx);
    const status: RuleStatus = v.kind === 'unknown' ? 'undetermined' : truthOf(v) ? 'fired' : 'not-fired';
    const verdict: RuleVerdict = { rule, status };
    if (v.kind === 'unknown') verdict.unknown = v;
    if (explain) {
      const { root, leaves } = toNnf(rule.when);
      verdict.trace = new LeafValues(leaves, rctx).trace(root);
    }
    return verdict;
  });
}
