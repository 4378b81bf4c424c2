/**
 * The policy IR as SQL: one query judging every rule of one or more policy versions for every
 * record of a table, with the engine's semantics (engine/README.md "Semantics").
 *
 * Shape. Unknown is SQL NULL; SQL's AND/OR/NOT on NULL are Kleene's. Each expression compiles to a
 * value and, beside it, a BIGINT mask of why it is unknown (a bit per fact or list field, and four
 * reason bits), 0 whenever the value is known; so the missing facts of an undetermined rule come out
 * of the same row. The query is a chain of CTEs (layers): layer 0 converts the fact columns (yuan to
 * fen, percent to ratio); each later layer adds the definitions and lets whose inputs exist, and the
 * aggregates over list facts, each computed by one GROUP BY over the list's rows joined back by `rid`
 * (so a definition an aggregate reads is computed in an earlier layer). Aggregates never rely on SQL
 * skipping NULLs: counts of unknown `where`s and values decide first, as the engine does. Money is
 * DECIMAL(18,0) fen; a product or quotient of money with a number is rounded by `tw_round` (cut to 15
 * significant digits, then half away from zero, as `roundHalfAway`). Sums of doubles are folded in
 * record order (the engine's order). Parameters and `as_of` are constants of the query.
 *
 * What it refuses (diagnostic `sql.unsupported`, never a wrong query): durations other than a literal
 * on the right of date ±, `date ± number` other than an integer literal, strings ordered by `<`,
 * an aggregate whose per-record expression reads an aggregate, and hand-built IR that does not type.
 */
import type { AggregateFn, Expr, FactDecl, ParameterDecl, PolicyIR, RuleIR } from '../ir/types.ts';
import { envForPolicy, typeOf, type TypeEnv } from '../ir/typecheck.ts';
import { parseDate, roundHalfAway, yuanToFen } from '../values/index.ts';
import { dialectOf, ident, setupSql, str, type Dialect } from './dialect.ts';
import { SqlRefusal, sqlDiagnostic } from './messages.ts';
import type { ComputedKind, MaskBit, RuleColumns, SideLayout, SqlDialect, SqlPlan, SqlSource } from './types.ts';
import type { Diagnostic, Result } from '../../dsl/diagnostics.ts';

export const DEFAULT_SOURCE: SqlSource = { records: 'tw_records', lists: {} };

/** The list relation of a list fact when the source does not name one: `tw_list_<fact>`. */
export function defaultListRelation(list: string): string {
  return ident(`tw_list_${list}`);
}

const REASON_BITS = ['division-by-zero', 'no-parameter-value', 'empty-aggregate', 'exception-undetermined'] as const;
const DIV0 = 1;
const NOPARAM = 2;
const EMPTY = 4;
const EXCEPTION = 8;
/** Bits a mask may use: 63 would be the sign; 4 go to reasons. */
const MAX_FACT_BITS = 59;

type Kind = 'bool' | 'num' | 'money' | 'date' | 'str' | 'dur';

/** A compiled expression: SQL for its value and its mask (null: never unknown), and the first layer that can read it. */
interface X {
  v: string;
  m: string | null;
  k: Kind;
  need: number;
  dur?: { amount: number; unit: 'days' | 'workdays' | 'months' | 'years' };
  /**
   * When set, SQL equivalent to `v IS NULL` reading only the operands (a comparison is NULL exactly
   * when an operand is): `(x >= 90) IS NULL` and `(x >= 180) IS NULL` become the same `x IS NULL`,
   * one column for every aggregate that counts unknown records.
   */
  isNull?: string;
}

/** `x IS NULL`, through the operands where the expression says how. */
const nullSql = (x: X): string => x.isNull ?? `${x.v} IS NULL`;

export interface SideInput {
  ir: PolicyIR;
  /** Column prefix, distinct per side (`b_`, `c_`). */
  prefix: string;
}

export interface CompileSqlOptions {
  dialect: SqlDialect;
  /** Parameters and `as_of` are read on this date. */
  asOf: string;
  source?: SqlSource;
}

interface Join {
  list: string;
  parent: boolean;
  items: string[];
  fields: Map<string, string>;
  fieldItems: string[];
  alias: string;
}

interface Layer {
  items: string[];
  joins: Map<string, Join>;
  /** Joins of the working-day adjustment table on a date column. */
  calendar: string[];
}

/** State shared by the sides of one query: layer 0 (converted facts) and the layers after it. */
class Plan {
  readonly base = new Map<string, string>();
  readonly baseItems: string[] = [];
  readonly layers: Layer[] = [{ items: [], joins: new Map(), calendar: [] }];
  /** Aggregates by layer, list, function and compiled inputs. */
  readonly aggregates = new Map<string, X>();
  /** Columns by layer and expression text (see Side.item). */
  readonly items = new Map<string, X>();
  /** Working-day counts of a date column, by layer and column: computed once, read by every use. */
  readonly workdayCounts = new Map<string, { v: string; need: number }>();
  /**
   * Final columns (verdicts, masks, computed values, validity) by layer and expression: a rule the
   * candidate leaves as the baseline has it reads the baseline's columns, so the summary groups by
   * one column where it would group by two equal ones.
   */
  readonly finals = new Map<string, string>();
  /**
   * List form: per list column and layer, the conditions whose records are counted to learn
   * whether an aggregate is unknown (`… IS NULL`). One pass counts the records meeting any of
   * them (`nn…`, written into the layer by ctes()); each condition's own count is then taken only
   * for the records where that is not 0 (a record with a missing field is the exception).
   */
  readonly nullGuards = new Map<string, { k: number; list: string; name: string; conds: Set<string> }>();
  /**
   * List facts read in list form (DuckDB, the source names a LIST<STRUCT> column): the layer-0
   * column holding the list with its fields converted once, and those fields.
   */
  readonly listConv = new Map<string, Join>();
  constructor(
    readonly d: Dialect,
    readonly source: SqlSource,
  ) {}

  /** A final column of layer k: the existing one with the same expression, else `expr AS name`. */
  finalItem(k: number, expr: string, name: string): string {
    const key = `${k}\u0000${expr}`;
    const hit = this.finals.get(key);
    if (hit) return hit;
    this.finals.set(key, name);
    this.layer(k).items.push(`${expr} AS ${name}`);
    return name;
  }

  layer(k: number): Layer {
    while (this.layers.length <= k) this.layers.push({ items: [], joins: new Map(), calendar: [] });
    return this.layers[k]!;
  }

  /** The layer-0 column holding a fact converted to its run-time form. */
  factColumn(decl: FactDecl): string {
    const key = `${decl.name}\u0000${JSON.stringify(decl.type.kind === 'list' ? 'list' : decl.type)}`;
    let col = this.base.get(key);
    if (!col) {
      col = `f${this.base.size}`;
      this.base.set(key, col);
      this.baseItems.push(`${convert(this.d, `s.${ident(decl.name)}`, decl)} AS ${col}`);
    }
    return col;
  }

  /** Whether aggregates over `list` are list functions over a LIST column instead of a join on its rows. */
  listForm(list: string): boolean {
    return this.d.name === 'duckdb' && this.source.listColumns?.[list] !== undefined;
  }

