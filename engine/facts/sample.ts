/**
 * Sample fact records for any policy, in plain TypeScript (no DuckDB): a getting-started dataset
 * and a template's example row. Values are drawn from a PRNG seeded by (seed, record index), so a
 * record does not depend on how many are asked for. Where a rule compares a fact (or a list
 * field) with a number, a date or a parameter, half of the draws fall near that threshold, so a
 * simulation of two versions on the sample shows records that change. Every record is valid
 * under the policy's fact schema; some facts are missing on purpose (rules become undetermined).
 */
import type { Expr, FactDecl, PolicyIR } from '../ir/types.ts';

export interface SampleOptions {
  count: number;
  /** Same seed, same records (default 1). */
  seed?: number;
  /** Share of facts left out of a record (default 0.1); 0 gives complete records. */
  missing?: number;
  /** Largest list length (default 4); lists have 1…max records. */
  maxListLength?: number;
}

type Policy = Pick<PolicyIR, 'facts' | 'rules' | 'definitions' | 'parameters'>;

/** Thresholds a policy compares facts and list fields with, by fact or field name. */
interface Thresholds {
  numbers: Map<string, number[]>;
  dates: Map<string, string[]>;
  strings: Map<string, string[]>;
  /** Lists whose share of records passing a filter (`ratio(list, … where field op c)`) is compared with thresholds. */
  ratios: Map<string, RatioTarget>;
}

/** A list's share to aim near, and how to make one of its records pass or fail the filter. */
interface RatioTarget {
  /** Thresholds as fractions (3% is 0.03). */
  shares: number[];
  field: string;
  op: '<' | '<=' | '>' | '>=';
  /** The filter's bound (the first value of a parameter). */
  bound: number;
}

/** mulberry32: small, fast, good enough for samples; deterministic across platforms. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mix(seed: number, i: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35)) >>> 0;
}

/** Names of facts and fields an expression reads directly (through arithmetic and functions). */
function operandNames(e: Expr): string[] {
  switch (e.type) {
    case 'fact':
    case 'field':
      return [e.name];
    case 'arith':
      return [...operandNames(e.left), ...operandNames(e.right)];
    case 'call':
      return e.args.flatMap(operandNames);
    case 'neg':
      return operandNames(e.arg);
    default:
      return [];
  }
}

function collect(ir: Policy): Thresholds {
  const th: Thresholds = { numbers: new Map(), dates: new Map(), strings: new Map(), ratios: new Map() };
  const params = new Map(ir.parameters.map((p) => [p.name, p.values.map((v) => v.value)]));
  const paramKinds = new Map(ir.parameters.map((p) => [p.name, p.type.kind]));
  const defs = new Map(ir.definitions.map((d) => [d.name, d.expr]));
  /** Fractions a ratio is compared with: percents as written (3) become 0.03. */
  const shares = (e: Expr): number[] => {
    if (e.type === 'percent') return [e.value / 100];
    if (e.type === 'number') return [e.value];
    if (e.type === 'param') return (params.get(e.name) ?? []).filter((v): v is number => typeof v === 'number').map((v) => (paramKinds.get(e.name) === 'percent' ? v / 100 : v));
    return [];
  };
  /** `ratio(list, value where field op bound)` behind an operand (through definitions), noted with the thresholds on the other side. */
  const noteRatio = (side: Expr, other: Expr, seen = 0): void => {
    if (side.type === 'ref' && seen < 8) {
      const d = defs.get(side.name);
      if (d) noteRatio(d, other, seen + 1);
      return;
    }
    if (side.type !== 'aggregate' || side.fn !== 'ratio' || side.where?.type !== 'compare') return;
    const w = side.where;
    const flip = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as const;
    const [field, boundExpr, op] = w.left.type === 'field' ? [w.left.name, w.right, w.op] : w.right.type === 'field' ? [w.right.name, w.left, w.op in flip ? flip[w.op as keyof typeof flip] : w.op] : [];
    const bound = boundExpr ? constants(boundExpr).find((v): v is number => typeof v === 'number') : undefined;
    const wanted = shares(other).filter((x) => x > 0 && x < 1);
    if (!field || bound === undefined || !(op === '<' || op === '<=' || op === '>' || op === '>=') || wanted.length === 0) return;
    const t = th.ratios.get(side.list);
    if (t) t.shares.push(...wanted.filter((x) => !t.shares.includes(x)));
    else th.ratios.set(side.list, { shares: wanted, field, op, bound });
  };
  const constants = (e: Expr): (number | string)[] => {
    switch (e.type) {
      case 'number':
      case 'percent':
        return [e.value];
      case 'money':
        return [e.yuan];
      case 'date':
      case 'string':
        return [e.value];
      case 'duration':
        return [e.amount];
      case 'param':
        return (params.get(e.name) ?? []).filter((v): v is number | string => typeof v !== 'boolean');
      case 'neg':
        return constants(e.arg).map((v) => (typeof v === 'number' ? -v : v));
      default:
        return [];
    }
  };
  const add = (names: string[], values: (number | string)[]) => {
    for (const n of names) {
      for (const v of values) {
        const map = typeof v === 'number' ? th.numbers : /^\d{4}-\d{2}-\d{2}$/.test(v) ? th.dates : th.strings;
        const list = (map.get(n) ?? []) as (number | string)[];
        if (!list.includes(v)) list.push(v);
        (map as Map<string, (number | string)[]>).set(n, list);
      }
    }
  };
  const visit = (e: Expr | undefined): void => {
    if (!e || typeof e !== 'object') return;
    if (e.type === 'compare') {
      add(operandNames(e.left), constants(e.right));
      add(operandNames(e.right), constants(e.left));
      noteRatio(e.left, e.right);
      noteRatio(e.right, e.left);
    } else if (e.type === 'between') {
      add(operandNames(e.value), [...constants(e.low), ...constants(e.high)]);
    } else if (e.type === 'in') {
      add(operandNames(e.value), e.options.flatMap(constants));
    }
    // Walk every child expression, whatever its key.
    for (const v of Object.values(e)) {
      if (Array.isArray(v)) v.forEach((x) => visit(x as Expr));
      else if (v && typeof v === 'object' && 'type' in v) visit(v as Expr);
    }
  };
  for (const d of ir.definitions) visit(d.expr);
  for (const r of ir.rules) {
    visit(r.when);
    r.lets.forEach((l) => visit(l.expr));
    r.then.computed.forEach((c) => visit(c.expr));
  }
  return th;
}

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const round2 = (n: number) => Math.round(n * 100) / 100;

