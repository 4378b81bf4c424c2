/**
 * IR expressions compiled to closures. The tree is walked once, at compile time: every node becomes
 * a function of the evaluation frame, names are resolved to slots (parameters, definitions, rule
 * lets), literals to constant values, static types (for the zero of an empty sum) are looked up
 * once. No source text is ever turned into code: the closures are fixed functions in this file,
 * parameterised by the IR's values.
 *
 * The meaning is the interpreter's (`engine/evaluate/interpret.ts`), operator for operator, using
 * the same `engine/values` arithmetic so rounding and unknown propagation are identical. Where the
 * interpreter evaluates every operand of `and`/`or`/`any`/`all`, these stop at the first operand
 * that decides the answer: Kleene logic makes the rest irrelevant, and evaluation has no effects.
 */
import type { AggregateFn, CompareOp, Expr, PolicyIR, RuleIR } from '../ir/types.ts';
import type { NormalizedFacts } from '../facts/validate.ts';
import { MSG } from '../messages.ts';
import { staticKind, type EvalContext } from '../evaluate/interpret.ts';
import {
  abs,
  arith,
  compareKnown,
  daysBetween,
  divisionByZero,
  extreme,
  mergeUnknown,
  money,
  monthsBetween,
  negate,
  num,
  parseDate,
  pct,
  round,
  roundHalfAway,
  str,
  unknown,
  yearsBetween,
  yuanToFen,
  type Known,
  type Value,
} from '../values/index.ts';
import { workdaysBetweenFast } from './workdays.ts';

function bug(what: string): never {
  throw new Error(`engine bug: ${what}`);
}

/** The mutable state of one evaluation. One frame per decision; closures read and fill it. */
export interface Frame {
  facts: NormalizedFacts;
  asOf: Value;
  /** Parameter values on the as-of date, by slot. */
  params: readonly Value[];
  /** Definition values, by slot, filled on first use. */
  defs: (Value | undefined)[];
  /** Rule-level let values, by slot (slots are unique across the policy's rules). */
  lets: (Value | undefined)[];
  /** The current record inside an aggregate. */
  rec: Record<string, Value> | undefined;
  recIndex: number;
  recList: string;
}

export type Ev = (f: Frame) => Value;

// Shared constant values: nothing downstream mutates a Value, so one object serves every use.
export const TRUE: Value = Object.freeze({ kind: 'boolean', value: true }) as Value;
export const FALSE: Value = Object.freeze({ kind: 'boolean', value: false }) as Value;
const boolOf = (b: boolean): Value => (b ? TRUE : FALSE);

/** What names mean where an expression sits. */
export interface Scope {
  /** For static types: a context of the policy, with the rule when inside one. */
  typeCtx: EvalContext;
  /** Let name → slot, inside a rule. */
  lets?: ReadonlyMap<string, number>;
}

/** Compiles the expressions of one policy; definitions and lets share its slot tables. */
export class ExprCompiler {
  readonly paramSlots = new Map<string, number>();
  readonly defSlots = new Map<string, number>();
  /** Filled after construction; ref closures read it at run time, so order does not matter. */
  readonly defEvals: Ev[] = [];
  letCount = 0;
  readonly letEvals: Ev[] = [];

  constructor(
    readonly ir: PolicyIR,
    rootCtx: EvalContext,
  ) {
    ir.parameters.forEach((p, i) => this.paramSlots.set(p.name, i));
    ir.definitions.forEach((d, i) => this.defSlots.set(d.name, i));
    const scope: Scope = { typeCtx: rootCtx };
    ir.definitions.forEach((d, i) => (this.defEvals[i] = this.compile(d.expr, scope)));
  }

  /** Allocates let slots for a rule and compiles its lets; returns the rule's scope. */
  ruleScope(rule: RuleIR, typeCtx: EvalContext): Scope {
    const lets = new Map<string, number>();
    const scope: Scope = { typeCtx, lets };
    for (const l of rule.lets) {
      const slot = this.letCount++;
      lets.set(l.name, slot);
      this.letEvals[slot] = this.compile(l.expr, scope);
    }
    return scope;
  }

