/** A decision as text for a terminal, in Chinese and/or English. */
import type { Decision, ConditionTrace, ResolvedCitation, ComputedResult } from '../evaluate/types.ts';

type Lang = 'zh' | 'en' | 'both';

export function formatDecision(d: Decision, lang: Lang = 'both'): string {
  const t = (zh: string, en: string) => (lang === 'zh' ? zh : lang === 'en' ? en : `${zh} / ${en}`);
  const lines: string[] = [];
  lines.push(`${d.policy.id}@${d.policy.version} (${d.policy.jurisdiction})  ${t('评估日', 'as of')} ${d.asOf}  ${d.policy.hash.slice(0, 12)}`);
  if (d.status === 'invalid-facts') {
    lines.push(t('事实数据有误,未评估任何规则:', 'Invalid facts; no rule was evaluated:'));
    for (const e of d.factErrors) lines.push(`  ✗ ${e.path || '/'}: ${msg(e.message, lang)}`);
    return lines.join('\n');
  }
  if (!d.outcomes.length) lines.push(t('无规则触发', 'No rule fired'));
  for (const o of d.outcomes) {
    lines.push(`  ● [${o.kind}${o.severity ? '/' + o.severity : ''}] ${o.ruleId} ${o.title}`);
    lines.push(`    ${msg(o.message, lang)}`);
    lines.push(`    ${t('依据', 'cites')}: ${cite(o.citation)}`);
    if (o.consequences.length) lines.push(`    ${t('后果', 'consequences')}: ${o.consequences.join('、')}`);
    for (const [name, c] of Object.entries(o.computed)) lines.push(`    ${c.label ?? name} = ${showComputed(c.result)}`);
  }
  for (const u of d.undetermined) {
    lines.push(`  ? ${u.ruleId} ${u.title} — ${t('缺少事实', 'missing facts')}: ${u.missingFacts.join(', ') || '—'}${u.reasons?.length ? '; ' + u.reasons.map((r) => msg(r, lang)).join('; ') : ''}`);
  }
  for (const s of d.suppressed) lines.push(`  ↷ ${s.ruleId} ${t('被例外规则排除', 'suppressed by exception')} ${s.byRuleId}`);
  for (const c of d.conflicts) lines.push(`  ⚠ ${msg(c.message, lang)} (${cite(c.citations[0])} ↔ ${cite(c.citations[1])})`);
  if (d.trace) {
    lines.push(t('推理过程:', 'Trace:'));
    for (const r of d.trace) {
      lines.push(`  ${r.ruleId}: ${r.result}`);
      traceLines(r.condition, '    ', lines);
    }
  }
  return lines.join('\n');
}

function traceLines(c: ConditionTrace, indent: string, out: string[]): void {
  const mark = c.result === true ? '✓' : c.result === false ? '✗' : '?';
  const values = Object.entries(c.values).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
  // Each side of a comparison with what it came to: `贷款金额 - 额度上限 → 10000.00元`.
  const sides = (c.operands ?? []).map((o) => `${o.expr} → ${o.value === null ? '?' : typeof o.value === 'string' ? o.value : JSON.stringify(o.value)}`).join(' ; ');
  out.push(`${indent}${mark} ${c.condition}${sides ? `   ⟨${sides}⟩` : ''}${values ? `   [${values}]` : ''}`);
  for (const child of c.children ?? []) traceLines(child, indent + '  ', out);
}

function msg(m: { zh: string; en?: string }, lang: Lang): string {
  if (lang === 'zh' || !m.en) return m.zh;
  if (lang === 'en') return m.en;
  return `${m.zh} / ${m.en}`;
}

function cite(c: ResolvedCitation): string {
  return `${c.jurisdiction} 《${c.documentTitle}》${c.documentNumber ? `(${c.documentNumber})` : ''} ${c.article}`;
}

function showComputed(r: ComputedResult): string {
  switch (r.type) {
    case 'money':
      return `${r.yuan} 元`;
    case 'percent':
      return `${r.value}%`;
    case 'undetermined':
      return `? (${r.missingFacts.join(', ')})`;
    default:
      return String(r.value);
  }
}
