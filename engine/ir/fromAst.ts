/**
 * Lowering: surface AST (dsl/ast.ts) → IR (types.ts). Resolves names, maps calls to functions or
 * aggregates, checks the policy's semantics and types, and reports every problem as a diagnostic
 * with the AST range. The IR holds only this policy's own declarations; a base it extends is
 * consulted for names, sources and rule ids but not copied (merging is the library's job).
 */
import type { Diagnostic, Range, Result } from '../../dsl/diagnostics.ts';
import { hasErrors } from '../../dsl/diagnostics.ts';
import type { CitationAst, DefinitionAst, ExprAst, FactDeclAst, PolicyAst, RuleAst, TypeAst } from '../../dsl/ast.ts';
import { desugarTables } from './tables.ts';
import type {
  AggregateFn,
  Citation,
  ComputedValue,
  Definition,
  DisabledRule,
  CompleteDecl,
  Expr,
  FactDecl,
  FactType,
  FunctionName,
  Literal,
  OutcomeKind,
  ParameterDecl,
  ParameterValue,
  PolicyIR,
  PolicyRef,
  RuleIR,
  RuleProvenance,
  Severity,
  SourceDocument,
  ValueType,
} from './types.ts';
import { IR_VERSION } from './types.ts';
import { diag } from './messages.ts';
import { checkExpr, type TypeEnv, type TypeReporter } from './typecheck.ts';
import { durationValueText } from './duration.ts';

export interface LowerOptions {
  /** Finds the IR of a base policy named by `extends` (and, transitively, its own base). */
  resolveBase?: (ref: PolicyRef) => PolicyIR | undefined;
  /** File name put on diagnostic ranges that lack one. */
  file?: string;
}

export const OUTCOME_KINDS: readonly OutcomeKind[] = ['violation', 'accountability', 'eligible', 'ineligible', 'notice', 'commendation', 'computation'];
export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];
export const FUNCTIONS: readonly FunctionName[] = ['min', 'max', 'abs', 'round', 'daysBetween', 'workdaysBetween', 'monthsBetween', 'yearsBetween', 'known'];
export const AGGREGATES: readonly AggregateFn[] = ['count', 'sum', 'min', 'max', 'avg', 'ratio', 'any', 'all'];

// The parser maps Chinese spellings already; the YAML form or hand-built ASTs may still carry them.
const KIND_ALIASES: Record<string, OutcomeKind> = {
  违规: 'violation',
  问责: 'accountability',
  符合: 'eligible',
  不符合: 'ineligible',
  提示事项: 'notice',
  表彰: 'commendation',
  计算结果: 'computation',
};
const SEVERITY_ALIASES: Record<string, Severity> = { 提示级: 'info', 轻微: 'low', 一般: 'medium', 较重: 'high', 严重: 'critical' };
const FN_ALIASES: Record<string, string> = {
  计数: 'count',
  合计: 'sum',
  比例: 'ratio',
  任一: 'any',
  全部: 'all',
  最小: 'min',
  最大: 'max',
  平均: 'avg',
  天数: 'daysBetween',
  工作日数: 'workdaysBetween',
  月数: 'monthsBetween',
  周岁: 'yearsBetween',
  已知: 'known',
  取整: 'round',
  绝对值: 'abs',
};
/** Name of the placeholder standing for an erroneous call; never a valid identifier. */
const ERROR_REF = '\u0000error';

/** Always aggregates over a list; min/max are aggregates only when their first argument is a list. */
const LIST_ONLY = new Set(['count', 'sum', 'avg', 'ratio', 'any', 'all']);

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[y.length]!;
}

/** The closest candidate, if close enough to be a plausible typo. */
export function nearest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const limit = Math.max(1, Math.ceil([...name].length / 2));
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestD || (d === bestD && best !== undefined && c < best)) {
      best = c;
      bestD = d;
    }
  }
  return bestD <= limit ? best : undefined;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
export function isValidDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

function hasMoreThanTwoDecimals(yuan: number): boolean {
  const fen = yuan * 100;
  return Math.abs(fen - Math.round(fen)) > 1e-6 * Math.max(1, Math.abs(fen));
}

/** Drop keys whose value is undefined, so IR JSON is canonical (and hashes the same). */
function clean<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

interface Scope {
  /** Innermost aggregate's list name and record fields. */
  record?: { list: string; fields: Map<string, FactDeclAst | FactDecl> };
  /** Names of the current rule's lets. */
  lets?: Set<string>;
}

export function lowerPolicy(ast: PolicyAst, opts: LowerOptions = {}): Result<PolicyIR> {
  // Tables and scorecards become plain rules and definitions first (tables.ts).
  const sugar = desugarTables(ast);
  return new Lowering(sugar.ast, opts, sugar.from, sugar.diagnostics).run();
}

