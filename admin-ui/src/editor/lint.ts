/**
 * Diagnostics for the editor, computed in the browser by the same front end the server uses:
 * `compileSource` (parse, lower, validate). A variant's base is looked up in `bases`, which the
 * editor fills from the server before linting (`baseRefs` says which ones the text names).
 */
import { compileSource } from '../../../engine/ir/compile.ts';
import { printPolicy } from '../../../engine/ir/print.ts';
import type { PolicyIR, PolicyRef } from '../../../engine/ir/types.ts';
import type { Diagnostic } from '../../../dsl/diagnostics.ts';
import { keywordLanguage, parsePolicy } from '../../../dsl/parse.ts';
import { formatPolicy } from '../../../dsl/format.ts';
import { parseYamlPolicy, policyToYaml } from '../../../dsl/yaml.ts';
import { overlapDiagnostics } from './tables.ts';

export type Format = 'dsl' | 'yaml';

export interface LintResult {
  diagnostics: Diagnostic[];
  ir?: PolicyIR;
}

/** `extends "<policy>[@<version>]"` (or `继承`, or YAML `extends:`) named in the text. */
export function baseRefs(text: string): PolicyRef[] {
  const refs: PolicyRef[] = [];
  const re = /^\s*(?:extends|继承)\s*:?\s*["“]?([^"”@\s]+)(?:@([^"”\s]+))?["”]?/gmu;
  for (const m of text.matchAll(re)) refs.push({ policy: m[1], ...(m[2] ? { version: m[2] } : {}) });
  // YAML object form: extends: { policy: x, version: y }
  const obj = /^\s*extends\s*:\s*\{\s*policy\s*:\s*([^,}\s]+)\s*(?:,\s*version\s*:\s*["']?([^"'}\s]+))?/gm;
  for (const m of text.matchAll(obj)) refs.push({ policy: m[1], ...(m[2] ? { version: m[2] } : {}) });
  return refs;
}

export function refKey(ref: PolicyRef): string {
  return ref.version ? `${ref.policy}@${ref.version}` : ref.policy;
}

export function lintPolicy(text: string, format: Format, bases: ReadonlyMap<string, PolicyIR> = new Map()): LintResult {
  try {
    const r = compileSource(text, { format, file: 'draft', resolveBase: (ref) => bases.get(refKey(ref)) ?? bases.get(ref.policy) });
    // Overlapping rows of unique tables, where the cells' literals prove it (the solver's full
    // check, analysis.table-overlap, runs on the server).
    const overlaps = format === 'dsl' ? overlapDiagnostics(text) : [];
    return { diagnostics: [...r.diagnostics, ...overlaps], ir: r.value };
  } catch (e) {
    // A thrown error is a bug in the front end; show it as a diagnostic rather than a dead editor.
    return {
      diagnostics: [
        {
          code: 'ui.compiler-crashed',
          severity: 'error',
          message: { zh: `检查时出错:${(e as Error).message}`, en: `The checker failed: ${(e as Error).message}` },
        },
      ],
    };
  }
}

/** The same policy in the other notation; undefined when the text does not compile. */
export function convert(text: string, from: Format, to: Format, bases: ReadonlyMap<string, PolicyIR> = new Map()): string | undefined {
  if (from === to) return text;
  const r = lintPolicy(text, from, bases);
  if (!r.ir) return undefined;
  try {
    // Decision tables and scorecards exist in the surface tree only (the IR holds the rules made
    // of them): convert the tree, so a table stays a table in the other notation.
    if (r.ir.rules.some((x) => x.from)) {
      const ast = from === 'dsl' ? parsePolicy(text).value : parseYamlPolicy(text).value;
      if (ast) return to === 'yaml' ? policyToYaml(ast) : formatPolicy(ast);
    }
    return printPolicy(r.ir, to);
  } catch {
    return undefined;
  }
}

export type KeywordLang = 'zh' | 'en';

/** Which keywords a DSL text is written with (`policy`… or `政策`…). */
export function keywordsOf(text: string): KeywordLang {
  return keywordLanguage(text);
}

/**
 * The same DSL text with the other keywords (`when` ⇄ `当`): parsed and printed back by the
 * formatter, comments kept, names, values and citations untouched, so the meaning is the same
 * policy (a test compiles both and compares the IR). Undefined when the text does not parse.
 */
export function withKeywords(text: string, lang: KeywordLang): string | undefined {
  const parsed = parsePolicy(text, { file: 'draft' });
  if (!parsed.value || parsed.diagnostics.some((d) => d.severity === 'error')) return undefined;
  return formatPolicy(parsed.value, { lang });
}
