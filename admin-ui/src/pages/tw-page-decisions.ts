import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { LangController, lang, t } from '../i18n/index.ts';
import { shared } from '../styles.ts';
import { api, currentUser } from '../context.ts';
import { Loader, errorWords } from '../loader.ts';
import { href, type Route } from '../router.ts';
import { outcomeKindWords } from '../ruleNames.ts';
import { timeWords } from '../words.ts';
import type { DecisionList, DecisionRecord } from '../wire.ts';
import '../components/tw-state.ts';

const PAGE = 25;
const FIELDS = ['policy', 'version', 'subject', 'caller', 'outcome', 'rule', 'from', 'to'] as const;
type Field = (typeof FIELDS)[number];

/**
 * The decision log: logged decisions newest first, filtered by policy, version, subject, caller,
 * outcome, the rule that fired and a date range; more pages by cursor; every match exported as
 * CSV or NDJSON. The filters live in the route's query, so a filtered view can be linked.
 */
@customElement('tw-page-decisions')
export class TwPageDecisions extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      form { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: end; margin-bottom: 0.75rem; }
      label { display: flex; flex-direction: column; font-size: 0.85rem; }
      td, th { font-size: 0.88rem; vertical-align: top; }
      .actions { display: flex; gap: 0.5rem; margin-top: 0.5rem; align-items: center; }
      .err { color: var(--tw-bad); }
      code { font-size: 0.8rem; }
    `,
  ];

  /** The current route; its query holds the filters. */
  @property({ attribute: false }) route?: Route;
  @state() private items: DecisionRecord[] = [];
  @state() private next?: string;
  @state() private actionError = '';
  private readonly i18n = new LangController(this);
  private readonly page = new Loader<DecisionList>(this);
  private loadedFor?: string;

  private filters(): Partial<Record<Field, string>> {
    const q = this.route?.query ?? {};
    const out: Partial<Record<Field, string>> = {};
    for (const f of FIELDS) if (q[f]) out[f] = q[f];
    return out;
  }

  override willUpdate(): void {
    const key = JSON.stringify(this.filters());
    if (key !== this.loadedFor) {
      this.loadedFor = key;
      this.items = [];
      this.next = undefined;
      this.load();
    }
  }

  private load(cursor?: string): void {
    void this.page.run(async () => {
      const page = await api.decisions({ ...this.filters(), limit: PAGE, cursor });
      this.items = cursor ? [...this.items, ...page.items] : page.items;
      this.next = page.nextCursor;
      return page;
    });
  }

  private submit(e: SubmitEvent): void {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const query: Record<string, string | undefined> = {};
    for (const f of FIELDS) query[f] = (data.get(f) as string | null)?.trim() || undefined;
    location.hash = href('decisions', [], query);
  }

  private async export(format: 'csv' | 'ndjson'): Promise<void> {
    this.actionError = '';
    try {
      const q = new URLSearchParams({ ...(this.filters() as Record<string, string>), format });
      const blob = await api.download(`/decisions?${q}`);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `decisions.${format === 'csv' ? 'csv' : 'jsonl'}`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      this.actionError = errorWords(e);
    }
  }

  override render() {
    const f = this.filters();
    const input = (name: Field, type = 'text') =>
      html`<label>${t(`decisions.f.${name}`)}<input name=${name} type=${type} .value=${f[name] ?? ''} title=${name === 'subject' ? t('privacy.subjectHint') : nothing} /></label>`;
    const p = currentUser()?.privacy;
    return html`<h1>${t('decisions.title')}</h1>
      <p class="muted">${t('decisions.intro')}</p>
      ${p
        ? html`<p class="muted" data-testid="privacy">
            ${p.retentionDays > 0 ? t('privacy.retention', { n: p.retentionDays }) : t('privacy.forever')}
            ${p.maskFields.length ? t('privacy.serverMasks', { names: names(p.maskFields) }) : nothing}
            ${t(p.personalData ? 'privacy.youSee' : 'privacy.youDontSee')}
          </p>`
        : nothing}
      <form @submit=${(e: SubmitEvent) => this.submit(e)} data-testid="decision-filters">
        ${input('policy')} ${input('version')} ${input('subject')} ${input('caller')}
        <label>${t('decisions.f.outcome')}
          <select name="outcome" .value=${f.outcome ?? ''}>
            <option value="">${t('decisions.any')}</option>
            ${['violation', 'accountability', 'eligible', 'ineligible', 'undetermined', 'none', 'invalid-facts'].map(
              (k) => html`<option value=${k} ?selected=${f.outcome === k}>${outcomeKindWords(k)}</option>`,
            )}
          </select>
        </label>
        ${input('rule')} ${input('from', 'date')} ${input('to', 'date')}
        <button type="submit">${t('decisions.search')}</button>
      </form>
      ${this.page.render(() => this.renderTable(), { isEmpty: () => this.items.length === 0, emptyText: t('decisions.none') })}
      <div class="actions">
        <button @click=${() => this.export('csv')}>${t('decisions.export')} (CSV)</button>
        <button @click=${() => this.export('ndjson')}>${t('decisions.export')} (NDJSON)</button>
        ${this.actionError ? html`<span class="err" role="alert">${this.actionError}</span>` : nothing}
      </div>`;
  }

  private renderTable() {
    return html`<div class="scroll-x"><table data-testid="decisions">
        <thead><tr><th>${t('col.time')}</th><th>${t('decisions.f.subject')}</th><th>${t('decisions.f.policy')}</th><th>${t('decisions.f.caller')}</th><th>${t('decisions.fired')}</th><th>${t('decisions.undetermined')}</th><th>${t('privacy.col')}</th></tr></thead>
        <tbody>
          ${this.items.map(
            (d) => html`<tr data-decision=${d.id}>
              <td>${timeWords(d.at)}<br /><code>${d.id}</code></td>
              <td>${d.subject ?? '—'}</td>
              <td><a href=${href('policy', [d.policyId])}>${d.policyId}</a>@${d.version}${d.draft ? html` (${t('decisions.draft')} ${d.draft.id})` : nothing}</td>
              <td>${d.caller}</td>
              <td>${d.decision.outcomes.length ? d.decision.outcomes.map((o) => html`<div>${o.title} <span class="muted">(${outcomeKindWords(o.kind)} · ${o.citation.source} ${o.citation.article})</span></div>`) : '—'}</td>
              <td>
                ${d.decision.undetermined.length
                  ? html`<details><summary>${t('decisions.nUndetermined', { n: d.decision.undetermined.length })}</summary>
                      ${d.decision.undetermined.map((u) => html`<div>${u.title}</div>`)}</details>`
                  : '—'}
              </td>
              <td data-testid="personal">
                ${d.masked.length ? html`<div>${t('privacy.maskedList', { names: names(d.masked) })}</div>` : nothing}
                ${d.personal?.length ? html`<div>${t('privacy.keptList', { names: names(d.personal) })}${d.personalHidden ? html` <span class="muted">(${t('privacy.hidden')})</span>` : nothing}</div>` : nothing}
                ${!d.masked.length && !d.personal?.length ? '—' : nothing}
              </td>
            </tr>`,
          )}
        </tbody>
      </table></div>
      ${this.next ? html`<button data-testid="more" @click=${() => this.load(this.next)}>${t('decisions.more')}</button>` : nothing}`;
  }
}

const names = (xs: readonly string[]) => xs.join(lang() === 'en' ? ', ' : '、');

declare global {
  interface HTMLElementTagNameMap {
    'tw-page-decisions': TwPageDecisions;
  }
}
