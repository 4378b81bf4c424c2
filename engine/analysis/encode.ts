/**
 * IR → Z3. Every expression becomes a symbolic three-valued value, mirroring the reference
 * interpreter (engine/evaluate/interpret.ts) case for case:
 * - a condition is a pair of Z3 booleans `t` (it is true) and `f` (it is false); undetermined is
 *   neither, so a missing fact is modelled, never assumed false. Kleene `and`/`or`/`not` are exact.
 * - any other value is `def` (known) and `v` (its value): numbers, percents (as ratios), money (in
 *   fen) and dates (day numbers) are Z3 reals, integral where the engine's are; strings and enum
 *   values are integers, one per distinct literal.
 * - a fact is a `present` flag and a value constrained by its type (integers, fen, real dates,
 *   declared enum values); a list is a length up to `listBound` and that many records of fields.
 * - a parameter is its dated values chosen by the as-of date, itself a variable ranging over the
 *   version's period, so "on every date of the period" is one query.
 * - calendar months and years go through the civil-from-days conversion (divisions by constants,
 *   so linear integer arithmetic); working days through a count of Monday–Friday plus the
 *   corrections of the official table (holidays on weekdays, make-up days on weekends).
 * In `abstract` mode each aggregate is a fresh value (an over-approximation, used to prove "never"
 * for lists of any length when the bounded model finds nothing).
 */
import table from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import type { Definition, DurationUnit, Expr, FactDecl, ParameterDecl, PolicyIR, RuleIR } from '../ir/types.ts';
import { parseDurationValue } from '../ir/duration.ts';
import { canonicalJson } from '../ir/hash.ts';
import { fenToYuan, formatDate, parseDate, roundHalfAway, weekday, yuanToFen } from '../values/index.ts';
import type { A, B, Z3, Z3Model } from './solver.ts';
import type { Counterexample } from './types.ts';

/** A construct the encoding does not model; the rules reading it are reported as not analysed. */
export class Unsupported extends Error {}

export type NumKind = 'integer' | 'number' | 'percent' | 'money' | 'date';

export type Sym =
  | { k: 'bool'; t: B; f: B }
  | { k: 'num'; def: B; v: A; kind: NumKind }
  | { k: 'str'; def: B; v: A }
  | { k: 'dur'; amount: number; unit: DurationUnit }
  /** A duration parameter: the value chosen by the as-of date (units may differ from one value to the next). */
  | { k: 'durs'; def: B; cases: { when: B; amount: number; unit: DurationUnit }[] }
  | { k: 'list'; name: string };

export type Tri = { t: B; f: B };

/** Names of calendar helper variables (see `World.freshName` callers in `Calendar`). */
const HELPER_NAME = /(?:day|civil|workdays|workday|months)!\d+/g;

export const DATE_MIN = parseDate('1901-01-01')!;
export const DATE_MAX = parseDate('2099-12-31')!;

export interface ScalarVar {
  decl: FactDecl;
  present: B;
  /** Bool for boolean facts, else an arithmetic term. */
  v: A | B;
}

interface ListVar {
  decl: FactDecl;
  present: B;
  len: A;
  records: Map<string, ScalarVar>[];
}

/** Exact rational of a finite JS number written in decimal (0.035 is 35/1000, not the nearest double). */
export function rational(n: number): { numerator: bigint; denominator: bigint } {
  const text = n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
  const neg = text.startsWith('-');
  const [int, frac = ''] = (neg ? text.slice(1) : text).split('.');
  const numerator = BigInt((int ?? '0') + frac) * (neg ? -1n : 1n);
  return { numerator, denominator: 10n ** BigInt(frac.length) };
}

/**
 * The symbolic facts, as-of date and side constraints shared by every rule encoded against it
 * (one world per query family; two policy versions share one for change impact).
 */
export class World {
  readonly asOf: A;
  readonly constraints: B[] = [];
  private readonly scalars = new Map<string, ScalarVar>();
  private readonly lists = new Map<string, ListVar>();
  private readonly strIds = new Map<string, number>();
  private fresh = 0;

  constructor(
    readonly z: Z3,
    readonly listBound: number,
    readonly mode: 'bounded' | 'abstract',
    /**
     * 'weekdays' drops the official table (Monday–Friday only): a quick model to try first, whose
     * counterexample is only used once the interpreter confirms it.
     */
    readonly calendar: 'official' | 'weekdays' = 'official',
  ) {
    this.asOf = z.Real.const('as_of');
    this.constraints.push(z.IsInt(this.asOf));
  }

  real(n: number): A {
    return this.z.Real.val(rational(n));
  }

  freshName(prefix: string): string {
    return `${prefix}!${this.fresh++}`;
  }

  /** Definitions of calendar helper variables, by the helper's name. */
  private readonly defsById = new Map<string, B[]>();

  /** Records what pins a helper variable; a query takes only the helpers its goal reaches. */
  define(id: string, ...cs: B[]): void {
    this.defsById.set(id, [...(this.defsById.get(id) ?? []), ...cs]);
  }

  /**
   * The definitions a goal needs: those of the helpers it mentions, and of the helpers those
   * mention, transitively. Every query carrying every helper of the policy made Z3 time out on
   * conditions that read no date at all.
   */
  relevant(goal: B): B[] {
    const out: B[] = [];
    const seen = new Set<string>();
    const queue = [goal.sexpr()];
    while (queue.length > 0) {
      const text = queue.pop()!;
      for (const m of text.matchAll(HELPER_NAME)) {
        const id = m[0];
        if (seen.has(id)) continue;
        seen.add(id);
        for (const c of this.defsById.get(id) ?? []) {
          out.push(c);
          queue.push(c.sexpr());
        }
      }
    }
    return out;
  }

  strId(s: string): number {
    let id = this.strIds.get(s);
    if (id === undefined) {
      id = this.strIds.size + 1;
      this.strIds.set(s, id);
    }
    return id;
  }

  private scalarVar(decl: FactDecl, name: string): ScalarVar {
    const z = this.z;
    const present = z.Bool.const(`${name}?`);
    const kind = decl.type.kind;
    if (kind === 'boolean') return { decl, present, v: z.Bool.const(name) };
    if (kind === 'string' || kind === 'enum') {
      const v = z.Int.const(name);
      if (decl.type.kind === 'enum') {
        const ids = decl.type.values.map((x) => this.strId(x.value));
        this.constraints.push(z.Or(...ids.map((id) => v.eq(z.Int.val(id)))));
      } else {
        this.constraints.push(v.ge(z.Int.val(0)));
      }
      return { decl, present, v };
    }
    if (kind === 'list') throw new Error('analysis bug: a list where a scalar was expected');
    const v = z.Real.const(name);
    if (kind === 'integer' || kind === 'money' || kind === 'date') this.constraints.push(z.IsInt(v));
    if (kind === 'date') this.constraints.push(v.ge(this.real(DATE_MIN)), v.le(this.real(DATE_MAX)));
    return { decl, present, v };
  }

