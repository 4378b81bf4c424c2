/**
 * Where a change of verdict happens, worked out fact by fact: for each fact a changed rule reads,
 * the least and greatest values (strict or not) over every fact set on which the two versions
 * decide differently, the values a boolean or enum can take there, and whether the fact can be
 * missing. "3% < 不良贷款率 ≤ 5%" instead of two conditions and one example.
 *
 * Each fact's range is the hull of the region's projection on that fact, other facts free: a
 * region such as `x ≤ 1 or x > 9` reads `x` unbounded. Bounds come from Z3's optimiser and are
 * then checked with plain satisfiability queries (the optimiser has reported a wrong bound on
 * mixed integer/real problems); a bound that does not check out leaves that fact out and the
 * region marked partial, never a wrong range.
 */
import type { FactDecl } from '../ir/types.ts';
import { DATE_MAX, DATE_MIN, type ScalarVar, type World } from './encode.ts';
import { checkSat, type A, type B, type Z3 } from './solver.ts';

export interface Bound {
  /** As a caller writes the fact: yuan for money, percent as written (3 for 3%), ISO dates. */
  value: unknown;
  strict: boolean;
}

export interface FactRange {
  fact: string;
  /** `never`: the fact is given wherever the verdict changes; `always`: it is missing there. */
  missing: 'never' | 'possible' | 'always';
  /** Numbers, money, percents, dates: absent when unbounded on that side. */
  min?: Bound;
  max?: Bound;
  /** Booleans and enums: the values the fact can take there, when not every value. */
  values?: unknown[];
}

export interface Region {
  facts: FactRange[];
  /** Some fact's range could not be established (timeout, or a bound that did not check out). */
  partial: boolean;
}

const MAX_FACTS = 12;
const MAX_ENUM_VALUES = 24;
/** Beyond any amount, rate or count a policy states: a range reaching it is unbounded. */
const HUGE = 10n ** 15n;

type Rat = { numerator: bigint; denominator: bigint };

function ratOf(z: Z3, e: unknown): Rat | undefined {
  const x = e as Parameters<Z3['isIntVal']>[0];
  if (z.isIntVal(x)) return { numerator: x.value(), denominator: 1n };
  if (z.isRealVal(x)) return x.value();
  return undefined;
}

const isZero = (r: Rat | undefined) => r !== undefined && r.numerator === 0n;

/**
 * The region where `goal` (the verdict of one rule differs) holds, for the scalar facts named in
 * `facts`. `base` holds the world's constraints and the as-of period.
 */
export async function regionOf(z: Z3, w: World, goal: B, base: readonly B[], facts: ReadonlySet<string>, timeoutMs: number, how: 'optimize' | 'search' = 'optimize'): Promise<Region> {
  const sat = async (...extra: B[]) => (await checkSat(z, [...base, goal, ...extra], timeoutMs)).status;
  const out: FactRange[] = [];
  let partial = false;
  const vars = w.scalarFacts().filter((s) => facts.has(s.decl.name) && s.decl.type.kind !== 'string').slice(0, MAX_FACTS);
  for (const s of vars) {
    const given = await sat(s.present);
    const missing = await sat(z.Not(s.present));
    if (given === 'unknown' || missing === 'unknown') {
      partial = true;
      continue;
    }
    if (given === 'unsat') {
      if (missing === 'sat') out.push({ fact: s.decl.name, missing: 'always' });
      continue;
    }
    const range: FactRange = { fact: s.decl.name, missing: missing === 'sat' ? 'possible' : 'never' };
    const kind = s.decl.type.kind;
    if (kind === 'boolean' || kind === 'enum') {
      const options: { value: unknown; is: B }[] =
        s.decl.type.kind === 'enum'
          ? s.decl.type.values.slice(0, MAX_ENUM_VALUES).map((v) => ({ value: v.value, is: (s.v as A).eq(z.Int.val(w.strId(v.value))) }))
          : [
              { value: true, is: s.v as B },
              { value: false, is: z.Not(s.v as B) },
            ];
      const can: unknown[] = [];
      let unknown = false;
      for (const o of options) {
        const r = await sat(s.present, o.is);
        if (r === 'sat') can.push(o.value);
        else if (r === 'unknown') unknown = true;
      }
      if (unknown) {
        partial = true;
        continue;
      }
      if (can.length < options.length) range.values = can;
    } else {
      const find = how === 'search' && integral(s) ? searchBound : bound;
      const min = await find(z, w, s, goal, base, 'min', timeoutMs);
      const max = await find(z, w, s, goal, base, 'max', timeoutMs);
      if (min === 'failed' || max === 'failed') {
        partial = true;
        continue;
      }
      // A date's encoding is confined to DATE_MIN…DATE_MAX: reaching a limit is no bound at all.
      const limit = (b: Bound | undefined, day: number) => kind === 'date' && b?.value === w.jsonValue(s.decl, day);
      if (min && !limit(min, DATE_MIN)) range.min = min;
      if (max && !limit(max, DATE_MAX)) range.max = max;
    }
    if (range.min || range.max || range.values || range.missing !== 'possible') out.push(range);
  }
  return { facts: out, partial };
}

