import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { LangController, lang, setLang, t, type MessageKey } from '../i18n/index.ts';
import { shared } from '../styles.ts';
import { parseHash, href, type PageName, type Route } from '../router.ts';
import { api, currentUser, setCurrentUser } from '../context.ts';
import { canSee, storedToken, storeToken, takeSessionFromHash } from '../session.ts';
import { errorWords } from '../loader.ts';
import type { Me } from '../wire.ts';
import './tw-login.ts';
import './tw-state.ts';
import '../pages/tw-page-library.ts';
import '../pages/tw-page-policy.ts';
import '../pages/tw-page-editor.ts';
import '../pages/tw-page-try.ts';
import '../pages/tw-page-diff.ts';
import '../pages/tw-page-simulate.ts';
import '../pages/tw-page-review.ts';
import '../pages/tw-page-decisions.ts';
import '../pages/tw-page-persons.ts';

const NAV: { page: PageName; key: MessageKey }[] = [
  { page: 'library', key: 'nav.library' },
  { page: 'editor', key: 'nav.editor' },
  { page: 'try', key: 'nav.try' },
  { page: 'diff', key: 'nav.diff' },
  { page: 'simulate', key: 'nav.simulate' },
  { page: 'review', key: 'nav.review' },
  { page: 'decisions', key: 'nav.decisions' },
  { page: 'persons', key: 'nav.persons' },
];

/**
 * The shell: header with navigation (only the pages the role may use), the language switch and
 * the login; renders the page the hash route names.
 */