  /** A top-level fact's variables, made on first use. The key includes the type so two versions typing a name differently never share it. */
  fact(decl: FactDecl): ScalarVar | ListVar {
    const key = `${decl.name}:${canonicalJson(decl.type)}`;
    if (decl.type.kind === 'list') {
      let l = this.lists.get(key);
      if (!l) {
        const z = this.z;
        const len = z.Real.const(`${decl.name}#len`);
        this.constraints.push(z.IsInt(len), len.ge(this.real(0)));
        if (this.mode === 'bounded') this.constraints.push(len.le(this.real(this.listBound)));
        const records: Map<string, ScalarVar>[] = [];
        for (let i = 0; i < this.listBound; i++) {
          records.push(new Map(decl.type.fields.map((f) => [f.name, this.scalarVar(f, `${decl.name}[${i}].${f.name}`)])));
        }
        l = { decl, present: z.Bool.const(`${decl.name}?`), len, records };
        this.lists.set(key, l);
      }
      return l;
    }
    let s = this.scalars.get(key);
    if (!s) {
      s = this.scalarVar(decl, decl.name);
      this.scalars.set(key, s);
    }
    return s;
  }

  /** Every helper definition made so far (for pinning a whole record). */
  allDefinitions(): B[] {
    return [...this.defsById.values()].flat();
  }

  /**
   * Constraints fixing the facts made so far and the as-of date to a record's (for checking the
   * encoding against the interpreter). Lists longer than `listBound` cannot be pinned: undefined.
   */
  pin(c: Counterexample): B[] | undefined {
    const z = this.z;
    const out: B[] = [this.asOf.eq(this.real(parseDate(c.asOf)!))];
    const scalar = (v: ScalarVar, x: unknown): B[] => {
      if (x === undefined || x === null) return [z.Not(v.present)];
      const t = v.decl.type;
      let eq: B;
      if (t.kind === 'boolean') eq = x ? (v.v as B) : z.Not(v.v as B);
      else if (t.kind === 'enum' || t.kind === 'string') eq = (v.v as A).eq(z.Int.val(this.strId(String(x))));
      else if (t.kind === 'money') eq = (v.v as A).eq(this.real(yuanToFen(x as number | string)!));
      else if (t.kind === 'percent') {
        const r = rational(Number(x));
        eq = (v.v as A).eq(z.Real.val({ numerator: r.numerator, denominator: r.denominator * 100n }));
      } else if (t.kind === 'date') eq = (v.v as A).eq(this.real(parseDate(String(x))!));
      else eq = (v.v as A).eq(this.real(Number(x)));
      return [v.present, eq];
    };
    for (const s of this.scalars.values()) out.push(...scalar(s, c.facts[s.decl.name]));
    for (const l of this.lists.values()) {
      const records = c.facts[l.decl.name] as Record<string, unknown>[] | undefined | null;
      if (records === undefined || records === null) {
        out.push(z.Not(l.present));
        continue;
      }
      if (records.length > l.records.length) return undefined;
      out.push(l.present, l.len.eq(this.real(records.length)));
      records.forEach((rec, i) => {
        for (const [name, f] of l.records[i]!) out.push(...scalar(f, rec[name]));
      });
    }
    return out;
  }

  /** Whether a top-level fact is given (a list: the list itself). */
  present(decl: FactDecl): B {
    return this.fact(decl).present;
  }

  /**
   * Given in full: a scalar present; a list present with every field of each of its records
   * present (what "every fact is given" means for a gap: a record missing a field leaves an
   * aggregate undetermined, which the decision already reports).
   */
  given(decl: FactDecl): B {
    const f = this.fact(decl);
    if (!('records' in f)) return f.present;
    const z = this.z;
    const full = f.records.flatMap((rec, i) => (rec.size === 0 ? [] : [z.Implies(f.len.gt(this.real(i)), z.And(...[...rec.values()].map((v) => v.present)))]));
    return full.length === 0 ? f.present : z.And(f.present, ...full);
  }

  /** The model's facts as JSON a caller would send, and its as-of date. */
  counterexample(m: Z3Model): Counterexample {
    const facts: Record<string, unknown> = {};
    for (const s of this.scalars.values()) {
      if (facts[s.decl.name] !== undefined) continue;
      const v = this.scalarValue(m, s);
      if (v !== undefined) facts[s.decl.name] = v;
    }
    for (const l of this.lists.values()) {
      if (facts[l.decl.name] !== undefined || !this.isTrue(m, l.present)) continue;
      const n = Number(this.ratOf(m, l.len));
      const records: Record<string, unknown>[] = [];
      for (let i = 0; i < Math.min(n, l.records.length); i++) {
        const rec: Record<string, unknown> = {};
        for (const [name, f] of l.records[i]!) {
          const v = this.scalarValue(m, f);
          if (v !== undefined) rec[name] = v;
        }
        records.push(rec);
      }
      facts[l.decl.name] = records;
    }
    return { asOf: formatDate(Number(this.ratOf(m, this.asOf))), facts };
  }

  private isTrue(m: Z3Model, b: B): boolean {
    return this.z.isTrue(m.eval(b, true));
  }

  /** A model value as a JS number (exact for integers and decimal fractions the model picks). */
  ratOf(m: Z3Model, a: A): number {
    const e = m.eval(a, true);
    if (this.z.isIntVal(e)) return Number(e.value());
    if (this.z.isRealVal(e)) {
      const { numerator, denominator } = e.value();
      return Number(numerator) / Number(denominator);
    }
    // Irrational values (from non-linear constraints) as a decimal approximation.
    return Number((e as unknown as { asDecimal?: (p: number) => string }).asDecimal?.(12)?.replace('?', '') ?? NaN);
  }

  private scalarValue(m: Z3Model, s: ScalarVar): unknown {
    if (!this.isTrue(m, s.present)) return undefined;
    const kind = s.decl.type.kind;
    if (kind === 'boolean') return this.isTrue(m, s.v as B);
    if (kind === 'enum' || kind === 'string') {
      const id = this.ratOf(m, s.v as A);
      for (const [text, i] of this.strIds) if (i === id) return text;
      if (s.decl.type.kind === 'enum') return s.decl.type.values[0]?.value;
      return `其他${id}`; // a string no rule compares with
    }
    return this.jsonValue(s.decl, this.ratOf(m, s.v as A));
  }

