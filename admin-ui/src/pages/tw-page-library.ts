import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { LangController, lang, t, type MessageKey } from '../i18n/index.ts';
import { shared } from '../styles.ts';
import { api, currentUser } from '../context.ts';
import { Loader } from '../loader.ts';
import { href, policyHref, type Route } from '../router.ts';
import { can } from '../session.ts';
import { jurisdictionWords, periodStatus, timeWords, todayInShanghai } from '../words.ts';
import type { PolicySummary } from '../wire.ts';
import '../components/tw-timeline.ts';
import '../components/tw-state.ts';

/**
 * Library: every published policy grouped by jurisdiction, with the version in force today, a
 * search box, and per policy its versions and a timeline of their effective periods.
 */
@customElement('tw-page-library')
export class TwPageLibrary extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      .head { display: flex; gap: 1rem; align-items: end; flex-wrap: wrap; justify-content: space-between; }
      .search input { width: min(28rem, 80vw); }
      section.jur { margin-top: 1.25rem; }
      .policies { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 36rem), 1fr)); gap: 1rem; }
      article { background: var(--tw-surface); border: 1px solid var(--tw-border); border-radius: var(--tw-radius); padding: 0.9rem 1rem; min-width: 0; }
      article h3 { margin: 0 0 0.2rem; font-size: 1.05rem; }
      .id { font-family: var(--tw-mono); color: var(--tw-muted); font-size: 0.85rem; }
      details { margin-top: 0.5rem; }
      summary { cursor: pointer; font-weight: 500; }
      td, th { font-size: 0.88rem; }
      .inforce { margin: 0.35rem 0; }
    `,
  ];

  /** The current route (query `q` is the search). */
  @property({ attribute: false }) route?: Route;
  @state() private query = '';
  private readonly i18n = new LangController(this);
  private readonly loader = new Loader<PolicySummary[]>(this);
  private readonly today = todayInShanghai();

  override connectedCallback(): void {
    super.connectedCallback();
    this.query = this.route?.query.q ?? '';
    void this.loader.run(() => api.policies(this.today));
  }

  override render() {
    return html`
      <div class="head">
        <h1>${t('library.title')}</h1>
        <div class="field search">
          <label for="q">${t('library.search')}</label>
          <input id="q" type="search" .value=${this.query} placeholder=${t('library.searchPlaceholder')} @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)} />
        </div>
        ${can(currentUser()?.role, 'edit') ? html`<a class="button primary" href=${href('editor', ['new'])}>${t('library.newDraft')}</a>` : nothing}
      </div>
      ${this.loader.render((items) => this.renderList(items), { isEmpty: (v) => v.length === 0, emptyText: t('library.empty') })}
    `;
  }

  private matchesQuery(p: PolicySummary): boolean {
    const q = this.query.trim().toLowerCase();
    if (!q) return true;
    return [p.id, p.title, p.titleEn ?? '', p.jurisdiction, jurisdictionWords(p.jurisdiction, 'zh'), jurisdictionWords(p.jurisdiction, 'en'), ...p.versions.map((v) => v.version)]
      .some((s) => s.toLowerCase().includes(q));
  }

  private renderList(items: PolicySummary[]) {
    const shown = items.filter((p) => this.matchesQuery(p));
    const groups = new Map<string, PolicySummary[]>();
    for (const p of shown) groups.set(p.jurisdiction, [...(groups.get(p.jurisdiction) ?? []), p]);
    return html`
      <p class="muted" role="status" aria-live="polite">${shown.length ? t('library.count', { n: shown.length }) : t('library.noMatch', { q: this.query })}</p>
      ${[...groups].map(
        ([jur, ps]) => html`<section class="jur" aria-labelledby="j-${jur}">
          <h2 id="j-${jur}">${jurisdictionWords(jur, lang())} <span class="muted mono">${jur}</span></h2>
          <div class="policies">${ps.map((p) => this.renderPolicy(p))}</div>
        </section>`,
      )}
    `;
  }

  private renderPolicy(p: PolicySummary) {
    const title = lang() === 'en' ? p.titleEn || p.title : p.title;
    const current = p.inForce;
    const versions = [...p.versions].reverse();
    return html`<article data-policy=${p.id}>
      <h3><a href=${policyHref(p.id, current)}>${title}</a></h3>
      <div class="id">${p.id}</div>
      <p class="inforce">
        ${current
          ? html`<span class="badge ok">${t('library.inForce')}</span> <a href=${policyHref(p.id, current)}>${t('col.version')} ${current}</a>`
          : html`<span class="badge muted">${t('library.notInForce')}</span>`}
      </p>
      <tw-timeline .periods=${p.versions.map((v) => ({ label: v.version, from: v.effectiveFrom, until: v.effectiveUntil, current: v.version === current }))}></tw-timeline>
      <details>
        <summary>${t('library.versions')} (${p.versions.length})</summary>
        <div class="scroll-x">
          <table>
            <thead><tr><th>${t('col.version')}</th><th>${t('col.effective')}</th><th>${t('col.status')}</th><th>${t('col.author')}</th><th>${t('col.approver')}</th><th>${t('col.publishedAt')}</th></tr></thead>
            <tbody>
              ${versions.map((v) => {
                const st = periodStatus(v, this.today);
                return html`<tr>
                  <td><a href=${policyHref(p.id, v.version)}>${v.version}</a></td>
                  <td>${v.effectiveUntil ? t('period.closed', { from: v.effectiveFrom, until: v.effectiveUntil }) : t('period.open', { from: v.effectiveFrom })}</td>
                  <td><span class="badge ${st === 'inForce' ? 'ok' : 'muted'}">${t(`status.${st}` as MessageKey)}</span></td>
                  <td>${v.author}</td>
                  <td>${v.approvedBy ?? (v.author === 'system' ? html`<span class="muted">${t('library.seedApproval')}</span>` : '—')}</td>
                  <td>${timeWords(v.publishedAt)}</td>
                </tr>`;
              })}
            </tbody>
          </table>
        </div>
      </details>
    </article>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-page-library': TwPageLibrary;
  }
}
