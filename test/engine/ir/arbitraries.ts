/**
 * Random, valid IR for property tests: `arbPolicyIr()` yields policies that compile cleanly
 * (schema-valid, well typed, names unique across kinds so printing and re-resolving them is
 * unambiguous); `arbExpr(env, family)` yields well-typed expressions over a given environment.
 * Reused by the evaluators' differential tests, so it stays free of any printer or parser.
 *
 * Generation is type directed by *family*: numeric (integer, number and percent mix freely),
 * money, date, boolean, string, and enums (compared only with their declared values).
 */
import fc from 'fast-check';
import type {
  Citation,
  ComputedValue,
  Definition,
  DurationUnit,
  EnumValue,
  Expr,
  FactDecl,
  Literal,
  OutcomeKind,
  ParameterDecl,
  PolicyIR,
  RuleIR,
  Severity,
  SourceDocument,
  ValueType,
} from '../../../engine/ir/types.ts';
import { envForPolicy } from '../../../engine/ir/typecheck.ts';

export type Family = 'numeric' | 'money' | 'date' | 'boolean' | 'string';
type ScalarKind = 'boolean' | 'integer' | 'number' | 'money' | 'percent' | 'date' | 'string';

export interface ArbName {
  name: string;
  /** How the name is read: a fact, a record field, a parameter, or a definition/let. */
  node: 'fact' | 'field' | 'param' | 'ref';
  family: Family | 'enum';
  /** For enums: the declared values. */
  values?: string[];
}

export interface ArbList {
  name: string;
  fields: ArbName[];
}

/** What an expression may refer to. */
export interface ArbEnv {
  names: ArbName[];
  lists: ArbList[];
  /** Duration parameters: used only as the duration added to or subtracted from a date. */
  durations?: string[];
}

type G = fc.GeneratorValue;

const familyOf = (k: ScalarKind): Family =>
  k === 'integer' || k === 'number' || k === 'percent' ? 'numeric' : (k as Family);

// Names exercise the lexer's edges: Chinese keywords as prefixes (当年…, 是否…, 英文…), digits
// inside names, ASCII words that start like keywords. Each name is used at most once per policy.
const NAME_POOL = [
  '贷款金额', '当年人数', '是否通过', '英文名称', '自有资金', '至今天数', '规则数', '则例', '事实甲', '参数乙',
  '定义丙', '第33条_1', '不良率', '逾期天数', '补助标准', '收到日期', '下达日期', '户数', '人口', '面积',
  '收入', '支出', '余额', '比例值', '占比', '期限', '截止日', '起始日', '名称', '类别',
  '用途', '状态', '等级', '地区', '项目', '台账', '明细', '记录', '清单', '账户',
  'amount', 'rule_count', 'item2', 'whence', 'andy', 'order_no', 'inbox', 'notes', 'untilDate', 'format_',
  '甲', '乙', '丙', '丁', '戊', '己', '庚', '辛', '壬', '癸',
];

// Strings cover escapes and both scripts; single line (the DSL's strings are).
const STRING_CHARS = ['甲', '乙', '款', 'a', 'B', '1', ' ', '"', '\\', '—', '(', ')', '、', '%', '#', ':', '\''];

function int(g: G, min: number, max: number): number {
  return g(fc.integer, { min, max });
}
function pick<T>(g: G, xs: readonly T[]): T {
  if (xs.length === 0) throw new Error('pick from empty');
  return xs[int(g, 0, xs.length - 1)]!;
}
function chance(g: G, p: number): boolean {
  return int(g, 0, 999) < p * 1000;
}
function text(g: G, min = 0, max = 8): string {
  const n = int(g, min, max);
  let s = '';
  for (let i = 0; i < n; i++) s += pick(g, STRING_CHARS);
  return s;
}
function label(g: G): string {
  return pick(g, ['贷款', '金额', '人数', '日期', '资金', '比例']) + text(g, 0, 4);
}

const DAY = 86_400_000;
function dateAt(days: number): string {
  return new Date(Date.UTC(2000, 0, 1) + days * DAY).toISOString().slice(0, 10);
}
function randomDate(g: G, min = 0, max = 12_000): string {
  return dateAt(int(g, min, max));
}
function daysOf(d: string): number {
  return Math.round((Date.parse(d + 'T00:00:00Z') - Date.UTC(2000, 0, 1)) / DAY);
}

