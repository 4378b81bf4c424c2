/**
 * The reference interpreter: walks IR expressions over normalized facts with three-valued
 * (Kleene) logic. A missing fact is `Unknown`, which propagates through arithmetic and comparisons
 * and is absorbed only where the answer does not depend on it (`false and ?`, `true or ?`, an
 * `any` with another record true, an `all` with another record false).
 */
import type { Definition, Expr, FactDecl, ParameterDecl, PolicyIR, RuleIR, ScalarKind } from '../ir/types.ts';
import { envForPolicy, typeOf, type TypeEnv } from '../ir/typecheck.ts';
import { parseDurationValue } from '../ir/duration.ts';
import type { NormalizedFacts } from '../facts/validate.ts';
import { MSG } from '../messages.ts';
import {
  abs,
  arith,
  bool,
  compare,
  daysBetween,
  divisionByZero,
  extreme,
  fenToYuan,
  formatDate,
  isUnknown,
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
  workdaysBetween,
  yearsBetween,
  yuanToFen,
  type Known,
  type Value,
} from '../values/index.ts';

function bug(what: string): never {
  throw new Error(`engine bug: ${what}`);
}

const PENDING: Value = { kind: 'unknown', missing: ['<cycle>'], reasons: [] };

/** Shared by every rule of one evaluation: definitions are evaluated at most once. */
interface Shared {
  ir: PolicyIR;
  facts: NormalizedFacts;
  asOf: number;
  asOfText: string;
  defs: ReadonlyMap<string, Definition>;
  params: ReadonlyMap<string, ParameterDecl>;
  lists: ReadonlyMap<string, FactDecl>;
  defMemo: Map<string, Value>;
  ruleScopes: Map<string, EvalContext>;
  /** Static types, for the zero of an empty sum and for showing computed values. */
  typeEnv?: TypeEnv;
}

export interface EvalContext {
  readonly shared: Shared;
  /** The rule whose `let`s are in scope (and hide definitions of the same name). */
  readonly rule?: { rule: RuleIR; lets: ReadonlyMap<string, Definition>; memo: Map<string, Value>; typeEnv?: TypeEnv };
  /** The current record inside an aggregate. */
  readonly record?: { list: string; index: number; fields: Record<string, Value> };
}

/** A fresh context for one evaluation of `ir` (the resolved, merged policy) on `asOf` (YYYY-MM-DD). */
export function createContext(ir: PolicyIR, facts: NormalizedFacts, asOf: string): EvalContext {
  const day = parseDate(asOf);
  if (day === undefined) bug(`as-of date ${asOf} is not a date`);
  const lists = new Map<string, FactDecl>();
  for (const f of ir.facts) if (f.type.kind === 'list') lists.set(f.name, f);
  return {
    shared: {
      ir,
      facts,
      asOf: day,
      asOfText: asOf,
      defs: new Map(ir.definitions.map((d) => [d.name, d])),
      params: new Map(ir.parameters.map((p) => [p.name, p])),
      lists,
      defMemo: new Map(),
      ruleScopes: new Map(),
    },
  };
}

/** The context for evaluating a rule's condition and computed values (its lets in scope). */
export function ruleContext(ctx: EvalContext, rule: RuleIR): EvalContext {
  const cached = ctx.shared.ruleScopes.get(rule.id);
  if (cached && cached.rule?.rule === rule) return cached;
  const scoped: EvalContext = {
    shared: ctx.shared,
    rule: { rule, lets: new Map(rule.lets.map((l) => [l.name, l])), memo: new Map() },
  };
  ctx.shared.ruleScopes.set(rule.id, scoped);
  return scoped;
}

/** The static type kind of an expression in this context (integer/number/percent/money/…). */
export function staticKind(e: Expr, ctx: EvalContext): ScalarKind | 'enum' | 'list' | 'duration' | undefined {
  try {
    let env: TypeEnv;
    if (ctx.rule) {
      ctx.rule.typeEnv ??= envForPolicy(ctx.shared.ir, ctx.rule.rule);
      env = ctx.rule.typeEnv;
    } else {
      ctx.shared.typeEnv ??= envForPolicy(ctx.shared.ir);
      env = ctx.shared.typeEnv;
    }
    if (ctx.record) {
      const decl = ctx.shared.lists.get(ctx.record.list);
      const fields = decl && decl.type.kind === 'list' ? decl.type.fields : [];
      env = { ...env, record: { list: ctx.record.list, fields: new Map(fields.map((f) => [f.name, f])) } };
    }
    return typeOf(e, env).kind;
  } catch {
    // Ill-typed IR never reaches evaluation through compileSource; hand-built IR may. Callers fall back.
    return undefined;
  }
}