@customElement('tw-app')
export class TwApp extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: flex; flex-direction: column; min-height: 100vh; }
      header { background: #1f2a37; color: #fff; display: flex; align-items: center; gap: 1.25rem; padding: 0 1.25rem; min-height: 3.25rem; flex-wrap: wrap; }
      .brand { display: flex; align-items: baseline; gap: 0.6rem; color: #fff; text-decoration: none; }
      .brand strong { font-size: 1.3rem; letter-spacing: 0.1em; }
      .brand span { color: #d5dbe3; font-size: 0.85rem; }
      nav ul { display: flex; gap: 0.25rem; list-style: none; margin: 0; padding: 0; flex-wrap: wrap; }
      nav a { display: block; padding: 0.9rem 0.75rem; color: #e8ecf1; text-decoration: none; border-bottom: 3px solid transparent; }
      nav a[aria-current='page'] { color: #fff; border-bottom-color: #ff8a80; font-weight: 600; }
      nav a:hover { color: #fff; background: #2b3949; }
      nav a:focus-visible, header button:focus-visible { outline-color: #8ab4f8; outline-offset: -3px; }
      .spacer { flex: 1; }
      .user { display: flex; align-items: center; gap: 0.6rem; color: #d5dbe3; }
      header button { background: transparent; color: #fff; border-color: #6b7a8c; min-height: 1.9rem; }
      main { flex: 1; padding: 1.25rem; width: 100%; max-width: 1680px; margin: 0 auto; }
      /* main takes focus on navigation so screen readers start there; it is not a control. */
      main:focus { outline: none; }
      .skip { position: absolute; left: -999px; top: 0; background: #fff; padding: 0.5rem; z-index: 10; }
      .skip:focus { left: 0.5rem; }
      /* A printed page (the impact report's print view) carries no navigation. */
      @media print {
        header, .skip { display: none; }
        main { padding: 0; max-width: none; }
      }
    `,
  ];

  /** First: a token the OpenID Connect login left in the address is taken before routing and restoring. */
  private readonly fromProvider = takeSessionFromHash();
  @state() private route: Route = parseHash(location.hash);
  @state() private me?: Me = currentUser();
  @state() private checking = !!storedToken();
  @state() private startError = '';
  private readonly i18n = new LangController(this);

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHash);
    api.onUnauthorized = () => this.logout();
    document.documentElement.lang = lang() === 'zh' ? 'zh-CN' : 'en';
    if (storedToken()) void this.restore();
  }

  override disconnectedCallback(): void {
    window.removeEventListener('hashchange', this.onHash);
    super.disconnectedCallback();
  }

  private onHash = (): void => {
    const before = this.route;
    this.route = parseHash(location.hash);
    // On a new page, move focus to the content so keyboard and screen-reader users land on it;
    // a change of query within a page (a select that updates the URL) keeps focus where it is.
    if (before.page !== this.route.page || before.segments.join('/') !== this.route.segments.join('/'))
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('main')?.focus({ preventScroll: true }));
  };

  private async restore(): Promise<void> {
    try {
      this.setMe(await api.me());
    } catch (e) {
      this.startError = errorWords(e);
      storeToken(undefined);
    } finally {
      this.checking = false;
    }
  }

  private setMe(me: Me | undefined): void {
    setCurrentUser(me);
    this.me = me;
  }

  private onLogin(e: CustomEvent<{ token: string; me: Me }>): void {
    storeToken(e.detail.token);
    this.startError = '';
    this.setMe(e.detail.me);
  }

  private logout(): void {
    storeToken(undefined);
    this.setMe(undefined);
  }

  private toggleLang(): void {
    setLang(lang() === 'zh' ? 'en' : 'zh');
  }

  override render() {
    const page = this.route.page;
    return html`
      <a class="skip" href="#main" @click=${(e: Event) => (e.preventDefault(), this.renderRoot.querySelector<HTMLElement>('main')?.focus())}>${t('app.skip')}</a>
      <header>
        <a class="brand" href=${href('library')}><strong>${t('app.name')}</strong><span>${t('app.subtitle')}</span></a>
        ${this.me
          ? html`<nav aria-label=${t('nav.label')}>
              <ul>
                ${NAV.filter((n) => canSee(this.me, n.page)).map(
                  (n) => html`<li><a href=${href(n.page)} aria-current=${page === n.page || (page === 'policy' && n.page === 'library') ? 'page' : 'false'}>${t(n.key)}</a></li>`,
                )}
              </ul>
            </nav>`
          : nothing}
        <span class="spacer"></span>
        <div class="user">
          ${this.me ? html`<span data-testid="whoami">${t('login.as', { name: this.me.name, role: t(`role.${this.me.role}` as MessageKey) })}${this.me.scope && this.me.scope !== '*' ? ` · ${this.me.scope.join(', ')}` : ''}</span>` : nothing}
          <button type="button" lang=${lang() === 'zh' ? 'en' : 'zh-CN'} aria-label=${t('lang.switchLabel')} @click=${this.toggleLang}>${t('lang.switch')}</button>
          ${this.me ? html`<button type="button" @click=${this.logout}>${t('login.logout')}</button>` : nothing}
        </div>
      </header>
      <main id="main" tabindex="-1">${this.renderMain()}</main>
    `;
  }

  private renderMain(): TemplateResult {
    if (this.checking) return html`<tw-state kind="loading"></tw-state>`;
    if (!this.me)
      return html`${this.startError ? html`<tw-state kind="error" .message=${this.startError} .retryable=${false}></tw-state>` : nothing}
        <tw-login @login=${this.onLogin}></tw-login>`;
    // Logged in, but the grant awaits a second admin: say so instead of pages that would answer 403.
    if (this.me.pending) return html`<tw-state kind="error" data-testid="pending" .message=${t('login.pending')} .retryable=${false}></tw-state>`;
    const r = this.route;
    if (r.page === 'not-found') return html`<tw-state kind="empty" .message=${t('state.notFound')}></tw-state>`;
    if (!canSee(this.me, r.page)) return html`<tw-state kind="error" .message=${t('state.forbidden')} .retryable=${false}></tw-state>`;
    switch (r.page) {
      case 'library':
        return html`<tw-page-library .route=${r}></tw-page-library>`;
      case 'policy':
        return html`<tw-page-policy .route=${r}></tw-page-policy>`;
      case 'editor':
        return html`<tw-page-editor .route=${r}></tw-page-editor>`;
      case 'try':
        return html`<tw-page-try .route=${r}></tw-page-try>`;
      case 'diff':
        return html`<tw-page-diff .route=${r}></tw-page-diff>`;
      case 'simulate':
        return html`<tw-page-simulate .route=${r}></tw-page-simulate>`;
      case 'review':
        return html`<tw-page-review .route=${r}></tw-page-review>`;
      case 'decisions':
        return html`<tw-page-decisions .route=${r}></tw-page-decisions>`;
      case 'persons':
        return html`<tw-page-persons .route=${r}></tw-page-persons>`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-app': TwApp;
  }
}