function integerLit(g: G): Expr {
  return { type: 'number', value: pick(g, [0, 1, 2, 3, 5, 10, 30, 90, 100, 365, 1000, 50000, int(g, 0, 99999)]), integer: true };
}
function decimalLit(g: G): Expr {
  // One or two decimals, never a whole number (that would read back as an integer).
  const v = int(g, 0, 9999) + pick(g, [0.5, 0.25, 0.1, 0.05, 0.75]);
  return { type: 'number', value: Number(v.toFixed(2)) };
}
function moneyYuan(g: G): number {
  return int(g, 0, 10_000_000) / pick(g, [1, 10, 100]);
}
function percentValue(g: G): number {
  return pick(g, [0, 1, 3, 5, 50, 100, int(g, 0, 100) + pick(g, [0, 0.5, 0.25])]);
}

function literal(g: G, family: Family): Expr {
  switch (family) {
    case 'numeric':
      return pick(g, ['i', 'd', 'p']) === 'i' ? integerLit(g) : chance(g, 0.5) ? decimalLit(g) : { type: 'percent', value: percentValue(g) };
    case 'money':
      return { type: 'money', yuan: moneyYuan(g) };
    case 'date':
      return { type: 'date', value: randomDate(g) };
    case 'boolean':
      return { type: 'boolean', value: chance(g, 0.5) };
    case 'string':
      return { type: 'string', value: text(g) };
  }
}

function nameExpr(n: ArbName): Expr {
  return { type: n.node, name: n.name };
}

interface Ctx {
  env: ArbEnv;
  /** Inside an aggregate: the record's fields (which are only in scope there). */
  fields?: ArbName[];
}

function namesOf(ctx: Ctx, family: Family | 'enum'): ArbName[] {
  return [...ctx.env.names, ...(ctx.fields ?? [])].filter((n) => n.family === family);
}

function leaf(g: G, ctx: Ctx, family: Family): Expr {
  const names = namesOf(ctx, family);
  if (family === 'date' && chance(g, 0.1)) return { type: 'asOf' };
  if (names.length > 0 && chance(g, 0.6)) {
    const n = nameExpr(pick(g, names));
    // A minus on a name (never on a literal: `-3` could read back as a negative literal).
    if ((family === 'numeric' || family === 'money') && chance(g, 0.08)) return { type: 'neg', arg: n };
    return n;
  }
  return literal(g, family);
}

function genExpr(g: G, ctx: Ctx, family: Family, depth: number): Expr {
  if (depth <= 0 || chance(g, 0.25)) return leaf(g, ctx, family);
  const sub = (f: Family, d = depth - 1): Expr => genExpr(g, ctx, f, d);
  const lists = ctx.fields ? [] : ctx.env.lists; // no aggregate inside an aggregate
  switch (family) {
    case 'numeric': {
      const options: (() => Expr)[] = [
        () => ({ type: 'arith', op: pick(g, ['+', '-', '*', '/'] as const), left: sub('numeric'), right: sub('numeric') }),
        () => ({ type: 'call', fn: pick(g, ['daysBetween', 'workdaysBetween', 'monthsBetween', 'yearsBetween'] as const), args: [sub('date'), sub('date')] }),
        () => ({ type: 'call', fn: pick(g, ['abs', 'round'] as const), args: [sub('numeric')] }),
        () => ({ type: 'call', fn: pick(g, ['min', 'max'] as const), args: [sub('numeric'), sub('numeric')] }),
        () => ({ type: 'arith', op: '-', left: sub('date'), right: sub('date') }),
        () => ({ type: 'arith', op: '/', left: sub('money'), right: sub('money') }),
        () => ({ type: 'if', cond: sub('boolean'), then: sub('numeric'), else: sub('numeric') }),
      ];
      if (lists.length) options.push(() => aggregate(g, ctx, depth, 'numeric'));
      return pick(g, options)();
    }
    case 'money': {
      const options: (() => Expr)[] = [
        () => ({ type: 'arith', op: pick(g, ['+', '-'] as const), left: sub('money'), right: sub('money') }),
        () => ({ type: 'arith', op: pick(g, ['*', '/'] as const), left: sub('money'), right: sub('numeric') }),
        () => ({ type: 'arith', op: '*', left: sub('numeric'), right: sub('money') }),
        () => ({ type: 'call', fn: pick(g, ['abs', 'round'] as const), args: [sub('money')] }),
        () => ({ type: 'call', fn: pick(g, ['min', 'max'] as const), args: [sub('money'), sub('money'), sub('money')].slice(0, int(g, 2, 3)) }),
      ];
      if (lists.length) options.push(() => aggregate(g, ctx, depth, 'money'));
      return pick(g, options)();
    }
    case 'date':
      return pick(g, [
        () => ({
          type: 'arith' as const,
          op: pick(g, ['+', '-'] as const),
          left: sub('date'),
          right: ctx.env.durations?.length && chance(g, 0.5)
            ? { type: 'param' as const, name: pick(g, ctx.env.durations) }
            : { type: 'duration' as const, amount: int(g, 1, 400), unit: pick(g, ['days', 'workdays', 'months', 'years'] as DurationUnit[]) },
        }),
        () => ({ type: 'call' as const, fn: pick(g, ['min', 'max'] as const), args: [sub('date'), sub('date')] }),
      ])();
    case 'string':
      return leaf(g, ctx, 'string');
    case 'boolean':
      return booleanExpr(g, ctx, depth);
  }
}