  /** The layer-0 column of a list in list form; its fields are added as aggregates read them. */
  listColumn(list: string): Join {
    let j = this.listConv.get(list);
    if (!j) {
      j = { list, parent: false, items: [], fields: new Map(), fieldItems: [], alias: `lc${this.listConv.size}` };
      this.listConv.set(list, j);
    }
    return j;
  }

  join(k: number, list: string, parent: boolean): Join {
    const l = this.layer(k);
    const key = `${list}\u0000${parent}`;
    let j = l.joins.get(key);
    if (!j) {
      j = { list, parent, items: [], fields: new Map(), fieldItems: [], alias: `a${k}_${l.joins.size}` };
      l.joins.set(key, j);
    }
    return j;
  }

  /** The guard column (see nullGuards) of list column `list` (`t.lc…`) in layer k, with `cond` among its conditions. */
  nullGuard(k: number, list: string, cond: string): string {
    const key = `${k}\u0000${list}`;
    let g = this.nullGuards.get(key);
    if (!g) {
      g = { k, list, name: `nn${this.nullGuards.size}`, conds: new Set() };
      this.nullGuards.set(key, g);
    }
    g.conds.add(cond);
    return `t.${g.name}`;
  }

  ctes(): { ctes: string[]; last: string } {
    for (const g of this.nullGuards.values()) {
      this.layer(g.k).items.push(`len(list_filter(${g.list}, lambda l: ${[...g.conds].map((c) => `(${c})`).join(' OR ')})) AS ${g.name}`);
    }
    // Each list in list form is converted once per record (money to fen, percent to ratio), as the
    // join form converts each row of the list relation.
    const lists = [...this.listConv.values()].map((j) => {
      const col = `s.${ident(this.source.listColumns![j.list]!)}`;
      const conv = j.fieldItems.length ? `list_transform(${col}, lambda r: struct_pack(${j.fieldItems.map((i) => i.replace(/^(.*) AS (x\d+)$/s, '$2 := $1')).join(', ')}))` : col;
      return `${conv} AS ${j.alias}`;
    });
    const out = [`l0 AS (SELECT s.rid AS rid${[...this.baseItems, ...lists].map((i) => `, ${i}`).join('')} FROM ${this.source.records} s)`];
    for (let k = 1; k < this.layers.length; k++) {
      const l = this.layers[k]!;
      const joins = [...l.joins.values()].map((j) => {
        const rel = this.source.lists[j.list] ?? defaultListRelation(j.list);
        const child = `(SELECT r.rid AS rid, r.idx AS idx${j.fieldItems.map((i) => `, ${i}`).join('')} FROM ${rel} r) c`;
        const from = j.parent ? `${child} JOIN l${k - 1} p ON p.rid = c.rid` : child;
        return `\n  LEFT JOIN (SELECT c.rid AS rid${j.items.map((i) => `, ${i}`).join('')} FROM ${from} GROUP BY c.rid) ${j.alias} ON ${j.alias}.rid = t.rid`;
      });
      out.push(`l${k} AS (SELECT t.*${l.items.map((i) => `,\n  ${i}`).join('')}\n  FROM l${k - 1} t${joins.join('')}${l.calendar.join('')})`);
    }
    return { ctes: out, last: `l${this.layers.length - 1}` };
  }
}

/** A fact or field column as read from the source, converted: money yuan → fen, percent → ratio, numbers → double. */
function convert(d: Dialect, col: string, decl: FactDecl): string {
  switch (decl.type.kind) {
    case 'boolean':
      return `CAST(${col} AS BOOLEAN)`;
    case 'integer':
    case 'number':
      return `CAST(${col} AS ${d.double})`;
    case 'percent':
      return `(CAST(${col} AS ${d.double}) / 100)`;
    case 'money':
      // DECIMAL(18,2) keeps a 64-bit representation; a wider one costs 50 times more per row.
      return `CAST(CAST(${col} AS DECIMAL(18,2)) * 100 AS ${d.money})`;
    case 'date':
      return `CAST(${col} AS DATE)`;
    case 'string':
    case 'enum':
      return `CAST(${col} AS VARCHAR)`;
    case 'list':
      return `CAST(${col} AS INTEGER)`;
  }
}

function refuse(construct: string, where: string): never {
  throw new SqlRefusal(sqlDiagnostic('sql.unsupported', { construct, where }));
}

const orMasks = (ms: (string | null)[]): string | null => {
  const xs = ms.filter((m): m is string => m !== null);
  if (xs.length === 0) return null;
  return xs.length === 1 ? xs[0]! : `(${xs.join(' | ')})`;
};

/** The mask of a value that is unknown exactly when `v` is NULL: the union of `ms` then, else 0. */
const maskWhenNull = (v: string, ms: (string | null)[]): string | null => {
  const m = orMasks(ms);
  return m === null ? null : `CASE WHEN ${v} IS NULL THEN ${m} ELSE 0 END`;
};

const bigint = (n: number) => `CAST(${n} AS BIGINT)`;

function numLit(d: Dialect, n: number): string {
  if (!Number.isFinite(n)) refuse(`number ${n}`, 'literal');
  return `CAST(${String(n)} AS ${d.double})`;
}

/** Compiles one policy version's rules into the plan, with its columns prefixed. */
class Side {
  readonly env: TypeEnv;
  readonly bits: MaskBit[] = REASON_BITS.map((reason) => ({ kind: 'reason', reason }));
  readonly bitOf = new Map<string, number>();
  readonly facts = new Map<string, FactDecl>();
  readonly params = new Map<string, ParameterDecl>();
  readonly defs: Map<string, Expr>;
  readonly asOfDay: number;
  private n = 0;
  private readonly refCols = new Map<string, X | 'pending'>();
  /** Facts (bit numbers) each definition or let reads, transitively. */
  private readonly reads = new Map<string, Set<number>>();

  constructor(
    readonly plan: Plan,
    readonly ir: PolicyIR,
    readonly prefix: string,
    readonly asOf: string,
  ) {
    this.env = envForPolicy(ir);
    this.defs = new Map(ir.definitions.map((x) => [x.name, x.expr]));
    this.asOfDay = parseDate(asOf)!;
    for (const f of ir.facts) {
      this.facts.set(f.name, f);
      this.bitOf.set(f.name, this.bits.length);
      this.bits.push({ kind: 'fact', path: f.name });
    }
    for (const f of ir.facts) {
      if (f.type.kind !== 'list') continue;
      for (const field of f.type.fields) {
        this.bitOf.set(`${f.name}[].${field.name}`, this.bits.length);
        this.bits.push({ kind: 'fact', path: `${f.name}[].${field.name}` });
      }
    }
    if (this.bits.length - REASON_BITS.length > MAX_FACT_BITS) {
      throw new SqlRefusal(sqlDiagnostic('sql.too-many-facts', { count: this.bits.length - REASON_BITS.length }));
    }
    for (const p of ir.parameters) this.params.set(p.name, p);
  }

  col(): string {
    return `${this.prefix}x${this.n++}`;
  }

  bit(path: string): string {
    return bigint(2 ** this.bitOf.get(path)!);
  }

