/**
 * Unboxed verdicts for `decideCompact`: the conditions compiled a second time, to closures over plain
 * JavaScript values chosen by each expression's static type (engine/ir typecheck via `staticKind`):
 * - money (fen), percent (ratio), number, integer and date (day number) are `number`, NaN = unknown;
 * - strings and enum values are `string`, `undefined` = unknown;
 * - booleans are Kleene small ints: 0 false, 1 true, 2 unknown.
 * A compact verdict needs only whether a condition is true, false or undetermined, never which facts
 * it lacked, so unknowns carry no reasons here and nothing is allocated per value.
 *
 * Facts are read by a fused check-and-unbox pass that accepts exactly what the boxed fast
 * normaliser (./facts.ts) accepts; on anything else it answers `undefined` and the caller takes the
 * boxed path, which gives the reference's answer. Constructs this file does not cover (durations other
 * than literals, ill-typed hand-built IR, min/max of strings, …) make `compileFast` return
 * `undefined` for the whole policy, so such a policy always takes the boxed path.
 *
 * Arithmetic uses `engine/values` money rounding, so values are the boxed path's, number for number.
 */
import type { AggregateFn, ArithOp, CompareOp, Expr, FactDecl, PolicyIR, RuleIR } from '../ir/types.ts';
import { ruleContext, staticKind, type EvalContext } from '../evaluate/interpret.ts';
import {
  daysBetween,
  divMoney,
  monthsBetween,
  mulMoney,
  parseDate,
  roundHalfAway,
  roundMoneyToYuan,
  shiftDate,
  yearsBetween,
  yuanToFen,
  type Value,
} from '../values/index.ts';
import { workdaysBetweenFast } from './workdays.ts';
import { UNSURE, moneyFen } from './facts.ts';

/** An unboxed scalar: number (NaN unknown), string (undefined unknown) or Kleene int. */
type U = number | string | undefined;

/**
 * One list fact unboxed: `n` records of `w` fields each, record i's field j at `i * w + j` (field
 * slots in declaration order). Numbers, dates and booleans are in `num` (missing: NaN, or 2 for a
 * boolean), strings and enum values in `str` (missing: undefined). Buffers grow and are reused.
 */
export interface UList {
  n: number;
  w: number;
  num: Float64Array;
  str: (string | undefined)[];
}

/**
 * Facts unboxed by fact slot (declaration order), in buffers reused from one record to the next:
 * numbers, dates and booleans in `num` (missing: NaN, or 2 for a boolean), strings in `str`
 * (missing: undefined), lists in `lists` (missing: undefined). Slots, not names: a keyed load by a
 * name that differs per closure would be megamorphic. `stamp` changes whenever the buffers are
 * overwritten, so a holder (`CompactReuse`) can tell whether they still hold its record.
 */
export interface UFacts {
  num: Float64Array;
  str: (string | undefined)[];
  lists: (UList | undefined)[];
  stamp: number;
}

interface F {
  num: Float64Array;
  str: (string | undefined)[];
  lists: (UList | undefined)[];
  /** The current list record inside an aggregate: its list's buffers and its offset in them. */
  rn: Float64Array;
  rs: (string | undefined)[];
  rb: number;
  asOf: number;
  params: readonly U[];
  /** Memo of definitions and lets, valid where `stamp[slot] === gen`. */
  memo: U[];
  stamp: Int32Array;
  gen: number;
}

type NEv = (f: F) => number;
type SEv = (f: F) => string | undefined;
type BEv = (f: F) => number;
type Cat = 'n' | 's' | 'b';

const U_FALSE = 0;
const U_TRUE = 1;
const U_UNK = 2;

class Bail extends Error {}
function bail(why: string): never {
  throw new Bail(why);
}

function catOf(kind: string | undefined): Cat {
  switch (kind) {
    case 'boolean':
      return 'b';
    case 'integer':
    case 'number':
    case 'percent':
    case 'money':
    case 'date':
      return 'n';
    case 'string':
    case 'enum':
      return 's';
    default:
      return bail(`kind ${String(kind)}`);
  }
}

interface Scope {
  typeCtx: EvalContext;
  lets?: ReadonlyMap<string, number>;
  /** Field name → slot of the list the current record belongs to, inside an aggregate. */
  fields?: ReadonlyMap<string, number>;
}

