import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { LangController, pick, t } from '../i18n/index.ts';
import { shared } from '../styles.ts';
import type { ErrorDetail } from '../wire.ts';

/**
 * A loading, empty or error state, the same on every page. Errors are announced to screen
 * readers (role=alert) and offer a retry, which fires a `retry` event.
 */
@customElement('tw-state')
export class TwState extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      .box { padding: 1.25rem; border-radius: var(--tw-radius); background: var(--tw-surface); border: 1px dashed var(--tw-border); min-height: 4.5rem; }
      .error { border: 1px solid var(--tw-bad); background: #fdf3f2; }
      .spinner { display: inline-block; width: 1rem; height: 1rem; border: 2px solid #b8c0cc; border-top-color: var(--tw-accent); border-radius: 50%; animation: spin 0.9s linear infinite; vertical-align: -2px; margin-inline-end: 0.5rem; }
      @keyframes spin { to { transform: rotate(360deg); } }
      @media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
      ul { margin: 0.5rem 0 0; padding-inline-start: 1.25rem; }
    `,
  ];

  /** Which state to show. */
  @property() kind: 'loading' | 'empty' | 'error' = 'loading';
  /** Text to show; a default per kind when empty. */
  @property() message = '';
  /** Error details from the server (`error.details`), listed under the message. */
  @property({ attribute: false }) details: ErrorDetail[] = [];
  /** Whether an error offers a retry button. */
  @property({ type: Boolean }) retryable = true;

  private readonly i18n = new LangController(this);

  override render() {
    if (this.kind === 'loading')
      return html`<div class="box" role="status" aria-live="polite"><span class="spinner" aria-hidden="true"></span>${this.message || t('state.loading')}</div>`;
    if (this.kind === 'empty') return html`<div class="box muted" role="status">${this.message || t('state.empty')}</div>`;
    return html`<div class="box error" role="alert">
      <strong class="bad">${t('state.error')}</strong>
      <p>${this.message}</p>
      ${this.details.length
        ? html`<ul aria-label=${t('error.details')}>
            ${this.details.map((d) => html`<li><code>${d.path}</code> ${pick(d.message)}</li>`)}
          </ul>`
        : nothing}
      ${this.retryable ? html`<p><button @click=${() => this.dispatchEvent(new CustomEvent('retry', { bubbles: true, composed: true }))}>${t('state.retry')}</button></p>` : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-state': TwState;
  }
}
