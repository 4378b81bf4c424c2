import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Route } from '../router.ts';

/** Placeholder until the page lands. */
@customElement('tw-page-review')
export class TwPageReview extends LitElement {
  /** The current route. */
  @property({ attribute: false }) route?: Route;
  override render() {
    return html`<p>review</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-page-review': TwPageReview;
  }
}
