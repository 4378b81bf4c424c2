/**
 * Diagnostics are data. Every stage (lexer, parser, YAML reader, lowering to IR, fact
 * validation) reports problems as `Diagnostic` values and keeps going; rendering them for a
 * terminal or a browser is separate (see render.ts).
 */

/** 1-based line and column, 0-based offset, like most editors show them. */
export interface Position {
  line: number;
  column: number;
  offset: number;
}

export interface Range {
  start: Position;
  end: Position;
  /** File name or policy id the range refers to, when known. */
  file?: string;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  /** Stable code, e.g. `dsl.unexpected-token`, `ir.unknown-fact`. */
  code: string;
  severity: Severity;
  /** Message in both languages; UIs pick one, the CLI shows both. */
  message: { zh: string; en: string };
  range?: Range;
  /** How to fix it, in both languages. */
  hint?: { zh: string; en: string };
  /** What the parser expected, where that is meaningful. */
  expected?: string[];
}

export interface Result<T> {
  value?: T;
  diagnostics: Diagnostic[];
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