const TESTS: Record<CompareOp, (c: number) => boolean> = {
  '==': (c) => c === 0,
  '!=': (c) => c !== 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

/** The unboxed form of a boxed value of category `cat` (parameters). */
function unboxValue(v: Value, cat: Cat): U {
  switch (v.kind) {
    case 'unknown':
      return cat === 'n' ? NaN : cat === 'b' ? U_UNK : undefined;
    case 'boolean':
      return v.value ? U_TRUE : U_FALSE;
    case 'number':
      return v.value;
    case 'percent':
      return v.ratio;
    case 'money':
      return v.fen;
    case 'date':
      return v.day;
    case 'string':
      return v.value;
    case 'duration':
      return undefined; // never read (see FastCompiler's constructor)
    default:
      return bail(`parameter of kind ${v.kind}`);
  }
}

class FastCompiler {
  readonly paramSlots = new Map<string, number>();
  readonly factSlots = new Map<string, number>();
  readonly listFields = new Map<string, Map<string, number>>();
  readonly paramCats: Cat[] = [];
  readonly defSlots = new Map<string, number>();
  readonly defCats: Cat[] = [];
  /** Memo evaluators by slot: definitions first, then rule lets. */
  readonly memoEvals: ((f: F) => U)[] = [];
  slotCount = 0;

  constructor(
    readonly ir: PolicyIR,
    readonly rootCtx: EvalContext,
  ) {
    ir.facts.forEach((d, i) => {
      this.factSlots.set(d.name, i);
      if (d.type.kind === 'list') this.listFields.set(d.name, new Map(d.type.fields.map((x, j) => [x.name, j])));
    });
    ir.parameters.forEach((p, i) => {
      this.paramSlots.set(p.name, i);
      // A duration parameter is never read unboxed: date ± it and comparisons with it bail where
      // they are compiled (its kind is 'duration'), so a policy that declares one stays unboxed.
      this.paramCats[i] = p.type.kind === 'duration' ? 's' : catOf(p.type.kind);
    });
    const scope: Scope = { typeCtx: rootCtx };
    ir.definitions.forEach((d, i) => {
      this.defSlots.set(d.name, i);
      this.defCats[i] = catOf(staticKind(d.expr, rootCtx));
    });
    this.slotCount = ir.definitions.length;
    ir.definitions.forEach((d, i) => (this.memoEvals[i] = this.any(d.expr, scope, this.defCats[i]!)));
  }

  /** Each rule's scope (its lets), for its computed values. */
  readonly ruleScopes: Scope[] = [];

  ruleWhen(rule: RuleIR): BEv {
    const typeCtx = ruleContext(this.rootCtx, rule);
    const lets = new Map<string, number>();
    const scope: Scope = { typeCtx, lets };
    this.ruleScopes.push(scope);
    for (const l of rule.lets) {
      const slot = this.slotCount++;
      const cat = catOf(staticKind(l.expr, typeCtx));
      this.letCats.set(slot, cat);
      lets.set(l.name, slot);
      this.memoEvals[slot] = this.any(l.expr, scope, cat);
    }
    return this.bool(rule.when, scope);
  }

  readonly letCats = new Map<number, Cat>();

  private kind(e: Expr, scope: Scope): string | undefined {
    return staticKind(e, scope.typeCtx);
  }

  private cat(e: Expr, scope: Scope): Cat {
    if (e.type === 'duration') return bail('duration outside date arithmetic');
    return catOf(this.kind(e, scope));
  }

  any(e: Expr, scope: Scope, cat: Cat): (f: F) => U {
    return cat === 'n' ? this.num(e, scope) : cat === 's' ? this.str(e, scope) : this.bool(e, scope);
  }

  /** Shared forms for every category: names and `if`. Returns undefined for other nodes. */
  private common(e: Expr, scope: Scope, cat: Cat): ((f: F) => U) | undefined {
    const unk: U = cat === 'n' ? NaN : cat === 'b' ? U_UNK : undefined;
    switch (e.type) {
      case 'fact': {
        // Missing facts already hold the unknown of their category (NaN, 2, undefined).
        const slot = this.factSlot(e.name);
        if (cat === 's') return (f) => f.str[slot];
        return (f) => f.num[slot]!;
      }
      case 'field': {
        const slot = fieldSlot(e.name, scope);
        if (cat === 's') return (f) => f.rs[f.rb + slot];
        return (f) => f.rn[f.rb + slot]!;
      }
      case 'param': {
        const slot = this.paramSlots.get(e.name);
        if (slot === undefined) return bail(`parameter ${e.name}`);
        return (f) => f.params[slot];
      }
      case 'ref': {
        const letSlot = scope.lets?.get(e.name);
        const slot = letSlot ?? this.defSlots.get(e.name);
        if (slot === undefined) return bail(`name ${e.name}`);
        const evals = this.memoEvals;
        // Definitions and lets never read a field (no list scope when compiled), so the current
        // record, if any, needs no saving here.
        return (f) => {
          if (f.stamp[slot] === f.gen) return f.memo[slot];
          const v = evals[slot]!(f);
          f.memo[slot] = v;
          f.stamp[slot] = f.gen;
          return v;
        };
      }
      case 'if': {
        const c = this.bool(e.cond, scope);
        const t = this.any(e.then, scope, cat);
        const el = this.any(e.else, scope, cat);
        return (f) => {
          const cv = c(f);
          return cv === U_UNK ? unk : cv === U_TRUE ? t(f) : el(f);
        };
      }
      default:
        return undefined;
    }
  }

  str(e: Expr, scope: Scope): SEv {
    if (e.type === 'string') {
      const v = e.value;
      return () => v;
    }
    const c = this.common(e, scope, 's');
    if (c) return c as SEv;
    return bail(`string ${e.type}`);
  }

  num(e: Expr, scope: Scope): NEv {
    switch (e.type) {
      case 'number': {
        const v = e.value;
        return () => v;
      }
      case 'money': {
        const v = yuanToFen(e.yuan) ?? roundHalfAway(e.yuan * 100);
        return () => v;
      }
      case 'percent': {
        const v = e.value / 100;
        return () => v;
      }
      case 'date': {
        const v = parseDate(e.value);
        if (v === undefined) return bail('date literal');
        return () => v;
      }
      case 'asOf':
        return (f) => f.asOf;
      case 'neg': {
        const a = this.num(e.arg, scope);
        return (f) => -a(f);
      }
      case 'arith':
        return this.arith(e.op, e.left, e.right, scope);
      case 'call':
        return this.numCall(e, scope);
      case 'aggregate':
        return this.numAggregate(e, scope);
    }
    const c = this.common(e, scope, 'n');
    if (c) return c as NEv;
    return bail(`number ${e.type}`);
  }

  private arith(op: ArithOp, le: Expr, re: Expr, scope: Scope): NEv {
    const kl = this.kind(le, scope);
    const kr = re.type === 'duration' ? 'duration' : this.kind(re, scope);
    const l = this.num(le, scope);
    if (kl === 'date') {
      if (re.type === 'duration' && (op === '+' || op === '-')) {
        const amount = op === '+' ? re.amount : -re.amount;
        const unit = re.unit;
        return (f) => {
          const a = l(f);
          return a !== a ? NaN : shiftDate(a, amount, unit);
        };
      }
      if (kr === 'duration') return bail('date and a computed duration');
      const r = this.num(re, scope);
      if (kr === 'date' && op === '-') return (f) => l(f) - r(f);
      if (kr !== 'date' && (op === '+' || op === '-')) return op === '+' ? (f) => l(f) + r(f) : (f) => l(f) - r(f);
      return bail(`date ${op} ${kr}`);
    }
    if (kr === 'duration' || kl === 'duration') return bail('duration arithmetic');
    const r = this.num(re, scope);
    if (kl === 'money' && kr === 'money') {
      switch (op) {
        case '+':
          return (f) => l(f) + r(f);
        case '-':
          return (f) => l(f) - r(f);
        case '/':
          return (f) => {
            const a = l(f);
            const b = r(f);
            return b === 0 || a !== a ? NaN : a / b;
          };
        case '*':
          return bail('money * money');
      }
    }
    if (kl === 'money') {
      if (op === '*')
        return (f) => {
          const a = l(f);
          const b = r(f);
          return a !== a || b !== b ? NaN : mulMoney(a, b);
        };
      if (op === '/')
        return (f) => {
          const a = l(f);
          const b = r(f);
          return a !== a || b !== b || b === 0 ? NaN : divMoney(a, b);
        };
      return bail(`money ${op} number`);
    }
    if (kr === 'money') {
      if (op === '*')
        return (f) => {
          const a = l(f);
          const b = r(f);
          return a !== a || b !== b ? NaN : mulMoney(b, a);
        };
      return bail(`number ${op} money`);
    }
    if (kl === 'date' || kr === 'date') return bail('date arithmetic');
    switch (op) {
      case '+':
        return (f) => l(f) + r(f);
      case '-':
        return (f) => l(f) - r(f);
      case '*':
        return (f) => l(f) * r(f);
      case '/':
        return (f) => {
          const a = l(f);
          const b = r(f);
          return b === 0 || a !== a ? NaN : a / b;
        };
    }
  }

  private numCall(e: Extract<Expr, { type: 'call' }>, scope: Scope): NEv {
    switch (e.fn) {
      case 'min':
      case 'max': {
        const args = e.args.map((a) => this.num(a, scope));
        if (args.length === 0) return bail('min/max without arguments');
        const isMin = e.fn === 'min';
        return (f) => {
          let best = NaN;
          for (let i = 0; i < args.length; i++) {
            const v = args[i]!(f);
            if (v !== v) return NaN;
            if (i === 0) best = v;
            else if (isMin ? v - best < 0 : v - best > 0) best = v;
          }
          return best;
        };
      }
      case 'abs': {
        const a = this.num(e.args[0]!, scope);
        return (f) => Math.abs(a(f));
      }
      case 'round': {
        const arg = e.args[0]!;
        const a = this.num(arg, scope);
        if (this.kind(arg, scope) === 'money') return (f) => roundMoneyToYuan(a(f));
        return (f) => roundHalfAway(a(f));
      }
      case 'daysBetween':
      case 'workdaysBetween':
      case 'monthsBetween':
      case 'yearsBetween': {
        const d = this.leafSpan(e, scope);
        if (d) {
          const { fc, as, av, bs, bv } = d;
          return (f) => {
            const x = rd(f, as, av);
            const y = rd(f, bs, bv);
            return x !== x || y !== y ? NaN : span(fc, x, y);
          };
        }
        const days = { daysBetween, workdaysBetween: workdaysBetweenFast, monthsBetween, yearsBetween }[e.fn];
        const a = this.num(e.args[0]!, scope);
        const b = this.num(e.args[1]!, scope);
        return (f) => {
          const x = a(f);
          const y = b(f);
          return x !== x || y !== y ? NaN : days(x, y);
        };
      }
      default:
        return bail(`number call ${e.fn}`);
    }
  }

  bool(e: Expr, scope: Scope): BEv {
    switch (e.type) {
      case 'boolean': {
        const v = e.value ? U_TRUE : U_FALSE;
        return () => v;
      }
      case 'not': {
        const a = this.bool(e.arg, scope);
        return (f) => {
          const v = a(f);
          return v === U_UNK ? U_UNK : 1 - v;
        };
      }
      case 'and': {
        const args = e.args.map((a) => this.bool(a, scope));
        if (args.length === 2) {
          const [x, y] = args as [BEv, BEv];
          return (f) => {
            const a = x(f);
            if (a === U_FALSE) return U_FALSE;
            const b = y(f);
            return b === U_FALSE ? U_FALSE : a === U_UNK || b === U_UNK ? U_UNK : U_TRUE;
          };
        }
        return (f) => {
          let r = U_TRUE;
          for (let i = 0; i < args.length; i++) {
            const v = args[i]!(f);
            if (v === U_FALSE) return U_FALSE;
            if (v === U_UNK) r = U_UNK;
          }
          return r;
        };
      }
      case 'or': {
        const args = e.args.map((a) => this.bool(a, scope));
        if (args.length === 2) {
          const [x, y] = args as [BEv, BEv];
          return (f) => {
            const a = x(f);
            if (a === U_TRUE) return U_TRUE;
            const b = y(f);
            return b === U_TRUE ? U_TRUE : a === U_UNK || b === U_UNK ? U_UNK : U_FALSE;
          };
        }
        return (f) => {
          let r = U_FALSE;
          for (let i = 0; i < args.length; i++) {
            const v = args[i]!(f);
            if (v === U_TRUE) return U_TRUE;
            if (v === U_UNK) r = U_UNK;
          }
          return r;
        };
      }
      case 'compare':
        return this.compare(e.op, e.left, e.right, scope);
      case 'in': {
        const opts = e.options.map((o) => this.compare('==', e.value, o, scope));
        const hitV = e.negated ? U_FALSE : U_TRUE;
        const missV = e.negated ? U_TRUE : U_FALSE;
        return (f) => {
          let unk = false;
          for (let i = 0; i < opts.length; i++) {
            const c = opts[i]!(f);
            if (c === U_TRUE) return hitV;
            if (c === U_UNK) unk = true;
          }
          return unk ? U_UNK : missV;
        };
      }
      case 'between': {
        const lowC = this.compare(e.lowInclusive ? '<=' : '<', e.low, e.value, scope);
        const highC = this.compare(e.highInclusive ? '<=' : '<', e.value, e.high, scope);
        return (f) => {
          const a = lowC(f);
          if (a === U_FALSE) return U_FALSE;
          const b = highC(f);
          if (b === U_FALSE) return U_FALSE;
          return a === U_UNK || b === U_UNK ? U_UNK : U_TRUE;
        };
      }
      case 'call': {
        if (e.fn !== 'known') return bail(`boolean call ${e.fn}`);
        const a = e.args[0];
        if (!a) return bail('known() without argument');
        if (a.type === 'fact') {
          const slot = this.factSlot(a.name);
          const kind = this.ir.facts[slot]!.type.kind;
          if (kind === 'list') return (f) => (f.lists[slot] !== undefined ? U_TRUE : U_FALSE);
        }
        const cat = this.cat(a, scope);
        const x = this.any(a, scope, cat);
        if (cat === 'n')
          return (f) => {
            const v = x(f) as number;
            return v !== v ? U_FALSE : U_TRUE;
          };
        if (cat === 's') return (f) => (x(f) === undefined ? U_FALSE : U_TRUE);
        return (f) => (x(f) === U_UNK ? U_FALSE : U_TRUE);
      }
      case 'aggregate':
        return this.boolAggregate(e, scope);
    }
    const c = this.common(e, scope, 'b');
    if (c) return c as BEv;
    return bail(`boolean ${e.type}`);
  }

  /** A comparison; both sides evaluated (as the reference) before deciding. */
  private compare(op: CompareOp, le: Expr, re: Expr, scope: Scope): BEv {
    const test = TESTS[op];
    // A duration compares only as a days count, and only a literal one here.
    const dur = (e: Expr): NEv | undefined => {
      if (e.type !== 'duration') return undefined;
      if (e.unit !== 'days') return bail('non-day duration compared');
      const v = e.amount;
      return () => v;
    };
    const ld = dur(le);
    const rd = dur(re);
    if (ld || rd) {
      const l = ld ?? this.num(le, scope);
      const r = rd ?? this.num(re, scope);
      const kl = ld ? 'number' : this.kind(le, scope);
      const kr = rd ? 'number' : this.kind(re, scope);
      if (!isMagnitude(kl) || !isMagnitude(kr)) return bail('duration compared with a non-number');
      return numCompare(op, l, r);
    }
    const kl = this.kind(le, scope);
    const kr = this.kind(re, scope);
    const cl = catOf(kl);
    const cr = catOf(kr);
    if (cl !== cr) return bail(`compare ${kl} with ${kr}`);
    if (cl === 'n') {
      // money only with money, date only with date; the rest are magnitudes.
      if ((kl === 'money') !== (kr === 'money') || (kl === 'date') !== (kr === 'date')) return bail(`compare ${kl} with ${kr}`);
      return this.leafCompare(op, le, re, scope) ?? this.numCompare(op, le, re, scope);
    }
    if (cl === 's') {
      const l = this.str(le, scope);
      const r = this.str(re, scope);
      return (f) => {
        const a = l(f);
        const b = r(f);
        if (a === undefined || b === undefined) return U_UNK;
        return test(a < b ? -1 : a > b ? 1 : 0) ? U_TRUE : U_FALSE;
      };
    }
    const l = this.bool(le, scope);
    const r = this.bool(re, scope);
    return (f) => {
      const a = l(f);
      const b = r(f);
      if (a === U_UNK || b === U_UNK) return U_UNK;
      return test(a - b) ? U_TRUE : U_FALSE;
    };
  }

  /**
   * A number read without a call: a numeric fact, parameter, literal or the as-of date, as
   * (source, slot or value) for `rd`; undefined for anything else.
   */
  private leaf(e: Expr, scope: Scope): { src: number; v: number } | undefined {
    switch (e.type) {
      case 'fact': {
        const slot = this.factSlots.get(e.name);
        return slot !== undefined && catOf(this.kind(e, scope)) === 'n' ? { src: SRC_FACT, v: slot } : undefined;
      }
      case 'param': {
        const slot = this.paramSlots.get(e.name);
        return slot !== undefined && this.paramCats[slot] === 'n' ? { src: SRC_PARAM, v: slot } : undefined;
      }
      case 'number':
      case 'money':
      case 'percent':
      case 'date':
        return { src: SRC_CONST, v: this.num(e, scope)(undefined as unknown as F) };
      case 'asOf':
        return { src: SRC_AS_OF, v: 0 };
      default:
        return undefined;
    }
  }

  /** A days/workdays/months/years-between call over two leaves, or undefined. */
  private leafSpan(e: Expr, scope: Scope): { fc: number; as: number; av: number; bs: number; bv: number } | undefined {
    if (e.type !== 'call' || e.args.length !== 2) return undefined;
    const fc = SPAN_CODE[e.fn];
    if (fc === undefined) return undefined;
    const a = this.leaf(e.args[0]!, scope);
    const b = this.leaf(e.args[1]!, scope);
    return a && b ? { fc, as: a.src, av: a.v, bs: b.src, bv: b.v } : undefined;
  }

  /**
   * Two numbers compared. Leaves are read in place, and a span call (`workdaysBetween(a, b) > p`,
   * the commonest deadline rule) is fused with its comparison: no calls for the operands.
   */
  private numCompare(op: CompareOp, le: Expr, re: Expr, scope: Scope): BEv {
    const opc = OP_CODE[op];
    const r = this.leaf(re, scope);
    if (!r) return numCompare(op, this.num(le, scope), this.num(re, scope));
    const rs = r.src;
    const rv = r.v;
    const l = this.leaf(le, scope);
    if (l) {
      const ls = l.src;
      const lv = l.v;
      return (f) => {
        const a = rd(f, ls, lv);
        const b = rd(f, rs, rv);
        if (a !== a || b !== b) return U_UNK;
        return testOp(opc, a - b) ? U_TRUE : U_FALSE;
      };
    }
    const d = this.leafSpan(le, scope);
    if (d) {
      const { fc, as, av, bs, bv } = d;
      return (f) => {
        const x = rd(f, as, av);
        const y = rd(f, bs, bv);
        const b = rd(f, rs, rv);
        if (x !== x || y !== y || b !== b) return U_UNK;
        return testOp(opc, span(fc, x, y) - b) ? U_TRUE : U_FALSE;
      };
    }
    const lf = this.num(le, scope);
    return (f) => {
      const a = lf(f);
      const b = rd(f, rs, rv);
      if (a !== a || b !== b) return U_UNK;
      return testOp(opc, a - b) ? U_TRUE : U_FALSE;
    };
  }

  /**
   * A field or fact compared with a parameter or a literal, the commonest condition (inside
   * aggregates, once per record): one closure reading both slots, no calls for the operands.
   */
  private leafCompare(op: CompareOp, le: Expr, re: Expr, scope: Scope): BEv | undefined {
    const opc = OP_CODE[op];
    let right: { param: number } | { value: number } | undefined;
    if (re.type === 'param') right = { param: this.paramSlots.get(re.name) ?? bail(`parameter ${re.name}`) };
    else if (re.type === 'number' || re.type === 'money' || re.type === 'percent') {
      const v = this.num(re, scope)(undefined as unknown as F);
      right = { value: v };
    } else return undefined;
    if (le.type === 'field') {
      const fs = fieldSlot(le.name, scope);
      if ('param' in right) {
        const ps = right.param;
        return (f) => {
          const a = f.rn[f.rb + fs]!;
          const b = f.params[ps] as number;
          if (a !== a || b !== b) return U_UNK;
          return testOp(opc, a - b) ? U_TRUE : U_FALSE;
        };
      }
      const b = right.value;
      return (f) => {
        const a = f.rn[f.rb + fs]!;
        if (a !== a) return U_UNK;
        return testOp(opc, a - b) ? U_TRUE : U_FALSE;
      };
    }
    if (le.type === 'fact') {
      const fs = this.factSlot(le.name);
      if ('param' in right) {
        const ps = right.param;
        return (f) => {
          const a = f.num[fs]!;
          const b = f.params[ps] as number;
          if (a !== a || b !== b) return U_UNK;
          return testOp(opc, a - b) ? U_TRUE : U_FALSE;
        };
      }
      const b = right.value;
      return (f) => {
        const a = f.num[fs]!;
        if (a !== a) return U_UNK;
        return testOp(opc, a - b) ? U_TRUE : U_FALSE;
      };
    }
    return undefined;
  }

  private recordScope(e: Extract<Expr, { type: 'aggregate' }>, scope: Scope): Scope {
    const typeCtx: EvalContext = { shared: scope.typeCtx.shared, rule: scope.typeCtx.rule, record: { list: e.list, index: -1, fields: {} } };
    const fields = this.listFields.get(e.list);
    if (!fields) return bail(`${e.list} is not a list`);
    return { typeCtx, lets: scope.lets, fields };
  }

  factSlot(name: string): number {
    const slot = this.factSlots.get(name);
    return slot === undefined ? bail(`fact ${name}`) : slot;
  }

  private boolAggregate(e: Extract<Expr, { type: 'aggregate' }>, scope: Scope): BEv {
    const fn: AggregateFn = e.fn;
    if (fn !== 'any' && fn !== 'all') return bail(`boolean aggregate ${fn}`);
    const rs = this.recordScope(e, scope);
    const where = e.where ? this.bool(e.where, rs) : undefined;
    const value = e.value ? this.bool(e.value, rs) : undefined;
    const list = this.factSlot(e.list);
    if (fn === 'any') {
      return (f) => {
        const l = f.lists[list];
        if (l === undefined) return U_UNK;
        const sn = f.rn;
        const ss = f.rs;
        const sb = f.rb;
        f.rn = l.num;
        f.rs = l.str;
        let unk = false;
        let out = U_FALSE;
        for (let i = 0, len = l.n, lw = l.w; i < len; i++) {
          f.rb = i * lw;
          const w = where ? where(f) : U_TRUE;
          let each = w;
          if (value && w !== U_FALSE) {
            const v = value(f);
            each = v === U_FALSE ? U_FALSE : w === U_UNK || v === U_UNK ? U_UNK : U_TRUE;
          }
          if (each === U_TRUE) {
            out = U_TRUE;
            break;
          }
          if (each === U_UNK) unk = true;
        }
        f.rn = sn;
        f.rs = ss;
        f.rb = sb;
        return out === U_TRUE ? U_TRUE : unk ? U_UNK : U_FALSE;
      };
    }
    return (f) => {
      const l = f.lists[list];
      if (l === undefined) return U_UNK;
      const sn = f.rn;
      const ss = f.rs;
      const sb = f.rb;
      f.rn = l.num;
      f.rs = l.str;
      let unk = false;
      let out = U_TRUE;
      for (let i = 0, len = l.n, lw = l.w; i < len; i++) {
        f.rb = i * lw;
        const w = where ? where(f) : U_TRUE;
        let each = w;
        if (value) {
          if (w === U_FALSE) each = U_TRUE;
          else {
            const v = value(f);
            each = v === U_TRUE ? U_TRUE : w === U_UNK || v === U_UNK ? U_UNK : U_FALSE;
          }
        }
        if (each === U_FALSE) {
          out = U_FALSE;
          break;
        }
        if (each === U_UNK) unk = true;
      }
      f.rn = sn;
        f.rs = ss;
        f.rb = sb;
      return out === U_FALSE ? U_FALSE : unk ? U_UNK : U_TRUE;
    };
  }

  private numAggregate(e: Extract<Expr, { type: 'aggregate' }>, scope: Scope): NEv {
    const fn: AggregateFn = e.fn;
    const rs = this.recordScope(e, scope);
    const where = e.where ? this.bool(e.where, rs) : undefined;
    const list = this.factSlot(e.list);
    if (fn === 'count' || (fn === 'ratio' && !e.value)) {
      const isRatio = fn === 'ratio';
      return (f) => {
        const l = f.lists[list];
        if (l === undefined) return NaN;
        const sn = f.rn;
        const ss = f.rs;
        const sb = f.rb;
        f.rn = l.num;
        f.rs = l.str;
        let unk = false;
        let n = 0;
        for (let i = 0, len = l.n, lw = l.w; i < len; i++) {
          f.rb = i * lw;
          const w = where ? where(f) : U_TRUE;
          if (w === U_UNK) unk = true;
          else if (w === U_TRUE) n++;
        }
        f.rn = sn;
        f.rs = ss;
        f.rb = sb;
        if (unk) return NaN;
        if (!isRatio) return n;
        return l.n === 0 ? NaN : n / l.n;
      };
    }
    if (fn === 'any' || fn === 'all' || !e.value) return bail(`number aggregate ${fn}`);
    const vk = this.kind(e.value, rs);
    if (catOf(vk) !== 'n') return bail(`${fn} of ${vk}`);
    if (fn === 'ratio' && vk === 'date') return bail('ratio of dates');
    const value = this.num(e.value, rs);
    if (fn === 'ratio') {
      return (f) => {
        const l = f.lists[list];
        if (l === undefined) return NaN;
        const sn = f.rn;
        const ss = f.rs;
        const sb = f.rb;
        f.rn = l.num;
        f.rs = l.str;
        let unk = false;
        let part = 0;
        let whole = 0;
        for (let i = 0, len = l.n, lw = l.w; i < len; i++) {
          f.rb = i * lw;
          const w = where ? where(f) : U_TRUE;
          const v = value(f);
          if (w === U_UNK) unk = true;
          if (v !== v) unk = true;
          else {
            whole += v;
            if (w === U_TRUE) part += v;
          }
        }
        f.rn = sn;
        f.rs = ss;
        f.rb = sb;
        if (unk || whole === 0) return NaN;
        return part / whole;
      };
    }
    if ((fn === 'sum' || fn === 'avg') && vk === 'date') return bail(`${fn} of dates`);
    const moneyAvg = vk === 'money';
    return (f) => {
      const l = f.lists[list];
      if (l === undefined) return NaN;
      const sn = f.rn;
      const ss = f.rs;
      const sb = f.rb;
      f.rn = l.num;
      f.rs = l.str;
      let unk = false;
      let n = 0;
      let acc = 0;
      for (let i = 0, len = l.n, lw = l.w; i < len; i++) {
        f.rb = i * lw;
        const w = where ? where(f) : U_TRUE;
        if (w === U_FALSE) continue;
        if (w === U_UNK) unk = true;
        const v = value(f);
        if (v !== v) unk = true;
        else if (w === U_TRUE) {
          if (n === 0) acc = v;
          else if (fn === 'sum' || fn === 'avg') acc += v;
          else if (fn === 'min' ? v - acc < 0 : v - acc > 0) acc = v;
          n++;
        }
      }
      f.rn = sn;
        f.rs = ss;
        f.rb = sb;
      if (unk) return NaN;
      if (fn === 'sum') return n === 0 ? 0 : acc;
      if (n === 0) return NaN;
      if (fn === 'avg') return moneyAvg ? roundHalfAway(acc / n) : acc / n;
      return acc;
    };
  }
}

function fieldSlot(name: string, scope: Scope): number {
  const slot = scope.fields?.get(name);
  return slot === undefined ? bail(`field ${name} outside an aggregate`) : slot;
}

function isMagnitude(k: string | undefined): boolean {
  return k === 'number' || k === 'integer' || k === 'percent';
}

const SRC_FACT = 0;
const SRC_PARAM = 1;
const SRC_CONST = 2;
const SRC_AS_OF = 3;

/** A leaf number (see `FastCompiler.leaf`); one small function so every closure can inline it. */
function rd(f: F, src: number, v: number): number {
  switch (src) {
    case SRC_FACT:
      return f.num[v]!;
    case SRC_PARAM:
      return f.params[v] as number;
    case SRC_AS_OF:
      return f.asOf;
    default:
      return v;
  }
}

const SPAN_CODE: Partial<Record<string, number>> = { daysBetween: 0, workdaysBetween: 1, monthsBetween: 2, yearsBetween: 3 };

/** daysBetween, workdaysBetween, monthsBetween or yearsBetween by code, on known day numbers. */
function span(fc: number, a: number, b: number): number {
  switch (fc) {
    case 0:
      return daysBetween(a, b);
    case 1:
      return workdaysBetweenFast(a, b);
    case 2:
      return monthsBetween(a, b);
    default:
      return yearsBetween(a, b);
  }
}

const OP_CODE: Record<CompareOp, number> = { '==': 0, '!=': 1, '<': 2, '<=': 3, '>': 4, '>=': 5 };

/** One function for every operator, so closures can inline it (a per-operator function would not be). */
function testOp(opc: number, c: number): boolean {
  switch (opc) {
    case 0:
      return c === 0;
    case 1:
      return c !== 0;
    case 2:
      return c < 0;
    case 3:
      return c <= 0;
    case 4:
      return c > 0;
    default:
      return c >= 0;
  }
}

function numCompare(op: CompareOp, l: NEv, r: NEv): BEv {
  const opc = OP_CODE[op];
  return (f) => {
    const a = l(f);
    const b = r(f);
    if (a !== a || b !== b) return U_UNK;
    return testOp(opc, a - b) ? U_TRUE : U_FALSE;
  };
}

// ---------------------------------------------------------------------------------------------
// Facts: check and unbox in one pass, accepting exactly what ./facts.ts accepts.

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Days before month m (1–12) in a common year. */
const DAYS_BEFORE_MONTH = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
const FIRST_TABLE_YEAR = 1900;
const LAST_TABLE_YEAR = 2199;
/** Day number of 1 January of each year FIRST_TABLE_YEAR … LAST_TABLE_YEAR + 1 (the +1 gives each year's length). */
const JAN_FIRST = Int32Array.from({ length: LAST_TABLE_YEAR - FIRST_TABLE_YEAR + 2 }, (_, i) => daysFromCivil(FIRST_TABLE_YEAR + i, 1, 1));

/** Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil), for y ≥ 1. */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/**
 * `YYYY-MM-DD` to a day number by character codes, as `parseDate` (same dates accepted, same day
 * numbers: the proleptic Gregorian count Date.UTC uses), without a regular expression; years of
 * the table by lookup. Years before 100 go through Date.UTC's two-digit-year mapping there; they
 * are left to the validator.
 */
export function fastDay(raw: string): number | undefined {
  if (raw.length !== 10 || raw.charCodeAt(4) !== 45 || raw.charCodeAt(7) !== 45) return undefined;
  // `>>> 0` turns a character below '0' into a large number, so one `> 9` test rejects both sides.
  const d0 = (raw.charCodeAt(0) - 48) >>> 0;
  const d1 = (raw.charCodeAt(1) - 48) >>> 0;
  const d2 = (raw.charCodeAt(2) - 48) >>> 0;
  const d3 = (raw.charCodeAt(3) - 48) >>> 0;
  const m0 = (raw.charCodeAt(5) - 48) >>> 0;
  const m1 = (raw.charCodeAt(6) - 48) >>> 0;
  const a0 = (raw.charCodeAt(8) - 48) >>> 0;
  const a1 = (raw.charCodeAt(9) - 48) >>> 0;
  if (d0 > 9 || d1 > 9 || d2 > 9 || d3 > 9 || m0 > 9 || m1 > 9 || a0 > 9 || a1 > 9) return undefined;
  const y = d0 * 1000 + d1 * 100 + d2 * 10 + d3;
  const m = m0 * 10 + m1;
  const d = a0 * 10 + a1;
  if (y < 100 || m < 1 || m > 12 || d < 1) return undefined;
  if (d > DAYS_IN_MONTH[m]! && !(m === 2 && d === 29 && isLeapYear(y))) return undefined;
  if (y < FIRST_TABLE_YEAR || y > LAST_TABLE_YEAR) return daysFromCivil(y, m, d);
  const jan1 = JAN_FIRST[y - FIRST_TABLE_YEAR]!;
  const leapDay = m > 2 && JAN_FIRST[y - FIRST_TABLE_YEAR + 1]! - jan1 === 366 ? 1 : 0;
  return jan1 + DAYS_BEFORE_MONTH[m]! + leapDay + d - 1;
}

// Type codes of facts and fields: one `switch` reads every kind (no per-kind closure to call).
const T_BOOL = 1;
const T_INT = 2;
const T_NUM = 3;
const T_PCT = 4;
const T_MONEY = 5;
const T_DATE = 6;
const T_STR = 7;
const T_ENUM = 8;
const T_LIST = 9;

function typeCode(d: FactDecl): number {
  switch (d.type.kind) {
    case 'boolean':
      return T_BOOL;
    case 'integer':
      return T_INT;
    case 'number':
      return T_NUM;
    case 'percent':
      return T_PCT;
    case 'money':
      return T_MONEY;
    case 'date':
      return T_DATE;
    case 'string':
      return T_STR;
    case 'enum':
      return T_ENUM;
    case 'list':
      return T_LIST;
  }
}

/**
 * A number, date or boolean as its unboxed number, or NaN where the validator must judge it.
 * Dispatches on the value's JavaScript type first: each branch then has one or two kinds to check.
 */
function numCell(t: number, x: unknown): number {
  if (typeof x === 'number') {
    switch (t) {
      case T_MONEY:
        return moneyCell(x);
      case T_INT:
        return (x | 0) === x || Number.isInteger(x) ? x : NaN;
      case T_NUM:
        return x - x === 0 ? x : NaN; // finite
      case T_PCT:
        return x - x === 0 ? x / 100 : NaN;
      default:
        return NaN;
    }
  }
  if (typeof x === 'string') {
    if (t === T_DATE) {
      const day = fastDay(x);
      return day === undefined ? NaN : day;
    }
    return t === T_MONEY ? moneyCell(x) : NaN;
  }
  if (x === true) return t === T_BOOL ? U_TRUE : NaN;
  if (x === false) return t === T_BOOL ? U_FALSE : NaN;
  return NaN;
}

function moneyCell(x: unknown): number {
  const v = moneyFen(x);
  return v === UNSURE ? NaN : v;
}

const OBJECT_PROTO = Object.prototype;

/**
 * A plain object (prototype Object.prototype), the shape JSON gives. Its own enumerable keys are
 * then all its keys that `for…in` sees and that a property read finds; anything else is left to the
 * validator.
 */
function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === OBJECT_PROTO;
}