  /** A number as the encoding holds it (fen, ratio, day number) as a caller writes the fact. */
  jsonValue(decl: FactDecl, x: number): unknown {
    switch (decl.type.kind) {
      case 'money':
        return fenToYuan(x);
      case 'percent':
        return Number((x * 100).toPrecision(15));
      case 'date':
        return formatDate(x);
      default:
        return x;
    }
  }

  /** The top-level scalar facts encoded so far (one per name and type). */
  scalarFacts(): ScalarVar[] {
    return [...this.scalars.values()];
  }
}

// ---------------------------------------------------------------------------------------------
// Calendar: civil dates from day numbers with divisions by constants (H. Hinnant's algorithm).

interface Ymd {
  y: A;
  m: A;
  d: A;
}

const holidays: Record<string, string> = table.holidays;
const makeupDays: Record<string, string> = table.workdays;

/** Days where the official calendar departs from Monday–Friday: +1 a weekend working day, −1 a weekday holiday. */
const CORRECTIONS: { day: number; delta: number }[] = (() => {
  const out = new Map<number, number>();
  for (const key of Object.keys(makeupDays)) {
    const d = parseDate(key);
    if (d !== undefined && (weekday(d) === 0 || weekday(d) === 6)) out.set(d, 1);
  }
  for (const key of Object.keys(holidays)) {
    const d = parseDate(key);
    if (d === undefined || makeupDays[key] !== undefined) continue;
    if (weekday(d) >= 1 && weekday(d) <= 5) out.set(d, -1);
  }
  return [...out].map(([day, delta]) => ({ day, delta })).sort((a, b) => a.day - b.day);
})();

/** Prefix sums of the corrections: before `CORRECTIONS[i].day` the total is PREFIX[i]. */
const PREFIX: number[] = CORRECTIONS.reduce<number[]>((acc, c) => [...acc, acc[acc.length - 1]! + c.delta], [0]);

/** Years 1901–2099: every fourth year is a leap year, so the civil conversion needs one division. */
const CIVIL_MIN = parseDate('1901-01-01')!;
const CIVIL_MAX = parseDate('2099-12-31')!;
const CUM_DAYS = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

export class Calendar {
  private readonly civilMemo = new Map<string, Ymd>();
  private readonly intMemo = new Map<string, A>();
  private readonly countMemo = new Map<string, A>();
  private readonly counts: [A, A][] = [];

  constructor(private readonly w: World) {}

  private int(n: number): A {
    return this.w.z.Int.val(n);
  }

  /** A day (a real) as an integer variable pinned to it, when it is integral (dates always are). */
  dayInt(day: A): A {
    const key = day.sexpr();
    let k = this.intMemo.get(key);
    if (!k) {
      const z = this.w.z;
      const id = this.w.freshName('day');
      k = z.Int.const(id);
      this.w.define(id, z.Implies(z.IsInt(day), z.ToReal(k).eq(day)));
      this.intMemo.set(key, k);
    }
    return k;
  }

  /**
   * The civil date of a day: fresh integers y, m, d pinned by "y-m-d is that day". Pinned within
   * 1901–2099 only (a free date outside it over-approximates; witnesses are replayed through the
   * interpreter before they are reported).
   */
  civil(day: A): Ymd {
    const key = day.sexpr();
    const hit = this.civilMemo.get(key);
    if (hit) return hit;
    const z = this.w.z;
    const i = (n: number) => this.int(n);
    const k = this.dayInt(day);
    const name = this.w.freshName('civil');
    const y = z.Int.const(`${name}.y`);
    const m = z.Int.const(`${name}.m`);
    const d = z.Int.const(`${name}.d`);
    const inRange = z.And(k.ge(i(CIVIL_MIN)), k.le(i(CIVIL_MAX)));
    this.w.define(
      name,
      m.ge(i(1)),
      m.le(i(12)),
      d.ge(i(1)),
      d.le(this.daysInMonth(y, m)),
      z.Implies(inRange, z.And(y.ge(i(1901)), y.le(i(2099)), this.fromCivil(y, m, d).eq(k))),
      // Division-free bounds implied by the above (a year is 365¼ days, a month about 30.6), so
      // the linear relaxation already pins y and m to a candidate or two: pinning a known day
      // took seconds without them.
      z.Implies(
        inRange,
        z.And(
          k.mul(i(4)).ge(y.mul(i(1461)).sub(i(1460 * 1970 + 1972))),
          k.mul(i(4)).le(y.mul(i(1461)).sub(i(1460 * 1970 + 1969 - 1460 - 4))),
        ),
      ),
    );
    const out = { y, m, d };
    this.civilMemo.set(key, out);
    return out;
  }

  /** Day number of y-m-d for 1901 ≤ y ≤ 2099 (an integer term). */
  fromCivil(y: A, m: A, d: A): A {
    const z = this.w.z;
    const i = (n: number) => this.int(n);
    let cum: A = i(CUM_DAYS[11]!);
    for (let k = 10; k >= 0; k--) cum = z.If(m.eq(i(k + 1)), i(CUM_DAYS[k]!), cum) as A;
    const leapShift = z.If(z.And(y.mod(i(4)).eq(i(0)), m.gt(i(2))), i(1), i(0)) as A;
    return y.sub(i(1970)).mul(i(365)).add(y.sub(i(1969)).div(i(4))).add(cum).add(leapShift).add(d).sub(i(1));
  }

  daysInMonth(y: A, m: A): A {
    const z = this.w.z;
    const i = (n: number) => this.int(n);
    const thirty = z.Or(m.eq(i(4)), m.eq(i(6)), m.eq(i(9)), m.eq(i(11)));
    return z.If(m.eq(i(2)), z.If(y.mod(i(4)).eq(i(0)), i(29), i(28)), z.If(thirty, i(30), i(31))) as A;
  }