function booleanExpr(g: G, ctx: Ctx, depth: number): Expr {
  const sub = (f: Family): Expr => genExpr(g, ctx, f, depth - 1);
  const enums = namesOf(ctx, 'enum');
  const factish = [...ctx.env.names, ...(ctx.fields ?? [])].filter((n) => n.node === 'fact' || n.node === 'field');
  const lists = ctx.fields ? [] : ctx.env.lists;
  // and/or never directly inside the same connective: `a and (b and c)` reads back flattened.
  const connective = (type: 'and' | 'or'): Expr => {
    const args: Expr[] = [];
    const n = int(g, 2, 3);
    for (let i = 0; i < n; i++) {
      let a = sub('boolean');
      while (a.type === type) a = sub('boolean');
      args.push(a);
    }
    return { type, args };
  };
  const options: (() => Expr)[] = [
    () => ({ type: 'compare', op: pick(g, ['==', '!=', '<', '<=', '>', '>='] as const), left: sub('numeric'), right: sub('numeric') }),
    () => ({ type: 'compare', op: pick(g, ['==', '!=', '<', '<=', '>', '>='] as const), left: sub('money'), right: sub('money') }),
    () => ({ type: 'compare', op: pick(g, ['==', '!=', '<', '<=', '>', '>='] as const), left: sub('date'), right: sub('date') }),
    () => ({ type: 'compare', op: pick(g, ['==', '!='] as const), left: sub('string'), right: sub('string') }),
    () => ({ type: 'compare', op: pick(g, ['<', '>', '>='] as const), left: sub('numeric'), right: { type: 'duration', amount: int(g, 1, 90), unit: 'days' } }),
    () => ({
      type: 'between',
      value: sub('numeric'),
      low: sub('numeric'),
      high: sub('numeric'),
      lowInclusive: chance(g, 0.5),
      highInclusive: chance(g, 0.5),
    }),
    () => {
      const inner = sub('boolean');
      return { type: 'not', arg: inner };
    },
    () => connective('and'),
    () => connective('or'),
    () => ({ type: 'in', value: sub('numeric'), options: [integerLit(g), integerLit(g)], ...(chance(g, 0.5) ? { negated: true } : {}) }),
  ];
  if (enums.length) {
    options.push(() => {
      const e = pick(g, enums);
      return { type: 'compare', op: pick(g, ['==', '!='] as const), left: nameExpr(e), right: { type: 'string', value: pick(g, e.values!) } };
    });
    options.push(() => {
      const e = pick(g, enums);
      const opts = [pick(g, e.values!), pick(g, e.values!)].slice(0, int(g, 1, 2));
      return { type: 'in', value: nameExpr(e), options: opts.map((v) => ({ type: 'string', value: v })), ...(chance(g, 0.5) ? { negated: true } : {}) };
    });
  }
  if (factish.length) options.push(() => ({ type: 'call', fn: 'known', args: [nameExpr(pick(g, factish))] }));
  if (lists.length) options.push(() => aggregate(g, ctx, depth, 'boolean'));
  return pick(g, options)();
}

