/**
 * The SQL stage, browser-safe part: policy IR → SQL (DuckDB, PostgreSQL), its types and
 * diagnostics, table shapes and a seeded record generator. The node-only runner is engine/sql/node.ts.
 */
export type * from './types.ts';
export { compileSql, policyQuery, decodeMask, DEFAULT_SOURCE, defaultListRelation, type CompileSqlOptions, type SideInput } from './compile.ts';
export { setupSql, dialectOf, CALENDAR_FROM, CALENDAR_UNTIL } from './dialect.ts';
export { sqlDiagnostic, type SqlCode } from './messages.ts';
export { columnType, createTablesSql, insertSql, sourceNamed, unionFacts } from './records.ts';
export { generateSql, type FactShape, type GenerateOptions } from './generate.ts';
