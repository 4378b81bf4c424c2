/**
 * The zh/en catalogue for every diagnostic this stage reports. Each entry turns the details of
 * one problem into the message and the hint; codes are stable, wording may change.
 */
import type { Diagnostic, Range, Severity } from '../../dsl/diagnostics.ts';

export interface Bilingual {
  zh: string;
  en: string;
}

interface Entry {
  message: Bilingual;
  hint?: Bilingual;
}

const list = (xs: readonly string[], max = 12): string =>
  xs.length === 0 ? '—' : xs.slice(0, max).join(', ') + (xs.length > max ? ', …' : '');
const listZh = (xs: readonly string[], max = 12): string =>
  xs.length === 0 ? '无' : xs.slice(0, max).join('、') + (xs.length > max ? '等' : '');

/** Human names of types, for messages. */
export const TYPE_NAMES: Record<string, Bilingual> = {
  boolean: { zh: '布尔', en: 'boolean' },
  integer: { zh: '整数', en: 'integer' },
  number: { zh: '数值', en: 'number' },
  money: { zh: '金额', en: 'money' },
  percent: { zh: '百分比', en: 'percent' },
  date: { zh: '日期', en: 'date' },
  string: { zh: '文本', en: 'string' },
  enum: { zh: '枚举', en: 'enum' },
  duration: { zh: '时长', en: 'duration' },
  list: { zh: '列表', en: 'list' },
};

