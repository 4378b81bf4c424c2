import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { LangController, lang, pick, t, type MessageKey } from '../i18n/index.ts';
import { shared } from '../styles.ts';
import { api, handOffFacts } from '../context.ts';
import { Loader, errorWords } from '../loader.ts';
import { ApiFailure } from '../api.ts';
import { href, navigate, type Route } from '../router.ts';
import { durationWords, todayInShanghai } from '../words.ts';
import { factLabel, namesOf, outcomeKindWords, ruleCite, ruleTitle, type Names } from '../ruleNames.ts';
import type { Coverage, Draft, DraftSimulationView, ErrorDetail, ImpactReport, Job, JobChange, Page, PolicySummary, ProgressEvent } from '../wire.ts';
import { suggestFacts } from '../../../engine/facts/columns.ts';
import type { FactDecl } from '../../../engine/ir/types.ts';
import '../components/tw-bar-chart.ts';
import '../components/tw-state.ts';
import '../components/tw-impact-report.ts';

const PAGE_SIZE = 20;
/** Records of a one-click sample. */
const SAMPLE_COUNT = 200;
/**
 * Column mappings are remembered per policy in this browser (localStorage), not on the server:
 * a 台账's headers are a local habit, and the mapping holds no case data.
 */
const MAPPING_KEY = (policy: string) => `tiaowen.columns.${policy}`;

type ColumnMapping = Record<string, string>;
/** The mapping value that keeps a column for grouping the impact report (server/upload.ts). */
const KEEP_COLUMN = '@keep';

interface MappingForm {
  file: File;
  /** Headers the server matched to no fact, in file order. */
  headers: string[];
  facts: FactDecl[];
  /** Header → fact name, or "" to ignore the column. */
  choice: ColumnMapping;
  saved: ColumnMapping;
}

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // blocked by privacy settings: mappings are then asked for each time
  }
}

interface Refs {
  versions: string[];
  drafts: Draft[];
}

/**
 * Simulate: upload a dataset (JSONL, CSV, XLSX), run it under a baseline and a candidate as a
 * server job; progress with records/s and time left, cancel; then charts of outcomes per rule
 * (before vs after), a paged, filterable table of records whose outcome changed (each openable
 * in Try it) and the results as a download.
 */