/**
 * The slots of an object's keys, read in one `for…in` loop with the loop's own key (V8's fast path
 * for `obj[k]`), key → slot by a cache per key position (objects of one shape list their keys in
 * the same order, and the keys are the same interned strings, compared by identity) backed by a Map.
 */
class Shape {
  readonly keys: (string | undefined)[];
  readonly slots: Int32Array;
  readonly types: Int8Array;
  /** Missing values per slot: NaN, or 2 (unknown) for a boolean. */
  readonly blank: Float64Array;
  readonly enums: (ReadonlySet<string> | undefined)[];
  readonly hasStr: boolean;

  constructor(readonly decls: readonly FactDecl[]) {
    const n = decls.length;
    this.keys = new Array<string | undefined>(n + 1).fill(undefined);
    this.slots = new Int32Array(n + 1);
    this.types = Int8Array.from(decls.map(typeCode));
    this.blank = Float64Array.from(decls.map((d) => (d.type.kind === 'boolean' ? U_UNK : NaN)));
    this.enums = decls.map((d) => (d.type.kind === 'enum' ? new Set(d.type.values.map((v) => v.value)) : undefined));
    this.hasStr = decls.some((d) => d.type.kind === 'string' || d.type.kind === 'enum');
    this.map = new Map(decls.map((d, i) => [d.name, i]));
  }

