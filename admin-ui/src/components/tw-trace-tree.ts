import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { LangController, t, type MessageKey } from '../i18n/index.ts';
import { shared } from '../styles.ts';
import type { ConditionTrace, RuleTrace } from '../../../engine/evaluate/types.ts';

/**
 * The explanation trace as a readable tree: each rule with its result, each condition with the
 * values it saw and whether it held. Native `<details>` keeps it keyboard-operable.
 */
@customElement('tw-trace-tree')
export class TwTraceTree extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      ul { list-style: none; margin: 0; padding-inline-start: 1.1rem; border-inline-start: 1px dashed var(--tw-border); }
      details > summary { cursor: pointer; padding: 0.15rem 0; }
      .cond { font-family: var(--tw-mono); font-size: 0.88rem; }
      .vals { color: var(--tw-muted); font-size: 0.82rem; margin-inline-start: 0.4rem; }
      .r-true, .r-fired { color: var(--tw-ok); }
      .r-false, .r-not-fired { color: var(--tw-muted); }
      .r-undetermined { color: var(--tw-warn); }
      .r-suppressed, .r-disabled { color: var(--tw-muted); text-decoration: line-through; }
    `,
  ];

  /** The rules' traces from a decision (`decision.trace`). */
  @property({ attribute: false }) trace: RuleTrace[] = [];
  /** Rule titles by id, shown beside the ids. */
  @property({ attribute: false }) titles: Record<string, string> = {};

  private readonly i18n = new LangController(this);

  override render() {
    return html`<div role="tree" aria-label=${t('decision.trace')}>
      ${this.trace.map(
        (r) => html`<details role="treeitem" ?open=${r.result === 'fired' || r.result === 'undetermined'}>
          <summary><strong>${this.titles[r.ruleId] ?? r.ruleId}</strong> <code class="muted">${r.ruleId}</code> <span class="badge r-${r.result}">${t(`trace.${r.result}` as MessageKey)}</span></summary>
          <ul role="group">${this.renderCondition(r.condition)}</ul>
        </details>`,
      )}
    </div>`;
  }

  private renderCondition(c: ConditionTrace): unknown {
    const result = c.result === 'undetermined' ? 'undetermined' : c.result ? 'true' : 'false';
    const vals = Object.entries(c.values ?? {});
    const head = html`<span class="cond">${c.condition}</span>
      <span class="badge r-${result}">${t(`trace.${result}` as MessageKey)}</span>
      ${vals.length ? html`<span class="vals">${vals.map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(';')}</span>` : nothing}`;
    if (!c.children?.length) return html`<li role="treeitem">${head}</li>`;
    return html`<li role="treeitem"><details open><summary>${head}</summary><ul role="group">${c.children.map((x) => this.renderCondition(x))}</ul></details></li>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-trace-tree': TwTraceTree;
  }
}
