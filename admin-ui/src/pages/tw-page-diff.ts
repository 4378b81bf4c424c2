import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { LangController, pick, t } from '../i18n/index.ts';
import { shared } from '../styles.ts';
import { api } from '../context.ts';
import { Loader } from '../loader.ts';
import { href, navigate, type Route } from '../router.ts';
import type { FieldChange, PolicyDiff, TextDiff } from '../../../engine/diff/index.ts';
import type { Draft, PolicySummary } from '../wire.ts';
import '../components/tw-text-diff.ts';
import '../components/tw-change-impact.ts';
import '../components/tw-state.ts';

interface Choices {
  versions: string[];
  drafts: Draft[];
}

function show(v: unknown): string {
  if (v === undefined) return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Diff: any two versions or a draft; the semantic diff (rules, parameters, facts) and a side-by-side text diff. */
@customElement('tw-page-diff')
export class TwPageDiff extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      select { min-width: 18rem; }
      .sem { display: grid; grid-template-columns: repeat(auto-fit, minmax(24rem, 1fr)); gap: 1rem; }
      ul { margin: 0.2rem 0; padding-inline-start: 1.2rem; }
      .add { color: var(--tw-ok); }
      .rem { color: var(--tw-bad); }
      .chg { color: var(--tw-warn); }
      .arrow { font-family: var(--tw-mono); }
      del { color: var(--tw-bad); }
      ins { color: var(--tw-ok); text-decoration: none; font-weight: 600; }
    `,
  ];

  /** Route: `#/diff?a=<ref>&b=<ref>`; refs are `<policy>@<version>` or `draft:<id>`. */
  @property({ attribute: false }) route?: Route;
  @state() private a = '';
  @state() private b = '';
  private readonly i18n = new LangController(this);
  private readonly choices = new Loader<Choices>(this);
  private readonly diff = new Loader<{ semantic: PolicyDiff; text: TextDiff; a: string; b: string }>(this);
  private loadedKey = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.choices.run(async () => {
      const [list, drafts] = await Promise.all([api.policies(), api.drafts().catch(() => [] as Draft[])]);
      return { versions: list.flatMap((p: PolicySummary) => p.versions.map((v) => `${p.id}@${v.version}`)), drafts };
    });
  }

  override willUpdate(): void {
    const { a = '', b = '' } = this.route?.query ?? {};
    const key = `${a}|${b}`;
    if (key === this.loadedKey) return;
    this.loadedKey = key;
    this.a = a;
    this.b = b;
    if (a && b)
      void this.diff.run(async () => {
        const r = await api.diff(a, b);
        return { semantic: r.semantic as PolicyDiff, text: r.text as TextDiff, a: r.a.ref, b: r.b.ref };
      });
  }

  override render() {
    return html`
      <h1>${t('diff.title')}</h1>
      ${this.choices.render((c) => this.renderPickers(c))}
      ${this.a && this.b ? this.diff.render((d) => this.renderDiff(d)) : html`<tw-state kind="empty" .message=${t('diff.pick')}></tw-state>`}
    `;
  }

  private renderPickers(c: Choices) {
    const options = (selected: string) => html`
      <option value="" ?selected=${!selected}>—</option>
      <optgroup label=${t('nav.library')}>${c.versions.map((v) => html`<option value=${v} ?selected=${v === selected}>${v}</option>`)}</optgroup>
      ${c.drafts.length
        ? html`<optgroup label=${t('editor.drafts')}>${c.drafts.map((d) => html`<option value="draft:${d.id}" ?selected=${`draft:${d.id}` === selected}>${t('diff.draft', { id: d.id })} ${d.policyId ?? ''}</option>`)}</optgroup>`
        : nothing}`;
    return html`<form class="row" @submit=${(e: Event) => (e.preventDefault(), navigate(href('diff', [], { a: this.a, b: this.b })))}>
      <div class="field"><label for="a">${t('diff.from')}</label><select id="a" @change=${(e: Event) => (this.a = (e.target as HTMLSelectElement).value)}>${options(this.a)}</select></div>
      <div class="field"><label for="b">${t('diff.to')}</label><select id="b" @change=${(e: Event) => (this.b = (e.target as HTMLSelectElement).value)}>${options(this.b)}</select></div>
      <button class="primary" type="submit" ?disabled=${!this.a || !this.b}>${t('diff.run')}</button>
    </form>`;
  }

  private changes(cs: FieldChange[]) {
    return html`<ul>${cs.map((c) => html`<li><code>${c.field}</code>: <del>${show(c.old)}</del> <span class="arrow">→</span> <ins>${show(c.new)}</ins></li>`)}</ul>`;
  }

  private renderDiff(d: { semantic: PolicyDiff; text: TextDiff; a: string; b: string }) {
    const s = d.semantic;
    return html`
      <h2>${t('diff.semantic')}</h2>
      ${s.same
        ? html`<tw-state kind="empty" .message=${t('diff.same')}></tw-state>`
        : html`<div class="sem" data-testid="semantic">
            ${s.header.length ? html`<section class="card"><h3>${t('policy.title')}</h3>${this.changes(s.header)}</section>` : nothing}
            ${this.section(t('policy.rules'), s.rules.added.map((r) => `${r.id} ${r.title} (${r.citation})`), s.rules.removed.map((r) => `${r.id} ${r.title} (${r.citation})`), s.rules.changed.map((r) => ({ name: `${r.id} ${r.title}`, body: this.changes(r.changes) })))}
            ${this.section(
              t('policy.parameters'),
              s.parameters.added.map((p) => `${p.label} (${p.name})`),
              s.parameters.removed.map((p) => `${p.label} (${p.name})`),
              s.parameters.changed.map((p) => ({
                name: p.name,
                body: html`${this.changes(p.changes)}<ul>${p.values.map((v) => html`<li>${t('col.from')} ${v.from}: <del>${v.display?.old ? pick(v.display.old) : show(v.old)}</del> → <ins>${v.display?.new ? pick(v.display.new) : show(v.new)}</ins>${v.citesChanged ? ` (${t('col.cites')})` : ''}</li>`)}</ul>`,
              })),
            )}
            ${this.section(t('policy.facts'), s.facts.added.map((f) => `${f.label} (${f.name}): ${f.type}`), s.facts.removed.map((f) => `${f.label} (${f.name}): ${f.type}`), s.facts.changed.map((f) => ({ name: f.name, body: this.changes(f.changes) })))}
            ${this.section('let', s.definitions.added.map((x) => `${x.name} = ${x.expr}`), s.definitions.removed.map((x) => `${x.name} = ${x.expr}`), s.definitions.changed.map((x) => ({ name: x.name, body: this.changes(x.changes) })))}
            ${s.disabled.added.length || s.disabled.removed.length ? this.section(t('policy.disabled'), s.disabled.added, s.disabled.removed, []) : nothing}
          </div>`}
      <h2>${t('diff.impact')}</h2>
      <tw-change-impact .a=${this.a} .b=${this.b}></tw-change-impact>
      <h2>${t('diff.text')} <span class="muted">(+${d.text.added} / −${d.text.removed})</span></h2>
      <tw-text-diff .lines=${d.text.lines} .headings=${[d.a, d.b] as [string, string]}></tw-text-diff>
    `;
  }

  private section(title: string, added: string[], removed: string[], changed: { name: string; body: unknown }[]) {
    if (!added.length && !removed.length && !changed.length) return nothing;
    return html`<section class="card">
      <h3>${title}</h3>
      ${added.length ? html`<div class="add"><strong>${t('diff.added')}</strong><ul>${added.map((x) => html`<li>${x}</li>`)}</ul></div>` : nothing}
      ${removed.length ? html`<div class="rem"><strong>${t('diff.removed')}</strong><ul>${removed.map((x) => html`<li>${x}</li>`)}</ul></div>` : nothing}
      ${changed.length ? html`<div><strong class="chg">${t('diff.changed')}</strong><ul>${changed.map((c) => html`<li><code>${c.name}</code>${c.body}</li>`)}</ul></div>` : nothing}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-page-diff': TwPageDiff;
  }
}
