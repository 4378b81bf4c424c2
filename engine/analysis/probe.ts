/**
 * Before the solver: a few hundred fact sets built from the policy's own constants (thresholds,
 * parameter values, enum values, dates around the as-of date), judged by the reference
 * interpreter. Whatever they show needs no query: a rule seen to hold is not dead, two rules seen
 * to fire together conflict (with that very record as the counterexample), a rule seen to fire
 * without another is not implied by it. Only "never" questions go to Z3. Deterministic (seeded).
 */
import type { Expr, FactDecl, PolicyIR } from '../ir/types.ts';
import { formatDate, parseDate } from '../values/index.ts';
import { replay, replayRaw } from './replay.ts';
import type { Counterexample } from './types.ts';
import { ruleReads } from './usage.ts';

export interface ProbeResult {
  /** Rules whose condition was seen true (raw, before exceptions). */
  heldRaw: Set<string>;
  /** Rules seen to fire (after exceptions). */
  fired: Set<string>;
  /** `a\u0000b` (rule order) → a record on which the decision reports their conflict. */
  conflicts: Map<string, Counterexample>;
  /** `r\u0000o`: a record where r's condition held and o's did not. */
  holdsWithout: Set<string>;
}

/** Mulberry32: small, seeded, good enough to spread samples. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Constants {
  numbers: number[];
  percents: number[];
  yuan: number[];
  days: number[];
  strings: string[];
}

function constantsOf(ir: PolicyIR): Constants {
  const c: Constants = { numbers: [0, 1, 2, 3], percents: [0, 1, 3, 5, 50, 100], yuan: [0, 100, 10000], days: [], strings: [] };
  const visit = (e: Expr): void => {
    switch (e.type) {
      case 'number':
        c.numbers.push(e.value);
        return;
      case 'percent':
        c.percents.push(e.value);
        return;
      case 'money':
        c.yuan.push(e.yuan);
        return;
      case 'date': {
        const d = parseDate(e.value);
        if (d !== undefined) c.days.push(d);
        return;
      }
      case 'string':
        c.strings.push(e.value);
        return;
      case 'duration':
        c.numbers.push(e.amount);
        return;
      default:
        for (const v of Object.values(e)) {
          if (Array.isArray(v)) v.forEach((x) => typeof x === 'object' && x !== null && 'type' in x && visit(x as Expr));
          else if (typeof v === 'object' && v !== null && 'type' in v) visit(v as Expr);
        }
    }
  };
  for (const r of ir.rules) {
    visit(r.when);
    r.lets.forEach((l) => visit(l.expr));
  }
  ir.definitions.forEach((d) => visit(d.expr));
  for (const p of ir.parameters) {
    for (const v of p.values) {
      if (typeof v.value !== 'number' && typeof v.value !== 'string') continue;
      const n = Number(v.value);
      if (p.type.kind === 'money' && Number.isFinite(n)) c.yuan.push(n);
      else if (p.type.kind === 'percent' && Number.isFinite(n)) c.percents.push(n);
      else if ((p.type.kind === 'integer' || p.type.kind === 'number') && Number.isFinite(n)) c.numbers.push(n);
      else if (p.type.kind === 'date' && typeof v.value === 'string') {
        const d = parseDate(v.value);
        if (d !== undefined) c.days.push(d);
      } else if (p.type.kind === 'duration' && typeof v.value === 'string') c.numbers.push(Number(v.value.split(' ')[0]));
    }
  }
  return c;
}

const DAY_OFFSETS = [0, 1, -1, 2, 5, 10, 15, 20, 30, 31, 45, 60, 90, 91, 180, 365, 366, 730, 1095, 1825, 3650, 7300, 18250, 21900];

/**
 * Records built from the policy's constants (deterministic for a seed): every fact present in one
 * record out of three, else each with probability 0.85; lists of up to 3 records.
 */
