/**
 * AST → canonical DSL text. Stable (the same tree always prints the same text), 2-space
 * indentation, sections in a fixed order (header, facts, parameters, definitions, rules,
 * disabled), the fewest parentheses precedence allows plus two for readability (an `and` chain
 * inside an `or`, and the operand of `not` unless it is a name, literal, call or negation), and
 * `between` bounds always marked `inclusive` / `exclusive`. English keywords by default, Chinese
 * with `{ lang: 'zh' }`.
 *
 * Layout (like gofmt/prettier, it depends on the tree only, except for `blankLineBefore`):
 * - one blank line between top-level sections and between parameters, definitions and rules;
 *   one blank line between facts (or list fields) where the author left one (`blankLineBefore`);
 * - an enum with more than 3 values, or whose one-line form is wider than 60 columns, one value
 *   per line;
 * - an `and`/`or` chain whose one-line form would end past column 100 is broken before each
 *   operator, one operand per line, indented one step past the line it starts on; inside it the
 *   same rule applies to each operand;
 * - an `in [...]` list that would end past column 100 puts one item per line;
 * - nothing else is wrapped (long quotes and messages stay on their line).
 * Columns count display width: CJK characters are two columns wide. Trailing comments do not
 * count, so adding one never re-wraps the line it ends.
 *
 * Invariant (tested): parsePolicy(formatPolicy(ast)) gives `ast` back, ignoring `loc`.
 * Comments (`comments`, `clauseComments`, `trailingComments` in the tree) print back on the line
 * they belong to: leading ones above it at its indentation, a trailing one after it (after the
 * last line of a wrapped clause or enum). A comment written inside a wrapped clause or an enum
 * body moves above its clause.
 */