  addMonths(day: A, n: number): A {
    const z = this.w.z;
    const i = (k: number) => this.int(k);
    const { y, m, d } = this.civil(day);
    const total = y.mul(i(12)).add(m.sub(i(1))).add(i(n));
    const ty = total.div(i(12));
    const tm = total.sub(ty.mul(i(12))).add(i(1));
    const dim = this.daysInMonth(ty, tm);
    const rid = this.w.freshName('months');
    const r = z.Int.const(rid);
    const k = this.dayInt(day);
    const inRange = z.And(k.ge(i(CIVIL_MIN)), k.le(i(CIVIL_MAX)));
    this.w.define(rid, z.Implies(inRange, r.eq(this.fromCivil(ty, tm, z.If(d.le(dim), d, dim) as A))));
    // Lemmas: n months span 28n to 31n days; n whole years 365n to 366n (clamping included).
    const months = Math.abs(n);
    const [lo, hi] = months % 12 === 0 ? [365 * (months / 12), 366 * (months / 12)] : [28 * months, 31 * months];
    const span = n >= 0 ? r.sub(k) : k.sub(r);
    if (n !== 0) this.w.define(rid, z.Implies(inRange, z.And(span.ge(i(lo)), span.le(i(hi)))));
    return z.ToReal(r);
  }

  /** monthsBetween for b ≥ a: (yb−ya)·12 + (mb−ma), less one when the clamped anniversary is after b. */
  private monthsForward(a: Ymd, b: Ymd): A {
    const z = this.w.z;
    const i = (k: number) => this.int(k);
    const n0 = b.y.sub(a.y).mul(i(12)).add(b.m.sub(a.m));
    const dim = this.daysInMonth(b.y, b.m);
    const clamped = z.If(a.d.le(dim), a.d, dim) as A;
    return z.If(clamped.le(b.d), n0, n0.sub(i(1))) as A;
  }

  monthsBetween(a: A, b: A): A {
    const z = this.w.z;
    const ca = this.civil(a);
    const cb = this.civil(b);
    return z.If(b.ge(a), this.monthsForward(ca, cb), this.monthsForward(cb, ca).neg()) as A;
  }

  yearsBetween(a: A, b: A): A {
    const z = this.w.z;
    const i = (k: number) => this.int(k);
    const m = this.monthsBetween(a, b);
    return z.If(m.ge(i(0)), m.div(i(12)), m.neg().div(i(12)).neg()) as A;
  }

  /** Working days up to and including the day, from a fixed origin: Monday–Friday plus the table's corrections. */
  private workdayCountInt(k: A): A {
    const key = k.sexpr();
    const hit = this.countMemo.get(key);
    if (hit) return hit;
    const z = this.w.z;
    const i = (n: number) => this.int(n);
    const s = k.add(i(5));
    const r = s.mod(i(7));
    const mf = s.div(i(7)).mul(i(5)).add(z.If(r.ge(i(1)), r.sub(i(1)), i(0)) as A);
    // Balanced tree of the step function: the sum of corrections on days ≤ k.
    const tree = (lo: number, hi: number): A => {
      if (lo >= hi) return i(PREFIX[lo]!);
      const mid = (lo + hi) >> 1;
      return z.If(k.lt(i(CORRECTIONS[mid]!.day)), tree(lo, mid), tree(mid + 1, hi)) as A;
    };
    const cid = this.w.freshName('workdays');
    const c = z.Int.const(cid);
    this.w.define(cid, c.eq(this.w.calendar === 'weekdays' ? mf : mf.add(tree(0, CORRECTIONS.length))));
    // Lemmas (true of any calendar) that spare Z3 a walk through the table: the count never
    // falls, and rises by at most one a day.
    for (const [k2, c2] of this.counts) {
      this.w.define(cid, z.Implies(k.le(k2), z.And(c.le(c2), c2.sub(c).le(k2.sub(k)))));
      this.w.define(cid, z.Implies(k2.le(k), z.And(c2.le(c), c.sub(c2).le(k.sub(k2)))));
    }
    this.counts.push([k, c]);
    this.countMemo.set(key, c);
    return c;
  }

  workdaysBetween(a: A, b: A): A {
    return this.w.z.ToReal(this.workdayCountInt(this.dayInt(b)).sub(this.workdayCountInt(this.dayInt(a))));
  }

  /** The n-th working day after (before) `day`: a fresh day pinned by the count and being a working day. */
  addWorkdays(day: A, n: number): A {
    if (n === 0) return day;
    const z = this.w.z;
    const i = (x: number) => this.int(x);
    const k = this.dayInt(day);
    const rid = this.w.freshName('workday');
    const r = z.Int.const(rid);
    const count = (x: A) => this.workdayCountInt(x);
    const isWorkday = (x: A) => count(x).sub(count(x.sub(i(1)))).eq(i(1));
    // The n-th working day is at least n days away.
    this.w.define(rid, n > 0 ? r.sub(k).ge(i(n)) : k.sub(r).ge(i(-n)));
    if (n > 0) {
      this.w.define(rid, count(r).sub(count(k)).eq(i(n)), isWorkday(r));
    } else {
      // Working days in [r, day): |n|, r itself one of them.
      this.w.define(rid, count(k.sub(i(1))).sub(count(r.sub(i(1)))).eq(i(-n)), isWorkday(r));
    }
    return z.ToReal(r);
  }
}

// ---------------------------------------------------------------------------------------------
// Expressions

interface Scope {
  rule?: RuleIR;
  record?: { list: ListVar; index: number };
}

/** Encodes the expressions of one policy (the merged IR) against a world. */
export class Encoder {
  private readonly defs: Map<string, Definition>;
  private readonly params: Map<string, ParameterDecl>;
  private readonly factDecls: Map<string, FactDecl>;
  private readonly defMemo = new Map<string, Sym>();
  private readonly letMemo = new Map<string, Sym>();
  private readonly ruleMemo = new Map<string, Tri>();
  private readonly absMemo = new Map<string, Sym>();
  readonly cal: Calendar;
  private readonly z: Z3;
  private readonly T: B;
  private readonly F: B;

  constructor(
    readonly ir: PolicyIR,
    readonly w: World,
    /** A tag so two policies in one world keep their lets and definitions apart. */
    readonly tag = '',
  ) {
    this.z = w.z;
    this.T = w.z.Bool.val(true);
    this.F = w.z.Bool.val(false);
    this.defs = new Map(ir.definitions.map((d) => [d.name, d]));
    this.params = new Map(ir.parameters.map((p) => [p.name, p]));
    this.factDecls = new Map(ir.facts.map((f) => [f.name, f]));
    this.cal = new Calendar(w);
  }

  /** A rule's condition, three-valued. */
  condition(rule: RuleIR): Tri {
    let c = this.ruleMemo.get(rule.id);
    if (!c) {
      c = this.asTri(this.enc(rule.when, { rule }));
      this.ruleMemo.set(rule.id, c);
    }
    return c;
  }

