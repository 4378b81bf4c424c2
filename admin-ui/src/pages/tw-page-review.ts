import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { LangController, t, type MessageKey } from '../i18n/index.ts';
import { shared } from '../styles.ts';
import { api, currentUser } from '../context.ts';
import { Loader, errorWords } from '../loader.ts';
import { href, type Route } from '../router.ts';
import { can, canOn } from '../session.ts';
import { timeWords } from '../words.ts';
import type { AuditEntry, Draft, Page } from '../wire.ts';
import '../components/tw-state.ts';
import '../components/tw-change-impact.ts';
import '../components/tw-draft-simulations.ts';

const AUDIT_PAGE = 20;

/**
 * Review: drafts waiting for me (never my own: four eyes), approve or reject with a comment,
 * publish approved drafts, and the audit trail.
 */
@customElement('tw-page-review')
export class TwPageReview extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      .draft { margin-bottom: 0.75rem; }
      .draft header { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: baseline; }
      textarea { width: 100%; min-height: 4rem; font-family: var(--tw-font); }
      .msg { min-height: 1.4rem; }
      .err { color: var(--tw-bad); }
      td, th { font-size: 0.88rem; }
      details.impact { margin: 0.5rem 0; }
      .pager { display: flex; gap: 0.5rem; align-items: center; margin-top: 0.5rem; }
    `,
  ];

  /** The current route. */
  @property({ attribute: false }) route?: Route;
  @state() private comments: Record<number, string> = {};
  @state() private messages: Record<number, { ok: boolean; text: string }> = {};
  @state() private busy?: number;
  @state() private auditPage = 1;
  private readonly i18n = new LangController(this);
  private readonly drafts = new Loader<Draft[]>(this);
  private readonly audit = new Loader<Page<AuditEntry>>(this);

  override connectedCallback(): void {
    super.connectedCallback();
    this.reload();
  }

  private reload(): void {
    void this.drafts.run(async () => (await api.drafts()).filter((d) => d.status === 'in-review' || d.status === 'approved'));
    if (can(currentUser()?.role, 'audit')) this.loadAudit();
  }

  private loadAudit(): void {
    void this.audit.run(() => api.audit({ page: this.auditPage, pageSize: AUDIT_PAGE }));
  }

  override render() {
    const me = currentUser()?.name;
    return html`
      <h1>${t('review.title')}</h1>
      <h2>${t('review.waiting')}</h2>
      ${this.drafts.render(
        (all) => {
          const mine = all.filter((d) => d.status === 'in-review' && d.author !== me && !(d.editors ?? []).includes(me ?? ''));
          return mine.length ? html`${mine.map((d) => this.renderDraft(d, 'review'))}` : html`<tw-state kind="empty" .message=${t('review.none')}></tw-state>`;
        },
      )}
      ${this.drafts.data?.some((d) => d.status === 'approved')
        ? html`<h2>${t('review.approved')}</h2>${this.drafts.data.filter((d) => d.status === 'approved').map((d) => this.renderDraft(d, 'publish'))}`
        : nothing}
      ${can(currentUser()?.role, 'audit')
        ? html`<h2>${t('review.audit')}</h2>
            ${this.audit.render((p) => this.renderAudit(p), { isEmpty: (p) => p.items.length === 0, emptyText: t('review.noAudit') })}`
        : nothing}
    `;
  }

  private renderDraft(d: Draft, mode: 'review' | 'publish') {
    const msg = this.messages[d.id];
    const busy = this.busy === d.id;
    return html`<article class="card draft" data-draft=${d.id} aria-labelledby="d-${d.id}">
      <header>
        <h3 id="d-${d.id}">${t('diff.draft', { id: d.id })} <code>${d.policyId ?? ''}</code></h3>
        <span class="badge">${t(`status.${d.status}` as MessageKey)}</span>
        <span class="muted">${t('col.author')}: ${d.author}</span>
        <span class="muted">${timeWords(d.updatedAt)}</span>
        <a href=${href('editor', [String(d.id)])}>${t('review.open')}</a>
        ${d.policyId ? html`<a href=${href('diff', [], { a: d.policyId, b: `draft:${d.id}` })}>${t('nav.diff')}</a>` : nothing}
      </header>
      ${mode === 'review' && d.policyId
        ? html`<details class="impact" data-testid="review-impact">
            <summary>${t('review.impact')}</summary>
            <p class="muted">${t('review.impactHint')}</p>
            <tw-change-impact .a=${d.policyId} .b=${`draft:${d.id}`}></tw-change-impact>
          </details>`
        : nothing}
      ${mode === 'review' && can(currentUser()?.role, 'simulate')
        ? html`<section data-testid="review-reports"><tw-draft-simulations .draft=${d.id}></tw-draft-simulations></section>`
        : nothing}
      ${mode === 'review' && canOn(currentUser(), 'review', d.policyId)
        ? html`<div class="field">
              <label for="c-${d.id}">${t('review.comment')}</label>
              <textarea id="c-${d.id}" .value=${this.comments[d.id] ?? ''} @input=${(e: Event) => (this.comments = { ...this.comments, [d.id]: (e.target as HTMLTextAreaElement).value })}></textarea>
            </div>
            <div class="toolbar">
              <button class="primary" ?disabled=${busy} @click=${() => this.act(d, 'approve')}>${t('review.approve')}</button>
              <button class="danger" ?disabled=${busy} @click=${() => this.act(d, 'reject')}>${t('review.reject')}</button>
            </div>`
        : mode !== 'review' && canOn(currentUser(), 'publish', d.policyId)
          ? html`<div class="toolbar"><button class="primary" ?disabled=${busy} @click=${() => this.act(d, 'publish')}>${t('review.publish')}</button></div>`
          : nothing}
      <div class="msg ${msg && !msg.ok ? 'err' : 'ok'}" role=${msg && !msg.ok ? 'alert' : 'status'}>${msg?.text ?? ''}</div>
    </article>`;
  }

  private async act(d: Draft, action: 'approve' | 'reject' | 'publish'): Promise<void> {
    const comment = (this.comments[d.id] ?? '').trim();
    if (action === 'reject' && !comment) {
      this.messages = { ...this.messages, [d.id]: { ok: false, text: t('review.commentRequired') } };
      this.renderRoot.querySelector<HTMLTextAreaElement>(`#c-${d.id}`)?.focus();
      return;
    }
    this.busy = d.id;
    try {
      await api.draftAction(d.id, action, comment || undefined);
      this.messages = { ...this.messages, [d.id]: { ok: true, text: t('review.done') } };
      this.reload();
    } catch (e) {
      this.messages = { ...this.messages, [d.id]: { ok: false, text: errorWords(e) } };
    } finally {
      this.busy = undefined;
    }
  }

  private renderAudit(p: Page<AuditEntry>) {
    const pages = Math.max(1, Math.ceil(p.total / AUDIT_PAGE));
    return html`<div class="scroll-x"><table data-testid="audit">
        <thead><tr><th>${t('col.time')}</th><th>${t('col.actor')}</th><th>${t('col.action')}</th><th>${t('col.target')}</th></tr></thead>
        <tbody>${p.items.map((a) => html`<tr><td>${timeWords(a.at)}</td><td>${a.actor}</td><td><code>${a.action}</code></td><td><code>${a.target}</code></td></tr>`)}</tbody>
      </table></div>
      <div class="pager">
        <button ?disabled=${this.auditPage <= 1} @click=${() => (this.auditPage--, this.loadAudit())}>${t('simulate.prev')}</button>
        <span>${t('simulate.page', { page: this.auditPage, pages })}</span>
        <button ?disabled=${this.auditPage >= pages} @click=${() => (this.auditPage++, this.loadAudit())}>${t('simulate.next')}</button>
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-page-review': TwPageReview;
  }
}
