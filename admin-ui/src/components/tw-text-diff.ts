import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { shared } from '../styles.ts';
import type { TextDiffLine } from '../../../engine/diff/index.ts';
import { collapse, sideBySide } from '../textDiff.ts';

const CONTEXT = 3;

/** A side-by-side text diff: old on the left, new on the right, changed lines marked and coloured. */
@customElement('tw-text-diff')
export class TwTextDiff extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      .wrap { overflow: auto; max-height: 70vh; border: 1px solid var(--tw-border); border-radius: var(--tw-radius); background: #fff; }
      table { font-family: var(--tw-mono); font-size: 0.82rem; table-layout: fixed; }
      td { padding: 0 0.4rem; border: none; white-space: pre-wrap; word-break: break-all; }
      td.n { width: 3.2rem; text-align: end; color: #6b7480; user-select: none; }
      td.m { width: 1.2rem; }
      .del { background: #fde7e7; }
      .ins { background: #e3f5e6; }
      th { position: sticky; top: 0; }
      .skip td { text-align: center; color: var(--tw-muted); background: #f3f5f8; }
    `,
  ];

  /** Lines from engine/diff `textDiff`. */
  @property({ attribute: false }) lines: TextDiffLine[] = [];
  /** Column headings (old, new). */
  @property({ attribute: false }) headings: [string, string] = ['', ''];

  override render() {
    return html`<div class="wrap" tabindex="0" role="region" aria-label="${this.headings[0]} → ${this.headings[1]}">
      <table>
        <colgroup><col style="width:3.2rem" /><col style="width:1.4rem" /><col /><col style="width:3.2rem" /><col style="width:1.4rem" /><col /></colgroup>
        <thead><tr><th colspan="3">${this.headings[0]}</th><th colspan="3">${this.headings[1]}</th></tr></thead>
        <tbody>
          ${collapse(sideBySide(this.lines), CONTEXT).map((r) =>
            'skipped' in r
              ? html`<tr class="skip"><td colspan="6">⋯ ${r.skipped} ⋯</td></tr>`
              : html`<tr>
              <td class="n">${r.left?.n ?? ''}</td><td class="m ${r.left?.op === '-' ? 'del' : ''}">${r.left?.op === '-' ? '−' : ''}</td><td class=${r.left?.op === '-' ? 'del' : ''}>${r.left?.text ?? ''}</td>
              <td class="n">${r.right?.n ?? ''}</td><td class="m ${r.right?.op === '+' ? 'ins' : ''}">${r.right?.op === '+' ? '+' : ''}</td><td class=${r.right?.op === '+' ? 'ins' : ''}>${r.right?.text ?? ''}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-text-diff': TwTextDiff;
  }
}
