/**
 * Negation normal form of a rule condition: `not` pushed down to the leaves (De Morgan, flipped
 * comparisons, `not between` as the two outer comparisons), leaving a tree of all/any nodes over
 * leaves. Both evaluators read conditions through it: the json-rules-engine path compiles it to
 * nested all/any conditions, and traces are printed from it in either path.
 *
 * Each leaf is judged three-valued by the interpreter. Because and/or are monotone, and unknown
 * leaves are independent, the Kleene value of the tree equals: true if it holds with every unknown
 * leaf read as false; false if it fails with every unknown leaf read as true; unknown otherwise.
 */
import type { CompareOp, Expr } from '../ir/types.ts';
import type { ConditionTrace } from './types.ts';
import { displayValue, evalExpr, kleeneAnd, kleeneOr, truthOf, valuesSeen, type EvalContext } from './interpret.ts';
import { printExpr } from '../ir/print.ts';
import type { Value } from '../values/index.ts';

export type Nnf =
  | { type: 'all' | 'any'; children: Nnf[]; expr: Expr }
  /** `id` numbers the leaves of one rule in order, from 0. */
  | { type: 'leaf'; id: number; expr: Expr };

const FLIP: Record<CompareOp, CompareOp> = { '==': '!=', '!=': '==', '<': '>=', '>=': '<', '<=': '>', '>': '<=' };

export function toNnf(e: Expr): { root: Nnf; leaves: Nnf[] } {
  const leaves: Nnf[] = [];
  const leaf = (expr: Expr): Nnf => {
    const n: Nnf = { type: 'leaf', id: leaves.length, expr };
    leaves.push(n);
    return n;
  };
  // Nested groups of the same kind are flattened (and/or are associative in Kleene logic too), so
  // `not (a and not (b or c))` reads as one `any` of three leaves.
  const group = (type: 'all' | 'any', parts: Nnf[]): Nnf => {
    const children = parts.flatMap((c) => (c.type === type ? c.children : [c]));
    return { type, children, expr: { type: type === 'all' ? 'and' : 'or', args: children.map((c) => c.expr) } };
  };
  const go = (x: Expr, negated: boolean): Nnf => {
    switch (x.type) {
      case 'not':
        return go(x.arg, !negated);
      case 'and':
      case 'or': {
        const conj = (x.type === 'and') !== negated;
        return group(conj ? 'all' : 'any', x.args.map((a) => go(a, negated)));
      }
      case 'compare':
        return leaf(negated ? { ...x, op: FLIP[x.op] } : x);
      case 'in':
        return leaf(negated ? { ...x, negated: !x.negated } : x);
      case 'between':
        if (!negated) return leaf(x);
        return group('any', [
          leaf({ type: 'compare', op: x.lowInclusive ? '<' : '<=', left: x.value, right: x.low }),
          leaf({ type: 'compare', op: x.highInclusive ? '>' : '>=', left: x.value, right: x.high }),
        ]);
      case 'boolean':
        return leaf(negated ? { type: 'boolean', value: !x.value } : x);
      default:
        // Boolean facts, definitions, known(), any/all aggregates, if: judged whole.
        return leaf(negated ? { type: 'not', arg: x } : x);
    }
  };
  return { root: go(e, false), leaves };
}

/** Leaf values of one evaluation of one rule, computed on first use. */
export class LeafValues {
  private readonly values = new Map<number, Value>();
  constructor(
    readonly leaves: readonly Nnf[],
    readonly ctx: EvalContext,
  ) {}

  get(id: number): Value {
    let v = this.values.get(id);
    if (!v) {
      const n = this.leaves[id];
      if (!n || n.type !== 'leaf') throw new Error(`engine bug: no leaf ${id}`);
      v = evalExpr(n.expr, this.ctx);
      truthOf(v); // a leaf must be boolean or unknown
      this.values.set(id, v);
    }
    return v;
  }

  /** The Kleene value of a subtree (missing facts: the union over the unknown children that matter). */
  valueOf(n: Nnf): Value {
    if (n.type === 'leaf') return this.get(n.id);
    const vs = n.children.map((c) => this.valueOf(c));
    return n.type === 'all' ? kleeneAnd(vs) : kleeneOr(vs);
  }

  /** The condition trace of a subtree. */
  trace(n: Nnf): ConditionTrace {
    const v = this.valueOf(n);
    const t = truthOf(v);
    const result = t === 'unknown' ? 'undetermined' : t;
    if (n.type === 'leaf') {
      const leaf: ConditionTrace = { condition: printExpr(n.expr), values: valuesSeen(n.expr, this.ctx), result };
      const sides = comparedSides(n.expr);
      if (sides) leaf.operands = sides.map((e) => ({ expr: printExpr(e), value: displayValue(evalExpr(e, this.ctx)) }));
      return leaf;
    }
    return { condition: printExpr(n.expr), values: {}, result, children: n.children.map((c) => this.trace(c)) };
  }
}

/** The operands a trace shows for a comparison leaf (see ConditionTrace.operands). */
function comparedSides(e: Expr): Expr[] | undefined {
  switch (e.type) {
    case 'compare':
      return [e.left, e.right];
    case 'between':
      return [e.value, e.low, e.high];
    case 'in':
      return [e.value];
    default:
      return undefined;
  }
}
