import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { LangController, pick, t, type MessageKey } from '../i18n/index.ts';
import { rangeWords } from '../../../engine/analysis/regionWords.ts';
import { shared } from '../styles.ts';
import { api } from '../context.ts';
import { Loader } from '../loader.ts';
import { factLabel, namesOf, ruleCite, ruleTitle, type Names } from '../ruleNames.ts';
import type { DiffResponse } from '../wire.ts';
import './tw-state.ts';

type Impact = NonNullable<DiffResponse['impact']>;

/**
 * What a change does, proved: the rules whose verdict changes from `a` to `b`, each by its title
 * and article, with the condition before and after and a fact set (as-of date included) that
 * shows it. Asked for with a button, since the solver takes seconds. Used by the diff page and,
 * for each draft waiting for approval, by the review page.
 */
@customElement('tw-change-impact')
export class TwChangeImpact extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      ul { margin: 0.2rem 0; padding-inline-start: 1.2rem; }
      li { margin-bottom: 0.5rem; }
      .id { font-family: var(--tw-mono); font-size: 0.8rem; }
      .cite { color: var(--tw-muted); }
      dl.witness { display: grid; grid-template-columns: max-content 1fr; gap: 0 0.8rem; margin: 0.2rem 0 0; }
      dl.witness dt { color: var(--tw-muted); }
      dl.witness dd { margin: 0; font-family: var(--tw-mono); }
    `,
  ];

  /** The reference changed from: `<policy>@<version>`, a policy id, or `draft:<id>`. */
  @property() a = '';
  /** The reference changed to. */
  @property() b = '';
  @state() private asked = false;
  private readonly i18n = new LangController(this);
  private readonly impact = new Loader<{ impact: Impact; names: Names }>(this);

  override willUpdate(changed: Map<string, unknown>): void {
    // A different pair is a different question: forget the last answer.
    if (changed.has('a') || changed.has('b')) this.asked = false;
  }

  /** Runs the analysis (also what the button does). */
  ask(): void {
    this.asked = true;
    const { a, b } = this;
    void this.impact.run(async () => {
      const [diff, names] = await Promise.all([api.diff(a, b, true), namesOf(a, b)]);
      return { impact: diff.impact!, names };
    });
  }

  override render() {
    if (!this.asked) {
      return html`<button data-testid="impact" @click=${() => this.ask()}>${t('diff.impactRun')}</button>
        <span class="muted">${t('diff.impactHint')}</span>`;
    }
    return this.impact.render(({ impact, names }) => this.renderImpact(impact, names));
  }

  private renderImpact(i: Impact, names: Names) {
    const status = (s: string) => t(`diff.status.${s}` as MessageKey);
    return html`<section class="card" data-testid="impact-result">
      <p>${i.identical ? t('diff.identical') : i.changes.length ? t('diff.changesN', { n: i.changes.length }) : t('diff.noChangeFound')}</p>
      <ul>
        ${i.changes.map(
          (c) => html`<li data-rule=${c.rule}>
            <strong>${ruleTitle(names, c.rule)}</strong>
            ${ruleCite(names, c.rule) ? html`<span class="cite">${ruleCite(names, c.rule)}</span>` : nothing}
            <span class="muted id">${c.rule}</span>:
            ${status(c.before)} → ${status(c.after)}
            ${i.conditions[c.rule]?.before ? html`<div class="muted">${t('diff.before')}: <code>${i.conditions[c.rule]!.before}</code></div>` : nothing}
            ${i.conditions[c.rule]?.after ? html`<div class="muted">${t('diff.after')}: <code>${i.conditions[c.rule]!.after}</code></div>` : nothing}
            ${c.region?.facts.length
              ? html`<div data-testid="region">${t('diff.region')}${c.region.partial ? html` <span class="muted">${t('diff.regionPartial')}</span>` : nothing}
                  <ul>${c.region.facts.map((f) => html`<li>${pick(rangeWords(f, names.facts.get(f.fact)))}</li>`)}</ul>
                </div>`
              : nothing}
            <div>${t('diff.witness')} (${t('diff.asOf')} ${c.witness.asOf}):</div>
            <dl class="witness">
              ${Object.entries(c.witness.facts).map(([k, v]) => html`<dt>${factLabel(names, k)}</dt><dd>${JSON.stringify(v)}</dd>`)}
            </dl>
          </li>`,
        )}
      </ul>
      ${i.undecided.length ? html`<p class="muted">${t('diff.undecided', { rules: i.undecided.map((u) => ruleTitle(names, u.rule)).join('、') })}</p>` : nothing}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-change-impact': TwChangeImpact;
  }
}