function value(decl: FactDecl, th: Thresholds, r: () => number, o: Required<Omit<SampleOptions, 'count' | 'seed'>>): unknown {
  const near = <T>(list: T[] | undefined): T | undefined => (list && list.length > 0 && r() < 0.5 ? list[Math.floor(r() * list.length)] : undefined);
  const t = decl.type;
  switch (t.kind) {
    case 'boolean':
      return r() < 0.5;
    case 'integer': {
      const n = near(th.numbers.get(decl.name));
      if (n !== undefined) return Math.max(0, Math.round(n) + Math.floor(r() * 5) - 2);
      return Math.floor(r() * 366);
    }
    case 'number':
    case 'percent': {
      const n = near(th.numbers.get(decl.name));
      if (n !== undefined) return round2(n * (0.5 + r()));
      return round2(r() * (t.kind === 'percent' ? 20 : 1000));
    }
    case 'money': {
      const n = near(th.numbers.get(decl.name));
      // Log-uniform otherwise: amounts spread over orders of magnitude, so ratios of sums vary.
      return round2(n !== undefined ? n * (0.5 + r()) : 10 ** (1 + r() * 5));
    }
    case 'date': {
      const d = near(th.dates.get(decl.name));
      const base = d !== undefined ? Date.parse(d) - 90 * DAY : Date.parse('2015-01-01');
      return isoDay(base + Math.floor(r() * (d !== undefined ? 180 : 3650)) * DAY);
    }
    case 'string': {
      const s = near(th.strings.get(decl.name));
      return s ?? `样例${1 + Math.floor(r() * 9)}`;
    }
    case 'enum':
      return t.values[Math.floor(r() * t.values.length)].value;
    case 'list': {
      const target = th.ratios.get(decl.name);
      // A record with a field missing makes a whole aggregate undetermined: fields go missing rarely.
      const fieldOpts = { ...o, missing: target ? 0 : o.missing / 4 };
      if (!target) {
        const len = 1 + Math.floor(r() * o.maxListLength);
        return Array.from({ length: len }, () => record(t.fields, th, r, fieldOpts));
      }
      // A share compared with a threshold (an NPL ratio): enough records of like size, each
      // passing the filter with a probability near the threshold, so the share straddles it.
      const share = r() < 0.7 ? target.shares[Math.floor(r() * target.shares.length)] * (0.5 + r()) : r() * 0.3;
      const len = 10 + Math.floor(r() * 21);
      return Array.from({ length: len }, () => {
        const item = record(t.fields, th, r, fieldOpts);
        for (const f of t.fields) if (f.type.kind === 'money' && f.name in item) item[f.name] = round2(50 + r() * 100);
        if (target.field in item) {
          const pass = r() < share;
          const up = target.op === '>' || target.op === '>=';
          const step = 1 + Math.floor(r() * 60);
          item[target.field] = Math.max(0, pass === up ? target.bound + step : target.bound - step);
        }
        return item;
      });
    }
  }
}

function record(decls: readonly FactDecl[], th: Thresholds, r: () => number, o: Required<Omit<SampleOptions, 'count' | 'seed'>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const d of decls) {
    // Draw the value even when it is left out, so one fact's absence does not shift the others.
    const leave = r() < o.missing;
    const v = value(d, th, r, o);
    if (!leave) out[d.name] = v;
  }
  return out;
}

/** `count` records for the policy's facts (resolved IR: a variant's base facts included). */
export function sampleFacts(ir: Policy, opts: SampleOptions): Record<string, unknown>[] {
  const th = collect(ir);
  const seed = Math.trunc(opts.seed ?? 1);
  const o = { missing: opts.missing ?? 0.1, maxListLength: Math.max(1, opts.maxListLength ?? 4) };
  return Array.from({ length: Math.max(0, Math.trunc(opts.count)) }, (_, i) => record(ir.facts, th, prng(mix(seed, i)), o));
}

/** One complete record: the example row of a dataset template. */
export function exampleFacts(ir: Policy): Record<string, unknown> {
  return sampleFacts(ir, { count: 1, seed: 1, missing: 0, maxListLength: 2 })[0];
}