  /** The first layer that can read a column produced in layer k. */
  item(k: number, x: X, name?: string): X {
    // The same expression in the same layer is one column, whichever side asked: a candidate that
    // changes one parameter shares every other column with its baseline.
    const key = `${k}\u0000${x.v}\u0000${x.m ?? ''}`;
    const shared = this.plan.items.get(key);
    if (shared) return { ...shared, dur: x.dur };
    name ??= this.col();
    const l = this.plan.layer(k);
    l.items.push(`${x.v} AS ${name}`);
    let m: string | null = null;
    if (x.m !== null) {
      l.items.push(`${x.m} AS ${name}m`);
      m = `t.${name}m`;
    }
    const made: X = { v: `t.${name}`, m, k: x.k, need: k + 1, dur: x.dur };
    this.plan.items.set(key, made);
    return made;
  }

  // -------------------------------------------------------------------------------------------

  expr(e: Expr, sc: Scope): X {
    const d = this.plan.d;
    switch (e.type) {
      case 'boolean':
        return { v: e.value ? 'TRUE' : 'FALSE', m: null, k: 'bool', need: 1 };
      case 'number':
        return { v: numLit(d, e.value), m: null, k: 'num', need: 1 };
      case 'money':
        return { v: `CAST(${yuanToFen(e.yuan) ?? roundHalfAway(e.yuan * 100)} AS ${d.money})`, m: null, k: 'money', need: 1 };
      case 'percent':
        return { v: numLit(d, e.value / 100), m: null, k: 'num', need: 1 };
      case 'date':
        if (parseDate(e.value) === undefined) refuse(`date ${e.value}`, sc.where);
        return { v: `DATE '${e.value}'`, m: null, k: 'date', need: 1 };
      case 'string':
        return { v: str(e.value), m: null, k: 'str', need: 1 };
      case 'duration':
        return { v: 'NULL', m: null, k: 'dur', need: 1, dur: { amount: e.amount, unit: e.unit } };
      case 'asOf':
        return { v: `DATE '${this.asOf}'`, m: null, k: 'date', need: 1 };
      case 'fact': {
        const decl = this.facts.get(e.name) ?? refuse(`fact ${e.name}`, sc.where);
        const v = `${sc.record && !sc.record.lambda ? 'p' : 't'}.${this.plan.factColumn(decl)}`;
        if (sc.record) sc.record.parent = true;
        return { v, m: `CASE WHEN ${v} IS NULL THEN ${this.bit(e.name)} ELSE 0 END`, k: kindOfDecl(decl), need: 1 };
      }
      case 'field': {
        const r = sc.record ?? refuse(`field ${e.name} outside an aggregate`, sc.where);
        const decl = r.fields.get(e.name) ?? refuse(`field ${e.name}`, sc.where);
        let col = r.join.fields.get(e.name);
        if (!col) {
          col = `x${r.join.fields.size}`;
          r.join.fields.set(e.name, col);
          r.join.fieldItems.push(`${convert(d, `r.${ident(e.name)}`, decl)} AS ${col}`);
        }
        const v = `${r.lambda ? 'l' : 'c'}.${col}`;
        return { v, m: `CASE WHEN ${v} IS NULL THEN ${this.bit(`${r.list}[].${e.name}`)} ELSE 0 END`, k: kindOfDecl(decl), need: 1 };
      }
      case 'param':
        return this.param(e.name, sc);
      case 'ref':
        return this.ref(e.name, sc);
      case 'not': {
        const a = this.bool(e.arg, sc);
        return { v: `(NOT ${a.v})`, m: a.m, k: 'bool', need: a.need };
      }
      case 'neg': {
        const a = this.expr(e.arg, sc);
        if (a.k === 'num') return { ...a, v: `(-${a.v})` };
        if (a.k === 'money') return { ...a, v: `CAST(-${a.v} AS ${d.money})` };
        return refuse(`-(${a.k})`, sc.where);
      }
      case 'and':
      case 'or': {
        const args = e.args.map((a) => this.bool(a, sc));
        const v = `(${args.map((a) => a.v).join(e.type === 'and' ? ' AND ' : ' OR ')})`;
        return { v, m: maskWhenNull(v, args.map((a) => a.m)), k: 'bool', need: maxNeed(args) };
      }
      case 'compare':
        return this.compare(e.op, this.expr(e.left, sc), this.expr(e.right, sc), sc);
      case 'arith':
        return this.arith(e.op, this.expr(e.left, sc), this.expr(e.right, sc), sc);
      case 'in': {
        const v = this.expr(e.value, sc);
        const parts = e.options.map((o) => this.compare('==', v, this.expr(o, sc), sc));
        const any = `(${parts.map((p) => p.v).join(' OR ')})`;
        const r = { v: any, m: maskWhenNull(any, parts.map((p) => p.m)), k: 'bool' as Kind, need: maxNeed(parts) };
        return e.negated ? { ...r, v: `(NOT ${any})` } : r;
      }
      case 'between': {
        const v = this.expr(e.value, sc);
        const lo = this.compare(e.lowInclusive ? '<=' : '<', this.expr(e.low, sc), v, sc);
        const hi = this.compare(e.highInclusive ? '<=' : '<', v, this.expr(e.high, sc), sc);
        const both = `(${lo.v} AND ${hi.v})`;
        return { v: both, m: maskWhenNull(both, [lo.m, hi.m]), k: 'bool', need: maxNeed([lo, hi]) };
      }
      case 'if': {
        const c = this.bool(e.cond, sc);
        const a = this.expr(e.then, sc);
        const b = this.expr(e.else, sc);
        if (a.k === 'dur' || b.k === 'dur') refuse('a duration chosen by if', sc.where);
        const k = a.k === b.k ? a.k : refuse(`if with branches of kinds ${a.k} and ${b.k}`, sc.where);
        const v = `CASE WHEN ${c.v} THEN ${a.v} WHEN NOT ${c.v} THEN ${b.v} END`;
        const m =
          c.m === null && a.m === null && b.m === null
            ? null
            : `CASE WHEN ${c.v} IS NULL THEN ${c.m ?? '0'} WHEN ${c.v} THEN ${a.m ?? '0'} ELSE ${b.m ?? '0'} END`;
        return { v, m, k, need: maxNeed([c, a, b]) };
      }
      case 'call':
        return this.call(e, sc);
      case 'aggregate':
        return this.aggregate(e, sc);
    }
  }

  bool(e: Expr, sc: Scope): X {
    const x = this.expr(e, sc);
    if (x.k !== 'bool') refuse(`a condition of kind ${x.k}`, sc.where);
    return x;
  }

