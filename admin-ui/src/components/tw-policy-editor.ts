import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { editorExtensions, type ExtraName } from '../editor/codemirror.ts';
import { lang } from '../i18n/index.ts';
import type { Diagnostic } from '../../../dsl/diagnostics.ts';

/**
 * The CodeMirror 6 policy editor. Fires `change` (detail: text) on every edit; diagnostics come
 * from `lint`, which the page supplies (so it can also list them below the editor).
 */
@customElement('tw-policy-editor')
export class TwPolicyEditor extends LitElement {
  static override styles = css`
    :host { display: block; }
    .host { min-height: 20rem; }
    .cm-editor { max-height: var(--tw-editor-height, 60vh); }
  `;

  /** The text; setting it replaces the document when it differs. */
  @property() value = '';
  /** Notation: highlighting and completion follow it. */
  @property() format: 'dsl' | 'yaml' = 'dsl';
  /** No editing (drafts under review, viewers). */
  @property({ type: Boolean }) readonly = false;
  /** Accessible name of the editing area. */
  @property() label = '';
  /** Diagnostics for a text. */
  @property({ attribute: false }) lint: (text: string) => Promise<Diagnostic[]> | Diagnostic[] = () => [];
  /** Names to complete beyond those declared in the text (e.g. a base policy's facts). */
  @property({ attribute: false }) extraNames: ExtraName[] = [];

  private view?: EditorView;

  override render() {
    return html`<div class="host"></div>`;
  }

  override firstUpdated(): void {
    this.createView();
  }

  override updated(changed: PropertyValues<this>): void {
    if (!this.view) return;
    if (changed.has('format') || changed.has('readonly')) {
      this.createView();
      return;
    }
    if (changed.has('value') && this.value !== this.view.state.doc.toString()) {
      this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: this.value } });
    }
  }

  override disconnectedCallback(): void {
    this.view?.destroy();
    this.view = undefined;
    super.disconnectedCallback();
  }

  /** Puts the cursor at an offset and focuses the editor (from the diagnostics list). */
  reveal(offset: number): void {
    if (!this.view) return;
    const pos = Math.min(offset, this.view.state.doc.length);
    this.view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: 'center' }) });
    this.view.focus();
  }

  /** The current text (may be ahead of `value` between change events). */
  get text(): string {
    return this.view?.state.doc.toString() ?? this.value;
  }

  private createView(): void {
    // `value` follows every edit (onChange), and a format switch sets it to the converted text.
    const doc = this.value;
    this.view?.destroy();
    const parent = this.renderRoot.querySelector('.host') as HTMLElement;
    this.view = new EditorView({
      parent,
      root: this.renderRoot as ShadowRoot,
      state: EditorState.create({
        doc,
        extensions: editorExtensions({
          format: this.format,
          readonly: this.readonly,
          label: this.label,
          lang,
          lint: (text) => this.lint(text),
          extraNames: () => this.extraNames,
          onChange: (text) => {
            this.value = text;
            this.dispatchEvent(new CustomEvent('change', { detail: text }));
          },
        }),
      }),
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-policy-editor': TwPolicyEditor;
  }
}
