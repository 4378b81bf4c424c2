/**
 * Every token of the policy language, in the one order the lexer tries them.
 *
 * Chevrotain's lexer takes the FIRST pattern that matches (not the longest), then, for tokens
 * with `longer_alt`, checks whether the alternative matches a longer text. The ordering rules:
 * - white space, line breaks and comments first: they never start like anything else;
 * - strings before unterminated strings (the unterminated form is a prefix of the full one);
 * - dates before bad numbers before numbers (`2017-08-01` starts with the number `2017`,
 *   `1,000` starts with `1`);
 * - keywords before `Identifier`, each with `longer_alt: Identifier` so `当年人数` and `rules`
 *   are names, not keyword + name;
 * - among keywords, one whose spelling extends another's comes first (`inclusive` before `in`,
 *   `否则` before `否`, `not in` before `not`); `orderKeywords` computes that order and a test
 *   checks it;
 * - two-character operators before their one-character prefixes (`==` before `=`, `<=` before `<`).
 *
 * Names are unicode (`\p{L}`); Chevrotain cannot analyse `u`-flag regexps, so those tokens use
 * sticky-regexp matchers (`stickyMatcher`) with `start_chars_hint` where a hint is possible.
 */
import { createToken, Lexer, type TokenType, type CustomPatternMatcherFunc } from 'chevrotain';

/** A matcher from a sticky unicode regexp, for patterns Chevrotain cannot analyse itself. */
function stickyMatcher(source: string): CustomPatternMatcherFunc {
  const re = new RegExp(source, 'uy');
  return (text, offset) => {
    re.lastIndex = offset;
    return re.exec(text);
  };
}

/** The end of a word: not followed by a letter, digit or `_` (used by multi-word keywords). */
const WORD_END = '(?![\\p{L}\\p{N}_])';

// ------------------------------------------------------------------------------------------------
// Trivia

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\u3000\uFEFF]+/, group: Lexer.SKIPPED });
export const NewLine = createToken({
  name: 'NewLine',
  pattern: /\r\n|\r|\n/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});
/** Comments are kept in a token group (not in the AST) so tools can find them by position. */
export const Comment = createToken({ name: 'Comment', pattern: /#[^\r\n]*/, group: 'comments' });

// ------------------------------------------------------------------------------------------------
// Literals

export const StringLit = createToken({
  name: 'StringLit',
  label: 'string/字符串',
  pattern: /"(?:[^"\\\r\n]|\\.)*"|“(?:[^”\\\r\n]|\\.)*”/,
});
/** A string that reaches the end of its line; reported as `dsl.unterminated-string`, then read as a string. */
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  label: 'string/字符串',
  pattern: /"(?:[^"\\\r\n]|\\.)*\\?|“(?:[^”\\\r\n]|\\.)*\\?/,
});
/** Loose on purpose (`2017-8-1`, `2017-13-01`): toAst checks it and reports `dsl.bad-date` with a hint. */
export const DateLit = createToken({ name: 'DateLit', label: 'date/日期', pattern: /\d{4}-\d{1,2}-\d{1,2}/ });
/** A unit written right after a number (`3%`, `5万元`, `30 days`); shared by the number tokens. */
const UNIT = '(?:%|‰|万元|亿元|万|亿|元|天|个工作日|个月|年|[ \\t]+(?:yuan|days?|workdays?|months?|years?)' + WORD_END + ')?';

/**
 * Thousands separators and doubled decimal points, with any unit: reported as `dsl.bad-number`,
 * then read as the number meant, so one mistake gives one diagnostic.
 */
export const BadNumber = createToken({
  name: 'BadNumber',
  label: 'number/数字',
  pattern: stickyMatcher('(?:\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+\\.\\d+(?:\\.\\d+)+)' + UNIT),
  start_chars_hint: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  line_breaks: false,
});
/** A number with an optional unit written right after it; toAst splits the image. */
export const NumberLit = createToken({
  name: 'NumberLit',
  label: 'number/数字',
  pattern: stickyMatcher('\\d+(?:\\.\\d+)?' + UNIT),
  start_chars_hint: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  line_breaks: false,
});

