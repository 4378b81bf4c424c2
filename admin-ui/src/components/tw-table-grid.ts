import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { LangController, pick, t } from '../i18n/index.ts';
import { shared } from '../styles.ts';
import type { Diagnostic } from '../../../dsl/diagnostics.ts';
import type { RuleProvenance } from '../../../engine/ir/types.ts';
import { readXlsxRows } from '../editor/xlsx.ts';
import { emptyRow, getField, gridsOf, importSheet, parseDelimited, pasteRows, rowFields, setField, withGrid, type Grid, type GridRow } from '../editor/tables.ts';

/**
 * The decision tables of a DSL text as editable grids: one input per cell, row id, output
 * (`gives`) and citation; add and remove rows and columns; paste rows copied from Excel (TSV on
 * the clipboard) from the focused cell on; import an XLSX or CSV sheet whose headers name the facts. Every
 * edit writes the table back into the text (`change`, detail: the new text), so the text stays
 * the one source. Diagnostics whose range falls in a cell show under that cell, the rest of a
 * row's under the row. Read-only with `hits` (fired outcomes' `from`), it shows which rows a
 * decision hit (Try page).
 */
@customElement('tw-table-grid')
export class TwTableGrid extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      section { margin: 0.75rem 0; }
      h3 { margin: 0.25rem 0; font-size: 1rem; }
      table { font-size: 0.9rem; }
      th, td { padding: 0.2rem 0.3rem; }
      input { width: 100%; min-width: 5rem; box-sizing: border-box; font-family: var(--tw-mono, monospace); }
      input[aria-invalid='true'] { border-color: var(--tw-bad, #b3261e); }
      .diag { color: var(--tw-bad, #b3261e); font-size: 0.8rem; }
      .diag.warning { color: var(--tw-warn, #8a5300); }
      tr.hit td { background: #fff3c4; font-weight: 600; }
      tr.hit td:first-child { border-inline-start: 4px solid var(--tw-accent, #a4262c); }
      .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
      .rest { font-size: 0.8rem; color: var(--tw-muted, #4f5b6b); font-family: var(--tw-mono, monospace); }
    `,
  ];

  /** The policy's DSL text. */
  @property() text = '';
  @property({ attribute: false }) diagnostics: Diagnostic[] = [];
  @property({ type: Boolean }) readonly = false;
  /** Table rows that fired (the fired outcomes' `from`): highlighted. */
  @property({ attribute: false }) hits: readonly RuleProvenance[] = [];
  @state() private focused?: { table: number; row: number; field: string };
  @state() private importError = '';

  private readonly i18n = new LangController(this);

  override render() {
    const grids = gridsOf(this.text);
    if (grids.length === 0) return html`<p class="muted" data-testid="no-tables">${t('table.none')}</p>`;
    return grids.map((g) => this.renderGrid(g));
  }

  private renderGrid(g: Grid) {
    const fields = rowFields(g.columns.length);
    const inTable = this.diagnostics.filter((d) => d.range && d.range.start.offset >= g.start && d.range.start.offset <= g.end);
    const placed = new Set<Diagnostic>();
    const cellDiags = (r: GridRow, k: number) => {
      const span = r.cellSpans?.[k];
      if (!span) return [];
      const ds = inTable.filter((d) => d.range!.start.offset >= span.start && d.range!.start.offset < Math.max(span.end, span.start + 1));
      ds.forEach((d) => placed.add(d));
      return ds;
    };
    const rowDiags = (r: GridRow) => (r.start === undefined ? [] : inTable.filter((d) => !placed.has(d) && d.range!.start.offset >= r.start! && d.range!.start.offset < r.end!));
    const label = (f: string, i: number) => `${t('table.row')} ${i + 1} · ${f.startsWith('cell') ? g.columns[Number(f.slice(4))] : t(`table.${f}` as 'table.gives')}`;
    return html`<section data-testid="table-grid" data-table=${g.table.id} aria-label=${`${t('table.table')} ${g.table.title}`}>
      <h3>${g.table.title} <span class="muted">(${g.table.id} · ${g.table.hit}${g.table.aggregate ? ` ${g.table.aggregate}` : ''})</span></h3>
      <div class="scroll-x">
        <table @paste=${(e: ClipboardEvent) => this.paste(e, g)}>
          <thead>
            <tr>
              <th>${t('table.id')}</th>
              ${g.columns.map(
                (c, k) => html`<th>
                  ${this.readonly
                    ? c
                    : html`<input aria-label=${`${t('table.column')} ${k + 1}`} data-testid="column" .value=${c} @change=${(e: Event) => this.edit({ ...g, columns: g.columns.map((x, j) => (j === k ? (e.target as HTMLInputElement).value : x)) })} />`}
                </th>`,
              )}
              <th>${t('table.gives')}</th>
              <th>${t('table.source')}</th>
              <th>${t('table.article')}</th>
              ${this.readonly ? nothing : html`<th><span class="sr-only">${t('col.actions')}</span></th>`}
            </tr>
          </thead>
          <tbody>
            ${g.rows.map((r, i) => {
              const ruleId = `${g.table.id}.${r.id || i + 1}`;
              const isHit = this.hits.some((x) => x.table === g.table.id && x.part === undefined && x.row === i + 1);
              const rd = rowDiags(r);
              return html`<tr class=${isHit ? 'hit' : ''} data-testid="table-row" data-rule=${ruleId} data-hit=${isHit ? 'true' : 'false'} aria-current=${isHit ? 'true' : 'false'}>
                  ${fields.map((f, fi) => {
                    const ds = f.startsWith('cell') ? cellDiags(r, Number(f.slice(4))) : [];
                    const value = getField(r, f);
                    return html`<td>
                      ${this.readonly
                        ? html`${value}${fi === 0 && isHit ? html` <span class="badge">${t('table.hit')}</span>` : nothing}`
                        : html`<input
                            aria-label=${label(f, i)}
                            data-field=${f}
                            .value=${value}
                            aria-invalid=${ds.some((d) => d.severity === 'error') ? 'true' : 'false'}
                            @focus=${() => (this.focused = { table: g.index, row: i, field: f })}
                            @change=${(e: Event) => this.edit({ ...g, rows: g.rows.map((x, j) => (j === i ? setField(x, f, (e.target as HTMLInputElement).value) : x)) })}
                          />`}
                      ${ds.map((d) => html`<div class="diag ${d.severity}" data-testid="cell-diagnostic">${pick(d.message)}</div>`)}
                    </td>`;
                  })}
                  ${this.readonly
                    ? nothing
                    : html`<td><button aria-label=${`${t('table.removeRow')} ${i + 1}`} @click=${() => this.edit({ ...g, rows: g.rows.filter((_, j) => j !== i) })}>✕</button></td>`}
                </tr>
                ${rd.length || r.rest
                  ? html`<tr class=${isHit ? 'hit' : ''}>
                      <td colspan=${fields.length + 1}>
                        ${r.rest ? html`<div class="rest">${r.rest}</div>` : nothing}
                        ${rd.map((d) => html`<div class="diag ${d.severity}" data-testid="row-diagnostic">${pick(d.message)}</div>`)}
                      </td>
                    </tr>`
                  : nothing}`;
            })}
          </tbody>
        </table>
      </div>
      ${this.readonly
        ? nothing
        : html`<div class="toolbar">
            <button @click=${() => this.edit({ ...g, rows: [...g.rows, emptyRow(g.columns.length)] })}>${t('table.addRow')}</button>
            <button @click=${() => this.edit({ ...g, columns: [...g.columns, ''], rows: g.rows.map((r) => ({ ...r, cells: [...r.cells, ''] })) })}>${t('table.addColumn')}</button>
            <button ?disabled=${g.columns.length <= 1} @click=${() => this.edit({ ...g, columns: g.columns.slice(0, -1), rows: g.rows.map((r) => ({ ...r, cells: r.cells.slice(0, -1) })) })}>${t('table.removeColumn')}</button>
            <label class="button">${t('table.import')}<input type="file" accept=".xlsx,.csv,.tsv,.txt,text/csv" data-testid="table-import" class="sr-only" @change=${(e: Event) => this.importFile(e, g)} /></label>
          </div>
          ${this.importError ? html`<div class="diag" role="alert">${this.importError}</div>` : nothing}`}
      ${inTable.filter((d) => !placed.has(d) && !g.rows.some((r) => r.start !== undefined && d.range!.start.offset >= r.start && d.range!.start.offset < r.end!)).map((d) => html`<div class="diag ${d.severity}" data-testid="table-diagnostic">${pick(d.message)}</div>`)}
    </section>`;
  }

  private edit(g: Grid): void {
    const text = withGrid(this.text, g);
    this.text = text;
    this.dispatchEvent(new CustomEvent('change', { detail: text, bubbles: true, composed: true }));
  }

  /** Excel puts copied cells on the clipboard as tab-separated lines. */
  private paste(e: ClipboardEvent, g: Grid): void {
    if (this.readonly) return;
    const data = e.clipboardData?.getData('text/plain') ?? '';
    if (!data.includes('\t') && !data.includes('\n')) return; // one value: the input takes it
    e.preventDefault();
    const at = this.focused?.table === g.index ? this.focused : { row: g.rows.length, field: 'id' };
    this.edit(pasteRows(g, at.row, at.field, data));
  }

  private async importFile(e: Event, g: Grid): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    try {
      const rows = /\.xlsx$/i.test(file.name) ? await readXlsxRows(new Uint8Array(await file.arrayBuffer())) : parseDelimited(await file.text());
      this.importError = '';
      this.edit(importSheet(g, rows));
    } catch (err) {
      this.importError = t('table.importFailed', { why: (err as Error).message });
    }
    input.value = '';
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tw-table-grid': TwTableGrid;
  }
}
