import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { highlightLine } from '../editor/highlight.ts';
import { shared } from '../styles.ts';

/** Read-only policy source with line numbers and syntax highlighting (DSL; YAML shown plain-coloured). */
@customElement('tw-source-view')
export class TwSourceView extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      pre { margin: 0; padding: 0.75rem 0; background: #fbfbfd; border: 1px solid var(--tw-border); border-radius: var(--tw-radius); overflow: auto; max-height: var(--tw-source-max-height, 32rem); font-size: 0.9rem; line-height: 1.55; }
      .line { display: block; padding-inline-end: 1rem; white-space: pre; }
      .ln { display: inline-block; width: 3.2em; padding-inline-end: 0.8em; text-align: end; color: #6b7480; user-select: none; }
      .comment { color: #5c6470; font-style: italic; }
      .string { color: #0f6b3a; }
      .date, .number { color: #8f3f00; }
      .keyword { color: #8a1538; font-weight: 600; }
      .type { color: #0b57a4; }
      .outcome, .severity { color: #6a1b9a; font-weight: 600; }
      .function { color: #00607a; }
      .operator { color: #3a3f47; }
    `,
  ];

  /** The source text. */
  @property() source = '';
  /** `dsl` highlights keywords; `yaml` only comments and strings. */
  @property() format: 'dsl' | 'yaml' = 'dsl';
  /** Accessible name of the code region. */
  @property() label = '';

  override render() {
    const lines = this.source.replace(/\n$/, '').split(/\r\n|\r|\n/);
    return html`<pre tabindex="0" role="region" aria-label=${this.label}><code>${lines.map(
      (l, i) => html`<span class="line"><span class="ln" aria-hidden="true">${i + 1}</span>${this.format === 'dsl' ? highlightLine(l).map((s) => (s.cls === 'space' || s.cls === 'name' || s.cls === 'punct' ? s.text : html`<span class=${s.cls}>${s.text}</span>`)) : l}</span>`,
    )}</code></pre>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-source-view': TwSourceView;
  }
}