  private readonly map: ReadonlyMap<string, number>;

  /** Slot of key `k` at position `pos`, or -1 for an undeclared key. */
  slot(k: string, pos: number): number {
    if (this.keys[pos] === k) return this.slots[pos]!;
    const s = this.map.get(k);
    if (s === undefined) return -1;
    if (pos < this.slots.length) {
      this.keys[pos] = k;
      this.slots[pos] = s;
    }
    return s;
  }
}

/**
 * The unboxer of a policy's facts, into buffers reused for every record (see `UFacts`). Throws
 * `Bail` for declarations it does not cover: lists of lists, and names that are also properties of
 * Object.prototype (a property read finds those on every object; `for…in` does not).
 */
function compileUnboxer(decls: readonly FactDecl[]): (input: unknown) => UFacts | undefined {
  for (const d of decls) {
    if (d.name in OBJECT_PROTO) bail(`fact named ${d.name}`);
    if (d.type.kind !== 'list') continue;
    for (const x of d.type.fields) {
      if (x.name in OBJECT_PROTO) bail(`field named ${x.name}`);
      if (x.type.kind === 'list') bail('list of lists');
    }
  }
  const top = new Shape(decls);
  const n = decls.length;
  const lists = decls.map((d) => (d.type.kind === 'list' ? new Shape(d.type.fields) : undefined));
  const strSlots = decls.flatMap((d, i) => (d.type.kind === 'string' || d.type.kind === 'enum' ? [i] : []));
  const listSlots = decls.flatMap((d, i) => (d.type.kind === 'list' ? [i] : []));
  const bufs = decls.map((d): UList | undefined =>
    d.type.kind === 'list' ? { n: 0, w: d.type.fields.length, num: new Float64Array(16 * d.type.fields.length), str: [] } : undefined,
  );
  const u: UFacts = { num: new Float64Array(n), str: new Array<string | undefined>(n).fill(undefined), lists: new Array<UList | undefined>(n).fill(undefined), stamp: 0 };
  const EMPTY_INPUT = {};

  const readList = (raw: unknown, slot: number): boolean => {
    if (!Array.isArray(raw)) return false;
    const shape = lists[slot]!;
    const l = bufs[slot]!;
    const len = raw.length;
    const w = l.w;
    if (l.num.length < len * w) l.num = new Float64Array(Math.max(len * w, l.num.length * 2));
    const num = l.num;
    const str = l.str;
    const blank = shape.blank;
    const types = shape.types;
    const hasStr = shape.hasStr;
    for (let i = 0; i < len; i++) {
      const rec: unknown = raw[i];
      if (!isPlainObject(rec)) return false;
      const base = i * w;
      for (let j = 0; j < w; j++) num[base + j] = blank[j]!;
      if (hasStr) for (let j = 0; j < w; j++) str[base + j] = undefined;
      let pos = 0;
      for (const k in rec) {
        const s = shape.slot(k, pos++);
        if (s < 0) return false;
        const x = rec[k];
        if (x === null || x === undefined) continue;
        const t = types[s]!;
        if (t === T_STR || t === T_ENUM) {
          if (typeof x !== 'string' || (t === T_ENUM && !shape.enums[s]!.has(x))) return false;
          str[base + s] = x;
          continue;
        }
        const v = numCell(t, x);
        if (v !== v) return false;
        num[base + s] = v;
      }
    }
    l.n = len;
    u.lists[slot] = l;
    return true;
  };

  return (input) => {
    if (input === null || input === undefined) input = EMPTY_INPUT;
    if (!isPlainObject(input)) return undefined;
    // The buffers are about to change: whoever held them for another record must unbox again.
    u.stamp++;
    u.num.set(top.blank);
    for (let i = 0; i < strSlots.length; i++) u.str[strSlots[i]!] = undefined;
    for (let i = 0; i < listSlots.length; i++) u.lists[listSlots[i]!] = undefined;
    const types = top.types;
    let pos = 0;
    for (const k in input) {
      const s = top.slot(k, pos++);
      if (s < 0) return undefined;
      const x = input[k];
      if (x === null || x === undefined) continue;
      const t = types[s]!;
      if (t === T_LIST) {
        if (!readList(x, s)) return undefined;
        continue;
      }
      if (t === T_STR || t === T_ENUM) {
        if (typeof x !== 'string' || (t === T_ENUM && !top.enums[s]!.has(x))) return undefined;
        u.str[s] = x;
        continue;
      }
      const v = numCell(t, x);
      if (v !== v) return undefined;
      u.num[s] = v;
    }
    return u;
  };
}