export const MESSAGES = {
  'ir.too-deep': (p: { pointer: string; what: 'document' | 'expression' | 'list'; max: number }): Entry => ({
    message: {
      zh: `IR 在 ${p.pointer || '/'} 处${p.what === 'document' ? ' JSON ' : p.what === 'list' ? '列表类型' : '表达式'}嵌套超过 ${p.max} 层`,
      en: `IR ${p.what === 'document' ? 'JSON' : p.what === 'list' ? 'list type' : 'expression'} nested more than ${p.max} levels deep at ${p.pointer || '/'}`,
    },
    hint: {
      zh: '由政策源文本编译得到的 IR 不会这样深;请从源文本重新编译,限制见 docs/language.md“嵌套限制”',
      en: 'IR compiled from policy text is never this deep; compile it again from the source; the limit is in docs/language.md, "Nesting limit"',
    },
  }),
  'ir.schema': (p: { pointer: string; detail: string; detailZh?: string }): Entry => ({
    message: {
      zh: `IR 不符合模式:位置 ${p.pointer || '/'}:${p.detailZh ?? p.detail}`,
      en: `IR does not match the schema at ${p.pointer || '/'}: ${p.detail}`,
    },
    hint: {
      zh: `检查 JSON 指针 ${p.pointer || '/'} 处的值,参见 engine/ir/schema.json`,
      en: `Check the value at JSON pointer ${p.pointer || '/'}; see engine/ir/schema.json`,
    },
  }),
  'ir.unknown-name': (p: { name: string; suggestion?: string; inAggregate?: boolean }): Entry => ({
    message: { zh: `未声明的名称“${p.name}”`, en: `Unknown name "${p.name}"` },
    hint: p.suggestion
      ? { zh: `是否想写“${p.suggestion}”?`, en: `Did you mean "${p.suggestion}"?` }
      : {
          zh: p.inAggregate
            ? '先在 facts 中声明该事实(或列表字段)、参数或定义'
            : '先在 facts 中声明该事实,或用 parameter / let 声明;列表字段只能在汇总函数内使用',
          en: p.inAggregate
            ? 'Declare it first as a fact (or list field), parameter or definition'
            : 'Declare it first as a fact, parameter or let; list fields are only in scope inside aggregates',
        },
  }),
  'ir.type-mismatch': (p: { zh: string; en: string; hintZh?: string; hintEn?: string }): Entry => ({
    message: { zh: `类型不符:${p.zh}`, en: `Type mismatch: ${p.en}` },
    hint: p.hintZh && p.hintEn ? { zh: p.hintZh, en: p.hintEn } : undefined,
  }),
  'ir.duplicate-rule': (p: { id: string }): Entry => ({
    message: { zh: `规则编号“${p.id}”重复`, en: `Rule id "${p.id}" is used twice` },
    hint: { zh: '每条规则的编号在政策内须唯一,请改名', en: 'Rule ids must be unique within a policy: rename one' },
  }),
  'ir.duplicate-fact': (p: { name: string; inBase?: boolean }): Entry => ({
    message: {
      zh: p.inBase ? `事实“${p.name}”已在基础政策中声明` : `事实“${p.name}”重复声明`,
      en: p.inBase ? `Fact "${p.name}" is already declared by the base policy` : `Fact "${p.name}" is declared twice`,
    },
    hint: p.inBase
      ? { zh: '变体政策继承基础政策的事实,删除此声明即可', en: 'A variant inherits the base facts: remove this declaration' }
      : { zh: '删除重复的声明,或改用不同的名称', en: 'Remove the repeated declaration or use another name' },
  }),
  'ir.reserved-name': (p: { name: string }): Entry => ({
    message: { zh: `“${p.name}”不能用作事实或字段名`, en: `"${p.name}" cannot name a fact or field` },
    hint: {
      zh: '事实以 JSON 对象传入,这个名称在 JSON 校验中有特殊含义;请改用其他名称',
      en: 'Facts arrive as a JSON object, where this name has a special meaning to validators: use another name',
    },
  }),
  'ir.duplicate-subject': (p: { name: string; other: string; inBase?: boolean }): Entry => ({
    message: {
      zh: `事实“${p.name}”标为主体标识,但${p.inBase ? '基础政策的' : ''}事实“${p.other}”已是主体标识`,
      en: `Fact "${p.name}" is marked as the subject, but ${p.inBase ? "the base policy's " : ''}fact "${p.other}" already is`,
    },
    hint: {
      zh: '一项政策只有一个主体标识(如身份证号);其他个人信息标为 个人信息 即可',
      en: 'A policy has one subject id (such as the ID number); mark other personal facts `personal` only',
    },
  }),
  'ir.subject-type': (p: { name: string; kind: string; inList?: boolean }): Entry => ({
    message: p.inList
      ? { zh: `列表字段“${p.name}”不能作主体标识`, en: `List field "${p.name}" cannot be the subject` }
      : {
          zh: `主体标识“${p.name}”须是文本或整数,而不是${TYPE_NAMES[p.kind]?.zh ?? p.kind}`,
          en: `Subject "${p.name}" must be a string or an integer, not ${TYPE_NAMES[p.kind]?.en ?? p.kind}`,
        },
    hint: {
      zh: '主体标识是一个案件对象的编号(身份证号、户编号),以密钥哈希保存、按原值精确查找;写作 身份证号 "身份证号码": 文本 主体标识',
      en: 'The subject is the id of the case (an ID number, a household number), stored as a keyed hash and found by exact value: write 身份证号 "身份证号码": string subject',
    },
  }),
  'ir.duplicate-name': (p: { name: string; what: Bilingual }): Entry => ({
    message: { zh: `${p.what.zh}“${p.name}”重复`, en: `${p.what.en} "${p.name}" is declared twice` },
    hint: { zh: '删除重复的声明,或改用不同的名称', en: 'Remove the repeated declaration or use another name' },
  }),
  'ir.shadowed-name': (p: { name: string; what: Bilingual; hides: Bilingual }): Entry => ({
    message: {
      zh: `${p.what.zh}“${p.name}”与${p.hides.zh}同名,将遮蔽后者`,
      en: `${p.what.en} "${p.name}" has the same name as a ${p.hides.en}, which it hides`,
    },
    hint: {
      zh: `在此之后,“${p.name}”都指这个${p.what.zh};若不是有意为之,请改名`,
      en: `From here on "${p.name}" means this ${p.what.en.toLowerCase()}; rename it unless that is intended`,
    },
  }),
  'ir.missing-citation': (p: { id: string }): Entry => ({
    message: { zh: `规则“${p.id}”没有引用条文`, en: `Rule "${p.id}" cites no article` },
    hint: {
      zh: '每条规则都须写明依据,例如:cites 指南 "第十八条"',
      en: 'Every rule must say what it rests on, e.g. cites 指南 "第十八条"',
    },
  }),
  'ir.unknown-source': (p: { key: string; declared: string[] }): Entry => ({
    message: { zh: `未声明的来源文件“${p.key}”`, en: `Unknown source document "${p.key}"` },
    hint: {
      zh: `在政策头部用 source 声明该文件;已声明:${listZh(p.declared)}`,
      en: `Declare it in the header with source; declared: ${list(p.declared)}`,
    },
  }),
  'ir.unknown-enum-value': (p: { value: string; fact: string; values: string[] }): Entry => ({
    message: {
      zh: `“${p.value}”不是“${p.fact}”的取值`,
      en: `"${p.value}" is not a value of "${p.fact}"`,
    },
    hint: { zh: `可用的取值:${listZh(p.values, 50)}`, en: `Declared values: ${list(p.values, 50)}` },
  }),
  'ir.unknown-outcome-kind': (p: { kind: string; suggestion?: string }): Entry => ({
    message: { zh: `未知的结论类型“${p.kind}”`, en: `Unknown outcome kind "${p.kind}"` },
    hint: {
      zh: `可用:违规、问责、符合、不符合、提示事项、表彰、计算结果${p.suggestion ? `;是否想写“${p.suggestion}”?` : ''}`,
      en: `Use one of violation, accountability, eligible, ineligible, notice, commendation, computation${p.suggestion ? `; did you mean "${p.suggestion}"?` : ''}`,
    },
  }),
  'ir.unknown-severity': (p: { severity: string; suggestion?: string }): Entry => ({
    message: { zh: `未知的严重程度“${p.severity}”`, en: `Unknown severity "${p.severity}"` },
    hint: {
      zh: `可用:提示级、轻微、一般、较重、严重${p.suggestion ? `;是否想写“${p.suggestion}”?` : ''}`,
      en: `Use one of info, low, medium, high, critical${p.suggestion ? `; did you mean "${p.suggestion}"?` : ''}`,
    },
  }),
  'ir.unknown-function': (p: { fn: string; suggestion?: string }): Entry => ({
    message: { zh: `未知的函数“${p.fn}”`, en: `Unknown function "${p.fn}"` },
    hint: p.suggestion
      ? { zh: `是否想写“${p.suggestion}”?`, en: `Did you mean "${p.suggestion}"?` }
      : {
          zh: '可用函数见语言参考 docs/language.md 的“表达式”一节',
          en: 'See the functions listed under "Expressions" in docs/language.md',
        },
  }),
  'ir.wrong-arity': (p: { fn: string; expected: string; got: number }): Entry => ({
    message: {
      zh: `函数 ${p.fn} 需要 ${p.expected} 个参数,实际给了 ${p.got} 个`,
      en: `${p.fn} takes ${p.expected} argument(s), got ${p.got}`,
    },
    hint: { zh: `写法见 docs/language.md:${arityHelp[p.fn] ?? p.fn}`, en: `Usage: ${arityHelp[p.fn] ?? p.fn}` },
  }),
  'ir.where-not-allowed': (p: { fn: string }): Entry => ({
    message: { zh: `函数 ${p.fn} 不能带 where 条件`, en: `${p.fn} does not take a where filter` },
    hint: {
      zh: 'where 只用于列表上的汇总:count、sum、ratio、any、all、min、max、avg',
      en: 'where only filters aggregates over a list: count, sum, ratio, any, all, min, max, avg',
    },
  }),
  'ir.definition-cycle': (p: { cycle: string[] }): Entry => ({
    message: {
      zh: `定义循环引用:${p.cycle.join(' → ')}`,
      en: `Definitions refer to each other in a cycle: ${p.cycle.join(' → ')}`,
    },
    hint: { zh: '定义只能使用不依赖自身的其他定义,请拆开循环', en: 'A definition may not depend on itself: break the cycle' },
  }),
  'ir.unreachable-extends': (p: { ref: string }): Entry => ({
    message: { zh: `找不到所继承的基础政策“${p.ref}”`, en: `The base policy "${p.ref}" cannot be found` },
    hint: {
      zh: '确认基础政策的编号与版本,并先加载基础政策;在此之前,继承来的名称无法检查',
      en: 'Check the base policy id and version, and load the base first; until then inherited names cannot be checked',
    },
  }),
  'ir.unknown-base-rule': (p: { rule: string; how: 'exception' | 'overrides' | 'disable'; rules: string[] }): Entry => ({
    message: {
      zh:
        p.how === 'exception'
          ? `例外所指向的规则“${p.rule}”不存在`
          : p.how === 'overrides'
            ? `要覆盖的规则“${p.rule}”不在基础政策中`
            : `要停用的规则“${p.rule}”不在基础政策中`,
      en:
        p.how === 'exception'
          ? `Rule "${p.rule}" named by the exception does not exist`
          : p.how === 'overrides'
            ? `Rule "${p.rule}" to override is not in the base policy`
            : `Rule "${p.rule}" to disable is not in the base policy`,
    },
    hint: { zh: `可用的规则:${listZh(p.rules)}`, en: `Known rules: ${list(p.rules)}` },
  }),
  'ir.complete-unknown-rule': (p: { rule: string; rules: string[] }): Entry => ({
    message: { zh: `声明完备的规则“${p.rule}”不存在`, en: `Rule "${p.rule}" declared complete does not exist` },
    hint: { zh: `可用的规则:${listZh(p.rules)}`, en: `Known rules: ${list(p.rules)}` },
  }),
  // Decision tables and scorecards (engine/ir/tables.ts)
  'ir.table-cells': (p: { table: string; row: string; cells: number; columns: number }): Entry => ({
    message: {
      zh: `决策表“${p.table}”的行“${p.row}”有 ${p.cells} 个单元格,但表有 ${p.columns} 列`,
      en: `Row "${p.row}" of table "${p.table}" has ${p.cells} cell(s), but the table has ${p.columns} column(s)`,
    },
    hint: { zh: '每行每列一个单元格;不限定的列写 任意', en: 'Write one cell per column; write any for a column the row does not test' },
  }),
  'ir.table-hit': (p: { table: string; hit: string; aggregate?: string }): Entry => ({
    message: {
      zh: `决策表“${p.table}”的命中规则“${p.hit}${p.aggregate ? ' ' + p.aggregate : ''}”无效`,
      en: `Table "${p.table}" has an unknown hit policy "${p.hit}${p.aggregate ? ' ' + p.aggregate : ''}"`,
    },
    hint: {
      zh: '写 命中 唯一、命中 首条,或 命中 汇总 合计/最小/最大/计数',
      en: 'Write hit unique, hit first, or hit collect sum / min / max / count',
    },
  }),
  'ir.table-needs-gives': (p: { table: string; row: string }): Entry => ({
    message: {
      zh: `“${p.table}”的行“${p.row}”没有取值(gives)`,
      en: `Row "${p.row}" of "${p.table}" has no output value (gives)`,
    },
    hint: { zh: '汇总表、评分指标和等级的每行都要写 取值 <值>', en: 'Every row of a collect table, an indicator or the grades needs gives <value>' },
  }),
  'ir.table-literal-gives': (p: { table: string; row: string }): Entry => ({
    message: {
      zh: `“${p.table}”的行“${p.row}”的取值须是数字、金额或百分比常量`,
      en: `Row "${p.row}" of "${p.table}" must give a number, money or percent literal`,
    },
    hint: { zh: '汇总 最小/最大 按取值排序各行,故取值须为常量', en: 'collect min / max orders the rows by their values, so the values must be literals' },
  }),
  'ir.table-no-rows': (p: { table: string }): Entry => ({
    message: { zh: `“${p.table}”没有行`, en: `"${p.table}" has no rows` },
    hint: { zh: '至少写一行:行: <单元格> 引用 …', en: 'Write at least one row: row: <cells> cites …' },
  }),
  'ir.override-needs-keyword': (p: { id: string }): Entry => ({
    message: {
      zh: `规则“${p.id}”与基础政策中的规则同名`,
      en: `Rule "${p.id}" has the same id as a rule of the base policy`,
    },
    hint: {
      zh: '要替换基础规则,请在规则中写 overrides(覆盖);否则请改名',
      en: 'To replace the base rule, write overrides in the rule; otherwise rename it',
    },
  }),
  'ir.parameter-dates': (p: { name: string; before?: string; from?: string }): Entry => ({
    message: p.before
      ? {
          zh: `参数“${p.name}”的取值日期 ${p.from} 早于政策生效日 ${p.before}`,
          en: `Parameter "${p.name}" has a value from ${p.from}, before the policy takes effect on ${p.before}`,
        }
      : {
          zh: `参数“${p.name}”的取值日期须按先后顺序且不重复(${p.from})`,
          en: `Values of parameter "${p.name}" must be in ascending date order without repeats (${p.from})`,
        },
    hint: p.before
      ? { zh: '生效日之前的取值不会被使用,确认日期是否写错', en: 'A value before the policy takes effect is never used: check the date' }
      : { zh: '按生效日期从早到晚排列各个取值', en: 'List the values from the earliest date to the latest' },
  }),
  'ir.bad-period': (p: { from: string; until: string }): Entry => ({
    message: {
      zh: `失效日 ${p.until} 早于生效日 ${p.from}`,
      en: `The policy ends (${p.until}) before it starts (${p.from})`,
    },
    hint: { zh: 'until(至)是最后一天,须不早于 from(自)', en: 'until is the last day in force and may not be before from' },
  }),
  'ir.bad-date': (p: { value: string }): Entry => ({
    message: { zh: `“${p.value}”不是有效日期`, en: `"${p.value}" is not a valid date` },
    hint: { zh: '日期写作 2017-08-01,且须是日历上存在的日子', en: 'Write dates like 2017-08-01, and the day must exist' },
  }),
  'ir.money-precision': (p: { yuan: number }): Entry => ({
    message: {
      zh: `金额 ${p.yuan} 元超过两位小数`,
      en: `Money amount ${p.yuan} yuan has more than two decimals`,
    },
    hint: { zh: '金额精确到分,最多两位小数', en: 'Money is exact to the fen: at most two decimals' },
  }),
  'ir.bad-parameter-type': (p: { name: string; kind: string }): Entry => ({
    message: {
      zh: `参数“${p.name}”不能是${TYPE_NAMES[p.kind]?.zh ?? p.kind}类型`,
      en: `Parameter "${p.name}" cannot have type ${TYPE_NAMES[p.kind]?.en ?? p.kind}`,
    },
    hint: {
      zh: '参数类型只能是布尔、整数、数值、金额、百分比、日期、文本或时长',
      en: 'A parameter is a boolean, integer, number, money, percent, date, string or duration',
    },
  }),
  'ir.duration-fact': (_p: Record<string, never>): Entry => ({
    message: { zh: '事实不能是时长类型', en: 'A fact cannot be a duration' },
    hint: {
      zh: '时长只用于参数(如 办理时限: 时长,取值 30个工作日);天数等事实请用整数',
      en: 'Durations are for parameters (e.g. a time limit of 30 workdays); give a day count as an integer fact',
    },
  }),
  'ir.bad-parameter-value': (p: { name: string; kind: string }): Entry => ({
    message: {
      zh: `参数“${p.name}”的取值须是${TYPE_NAMES[p.kind]?.zh ?? p.kind}类型的字面量`,
      en: `A value of parameter "${p.name}" must be a ${TYPE_NAMES[p.kind]?.en ?? p.kind} literal`,
    },
    hint: {
      zh: '例如 3%、3‰、百分之五、千分之三、万分之五、500元、5万元、30、2017-08-01、30天、"文本"、是;不能写表达式',
      en: 'For example 3%, 3‰, 百分之五, 千分之三, 万分之五, 500元, 5万元, 30, 2017-08-01, 30 days, "text", true; not an expression',
    },
  }),
} as const;

