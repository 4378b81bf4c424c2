import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { LangController, t } from '../i18n/index.ts';
import { shared } from '../styles.ts';
import { api } from '../context.ts';
import { Loader, errorWords } from '../loader.ts';
import { timeWords } from '../words.ts';
import type { DraftSimulations } from '../wire.ts';
import './tw-impact-report.ts';
import './tw-state.ts';

/**
 * The simulations attached to a draft (GET /drafts/{id}/simulations), each with its impact report
 * and a link to its XLSX: what the approver reads on the review page before approving.
 */
@customElement('tw-draft-simulations')
export class TwDraftSimulations extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      .att { border-inline-start: 3px solid var(--tw-accent); padding-inline-start: 0.75rem; margin: 0.5rem 0 1rem; }
    `,
  ];

  @property({ type: Number }) draft = 0;
  private readonly i18n = new LangController(this);
  private readonly list = new Loader<DraftSimulations>(this);
  private loaded = 0;
  @state() private error = '';

  override willUpdate(): void {
    if (this.draft && this.draft !== this.loaded) {
      this.loaded = this.draft;
      void this.list.run(() => api.get<DraftSimulations>(`/drafts/${this.draft}/simulations`));
    }
  }

  override render() {
    return html`<h4>${t('report.reviewTitle')}</h4>
      ${this.error ? html`<p class="bad" role="alert">${this.error}</p>` : nothing}
      ${this.list.render(
        (l) => html`${l.items.map(
          ({ attachment: a, report }) => html`<div class="att" data-testid="attached-report" data-job=${a.jobId}>
            <p class="muted">
              ${t('report.attachedBy', { name: a.attachedBy, time: timeWords(a.attachedAt), revision: a.revision })} ·
              <code>${report.baseline.policy}@${report.baseline.version}</code> → <code>${report.candidate.policy}@${report.candidate.version}</code> ·
              <a href="#" @click=${(e: Event) => this.download(e, a.links.xlsx, `${a.jobId}-report.xlsx`)}>${t('report.exportXlsx')}</a>
            </p>
            ${a.stale ? html`<p class="warn" role="status">${t('report.stale')}</p>` : nothing}
            <tw-impact-report .report=${report}></tw-impact-report>
          </div>`,
        )}`,
        { isEmpty: (l) => l.items.length === 0, emptyText: t('report.reviewNone') },
      )}`;
  }

  private async download(e: Event, link: string, name: string): Promise<void> {
    e.preventDefault();
    this.error = '';
    try {
      // The link is the API's own path; the client adds the token.
      const blob = await api.download(link.replace(/^\/api\/v1/, ''));
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      this.error = errorWords(err);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-draft-simulations': TwDraftSimulations;
  }
}
