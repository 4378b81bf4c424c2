/**
 * IR → surface AST, so the DSL formatter and the YAML writer can print any IR (stored policies,
 * policies edited in the UI, random ones in tests). Resolved names go back to plain `name` nodes;
 * this is the inverse of lowering for IR that lowering produced (the round-trip tests hold it).
 */
import type { CitationAst, DefinitionAst, ExprAst, FactDeclAst, PolicyAst, TypeAst } from '../../dsl/ast.ts';
import type { Citation, Definition, Expr, FactDecl, FactType, Literal, ParameterDecl, PolicyIR } from './types.ts';
import { parseDurationValue } from './duration.ts';

function clean<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

export function irToAst(ir: PolicyIR): PolicyAst {
  return clean({
    id: ir.id,
    title: ir.title,
    titleEn: ir.titleEn,
    jurisdiction: ir.jurisdiction,
    version: ir.version,
    effectiveFrom: ir.effectiveFrom,
    effectiveUntil: ir.effectiveUntil,
    extends: ir.extends ? clean({ policy: ir.extends.policy, version: ir.extends.version }) : undefined,
    supersedes: (ir.supersedes ?? []).map((s) => clean({ policy: s.policy, version: s.version })),
    sources: ir.sources.map((s) => clean({ key: s.key, title: s.title, number: s.number })),
    facts: ir.facts.map(factToAst),
    parameters: ir.parameters.map(parameterToAst),
    definitions: ir.definitions.map(definitionToAst),
    rules: ir.rules.map((r) =>
      clean({
        id: r.id,
        title: r.title,
        titleEn: r.titleEn,
        cites: citationToAst(r.cites),
        lets: r.lets.map(definitionToAst),
        when: exprToAst(r.when),
        then: clean({
          kind: r.then.kind,
          severity: r.then.severity,
          message: clean({ zh: r.then.message.zh, en: r.then.message.en }),
          consequences: [...r.then.consequences],
          computed: r.then.computed.map(definitionToAst),
        }),
        exceptionTo: r.exceptionTo,
        overrides: r.overrides ? true : undefined,
      }),
    ),
    disabled: (ir.disabled ?? []).map((d) => ({ rule: d.rule, reason: d.reason })),
    complete: ir.complete?.length ? ir.complete.map((c) => ({ rules: [...c.rules], reason: c.reason })) : undefined,
  });
}

function citationToAst(c: Citation): CitationAst {
  return clean({ source: c.source, article: c.article, quote: c.quote });
}

function factToAst(f: FactDecl): FactDeclAst {
  return clean({ name: f.name, label: f.label, labelEn: f.labelEn, type: typeToAst(f.type), description: f.description, personal: f.personal, subject: f.subject });
}

function typeToAst(t: FactType): TypeAst {
  switch (t.kind) {
    case 'enum':
      return { kind: 'enum', values: t.values.map((v) => clean({ value: v.value, label: v.label, labelEn: v.labelEn })) };
    case 'list':
      return { kind: 'list', fields: t.fields.map(factToAst) };
    default:
      return { kind: t.kind };
  }
}

function definitionToAst(d: Definition): DefinitionAst {
  return clean({ name: d.name, label: d.label, labelEn: d.labelEn, expr: exprToAst(d.expr) });
}

function parameterToAst(p: ParameterDecl): ParameterAst {
  return clean({
    name: p.name,
    label: p.label,
    labelEn: p.labelEn,
    type: { kind: p.type.kind },
    values: p.values.map((v) => clean({ from: v.from, value: literalToAst(v.value, p.type.kind), cites: v.cites ? citationToAst(v.cites) : undefined })),
  });
}
type ParameterAst = PolicyAst['parameters'][number];

/** A parameter value as the literal its type is written with (3 for a percent parameter is `3%`). */
export function literalToAst(v: Literal, kind: ParameterDecl['type']['kind']): ExprAst {
  if (kind === 'duration') {
    const d = parseDurationValue(v);
    if (d) return { type: 'duration', amount: d.amount, unit: d.unit };
  }
  if (typeof v === 'boolean') return { type: 'boolean', value: v };
  if (typeof v === 'string') return kind === 'date' ? { type: 'date', value: v } : { type: 'string', value: v };
  const lit = (x: number): ExprAst =>
    kind === 'money'
      ? { type: 'money', yuan: x }
      : kind === 'percent'
        ? { type: 'percent', value: x }
        : Number.isInteger(x)
          ? { type: 'number', value: x, integer: true }
          : { type: 'number', value: x };
  return v < 0 ? { type: 'neg', arg: lit(-v) } : lit(v);
}

export function exprToAst(e: Expr): ExprAst {
  switch (e.type) {
    case 'boolean':
    case 'percent':
    case 'date':
    case 'string':
      return { type: e.type, value: e.value } as ExprAst;
    case 'number': {
      // Negative literals are written with a minus sign, which reads back as negation.
      const lit: ExprAst = e.integer ? { type: 'number', value: Math.abs(e.value), integer: true } : { type: 'number', value: Math.abs(e.value) };
      return e.value < 0 || Object.is(e.value, -0) ? { type: 'neg', arg: lit } : lit;
    }
    case 'money':
      return e.yuan < 0 ? { type: 'neg', arg: { type: 'money', yuan: -e.yuan } } : { type: 'money', yuan: e.yuan };
    case 'duration':
      return { type: 'duration', amount: e.amount, unit: e.unit };
    case 'fact':
    case 'field':
    case 'param':
    case 'ref':
      return { type: 'name', name: e.name };
    case 'asOf':
      return { type: 'asOf' };
    case 'not':
    case 'neg':
      return { type: e.type, arg: exprToAst(e.arg) };
    case 'and':
    case 'or':
      return { type: e.type, args: e.args.map(exprToAst) };
    case 'compare':
    case 'arith':
      return { type: e.type, op: e.op, left: exprToAst(e.left), right: exprToAst(e.right) } as ExprAst;
    case 'in':
      return clean({ type: 'in' as const, value: exprToAst(e.value), options: e.options.map(exprToAst), negated: e.negated ? true : undefined });
    case 'between':
      return {
        type: 'between',
        value: exprToAst(e.value),
        low: exprToAst(e.low),
        high: exprToAst(e.high),
        lowInclusive: e.lowInclusive,
        highInclusive: e.highInclusive,
      };
    case 'if':
      return { type: 'if', cond: exprToAst(e.cond), then: exprToAst(e.then), else: exprToAst(e.else) };
    case 'call':
      return { type: 'call', fn: e.fn, args: e.args.map(exprToAst) };
    case 'aggregate': {
      const args: ExprAst[] = [{ type: 'name', name: e.list }];
      if (e.value) args.push(exprToAst(e.value));
      return clean({ type: 'call' as const, fn: e.fn, args, where: e.where ? exprToAst(e.where) : undefined });
    }
  }
}