/** An aggregate over one of the env's lists, of the wanted family. */
function aggregate(g: G, ctx: Ctx, depth: number, family: 'numeric' | 'money' | 'boolean'): Expr {
  const list = pick(g, ctx.env.lists);
  const inner: Ctx = { env: ctx.env, fields: list.fields };
  const where = (): Expr | undefined => (chance(g, 0.6) ? genExpr(g, inner, 'boolean', Math.min(depth - 1, 2)) : undefined);
  const fieldsOf = (f: Family): ArbName[] => list.fields.filter((x) => x.family === f);
  const withOpt = (e: { type: 'aggregate'; fn: Extract<Expr, { type: 'aggregate' }>['fn']; list: string; value?: Expr; where?: Expr }): Expr => {
    if (e.value === undefined) delete e.value;
    if (e.where === undefined) delete e.where;
    return e;
  };
  if (family === 'boolean') {
    const fn = pick(g, ['any', 'all'] as const);
    const value = chance(g, 0.4) ? genExpr(g, inner, 'boolean', 1) : undefined;
    const w = where();
    // all(L) / any(L) with neither part would print as a bare list: keep at least one.
    return withOpt({ type: 'aggregate', fn, list: list.name, value: value ?? (w ? undefined : genExpr(g, inner, 'boolean', 1)), where: w });
  }
  const valued = fieldsOf(family);
  if (family === 'numeric') {
    const fn = pick(g, ['count', 'ratio', 'sum', 'min', 'max', 'avg'] as const);
    if (fn === 'count') return withOpt({ type: 'aggregate', fn, list: list.name, where: where() });
    if (fn === 'ratio') {
      const numeric = [...fieldsOf('numeric'), ...fieldsOf('money')];
      const value = numeric.length && chance(g, 0.5) ? nameExpr(pick(g, numeric)) : undefined;
      return withOpt({ type: 'aggregate', fn, list: list.name, value, where: where() });
    }
    if (!valued.length) return withOpt({ type: 'aggregate', fn: 'count', list: list.name, where: where() });
    return withOpt({ type: 'aggregate', fn, list: list.name, value: nameExpr(pick(g, valued)), where: where() });
  }
  if (!valued.length) return { type: 'money', yuan: moneyYuan(g) };
  const fn = pick(g, ['sum', 'min', 'max', 'avg'] as const);
  return withOpt({ type: 'aggregate', fn, list: list.name, value: nameExpr(pick(g, valued)), where: where() });
}

/**
 * The environment of an existing policy (the merged one, for a variant), so expressions can be
 * drawn over its facts, parameters, definitions and, with `rule`, that rule's lets. Definition and
 * let families come from their declared expressions' static types.
 */
export function arbEnvOf(ir: PolicyIR, rule?: RuleIR): ArbEnv {
  const env = envForPolicy(ir, rule);
  const family = (t: ValueType): Family | 'enum' | undefined =>
    t.kind === 'enum' ? 'enum' : t.kind === 'list' || t.kind === 'duration' ? undefined : familyOf(t.kind);
  const names: ArbName[] = [];
  const lists: ArbList[] = [];
  const fieldName = (f: FactDecl, node: 'fact' | 'field'): ArbName | undefined => {
    if (f.type.kind === 'list') return undefined;
    if (f.type.kind === 'enum') return { name: f.name, node, family: 'enum', values: f.type.values.map((v) => v.value) };
    return { name: f.name, node, family: familyOf(f.type.kind) };
  };
  for (const f of ir.facts) {
    if (f.type.kind === 'list') lists.push({ name: f.name, fields: f.type.fields.map((x) => fieldName(x, 'field')).filter((x): x is ArbName => !!x) });
    else names.push(fieldName(f, 'fact')!);
  }
  const durations: string[] = [];
  for (const p of ir.parameters) {
    if (p.type.kind === 'duration') durations.push(p.name);
    else names.push({ name: p.name, node: 'param', family: familyOf(p.type.kind) });
  }
  for (const d of [...ir.definitions, ...(rule?.lets ?? [])]) {
    const t = env.refType(d.name);
    const f = t && family(t);
    if (f) names.push({ name: d.name, node: 'ref', family: f, values: t?.kind === 'enum' ? t.values : undefined });
  }
  // A let hides a definition of the same name: keep the last entry per name.
  const byName = new Map(names.map((n) => [n.name, n] as const));
  return { names: [...byName.values()], lists, ...(durations.length ? { durations } : {}) };
}

