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
import type { Coverage, Draft, ErrorDetail, Job, JobChange, Page, PolicySummary, ProgressEvent } from '../wire.ts';
import '../components/tw-bar-chart.ts';
import '../components/tw-state.ts';

const PAGE_SIZE = 20;

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
      .rec { font-family: var(--tw-mono); font-size: 0.8rem; max-width: 28rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
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
  }

  private loadChanges(): void {
    void this.changes.run(() => api.jobChanges(this.jobId, this.page, PAGE_SIZE, { rule: this.filterRule || undefined, kind: this.filterKind || undefined }));
  }

  override render() {
    return html`
      <h1>${t('simulate.title')}</h1>
      ${this.refs.render((r) => this.renderForm(r))}
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
    const form = new FormData();
    form.set('file', file, file.name);
    form.set('baseline', this.baseline);
    form.set('candidate', this.candidate);
    form.set('asOf', this.asOf);
    this.starting = true;
    try {
      const r = await api.simulate(form);
      navigate(href('simulate', [r.data.id]));
    } catch (err) {
      this.startError = { message: errorWords(err), details: err instanceof ApiFailure ? err.details : [] };
    } finally {
      this.starting = false;
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
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `${this.jobId}-changes.${format}`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      this.actionError = errorWords(e);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-page-simulate': TwPageSimulate;
  }
}
