/**
 * The compile driver: a named, ordered list of stages (parse → lower → validate) run over one
 * source text. `compileStages` stops after any stage so the CLI can dump it (`--dump ast|ir`);
 * diagnostics of every stage run are returned in order. A stage whose input had errors is not run:
 * lowering a partial tree would only add noise after a syntax error.
 */
import { parsePolicySource } from '../../dsl/index.ts';
import type { PolicyAst } from '../../dsl/ast.ts';
import { hasErrors, type Diagnostic, type Result } from '../../dsl/diagnostics.ts';
import { lowerPolicy } from './fromAst.ts';
import type { PolicyIR, PolicyRef } from './types.ts';
import { validateIr } from './validate.ts';

export const STAGES = ['parse', 'lower', 'validate'] as const;
export type Stage = (typeof STAGES)[number];

export interface CompileOptions {
  file?: string;
  /** From the file name when absent (`.policy` → dsl; `.policy.yaml`, `.yaml`, `.yml` → yaml). */
  format?: 'dsl' | 'yaml';
  resolveBase?: (ref: PolicyRef) => PolicyIR | undefined;
}

export function compileStages(text: string, opts: CompileOptions, until: 'ast'): Result<PolicyAst>;
export function compileStages(text: string, opts: CompileOptions, until: 'ir'): Result<PolicyIR>;
export function compileStages(text: string, opts: CompileOptions, until: 'ast' | 'ir'): Result<PolicyAst> | Result<PolicyIR> {
  const diagnostics: Diagnostic[] = [];
  const parsed = parsePolicySource(text, { file: opts.file, format: opts.format });
  diagnostics.push(...parsed.diagnostics);
  if (until === 'ast') return parsed.value ? { value: parsed.value, diagnostics } : { diagnostics };
  if (!parsed.value || hasErrors(diagnostics)) return { diagnostics };

  const lowered = lowerPolicy(parsed.value, { file: opts.file, resolveBase: opts.resolveBase });
  diagnostics.push(...lowered.diagnostics);
  if (!lowered.value || hasErrors(diagnostics)) return { diagnostics };

  // Lowering promises schema-valid IR; checking it anyway catches a lowering bug before storage does.
  const checked = validateIr(lowered.value);
  diagnostics.push(...checked.diagnostics);
  return checked.value ? { value: checked.value, diagnostics } : { diagnostics };
}

/** Source text → IR: parse, lower, validate. `value` is present exactly when no stage reported an error. */
export function compileSource(text: string, opts: CompileOptions = {}): Result<PolicyIR> {
  return compileStages(text, opts, 'ir');
}
