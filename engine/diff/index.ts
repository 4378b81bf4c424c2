/**
 * Differences between two policy versions (or a draft and a version), as data the server returns
 * and the admin UI shows: semantic (what a reader of the regulation cares about: which rule's
 * condition, threshold, outcome or citation changed) and textual (a line diff of the sources).
 * Pure functions; no node imports, because the browser runs them too.
 */
import { diffLines } from 'diff';
import type { Definition, FactDecl, FactType, Literal, ParameterDecl, PolicyIR, RuleIR } from '../ir/types.ts';
import { printExpr } from '../ir/print.ts';
import { parseDurationValue } from '../ir/duration.ts';

export interface FieldChange {
  /** Dotted name of what changed, e.g. `effectiveUntil`, `type`, `outcome.severity`. */
  field: string;
  old?: unknown;
  new?: unknown;
}

export interface NamedChanges {
  name: string;
  changes: FieldChange[];
}

export interface ParameterValueChange {
  from: string;
  old?: unknown;
  new?: unknown;
  /** The values as an official reads them, with their unit: 5万元, 3%, 30天. */
  display?: { old?: { zh: string; en: string }; new?: { zh: string; en: string } };
  /** Citation changed while the value stayed. */
  citesChanged?: boolean;
}

export interface ParameterChange extends NamedChanges {
  values: ParameterValueChange[];
}

export interface RuleSummary {
  id: string;
  title: string;
  kind: string;
  citation: string;
}

export interface RuleChange {
  id: string;
  title: string;
  changes: FieldChange[];
}

export interface Section<TAdded, TChanged> {
  added: TAdded[];
  removed: TAdded[];
  changed: TChanged[];
}

export interface PolicyDiff {
  a: { id: string; version: string };
  b: { id: string; version: string };
  /** True when nothing below changed. */
  same: boolean;
  header: FieldChange[];
  facts: Section<{ name: string; label: string; type: string }, NamedChanges>;
  parameters: Section<{ name: string; label: string }, ParameterChange>;
  definitions: Section<{ name: string; expr: string }, NamedChanges>;
  rules: Section<RuleSummary, RuleChange>;
  disabled: { added: string[]; removed: string[] };
}

export interface TextDiffLine {
  op: ' ' | '+' | '-';
  /** 1-based line numbers in a and b (absent on the side the line is not in). */
  a?: number;
  b?: number;
  text: string;
}

export interface TextDiff {
  /**
   * The changed lines with `context` unchanged lines around each change (hunks); unchanged lines
   * further away are left out — the line numbers show the gaps — and counted in `unchanged`.
   */
  lines: TextDiffLine[];
  added: number;
  removed: number;
  /** Unchanged lines left out. */
  unchanged: number;
}

