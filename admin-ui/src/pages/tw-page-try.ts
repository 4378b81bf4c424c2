import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { LangController, lang, t } from '../i18n/index.ts';
import { shared } from '../styles.ts';
import { api, takeHandedFacts } from '../context.ts';
import { Loader, errorWords } from '../loader.ts';
import { ApiFailure } from '../api.ts';
import { href, navigate, type Route } from '../router.ts';
import { todayInShanghai } from '../words.ts';
import type { CompareItem, Draft, ErrorDetail, JsonSchema, PolicySummary } from '../wire.ts';
import '../components/tw-fact-form.ts';
import '../components/tw-decision.ts';
import '../components/tw-table-grid.ts';
import '../components/tw-state.ts';
import { preview, type Preview } from '../preview.ts';

interface Side {
  policy: string;
  version?: string;
}

const DRAFT_REF = /^draft:(\d+)$/;

/** `draft:<id>` → the draft's id; a published policy id → undefined. */
function draftIdOf(ref: string): number | undefined {
  const m = DRAFT_REF.exec(ref);
  return m ? Number(m[1]) : undefined;
}

/** A compared side from its reference: `<policy>@<version>` or `draft:<id>`. */
function sideOf(ref: string): Side {
  if (DRAFT_REF.test(ref)) return { policy: ref };
  const at = ref.lastIndexOf('@');
  return at > 0 ? { policy: ref.slice(0, at), version: ref.slice(at + 1) } : { policy: ref };
}

/**
 * Try it: facts typed into a form generated from the fact schema (or raw JSON), evaluated by the
 * server; the decision with outcomes, citations and the trace; and the same facts under several
 * policies or versions side by side.
 */