// ---------------------------------------------------------------------------------------------

export interface FastJudge {
  /** Unboxed facts for input surely valid, or undefined (then take the boxed path). */
  unbox(facts: unknown): UFacts | undefined;
  /** Raw verdicts (before exceptions) into `out`: 0 not fired, 1 fired, 2 undetermined. */
  judge(facts: UFacts, asOfDay: number, params: readonly Value[], out: Uint8Array): void;
  /**
   * Computed value `k` of rule `rule` on the facts last judged (call before the next `judge`),
   * boxed as the reference gives it; undefined when it is unknown (the reference also says which
   * facts were missing) or not covered here: then evaluate it on the boxed path.
   */
  computed(rule: number, k: number): Value | undefined;
  /** Whether fact `slot` is absent (or null) in `facts`. */
  absent(facts: UFacts, slot: number): boolean;
}

/** An unboxed value as the boxed value of static kind `kind`, or undefined when unknown. */
function boxU(v: U, kind: string | undefined): Value | undefined {
  switch (kind) {
    case 'boolean':
      return v === U_UNK ? undefined : { kind: 'boolean', value: v === U_TRUE };
    case 'string':
    case 'enum':
      return v === undefined ? undefined : { kind: 'string', value: v as string };
  }
  const n = v as number;
  if (n !== n) return undefined;
  switch (kind) {
    case 'money':
      return { kind: 'money', fen: n };
    case 'percent':
      return { kind: 'percent', ratio: n };
    case 'date':
      return { kind: 'date', day: n };
    case 'number':
    case 'integer':
      return { kind: 'number', value: n };
    default:
      return undefined;
  }
}