/** Stable JSON (sorted keys) so equal values compare equal whatever their key order. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
const same = (x: unknown, y: unknown) => stable(x) === stable(y);

function field(out: FieldChange[], name: string, a: unknown, b: unknown, show: (v: unknown) => unknown = (v) => v): void {
  if (!same(a, b)) out.push({ field: name, ...(a !== undefined ? { old: show(a) } : {}), ...(b !== undefined ? { new: show(b) } : {}) });
}

function byKey<T>(xs: readonly T[], key: (x: T) => string): Map<string, T> {
  return new Map(xs.map((x) => [key(x), x]));
}

function section<T, S, C>(
  as: readonly T[],
  bs: readonly T[],
  key: (x: T) => string,
  summary: (x: T) => S,
  compare: (a: T, b: T) => C | undefined,
): Section<S, C> {
  const ma = byKey(as, key);
  const mb = byKey(bs, key);
  const out: Section<S, C> = { added: [], removed: [], changed: [] };
  for (const [k, b] of mb) {
    const a = ma.get(k);
    if (!a) out.added.push(summary(b));
    else {
      const c = compare(a, b);
      if (c) out.changed.push(c);
    }
  }
  for (const [k, a] of ma) if (!mb.has(k)) out.removed.push(summary(a));
  return out;
}

export function describeFactType(t: FactType): string {
  switch (t.kind) {
    case 'enum':
      return `enum { ${t.values.map((v) => `${v.value} "${v.label}"`).join(', ')} }`;
    case 'list':
      return `list of { ${t.fields.map((f) => `${f.name}: ${describeFactType(f.type)}`).join('; ')} }`;
    default:
      return t.kind;
  }
}

function factChanges(a: FactDecl, b: FactDecl, prefix = ''): FieldChange[] {
  const out: FieldChange[] = [];
  field(out, `${prefix}label`, a.label, b.label);
  field(out, `${prefix}labelEn`, a.labelEn, b.labelEn);
  field(out, `${prefix}description`, a.description, b.description);
  if (a.type.kind !== b.type.kind) {
    out.push({ field: `${prefix}type`, old: describeFactType(a.type), new: describeFactType(b.type) });
  } else if (a.type.kind === 'enum' && b.type.kind === 'enum') {
    const av = byKey(a.type.values, (v) => v.value);
    const bv = byKey(b.type.values, (v) => v.value);
    for (const [k, v] of bv) {
      if (!av.has(k)) out.push({ field: `${prefix}enum.${k}`, new: v.label });
      else field(out, `${prefix}enum.${k}.label`, av.get(k)!.label, v.label);
    }
    for (const [k, v] of av) if (!bv.has(k)) out.push({ field: `${prefix}enum.${k}`, old: v.label });
  } else if (a.type.kind === 'list' && b.type.kind === 'list') {
    const af = byKey(a.type.fields, (f) => f.name);
    const bf = byKey(b.type.fields, (f) => f.name);
    for (const [k, f] of bf) {
      if (!af.has(k)) out.push({ field: `${prefix}fields.${k}`, new: describeFactType(f.type) });
      else out.push(...factChanges(af.get(k)!, f, `${prefix}fields.${k}.`));
    }
    for (const [k, f] of af) if (!bf.has(k)) out.push({ field: `${prefix}fields.${k}`, old: describeFactType(f.type) });
  }
  return out;
}

function parameterChange(a: ParameterDecl, b: ParameterDecl): ParameterChange | undefined {
  const changes: FieldChange[] = [];
  field(changes, 'label', a.label, b.label);
  field(changes, 'labelEn', a.labelEn, b.labelEn);
  field(changes, 'type', a.type.kind, b.type.kind);
  const av = byKey(a.values, (v) => v.from);
  const bv = byKey(b.values, (v) => v.from);
  const values: ParameterValueChange[] = [];
  const dates = [...new Set([...av.keys(), ...bv.keys()])].sort();
  for (const from of dates) {
    const x = av.get(from);
    const y = bv.get(from);
    const display = {
      ...(x ? { old: displayValue(a.type.kind, x.value) } : {}),
      ...(y ? { new: displayValue(b.type.kind, y.value) } : {}),
    };
    if (x && y && same(x.value, y.value)) {
      if (!same(x.cites, y.cites)) values.push({ from, old: x.value, new: y.value, citesChanged: true, display });
      continue;
    }
    values.push({ from, ...(x ? { old: x.value } : {}), ...(y ? { new: y.value } : {}), display });
  }
  return changes.length || values.length ? { name: a.name, changes, values } : undefined;
}

function exprText(e: unknown): string {
  try {
    return printExpr(e as never);
  } catch {
    return stable(e); // an expression the printer cannot print is still shown, as JSON
  }
}

function definitionChange(a: Definition, b: Definition): NamedChanges | undefined {
  const changes: FieldChange[] = [];
  field(changes, 'label', a.label, b.label);
  field(changes, 'expr', a.expr, b.expr, exprText);
  return changes.length ? { name: a.name, changes } : undefined;
}

const citationText = (r: RuleIR) => `${r.cites.source} ${r.cites.article}`;

function ruleChange(a: RuleIR, b: RuleIR): RuleChange | undefined {
  const changes: FieldChange[] = [];
  field(changes, 'title', a.title, b.title);
  field(changes, 'titleEn', a.titleEn, b.titleEn);
  field(changes, 'condition', a.when, b.when, exprText);
  field(changes, 'lets', a.lets, b.lets, (v) => (v as Definition[]).map((d) => `${d.name} = ${exprText(d.expr)}`));
  field(changes, 'outcome.kind', a.then.kind, b.then.kind);
  field(changes, 'outcome.severity', a.then.severity, b.then.severity);
  field(changes, 'outcome.message', a.then.message, b.then.message);
  field(changes, 'outcome.consequences', a.then.consequences, b.then.consequences);
  field(changes, 'outcome.computed', a.then.computed, b.then.computed, (v) =>
    (v as RuleIR['then']['computed']).map((c) => `${c.name} = ${exprText(c.expr)}`),
  );
  field(changes, 'citation', a.cites, b.cites);
  field(changes, 'exceptionTo', a.exceptionTo, b.exceptionTo);
  field(changes, 'overrides', a.overrides, b.overrides);
  return changes.length ? { id: b.id, title: b.title, changes } : undefined;
}

/** Semantic differences from `a` (old) to `b` (new). */
export function diffPolicies(a: PolicyIR, b: PolicyIR): PolicyDiff {
  const header: FieldChange[] = [];
  for (const k of ['id', 'title', 'titleEn', 'jurisdiction', 'version', 'effectiveFrom', 'effectiveUntil', 'extends', 'supersedes', 'sources'] as const) {
    field(header, k, a[k], b[k]);
  }
  const facts = section(
    a.facts,
    b.facts,
    (f) => f.name,
    (f) => ({ name: f.name, label: f.label, type: describeFactType(f.type) }),
    (x, y) => {
      const changes = factChanges(x, y);
      return changes.length ? { name: x.name, changes } : undefined;
    },
  );
  const parameters = section(a.parameters, b.parameters, (p) => p.name, (p) => ({ name: p.name, label: p.label }), parameterChange);
  const definitions = section(a.definitions, b.definitions, (d) => d.name, (d) => ({ name: d.name, expr: exprText(d.expr) }), definitionChange);
  const rules = section(
    a.rules,
    b.rules,
    (r) => r.id,
    (r) => ({ id: r.id, title: r.title, kind: r.then.kind, citation: citationText(r) }),
    ruleChange,
  );
  const da = new Set((a.disabled ?? []).map((d) => d.rule));
  const db = new Set((b.disabled ?? []).map((d) => d.rule));
  const disabled = { added: [...db].filter((r) => !da.has(r)), removed: [...da].filter((r) => !db.has(r)) };
  const empty = (s: Section<unknown, unknown>) => !s.added.length && !s.removed.length && !s.changed.length;
  return {
    a: { id: a.id, version: a.version },
    b: { id: b.id, version: b.version },
    same:
      header.length === 0 &&
      [facts, parameters, definitions, rules].every(empty) &&
      !disabled.added.length &&
      !disabled.removed.length,
    header,
    facts,
    parameters,
    definitions,
    rules,
    disabled,
  };
}