import { displayWidth } from './width.ts';
import type { CellAst, Comments, DefinitionAst, ExprAst, FactDeclAst, OutcomeAst, PolicyAst, PolicyRefAst, TableRowAst, TypeAst } from './ast.ts';
import {
  ANY_CELL_WORDS,
  FACT_MARK_WORDS,
  FUNCTION_WORDS,
  HIT_WORDS,
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
const STEP = INDENT.length;
/** Lines whose one-line form would end past this column are wrapped (chains and `in` lists only). */
const MAX_WIDTH = 100;
/** An enum whose one-line form is wider than this (or has more than 3 values) is one value a line. */
const MAX_ENUM_WIDTH = 60;
const MAX_ENUM_VALUES_ON_ONE_LINE = 3;


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

/**
 * Readability parentheses beyond precedence, as policy authors write them: `(a and b) or c`, not
 * `a and b or c`; `not (x between 1 and 2)`, not `not x between 1 and 2`.
 */
const OR_OPERAND = PREC.not;
const NOT_OPERAND = PREC.unary;

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
      return `${k('Not')} ${fmt(e.arg, NOT_OPERAND, lang)}`;
    case 'neg':
      // `-3` would read back as the literal -3, so a negated literal keeps its parentheses.
      return isNumericLiteral(e.arg) ? `-(${fmtBare(e.arg, lang)})` : `-${fmt(e.arg, PREC.unary, lang)}`;
    case 'and':
      return e.args.map((a) => fmt(a, PREC.not, lang)).join(` ${k('And')} `);
    case 'or':
      return e.args.map((a) => fmt(a, OR_OPERAND, lang)).join(` ${k('Or')} `);
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
// Wrapping

/** A piece of a printed expression: fixed text, or a child expression printed at `min`. */
type Part = string | { e: ExprAst; min: number };

/**
 * The lines of `e` (printed at binding strength `min`) when it starts at column `col` of a line
 * indented `base` columns. The first line is the text to append at `col`; later lines carry their
 * own indentation. Only `and`/`or` chains and
 * `in` lists break, and only when the one-line form would end past MAX_WIDTH.
 */
function lay(e: ExprAst, min: number, lang: 'en' | 'zh', col: number, base: number): string[] {
  const flat = fmt(e, min, lang);
  // The test is on the expression's own one-line form: what follows it on the line (`then …`
  // after an `if` condition, `)` after a `where`) never makes it wrap.
  if (col + displayWidth(flat) <= MAX_WIDTH) return [flat];
  if (precOf(e) < min) return seq(['(', { e, min: PREC.if }, ')'], lang, col, base);
  const k = (name: string) => kw(name, lang);
  switch (e.type) {
    case 'and':
    case 'or':
      return chain(e.args, e.type === 'and' ? PREC.not : OR_OPERAND, k(e.type === 'and' ? 'And' : 'Or'), lang, col, base);
    case 'in':
      return inList(e, lang, col, base);
    case 'not':
      return seq([`${k('Not')} `, { e: e.arg, min: NOT_OPERAND }], lang, col, base);
    case 'neg':
      return isNumericLiteral(e.arg) ? [flat] : seq(['-', { e: e.arg, min: PREC.unary }], lang, col, base);
    case 'compare':
      return seq([{ e: e.left, min: PREC.additive }, ` ${e.op} `, { e: e.right, min: PREC.additive }], lang, col, base);
    case 'arith': {
      const level = e.op === '+' || e.op === '-' ? PREC.additive : PREC.multiplicative;
      return seq([{ e: e.left, min: level }, ` ${e.op} `, { e: e.right, min: level + 1 }], lang, col, base);
    }
    case 'between': {
      const bound = (inclusive: boolean) => k(inclusive ? 'Inclusive' : 'Exclusive');
      return seq(
        [
          { e: e.value, min: PREC.additive },
          ` ${k('Between')} `,
          { e: e.low, min: PREC.additive },
          ` ${bound(e.lowInclusive)} ${k('And')} `,
          { e: e.high, min: PREC.additive },
          ` ${bound(e.highInclusive)}`,
        ],
        lang,
        col,
        base,
      );
    }
    case 'if':
      return seq(
        [`${k('If')} `, { e: e.cond, min: PREC.or }, ` ${k('Then')} `, { e: e.then, min: PREC.or }, ` ${k('Else')} `, { e: e.else, min: PREC.if }],
        lang,
        col,
        base,
      );
    case 'call': {
      const parts: Part[] = [`${word(FUNCTION_WORDS, e.fn, lang)}(`];
      e.args.forEach((a, i) => parts.push(...(i > 0 ? [', '] : []), { e: a, min: PREC.if }));
      if (e.where) parts.push(e.args.length > 0 ? ` ${k('Where')} ` : `${k('Where')} `, { e: e.where, min: PREC.if });
      parts.push(')');
      return seq(parts, lang, col, base);
    }
    default:
      return [flat];
  }
}

/** Lays out parts one after the other; a child that wraps continues from where its last line ends. */
function seq(parts: Part[], lang: 'en' | 'zh', col: number, base: number): string[] {
  const lines = [''];
  let at = col;
  parts.forEach((p, i) => {
    if (typeof p === 'string') {
      lines[lines.length - 1] += p;
      at += displayWidth(p);
      return;
    }
    const sub = lay(p.e, p.min, lang, at, base);
    lines[lines.length - 1] += sub[0];
    lines.push(...sub.slice(1));
    at = sub.length > 1 ? displayWidth(sub[sub.length - 1]) : at + displayWidth(sub[0]);
  });
  return lines;
}

/**
 * An `and`/`or` chain, one operand a line, the operator leading each line after the first,
 * indented one step past `base`; operands that wrap in turn indent one step further.
 */
function chain(args: ExprAst[], min: number, op: string, lang: 'en' | 'zh', col: number, base: number): string[] {
  const inner = base + STEP;
  const pad = ' '.repeat(inner);
  const lines: string[] = [];
  args.forEach((a, i) => {
    if (i === 0) {
      lines.push(...lay(a, min, lang, col, inner));
      return;
    }
    const head = `${op} `;
    const sub = lay(a, min, lang, inner + displayWidth(head), inner);
    lines.push(pad + head + sub[0], ...sub.slice(1));
  });
  return lines;
}

/** `x in [` … `]` with one item a line, indented one step past `base`; `]` back at `base`. */
function inList(e: Extract<ExprAst, { type: 'in' }>, lang: 'en' | 'zh', col: number, base: number): string[] {
  const k = (name: string) => kw(name, lang);
  if (e.options.length === 0) return [fmt(e, PREC.compare, lang)];
  const open = seq([{ e: e.value, min: PREC.additive }, ` ${k(e.negated ? 'NotIn' : 'In')} [`], lang, col, base);
  const inner = base + STEP;
  const pad = ' '.repeat(inner);
  const lines = [...open];
  e.options.forEach((o, i) => {
    const comma = i < e.options.length - 1 ? ',' : '';
    const sub = lay(o, PREC.if, lang, inner, inner);
    sub[sub.length - 1] += comma;
    lines.push(pad + sub[0], ...sub.slice(1));
  });
  lines.push(' '.repeat(base) + ']');
  return lines;
}

// ------------------------------------------------------------------------------------------------
// Policies

/** A table cell as written: `any`, `>= 90`, `between 1 inclusive and 3 exclusive`, `in [...]`, a bare value for `==`. */
export function cellText(c: CellAst, lang: 'en' | 'zh'): string {
  const k = (name: string) => kw(name, lang);
  switch (c.op) {
    case 'any':
      return lang === 'zh' ? ANY_CELL_WORDS[1] : ANY_CELL_WORDS[0];
    case 'between': {
      const bound = (inclusive: boolean) => k(inclusive ? 'Inclusive' : 'Exclusive');
      return `${k('Between')} ${fmt(c.low, PREC.additive, lang)} ${bound(c.lowInclusive)} ${k('And')} ${fmt(c.high, PREC.additive, lang)} ${bound(c.highInclusive)}`;
    }
    case 'in':
    case 'not in':
      return `${k(c.op === 'in' ? 'In' : 'NotIn')} [${c.options.map((o) => fmt(o, PREC.if, lang)).join(', ')}]`;
    case '==':
      // A bare name spelled like the any-cell word keeps its operator, or it would read back as `any`.
      return c.value.type === 'name' && ANY_CELL_WORDS.includes(c.value.name) ? `== ${c.value.name}` : fmt(c.value, PREC.additive, lang);
    default:
      return `${c.op} ${fmt(c.value, PREC.additive, lang)}`;
  }
}

function ref(r: PolicyRefAst): string {
  return quote(r.version === undefined ? r.policy : `${r.policy}@${r.version}`);
}

function enSuffix(en: string | undefined, lang: 'en' | 'zh'): string {
  return en === undefined ? '' : ` ${kw('En', lang)} ${quote(en)}`;
}

/** Collects printed lines with their `#` comments. */
class Printer {
  readonly lines: string[] = [];

  /** One line at `depth`, with the leading comments of `c` above it and its trailing one after it. */
  line(depth: number, text: string, c?: Comments): void {
    this.wrapped(depth, [text], c);
  }

  /**
   * A clause printed over several lines: the first at `depth`, the others already indented (from
   * `lay`). Leading comments go above the first line, the trailing one after the last, where the
   * parser finds them again.
   */
  wrapped(depth: number, lines: string[], c?: Comments): void {
    this.leading(depth, c);
    lines.forEach((l, i) => {
      const text = i === 0 ? INDENT.repeat(depth) + l : l;
      this.lines.push(i === lines.length - 1 ? text + trailing(c) : text);
    });
  }

  leading(depth: number, c: Comments | undefined): void {
    for (const t of c?.leading ?? []) this.lines.push(INDENT.repeat(depth) + '#' + t);
  }

  blank(): void {
    if (this.lines.length > 0 && this.lines[this.lines.length - 1] !== '') this.lines.push('');
  }
}

function trailing(c: Comments | undefined): string {
  return c?.trailing === undefined ? '' : `  #${c.trailing}`;
}

/** `head` followed by `e`, wrapped as `lay` decides, as lines for `Printer.wrapped` at `depth`. */
function clause(depth: number, head: string, e: ExprAst, lang: 'en' | 'zh'): string[] {
  const base = depth * STEP;
  const lines = lay(e, PREC.if, lang, base + displayWidth(head), base);
  return [head + lines[0], ...lines.slice(1)];
}

function enumValueText(v: { value: string; label: string; labelEn?: string }, lang: 'en' | 'zh'): string {
  return `${isBareName(v.value) ? v.value : quote(v.value)} ${quote(v.label)}${enSuffix(v.labelEn, lang)}`;
}

/** A type on one line (a list type and a long enum are printed by `typedLine`). */
function typeText(t: TypeAst, lang: 'en' | 'zh'): string {
  switch (t.kind) {
    case 'enum':
      return `${kw('Enum', lang)} { ${t.values.map((v) => enumValueText(v, lang)).join(', ')} }`;
    case 'list':
      throw new Error('list types are printed by typedLine'); // a bug in this file
    default:
      // `number` in English is the keyword token that also means 文号; the parser accepts it here.
      return lang === 'zh' ? (TYPE_WORDS[t.kind]?.zh[0] ?? t.kind) : t.kind;
  }
}

/** True when an enum is printed one value a line. */
function enumBlock(t: TypeAst, lang: 'en' | 'zh'): boolean {
  if (t.kind !== 'enum' || t.values.length === 0) return false;
  return t.values.length > MAX_ENUM_VALUES_ON_ONE_LINE || displayWidth(typeText(t, lang)) > MAX_ENUM_WIDTH;
}

/**
 * `<head>: <type>` at `depth`. A list type, and an enum too long for one line, open a block:
 * fields or values follow one a line, and the trailing comment goes after the closing `}` (where
 * the parser finds it again). Enum values in a block need no commas.
 */
function typedLine(p: Printer, depth: number, head: string, t: TypeAst, c: Comments | undefined, lang: 'en' | 'zh', marks = ''): void {
  if (t.kind === 'list') {
    p.leading(depth, c);
    p.line(depth, `${head}: ${kw('ListOf', lang)} {`);
    factList(p, t.fields, depth + 1, lang);
    p.line(depth, `}${marks}`, c?.trailing === undefined ? undefined : { trailing: c.trailing });
    return;
  }
  if (t.kind === 'enum' && enumBlock(t, lang)) {
    p.leading(depth, c);
    p.line(depth, `${head}: ${kw('Enum', lang)} {`);
    for (const v of t.values) p.line(depth + 1, enumValueText(v, lang));
    p.line(depth, `}${marks}`, c?.trailing === undefined ? undefined : { trailing: c.trailing });
    return;
  }
  p.line(depth, `${head}: ${typeText(t, lang)}${marks}`, c);
}

/** ` personal subject` (or ` 个人信息 主体标识`) after a fact's type, in that order. */
function factMarks(f: FactDeclAst, lang: 'en' | 'zh'): string {
  const word = (w: 'personal' | 'subject') => (lang === 'zh' ? FACT_MARK_WORDS[w][0] : w);
  return `${f.personal ? ` ${word('personal')}` : ''}${f.subject ? ` ${word('subject')}` : ''}`;
}

/** Facts or list fields, one a line, with a blank line where the author left one. */
function factList(p: Printer, facts: FactDeclAst[], depth: number, lang: 'en' | 'zh'): void {
  facts.forEach((f, i) => {
    if (i > 0 && f.blankLineBefore) p.blank();
    typedLine(p, depth, `${f.name} ${quote(f.label)}${enSuffix(f.labelEn, lang)}`, f.type, f.comments, lang, factMarks(f, lang));
  });
}

/** `name "label" en "…" = ` of a definition, let or compute line. */
function namedHead(d: DefinitionAst, lang: 'en' | 'zh'): string {
  const label = d.label === undefined ? '' : ` ${quote(d.label)}`;
  return `${d.name}${label}${enSuffix(d.labelEn, lang)} = `;
}

export function formatPolicy(ast: PolicyAst, opts: FormatOptions = {}): string {
  const lang = opts.lang ?? 'en';
  const k = (name: string) => kw(name, lang);
  const blocks: string[] = [];
  let p = new Printer();
  const line = (depth: number, text: string, c?: Comments) => p.line(depth, text, c);
  const named = (depth: number, keyword: string, d: DefinitionAst) =>
    p.wrapped(depth, clause(depth, `${k(keyword)} ${namedHead(d, lang)}`, d.expr, lang), d.comments);
  const flush = () => {
    if (p.lines.length > 0) blocks.push(p.lines.join('\n'));
    p = new Printer();
  };
  const cc = ast.clauseComments;
  function outcome(depth: number, o: OutcomeAst): void {
    const severity = o.severity === undefined ? '' : ` ${k('Severity')} ${word(SEVERITY_WORDS, o.severity, lang)}`;
    line(depth, `${k('Then')} ${word(OUTCOME_WORDS, o.kind, lang)}${severity}`, o.comments);
    line(depth + 1, `${k('Message')} ${quote(o.message.zh)}${enSuffix(o.message.en, lang)}`, o.clauseComments?.message);
    if (o.consequences.length > 0) line(depth + 1, `${k('Consequences')} ${o.consequences.map(quote).join(', ')}`, o.clauseComments?.consequences);
    for (const c of o.computed) named(depth + 1, 'Compute', c);
  }
  /** A table row: its cells (and output) on one line, then its citation and outcome below it. */
  function row(depth: number, r: TableRowAst): void {
    const gives = r.gives === undefined ? '' : ` ${k('Gives')} ${fmt(r.gives, PREC.if, lang)}`;
    const cells = r.cells.map((c) => cellText(c, lang)).join(', ');
    line(depth, `${k('Row')}${r.id === undefined ? '' : ` ${r.id}`}: ${cells}${gives}`, r.comments);
    if (r.cites) {
      const q = r.cites.quote === undefined ? '' : ` ${k('Quote')} ${quote(r.cites.quote)}`;
      line(depth + 1, `${k('Cites')} ${r.cites.source} ${quote(r.cites.article)}${q}`, r.cites.comments);
    }
    if (r.then) outcome(depth + 1, r.then);
  }

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
    factList(p, ast.facts, 1, lang);
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

  for (const d of ast.definitions) {
    named(0, 'Let', d);
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
    for (const l of r.lets) named(1, 'Let', l);
    p.wrapped(1, clause(1, `${k('When')} `, r.when, lang), r.when.comments);
    outcome(1, r.then);
    flush();
  }

  for (const t of ast.tables ?? []) {
    line(0, `${k('Table')} ${t.id} ${quote(t.title)}${enSuffix(t.titleEn, lang)}`, t.comments);
    const agg = t.aggregate === undefined ? '' : ` ${word(FUNCTION_WORDS, t.aggregate, lang)}`;
    line(1, `${k('Hit')} ${word(HIT_WORDS, t.hit, lang)}${agg}`, t.clauseComments?.hit);
    if (t.columns.length > 0) line(1, `${k('Columns')} ${t.columns.map((c) => fmt(c, PREC.if, lang)).join(', ')}`, t.clauseComments?.columns);
    for (const r of t.rows) row(1, r);
    if (t.complete !== undefined) line(1, `${k('Complete')} ${k('Because')} ${quote(t.complete)}`, t.clauseComments?.complete);
    flush();
  }

  for (const s of ast.scorecards ?? []) {
    line(0, `${k('Scorecard')} ${s.id} ${quote(s.title)}${enSuffix(s.titleEn, lang)}`, s.comments);
    for (const ind of s.indicators) {
      line(1, `${k('Indicator')} ${ind.id} ${quote(ind.label)}${enSuffix(ind.labelEn, lang)}`, ind.comments);
      if (ind.columns.length > 0) line(2, `${k('Columns')} ${ind.columns.map((c) => fmt(c, PREC.if, lang)).join(', ')}`, ind.clauseComments?.columns);
      for (const r of ind.rows) row(2, r);
    }
    if (s.grades.length > 0 || s.clauseComments?.grades) {
      line(1, k('Grades'), s.clauseComments?.grades);
      for (const r of s.grades) row(2, r);
    }
    flush();
  }

  if (ast.disabled.length > 0) {
    for (const d of ast.disabled) line(0, `${k('Disable')} ${d.rule} ${k('Because')} ${quote(d.reason)}`, d.comments);
    flush();
  }

  if (ast.complete && ast.complete.length > 0) {
    for (const c of ast.complete) line(0, `${k('Complete')} ${c.rules.join(', ')} ${k('Because')} ${quote(c.reason)}`, c.comments);
    flush();
  }

  if (ast.trailingComments && ast.trailingComments.length > 0) {
    blocks.push(ast.trailingComments.map((t) => '#' + t).join('\n'));
  }

  return blocks.join('\n\n') + '\n';
}
