import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { shared } from '../styles.ts';

export interface BarRow {
  label: string;
  values: number[];
}

const COLORS = ['#6b7a8c', '#a4262c', '#0b57a4', '#1e6b34'];

/**
 * A grouped horizontal bar chart in inline SVG (one group per row, one bar per series), with the
 * numbers written beside the bars and the same data as a visually hidden table for screen readers.
 */
@customElement('tw-bar-chart')
export class TwBarChart extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      svg { width: 100%; height: auto; display: block; }
      text { font-size: 12px; fill: #1c2430; font-family: var(--tw-font); }
      .legend { display: flex; gap: 1rem; font-size: 0.85rem; margin: 0.25rem 0; }
      .sw { display: inline-block; width: 0.8rem; height: 0.8rem; border-radius: 2px; vertical-align: -1px; margin-inline-end: 0.3rem; }
    `,
  ];

  /** Accessible title of the chart. */
  @property() label = '';
  /** Names of the series (e.g. baseline, candidate). */
  @property({ attribute: false }) series: string[] = [];
  /** One row per category. */
  @property({ attribute: false }) rows: BarRow[] = [];

  override render() {
    const width = 720;
    const labelW = 230;
    const barH = 12;
    const groupH = this.series.length * barH + 10;
    const height = Math.max(groupH * this.rows.length + 6, 20);
    const max = Math.max(1, ...this.rows.flatMap((r) => r.values));
    const x = (v: number) => (v / max) * (width - labelW - 60);
    return html`
      <div class="legend" aria-hidden="true">${this.series.map((s, i) => html`<span><span class="sw" style="background:${COLORS[i % COLORS.length]}"></span>${s}</span>`)}</div>
      <svg viewBox="0 0 ${width} ${height}" role="img" aria-label=${this.label}>
        ${this.rows.map((r, i) => {
          const y = i * groupH + 4;
          const name = r.label.length > 30 ? `${r.label.slice(0, 30)}…` : r.label;
          return svg`<g>
            <text x="0" y=${y + groupH / 2}><title>${r.label}</title>${name}</text>
            ${r.values.map(
              (v, j) => svg`<rect x=${labelW} y=${y + j * barH} width=${Math.max(1, x(v))} height=${barH - 2} fill=${COLORS[j % COLORS.length]}><title>${this.series[j]}: ${v}</title></rect>
                <text x=${labelW + x(v) + 4} y=${y + j * barH + barH - 3}>${v}</text>`,
            )}
          </g>`;
        })}
      </svg>
      <table class="visually-hidden">
        <caption>${this.label}</caption>
        <thead><tr><th></th>${this.series.map((s) => html`<th>${s}</th>`)}</tr></thead>
        <tbody>${this.rows.map((r) => html`<tr><th>${r.label}</th>${r.values.map((v) => html`<td>${v}</td>`)}</tr>`)}</tbody>
      </table>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-bar-chart': TwBarChart;
  }
}
