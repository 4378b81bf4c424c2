import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { LangController, t } from '../i18n/index.ts';
import { shared } from '../styles.ts';
import { todayInShanghai } from '../words.ts';

export interface TimelinePeriod {
  label: string;
  from: string;
  /** Last day in force; absent: open-ended. */
  until?: string;
  /** Highlighted (e.g. the version in force today). */
  current?: boolean;
}

const DAY = 86_400_000;
const toMs = (d: string) => Date.parse(`${d}T00:00:00Z`);

/**
 * Effective periods of a policy's versions as an inline SVG bar timeline, with a "today" marker.
 * The same facts are listed in a visually hidden list for screen readers.
 */
@customElement('tw-timeline')
export class TwTimeline extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      svg { width: 100%; max-width: 46rem; height: auto; display: block; }
      .bar { fill: #9aa6b6; }
      .bar.current { fill: var(--tw-accent); }
      text { font-size: 11px; fill: #333c48; font-family: var(--tw-font); }
      .axis { stroke: #8a94a3; }
      .today { stroke: var(--tw-focus); stroke-dasharray: 3 2; }
    `,
  ];

  /** The periods, one bar each. */
  @property({ attribute: false }) periods: TimelinePeriod[] = [];
  /** Date of the marker; default today in Asia/Shanghai. */
  @property() today = todayInShanghai();

  private readonly i18n = new LangController(this);

  override render() {
    if (!this.periods.length) return html``;
    const width = 640;
    const rowH = 18;
    const left = 70;
    const top = 4;
    const starts = this.periods.map((p) => toMs(p.from));
    const ends = this.periods.map((p) => (p.until ? toMs(p.until) + DAY : Math.max(toMs(this.today), toMs(p.from)) + 365 * DAY));
    const min = Math.min(...starts, toMs(this.today)) - 30 * DAY;
    const max = Math.max(...ends, toMs(this.today)) + 30 * DAY;
    const x = (ms: number) => left + ((ms - min) / (max - min)) * (width - left - 8);
    const height = top + this.periods.length * rowH + 20;
    const years: number[] = [];
    for (let y = new Date(min).getUTCFullYear() + 1; Date.UTC(y, 0, 1) < max; y++) years.push(y);
    const step = Math.ceil(years.length / 8) || 1;
    return html`<svg viewBox="0 0 ${width} ${height}" role="img" aria-label=${t('library.timeline')}>
        ${this.periods.map((p, i) => {
          const y = top + i * rowH;
          const end = ends[i];
          return svg`<g>
            <text x="0" y=${y + 12}>${p.label.length > 10 ? `${p.label.slice(0, 10)}…` : p.label}</text>
            <rect class="bar ${p.current ? 'current' : ''}" x=${x(starts[i])} y=${y + 2} width=${Math.max(2, x(end) - x(starts[i]))} height=${rowH - 6} rx="2">
              <title>${p.label}: ${p.from} – ${p.until ?? '…'}</title>
            </rect>
            ${p.until ? svg`` : svg`<text x=${x(end) + 2} y=${y + 12}>→</text>`}
          </g>`;
        })}
        <line class="axis" x1=${left} x2=${width - 8} y1=${height - 18} y2=${height - 18}></line>
        ${years
          .filter((_, i) => i % step === 0)
          .map((y) => svg`<text x=${x(Date.UTC(y, 0, 1)) - 12} y=${height - 4}>${y}</text>`)}
        <line class="today" x1=${x(toMs(this.today))} x2=${x(toMs(this.today))} y1="0" y2=${height - 18}><title>${t('common.today')} ${this.today}</title></line>
      </svg>
      <ul class="visually-hidden">
        ${this.periods.map((p) => html`<li>${p.label}: ${p.until ? t('period.closed', { from: p.from, until: p.until }) : t('period.open', { from: p.from })}</li>`)}
      </ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-timeline': TwTimeline;
  }
}
