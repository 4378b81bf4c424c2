/**
 * Static types of IR expressions (the "Types" section of docs/language.md). `checkExpr` reports
 * every problem through a callback and keeps going; `typeOf` is the quiet form for consumers that
 * hold an IR already known to be well typed (the evaluators, the UI).
 *
 * A result of `undefined` from `checkExpr` means "already reported or not knowable" (an unknown
 * name, a cycle): callers treat it as compatible with everything so one mistake yields one
 * diagnostic, not a cascade.
 */
import type { Diagnostic, Range } from '../../dsl/diagnostics.ts';
import type { Expr, FactDecl, ParameterDecl, PolicyIR, RuleIR, ValueType } from './types.ts';
import { diag, TYPE_NAMES, type Bilingual } from './messages.ts';
import { parseDurationValue } from './duration.ts';

export interface TypeEnv {
  facts: ReadonlyMap<string, FactDecl>;
  params: ReadonlyMap<string, ParameterDecl>;
  /** Type of a definition or rule `let` by name (lets hide definitions); undefined when unknown or ill typed. */
  refType(name: string): ValueType | undefined;
  /** Inside an aggregate: the list being aggregated and its record's fields. */
  record?: { list: string; fields: ReadonlyMap<string, FactDecl> };
}

/** Receives each problem with the node it is about; `make` builds the diagnostic once a range is known. */
export type TypeReporter = (at: Expr, make: (range?: Range) => Diagnostic) => void;

type T = ValueType | undefined;

const NUMERIC = new Set(['integer', 'number', 'percent']);
const isNumeric = (t: ValueType): boolean => NUMERIC.has(t.kind);

/** The value type of a declared fact or record field; `owner` names it for enum messages. */
export function factValueType(decl: FactDecl, owner: string = decl.name): ValueType {
  switch (decl.type.kind) {
    case 'enum':
      return { kind: 'enum', fact: owner, values: decl.type.values.map((v) => v.value) };
    case 'list':
      return { kind: 'list', fact: owner };
    default:
      return { kind: decl.type.kind };
  }
}

export function describeType(t: ValueType): Bilingual {
  const base = TYPE_NAMES[t.kind] ?? { zh: t.kind, en: t.kind };
  if (t.kind === 'enum') return { zh: `${base.zh}(${t.fact})`, en: `${base.en} (${t.fact})` };
  if (t.kind === 'list') return { zh: `${base.zh}(${t.fact})`, en: `${base.en} (${t.fact})` };
  return base;
}

/**
 * The type of a well-typed expression. Throws on an ill-typed one: IR that passed compileSource
 * never is, so reaching the throw is a bug in the caller.
 */
export function typeOf(expr: Expr, env: TypeEnv): ValueType {
  // Evaluators ask for the same nodes again and again; IR is treated as immutable once built.
  let perEnv = typeCache.get(env);
  if (!perEnv) typeCache.set(env, (perEnv = new WeakMap()));
  const hit = perEnv.get(expr);
  if (hit) return hit;
  let first: Diagnostic | undefined;
  const t = checkExpr(expr, env, (_at, make) => {
    first ??= make();
  });
  if (first || !t) throw new TypeError(`typeOf: ill-typed expression: ${first?.message.en ?? 'unknown type'}`);
  perEnv.set(expr, t);
  return t;
}

const typeCache = new WeakMap<TypeEnv, WeakMap<Expr, ValueType>>();

/**
 * A type environment over a policy (pass the merged policy, or the chain base-first: later
 * declarations hide earlier ones). With `rule`, the rule's lets are in scope and hide definitions.
 */
export function envForPolicy(policy: PolicyIR | readonly PolicyIR[], rule?: RuleIR): TypeEnv {
  const chain = Array.isArray(policy) ? (policy as readonly PolicyIR[]) : [policy as PolicyIR];
  const facts = new Map<string, FactDecl>();
  const params = new Map<string, ParameterDecl>();
  const defs = new Map<string, Expr>();
  for (const p of chain) {
    for (const f of p.facts) facts.set(f.name, f);
    for (const q of p.parameters) params.set(q.name, q);
    for (const d of p.definitions) defs.set(d.name, d.expr);
  }
  const defEnv = lazyRefs(defs, { facts, params });
  if (!rule) return defEnv;
  const lets = new Map(rule.lets.map((l) => [l.name, l.expr] as const));
  return lazyRefs(lets, defEnv);
}