/** The least (or greatest) value of a fact in the region: undefined when unbounded, 'failed' when unsure. */
async function bound(z: Z3, w: World, s: ScalarVar, goal: B, base: readonly B[], dir: 'min' | 'max', timeoutMs: number): Promise<Bound | undefined | 'failed'> {
  const v = s.v as A;
  const o = new z.Optimize();
  o.set('timeout', timeoutMs);
  for (const c of [...base, goal, s.present]) o.add(c);
  const h = dir === 'min' ? o.minimize(v) : o.maximize(v);
  const keepAlive = setInterval(() => undefined, 1 << 30); // as in checkSat: Z3's workers are unref'd
  let r: string;
  try {
    r = await o.check();
  } finally {
    clearInterval(keepAlive);
  }
  if (r !== 'sat') return integral(s) ? searchBound(z, w, s, goal, base, dir, timeoutMs) : 'failed';
  const vec = dir === 'min' ? o.getLowerAsVector(h) : o.getUpperAsVector(h);
  const inf = ratOf(z, vec.get(0));
  const val = ratOf(z, vec.get(1));
  const eps = ratOf(z, vec.get(2));
  if (!inf || !val || !eps) return 'failed';
  const holds = async (...extra: B[]) => (await checkSat(z, [...base, goal, s.present, ...extra], timeoutMs)).status;
  if (!isZero(inf)) {
    // Unbounded: a value past anything a policy states must be in the region.
    const far = z.Real.val({ numerator: dir === 'min' ? -HUGE : HUGE, denominator: 1n });
    return (await holds(dir === 'min' ? v.le(far) : v.ge(far))) === 'sat' ? undefined : 'failed';
  }
  const c = z.Real.val(val);
  const strict = !isZero(eps);
  // Nothing beyond the bound, and (not strict) the bound itself is reached.
  const beyond = dir === 'min' ? (strict ? v.le(c) : v.lt(c)) : strict ? v.ge(c) : v.gt(c);
  const checked = (await holds(beyond)) === 'unsat' && (strict || (await holds(v.eq(c))) === 'sat');
  if (!checked) return integral(s) ? searchBound(z, w, s, goal, base, dir, timeoutMs) : 'failed';
  return { value: w.jsonValue(s.decl, Number(val.numerator) / Number(val.denominator)), strict };
}

/** Money (in fen), integers and dates are whole numbers in the encoding: their bounds can be searched exactly. */
function integral(s: ScalarVar): boolean {
  const k = s.decl.type.kind;
  return k === 'money' || k === 'integer' || k === 'date';
}

/**
 * The optimiser's fallback for whole numbers: from a value in the region, gallop outwards until a
 * step leaves it (or past anything a policy states: unbounded), then bisect. About 2·log2 of the
 * distance in plain satisfiability queries.
 */
async function searchBound(z: Z3, w: World, s: ScalarVar, goal: B, base: readonly B[], dir: 'min' | 'max', timeoutMs: number): Promise<Bound | undefined | 'failed'> {
  const v = s.v as A;
  const sign = dir === 'max' ? 1n : -1n;
  const at = (n: bigint) => z.Real.val({ numerator: n, denominator: 1n });
  // Is there a value of the region beyond n (in the search direction)?
  const beyond = async (n: bigint) => (await checkSat(z, [...base, goal, s.present, dir === 'max' ? v.gt(at(n)) : v.lt(at(n))], timeoutMs)).status;
  const first = await checkSat(z, [...base, goal, s.present], timeoutMs);
  if (first.status !== 'sat') return 'failed';
  const e = first.model.eval(v, true);
  const start = ratOf(z, e);
  if (!start || start.denominator !== 1n) return 'failed';
  let inside = start.numerator; // a value of the region
  let step = 1n;
  let outside: bigint | undefined; // no value of the region lies beyond it
  while (outside === undefined) {
    const probe = inside + sign * step;
    if (probe * sign > HUGE) return (await beyond(sign * HUGE)) === 'sat' ? undefined : 'failed';
    const r = await beyond(probe);
    if (r === 'unknown') return 'failed';
    if (r === 'unsat') outside = probe;
    else {
      inside = probe;
      step *= 2n;
    }
  }
  // The bound M lies in [lo, hi] (in the search direction): lo is in the region or something lies
  // beyond it; nothing lies beyond hi.
  let lo = inside;
  let hi = outside;
  while ((hi - lo) * sign > 1n) {
    const mid = lo + (hi - lo) / 2n;
    const r = await beyond(mid);
    if (r === 'unknown') return 'failed';
    if (r === 'unsat') hi = mid;
    else lo = mid;
  }
  // Adjacent whole numbers: M is hi if hi is in the region, else lo.
  const reached = await checkSat(z, [...base, goal, s.present, v.eq(at(hi))], timeoutMs);
  if (reached.status === 'unknown') return 'failed';
  return { value: w.jsonValue(s.decl, Number(reached.status === 'sat' ? hi : lo)), strict: false };
}
