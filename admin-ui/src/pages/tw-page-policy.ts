import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { LangController, lang, t, type MessageKey } from '../i18n/index.ts';
import { shared } from '../styles.ts';
import { api, currentUser } from '../context.ts';
import { Loader, errorWords } from '../loader.ts';
import { href, navigate, policyFromSegments, policyHref, type Route } from '../router.ts';
import { can, canOn } from '../session.ts';
import { exprWords, jurisdictionWords, literalWords, periodStatus, todayInShanghai, typeWords, wordsContext } from '../words.ts';
import type { FactDecl, PolicyIR } from '../../../engine/ir/types.ts';
import { privacyPlan, type PrivacyPlan } from '../../../engine/privacy/plan.ts';
import type { PolicyDetail, PolicySummary, VersionDetail } from '../wire.ts';
import '../components/tw-source-view.ts';
import '../components/tw-timeline.ts';
import '../components/tw-state.ts';

interface PolicyPageData {
  policy: PolicyDetail;
  version: VersionDetail;
  variants: PolicySummary[];
}

/**
 * One policy version: header and dates, the rules as a readable table (article, condition in
 * words, outcome), parameters with their dated values, the fact schema, the source with
 * highlighting, and the policies that extend it.
 */
@customElement('tw-page-policy')
export class TwPagePolicy extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      .crumbs { margin-bottom: 0.5rem; }
      .meta { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; align-items: center; }
      .id { font-family: var(--tw-mono); color: var(--tw-muted); }
      .grid { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1.25rem; align-items: start; }
      @media (max-width: 1500px) { .grid { grid-template-columns: minmax(0, 1fr); } }
      section { margin-bottom: 1rem; }
      td, th { font-size: 0.9rem; }
      .cond { line-height: 1.6; }
      .art { min-width: 7rem; }
      td.out { min-width: 14rem; }
      td.rule { min-width: 11rem; }
      .kind-violation, .kind-accountability, .kind-ineligible { color: var(--tw-bad); }
      .kind-eligible, .kind-commendation { color: var(--tw-ok); }
      .kind-notice, .kind-computation { color: var(--tw-warn); }
      .fields { margin: 0.25rem 0 0; padding-inline-start: 1.1rem; }
      .vselect { min-width: 10rem; }
      .personal { font-size: 0.82rem; color: var(--tw-warn); }
    `,
  ];

  /** Route: `#/policy/<jurisdiction>/<topic>[/<version>]`. */
  @property({ attribute: false }) route?: Route;
  @state() private tab: 'dsl' | 'yaml' = 'dsl';
  private readonly i18n = new LangController(this);
  private readonly loader = new Loader<PolicyPageData>(this);
  private readonly today = todayInShanghai();
  private loadedKey = '';

  override willUpdate(): void {
    const { id, version } = policyFromSegments(this.route?.segments ?? []);
    const key = `${id}@${version ?? ''}`;
    if (key === this.loadedKey) return;
    this.loadedKey = key;
    void this.loader.run(async () => {
      if (!id) throw new Error(t('state.notFound'));
      const [policy, all] = await Promise.all([api.policy(id), api.policies().catch(() => [] as PolicySummary[])]);
      const chosen =
        version ??
        policy.versions.filter((v) => periodStatus(v, this.today) === 'inForce').at(-1)?.version ??
        policy.versions.at(-1)!.version;
      const detail = await api.version(id, chosen);
      const variants = all.filter((p) => p.id !== id && p.versions.some((v) => v.extends?.policy === id));
      return { policy, version: detail, variants };
    });
  }

  override render() {
    return this.loader.render((d) => this.renderPage(d));
  }

  private renderPage({ policy, version, variants }: PolicyPageData) {
    const ir = version.ir;
    const ctx = wordsContext(ir, lang(), this.today);
    const title = lang() === 'en' ? ir.titleEn || ir.title : ir.title;
    const st = periodStatus(version, this.today);
    const role = currentUser()?.role;
    const idx = policy.versions.findIndex((v) => v.version === version.version);
    const prev = idx > 0 ? policy.versions[idx - 1] : undefined;
    return html`
      <div class="crumbs"><a href=${href('library')}>${t('nav.library')}</a> › ${jurisdictionWords(ir.jurisdiction, lang())}</div>
      <h1>${title}</h1>
      <div class="meta">
        <span class="id">${ir.id}</span>
        <label>${t('col.version')}
          <select class="vselect" @change=${(e: Event) => navigate(policyHref(policy.id, (e.target as HTMLSelectElement).value))}>
            ${[...policy.versions].reverse().map((v) => html`<option value=${v.version} ?selected=${v.version === version.version}>${v.version} (${v.effectiveFrom}${v.effectiveUntil ? ` – ${v.effectiveUntil}` : ' –'})</option>`)}
          </select>
        </label>
        <span class="badge ${st === 'inForce' ? 'ok' : 'muted'}">${t(`status.${st}` as MessageKey)}</span>
        <span>${ir.effectiveUntil ? t('period.closed', { from: ir.effectiveFrom, until: ir.effectiveUntil }) : t('period.open', { from: ir.effectiveFrom })}</span>
        ${ir.extends ? html`<span>${t('policy.extends')}: <a href=${policyHref(ir.extends.policy, ir.extends.version)}>${ir.extends.policy}${ir.extends.version ? `@${ir.extends.version}` : ''}</a></span>` : nothing}
      </div>
      <div class="toolbar">
        ${can(role, 'evaluate') ? html`<a class="button" href=${href('try', [], { policy: ir.id, version: ir.version })}>${t('policy.try')}</a>` : nothing}
        ${prev ? html`<a class="button" href=${href('diff', [], { a: `${ir.id}@${prev.version}`, b: `${ir.id}@${ir.version}` })}>${t('policy.diffPrev')}</a>` : nothing}
        ${canOn(currentUser(), 'edit', ir.id) ? html`<button @click=${() => this.draftFrom(ir)}>${t('policy.edit')}</button>` : nothing}
      </div>
      <tw-timeline .periods=${policy.versions.map((v) => ({ label: v.version, from: v.effectiveFrom, until: v.effectiveUntil, current: v.version === version.version }))}></tw-timeline>

      <div class="grid">
        <div>
          <section aria-labelledby="h-rules">
            <h2 id="h-rules">${t('policy.rules')} (${ir.rules.length})</h2>
            <div class="scroll-x">
              <table data-testid="rules">
                <thead><tr><th>${t('col.article')}</th><th>${t('col.rule')}</th><th>${t('col.condition')}</th><th>${t('col.outcome')}</th></tr></thead>
                <tbody>
                  ${ir.rules.map(
                    (r) => html`<tr id="rule-${r.id}">
                      <td class="art" title=${r.cites.quote ?? ''}>${r.cites.source} ${r.cites.article}</td>
                      <td class="rule"><strong>${lang() === 'en' ? r.titleEn || r.title : r.title}</strong><br /><code class="muted">${r.id}</code>
                        ${r.exceptionTo ? html`<br /><span class="badge warn">${t('policy.exceptionTo', { rule: r.exceptionTo })}</span>` : nothing}
                        ${r.overrides ? html`<br /><span class="badge warn">${t('policy.overrides')}</span>` : nothing}
                      </td>
                      <td class="cond">${exprWords(r.when, ctx)}</td>
                      <td class="out">
                        <span class="kind-${r.then.kind}"><strong>${t(`kind.${r.then.kind}` as MessageKey)}</strong></span>
                        ${r.then.severity ? html` · ${t(`severity.${r.then.severity}` as MessageKey)}` : nothing}
                        <div>${lang() === 'en' ? r.then.message.en || r.then.message.zh : r.then.message.zh}</div>
                        ${r.then.consequences.length ? html`<div class="muted">${t('decision.consequences')}: ${r.then.consequences.join('、')}</div>` : nothing}
                        ${r.then.computed.map((c) => html`<div class="muted">${c.label ?? c.name} = ${exprWords(c.expr, ctx)}</div>`)}
                      </td>
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>
            ${ir.disabled?.length
              ? html`<h3>${t('policy.disabled')}</h3>
                  <ul>${ir.disabled.map((d) => html`<li><code>${d.rule}</code>: ${d.reason}</li>`)}</ul>`
              : nothing}
          </section>

          <section aria-labelledby="h-source">
            <h2 id="h-source">${t('policy.source')}</h2>
            <div class="toolbar" role="group" aria-label=${t('editor.viewAs')}>
              <button aria-pressed=${this.tab === 'dsl'} @click=${() => (this.tab = 'dsl')}>${t('editor.dsl')}</button>
              <button aria-pressed=${this.tab === 'yaml'} ?disabled=${!version.yaml} @click=${() => (this.tab = 'yaml')}>${t('editor.yaml')}</button>
            </div>
            <tw-source-view
              .label=${t('policy.source')}
              .format=${this.tab}
              .source=${this.tab === 'yaml' ? version.yaml ?? '' : version.dsl ?? version.source.text}
            ></tw-source-view>
          </section>
        </div>

        <div>
          <section aria-labelledby="h-params">
            <h2 id="h-params">${t('policy.parameters')} (${ir.parameters.length})</h2>
            ${ir.parameters.length
              ? html`<table>
                  <thead><tr><th>${t('col.name')}</th><th>${t('col.value')}</th><th>${t('col.from')}</th><th>${t('col.cites')}</th></tr></thead>
                  <tbody>
                    ${ir.parameters.flatMap((p) =>
                      p.values.map(
                        (v, i) => html`<tr>
                          ${i === 0 ? html`<td rowspan=${p.values.length}><strong>${lang() === 'en' ? p.labelEn || p.label : p.label}</strong><br /><code class="muted">${p.name}</code></td>` : nothing}
                          <td>${literalWords(v.value, p.type.kind, lang())}</td>
                          <td>${v.from}</td>
                          <td>${v.cites ? `${v.cites.source} ${v.cites.article}` : '—'}</td>
                        </tr>`,
                      ),
                    )}
                  </tbody>
                </table>`
              : html`<p class="muted">${t('common.none')}</p>`}
          </section>

          <section aria-labelledby="h-facts">
            <h2 id="h-facts">${t('policy.facts')} (${ir.facts.length})</h2>
            <table data-testid="facts">
              <thead><tr><th>${t('col.name')}</th><th>${t('col.label')}</th><th>${t('col.type')}</th><th>${t('privacy.col')}</th></tr></thead>
              <tbody>${ir.facts.map((f) => this.renderFact(f, privacyPlan(ir)))}</tbody>
            </table>
            ${this.renderRetention()}
          </section>

          <section aria-labelledby="h-sources">
            <h2 id="h-sources">${t('policy.sources')}</h2>
            <ul>${ir.sources.map((s) => html`<li><strong>${s.key}</strong>: ${s.title}${s.number ? html` <span class="muted">${s.number}</span>` : nothing}</li>`)}</ul>
          </section>

          <section aria-labelledby="h-variants">
            <h2 id="h-variants">${t('policy.variants')}</h2>
            ${variants.length
              ? html`<ul>${variants.map((v) => html`<li><a href=${policyHref(v.id, v.inForce)}>${lang() === 'en' ? v.titleEn || v.title : v.title}</a> <span class="muted mono">${v.id}</span></li>`)}</ul>`
              : html`<p class="muted">${t('policy.noVariants')}</p>`}
          </section>
        </div>
      </div>
    `;
  }

  private renderFact(f: FactDecl, plan: PrivacyPlan): unknown {
    const label = lang() === 'en' ? f.labelEn || f.label : f.label;
    // What the decision log does with a personal fact (engine/privacy/plan.ts): the plan of the version shown.
    const privacy = (path: string): MessageKey | undefined =>
      plan.subject === path ? 'privacy.subject' : plan.kept.includes(path) ? 'privacy.kept' : plan.masked.includes(path) || isMaskedField(plan, path) ? 'privacy.masked' : undefined;
    const mark = (path: string) => {
      const key = privacy(path);
      return key ? html`<span class="personal" data-privacy=${key.slice('privacy.'.length)}>${t(key)}</span>` : nothing;
    };
    return html`<tr data-fact=${f.name}>
      <td><code>${f.name}</code></td>
      <td>${label}</td>
      <td>
        ${typeWords(f.type, lang())}
        ${f.type.kind === 'list'
          ? html`<ul class="fields">${f.type.fields.map((x) => html`<li><code>${x.name}</code> ${lang() === 'en' ? x.labelEn || x.label : x.label}: ${typeWords(x.type, lang())} ${mark(`${f.name}[].${x.name}`)}</li>`)}</ul>`
          : nothing}
      </td>
      <td>${mark(f.name)}</td>
    </tr>`;
  }

  /** How long decisions are kept, and the server-wide masks (from /me). */
  private renderRetention(): unknown {
    const p = currentUser()?.privacy;
    if (!p) return nothing;
    return html`<p class="muted" data-testid="retention">
      ${p.retentionDays > 0 ? t('privacy.retention', { n: p.retentionDays }) : t('privacy.forever')}
      ${p.maskFields.length ? t('privacy.serverMasks', { names: p.maskFields.join(lang() === 'en' ? ', ' : '、') }) : nothing}
    </p>`;
  }

  private async draftFrom(ir: PolicyIR): Promise<void> {
    try {
      const r = await api.createDraft({ from: { policy: ir.id, version: ir.version } });
      navigate(href('editor', [String(r.data.id)]));
    } catch (e) {
      alert(errorWords(e));
    }
  }
}

/** A list field the plan masks, by its `list[].field` path. */
function isMaskedField(plan: PrivacyPlan, path: string): boolean {
  const [list, field] = path.split('[].');
  return field !== undefined && (plan.maskedFields[list!] ?? []).includes(field);
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-page-policy': TwPagePolicy;
  }
}