  compile(e: Expr, scope: Scope): Ev {
    switch (e.type) {
      case 'boolean':
        return constant(boolOf(e.value));
      case 'number':
        return constant(num(e.value));
      case 'money':
        return constant(money(yuanToFen(e.yuan) ?? roundHalfAway(e.yuan * 100)));
      case 'percent':
        return constant(pct(e.value / 100));
      case 'date': {
        const day = parseDate(e.value);
        return day === undefined ? bug(`date literal ${e.value}`) : constant({ kind: 'date', day });
      }
      case 'string':
        return constant(str(e.value));
      case 'duration':
        return constant({ kind: 'duration', amount: e.amount, unit: e.unit });
      case 'asOf':
        return (f) => f.asOf;
      case 'fact': {
        const name = e.name;
        const missing = unknown([name]);
        return (f) => f.facts[name] ?? missing;
      }
      case 'field': {
        const name = e.name;
        return (f) => {
          const r = f.rec;
          if (r === undefined) return bug(`field ${name} outside an aggregate`);
          return r[name] ?? missingOne(`${f.recList}[${f.recIndex}].${name}`);
        };
      }
      case 'param': {
        const slot = this.paramSlots.get(e.name);
        if (slot === undefined) return bug(`unknown parameter ${e.name}`);
        return (f) => f.params[slot]!;
      }
      case 'ref':
        return this.ref(e.name, scope);
      case 'not': {
        const a = this.compile(e.arg, scope);
        return (f) => not(a(f));
      }
      case 'neg': {
        const a = this.compile(e.arg, scope);
        return (f) => negate(a(f));
      }
      case 'and':
        return andOf(e.args.map((a) => this.compile(a, scope)));
      case 'or':
        return orOf(e.args.map((a) => this.compile(a, scope)));
      case 'compare':
        return compareOf(e.op, this.compile(e.left, scope), this.compile(e.right, scope));
      case 'arith': {
        const op = e.op;
        const l = this.compile(e.left, scope);
        const r = this.compile(e.right, scope);
        return (f) => arith(op, l(f), r(f));
      }
      case 'in':
        return this.inOf(e, scope);
      case 'between': {
        const v = this.compile(e.value, scope);
        const lo = this.compile(e.low, scope);
        const hi = this.compile(e.high, scope);
        const lowTest = TESTS[e.lowInclusive ? '<=' : '<'];
        const highTest = TESTS[e.highInclusive ? '<=' : '<'];
        return (f) => {
          const x = v(f);
          const a = cmp(lowTest, lo(f), x);
          if (a === FALSE) return FALSE;
          const b = cmp(highTest, x, hi(f));
          if (b === FALSE) return FALSE;
          if (a.kind === 'unknown' || b.kind === 'unknown') return merge([a, b]);
          return TRUE;
        };
      }
      case 'if': {
        const c = this.compile(e.cond, scope);
        const t = this.compile(e.then, scope);
        const el = this.compile(e.else, scope);
        return (f) => {
          const cv = c(f);
          if (cv.kind === 'unknown') return cv;
          if (cv.kind !== 'boolean') return bug(`condition evaluated to ${cv.kind}`);
          return cv.value ? t(f) : el(f);
        };
      }
      case 'call':
        return this.call(e, scope);
      case 'aggregate':
        return this.aggregate(e, scope);
    }
  }

  private ref(name: string, scope: Scope): Ev {
    const letSlot = scope.lets?.get(name);
    if (letSlot !== undefined) {
      const evals = this.letEvals;
      return (f) => {
        let v = f.lets[letSlot];
        if (v === undefined) {
          // A let sees the rule's other lets and the definitions, never a record.
          const saved = f.rec;
          f.rec = undefined;
          v = evals[letSlot]!(f);
          f.rec = saved;
          f.lets[letSlot] = v;
        }
        return v;
      };
    }
    const defSlot = this.defSlots.get(name);
    if (defSlot === undefined) return bug(`unknown name ${name}`);
    const evals = this.defEvals;
    return (f) => {
      let v = f.defs[defSlot];
      if (v === undefined) {
        const saved = f.rec;
        f.rec = undefined;
        v = evals[defSlot]!(f);
        f.rec = saved;
        f.defs[defSlot] = v;
      }
      return v;
    };
  }

