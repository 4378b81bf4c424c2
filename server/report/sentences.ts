/**
 * The impact report's sentences, a message catalogue: one template per sentence in Chinese and
 * English with named slots, filled from the report's figures on the server, so the page, the
 * print view and the XLSX say the same words.
 */
import type { Text } from '../messages.ts';

export const SENTENCES = {
  'report.policy': {
    zh: '{candidate} 相对 {baseline}:新增规则 {added} 条,删除 {removed} 条,修改 {changed} 条,调整参数 {parameters} 项。',
    en: '{candidate} against {baseline}: {added} rules added, {removed} removed, {changed} changed, {parameters} parameters adjusted.',
  },
  'report.policy-same': { zh: '{candidate} 与 {baseline} 的规则相同。', en: '{candidate} has the same rules as {baseline}.' },
  'report.changed': {
    zh: '共 {total} 条记录,其中 {changed} 条({pct})的结论发生变化。',
    en: 'Of {total} records, {changed} ({pct}) changed verdict.',
  },
  'report.rule': {
    zh: '「{title}」({article}):新触发 {gained} 条,不再触发 {lost} 条,转为无法判定 {toUndetermined} 条,由无法判定转为可判定 {fromUndetermined} 条。',
    en: '"{title}" ({article}): fires for {gained} more records, no longer for {lost}, undetermined for {toUndetermined} more, decided again for {fromUndetermined}.',
  },
  'report.outcome': {
    zh: '结论为「{kind}」的记录由 {before} 条变为 {after} 条(增加 {gained},减少 {lost})。',
    en: 'Records with the verdict "{kind}" go from {before} to {after} (+{gained}, −{lost}).',
  },
  'report.amount': {
    zh: '「{label}」合计由 {before} 元变为 {after} 元,相差 {delta} 元(按结论变化的记录计)。',
    en: '"{label}" totals CNY {before} before and CNY {after} after, a difference of CNY {delta} (over the records that changed verdict).',
  },
  'report.breakdown': {
    zh: '按「{column}」分为 {groups} 组,变化最多的是「{top}」({n} 条)。',
    en: 'By "{column}" in {groups} groups; the most changes are in "{top}" ({n} records).',
  },
  'report.breakdown-none': { zh: '按「{column}」分为 {groups} 组,没有记录的结论发生变化。', en: 'By "{column}" in {groups} groups; no record changed verdict.' },
} as const satisfies Record<string, Text>;

export type SentenceKey = keyof typeof SENTENCES;

/** A sentence with its slots filled, in both languages (a slot may differ by language). */
export function sentence(key: SentenceKey, slots: Record<string, string | number | Text>): Text {
  const fill = (lang: 'zh' | 'en') =>
    SENTENCES[key][lang].replace(/\{(\w+)\}/g, (_, k: string) => {
      const v = slots[k];
      if (v === undefined) return `{${k}}`;
      return typeof v === 'object' ? (v[lang] ?? v.zh) : String(v);
    });
  return { zh: fill('zh'), en: fill('en') };
}

/** Outcome classes as the result's `byOutcome` counts them, in officials' words. */
export const OUTCOME_WORDS: Record<string, Text> = {
  violation: { zh: '违规', en: 'violation' },
  accountability: { zh: '问责', en: 'accountability' },
  eligible: { zh: '符合', en: 'eligible' },
  ineligible: { zh: '不符合', en: 'ineligible' },
  notice: { zh: '提示事项', en: 'notice' },
  commendation: { zh: '表彰', en: 'commendation' },
  computation: { zh: '计算结果', en: 'computation' },
  none: { zh: '无结论', en: 'no verdict' },
  undetermined: { zh: '无法判定', en: 'undetermined' },
  'invalid-facts': { zh: '事实无效', en: 'invalid facts' },
};

/** The six ways a rule's verdict on a record can move, in words. */
export const DIRECTION_WORDS: Record<string, Text> = {
  'not>fired': { zh: '新触发', en: 'now fires' },
  'fired>not': { zh: '不再触发', en: 'no longer fires' },
  'fired>undetermined': { zh: '触发→无法判定', en: 'fired → undetermined' },
  'not>undetermined': { zh: '未触发→无法判定', en: 'not fired → undetermined' },
  'undetermined>fired': { zh: '无法判定→触发', en: 'undetermined → fires' },
  'undetermined>not': { zh: '无法判定→未触发', en: 'undetermined → not fired' },
};