/** Line diff of two texts, each line numbered on its side: the hunks, with `context` lines around each change. */
export function textDiff(a: string, b: string, context = 3): TextDiff {
  const lines: TextDiffLine[] = [];
  let na = 0;
  let nb = 0;
  let added = 0;
  let removed = 0;
  for (const part of diffLines(a, b)) {
    const texts = part.value.replace(/\n$/, '').split('\n');
    for (const text of texts) {
      if (part.added) (lines.push({ op: '+', b: ++nb, text }), added++);
      else if (part.removed) (lines.push({ op: '-', a: ++na, text }), removed++);
      else lines.push({ op: ' ', a: ++na, b: ++nb, text });
    }
  }
  // Keep a line when a change is within `context` lines of it.
  const keep = new Uint8Array(lines.length);
  lines.forEach((l, i) => {
    if (l.op !== ' ') for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) keep[k] = 1;
  });
  const hunks = context === Infinity ? lines : lines.filter((_, i) => keep[i] === 1);
  return { lines: hunks, added, removed, unchanged: lines.length - hunks.length };
}

/** A parameter value with its unit, in Chinese and English (money in 万元 when it is whole 万). */
export function displayValue(kind: ParameterDecl['type']['kind'], v: unknown): { zh: string; en: string } {
  if (typeof v === 'number' && kind === 'money') {
    const en = `CNY ${v.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;
    if (v !== 0 && v % 10000 === 0) return { zh: `${v / 10000}万元`, en };
    return { zh: `${v.toLocaleString('zh-CN', { maximumFractionDigits: 2 })}元`, en };
  }
  if (typeof v === 'number' && kind === 'percent') return { zh: `${v}%`, en: `${v}%` };
  if (typeof v === 'boolean') return { zh: v ? '是' : '否', en: v ? 'yes' : 'no' };
  const d = kind === 'duration' ? parseDurationValue(v as Literal) : undefined;
  if (d) {
    const zh = { days: '天', workdays: '个工作日', months: '个月', years: '年' }[d.unit];
    const en = { days: 'days', workdays: 'working days', months: 'months', years: 'years' }[d.unit];
    return { zh: `${d.amount}${zh}`, en: `${d.amount} ${en}` };
  }
  return { zh: String(v), en: String(v) };
}