/** Well-typed expressions of a family over `env` (boolean by default: a condition). */
export function arbExpr(env: ArbEnv, family: Family = 'boolean', depth = 3): fc.Arbitrary<Expr> {
  return fc.gen().map((g) => genExpr(g, { env }, family, depth));
}

// ---------------------------------------------------------------------------------------------

const KINDS: ScalarKind[] = ['boolean', 'integer', 'number', 'money', 'percent', 'date', 'string'];

function paramValue(g: G, kind: ParameterDecl['type']['kind']): Literal {
  switch (kind) {
    case 'duration':
      return `${int(g, 0, 400)} ${pick(g, ['days', 'workdays', 'months', 'years'] as DurationUnit[])}`;
    case 'boolean':
      return chance(g, 0.5);
    case 'integer':
      return int(g, 0, 100000);
    case 'number':
      return Number((int(g, 0, 9999) + pick(g, [0.5, 0.25, 0.1])).toFixed(2));
    case 'money':
      return moneyYuan(g);
    case 'percent':
      return percentValue(g);
    case 'date':
      return randomDate(g);
    case 'string':
      return text(g);
  }
}

function optional<T>(g: G, p: number, make: () => T): T | undefined {
  return chance(g, p) ? make() : undefined;
}

function clean<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * Random policies that compile without diagnostics (no `extends`: a base would have to exist).
 * With `durationParams`, some have duration parameters (30 days, 20 workdays…) added to dates.
 */