/** A parameter's value on the as-of date: the last value whose `from` is on or before it. */
export function parameterValue(p: ParameterDecl, asOf: number, asOfText: string): Value {
  let chosen: ParameterDecl['values'][number] | undefined;
  for (const v of p.values) {
    const from = parseDate(v.from);
    if (from !== undefined && from <= asOf && (!chosen || from >= parseDate(chosen.from)!)) chosen = v;
  }
  if (!chosen) return unknown([], [MSG.noParameterValue({ name: p.name, label: p.label, date: asOfText })]);
  return literalValue(p.type.kind, chosen.value);
}

/** A parameter literal as a run-time value: money in yuan, percent as written, date as text, duration as "30 days". */
export function literalValue(kind: ParameterDecl['type']['kind'], v: boolean | number | string): Value {
  switch (kind) {
    case 'duration': {
      const d = parseDurationValue(v); // the schema holds duration values to this form
      return d ? { kind: 'duration', amount: d.amount, unit: d.unit } : bug(`parameter duration ${String(v)}`);
    }
    case 'boolean':
      return bool(Boolean(v));
    case 'integer':
    case 'number':
      return num(Number(v));
    case 'percent':
      return pct(Number(v) / 100);
    case 'money': {
      const fen = yuanToFen(v as number | string);
      return money(fen ?? roundHalfAway(Number(v) * 100));
    }
    case 'date': {
      const day = parseDate(String(v));
      return day === undefined ? bug(`parameter date ${String(v)}`) : { kind: 'date', day };
    }
    case 'string':
      return str(String(v));
  }
}

export type Truth = true | false | 'unknown';

export function truthOf(v: Value): Truth {
  if (v.kind === 'unknown') return 'unknown';
  if (v.kind === 'boolean') return v.value;
  return bug(`condition evaluated to ${v.kind}`);
}

/** Kleene and: false wins, then unknown (with the union of the unknowns), then true. */
export function kleeneAnd(vals: readonly Value[]): Value {
  if (vals.some((v) => v.kind === 'boolean' && !v.value)) return bool(false);
  if (vals.some(isUnknown)) return mergeUnknown(vals);
  return bool(true);
}

/** Kleene or: true wins, then unknown, then false. */
export function kleeneOr(vals: readonly Value[]): Value {
  if (vals.some((v) => v.kind === 'boolean' && v.value)) return bool(true);
  if (vals.some(isUnknown)) return mergeUnknown(vals);
  return bool(false);
}

export function kleeneNot(v: Value): Value {
  if (v.kind === 'unknown') return v;
  if (v.kind === 'boolean') return bool(!v.value);
  return bug(`not of ${v.kind}`);
}

/** The two comparisons a `between` means: low ≤ value (or <) and value ≤ high (or <). */
export function betweenParts(e: Extract<Expr, { type: 'between' }>): [Expr, Expr] {
  return [
    { type: 'compare', op: e.lowInclusive ? '<=' : '<', left: e.low, right: e.value },
    { type: 'compare', op: e.highInclusive ? '<=' : '<', left: e.value, right: e.high },
  ];
}

export function evalExpr(e: Expr, ctx: EvalContext): Value {
  const s = ctx.shared;
  switch (e.type) {
    case 'boolean':
      return bool(e.value);
    case 'number':
      return num(e.value);
    case 'money':
      return money(yuanToFen(e.yuan) ?? roundHalfAway(e.yuan * 100));
    case 'percent':
      return pct(e.value / 100);
    case 'date': {
      const day = parseDate(e.value);
      return day === undefined ? bug(`date literal ${e.value}`) : { kind: 'date', day };
    }
    case 'string':
      return str(e.value);
    case 'duration':
      return { kind: 'duration', amount: e.amount, unit: e.unit };
    case 'asOf':
      return { kind: 'date', day: s.asOf };
    case 'fact':
      return s.facts[e.name] ?? unknown([e.name]);
    case 'field': {
      const r = ctx.record;
      if (!r) return bug(`field ${e.name} outside an aggregate`);
      return r.fields[e.name] ?? unknown([`${r.list}[${r.index}].${e.name}`]);
    }
    case 'param': {
      const p = s.params.get(e.name);
      return p ? parameterValue(p, s.asOf, s.asOfText) : bug(`unknown parameter ${e.name}`);
    }
    case 'ref':
      return evalRef(e.name, ctx);
    case 'not':
      return kleeneNot(evalExpr(e.arg, ctx));
    case 'neg':
      return negate(evalExpr(e.arg, ctx));
    case 'and':
      return kleeneAnd(e.args.map((a) => evalExpr(a, ctx)));
    case 'or':
      return kleeneOr(e.args.map((a) => evalExpr(a, ctx)));
    case 'compare':
      return compare(e.op, evalExpr(e.left, ctx), evalExpr(e.right, ctx));
    case 'arith':
      return arith(e.op, evalExpr(e.left, ctx), evalExpr(e.right, ctx));
    case 'in': {
      const v = evalExpr(e.value, ctx);
      const hit = kleeneOr(e.options.map((o) => compare('==', v, evalExpr(o, ctx))));
      return e.negated ? kleeneNot(hit) : hit;
    }
    case 'between':
      return kleeneAnd(betweenParts(e).map((c) => evalExpr(c, ctx)));
    case 'if': {
      const c = evalExpr(e.cond, ctx);
      if (c.kind === 'unknown') return c;
      return truthOf(c) ? evalExpr(e.then, ctx) : evalExpr(e.else, ctx);
    }
    case 'call':
      return evalCall(e, ctx);
    case 'aggregate':
      return evalAggregate(e, ctx);
  }
}