  /** A computed value of a rule (for comparing outputs). */
  computed(rule: RuleIR, expr: Expr): Sym {
    return this.enc(expr, { rule });
  }

  private asTri(s: Sym): Tri {
    if (s.k !== 'bool') throw new Error(`analysis bug: condition encoded as ${s.k}`);
    return { t: s.t, f: s.f };
  }

  private bool(t: B, f: B): Sym {
    return { k: 'bool', t, f };
  }

  private num(def: B, v: A, kind: NumKind): Sym {
    return { k: 'num', def, v, kind };
  }

  private known(s: Sym): B {
    switch (s.k) {
      case 'bool':
        return this.z.Or(s.t, s.f);
      case 'num':
      case 'str':
      case 'durs':
        return s.def;
      default:
        return this.T;
    }
  }

  /** A duration or number as a day count, for comparisons and date ± number. */
  private asNum(s: Sym): Extract<Sym, { k: 'num' }> {
    if (s.k === 'num') return s;
    if (s.k === 'dur') {
      if (s.unit !== 'days') throw new Unsupported(`${s.unit} compared as a number`);
      return { k: 'num', def: this.T, v: this.w.real(s.amount), kind: 'number' };
    }
    if (s.k === 'durs') {
      if (s.cases.some((c) => c.unit !== 'days')) throw new Unsupported('a duration parameter not in days compared as a number');
      let v: A = this.w.real(0);
      for (const c of s.cases) v = this.z.If(c.when, this.w.real(c.amount), v) as A;
      return { k: 'num', def: s.def, v, kind: 'number' };
    }
    throw new Error(`analysis bug: ${s.k} used as a number`);
  }

  roundHalfAway(x: A): A {
    const z = this.z;
    const half = this.w.real(0.5);
    return z.If(x.ge(this.w.real(0)), z.ToReal(z.ToInt(x.add(half))), z.ToReal(z.ToInt(x.neg().add(half))).neg()) as A;
  }

  enc(e: Expr, sc: Scope): Sym {
    const z = this.z;
    const w = this.w;
    switch (e.type) {
      case 'boolean':
        return this.bool(z.Bool.val(e.value), z.Bool.val(!e.value));
      case 'number':
        return this.num(this.T, w.real(e.value), e.integer ? 'integer' : 'number');
      case 'money':
        return this.num(this.T, w.real(yuanToFen(e.yuan) ?? roundHalfAway(e.yuan * 100)), 'money');
      case 'percent': {
        const r = rational(e.value);
        return this.num(this.T, z.Real.val({ numerator: r.numerator, denominator: r.denominator * 100n }), 'percent');
      }
      case 'date':
        return this.num(this.T, w.real(parseDate(e.value)!), 'date');
      case 'string':
        return { k: 'str', def: this.T, v: z.Int.val(w.strId(e.value)) };
      case 'duration':
        return { k: 'dur', amount: e.amount, unit: e.unit };
      case 'asOf':
        return this.num(this.T, w.asOf, 'date');
      case 'fact': {
        const decl = this.factDecls.get(e.name);
        if (!decl) throw new Error(`analysis bug: unknown fact ${e.name}`);
        if (decl.type.kind === 'list') return { k: 'list', name: e.name };
        return this.scalar(w.fact(decl) as ScalarVar);
      }
      case 'field': {
        const r = sc.record;
        if (!r) throw new Error(`analysis bug: field ${e.name} outside an aggregate`);
        const f = r.list.records[r.index]!.get(e.name);
        if (!f) throw new Error(`analysis bug: unknown field ${e.name}`);
        return this.scalar(f);
      }
      case 'param':
        return this.param(e.name);
      case 'ref':
        return this.ref(e.name, sc);
      case 'not': {
        const a = this.enc(e.arg, sc);
        if (a.k !== 'bool') throw new Error('analysis bug: not of a non-boolean');
        return this.bool(a.f, a.t);
      }
      case 'neg': {
        const a = this.enc(e.arg, sc);
        if (a.k === 'dur') return { ...a, amount: -a.amount };
        if (a.k === 'durs') return { ...a, cases: a.cases.map((c) => ({ ...c, amount: -c.amount })) };
        const n = this.asNum(a);
        return this.num(n.def, n.v.neg(), n.kind === 'date' ? 'number' : n.kind);
      }
      case 'and':
      case 'or': {
        const parts = e.args.map((a) => this.asTri(this.enc(a, sc)));
        const r = e.type === 'and' ? this.and(parts) : this.or(parts);
        return this.bool(r.t, r.f);
      }
      case 'compare':
        return this.compare(e.op, this.enc(e.left, sc), this.enc(e.right, sc));
      case 'arith':
        return this.arith(e.op, this.enc(e.left, sc), this.enc(e.right, sc));
      case 'in': {
        const v = this.enc(e.value, sc);
        const hit = this.or(e.options.map((o) => this.asTri(this.compare('==', v, this.enc(o, sc)))));
        return e.negated ? this.bool(hit.f, hit.t) : this.bool(hit.t, hit.f);
      }
      case 'between': {
        const v = this.enc(e.value, sc);
        const lo = this.compare(e.lowInclusive ? '<=' : '<', this.enc(e.low, sc), v);
        const hi = this.compare(e.highInclusive ? '<=' : '<', v, this.enc(e.high, sc));
        const r = this.and([this.asTri(lo), this.asTri(hi)]);
        return this.bool(r.t, r.f);
      }
      case 'if': {
        const c = this.asTri(this.enc(e.cond, sc));
        const a = this.enc(e.then, sc);
        const b = this.enc(e.else, sc);
        if (a.k === 'bool' && b.k === 'bool') {
          return this.bool(z.Or(z.And(c.t, a.t), z.And(c.f, b.t)), z.Or(z.And(c.t, a.f), z.And(c.f, b.f)));
        }
        if ((a.k === 'num' || a.k === 'dur') && (b.k === 'num' || b.k === 'dur')) {
          const x = this.asNum(a);
          const y = this.asNum(b);
          return this.num(z.Or(z.And(c.t, x.def), z.And(c.f, y.def)), z.If(c.t, x.v, y.v) as A, x.kind);
        }
        if (a.k === 'str' && b.k === 'str') {
          return { k: 'str', def: z.Or(z.And(c.t, a.def), z.And(c.f, b.def)), v: z.If(c.t, a.v, b.v) as A };
        }
        throw new Unsupported(`if with ${a.k} and ${b.k} branches`);
      }
      case 'call':
        return this.call(e, sc);
      case 'aggregate':
        return this.aggregate(e, sc);
    }
  }

