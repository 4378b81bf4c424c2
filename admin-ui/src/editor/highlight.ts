/**
 * The policy language's lexical classes for highlighting, one line at a time (strings and
 * comments never span lines). Shared by the read-only source view and the CodeMirror editor.
 * Keyword spellings come from `KEYWORDS` (dsl/), so a new keyword is highlighted without a change here.
 * Like the lexer, a keyword glued to a name is part of the name (`当年人数` is a name).
 */
import { KEYWORDS } from '../../../dsl/index.ts';

export type TokenClass =
  | 'comment'
  | 'string'
  | 'date'
  | 'number'
  | 'keyword'
  | 'type'
  | 'outcome'
  | 'severity'
  | 'function'
  | 'operator'
  | 'name'
  | 'punct'
  | 'space';

const WORD = /[\p{L}\p{N}_]+/uy;
const SPACE = /[ \t\u3000\uFEFF]+/y;
const COMMENT = /#.*/y;
const STRING = /"(?:[^"\\]|\\.)*"?|“[^”]*”?/y;
const DATE = /\d{4}-\d{1,2}-\d{1,2}(?![\p{L}\p{N}_])/uy;
const NUMBER = /\d+(?:\.\d+)?(?:%|万元|亿元|万|亿|元|个工作日|个月|天|年|(?:\s+(?:yuan|days|workdays|months|years)\b))?/y;
const OPERATOR = /==|!=|<=|>=|[<>=≠≤≥+\-*/]/y;

/** Word → class, built once from the keyword table. */
const WORD_CLASS = new Map<string, TokenClass>();
const MULTI_WORD: { re: RegExp; cls: TokenClass }[] = [];
for (const k of KEYWORDS) {
  const cls: TokenClass =
    k.category === 'type' ? 'type' : k.category === 'outcome' ? 'outcome' : k.category === 'severity' ? 'severity' : k.category === 'function' ? 'function' : 'keyword';
  for (const s of [k.en, ...k.zh]) {
    if (s.includes(' ')) MULTI_WORD.push({ re: new RegExp(`${s.split(' ').join('[ \\t]+')}(?![\\p{L}\\p{N}_])`, 'uy'), cls });
    else if (!WORD_CLASS.has(s)) WORD_CLASS.set(s, cls);
  }
}

function stickyAt(re: RegExp, line: string, pos: number): number {
  re.lastIndex = pos;
  return re.test(line) ? re.lastIndex : -1;
}

/** The class and end of the token starting at `pos` (always advances by at least one character). */
export function nextToken(line: string, pos: number): { end: number; cls: TokenClass } {
  let end: number;
  if ((end = stickyAt(SPACE, line, pos)) > pos) return { end, cls: 'space' };
  if ((end = stickyAt(COMMENT, line, pos)) > pos) return { end, cls: 'comment' };
  if ((end = stickyAt(STRING, line, pos)) > pos) return { end, cls: 'string' };
  if ((end = stickyAt(DATE, line, pos)) > pos) return { end, cls: 'date' };
  if (/\d/.test(line[pos])) {
    end = stickyAt(NUMBER, line, pos);
    // A number glued to letters that are not a unit (`2017年度`) still ends at the unit.
    return { end: end > pos ? end : pos + 1, cls: 'number' };
  }
  for (const m of MULTI_WORD) if ((end = stickyAt(m.re, line, pos)) > pos) return { end, cls: m.cls };
  if ((end = stickyAt(WORD, line, pos)) > pos) {
    const word = line.slice(pos, end);
    return { end, cls: WORD_CLASS.get(word) ?? 'name' };
  }
  if ((end = stickyAt(OPERATOR, line, pos)) > pos) return { end, cls: 'operator' };
  return { end: pos + 1, cls: 'punct' };
}

export interface Span {
  text: string;
  cls: TokenClass;
}

/** A whole line as spans (used by the read-only view). */
export function highlightLine(line: string): Span[] {
  const spans: Span[] = [];
  let pos = 0;
  while (pos < line.length) {
    const { end, cls } = nextToken(line, pos);
    const last = spans.at(-1);
    if (last && last.cls === cls && (cls === 'space' || cls === 'punct')) last.text += line.slice(pos, end);
    else spans.push({ text: line.slice(pos, end), cls });
    pos = end;
  }
  return spans;
}

/** Names a policy declares (facts, list fields, parameters, definitions, sources, rule ids), for completion. */
export function declaredNames(text: string): { name: string; kind: 'fact' | 'parameter' | 'definition' | 'source' | 'rule'; label?: string }[] {
  const out: { name: string; kind: 'fact' | 'parameter' | 'definition' | 'source' | 'rule'; label?: string }[] = [];
  const seen = new Set<string>();
  let inFacts = false;
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.replace(/#.*$/, '');
    const trimmed = line.trim();
    if (!trimmed) continue;
    const indent = /^[ \t\u3000]*/.exec(line)![0].length;
    const m = /^([\p{L}_][\p{L}\p{N}_]*)\s*(?:"([^"]*)"|“([^”]*)”)?/u.exec(trimmed);
    const first = m?.[1];
    const add = (name: string | undefined, kind: (typeof out)[number]['kind'], label?: string) => {
      if (!name || seen.has(`${kind}:${name}`) || WORD_CLASS.has(name)) return;
      seen.add(`${kind}:${name}`);
      out.push({ name, kind, label });
    };
    if (indent === 0) inFacts = first === 'facts' || first === '事实';
    const after = (kw: string[]) => {
      for (const k of kw) {
        const r = new RegExp(`^${k}\\s+([\\p{L}_][\\p{L}\\p{N}_]*)\\s*(?:"([^"]*)"|“([^”]*)”)?`, 'u').exec(trimmed);
        if (r) return r;
      }
      return null;
    };
    let r: RegExpExecArray | null;
    if ((r = after(['parameter', '参数']))) add(r[1], 'parameter', r[2] ?? r[3]);
    else if ((r = after(['let', '定义']))) add(r[1], 'definition', r[2] ?? r[3]);
    else if ((r = after(['rule', '规则']))) add(r[1], 'rule', r[2] ?? r[3]);
    else if ((r = after(['source', '来源']))) add(r[1], 'source', r[2] ?? r[3]);
    else if (inFacts && indent > 0 && m && /:|：/.test(trimmed) && !WORD_CLASS.has(first!)) add(first, 'fact', m[2] ?? m[3]);
    // fields of a `list of { … }` on one line: `a "x": money  b "y": integer`
    if (inFacts && /[{｛]/.test(trimmed)) {
      const inner = trimmed.slice(trimmed.search(/[{｛]/) + 1);
      for (const f of inner.matchAll(/([\p{L}_][\p{L}\p{N}_]*)\s*(?:"([^"]*)")?\s*[:：]/gu)) add(f[1], 'fact', f[2]);
    }
  }
  return out;
}