function evalRef(name: string, ctx: EvalContext): Value {
  const r = ctx.rule;
  const local = r?.lets.get(name);
  if (r && local) {
    const m = r.memo.get(name);
    if (m === PENDING) return bug(`cycle through let ${name}`);
    if (m) return m;
    r.memo.set(name, PENDING);
    // A let sees the rule's other lets and the definitions, never a record.
    const v = evalExpr(local.expr, { shared: ctx.shared, rule: r });
    r.memo.set(name, v);
    return v;
  }
  const s = ctx.shared;
  const def = s.defs.get(name);
  if (!def) return bug(`unknown name ${name}`);
  const m = s.defMemo.get(name);
  if (m === PENDING) return bug(`cycle through definition ${name}`);
  if (m) return m;
  s.defMemo.set(name, PENDING);
  const v = evalExpr(def.expr, { shared: s });
  s.defMemo.set(name, v);
  return v;
}

function evalCall(e: Extract<Expr, { type: 'call' }>, ctx: EvalContext): Value {
  if (e.fn === 'known') {
    const a = e.args[0];
    if (!a) return bug('known() without argument');
    if (a.type === 'fact') return bool(ctx.shared.facts[a.name] !== undefined);
    if (a.type === 'field') return bool(ctx.record?.fields[a.name] !== undefined);
    return bool(!isUnknown(evalExpr(a, ctx)));
  }
  const args = e.args.map((a) => evalExpr(a, ctx));
  switch (e.fn) {
    case 'min':
    case 'max':
      return extreme(e.fn, args);
    case 'abs':
      return abs(args[0]!);
    case 'round':
      return round(args[0]!);
    case 'daysBetween':
    case 'workdaysBetween':
    case 'monthsBetween':
    case 'yearsBetween': {
      if (args.some(isUnknown)) return mergeUnknown(args);
      const [a, b] = args as Known[];
      if (a?.kind !== 'date' || b?.kind !== 'date') return bug(`${e.fn} of non-dates`);
      const f = { daysBetween, workdaysBetween, monthsBetween, yearsBetween }[e.fn];
      return num(f(a.day, b.day));
    }
  }
}

interface PerRecord {
  where: Value;
  value?: Value;
}