  private scalar(f: ScalarVar): Sym {
    const z = this.z;
    const kind = f.decl.type.kind;
    if (kind === 'boolean') return this.bool(z.And(f.present, f.v as B), z.And(f.present, z.Not(f.v as B)));
    if (kind === 'enum' || kind === 'string') return { k: 'str', def: f.present, v: f.v as A };
    return this.num(f.present, f.v as A, kind as NumKind);
  }

  private paramLiteral(kind: Exclude<ParameterDecl['type']['kind'], 'duration'>, v: boolean | number | string): Sym {
    const z = this.z;
    switch (kind) {
      case 'boolean':
        return this.bool(z.Bool.val(Boolean(v)), z.Bool.val(!v));
      case 'string':
        return { k: 'str', def: this.T, v: z.Int.val(this.w.strId(String(v))) };
      case 'money':
        return this.num(this.T, this.w.real(yuanToFen(v as number | string) ?? roundHalfAway(Number(v) * 100)), 'money');
      case 'percent': {
        const r = rational(Number(v));
        return this.num(this.T, z.Real.val({ numerator: r.numerator, denominator: r.denominator * 100n }), 'percent');
      }
      case 'date':
        return this.num(this.T, this.w.real(parseDate(String(v))!), 'date');
      case 'integer':
      case 'number':
        return this.num(this.T, this.w.real(Number(v)), kind);
    }
  }

  /** The value with the latest `from` ≤ as-of; none → undetermined. */
  private param(name: string): Sym {
    const p = this.params.get(name);
    if (!p) throw new Error(`analysis bug: unknown parameter ${name}`);
    const z = this.z;
    const asOf = this.w.asOf;
    const values = [...p.values].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
    if (p.type.kind === 'duration') {
      // Case i holds from its date until the next value's.
      const cases = values.map((pv, i) => {
        const d = parseDurationValue(pv.value);
        if (!d) throw new Error(`analysis bug: duration value ${String(pv.value)}`);
        const next = values[i + 1];
        const from = asOf.ge(this.w.real(parseDate(pv.from)!));
        const when = next ? z.And(from, asOf.lt(this.w.real(parseDate(next.from)!))) : from;
        return { when, amount: d.amount, unit: d.unit };
      });
      return { k: 'durs', def: cases.length ? z.Or(...cases.map((c) => c.when)) : this.F, cases };
    }
    const kind = p.type.kind;
    let acc: Sym | undefined;
    for (const pv of values) {
      const from = this.w.real(parseDate(pv.from)!);
      const now = asOf.ge(from);
      const lit = this.paramLiteral(kind, pv.value);
      if (!acc) {
        // Before the first value: no value, undetermined.
        if (lit.k === 'bool') acc = this.bool(z.And(now, lit.t), z.And(now, lit.f));
        else if (lit.k === 'num') acc = this.num(now, lit.v, lit.kind);
        else if (lit.k === 'str') acc = { k: 'str', def: now, v: lit.v };
        continue;
      }
      if (acc.k === 'bool' && lit.k === 'bool') acc = this.bool(z.If(now, lit.t, acc.t) as B, z.If(now, lit.f, acc.f) as B);
      else if (acc.k === 'num' && lit.k === 'num') acc = this.num(z.Or(now, acc.def), z.If(now, lit.v, acc.v) as A, lit.kind);
      else if (acc.k === 'str' && lit.k === 'str') acc = { k: 'str', def: z.Or(now, acc.def), v: z.If(now, lit.v, acc.v) as A };
    }
    if (!acc) {
      if (kind === 'boolean') return this.bool(this.F, this.F);
      if (kind === 'string') return { k: 'str', def: this.F, v: z.Int.val(0) };
      return this.num(this.F, this.w.real(0), kind);
    }
    return acc;
  }

  private ref(name: string, sc: Scope): Sym {
    const rule = sc.rule;
    const local = rule?.lets.find((l) => l.name === name);
    if (rule && local) {
      const key = `${this.tag}${rule.id}\u0000${name}`;
      let v = this.letMemo.get(key);
      if (!v) {
        // A let sees the rule's other lets and the definitions, never a record.
        v = this.enc(local.expr, { rule });
        this.letMemo.set(key, v);
      }
      return v;
    }
    const def = this.defs.get(name);
    if (!def) throw new Error(`analysis bug: unknown name ${name}`);
    let v = this.defMemo.get(name);
    if (!v) {
      v = this.enc(def.expr, {});
      this.defMemo.set(name, v);
    }
    return v;
  }

  and(parts: readonly Tri[]): Tri {
    const z = this.z;
    if (parts.length === 0) return { t: this.T, f: this.F };
    return { t: z.And(...parts.map((p) => p.t)), f: z.Or(...parts.map((p) => p.f)) };
  }

  or(parts: readonly Tri[]): Tri {
    const z = this.z;
    if (parts.length === 0) return { t: this.F, f: this.T };
    return { t: z.Or(...parts.map((p) => p.t)), f: z.And(...parts.map((p) => p.f)) };
  }

  private compare(op: string, a: Sym, b: Sym): Sym {
    const z = this.z;
    let known: B;
    let holds: B;
    if (a.k === 'bool' && b.k === 'bool') {
      known = z.And(this.known(a), this.known(b));
      // false < true, as the engine orders booleans.
      const x = a.t;
      const y = b.t;
      const cmp: Record<string, B> = {
        '==': x.eq(y),
        '!=': x.neq(y),
        '<': z.And(z.Not(x), y),
        '<=': z.Or(z.Not(x), y),
        '>': z.And(x, z.Not(y)),
        '>=': z.Or(x, z.Not(y)),
      };
      holds = cmp[op]!;
    } else if (a.k === 'str' && b.k === 'str') {
      known = z.And(a.def, b.def);
      if (op === '==') holds = a.v.eq(b.v);
      else if (op === '!=') holds = a.v.neq(b.v);
      else throw new Unsupported('ordering of strings');
    } else {
      const x = this.asNum(a);
      const y = this.asNum(b);
      known = z.And(x.def, y.def);
      const cmp: Record<string, () => B> = {
        '==': () => x.v.eq(y.v),
        '!=': () => x.v.neq(y.v),
        '<': () => x.v.lt(y.v),
        '<=': () => x.v.le(y.v),
        '>': () => x.v.gt(y.v),
        '>=': () => x.v.ge(y.v),
      };
      holds = cmp[op]!();
    }
    return this.bool(z.And(known, holds), z.And(known, z.Not(holds)));
  }