export function arbPolicyIr(opts: { durationParams?: boolean } = {}): fc.Arbitrary<PolicyIR> {
  return fc.gen().map((g) => {
    const names = g(fc.shuffledSubarray, NAME_POOL, { minLength: 40, maxLength: 40 });
    let next = 0;
    const fresh = (): string => names[next++]!;

    const jurisdiction = pick(g, ['central', 'gansu', 'shanxi', 'panjin']);
    const from = randomDate(g, 5000, 8000);
    const until = optional(g, 0.5, () => dateAt(daysOf(from) + int(g, 0, 3000)));
    const sources: SourceDocument[] = Array.from({ length: int(g, 1, 2) }, () =>
      clean({ key: fresh(), title: label(g), number: optional(g, 0.4, () => `甘财农〔${int(g, 2015, 2020)}〕${int(g, 1, 99)}号`) }),
    );
    const cite = (): Citation => clean({ source: pick(g, sources).key, article: `第${int(g, 1, 40)}条`, quote: optional(g, 0.3, () => text(g, 1, 10)) });

    const env: ArbEnv = { names: [], lists: [] };
    const facts: FactDecl[] = [];
    const enumValues = (): EnumValue[] => {
      const vals = g(fc.shuffledSubarray, ['种植', '养殖', '其他', '基础设施', 'A类', 'b2'], { minLength: 2, maxLength: 4 });
      return vals.map((v) => clean({ value: v, label: label(g), labelEn: optional(g, 0.3, () => 'en ' + v) }));
    };
    for (let i = int(g, 2, 6); i > 0; i--) {
      const kind = pick(g, KINDS);
      const name = fresh();
      facts.push(clean({ name, label: label(g), labelEn: optional(g, 0.3, () => 'Label ' + name), type: { kind } }));
      env.names.push({ name, node: 'fact', family: familyOf(kind) });
    }
    if (chance(g, 0.6)) {
      const name = fresh();
      const values = enumValues();
      facts.push({ name, label: label(g), type: { kind: 'enum', values } });
      env.names.push({ name, node: 'fact', family: 'enum', values: values.map((v) => v.value) });
    }
    for (let l = int(g, 0, 2); l > 0; l--) {
      const name = fresh();
      const fields: FactDecl[] = [];
      const arbFields: ArbName[] = [];
      for (let i = int(g, 1, 3); i > 0; i--) {
        const fname = fresh();
        if (chance(g, 0.2)) {
          const values = enumValues();
          fields.push({ name: fname, label: label(g), type: { kind: 'enum', values } });
          arbFields.push({ name: fname, node: 'field', family: 'enum', values: values.map((v) => v.value) });
        } else {
          const kind = pick(g, ['integer', 'money', 'boolean', 'date', 'number'] as ScalarKind[]);
          fields.push({ name: fname, label: label(g), type: { kind } });
          arbFields.push({ name: fname, node: 'field', family: familyOf(kind) });
        }
      }
      facts.push({ name, label: label(g), type: { kind: 'list', fields } });
      env.lists.push({ name, fields: arbFields });
    }

    const parameters: ParameterDecl[] = [];
    for (let i = int(g, 0, 3); i > 0; i--) {
      const kind = pick(g, KINDS);
      const name = fresh();
      let day = daysOf(from);
      const values = Array.from({ length: int(g, 1, 3) }, () => {
        // The DSL writes no quote on a parameter's citation (docs/language.md, Parameters).
        const v = clean({ from: dateAt(day), value: paramValue(g, kind), cites: optional(g, 0.5, () => { const c = cite(); delete c.quote; return c; }) });
        day += int(g, 1, 800);
        return v;
      });
      parameters.push(clean({ name, label: label(g), type: { kind }, values }));
      env.names.push({ name, node: 'param', family: familyOf(kind) });
    }
    if (opts.durationParams && chance(g, 0.3)) {
      const name = fresh();
      let day = daysOf(from);
      const values = Array.from({ length: int(g, 1, 3) }, () => {
        const v = clean({ from: dateAt(day), value: paramValue(g, 'duration'), cites: optional(g, 0.5, () => { const c = cite(); delete c.quote; return c; }) });
        day += int(g, 1, 800);
        return v;
      });
      parameters.push(clean({ name, label: label(g), type: { kind: 'duration' as const }, values }));
      env.durations = [name];
    }

    // Each definition sees only the ones before it, so there are no cycles.
    const definitions: Definition[] = [];
    for (let i = int(g, 0, 3); i > 0; i--) {
      const family = pick(g, ['numeric', 'money', 'date', 'boolean'] as Family[]);
      const name = fresh();
      definitions.push(clean({ name, label: optional(g, 0.5, () => label(g)), expr: genExpr(g, { env }, family, 2) }));
      env.names.push({ name, node: 'ref', family });
    }

    const rules: RuleIR[] = [];
    for (let i = int(g, 1, 3); i > 0; i--) {
      const ruleEnv: ArbEnv = { names: [...env.names], lists: env.lists };
      const lets: Definition[] = [];
      for (let j = int(g, 0, 2); j > 0 && next < names.length - 4; j--) {
        const family = pick(g, ['numeric', 'money', 'boolean'] as Family[]);
        const name = fresh();
        lets.push({ name, expr: genExpr(g, { env: ruleEnv }, family, 2) });
        ruleEnv.names.push({ name, node: 'ref', family });
      }
      const computed: ComputedValue[] = [];
      const compNames = new Set<string>();
      for (let j = int(g, 0, 2); j > 0; j--) {
        const name = pick(g, ['罚款', '超出金额', '天数', 'penalty']);
        if (compNames.has(name)) continue;
        compNames.add(name);
        const family = pick(g, ['numeric', 'money', 'date', 'boolean'] as Family[]);
        computed.push(clean({ name, label: optional(g, 0.5, () => label(g)), expr: genExpr(g, { env: ruleEnv }, family, 2) }));
      }
      rules.push(
        clean({
          id: `rule_${i}_${int(g, 0, 99)}`,
          title: label(g),
          titleEn: optional(g, 0.3, () => 'Rule ' + i),
          cites: cite(),
          lets,
          when: genExpr(g, { env: ruleEnv }, 'boolean', 3),
          then: clean({
            kind: pick(g, ['violation', 'accountability', 'eligible', 'ineligible', 'notice', 'commendation', 'computation'] as OutcomeKind[]),
            severity: optional(g, 0.7, () => pick(g, ['info', 'low', 'medium', 'high', 'critical'] as Severity[])),
            message: clean({ zh: text(g, 1, 10), en: optional(g, 0.5, () => 'message ' + text(g, 0, 5)) }),
            consequences: Array.from({ length: int(g, 0, 2) }, () => text(g, 1, 6)),
            computed,
          }),
        }),
      );
    }
    // Ids are drawn with a counter prefix, so they are unique; exceptions point at an earlier rule.
    if (rules.length > 1 && chance(g, 0.5)) rules[rules.length - 1]!.exceptionTo = rules[0]!.id;

    return clean({
      irVersion: 1 as const,
      id: `${jurisdiction}/topic-${int(g, 1, 99)}`,
      title: label(g),
      titleEn: optional(g, 0.4, () => 'Title ' + text(g, 0, 4)),
      jurisdiction,
      version: `${int(g, 2015, 2024)}.${int(g, 1, 3)}`,
      effectiveFrom: from,
      effectiveUntil: until,
      supersedes: optional(g, 0.2, () => [{ policy: `${jurisdiction}/older`, version: '1' }]),
      sources,
      facts,
      parameters,
      definitions,
      rules,
    });
  });
}