/** Memoized, cycle-safe `refType` over named expressions, falling back to `outer`'s refs. */
function lazyRefs(named: ReadonlyMap<string, Expr>, outer: Omit<TypeEnv, 'refType'> & Partial<Pick<TypeEnv, 'refType'>>): TypeEnv {
  const memo = new Map<string, T | 'pending'>();
  const env: TypeEnv = {
    facts: outer.facts,
    params: outer.params,
    refType(name) {
      const expr = named.get(name);
      if (!expr) return outer.refType?.(name);
      const m = memo.get(name);
      if (m === 'pending') return undefined;
      if (m !== undefined || memo.has(name)) return m as T;
      memo.set(name, 'pending');
      const t = checkExpr(expr, env, () => {});
      memo.set(name, t);
      return t;
    },
  };
  return env;
}

// ---------------------------------------------------------------------------------------------

function mismatch(report: TypeReporter, at: Expr, zh: string, en: string, hintZh?: string, hintEn?: string): undefined {
  report(at, (r) => diag('ir.type-mismatch', { zh, en, hintZh, hintEn }, r));
  return undefined;
}

const tn = (t: ValueType): Bilingual => describeType(t);

/** Combine two numeric types: integers stay integers, percents stay percents, otherwise number. */
function numericJoin(a: ValueType, b: ValueType): ValueType {
  if (a.kind === b.kind) return { kind: a.kind } as ValueType;
  return { kind: 'number' };
}

export function checkExpr(e: Expr, env: TypeEnv, report: TypeReporter): T {
  const check = (x: Expr, en: TypeEnv = env): T => checkExpr(x, en, report);
  const wantBool = (x: Expr, what: Bilingual): void => {
    const t = check(x);
    if (t && t.kind !== 'boolean') {
      mismatch(
        report,
        x,
        `${what.zh}须是布尔值(条件),这里是${tn(t).zh}`,
        `${what.en} must be a boolean condition, not ${tn(t).en}`,
        '写成比较,例如 金额 > 0元',
        'Write a comparison, e.g. 金额 > 0元',
      );
    }
  };

  switch (e.type) {
    case 'boolean':
      return { kind: 'boolean' };
    case 'number':
      return { kind: e.integer ? 'integer' : 'number' };
    case 'money':
      return { kind: 'money' };
    case 'percent':
      return { kind: 'percent' };
    case 'date':
      return { kind: 'date' };
    case 'string':
      return { kind: 'string' };
    case 'duration':
      return { kind: 'duration' };
    case 'asOf':
      return { kind: 'date' };
    case 'fact': {
      const d = env.facts.get(e.name);
      if (!d) {
        report(e, (r) => diag('ir.unknown-name', { name: e.name }, r));
        return undefined;
      }
      return factValueType(d);
    }
    case 'field': {
      const d = env.record?.fields.get(e.name);
      if (!d) {
        if (!env.record) {
          return mismatch(
            report,
            e,
            `字段“${e.name}”只能在列表汇总内使用`,
            `field "${e.name}" is only in scope inside an aggregate`,
            '例如 count(贷款 where 逾期天数 >= 90)',
            'For example count(贷款 where 逾期天数 >= 90)',
          );
        }
        report(e, (r) => diag('ir.unknown-name', { name: e.name, inAggregate: true }, r));
        return undefined;
      }
      return factValueType(d, `${env.record!.list}.${e.name}`);
    }
    case 'param': {
      const p = env.params.get(e.name);
      if (!p) {
        report(e, (r) => diag('ir.unknown-name', { name: e.name }, r));
        return undefined;
      }
      return { kind: p.type.kind };
    }
    case 'ref':
      return env.refType(e.name);
    case 'not':
      wantBool(e.arg, { zh: 'not 的操作数', en: 'the operand of not' });
      return { kind: 'boolean' };
    case 'and':
    case 'or':
      for (const a of e.args) wantBool(a, { zh: `${e.type} 的每一项`, en: `each operand of ${e.type}` });
      return { kind: 'boolean' };
    case 'neg': {
      const t = check(e.arg);
      if (!t) return undefined;
      if (isNumeric(t) || t.kind === 'money' || t.kind === 'duration') return t;
      return mismatch(report, e, `不能对${tn(t).zh}取负`, `cannot negate a ${tn(t).en}`);
    }
    case 'compare': {
      const l = check(e.left);
      const r = check(e.right);
      if (e.op === '==' || e.op === '!=') checkEquality(e.left, l, e.right, r, e, report, env);
      else checkOrdering(l, r, e, report, env, [e.left, e.right]);
      return { kind: 'boolean' };
    }
    case 'in': {
      const v = check(e.value);
      for (const o of e.options) checkEquality(e.value, v, o, check(o), o, report, env);
      return { kind: 'boolean' };
    }
    case 'between': {
      const v = check(e.value);
      checkOrdering(v, check(e.low), e.low, report, env, [e.value, e.low]);
      checkOrdering(v, check(e.high), e.high, report, env, [e.value, e.high]);
      return { kind: 'boolean' };
    }
    case 'arith':
      return arithType(e, check(e.left), check(e.right), report);
    case 'if': {
      wantBool(e.cond, { zh: 'if 的条件', en: 'the condition of if' });
      return join(check(e.then), check(e.else), e, report);
    }
    case 'call':
      return callType(e, check, report);
    case 'aggregate':
      return aggregateType(e, env, report);
  }
}