  private arith(op: string, a: Sym, b: Sym): Sym {
    const z = this.z;
    const w = this.w;
    if (a.k === 'dur' && b.k === 'dur') {
      if (a.unit !== b.unit || (op !== '+' && op !== '-')) throw new Unsupported(`duration ${op} duration`);
      return { k: 'dur', unit: a.unit, amount: op === '+' ? a.amount + b.amount : a.amount - b.amount };
    }
    if (a.k === 'num' && a.kind === 'date') {
      if (b.k === 'dur' && (op === '+' || op === '-')) return this.num(a.def, this.shift(a.v, op === '+' ? b.amount : -b.amount, b.unit), 'date');
      if (b.k === 'durs' && (op === '+' || op === '-')) {
        let v: A = a.v;
        for (const c of b.cases) v = z.If(c.when, this.shift(a.v, op === '+' ? c.amount : -c.amount, c.unit), v) as A;
        return this.num(z.And(a.def, b.def), v, 'date');
      }
      const y = this.asNum(b);
      const def = z.And(a.def, y.def);
      if (y.kind === 'date' && op === '-') return this.num(def, a.v.sub(y.v), 'integer');
      if (op === '+') return this.num(def, a.v.add(y.v), 'date');
      if (op === '-') return this.num(def, a.v.sub(y.v), 'date');
      throw new Unsupported(`date ${op} number`);
    }
    const x = this.asNum(a);
    const y = this.asNum(b);
    let def = z.And(x.def, y.def);
    if (x.kind === 'money' || y.kind === 'money') {
      if (x.kind === 'money' && y.kind === 'money') {
        if (op === '+') return this.num(def, x.v.add(y.v), 'money');
        if (op === '-') return this.num(def, x.v.sub(y.v), 'money');
        if (op === '/') return this.num(z.And(def, y.v.neq(w.real(0))), x.v.div(y.v), 'number');
        throw new Unsupported('money × money');
      }
      if (op === '*') return this.num(def, this.roundHalfAway(x.v.mul(y.v)), 'money');
      if (op === '/' && x.kind === 'money') return this.num(z.And(def, y.v.neq(w.real(0))), this.roundHalfAway(x.v.div(y.v)), 'money');
      throw new Unsupported(`${x.kind} ${op} ${y.kind}`);
    }
    const keepPercent = x.kind === 'percent' && y.kind === 'percent' && (op === '+' || op === '-');
    const intResult = x.kind === 'integer' && y.kind === 'integer' && op !== '/';
    const kind: NumKind = keepPercent ? 'percent' : intResult ? 'integer' : 'number';
    switch (op) {
      case '+':
        return this.num(def, x.v.add(y.v), kind);
      case '-':
        return this.num(def, x.v.sub(y.v), kind);
      case '*':
        return this.num(def, x.v.mul(y.v), kind);
      default:
        def = z.And(def, y.v.neq(w.real(0)));
        return this.num(def, x.v.div(y.v), 'number');
    }
  }

  private shift(day: A, n: number, unit: DurationUnit): A {
    switch (unit) {
      case 'days':
        return day.add(this.w.real(n));
      case 'workdays':
        return this.cal.addWorkdays(day, n);
      case 'months':
        return this.cal.addMonths(day, n);
      case 'years':
        return this.cal.addMonths(day, n * 12);
    }
  }

  private call(e: Extract<Expr, { type: 'call' }>, sc: Scope): Sym {
    const z = this.z;
    if (e.fn === 'known') {
      const k = this.known(this.enc(e.args[0]!, sc));
      return this.bool(k, z.Not(k));
    }
    const args = e.args.map((a) => this.enc(a, sc));
    switch (e.fn) {
      case 'min':
      case 'max': {
        const ns = args.map((a) => this.asNum(a));
        const def = z.And(...ns.map((n) => n.def));
        let best = ns[0]!.v;
        for (const n of ns.slice(1)) best = z.If(e.fn === 'min' ? n.v.lt(best) : n.v.gt(best), n.v, best) as A;
        const kinds = new Set(ns.map((n) => n.kind));
        const kind: NumKind = kinds.size === 1 ? ns[0]!.kind : kinds.has('number') ? 'number' : ns[0]!.kind;
        return this.num(def, best, kind);
      }
      case 'abs': {
        const n = this.asNum(args[0]!);
        return this.num(n.def, z.If(n.v.lt(this.w.real(0)), n.v.neg(), n.v) as A, n.kind);
      }
      case 'round': {
        const n = this.asNum(args[0]!);
        if (n.kind === 'money') return this.num(n.def, this.roundHalfAway(n.v.div(this.w.real(100))).mul(this.w.real(100)), 'money');
        return this.num(n.def, this.roundHalfAway(n.v), 'integer');
      }
      case 'daysBetween':
      case 'workdaysBetween':
      case 'monthsBetween':
      case 'yearsBetween': {
        const a = this.asNum(args[0]!);
        const b = this.asNum(args[1]!);
        const def = z.And(a.def, b.def);
        if (e.fn === 'daysBetween') return this.num(def, b.v.sub(a.v), 'integer');
        if (e.fn === 'workdaysBetween') return this.num(def, this.cal.workdaysBetween(a.v, b.v), 'integer');
        const n = e.fn === 'monthsBetween' ? this.cal.monthsBetween(a.v, b.v) : this.cal.yearsBetween(a.v, b.v);
        return this.num(def, z.ToReal(n), 'integer');
      }
    }
    throw new Unsupported(`function ${String(e.fn)}`);
  }