@customElement('tw-page-simulate')
export class TwPageSimulate extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      select { min-width: 16rem; }
      .cite { color: var(--tw-muted); font-size: 0.85rem; }
      .id { font-family: var(--tw-mono); font-size: 0.78rem; }
      .progress { margin: 1rem 0; }
      .bar { height: 1.1rem; background: #e3e7ed; border-radius: 999px; overflow: hidden; }
      .fill { height: 100%; background: var(--tw-accent); transition: width 0.3s; }
      @media (prefers-reduced-motion: reduce) { .fill { transition: none; } }
      .nums { display: flex; gap: 1.5rem; flex-wrap: wrap; margin-top: 0.3rem; font-variant-numeric: tabular-nums; min-height: 1.5rem; }
      .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(28rem, 1fr)); gap: 1rem; }
      td, th { font-size: 0.86rem; }
      .pager { display: flex; gap: 0.5rem; align-items: center; margin-top: 0.5rem; }
      .mapgrid { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 0.4rem 1rem; }
      .mapgrid select { min-width: 0; width: 100%; }
      .rec { font-family: var(--tw-mono); font-size: 0.8rem; max-width: 28rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      /* The print view (#/simulate/<job>/report): the report alone, tables paginating. */
      @media print {
        .no-print { display: none !important; }
        .printed { margin: 0; }
      }
    `,
  ];

  /** Route: `#/simulate` (new) or `#/simulate/<job id>`. */
  @property({ attribute: false }) route?: Route;
  @state() private baseline = '';
  @state() private candidate = '';
  @state() private asOf = todayInShanghai();
  @state() private starting = false;
  @state() private startError?: { message: string; details: ErrorDetail[] };
  @state() private progress?: ProgressEvent;
  @state() private page = 1;
  /** Server-side filters of the changed records: they narrow every page, not just the one shown. */
  @state() private filterRule = '';
  @state() private filterKind = '';
  @state() private actionError = '';
  @state() private mapping?: MappingForm;
  /** Says that a remembered mapping was applied to the upload. */
  @state() private mapNote = '';
  /** The column the impact report is grouped by ("" for none). */
  @state() private reportBy = '';
  @state() private reportNote?: { ok: boolean; text: string };
  private readonly report = new Loader<ImpactReport>(this);
  private readonly i18n = new LangController(this);
  private readonly refs = new Loader<Refs>(this);
  private readonly job = new Loader<Job>(this);
  private readonly changes = new Loader<Page<JobChange>>(this);
  /** Titles and articles of both sides' rules, facts' labels: what officials read instead of ids. */
  @state() private names?: Names;
  private jobId = '';
  private stream?: AbortController;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refs.run(async () => {
      const [list, drafts] = await Promise.all([api.policies(), api.drafts().catch(() => [] as Draft[])]);
      return { versions: list.flatMap((p: PolicySummary) => p.versions.map((v) => `${p.id}@${v.version}`)), drafts };
    });
  }

  override disconnectedCallback(): void {
    this.stream?.abort();
    super.disconnectedCallback();
  }

  override willUpdate(): void {
    const id = this.route?.segments[0] ?? '';
    if (id === this.jobId) return;
    this.jobId = id;
    this.reportBy = this.route?.query.by ?? '';
    this.reportNote = undefined;
    this.stream?.abort();
    this.progress = undefined;
    this.page = 1;
    this.filterRule = '';
    this.filterKind = '';
    if (id) void this.follow(id);
  }

  /** Loads the job, then follows its progress events until it ends. */
  private async follow(id: string): Promise<void> {
    const job = await this.job.run(() => api.job(id));
    if (!job) return;
    this.names = undefined;
    void namesOf(job.params.baseline, job.params.candidate).then((n) => {
      if (this.jobId === id) this.names = n;
    });
    this.progress = { type: 'progress', done: job.done, total: job.total, rate: 0, status: job.status };
    if (job.status === 'queued' || job.status === 'running') {
      const ctl = new AbortController();
      this.stream = ctl;
      try {
        await api.events(`/jobs/${encodeURIComponent(id)}/events`, (_type, data) => {
          this.progress = data as ProgressEvent;
        }, ctl.signal);
      } catch {
        // The stream broke (proxy, network): the status below is read once more instead.
      }
      if (ctl.signal.aborted) return;
      await this.job.run(() => api.job(id));
    }
    if (this.job.data?.status === 'done' || this.job.data?.status === 'cancelled') this.loadChanges();
    if (this.job.data?.status === 'done') this.loadReport();
  }

  private loadReport(): void {
    const q = this.reportBy ? `?by=${encodeURIComponent(this.reportBy)}` : '';
    void this.report.run(() => api.get<ImpactReport>(`/jobs/${encodeURIComponent(this.jobId)}/report${q}`));
  }

  private get printView(): boolean {
    return this.route?.segments[1] === 'report';
  }

  private loadChanges(): void {
    void this.changes.run(() => api.jobChanges(this.jobId, this.page, PAGE_SIZE, { rule: this.filterRule || undefined, kind: this.filterKind || undefined }));
  }

  override render() {
    if (this.printView && this.jobId) return this.renderPrint();
    return html`
      <h1>${t('simulate.title')}</h1>
      ${this.refs.render((r) => html`${this.renderForm(r)}${this.renderStarter()}`)}
      ${this.mapping ? this.renderMapping(this.mapping) : nothing}
      ${this.mapNote ? html`<p class="muted" role="status" data-testid="map-note">${this.mapNote}</p>` : nothing}
      ${this.startError ? html`<tw-state kind="error" .message=${this.startError.message} .details=${this.startError.details} .retryable=${false}></tw-state>` : nothing}
      ${this.jobId ? this.job.render((j) => this.renderJob(j)) : nothing}
    `;
  }

  private renderForm(r: Refs) {
    const options = (selected: string) => html`
      <option value="" ?selected=${!selected}>—</option>
      <optgroup label=${t('nav.library')}>${r.versions.map((v) => html`<option value=${v} ?selected=${v === selected}>${v}</option>`)}</optgroup>
      ${r.drafts.length ? html`<optgroup label=${t('editor.drafts')}>${r.drafts.map((d) => html`<option value="draft:${d.id}" ?selected=${`draft:${d.id}` === selected}>${t('diff.draft', { id: d.id })} ${d.policyId ?? ''}</option>`)}</optgroup>` : nothing}`;
    return html`<form class="row" @submit=${this.start}>
      <div class="field"><label for="file">${t('simulate.file')}</label><input id="file" name="file" type="file" accept=".jsonl,.ndjson,.csv,.xlsx" required /></div>
      <div class="field"><label for="baseline">${t('simulate.baseline')}</label><select id="baseline" required @change=${(e: Event) => (this.baseline = (e.target as HTMLSelectElement).value)}>${options(this.baseline)}</select></div>
      <div class="field"><label for="candidate">${t('simulate.candidate')}</label><select id="candidate" required @change=${(e: Event) => (this.candidate = (e.target as HTMLSelectElement).value)}>${options(this.candidate)}</select></div>
      <div class="field"><label for="asof">${t('simulate.asOf')}</label><input id="asof" type="date" .value=${this.asOf} @change=${(e: Event) => (this.asOf = (e.target as HTMLInputElement).value)} /></div>
      <button class="primary" type="submit" ?disabled=${this.starting}>${t('simulate.start')}</button>
    </form>`;
  }

  private start = async (e: Event): Promise<void> => {
    e.preventDefault();
    const file = this.renderRoot.querySelector<HTMLInputElement>('#file')?.files?.[0];
    this.startError = undefined;
    if (!file) {
      this.startError = { message: t('simulate.needFile'), details: [] };
      return;
    }
    await this.runJob(file);
  };

  /**
   * Starts the job. A CSV or XLSX goes with the mapping remembered for the policy; when the
   * server names columns that match no fact, the mapping form is shown instead.
   */
  private async runJob(file: File, explicit?: ColumnMapping): Promise<void> {
    const tabular = !/\.(jsonl|ndjson)$/i.test(file.name);
    const saved = this.savedMapping();
    const mapping = explicit ?? saved;
    const form = new FormData();
    form.set('file', file, file.name);
    form.set('baseline', this.baseline);
    form.set('candidate', this.candidate);
    form.set('asOf', this.asOf);
    if (tabular && Object.keys(mapping).length > 0) form.set('mapping', JSON.stringify(mapping));
    this.starting = true;
    this.startError = undefined;
    this.mapNote = '';
    try {
      const r = await api.simulate(form);
      this.mapping = undefined;
      const used = Object.keys(r.data.params.mapping ?? {}).length;
      if (!explicit && used > 0) this.mapNote = t('simulate.mapSaved', { n: used });
      navigate(href('simulate', [r.data.id]));
    } catch (err) {
      if (err instanceof ApiFailure && err.code === 'upload.unmapped-columns') await this.askMapping(file, err.details, mapping);
      else this.startError = { message: errorWords(err), details: err instanceof ApiFailure ? err.details : [] };
    } finally {
      this.starting = false;
    }
  }

  /** The policy a mapping is remembered for: the candidate's (a draft's own policy), else the baseline's. */
  private mappingPolicy(): string {
    const policyOf = (ref: string) => (ref.startsWith('draft:') ? (this.refs.data?.drafts.find((d) => `draft:${d.id}` === ref)?.policyId ?? ref) : ref.split('@')[0]);
    return policyOf(this.candidate || this.baseline);
  }

  private savedMapping(): ColumnMapping {
    try {
      const raw = storage()?.getItem(MAPPING_KEY(this.mappingPolicy()));
      const v = raw ? (JSON.parse(raw) as unknown) : undefined;
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as ColumnMapping) : {};
    } catch {
      return {};
    }
  }

  /** Facts of a reference, from its fact schema (names, labels): what columns may map to. */
  private async factsOf(ref: string): Promise<FactDecl[]> {
    if (!ref) return [];
    const path = ref.startsWith('draft:')
      ? `/drafts/${encodeURIComponent(ref.slice(6))}/schema`
      : `/policies/${ref.split('@')[0]}/versions/${encodeURIComponent(ref.split('@')[1] ?? '')}/schema`;
    const schema = await api.get<{ properties?: Record<string, { title?: string; 'x-label-en'?: string; 'x-kind'?: string }> }>(path);
    return Object.entries(schema.properties ?? {}).map(([name, p]) => ({ name, label: p.title ?? name, labelEn: p['x-label-en'], type: { kind: 'string' } }));
  }

  private async askMapping(file: File, details: ErrorDetail[], saved: ColumnMapping): Promise<void> {
    const headers = details.filter((d) => d.path.startsWith('column:')).map((d) => d.path.slice('column:'.length));
    try {
      const [a, b] = await Promise.all([this.factsOf(this.candidate), this.factsOf(this.baseline)]);
      const facts = [...a, ...b.filter((f) => !a.some((g) => g.name === f.name))];
      const known = (name: string | undefined) => name !== undefined && (name === '' || name === KEEP_COLUMN || facts.some((f) => f.name === name));
      const choice = Object.fromEntries(headers.map((h) => [h, known(saved[h]) ? saved[h] : (suggestFacts(h, facts, 1)[0]?.fact ?? '')]));
      this.mapping = { file, headers, facts, choice, saved };
    } catch (err) {
      this.startError = { message: errorWords(err), details: err instanceof ApiFailure ? err.details : [] };
    }
  }

  private applyMapping = async (e: Event): Promise<void> => {
    e.preventDefault();
    const m = this.mapping;
    if (!m) return;
    const merged = { ...m.saved, ...m.choice };
    try {
      storage()?.setItem(MAPPING_KEY(this.mappingPolicy()), JSON.stringify(merged));
    } catch {
      // storage full or blocked: the mapping still goes with this job
    }
    await this.runJob(m.file, merged);
  };

  private renderMapping(m: MappingForm) {
    const label = (f: FactDecl) => (lang() === 'en' && f.labelEn ? f.labelEn : f.label);
    return html`<section class="card" aria-labelledby="h-map" data-testid="mapping">
      <h2 id="h-map">${t('simulate.mapTitle')}</h2>
      <p>${t('simulate.mapHint', { n: m.headers.length })}</p>
      <form @submit=${this.applyMapping}>
        <div class="mapgrid">${m.headers.map(
          (h, i) => html`<div class="field">
            <label for="map-${i}">${t('simulate.mapColumn', { header: h })}</label>
            <select id="map-${i}" data-header=${h} @change=${(e: Event) => (this.mapping = { ...m, choice: { ...m.choice, [h]: (e.target as HTMLSelectElement).value } })}>
              <option value="" ?selected=${m.choice[h] === ''}>${t('simulate.mapIgnore')}</option>
              <option value=${KEEP_COLUMN} ?selected=${m.choice[h] === KEEP_COLUMN}>${t('simulate.mapKeep')}</option>
              ${m.facts.map((f) => html`<option value=${f.name} ?selected=${m.choice[h] === f.name}>${label(f)}${f.label !== f.name ? ` (${f.name})` : ''}</option>`)}
            </select>
          </div>`,
        )}</div>
        <div class="toolbar">
          <button class="primary" type="submit" ?disabled=${this.starting}>${t('simulate.mapApply')}</button>
          <button type="button" @click=${() => (this.mapping = undefined)}>${t('simulate.mapCancel')}</button>
        </div>
      </form>
    </section>`;
  }

  /** The published version a template or sample is made for: the candidate, else the baseline. */
  private templateVersion(): { policy: string; version: string } | undefined {
    for (const ref of [this.candidate, this.baseline]) {
      if (!ref || ref.startsWith('draft:')) continue;
      const [policy, version] = ref.split('@');
      if (policy && version) return { policy, version };
    }
    return undefined;
  }

  private renderStarter() {
    return html`<section class="card" aria-labelledby="h-start" data-testid="starter">
      <h2 id="h-start">${t('simulate.start.template')}</h2>
      <p class="muted">${t('simulate.templateHint')}</p>
      <div class="toolbar">
        <button type="button" @click=${() => this.downloadTemplate('xlsx')}>${t('simulate.templateXlsx')}</button>
        <button type="button" @click=${() => this.downloadTemplate('csv')}>${t('simulate.templateCsv')}</button>
        <button type="button" class="primary" ?disabled=${this.starting} @click=${this.simulateSample}>${t('simulate.sample')}</button>
      </div>
    </section>`;
  }

  private versionPath(v: { policy: string; version: string }): string {
    return `/policies/${v.policy}/versions/${encodeURIComponent(v.version)}`;
  }

  private async downloadTemplate(format: 'xlsx' | 'csv'): Promise<void> {
    this.startError = undefined;
    const v = this.templateVersion();
    if (!v) {
      this.startError = { message: t('simulate.needVersion'), details: [] };
      return;
    }
    try {
      const blob = await api.download(`${this.versionPath(v)}/template?format=${format}`);
      save(blob, `${v.policy.replace(/\//g, '-')}-${v.version}-template.${format}`);
    } catch (err) {
      this.startError = { message: errorWords(err), details: [] };
    }
  }

  /** One click: a generated sample for the chosen version, simulated under both sides. */
  private simulateSample = async (): Promise<void> => {
    this.startError = undefined;
    const v = this.templateVersion();
    if (!this.baseline || !this.candidate || !v) {
      this.startError = { message: t(!v ? 'simulate.needVersion' : 'simulate.needBoth'), details: [] };
      return;
    }
    try {
      const blob = await api.download(`${this.versionPath(v)}/sample?count=${SAMPLE_COUNT}&format=jsonl`);
      await this.runJob(new File([blob], `${v.policy.replace(/\//g, '-')}-${v.version}-sample.jsonl`, { type: 'application/x-ndjson' }));
    } catch (err) {
      this.startError = { message: errorWords(err), details: [] };
    }
  };

  private renderJob(job: Job) {
    const p = this.progress ?? { done: job.done, total: job.total, rate: 0, status: job.status, type: 'progress' as const };
    const status = p.status ?? job.status;
    const pct = p.total ? Math.round((p.done / p.total) * 100) : status === 'done' ? 100 : 0;
    const running = status === 'queued' || status === 'running';
    const zh = lang() === 'zh';
    return html`
      <section class="progress card" aria-labelledby="h-job">
        <h2 id="h-job">${job.params?.baseline ?? ''} → ${job.params?.candidate ?? ''} <span class="muted">${job.params?.file?.name ?? ''}</span></h2>
        <div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax=${p.total} aria-valuenow=${p.done} aria-label=${t('simulate.progress', { done: p.done, total: p.total })}>
          <div class="fill" style="width:${pct}%"></div>
        </div>
        <div class="nums" aria-live="polite">
          <span>${t('simulate.progress', { done: p.done, total: p.total })}</span>
          ${running && p.rate > 0 ? html`<span>${t('simulate.rate', { rate: Math.round(p.rate) })}</span><span>${t('simulate.eta', { eta: durationWords((p.total - p.done) / p.rate, zh) })}</span>` : nothing}
          <strong class=${status === 'failed' ? 'bad' : status === 'done' ? 'ok' : ''}>${status === 'done' ? t('simulate.done') : status === 'failed' ? t('simulate.failed') : status === 'cancelled' ? t('simulate.cancelled') : ''}</strong>
        </div>
        ${running ? html`<div class="toolbar"><button class="danger" @click=${this.cancel}>${t('simulate.cancel')}</button></div>` : nothing}
        ${this.actionError ? html`<p class="bad" role="alert">${this.actionError}</p>` : nothing}
        ${status === 'failed' && job.error
          ? html`<p class="bad" role="alert">${pick(job.error.message)}${(job.error.details ?? []).map((d) => html`<br /><span class="muted">${pick(d.message)}</span>`)}</p>`
          : nothing}
      </section>
      ${job.result ? this.renderResult(job) : nothing}
    `;
  }

  private cancel = async (): Promise<void> => {
    this.actionError = '';
    try {
      await api.cancelJob(this.jobId);
    } catch (e) {
      this.actionError = errorWords(e);
    }
  };

  /** The candidate's rule coverage on the dataset: rules that never fired first, then every rule. */
  private renderCoverage(c: Coverage, engine: string | undefined) {
    return html`<section class="card" data-testid="coverage">
      <h3>${t('simulate.coverage')} <span class="muted">(${c.policy}@${c.version}${engine === 'duckdb' ? ' · SQL' : ''})</span></h3>
      <p>${c.neverFired.length ? t('simulate.neverFired', { n: c.neverFired.length, rules: c.neverFired.map((id) => this.ruleTitle(id)).join('、') }) : t('simulate.allFired')}</p>
      <details><summary>${t('simulate.coverageTable')}</summary>
        <div class="scroll-x"><table>
          <thead><tr><th>${t('simulate.rule')}</th><th>${t('simulate.fired')}</th><th>${t('simulate.notFired')}</th><th>${t('simulate.kindUndetermined')}</th><th>${t('simulate.missingMost')}</th></tr></thead>
          <tbody>${c.rules.map(
            (x) => html`<tr data-rule=${x.rule}><td>${this.names?.rules.has(x.rule) ? this.ruleTitle(x.rule) : x.title} ${this.cite(x.rule)} <span class="muted id">${x.rule}</span></td><td>${x.fired}</td><td>${x.notFired}</td><td>${x.undetermined}</td><td>${x.missing?.[0] ? `${factLabel(this.names, x.missing[0].fact)} (${x.missing[0].count})` : '—'}</td></tr>`,
          )}</tbody>
        </table></div>
      </details>
    </section>`;
  }

  private renderResult(job: Job) {
    const r = job.result!;
    const rules = [...new Set([...Object.keys(r.baseline.byRule), ...Object.keys(r.candidate.byRule)])].sort();
    const outcomes = [...new Set([...Object.keys(r.baseline.byOutcome), ...Object.keys(r.candidate.byOutcome)])].sort();
    const series = [`${t('col.baseline')} ${r.baseline.policy}@${r.baseline.version}`, `${t('col.candidate')} ${r.candidate.policy}@${r.candidate.version}`];
    const kindLabel = outcomeKindWords;
    return html`
      <p><strong>${t('simulate.summary', { total: r.total, changed: r.changed })}</strong></p>
      <div class="charts">
        <section class="card"><h3>${t('simulate.perRule')}</h3>
          <tw-bar-chart .label=${t('simulate.perRule')} .series=${series} .rows=${rules.map((id) => ({ label: this.ruleTitle(id), values: [r.baseline.byRule[id]?.fired ?? 0, r.candidate.byRule[id]?.fired ?? 0] }))}></tw-bar-chart>
        </section>
        <section class="card"><h3>${t('decision.outcomes')}</h3>
          <tw-bar-chart .label=${t('decision.outcomes')} .series=${series} .rows=${outcomes.map((k) => ({ label: kindLabel(k), values: [r.baseline.byOutcome[k] ?? 0, r.candidate.byOutcome[k] ?? 0] }))}></tw-bar-chart>
        </section>
      </div>
      ${r.coverage ? this.renderCoverage(r.coverage.candidate, r.engine) : nothing}
      ${job.status === 'done' ? this.renderReport(job) : nothing}
      <h2>${t('simulate.changed')}</h2>
      <div class="toolbar">
        <div class="field">
          <label for="filter-rule">${t('simulate.filterRule')}</label>
          <select id="filter-rule" @change=${(e: Event) => this.setFilter('rule', (e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${!this.filterRule}>${t('simulate.filterAll')}</option>
            ${rules.map((id) => html`<option value=${id} ?selected=${id === this.filterRule}>${this.ruleTitle(id)}</option>`)}
          </select>
        </div>
        <div class="field">
          <label for="filter-kind">${t('simulate.filterKind')}</label>
          <select id="filter-kind" @change=${(e: Event) => this.setFilter('kind', (e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${!this.filterKind}>${t('simulate.filterAll')}</option>
            ${outcomes.map((k) => html`<option value=${k} ?selected=${k === this.filterKind}>${kindLabel(k)}</option>`)}
          </select>
        </div>
        <span style="flex:1"></span>
        <button @click=${() => this.download('csv')}>${t('simulate.download')} (CSV)</button>
        <button @click=${() => this.download('jsonl')}>${t('simulate.download')} (JSONL)</button>
      </div>
      ${this.filterRule || this.filterKind ? html`<p class="muted" role="status" data-testid="filtered">${t('simulate.filtered', { n: this.changes.data?.total ?? '…' })}</p>` : nothing}
      ${this.changes.render((p) => this.renderChanges(p, r.candidate), { isEmpty: (p) => p.total === 0, emptyText: t('simulate.noChanges') })}
    `;
  }

  /** The impact report: group-by column, the report, export, print view, attach to review. */
  private renderReport(job: Job) {
    const draft = job.params.candidate.startsWith('draft:') ? job.params.candidate.slice('draft:'.length) : undefined;
    const columns = this.report.data?.columns ?? [];
    return html`<section class="card" aria-labelledby="h-report" data-testid="report">
      <h2 id="h-report">${t('report.title')}</h2>
      <div class="toolbar">
        <div class="field">
          <label for="report-by">${t('report.groupBy')}</label>
          <select id="report-by" @change=${(e: Event) => ((this.reportBy = (e.target as HTMLSelectElement).value), this.loadReport())}>
            <option value="" ?selected=${!this.reportBy}>${t('report.noGroup')}</option>
            ${columns.map((c) => html`<option value=${c.name} ?selected=${c.name === this.reportBy}>${pick(c.label)}${c.source === 'column' ? ` ${t('report.fromColumn')}` : ''}</option>`)}
          </select>
        </div>
        <span style="flex:1"></span>
        <button type="button" @click=${this.exportXlsx}>${t('report.exportXlsx')}</button>
        <a class="button" href=${href('simulate', [this.jobId, 'report'], { by: this.reportBy || undefined })}>${t('report.print')}</a>
        ${draft ? html`<button type="button" class="primary" @click=${() => this.attach(Number(draft))}>${t('report.attach')}</button>` : nothing}
      </div>
      ${this.reportNote ? html`<p class=${this.reportNote.ok ? 'ok' : 'bad'} role=${this.reportNote.ok ? 'status' : 'alert'} data-testid="report-note">${this.reportNote.text}</p>` : nothing}
      ${this.report.render((rep) => html`<tw-impact-report .report=${rep}></tw-impact-report>`)}
    </section>`;
  }

  /** The print view: the report alone (no navigation when printed), grouped as chosen. */
  private renderPrint() {
    const job = this.job.data;
    return html`<div class="printed" data-testid="report-print">
      <div class="toolbar no-print">
        <a href=${href('simulate', [this.jobId])}>${t('report.back')}</a>
        <button type="button" class="primary" @click=${() => window.print()}>${t('report.printNow')}</button>
      </div>
      <h1>${t('report.title')}</h1>
      ${job ? html`<p class="muted">${job.params.baseline} → ${job.params.candidate} · ${t('report.printedAt', { job: job.id, asOf: job.params.asOf })}</p>` : nothing}
      ${this.report.render((rep) => html`<tw-impact-report .report=${rep}></tw-impact-report>`)}
    </div>`;
  }

  private exportXlsx = async (): Promise<void> => {
    this.reportNote = undefined;
    try {
      const q = this.reportBy ? `?by=${encodeURIComponent(this.reportBy)}` : '';
      const blob = await api.download(`/jobs/${encodeURIComponent(this.jobId)}/report.xlsx${q}`);
      save(blob, `${this.jobId}-report.xlsx`);
    } catch (e) {
      this.reportNote = { ok: false, text: errorWords(e) };
    }
  };

  private async attach(draft: number): Promise<void> {
    this.reportNote = undefined;
    try {
      await api.post<DraftSimulationView>(`/drafts/${draft}/simulations`, { job: this.jobId, ...(this.reportBy ? { by: this.reportBy } : {}) });
      this.reportNote = { ok: true, text: t('report.attached', { id: draft }) };
    } catch (e) {
      this.reportNote = { ok: false, text: errorWords(e) };
    }
  }

  private ruleTitle(id: string): string {
    return ruleTitle(this.names, id);
  }

  private cite(id: string) {
    const c = ruleCite(this.names, id);
    return c ? html`<span class="cite">${c}</span>` : nothing;
  }

  private titles(ids: readonly string[]): string {
    return ids.map((id) => this.ruleTitle(id)).join('、');
  }

  private setFilter(which: 'rule' | 'kind', value: string): void {
    if (which === 'rule') this.filterRule = value;
    else this.filterKind = value;
    this.page = 1;
    this.loadChanges();
  }

  private renderChanges(p: Page<JobChange>, candidate: { policy: string; version: string }) {
    const pages = Math.max(1, Math.ceil(p.total / PAGE_SIZE));
    const rows = p.items;
    return html`<div class="scroll-x"><table data-testid="changes">
        <thead><tr><th>${t('col.line')}</th><th>${t('col.baseline')}</th><th>${t('col.candidate')}</th><th>${t('col.facts')}</th><th>${t('col.actions')}</th></tr></thead>
        <tbody>
          ${rows.map(
            (c) => html`<tr>
              <td>${c.line}</td>
              <td>${this.titles(c.baseline.fired) || '—'}${c.baseline.undetermined.length ? html`<br /><span class="warn">? ${this.titles(c.baseline.undetermined)}</span>` : nothing}</td>
              <td>${this.titles(c.candidate.fired) || '—'}${c.candidate.undetermined.length ? html`<br /><span class="warn">? ${this.titles(c.candidate.undetermined)}</span>` : nothing}</td>
              <td class="rec" title=${JSON.stringify(c.record)}>${JSON.stringify(c.record)}</td>
              <td><button @click=${() => this.openInTry(c, candidate)}>${t('simulate.openInTry')}</button></td>
            </tr>`,
          )}
        </tbody>
      </table></div>
      <div class="pager">
        <button ?disabled=${this.page <= 1} @click=${() => (this.page--, this.loadChanges())}>${t('simulate.prev')}</button>
        <span>${t('simulate.page', { page: this.page, pages })}</span>
        <button ?disabled=${this.page >= pages} @click=${() => (this.page++, this.loadChanges())}>${t('simulate.next')}</button>
      </div>`;
  }

  /** Opens the record under the candidate (a draft too), with the baseline ticked for comparison. */
  private openInTry(c: JobChange, candidate: { policy: string; version: string }): void {
    handOffFacts(c.record);
    const params = this.job.data?.params;
    const baseline = this.job.data?.result?.baseline;
    const candidateRef = params?.candidate?.startsWith('draft:') ? params.candidate : undefined;
    const baselineRef = params?.baseline?.startsWith('draft:') ? params.baseline : baseline ? `${baseline.policy}@${baseline.version}` : undefined;
    navigate(
      href('try', [], {
        policy: candidateRef ?? candidate.policy,
        version: candidateRef ? undefined : candidate.version,
        asOf: params?.asOf,
        compare: baselineRef,
        handoff: '1',
      }),
    );
  }

  private async download(format: 'csv' | 'jsonl'): Promise<void> {
    this.actionError = '';
    try {
      // The records listed: the same filters as the table above.
      const q = new URLSearchParams({ format });
      if (this.filterRule) q.set('rule', this.filterRule);
      if (this.filterKind) q.set('kind', this.filterKind);
      const blob = await api.download(`/jobs/${encodeURIComponent(this.jobId)}/download?${q}`);
      save(blob, `${this.jobId}-changes.${format}`);
    } catch (e) {
      this.actionError = errorWords(e);
    }
  }
}

/** Hands a fetched file to the browser as a download. */
function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-page-simulate': TwPageSimulate;
  }
}
