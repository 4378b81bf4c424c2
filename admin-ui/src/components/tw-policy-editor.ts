import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { setDiagnostics, type Diagnostic as CmDiagnostic } from '@codemirror/lint';
import { editorExtensions, type ExtraName } from '../editor/codemirror.ts';
import { lang } from '../i18n/index.ts';
import type { Diagnostic } from '../../../dsl/diagnostics.ts';

/**
 * The CodeMirror 6 policy editor. Fires `change` (detail: text) on every edit; diagnostics come
 * from `lint`, which the page supplies (so it can also list them below the editor). Syntax and
 * type diagnostics are computed in the browser at once; the slower `analyze` (the server's solver)
 * runs `analysisDelay` ms after typing stops, the request before it aborted, and its findings join
 * the others only while the text is still the one analysed. Typing never waits for it.
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
  /** The server's analysis of a text, as CodeMirror diagnostics; undefined: no analysis. */
  @property({ attribute: false }) analyze?: (text: string, signal: AbortSignal) => Promise<CmDiagnostic[]>;
  /** Quiet time after the last edit before asking for an analysis (ms). */
  @property({ type: Number }) analysisDelay = 800;

  private view?: EditorView;
  /** The linter's last own diagnostics, and the text they are for. */
  private linted?: { text: string; diagnostics: CmDiagnostic[] };
  /** The last analysis that arrived, and the text it is for. */
  private analysed?: { text: string; diagnostics: CmDiagnostic[] };
  private analysisTimer?: ReturnType<typeof setTimeout>;
  private analysisAbort?: AbortController;

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
    clearTimeout(this.analysisTimer);
    this.analysisAbort?.abort();
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
            this.scheduleAnalysis();
          },
          onLinted: (text, diagnostics) => (this.linted = { text, diagnostics }),
          extraDiagnostics: (text) => (this.analysed?.text === text ? this.analysed.diagnostics : []),
        }),
      }),
    });
    this.scheduleAnalysis();
  }

  /** Restarts the quiet-time timer and drops the request in flight: its text is already stale. */
  private scheduleAnalysis(): void {
    clearTimeout(this.analysisTimer);
    this.analysisAbort?.abort();
    this.analysisAbort = undefined;
    if (!this.analyze) return;
    this.analysisTimer = setTimeout(() => void this.runAnalysis(), this.analysisDelay);
  }

  private async runAnalysis(): Promise<void> {
    const view = this.view;
    if (!view || !this.analyze) return;
    const text = view.state.doc.toString();
    // A text that does not compile has nothing to analyse; its errors are already shown.
    if (this.linted?.text === text && this.linted.diagnostics.some((d) => d.severity === 'error')) return;
    const abort = new AbortController();
    this.analysisAbort = abort;
    let found: CmDiagnostic[];
    try {
      found = await this.analyze(text, abort.signal);
    } catch {
      return; // aborted or failed: the next edit asks again
    }
    if (abort.signal.aborted || this.view !== view || view.state.doc.toString() !== text) return;
    this.analysed = { text, diagnostics: found };
    const own = this.linted?.text === text ? this.linted.diagnostics : [];
    view.dispatch(setDiagnostics(view.state, [...own, ...found]));
    this.dispatchEvent(new CustomEvent('analysed', { detail: found.length }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-policy-editor': TwPolicyEditor;
  }
}
