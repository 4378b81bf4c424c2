/**
 * What "the SQL agrees with the engine" means, record for record: the same verdict for every rule
 * (0 not fired, 1 fired, 2 undetermined, 3 suppressed); for an undetermined rule the same missing
 * facts (record paths `L[i].f` read as `L[].f`: the mask has a bit per field, not per record) and
 * the same kinds of reasons; for a fired rule the same computed values, as `Decision` shows them.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Decision, ComputedResult } from '../../../engine/evaluate/types.ts';
import type { FactDecl, PolicyIR } from '../../../engine/ir/types.ts';
import { decodeMask } from '../../../engine/sql/compile.ts';
import type { SideLayout } from '../../../engine/sql/types.ts';
import { cleanNumber } from '../../../engine/evaluate/interpret.ts';
import { fenToYuan } from '../../../engine/values/index.ts';

export const CODE: Record<string, number> = { notFired: 0, fired: 1, undetermined: 2, suppressed: 3 };

export function codesOf(d: Decision, ir: PolicyIR): number[] {
  const code = new Map<string, number>([
    ...d.notFired.map((id) => [id, 0] as const),
    ...d.outcomes.map((o) => [o.ruleId, 1] as const),
    ...d.undetermined.map((u) => [u.ruleId, 2] as const),
    ...d.suppressed.map((x) => [x.ruleId, 3] as const),
  ]);
  return ir.rules.map((r) => code.get(r.id) ?? 9);
}

const pathKind = (p: string) => p.replace(/\[\d+\]/g, '[]');

function reasonKind(zh: string): string {
  if (zh === '除数为零') return 'division-by-zero';
  if (zh.startsWith('参数')) return 'no-parameter-value';
  if (zh.includes('没有符合条件的记录')) return 'empty-aggregate';
  if (zh.startsWith('例外规则')) return 'exception-undetermined';
  return `? ${zh}`;
}

/** A computed value from the SQL row as the decision would show it. */
function sqlComputed(kind: string, v: unknown, mask: unknown, bits: SideLayout['bits']): ComputedResult {
  if (v === null || v === undefined) return { type: 'undetermined', missingFacts: decodeMask(bits, BigInt(String(mask ?? 0))).missing };
  switch (kind) {
    case 'money':
      return { type: 'money', yuan: fenToYuan(Number(v)) };
    case 'percent':
      return { type: 'percent', value: cleanNumber(Number(v) * 100) };
    case 'integer':
    case 'number':
      return { type: kind, value: cleanNumber(Number(v)) };
    case 'date':
    case 'string':
      return { type: kind, value: String(v) };
    case 'boolean':
      return { type: 'boolean', value: Boolean(v) };
  }
  throw new Error(`kind ${kind}`);
}

/** Normalises an engine computed value for comparison (undetermined paths at field granularity; numbers whose static type the SQL reports). */
function engineComputed(c: ComputedResult): ComputedResult {
  if (c.type === 'undetermined') return { type: 'undetermined', missingFacts: [...new Set(c.missingFacts.map(pathKind))].sort() };
  return c;
}

/** Asserts that one SQL row (by column) says what the decision says. */
export function expectAgree(want: Decision, ir: PolicyIR, side: SideLayout, row: Record<string, unknown>, note: string): void {
  expect(want.status, note).toBe('ok');
  expect(row[side.valid], note).toBe(true);
  const codes = codesOf(want, ir);
  const got = side.rules.map((r) => Number(row[r.status]));
  expect(got, note).toEqual(codes);
  for (const u of want.undetermined) {
    const r = side.rules.find((x) => x.id === u.ruleId)!;
    const decoded = decodeMask(side.bits, BigInt(String(row[r.mask])));
    expect({ rule: u.ruleId, missing: decoded.missing }, note).toEqual({ rule: u.ruleId, missing: [...new Set(u.missingFacts.map(pathKind))].sort() });
    const kinds = [...new Set((u.reasons ?? []).map((x) => reasonKind(x.zh)))].sort();
    expect({ rule: u.ruleId, reasons: decoded.reasons.map((b) => (b.kind === 'reason' ? b.reason : '')).sort() }, note).toEqual({ rule: u.ruleId, reasons: kinds });
  }
  for (const o of want.outcomes) {
    const r = side.rules.find((x) => x.id === o.ruleId)!;
    for (const c of r.computed) {
      const w = engineComputed(o.computed[c.name]!.result);
      const g = sqlComputed(c.kind, row[c.column], row[c.mask], side.bits);
      // Integer-typed results the engine shows as 'integer' when whole: the SQL's static kind decides the same way.
      expect({ rule: o.ruleId, name: c.name, value: g }, note).toEqual({ rule: o.ruleId, name: c.name, value: w });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Random valid facts (missing facts and missing fields included)

type G = fc.GeneratorValue;
const int = (g: G, min: number, max: number) => g(fc.integer, { min, max });
const chance = (g: G, p: number) => int(g, 0, 999) < p * 1000;
const pick = <T>(g: G, xs: readonly T[]): T => xs[int(g, 0, xs.length - 1)]!;

export function dateText(g: G): string {
  return new Date(Date.UTC(2000, 0, 1) + int(g, -400, 12_400) * 86_400_000).toISOString().slice(0, 10);
}

function valueFor(g: G, d: FactDecl): unknown {
  if (chance(g, 0.12)) return null;
  const t = d.type;
  switch (t.kind) {
    case 'boolean':
      return chance(g, 0.5);
    case 'integer':
      return pick(g, [0, 1, 3, 30, 90, 100, 365, int(g, -10, 100_000)]);
    case 'number':
      return pick(g, [0, 0.5, 2.25, 0.1, 0.2, 0.3, int(g, -100, 9999) + pick(g, [0, 0.5, 0.1])]);
    case 'percent':
      return pick(g, [0, 3, 5, 50, 100, int(g, 0, 100) + pick(g, [0, 0.5, 0.25])]);
    case 'money': {
      const yuan = int(g, 0, 10_000_000) / pick(g, [1, 10, 100]);
      return chance(g, 0.3) ? yuan.toFixed(2) : yuan;
    }
    case 'date':
      return dateText(g);
    case 'string':
      return pick(g, ['', '甲', 'a"b', "it's", '款1']);
    case 'enum':
      return pick(g, t.values).value;
    case 'list':
      return Array.from({ length: int(g, 0, 4) }, () => {
        const rec: Record<string, unknown> = {};
        for (const f of t.fields) if (!chance(g, 0.12)) rec[f.name] = valueFor(g, f);
        return rec;
      });
  }
}

export function factsFor(g: G, ir: PolicyIR): Record<string, unknown> {
  const facts: Record<string, unknown> = {};
  for (const d of ir.facts) if (!chance(g, 0.15)) facts[d.name] = valueFor(g, d);
  return facts;
}