function evalAggregate(e: Extract<Expr, { type: 'aggregate' }>, ctx: EvalContext): Value {
  const list = ctx.shared.facts[e.list];
  if (list === undefined) return unknown([e.list]);
  if (list.kind !== 'list') return bug(`${e.list} is not a list`);
  const per: PerRecord[] = list.records.map((fields, index) => {
    const rctx: EvalContext = { shared: ctx.shared, rule: ctx.rule, record: { list: e.list, index, fields } };
    return {
      where: e.where ? evalExpr(e.where, rctx) : bool(true),
      value: e.value ? evalExpr(e.value, rctx) : undefined,
    };
  });
  const whereUnknown = per.filter((r) => isUnknown(r.where)).map((r) => r.where);
  const selected = per.filter((r) => r.where.kind === 'boolean' && r.where.value);
  switch (e.fn) {
    case 'any': {
      const each = per.map((r) => (r.value ? kleeneAnd([r.where, r.value]) : r.where));
      return kleeneOr(each);
    }
    case 'all': {
      const each = per.map((r) => (r.value ? kleeneOr([kleeneNot(r.where), r.value]) : r.where));
      return kleeneAnd(each);
    }
    case 'count':
      return whereUnknown.length > 0 ? mergeUnknown(whereUnknown) : num(selected.length);
    case 'ratio': {
      if (!e.value) {
        if (whereUnknown.length > 0) return mergeUnknown(whereUnknown);
        return per.length === 0 ? divisionByZero() : pct(selected.length / per.length);
      }
      // The denominator sums every record's value, so every value matters.
      const values = per.map((r) => r.value!);
      const unknowns = [...whereUnknown, ...values.filter(isUnknown)];
      if (unknowns.length > 0) return mergeUnknown(unknowns);
      const part = sumOf(selected.map((r) => r.value as Known));
      const whole = sumOf(values as Known[]);
      return whole === 0 ? divisionByZero() : pct(part / whole);
    }
    case 'sum':
    case 'min':
    case 'max':
    case 'avg': {
      const relevant = per.filter((r) => !(r.where.kind === 'boolean' && !r.where.value));
      const unknowns = [...whereUnknown, ...relevant.map((r) => r.value!).filter(isUnknown)];
      if (unknowns.length > 0) return mergeUnknown(unknowns);
      const values = selected.map((r) => r.value as Known);
      if (e.fn === 'sum') return values.length === 0 ? zeroLike(e, ctx) : values.slice(1).reduce<Value>((acc, v) => arith('+', acc, v), values[0]!);
      if (values.length === 0) return unknown([], [MSG.emptyAggregate({ fn: e.fn, list: e.list })]);
      if (e.fn === 'min' || e.fn === 'max') return extreme(e.fn, values);
      const first = values[0]!;
      const total = sumOf(values);
      if (first.kind === 'money') return money(roundHalfAway(total / values.length));
      if (first.kind === 'percent') return pct(total / values.length);
      return num(total / values.length);
    }
  }
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

/** The sum of no records: 0 of the value's type (0元 for money). */
function zeroLike(e: Extract<Expr, { type: 'aggregate' }>, ctx: EvalContext): Value {
  const rctx: EvalContext = { shared: ctx.shared, rule: ctx.rule, record: { list: e.list, index: -1, fields: {} } };
  const kind = e.value ? staticKind(e.value, rctx) : undefined;
  if (kind === 'money') return money(0);
  if (kind === 'percent') return pct(0);
  return num(0);
}

// ---------------------------------------------------------------------------------------------
// Values shown in traces

/** A run-time value as JSON for traces: money "1234.50元", percent "3%", dates as text, unknown null. */
export function displayValue(v: Value): unknown {
  switch (v.kind) {
    case 'boolean':
    case 'number':
    case 'string':
      return v.value;
    case 'percent':
      return `${cleanNumber(v.ratio * 100)}%`;
    case 'money':
      return `${fenToYuan(v.fen)}元`;
    case 'date':
      return formatDate(v.day);
    case 'duration':
      return `${v.amount} ${v.unit}`;
    case 'list':
      return v.records.map((r) => Object.fromEntries(Object.entries(r).map(([k, x]) => [k, displayValue(x)])));
    case 'unknown':
      return null;
  }
}

/** Drops binary noise from a computed decimal (0.035 × 100 = 3.5000000000000004 → 3.5). */
export function cleanNumber(x: number): number {
  // Integers of up to 12 digits are their own 12-digit form (the common case: counts, days); -0 reads as 0.
  if (Number.isInteger(x) && x < 1e12 && x > -1e12) return x === 0 ? 0 : x;
  return Number.isFinite(x) ? Number(x.toPrecision(12)) : x;
}

/** The names an expression reads (facts, parameters, definitions, as_of) with their values. */
export function valuesSeen(e: Expr, ctx: EvalContext): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>; // names are policy text (`__proto__` too)
  const visit = (x: Expr, inRecord: boolean): void => {
    switch (x.type) {
      case 'fact':
        out[x.name] = displayValue(ctx.shared.facts[x.name] ?? unknown([x.name]));
        return;
      case 'param':
      case 'ref':
        out[x.name] = displayValue(evalExpr(x, ctx));
        return;
      case 'asOf':
        out.as_of = ctx.shared.asOfText;
        return;
      case 'not':
      case 'neg':
        return visit(x.arg, inRecord);
      case 'and':
      case 'or':
        return x.args.forEach((a) => visit(a, inRecord));
      case 'compare':
      case 'arith':
        visit(x.left, inRecord);
        return visit(x.right, inRecord);
      case 'in':
        visit(x.value, inRecord);
        return x.options.forEach((o) => visit(o, inRecord));
      case 'between':
        visit(x.value, inRecord);
        visit(x.low, inRecord);
        return visit(x.high, inRecord);
      case 'if':
        visit(x.cond, inRecord);
        visit(x.then, inRecord);
        return visit(x.else, inRecord);
      case 'call':
        return x.args.forEach((a) => visit(a, inRecord));
      case 'aggregate': {
        const list = ctx.shared.facts[x.list];
        out[x.list] = list ? displayValue(list) : null;
        // Fields belong to records; facts and parameters read inside still count.
        if (x.value) visit(x.value, true);
        if (x.where) visit(x.where, true);
        return;
      }
      default:
        return;
    }
  };
  visit(e, false);
  return out;
}
