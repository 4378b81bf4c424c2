/**
 * Public API of the DSL front end. Everything else in dsl/ is internal and may change.
 * Runs in Node and in the browser (no `node:` imports).
 */
import type { PolicyAst } from './ast.ts';
import type { Result } from './diagnostics.ts';
import { parsePolicy } from './parse.ts';

export { parsePolicy, parseExpression } from './parse.ts';
export { KEYWORDS } from './tokens.ts';
export * from './ast.ts';
export * from './diagnostics.ts';

/** The format a file name implies: `.policy.yaml`, `.yaml`, `.yml` are YAML, anything else the DSL. */
export function formatOfFile(file: string | undefined): 'dsl' | 'yaml' {
  return file !== undefined && /\.(ya?ml)$/i.test(file) ? 'yaml' : 'dsl';
}
