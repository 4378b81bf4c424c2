/**
 * What each rule reads (facts, parameters, definitions, following definitions and lets), and the
 * findings that need no solver: unused facts, parameters and definitions; parameter periods with
 * a hole at the start of the version or a value that starts after it ends.
 */
import type { Expr, PolicyIR, RuleIR } from '../ir/types.ts';
import type { Approximation } from './types.ts';

export interface Reads {
  facts: Set<string>;
  /** Record fields read inside aggregates, as `<list>.<field>` (a field of an outer list too, to be safe). */
  fields: Set<string>;
  params: Set<string>;
  defs: Set<string>;
  approximations: Set<Approximation>;
}

function emptyReads(): Reads {
  return { facts: new Set(), fields: new Set(), params: new Set(), defs: new Set(), approximations: new Set() };
}

/** Whether an expression is money (only money × / ÷ a number rounds), from declarations, without the type checker. */
function isMoney(e: Expr, ir: PolicyIR, rule: RuleIR | undefined, depth = 0): boolean {
  if (depth > 20) return false;
  const again = (x: Expr) => isMoney(x, ir, rule, depth + 1);
  switch (e.type) {
    case 'money':
      return true;
    case 'fact':
      return ir.facts.find((f) => f.name === e.name)?.type.kind === 'money';
    case 'field':
      return ir.facts.some((f) => f.type.kind === 'list' && f.type.fields.some((x) => x.name === e.name && x.type.kind === 'money'));
    case 'param':
      return ir.parameters.find((p) => p.name === e.name)?.type.kind === 'money';
    case 'ref': {
      const d = rule?.lets.find((l) => l.name === e.name) ?? ir.definitions.find((x) => x.name === e.name);
      return d ? again(d.expr) : false;
    }
    case 'neg':
      return again(e.arg);
    case 'arith':
      return e.op === '+' || e.op === '-' ? again(e.left) || again(e.right) : (e.op === '*' && (again(e.left) || again(e.right))) || (e.op === '/' && again(e.left) && !again(e.right));
    case 'if':
      return again(e.then);
    case 'call':
      return (e.fn === 'min' || e.fn === 'max' || e.fn === 'abs' || e.fn === 'round') && e.args.some(again);
    case 'aggregate':
      return (e.fn === 'sum' || e.fn === 'min' || e.fn === 'max' || e.fn === 'avg') && e.value !== undefined && again(e.value);
    default:
      return false;
  }
}

/** Walks an expression; `ref`s go to the rule's lets first, then the policy's definitions. */
function visit(e: Expr, ir: PolicyIR, rule: RuleIR | undefined, out: Reads, seen: Set<string>, lists: readonly string[] = []): void {
  const go = (x: Expr) => visit(x, ir, rule, out, seen, lists);
  switch (e.type) {
    case 'fact':
      out.facts.add(e.name);
      return;
    case 'field':
      for (const l of lists) out.fields.add(`${l}.${e.name}`);
      return;
    case 'param':
      out.params.add(e.name);
      return;
    case 'ref': {
      const local = rule?.lets.find((l) => l.name === e.name);
      const key = local ? `let:${e.name}` : `def:${e.name}`;
      if (seen.has(key)) return;
      seen.add(key);
      if (local) return visit(local.expr, ir, rule, out, seen);
      const def = ir.definitions.find((d) => d.name === e.name);
      if (!def) return;
      out.defs.add(e.name);
      // A definition never sees a rule's lets.
      return visit(def.expr, ir, undefined, out, seen);
    }
    case 'not':
    case 'neg':
      return go(e.arg);
    case 'and':
    case 'or':
      return e.args.forEach(go);
    case 'compare':
      go(e.left);
      return go(e.right);
    case 'arith': {
      go(e.left);
      go(e.right);
      if ((e.op === '*' || e.op === '/') && (isMoney(e.left, ir, rule) || isMoney(e.right, ir, rule))) out.approximations.add('money-rounding');
      return;
    }
    case 'in':
      go(e.value);
      return e.options.forEach(go);
    case 'between':
      go(e.value);
      go(e.low);
      return go(e.high);
    case 'if':
      go(e.cond);
      go(e.then);
      return go(e.else);
    case 'call':
      return e.args.forEach(go);
    case 'aggregate': {
      out.facts.add(e.list);
      out.approximations.add('list-bound');
      const inner = (x: Expr) => visit(x, ir, rule, out, seen, [...lists, e.list]);
      if (e.value) inner(e.value);
      if (e.where) inner(e.where);
      return;
    }
    default:
      return;
  }
}

/**
 * What a rule's condition reads, and what of the encoding's approximations it relies on.
 */
export function conditionReads(ir: PolicyIR, rule: RuleIR): Reads {
  const out = emptyReads();
  visit(rule.when, ir, rule, out, new Set());
  return out;
}

/** Everything a rule reads: condition, lets and computed values. */
export function ruleReads(ir: PolicyIR, rule: RuleIR): Reads {
  const out = emptyReads();
  const seen = new Set<string>();
  visit(rule.when, ir, rule, out, seen);
  for (const l of rule.lets) visit(l.expr, ir, rule, out, seen);
  for (const c of rule.then.computed) visit(c.expr, ir, rule, out, seen);
  return out;
}

export interface UnusedNames {
  facts: string[];
  params: string[];
  defs: string[];
}

/** Declarations no rule reads (through conditions, lets, computed values and definitions). */
export function unusedNames(ir: PolicyIR): UnusedNames {
  const all = emptyReads();
  for (const r of ir.rules) {
    const reads = ruleReads(ir, r);
    reads.facts.forEach((x) => all.facts.add(x));
    reads.params.forEach((x) => all.params.add(x));
    reads.defs.forEach((x) => all.defs.add(x));
  }
  return {
    facts: ir.facts.map((f) => f.name).filter((n) => !all.facts.has(n)),
    params: ir.parameters.map((p) => p.name).filter((n) => !all.params.has(n)),
    defs: ir.definitions.map((d) => d.name).filter((n) => !all.defs.has(n)),
  };
}

export interface ParameterPeriodIssue {
  kind: 'gap' | 'unread';
  param: string;
  /** gap: the version's first day; unread: the value's first day. */
  from: string;
  /** gap: the parameter's first value; unread: the version's last day. */
  other: string;
}

/**
 * Parameter periods against the version's: a first value after the version starts leaves rules
 * undetermined until then; a value starting after the version ends is never read. (Values
 * ascend strictly, so within a parameter there is no overlap; lowering enforces it.)
 */
export function parameterPeriods(ir: PolicyIR, until: string | undefined, used: ReadonlySet<string>): ParameterPeriodIssue[] {
  const out: ParameterPeriodIssue[] = [];
  for (const p of ir.parameters) {
    if (!used.has(p.name) || p.values.length === 0) continue;
    const first = p.values.reduce((m, v) => (v.from < m ? v.from : m), p.values[0]!.from);
    if (first > ir.effectiveFrom) out.push({ kind: 'gap', param: p.name, from: ir.effectiveFrom, other: first });
    if (until !== undefined) {
      for (const v of p.values) if (v.from > until) out.push({ kind: 'unread', param: p.name, from: v.from, other: until });
    }
  }
  return out;
}