class Lowering {
  private readonly diagnostics: Diagnostic[] = [];
  /** Range of each lowered expression node, for type errors found on the IR. */
  private readonly locs = new WeakMap<Expr, Range>();
  private baseChain: PolicyIR[] = []; // nearest base first
  private baseUnreachable = false;
  /** The subject fact seen so far (this policy's or its base's): a second one is refused. */
  private subjectFact: { name: string; inBase?: boolean } | undefined;

  // Everything names resolve against: this policy's own declarations over the base chain's.
  private readonly facts = new Map<string, FactDecl>();
  private readonly params = new Map<string, ParameterDecl>();
  private readonly defs = new Map<string, Expr>();
  private readonly sourceKeys = new Set<string>();
  private readonly baseRuleIds = new Set<string>();

  constructor(
    private readonly ast: PolicyAst,
    private readonly opts: LowerOptions,
    /** Table provenance of desugared rules. */
    private readonly from: ReadonlyMap<RuleAst, RuleProvenance> = new Map(),
    /** What desugaring tables found; reported with the rest. */
    private readonly tableDiagnostics: Diagnostic[] = [],
  ) {}

  private range(loc: Range | undefined): Range | undefined {
    if (!loc) return undefined;
    return loc.file || !this.opts.file ? loc : { ...loc, file: this.opts.file };
  }

  private report(d: Diagnostic): void {
    if (d.range && !d.range.file && this.opts.file) d.range = { ...d.range, file: this.opts.file };
    this.diagnostics.push(d);
  }

