/**
 * The zh/en catalogue of the engine: diagnostics of the policy library, reasons a value is
 * unknown, fact validation messages and decision messages. Codes are stable; wording may change.
 */
import type { Diagnostic, Severity } from '../dsl/diagnostics.ts';

export interface Bilingual {
  zh: string;
  en: string;
}

const listEn = (xs: readonly string[]): string => (xs.length === 0 ? '—' : xs.join(', '));
const listZh = (xs: readonly string[]): string => (xs.length === 0 ? '无' : xs.join('、'));

interface Entry {
  message: Bilingual;
  hint?: Bilingual;
}

/** Diagnostics of the policy library (`engine.*`). */
export const DIAGNOSTICS = {
  'engine.no-version-in-force': (p: { policy: string; date: string; periods: string[] }): Entry => ({
    message: {
      zh: `政策 ${p.policy} 在 ${p.date} 没有生效的版本`,
      en: `no version of ${p.policy} in force on ${p.date}`,
    },
    hint: {
      zh: `已有版本的生效期:${listZh(p.periods)}`,
      en: `versions in the library are in force: ${listEn(p.periods)}`,
    },
  }),
  'engine.unknown-policy': (p: { policy: string; known: string[] }): Entry => ({
    message: { zh: `政策库中没有政策 ${p.policy}`, en: `no policy ${p.policy} in the library` },
    hint: { zh: `已有政策:${listZh(p.known)}`, en: `policies in the library: ${listEn(p.known)}` },
  }),
  'engine.unknown-version': (p: { policy: string; version: string; known: string[] }): Entry => ({
    message: {
      zh: `政策 ${p.policy} 没有版本 "${p.version}"`,
      en: `policy ${p.policy} has no version "${p.version}"`,
    },
    hint: { zh: `已有版本:${listZh(p.known)}`, en: `versions: ${listEn(p.known)}` },
  }),
  'engine.duplicate-version': (p: { policy: string; version: string }): Entry => ({
    message: {
      zh: `政策 ${p.policy} 的版本 "${p.version}" 已在库中,新加入的替换了原有的`,
      en: `version "${p.version}" of ${p.policy} was already in the library; the one added last replaces it`,
    },
    hint: { zh: '同一政策的每个版本号只能出现一次', en: 'each version label of a policy must be unique' },
  }),
  'engine.overlapping-periods': (p: { policy: string; a: string; b: string; winner: string }): Entry => ({
    message: {
      zh: `政策 ${p.policy} 的版本 ${p.a} 与 ${p.b} 生效期重叠`,
      en: `versions ${p.a} and ${p.b} of ${p.policy} have overlapping periods`,
    },
    hint: {
      zh: `重叠期间以生效日期较晚的版本 ${p.winner} 为准;请给前一版本写明失效日期(至)`,
      en: `in the overlap the later-starting version ${p.winner} wins; give the earlier one an end date (until)`,
    },
  }),
  'engine.invalid-period': (p: { policy: string; version: string }): Entry => ({
    message: {
      zh: `政策 ${p.policy} 版本 ${p.version} 的失效日期早于生效日期`,
      en: `version ${p.version} of ${p.policy} ends before it starts`,
    },
  }),
  'engine.extends-cycle': (p: { chain: string[] }): Entry => ({
    message: {
      zh: `政策继承形成循环:${p.chain.join(' → ')}`,
      en: `policies extend each other in a cycle: ${p.chain.join(' → ')}`,
    },
    hint: { zh: '继承关系必须是一条从变体到基础政策的链', en: 'extends must form a chain from variant to base' },
  }),
  'engine.unknown-base': (p: { policy: string; base: string }): Entry => ({
    message: {
      zh: `政策 ${p.policy} 继承的基础政策 ${p.base} 不在政策库中`,
      en: `${p.policy} extends ${p.base}, which is not in the library`,
    },
  }),
  'engine.disable-unknown-rule': (p: { policy: string; rule: string; base: string }): Entry => ({
    message: {
      zh: `${p.policy} 停用的规则 ${p.rule} 在基础政策 ${p.base} 中不存在`,
      en: `${p.policy} disables rule ${p.rule}, which ${p.base} does not have`,
    },
  }),
  'engine.override-unknown-rule': (p: { policy: string; rule: string; base: string }): Entry => ({
    message: {
      zh: `${p.policy} 覆盖的规则 ${p.rule} 在基础政策 ${p.base} 中不存在`,
      en: `${p.policy} overrides rule ${p.rule}, which ${p.base} does not have`,
    },
    hint: { zh: '去掉“覆盖”,作为新规则加入', en: 'drop `overrides` to add it as a new rule' },
  }),
  'engine.duplicate-rule': (p: { policy: string; rule: string; base: string }): Entry => ({
    message: {
      zh: `${p.policy} 的规则 ${p.rule} 与基础政策 ${p.base} 的规则同名`,
      en: `rule ${p.rule} of ${p.policy} has the same id as a rule of ${p.base}`,
    },
    hint: { zh: '要替换基础规则,请写“覆盖”', en: 'write `overrides` to replace the base rule' },
  }),
} as const;

