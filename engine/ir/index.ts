/** Public API of the IR stage: lowering, checking, validating, hashing and printing policies. */
export * from './types.ts';
export { validateIr, IR_SCHEMA } from './validate.ts';
export { lowerPolicy, type LowerOptions, OUTCOME_KINDS, SEVERITIES, FUNCTIONS, AGGREGATES, editDistance, nearest, isValidDate } from './fromAst.ts';
export { typeOf, checkExpr, envForPolicy, factValueType, describeType, type TypeEnv, type TypeReporter } from './typecheck.ts';
export { canonicalJson, policyHash, sha256Hex } from './hash.ts';
export { MESSAGES, diag, type IrCode } from './messages.ts';
export { compileSource, compileStages, STAGES, type Stage, type CompileOptions } from './compile.ts';
export { irToAst, exprToAst, literalToAst } from './toAst.ts';
export { printPolicy, printExpr } from './print.ts';
export { durationValueText, parseDurationValue, DURATION_VALUE_PATTERN } from './duration.ts';
