/**
 * The DSL pipeline: text → tokens → CST → AST, collecting diagnostics from every step.
 * Lexer problems that have an obvious reading (an unterminated string, `1,000`) are reported and
 * the token is read as what was meant, so parsing goes on with fewer cascading errors.
 */
import { EOF, tokenMatcher, type ILexingError, type IRecognitionException, type IToken } from 'chevrotain';
import type { CellAst, ExprAst, PolicyAst } from './ast.ts';
import type { Diagnostic, Position, Range, Result } from './diagnostics.ts';
import { diag } from './messages.ts';
import { MAX_DEPTH, MAX_PARSE_DEPTH, cellExprs, exprDepth, tooDeepInPolicy } from './depth.ts';
import { parser, TooDeepError, type ParseErrorDetail } from './parser.ts';
import { AstBuilder } from './toAst.ts';
import * as T from './tokens.ts';

export interface ParseOptions {
  file?: string;
  /** Where the text starts in its file, for expressions embedded in another document. */
  at?: Position;
}

/** Converts a 0-based offset in `text` into a Position (1-based line and column). */
export function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1, offset };
}

function shift(p: Position, at: Position | undefined): Position {
  if (!at) return p;
  return { line: at.line + p.line - 1, column: p.line === 1 ? at.column + p.column - 1 : p.column, offset: at.offset + p.offset };
}

function rangeOf(text: string, start: number, end: number, opts: ParseOptions): Range {
  const r: Range = { start: shift(positionAt(text, start), opts.at), end: shift(positionAt(text, end), opts.at) };
  if (opts.file !== undefined) r.file = opts.file;
  return r;
}

const MAX_EXPECTED = 10;

function describeToken(t: IToken): string {
  return t.tokenType === EOF ? 'end of file' : `'${t.image}'`;
}

function lexErrors(text: string, errors: ILexingError[], opts: ParseOptions): Diagnostic[] {
  return errors.map((e) => {
    const chars = text.slice(e.offset, e.offset + e.length);
    const shown = [...chars].slice(0, 10).join('') + (chars.length > 10 ? '…' : '');
    return diag('dsl.unexpected-character', rangeOf(text, e.offset, e.offset + e.length, opts), { text: `'${shown}'` });
  });
}

/** Turns repairable lexer tokens into what was meant, reporting each. */
function repairTokens(tokens: IToken[], text: string, opts: ParseOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const t of tokens) {
    if (t.tokenType === T.UnterminatedString) {
      out.push(diag('dsl.unterminated-string', rangeOf(text, t.startOffset, t.startOffset + t.image.length, opts)));
      t.tokenType = T.StringLit;
      t.tokenTypeIdx = T.StringLit.tokenTypeIdx!;
    }
  }
  return out;
}

function parseErrors(text: string, errors: IRecognitionException[], opts: ParseOptions, entryRule: EntryRule): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seenOffsets = new Set<number>();
  for (const e of errors) {
    let detail: ParseErrorDetail;
    try {
      detail = JSON.parse(e.message) as ParseErrorDetail;
    } catch {
      detail = { kind: 'mismatch', expected: [], rule: '' };
    }
    const t = e.token;
    const atEnd = t.tokenType === EOF || Number.isNaN(t.startOffset);
    const start = atEnd ? text.length : t.startOffset;
    // Recovery can report several errors at one token; the first is the informative one.
    if (seenOffsets.has(start)) continue;
    seenOffsets.add(start);
    const range = atEnd ? rangeOf(text, text.length, text.length, opts) : rangeOf(text, start, start + t.image.length, opts);
    // After a complete file or expression nothing more may follow; say what could have.
    const expected =
      detail.kind === 'redundant'
        ? entryRule !== 'policyFile'
          ? ['end of expression/表达式结尾']
          : SECTION_STARTS
        : summarizeExpected(detail.expected);
    const expectedList = expected.slice(0, MAX_EXPECTED).join(', ') + (expected.length > MAX_EXPECTED ? ', …' : '');
    const syntax = RULE_SYNTAX[detail.rule];
    const found = describeToken(t);
    const glued = atEnd ? undefined : gluedKeyword(t, detail.expected);
    if (glued) {
      out.push(
        diag('dsl.glued-keyword', range, { keyword: glued, found, rest: t.image.slice(glued.length) }, detail.expected),
      );
    } else if (atEnd) {
      out.push(withSyntax(diag('dsl.unexpected-end', range, { expected: expectedList }, expected), syntax));
    } else if (detail.kind === 'mismatch' && parser.insertedBefore.has(t)) {
      out.push(withSyntax(diag('dsl.missing-token', range, { expected: expectedList, found }, expected), syntax));
    } else {
      out.push(withSyntax(diag('dsl.unexpected-token', range, { expected: expectedList || '—', found }, expected), syntax));
    }
  }
  return out;
}