  param(name: string, sc: Scope): X {
    const d = this.plan.d;
    const p = this.params.get(name) ?? refuse(`parameter ${name}`, sc.where);
    let chosen: ParameterDecl['values'][number] | undefined;
    for (const v of p.values) {
      const from = parseDate(v.from);
      if (from !== undefined && from <= this.asOfDay && (!chosen || from >= parseDate(chosen.from)!)) chosen = v;
    }
    const kind = p.type.kind;
    const k: Kind =
      kind === 'integer' || kind === 'number' || kind === 'percent'
        ? 'num'
        : kind === 'boolean'
          ? 'bool'
          : kind === 'string'
            ? 'str'
            : kind === 'money' || kind === 'date'
              ? kind
              : refuse(`a parameter of kind ${kind}`, sc.where);
    if (!chosen) {
      const type = { num: d.double, money: d.money, date: 'DATE', bool: 'BOOLEAN', str: 'VARCHAR', dur: 'VARCHAR' }[k];
      return { v: `CAST(NULL AS ${type})`, m: bigint(NOPARAM), k, need: 1 };
    }
    const val = chosen.value;
    switch (kind) {
      case 'boolean':
        return { v: val ? 'TRUE' : 'FALSE', m: null, k, need: 1 };
      case 'integer':
      case 'number':
        return { v: numLit(d, Number(val)), m: null, k, need: 1 };
      case 'percent':
        return { v: numLit(d, Number(val) / 100), m: null, k, need: 1 };
      case 'money': {
        const fen = yuanToFen(val as number | string) ?? roundHalfAway(Number(val) * 100);
        return { v: `CAST(${fen} AS ${d.money})`, m: null, k, need: 1 };
      }
      case 'date':
        if (parseDate(String(val)) === undefined) refuse(`parameter date ${String(val)}`, sc.where);
        return { v: `DATE '${String(val)}'`, m: null, k, need: 1 };
      case 'string':
        return { v: str(String(val)), m: null, k, need: 1 };
      default:
        return refuse(`a parameter of kind ${kind}`, sc.where);
    }
  }

  /** A definition or let as a column of the layer where its inputs exist. */
  ref(name: string, sc: Scope): X {
    const letExpr = sc.rule?.lets.get(name);
    const key = letExpr ? `${sc.rule!.index}\u0000${name}` : `\u0000${name}`;
    const expr = letExpr ?? this.defs.get(name) ?? refuse(`name ${name}`, sc.where);
    const hit = this.refCols.get(key);
    if (hit === 'pending') throw new SqlRefusal(sqlDiagnostic('sql.cycle', { name }));
    let x = hit;
    if (!x) {
      this.refCols.set(key, 'pending');
      // A let sees the rule's lets and the definitions; a definition only the definitions; neither a record.
      const inner = this.expr(expr, { rule: letExpr ? sc.rule : undefined, where: sc.where });
      if (inner.k === 'dur') refuse(`a duration named ${name}`, sc.where);
      x = this.item(Math.max(1, inner.need), inner);
      this.refCols.set(key, x);
    }
    if (!sc.record) return x;
    sc.record.parent = true;
    // Inside a lambda the parent row is the row itself.
    if (sc.record.lambda) return x;
    return { ...x, v: x.v.replace(/^t\./, 'p.'), m: x.m === null ? null : x.m.replace(/^t\./, 'p.') };
  }

