/**
 * CST → AST. A Chevrotain visitor (checked with `validateVisitor()` so every grammar rule has a
 * method) that builds `PolicyAst` / `ExprAst` with 1-based line/column ranges, maps Chinese
 * spellings of functions, types, outcome kinds and severities to their canonical English names,
 * reads unit suffixes, and checks literals (`dsl.bad-date`, `dsl.bad-number`).
 *
 * With error recovery the CST may lack children; every method copes with that and builds what it
 * can, so a file with a syntax error still gives a partial tree for the editor.
 */
import type { CstNode, IToken } from 'chevrotain';
import type {
  CitationAst,
  Comments,
  DefinitionAst,
  DisabledAst,
  CompleteAst,
  ExprAst,
  FactDeclAst,
  OutcomeAst,
  ParameterAst,
  PolicyAst,
  PolicyRefAst,
  RuleAst,
  SourceAst,
  TypeAst,
  CellAst,
  IndicatorAst,
  ScorecardAst,
  TableAst,
  TableRowAst,
} from './ast.ts';
import type { Diagnostic, Position, Range } from './diagnostics.ts';
import { diag } from './messages.ts';
import { parser } from './parser.ts';
import { ANY_CELL_WORDS, FACT_MARK_BY_WORD, FUNCTION_BY_WORD, HIT_BY_WORD, OUTCOME_BY_WORD, SEVERITY_BY_WORD, TYPE_BY_WORD } from './tokens.ts';

/** A CST node's children by name; Chevrotain's own type, narrowed for readability. */
type Ctx = Record<string, (CstNode | IToken)[] | undefined>;

function isToken(x: CstNode | IToken | undefined): x is IToken {
  return x !== undefined && 'image' in x;
}

function tokenAt(ctx: Ctx, name: string, i = 0): IToken | undefined {
  const x = ctx[name]?.[i];
  return isToken(x) ? x : undefined;
}

function nodeAt(ctx: Ctx, name: string, i = 0): CstNode | undefined {
  const x = ctx[name]?.[i];
  return x !== undefined && !isToken(x) ? x : undefined;
}

function nodes(ctx: Ctx, name: string): CstNode[] {
  return (ctx[name] ?? []).filter((x): x is CstNode => !isToken(x));
}

function tokens(ctx: Ctx, name: string): IToken[] {
  return (ctx[name] ?? []).filter(isToken);
}

/** The text of a string literal: quotes removed, `\x` read as `x`. Tolerates a missing closing quote. */
export function unquote(image: string): string {
  const terminated = /^"(?:[^"\\]|\\.)*"$|^“(?:[^”\\]|\\.)*”$/.test(image);
  // An unterminated string may end in a lone backslash (the lexer takes it); it stands for nothing.
  const body = terminated ? image.slice(1, -1) : image.slice(1).replace(/(^|[^\\])((?:\\\\)*)\\$/, '$1$2');
  // `\n` is the one escape that is not the character itself: it lets a YAML message with a line break print as DSL.
  return body.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

/** Scales the decimal `int.frac` by 10^shift exactly (string arithmetic: 1.1万 is 11000, not 11000.000000000002). */
function scaleDecimal(int: string, frac: string, shift: number): { value: number; decimals: number } {
  // A negative shift (‰, 万分之) may need zeros in front: 5 shifted by -2 is 0.05.
  const pad = Math.max(0, 1 - (int.length + shift));
  const digits = '0'.repeat(pad) + int + frac;
  const point = int.length + pad + shift;
  const decimals = Math.max(0, frac.length - shift);
  const text = decimals === 0 ? digits + '0'.repeat(shift - frac.length) : digits.slice(0, point) + '.' + digits.slice(point);
  return { value: Number(text), decimals };
}

const UNIT_SHIFT: Record<string, number> = { 万: 4, 亿: 8, 万元: 4, 亿元: 8, '‰': -1 };

/** 百分之 / 千分之 / 万分之 as a shift of the percent value: 万分之五 is 5 ÷ 100 percent. */
const FRACTION_SHIFT: Record<string, number> = { 百: 0, 千: -1, 万: -2 };
const CN_DIGIT: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const CN_UNIT: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/**
 * Chinese numerals below ten thousand as decimal text: 五 → "5", 十二 → "12", 二十 → "20",
 * 一百零五 → "105", 零点五 → "0.5". Undefined when the characters do not make a number
 * (五五, 十十).
 */
export function chineseNumeral(text: string): string | undefined {
  const [intPart, fracPart] = text.split('点');
  let total = 0;
  let digit: number | undefined;
  let lastUnit = Infinity;
  for (const ch of intPart ?? '') {
    if (ch in CN_DIGIT) {
      if (digit !== undefined && digit !== 0 && CN_DIGIT[ch] !== 0) return undefined; // two digits in a row: 五五 (一百零五 is fine)
      digit = CN_DIGIT[ch];
    } else {
      const unit = CN_UNIT[ch]!;
      if (unit >= lastUnit) return undefined; // units must fall: 十十, 十百
      total += (digit ?? 1) * unit; // 十二: a leading 十 is 一十
      digit = undefined;
      lastUnit = unit;
    }
  }
  if (digit !== undefined) total += digit;
  if (intPart === '' && fracPart === undefined) return undefined;
  return fracPart === undefined ? String(total) : `${total}.${[...fracPart].map((c) => CN_DIGIT[c]).join('')}`;
}
const DURATION_UNIT: Record<string, 'days' | 'workdays' | 'months' | 'years'> = {
  天: 'days',
  day: 'days',
  days: 'days',
  个工作日: 'workdays',
  workday: 'workdays',
  workdays: 'workdays',
  个月: 'months',
  month: 'months',
  months: 'months',
  年: 'years',
  year: 'years',
  years: 'years',
};

export function isValidDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

export interface ToAstOptions {
  file?: string;
  /** Where the parsed text starts in its file (expressions embedded in YAML). */
  at?: Position;
}

const BaseVisitor = parser.getBaseCstVisitorConstructor();

/**
 * A place a comment can attach to: one printed line (and what it holds below, for rules,
 * parameters, the header and outcomes). Offsets are raw offsets in the parsed text, `end`
 * exclusive; slots nest like the tree.
 */
interface Slot {
  start: number;
  end: number;
  attach: (c: Comments) => void;
}

/** Adds `c` to the comments in `holder[key]` (several source clauses may print as one line). */
function addComments<K extends string>(holder: { [k in K]?: Comments }, key: K, c: Comments): void {
  const old = holder[key];
  if (!old) {
    holder[key] = c;
    return;
  }
  const leading = [...(old.leading ?? []), ...(c.leading ?? [])];
  let trailing = old.trailing;
  if (c.trailing !== undefined) {
    if (trailing === undefined) trailing = c.trailing;
    else leading.push(c.trailing);
  }
  const merged: Comments = {};
  if (leading.length > 0) merged.leading = leading;
  if (trailing !== undefined) merged.trailing = trailing;
  holder[key] = merged;
}