const SECTION_STARTS = [T.Facts, T.Parameter, T.Let, T.Rule, T.Disable].map((t) => t.LABEL ?? t.name);

/** The tokens that can start an expression, shown as the one word "expression". */
const EXPRESSION_STARTERS = new Set(["'-'", 'number/数字', 'string/字符串', 'date/日期', "'true'/'是'", "'false'/'否'", "'as_of'/'评估日'", "'('", 'name/名称', "'not'/'非'/'不是'", "'if'/'如果'"]);

function summarizeExpected(expected: string[]): string[] {
  const starters = expected.filter((e) => EXPRESSION_STARTERS.has(e));
  if (starters.length < 5) return expected;
  const rest = expected.filter((e) => !EXPRESSION_STARTERS.has(e));
  return ['expression/表达式', ...rest];
}

/** How the clause being parsed is written, added to the hint so the fix is visible. */
const RULE_SYNTAX: Record<string, string> = {
  header: 'policy "<辖区>/<主题>"',
  titleClause: 'title "<中文标题>" [en "<English title>"]',
  effectiveClause: 'effective from 2017-08-01 [until 2020-12-31]',
  sourceClause: 'source <key> "<document title>" [number "<文号>"]',
  factDecl: '<name> "<中文标签>" [en "<label>"]: <type>',
  typeRef: 'money | integer | … | enum { a "甲", b "乙" } | list of { … }',
  enumValue: '<value> "<label>"',
  parameterDecl: 'parameter <name> "<label>": <type>',
  parameterValue: '<value> from <date> [cites <source> "<article>"]',
  namedExpr: '<name> ["<label>"] = <expression>',
  ruleDecl: 'rule <id> "<title>" cites <source> "<article>" when <condition> then <kind> message "…"',
  citesClause: 'cites <source key> "<article>" [quote "<text>"]',
  outcome: '<kind> [severity <severity>] message "<中文>" [en "<English>"]',
  messageClause: 'message "<中文>" [en "<English>"]',
  disableDecl: 'disable <rule id> because "<reason>"',
  comparison: '<a> between <x> [inclusive|exclusive] and <y> [inclusive|exclusive]',
  callArgs: 'f(<list>, <value> where <condition>)',
};

function withSyntax(d: Diagnostic, syntax: string | undefined): Diagnostic {
  if (syntax && d.hint) d.hint = { zh: `${d.hint.zh};写法:${syntax}`, en: `${d.hint.en}; the form is: ${syntax}` };
  return d;
}

/** A name that starts with a keyword the parser wanted here (`当贷款金额`): the keyword spelling, or undefined. */
function gluedKeyword(t: IToken, expected: string[]): string | undefined {
  if (!tokenMatcher(t, T.Identifier)) return undefined;
  let best: string | undefined;
  for (const [tokType, spellings] of T.KEYWORD_SPELLINGS) {
    if (!expected.includes(tokType.LABEL ?? tokType.name)) continue;
    for (const s of spellings) {
      if (t.image.length > s.length && t.image.startsWith(s) && (best === undefined || s.length > best.length)) best = s;
    }
  }
  return best;
}

type EntryRule = 'policyFile' | 'expression' | 'tableCell';

function tooDeepExpr(e: ExprAst): { loc: Range | undefined; what: 'expression' } | undefined {
  const d = exprDepth(e);
  return d.depth > MAX_DEPTH ? { loc: d.deepest.loc ?? e.loc, what: 'expression' } : undefined;
}

/**
 * `dsl.too-deep` at `range`, naming what nests: the tree (`max` = MAX_DEPTH) or, while parsing,
 * the constructs open at once (`max` = MAX_PARSE_DEPTH).
 */
