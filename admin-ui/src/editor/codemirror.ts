/**
 * CodeMirror 6 set-up for policy sources: highlighting through a StreamLanguage over the shared
 * tokenizer, completion of keywords (English and Chinese) and of the names the policy declares,
 * and a linter fed by `lintPolicy`. YAML gets comments and strings only.
 */
import { autocompletion, type Completion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { HighlightStyle, StreamLanguage, bracketMatching, indentOnInput, syntaxHighlighting, type StringStream } from '@codemirror/language';
import { linter, lintGutter, type Diagnostic as CmDiagnostic } from '@codemirror/lint';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { type Extension } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { KEYWORDS } from '../../../dsl/index.ts';
import type { Diagnostic } from '../../../dsl/diagnostics.ts';
import { declaredNames, nextToken, type TokenClass } from './highlight.ts';

const STYLE_NAME: Record<TokenClass, string | null> = {
  comment: 'comment',
  string: 'string',
  date: 'number',
  number: 'number',
  keyword: 'keyword',
  type: 'typeName',
  outcome: 'atom',
  severity: 'atom',
  function: 'className',
  operator: 'operator',
  name: 'variableName',
  punct: null,
  space: null,
};

export const policyLanguage = StreamLanguage.define<Record<string, never>>({
  name: 'tiaowen',
  startState: () => ({}),
  token(stream: StringStream) {
    const { end, cls } = nextToken(stream.string, stream.pos);
    stream.pos = Math.max(end, stream.pos + 1);
    return STYLE_NAME[cls];
  },
  languageData: { commentTokens: { line: '#' } },
});

const yamlLanguage = StreamLanguage.define<Record<string, never>>({
  name: 'yaml',
  startState: () => ({}),
  token(stream: StringStream) {
    if (stream.match(/^#.*/)) return 'comment';
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/) || stream.match(/^'[^']*'?/)) return 'string';
    if (stream.sol() && stream.match(/^\s*-?\s*[\p{L}\p{N}_]+(?=\s*:)/u)) return 'propertyName';
    if (stream.match(/^\d{4}-\d{2}-\d{2}/) || stream.match(/^\d+(\.\d+)?%?/)) return 'number';
    stream.next();
    return null;
  },
});

export const policyHighlight = HighlightStyle.define([
  { tag: tags.comment, color: '#5c6470', fontStyle: 'italic' },
  { tag: tags.string, color: '#0f6b3a' },
  { tag: tags.number, color: '#8f3f00' },
  { tag: tags.keyword, color: '#8a1538', fontWeight: '600' },
  { tag: tags.typeName, color: '#0b57a4' },
  { tag: tags.atom, color: '#6a1b9a', fontWeight: '600' },
  { tag: tags.className, color: '#00607a' },
  { tag: tags.propertyName, color: '#8a1538' },
]);

const KEYWORD_COMPLETIONS: Completion[] = KEYWORDS.flatMap((k) => [
  { label: k.en, type: 'keyword', detail: `${k.zh.join(' / ')} · ${k.category}`, boost: -1 },
  ...k.zh.map((zh) => ({ label: zh, type: 'keyword', detail: `${k.en} · ${k.category}` })),
]);

/** Names from outside the text (a base policy's facts and parameters). */
export interface ExtraName {
  name: string;
  kind: string;
  label?: string;
}

export function policyCompletion(extra: () => ExtraName[]) {
  return (ctx: CompletionContext): CompletionResult | null => {
    const word = ctx.matchBefore(/[\p{L}\p{N}_]+/u);
    if (!word && !ctx.explicit) return null;
    const declared = declaredNames(ctx.state.doc.toString());
    const names: Completion[] = [...declared, ...extra()].map((n) => ({
      label: n.name,
      type: n.kind === 'fact' ? 'variable' : n.kind === 'parameter' ? 'constant' : n.kind === 'rule' ? 'class' : 'property',
      detail: n.label ? `${n.label} · ${n.kind}` : n.kind,
      boost: 1,
    }));
    return { from: word ? word.from : ctx.pos, options: [...names, ...KEYWORD_COMPLETIONS], validFor: /^[\p{L}\p{N}_]*$/u };
  };
}

/** CodeMirror diagnostics from ours: offsets from the range, message and hint in the UI's language. */
export function toCmDiagnostics(diags: readonly Diagnostic[], docLength: number, lang: 'zh' | 'en'): CmDiagnostic[] {
  return diags.map((d) => {
    const from = Math.min(d.range?.start.offset ?? 0, docLength);
    let to = Math.min(d.range?.end.offset ?? from, docLength);
    if (to <= from) to = Math.min(from + 1, docLength);
    const hint = d.hint ? `\n${lang === 'en' ? d.hint.en : d.hint.zh}` : '';
    return {
      from,
      to,
      severity: d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'info',
      source: d.code,
      message: `${lang === 'en' ? d.message.en : d.message.zh}${hint}`,
    };
  });
}

/** A finding of the server's analysis (engine/analysis): a diagnostic that may carry a counterexample. */
export interface AnalysisDiagnostic extends Diagnostic {
  rules?: string[];
  counterexample?: { asOf: string; facts: Record<string, unknown> };
}

export interface FindingWords {
  /** The counterexample line under the message. */
  counterexample: (asOf: string, facts: string) => string;
  /** The label of the "try this counterexample" action. */
  tryLabel: string;
}

/**
 * CodeMirror diagnostics for analysis findings: always warnings (they are proofs about meaning, not
 * errors that stop a save), the counterexample in the tooltip and, when `onTry` is given, an
 * action that opens it on the Try page.
 */
export function findingsToCm(
  findings: readonly AnalysisDiagnostic[],
  docLength: number,
  lang: 'zh' | 'en',
  words: FindingWords,
  onTry?: (c: { asOf: string; facts: Record<string, unknown> }) => void,
): CmDiagnostic[] {
  return findings.map((f, i) => {
    const [cm] = toCmDiagnostics([f], docLength, lang);
    const ce = f.counterexample;
    return {
      ...cm!,
      severity: 'warning',
      message: ce ? `${cm!.message}\n${words.counterexample(ce.asOf, JSON.stringify(ce.facts))}` : cm!.message,
      // Keyed so tests and the tooltip tell findings apart (several may share a range).
      markClass: `tw-finding tw-finding-${i}`,
      ...(ce && onTry ? { actions: [{ name: words.tryLabel, apply: () => onTry(ce) }] } : {}),
    };
  });
}

export interface EditorSetup {
  format: 'dsl' | 'yaml';
  readonly: boolean;
  lint: (text: string) => Promise<Diagnostic[]> | Diagnostic[];
  lang: () => 'zh' | 'en';
  extraNames: () => ExtraName[];
  onChange: (text: string) => void;
  label: string;
  /** Diagnostics added to the linter's for this exact text (the server's analysis findings). */
  extraDiagnostics?: (text: string) => CmDiagnostic[];
  /** The linter's own diagnostics, each time it has run. */
  onLinted?: (text: string, diagnostics: CmDiagnostic[]) => void;
}

export function editorExtensions(s: EditorSetup): Extension[] {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    history(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    highlightActiveLine(),
    // Articles are quoted in full; wrapping keeps them readable on a laptop screen.
    EditorView.lineWrapping,
    highlightSelectionMatches(),
    s.format === 'dsl' ? policyLanguage : yamlLanguage,
    syntaxHighlighting(policyHighlight),
    autocompletion({ override: s.format === 'dsl' ? [policyCompletion(s.extraNames)] : [] }),
    lintGutter(),
    linter(
      async (view) => {
        const text = view.state.doc.toString();
        const own = toCmDiagnostics(await s.lint(text), text.length, s.lang());
        s.onLinted?.(text, own);
        return [...own, ...(s.extraDiagnostics?.(text) ?? [])];
      },
      { delay: 300 },
    ),
    // Tab indents; Escape then Tab leaves the editor (CodeMirror's documented keyboard escape hatch).
    keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap, indentWithTab]),
    EditorView.editable.of(!s.readonly),
    EditorView.contentAttributes.of({ 'aria-label': s.label }),
    EditorView.updateListener.of((u) => {
      if (u.docChanged) s.onChange(u.state.doc.toString());
    }),
    EditorView.theme({
      '&': { fontSize: '14px', border: '1px solid #8a94a3', borderRadius: '6px', backgroundColor: '#fff' },
      '&.cm-focused': { outline: '3px solid #1a73e8', outlineOffset: '1px' },
      '.cm-content': { fontFamily: 'var(--tw-mono, monospace)' },
      '.cm-gutters': { backgroundColor: '#f3f5f8', color: '#5c6470', borderRight: '1px solid #d3d9e2' },
      '.cm-scroller': { minHeight: '20rem' },
    }),
  ];
}