export function sampleRecords(ir: PolicyIR, period: { from: number; until: number }, samples: number, seed = 19): Counterexample[] {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const c = constantsOf(ir);
  // The interpreter counts working days one day at a time: keep dates close where they are counted.
  const offsets = JSON.stringify(ir).includes('workday') ? DAY_OFFSETS.filter((d) => d <= 400) : DAY_OFFSETS;
  const near = (xs: number[], step: number) => {
    const x = pick(xs);
    const r = rand();
    return r < 0.4 ? x : r < 0.6 ? x + step : r < 0.8 ? x - step : x * 2;
  };
  const value = (decl: FactDecl, asOf: number): unknown => {
    const t = decl.type;
    switch (t.kind) {
      case 'boolean':
        return rand() < 0.5;
      case 'enum':
        return pick(t.values).value;
      case 'string':
        return c.strings.length > 0 && rand() < 0.8 ? pick(c.strings) : '其他';
      case 'integer':
        return Math.round(near(c.numbers, 1));
      case 'number':
        return Number(near(c.numbers, rand() < 0.5 ? 1 : 0.01).toFixed(4));
      case 'percent':
        return Number(near(c.percents, rand() < 0.5 ? 1 : 0.1).toFixed(4));
      case 'money':
        return Number(near(c.yuan, rand() < 0.5 ? 1 : 0.01).toFixed(2));
      case 'date': {
        const base = c.days.length > 0 && rand() < 0.3 ? pick(c.days) : asOf;
        const d = base + (rand() < 0.5 ? -1 : 1) * pick(offsets);
        return formatDate(Math.min(Math.max(d, parseDate('1901-01-01')!), parseDate('2099-12-31')!));
      }
      case 'list': {
        const n = Math.floor(rand() * 4);
        return Array.from({ length: n }, () => {
          const rec: Record<string, unknown> = {};
          for (const f of t.fields) if (rand() < 0.95) rec[f.name] = value(f, asOf);
          return rec;
        });
      }
    }
  };
  const span = Math.min(period.until, period.from + 20 * 366) - period.from;
  const out: Counterexample[] = [];
  for (let i = 0; i < samples; i++) {
    const asOfDay = i % 4 === 0 ? period.from : period.from + Math.floor(rand() * (span + 1));
    const facts: Record<string, unknown> = {};
    const presence = i % 3 === 0 ? 1 : 0.85;
    for (const f of ir.facts) if (rand() < presence) facts[f.name] = value(f, asOfDay);
    out.push({ asOf: formatDate(asOfDay), facts });
  }
  return out;
}

export function probe(ir: PolicyIR, period: { from: number; until: number }, samples = 240, seed = 19): ProbeResult {
  const out: ProbeResult = { heldRaw: new Set(), fired: new Set(), conflicts: new Map(), holdsWithout: new Set() };
  for (const c0 of sampleRecords(ir, period, samples, seed)) {
    const { status, raw, fired, conflicts } = replayRaw(ir, c0);
    if (status !== 'ok') continue; // a generated value the schema rejects: skip
    const held = new Set([...raw].filter(([, s]) => s === 'fired').map(([id]) => id));
    held.forEach((r) => out.heldRaw.add(r));
    for (const r of held) for (const o of ir.rules) if (!held.has(o.id)) out.holdsWithout.add(`${r}\u0000${o.id}`);
    for (const id of fired) out.fired.add(id);
    for (const k of conflicts) {
      const key = `${k[0]}\u0000${k[1]}`;
      if (!out.conflicts.has(key)) out.conflicts.set(key, trim(ir, c0, k));
    }
  }
  return out;
}

/** The record cut to the facts the two rules (and their exceptions) read, when the conflict survives the cut. */
function trim(ir: PolicyIR, c: Counterexample, rules: readonly [string, string]): Counterexample {
  const involved = ir.rules.filter((r) => rules.includes(r.id) || (r.exceptionTo !== undefined && rules.includes(r.exceptionTo)));
  const keep = new Set<string>();
  for (const r of involved) ruleReads(ir, r).facts.forEach((f) => keep.add(f));
  const cut: Counterexample = { asOf: c.asOf, facts: Object.fromEntries(Object.entries(c.facts).filter(([k]) => keep.has(k))) };
  const d = replay(ir, cut);
  return d.conflicts.some((k) => k.rules[0] === rules[0] && k.rules[1] === rules[1]) ? cut : c;
}