function isStringLiteral(x: Expr): x is Extract<Expr, { type: 'string' }> {
  return x.type === 'string';
}

function checkEquality(lx: Expr, l: T, rx: Expr, r: T, at: Expr, report: TypeReporter, env: TypeEnv): void {
  if (!l || !r) return;
  if (l.kind === 'enum' || r.kind === 'enum') {
    const [en, other, otherX] = l.kind === 'enum' ? [l, r, rx] : [r as Extract<ValueType, { kind: 'enum' }>, l, lx];
    if (other.kind === 'enum') {
      const same = other.fact === en.fact || (other.values.length === en.values.length && other.values.every((v) => en.values.includes(v)));
      if (!same) mismatch(report, at, `枚举 ${en.fact} 与枚举 ${other.fact} 的取值不同,不能比较`, `enums ${en.fact} and ${other.fact} have different values`);
      return;
    }
    if (other.kind === 'string' && isStringLiteral(otherX)) {
      if (!en.values.includes(otherX.value)) {
        report(otherX, (rg) => diag('ir.unknown-enum-value', { value: otherX.value, fact: en.fact, values: en.values }, rg));
      }
      return;
    }
    mismatch(
      report,
      at,
      `${tn(en).zh}只能与其取值(写作字符串)比较,不能与${tn(other).zh}比较`,
      `${tn(en).en} compares only with its values written as strings, not with ${tn(other).en}`,
      `取值:${en.values.join('、')}`,
      `Values: ${en.values.join(', ')}`,
    );
    return;
  }
  if (l.kind === 'duration' || r.kind === 'duration') return checkOrdering(l, r, at, report, env, [lx, rx]);
  if (comparableKinds(l, r)) return;
  mismatchPair(report, at, l, r);
}

/** Whether two (non-enum) types compare; ordering or equality alike. */
function comparableKinds(l: ValueType, r: ValueType): boolean {
  if (isNumeric(l) && isNumeric(r)) return true;
  if (l.kind === 'duration' || r.kind === 'duration') return false; // decided by the caller, which sees the literal
  return l.kind === r.kind && l.kind !== 'list';
}

