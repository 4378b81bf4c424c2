/**
 * IR back to text: the canonical DSL (English or Chinese keywords) or the YAML form, through the
 * dsl stage's formatter. Used to show stored policies, to print conditions in traces, and by the
 * round-trip tests (print → compile gives the same IR).
 */
import { formatExpression, formatPolicy, policyToYaml } from '../../dsl/index.ts';
import type { Expr, PolicyIR } from './types.ts';
import { exprToAst, irToAst } from './toAst.ts';

export function printPolicy(ir: PolicyIR, format: 'dsl' | 'yaml', opts: { lang?: 'en' | 'zh' } = {}): string {
  const ast = irToAst(ir);
  return format === 'yaml' ? policyToYaml(ast) : formatPolicy(ast, opts);
}

/** One expression as DSL text, e.g. `不良贷款率 > 不良贷款率红线`. */
export function printExpr(e: Expr, opts: { lang?: 'en' | 'zh' } = {}): string {
  return formatExpression(exprToAst(e), opts);
}