/**
 * A base policy and a variant that extends it: the variant adds a fact, may give a base
 * parameter new values, overrides some base rules, declares exceptions to others, disables some,
 * and adds rules over inherited and own names. Compile the variant with
 * `resolveBase: () => base`.
 */
export function arbVariantPair(): fc.Arbitrary<{ base: PolicyIR; variant: PolicyIR }> {
  return fc.tuple(arbPolicyIr(), fc.gen()).map(([base, g]) => {
    const used = new Set<string>([
      ...base.sources.map((s) => s.key),
      ...base.facts.flatMap((f) => [f.name, ...(f.type.kind === 'list' ? f.type.fields.map((x) => x.name) : [])]),
      ...base.parameters.map((p) => p.name),
      ...base.definitions.map((d) => d.name),
      ...base.rules.flatMap((r) => r.lets.map((l) => l.name)),
    ]);
    const free = NAME_POOL.filter((n) => !used.has(n));
    let next = 0;
    const fresh = (): string => free[next++]!;

    const from = dateAt(daysOf(base.effectiveFrom) + int(g, 0, 400));
    const sourceKey = fresh();
    const sources: SourceDocument[] = [{ key: sourceKey, title: label(g) }];
    const cite = (): Citation => ({ source: chance(g, 0.7) ? sourceKey : pick(g, base.sources).key, article: `第${int(g, 1, 40)}条` });

    const env = arbEnvOf(base);
    const facts: FactDecl[] = [];
    if (chance(g, 0.7)) {
      const kind = pick(g, KINDS);
      const name = fresh();
      facts.push({ name, label: label(g), type: { kind } });
      env.names.push({ name, node: 'fact', family: familyOf(kind) });
    }
    const parameters: ParameterDecl[] = [];
    if (base.parameters.length && chance(g, 0.5)) {
      const p = pick(g, base.parameters);
      parameters.push({ name: p.name, label: p.label, type: { kind: p.type.kind }, values: [{ from, value: paramValue(g, p.type.kind) }] });
    }

    const rules: RuleIR[] = [];
    const disabled: { rule: string; reason: string }[] = [];
    const outcome = (): RuleIR['then'] => ({ kind: pick(g, ['violation', 'notice', 'eligible'] as OutcomeKind[]), message: { zh: text(g, 1, 6) }, consequences: [], computed: [] });
    for (const r of base.rules) {
      const choice = int(g, 0, 3);
      if (choice === 0) {
        rules.push({ id: r.id, title: label(g), cites: cite(), lets: [], when: genExpr(g, { env }, 'boolean', 2), then: outcome(), overrides: true });
      } else if (choice === 1) {
        rules.push({ id: `${r.id}_exception`, title: label(g), cites: cite(), lets: [], when: genExpr(g, { env }, 'boolean', 2), then: outcome(), exceptionTo: r.id });
      } else if (choice === 2) {
        disabled.push({ rule: r.id, reason: text(g, 1, 8) });
      }
    }
    rules.push({ id: 'variant_rule', title: label(g), cites: cite(), lets: [], when: genExpr(g, { env }, 'boolean', 3), then: outcome() });

    const variant: PolicyIR = clean({
      irVersion: 1 as const,
      id: `${base.jurisdiction}/variant-${int(g, 1, 99)}`,
      title: label(g),
      jurisdiction: base.jurisdiction,
      version: '1',
      effectiveFrom: from,
      extends: chance(g, 0.5) ? { policy: base.id, version: base.version } : { policy: base.id },
      sources,
      facts,
      parameters,
      definitions: [],
      rules,
      disabled: disabled.length ? disabled : undefined,
    });
    return { base, variant };
  });
}