  private inOf(e: Extract<Expr, { type: 'in' }>, scope: Scope): Ev {
    const v = this.compile(e.value, scope);
    const opts = e.options.map((o) => this.compile(o, scope));
    const negated = Boolean(e.negated);
    const eq = TESTS['=='];
    return (f) => {
      const x = v(f);
      let unk: Value[] | undefined;
      let hit = false;
      for (const o of opts) {
        const c = cmp(eq, x, o(f));
        if (c === TRUE) {
          hit = true;
          break;
        }
        if (c.kind === 'unknown') (unk ??= []).push(c);
      }
      if (hit) return negated ? FALSE : TRUE;
      if (unk) return merge(unk);
      return negated ? TRUE : FALSE;
    };
  }

  private call(e: Extract<Expr, { type: 'call' }>, scope: Scope): Ev {
    if (e.fn === 'known') {
      const a = e.args[0];
      if (!a) return bug('known() without argument');
      if (a.type === 'fact') {
        const name = a.name;
        return (f) => boolOf(f.facts[name] !== undefined);
      }
      if (a.type === 'field') {
        const name = a.name;
        return (f) => boolOf(f.rec?.[name] !== undefined);
      }
      const x = this.compile(a, scope);
      return (f) => boolOf(x(f).kind !== 'unknown');
    }
    const args = e.args.map((a) => this.compile(a, scope));
    switch (e.fn) {
      case 'min':
      case 'max': {
        const fn = e.fn;
        return (f) => extreme(fn, args.map((a) => a(f)));
      }
      case 'abs': {
        const a = args[0]!;
        return (f) => abs(a(f));
      }
      case 'round': {
        const a = args[0]!;
        return (f) => round(a(f));
      }
      case 'daysBetween':
      case 'workdaysBetween':
      case 'monthsBetween':
      case 'yearsBetween': {
        const days = { daysBetween, workdaysBetween: workdaysBetweenFast, monthsBetween, yearsBetween }[e.fn];
        const fn = e.fn;
        const [a, b] = args as [Ev, Ev];
        return (f) => {
          const x = a(f);
          const y = b(f);
          if (x.kind === 'unknown' || y.kind === 'unknown') return merge([x, y]);
          if (x.kind !== 'date' || y.kind !== 'date') return bug(`${fn} of non-dates`);
          return num(days(x.day, y.day));
        };
      }
    }
  }

  private aggregate(e: Extract<Expr, { type: 'aggregate' }>, scope: Scope): Ev {
    const listName = e.list;
    const missing = unknown([listName]);
    const where = e.where ? this.compile(e.where, scope) : undefined;
    const value = e.value ? this.compile(e.value, scope) : undefined;
    const body = aggregateBody(e.fn, listName, where, value, e.fn === 'sum' ? this.zeroOf(e, scope) : TRUE);
    return (f) => {
      const list = f.facts[listName];
      if (list === undefined) return missing;
      if (list.kind !== 'list') return bug(`${listName} is not a list`);
      const rec = f.rec;
      const idx = f.recIndex;
      const ln = f.recList;
      f.recList = listName;
      const out = body(f, list.records);
      f.rec = rec;
      f.recIndex = idx;
      f.recList = ln;
      return out;
    };
  }

  /** The sum of no records: 0 of the value's static type (0元 for money), as the interpreter's zeroLike. */
  private zeroOf(e: Extract<Expr, { type: 'aggregate' }>, scope: Scope): Value {
    const rctx: EvalContext = { shared: scope.typeCtx.shared, rule: scope.typeCtx.rule, record: { list: e.list, index: -1, fields: {} } };
    const kind = e.value ? staticKind(e.value, rctx) : undefined;
    if (kind === 'money') return money(0);
    if (kind === 'percent') return pct(0);
    return num(0);
  }
}

/**
 * `mergeUnknown` of a few values, without its copying and sorting when exactly one is unknown:
 * an `Unknown` is already sorted and deduplicated, so it is its own union.
 */
