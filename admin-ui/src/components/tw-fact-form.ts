import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { LangController, lang, t } from '../i18n/index.ts';
import { shared } from '../styles.ts';
import type { JsonSchema } from '../wire.ts';
import { readInput } from '../words.ts';

type Facts = Record<string, unknown>;

/** The label of a schema property in the UI's language (Chinese `title`, English `x-label-en`). */
export function schemaLabel(s: JsonSchema, name: string): string {
  const en = s['x-label-en'];
  return lang() === 'en' && typeof en === 'string' ? en : s.title ?? name;
}

function kindOf(s: JsonSchema): string {
  const k = s['x-kind'];
  if (typeof k === 'string') return k;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (s.enum) return 'enum';
  if (types.includes('array')) return 'list';
  if (types.includes('boolean')) return 'boolean';
  if (types.includes('integer')) return 'integer';
  if (types.includes('number')) return 'number';
  if (s.format === 'date') return 'date';
  return 'string';
}

/**
 * A form generated from the policy's fact schema: labels in Chinese (or English), enums as
 * selects, booleans as yes / no / not given, lists as editable tables. Empty means "not given"
 * (the fact is missing, and rules needing it are undetermined). Fires `change` with the facts.
 */
@customElement('tw-fact-form')
export class TwFactForm extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: 0.6rem 1rem; }
      .list { grid-column: 1 / -1; }
      .field input, .field select { width: 100%; }
      table input, table select { width: 100%; min-width: 6rem; }
      .kind { font-weight: normal; color: var(--tw-muted); font-size: 0.8rem; }
      fieldset { border: 1px solid var(--tw-border); border-radius: var(--tw-radius); padding: 0.5rem 0.75rem; }
      legend { font-weight: 600; padding: 0 0.3rem; }
    `,
  ];

  /** The facts' JSON Schema (from `/policies/…/schema`). */
  @property({ attribute: false }) schema?: JsonSchema;
  /** The facts as the API takes them. */
  @property({ attribute: false }) value: Facts = {};

  private readonly i18n = new LangController(this);

  override render() {
    const props = this.schema?.properties ?? {};
    return html`<div class="grid">${Object.entries(props).map(([name, s]) => (kindOf(s) === 'list' ? this.renderList(name, s) : this.renderScalar(name, s, this.value[name], (v) => this.set(name, v), `f-${name}`)))}</div>`;
  }

  private set(name: string, v: unknown): void {
    const next = { ...this.value };
    if (v === undefined) delete next[name];
    else next[name] = v;
    this.value = next;
    this.dispatchEvent(new CustomEvent('change', { detail: next }));
  }

  private renderScalar(name: string, s: JsonSchema, value: unknown, set: (v: unknown) => void, id: string, inTable = false) {
    const kind = kindOf(s);
    const label = schemaLabel(s, name);
    const control = this.control(kind, s, value, set, id, inTable ? label : undefined);
    if (inTable) return control;
    return html`<div class="field">
      <label for=${id}>${label} <span class="kind">${name}</span></label>
      ${control}
    </div>`;
  }

  private control(kind: string, s: JsonSchema, value: unknown, set: (v: unknown) => void, id: string, ariaLabel?: string) {
    const str = value === undefined || value === null ? '' : String(value);
    const onInput = (e: Event) => set(readInput(kind, (e.target as HTMLInputElement).value));
    if (kind === 'boolean')
      return html`<select id=${id} aria-label=${ariaLabel ?? nothing} @change=${onInput}>
        <option value="" ?selected=${str === ''}>${t('try.unset')}</option>
        <option value="true" ?selected=${str === 'true'}>${t('try.yes')}</option>
        <option value="false" ?selected=${str === 'false'}>${t('try.no')}</option>
      </select>`;
    if (kind === 'enum') {
      const labels = (lang() === 'en' ? (s['x-labels-en'] as Record<string, string>) : undefined) ?? (s['x-labels'] as Record<string, string> | undefined) ?? {};
      const zhLabels = (s['x-labels'] as Record<string, string> | undefined) ?? {};
      return html`<select id=${id} aria-label=${ariaLabel ?? nothing} @change=${onInput}>
        <option value="" ?selected=${str === ''}>${t('try.unset')}</option>
        ${(s.enum ?? []).filter((v) => v !== null).map((v) => html`<option value=${String(v)} ?selected=${str === String(v)}>${labels[String(v)] ?? zhLabels[String(v)] ?? String(v)}</option>`)}
      </select>`;
    }
    if (kind === 'date') return html`<input id=${id} type="date" aria-label=${ariaLabel ?? nothing} .value=${str} @change=${onInput} />`;
    const numeric = kind === 'integer' || kind === 'number' || kind === 'percent' || kind === 'money';
    const suffix = kind === 'money' ? '元' : kind === 'percent' ? '%' : '';
    return html`<input id=${id} type="text" aria-label=${ariaLabel ?? nothing} inputmode=${numeric ? 'decimal' : 'text'} .value=${str} placeholder=${suffix} @change=${onInput} />`;
  }

  private renderList(name: string, s: JsonSchema) {
    const item = s.items ?? {};
    const cols = Object.entries(item.properties ?? {});
    const rows = Array.isArray(this.value[name]) ? (this.value[name] as Facts[]) : [];
    const setRows = (next: Facts[]) => this.set(name, next.length ? next : undefined);
    return html`<fieldset class="list">
      <legend>${schemaLabel(s, name)} <span class="kind">${name}</span></legend>
      <div class="scroll-x">
        <table>
          <thead><tr><th>#</th>${cols.map(([c, cs]) => html`<th>${schemaLabel(cs, c)}</th>`)}<th><span class="visually-hidden">${t('col.actions')}</span></th></tr></thead>
          <tbody>
            ${rows.map(
              (row, i) => html`<tr>
                <td>${i + 1}</td>
                ${cols.map(([c, cs]) => html`<td>${this.renderScalar(c, cs, row[c], (v) => {
                  const next = rows.map((r) => ({ ...r }));
                  if (v === undefined) delete next[i][c];
                  else next[i][c] = v;
                  setRows(next);
                }, `f-${name}-${i}-${c}`, true)}</td>`)}
                <td><button type="button" aria-label="${t('try.removeRow')} ${i + 1}" @click=${() => setRows(rows.filter((_, j) => j !== i))}>✕</button></td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <button type="button" @click=${() => setRows([...rows, {}])}>＋ ${t('try.addRow')}</button>
    </fieldset>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-fact-form': TwFactForm;
  }
}
