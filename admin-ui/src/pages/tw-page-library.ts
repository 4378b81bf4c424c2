import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { LangController, lang, t, type MessageKey } from '../i18n/index.ts';
import { shared } from '../styles.ts';
import { api, currentUser } from '../context.ts';
import { Loader, errorWords } from '../loader.ts';
import { href, policyHref, type Route } from '../router.ts';
import { can } from '../session.ts';
import { jurisdictionWords, periodStatus, timeWords, todayInShanghai } from '../words.ts';
import type { LibrarySyncResponse, PolicySummary } from '../wire.ts';
import '../components/tw-timeline.ts';
import '../components/tw-state.ts';

/**
 * Library: every published policy grouped by jurisdiction, with the version in force today, a
 * search box, and per policy its versions and a timeline of their effective periods. An admin
 * can propose the server's library folder as drafts (check first, then propose: never a publish).
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
      .sync { margin-top: 1rem; background: var(--tw-surface); border: 1px solid var(--tw-border); border-radius: var(--tw-radius); padding: 0.75rem 1rem; }
      .sync .actions { display: flex; gap: 0.5rem; flex-wrap: wrap; margin: 0.5rem 0; }
      .msg { min-height: 1.4rem; }
    `,
  ];

  /** The current route (query `q` is the search). */
  @property({ attribute: false }) route?: Route;
  @state() private query = '';
  /** The last check or proposal of the library folder (admin). */
  @state() private syncRows?: LibrarySyncResponse['items'];
  @state() private syncBusy = false;
  @state() private syncMsg?: { ok: boolean; text: string };
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
      ${can(currentUser()?.role, 'syncLibrary') ? this.renderSync() : nothing}
      ${this.loader.render((items) => this.renderList(items), { isEmpty: (v) => v.length === 0, emptyText: t('library.empty') })}
    `;
  }

  /** Admin only: check the folder (a dry run), then propose what is new as drafts. */
  private renderSync() {
    const rows = this.syncRows;
    const pending = rows?.filter((r) => r.status === 'would-propose').length ?? 0;
    const shown = rows?.filter((r) => r.status !== 'up-to-date') ?? [];
    return html`<details class="sync" data-sync>
      <summary>${t('library.sync')}</summary>
      <p class="muted">${t('library.syncHint')}</p>
      <div class="actions">
        <button type="button" ?disabled=${this.syncBusy} @click=${() => this.sync(true)}>${t('library.syncCheck')}</button>
        ${pending > 0
          ? html`<button type="button" class="primary" ?disabled=${this.syncBusy} @click=${() => this.sync(false)}>${t('library.syncPropose', { n: pending })}</button>`
          : nothing}
      </div>
      <div class="msg ${this.syncMsg && !this.syncMsg.ok ? 'err' : 'ok'}" role=${this.syncMsg && !this.syncMsg.ok ? 'alert' : 'status'}>${this.syncMsg?.text ?? ''}</div>
      ${shown.length
        ? html`<div class="scroll-x"><table>
            <thead><tr><th>${t('library.syncPolicy')}</th><th>${t('col.version')}</th><th>${t('col.status')}</th><th></th></tr></thead>
            <tbody>
              ${shown.map(
                (r) => html`<tr data-row=${`${r.policy}@${r.version}`}>
                  <td class="mono">${r.policy === '—' ? r.file : r.policy}</td>
                  <td>${r.version}</td>
                  <td>${t(`library.syncStatus.${r.status}` as MessageKey)}</td>
                  <td>${r.draft ? html`<a href=${href('editor', [String(r.draft)])}>#${r.draft}</a> ` : nothing}<span class="muted">${lang() === 'en' ? r.note.en : r.note.zh}</span></td>
                </tr>`,
              )}
            </tbody>
          </table></div>`
        : nothing}
    </details>`;
  }

  private async sync(dryRun: boolean): Promise<void> {
    this.syncBusy = true;
    this.syncMsg = undefined;
    try {
      const rows = await api.syncLibrary(dryRun);
      this.syncRows = rows;
      const proposed = rows.filter((r) => r.status === 'proposed').length;
      const pending = rows.filter((r) => r.status === 'would-propose').length;
      if (!dryRun) this.syncMsg = { ok: true, text: t('library.syncDone', { n: proposed }) };
      else if (pending === 0) this.syncMsg = { ok: true, text: t('library.syncNothing') };
    } catch (e) {
      this.syncMsg = { ok: false, text: errorWords(e) };
    } finally {
      this.syncBusy = false;
    }
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
