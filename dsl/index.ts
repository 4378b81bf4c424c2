/**
 * Public API of the DSL front end. Everything else in dsl/ is internal and may change.
 * Runs in Node and in the browser (no `node:` imports).
 */
import type { PolicyAst } from './ast.ts';
import type { Result } from './diagnostics.ts';
import { parsePolicy } from './parse.ts';
import { parseYamlPolicy } from './yaml.ts';

export { parsePolicy, parseExpression, keywordLanguage } from './parse.ts';
export { parseYamlPolicy, policyToYaml } from './yaml.ts';
export { formatPolicy, formatExpression, type FormatOptions } from './format.ts';
export { displayWidth } from './width.ts';
export { renderDiagnostic, renderDiagnostics, type RenderOptions } from './render.ts';
export { KEYWORDS } from './tokens.ts';
export * from './ast.ts';
export * from './diagnostics.ts';

/** The format a file name implies: `.policy.yaml`, `.yaml`, `.yml` are YAML; anything else is the DSL. */
export function formatOfFile(file: string | undefined): 'dsl' | 'yaml' {
  return file !== undefined && /\.ya?ml$/i.test(file) ? 'yaml' : 'dsl';
}

/** Parses a policy in either form; without `format`, the file name decides (see `formatOfFile`). */
export function parsePolicySource(text: string, opts: { file?: string; format?: 'dsl' | 'yaml' } = {}): Result<PolicyAst> {
  const format = opts.format ?? formatOfFile(opts.file);
  const fileOpt = opts.file !== undefined ? { file: opts.file } : {};
  return format === 'yaml' ? parseYamlPolicy(text, fileOpt) : parsePolicy(text, fileOpt);
}