// ------------------------------------------------------------------------------------------------
// Names

export const Identifier = createToken({
  name: 'Identifier',
  label: 'name/名称',
  pattern: stickyMatcher('[\\p{L}_][\\p{L}\\p{N}_]*'),
  line_breaks: false,
});

/**
 * A fraction as officials write it: 百分之五 (5%), 千分之三 (0.3%), 万分之五 (0.05%), the count in
 * Chinese numerals or digits (百分之2.5, 万分之零点五). Glued to more letters it is a name
 * (longer_alt), so 百分之五十以上 stays a name.
 */
export const CnFraction = createToken({
  name: 'CnFraction',
  label: 'number/数字', // as NumberLit: "expected" lists stay as they were
  pattern: /[百千万]分之(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+(?:点[零〇一二三四五六七八九]+)?)/,
  longer_alt: Identifier,
});

// ------------------------------------------------------------------------------------------------
// Keywords: one token per keyword, English and Chinese spellings side by side.

export type KeywordCategory = 'header' | 'rule' | 'type' | 'operator' | 'outcome' | 'severity' | 'function';

export interface KeywordInfo {
  en: string;
  zh: string[];
  category: KeywordCategory;
}

interface KeywordToken {
  token: TokenType;
  spellings: string[];
}

const keywordTokens: KeywordToken[] = [];
const keywordInfo: KeywordInfo[] = [];
const keywordByName = new Map<string, KeywordInfo>();

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * One keyword token matching all its spellings. Within the alternation the longest spelling comes
 * first (`或者` before `或`), since a regexp alternation also takes the first match.
 * A spelling with a space (`list of`) matches any run of blanks and must end a word.
 */
function keyword(name: string, en: string[], zh: string[], category: KeywordCategory): TokenType {
  const spellings = [...en, ...zh];
  const sorted = [...spellings].sort((a, b) => b.length - a.length);
  const multiWord = spellings.some((s) => s.includes(' '));
  const alternatives = sorted.map((s) => s.split(' ').map(escapeRe).join('[ \\t]+') + (s.includes(' ') ? WORD_END : ''));
  const label = spellings.map((s) => `'${s}'`).join('/');
  const token = multiWord
    ? createToken({
        name,
        label,
        pattern: stickyMatcher(alternatives.join('|')),
        start_chars_hint: [...new Set(spellings.map((s) => s[0]))],
        line_breaks: false,
        longer_alt: Identifier,
      })
    : createToken({ name, label, pattern: new RegExp(alternatives.join('|')), longer_alt: Identifier });
  keywordTokens.push({ token, spellings });
  keywordInfo.push({ en: en[0], zh, category });
  keywordByName.set(name, { en: en[0], zh, category });
  return token;
}