export function tooDeep(range: Range | undefined, what: 'expression' | 'list', max = MAX_DEPTH): Diagnostic {
  const parsing = max === MAX_PARSE_DEPTH && what === 'expression';
  return diag('dsl.too-deep', range, {
    max: String(max),
    whatZh: what === 'list' ? '列表类型(list of)' : parsing ? '括号、not、负号、if 与函数调用' : '表达式',
    whatEn: what === 'list' ? 'list type (list of)' : parsing ? 'parentheses, `not`s, minus signs, `if`s and calls' : 'expression',
  });
}

function run<R>(text: string, entry: EntryRule, opts: ParseOptions): Result<R> {
  const lexed = T.policyLexer.tokenize(text);
  const diagnostics: Diagnostic[] = [...lexErrors(text, lexed.errors, opts), ...repairTokens(lexed.tokens, text, opts)];
  parser.insertedBefore = new Set();
  parser.depth = 0;
  parser.input = lexed.tokens;
  let cst: ReturnType<typeof parser.expression>;
  try {
    cst = entry === 'policyFile' ? parser.policyFile() : entry === 'tableCell' ? parser.tableCell() : parser.expression();
  } catch (e) {
    if (!(e instanceof TooDeepError)) throw e;
    // No tree: every later stage recurses over it. The lexer's findings still stand.
    const t = e.token;
    const start = Number.isNaN(t.startOffset) ? text.length : t.startOffset;
    diagnostics.push(tooDeep(rangeOf(text, start, start + (t.image?.length ?? 0), opts), e.what, MAX_PARSE_DEPTH));
    return { diagnostics };
  }
  diagnostics.push(...parseErrors(text, parser.errors, opts, entry));
  const builder = new AstBuilder(opts);
  let value: R | undefined;
  if (cst !== undefined && lexed.tokens.length > 0) value = builder.visit(cst) as R;
  // Parser depth bounds parentheses, not chains: `1 + 1 + … + 1` is flat text but a deep tree.
  if (value !== undefined) {
    const tree: unknown = value;
    const deep =
      entry === 'policyFile'
        ? tooDeepInPolicy(tree as PolicyAst)
        : entry === 'tableCell'
          ? cellExprs(tree as CellAst).map(tooDeepExpr).find((d) => d !== undefined)
          : tooDeepExpr(tree as ExprAst);
    if (deep) {
      diagnostics.push(...builder.diagnostics, tooDeep(deep.loc, deep.what));
      return { diagnostics };
    }
  }
  // Comments inside an expression embedded in YAML stay with the YAML; only files keep them here.
  if (value !== undefined && entry === 'policyFile') {
    builder.attachComments(value as PolicyAst, lexed.groups.comments ?? [], lexed.tokens);
    builder.markBlankLines(value as PolicyAst, [...lexed.tokens, ...(lexed.groups.comments ?? [])]);
  }
  diagnostics.push(...builder.diagnostics);
  diagnostics.sort((a, b) => (a.range?.start.offset ?? 0) - (b.range?.start.offset ?? 0));
  return value === undefined ? { diagnostics } : { value, diagnostics };
}

/** Parses a `.policy` file. `value` is present whenever a tree could be built (possibly partial). */
export function parsePolicy(text: string, opts: { file?: string } = {}): Result<PolicyAst> {
  return run<PolicyAst>(text, 'policyFile', opts);
}

/** Parses one table cell (`>= 90`, `any`, `in ["a"]`), as the YAML form writes cells; `at` as for expressions. */
export function parseCell(text: string, opts: { file?: string; at?: Position } = {}): Result<CellAst> {
  return run<CellAst>(text, 'tableCell', opts);
}

/** Parses one expression; `at` places its ranges inside an enclosing file. */
export function parseExpression(text: string, opts: { file?: string; at?: Position } = {}): Result<ExprAst> {
  return run<ExprAst>(text, 'expression', opts);
}

/**
 * The keyword language a DSL text is written in: the one most of its keywords are spelled in
 * (`policy`/`政策`, `when`/`当`, …), English when there are none or as many of each. `fmt` uses it
 * so that formatting a file written in Chinese keywords keeps them.
 */
export function keywordLanguage(text: string): 'en' | 'zh' {
  let en = 0;
  let zh = 0;
  for (const t of T.policyLexer.tokenize(text).tokens) {
    const name = t.tokenType.name;
    const info = T.KEYWORD_BY_NAME.get(name);
    if (!info) continue;
    if (/[\u3400-\u9fff]/.test(t.image)) zh++;
    else en++;
  }
  return zh > en ? 'zh' : 'en';
}