function merge(vs: Value[]): Value {
  let one: Value | undefined;
  for (const v of vs) {
    if (v.kind !== 'unknown') continue;
    if (one !== undefined && one !== v) return mergeUnknown(vs);
    one = v;
  }
  return one ?? mergeUnknown(vs);
}

/** An unknown lacking one fact path (canonical as built: one entry, no reasons). */
function missingOne(path: string): Value {
  return { kind: 'unknown', missing: [path], reasons: [] };
}

function constant(v: Value): Ev {
  return () => v;
}

function not(v: Value): Value {
  if (v.kind === 'unknown') return v;
  if (v.kind === 'boolean') return v.value ? FALSE : TRUE;
  return bug(`not of ${v.kind}`);
}

function andOf(args: Ev[]): Ev {
  return (f) => {
    let unk: Value[] | undefined;
    for (let i = 0; i < args.length; i++) {
      const v = args[i]!(f);
      if (v.kind === 'boolean') {
        if (!v.value) return FALSE;
      } else if (v.kind === 'unknown') (unk ??= []).push(v);
    }
    return unk ? merge(unk) : TRUE;
  };
}

function orOf(args: Ev[]): Ev {
  return (f) => {
    let unk: Value[] | undefined;
    for (let i = 0; i < args.length; i++) {
      const v = args[i]!(f);
      if (v.kind === 'boolean') {
        if (v.value) return TRUE;
      } else if (v.kind === 'unknown') (unk ??= []).push(v);
    }
    return unk ? merge(unk) : FALSE;
  };
}