// Header
export const Policy = keyword('Policy', ['policy'], ['政策'], 'header');
export const Title = keyword('Title', ['title'], ['标题'], 'header');
export const Jurisdiction = keyword('Jurisdiction', ['jurisdiction'], ['辖区'], 'header');
export const Version = keyword('Version', ['version'], ['版本'], 'header');
export const Effective = keyword('Effective', ['effective'], ['生效'], 'header');
export const From = keyword('From', ['from'], ['自'], 'header');
export const Until = keyword('Until', ['until'], ['至'], 'header');
export const Extends = keyword('Extends', ['extends'], ['继承'], 'header');
export const Supersedes = keyword('Supersedes', ['supersedes'], ['取代'], 'header');
export const Source = keyword('Source', ['source'], ['来源'], 'header');
/** `number` is also the name of a type; in a type position the parser accepts this token too. */
export const DocNumber = keyword('DocNumber', ['number'], ['文号'], 'header');
export const En = keyword('En', ['en'], ['英文'], 'header');
// Declarations
export const Facts = keyword('Facts', ['facts'], ['事实'], 'header');
export const ListOf = keyword('ListOf', ['list of'], ['列表'], 'type');
export const Enum = keyword('Enum', ['enum'], ['枚举'], 'type');
export const Parameter = keyword('Parameter', ['parameter'], ['参数'], 'header');
export const Let = keyword('Let', ['let'], ['定义'], 'rule');
// Rules
export const Rule = keyword('Rule', ['rule'], ['规则'], 'rule');
export const Cites = keyword('Cites', ['cites'], ['引用'], 'rule');
export const Quote = keyword('Quote', ['quote'], ['原文'], 'rule');
export const ExceptionTo = keyword('ExceptionTo', ['exception to'], ['例外于'], 'rule');
export const Overrides = keyword('Overrides', ['overrides'], ['覆盖'], 'rule');
export const When = keyword('When', ['when'], ['当'], 'rule');
export const Then = keyword('Then', ['then'], ['则'], 'rule');
export const Severity = keyword('Severity', ['severity'], ['严重程度'], 'rule');
export const Message = keyword('Message', ['message'], ['提示'], 'rule');
export const Consequences = keyword('Consequences', ['consequences'], ['后果'], 'rule');
export const Compute = keyword('Compute', ['compute'], ['计算'], 'rule');
export const Disable = keyword('Disable', ['disable'], ['停用'], 'rule');
export const Because = keyword('Because', ['because'], ['理由'], 'rule');
export const Complete = keyword('Complete', ['complete'], ['完备'], 'rule');
// Expressions
export const If = keyword('If', ['if'], ['如果'], 'operator');
export const Else = keyword('Else', ['else'], ['否则'], 'operator');
export const And = keyword('And', ['and'], ['且', '并且'], 'operator');
export const Or = keyword('Or', ['or'], ['或', '或者'], 'operator');
export const NotIn = keyword('NotIn', ['not in'], ['不属于'], 'operator');
export const Not = keyword('Not', ['not'], ['非', '不是'], 'operator');
export const In = keyword('In', ['in'], ['属于'], 'operator');
export const Between = keyword('Between', ['between'], ['介于'], 'operator');
export const Inclusive = keyword('Inclusive', ['inclusive'], ['含'], 'operator');
export const Exclusive = keyword('Exclusive', ['exclusive'], ['不含'], 'operator');
export const Where = keyword('Where', ['where'], ['其中'], 'operator');
export const True = keyword('True', ['true'], ['是'], 'operator');
export const False = keyword('False', ['false'], ['否'], 'operator');
export const AsOf = keyword('AsOf', ['as_of'], ['评估日'], 'operator');
// Decision tables and scorecards (docs/language.md, "Decision tables and scorecards").
export const Table = keyword('Table', ['table'], ['决策表'], 'rule');
export const Hit = keyword('Hit', ['hit'], ['命中'], 'rule');
export const Columns = keyword('Columns', ['columns'], ['输入列'], 'rule');
export const Row = keyword('Row', ['row'], ['行'], 'rule');
export const Gives = keyword('Gives', ['gives'], ['取值'], 'rule');
export const Scorecard = keyword('Scorecard', ['scorecard'], ['评分表'], 'rule');
export const Indicator = keyword('Indicator', ['indicator'], ['指标'], 'rule');
export const Grades = keyword('Grades', ['grades'], ['评定等级'], 'rule');

/**
 * Keyword tokens in lexer order: a token whose spelling is a proper prefix of another token's
 * spelling goes after it; otherwise declaration order is kept.
 */
export function orderKeywords(list: readonly KeywordToken[]): TokenType[] {
  const remaining = [...list];
  const out: TokenType[] = [];
  while (remaining.length > 0) {
    const i = remaining.findIndex(
      (a) =>
        !remaining.some(
          (b) => b !== a && a.spellings.some((sa) => b.spellings.some((sb) => sb.length > sa.length && sb.startsWith(sa))),
        ),
    );
    if (i < 0) throw new Error('keyword spellings form a prefix cycle'); // a bug in this file
    out.push(remaining[i].token);
    remaining.splice(i, 1);
  }
  return out;
}