export type EngineCode = keyof typeof DIAGNOSTICS;

export function diagnostic<C extends EngineCode>(
  code: C,
  params: Parameters<(typeof DIAGNOSTICS)[C]>[0],
  severity: Severity = 'error',
): Diagnostic {
  const entry = (DIAGNOSTICS[code] as (p: typeof params) => Entry)(params);
  const d: Diagnostic = { code, severity, message: entry.message };
  if (entry.hint) d.hint = entry.hint;
  return d;
}

/** Reasons and decision texts. */
export const MSG = {
  divisionByZero: (): Bilingual => ({ zh: '除数为零', en: 'division by zero' }),
  noParameterValue: (p: { name: string; label: string; date: string }): Bilingual => ({
    zh: `参数“${p.label}”(${p.name})在 ${p.date} 没有取值`,
    en: `parameter ${p.name} has no value on ${p.date}`,
  }),
  emptyAggregate: (p: { fn: string; list: string }): Bilingual => ({
    zh: `列表 ${p.list} 中没有符合条件的记录,无法计算 ${p.fn}`,
    en: `${p.fn} over ${p.list}: no record qualifies`,
  }),
  exceptionUndetermined: (p: { rule: string }): Bilingual => ({
    zh: `例外规则 ${p.rule} 是否适用尚无法确定`,
    en: `whether exception ${p.rule} applies is undetermined`,
  }),
  contradictory: (p: { a: string; b: string; kindA: string; kindB: string }): Bilingual => ({
    zh: `规则 ${p.a}(${p.kindA})与规则 ${p.b}(${p.kindB})的结论相互矛盾,且二者均非对方的例外`,
    en: `rules ${p.a} (${p.kindA}) and ${p.b} (${p.kindB}) reach contradictory outcomes and neither is an exception to the other`,
  }),
};

/** What a fact of each kind must look like, for validation messages. */
export const FACT_KIND_TEXT: Record<string, Bilingual> = {
  boolean: { zh: '应为是/否(true 或 false)', en: 'must be true or false' },
  integer: { zh: '应为整数', en: 'must be an integer' },
  number: { zh: '应为数值', en: 'must be a number' },
  percent: { zh: '应为百分数(按所写数值,3.5 表示 3.5%)', en: 'must be a percent as written (3.5 means 3.5%)' },
  money: {
    zh: '应为金额(单位元,数字或字符串,最多两位小数)',
    en: 'must be money in yuan (a number or string, at most two decimals)',
  },
  date: { zh: '应为真实存在的日期,格式 YYYY-MM-DD', en: 'must be a real date written YYYY-MM-DD' },
  string: { zh: '应为文本', en: 'must be a string' },
  enum: { zh: '应为列出的取值之一', en: 'must be one of the listed values' },
  list: { zh: '应为记录的数组', en: 'must be an array of records' },
  record: { zh: '应为一条记录(对象)', en: 'must be a record (an object)' },
  facts: { zh: '事实应为一个对象', en: 'facts must be an object' },
};

export const FACT_MSG = {
  /** `subject` names the fact: label path in zh, English label path in en. */
  invalid: (subject: Bilingual, what: Bilingual): Bilingual => ({
    zh: `“${subject.zh}”${what.zh}`,
    en: `${subject.en} ${what.en}`,
  }),
  enumValues: (values: { value: string; label: string }[]): Bilingual => ({
    zh: `应为以下取值之一:${values.map((v) => `${v.value}(${v.label})`).join('、')}`,
    en: `must be one of: ${values.map((v) => v.value).join(', ')}`,
  }),
  unknownFact: (p: { name: string; known: string[] }): Bilingual => ({
    zh: `政策没有声明事实“${p.name}”;已声明:${listZh(p.known)}`,
    en: `the policy declares no fact "${p.name}"; declared: ${listEn(p.known)}`,
  }),
  unknownField: (p: { list: string; name: string; known: string[] }): Bilingual => ({
    zh: `列表“${p.list}”的记录没有字段“${p.name}”;已声明:${listZh(p.known)}`,
    en: `records of ${p.list} have no field "${p.name}"; declared: ${listEn(p.known)}`,
  }),
};
