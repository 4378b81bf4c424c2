import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { LangController, t } from '../i18n/index.ts';
import { shared } from '../styles.ts';
import { ApiClient } from '../api.ts';
import { errorWords } from '../loader.ts';
import type { Me } from '../wire.ts';

/**
 * The token login form. Checks the token with `GET /api/v1/me` and fires `login` with
 * `{ token, me }`; the shell stores the token in sessionStorage.
 */
@customElement('tw-login')
export class TwLogin extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; max-width: 30rem; margin: 4rem auto; }
      form { display: flex; flex-direction: column; gap: 0.75rem; }
      input { width: 100%; font-family: var(--tw-mono); }
      .error { color: var(--tw-bad); min-height: 1.5rem; }
    `,
  ];

  @state() private busy = false;
  @state() private error = '';
  private readonly i18n = new LangController(this);

  override render() {
    return html`<div class="card">
      <h1>${t('login.title')}</h1>
      <p class="muted" id="intro">${t('login.intro')}</p>
      <form @submit=${this.submit}>
        <div class="field">
          <label for="token">${t('login.token')}</label>
          <input id="token" name="token" type="password" autocomplete="current-password" required aria-describedby="intro login-error" aria-invalid=${this.error ? 'true' : 'false'} />
        </div>
        <div id="login-error" class="error" role="alert">${this.error || nothing}</div>
        <div><button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? t('login.busy') : t('login.submit')}</button></div>
      </form>
    </div>`;
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    const token = (this.renderRoot.querySelector('#token') as HTMLInputElement).value.trim();
    if (!token) return;
    this.busy = true;
    this.error = '';
    try {
      const me: Me = await new ApiClient(() => token).me();
      this.dispatchEvent(new CustomEvent('login', { detail: { token, me }, bubbles: true, composed: true }));
    } catch (err) {
      this.error = errorWords(err);
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-login': TwLogin;
  }
}
