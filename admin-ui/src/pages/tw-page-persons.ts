import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { LangController, t, type MessageKey } from '../i18n/index.ts';
import { shared } from '../styles.ts';
import { api, currentUser } from '../context.ts';
import { Loader, errorWords } from '../loader.ts';
import type { Route } from '../router.ts';
import type { Person, Role } from '../wire.ts';
import '../components/tw-state.ts';

const ROLES: readonly Role[] = ['admin', 'author', 'reviewer', 'system', 'viewer'];

/**
 * Persons (admin): who holds which role over which jurisdictions, creating a person, and approving
 * a reviewer or admin grant another admin asked for (four eyes on identities: the server refuses
 * the person themselves and the admin who asked, and this page does not offer it to them);
 * disabling a person (not offered for oneself) and enabling them again.
 */
@customElement('tw-page-persons')
export class TwPagePersons extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      form { display: flex; gap: 0.75rem; align-items: end; flex-wrap: wrap; margin: 1rem 0; }
      td, th { font-size: 0.88rem; }
      .pending { color: var(--tw-warn, #a15c00); font-weight: 600; }
    `,
  ];

  @property({ attribute: false }) route?: Route;
  @state() private message?: { ok: boolean; text: string };
  @state() private busy = false;
  private readonly i18n = new LangController(this);
  private readonly loader = new Loader<Person[]>(this);

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loader.run(() => api.persons());
  }

  override render() {
    return html`
      <h1>${t('persons.title')}</h1>
      <p class="muted">${t('persons.intro')}</p>
      <form data-testid="person-form" @submit=${this.create}>
        <div class="field"><label for="p-name">${t('persons.name')}</label><input id="p-name" name="name" required maxlength="200" /></div>
        <div class="field">
          <label for="p-role">${t('persons.role')}</label>
          <select id="p-role" name="role">${ROLES.map((r) => html`<option value=${r}>${t(`role.${r}` as MessageKey)}</option>`)}</select>
        </div>
        <div class="field"><label for="p-jur">${t('persons.jurisdictions')}</label><input id="p-jur" name="jurisdictions" placeholder="gansu, shanxi" /></div>
        <button class="primary" type="submit" ?disabled=${this.busy}>${t('persons.create')}</button>
      </form>
      <div class="msg ${this.message && !this.message.ok ? 'err' : 'ok'}" role=${this.message && !this.message.ok ? 'alert' : 'status'}>${this.message?.text ?? ''}</div>
      ${this.loader.render((items) => this.renderTable(items), { isEmpty: (v) => v.length === 0, emptyText: t('state.empty') })}
    `;
  }

  private renderTable(items: Person[]) {
    const me = currentUser();
    return html`<div class="scroll-x"><table data-testid="persons">
      <thead><tr><th>${t('persons.name')}</th><th>${t('persons.grants')}</th><th>${t('col.status')}</th><th>${t('persons.createdBy')}</th><th>${t('col.actions')}</th></tr></thead>
      <tbody>
        ${items.map((p) => {
          const waiting = p.grants.filter((g) => g.status === 'pending');
          // The server refuses these; not offering them saves a round trip.
          const mayApprove = waiting.length > 0 && p.id !== me?.personId && !waiting.some((g) => g.requestedBy === me?.personId);
          return html`<tr>
            <td>${p.name}</td>
            <td>${p.grants.map((g) => html`<div class=${g.status === 'pending' ? 'pending' : ''}>${t(`role.${g.role}` as MessageKey)}: ${g.jurisdictions === '*' ? t('persons.all') : g.jurisdictions.join(', ')}${g.status === 'pending' ? ` (${t('persons.pending')})` : ''}</div>`)}</td>
            <td>${t(`persons.status.${p.status}` as MessageKey)}</td>
            <td>${p.createdBy}${p.approvedBy ? html`<div class="muted">${t('persons.approvedBy', { name: p.approvedBy })}</div>` : nothing}</td>
            <td>
              ${mayApprove ? html`<button ?disabled=${this.busy} @click=${() => this.approve(p)}>${t('persons.approve')}</button>` : nothing}
              ${p.status === 'disabled'
                ? html`<button ?disabled=${this.busy} @click=${() => this.setEnabled(p, true)}>${t('persons.enable')}</button>`
                : p.id !== me?.personId
                  ? html`<button ?disabled=${this.busy} @click=${() => this.setEnabled(p, false)}>${t('persons.disable')}</button>`
                  : nothing}
            </td>
          </tr>`;
        })}
      </tbody>
    </table></div>`;
  }

  private async create(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const raw = String(data.get('jurisdictions') ?? '').trim();
    const jurisdictions = !raw || raw === '*' ? ('*' as const) : raw.split(/[,，\s]+/).filter(Boolean);
    await this.act(async () => {
      const p = await api.createPerson({ name: String(data.get('name') ?? ''), grants: [{ role: String(data.get('role')) as Role, jurisdictions }] });
      form.reset();
      return t(p.status === 'pending' ? 'persons.createdPending' : 'persons.created', { name: p.name });
    });
  }

  private approve(p: Person): Promise<void> {
    return this.act(async () => (await api.approvePerson(p.id), t('persons.approved', { name: p.name })));
  }

  private setEnabled(p: Person, enabled: boolean): Promise<void> {
    return this.act(async () => {
      const after = await api.setPersonEnabled(p.id, enabled);
      if (!enabled) return t('persons.disabledDone', { name: p.name });
      return t(after.grants.some((g) => g.status === 'pending') ? 'persons.enabledPending' : 'persons.enabledDone', { name: p.name });
    });
  }

  private async act(fn: () => Promise<string>): Promise<void> {
    this.busy = true;
    try {
      this.message = { ok: true, text: await fn() };
      void this.loader.run(() => api.persons());
    } catch (err) {
      this.message = { ok: false, text: errorWords(err) };
    } finally {
      this.busy = false;
    }
  }
}