type Test = (c: number) => boolean;
const TESTS: Record<CompareOp, Test> = {
  '==': (c) => c === 0,
  '!=': (c) => c !== 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

function cmp(test: Test, a: Value, b: Value): Value {
  if (a.kind === 'unknown' || b.kind === 'unknown') return merge([a, b]);
  return test(compareKnown(a, b)) ? TRUE : FALSE;
}

function compareOf(op: CompareOp, l: Ev, r: Ev): Ev {
  const test = TESTS[op];
  return (f) => cmp(test, l(f), r(f));
}

/** Sum of number-like or money values as a plain number (fen for money, ratio for percent). */
function sumOf(values: readonly Known[]): number {
  let t = 0;
  for (const v of values) {
    if (v.kind === 'money') t += v.fen;
    else if (v.kind === 'number') t += v.value;
    else if (v.kind === 'percent') t += v.ratio;
    else bug(`sum of ${v.kind}`);
  }
  return t;
}

type Body = (f: Frame, records: Record<string, Value>[]) => Value;

/**
 * The aggregate over the records of a present list, with `f.recList` set. The interpreter's rules:
 * unknown `where`s and the values of records not excluded make sums unknown; a ratio's
 * denominator needs every value; unknowns are merged in the interpreter's order (all unknown
 * `where`s first, then values) so the reasons list comes out the same.
 */
function aggregateBody(fn: AggregateFn, list: string, where: Ev | undefined, value: Ev | undefined, zero: Value): Body {
  const whereAt = (f: Frame, records: Record<string, Value>[], i: number): Value => {
    if (!where) return TRUE;
    f.rec = records[i];
    f.recIndex = i;
    return where(f);
  };
  const valueAt = (f: Frame, records: Record<string, Value>[], i: number): Value => {
    f.rec = records[i];
    f.recIndex = i;
    return value!(f);
  };
  switch (fn) {
    case 'any':
      return (f, records) => {
        let unk: Value[] | undefined;
        for (let i = 0; i < records.length; i++) {
          const w = whereAt(f, records, i);
          let each = w;
          if (value && !(w.kind === 'boolean' && !w.value)) {
            const v = valueAt(f, records, i);
            // kleeneAnd of where and value
            if (v.kind === 'boolean' && !v.value) each = FALSE;
            else if (w.kind === 'unknown' || v.kind === 'unknown') each = merge([w, v]);
            else each = TRUE;
          }
          if (each.kind === 'boolean') {
            if (each.value) return TRUE;
          } else if (each.kind === 'unknown') (unk ??= []).push(each);
        }
        return unk ? merge(unk) : FALSE;
      };
    case 'all':
      return (f, records) => {
        let unk: Value[] | undefined;
        for (let i = 0; i < records.length; i++) {
          const w = whereAt(f, records, i);
          let each = w;
          if (value) {
            // kleeneOr of not(where) and value
            const nw = not(w);
            if (nw === TRUE) each = TRUE;
            else {
              const v = valueAt(f, records, i);
              if (v.kind === 'boolean' && v.value) each = TRUE;
              else if (nw.kind === 'unknown' || v.kind === 'unknown') each = merge([nw, v]);
              else each = FALSE;
            }
          }
          if (each.kind === 'boolean') {
            if (!each.value) return FALSE;
          } else if (each.kind === 'unknown') (unk ??= []).push(each);
        }
        return unk ? merge(unk) : TRUE;
      };
    case 'count':
      return (f, records) => {
        let unk: Value[] | undefined;
        let n = 0;
        for (let i = 0; i < records.length; i++) {
          const w = whereAt(f, records, i);
          if (w.kind === 'unknown') (unk ??= []).push(w);
          else if (w.kind === 'boolean' && w.value) n++;
        }
        return unk ? merge(unk) : num(n);
      };
    case 'ratio':
      if (!value) {
        return (f, records) => {
          let unk: Value[] | undefined;
          let n = 0;
          for (let i = 0; i < records.length; i++) {
            const w = whereAt(f, records, i);
            if (w.kind === 'unknown') (unk ??= []).push(w);
            else if (w.kind === 'boolean' && w.value) n++;
          }
          if (unk) return merge(unk);
          return records.length === 0 ? divisionByZero() : pct(n / records.length);
        };
      }
      return (f, records) => {
        let whereUnk: Value[] | undefined;
        let valueUnk: Value[] | undefined;
        let part = 0;
        let whole = 0;
        const selected: Known[] = [];
        const all: Known[] = [];
        for (let i = 0; i < records.length; i++) {
          const w = whereAt(f, records, i);
          const v = valueAt(f, records, i);
          if (w.kind === 'unknown') (whereUnk ??= []).push(w);
          if (v.kind === 'unknown') (valueUnk ??= []).push(v);
          else {
            all.push(v);
            if (w.kind === 'boolean' && w.value) selected.push(v);
          }
        }
        if (whereUnk || valueUnk) return merge([...(whereUnk ?? []), ...(valueUnk ?? [])]);
        part = sumOf(selected);
        whole = sumOf(all);
        return whole === 0 ? divisionByZero() : pct(part / whole);
      };
    case 'sum':
    case 'min':
    case 'max':
    case 'avg': {
      if (!value) return () => bug(`${fn} without a value`);
      const emptyMsg = MSG.emptyAggregate({ fn, list });
      return (f, records) => {
        let whereUnk: Value[] | undefined;
        let valueUnk: Value[] | undefined;
        const values: Known[] = [];
        for (let i = 0; i < records.length; i++) {
          const w = whereAt(f, records, i);
          if (w === FALSE || (w.kind === 'boolean' && !w.value)) continue;
          if (w.kind === 'unknown') (whereUnk ??= []).push(w);
          const v = valueAt(f, records, i);
          if (v.kind === 'unknown') (valueUnk ??= []).push(v);
          else if (w.kind === 'boolean') values.push(v);
        }
        if (whereUnk || valueUnk) return merge([...(whereUnk ?? []), ...(valueUnk ?? [])]);
        if (fn === 'sum') {
          if (values.length === 0) return zero;
          let acc: Value = values[0]!;
          for (let i = 1; i < values.length; i++) acc = arith('+', acc, values[i]!);
          return acc;
        }
        if (values.length === 0) return unknown([], [emptyMsg]);
        if (fn === 'min' || fn === 'max') return extreme(fn, values);
        const first = values[0]!;
        const total = sumOf(values);
        if (first.kind === 'money') return money(roundHalfAway(total / values.length));
        if (first.kind === 'percent') return pct(total / values.length);
        return num(total / values.length);
      };
    }
  }
}