function mismatchPair(report: TypeReporter, at: Expr, l: ValueType, r: ValueType): void {
  let hintZh: string | undefined;
  let hintEn: string | undefined;
  const kinds = new Set([l.kind, r.kind]);
  if (kinds.has('money') && [...kinds].some((k) => NUMERIC.has(k))) {
    hintZh = '金额只能与金额比较:把数写成金额,例如 0元、5万元';
    hintEn = 'Money compares with money only: write the number as money, e.g. 0元, 5万元';
  } else if (kinds.has('date')) {
    hintZh = '日期只能与日期比较;两个日期相减得到天数,或用 daysBetween(a, b)';
    hintEn = 'Dates compare with dates; subtract two dates for a day count, or use daysBetween(a, b)';
  } else if (kinds.has('duration')) {
    hintZh = '时长只用于日期加减;与天数比较时单位须是天,例如 daysBetween(a, b) > 30天';
    hintEn = 'A duration is for date arithmetic; compared with a day count its unit must be days, e.g. daysBetween(a, b) > 30 days';
  } else if (kinds.has('list')) {
    hintZh = '列表只能通过汇总函数读取,例如 count(贷款)、sum(贷款, 金额)';
    hintEn = 'A list is read through aggregates only, e.g. count(贷款), sum(贷款, 金额)';
  }
  mismatch(report, at, `${tn(l).zh}不能与${tn(r).zh}比较`, `cannot compare ${tn(l).en} with ${tn(r).en}`, hintZh, hintEn);
}

/** The unit of a duration literal, or of a duration parameter whose every value has that unit. */
function durationUnit(x: Expr, env: TypeEnv): string | undefined {
  if (x.type === 'duration') return x.unit;
  if (x.type === 'neg') return durationUnit(x.arg, env);
  if (x.type === 'param') {
    const units = new Set(env.params.get(x.name)?.values.map((v) => parseDurationValue(v.value)?.unit));
    return units.size === 1 ? [...units][0] : undefined;
  }
  return undefined;
}

function checkOrdering(l: T, r: T, at: Expr, report: TypeReporter, env: TypeEnv, sides: [Expr, Expr]): void {
  if (!l || !r) return;
  // A duration compares with a number of days only when its unit is days (`天数(a, b) > 30天`).
  if (l.kind === 'duration' || r.kind === 'duration') {
    const [d, other] = l.kind === 'duration' ? [l, r] : [r, l];
    const unit = durationUnit(l.kind === 'duration' ? sides[0] : sides[1], env);
    if (isNumeric(other) && unit === 'days') return;
    mismatchPair(report, at, d, other);
    return;
  }
  const unordered = (t: ValueType): boolean => t.kind === 'boolean' || t.kind === 'string' || t.kind === 'enum';
  if ((unordered(l) || unordered(r)) && (l.kind === r.kind || l.kind === 'enum' || r.kind === 'enum')) {
    const u = unordered(l) ? l : r;
    mismatch(
      report,
      at,
      `${tn(u).zh}没有大小顺序`,
      `${tn(u).en} values have no order`,
      '只有数值、金额、日期可以比较大小;相等请用 ==',
      'Only numbers, money and dates are ordered; use == for equality',
    );
    return;
  }
  if (comparableKinds(l, r)) return;
  mismatchPair(report, at, l, r);
}

function arithType(e: Extract<Expr, { type: 'arith' }>, l: T, r: T, report: TypeReporter): T {
  if (!l || !r) return undefined;
  const op = e.op;
  const bad = (hintZh?: string, hintEn?: string): undefined =>
    mismatch(report, e, `不能计算 ${tn(l).zh} ${op} ${tn(r).zh}`, `cannot compute ${tn(l).en} ${op} ${tn(r).en}`, hintZh, hintEn);
  if (l.kind === 'boolean' || r.kind === 'boolean') {
    return bad('布尔值(是/否)不能参与算术', 'Booleans cannot take part in arithmetic');
  }
  if (isNumeric(l) && isNumeric(r)) {
    if (op === '/') return { kind: 'number' };
    if (op === '*' && (l.kind === 'percent' || r.kind === 'percent')) return { kind: 'number' };
    return numericJoin(l, r);
  }
  if (l.kind === 'money' || r.kind === 'money') {
    if (l.kind === 'money' && r.kind === 'money') {
      if (op === '+' || op === '-') return { kind: 'money' };
      if (op === '/') return { kind: 'number' };
      return bad('金额乘金额没有意义;金额只能乘以数值', 'Money times money is meaningless: multiply money by a number');
    }
    const other = l.kind === 'money' ? r : l;
    if (isNumeric(other)) {
      if (op === '*') return { kind: 'money' };
      if (op === '/' && l.kind === 'money') return { kind: 'money' };
      if (op === '/') return bad('数值不能除以金额', 'A number cannot be divided by money');
      return bad('金额只能与金额相加减:把数写成金额,例如 500元', 'Money adds to money only: write the number as money, e.g. 500元');
    }
    return bad();
  }
  if (l.kind === 'date') {
    if (r.kind === 'duration' && (op === '+' || op === '-')) return { kind: 'date' };
    if (r.kind === 'date' && op === '-') return { kind: 'integer' };
    return bad(
      '日期加减须用时长,例如 日期 + 30天、日期 - 6个月;两个日期相减得天数',
      'Add or subtract a duration to a date, e.g. d + 30 days, d - 6 months; two dates subtract to a day count',
    );
  }
  if (l.kind === 'duration' && r.kind === 'date' && op === '+') return { kind: 'date' };
  if (l.kind === 'duration' || r.kind === 'duration') {
    return bad('时长只能加到日期上或从日期中减去,例如 截止日期 + 30天', 'A duration is only added to or subtracted from a date, e.g. 截止日期 + 30 days');
  }
  return bad();
}

