import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { LangController, t } from '../i18n/index.ts';
import { shared } from '../styles.ts';
import { ApiClient } from '../api.ts';
import { errorWords } from '../loader.ts';
import type { Me } from '../wire.ts';

/**
 * The login: "sign in with the provider" when the server has an OpenID Connect provider
 * (`GET /api/v1/auth/config`; the server redirects back with a session token the shell takes),
 * and the token form, which stays for systems and setups without one. The form checks the token
 * with `GET /api/v1/me` and fires `login` with `{ token, me }`; the shell stores the token in
 * sessionStorage.
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
      .sso { display: flex; flex-direction: column; gap: 0.5rem; margin-bottom: 1rem; padding-bottom: 1rem; border-bottom: 1px solid var(--tw-line, #d0d7de); }
      .sso a.button { text-align: center; text-decoration: none; }
    `,
  ];

  @state() private busy = false;
  @state() private error = '';
  /** The provider's issuer when the server signs in with OpenID Connect. */
  @state() private issuer?: string;
  private readonly i18n = new LangController(this);

  override connectedCallback(): void {
    super.connectedCallback();
    new ApiClient(() => undefined)
      .authConfig()
      .then((cfg) => (this.issuer = cfg.oidc?.issuer))
      // An older server without the route: the token form alone.
      .catch(() => undefined);
  }

  override render() {
    return html`<div class="card">
      <h1>${t('login.title')}</h1>
      ${this.issuer
        ? html`<div class="sso">
            <a class="button primary" data-testid="oidc-login" href="/api/v1/auth/oidc/login">${t('login.oidc', { issuer: this.issuer })}</a>
            <span class="muted">${t('login.oidcOr')}</span>
          </div>`
        : nothing}
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