const arityHelp: Record<string, string> = {
  min: 'min(a, b, …) / min(L, v where c)',
  max: 'max(a, b, …) / max(L, v where c)',
  abs: 'abs(a)',
  round: 'round(a)',
  daysBetween: 'daysBetween(a, b)',
  workdaysBetween: 'workdaysBetween(a, b)',
  monthsBetween: 'monthsBetween(a, b)',
  yearsBetween: 'yearsBetween(a, b)',
  known: 'known(x)',
  count: 'count(L where c)',
  sum: 'sum(L, v where c)',
  avg: 'avg(L, v where c)',
  ratio: 'ratio(L where c) / ratio(L, v where c)',
  any: 'any(L where c)',
  all: 'all(L, c) / all(L, v where c)',
};

export type IrCode = keyof typeof MESSAGES;

/** Build a diagnostic from the catalogue. */
export function diag<C extends IrCode>(
  code: C,
  params: Parameters<(typeof MESSAGES)[C]>[0],
  range?: Range,
  severity: Severity = 'error',
): Diagnostic {
  // The catalogue's entries each take their own parameter shape; the generic ties them to `code`.
  const entry = (MESSAGES[code] as (p: typeof params) => Entry)(params);
  const d: Diagnostic = { code, severity, message: entry.message };
  if (range) d.range = range;
  if (entry.hint) d.hint = entry.hint;
  return d;
}