/**
 * Unboxed verdicts for a policy, or undefined when the policy uses something not covered here.
 * `params` passed to `judge` are the boxed parameter values of the as-of date (cached by the caller);
 * their unboxed form is cached here by identity.
 */
export function compileFast(ir: PolicyIR, rootCtx: EvalContext): FastJudge | undefined {
  let c: FastCompiler;
  let whens: BEv[];
  let unbox: (input: unknown) => UFacts | undefined;
  try {
    c = new FastCompiler(ir, rootCtx);
    whens = ir.rules.map((r) => c.ruleWhen(r));
    unbox = compileUnboxer(ir.facts);
  } catch (e) {
    if (e instanceof Bail) return undefined;
    throw e;
  }
  // Computed values one by one: one not covered is evaluated boxed, the rest of the policy stays unboxed.
  const computedEvs = ir.rules.map((r, i) =>
    r.then.computed.map((cv) => {
      const scope = c.ruleScopes[i]!;
      try {
        const kind = staticKind(cv.expr, scope.typeCtx);
        return { kind, ev: c.any(cv.expr, scope, catOf(kind)) };
      } catch (e) {
        if (e instanceof Bail) return undefined;
        throw e;
      }
    }),
  );
  const paramCats = c.paramCats;
  const none = new Float64Array(0);
  const frame: F = {
    num: none,
    str: [],
    lists: [],
    rn: none,
    rs: [],
    rb: 0,
    asOf: 0,
    params: [],
    memo: new Array<U>(c.slotCount),
    stamp: new Int32Array(c.slotCount),
    gen: 0,
  };
  let lastBoxed: readonly Value[] | undefined;
  let lastUnboxed: readonly U[] = [];
  const judge = (facts: UFacts, asOfDay: number, params: readonly Value[], out: Uint8Array): void => {
    if (params !== lastBoxed) {
      lastUnboxed = params.map((p, i) => unboxValue(p, paramCats[i]!));
      lastBoxed = params;
    }
    const f = frame;
    f.num = facts.num;
    f.str = facts.str;
    f.lists = facts.lists;
    f.asOf = asOfDay;
    f.params = lastUnboxed;
    // A new generation invalidates every memo slot without clearing it.
    f.gen = (f.gen + 1) | 0;
    if (f.gen === 0) {
      f.stamp.fill(-1);
      f.gen = 1;
    }
    for (let i = 0; i < whens.length; i++) out[i] = whens[i]!(f);
  };
  const computed = (rule: number, k: number): Value | undefined => {
    const cv = computedEvs[rule]![k];
    return cv === undefined ? undefined : boxU(cv.ev(frame), cv.kind);
  };
  const codes = ir.facts.map(typeCode);
  const absent = (u: UFacts, slot: number): boolean => {
    switch (codes[slot]) {
      case T_LIST:
        return u.lists[slot] === undefined;
      case T_STR:
      case T_ENUM:
        return u.str[slot] === undefined;
      case T_BOOL:
        return u.num[slot] === U_UNK;
      default: {
        const v = u.num[slot]!;
        return v !== v;
      }
    }
  };
  return { unbox, judge, computed, absent };
}
