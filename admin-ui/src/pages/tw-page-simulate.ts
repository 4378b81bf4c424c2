import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Route } from '../router.ts';

/** Placeholder until the page lands. */
@customElement('tw-page-simulate')
export class TwPageSimulate extends LitElement {
  /** The current route. */
  @property({ attribute: false }) route?: Route;
  override render() {
    return html`<p>simulate</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-page-simulate': TwPageSimulate;
  }
}