function join(a: T, b: T, at: Expr, report: TypeReporter): T {
  if (!a) return b;
  if (!b) return a;
  if (isNumeric(a) && isNumeric(b)) return numericJoin(a, b);
  if (a.kind === 'enum' && b.kind === 'enum') return a.fact === b.fact ? a : { kind: 'string' };
  if ((a.kind === 'enum' && b.kind === 'string') || (a.kind === 'string' && b.kind === 'enum')) return a.kind === 'enum' ? a : b;
  if (a.kind === b.kind && a.kind !== 'list') return a;
  return mismatch(report, at, `两个分支的类型不同:${tn(a).zh} 与 ${tn(b).zh}`, `the branches have different types: ${tn(a).en} and ${tn(b).en}`);
}

function arity(report: TypeReporter, at: Expr, fn: string, expected: string, got: number): undefined {
  report(at, (r) => diag('ir.wrong-arity', { fn, expected, got }, r));
  return undefined;
}

function callType(e: Extract<Expr, { type: 'call' }>, check: (x: Expr) => T, report: TypeReporter): T {
  const n = e.args.length;
  switch (e.fn) {
    case 'min':
    case 'max': {
      if (n < 2) {
        e.args.forEach((a) => check(a));
        return arity(report, e, e.fn, '≥2', n);
      }
      let t: T = undefined;
      let first = true;
      for (const a of e.args) {
        const at = check(a);
        if (at && !(isNumeric(at) || at.kind === 'money' || at.kind === 'date')) {
          mismatch(report, a, `${e.fn} 的参数须是数值、金额或日期,这里是${tn(at).zh}`, `${e.fn} takes numbers, money or dates, not ${tn(at).en}`);
          continue;
        }
        if (first) t = at;
        else t = join(t, at, a, report);
        first = false;
      }
      return t;
    }
    case 'abs':
    case 'round': {
      if (n !== 1) {
        e.args.forEach((a) => check(a));
        return arity(report, e, e.fn, '1', n);
      }
      const t = check(e.args[0]!);
      if (!t) return undefined;
      if (t.kind === 'money') return t;
      if (isNumeric(t)) return e.fn === 'round' ? { kind: 'integer' } : t;
      return mismatch(report, e.args[0]!, `${e.fn} 的参数须是数值或金额,这里是${tn(t).zh}`, `${e.fn} takes a number or money, not ${tn(t).en}`);
    }
    case 'daysBetween':
    case 'workdaysBetween':
    case 'monthsBetween':
    case 'yearsBetween': {
      if (n !== 2) {
        e.args.forEach((a) => check(a));
        return arity(report, e, e.fn, '2', n);
      }
      for (const a of e.args) {
        const t = check(a);
        if (t && t.kind !== 'date') {
          mismatch(report, a, `${e.fn} 的参数须是日期,这里是${tn(t).zh}`, `${e.fn} takes dates, not ${tn(t).en}`, '日期写作 2017-08-01,或用日期类型的事实', 'Write a date like 2017-08-01 or use a date fact');
        }
      }
      return { kind: 'integer' };
    }
    case 'known': {
      if (n !== 1) {
        e.args.forEach((a) => check(a));
        return arity(report, e, e.fn, '1', n);
      }
      const a = e.args[0]!;
      check(a);
      if (a.type !== 'fact' && a.type !== 'field') {
        mismatch(report, a, 'known 的参数须是一个事实或列表字段的名称', 'known takes the name of a fact or list field', '例如 known(贷款金额)', 'For example known(贷款金额)');
      }
      return { kind: 'boolean' };
    }
  }
}

