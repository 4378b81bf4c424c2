/**
 * The zh/en catalogue of `analysis.*` findings. Codes are stable; wording may change.
 */
import type { Bilingual } from '../messages.ts';

const zhList = (xs: readonly string[]): string => xs.join('、');
const enList = (xs: readonly string[]): string => xs.join(', ');

interface Entry {
  message: Bilingual;
  hint?: Bilingual;
}

const APPROX_TEXT: Record<string, Bilingual> = {
  'list-bound': { zh: '列表按至多 {n} 条记录建模', en: 'lists modelled with at most {n} records' },
  'money-rounding': { zh: '金额乘除按精确有理数舍入', en: 'money × / ÷ rounded on the exact product' },
};

export function approximationText(kinds: readonly string[], listBound: number): Bilingual {
  const pick = (lang: 'zh' | 'en') => kinds.map((k) => (APPROX_TEXT[k]?.[lang] ?? k).replace('{n}', String(listBound)));
  return { zh: `近似:${zhList(pick('zh'))}`, en: `approximated: ${enList(pick('en'))}` };
}

export const FINDINGS = {
  'analysis.unsatisfiable-condition': (p: { rule: string; from: string; until?: string }): Entry => ({
    message: {
      zh: `规则 ${p.rule} 的条件在 ${p.from} ${p.until ? `至 ${p.until}` : '起'}的任何一天、任何事实下都不可能成立,该规则永远不会触发`,
      en: `the condition of rule ${p.rule} cannot hold for any facts on any day ${p.until ? `from ${p.from} to ${p.until}` : `from ${p.from} on`}: the rule never fires`,
    },
    hint: {
      zh: '检查比较方向与阈值(例如 x > 10 且 x < 5),或参数在该期间的取值',
      en: 'check the comparisons and thresholds (e.g. x > 10 and x < 5) and the parameter values in the period',
    },
  }),
  'analysis.never-fires': (p: { rule: string; by: string[] }): Entry => ({
    message: {
      zh: `规则 ${p.rule} 的条件可以成立,但每当成立时都被例外规则 ${zhList(p.by)} 排除,该规则永远不会触发`,
      en: `rule ${p.rule} can hold but is suppressed by its exception ${enList(p.by)} whenever it does: it never fires`,
    },
  }),
  'analysis.conflict': (p: { a: string; b: string; kindA: string; kindB: string; subject: string }): Entry => ({
    message: {
      zh: `规则 ${p.a}(${p.kindA})与 ${p.b}(${p.kindB})可以对同一事实同时触发,结论相互矛盾(事项:${p.subject})`,
      en: `rules ${p.a} (${p.kindA}) and ${p.b} (${p.kindB}) can fire together on the same facts with contradictory outcomes (subject: ${p.subject})`,
    },
    hint: {
      zh: '若一条是另一条的例外,请写“例外于”;否则收紧其中一条的条件。反例见下',
      en: 'if one is an exception to the other, say so with `exception to`; else narrow one condition. See the counterexample',
    },
  }),
  'analysis.conflicting-computation': (p: { a: string; b: string; name: string }): Entry => ({
    message: {
      zh: `规则 ${p.a} 与 ${p.b} 可以同时触发,却把“${p.name}”算成不同的值`,
      en: `rules ${p.a} and ${p.b} can fire together and compute ${p.name} to different values`,
    },
    hint: { zh: '统一计算方法,或收紧其中一条的条件。反例见下', en: 'compute it one way, or narrow one condition. See the counterexample' },
  }),
  'analysis.table-overlap': (p: { table: string; a: string; b: string }): Entry => ({
    message: {
      zh: `决策表 ${p.table} 命中规则为唯一,但行 ${p.a} 与行 ${p.b} 可以同时成立`,
      en: `table ${p.table} is hit unique, but rows ${p.a} and ${p.b} can both hold`,
    },
    hint: {
      zh: '收紧其中一行的单元格,或改为 命中 首条。反例见下',
      en: 'narrow a cell of one row, or make the table hit first. See the counterexample',
    },
  }),
  'analysis.redundant-rule': (p: { rule: string; by: string }): Entry => ({
    message: {
      zh: `规则 ${p.rule} 触发时规则 ${p.by} 必然也触发,且二者结论相同:${p.rule} 是多余的`,
      en: `whenever rule ${p.rule} fires, rule ${p.by} fires too with the same outcome: ${p.rule} is redundant`,
    },
    hint: { zh: '若两条引用不同条文,可保留;否则删除或合并', en: 'keep it if the two cite different articles on purpose; else remove or merge' },
  }),
  'analysis.unused-fact': (p: { name: string }): Entry => ({
    message: { zh: `事实“${p.name}”已声明,但没有任何规则读取`, en: `fact ${p.name} is declared but no rule reads it` },
    hint: { zh: '删除该声明,或在规则中使用它', en: 'remove the declaration or use it in a rule' },
  }),
  'analysis.unused-parameter': (p: { name: string }): Entry => ({
    message: { zh: `参数“${p.name}”已声明,但没有任何规则读取`, en: `parameter ${p.name} is declared but no rule reads it` },
    hint: { zh: '删除该参数,或在规则中使用它', en: 'remove the parameter or use it in a rule' },
  }),
  'analysis.unused-definition': (p: { name: string }): Entry => ({
    message: { zh: `定义“${p.name}”没有任何规则使用`, en: `definition ${p.name} is used by no rule` },
  }),
  'analysis.parameter-gap': (p: { name: string; from: string; first: string }): Entry => ({
    message: {
      zh: `参数“${p.name}”在 ${p.from} 至 ${p.first} 前一天没有取值,读取它的规则在此期间无法判定`,
      en: `parameter ${p.name} has no value from ${p.from} until the day before ${p.first}: rules reading it are undetermined then`,
    },
    hint: { zh: `增加自 ${p.from} 起的取值`, en: `add a value from ${p.from}` },
  }),
  'analysis.parameter-value-unread': (p: { name: string; from: string; until: string }): Entry => ({
    message: {
      zh: `参数“${p.name}”自 ${p.from} 起的取值在本版本生效期(至 ${p.until})内不会被读取`,
      en: `the value of parameter ${p.name} from ${p.from} is never read: this version ends ${p.until}`,
    },
  }),
  'analysis.same-start': (p: { policy: string; a: string; b: string; from: string }): Entry => ({
    message: {
      zh: `政策 ${p.policy} 的版本 ${p.a} 与 ${p.b} 生效日期相同(${p.from}),无法确定哪个版本生效`,
      en: `versions ${p.a} and ${p.b} of ${p.policy} both start on ${p.from}: which one is in force is not determined by the periods`,
    },
    hint: { zh: '修订版本应晚于原版本生效', en: 'an amendment must start after the version it replaces' },
  }),
  'analysis.overlapping-versions': (p: { policy: string; a: string; until: string; b: string; from: string }): Entry => ({
    message: {
      zh: `政策 ${p.policy} 的版本 ${p.a} 明确至 ${p.until} 失效,但版本 ${p.b} 已于 ${p.from} 生效,两版本生效期重叠`,
      en: `version ${p.a} of ${p.policy} is in force until ${p.until}, past the start of version ${p.b} on ${p.from}: the periods overlap`,
    },
    hint: {
      zh: `把 ${p.a} 的失效日期改为 ${p.b} 生效前一天,或删去失效日期(无失效日期的版本持续到下一版本生效)`,
      en: `end ${p.a} the day before ${p.b} starts, or drop its end date (a version without one runs until the next starts)`,
    },
  }),
  'analysis.gap': (p: { rules: string[]; reason: string }): Entry => ({
    message: {
      zh: `声明为完备的规则 ${zhList(p.rules)}(${p.reason})有遗漏:下面这组事实全部给出,却没有一条触发`,
      en: `the rules declared complete, ${enList(p.rules)} (${p.reason}), leave a gap: with the facts below all given, none of them fires`,
    },
    hint: {
      zh: '补一条规则覆盖这种情形,或放宽某条规则的条件;用示例事实在“试算”中复现',
      en: 'add a rule for this case or widen a condition; replay the example facts in Try it',
    },
  }),
  'analysis.solver-unknown': (p: { rules: string[]; question: Bilingual; reason: string }): Entry => ({
    message: {
      zh: `求解器未能回答(${p.reason}):${p.question.zh}(规则 ${zhList(p.rules)})。这不表示没有问题`,
      en: `the solver gave no answer (${p.reason}): ${p.question.en} (rules ${enList(p.rules)}). This does not mean there is no problem`,
    },
  }),
  'analysis.not-proved': (p: { rules: string[]; question: Bilingual; bound: number }): Entry => ({
    message: {
      zh: `列表不超过 ${p.bound} 条记录时不会出现,但更长的列表未能证明:${p.question.zh}(规则 ${zhList(p.rules)})`,
      en: `not found with lists of up to ${p.bound} records, not proved for longer lists: ${p.question.en} (rules ${enList(p.rules)})`,
    },
  }),
  'analysis.unsupported': (p: { rules: string[]; what: string }): Entry => ({
    message: {
      zh: `规则 ${zhList(p.rules)} 使用了分析尚不支持的写法(${p.what}),未作分析`,
      en: `rules ${enList(p.rules)} use what the analysis does not model (${p.what}): not analysed`,
    },
  }),
} as const;

export const QUESTIONS = {
  canFire: (rule: string): Bilingual => ({ zh: `规则 ${rule} 的条件能否成立`, en: `whether the condition of ${rule} can hold` }),
  conflict: (a: string, b: string): Bilingual => ({ zh: `${a} 与 ${b} 能否同时触发`, en: `whether ${a} and ${b} can fire together` }),
  redundant: (a: string, b: string): Bilingual => ({ zh: `${a} 是否蕴含 ${b}`, en: `whether ${a} implies ${b}` }),
  complete: (rules: readonly string[]): Bilingual => ({ zh: `${zhList(rules)} 是否总有一条触发`, en: `whether one of ${enList(rules)} always fires` }),
  impact: (rule: string): Bilingual => ({ zh: `规则 ${rule} 在两版本下的结论能否不同`, en: `whether ${rule} can be judged differently by the two versions` }),
  whole: (): Bilingual => ({ zh: '整部政策的分析(死规则、冲突、冗余、完备性)', en: 'the analysis of the whole policy (dead rules, conflicts, redundancy, completeness)' }),
};
