import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { LangController, lang, pick, t, type MessageKey } from '../i18n/index.ts';
import { shared } from '../styles.ts';
import { ApiFailure } from '../api.ts';
import { api, currentUser, handOffFacts } from '../context.ts';
import { Loader, errorWords } from '../loader.ts';
import { href, navigate, policyHref, type Route } from '../router.ts';
import { can, canOn } from '../session.ts';
import { timeWords } from '../words.ts';
import { baseRefs, convert, keywordsOf, lintPolicy, refKey, withKeywords, type Format, type KeywordLang } from '../editor/lint.ts';
import type { PolicyIR } from '../../../engine/ir/types.ts';
import type { Diagnostic } from '../../../dsl/diagnostics.ts';
import type { Draft, DraftDetail } from '../wire.ts';
import { findingsToCm, type ExtraName } from '../editor/codemirror.ts';
import type { Diagnostic as CmDiagnostic } from '@codemirror/lint';
import type { TwPolicyEditor } from '../components/tw-policy-editor.ts';
import '../components/tw-policy-editor.ts';
import '../components/tw-table-grid.ts';
import '../components/tw-source-view.ts';
import '../components/tw-state.ts';

const TEMPLATE = `policy "demo/new-policy"
  title "新政策"
  jurisdiction demo
  version "1"
  effective from 2025-01-01
  source 办法 "文件标题"

facts
  贷款金额 "贷款金额": money

parameter 额度上限 "单户贷款上限": money
  5万元 from 2025-01-01 cites 办法 "第一条"

rule amount_cap "单户贷款不超过上限"
  cites 办法 "第一条"
  when 贷款金额 > 额度上限
  then ineligible severity medium
    message "贷款金额超过单户上限" en "Loan amount above the cap"
`;

/** Whether a DSL text declares a decision table (then the grid can be offered). */
const HAS_TABLE = /^(?:table|决策表)\s/m;

interface Conflict {
  theirs: DraftDetail;
  etag: string;
  mine: string;
}

/**
 * Drafts: the list, and one draft in the CodeMirror editor with live diagnostics (the dsl/ and
 * engine/ front end runs here), a YAML view, save with conflict detection (If-Match; a 412
 * shows who saved and never overwrites silently) and submit for review.
 */