const AGG_ARITY: Record<string, string> = { count: '1', sum: '2', min: '2', max: '2', avg: '2', ratio: '1–2', any: '1–2', all: '1–2' };

function aggregateType(e: Extract<Expr, { type: 'aggregate' }>, env: TypeEnv, report: TypeReporter): T {
  const decl = env.facts.get(e.list);
  if (!decl) {
    report(e, (r) => diag('ir.unknown-name', { name: e.list }, r));
    return undefined;
  }
  if (decl.type.kind !== 'list') {
    return mismatch(
      report,
      e,
      `${e.fn} 的第一个参数须是列表事实,“${e.list}”是${tn(factValueType(decl)).zh}`,
      `the first argument of ${e.fn} must be a list fact; "${e.list}" is ${tn(factValueType(decl)).en}`,
      '例如 count(贷款 where 逾期天数 >= 90)',
      'For example count(贷款 where 逾期天数 >= 90)',
    );
  }
  const inner: TypeEnv = {
    facts: env.facts,
    params: env.params,
    refType: (n) => env.refType(n),
    record: { list: e.list, fields: new Map(decl.type.fields.map((f) => [f.name, f] as const)) },
  };
  if (e.where) {
    const w = checkExpr(e.where, inner, report);
    if (w && w.kind !== 'boolean') {
      mismatch(report, e.where, `where 条件须是布尔值,这里是${tn(w).zh}`, `the where filter must be boolean, not ${tn(w).en}`);
    }
  }
  const v = e.value ? checkExpr(e.value, inner, report) : undefined;
  const needsValue = e.fn === 'sum' || e.fn === 'min' || e.fn === 'max' || e.fn === 'avg';
  if (needsValue && !e.value) return arity(report, e, e.fn, AGG_ARITY[e.fn]!, 1);
  if (e.fn === 'count' && e.value) return arity(report, e, e.fn, AGG_ARITY[e.fn]!, 2);
  const valueMust = (ok: boolean, zh: string, en: string): void => {
    if (v && !ok) mismatch(report, e.value!, `${e.fn} 的取值须是${zh},这里是${tn(v).zh}`, `the value of ${e.fn} must be ${en}, not ${tn(v).en}`);
  };
  switch (e.fn) {
    case 'count':
      return { kind: 'integer' };
    case 'sum':
      valueMust(!!v && (isNumeric(v) || v.kind === 'money'), '数值或金额', 'a number or money');
      return v && (isNumeric(v) || v.kind === 'money') ? v : undefined;
    case 'min':
    case 'max':
      valueMust(!!v && (isNumeric(v) || v.kind === 'money' || v.kind === 'date'), '数值、金额或日期', 'a number, money or a date');
      return v && (isNumeric(v) || v.kind === 'money' || v.kind === 'date') ? v : undefined;
    case 'avg':
      valueMust(!!v && (isNumeric(v) || v.kind === 'money'), '数值或金额', 'a number or money');
      if (!v) return undefined;
      return v.kind === 'integer' ? { kind: 'number' } : isNumeric(v) || v.kind === 'money' ? v : undefined;
    case 'ratio':
      if (e.value) valueMust(!!v && (isNumeric(v) || v.kind === 'money'), '数值或金额', 'a number or money');
      return { kind: 'percent' };
    case 'any':
    case 'all':
      if (e.value) valueMust(!!v && v.kind === 'boolean', '布尔值', 'a boolean');
      return { kind: 'boolean' };
  }
}