  compare(op: '==' | '!=' | '<' | '<=' | '>' | '>=', a: X, b: X, sc: Scope): X {
    const sqlOp = { '==': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' }[op];
    const side = (x: X, other: X): string => {
      if (x.k !== 'dur') return x.v;
      if (x.dur!.unit !== 'days' || other.k !== 'num') refuse(`a comparison with ${x.dur!.amount} ${x.dur!.unit}`, sc.where);
      return numLit(this.plan.d, x.dur!.amount);
    };
    const av = side(a, b);
    const bv = side(b, a);
    const ka = a.k === 'dur' ? 'num' : a.k;
    const kb = b.k === 'dur' ? 'num' : b.k;
    if (ka !== kb) refuse(`a comparison of ${ka} with ${kb}`, sc.where);
    if (ka === 'str' && op !== '==' && op !== '!=') refuse(`strings ordered by ${op}`, sc.where);
    const nullable = [a, b].filter((x) => x.m !== null && x.k !== 'dur').map((x) => nullSql(x));
    const isNull = nullable.length ? nullable.join(' OR ') : 'FALSE';
    return { v: `(${av} ${sqlOp} ${bv})`, m: orMasks([a.m, b.m]), k: 'bool', need: maxNeed([a, b]), isNull };
  }

  arith(op: '+' | '-' | '*' | '/', a: X, b: X, sc: Scope): X {
    const d = this.plan.d;
    const need = maxNeed([a, b]);
    const m = orMasks([a.m, b.m]);
    const known = (x: X) => (x.m === null ? null : `${x.v} IS NULL`);
    /** Division: NULLIF keeps the database from raising; a zero divisor of known operands is the engine's division by zero. */
    const divide = (num: string, den: string, k: Kind, wrap: (q: string) => string = (q) => q): X => {
      const unknownOperands = [known(a), known(b)].filter((x): x is string => x !== null);
      const mask =
        unknownOperands.length === 0
          ? `CASE WHEN ${den} = 0 THEN ${bigint(DIV0)} ELSE 0 END`
          : `CASE WHEN ${unknownOperands.join(' OR ')} THEN ${m} WHEN ${den} = 0 THEN ${bigint(DIV0)} ELSE 0 END`;
      return { v: wrap(`(${num} / NULLIF(${den}, 0))`), m: mask, k, need };
    };
    if (a.k === 'date') {
      if (b.k === 'dur' && (op === '+' || op === '-')) {
        const { amount, unit } = b.dur!;
        const n = op === '+' ? amount : -amount;
        if (!Number.isInteger(n)) refuse(`a fractional duration ${amount} ${unit}`, sc.where);
        let v: string;
        switch (unit) {
          case 'days':
            v = `(${a.v} + ${n})`;
            break;
          case 'months':
            v = `tw_add_months(${a.v}, ${n})`;
            break;
          case 'years':
            v = `tw_add_months(${a.v}, ${n * 12})`;
            break;
          case 'workdays':
            // The n-th working day after (before) the date: by the running count of working days.
            v =
              n === 0
                ? a.v
                : n > 0
                  ? `tw_workday_at(tw_cum(${a.v}) + ${n})`
                  : `tw_workday_at(tw_cum(${a.v} - 1) + ${n + 1})`;
            break;
        }
        return { v, m: a.m, k: 'date', need };
      }
      if (b.k === 'date' && op === '-') return { v: `CAST((${a.v} - ${b.v}) AS ${d.double})`, m, k: 'num', need };
      return refuse(`date ${op} ${b.k === 'dur' ? `${b.dur!.unit}` : b.k}`, sc.where);
    }
    if (a.k === 'dur' || b.k === 'dur') refuse(`duration arithmetic (${op})`, sc.where);
    if (a.k === 'money' && b.k === 'money') {
      if (op === '+' || op === '-') return { v: `CAST((${a.v} ${op} ${b.v}) AS ${d.money})`, m, k: 'money', need };
      if (op === '/') return divide(`CAST(${a.v} AS ${d.double})`, `CAST(${b.v} AS ${d.double})`, 'num');
      return refuse('money × money', sc.where);
    }
    if (a.k === 'money' && b.k === 'num') {
      if (op === '*') return { v: `CAST(tw_round(CAST(${a.v} AS ${d.double}) * ${b.v}) AS ${d.money})`, m, k: 'money', need };
      if (op === '/') return divide(`CAST(${a.v} AS ${d.double})`, b.v, 'money', (q) => `CAST(tw_round(${q}) AS ${d.money})`);
      return refuse(`money ${op} number`, sc.where);
    }
    if (a.k === 'num' && b.k === 'money') {
      if (op === '*') return { v: `CAST(tw_round(CAST(${b.v} AS ${d.double}) * ${a.v}) AS ${d.money})`, m, k: 'money', need };
      return refuse(`number ${op} money`, sc.where);
    }
    if (a.k === 'num' && b.k === 'num') {
      if (op === '/') return divide(a.v, b.v, 'num');
      return { v: `(${a.v} ${op} ${b.v})`, m, k: 'num', need };
    }
    return refuse(`${a.k} ${op} ${b.k}`, sc.where);
  }

  call(e: Extract<Expr, { type: 'call' }>, sc: Scope): X {
    const d = this.plan.d;
    if (e.fn === 'known') {
      const a = e.args[0] ?? refuse('known() without argument', sc.where);
      const decl = a.type === 'fact' ? this.facts.get(a.name) : undefined;
      if (decl?.type.kind === 'list') {
        if (sc.record) sc.record.parent = true;
        return { v: `(${sc.record && !sc.record.lambda ? 'p' : 't'}.${this.plan.factColumn(decl)} IS NOT NULL)`, m: null, k: 'bool', need: 1 };
      }
      const x = this.expr(a, sc);
      return { v: `(${x.v} IS NOT NULL)`, m: null, k: 'bool', need: x.need };
    }
    const args = e.args.map((a) => this.expr(a, sc));
    const need = maxNeed(args);
    const m = orMasks(args.map((x) => x.m));
    const anyNull = args.filter((x) => x.m !== null).map((x) => `${x.v} IS NULL`);
    const guard = (v: string) => (anyNull.length ? `CASE WHEN ${anyNull.join(' OR ')} THEN NULL ELSE ${v} END` : v);
    switch (e.fn) {
      case 'min':
      case 'max': {
        const k = args[0]?.k ?? refuse(`${e.fn}() without arguments`, sc.where);
        if (k === 'dur' || k === 'bool' || args.some((x) => x.k !== k)) refuse(`${e.fn} of ${args.map((x) => x.k).join(', ')}`, sc.where);
        if (k === 'str') refuse(`${e.fn} of strings`, sc.where);
        return { v: guard(`${e.fn === 'min' ? 'LEAST' : 'GREATEST'}(${args.map((x) => x.v).join(', ')})`), m, k, need };
      }
      case 'abs': {
        const a = args[0]!;
        if (a.k === 'num') return { ...a, v: `ABS(${a.v})` };
        if (a.k === 'money') return { ...a, v: `CAST(ABS(${a.v}) AS ${d.money})` };
        return refuse(`abs of ${a.k}`, sc.where);
      }
      case 'round': {
        const a = args[0]!;
        if (a.k === 'num') return { ...a, v: `CAST(tw_round(${a.v}) AS ${d.double})` };
        if (a.k === 'money') return { ...a, v: `CAST(tw_round(CAST(${a.v} AS ${d.double}) / 100) * 100 AS ${d.money})` };
        return refuse(`round of ${a.k}`, sc.where);
      }
      case 'daysBetween':
      case 'workdaysBetween':
      case 'monthsBetween':
      case 'yearsBetween': {
        const [a, b] = args;
        if (a?.k !== 'date' || b?.k !== 'date') return refuse(`${e.fn} of non-dates`, sc.where);
        if (e.fn === 'workdaysBetween' && d.workdayCount) return this.workdaysInline(a, b, m, sc);
        const v = {
          daysBetween: `CAST((${b.v} - ${a.v}) AS ${d.double})`,
          workdaysBetween: `CAST(tw_workdays_between(${a.v}, ${b.v}) AS ${d.double})`,
          monthsBetween: `CAST(tw_months_between(${a.v}, ${b.v}) AS ${d.double})`,
          // Truncated toward zero, as yearsBetween; months ÷ 12 as a double never rounds up to the next integer.
          yearsBetween: `trunc(CAST(tw_months_between(${a.v}, ${b.v}) AS ${d.double}) / 12)`,
        }[e.fn];
        return { v, m, k: 'num', need };
      }
    }
  }

  /**
   * workdaysBetween where the dialect counts working days inline (DuckDB's tw_wcum): each date
   * becomes a column first (the count repeats its argument), and each date's count a column of its
   * own, computed once however many rules read it.
   */
  workdaysInline(a: X, b: X, m: string | null, sc: Scope): X {
    const d = this.plan.d;
    const count = (x: X): X => {
      if (sc.record) {
        if (!/^[cplt]\.\w+$/.test(x.v)) refuse('workdaysBetween of a computed date inside an aggregate', sc.where);
        return { ...x, v: d.workdayCount!(x.v), k: 'num' };
      }
      const col = /^t\.\w+$/.test(x.v) ? x : this.item(Math.max(1, x.need), x);
      const k = Math.max(1, col.need);
      const key = `${k}\u0000${col.v}`;
      let hit = this.plan.workdayCounts.get(key);
      if (!hit) {
        const name = `wc${this.plan.workdayCounts.size}`;
        const layer = this.plan.layer(k);
        if (d.workdayCountJoined) {
          // One cross join per layer with the one-row list of ordinals, shared by its date columns.
          if (!layer.calendar.length) layer.calendar.push('\n  CROSS JOIN tw_workday_ords wo');
          layer.items.push(`${d.workdayCountJoined(col.v, 'wo')} AS ${name}`);
        } else layer.items.push(`${d.workdayCount!(col.v)} AS ${name}`);
        hit = { v: `t.${name}`, need: k + 1 };
        this.plan.workdayCounts.set(key, hit);
      }
      return { v: hit.v, m: col.m, k: 'num', need: hit.need };
    };
    const ca = count(a);
    const cb = count(b);
    return { v: `CAST((${cb.v} - ${ca.v}) AS ${d.double})`, m, k: 'num', need: maxNeed([ca, cb]) };
  }

  aggregate(e: Extract<Expr, { type: 'aggregate' }>, sc: Scope): X {
    const d = this.plan.d;
    if (sc.record) refuse(`an aggregate over ${e.list} inside an aggregate`, sc.where);
    const decl = this.facts.get(e.list);
    if (!decl || decl.type.kind !== 'list') return refuse(`aggregate over ${e.list}`, sc.where);
    const fields = new Map(decl.type.fields.map((f) => [f.name, f]));
    // Compiled twice: first to learn which layer the inputs need and whether they read the parent row.
    const lambda = this.plan.listForm(e.list);
    const probe: RecordScope = { list: e.list, fields, join: { list: e.list, parent: false, items: [], fields: new Map(), fieldItems: [], alias: '' }, parent: false, lambda };
    const w0 = e.where ? this.bool(e.where, { ...sc, record: probe }) : undefined;
    const v0 = e.value ? this.expr(e.value, { ...sc, record: probe }) : undefined;
    const k = Math.max(1, w0?.need ?? 1, v0?.need ?? 1);
    const join = lambda ? this.plan.listColumn(e.list) : this.plan.join(k, e.list, probe.parent);
    const rs: RecordScope = { list: e.list, fields, join, parent: probe.parent, lambda };
    const w = e.where ? this.bool(e.where, { ...sc, record: rs }) : { v: 'TRUE', m: null, k: 'bool' as Kind, need: 1 };
    const val = e.value ? this.expr(e.value, { ...sc, record: rs }) : undefined;
    // The same aggregate over the same inputs is computed once for every side that reads it.
    const aggKey = `${k}\u0000${e.list}\u0000${fn0(e)}\u0000${w.v}\u0000${w.m}\u0000${val?.v}\u0000${val?.m}\u0000${probe.parent}`;
    const seen = this.plan.aggregates.get(aggKey);
    if (seen) return seen;
    const a = `${this.prefix}g${this.n++}`;
    // List form: each part is a column of layer k over the converted list (identical parts of any
    // aggregate or side are one column), and the aggregate a column of layer k + 1.
    const L = `t.${join.alias}`;
    const partCol = (name: string, sql: string) => {
      if (lambda) return this.item(k, { v: sql, m: null, k: 'num', need: k }).v;
      join.items.push(`${sql} AS ${a}_${name}`);
      return `${join.alias}.${a}_${name}`;
    };
    const part = (name: string, sql: string) => `COALESCE(${partCol(name, sql)}, 0)`;
    // A count of records whose condition is unknown: in list form, counted only where the layer's
    // one guard pass found such a record (a column of layer k + 1; the aggregate moves to k + 2).
    let guarded = false;
    const nullCount = (name: string, cond: string) => {
      if (!lambda) return part(name, count(cond));
      guarded = true;
      const guard = this.plan.nullGuard(k, L, cond);
      return this.item(k + 1, { v: `CASE WHEN ${guard} > 0 THEN ${count(cond)} ELSE 0 END`, m: null, k: 'num', need: k + 1 }).v;
    };
    const rawPart = partCol;
    const filtered = (cond: string) => (cond === 'TRUE' ? L : `list_filter(${L}, lambda l: ${cond})`);
    const count = (cond: string) => (lambda ? `len(${filtered(cond)})` : `count(*) FILTER (WHERE ${cond})`);
    const countAll = () => (lambda ? `len(${L})` : 'count(*)');
    // List form: a mask is only read where the aggregate is unknown, so it stays inline, in the
    // CASE branch that needs it, and is computed for those records only.
    const bitOr = (mask: string | null) => (mask === null ? null : lambda ? `COALESCE(list_bit_or(list_transform(${L}, lambda l: ${mask})), 0)` : part('m', `bit_or(${mask})`));
    /** SQL's sum/min/max of v over the records where w holds: NULL when there are none or all are NULL. */
    const over = (f: 'sum' | 'min' | 'max', v: string, w: string) =>
      lambda ? `list_${f}(list_transform(${filtered(w)}, lambda l: ${v}))` : w === 'TRUE' ? `${f}(${v})` : `${f}(${v}) FILTER (WHERE ${w})`;
    /** Doubles added in record order from 0, as the engine adds them. */
    const orderedSum = (v: string, w: string) =>
      lambda ? `COALESCE(list_reduce(list_transform(${filtered(w)}, lambda l: ${v}), lambda x, y: x + y, CAST(0 AS DOUBLE)), CAST(0 AS DOUBLE))` : d.orderedSum(v, w, 'c.idx');
    const listCol = `t.${this.plan.factColumn(decl)}`;
    const listBit = this.bit(e.list);
    const fn: AggregateFn = e.fn;
    const wNull = w.m !== null ? nullCount('wn', nullSql(w)) : null;
    const sel = part('n', w.v === 'TRUE' ? countAll() : count(w.v));
    // Each result: when is it unknown (beyond a missing list), its mask then, and its value otherwise.
    let unknownWhen: string[] = [];
    let mask: string | null = null;
    let value: string;
    let valueMask: string | null = null;
    let kind: Kind = 'num';
    switch (fn) {
      case 'count':
        if (wNull) unknownWhen = [`${wNull} > 0`];
        mask = bitOr(w.m);
        value = `CAST(${sel} AS ${d.double})`;
        break;
      case 'any':
      case 'all': {
        const each: X = val
          ? fn === 'any'
            ? this.kleene('AND', [w, this.needBool(val, sc)])
            : this.kleene('OR', [{ ...w, v: `(NOT ${w.v})` }, this.needBool(val, sc)])
          : w;
        // any is decided by a true record, all by a false one: only that count is needed.
        const decidedBy = fn === 'any' ? part('t', count(each.v)) : part('f', count(`NOT ${each.v}`));
        const x = each.m !== null ? nullCount('x', nullSql(each)) : null;
        mask = bitOr(each.m === null ? null : `CASE WHEN ${each.v} IS NULL THEN ${each.m} ELSE 0 END`);
        kind = 'bool';
        const decided = `${decidedBy} > 0`;
        const fallback = fn === 'any' ? 'FALSE' : 'TRUE';
        value = x
          ? `CASE WHEN ${decided} THEN ${fn === 'any' ? 'TRUE' : 'FALSE'} WHEN ${x} > 0 THEN NULL ELSE ${fallback} END`
          : fn === 'any'
            ? `(${decided})`
            : `(NOT (${decided}))`;
        if (x) valueMask = `CASE WHEN ${decided} THEN 0 WHEN ${x} > 0 THEN ${mask ?? '0'} ELSE 0 END`;
        break;
      }
      case 'ratio':
        if (!val) {
          if (wNull) unknownWhen = [`${wNull} > 0`];
          mask = bitOr(w.m);
          const all = part('c', countAll());
          value = `CAST(${sel} AS ${d.double}) / NULLIF(CAST(${all} AS ${d.double}), 0)`;
          valueMask = `CASE WHEN ${all} = 0 THEN ${bigint(DIV0)} ELSE 0 END`;
          break;
        } else {
          if (val.k !== 'num' && val.k !== 'money') refuse(`ratio of ${val.k}`, sc.where);
          const vNull = val.m !== null ? nullCount('vn', nullSql(val)) : null;
          unknownWhen = [wNull, vNull].filter((x): x is string => x !== null).map((x) => `${x} > 0`);
          mask = bitOr(orMasks([w.m, val.m]));
          const asDouble = (x: string) => (val.k === 'money' ? `CAST(${x} AS ${d.double})` : x);
          const partSum = val.k === 'money' ? rawPart('s', over('sum', val.v, w.v)) : rawPart('s', orderedSum(val.v, w.v));
          const whole = val.k === 'money' ? rawPart('s2', over('sum', val.v, 'TRUE')) : rawPart('s2', orderedSum(val.v, 'TRUE'));
          const part0 = `COALESCE(${asDouble(partSum)}, 0)`;
          const whole0 = `COALESCE(${asDouble(whole)}, 0)`;
          value = `${part0} / NULLIF(${whole0}, 0)`;
          valueMask = `CASE WHEN ${whole0} = 0 THEN ${bigint(DIV0)} ELSE 0 END`;
          break;
        }
      case 'sum':
      case 'min':
      case 'max':
      case 'avg': {
        if (!val) return refuse(`${fn} without a value`, sc.where);
        if (val.k !== 'num' && val.k !== 'money' && !((fn === 'min' || fn === 'max') && val.k === 'date')) refuse(`${fn} of ${val.k}`, sc.where);
        const relevant = w.v === 'TRUE' ? 'TRUE' : `(${nullSql(w)} OR ${w.v})`;
        const vNull = val.m !== null ? nullCount('vn', relevant === 'TRUE' ? nullSql(val) : `${relevant} AND ${nullSql(val)}`) : null;
        unknownWhen = [wNull, vNull].filter((x): x is string => x !== null).map((x) => `${x} > 0`);
        mask = bitOr(orMasks([w.m, val.m === null ? null : w.v === 'TRUE' ? val.m : `CASE WHEN ${relevant} THEN ${val.m} ELSE 0 END`]));
        kind = val.k;
        if (fn === 'sum') {
          value = val.k === 'money' ? `CAST(COALESCE(${rawPart('s', over('sum', val.v, w.v))}, 0) AS ${d.money})` : rawPart('s', orderedSum(val.v, w.v));
          break;
        }
        const empty = `${sel} = 0`;
        if (fn === 'min' || fn === 'max') {
          value = rawPart('s', over(fn, val.v, w.v));
        } else if (val.k === 'money') {
          value = `CAST(tw_round(CAST(${rawPart('s', over('sum', val.v, w.v))} AS ${d.double}) / NULLIF(CAST(${sel} AS ${d.double}), 0)) AS ${d.money})`;
        } else {
          value = `${rawPart('s', orderedSum(val.v, w.v))} / NULLIF(CAST(${sel} AS ${d.double}), 0)`;
        }
        valueMask = `CASE WHEN ${empty} THEN ${bigint(EMPTY)} ELSE 0 END`;
        break;
      }
    }
    // Missing list first, then unknown records, then the value (which may itself be unknown).
    const unknown = unknownWhen.length ? unknownWhen.join(' OR ') : null;
    const v = `CASE WHEN ${listCol} IS NULL THEN NULL${unknown ? ` WHEN ${unknown} THEN NULL` : ''} ELSE ${value} END`;
    const m = `CASE WHEN ${listCol} IS NULL THEN ${listBit}${unknown ? ` WHEN ${unknown} THEN ${mask ?? '0'}` : ''} ELSE ${valueMask ?? '0'} END`;
    const at = lambda ? (guarded ? k + 2 : k + 1) : k;
    const made = this.item(at, { v, m, k: kind, need: at });
    this.plan.aggregates.set(aggKey, made);
    return made;
  }

  needBool(x: X, sc: Scope): X {
    if (x.k !== 'bool') refuse(`a condition of kind ${x.k}`, sc.where);
    return x;
  }

  kleene(op: 'AND' | 'OR', xs: X[]): X {
    const v = `(${xs.map((x) => x.v).join(` ${op} `)})`;
    return { v, m: maskWhenNull(v, xs.map((x) => x.m)), k: 'bool', need: maxNeed(xs) };
  }

  // -------------------------------------------------------------------------------------------

  /** The facts (bits) an expression reads, through definitions and lets, for coverage. */
  readsOf(e: Expr, rule: RuleIR | undefined, out = new Set<number>(), seen = new Set<string>()): Set<number> {
    const visit = (x: Expr, list?: string): void => {
      switch (x.type) {
        case 'fact':
          if (this.bitOf.has(x.name)) out.add(this.bitOf.get(x.name)!);
          return;
        case 'field':
          if (list && this.bitOf.has(`${list}[].${x.name}`)) out.add(this.bitOf.get(`${list}[].${x.name}`)!);
          return;
        case 'ref': {
          const letE = rule?.lets.find((l) => l.name === x.name)?.expr;
          const key = letE ? `let:${x.name}` : `def:${x.name}`;
          if (seen.has(key)) return;
          seen.add(key);
          const target = letE ?? this.defs.get(x.name);
          if (target) visit(target);
          return;
        }
        case 'not':
        case 'neg':
          return visit(x.arg, list);
        case 'and':
        case 'or':
          return x.args.forEach((a) => visit(a, list));
        case 'compare':
        case 'arith':
          visit(x.left, list);
          return visit(x.right, list);
        case 'in':
          visit(x.value, list);
          return x.options.forEach((o) => visit(o, list));
        case 'between':
          visit(x.value, list);
          visit(x.low, list);
          return visit(x.high, list);
        case 'if':
          visit(x.cond, list);
          visit(x.then, list);
          return visit(x.else, list);
        case 'call':
          return x.args.forEach((a) => visit(a, list));
        case 'aggregate':
          if (this.bitOf.has(x.list)) out.add(this.bitOf.get(x.list)!);
          if (x.where) visit(x.where, x.list);
          if (x.value) visit(x.value, x.list);
          return;
        default:
          return;
      }
    };
    visit(e);
    return out;
  }

  /** Judges every rule: conditions and computed values in one layer, verdicts after exceptions in the next. */
  compileRules(): SideLayout {
    const ir = this.ir;
    const conds = ir.rules.map((rule, index) => {
      const ruleScope: RuleScope = { index, lets: new Map(rule.lets.map((l) => [l.name, l.expr])) };
      const where = `${ir.id}@${ir.version} ${rule.id}`;
      const cond = this.bool(rule.when, { rule: ruleScope, where });
      const env = envForPolicy(ir, rule);
      const computed = rule.then.computed.map((c) => {
        const x = this.expr(c.expr, { rule: ruleScope, where: `${where} compute ${c.name}` });
        if (x.k === 'dur') refuse(`a duration as computed value ${c.name}`, where);
        return { c, x, kind: computedKind(c.expr, env, x.k) };
      });
      return { rule, cond, computed };
    });
    const condLayer = Math.max(1, ...conds.map((c) => c.cond.need), ...conds.flatMap((c) => c.computed.map((x) => x.x.need)));
    const placed = conds.map((c) => ({
      ...c,
      cond: this.item(condLayer, c.cond, `${this.prefix}w${conds.indexOf(c)}`),
      computed: c.computed.map((x) => ({ ...x, x: this.item(condLayer, x.x) })),
    }));
    // Final verdicts, as engine/evaluate/decide.ts finalStatuses: exceptions that fired suppress.
    const byId = new Map(placed.map((p) => [p.rule.id, p]));
    const exceptionsOf = new Map<string, string[]>();
    for (const r of ir.rules) if (r.exceptionTo !== undefined && byId.has(r.exceptionTo)) exceptionsOf.set(r.exceptionTo, [...(exceptionsOf.get(r.exceptionTo) ?? []), r.id]);
    const finals = new Map<string, { s: string; m: string }>();
    const visiting = new Set<string>();
    const finalOf = (id: string): { s: string; m: string } => {
      const done = finals.get(id);
      if (done) return done;
      const p = byId.get(id)!;
      const c = p.cond.v;
      const raw = p.cond.m === null ? `CASE WHEN ${c} THEN 1 ELSE 0 END` : `CASE WHEN ${c} THEN 1 WHEN NOT ${c} THEN 0 ELSE 2 END`;
      const rawMask = p.cond.m ?? '0';
      if (visiting.has(id)) return { s: raw, m: rawMask };
      visiting.add(id);
      const excs = (exceptionsOf.get(id) ?? []).map(finalOf);
      visiting.delete(id);
      let f = { s: raw, m: rawMask };
      if (excs.length) {
        const fired = excs.map((x) => `(${x.s}) = 1`).join(' OR ');
        const open = excs.map((x) => `(${x.s}) = 2`).join(' OR ');
        const openMask = excs.map((x) => `CASE WHEN (${x.s}) = 2 THEN ${x.m} ELSE 0 END`).join(' | ');
        f = {
          s: `CASE WHEN (${fired}) AND (${raw}) <> 0 THEN 3 WHEN (${raw}) = 1 AND (${open}) THEN 2 ELSE ${raw} END`,
          m: `CASE WHEN (${fired}) AND (${raw}) <> 0 THEN 0 WHEN (${raw}) = 1 AND (${open}) THEN (${openMask} | ${bigint(EXCEPTION)}) ELSE ${rawMask} END`,
        };
      }
      finals.set(id, f);
      return f;
    };
    const finalLayer = condLayer + 1;
    const rules: RuleColumns[] = placed.map((p, i) => {
      const f = finalOf(p.rule.id);
      const s = this.plan.finalItem(finalLayer, `CAST(${f.s} AS SMALLINT)`, `${this.prefix}s${i}`);
      const sm = this.plan.finalItem(finalLayer, `CAST(${f.m} AS BIGINT)`, `${this.prefix}s${i}m`);
      const computed = p.computed.map((x, j) => {
        const col = `${this.prefix}v${i}_${j}`;
        return {
          name: x.c.name,
          kind: x.kind,
          column: this.plan.finalItem(finalLayer, `CASE WHEN (${f.s}) = 1 THEN ${x.x.v} END`, col),
          mask: this.plan.finalItem(finalLayer, `CASE WHEN (${f.s}) = 1 THEN ${x.x.m ?? '0'} ELSE 0 END`, `${col}m`),
        };
      });
      const bits = this.readsOf(p.rule.when, p.rule);
      for (const ex of ir.rules.filter((r) => r.exceptionTo === p.rule.id)) this.readsOf(ex.when, ex, bits);
      return {
        id: p.rule.id,
        kind: p.rule.then.kind,
        title: p.rule.title,
        status: s,
        mask: sm,
        bits: [0, 1, 2, 3, ...[...bits].sort((a, b) => a - b)],
        computed,
      };
    });
    let validCol = `${this.prefix}valid`;
    const checks = ir.facts.flatMap((f) => {
      const col = `t.${this.plan.factColumn(f)}`;
      if (f.type.kind === 'enum') return [`(${col} IS NULL OR ${col} IN (${f.type.values.map((v) => str(v.value)).join(', ')}))`];
      if (f.type.kind === 'integer') return [`(${col} IS NULL OR ${col} = FLOOR(${col}))`];
      return [];
    });
    validCol = this.plan.finalItem(finalLayer, checks.length ? checks.join(' AND ') : 'TRUE', validCol);
    return { policyId: ir.id, version: ir.version, prefix: this.prefix, bits: this.bits, rules, valid: validCol };
  }
}

interface RuleScope {
  index: number;
  lets: Map<string, Expr>;
}

interface RecordScope {
  list: string;
  fields: Map<string, FactDecl>;
  join: Join;
  /** Set when an expression inside reads the parent row (a fact or a definition). */
  parent: boolean;
  /** List form: fields are `l.<col>` of a lambda's element, the parent row is `t`. */
  lambda?: boolean;
}

interface Scope {
  rule?: RuleScope;
  record?: RecordScope;
  /** Where in the policy, for diagnostics. */
  where: string;
}

const fn0 = (e: Extract<Expr, { type: 'aggregate' }>): string => e.fn;

function maxNeed(xs: readonly X[]): number {
  return Math.max(1, ...xs.map((x) => x.need));
}

function kindOfDecl(decl: FactDecl): Kind {
  switch (decl.type.kind) {
    case 'boolean':
      return 'bool';
    case 'integer':
    case 'number':
    case 'percent':
      return 'num';
    case 'money':
      return 'money';
    case 'date':
      return 'date';
    case 'string':
    case 'enum':
      return 'str';
    case 'list':
      return refuse(`list ${decl.name} used as a value`, decl.name);
  }
}

function computedKind(e: Expr, env: TypeEnv, k: Kind): ComputedKind {
  let t: string | undefined;
  try {
    t = typeOf(e, env).kind;
  } catch {
    t = undefined;
  }
  if (t === 'money' || t === 'percent' || t === 'integer' || t === 'number' || t === 'date' || t === 'string' || t === 'boolean') return t;
  if (t === 'enum') return 'string';
  return k === 'money' ? 'money' : k === 'date' ? 'date' : k === 'str' ? 'string' : k === 'bool' ? 'boolean' : 'number';
}

/**
 * Compiles policy versions (each the merged IR of a resolved policy) into one plan over the same
 * records. A construct the SQL cannot express gives its diagnostic and no plan.
 */
export function compileSql(sides: readonly SideInput[], opts: CompileSqlOptions): Result<SqlPlan> {
  if (parseDate(opts.asOf) === undefined) return { diagnostics: [sqlDiagnostic('sql.bad-as-of', { asOf: opts.asOf })] };
  const plan = new Plan(dialectOf(opts.dialect), opts.source ?? DEFAULT_SOURCE);
  const layouts: SideLayout[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const s of sides) {
    try {
      layouts.push(new Side(plan, s.ir, s.prefix, opts.asOf).compileRules());
    } catch (e) {
      if (e instanceof SqlRefusal) diagnostics.push(e.diagnostic);
      else throw e;
    }
  }
  if (diagnostics.length) return { diagnostics };
  const { ctes, last } = plan.ctes();
  return { value: { dialect: opts.dialect, asOf: opts.asOf, setup: setupSql(opts.dialect), ctes, last, sides: layouts }, diagnostics: [] };
}

/**
 * One policy version as a query: a row per record with `rid`, each rule's verdict (`<rule>`: 0 not
 * fired, 1 fired, 2 undetermined, 3 suppressed), its missing-facts mask (`<rule>.missing`) and each
 * computed amount of a fired rule (`<rule>.<name>`: money in fen, percent as a ratio), and `valid`.
 */
export function policyQuery(plan: SqlPlan, side = 0): string {
  const s = plan.sides[side]!;
  const cols = ['t.rid AS rid', `t.${s.valid} AS valid`];
  for (const r of s.rules) {
    cols.push(`t.${r.status} AS ${ident(r.id)}`, `t.${r.mask} AS ${ident(`${r.id}.missing`)}`);
    for (const c of r.computed) cols.push(`t.${c.column} AS ${ident(`${r.id}.${c.name}`)}`, `t.${c.mask} AS ${ident(`${r.id}.${c.name}.missing`)}`);
  }
  return `WITH ${plan.ctes.join(',\n')}\nSELECT ${cols.join(', ')}\nFROM ${plan.last} t`;
}

/** The facts and reasons a mask stands for, in the engine's order (sorted paths; reasons apart). */
export function decodeMask(bits: readonly MaskBit[], mask: bigint | number): { missing: string[]; reasons: MaskBit[] } {
  const m = BigInt(mask);
  const missing: string[] = [];
  const reasons: MaskBit[] = [];
  bits.forEach((b, i) => {
    if ((m >> BigInt(i)) & 1n) {
      if (b.kind === 'fact') missing.push(b.path);
      else reasons.push(b);
    }
  });
  return { missing: missing.sort(), reasons };
}