@customElement('tw-page-try')
export class TwPageTry extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      .layout { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.25rem; align-items: start; }
      @media (max-width: 1000px) { .layout { grid-template-columns: minmax(0, 1fr); } }
      .sides { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 1rem; margin-top: 1rem; }
      textarea { width: 100%; min-height: 18rem; }
      .compare { display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; max-height: 9rem; overflow: auto; padding: 0.25rem; }
      .compare label { font-weight: normal; display: inline-flex; align-items: center; gap: 0.3rem; }
      .err { color: var(--tw-bad); }
    `,
  ];

  /**
   * Route: `#/try?policy=<id>&version=<label>[&compare=<ref>][&handoff=1]`; `policy` may be
   * `draft:<id>` (an unpublished draft, evaluated by the server as saved); `compare` ticks one
   * side to compare with (`<policy>@<version>` or `draft:<id>`).
   */
  @property({ attribute: false }) route?: Route;
  @state() private policy = '';
  @state() private version = '';
  @state() private asOf = todayInShanghai();
  @state() private explain = true;
  @state() private mode: 'form' | 'json' = 'form';
  @state() private facts: Record<string, unknown> = {};
  @state() private json = '{}';
  @state() private jsonError = '';
  @state() private others: string[] = [];
  @state() private running = false;
  @state() private results?: CompareItem[];
  @state() private failure?: { message: string; details: ErrorDetail[] };
  /** The decision computed in this browser as the facts are typed (published versions only). */
  @state() private preview?: Preview;
  private previewFor = '';
  /** DSL text of each result's policy that has decision tables, by result index: the grid shows the rows hit. */
  @state() private tableTexts: (string | undefined)[] = [];

  private readonly i18n = new LangController(this);
  private readonly library = new Loader<PolicySummary[]>(this);
  /** The draft being tried, when `policy` is `draft:<id>`. */
  @state() private draft?: Draft;
  private readonly schema = new Loader<JsonSchema>(this);
  private schemaKey = '';

  override connectedCallback(): void {
    super.connectedCallback();
    const q = this.route?.query ?? {};
    this.policy = q.policy ?? '';
    this.version = q.version ?? '';
    if (q.asOf) this.asOf = q.asOf;
    if (q.compare) this.others = [q.compare];
    if (q.handoff) {
      const handed = takeHandedFacts();
      if (handed && typeof handed === 'object') this.setFacts(handed as Record<string, unknown>);
    }
    void this.library.run(async () => {
      const list = await api.policies();
      if (!this.policy && list[0]) this.policy = list[0].id;
      await this.loadDraft();
      return list;
    });
  }

  private async loadDraft(): Promise<void> {
    const id = draftIdOf(this.policy);
    this.draft = id === undefined ? undefined : (await api.draft(id)).data;
  }

  override willUpdate(): void {
    const draftId = draftIdOf(this.policy);
    if (draftId !== undefined) {
      const key = `draft:${draftId}`;
      if (key === this.schemaKey) return;
      this.schemaKey = key;
      void this.schema.run(() => api.draftSchema(draftId));
      return;
    }
    const p = this.library.data?.find((x) => x.id === this.policy);
    if (!p) return;
    const version = this.version || p.versions.at(-1)!.version;
    const key = `${p.id}@${version}`;
    if (key === this.schemaKey) return;
    this.schemaKey = key;
    void this.schema.run(() => api.schema(p.id, version));
  }

  override updated(): void {
    // Previewed again whenever what it depends on changed; a late answer for older input is dropped.
    if (draftIdOf(this.policy) !== undefined || !this.policy) {
      this.preview = undefined;
      return;
    }
    const key = JSON.stringify([this.policy, this.version, this.asOf, this.facts]);
    if (key === this.previewFor) return;
    this.previewFor = key;
    void preview(this.policy, this.version || undefined, this.asOf, this.facts).then((p) => {
      if (this.previewFor === key) this.preview = p;
    });
  }

  private setFacts(f: Record<string, unknown>): void {
    this.facts = f;
    this.json = JSON.stringify(f, null, 2);
  }

  override render() {
    return html`
      <h1>${t('try.title')}</h1>
      ${this.library.render((list) => this.renderInputs(list), { isEmpty: (v) => v.length === 0, emptyText: t('library.empty') })}
      ${this.renderPreview()}
      ${this.renderResults()}
    `;
  }

  private renderInputs(list: PolicySummary[]) {
    const draftId = draftIdOf(this.policy);
    // For a draft, what it is related to is the policy it drafts.
    const policyId = draftId !== undefined ? this.draft?.policyId ?? '' : this.policy;
    const p = list.find((x) => x.id === policyId);
    const candidates = list
      .flatMap((x) => x.versions.map((v) => `${x.id}@${v.version}`))
      .filter((r) => draftId !== undefined || r !== `${this.policy}@${this.version || p?.versions.at(-1)?.version}`);
    const related = candidates.filter((r) => {
      const id = r.slice(0, r.lastIndexOf('@'));
      const other = list.find((x) => x.id === id);
      return id === policyId || other?.versions.some((v) => v.extends?.policy === policyId) || p?.versions.some((v) => v.extends?.policy === id);
    });
    // A side handed over (e.g. a simulation's baseline) stays offered even when not related.
    for (const r of this.others) if (!related.includes(r)) related.unshift(r);
    return html`
      <form class="row" @submit=${(e: Event) => (e.preventDefault(), void this.run())}>
        <div class="field">
          <label for="policy">${t('try.policy')}</label>
          <select id="policy" @change=${(e: Event) => this.pickPolicy((e.target as HTMLSelectElement).value)}>
            ${draftId !== undefined
              ? html`<option value=${this.policy} selected>${t('try.draft', { id: draftId })} ${this.draft?.policyId ?? ''}</option>`
              : nothing}
            ${list.map((x) => html`<option value=${x.id} ?selected=${x.id === this.policy}>${lang() === 'en' ? x.titleEn || x.title : x.title} (${x.id})</option>`)}
          </select>
        </div>
        ${draftId === undefined
          ? html`<div class="field">
              <label for="version">${t('try.version')}</label>
              <select id="version" @change=${(e: Event) => this.pickVersion((e.target as HTMLSelectElement).value)}>
                <option value="" ?selected=${!this.version}>${t('try.latest')}</option>
                ${(p?.versions ?? []).map((v) => html`<option value=${v.version} ?selected=${v.version === this.version}>${v.version}</option>`)}
              </select>
            </div>`
          : nothing}
        <div class="field">
          <label for="asof">${t('try.asOf')}</label>
          <input id="asof" type="date" .value=${this.asOf} @change=${(e: Event) => (this.asOf = (e.target as HTMLInputElement).value)} />
        </div>
        <label><input type="checkbox" .checked=${this.explain} @change=${(e: Event) => (this.explain = (e.target as HTMLInputElement).checked)} /> ${t('try.explain')}</label>
        <button class="primary" type="submit" ?disabled=${this.running || !this.policy}>${this.running ? t('try.running') : t('try.run')}</button>
      </form>
      ${draftId !== undefined ? html`<p class="warn" data-testid="draft-note">${t('try.draftNote')}</p>` : nothing}
      ${related.length
        ? html`<details ?open=${this.others.length > 0}>
            <summary>${t('try.compare')}</summary>
            <p class="muted">${t('try.compareWith')}</p>
            <div class="compare">
              ${related.map(
                (r) => html`<label><input type="checkbox" .checked=${this.others.includes(r)} @change=${(e: Event) => this.toggleOther(r, (e.target as HTMLInputElement).checked)} /> ${r}</label>`,
              )}
            </div>
          </details>`
        : nothing}
      <div class="toolbar" role="group" aria-label=${t('editor.viewAs')}>
        <button aria-pressed=${this.mode === 'form'} @click=${() => this.switchMode('form')}>${t('try.form')}</button>
        <button aria-pressed=${this.mode === 'json'} @click=${() => this.switchMode('json')}>${t('try.json')}</button>
      </div>
      ${this.mode === 'form'
        ? this.schema.render((s) => html`<tw-fact-form .schema=${s} .value=${this.facts} @change=${(e: CustomEvent<Record<string, unknown>>) => this.setFacts(e.detail)}></tw-fact-form>`)
        : html`<div class="field">
            <label for="json">${t('try.json')}</label>
            <textarea id="json" spellcheck="false" aria-invalid=${this.jsonError ? 'true' : 'false'} aria-describedby="json-error" .value=${this.json} @input=${(e: Event) => (this.json = (e.target as HTMLTextAreaElement).value)}></textarea>
            <div id="json-error" class="err" role="alert">${this.jsonError}</div>
          </div>`}
    `;
  }

  private renderPreview() {
    const p = this.preview;
    if (!p) return nothing;
    const d = p.decision;
    const words =
      d.status === 'invalid-facts'
        ? t('try.previewInvalid', { n: d.factErrors.length })
        : t('try.previewSummary', { fired: d.outcomes.length, undetermined: d.undetermined.length, conflicts: d.conflicts.length });
    return html`<section class="card" data-testid="preview" aria-live="polite">
      <h2>${t('try.preview')}</h2>
      <p>${words}</p>
      <ul>
        ${d.outcomes.map((o) => html`<li data-rule=${o.ruleId}>${o.title} <span class="muted">(${o.citation.documentTitle ?? o.citation.source} ${o.citation.article})</span></li>`)}
      </ul>
      <p class="muted" data-testid="preview-note">${t(p.generated ? 'try.previewNote' : 'try.previewNoteInterpreted', {
        // Browsers coarsen performance.now() (to 0.1 ms without cross-origin isolation).
        time: p.micros >= 100 ? t('try.previewMs', { ms: (p.micros / 1000).toFixed(1) }) : t('try.previewUnderMs'),
      })}</p>
    </section>`;
  }

  private renderResults() {
    if (this.failure) return html`<tw-state kind="error" .message=${this.failure.message} .details=${this.failure.details} @retry=${() => this.run()}></tw-state>`;
    if (!this.results) return nothing;
    return html`<section aria-labelledby="h-result" aria-live="polite">
      <h2 id="h-result">${t('decision.outcomes')}</h2>
      <div class="sides" data-testid="results">
        ${this.results.map(
          (r, i) => html`<div class="card">
            <h3>${draftIdOf(r.policy) !== undefined ? t('try.draft', { id: draftIdOf(r.policy)! }) : r.policy}${r.version ? `@${r.version}` : ''}</h3>
            ${r.decision
              ? html`<tw-decision .decision=${r.decision}></tw-decision>
                  ${this.tableTexts[i]
                    ? html`<h4>${t('table.hitRows')}</h4>
                        <tw-table-grid readonly .text=${this.tableTexts[i]} .hits=${r.decision.outcomes.flatMap((o) => (o.from ? [o.from] : []))}></tw-table-grid>`
                    : nothing}`
              : html`<tw-state kind="error" .retryable=${false} .message=${r.error ? new ApiFailure(r.status ?? 400, r.error.code, r.error.message, r.error.details ?? []).words() : ''} .details=${r.error?.details ?? []}></tw-state>`}
          </div>`,
        )}
      </div>
    </section>`;
  }

  private pickPolicy(id: string): void {
    this.policy = id;
    this.version = '';
    this.others = [];
    this.results = undefined;
    void this.loadDraft();
    navigate(href('try', [], { policy: id }));
  }

  private pickVersion(v: string): void {
    this.version = v;
    navigate(href('try', [], { policy: this.policy, version: v || undefined }));
  }

  private toggleOther(ref: string, on: boolean): void {
    this.others = on ? [...this.others, ref] : this.others.filter((r) => r !== ref);
  }

  private switchMode(mode: 'form' | 'json'): void {
    if (mode === this.mode) return;
    if (mode === 'form' && !this.readJson()) return;
    this.mode = mode;
  }

  private readJson(): boolean {
    try {
      const v: unknown = JSON.parse(this.json || '{}');
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('{ … }');
      this.facts = v as Record<string, unknown>;
      this.jsonError = '';
      return true;
    } catch (e) {
      this.jsonError = t('try.invalidJson', { msg: (e as Error).message });
      return false;
    }
  }

  /** Published versions' table texts, fetched once (a version never changes; drafts are fetched each run). */
  private readonly tableTextCache = new Map<string, string | undefined>();

  /** The DSL text of a tried policy when it declares decision tables (else undefined). */
  private async tableText(policy: string, version?: string): Promise<string | undefined> {
    const v0 = version ?? this.library.data?.find((x) => x.id === policy)?.versions.at(-1)?.version;
    const key = `${policy}@${v0 ?? ''}`;
    if (draftIdOf(policy) === undefined && this.tableTextCache.has(key)) return this.tableTextCache.get(key);
    const text = await this.fetchTableText(policy, v0);
    if (draftIdOf(policy) === undefined) this.tableTextCache.set(key, text);
    return text;
  }

  private async fetchTableText(policy: string, version?: string): Promise<string | undefined> {
    try {
      const draftId = draftIdOf(policy);
      let text: string | undefined;
      if (draftId !== undefined) {
        const d = (await api.draft(draftId)).data;
        text = d.format === 'dsl' ? d.source : undefined;
      } else {
        if (!version) return undefined;
        const detail = await api.version(policy, version);
        text = detail.source.format === 'dsl' ? detail.source.text : undefined;
      }
      return text !== undefined && /^(?:table|决策表)\s/m.test(text) ? text : undefined;
    } catch {
      return undefined; // the decision stands without the grid
    }
  }

  private async run(): Promise<void> {
    if (this.mode === 'json' && !this.readJson()) return;
    this.running = true;
    this.failure = undefined;
    try {
      const main = { policy: this.policy, ...(this.version && draftIdOf(this.policy) === undefined ? { version: this.version } : {}) };
      if (this.others.length === 0) {
        const r = await api.evaluate({ ...main, asOf: this.asOf, facts: this.facts, explain: this.explain });
        this.results = [{ ...main, decision: r.decision, decisionId: r.decisionId }];
      } else {
        const sides: Side[] = [main, ...this.others.map(sideOf)];
        const r = await api.compare({ policies: sides, asOf: this.asOf, facts: this.facts, explain: this.explain });
        this.results = r.results;
      }
      this.tableTexts = await Promise.all(this.results.map((r) => this.tableText(r.policy, r.version)));
    } catch (e) {
      this.results = undefined;
      this.failure = { message: errorWords(e), details: e instanceof ApiFailure ? e.details : [] };
    } finally {
      this.running = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-page-try': TwPageTry;
  }
}
