/**
 * AST → canonical DSL text. Stable (the same tree always prints the same text), 2-space
 * indentation, sections in a fixed order (header, facts, parameters, definitions, rules,
 * disabled), the fewest parentheses precedence allows, and `between` bounds always marked
 * `inclusive` / `exclusive`. English keywords by default, Chinese with `{ lang: 'zh' }`.
 *
 * Invariant (tested): parsePolicy(formatPolicy(ast)) gives `ast` back, ignoring `loc`.
 * Comments (`comments`, `clauseComments`, `trailingComments` in the tree) print back on the line
 * they belong to: leading ones above it at its indentation, a trailing one after it. A line that
 * was several lines in the source (a long expression) keeps all its comments, above it.
 */
import type { Comments, DefinitionAst, ExprAst, FactDeclAst, PolicyAst, PolicyRefAst, TypeAst } from './ast.ts';
import {
  FUNCTION_WORDS,
  KEYWORD_BY_NAME,
  KEYWORD_SPELLINGS,
  OUTCOME_WORDS,
  SEVERITY_WORDS,
  TYPE_WORDS,
} from './tokens.ts';

export interface FormatOptions {
  lang?: 'en' | 'zh';
}

const INDENT = '  ';

/** All keyword spellings: a name or enum value spelled like one must be quoted where that is allowed. */
const RESERVED = new Set([...KEYWORD_SPELLINGS.values()].flat());

function kw(name: string, lang: 'en' | 'zh'): string {
  const k = KEYWORD_BY_NAME.get(name);
  if (!k) throw new Error(`unknown keyword token ${name}`); // a bug in this file
  return lang === 'zh' ? k.zh[0] : k.en;
}

export function quote(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n') + '"';
}

/** True when `s` can be written as a bare name (not a keyword, not starting with a digit). */
export function isBareName(s: string): boolean {
  return /^[\p{L}_][\p{L}\p{N}_]*$/u.test(s) && !RESERVED.has(s);
}

function word(table: Record<string, string[]>, en: string, lang: 'en' | 'zh'): string {
  return lang === 'zh' ? (table[en]?.[0] ?? en) : en;
}

// ------------------------------------------------------------------------------------------------
// Expressions

/** Binding strength, loosest first; a child printed below the strength its place needs gets parentheses. */
const PREC = { if: 0, or: 1, and: 2, not: 3, compare: 4, additive: 5, multiplicative: 6, unary: 7, primary: 8 } as const;

function precOf(e: ExprAst): number {
  switch (e.type) {
    case 'if':
      return PREC.if;
    case 'or':
      return PREC.or;
    case 'and':
      return PREC.and;
    case 'not':
      return PREC.not;
    case 'compare':
    case 'between':
    case 'in':
      return PREC.compare;
    case 'arith':
      return e.op === '+' || e.op === '-' ? PREC.additive : PREC.multiplicative;
    case 'neg':
      return PREC.unary;
    case 'number':
      return e.value < 0 || Object.is(e.value, -0) ? PREC.unary : PREC.primary;
    case 'money':
      return e.yuan < 0 ? PREC.unary : PREC.primary;
    case 'percent':
      return e.value < 0 ? PREC.unary : PREC.primary;
    case 'duration':
      return e.amount < 0 ? PREC.unary : PREC.primary;
    default:
      return PREC.primary;
  }
}

function isNumericLiteral(e: ExprAst): boolean {
  return e.type === 'number' || e.type === 'money' || e.type === 'percent' || e.type === 'duration';
}