/** Canonical spellings of each keyword token by token name, for the formatter. */
export const KEYWORD_BY_NAME: ReadonlyMap<string, KeywordInfo> = keywordByName;

/** Spellings of every keyword token, for the glued-keyword hint and for tests. */
export const KEYWORD_SPELLINGS: ReadonlyMap<TokenType, readonly string[]> = new Map(
  keywordTokens.map((k) => [k.token, k.spellings]),
);
export const KEYWORD_TOKENS: readonly KeywordToken[] = keywordTokens;

// ------------------------------------------------------------------------------------------------
// Punctuation and operators. Full-width Chinese punctuation is accepted beside the ASCII form.

export const LParen = createToken({ name: 'LParen', label: "'('", pattern: /\(|（/ });
export const RParen = createToken({ name: 'RParen', label: "')'", pattern: /\)|）/ });
export const LBracket = createToken({ name: 'LBracket', label: "'['", pattern: /\[|【/ });
export const RBracket = createToken({ name: 'RBracket', label: "']'", pattern: /]|】/ });
export const LCurly = createToken({ name: 'LCurly', label: "'{'", pattern: /{|｛/ });
export const RCurly = createToken({ name: 'RCurly', label: "'}'", pattern: /}|｝/ });
export const Comma = createToken({ name: 'Comma', label: "','", pattern: /,|，|、/ });
export const Colon = createToken({ name: 'Colon', label: "':'", pattern: /:|：/ });
// Two-character comparisons before `=`, `<`, `>` (first match wins).
export const EqEq = createToken({ name: 'EqEq', label: "'=='", pattern: /==/ });
export const NotEq = createToken({ name: 'NotEq', label: "'!='", pattern: /!=|≠/ });
export const LessEq = createToken({ name: 'LessEq', label: "'<='", pattern: /<=|≤/ });
export const GreaterEq = createToken({ name: 'GreaterEq', label: "'>='", pattern: />=|≥/ });
export const Less = createToken({ name: 'Less', label: "'<'", pattern: /</ });
export const Greater = createToken({ name: 'Greater', label: "'>'", pattern: />/ });
export const Equals = createToken({ name: 'Equals', label: "'='", pattern: /=/ });
export const Plus = createToken({ name: 'Plus', label: "'+'", pattern: /\+/ });
export const Minus = createToken({ name: 'Minus', label: "'-'", pattern: /-/ });
export const Star = createToken({ name: 'Star', label: "'*'", pattern: /\*/ });
export const Slash = createToken({ name: 'Slash', label: "'/'", pattern: /\// });

export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  NewLine,
  Comment,
  StringLit,
  UnterminatedString,
  DateLit,
  BadNumber,
  NumberLit,
  CnFraction,
  ...orderKeywords(keywordTokens),
  Identifier,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LCurly,
  RCurly,
  Comma,
  Colon,
  EqEq,
  NotEq,
  LessEq,
  GreaterEq,
  Less,
  Greater,
  Equals,
  Plus,
  Minus,
  Star,
  Slash,
];

export const policyLexer = new Lexer(ALL_TOKENS, { positionTracking: 'full', ensureOptimizations: false });

// ------------------------------------------------------------------------------------------------
// Words that are names to the lexer but have a fixed meaning where they stand: type names, outcome
// kinds, severities and function names. They are not reserved (a fact may be called `金额`), so they
// are identifiers, mapped to their canonical English name by toAst.

export const TYPE_WORDS: Record<string, { en: string; zh: string[] }> = {
  boolean: { en: 'boolean', zh: ['布尔'] },
  integer: { en: 'integer', zh: ['整数'] },
  number: { en: 'number', zh: ['数值'] },
  money: { en: 'money', zh: ['金额'] },
  percent: { en: 'percent', zh: ['百分比'] },
  date: { en: 'date', zh: ['日期'] },
  string: { en: 'string', zh: ['文本'] },
  /** Parameters only (a time limit such as 30天); lowering rejects a duration fact. */
  duration: { en: 'duration', zh: ['时长'] },
};
export const OUTCOME_WORDS: Record<string, string[]> = {
  violation: ['违规'],
  accountability: ['问责'],
  eligible: ['符合'],
  ineligible: ['不符合'],
  notice: ['提示事项'],
  commendation: ['表彰'],
  computation: ['计算结果'],
};
export const SEVERITY_WORDS: Record<string, string[]> = {
  info: ['提示级'],
  low: ['轻微'],
  medium: ['一般'],
  high: ['较重'],
  critical: ['严重'],
};
/** Hit policies of a decision table (`hit first`), DMN's names; `collect` takes an aggregate word (sum, 合计, …). */
export const HIT_WORDS: Record<string, string[]> = {
  unique: ['唯一'],
  first: ['首条'],
  collect: ['汇总'],
};
/** The cell that matches any value (DMN's `-`), a word read in cell position only. */
export const ANY_CELL_WORDS: readonly string[] = ['any', '任意'];
export const FUNCTION_WORDS: Record<string, string[]> = {
  count: ['计数'],
  sum: ['合计'],
  ratio: ['比例'],
  any: ['任一'],
  all: ['全部'],
  min: ['最小'],
  max: ['最大'],
  avg: ['平均'],
  daysBetween: ['天数'],
  workdaysBetween: ['工作日数'],
  monthsBetween: ['月数'],
  yearsBetween: ['周岁'],
  known: ['已知'],
  round: ['取整'],
  abs: ['绝对值'],
};

/**
 * Marks after a fact's type: `personal` (household data: masked in the decision log unless a rule
 * reads it) and `subject` (the case's id, stored only as a keyed hash). Not reserved: recognised
 * only after a type, where a name followed by a label would start the next fact instead.
 */
export const FACT_MARK_WORDS: Record<'personal' | 'subject', string[]> = {
  personal: ['个人信息'],
  subject: ['主体标识'],
};

function reverse(table: Record<string, string[]>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [en, zhs] of Object.entries(table)) {
    m.set(en, en);
    for (const zh of zhs) m.set(zh, en);
  }
  return m;
}
/** Written word → canonical English, for each family. */
export const TYPE_BY_WORD = reverse(Object.fromEntries(Object.entries(TYPE_WORDS).map(([k, v]) => [k, v.zh])));
export const OUTCOME_BY_WORD = reverse(OUTCOME_WORDS);
export const SEVERITY_BY_WORD = reverse(SEVERITY_WORDS);
export const FUNCTION_BY_WORD = reverse(FUNCTION_WORDS);
export const HIT_BY_WORD = reverse(HIT_WORDS);
export const FACT_MARK_BY_WORD = reverse(FACT_MARK_WORDS);

/** Every keyword and fixed word with its Chinese spellings and category, for editor completion. */
export const KEYWORDS: { en: string; zh: string[]; category: KeywordCategory }[] = [
  ...keywordInfo,
  ...Object.entries(TYPE_WORDS).map(([en, v]) => ({ en, zh: v.zh, category: 'type' as const })),
  ...Object.entries(OUTCOME_WORDS).map(([en, zh]) => ({ en, zh, category: 'outcome' as const })),
  ...Object.entries(SEVERITY_WORDS).map(([en, zh]) => ({ en, zh, category: 'severity' as const })),
  ...Object.entries(FUNCTION_WORDS).map(([en, zh]) => ({ en, zh, category: 'function' as const })),
  ...Object.entries(FACT_MARK_WORDS).map(([en, zh]) => ({ en, zh, category: 'type' as const })),
];