@customElement('tw-page-editor')
export class TwPageEditor extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      .layout { display: grid; grid-template-columns: minmax(0, 1fr) minmax(16rem, 22rem); gap: 1rem; align-items: start; }
      @media (max-width: 1100px) { .layout { grid-template-columns: minmax(0, 1fr); } }
      .status { min-height: 1.6rem; }
      .diags { list-style: none; padding: 0; margin: 0; max-height: 40vh; overflow: auto; }
      .diags li { border-bottom: 1px solid var(--tw-border); }
      .diags button { all: unset; display: block; width: 100%; padding: 0.4rem 0.5rem; cursor: pointer; box-sizing: border-box; }
      .diags button:focus-visible { outline: 3px solid var(--tw-focus); }
      .diags .where { font-family: var(--tw-mono); font-size: 0.8rem; color: var(--tw-muted); }
      .sev-error { color: var(--tw-bad); font-weight: 600; }
      .sev-warning { color: var(--tw-warn); font-weight: 600; }
      .conflict { border: 2px solid var(--tw-warn); background: #fff8ec; padding: 0.75rem 1rem; border-radius: var(--tw-radius); margin: 0.5rem 0; }
      .hint { font-size: 0.85rem; color: var(--tw-muted); }
      tw-policy-editor { --tw-editor-height: calc(100vh - 17rem); }
    `,
  ];

  /** Route: `#/editor`, `#/editor/new`, `#/editor/<id>`. */
  @property({ attribute: false }) route?: Route;
  @state() private text = '';
  @state() private format: Format = 'dsl';
  /** The DSL keywords the text is shown with: the UI's language when the draft is opened for editing. */
  @state() private keywords: KeywordLang = 'en';
  @state() private savedText = '';
  @state() private etag = '';
  @state() private draft?: DraftDetail;
  @state() private diagnostics: Diagnostic[] = [];
  @state() private busy = false;
  @state() private notice = '';
  @state() private error = '';
  @state() private conflict?: Conflict;
  /** After taking their version: what I had typed, kept on screen so nothing is lost. */
  @state() private mine?: string;
  @state() private extraNames: ExtraName[] = [];
  /** Decision tables shown as grids above the text (DSL only). */
  @state() private grid = false;
  @query('tw-policy-editor') private editor?: TwPolicyEditor;

  private readonly i18n = new LangController(this);
  private readonly list = new Loader<Draft[]>(this);
  private readonly one = new Loader<DraftDetail>(this);
  private readonly bases = new Map<string, PolicyIR>();
  private readonly failedBases = new Set<string>();
  private loadedKey = '';

  override willUpdate(): void {
    const seg = this.route?.segments[0];
    const key = seg ?? '';
    if (key === this.loadedKey) return;
    this.loadedKey = key;
    this.conflict = undefined;
    this.mine = undefined;
    this.notice = this.error = '';
    if (!seg) {
      void this.list.run(() => api.drafts());
    } else if (seg === 'new') {
      this.draft = undefined;
      this.text = this.savedText = withKeywords(TEMPLATE, lang()) ?? TEMPLATE;
      this.format = 'dsl';
      this.keywords = keywordsOf(this.text);
    } else {
      void this.one.run(async () => {
        const r = await api.draft(Number(seg));
        this.accept(r.data, r.etag ?? r.data.etag ?? '');
        this.showInMyKeywords();
        return r.data;
      });
    }
  }

  private accept(d: DraftDetail, etag: string): void {
    this.draft = d;
    this.etag = etag;
    this.text = this.savedText = d.source;
    this.format = d.format;
    if (d.format === 'dsl') this.keywords = keywordsOf(d.source);
  }

  /**
   * On opening a draft to edit: an official edits in the keywords of their own language. Only
   * keywords and layout change, not the meaning, so the converted text counts as saved; it is
   * stored with the next save. (Not after a save: the text then stays as the author left it.)
   */
  private showInMyKeywords(): void {
    if (this.format !== 'dsl' || !this.editable || this.keywords === lang()) return;
    const converted = withKeywords(this.text, lang());
    if (converted === undefined) return;
    this.text = this.savedText = converted;
    this.keywords = lang();
    this.notice = t('editor.keywordsShown');
  }

  private switchKeywords(to: KeywordLang): void {
    if (to === this.keywords) return;
    const converted = withKeywords(this.editor?.text ?? this.text, to);
    if (converted === undefined) {
      this.error = t('editor.keywordsFailed');
      return;
    }
    this.error = '';
    this.keywords = to;
    this.text = converted;
  }

  private get editable(): boolean {
    if (!canOn(currentUser(), 'edit', this.draft?.policyId)) return false;
    return !this.draft || this.draft.status === 'editing' || this.draft.status === 'rejected';
  }

  private get dirty(): boolean {
    return this.text !== this.savedText;
  }

  override render() {
    const seg = this.route?.segments[0];
    if (!seg) return this.renderList();
    if (seg === 'new') return this.renderEditor();
    return this.one.render(() => this.renderEditor());
  }

  private renderList() {
    return html`
      <div class="toolbar">
        <h1>${t('editor.drafts')}</h1>
        <span style="flex:1"></span>
        ${can(currentUser()?.role, 'edit') ? html`<a class="button primary" href=${href('editor', ['new'])}>${t('editor.new')}</a>` : nothing}
      </div>
      ${this.list.render(
        (items) => html`<div class="scroll-x"><table>
          <thead><tr><th>${t('col.id')}</th><th>${t('editor.policyId')}</th><th>${t('col.status')}</th><th>${t('col.author')}</th><th>${t('col.updated')}</th><th>${t('col.actions')}</th></tr></thead>
          <tbody>
            ${[...items].reverse().map(
              (d) => html`<tr>
                <td>#${d.id}</td>
                <td><code>${d.policyId ?? '—'}</code></td>
                <td><span class="badge">${t(`status.${d.status}` as MessageKey)}</span></td>
                <td>${d.author}</td>
                <td>${timeWords(d.updatedAt)}</td>
                <td><a href=${href('editor', [String(d.id)])}>${t('editor.open')}</a></td>
              </tr>`,
            )}
          </tbody>
        </table></div>`,
        { isEmpty: (v) => v.length === 0, emptyText: t('editor.noDrafts') },
      )}
    `;
  }

  private renderEditor() {
    const d = this.draft;
    const errors = this.diagnostics.filter((x) => x.severity === 'error').length;
    return html`
      <div class="toolbar">
        <h1>${d ? html`${t('editor.title')} #${d.id}` : t('editor.new')}</h1>
        ${d ? html`<span class="badge">${t(`status.${d.status}` as MessageKey)}</span>` : nothing}
        ${d?.policyId ? html`<code class="muted">${d.policyId}</code>` : nothing}
        <span style="flex:1"></span>
        <div role="group" aria-label=${t('editor.viewAs')} class="toolbar">
          <button aria-pressed=${this.format === 'dsl'} @click=${() => this.switchFormat('dsl')}>${t('editor.dsl')}</button>
          <button aria-pressed=${this.format === 'yaml'} @click=${() => this.switchFormat('yaml')}>${t('editor.yaml')}</button>
        </div>
        ${this.format === 'dsl'
          ? html`<div role="group" aria-label=${t('editor.keywords')} class="toolbar" data-testid="keywords">
              <button aria-pressed=${this.keywords === 'zh'} @click=${() => this.switchKeywords('zh')}>${t('editor.kwZh')}</button>
              <button aria-pressed=${this.keywords === 'en'} @click=${() => this.switchKeywords('en')}>${t('editor.kwEn')}</button>
            </div>`
          : nothing}
        ${this.editable
          ? html`<button class="primary" ?disabled=${this.busy || (!this.dirty && !!d)} @click=${() => this.save()}>${this.busy ? t('editor.saving') : t('editor.save')}</button>
              ${d ? html`<button ?disabled=${this.busy || errors > 0} @click=${this.submit}>${t('editor.submit')}</button>` : nothing}`
          : nothing}
      </div>
      <div class="status" role="status" aria-live="polite">
        ${this.dirty && this.editable ? html`<span class="warn">${t('editor.unsaved')}</span>` : nothing}
        ${this.notice ? html`<span class="ok">${this.notice}</span>` : nothing}
        ${!this.editable && d ? html`<span class="muted">${t('editor.readonly', { status: t(`status.${d.status}` as MessageKey) })}</span>` : nothing}
      </div>
      ${this.error ? html`<tw-state kind="error" .message=${this.error} .retryable=${false}></tw-state>` : nothing}
      ${this.conflict ? this.renderConflict(this.conflict) : nothing}
      ${this.mine !== undefined
        ? html`<details class="conflict" open data-testid="mine">
            <summary>${t('editor.mine')}</summary>
            <tw-source-view .source=${this.mine} .format=${this.format} .label=${t('editor.mine')}></tw-source-view>
            <button @click=${() => (this.mine = undefined)}>${t('common.close')}</button>
          </details>`
        : nothing}
      ${this.format === 'dsl' && HAS_TABLE.test(this.text)
        ? html`<div role="group" aria-label=${t('table.table')} class="toolbar">
            <button aria-pressed=${!this.grid} @click=${() => (this.grid = false)}>${t('table.text')}</button>
            <button aria-pressed=${this.grid} data-testid="grid-toggle" @click=${() => (this.grid = true)}>${t('table.grid')}</button>
          </div>`
        : nothing}
      <div class="layout">
        <div>
          ${this.grid && this.format === 'dsl'
            ? html`<tw-table-grid
                .text=${this.text}
                .diagnostics=${this.diagnostics}
                .readonly=${!this.editable}
                @change=${(e: CustomEvent<string>) => {
                  this.text = e.detail;
                  this.notice = '';
                  void this.lint(e.detail);
                }}
              ></tw-table-grid>`
            : nothing}
          <tw-policy-editor
            .value=${this.text}
            .format=${this.format}
            .readonly=${!this.editable}
            .label=${t('editor.title')}
            .lint=${this.lint}
            .analyze=${this.analyze}
            .extraNames=${this.extraNames}
            @change=${(e: CustomEvent<string>) => {
              this.text = e.detail;
              this.notice = '';
            }}
          ></tw-policy-editor>
        </div>
        <aside aria-labelledby="h-diags">
          <h2 id="h-diags">${t('editor.diagnostics')} (${this.diagnostics.length})</h2>
          ${this.diagnostics.length
            ? html`<ul class="diags" data-testid="diagnostics">
                ${this.diagnostics.map(
                  (x) => html`<li>
                    <button @click=${() => this.editor?.reveal(x.range?.start.offset ?? 0)}>
                      <span class="sev-${x.severity}">${x.severity === 'error' ? '✖' : x.severity === 'warning' ? '▲' : 'ℹ'}</span>
                      ${pick(x.message)}
                      <div class="where">${x.range ? t('editor.line', { line: x.range.start.line, col: x.range.start.column }) : ''} · ${x.code}</div>
                      ${x.hint ? html`<div class="hint">${pick(x.hint)}</div>` : nothing}
                    </button>
                  </li>`,
                )}
              </ul>`
            : html`<p class="ok" data-testid="no-diagnostics">${t('editor.noDiagnostics')}</p>`}
          ${d?.reviews?.length
            ? html`<h2>${t('review.history')}</h2>
                <ul>${d.reviews.map((r) => html`<li>${timeWords(r.at)} ${r.actor}: ${r.action}${r.comment ? ` — ${r.comment}` : ''}</li>`)}</ul>`
            : nothing}
          ${d?.policyId ? html`<p><a href=${policyHref(d.policyId)}>${d.policyId}</a></p>` : nothing}
        </aside>
      </div>
    `;
  }

  private renderConflict(c: Conflict) {
    // The server says who saved last (`updatedBy`) and when (`updatedAt`).
    const who = c.theirs.updatedBy;
    return html`<div class="conflict" role="alert" data-testid="conflict">
      <p><strong>${t('editor.conflict', { who, at: timeWords(c.theirs.updatedAt) })}</strong></p>
      <div class="toolbar">
        <button @click=${this.takeTheirs}>${t('editor.conflictReload')}</button>
        <button class="danger" @click=${this.keepMine}>${t('editor.conflictKeep')}</button>
      </div>
      <details>
        <summary>${t('editor.theirs')}</summary>
        <tw-source-view .source=${c.theirs.source} .format=${c.theirs.format} .label=${t('editor.theirs')}></tw-source-view>
      </details>
    </div>`;
  }

  /** Lints in the browser; fetches a variant's base from the server first (cached). */
  private lint = async (text: string): Promise<Diagnostic[]> => {
    for (const ref of baseRefs(text)) {
      const key = refKey(ref);
      if (this.bases.has(key) || this.failedBases.has(key)) continue;
      try {
        const version = ref.version ?? (await api.policy(ref.policy)).versions.at(-1)?.version;
        if (version) this.bases.set(key, (await api.version(ref.policy, version)).ir);
      } catch {
        this.failedBases.add(key); // the compiler then reports the unknown base itself
      }
    }
    const r = lintPolicy(text, this.format, this.bases);
    this.diagnostics = r.diagnostics;
    const base = [...this.bases.values()][0];
    if (base) this.extraNames = [...base.facts.map((f) => ({ name: f.name, kind: 'fact', label: f.label })), ...base.parameters.map((p) => ({ name: p.name, kind: 'parameter', label: p.label }))];
    return r.diagnostics;
  };

  /**
   * The server's analysis (dead rules, conflicts, redundancy, gaps) of the text as typed, shown as
   * warnings with their counterexample; "try" opens it on the Try page for a saved draft.
   */
  private analyze = async (text: string, signal: AbortSignal): Promise<CmDiagnostic[]> => {
    const d = this.draft;
    const r = await api.analyze({ source: text, format: this.format, key: d ? `draft:${d.id}` : 'new', budgetMs: 8000 }, signal);
    if (!r.ok) return [];
    // The Try page evaluates the saved draft: offered only while the text is the saved one.
    const onTry = d && text === this.savedText
      ? (c: { asOf: string; facts: Record<string, unknown> }) => {
          handOffFacts(c.facts);
          navigate(href('try', [], { policy: `draft:${d.id}`, asOf: c.asOf, handoff: '1' }));
        }
      : undefined;
    return findingsToCm(r.findings, text.length, lang(), { counterexample: (asOf, facts) => t('editor.counterexample', { asOf, facts }), tryLabel: t('editor.tryCounterexample') }, onTry);
  };

  private switchFormat(to: Format): void {
    if (to === this.format) return;
    const converted = convert(this.text, this.format, to, this.bases);
    if (converted === undefined) {
      this.error = t('editor.yamlFailed');
      return;
    }
    this.error = '';
    this.format = to;
    this.text = converted;
    if (to === 'dsl') this.keywords = keywordsOf(converted);
  }

  private async save(force = false): Promise<boolean> {
    this.busy = true;
    this.error = this.notice = '';
    const text = this.editor?.text ?? this.text;
    try {
      if (!this.draft) {
        const r = await api.createDraft({ source: text, format: this.format });
        this.accept(r.data, r.etag ?? r.data.etag ?? '');
        this.loadedKey = String(r.data.id);
        navigate(href('editor', [String(r.data.id)]));
      } else {
        const r = await api.saveDraft(this.draft.id, this.etag, { source: text, format: this.format });
        this.accept(r.data, r.etag ?? r.data.etag ?? '');
        if (force) this.conflict = undefined;
      }
      this.notice = t('editor.saved', { rev: this.draft?.revision ?? 1 });
      return true;
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 412 && this.draft) {
        // Someone saved in between: show their version; nothing of theirs is overwritten.
        const latest = await api.draft(this.draft.id);
        this.conflict = { theirs: latest.data, etag: latest.etag ?? latest.data.etag ?? '', mine: text };
      } else this.error = errorWords(e);
      return false;
    } finally {
      this.busy = false;
    }
  }

  private takeTheirs = (): void => {
    const c = this.conflict!;
    this.accept(c.theirs, c.etag);
    this.mine = c.mine;
    this.conflict = undefined;
  };

  private keepMine = async (): Promise<void> => {
    const c = this.conflict!;
    this.etag = c.etag;
    this.text = c.mine;
    await this.save(true);
  };

  private submit = async (): Promise<void> => {
    if (!this.draft) return;
    if (this.dirty && !(await this.save())) return;
    this.busy = true;
    try {
      await api.draftAction(this.draft.id, 'submit');
      const r = await api.draft(this.draft.id);
      this.accept(r.data, r.etag ?? r.data.etag ?? '');
      this.notice = t('editor.submitted');
    } catch (e) {
      this.error = errorWords(e);
    } finally {
      this.busy = false;
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-page-editor': TwPageEditor;
  }
}