/** The text of a comment token: what follows `#`, trailing blanks removed. */
export function commentText(image: string): string {
  return image.replace(/^#/, '').replace(/[ \t\u3000\uFEFF]+$/, '');
}

/* eslint-disable @typescript-eslint/class-methods-use-this -- visitor methods are called by name */
export class AstBuilder extends BaseVisitor {
  readonly diagnostics: Diagnostic[] = [];
  /** Comment places met while visiting, in no particular order; see `attachComments`. */
  private readonly slots: Slot[] = [];
  /** The tree being built, for slots of header clauses (their parts are copied into it). */
  private policy: PolicyAst | undefined;

  constructor(private readonly opts: ToAstOptions = {}) {
    super();
    this.validateVisitor();
  }

  // ---------------------------------------------------------------------------------------------
  // Positions

  pos(line: number, column: number, offset: number): Position {
    const at = this.opts.at;
    if (!at) return { line, column, offset };
    return {
      line: at.line + line - 1,
      column: line === 1 ? at.column + column - 1 : column,
      offset: at.offset + offset,
    };
  }

  /** Range of a token; end is exclusive (the column after its last character). */
  tokenRange(t: IToken | undefined): Range | undefined {
    if (!t || Number.isNaN(t.startOffset) || t.startLine === undefined || t.startColumn === undefined) return undefined;
    return this.withFile({
      start: this.pos(t.startLine, t.startColumn, t.startOffset),
      end: this.pos(t.endLine ?? t.startLine, (t.endColumn ?? t.startColumn) + 1, (t.endOffset ?? t.startOffset) + 1),
    });
  }

  nodeRange(n: CstNode | undefined): Range | undefined {
    const l = n?.location;
    if (!l || Number.isNaN(l.startOffset) || l.startLine === undefined || Number.isNaN(l.startLine)) return undefined;
    if (l.endOffset === undefined || Number.isNaN(l.endOffset)) return undefined;
    return this.withFile({
      start: this.pos(l.startLine, l.startColumn ?? 1, l.startOffset),
      end: this.pos(l.endLine ?? l.startLine, (l.endColumn ?? 0) + 1, l.endOffset + 1),
    });
  }

  withFile(r: Range): Range {
    if (this.opts.file !== undefined) r.file = this.opts.file;
    return r;
  }

  // ---------------------------------------------------------------------------------------------
  // Comments

  /** Registers a comment place spanning the given CST parts (nodes or tokens). */
  slot(parts: (CstNode | IToken | undefined)[], attach: (c: Comments) => void): void {
    let start = Infinity;
    let end = -Infinity;
    for (const p of parts) {
      if (!p) continue;
      const [s, e] = isToken(p) ? [p.startOffset, p.endOffset] : [p.location?.startOffset, p.location?.endOffset];
      if (s === undefined || e === undefined || Number.isNaN(s) || Number.isNaN(e)) continue;
      start = Math.min(start, s);
      end = Math.max(end, e + 1);
    }
    if (start < end) this.slots.push({ start, end, attach });
  }

  /** Registers a comment place spanning every child of a CST node. */
  slotCtx(ctx: Ctx, attach: (c: Comments) => void): void {
    this.slot(Object.values(ctx).flatMap((l) => l ?? []), attach);
  }

  /**
   * Attaches comments to the slots met while visiting. A comment after code on its line is the
   * `trailing` comment of the innermost slot holding that code, when nothing more of that slot's
   * own line follows (else it leads that slot: it sat inside a multi-line expression or enum). A
   * comment on its own line leads the next slot inside the innermost slot around it, or that slot
   * itself when nothing follows inside it; after the last slot it is a trailing comment of the file.
   */
  attachComments(policy: PolicyAst, comments: IToken[], tokens: IToken[]): void {
    const slots = this.slots.sort((a, b) => a.start - b.start || b.end - a.end);
    const code = tokens.filter((t) => !Number.isNaN(t.startOffset));
    const found = new Map<Slot, { leading: string[]; trailing?: string }>();
    const entry = (s: Slot) => found.get(s) ?? found.set(s, { leading: [] }).get(s)!;
    const innermost = (offset: number) => {
      let best: Slot | undefined;
      for (const s of slots) if (s.start <= offset && offset < s.end) best = s; // sorted: later is deeper
      return best;
    };
    const trailingFile: string[] = [];
    let ti = 0;
    for (const c of comments) {
      const text = commentText(c.image);
      while (ti < code.length && code[ti].startOffset < c.startOffset) ti++;
      const prev = code[ti - 1];
      const next = code[ti];
      const nextSlot = slots.find((s) => s.start > c.startOffset);
      const around = innermost(c.startOffset);
      if (prev && prev.endLine === c.startLine) {
        const owner = innermost(prev.startOffset);
        if (owner) {
          const child = nextSlot && nextSlot.start < owner.end ? nextSlot : undefined;
          const ownLineGoesOn = next !== undefined && next.startOffset < owner.end && (!child || next.startOffset < child.start);
          if (ownLineGoesOn) entry(owner).leading.push(text);
          else {
            const e = entry(owner);
            if (e.trailing === undefined) e.trailing = text;
            else e.leading.push(text);
          }
          continue;
        }
      }
      if (nextSlot && (!around || nextSlot.start < around.end)) entry(nextSlot).leading.push(text);
      else if (around) entry(around).leading.push(text);
      else trailingFile.push(text);
    }
    for (const [s, e] of found) {
      const c: Comments = {};
      if (e.leading.length > 0) c.leading = e.leading;
      if (e.trailing !== undefined) c.trailing = e.trailing;
      s.attach(c);
    }
    if (trailingFile.length > 0) policy.trailingComments = trailingFile;
  }

  /**
   * Sets `blankLineBefore` on each fact or list field (after the first of its list) that the
   * author separated from the previous one by at least one empty line. Authors group facts by
   * article; this is the one piece of input layout the formatter keeps. `tokens` are all tokens,
   * comments included: a line holding none of them is blank.
   */
  markBlankLines(policy: PolicyAst, tokens: IToken[]): void {
    const used = new Set<number>();
    for (const t of tokens) {
      if (t.startLine === undefined || Number.isNaN(t.startLine)) continue;
      for (let l = t.startLine; l <= (t.endLine ?? t.startLine); l++) used.add(l);
    }
    const mark = (facts: FactDeclAst[]) => {
      for (let i = 0; i < facts.length; i++) {
        const f = facts[i];
        if (f.type.kind === 'list') mark(f.type.fields);
        const prev = facts[i - 1]?.loc?.end.line;
        const start = f.loc?.start.line;
        if (i === 0 || prev === undefined || start === undefined) continue;
        for (let l = prev + 1; l < start; l++) {
          if (!used.has(l)) {
            f.blankLineBefore = true;
            break;
          }
        }
      }
    };
    mark(policy.facts);
    for (const p of policy.parameters) if (p.type.kind === 'list') mark(p.type.fields);
  }

  span(a: Range | undefined, b: Range | undefined): Range | undefined {
    if (!a) return b;
    if (!b) return a;
    return this.withFile({ start: a.start, end: b.end });
  }

  str(t: IToken | undefined): string {
    return t ? unquote(t.image) : '';
  }

  date(t: IToken | undefined): string {
    if (!t || t.image === '') return '';
    if (!isValidDate(t.image)) this.diagnostics.push(diag('dsl.bad-date', this.tokenRange(t), { text: t.image }));
    return t.image;
  }

  // ---------------------------------------------------------------------------------------------
  // File structure

  policyFile(ctx: Ctx): PolicyAst {
    const header = nodeAt(ctx, 'header');
    const policy: PolicyAst = {
      ...(header ? (this.visit(header) as HeaderParts) : emptyHeader()),
      facts: [],
      parameters: [],
      definitions: [],
      rules: [],
      disabled: [],
    };
    this.policy = policy;
    this.slot([header], (c) => addComments(policy, 'comments', c));
    for (const t of nodes(ctx, 'factsSection').map((n) => tokenAt(n.children as Ctx, 'Facts'))) {
      // Every `facts` keyword prints as the one `facts` line.
      this.slot([t], (c) => addComments((policy.clauseComments ??= {}), 'facts', c));
    }
    for (const n of nodes(ctx, 'factsSection')) policy.facts.push(...(this.visit(n) as FactDeclAst[]));
    for (const n of nodes(ctx, 'parameterDecl')) policy.parameters.push(this.visit(n) as ParameterAst);
    for (const n of nodes(ctx, 'letDecl')) policy.definitions.push(this.visit(n) as DefinitionAst);
    for (const n of nodes(ctx, 'ruleDecl')) policy.rules.push(this.visit(n) as RuleAst);
    for (const n of nodes(ctx, 'disableDecl')) policy.disabled.push(this.visit(n) as DisabledAst);
    const complete = nodes(ctx, 'completeDecl').map((n) => this.visit(n) as CompleteAst);
    if (complete.length) policy.complete = complete.sort((a, b) => (a.loc?.start.offset ?? 0) - (b.loc?.start.offset ?? 0));
    const tables = nodes(ctx, 'tableDecl').map((n) => this.visit(n) as TableAst);
    if (tables.length) policy.tables = tables.sort((a, b) => (a.loc?.start.offset ?? 0) - (b.loc?.start.offset ?? 0));
    const scorecards = nodes(ctx, 'scorecardDecl').map((n) => this.visit(n) as ScorecardAst);
    if (scorecards.length) policy.scorecards = scorecards.sort((a, b) => (a.loc?.start.offset ?? 0) - (b.loc?.start.offset ?? 0));
    // Chevrotain groups children by rule name, so restore source order within each kind.
    const byStart = (a: { loc?: Range }, b: { loc?: Range }) => (a.loc?.start.offset ?? 0) - (b.loc?.start.offset ?? 0);
    policy.facts.sort(byStart);
    policy.parameters.sort(byStart);
    policy.definitions.sort(byStart);
    policy.rules.sort(byStart);
    policy.disabled.sort(byStart);
    return policy;
  }

  header(ctx: Ctx): HeaderParts {
    const idTok = tokenAt(ctx, 'StringLit');
    const parts: HeaderParts = { ...emptyHeader(), id: this.str(idTok) };
    const headerLoc = this.tokenRange(tokenAt(ctx, 'Policy'));
    if (headerLoc) parts.loc = headerLoc;
    const seen = new Set<string>();
    const clauseSlot = (n: CstNode, key: 'title' | 'jurisdiction' | 'version' | 'effective') =>
      this.slot([n], (c) => addComments((this.policy!.clauseComments ??= {}), key, c));
    const once = (clause: string, n: CstNode) => {
      if (seen.has(clause)) {
        this.diagnostics.push(
          diag('dsl.duplicate-clause', this.nodeRange(n), { clause, whereZh: '政策头', whereEn: 'the policy header' }),
        );
      }
      seen.add(clause);
    };
    for (const n of nodes(ctx, 'titleClause')) {
      once('title', n);
      clauseSlot(n, 'title');
      const c = n.children as Ctx;
      parts.title = this.str(tokenAt(c, 'StringLit'));
      const en = nodeAt(c, 'enText');
      if (en) parts.titleEn = this.visit(en) as string;
    }
    for (const n of nodes(ctx, 'jurisdictionClause')) {
      once('jurisdiction', n);
      clauseSlot(n, 'jurisdiction');
      const c = n.children as Ctx;
      parts.jurisdiction = tokenAt(c, 'Identifier')?.image ?? this.str(tokenAt(c, 'StringLit'));
    }
    for (const n of nodes(ctx, 'versionClause')) {
      once('version', n);
      clauseSlot(n, 'version');
      parts.version = this.str(tokenAt(n.children as Ctx, 'StringLit'));
    }
    for (const n of nodes(ctx, 'effectiveClause')) {
      once('effective', n);
      clauseSlot(n, 'effective');
      const c = n.children as Ctx;
      parts.effectiveFrom = this.date(tokenAt(c, 'from'));
      const until = tokenAt(c, 'until');
      if (until) parts.effectiveUntil = this.date(until);
    }
    for (const n of nodes(ctx, 'extendsClause')) {
      once('extends', n);
      const ref = this.policyRef(tokenAt(n.children as Ctx, 'StringLit'), false);
      if (ref) {
        parts.extends = ref;
        this.slot([n], (c) => addComments(ref, 'comments', c));
      }
    }
    for (const n of nodes(ctx, 'supersedesClause')) {
      const ref = this.policyRef(tokenAt(n.children as Ctx, 'StringLit'), true);
      if (ref) {
        parts.supersedes.push(ref);
        this.slot([n], (c) => addComments(ref, 'comments', c));
      }
    }
    for (const n of nodes(ctx, 'sourceClause')) parts.sources.push(this.visit(n) as SourceAst);
    if (idTok && idTok.image !== '') {
      const required: [string, string][] = [
        ['title', 'title "甘肃省精准扶贫专项贷款工程操作指南"'],
        ['jurisdiction', 'jurisdiction gansu'],
        ['version', 'version "2017.1"'],
        ['effective', 'effective from 2017-08-01'],
      ];
      for (const [clause, example] of required) {
        if (!seen.has(clause)) {
          this.diagnostics.push(
            diag('dsl.missing-clause', headerLoc, { clause, example, whereZh: '政策头', whereEn: 'the policy header' }),
          );
        }
      }
    }
    return parts;
  }

  policyRef(t: IToken | undefined, needVersion: boolean): PolicyRefAst | undefined {
    if (!t || t.image === '') return undefined;
    const text = this.str(t);
    const at = text.lastIndexOf('@');
    const ref: PolicyRefAst = at >= 0 ? { policy: text.slice(0, at), version: text.slice(at + 1) } : { policy: text };
    if (!/^[^/\s@]+\/[^\s@]+$/.test(ref.policy) || ref.version === '' || (needVersion && ref.version === undefined)) {
      this.diagnostics.push(diag('dsl.bad-policy-ref', this.tokenRange(t), { text: t.image }));
    }
    const loc = this.tokenRange(t);
    if (loc) ref.loc = loc;
    return ref;
  }

  titleClause(): void {
    // Read by `header` directly; present so validateVisitor finds every rule.
  }
  jurisdictionClause(): void {}
  versionClause(): void {}
  effectiveClause(): void {}
  extendsClause(): void {}
  supersedesClause(): void {}

  enText(ctx: Ctx): string {
    return this.str(tokenAt(ctx, 'StringLit'));
  }

  sourceClause(ctx: Ctx): SourceAst {
    const s: SourceAst = { key: tokenAt(ctx, 'Identifier')?.image ?? '', title: this.str(tokenAt(ctx, 'title')) };
    const num = tokenAt(ctx, 'number');
    if (num) s.number = this.str(num);
    this.slotCtx(ctx, (c) => addComments(s, 'comments', c));
    return this.located(s, ctx);
  }

  /** Sets `loc` from the node currently visited (its children's span). */
  located<T extends { loc?: Range }>(x: T, ctx: Ctx): T {
    let first: Range | undefined;
    let last: Range | undefined;
    for (const list of Object.values(ctx)) {
      for (const child of list ?? []) {
        const r = isToken(child) ? this.tokenRange(child) : this.nodeRange(child);
        if (!r) continue;
        if (!first || r.start.offset < first.start.offset) first = r;
        if (!last || r.end.offset > last.end.offset) last = r;
      }
    }
    const loc = this.span(first, last);
    if (loc) x.loc = loc;
    return x;
  }

  // ---------------------------------------------------------------------------------------------
  // Declarations

  factsSection(ctx: Ctx): FactDeclAst[] {
    return nodes(ctx, 'factDecl').map((n) => this.visit(n) as FactDeclAst);
  }

  factDecl(ctx: Ctx): FactDeclAst {
    const f: FactDeclAst = {
      name: tokenAt(ctx, 'Identifier')?.image ?? '',
      label: this.str(tokenAt(ctx, 'StringLit')),
      type: this.typeOf(nodeAt(ctx, 'typeRef')),
    };
    const en = nodeAt(ctx, 'enText');
    if (en) f.labelEn = this.visit(en) as string;
    for (const m of tokens(ctx, 'mark')) f[FACT_MARK_BY_WORD.get(m.image) as 'personal' | 'subject'] = true;
    this.slotCtx(ctx, (c) => addComments(f, 'comments', c));
    return this.located(f, ctx);
  }

  typeOf(n: CstNode | undefined): TypeAst {
    return n ? (this.visit(n) as TypeAst) : { kind: 'string' };
  }

  typeRef(ctx: Ctx): TypeAst {
    let t: TypeAst;
    if (ctx.Enum) {
      t = {
        kind: 'enum',
        values: nodes(ctx, 'enumValue').map((n) => this.visit(n) as { value: string; label: string; labelEn?: string; loc?: Range }),
      };
    } else if (ctx.ListOf) {
      t = { kind: 'list', fields: nodes(ctx, 'factDecl').map((n) => this.visit(n) as FactDeclAst) };
    } else if (ctx.DocNumber) {
      t = { kind: 'number' };
    } else {
      const word = tokenAt(ctx, 'Identifier');
      const kind = TYPE_BY_WORD.get(word?.image ?? '');
      if (kind === undefined) {
        if (word && word.image !== '') this.diagnostics.push(diag('dsl.unknown-type', this.tokenRange(word), { text: word.image }));
        t = { kind: 'string' };
      } else {
        t = { kind: kind as 'boolean' };
      }
    }
    return this.located(t, ctx);
  }

  enumValue(ctx: Ctx): { value: string; label: string; labelEn?: string; loc?: Range } {
    const valueTok = tokenAt(ctx, 'Identifier');
    const v: { value: string; label: string; labelEn?: string; loc?: Range } = {
      value: valueTok ? valueTok.image : this.str(tokenAt(ctx, 'value')),
      label: this.str(tokenAt(ctx, 'StringLit')),
    };
    const en = nodeAt(ctx, 'enText');
    if (en) v.labelEn = this.visit(en) as string;
    return this.located(v, ctx);
  }

  parameterDecl(ctx: Ctx): ParameterAst {
    const p: ParameterAst = {
      name: tokenAt(ctx, 'Identifier')?.image ?? '',
      label: this.str(tokenAt(ctx, 'StringLit')),
      type: this.typeOf(nodeAt(ctx, 'typeRef')),
      values: nodes(ctx, 'parameterValue').map((n) => this.visit(n) as ParameterAst['values'][number]),
    };
    const en = nodeAt(ctx, 'enText');
    if (en) p.labelEn = this.visit(en) as string;
    this.slotCtx(ctx, (c) => addComments(p, 'comments', c));
    return this.located(p, ctx);
  }

  parameterValue(ctx: Ctx): ParameterAst['values'][number] {
    const lit = nodeAt(ctx, 'literal');
    const v: ParameterAst['values'][number] = {
      from: this.date(tokenAt(ctx, 'DateLit')),
      value: lit ? (this.visit(lit) as ExprAst) : missingExpr(),
    };
    const cites = nodeAt(ctx, 'citesClause');
    if (cites) v.cites = this.visit(cites) as CitationAst;
    this.slotCtx(ctx, (c) => addComments(v, 'comments', c));
    return this.located(v, ctx);
  }

  literal(ctx: Ctx): ExprAst {
    const e = this.literalToken(ctx);
    if (!ctx.Minus) return e;
    return this.negateLiteral(e, this.span(this.tokenRange(tokenAt(ctx, 'Minus')), e.loc));
  }

  letDecl(ctx: Ctx): DefinitionAst {
    const n = nodeAt(ctx, 'namedExpr');
    const d = n ? (this.visit(n) as DefinitionAst) : { name: '', expr: missingExpr() };
    this.slotCtx(ctx, (c) => addComments(d, 'comments', c));
    return this.located(d, ctx);
  }

  namedExpr(ctx: Ctx): DefinitionAst {
    const e = nodeAt(ctx, 'expression');
    const d: DefinitionAst = { name: tokenAt(ctx, 'Identifier')?.image ?? '', expr: e ? (this.visit(e) as ExprAst) : missingExpr() };
    const label = tokenAt(ctx, 'StringLit');
    if (label) d.label = this.str(label);
    const en = nodeAt(ctx, 'enText');
    if (en) d.labelEn = this.visit(en) as string;
    return this.located(d, ctx);
  }

  completeDecl(ctx: Ctx): CompleteAst {
    const d: CompleteAst = { rules: tokens(ctx, 'Identifier').map((t) => t.image), reason: this.str(tokenAt(ctx, 'StringLit')) };
    this.slotCtx(ctx, (c) => addComments(d, 'comments', c));
    return this.located(d, ctx);
  }

  disableDecl(ctx: Ctx): DisabledAst {
    const d: DisabledAst = { rule: tokenAt(ctx, 'Identifier')?.image ?? '', reason: this.str(tokenAt(ctx, 'StringLit')) };
    this.slotCtx(ctx, (c) => addComments(d, 'comments', c));
    return this.located(d, ctx);
  }

  // ---------------------------------------------------------------------------------------------
  // Rules

  ruleDecl(ctx: Ctx): RuleAst {
    const whenNode = nodeAt(ctx, 'expression');
    const outcomeNode = nodeAt(ctx, 'outcome');
    const r: RuleAst = {
      id: tokenAt(ctx, 'Identifier')?.image ?? '',
      title: this.str(tokenAt(ctx, 'StringLit')),
      lets: nodes(ctx, 'letDecl').map((n) => this.visit(n) as DefinitionAst),
      when: whenNode ? (this.visit(whenNode) as ExprAst) : missingExpr(),
      then: outcomeNode
        ? (this.visit(outcomeNode) as OutcomeAst)
        : { kind: '', message: { zh: '' }, consequences: [], computed: [] },
    };
    const en = nodeAt(ctx, 'enText');
    if (en) r.titleEn = this.visit(en) as string;
    const cites = nodes(ctx, 'citesClause');
    if (cites.length > 0) r.cites = this.visit(cites[0]) as CitationAst;
    if (cites.length > 1) {
      this.diagnostics.push(
        diag('dsl.duplicate-clause', this.nodeRange(cites[1]), { clause: 'cites', whereZh: `规则 ${r.id} `, whereEn: `rule ${r.id}` }),
      );
    }
    const exc = nodes(ctx, 'exceptionClause');
    if (exc.length > 0) r.exceptionTo = this.visit(exc[0]) as string;
    if (ctx.Overrides) r.overrides = true;
    this.slotCtx(ctx, (c) => addComments(r, 'comments', c));
    // A repeated `cites` has been reported; its comments join the first one's.
    const firstCites = r.cites;
    if (firstCites) for (const n of cites) this.slot([n], (c) => addComments(firstCites, 'comments', c));
    for (const n of exc) this.slot([n], (c) => addComments((r.clauseComments ??= {}), 'exceptionTo', c));
    for (const t of tokens(ctx, 'Overrides')) this.slot([t], (c) => addComments((r.clauseComments ??= {}), 'overrides', c));
    this.slot([tokenAt(ctx, 'When'), whenNode], (c) => addComments(r.when, 'comments', c));
    this.slot([tokenAt(ctx, 'Then'), outcomeNode], (c) => addComments(r.then, 'comments', c));
    return this.located(r, ctx);
  }

  citesClause(ctx: Ctx): CitationAst {
    const c: CitationAst = { source: tokenAt(ctx, 'Identifier')?.image ?? '', article: this.str(tokenAt(ctx, 'article')) };
    const q = tokenAt(ctx, 'quote');
    if (q) c.quote = this.str(q);
    return this.located(c, ctx);
  }

  exceptionClause(ctx: Ctx): string {
    return tokenAt(ctx, 'Identifier')?.image ?? '';
  }

  outcome(ctx: Ctx): OutcomeAst {
    const kindTok = tokenAt(ctx, 'kind');
    const kindWord = kindTok?.image ?? '';
    const o: OutcomeAst = {
      // Unknown words pass through: lowering reports them against the list of kinds.
      kind: OUTCOME_BY_WORD.get(kindWord) ?? kindWord,
      message: { zh: '' },
      consequences: [],
      computed: [],
    };
    const sevTok = tokenAt(ctx, 'severity');
    if (sevTok) o.severity = SEVERITY_BY_WORD.get(sevTok.image) ?? sevTok.image;
    const messages = nodes(ctx, 'messageClause');
    if (messages.length > 0) o.message = this.visit(messages[0]) as { zh: string; en?: string };
    else if (kindTok && kindWord !== '') {
      this.diagnostics.push(
        diag('dsl.missing-clause', this.tokenRange(kindTok), {
          clause: 'message',
          example: 'message "…" en "…"',
          whereZh: '规则结果',
          whereEn: 'the outcome',
        }),
      );
    }
    if (messages.length > 1) {
      this.diagnostics.push(
        diag('dsl.duplicate-clause', this.nodeRange(messages[1]), { clause: 'message', whereZh: '规则结果', whereEn: 'the outcome' }),
      );
    }
    for (const n of nodes(ctx, 'consequencesClause')) o.consequences.push(...(this.visit(n) as string[]));
    o.computed = nodes(ctx, 'computeClause').map((n) => this.visit(n) as DefinitionAst);
    for (const n of messages) this.slot([n], (c) => addComments((o.clauseComments ??= {}), 'message', c));
    for (const n of nodes(ctx, 'consequencesClause')) this.slot([n], (c) => addComments((o.clauseComments ??= {}), 'consequences', c));
    return this.located(o, ctx);
  }

  messageClause(ctx: Ctx): { zh: string; en?: string } {
    const m: { zh: string; en?: string } = { zh: this.str(tokenAt(ctx, 'StringLit')) };
    const en = nodeAt(ctx, 'enText');
    if (en) m.en = this.visit(en) as string;
    return m;
  }

  consequencesClause(ctx: Ctx): string[] {
    return tokens(ctx, 'StringLit').map((t) => this.str(t));
  }

  computeClause(ctx: Ctx): DefinitionAst {
    const n = nodeAt(ctx, 'namedExpr');
    const d = n ? (this.visit(n) as DefinitionAst) : { name: '', expr: missingExpr() };
    this.slotCtx(ctx, (c) => addComments(d, 'comments', c));
    return this.located(d, ctx);
  }

  // ---------------------------------------------------------------------------------------------
  // Decision tables and scorecards

  /** Rows in source order (Chevrotain groups children by rule, so they are sorted by offset). */
  rows(ctx: Ctx): TableRowAst[] {
    return nodes(ctx, 'tableRow')
      .map((n) => this.visit(n) as TableRowAst)
      .sort((a, b) => (a.loc?.start.offset ?? 0) - (b.loc?.start.offset ?? 0));
  }

  /** The columns of the (first) `columns` clause; a repeated clause is reported. */
  columnsOf(ctx: Ctx, where: { zh: string; en: string }): { columns: ExprAst[]; node?: CstNode } {
    const cols = nodes(ctx, 'columnsClause');
    if (cols.length > 1) {
      this.diagnostics.push(diag('dsl.duplicate-clause', this.nodeRange(cols[1]), { clause: 'columns', whereZh: where.zh, whereEn: where.en }));
    }
    return cols.length ? { columns: this.visit(cols[0]) as ExprAst[], node: cols[0] } : { columns: [] };
  }

  /** Comments of the line from `first` up to (not including) the next clause. */
  headSlot(ctx: Ctx, names: string[], attach: (c: Comments) => void): void {
    this.slot(names.flatMap((n) => ctx[n] ?? []), attach);
  }

  tableDecl(ctx: Ctx): TableAst {
    const id = tokenAt(ctx, 'Identifier')?.image ?? '';
    const t: TableAst = { id, title: this.str(tokenAt(ctx, 'StringLit')), hit: 'first', columns: [], rows: this.rows(ctx) };
    const en = nodeAt(ctx, 'enText');
    if (en) t.titleEn = this.visit(en) as string;
    const where = { zh: `决策表 ${id} `, en: `table ${id}` };
    const hits = nodes(ctx, 'hitClause');
    if (hits.length > 0) Object.assign(t, this.visit(hits[0]) as { hit: string; aggregate?: string });
    else if (id !== '') {
      this.diagnostics.push(
        diag('dsl.missing-clause', this.tokenRange(tokenAt(ctx, 'Table')), { clause: 'hit', example: 'hit first', whereZh: where.zh, whereEn: where.en }),
      );
    }
    if (hits.length > 1) this.diagnostics.push(diag('dsl.duplicate-clause', this.nodeRange(hits[1]), { clause: 'hit', whereZh: where.zh, whereEn: where.en }));
    const cols = this.columnsOf(ctx, where);
    t.columns = cols.columns;
    const completes = nodes(ctx, 'tableComplete');
    if (completes.length > 0) t.complete = this.visit(completes[0]) as string;
    if (completes.length > 1) this.diagnostics.push(diag('dsl.duplicate-clause', this.nodeRange(completes[1]), { clause: 'complete', whereZh: where.zh, whereEn: where.en }));
    this.headSlot(ctx, ['Table', 'Identifier', 'StringLit', 'enText'], (c) => addComments(t, 'comments', c));
    for (const n of hits) this.slot([n], (c) => addComments((t.clauseComments ??= {}), 'hit', c));
    if (cols.node) this.slot([cols.node], (c) => addComments((t.clauseComments ??= {}), 'columns', c));
    for (const n of completes) this.slot([n], (c) => addComments((t.clauseComments ??= {}), 'complete', c));
    return this.located(t, ctx);
  }

  hitClause(ctx: Ctx): { hit: string; aggregate?: string } {
    const word = tokenAt(ctx, 'policy')?.image ?? '';
    const out: { hit: string; aggregate?: string } = { hit: HIT_BY_WORD.get(word) ?? word };
    const agg = tokenAt(ctx, 'aggregate');
    if (agg) out.aggregate = FUNCTION_BY_WORD.get(agg.image) ?? agg.image;
    return out;
  }

  columnsClause(ctx: Ctx): ExprAst[] {
    return nodes(ctx, 'expression').map((n) => this.visit(n) as ExprAst);
  }

  tableComplete(ctx: Ctx): string {
    return this.str(tokenAt(ctx, 'StringLit'));
  }

  tableRow(ctx: Ctx): TableRowAst {
    const r: TableRowAst = { cells: nodes(ctx, 'tableCell').map((n) => this.visit(n) as CellAst) };
    const id = tokenAt(ctx, 'Identifier');
    if (id) r.id = id.image;
    const gives = nodeAt(ctx, 'expression');
    if (gives) r.gives = this.visit(gives) as ExprAst;
    const cites = nodeAt(ctx, 'citesClause');
    if (cites) r.cites = this.visit(cites) as CitationAst;
    const outcome = nodeAt(ctx, 'outcome');
    if (outcome) r.then = this.visit(outcome) as OutcomeAst;
    this.headSlot(ctx, ['Row', 'Identifier', 'Colon', 'tableCell', 'Comma', 'Gives', 'expression'], (c) => addComments(r, 'comments', c));
    const rc = r.cites;
    if (rc && cites) this.slot([cites], (c) => addComments(rc, 'comments', c));
    const ro = r.then;
    if (ro) this.slot([tokenAt(ctx, 'Then'), outcome], (c) => addComments(ro, 'comments', c));
    return this.located(r, ctx);
  }

  tableCell(ctx: Ctx): CellAst {
    const op = tokenAt(ctx, 'op');
    if (op) return this.located<CellAst>({ op: COMPARE_OP[op.tokenType.name], value: this.sub(ctx, 'value') }, ctx);
    if (ctx.Between) {
      const lowBound = nodeAt(ctx, 'lowBound');
      const highBound = nodeAt(ctx, 'highBound');
      return this.located<CellAst>(
        {
          op: 'between',
          low: this.sub(ctx, 'low'),
          high: this.sub(ctx, 'high'),
          lowInclusive: lowBound ? (this.visit(lowBound) as boolean) : true,
          highInclusive: highBound ? (this.visit(highBound) as boolean) : true,
        },
        ctx,
      );
    }
    if (ctx.In || ctx.NotIn) {
      const list = nodeAt(ctx, 'optionList');
      return this.located<CellAst>({ op: ctx.NotIn ? 'not in' : 'in', options: list ? (this.visit(list) as ExprAst[]) : [] }, ctx);
    }
    const value = this.sub(ctx, 'value');
    if (value.type === 'name' && ANY_CELL_WORDS.includes(value.name)) return this.located<CellAst>({ op: 'any' }, ctx);
    return this.located<CellAst>({ op: '==', value }, ctx);
  }

  scorecardDecl(ctx: Ctx): ScorecardAst {
    const id = tokenAt(ctx, 'Identifier')?.image ?? '';
    const s: ScorecardAst = {
      id,
      title: this.str(tokenAt(ctx, 'StringLit')),
      indicators: nodes(ctx, 'indicatorDecl')
        .map((n) => this.visit(n) as IndicatorAst)
        .sort((a, b) => (a.loc?.start.offset ?? 0) - (b.loc?.start.offset ?? 0)),
      grades: [],
    };
    const en = nodeAt(ctx, 'enText');
    if (en) s.titleEn = this.visit(en) as string;
    const grades = nodes(ctx, 'gradesClause');
    if (grades.length > 0) s.grades = this.visit(grades[0]) as TableRowAst[];
    if (grades.length > 1) {
      this.diagnostics.push(diag('dsl.duplicate-clause', this.nodeRange(grades[1]), { clause: 'grades', whereZh: `评分表 ${id} `, whereEn: `scorecard ${id}` }));
    }
    this.headSlot(ctx, ['Scorecard', 'Identifier', 'StringLit', 'enText'], (c) => addComments(s, 'comments', c));
    const g = grades[0] ? tokenAt(grades[0].children as Ctx, 'Grades') : undefined;
    if (g) this.slot([g], (c) => addComments((s.clauseComments ??= {}), 'grades', c));
    return this.located(s, ctx);
  }

  indicatorDecl(ctx: Ctx): IndicatorAst {
    const id = tokenAt(ctx, 'Identifier')?.image ?? '';
    const cols = this.columnsOf(ctx, { zh: `指标 ${id} `, en: `indicator ${id}` });
    const ind: IndicatorAst = { id, label: this.str(tokenAt(ctx, 'StringLit')), columns: cols.columns, rows: this.rows(ctx) };
    const en = nodeAt(ctx, 'enText');
    if (en) ind.labelEn = this.visit(en) as string;
    this.headSlot(ctx, ['Indicator', 'Identifier', 'StringLit', 'enText'], (c) => addComments(ind, 'comments', c));
    if (cols.node) this.slot([cols.node], (c) => addComments((ind.clauseComments ??= {}), 'columns', c));
    return this.located(ind, ctx);
  }

  gradesClause(ctx: Ctx): TableRowAst[] {
    return this.rows(ctx);
  }

  // ---------------------------------------------------------------------------------------------
  // Expressions

  sub(ctx: Ctx, name: string, i = 0): ExprAst {
    const n = nodeAt(ctx, name, i);
    return n ? (this.visit(n) as ExprAst) : missingExpr();
  }

  expression(ctx: Ctx): ExprAst {
    return ctx.ifExpr ? this.sub(ctx, 'ifExpr') : this.sub(ctx, 'orExpr');
  }

  ifExpr(ctx: Ctx): ExprAst {
    return this.located(
      { type: 'if', cond: this.sub(ctx, 'cond'), then: this.sub(ctx, 'then'), else: this.sub(ctx, 'else') } as ExprAst,
      ctx,
    );
  }

  orExpr(ctx: Ctx): ExprAst {
    const args = nodes(ctx, 'andExpr').map((n) => this.visit(n) as ExprAst);
    if (args.length === 1) return args[0];
    return this.located({ type: 'or', args } as ExprAst, ctx);
  }

  andExpr(ctx: Ctx): ExprAst {
    const args = nodes(ctx, 'notExpr').map((n) => this.visit(n) as ExprAst);
    if (args.length === 1) return args[0];
    return this.located({ type: 'and', args } as ExprAst, ctx);
  }

  notExpr(ctx: Ctx): ExprAst {
    if (ctx.Not) return this.located({ type: 'not', arg: this.sub(ctx, 'notExpr') } as ExprAst, ctx);
    return this.sub(ctx, 'comparison');
  }

  comparison(ctx: Ctx): ExprAst {
    const value = this.sub(ctx, 'value');
    const op = tokenAt(ctx, 'op');
    if (op) {
      return this.located({ type: 'compare', op: COMPARE_OP[op.tokenType.name], left: value, right: this.sub(ctx, 'right') } as ExprAst, ctx);
    }
    if (ctx.Between) {
      const lowBound = nodeAt(ctx, 'lowBound');
      const highBound = nodeAt(ctx, 'highBound');
      return this.located(
        {
          type: 'between',
          value,
          low: this.sub(ctx, 'low'),
          high: this.sub(ctx, 'high'),
          // Both bounds are included unless written `exclusive` / `不含`.
          lowInclusive: lowBound ? (this.visit(lowBound) as boolean) : true,
          highInclusive: highBound ? (this.visit(highBound) as boolean) : true,
        } as ExprAst,
        ctx,
      );
    }
    if (ctx.In || ctx.NotIn) {
      const list = nodeAt(ctx, 'optionList');
      const e = { type: 'in', value, options: list ? (this.visit(list) as ExprAst[]) : [] } as ExprAst & { negated?: boolean };
      if (ctx.NotIn) e.negated = true;
      return this.located(e, ctx);
    }
    return value;
  }

  bound(ctx: Ctx): boolean {
    return ctx.Inclusive !== undefined;
  }

  optionList(ctx: Ctx): ExprAst[] {
    return nodes(ctx, 'expression').map((n) => this.visit(n) as ExprAst);
  }

  binaryChain(ctx: Ctx, operand: string): ExprAst {
    const operands = nodes(ctx, operand).map((n) => this.visit(n) as ExprAst);
    const ops = tokens(ctx, 'op');
    let acc = operands[0] ?? missingExpr();
    for (let i = 1; i < operands.length; i++) {
      const right = operands[i];
      const e = { type: 'arith', op: ARITH_OP[ops[i - 1]?.tokenType.name ?? 'Plus'], left: acc, right } as ExprAst;
      const loc = this.span(acc.loc, right.loc);
      if (loc) e.loc = loc;
      acc = e;
    }
    return acc;
  }

  additive(ctx: Ctx): ExprAst {
    return this.binaryChain(ctx, 'multiplicative');
  }

  multiplicative(ctx: Ctx): ExprAst {
    return this.binaryChain(ctx, 'unary');
  }

  unary(ctx: Ctx): ExprAst {
    if (!ctx.Minus) return this.sub(ctx, 'primary');
    const inner = nodeAt(ctx, 'unary');
    const arg = this.sub(ctx, 'unary');
    const loc = this.span(this.tokenRange(tokenAt(ctx, 'Minus')), arg.loc);
    // `-3` written directly is a negative literal; `-(3)` stays a negation (so both print back).
    const prim = inner && nodeAt(inner.children as Ctx, 'primary');
    const primCtx = prim?.children as Ctx | undefined;
    if (primCtx && (primCtx.NumberLit || primCtx.BadNumber || primCtx.CnFraction)) return this.negateLiteral(arg, loc);
    const e = { type: 'neg', arg } as ExprAst;
    if (loc) e.loc = loc;
    return e;
  }

  negateLiteral(e: ExprAst, loc: Range | undefined): ExprAst {
    let out: ExprAst;
    switch (e.type) {
      case 'number':
        out = { ...e, value: -e.value };
        break;
      case 'money':
        out = { ...e, yuan: -e.yuan };
        break;
      case 'percent':
        out = { ...e, value: -e.value };
        break;
      case 'duration':
        out = { ...e, amount: -e.amount };
        break;
      default:
        out = { type: 'neg', arg: e };
    }
    if (loc) out.loc = loc;
    else delete out.loc;
    return out;
  }

  primary(ctx: Ctx): ExprAst {
    if (ctx.expression) return this.sub(ctx, 'expression');
    const id = tokenAt(ctx, 'Identifier');
    if (id) {
      const args = nodeAt(ctx, 'callArgs');
      if (!args) return this.located({ type: 'name', name: id.image } as ExprAst, ctx);
      const { list, where } = this.visit(args) as { list: ExprAst[]; where?: ExprAst };
      // Unknown function names pass through; lowering reports them.
      const call = { type: 'call', fn: FUNCTION_BY_WORD.get(id.image) ?? id.image, args: list } as ExprAst & { where?: ExprAst };
      if (where) call.where = where;
      return this.located(call, ctx);
    }
    return this.literalToken(ctx);
  }

  callArgs(ctx: Ctx): { list: ExprAst[]; where?: ExprAst } {
    const list = nodes(ctx, 'args').map((n) => this.visit(n) as ExprAst);
    const w = nodeAt(ctx, 'where');
    return w ? { list, where: this.visit(w) as ExprAst } : { list };
  }

  /** A literal token of `primary` or `literal`. */
  literalToken(ctx: Ctx): ExprAst {
    let e: ExprAst;
    const num = tokenAt(ctx, 'NumberLit') ?? tokenAt(ctx, 'BadNumber');
    const str = tokenAt(ctx, 'StringLit');
    const dateTok = tokenAt(ctx, 'DateLit');
    const fraction = tokenAt(ctx, 'CnFraction');
    const notLiteral = tokenAt(ctx, 'notLiteral');
    if (num) e = this.numberLiteral(num);
    else if (fraction) e = this.fractionLiteral(fraction);
    else if (notLiteral) {
      this.diagnostics.push(diag('dsl.parameter-not-literal', this.tokenRange(notLiteral), { text: notLiteral.image }));
      e = missingExpr();
    }
    else if (str) e = { type: 'string', value: this.str(str) };
    else if (dateTok) e = { type: 'date', value: this.date(dateTok) };
    else if (ctx.True) e = { type: 'boolean', value: true };
    else if (ctx.False) e = { type: 'boolean', value: false };
    else if (ctx.AsOf) e = { type: 'asOf' };
    else e = missingExpr();
    return this.located(e, ctx);
  }

  /** 百分之五, 千分之三, 万分之五 (and with digits: 万分之2.5) as a percent. */
  fractionLiteral(t: IToken): ExprAst {
    const count = t.image.slice(3);
    const decimalText = /^\d/.test(count) ? count : chineseNumeral(count);
    if (decimalText === undefined) {
      this.diagnostics.push(diag('dsl.bad-number', this.tokenRange(t), { text: t.image, reasonZh: '中文数字写法有误', reasonEn: 'the Chinese numeral is not a number' }));
      return { type: 'percent', value: 0 };
    }
    const [int = '0', frac = ''] = decimalText.split('.');
    return { type: 'percent', value: scaleDecimal(int, frac, FRACTION_SHIFT[t.image[0]!]!).value };
  }

  numberLiteral(t: IToken): ExprAst {
    const range = this.tokenRange(t);
    const bad = (reasonZh: string, reasonEn: string) =>
      this.diagnostics.push(diag('dsl.bad-number', range, { text: t.image, reasonZh, reasonEn }));
    let image = t.image;
    if (t.tokenType.name === 'BadNumber') {
      if (image.includes(',')) bad('不要千位分隔符', 'no thousands separators');
      else bad('小数点多于一个', 'more than one decimal point');
      // Read what was probably meant: without separators, or up to the second decimal point.
      image = image.replace(/,/g, '').replace(/^(\d+\.\d+)(?:\.\d+)+/, '$1');
    }
    const m = /^(\d+)(?:\.(\d+))?[ \t]*(.*)$/.exec(image);
    if (!m) return { type: 'number', value: 0 };
    const [, int, frac = '', unit] = m;
    const { value, decimals } = scaleDecimal(int, frac, UNIT_SHIFT[unit] ?? 0);
    if (unit === '%' || unit === '‰') return { type: 'percent', value };
    if (unit === '元' || unit === '万元' || unit === '亿元' || unit === 'yuan') {
      if (decimals > 2) bad('金额最多两位小数(精确到分)', 'money has at most two decimals (to the fen)');
      return { type: 'money', yuan: value };
    }
    const durationUnit = DURATION_UNIT[unit];
    if (durationUnit) {
      if (!Number.isInteger(value)) bad('期限须为整数', 'a duration is a whole number');
      return { type: 'duration', amount: value, unit: durationUnit };
    }
    return Number.isInteger(value) ? { type: 'number', value, integer: true } : { type: 'number', value };
  }
}

const COMPARE_OP: Record<string, '==' | '!=' | '<' | '<=' | '>' | '>='> = {
  EqEq: '==',
  NotEq: '!=',
  Less: '<',
  LessEq: '<=',
  Greater: '>',
  GreaterEq: '>=',
};
const ARITH_OP: Record<string, '+' | '-' | '*' | '/'> = { Plus: '+', Minus: '-', Star: '*', Slash: '/' };

/** Stands in for an expression the parser could not read (an error has been reported). */
function missingExpr(): ExprAst {
  return { type: 'name', name: '' };
}

type HeaderParts = Omit<PolicyAst, 'facts' | 'parameters' | 'definitions' | 'rules' | 'disabled'>;

function emptyHeader(): HeaderParts {
  return { id: '', title: '', jurisdiction: '', version: '', effectiveFrom: '', supersedes: [], sources: [] };
}
