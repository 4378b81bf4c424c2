/**
 * The zh/en catalogue of every diagnostic this stage reports. Each entry builds the message and a
 * hint that says how to fix the problem; `diag` assembles the Diagnostic. Codes are stable: tools
 * and tests match on them, so rename only with care.
 */
import type { Diagnostic, Range, Severity } from './diagnostics.ts';

type Text = { zh: string; en: string };
type Params = Record<string, string>;

interface Entry {
  severity: Severity;
  message: (p: Params) => Text;
  hint: (p: Params) => Text;
}

export const DSL_MESSAGES = {
  'dsl.unexpected-character': {
    severity: 'error',
    message: (p) => ({ zh: `无法识别的字符 ${p.text}`, en: `unexpected character ${p.text}` }),
    hint: () => ({
      zh: '删除该字符;字符串请用英文或中文双引号括起来("…" 或 “…”),注释以 # 开头',
      en: 'remove it; write strings in double quotes ("…" or “…”) and start comments with #',
    }),
  },
  'dsl.unexpected-token': {
    severity: 'error',
    message: (p) => ({ zh: `此处不应出现 ${p.found}`, en: `unexpected ${p.found}` }),
    hint: (p) => ({ zh: `这里应为:${p.expected}`, en: `expected here: ${p.expected}` }),
  },
  'dsl.unexpected-end': {
    severity: 'error',
    message: () => ({ zh: '文件意外结束', en: 'unexpected end of file' }),
    hint: (p) => ({ zh: `文件末尾还缺少:${p.expected}`, en: `the file still needs: ${p.expected}` }),
  },
  'dsl.missing-token': {
    severity: 'error',
    message: (p) => ({ zh: `缺少 ${p.expected}(在 ${p.found} 之前)`, en: `missing ${p.expected} before ${p.found}` }),
    hint: (p) => ({ zh: `在 ${p.found} 之前补上 ${p.expected}`, en: `insert ${p.expected} before ${p.found}` }),
  },
  'dsl.glued-keyword': {
    severity: 'error',
    message: (p) => ({
      zh: `关键字 ${p.keyword} 与名称连写成了一个名称 ${p.found}`,
      en: `keyword ${p.keyword} is glued to a name, making the single name ${p.found}`,
    }),
    hint: (p) => ({
      zh: `在关键字后加空格:${p.keyword} ${p.rest}`,
      en: `put a space after the keyword: ${p.keyword} ${p.rest}`,
    }),
  },
  'dsl.unterminated-string': {
    severity: 'error',
    message: () => ({ zh: '字符串没有结束引号', en: 'unterminated string' }),
    hint: () => ({
      zh: '在同一行内用 " 或 ” 结束字符串;字符串中的引号写作 \\"',
      en: 'close the string with " (or ”) on the same line; write a quote inside it as \\"',
    }),
  },
  'dsl.bad-number': {
    severity: 'error',
    message: (p) => ({ zh: `数字写法有误:${p.text}(${p.reasonZh})`, en: `bad number ${p.text} (${p.reasonEn})` }),
    hint: () => ({
      zh: '数字不加千位分隔符,如 10000 或 1万;金额最多两位小数,如 12.50元;期限用整数,如 30天',
      en: 'write numbers without thousands separators, e.g. 10000 or 1万; money has at most two decimals, e.g. 12.50元; durations are whole, e.g. 30 days',
    }),
  },
  'dsl.parameter-not-literal': {
    severity: 'error',
    message: (p) => ({ zh: `参数值须为字面值,不能写作 ${p.text}`, en: `a parameter value must be a literal, not ${p.text}` }),
    hint: () => ({
      zh: '可写:数字 3、2.5、5万;金额 500元、5万元;百分比 3%、3‰、百分之五、千分之三、万分之五;日期 2017-08-01;期限 30天、5个工作日;文本 "…";是/否',
      en: 'write a number 3, 2.5, 5万; money 500元, 5万元; a percent 3%, 3‰, 百分之五, 千分之三, 万分之五; a date 2017-08-01; a duration 30天, 5 workdays; a string "…"; true/false',
    }),
  },
  'dsl.bad-date': {
    severity: 'error',
    message: (p) => ({ zh: `日期无效:${p.text}`, en: `invalid date ${p.text}` }),
    hint: () => ({
      zh: '日期写作 年-月-日,月和日各两位,如 2017-08-01',
      en: 'expected a date like 2017-08-01 (year-month-day, two-digit month and day)',
    }),
  },
  'dsl.unknown-type': {
    severity: 'error',
    message: (p) => ({ zh: `未知类型 ${p.text}`, en: `unknown type ${p.text}` }),
    hint: () => ({
      zh: '可用类型:布尔、整数、数值、金额、百分比、日期、文本、时长(仅参数)、枚举 { … }、列表 { … }',
      en: 'types are boolean, integer, number, money, percent, date, string, duration (parameters only), enum { … }, list of { … }',
    }),
  },
  'dsl.missing-clause': {
    severity: 'error',
    message: (p) => ({ zh: `${p.whereZh}缺少 ${p.clause}`, en: `${p.whereEn} has no ${p.clause}` }),
    hint: (p) => ({ zh: `补上:${p.example}`, en: `add: ${p.example}` }),
  },
  'dsl.duplicate-clause': {
    severity: 'error',
    message: (p) => ({ zh: `${p.whereZh}中 ${p.clause} 重复`, en: `${p.clause} is given twice in ${p.whereEn}` }),
    hint: (p) => ({ zh: `只保留一个 ${p.clause}`, en: `keep one ${p.clause}` }),
  },
  'dsl.bad-policy-ref': {
    severity: 'error',
    message: (p) => ({ zh: `政策引用写法有误:${p.text}`, en: `bad policy reference ${p.text}` }),
    hint: () => ({
      zh: '写作 "<辖区>/<主题>" 或 "<辖区>/<主题>@<版本>",如 "central/poverty-loan@2017.1"',
      en: 'write "<jurisdiction>/<topic>" or "<jurisdiction>/<topic>@<version>", e.g. "central/poverty-loan@2017.1"',
    }),
  },
  'dsl.too-deep': {
    severity: 'error',
    message: (p) => ({
      zh: `${p.whatZh}嵌套超过 ${p.max} 层`,
      en: `${p.whatEn} nested more than ${p.max} levels deep`,
    }),
    hint: () => ({
      zh: '把内层部分拆成用 let 定义的命名量,或去掉多余的括号、not 和负号;限制见 docs/language.md“嵌套限制”',
      en: 'name inner parts with `let` definitions, or drop redundant parentheses, `not`s and minus signs; the limit is in docs/language.md, "Nesting limit"',
    }),
  },
  'yaml.syntax': {
    severity: 'error',
    message: (p) => ({ zh: `YAML 语法错误:${p.detail}`, en: `YAML syntax error: ${p.detail}` }),
    hint: () => ({
      zh: '检查缩进(只用空格)、冒号后的空格和引号是否成对;含 # 或 : 的文本请加引号',
      en: 'check indentation (spaces only), the space after each colon and matching quotes; quote text containing # or :',
    }),
  },
  'yaml.too-deep': {
    severity: 'error',
    message: (p) => ({ zh: `YAML 文档嵌套超过 ${p.max} 层`, en: `YAML document nested more than ${p.max} levels deep` }),
    hint: () => ({
      zh: '政策文件不需要这样深的结构;检查是否误写了成串的 [ 或 {,限制见 docs/language.md“嵌套限制”',
      en: 'no policy needs structure this deep; look for a run of [ or {; the limit is in docs/language.md, "Nesting limit"',
    }),
  },
  'yaml.missing-field': {
    severity: 'error',
    message: (p) => ({ zh: `${p.where} 缺少字段 ${p.field}`, en: `${p.where} has no field ${p.field}` }),
    hint: (p) => ({ zh: `补上 ${p.field}: ${p.example}`, en: `add ${p.field}: ${p.example}` }),
  },
  'yaml.wrong-type': {
    severity: 'error',
    message: (p) => ({ zh: `${p.where} 应为${p.wantZh}`, en: `${p.where} should be ${p.wantEn}` }),
    hint: (p) => ({ zh: `例如 ${p.example}`, en: `for example ${p.example}` }),
  },
  'yaml.unknown-field': {
    severity: 'warning',
    message: (p) => ({ zh: `${p.where} 中有未知字段 ${p.field}`, en: `unknown field ${p.field} in ${p.where}` }),
    // In a flow mapping `{ zh: 甲,乙 }` the ASCII comma ends the value and `乙` becomes a key.
    hint: (p) => ({
      zh: `可用字段:${p.known}。若文字中含英文逗号,请给文字加引号:{ zh: "甲,乙" }`,
      en: `known fields: ${p.known}. If text contains an ASCII comma, quote it: { zh: "a,b" }`,
    }),
  },
} satisfies Record<string, Entry>;

export type DslCode = keyof typeof DSL_MESSAGES;

export function diag(code: DslCode, range: Range | undefined, params: Params = {}, expected?: string[]): Diagnostic {
  const entry: Entry = DSL_MESSAGES[code];
  const d: Diagnostic = {
    code,
    severity: entry.severity,
    message: entry.message(params),
    hint: entry.hint(params),
  };
  if (range) d.range = range;
  if (expected && expected.length > 0) d.expected = expected;
  return d;
}
