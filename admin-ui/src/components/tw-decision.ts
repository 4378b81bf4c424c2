import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { LangController, lang, pick, t, type MessageKey } from '../i18n/index.ts';
import { shared } from '../styles.ts';
import { moneyWords } from '../words.ts';
import type { ComputedResult, Decision, ResolvedCitation } from '../../../engine/evaluate/types.ts';
import './tw-trace-tree.ts';

export function computedWords(r: ComputedResult): string {
  switch (r.type) {
    case 'money':
      return moneyWords(Number(r.yuan), lang());
    case 'percent':
      return `${r.value}%`;
    case 'boolean':
      return r.value ? t('common.yes') : t('common.no');
    case 'undetermined':
      return t('decision.missing', { facts: r.missingFacts.join('、') });
    default:
      return String(r.value);
  }
}

function citation(c: ResolvedCitation) {
  return html`<span class="cite">${c.documentTitle}${c.documentNumber ? `(${c.documentNumber})` : ''} ${c.article}</span>`;
}

/**
 * One decision: the outcomes that fired with their citations and computed values, the rules
 * that could not be decided and which facts they lack, suppressions, conflicts, and the trace.
 */
@customElement('tw-decision')
export class TwDecision extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      .outcome { border-inline-start: 4px solid var(--tw-border); padding: 0.5rem 0.75rem; margin: 0.5rem 0; background: var(--tw-surface); border-radius: 0 var(--tw-radius) var(--tw-radius) 0; }
      .k-violation, .k-accountability, .k-ineligible { border-color: var(--tw-bad); }
      .k-eligible, .k-commendation { border-color: var(--tw-ok); }
      .k-notice, .k-computation { border-color: var(--tw-warn); }
      .kind { font-weight: 700; }
      .cite { color: var(--tw-muted); font-size: 0.88rem; }
      blockquote { margin: 0.3rem 0; padding-inline-start: 0.6rem; border-inline-start: 2px solid var(--tw-border); color: var(--tw-muted); font-size: 0.88rem; }
      .stamp { font-size: 0.85rem; color: var(--tw-muted); }
      dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 0.75rem; margin: 0.3rem 0; }
      dt { color: var(--tw-muted); }
      dd { margin: 0; font-weight: 600; }
    `,
  ];

  /** The decision to show. */
  @property({ attribute: false }) decision?: Decision;

  private readonly i18n = new LangController(this);

  override render() {
    const d = this.decision;
    if (!d) return nothing;
    const titles = Object.fromEntries([...d.outcomes.map((o) => [o.ruleId, o.title]), ...d.undetermined.map((u) => [u.ruleId, u.title])]);
    return html`
      <p class="stamp">${t('decision.stamp', { id: d.policy.id, version: d.policy.version, asOf: d.asOf })}</p>
      ${d.factErrors.length
        ? html`<div role="alert"><h3 class="bad">${t('decision.factErrors')}</h3><ul>${d.factErrors.map((e) => html`<li><code>${e.path}</code> ${pick(e.message)}</li>`)}</ul></div>`
        : nothing}
      <h3>${t('decision.outcomes')} (${d.outcomes.length})</h3>
      ${d.outcomes.length
        ? d.outcomes.map(
            (o) => html`<div class="outcome k-${o.kind}" data-rule=${o.ruleId}>
              <div><span class="kind">${t(`kind.${o.kind}` as MessageKey)}</span>${o.severity ? html` · ${t(`severity.${o.severity}` as MessageKey)}` : nothing} — ${pick(o.message)}</div>
              <div>${o.title} <code class="muted">${o.ruleId}</code></div>
              <div>${t('decision.cites')}: ${citation(o.citation)}</div>
              ${o.citation.quote ? html`<blockquote>${o.citation.quote}</blockquote>` : nothing}
              ${o.consequences.length ? html`<div>${t('decision.consequences')}: ${o.consequences.join('、')}</div>` : nothing}
              ${Object.keys(o.computed).length
                ? html`<dl>${Object.entries(o.computed).map(([name, c]) => html`<dt>${(lang() === 'en' ? c.labelEn : undefined) ?? c.label ?? name}</dt><dd>${computedWords(c.result)}</dd>`)}</dl>`
                : nothing}
            </div>`,
          )
        : html`<p class="muted">${t('decision.none')}</p>`}
      ${d.undetermined.length
        ? html`<h3 class="warn">${t('decision.undetermined')} (${d.undetermined.length})</h3>
            <ul>${d.undetermined.map(
              (u) => html`<li><strong>${u.title}</strong> <code class="muted">${u.ruleId}</code> — ${t('decision.missing', { facts: u.missingFacts.join('、') })}${u.reasons?.length ? html` (${u.reasons.map((r) => pick(r)).join(';')})` : nothing}</li>`,
            )}</ul>`
        : nothing}
      ${d.suppressed.length
        ? html`<h3>${t('decision.suppressed')}</h3><ul>${d.suppressed.map((s) => html`<li><code>${s.ruleId}</code> ← <code>${s.byRuleId}</code> ${citation(s.citation)}</li>`)}</ul>`
        : nothing}
      ${d.conflicts.length
        ? html`<h3 class="bad">${t('decision.conflicts')}</h3><ul>${d.conflicts.map((c) => html`<li>${pick(c.message)}: ${citation(c.citations[0])} ↔ ${citation(c.citations[1])}</li>`)}</ul>`
        : nothing}
      ${d.notFired.length ? html`<details><summary>${t('decision.notFired')} (${d.notFired.length})</summary><p>${d.notFired.map((id) => html`<code>${id}</code> `)}</p></details>` : nothing}
      ${d.trace?.length
        ? html`<details open><summary><strong>${t('decision.trace')}</strong></summary><tw-trace-tree .trace=${d.trace} .titles=${titles}></tw-trace-tree></details>`
        : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-decision': TwDecision;
  }
}
