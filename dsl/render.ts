/**
 * Diagnostics as plain text for a terminal or a golden file: a `file:line:col  code  message`
 * line, the source line with `^^^` under the range, then `expected:` and `hint:` lines.
 * No colours, so the output is stable.
 */
import type { Diagnostic } from './diagnostics.ts';
import { displayWidth as width } from './width.ts';

export interface RenderOptions {
  lang?: 'zh' | 'en' | 'both';
}

function pick(text: { zh: string; en: string }, lang: 'zh' | 'en' | 'both'): string[] {
  if (lang === 'zh') return [text.zh];
  if (lang === 'en') return [text.en];
  return [text.zh, text.en];
}

export function renderDiagnostic(d: Diagnostic, source: string, opts: RenderOptions = {}): string {
  const lang = opts.lang ?? 'both';
  const r = d.range;
  const where = r ? `${r.file ?? '<input>'}:${r.start.line}:${r.start.column}` : '<input>';
  const out: string[] = [];
  const messages = pick(d.message, lang);
  out.push(`${where}  ${d.code}  ${messages[0]}`);
  for (const m of messages.slice(1)) out.push(`${' '.repeat(where.length)}  ${' '.repeat(d.code.length)}  ${m}`);
  if (r) {
    const lines = source.split(/\r\n|\r|\n/);
    const text = lines[r.start.line - 1];
    if (text !== undefined) {
      const gutter = String(r.start.line);
      const lineText = text.replace(/\t/g, ' ');
      const before = lineText.slice(0, r.start.column - 1);
      // A range running past its first line is underlined to that line's end; an empty range gets one caret.
      const endColumn = r.end.line === r.start.line ? r.end.column : lineText.length + 1;
      const marked = lineText.slice(r.start.column - 1, Math.max(endColumn - 1, r.start.column - 1));
      out.push(`${gutter} | ${lineText}`);
      out.push(`${' '.repeat(gutter.length)} | ${' '.repeat(width(before))}${'^'.repeat(Math.max(1, width(marked)))}`);
    }
  }
  if (d.expected && d.expected.length > 0) out.push(`expected: ${d.expected.join(', ')}`);
  if (d.hint) for (const h of pick(d.hint, lang)) out.push(`hint: ${h}`);
  return out.join('\n') + '\n';
}

/** Several diagnostics, separated by blank lines. */
export function renderDiagnostics(ds: readonly Diagnostic[], source: string, opts: RenderOptions = {}): string {
  return ds.map((d) => renderDiagnostic(d, source, opts)).join('\n');
}