  run(): Result<PolicyIR> {
    const a = this.ast;
    for (const d of this.tableDiagnostics) this.report(d);
    this.checkDate(a.effectiveFrom, a.loc);
    if (a.effectiveUntil !== undefined) {
      this.checkDate(a.effectiveUntil, a.loc);
      if (a.effectiveUntil < a.effectiveFrom) this.report(diag('ir.bad-period', { from: a.effectiveFrom, until: a.effectiveUntil }, this.range(a.loc)));
    }
    this.loadBase();

    const sources = this.lowerSources();
    const facts = this.lowerFacts();
    const parameters = this.lowerParameters();
    for (const d of a.definitions) this.warnShadow(d.name, { zh: '定义', en: 'Definition' }, d.loc, ['fact', 'param']);
    // Definitions are registered before any expression is lowered: they may be used in any order.
    for (const d of a.definitions) this.defs.set(d.name, { type: 'boolean', value: false });
    const definitions = this.lowerDefinitions();
    const rules = this.lowerRules();
    const disabled = this.lowerDisabled();
    const complete = this.lowerComplete(rules);

    this.checkDefinitionCycles(definitions);
    this.typecheckPolicy(definitions, rules);

    const ir: PolicyIR = clean({
      irVersion: IR_VERSION,
      id: a.id,
      title: a.title,
      titleEn: a.titleEn,
      jurisdiction: a.jurisdiction,
      version: a.version,
      effectiveFrom: a.effectiveFrom,
      effectiveUntil: a.effectiveUntil,
      extends: a.extends ? clean({ policy: a.extends.policy, version: a.extends.version }) : undefined,
      supersedes: a.supersedes.length ? a.supersedes.map((s) => clean({ policy: s.policy, version: s.version })) : undefined,
      sources,
      facts,
      parameters,
      definitions,
      rules,
      disabled: disabled.length ? disabled : undefined,
      complete: complete.length ? complete : undefined,
    });
    // Checks run in passes (declarations, then types); readers want them in file order.
    // A table's column appears in every row's condition: report each problem with it once.
    const seen = new Set<string>();
    const unique = this.diagnostics.filter((d) => {
      const key = `${d.code}|${d.range?.start.offset}|${d.range?.end.offset}|${d.message.en}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const diagnostics = [...unique].sort((x, y) => (x.range?.start.offset ?? -1) - (y.range?.start.offset ?? -1));
    return hasErrors(diagnostics) ? { diagnostics } : { value: ir, diagnostics };
  }

  // -------------------------------------------------------------------------------------------
  // Header, base, declarations

  /** Warn when a new name hides one of another kind: every later use then means the new one. */
  private warnShadow(name: string, what: { zh: string; en: string }, loc: Range | undefined, kinds: ('fact' | 'param' | 'def')[]): void {
    const hides =
      kinds.includes('def') && this.defs.has(name)
        ? { zh: '定义', en: 'definition' }
        : kinds.includes('param') && this.params.has(name)
          ? { zh: '参数', en: 'parameter' }
          : kinds.includes('fact') && this.facts.has(name)
            ? { zh: '事实', en: 'fact' }
            : undefined;
    if (hides) this.report(diag('ir.shadowed-name', { name, what, hides }, this.range(loc), 'warning'));
  }

  private checkDate(value: string, loc: Range | undefined): boolean {
    if (isValidDate(value)) return true;
    this.report(diag('ir.bad-date', { value }, this.range(loc)));
    return false;
  }

  private loadBase(): void {
    const ext = this.ast.extends;
    if (!ext) return;
    const seen = new Set<string>([this.ast.id]);
    let ref: PolicyRef | undefined = clean({ policy: ext.policy, version: ext.version });
    while (ref) {
      const base: PolicyIR | undefined = seen.has(ref.policy) ? undefined : this.opts.resolveBase?.(ref);
      if (!base) {
        this.baseUnreachable = true;
        this.report(diag('ir.unreachable-extends', { ref: ref.version ? `${ref.policy}@${ref.version}` : ref.policy }, this.range(ext.loc ?? this.ast.loc)));
        break;
      }
      seen.add(base.id);
      this.baseChain.push(base);
      ref = base.extends;
    }
    // Farthest base first, so nearer bases (and then this policy) hide its declarations.
    for (const b of [...this.baseChain].reverse()) {
      for (const f of b.facts) {
        this.facts.set(f.name, f);
        if (f.subject) this.subjectFact = { name: f.name, inBase: true };
      }
      for (const p of b.parameters) this.params.set(p.name, p);
      for (const d of b.definitions) this.defs.set(d.name, d.expr);
      for (const s of b.sources) this.sourceKeys.add(s.key);
      for (const r of b.rules) this.baseRuleIds.add(r.id);
      for (const d of b.disabled ?? []) this.baseRuleIds.delete(d.rule);
    }
  }

  private lowerSources(): SourceDocument[] {
    const own = new Set<string>();
    return this.ast.sources.map((s) => {
      if (own.has(s.key)) this.report(diag('ir.duplicate-name', { name: s.key, what: { zh: '来源文件', en: 'Source document' } }, this.range(s.loc)));
      own.add(s.key);
      this.sourceKeys.add(s.key);
      return clean({ key: s.key, title: s.title, number: s.number });
    });
  }

  private lowerFacts(): FactDecl[] {
    const own = new Set<string>();
    const out: FactDecl[] = [];
    for (const f of this.ast.facts) {
      if (own.has(f.name)) this.report(diag('ir.duplicate-fact', { name: f.name }, this.range(f.loc)));
      else if (this.facts.has(f.name)) this.report(diag('ir.duplicate-fact', { name: f.name, inBase: true }, this.range(f.loc)));
      own.add(f.name);
      const decl = this.lowerFactDecl(f);
      this.facts.set(f.name, decl);
      out.push(decl);
    }
    return out;
  }

  private lowerFactDecl(f: FactDeclAst, inList = false): FactDecl {
    // JSON Schema validators (ajv among them) skip a property named __proto__, so facts under
    // that name could never be checked.
    if (f.name === '__proto__') this.report(diag('ir.reserved-name', { name: f.name }, this.range(f.loc)));
    const type = this.lowerFactType(f.type);
    if (f.subject) {
      if (inList) this.report(diag('ir.subject-type', { name: f.name, kind: type.kind, inList: true }, this.range(f.loc)));
      else if (type.kind !== 'string' && type.kind !== 'integer') this.report(diag('ir.subject-type', { name: f.name, kind: type.kind }, this.range(f.loc)));
      else if (this.subjectFact && this.subjectFact.name !== f.name) {
        this.report(diag('ir.duplicate-subject', { name: f.name, other: this.subjectFact.name, ...(this.subjectFact.inBase ? { inBase: true } : {}) }, this.range(f.loc)));
      } else this.subjectFact = { name: f.name };
    }
    return clean({
      name: f.name,
      label: f.label,
      labelEn: f.labelEn,
      type,
      description: f.description,
      personal: f.personal ? (true as const) : undefined,
      subject: f.subject ? (true as const) : undefined,
    });
  }

  private lowerFactType(t: TypeAst): FactType {
    if (t.kind === 'enum') {
      const seen = new Set<string>();
      for (const v of t.values) {
        if (seen.has(v.value)) this.report(diag('ir.duplicate-name', { name: v.value, what: { zh: '枚举取值', en: 'Enum value' } }, this.range(v.loc ?? t.loc)));
        seen.add(v.value);
      }
      return { kind: 'enum', values: t.values.map((v) => clean({ value: v.value, label: v.label, labelEn: v.labelEn })) };
    }
    if (t.kind === 'list') {
      const seen = new Set<string>();
      for (const f of t.fields) {
        if (seen.has(f.name)) this.report(diag('ir.duplicate-name', { name: f.name, what: { zh: '列表字段', en: 'List field' } }, this.range(f.loc)));
        seen.add(f.name);
      }
      return { kind: 'list', fields: t.fields.map((f) => this.lowerFactDecl(f, true)) };
    }
    if (t.kind === 'duration') {
      // Facts arrive as JSON, where a duration has no agreed form; a day count is an integer.
      this.report(diag('ir.duration-fact', {}, this.range(t.loc)));
      return { kind: 'integer' };
    }
    return { kind: t.kind };
  }

  private lowerCitation(c: CitationAst): Citation {
    if (!this.sourceKeys.has(c.source) && !this.baseUnreachable) {
      this.report(diag('ir.unknown-source', { key: c.source, declared: [...this.sourceKeys] }, this.range(c.loc)));
    }
    return clean({ source: c.source, article: c.article, quote: c.quote });
  }

  private lowerParameters(): ParameterDecl[] {
    const own = new Set<string>();
    const out: ParameterDecl[] = [];
    for (const p of this.ast.parameters) {
      if (own.has(p.name)) this.report(diag('ir.duplicate-name', { name: p.name, what: { zh: '参数', en: 'Parameter' } }, this.range(p.loc)));
      own.add(p.name);
      this.warnShadow(p.name, { zh: '参数', en: 'Parameter' }, p.loc, ['fact']);
      let kind: ParameterDecl['type']['kind'] = 'number';
      if (p.type.kind === 'enum' || p.type.kind === 'list') {
        this.report(diag('ir.bad-parameter-type', { name: p.name, kind: p.type.kind }, this.range(p.type.loc ?? p.loc)));
      } else kind = p.type.kind;
      const values: ParameterValue[] = [];
      let prev: string | undefined;
      for (const v of p.values) {
        const at = this.range(v.loc ?? p.loc);
        if (this.checkDate(v.from, at)) {
          if (prev !== undefined && v.from <= prev) this.report(diag('ir.parameter-dates', { name: p.name, from: v.from }, at));
          else if (v.from < this.ast.effectiveFrom) {
            // A value before the policy starts is never read; likely a typo, but harmless.
            this.report(diag('ir.parameter-dates', { name: p.name, from: v.from, before: this.ast.effectiveFrom }, at, 'warning'));
          }
          prev = v.from;
        }
        const value = this.parameterLiteral(p.name, kind, v.value, at);
        // After an error the value is a placeholder of the right form, so the IR stays schema-valid.
        const placeholder = kind === 'duration' ? durationValueText(0, 'days') : 0;
        values.push(clean({ from: v.from, value: value ?? placeholder, cites: v.cites ? this.lowerCitation(v.cites) : undefined }));
      }
      const decl: ParameterDecl = clean({ name: p.name, label: p.label, labelEn: p.labelEn, type: { kind }, values });
      this.params.set(p.name, decl);
      out.push(decl);
    }
    return out;
  }

  private parameterLiteral(name: string, kind: ParameterDecl['type']['kind'], e: ExprAst, at: Range | undefined): Literal | undefined {
    if (kind === 'duration') return this.durationLiteral(name, e, at);
    const where = this.range(e.loc) ?? at;
    let sign = 1;
    let x = e;
    if (x.type === 'neg') {
      sign = -1;
      x = x.arg;
    }
    const bad = (): undefined => {
      this.report(diag('ir.bad-parameter-value', { name, kind }, where));
      return undefined;
    };
    const numericOnly = sign === 1 || kind === 'integer' || kind === 'number' || kind === 'money' || kind === 'percent';
    if (!numericOnly) return bad();
    switch (kind) {
      case 'boolean':
        return x.type === 'boolean' ? x.value : bad();
      case 'string':
        return x.type === 'string' ? x.value : bad();
      case 'date':
        if (x.type !== 'date') return bad();
        this.checkDate(x.value, where);
        return x.value;
      case 'integer':
        return x.type === 'number' && Number.isInteger(x.value) ? sign * x.value : bad();
      case 'number':
        return x.type === 'number' ? sign * x.value : bad();
      case 'percent':
        return x.type === 'percent' ? sign * x.value : bad();
      case 'money':
        if (x.type !== 'money') return bad();
        if (hasMoreThanTwoDecimals(x.yuan)) this.report(diag('ir.money-precision', { yuan: x.yuan }, where));
        return sign * x.yuan;
    }
  }

  /** A duration parameter's value: a whole, non-negative duration literal, stored as "30 days". */
  private durationLiteral(name: string, e: ExprAst, at: Range | undefined): Literal | undefined {
    if (e.type !== 'duration' || e.amount < 0 || !Number.isInteger(e.amount)) {
      this.report(diag('ir.bad-parameter-value', { name, kind: 'duration' }, this.range(e.loc) ?? at));
      return undefined;
    }
    return durationValueText(e.amount, e.unit);
  }

  private lowerDefinitions(): Definition[] {
    const own = new Set<string>();
    const out: Definition[] = [];
    for (const d of this.ast.definitions) {
      if (own.has(d.name)) this.report(diag('ir.duplicate-name', { name: d.name, what: { zh: '定义', en: 'Definition' } }, this.range(d.loc)));
      own.add(d.name);
      const def = this.lowerDefinition(d, {});
      this.defs.set(d.name, def.expr);
      out.push(def);
    }
    return out;
  }

  private lowerDefinition(d: DefinitionAst, scope: Scope): Definition {
    return clean({ name: d.name, label: d.label, labelEn: d.labelEn, expr: this.lowerExpr(d.expr, scope, d.loc) });
  }

  private lowerRules(): RuleIR[] {
    const ids = new Set<string>();
    const ownIds = new Set(this.ast.rules.map((r) => r.id));
    const allIds = [...new Set([...this.baseRuleIds, ...ownIds])];
    const out: RuleIR[] = [];
    for (const r of this.ast.rules) {
      const at = this.range(r.loc);
      if (ids.has(r.id)) this.report(diag('ir.duplicate-rule', { id: r.id }, at));
      ids.add(r.id);
      if (!this.baseUnreachable) {
        if (this.baseRuleIds.has(r.id) && !r.overrides) this.report(diag('ir.override-needs-keyword', { id: r.id }, at));
        if (r.overrides && !this.baseRuleIds.has(r.id)) this.report(diag('ir.unknown-base-rule', { rule: r.id, how: 'overrides', rules: [...this.baseRuleIds] }, at));
        if (r.exceptionTo !== undefined && !this.baseRuleIds.has(r.exceptionTo) && !ownIds.has(r.exceptionTo)) {
          this.report(diag('ir.unknown-base-rule', { rule: r.exceptionTo, how: 'exception', rules: allIds }, at));
        }
      }
      let cites: Citation = { source: '', article: '' };
      if (!r.cites) this.report(diag('ir.missing-citation', { id: r.id }, at));
      else cites = this.lowerCitation(r.cites);

      const letNames = new Set<string>();
      const lets: Definition[] = [];
      for (const l of r.lets) {
        if (letNames.has(l.name)) this.report(diag('ir.duplicate-name', { name: l.name, what: { zh: '局部定义', en: 'Rule let' } }, this.range(l.loc)));
        else this.warnShadow(l.name, { zh: '局部定义', en: 'Rule let' }, l.loc, ['fact', 'param', 'def']);
        letNames.add(l.name);
      }
      const scope: Scope = { lets: letNames };
      for (const l of r.lets) {
        const def = this.lowerDefinition(l, scope);
        this.loweredLets.set(l, def.expr);
        lets.push(def);
      }
      const when = this.lowerExpr(r.when, scope, r.loc);

      const o = r.then;
      const kind = this.outcomeKind(o.kind, o.loc ?? r.loc);
      const severity = o.severity === undefined ? undefined : this.severity(o.severity, o.loc ?? r.loc);
      const compNames = new Set<string>();
      const computed: ComputedValue[] = o.computed.map((c) => {
        if (compNames.has(c.name)) this.report(diag('ir.duplicate-name', { name: c.name, what: { zh: '计算项', en: 'Computed value' } }, this.range(c.loc)));
        compNames.add(c.name);
        return this.lowerDefinition(c, scope);
      });
      out.push(
        clean({
          id: r.id,
          title: r.title,
          titleEn: r.titleEn,
          cites,
          lets,
          when,
          then: clean({ kind, severity, message: clean({ zh: o.message.zh, en: o.message.en }), consequences: [...o.consequences], computed }),
          exceptionTo: r.exceptionTo,
          overrides: r.overrides ? true : undefined,
          from: this.from.get(r),
        }),
      );
    }
    return out;
  }

  private outcomeKind(k: string, loc: Range | undefined): OutcomeKind {
    if ((OUTCOME_KINDS as readonly string[]).includes(k)) return k as OutcomeKind;
    if (KIND_ALIASES[k]) return KIND_ALIASES[k];
    this.report(diag('ir.unknown-outcome-kind', { kind: k, suggestion: nearest(k, [...OUTCOME_KINDS, ...Object.keys(KIND_ALIASES)]) }, this.range(loc)));
    return 'notice';
  }

  private severity(s: string, loc: Range | undefined): Severity {
    if ((SEVERITIES as readonly string[]).includes(s)) return s as Severity;
    if (SEVERITY_ALIASES[s]) return SEVERITY_ALIASES[s];
    this.report(diag('ir.unknown-severity', { severity: s, suggestion: nearest(s, [...SEVERITIES, ...Object.keys(SEVERITY_ALIASES)]) }, this.range(loc)));
    return 'info';
  }

  /** Each rule named complete must be decided here: this policy's or its base's. */
  private lowerComplete(rules: readonly RuleIR[]): CompleteDecl[] {
    const known = new Set([...rules.map((r) => r.id), ...this.baseRuleIds]);
    return (this.ast.complete ?? []).map((c) => {
      for (const id of c.rules) {
        if (!known.has(id) && !this.baseUnreachable) this.report(diag('ir.complete-unknown-rule', { rule: id, rules: [...known] }, this.range(c.loc)));
      }
      return { rules: [...c.rules], reason: c.reason };
    });
  }

  private lowerDisabled(): DisabledRule[] {
    return this.ast.disabled.map((d) => {
      if (!this.baseUnreachable && !this.baseRuleIds.has(d.rule)) {
        this.report(diag('ir.unknown-base-rule', { rule: d.rule, how: 'disable', rules: [...this.baseRuleIds] }, this.range(d.loc)));
      }
      return { rule: d.rule, reason: d.reason };
    });
  }

  // -------------------------------------------------------------------------------------------
  // Expressions

  private note<E extends Expr>(e: E, loc: Range | undefined): E {
    const r = this.range(loc);
    if (r) this.locs.set(e, r);
    return e;
  }

  private resolveName(name: string, scope: Scope, loc: Range | undefined): Expr {
    if (scope.record?.fields.has(name)) return { type: 'field', name };
    if (scope.lets?.has(name)) return { type: 'ref', name };
    if (this.defs.has(name)) return { type: 'ref', name };
    if (this.params.has(name)) return { type: 'param', name };
    if (this.facts.has(name)) return { type: 'fact', name };
    // With the base missing, the name may well be the base's: checking it would only add noise.
    if (!this.baseUnreachable) {
      const candidates = [
        ...(scope.record ? scope.record.fields.keys() : []),
        ...(scope.lets ?? []),
        ...this.defs.keys(),
        ...this.params.keys(),
        ...this.facts.keys(),
      ];
      this.report(diag('ir.unknown-name', { name, suggestion: nearest(name, candidates), inAggregate: !!scope.record }, this.range(loc)));
    }
    return { type: 'ref', name };
  }

  private lowerExpr(e: ExprAst, scope: Scope, parentLoc: Range | undefined): Expr {
    const loc = e.loc ?? parentLoc;
    const sub = (x: ExprAst, s: Scope = scope): Expr => this.lowerExpr(x, s, loc);
    switch (e.type) {
      case 'boolean':
        return this.note({ type: 'boolean', value: e.value }, loc);
      case 'number':
        // Integer-ness is a property of the value, whatever the reader recorded.
        return this.note(Number.isInteger(e.value) ? { type: 'number', value: e.value, integer: true } : { type: 'number', value: e.value }, loc);
      case 'money':
        if (hasMoreThanTwoDecimals(e.yuan)) this.report(diag('ir.money-precision', { yuan: e.yuan }, this.range(loc)));
        return this.note({ type: 'money', yuan: e.yuan }, loc);
      case 'percent':
        return this.note({ type: 'percent', value: e.value }, loc);
      case 'date':
        this.checkDate(e.value, loc);
        return this.note({ type: 'date', value: e.value }, loc);
      case 'string':
        return this.note({ type: 'string', value: e.value }, loc);
      case 'duration':
        return this.note({ type: 'duration', amount: e.amount, unit: e.unit }, loc);
      case 'name':
        return this.note(this.resolveName(e.name, scope, loc), loc);
      case 'asOf':
        return this.note({ type: 'asOf' }, loc);
      case 'not':
        return this.note({ type: 'not', arg: sub(e.arg) }, loc);
      case 'neg':
        return this.note({ type: 'neg', arg: sub(e.arg) }, loc);
      case 'and':
      case 'or':
        return this.note({ type: e.type, args: e.args.map((x) => sub(x)) }, loc);
      case 'compare':
        return this.note({ type: 'compare', op: e.op, left: sub(e.left), right: sub(e.right) }, loc);
      case 'arith':
        return this.note({ type: 'arith', op: e.op, left: sub(e.left), right: sub(e.right) }, loc);
      case 'in':
        return this.note(clean({ type: 'in' as const, value: sub(e.value), options: e.options.map((x) => sub(x)), negated: e.negated ? true : undefined }), loc);
      case 'between':
        return this.note(
          { type: 'between', value: sub(e.value), low: sub(e.low), high: sub(e.high), lowInclusive: e.lowInclusive, highInclusive: e.highInclusive },
          loc,
        );
      case 'if':
        return this.note({ type: 'if', cond: sub(e.cond), then: sub(e.then), else: sub(e.else) }, loc);
      case 'call':
        return this.lowerCall(e, scope, loc);
    }
  }

  private listFactOf(arg: ExprAst | undefined, scope: Scope): string | undefined {
    if (!arg || arg.type !== 'name') return undefined;
    // A record field of the same name hides the fact (fields first), and so do lets/definitions.
    if (scope.record?.fields.has(arg.name) || scope.lets?.has(arg.name) || this.defs.has(arg.name) || this.params.has(arg.name)) return undefined;
    return this.facts.get(arg.name)?.type.kind === 'list' ? arg.name : undefined;
  }

  /** Stands for a call already reported as wrong: typed as unknown, so it causes no further errors. */
  private placeholder(loc: Range | undefined): Expr {
    return this.note({ type: 'ref', name: ERROR_REF }, loc);
  }

  private lowerCall(e: Extract<ExprAst, { type: 'call' }>, scope: Scope, loc: Range | undefined): Expr {
    const fn = FN_ALIASES[e.fn] ?? e.fn;
    const sub = (x: ExprAst, s: Scope = scope): Expr => this.lowerExpr(x, s, loc);
    const list = this.listFactOf(e.args[0], scope);
    const isAggregate = LIST_ONLY.has(fn) || ((fn === 'min' || fn === 'max') && list !== undefined);
    if (!isAggregate) {
      if (!(FUNCTIONS as readonly string[]).includes(fn)) {
        this.report(diag('ir.unknown-function', { fn: e.fn, suggestion: nearest(fn, [...FUNCTIONS, ...AGGREGATES]) }, this.range(loc)));
        e.args.forEach((a) => sub(a));
        return this.placeholder(loc);
      }
      if (e.where) this.report(diag('ir.where-not-allowed', { fn }, this.range(e.where.loc ?? loc)));
      return this.note({ type: 'call', fn: fn as FunctionName, args: e.args.map((a) => sub(a)) }, loc);
    }
    const agg = fn as AggregateFn;
    if (list === undefined) {
      const first = e.args[0];
      if (first?.type === 'name' && !this.facts.has(first.name) && !scope.record?.fields.has(first.name) && !scope.lets?.has(first.name) && !this.defs.has(first.name) && !this.params.has(first.name)) {
        this.resolveName(first.name, scope, first.loc ?? loc); // reports unknown-name with a suggestion
      } else if (first) {
        this.report(
          diag(
            'ir.type-mismatch',
            {
              zh: `${agg} 的第一个参数须是列表事实的名称`,
              en: `the first argument of ${agg} must name a list fact`,
              hintZh: '例如 count(贷款 where 逾期天数 >= 90)、sum(贷款, 金额)',
              hintEn: 'For example count(贷款 where 逾期天数 >= 90), sum(贷款, 金额)',
            },
            this.range(first.loc ?? loc),
          ),
        );
      } else {
        this.report(diag('ir.wrong-arity', { fn: agg, expected: agg === 'count' ? '1' : '1–2', got: 0 }, this.range(loc)));
      }
      return this.placeholder(loc);
    }
    const n = e.args.length;
    const okArity = agg === 'count' ? n === 1 : agg === 'sum' || agg === 'min' || agg === 'max' || agg === 'avg' ? n === 2 : n === 1 || n === 2;
    const decl = this.facts.get(list)!;
    const fields = new Map<string, FactDecl>(decl.type.kind === 'list' ? decl.type.fields.map((f) => [f.name, f] as const) : []);
    const inner: Scope = { record: { list, fields }, lets: scope.lets };
    if (!okArity) {
      const expected = agg === 'count' ? '1' : agg === 'sum' || agg === 'min' || agg === 'max' || agg === 'avg' ? '2' : '1–2';
      this.report(diag('ir.wrong-arity', { fn: agg, expected, got: n }, this.range(loc)));
      // Still resolve the arguments, so a misspelt name inside is reported in the same pass.
      e.args.slice(1).forEach((a) => sub(a, inner));
      if (e.where) sub(e.where, inner);
      return this.placeholder(loc);
    }
    const value = n >= 2 && agg !== 'count' ? sub(e.args[1]!, inner) : undefined;
    for (const extra of e.args.slice(agg === 'count' ? 1 : 2)) sub(extra, inner);
    const where = e.where ? sub(e.where, inner) : undefined;
    return this.note(clean({ type: 'aggregate' as const, fn: agg, list, value, where }), loc);
  }

  // -------------------------------------------------------------------------------------------
  // Whole-policy checks

  private refsOf(e: Expr, out: Set<string>): Set<string> {
    const walk = (x: Expr): void => {
      switch (x.type) {
        case 'ref':
          out.add(x.name);
          return;
        case 'not':
        case 'neg':
          return walk(x.arg);
        case 'and':
        case 'or':
          return x.args.forEach(walk);
        case 'compare':
        case 'arith':
          walk(x.left);
          return walk(x.right);
        case 'in':
          walk(x.value);
          return x.options.forEach(walk);
        case 'between':
          walk(x.value);
          walk(x.low);
          return walk(x.high);
        case 'if':
          walk(x.cond);
          walk(x.then);
          return walk(x.else);
        case 'call':
          return x.args.forEach(walk);
        case 'aggregate':
          if (x.value) walk(x.value);
          if (x.where) walk(x.where);
          return;
        default:
          return;
      }
    };
    walk(e);
    return out;
  }

  /** Report each cycle once, at the first definition (in file order) that lies on it. */
  private findCycles(graph: Map<string, Set<string>>, order: string[], locOf: (n: string) => Range | undefined): void {
    const state = new Map<string, 'active' | 'done'>();
    const stack: string[] = [];
    const visit = (n: string): void => {
      state.set(n, 'active');
      stack.push(n);
      for (const m of graph.get(n) ?? []) {
        if (!graph.has(m)) continue;
        const s = state.get(m);
        if (s === 'active') {
          const cycle = [...stack.slice(stack.indexOf(m)), m];
          const first = order.find((o) => cycle.includes(o)) ?? m;
          this.report(diag('ir.definition-cycle', { cycle }, this.range(locOf(first))));
        } else if (!s) visit(m);
      }
      stack.pop();
      state.set(n, 'done');
    };
    for (const n of order) if (!state.has(n)) visit(n);
  }

  private checkDefinitionCycles(own: Definition[]): void {
    const graph = new Map<string, Set<string>>();
    for (const [name, expr] of this.defs) graph.set(name, this.refsOf(expr, new Set()));
    const locs = new Map(this.ast.definitions.map((d) => [d.name, d.loc] as const));
    this.findCycles(graph, own.map((d) => d.name), (n) => locs.get(n));
    this.ast.rules.forEach((r) => {
      const lets = new Map(r.lets.map((l) => [l.name, l] as const));
      if (lets.size === 0) return;
      const lg = new Map<string, Set<string>>();
      // Only the lets' mutual references can cycle here; definitions never see rule lets.
      for (const l of r.lets) {
        const lowered = this.loweredLets.get(l);
        if (lowered) lg.set(l.name, new Set([...this.refsOf(lowered, new Set())].filter((n) => lets.has(n))));
      }
      this.findCycles(lg, r.lets.map((l) => l.name), (n) => lets.get(n)?.loc ?? r.loc);
    });
  }

  private readonly loweredLets = new WeakMap<DefinitionAst, Expr>();

  private typecheckPolicy(definitions: Definition[], rules: RuleIR[]): void {
    const report: TypeReporter = (at, make) => this.report(make(this.locs.get(at)));
    // Each definition is checked once, with diagnostics; uses of it read the memoized type.
    const memo = new Map<string, ValueType | undefined | 'pending'>();
    const ownDefs = new Map(definitions.map((d) => [d.name, d.expr] as const));
    const quiet: TypeReporter = () => {};
    const defEnv: TypeEnv = {
      facts: this.facts,
      params: this.params,
      refType: (name) => {
        const m = memo.get(name);
        if (m === 'pending') return undefined;
        if (memo.has(name)) return m as ValueType | undefined;
        const expr = this.defs.get(name);
        if (!expr) return undefined;
        memo.set(name, 'pending');
        // Base definitions were checked when the base compiled: do not report their problems again.
        const t = checkExpr(expr, defEnv, ownDefs.has(name) ? report : quiet);
        memo.set(name, t);
        return t;
      },
    };
    for (const d of definitions) {
      const t = defEnv.refType(d.name);
      this.rejectNonValue(t, d.expr, report);
    }
    for (const r of rules) {
      const letMemo = new Map<string, ValueType | undefined | 'pending'>();
      const lets = new Map(r.lets.map((l) => [l.name, l.expr] as const));
      const env: TypeEnv = {
        facts: this.facts,
        params: this.params,
        refType: (name) => {
          const expr = lets.get(name);
          if (!expr) return defEnv.refType(name);
          const m = letMemo.get(name);
          if (m === 'pending') return undefined;
          if (letMemo.has(name)) return m as ValueType | undefined;
          letMemo.set(name, 'pending');
          const t = checkExpr(expr, env, report);
          letMemo.set(name, t);
          return t;
        },
      };
      for (const l of r.lets) this.rejectNonValue(env.refType(l.name), l.expr, report);
      const w = checkExpr(r.when, env, report);
      if (w && w.kind !== 'boolean') {
        report(r.when, (rg) =>
          diag(
            'ir.type-mismatch',
            {
              zh: `规则“${r.id}”的 when 条件须是布尔值`,
              en: `the when condition of rule "${r.id}" must be boolean`,
              hintZh: '写成比较或逻辑式,例如 不良贷款率 > 3%',
              hintEn: 'Write a comparison or a logical expression, e.g. 不良贷款率 > 3%',
            },
            rg,
          ),
        );
      }
      for (const c of r.then.computed) this.rejectNonValue(checkExpr(c.expr, env, report), c.expr, report);
    }
  }

  /** Definitions and computed values hold values: a list or a bare duration is not one. */
  private rejectNonValue(t: ValueType | undefined, at: Expr, report: TypeReporter): void {
    if (t?.kind === 'duration') {
      report(at, (rg) =>
        diag(
          'ir.type-mismatch',
          {
            zh: '时长不能单独作为取值,只能加到日期上或与天数比较',
            en: 'a duration is not a value by itself: add it to a date or compare it with a day count',
            hintZh: '例如 收到日期 + 30天;需要天数时写数字 30',
            hintEn: 'For example 收到日期 + 30 days; write the number 30 for a day count',
          },
          rg,
        ),
      );
    }
    if (t?.kind === 'list') {
      report(at, (rg) =>
        diag(
          'ir.type-mismatch',
          {
            zh: '列表不能直接作为取值,须用汇总函数',
            en: 'a list is not a value by itself: use an aggregate',
            hintZh: '例如 count(贷款)、sum(贷款, 金额)',
            hintEn: 'For example count(贷款), sum(贷款, 金额)',
          },
          rg,
        ),
      );
    }
  }
}