/** Shortest exact decimal text of a number (no exponent for the magnitudes policies use). */
function decimal(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  // Exponent form only appears for very large or small numbers; print them in full.
  return n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

function signed(n: number, body: (abs: number) => string): string {
  return n < 0 ? '-' + body(-n) : body(n);
}

/** Money is written with 元 in both languages: it is how amounts appear in the regulations. */
function money(yuan: number): string {
  return signed(yuan, (v) => {
    if (v !== 0 && v % 1e8 === 0) return `${decimal(v / 1e8)}亿元`;
    if (v !== 0 && v % 1e4 === 0) return `${decimal(v / 1e4)}万元`;
    return `${decimal(v)}元`;
  });
}

const DURATION_TEXT = {
  en: { days: ['day', 'days'], workdays: ['workday', 'workdays'], months: ['month', 'months'], years: ['year', 'years'] },
  zh: { days: '天', workdays: '个工作日', months: '个月', years: '年' },
} as const;

export function formatExpression(e: ExprAst, opts: FormatOptions = {}): string {
  return fmt(e, PREC.if, opts.lang ?? 'en');
}

function fmt(e: ExprAst, min: number, lang: 'en' | 'zh'): string {
  const text = fmtBare(e, lang);
  return precOf(e) < min ? `(${text})` : text;
}

function fmtBare(e: ExprAst, lang: 'en' | 'zh'): string {
  const k = (name: string) => kw(name, lang);
  switch (e.type) {
    case 'boolean':
      return k(e.value ? 'True' : 'False');
    case 'number':
      return signed(e.value, decimal);
    case 'money':
      return money(e.yuan);
    case 'percent':
      return signed(e.value, (v) => `${decimal(v)}%`);
    case 'date':
      return e.value;
    case 'string':
      return quote(e.value);
    case 'duration':
      return signed(e.amount, (v) => {
        if (lang === 'zh') return `${decimal(v)}${DURATION_TEXT.zh[e.unit]}`;
        const [one, many] = DURATION_TEXT.en[e.unit];
        return `${decimal(v)} ${v === 1 ? one : many}`;
      });
    case 'name':
      return e.name;
    case 'asOf':
      return k('AsOf');
    case 'not':
      return `${k('Not')} ${fmt(e.arg, PREC.not, lang)}`;
    case 'neg':
      // `-3` would read back as the literal -3, so a negated literal keeps its parentheses.
      return isNumericLiteral(e.arg) ? `-(${fmtBare(e.arg, lang)})` : `-${fmt(e.arg, PREC.unary, lang)}`;
    case 'and':
      return e.args.map((a) => fmt(a, PREC.not, lang)).join(` ${k('And')} `);
    case 'or':
      return e.args.map((a) => fmt(a, PREC.and, lang)).join(` ${k('Or')} `);
    case 'compare':
      return `${fmt(e.left, PREC.additive, lang)} ${e.op} ${fmt(e.right, PREC.additive, lang)}`;
    case 'arith': {
      const level = e.op === '+' || e.op === '-' ? PREC.additive : PREC.multiplicative;
      // Left-associative: the right operand needs one level more.
      return `${fmt(e.left, level, lang)} ${e.op} ${fmt(e.right, level + 1, lang)}`;
    }
    case 'in': {
      const options = e.options.map((o) => fmt(o, PREC.if, lang)).join(', ');
      return `${fmt(e.value, PREC.additive, lang)} ${k(e.negated ? 'NotIn' : 'In')} [${options}]`;
    }
    case 'between': {
      const bound = (inclusive: boolean) => k(inclusive ? 'Inclusive' : 'Exclusive');
      return (
        `${fmt(e.value, PREC.additive, lang)} ${k('Between')} ${fmt(e.low, PREC.additive, lang)} ${bound(e.lowInclusive)} ` +
        `${k('And')} ${fmt(e.high, PREC.additive, lang)} ${bound(e.highInclusive)}`
      );
    }
    case 'if':
      return (
        `${k('If')} ${fmt(e.cond, PREC.or, lang)} ${k('Then')} ${fmt(e.then, PREC.or, lang)} ` +
        `${k('Else')} ${fmt(e.else, PREC.if, lang)}`
      );
    case 'call': {
      const fn = word(FUNCTION_WORDS, e.fn, lang);
      const args = e.args.map((a) => fmt(a, PREC.if, lang)).join(', ');
      if (!e.where) return `${fn}(${args})`;
      const where = `${k('Where')} ${fmt(e.where, PREC.if, lang)}`;
      return `${fn}(${args === '' ? where : `${args} ${where}`})`;
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Policies

function ref(r: PolicyRefAst): string {
  return quote(r.version === undefined ? r.policy : `${r.policy}@${r.version}`);
}

function enSuffix(en: string | undefined, lang: 'en' | 'zh'): string {
  return en === undefined ? '' : ` ${kw('En', lang)} ${quote(en)}`;
}

/** `#text` comment lines and trailing comments, printed by `Printer`. */
class Printer {
  readonly lines: string[] = [];

  /** One line at `depth`, with the leading comments of `c` above it and its trailing one after it. */
  line(depth: number, text: string, c?: Comments): void {
    this.leading(depth, c);
    this.lines.push(INDENT.repeat(depth) + text + trailing(c));
  }

  leading(depth: number, c: Comments | undefined): void {
    for (const t of c?.leading ?? []) this.lines.push(INDENT.repeat(depth) + '#' + t);
  }
}

function trailing(c: Comments | undefined): string {
  return c?.trailing === undefined ? '' : `  #${c.trailing}`;
}

/**
 * A type as text; a list type's fields go on their own lines into `out` and the returned text
 * ends the line that opened it (`}`), so the caller can end that last line with a comment.
 */
function typeText(t: TypeAst, lang: 'en' | 'zh'): string {
  switch (t.kind) {
    case 'enum': {
      const values = t.values.map(
        (v) => `${isBareName(v.value) ? v.value : quote(v.value)} ${quote(v.label)}${enSuffix(v.labelEn, lang)}`,
      );
      return `${kw('Enum', lang)} { ${values.join(', ')} }`;
    }
    case 'list':
      throw new Error('list types are printed by typedLine'); // a bug in this file
    default:
      // `number` in English is the keyword token that also means 文号; the parser accepts it here.
      return lang === 'zh' ? (TYPE_WORDS[t.kind]?.zh[0] ?? t.kind) : t.kind;
  }
}

/**
 * `<head>: <type>` at `depth`. A list type opens a block: its fields follow, one a line, and the
 * trailing comment goes after the closing `}` (where the parser finds it again).
 */
function typedLine(p: Printer, depth: number, head: string, t: TypeAst, c: Comments | undefined, lang: 'en' | 'zh'): void {
  if (t.kind !== 'list') {
    p.line(depth, `${head}: ${typeText(t, lang)}`, c);
    return;
  }
  p.leading(depth, c);
  p.line(depth, `${head}: ${kw('ListOf', lang)} {`);
  for (const f of t.fields) factLines(p, f, depth + 1, lang);
  p.line(depth, '}', c?.trailing === undefined ? undefined : { trailing: c.trailing });
}

function factLines(p: Printer, f: FactDeclAst, depth: number, lang: 'en' | 'zh'): void {
  typedLine(p, depth, `${f.name} ${quote(f.label)}${enSuffix(f.labelEn, lang)}`, f.type, f.comments, lang);
}

function namedExpr(d: DefinitionAst, lang: 'en' | 'zh'): string {
  const label = d.label === undefined ? '' : ` ${quote(d.label)}`;
  return `${d.name}${label}${enSuffix(d.labelEn, lang)} = ${formatExpression(d.expr, { lang })}`;
}

export function formatPolicy(ast: PolicyAst, opts: FormatOptions = {}): string {
  const lang = opts.lang ?? 'en';
  const k = (name: string) => kw(name, lang);
  const blocks: string[] = [];
  let p = new Printer();
  const line = (depth: number, text: string, c?: Comments) => p.line(depth, text, c);
  const flush = () => {
    if (p.lines.length > 0) blocks.push(p.lines.join('\n'));
    p = new Printer();
  };
  const cc = ast.clauseComments;

  // Header
  line(0, `${k('Policy')} ${quote(ast.id)}`, ast.comments);
  line(1, `${k('Title')} ${quote(ast.title)}${enSuffix(ast.titleEn, lang)}`, cc?.title);
  line(1, `${k('Jurisdiction')} ${isBareName(ast.jurisdiction) ? ast.jurisdiction : quote(ast.jurisdiction)}`, cc?.jurisdiction);
  line(1, `${k('Version')} ${quote(ast.version)}`, cc?.version);
  line(
    1,
    `${k('Effective')} ${k('From')} ${ast.effectiveFrom}${ast.effectiveUntil ? ` ${k('Until')} ${ast.effectiveUntil}` : ''}`,
    cc?.effective,
  );
  if (ast.extends) line(1, `${k('Extends')} ${ref(ast.extends)}`, ast.extends.comments);
  for (const s of ast.supersedes) line(1, `${k('Supersedes')} ${ref(s)}`, s.comments);
  for (const s of ast.sources) {
    line(1, `${k('Source')} ${s.key} ${quote(s.title)}${s.number === undefined ? '' : ` ${k('DocNumber')} ${quote(s.number)}`}`, s.comments);
  }
  flush();

  if (ast.facts.length > 0 || cc?.facts) {
    line(0, k('Facts'), cc?.facts);
    for (const f of ast.facts) factLines(p, f, 1, lang);
    flush();
  }

  for (const par of ast.parameters) {
    typedLine(p, 0, `${k('Parameter')} ${par.name} ${quote(par.label)}${enSuffix(par.labelEn, lang)}`, par.type, par.comments, lang);
    for (const v of par.values) {
      const cites = v.cites ? ` ${k('Cites')} ${v.cites.source} ${quote(v.cites.article)}` : '';
      line(1, `${formatExpression(v.value, { lang })} ${k('From')} ${v.from}${cites}`, v.comments);
    }
    flush();
  }

  if (ast.definitions.length > 0) {
    for (const d of ast.definitions) line(0, `${k('Let')} ${namedExpr(d, lang)}`, d.comments);
    flush();
  }

  for (const r of ast.rules) {
    line(0, `${k('Rule')} ${r.id} ${quote(r.title)}${enSuffix(r.titleEn, lang)}`, r.comments);
    if (r.cites) {
      const q = r.cites.quote === undefined ? '' : ` ${k('Quote')} ${quote(r.cites.quote)}`;
      line(1, `${k('Cites')} ${r.cites.source} ${quote(r.cites.article)}${q}`, r.cites.comments);
    }
    if (r.exceptionTo !== undefined) line(1, `${k('ExceptionTo')} ${r.exceptionTo}`, r.clauseComments?.exceptionTo);
    if (r.overrides) line(1, k('Overrides'), r.clauseComments?.overrides);
    for (const l of r.lets) line(1, `${k('Let')} ${namedExpr(l, lang)}`, l.comments);
    line(1, `${k('When')} ${formatExpression(r.when, { lang })}`, r.when.comments);
    const o = r.then;
    const severity = o.severity === undefined ? '' : ` ${k('Severity')} ${word(SEVERITY_WORDS, o.severity, lang)}`;
    line(1, `${k('Then')} ${word(OUTCOME_WORDS, o.kind, lang)}${severity}`, o.comments);
    line(2, `${k('Message')} ${quote(o.message.zh)}${enSuffix(o.message.en, lang)}`, o.clauseComments?.message);
    if (o.consequences.length > 0) line(2, `${k('Consequences')} ${o.consequences.map(quote).join(', ')}`, o.clauseComments?.consequences);
    for (const c of o.computed) line(2, `${k('Compute')} ${namedExpr(c, lang)}`, c.comments);
    flush();
  }

  if (ast.disabled.length > 0) {
    for (const d of ast.disabled) line(0, `${k('Disable')} ${d.rule} ${k('Because')} ${quote(d.reason)}`, d.comments);
    flush();
  }

  if (ast.trailingComments && ast.trailingComments.length > 0) {
    blocks.push(ast.trailingComments.map((t) => '#' + t).join('\n'));
  }

  return blocks.join('\n\n') + '\n';
}