  private aggregate(e: Extract<Expr, { type: 'aggregate' }>, sc: Scope): Sym {
    const decl = this.factDecls.get(e.list);
    if (!decl || decl.type.kind !== 'list') throw new Error(`analysis bug: ${e.list} is not a list fact`);
    const list = this.w.fact(decl) as ListVar;
    if (this.w.mode === 'abstract') return this.abstractAggregate(e, sc, list, decl);
    const z = this.z;
    const w = this.w;
    const zero = w.real(0);
    const per = list.records.map((_, index) => {
      const rsc: Scope = { rule: sc.rule, record: { list, index } };
      const active = list.len.gt(w.real(index));
      const where: Tri = e.where ? this.asTri(this.enc(e.where, rsc)) : { t: this.T, f: this.F };
      const value = e.value ? this.enc(e.value, rsc) : undefined;
      return { active, where, value };
    });
    const whereKnown = (r: (typeof per)[number]) => z.Or(r.where.t, r.where.f);
    const present = list.present;
    const inactiveOr = (r: (typeof per)[number], b: B) => z.Or(z.Not(r.active), b);
    switch (e.fn) {
      case 'any':
      case 'all': {
        const each = per.map((r) => {
          if (!r.value) return r.where;
          const v = this.asTri(r.value);
          return e.fn === 'any' ? this.and([r.where, v]) : this.or([{ t: r.where.f, f: r.where.t }, v]);
        });
        if (e.fn === 'any') {
          const t = z.Or(...per.map((r, i) => z.And(r.active, each[i]!.t)));
          const f = z.And(...per.map((r, i) => inactiveOr(r, each[i]!.f)));
          return this.bool(z.And(present, t), z.And(present, f));
        }
        const t = z.And(...per.map((r, i) => inactiveOr(r, each[i]!.t)));
        const f = z.Or(...per.map((r, i) => z.And(r.active, each[i]!.f)));
        return this.bool(z.And(present, t), z.And(present, f));
      }
      case 'count': {
        const def = z.And(present, ...per.map((r) => inactiveOr(r, whereKnown(r))));
        const v = z.Sum(zero, ...per.map((r) => z.If(z.And(r.active, r.where.t), w.real(1), zero) as A));
        return this.num(def, v, 'integer');
      }
      case 'ratio': {
        if (!e.value) {
          const def = z.And(present, list.len.gt(zero), ...per.map((r) => inactiveOr(r, whereKnown(r))));
          const count = z.Sum(zero, ...per.map((r) => z.If(z.And(r.active, r.where.t), w.real(1), zero) as A));
          return this.num(def, count.div(list.len), 'percent');
        }
        const vals = per.map((r) => this.asNum(r.value!));
        const whole = z.Sum(zero, ...per.map((r, i) => z.If(r.active, vals[i]!.v, zero) as A));
        const part = z.Sum(zero, ...per.map((r, i) => z.If(z.And(r.active, r.where.t), vals[i]!.v, zero) as A));
        const def = z.And(present, whole.neq(zero), ...per.map((r, i) => inactiveOr(r, z.And(whereKnown(r), vals[i]!.def))));
        return this.num(def, part.div(whole), 'percent');
      }
      case 'sum':
      case 'min':
      case 'max':
      case 'avg': {
        const vals = per.map((r) => this.asNum(r.value!));
        const kind = vals[0]?.kind ?? 'number';
        const relevantKnown = per.map((r, i) => inactiveOr(r, z.And(whereKnown(r), z.Or(r.where.f, vals[i]!.def))));
        const sel = per.map((r) => z.And(r.active, r.where.t));
        const def0 = z.And(present, ...relevantKnown);
        const total = z.Sum(zero, ...per.map((_, i) => z.If(sel[i]!, vals[i]!.v, zero) as A));
        if (e.fn === 'sum') return this.num(def0, total, kind);
        const any = z.Or(...sel);
        if (e.fn === 'avg') {
          const n = z.Sum(zero, ...sel.map((s) => z.If(s, w.real(1), zero) as A));
          const avg = total.div(n);
          return this.num(z.And(def0, any), kind === 'money' ? this.roundHalfAway(avg) : avg, kind === 'money' || kind === 'percent' ? kind : 'number');
        }
        let best: A = zero;
        let has: B = this.F;
        per.forEach((_, i) => {
          const v = vals[i]!.v;
          const better = e.fn === 'min' ? v.lt(best) : v.gt(best);
          const take = z.And(sel[i]!, z.Or(z.Not(has), better));
          best = z.If(take, v, best) as A;
          has = z.Or(has, sel[i]!);
        });
        return this.num(z.And(def0, any), best, kind);
      }
    }
  }

  /** Over-approximation: the aggregate is any value of its type; it is known only when the list is given. */
  private abstractAggregate(e: Extract<Expr, { type: 'aggregate' }>, sc: Scope, list: ListVar, decl: FactDecl): Sym {
    const z = this.z;
    const w = this.w;
    // Same text in the same rule scope → the same value (so `count(L) > 3 and count(L) < 2` stays impossible).
    const key = `${this.tag}${sc.rule?.id ?? ''}\u0000${canonicalJson(e)}`;
    const memo = this.absMemo;
    const hit = memo.get(key);
    if (hit) return hit;
    const name = w.freshName(`${e.fn}(${e.list})`);
    let out: Sym;
    if (e.fn === 'any' || e.fn === 'all') {
      const t = z.Bool.const(`${name}.t`);
      const f = z.Bool.const(`${name}.f`);
      w.constraints.push(z.Not(z.And(t, f)), z.Implies(z.Or(t, f), list.present));
      out = this.bool(t, f);
    } else {
      const def = z.Bool.const(`${name}.def`);
      const v = z.Real.const(`${name}.v`);
      w.constraints.push(z.Implies(def, list.present));
      let kind: NumKind = 'number';
      if (e.fn === 'count') {
        kind = 'integer';
        w.constraints.push(z.IsInt(v), v.ge(w.real(0)), v.le(list.len));
      } else if (e.fn === 'ratio') {
        kind = 'percent';
        if (!e.value) w.constraints.push(v.ge(w.real(0)), v.le(w.real(1)));
      } else if (e.value) {
        const rdecl = decl.type.kind === 'list' ? decl.type.fields : [];
        kind = staticNumKind(e.value, rdecl, this.ir) ?? 'number';
        if (kind === 'money' || kind === 'integer' || kind === 'date') w.constraints.push(z.IsInt(v));
        if (e.fn === 'avg' && kind === 'integer') kind = 'number';
      }
      out = this.num(def, v, kind);
    }
    memo.set(key, out);
    return out;
  }
}

/** The numeric kind of a per-record value (for abstract sums, so money stays money). */
function staticNumKind(e: Expr, fields: readonly FactDecl[], ir: PolicyIR): NumKind | undefined {
  switch (e.type) {
    case 'field': {
      const k = fields.find((f) => f.name === e.name)?.type.kind;
      return k === 'integer' || k === 'number' || k === 'percent' || k === 'money' || k === 'date' ? k : undefined;
    }
    case 'fact': {
      const k = ir.facts.find((f) => f.name === e.name)?.type.kind;
      return k === 'integer' || k === 'number' || k === 'percent' || k === 'money' || k === 'date' ? k : undefined;
    }
    case 'money':
      return 'money';
    case 'arith': {
      const l = staticNumKind(e.left, fields, ir);
      const r = staticNumKind(e.right, fields, ir);
      return l === 'money' || r === 'money' ? 'money' : (l ?? r);
    }
    default:
      return undefined;
  }
}
