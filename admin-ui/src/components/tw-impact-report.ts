import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { LangController, pick, t, type MessageKey } from '../i18n/index.ts';
import { shared } from '../styles.ts';
import type { ImpactReport } from '../wire.ts';
import './tw-bar-chart.ts';

const DIRECTIONS = ['not>fired', 'fired>not', 'fired>undetermined', 'not>undetermined', 'undetermined>fired', 'undetermined>not'] as const;
const directionKey = (d: string) => `report.dir.${d.replace('>', '-')}` as MessageKey;

/**
 * A simulation's impact report as the server computed it (GET /jobs/{id}/report): sentences,
 * the policy change, verdicts moved per rule and outcome, amounts, and the breakdown by a column
 * as a table and a bar chart. Rules by title and article; ids only as small print. Shown on the
 * simulate page, its print view and the review page (before the approve button).
 */
@customElement('tw-impact-report')
export class TwImpactReport extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      .summary p { margin: 0.25rem 0; }
      td, th { font-size: 0.86rem; font-variant-numeric: tabular-nums; }
      td.n, th.n { text-align: end; }
      .id { font-family: var(--tw-mono); font-size: 0.75rem; color: var(--tw-muted); }
      .cite { color: var(--tw-muted); font-size: 0.85rem; }
      section { margin: 0.75rem 0; }
      /* The chart's text scales with its width: kept near its drawn size on wide screens and paper. */
      tw-bar-chart { max-width: 48rem; }
      @media print {
        table { page-break-inside: auto; }
        tr { page-break-inside: avoid; }
        thead { display: table-header-group; }
        section { break-inside: avoid-page; }
        .card { box-shadow: none; border: 1px solid #999; }
      }
    `,
  ];

  @property({ attribute: false }) report?: ImpactReport;
  private readonly i18n = new LangController(this);

  override render() {
    const r = this.report;
    if (!r) return nothing;
    const title = (x: { title: string; titleEn?: string }) => pick({ zh: x.title, en: x.titleEn ?? x.title });
    const rule = (x: { rule: string; title: string; titleEn?: string; article: string }) =>
      html`<span class="title">${title(x)}</span> <span class="cite">${x.article}</span> <span class="id">${x.rule}</span>`;
    const moved = r.rules.filter((x) => DIRECTIONS.some((d) => x.directions[d] > 0));
    return html`
      <section class="summary" data-testid="report-summary" aria-labelledby="rs-h">
        <h3 id="rs-h">${t('report.summary')}</h3>
        ${r.summary.map((s) => html`<p>${pick(s)}</p>`)}
      </section>
      ${r.change.added.length + r.change.removed.length + r.change.changed.length + r.change.parameters.length
        ? html`<section aria-labelledby="rc-h"><h3 id="rc-h">${t('report.change')}</h3><ul data-testid="report-change">
            ${r.change.added.map((x) => html`<li data-rule=${x.rule}>${t('report.added')}:${rule(x)}</li>`)}
            ${r.change.removed.map((x) => html`<li data-rule=${x.rule}>${t('report.removed')}:${rule(x)}</li>`)}
            ${r.change.changed.map((x) => html`<li data-rule=${x.rule}>${t('report.changedRule')}:${rule(x)}</li>`)}
            ${r.change.parameters.map((p) => html`<li>${t('report.parameter')}:${p.label} ${p.values.map((v) => html`${v.old ?? '—'} → ${v.new ?? '—'}`)}</li>`)}
          </ul></section>`
        : nothing}
      <section aria-labelledby="rr-h">
        <h3 id="rr-h">${t('report.perRule')}</h3>
        ${moved.length
          ? html`<div class="scroll-x"><table data-testid="report-rules">
              <thead><tr><th>${t('simulate.rule')}</th><th class="n">${t('report.firedBefore')}</th><th class="n">${t('report.firedAfter')}</th>${DIRECTIONS.map((d) => html`<th class="n">${t(directionKey(d))}</th>`)}</tr></thead>
              <tbody>${moved.map((x) => html`<tr data-rule=${x.rule}><td>${rule(x)}</td><td class="n">${x.baseline.fired}</td><td class="n">${x.candidate.fired}</td>${DIRECTIONS.map((d) => html`<td class="n">${x.directions[d]}</td>`)}</tr>`)}</tbody>
            </table></div>`
          : html`<p class="muted">${t('report.noMoves')}</p>`}
      </section>
      <section aria-labelledby="ro-h">
        <h3 id="ro-h">${t('report.perOutcome')}</h3>
        <div class="scroll-x"><table data-testid="report-outcomes">
          <thead><tr><th>${t('report.outcome')}</th><th class="n">${t('col.baseline')}</th><th class="n">${t('col.candidate')}</th><th class="n">${t('report.gained')}</th><th class="n">${t('report.lost')}</th></tr></thead>
          <tbody>${r.outcomes.map((o) => html`<tr><td>${pick(o.label)}</td><td class="n">${o.baseline}</td><td class="n">${o.candidate}</td><td class="n">${o.gained}</td><td class="n">${o.lost}</td></tr>`)}</tbody>
        </table></div>
      </section>
      ${r.amounts.length
        ? html`<section aria-labelledby="ra-h"><h3 id="ra-h">${t('report.amounts')}</h3>
            <p class="muted">${t('report.amountsHint')}</p>
            <div class="scroll-x"><table data-testid="report-amounts">
              <thead><tr><th>${t('report.amount')}</th><th class="n">${t('col.baseline')}</th><th class="n">${t('col.candidate')}</th><th class="n">${t('report.delta')}</th></tr></thead>
              <tbody>${r.amounts.map((a) => html`<tr><td>${pick(a.label)}</td><td class="n">${a.baselineYuan} ${t('report.yuan')}</td><td class="n">${a.candidateYuan} ${t('report.yuan')}</td><td class="n">${a.deltaYuan} ${t('report.yuan')}</td></tr>`)}</tbody>
            </table></div></section>`
        : nothing}
      ${r.breakdown ? this.renderBreakdown(r.breakdown) : nothing}
    `;
  }

  private renderBreakdown(b: NonNullable<ImpactReport['breakdown']>) {
    const label = pick(b.label);
    // The chart shows the groups with the most changes (the table has them all).
    const top = b.groups.slice(0, 20);
    return html`<section aria-labelledby="rb-h" data-testid="report-breakdown">
      <h3 id="rb-h">${t('report.breakdown', { column: label })}</h3>
      <tw-bar-chart .label=${t('report.breakdown', { column: label })} .series=${[t('report.records'), t('report.changed')]} .rows=${top.map((g) => ({ label: pick(g.label), values: [g.records, g.changed] }))}></tw-bar-chart>
      <div class="scroll-x"><table data-testid="report-groups">
        <thead><tr><th>${label}</th><th class="n">${t('report.records')}</th><th class="n">${t('report.changed')}</th>${DIRECTIONS.map((d) => html`<th class="n">${t(directionKey(d))}</th>`)}</tr></thead>
        <tbody>${b.groups.map((g) => html`<tr><td>${pick(g.label)}</td><td class="n">${g.records}</td><td class="n">${g.changed}</td>${DIRECTIONS.map((d) => html`<td class="n">${g.directions[d]}</td>`)}</tr>`)}</tbody>
      </table></div>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-impact-report': TwImpactReport;
  }
}
